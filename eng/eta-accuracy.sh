#!/usr/bin/env bash
# Measures how right the tool's time estimate is on a real run: runs neural-style with plain progress lines, then
# compares each "about hh:mm:ss left" with the time that was actually left until the last iteration's report.
#
#   bash eng/eta-accuracy.sh                  # the README's sample at 256 px, 200 iterations, a report every 10
#   bash eng/eta-accuracy.sh ARGS...          # neural-style's arguments instead (keep --progress-every; no --quiet)
#
# Uses the Release build of src/NeuralStyle.Cli (built first if missing). The weights come from NEURALSTYLE_WEIGHTS or
# the per-user cache, as for the tool. Prints one row per report and the largest error; the estimate is printed in
# whole seconds, so each row also gives the error that the display's rounding alone allows (1 s).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ $# -eq 0 ]; then
  set -- "$repo/samples/images/content-village.png" "$repo/samples/images/style-mosaic.png" \
    -o "${TMPDIR:-/tmp}/eta-accuracy.png" --preset the-scream --size 256 -i 200 --progress-every 10
fi
tool="$repo/src/NeuralStyle.Cli/bin/Release/net10.0/neural-style"
[ -x "$tool" ] || dotnet build "$repo/src/NeuralStyle.Cli/NeuralStyle.Cli.csproj" -c Release -nodeReuse:false >/dev/null

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$tool" "$@" | tee "$log"

# "iteration 10/200  …  (12.3 s, about 00:01:05 left)": elapsed and estimate of each report.
awk '
  /^(stage [0-9]+\/[0-9]+ )?(tile [0-9]+\/[0-9]+ )?iteration [0-9]+\/[0-9]+/ {
    match($0, /iteration [0-9]+\/[0-9]+/); split(substr($0, RSTART + 10, RLENGTH - 10), it, "/")
    match($0, /\(([0-9.]+) s/); elapsed = substr($0, RSTART + 1, RLENGTH - 3) + 0
    eta = -1
    if (match($0, /about [0-9]+:[0-9]+:[0-9]+ left/)) {
      split(substr($0, RSTART + 6, 8), t, ":"); eta = t[1] * 3600 + t[2] * 60 + t[3]
    }
    n++; iter[n] = it[1]; total = it[2]; at[n] = elapsed; est[n] = eta; last = elapsed
  }
  END {
    if (n == 0) { print "eta-accuracy: no iteration reports (use --progress-every, not --quiet)" > "/dev/stderr"; exit 1 }
    printf "\n%9s %10s %12s %12s %8s %10s\n", "iteration", "elapsed s", "estimate s", "actual s", "error", "rounding"
    worst = 0
    for (i = 1; i <= n; i++) {
      actual = last - at[i]
      if (est[i] < 0 || actual <= 0) { printf "%9d %10.1f %12s %12.1f\n", iter[i], at[i], "-", actual; continue }
      error = (est[i] - actual) / actual
      printf "%9d %10.1f %12d %12.1f %+7.1f%% %9.1f%%\n", iter[i], at[i], est[i], actual, 100 * error, 100 / actual
      if (actual >= 10 && (error < 0 ? -error : error) > worst) { worst = (error < 0 ? -error : error); at_worst = iter[i] }
    }
    printf "\neta-accuracy: %d iterations in %.1f s; largest error where at least 10 s were left: %.1f%% (iteration %d)\n", total, last, 100 * worst, at_worst
  }
' "$log"

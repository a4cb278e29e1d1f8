#!/usr/bin/env bash
# Measures how right the tool's time estimate is on real runs: runs neural-style with plain progress lines, stamps each
# line with the time it arrives and the CPU time the tool has used, and compares each "about … left" with the time that
# was actually left until the last iteration's report.
#
#   bash eng/eta-accuracy.sh                          # the default preset at its default size (192 px), 200 iterations
#   bash eng/eta-accuracy.sh --suite                  # the standard set: the seed's schedule at 256 and 512 px, the quick
#                                                     # schedule (L-BFGS) at 256 and 512 px, coarse-to-fine at 512 px
#   bash eng/eta-accuracy.sh --runs 3 --realtime      # three runs, each under `chrt -f 50` (the CPUs despite other work)
#   bash eng/eta-accuracy.sh --keep DIR -- ARGS...    # neural-style's arguments instead (keep --progress-every; no
#                                                     # --quiet); DIR keeps each run's stamped log (run-N.log)
#   bash eng/eta-accuracy.sh --record FILE -- ARGS... # also writes the run's events as test data (ARGS with
#                                                     # --progress-every 1): "seconds,targets,STAGE" and "seconds,iteration,N"
#                                                     # in the tool's CPU time (--record-clock wall: the wall clock)
#
# Uses the Release build of src/NeuralStyle.Cli (built first if missing). The weights come from NEURALSTYLE_WEIGHTS or
# the per-user cache, as for the tool. Prints one row per report, then per run the error at the first report with an
# estimate and at the first reports at or past 25 %, 50 % and 75 % of the iterations, and the largest error while at
# least a tenth of the time was left. The tool prints the estimate in tenths of a second under 10 s and whole seconds
# above, so each row also gives the error that the display's rounding alone allows, and the share of a CPU the tool got
# since the previous report (CPU seconds per wall second: with other work on the machine it falls, and the estimate, made
# from the past, cannot know the future's share). Under --realtime the line stamper runs at a higher priority than the
# tool, so that the stamps are not delayed. The CPU time is read from /proc (Linux).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

runs=1 realtime=0 keep= record= record_clock=cpu suite=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --realtime) realtime=1; shift ;;
    --keep) keep=$2; shift 2 ;;
    --record) record=$2; shift 2 ;;
    --record-clock) record_clock=$2; shift 2 ;;
    --suite) suite=1; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done
if [ "$suite" = 1 ]; then
  # Each of the standard runs in turn, by this script with the same options; their summaries at the end.
  self=("$0" --runs "$runs")
  [ "$realtime" = 0 ] || self+=(--realtime)
  images=("$repo/samples/images/content-village.png" "$repo/samples/images/style-mosaic.png" -o "${TMPDIR:-/tmp}/eta-accuracy.png" --progress-every 10)
  summaries=$(mktemp) run_log=$(mktemp)
  trap 'rm -f "$summaries" "$run_log"' EXIT
  for run in "--size 256" "--size 512" "--size 256 --schedule quick" "--size 512 --schedule quick" "--size 512 --coarse-to-fine on"; do
    # shellcheck disable=SC2086
    "${self[@]}" -- "${images[@]}" $run "$@" | tee "$run_log"
    sed -n '/^eta-accuracy: summary$/,$p' "$run_log" | tail -n +2 | sed "s/^/$run: /" >> "$summaries"
  done
  echo
  echo "eta-accuracy: suite summary (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
  cat "$summaries"
  exit 0
fi
if [ $# -eq 0 ]; then
  set -- "$repo/samples/images/content-village.png" "$repo/samples/images/style-mosaic.png" \
    -o "${TMPDIR:-/tmp}/eta-accuracy.png" --progress-every 10
fi
tool="$repo/src/NeuralStyle.Cli/bin/Release/net10.0/neural-style"
[ -x "$tool" ] || dotnet build "$repo/src/NeuralStyle.Cli/NeuralStyle.Cli.csproj" -c Release -nodeReuse:false >/dev/null

run_prefix=() stamp_prefix=()
if [ "$realtime" = 1 ]; then
  if chrt -f 50 true 2>/dev/null; then
    run_prefix=(chrt -f 50) stamp_prefix=(chrt -f 60)
  else
    echo "eta-accuracy: chrt -f 50 is not permitted here; running at normal priority" >&2
  fi
fi

# Other processes under a real-time policy take the CPUs from a real-time run for as long as they like (two SCHED_FIFO
# processes of one priority do not share): a run waits until there are none, and says so when one appeared during it. The
# script's own line stamper, which runs above the tool, is not one of them.
other_realtime() {
  ps -eo cls=,args= | awk -v repo="$repo" '($1 == "FF" || $1 == "RR") && $2 !~ /^\[/ && $2 !~ /^(\/usr\/sbin\/)?watchdogd/ && index($0, repo) == 0 && index($0, "eta-accuracy stamper") == 0 { $1 = ""; print substr($0, 2, 100) }'
}

work=$(mktemp -d)
sampler=
trap '[ -z "$sampler" ] || kill "$sampler" 2>/dev/null; rm -rf "$work"' EXIT
[ -z "$keep" ] || mkdir -p "$keep"
summary="$work/summary"
for ((r = 1; r <= runs; r++)); do
  log="$work/run-$r.log" seen="$work/seen-$r"
  if [ "${#run_prefix[@]}" -gt 0 ]; then
    for ((waited = 0; waited < 600; waited += 5)); do
      [ -z "$(other_realtime)" ] && break
      [ "$waited" -gt 0 ] || echo "eta-accuracy: waiting for other real-time processes to end: $(other_realtime | head -1)"
      sleep 5
    done
  fi
  : > "$seen"
  (while :; do other_realtime >> "$seen"; sleep 0.5; done) & sampler=$!
  echo "eta-accuracy: run $r/$runs (load average $(cut -d' ' -f1-3 /proc/loadavg)): neural-style $*"
  # The stamper reads the tool's CPU time from /proc: each thread's, kept after the thread ends.
  fifo="$work/fifo-$r"; mkfifo "$fifo"
  "${run_prefix[@]}" "$tool" "$@" > "$fifo" & tool_pid=$!
  "${stamp_prefix[@]}" python3 -c '# eta-accuracy stamper
import os, sys, time
task, seen = "/proc/" + sys.argv[1] + "/task", {}
for line in sys.stdin:
    try:
        for t in os.listdir(task):
            try:
                with open(task + "/" + t + "/schedstat") as f:
                    seen[t] = int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    except OSError:
        pass
    print("%.6f %.6f %s" % (time.time(), sum(seen.values()) / 1e9, line.rstrip("\n")), flush=True)
' "$tool_pid" < "$fifo" > "$log"
  wait "$tool_pid"
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; sampler=
  contended=$(sort -u "$seen" | head -1)
  [ -z "$keep" ] || cp "$log" "$keep/run-$r.log"
  if [ -n "$record" ]; then
    # "seconds,targets,STAGE" / "seconds,iteration,N" from the first line (the weights), in the tool's CPU time or the wall clock.
    awk -v column=$([ "$record_clock" = wall ] && echo 1 || echo 2) '
      { if (t0 == "") t0 = $column; stage = 1; if ($3 == "stage") { split($4, s, "/"); stage = s[1] } }
      /computing style targets/ { printf "%.4f,targets,%d\n", $column - t0, stage; next }
      match($0, /iteration [0-9]+\//) { printf "%.4f,iteration,%d\n", $column - t0, substr($0, RSTART + 10, RLENGTH - 11) }
    ' "$log" > "$record"
    echo "eta-accuracy: recorded $(grep -c iteration "$record") iterations in $record ($record_clock time)"
  fi
  # "1796170451.70 3.21 stage 1/2 iteration 10/400  …  (1.6 s, about 4.6 s left)": arrival, CPU time, iteration and estimate.
  awk -v run="$r" -v summary="$summary" -v contended="$contended" '
    function seconds(text,    t, n) {
      if (text ~ / s$/) return substr(text, 1, length(text) - 2) + 0
      n = split(text, t, ":"); return t[1] * 3600 + t[2] * 60 + t[3]
    }
    function rounding(text) { return text ~ /^[0-9]\.[0-9] s$/ ? 0.05 : 0.5 }
    $3 ~ /^(stage|tile|iteration)$/ && match($0, /iteration [0-9]+\/[0-9]+/) {
      split(substr($0, RSTART + 10, RLENGTH - 10), it, "/")
      n++; iter[n] = it[1]; total = it[2]; at[n] = $1; cpu[n] = $2; est[n] = -1; last = $1
      if (match($0, /about [0-9.:]+( s)? left/)) { text = substr($0, RSTART + 6, RLENGTH - 11); est[n] = seconds(text); round[n] = rounding(text) }
    }
    END {
      if (n == 0) { print "eta-accuracy: no iteration reports (use --progress-every, not --quiet)" > "/dev/stderr"; exit 1 }
      printf "\n%9s %10s %12s %12s %8s %10s %10s\n", "iteration", "elapsed s", "estimate s", "actual s", "error", "rounding", "cpu share"
      worst = 0; first = 0; q[1] = 0; q[2] = 0; q[3] = 0
      for (i = 1; i <= n; i++) {
        actual = last - at[i]
        share = (i > 1 && at[i] > at[i - 1]) ? sprintf("%.2f", (cpu[i] - cpu[i - 1]) / (at[i] - at[i - 1])) : "-"
        if (est[i] < 0 || actual <= 0) { printf "%9d %10.2f %12s %12.2f %8s %10s %10s\n", iter[i], at[i] - at[1], "-", actual, "", "", share; continue }
        error[i] = (est[i] - actual) / actual
        printf "%9d %10.2f %12.1f %12.2f %+7.1f%% %9.1f%% %10s\n", iter[i], at[i] - at[1], est[i], actual, 100 * error[i], 100 * round[i] / actual, share
        if (!first) first = i
        for (k = 1; k <= 3; k++) if (!q[k] && iter[i] >= k * total / 4) q[k] = i
        if (actual >= (last - at[1]) / 10 && (error[i] < 0 ? -error[i] : error[i]) > worst) { worst = (error[i] < 0 ? -error[i] : error[i]); at_worst = iter[i] }
      }
      line = sprintf("run %d: %d iterations, %.1f s from the first report to the last; error at the first report (iteration %d) %+.1f%%", run, total, last - at[1], iter[first], 100 * error[first])
      for (k = 1; k <= 3; k++) if (q[k]) line = line sprintf(", at %d%% %+.1f%%", 25 * k, 100 * error[q[k]])
      line = line sprintf("; largest while 10%% of the time was left %.1f%% (iteration %d)", 100 * worst, at_worst)
      if (contended != "") line = line "; CONTENDED by another real-time process: " contended
      print "\neta-accuracy: " line; print line >> summary
    }
  ' "$log"
done
echo
echo "eta-accuracy: summary"
cat "$summary"

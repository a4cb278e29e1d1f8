#!/usr/bin/env bash
# Measures what a new user waits for: from a clean clone to the README's first picture, running the README's
# "Try it (two commands)" block exactly as written (extracted from README.md, not retyped).
#
#   bash eng/time-to-first-picture.sh [REPOSITORY]     # default: this checkout (its committed HEAD)
#
# Prints the seconds to the clone, to the first line the tool prints, to its first iteration report and to the picture,
# with the machine's load average at the end (timings on a shared machine mean little without it). The weights are downloaded as
# the README says unless NEURALSTYLE_WEIGHTS names a local copy (then the download is not part of the time).
# The NuGet cache is the machine's: a first-ever restore also downloads libtorch (hundreds of MB) and takes longer.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source=${1:-$repo}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work=$(mktemp -d "${TMPDIR:-/tmp}/neuralstyle-first-picture.XXXXXX")
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }

start=$(now)
git clone --quiet --depth 1 "file://$source" "$work/neuralstyle" 2>/dev/null || git clone --quiet --depth 1 "$source" "$work/neuralstyle"
cloned=$(now)
cd "$work/neuralstyle"

commands=$(awk '
  $0 == "## Try it (two commands)" { inside = 1; next }
  inside && /^## / { exit }
  inside && !open && $0 == "```bash" { open = 1; next }
  open && $0 == "```" { exit }
  open { print }
' README.md)
[ -n "$commands" ] || { echo "first-picture: no bash block under '## Try it (two commands)' in README.md" >&2; exit 1; }
echo "first-picture: running README.md's commands in $work/neuralstyle:"
sed 's/^/  | /' <<<"$commands"

first_output=""
first_iteration=""
while IFS= read -r line; do
  # The tool's first line is its first phase ("loading weights"); the first iteration report comes after the targets.
  [ -n "$first_output" ] || { [[ "$line" == "loading weights"* || "$line" == iteration* || "$line" == *"%"* || "$line" == wrote* ]] && first_output=$(now); }
  [ -n "$first_iteration" ] || { [[ "$line" == iteration* || "$line" == wrote* ]] && first_iteration=$(now); }
  echo "  > $line"
done < <(bash -c "set -e; $commands" 2>&1)
done_at=$(now)

picture=$(sed -nE 's/.* -o ([^ ]+\.png).*/\1/p' <<<"$commands" | head -n1)
[ -s "$picture" ] || { echo "first-picture: no picture '$picture' was written" >&2; exit 1; }
echo "first-picture: clone $(elapsed "$start" "$cloned") s; the tool's first line $(elapsed "$start" "${first_output:-$done_at}") s; first iteration report $(elapsed "$start" "${first_iteration:-$done_at}") s; picture $(elapsed "$start" "$done_at") s after the clone started ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"

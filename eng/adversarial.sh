#!/usr/bin/env bash
# The long mode of the adversarial suite (tests/NeuralStyle.Tests/Weights/Adversarial): every attack class of issue #14
# and docs/security.md (hostile weight files, images, cache churn, special files) at its largest size, one class per
# process, so that each row's peak resident set is its own.
#
#   bash eng/adversarial.sh            # every class at its largest size (scale 3000: each generator caps itself there)
#   bash eng/adversarial.sh 100        # a smaller scale (the test run uses 1)
#   bash eng/adversarial.sh 3000 spaced-dict-flood empty-dict-flood   # only these classes
#
# Prints a Markdown table (class, issue item, input, wall-clock and CPU time, throughput by CPU time, managed bytes
# allocated, the process's peak resident set during the class and its rise above the resident set before, outcome)
# with the machine's load before and after; a class that ends otherwise than expected (accepted where it must be
# refused, or the reverse, or an unexpected exception) has no row and makes the script exit 1 after the table.
# docs/security.md quotes one table. About 10 minutes on two loaded cores; not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-3000}
case "$scale" in ''|*[!0-9]*|0) echo "adversarial: the scale must be a positive integer" >&2; exit 2 ;; esac
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build tests/NeuralStyle.Tests/NeuralStyle.Tests.csproj -c Release -v:quiet -clp:NoSummary >/dev/null
report=$(mktemp)
names=$(mktemp)
trap 'rm -f "$report" "$names"' EXIT
run() { dotnet test --project tests/NeuralStyle.Tests -c Release --no-build -- --filter-class "*AdversarialMeasurementTests" >/dev/null; }
if [ $# -gt 1 ]; then
  classes=("${@:2}")
else
  NEURALSTYLE_ADVERSARIAL_NAMES=$names run
  mapfile -t classes < "$names"
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
started=$(date -u +%H:%M)
failed=()
for class in "${classes[@]}"; do
  NEURALSTYLE_ADVERSARIAL_SCALE=$scale NEURALSTYLE_ADVERSARIAL_CLASS=$class NEURALSTYLE_ADVERSARIAL_REPORT=$report run \
    || { echo "adversarial: $class did not end as expected" >&2; failed+=("$class"); }
done
echo "Scale $scale, $(nproc) cores, $(date -u +%Y-%m-%d) $started–$(date -u +%H:%M) UTC, load average $load_before before and $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) after:"
echo
echo "| class | item | input | wall time | CPU time | throughput (CPU) | allocated | peak RSS | peak rise | outcome |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
cat "$report"
if [ ${#failed[@]} -gt 0 ]; then
  echo "adversarial: ${#failed[@]} class(es) did not end as expected: ${failed[*]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# The long mode of the weight-file adversarial suite (tests/NeuralStyle.Tests/Weights/Adversarial): every attack class
# of docs/security.md at a large scale, one class per process, so that each row's peak working set is its own.
#
#   bash eng/adversarial.sh            # scale 100 (the test run uses 1)
#   bash eng/adversarial.sh 3000       # files near the 64 MiB limit (each generator caps itself there or at the operation budget)
#   bash eng/adversarial.sh 100 spaced-dict-flood empty-dict-flood   # only these classes
#
# Prints a Markdown table (input, wall-clock and CPU time, throughput by each, bytes allocated, peak working set of the
# test process, outcome) with the machine's load; docs/security.md quotes one. Several minutes at scale 100 on two cores; not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-100}
case "$scale" in ''|*[!0-9]*) echo "adversarial: the scale must be a positive integer" >&2; exit 2 ;; esac
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build tests/NeuralStyle.Tests/NeuralStyle.Tests.csproj -c Release -v:quiet -clp:NoSummary >/dev/null
report=$(mktemp)
trap 'rm -f "$report"' EXIT
classes=(colliding-int-keys empty-dict-flood empty-list-flood small-tuple-flood string-flood stack-flood dup-flood memo-get-flood memo-put-flood memo-jump append-flood appends-flood setitems-flood wide-tuple spaced-dict-flood spaced-tuple-flood spaced-string-flood mark-flood opcode-flood memo-nesting deep-tuples deep-lists huge-declared-storage many-zip-entries lying-zip-entry-count non-finite largest-valid-safetensors)
if [ $# -gt 1 ]; then classes=("${@:2}"); fi
for class in "${classes[@]}"; do
  NEURALSTYLE_ADVERSARIAL_SCALE=$scale NEURALSTYLE_ADVERSARIAL_CLASS=$class NEURALSTYLE_ADVERSARIAL_REPORT=$report \
    dotnet test --project tests/NeuralStyle.Tests -c Release --no-build -- --filter-class "*AdversarialMeasurementTests" >/dev/null \
    || { echo "adversarial: $class did not end as expected" >&2; exit 1; }
done
echo "Scale $scale, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown), $(date -u +%Y-%m-%d):"
echo
echo "| attack | input | wall time | CPU time | throughput (wall) | throughput (CPU) | allocated | peak working set | outcome |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
cat "$report"

#!/usr/bin/env bash
# The CPU comparison of issue #16 in one command: NeuralStyle's step timer against PyTorch 2.6 (the peer root that
# ../shared/peer/setup.sh builds), alternating round by round in one sitting, same problem, same thread count; then the
# medians, the ratios, the achieved GFLOP/s and the chart. Absolute times on a shared machine drift: read the ratios.
#
# usage: eng/speed-compare.sh [--rounds 5] [--sizes 192,512] [--threads 2] [--steps 30] [--realtime] [--out DIR]
#   --realtime runs both sides under SCHED_FIFO (chrt -f 50; needs root), so other work on the machine cannot take
#   their cores; the kernel still keeps 5 % for everything else.
# Needs NEURALSTYLE_WEIGHTS (or ../shared/weights), and ../shared/peer (or PEER_DIR) with the peer set up.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=5 sizes=192,512 threads=2 steps=30 out=out/speed prefix=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --realtime) prefix=(chrt -f 50); shift ;;
    *) echo "speed-compare: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
shared=${NEURALSTYLE_SHARED:-$(cd .. && pwd)/shared}
peer=${PEER_DIR:-$shared/peer}
weights=${NEURALSTYLE_WEIGHTS:-$shared/weights/squeezenet1_1-features.safetensors}
[ -f "$peer/run.sh" ] || { echo "speed-compare: no peer at $peer (set PEER_DIR)" >&2; exit 1; }
dotnet build benchmarks/NeuralStyle.Benchmarks -c Release -v q -nologo >/dev/null
runner=benchmarks/NeuralStyle.Benchmarks/bin/Release/net10.0/NeuralStyle.Benchmarks.dll
mkdir -p "$out"
: > "$out/ours.jsonl"; : > "$out/pytorch.jsonl"
for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds" >&2
  # Alternate which side goes first, so a slow spell of the machine does not always fall on the same side.
  for side in $([ $((round % 2)) -eq 1 ] && echo "ours pytorch" || echo "pytorch ours"); do
    if [ "$side" = ours ]; then
      # The steady state from the first step: code without a ReadyToRun image compiled optimised at its first call. Under
      # chrt -f the runtime's tiering thread never gets a core, so TorchSharp's wrappers would stay at tier 0 for good;
      # since the library's kernels are compiled optimised anyway the difference is within the noise (docs/performance.md,
      # "Tiered compilation"), and a long run without chrt reaches the same speed.
      DOTNET_TC_QuickJit=0 "${prefix[@]}" dotnet "$runner" steps --device cpu --weights "$weights" --sizes "$sizes" --steps "$steps" --repeats 3 --threads "$threads" >> "$out/ours.jsonl"
    else
      "${prefix[@]}" bash "$peer/run.sh" python3 /peer/peer/pt_steps.py /peer/reference /peer/weights/squeezenet1_1-features.safetensors \
        --sizes "$sizes" --steps "$steps" --repeats 3 --threads "$threads" >> "$out/pytorch.jsonl"
    fi
  done
done
python3 eng/speed-table.py "$out/ours.jsonl" "$out/pytorch.jsonl" | tee "$out/table.md"
dotnet "$runner" chart --ours "$out/ours-median.jsonl" --theirs "$out/pytorch-median.jsonl" --out "$out/performance-cpu.png" --theirs-label "PyTorch 2.6 (peer)" \
  --title "ms per iteration, CPU, $threads threads (median of $rounds alternating rounds)" >/dev/null
echo "chart: $out/performance-cpu.png" >&2

#!/usr/bin/env bash
# CPU numbers for docs/performance.md: ms/step per size (one process per size, so peak memory is per size),
# then the BenchmarkDotNet suites. Needs NEURALSTYLE_WEIGHTS. usage: eng/benchmark-cpu.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${NEURALSTYLE_WEIGHTS:?set NEURALSTYLE_WEIGHTS to the SqueezeNet 1.1 weight file}"
dotnet build benchmarks/NeuralStyle.Benchmarks -c Release -v q >/dev/null
runner=benchmarks/NeuralStyle.Benchmarks/bin/Release/net10.0/NeuralStyle.Benchmarks.dll
for size in 192 512 1024; do
  steps=30; [ "$size" -ge 1024 ] && steps=5
  dotnet "$runner" steps --device cpu --sizes "$size" --steps "$steps" --repeats 3
done
if [ "${1:-}" != "--quick" ]; then
  dotnet run -c Release --project benchmarks/NeuralStyle.Benchmarks --no-build -- --filter '*LossBenchmarks*' '*OptimizerStepBenchmarks*'
fi

#!/usr/bin/env bash
# Prepares a GPU comparison run (see docs/performance.md): publishes the benchmark runner without libtorch, packs it with
# ../shared/gpu/pack.sh into .gpu/, and copies the weights, the seed's images and the PyTorch reference next to it.
# Then call the device tool: run(command="bash eng/gpu/compare.sh", carry=[".gpu"]).
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=${NEURALSTYLE_SHARED:-../shared}
rm -rf /tmp/neuralstyle-gpu-pub
dotnet publish benchmarks/NeuralStyle.Benchmarks/NeuralStyle.Benchmarks.csproj -c Release -r linux-x64 --self-contained false \
  -p:NoLibTorch=true -o /tmp/neuralstyle-gpu-pub
"$shared/gpu/pack.sh" /tmp/neuralstyle-gpu-pub
mkdir -p .gpu/images .gpu/reference
cp "$shared/weights/squeezenet1_1-features.safetensors" .gpu/weights.safetensors
cp "$shared"/images/*.jpg .gpu/images/
cp "$shared/reference/reference_gatys.py" .gpu/reference/
cp eng/reference-on-tensors.py eng/compare-table.py .gpu/
du -sh .gpu

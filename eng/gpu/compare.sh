#!/usr/bin/env bash
# On the GPU machine (from the checkout root, with .gpu/ carried): NeuralStyle's step timer and preset runner on CUDA,
# then the PyTorch reference on the same preprocessed tensors, in one call; prints both and the ratio table.
set -uo pipefail
out=${OUT:-/tmp/neuralstyle-gpu-out}
mkdir -p "$out/presets"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
bash .gpu/run.sh app/NeuralStyle.Benchmarks.dll steps --weights weights.safetensors --device cuda --sizes 192,512,1024 --steps 200 --repeats 3 | tee "$out/ns-steps.jsonl"
bash .gpu/run.sh app/NeuralStyle.Benchmarks.dll presets --weights weights.safetensors --images images --out "$out/presets" --device cuda | tee "$out/ns-presets.jsonl"
PYTHONUNBUFFERED=1 python3 .gpu/reference-on-tensors.py .gpu/reference .gpu/weights.safetensors "$out/presets" --device cuda | tee "$out/pt-presets.jsonl"
for size in 192 512 1024; do
  python3 .gpu/reference/reference_gatys.py .gpu/weights.safetensors .gpu/images/tubingen.jpg .gpu/images/composition_vii.jpg /tmp/ref.png \
    --preset composition_vii --size "$size" --device cuda
done | tee "$out/pt-steps.jsonl"
python3 .gpu/compare-table.py "$out/ns-presets.jsonl" "$out/pt-presets.jsonl"

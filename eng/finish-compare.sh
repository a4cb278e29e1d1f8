#!/usr/bin/env bash
# Time to a finished picture (issue #16, target 2), in one command: for each of the seed's presets (Tübingen with
# Composition VII, The Scream, The Starry Night), the unchanged PyTorch reference (200 Adam steps, PyTorch 2.6 in the peer
# root that ../shared/peer/setup.sh builds) against NeuralStyle's runs from the same image files, alternating round by
# round, one fresh process per run, 2 threads each. Every saved picture is then scored by the reference's own loss code
# (eng/finish-eval.py), so both sides are judged by one yardstick. Prints a markdown table (eng/finish-table.py).
#
# usage: eng/finish-compare.sh [--rounds 3] [--threads 2] [--realtime] [--out DIR] [--presets a,b]
#   NeuralStyle runs each preset twice: with the quick schedule (StyleTransferPresets.Quick: L-BFGS, 40 iterations) and
#   with the seed's schedule (Adam, 200 iterations, as the reference).
#   --realtime runs every process under SCHED_FIFO (chrt -f 50; needs root), so other work cannot take their cores.
# Needs ../shared (images, weights, reference) or NEURALSTYLE_SHARED, and the peer set up.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 threads=2 out=out/finish prefix=() presets=composition_vii,the_scream,starry_night
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --presets) presets=$2; shift 2 ;;
    --realtime) prefix=(chrt -f 50); shift ;;
    *) echo "finish-compare: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
shared=${NEURALSTYLE_SHARED:-$(cd .. && pwd)/shared}
peer=${PEER_DIR:-$shared/peer}
[ -f "$peer/run.sh" ] || { echo "finish-compare: no peer at $peer (set PEER_DIR)" >&2; exit 1; }
dotnet build benchmarks/NeuralStyle.Benchmarks -c Release -v q -nologo >/dev/null
runner=benchmarks/NeuralStyle.Benchmarks/bin/Release/net10.0/NeuralStyle.Benchmarks.dll

# The peer sees one folder (/peer): stage the reference, the weights, the images and the scripts there (out/ is ignored by git).
mkdir -p "$out/stage/pictures"
out=$(cd "$out" && pwd)
stage=$out/stage
cp "$shared/reference/reference_gatys.py" eng/finish-eval.py eng/finish-reference.py "$stage/"
cp "$shared/weights/squeezenet1_1-features.safetensors" "$shared"/images/*.jpg "$stage/"
: > "$out/runs.jsonl"

run_ours() { # preset schedule round
  local png="$stage/pictures/$1-$2-r$3.png"
  "${prefix[@]}" dotnet "$runner" finish --preset "$1" --content "$stage/tubingen.jpg" --style "$stage/$1.jpg" --out "$png" \
    --weights "$stage/squeezenet1_1-features.safetensors" --threads "$threads" --schedule "$2" |
    python3 -c "import json,sys; d=json.loads(sys.stdin.read()); d.update(side='neuralstyle-$2', preset='$1', round=$3, png='/peer/pictures/$(basename "$png")'); print(json.dumps(d))" >> "$out/runs.jsonl"
}
run_reference() { # preset round
  local png="pictures/$1-reference-r$2.png"
  "${prefix[@]}" bash "$peer/run.sh" --dir "$stage" python3 /peer/finish-reference.py /peer /peer/squeezenet1_1-features.safetensors \
    /peer/tubingen.jpg "/peer/$1.jpg" "/peer/$png" --preset "$1" --threads "$threads" |
    python3 -c "import json,sys; d={}; [d.update(json.loads(l)) for l in sys.stdin if l.strip()]; d.update(side='reference', preset='$1', round=$2, png='/peer/$png'); print(json.dumps(d))" >> "$out/runs.jsonl"
}

for round in $(seq 1 "$rounds"); do
  for preset in ${presets//,/ }; do
    echo "round $round of $rounds: $preset" >&2
    if [ $((round % 2)) -eq 1 ]; then
      run_reference "$preset" "$round"; run_ours "$preset" quick "$round"; run_ours "$preset" seed "$round"
    else
      run_ours "$preset" seed "$round"; run_ours "$preset" quick "$round"; run_reference "$preset" "$round"
    fi
  done
done

: > "$out/scores.jsonl"
for preset in ${presets//,/ }; do
  pngs=$(python3 -c "import json; print(' '.join(d['png'] for d in map(json.loads, open('$out/runs.jsonl')) if d['preset'] == '$preset'))")
  bash "$peer/run.sh" --dir "$stage" python3 /peer/finish-eval.py /peer /peer/squeezenet1_1-features.safetensors /peer "$preset" $pngs >> "$out/scores.jsonl"
done
python3 eng/finish-table.py "$out/runs.jsonl" "$out/scores.jsonl" | tee "$out/table.md"

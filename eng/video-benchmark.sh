#!/usr/bin/env bash
# Video with and without temporal consistency, for docs/video.md: builds the benchmarks, runs `video` (benchmarks/
# NeuralStyle.Benchmarks/VideoRunner.cs) on the pan and the moving-object clip made from samples/images, prints one JSON
# line per clip (also kept in OUT/results.jsonl) and makes the contact sheets and animations in docs/images/video/.
# Needs NEURALSTYLE_WEIGHTS and ffmpeg. About 10 minutes on 2 busy cores at the defaults (128x96, 12 frames).
# usage: eng/video-benchmark.sh [OUT] [runner options, e.g. --frames 16 --frame-lr 0.1]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${NEURALSTYLE_WEIGHTS:?set NEURALSTYLE_WEIGHTS to the SqueezeNet 1.1 weight file}"
out=${1:-artifacts/video-benchmark}
shift || true
mkdir -p "$out" docs/images/video
dotnet build benchmarks/NeuralStyle.Benchmarks -c Release -v q -nodeReuse:false >/dev/null
dotnet benchmarks/NeuralStyle.Benchmarks/bin/Release/net10.0/NeuralStyle.Benchmarks.dll video --out "$out" --frames 12 "$@" 2> >(grep -v NNPACK >&2) \
  | grep '^{' | tee "$out/results.jsonl"
for clip in pan object; do
  [ -d "$out/$clip/sheet" ] || continue
  # Contact sheet: frames 1, 4, 7 and 10, each row content | independent | consistent.
  ffmpeg -y -v error -i "$out/$clip/sheet/%08d.png" \
    -vf "select='not(mod(n\,3))',tile=1x4,scale=iw*2:ih*2:flags=neighbor" -frames:v 1 "docs/images/video/$clip-sheet.png"
  # Animation of all frames, same layout.
  ffmpeg -y -v error -framerate 6 -i "$out/$clip/sheet/%08d.png" \
    -vf "split[a][b];[a]palettegen[p];[b][p]paletteuse" -loop 0 "docs/images/video/$clip.gif"
done
echo "video-benchmark: results in $out/results.jsonl, pictures in docs/images/video/"

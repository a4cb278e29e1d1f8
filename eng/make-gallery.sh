#!/usr/bin/env bash
# Regenerates docs/gallery.md and docs/images/gallery/*.png: every control on the sample images, made by the neural-style
# command with the arguments the page shows. Extra arguments go to samples/Gallery, for example
#   bash eng/make-gallery.sh --weights ../shared/weights/squeezenet1_1-features.safetensors --device cpu --threads 2
#   bash eng/make-gallery.sh --only mask-ellipse,strength-3
# Takes about 10 minutes on two CPU cores; results on the CPU are deterministic for a given thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run --project samples/Gallery -c Release -- "$@"

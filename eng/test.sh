#!/usr/bin/env bash
# The test command (the README's): builds if needed and runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet test --solution NeuralStyle.sln -c Release "$@"

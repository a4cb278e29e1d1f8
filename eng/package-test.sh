#!/usr/bin/env bash
# The package tests (tests/NeuralStyle.PackageTests): pack NeuralStyle and NeuralStyle.Cli into a temporary feed,
# check what the packages hold and declare, then use them from outside the repository (eng/consumer-test.sh: a fresh
# console app, and `dotnet tool install`). A minute or two; .ci/run runs it after the unit tests (eng/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet test --project tests/NeuralStyle.PackageTests/NeuralStyle.PackageTests.csproj -c Release "$@"

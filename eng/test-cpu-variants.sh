#!/usr/bin/env bash
# Runs the unit tests as they would run on other CPUs: libtorch's kernels held to AVX2 (most CI runners), to its portable
# kernels (a machine whose CPU it cannot read), and to SSE4.1 (no AVX at all). A test whose threshold holds only for this
# machine's kernels fails here instead of on someone else's machine. CONTRIBUTING.md says when to run it.
#
#   bash eng/test-cpu-variants.sh                       every variant, tests/NeuralStyle.Tests
#   bash eng/test-cpu-variants.sh portable sse41        those variants
#   bash eng/test-cpu-variants.sh avx2 -- --filter-class "*.OptionMatrixTests"
#                                                       arguments after -- go to the test runner
# Builds nothing: run `dotnet build NeuralStyle.sln -c Release` first. Exits non-zero when a test failed in any variant.
set -euo pipefail
cd "$(dirname "$0")/.."
. eng/test-log.sh

variant_env() {
  case "$1" in
    # ATen's own kernels (ATEN_CPU_CAPABILITY), oneDNN's convolutions (ONEDNN_MAX_CPU_ISA), MKL's matrix products
    # (MKL_ENABLE_INSTRUCTIONS) and the project's Gram kernel (.NET's DOTNET_Enable* switches), each held to the
    # instruction set the variant names.
    avx2) echo "ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 DOTNET_EnableAVX512F=0" ;;
    portable) echo "ATEN_CPU_CAPABILITY=default" ;;
    sse41) echo "ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41 MKL_ENABLE_INSTRUCTIONS=SSE4_2 DOTNET_EnableAVX=0" ;;
    *) return 1 ;;
  esac
}

variants=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  if ! variant_env "$1" >/dev/null; then
    echo "test-cpu-variants: unknown variant '$1' (avx2, portable or sse41)" >&2
    exit 2
  fi
  variants+=("$1")
  shift
done
[ "${1:-}" != "--" ] || shift
[ ${#variants[@]} -gt 0 ] || variants=(avx2 portable sse41)

tests=tests/NeuralStyle.Tests/bin/Release/net10.0/NeuralStyle.Tests.dll
if [ ! -f "$tests" ]; then
  echo "test-cpu-variants: $tests is missing; run: dotnet build NeuralStyle.sln -c Release" >&2
  exit 2
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
summary=()
any_failed=0
for variant in "${variants[@]}"; do
  settings=$(variant_env "$variant")
  echo "== $variant: $settings"
  set +e
  env $settings dotnet test --project tests/NeuralStyle.Tests -c Release --no-build "$@" >"$log" 2>&1
  status=$?
  set -e
  passed=$(test_log_count succeeded "$log")
  failed=$(test_log_count failed "$log")
  [ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
  test_log_failures "$log" 20 3
  summary+=("$variant: $passed passed, $failed failed")
  [ "$failed" -eq 0 ] || any_failed=1
done
printf '%s\n' "${summary[@]}"
exit "$any_failed"

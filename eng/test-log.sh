#!/usr/bin/env bash
# Reading a log of Microsoft.Testing.Platform test runs (dotnet test): sourced by .ci/run and eng/test-cpu-variants.sh.

# test_log_count KIND LOG: the sum of the runs' "KIND: N" lines (KIND: succeeded, failed or skipped).
test_log_count() {
  grep -E "^\s*$1: [0-9]+\s*$" "$2" | awk '{s += $2} END {print s + 0}'
}

# test_log_failures LOG MAX LINES: the first MAX failed tests, each its name line and up to LINES-1 lines of message and
# stack, indented; libtorch's own warnings (thousands of lines on some machines) left out.
test_log_failures() {
  grep -v -E "NNPACK|^\s*\[W[0-9]" "$1" | awk -v max="$2" -v most="$3" '
    /^[[:space:]]*failed [^:]/ { shown++; lines = 0; on = (shown <= max) }
    /^[[:space:]]*(passed|skipped) / || /^[[:space:]]*[a-z]+: [0-9]/ || / with [0-9]+ error/ || /^Test run summary/ { on = 0 }
    on && lines < most { print "  " $0; lines++ }' || true
}

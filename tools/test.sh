#!/usr/bin/env bash
# The whole test suite. CI runs exactly this (via .ci/run):
#  1. strict build (warnings are errors), every unit, script and end-to-end test;
#  2. the unit and script tests again under AddressSanitizer + UndefinedBehaviorSanitizer;
#  3. the unit tests under valgrind memcheck;
#  4. every libFuzzer target for a bounded time (FUZZ_SECONDS, default 60).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${TEST_OUT_DIR:-$top}
fuzz_seconds=${FUZZ_SECONDS:-60}

step() { printf '\n===== %s =====\n' "$*"; }

step "strict build and full suite"
rm -rf "$out/build-test"
meson setup "$out/build-test" "$top" -Dtests=enabled -Dbench=true -Dwerror=true -Dbuildtype=debugoptimized >/dev/null
ninja -C "$out/build-test"
meson test -C "$out/build-test" --print-errorlogs -v --num-processes 2

step "AddressSanitizer + UndefinedBehaviorSanitizer"
rm -rf "$out/build-asan"
meson setup "$out/build-asan" "$top" -Dtests=enabled -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dbuildtype=debug >/dev/null
ninja -C "$out/build-asan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        meson test -C "$out/build-asan" --print-errorlogs --suite unit --suite script --num-processes 2

step "valgrind memcheck"
meson test -C "$out/build-test" --print-errorlogs --suite unit --setup valgrind --num-processes 2

step "fuzzing, ${fuzz_seconds}s per target"
rm -rf "$out/build-fuzz"
FUZZ_BUILD_DIR="$out/build-fuzz" "$top/tools/fuzz.sh" "$fuzz_seconds"

step "all passed"

#!/usr/bin/env bash
# The whole test suite: strict build (warnings are errors), every unit, script
# and end-to-end test. CI runs exactly this (via .ci/run).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TEST_BUILD_DIR:-$top/build-test}

rm -rf "$build"
meson setup "$build" "$top" -Dwerror=true -Dbuildtype=debugoptimized >/dev/null
ninja -C "$build"
meson test -C "$build" --print-errorlogs -v --num-processes 2

#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan+UBSan) and run each for a bounded
# time with seed corpora taken from the test fixtures.
#   tools/fuzz.sh [SECONDS_PER_TARGET]      (default 60)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
build=${FUZZ_BUILD_DIR:-$top/build-fuzz}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -f "$build/build.ninja" ]; then
        CC=clang meson setup "$build" "$top" -Dfuzz=true -Dtests=false \
                -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$build" >/dev/null

# Seed corpora: every MESSAGE of the fixtures (one file per line), tls= values,
# policy maps and templates from the tree.
mkdir -p "$work/parse" "$work/tls-field" "$work/correlate" "$work/policy" "$work/template"
n=0
for f in "$top"/tests/fixtures/*.txt; do
        [ -f "$f" ] || continue
        while IFS= read -r line; do
                n=$((n + 1))
                printf '\001%s' "$line" >"$work/parse/l$n"
        done <"$f"
        cp "$f" "$work/correlate/" 2>/dev/null || true
done
for t in may may:none '!encrypt' 'dane?' dane:encrypt halfdane 'unknown?' 'may/requiretls:none' \
         '!requiretls:nocertmatch' 'verify' 'secure' '(may)'; do
        n=$((n + 1))
        printf '%s' "$t" >"$work/tls-field/t$n"
done
cp "$top"/policy-templates/*.yaml "$work/template/" 2>/dev/null || true
cp "$top"/tests/data/*policy* "$work/policy/" 2>/dev/null || true

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
for exe in "$build"/tests/fuzz/fuzz-*; do
        [ -x "$exe" ] || continue
        name=$(basename "$exe")
        corpus="$work/${name#fuzz-}"
        mkdir -p "$corpus"
        echo "== $name: ${secs}s"
        if "$exe" -max_total_time="$secs" -max_len=70000 -print_final_stats=1 \
                -rss_limit_mb=2048 "$corpus" >"$work/$name.log" 2>&1; then
                execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | grep -o '[0-9]*$' || echo '?')
                echo "$name: ok, $execs executions"
        else
                echo "$name: FAILED"
                tail -60 "$work/$name.log"
                status=1
        fi
done
exit $status

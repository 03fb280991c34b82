#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Global options and dispatch of the mxtls command line.
set -u
mxtls=${MXTLS_BIN:?MXTLS_BIN not set}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passed=0

check() {       # check NAME WANT_STATUS CMD...
        local name=$1 want=$2
        shift 2
        "$@" >"$tmp/out" 2>"$tmp/err"
        local got=$?
        if [ "$got" -ne "$want" ]; then
                echo "FAIL $name: exit $got, want $want"; sed 's/^/  | /' "$tmp/err" | head -5
                failures=$((failures + 1))
        else
                passed=$((passed + 1))
        fi
}

expect_grep() { # expect_grep NAME FILE PATTERN
        if grep -q -- "$3" "$2"; then
                passed=$((passed + 1))
        else
                echo "FAIL $1: '$3' not in $(basename "$2")"; head -5 "$2" | sed 's/^/  | /'
                failures=$((failures + 1))
        fi
}

check help 0 "$mxtls" --help
for c in collect report advise audit templates doctor; do
        expect_grep "help lists $c" "$tmp/out" "^  $c "
done
check version 0 "$mxtls" --version
expect_grep version "$tmp/out" '^mxtls [0-9]'
check no-command 64 "$mxtls"
check unknown-command 64 "$mxtls" frobnicate
expect_grep unknown-command-message "$tmp/err" "unknown command 'frobnicate'"
check unknown-option 64 "$mxtls" --frobnicate report
for c in collect report advise audit templates doctor; do
        check "$c --help" 0 "$mxtls" "$c" --help
        expect_grep "$c --help usage" "$tmp/out" "mxtls.*$c"
done
check bad-option-collect 64 "$mxtls" collect --no-such-option

# an explicit --config that does not exist is an error naming the file
check missing-config 65 "$mxtls" --config "$tmp/nope.yaml" report
expect_grep missing-config-message "$tmp/err" "nope.yaml"

# a broken config names file and line
printf 'retention_days: 30\nno_such_key: 1\n' >"$tmp/bad.yaml"
check bad-config 65 "$mxtls" --config "$tmp/bad.yaml" report
expect_grep bad-config-line "$tmp/err" "bad.yaml:2"

# report on a store that does not exist yet: clear message, not a crash
check report-no-store 1 "$mxtls" --state "$tmp/none.db" report
expect_grep report-no-store-message "$tmp/err" "mxtls collect"

# stderr connected to the journal (JOURNAL_STREAM names it): syslog priorities
touch "$tmp/journal-stream"
stream=$(stat -c '%d:%i' "$tmp/journal-stream")
JOURNAL_STREAM=$stream "$mxtls" --config "$tmp/bad.yaml" report 2>>"$tmp/journal-stream" >/dev/null
expect_grep journal-stream-error "$tmp/journal-stream" '^<3>mxtls: error: .*bad.yaml:2'
: >"$tmp/journal-stream"
JOURNAL_STREAM=$stream "$mxtls" --state "$tmp/none.db" report --days 7 --from 2024-01-01 --to 2024-01-02 \
        2>>"$tmp/journal-stream" >/dev/null
expect_grep journal-stream-usage-error "$tmp/journal-stream" '^<3>mxtls: error: '
# another stream (stderr is not the journal): no prefix
: >"$tmp/journal-stream"
JOURNAL_STREAM=1:2 "$mxtls" --config "$tmp/bad.yaml" report 2>>"$tmp/journal-stream" >/dev/null
expect_grep journal-stream-other "$tmp/journal-stream" '^mxtls: error: .*bad.yaml:2'

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]

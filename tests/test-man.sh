#!/bin/bash
# SPDX-License-Identifier: MIT
# test-man - mxtls(1) and mxtls.yaml(5) render without warnings, document every
# command, option and key, and agree with "mxtls [COMMAND] --help".
set -euo pipefail

: "${MXTLS_SOURCE_ROOT:?}" "${MXTLS_BUILD_ROOT:?}" "${MXTLS_BIN:?}"
. "$MXTLS_SOURCE_ROOT/tests/lib.sh"

command -v groff >/dev/null || { echo "SKIP: groff not found"; exit 77; }

page() {
        if [ -f "$MXTLS_BUILD_ROOT/man/$1" ]; then echo "$MXTLS_BUILD_ROOT/man/$1"; else echo "$MXTLS_SOURCE_ROOT/man/$1"; fi
}
man1=$(page mxtls.1)
man5=$(page mxtls.yaml.5)
example="$MXTLS_SOURCE_ROOT/mxtls.yaml.example"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

# --- rendering -------------------------------------------------------------
for f in "$man1" "$man5"; do
        name=$(basename "$f")
        grep -q '@VERSION@' "$f" && fail "$name: @VERSION@ not substituted" || true
        out=$(groff -man -ww -z "$f" 2>&1)
        [ -z "$out" ] && ok "$name: groff -ww clean" || fail "$name: groff warnings: $out"
        if command -v man >/dev/null; then
                out=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
                [ -z "$out" ] && ok "$name: man --warnings clean" || fail "$name: man warnings: $out"
                width=$(MANWIDTH=80 man -l "$f" 2>/dev/null | awk '{ if (length > m) m = length } END { print m + 0 }')
                [ "$width" -gt 0 ] && ok "$name: renders ($width columns max)" || fail "$name: renders empty"
        else
                skip "$name: man --warnings and the rendered width: man is not installed"
        fi
done

# --- option lists ----------------------------------------------------------
# man_section TITLE_REGEX: the roff lines of one section (.SH or .SS) up to the next heading.
man_section() {
        awk -v re="$1" '
                /^\.S[HS] / { insec = ($0 ~ re); next }
                insec { print }' "$man1"
}
# Long options defined by a section: the tag lines after .TP.
man_options() {
        man_section "$1" | awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }' |
                sed 's/\\-/-/g' | grep -o -- '--[a-z][a-z0-9-]*' | sort -u || true
}
# Long options of a --help text: the lines that start with an option.
help_options() {
        grep -E '^[[:space:]]+(-[[:alnum:]],?[[:space:]]+)?--[a-z]' |
                sed -E 's/^[[:space:]]+(-[[:alnum:]],?[[:space:]]+)?(--[a-z][a-z0-9-]*).*/\2/' | sort -u || true
}
compare() {     # compare WHAT MAN_LIST HELP_LIST
        local only_man only_help
        only_man=$(comm -23 <(echo "$2") <(echo "$3") | tr '\n' ' ')
        only_help=$(comm -13 <(echo "$2") <(echo "$3") | tr '\n' ' ')
        if [ -z "$2" ] && [ -z "$3" ]; then
                ok "$1: no options in either"
        elif [ -z "${only_man// /}" ] && [ -z "${only_help// /}" ]; then
                ok "$1: man and --help agree ($(echo "$2" | tr '\n' ' '))"
        else
                fail "$1: only in mxtls.1: [${only_man% }]; only in --help: [${only_help% }]"
        fi
}

if "$MXTLS_BIN" --help >"$tmp/help" 2>&1; then
        compare "global options" "$(man_options '^\.SH "?GLOBAL OPTIONS')" "$(help_options <"$tmp/help")"
        commands=$(awk '/^Commands:/ { on = 1; next } on && /^[[:space:]]+[a-z]/ { print $1; next } on { on = 0 }' "$tmp/help")
else
        fail "mxtls --help failed: $(cat "$tmp/help")"
        commands=""
fi
want_commands="collect report advise audit templates doctor"
[ "$(echo $commands)" = "$want_commands" ] && ok "mxtls --help lists: $want_commands" ||
        fail "mxtls --help lists '$(echo $commands)', want '$want_commands'"

for cmd in $want_commands; do
        if ! grep -q "^\.SS \"mxtls $cmd\"" "$man1"; then
                fail "mxtls.1 has no section for '$cmd'"
                continue
        fi
        rc=0
        "$MXTLS_BIN" "$cmd" --help >"$tmp/help.$cmd" 2>&1 || rc=$?
        if [ "$rc" -ne 0 ]; then
                fail "mxtls $cmd --help failed (exit $rc): $(head -3 "$tmp/help.$cmd")"
                continue
        fi
        # --help itself is documented once for all commands.
        compare "mxtls $cmd" "$(man_options "^\\.SS \"mxtls $cmd\"")" \
                "$(help_options <"$tmp/help.$cmd" | grep -vx -- '--help' || true)"
done

# --- required sections -----------------------------------------------------
for sec in NAME SYNOPSIS DESCRIPTION '"GLOBAL OPTIONS"|GLOBAL OPTIONS' COMMANDS '"EXIT STATUS"|EXIT STATUS' \
           ENVIRONMENT FILES EXAMPLES '"SEE ALSO"|SEE ALSO'; do
        grep -Eq "^\.SH ($sec)\$" "$man1" && ok "mxtls.1: section ${sec##*|}" || fail "mxtls.1: no section ${sec##*|}"
done
for status in 0 1 2 64 65 75; do
        man_section '^\.SH "?EXIT STATUS' | awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }' |
                grep -qx "\.B $status" && ok "mxtls.1: exit status $status" || fail "mxtls.1: exit status $status missing"
done
man_section '^\.SH ENVIRONMENT' | grep -q 'STATE_DIRECTORY' && ok "mxtls.1: STATE_DIRECTORY" ||
        fail "mxtls.1: ENVIRONMENT lacks STATE_DIRECTORY"
grep -q 'RandomizedDelaySec\|mxtls\\-collect.timer' "$man1" && ok "mxtls.1: mentions the timer" ||
        fail "mxtls.1: no word about the timer"

# Every audit finding code of the registry is documented with its name.
codes=$(grep -oE '"MXT[0-9]+", "[a-z-]+"' "$MXTLS_SOURCE_ROOT/advisor/findings.c" | tr -d '",' || true)
[ -n "$codes" ] || fail "no finding codes found in advisor/findings.c"
sed 's/\\-/-/g' "$man1" >"$tmp/man1.plain"
while read -r code name; do
        [ -n "$code" ] || continue
        grep -qF ".BR $code \" $name (" "$tmp/man1.plain" && ok "mxtls.1: finding $code $name" ||
                fail "mxtls.1: finding $code $name not documented"
done <<<"$codes"
man_codes=$(grep -oE '^\.BR MXT[0-9]+' "$man1" | awk '{ print $2 }' | sort)
[ "$man_codes" = "$(echo "$codes" | awk '{ print $1 }' | sort)" ] && ok "mxtls.1: no unknown finding codes" ||
        fail "mxtls.1 finding codes differ from the registry"

# --- mxtls.yaml(5) keys == example keys --------------------------------------
man_keys=$(grep -E '^\.BI [a-z_]+: ' "$man5" | sed -E 's/^\.BI ([a-z_]+):.*/\1/' | sort)
example_keys=$(grep -E '^#?[a-z_]+:' "$example" | sed -E 's/^#?([a-z_]+):.*/\1/' | sort)
[ "$(echo "$man_keys" | wc -l)" -ge 17 ] && ok "mxtls.yaml.5 documents $(echo "$man_keys" | wc -l) keys" ||
        fail "mxtls.yaml.5 documents only: $(echo $man_keys)"
[ "$man_keys" = "$example_keys" ] && ok "mxtls.yaml.5 and mxtls.yaml.example list the same keys" ||
        fail "keys differ: man only [$(comm -23 <(echo "$man_keys") <(echo "$example_keys") | tr '\n' ' ')]" \
             "example only [$(comm -13 <(echo "$man_keys") <(echo "$example_keys") | tr '\n' ' ')]"

# Every documented key is accepted by the loader; a misspelt one is not.
for key in $man_keys; do
        printf '%s\n' "$key: x" >"$tmp/one.yaml"
        out=$("$MXTLS_BIN" --config "$tmp/one.yaml" templates list 2>&1 >/dev/null || true)
        if echo "$out" | grep -q "unknown key"; then
                fail "documented key '$key' is unknown to mxtls: $out"
        else
                ok "key '$key' is known"
        fi
done
printf 'retention: 3\n' >"$tmp/bad.yaml"
set +e
out=$("$MXTLS_BIN" --config "$tmp/bad.yaml" doctor 2>&1 >/dev/null)
rc=$?
set -e
[ "$rc" -eq 65 ] && echo "$out" | grep -q "bad.yaml:1: unknown key 'retention'" &&
        ok "unknown key: exit 65, '$out'" || fail "unknown key: exit $rc, '$out'"

echo "$passed passed, $failed failed, ${#skips[@]} skipped"
finish "$failed"

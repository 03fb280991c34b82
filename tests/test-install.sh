#!/bin/bash
# SPDX-License-Identifier: MIT
# test-install - "meson install" into a DESTDIR puts every file in its place,
# the installed binary runs, and an existing /etc/mxtls/mxtls.yaml is kept.
set -euo pipefail

: "${MXTLS_SOURCE_ROOT:?}" "${MXTLS_BUILD_ROOT:?}" "${MXTLS_BIN:?}"

command -v meson >/dev/null || { echo "SKIP: meson not on PATH"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not on PATH"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/root"

passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

install_tree() {
        DESTDIR="$dest" meson install -C "$MXTLS_BUILD_ROOT" --no-rebuild >"$tmp/install.log" 2>&1 || {
                echo "meson install failed:"
                cat "$tmp/install.log"
                exit 1
        }
}

# option NAME: a build option's value (paths may be relative to the prefix).
meson introspect --buildoptions "$MXTLS_BUILD_ROOT" >"$tmp/options.json"
option() {
        python3 -c 'import json, sys
for o in json.load(open(sys.argv[1])):
    if o["name"] == sys.argv[2]:
        print(o["value"])' "$tmp/options.json" "$1"
}
abs() {         # abs DIR: DIR under the prefix unless absolute
        case "$1" in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac
}
prefix=$(option prefix)
bindir=$(abs "$(option bindir)")
datadir=$(abs "$(option datadir)")
mandir=$(abs "$(option mandir)")
sysconfdir=$(abs "$(option sysconfdir)")
version=$(meson introspect --projectinfo "$MXTLS_BUILD_ROOT" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')

install_tree

# --- the files ---------------------------------------------------------------
check_file() {  # check_file PATH [MODE-TEST]
        if [ -f "$dest$1" ]; then ok "installed $1"; else fail "missing $1"; fi
}
check_file "$bindir/mxtls"
[ -x "$dest$bindir/mxtls" ] && ok "mxtls is executable" || fail "mxtls is not executable"
check_file "$mandir/man1/mxtls.1"
check_file "$mandir/man5/mxtls.yaml.5"
check_file "$sysconfdir/mxtls/mxtls.yaml"
check_file "$datadir/mxtls/mxtls.yaml.example"
cmp -s "$dest$sysconfdir/mxtls/mxtls.yaml" "$MXTLS_SOURCE_ROOT/mxtls.yaml.example" &&
        ok "mxtls.yaml is the example" || fail "installed mxtls.yaml differs from mxtls.yaml.example"
grep -q '@VERSION@' "$dest$mandir/man1/mxtls.1" && fail "man page version not substituted" ||
        ok "man page version substituted"

# Units: in the systemd system unit directory, ExecStart = the installed binary.
service=$(find "$dest" -name mxtls-collect.service -type f | head -1)
timer=$(find "$dest" -name mxtls-collect.timer -type f | head -1)
case "$service" in
"$dest"*/systemd/system/mxtls-collect.service) ok "service in ${service#"$dest"}" ;;
*) fail "mxtls-collect.service not in a systemd/system directory: '${service#"$dest"}'" ;;
esac
[ -n "$timer" ] && [ "$(dirname "$timer")" = "$(dirname "$service")" ] && ok "timer beside the service" ||
        fail "mxtls-collect.timer not beside the service: '${timer#"$dest"}'"
unitdir_opt=$(option systemdsystemunitdir)
if [ -n "$unitdir_opt" ]; then
        [ "$(dirname "${service#"$dest"}")" = "$unitdir_opt" ] && ok "unit dir follows -Dsystemdsystemunitdir" ||
                fail "unit dir $(dirname "${service#"$dest"}") != option $unitdir_opt"
fi
if [ -n "$service" ]; then
        n=$(grep -c "^ExecStart=$bindir/mxtls " "$service" || true)
        [ "$n" -eq 3 ] && ok "service runs $bindir/mxtls (3 ExecStart lines)" ||
                fail "service ExecStart lines do not use $bindir/mxtls: $(grep ^ExecStart= "$service")"
fi

# Templates: every shipped one, byte for byte.
shopt -s nullglob
templates=("$MXTLS_SOURCE_ROOT"/policy-templates/*.yaml)
shopt -u nullglob
[ "${#templates[@]}" -gt 0 ] && ok "${#templates[@]} templates in the source tree" ||
        fail "no policy-templates/*.yaml in the source tree"
for t in "${templates[@]}"; do
        name=$(basename "$t")
        if cmp -s "$t" "$dest$datadir/mxtls/policy-templates/$name"; then
                ok "template $name installed"
        else
                fail "template $name missing or different under $datadir/mxtls/policy-templates"
        fi
done
[ -f "$dest$datadir/mxtls/policy-templates/conservative.yaml" ] && ok "default template conservative.yaml" ||
        fail "conservative.yaml (the default template) not installed"

# Everything meson says it installs is there.
meson introspect --installed "$MXTLS_BUILD_ROOT" |
        python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin).values()))' >"$tmp/installed"
missing=0
while IFS= read -r f; do
        [ -e "$dest$f" ] || { fail "introspect lists $f, not installed"; missing=1; }
done <"$tmp/installed"
[ "$missing" -eq 0 ] && ok "all $(wc -l <"$tmp/installed") files from meson introspect --installed present"

# --- the installed binary runs ---------------------------------------------
if out=$("$dest$bindir/mxtls" --help 2>&1); then
        echo "$out" | grep -q '^Usage: mxtls' && ok "installed mxtls --help" || fail "mxtls --help output: $out"
else
        fail "installed mxtls --help failed: $out"
fi
out=$("$dest$bindir/mxtls" --version 2>&1 || true)
[ "$out" = "mxtls $version" ] && ok "installed mxtls --version: $out" || fail "mxtls --version: '$out'"
# The installed configuration (all comments) loads.
set +e
out=$("$dest$bindir/mxtls" --config "$dest$sysconfdir/mxtls/mxtls.yaml" --state "$tmp/s.db" doctor 2>&1)
rc=$?
set -e
[ "$rc" -ne 65 ] && ! echo "$out" | grep -q 'mxtls.yaml:' && ok "installed mxtls.yaml loads" ||
        fail "installed mxtls.yaml does not load (exit $rc): $out"

# --- an administrator's configuration survives a reinstall ---------------------
printf 'retention_days: 30\n' >"$dest$sysconfdir/mxtls/mxtls.yaml"
install_tree
[ "$(cat "$dest$sysconfdir/mxtls/mxtls.yaml")" = "retention_days: 30" ] &&
        ok "existing mxtls.yaml kept on reinstall" || fail "reinstall overwrote mxtls.yaml"
grep -q "Keeping existing" "$tmp/install.log" && ok "reinstall says it keeps mxtls.yaml" ||
        fail "reinstall log does not mention the kept mxtls.yaml"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

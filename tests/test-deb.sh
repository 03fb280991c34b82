#!/bin/bash
# SPDX-License-Identifier: MIT
# test-deb - the Debian package (tests/build-deb.sh): lintian has no errors;
# the .deb holds the binary, both units, both man pages, the templates, the
# configuration as a conffile, the node_exporter example and the copyright file
# made from LICENSE; the maintainer scripts enable and start the timer, never
# start or restart the service, start nothing in a chroot, and remove the state
# directory on purge; the unpacked binary runs and uses the Debian paths.
#
# The maintainer scripts run against stubs of deb-systemd-helper,
# deb-systemd-invoke and systemctl that only record their arguments, with
# /run/systemd/system and /var/lib rewritten to directories under a temporary
# directory: no systemd and no root needed, and nothing outside it is touched.
set -euo pipefail

. "${MXTLS_SOURCE_ROOT:?}/tests/lib.sh"
: "${MXTLS_BUILD_ROOT:?}"
src=$MXTLS_SOURCE_ROOT
need_cmd dpkg-deb lintian

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- build (or reuse) the package --------------------------------------------
start=$(date +%s)
set +e
out=$(bash "$src/tests/build-deb.sh" "$MXTLS_BUILD_ROOT/deb")
rc=$?
set -e
if [ "$rc" -eq 77 ]; then
        echo "SKIP: tests/build-deb.sh cannot build the package here (see its message above)"
        exit 77
fi
deb=${out##*$'\n'}
if [ "$rc" -ne 0 ] || [ ! -f "$deb" ]; then
        notok "tests/build-deb.sh exits 0 and names a .deb (exit $rc, last line '$deb')"
        echo "$pass passed, $fail failed"
        exit 1
fi
ok "package built or reused in $(($(date +%s) - start)) s: $deb"

# A private copy of the results: a concurrent build-deb.sh may replace them.
pkg="$tmp/pkg"
mkdir "$pkg"
changes=${deb%.deb}.changes
for f in "$deb" "$changes" "${deb%.deb}.buildinfo"; do
        [ -f "$f" ] || continue
        cp "$f" "$pkg/"
done
# The other files the .changes lists (the dbgsym package).
if [ -f "$changes" ]; then
        sed -n '/^Files:/,/^[^ ]/s/^ [0-9a-f]\{32\} [0-9]* [^ ]* [^ ]* \(.*\)$/\1/p' "$changes" |
                while read -r f; do
                        [ -f "$pkg/$f" ] || cp "$(dirname "$deb")/$f" "$pkg/" 2>/dev/null || true
                done
fi
deb="$pkg/$(basename "$deb")"
changes="$pkg/$(basename "$changes")"
[ -f "$changes" ] && ok ".changes beside the .deb" || notok "no $(basename "$changes") beside the .deb"
[ -f "${deb%.deb}.buildinfo" ] && ok ".buildinfo beside the .deb" || notok "no .buildinfo beside the .deb"

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version 2>/dev/null || true)
upstream=${version%-*}
meson_version=$("${MXTLS_BIN:?}" --version 2>/dev/null | sed -n 's/^mxtls //p')
[ -n "$version" ] && [ "$upstream" = "$meson_version" ] &&
        ok "debian/changelog version $version matches the project version $meson_version" ||
        notok "debian/changelog version '$version' does not match the project version '$meson_version'"

# --- lintian -------------------------------------------------------------------
target=$deb
[ -f "$changes" ] && target=$changes        # the .changes covers the .deb, dbgsym and .buildinfo
set +e
lintian --display-experimental --pedantic --show-overrides "$target" >"$tmp/lintian.out" 2>"$tmp/lintian.err"
lrc=$?
set -e
echo "# lintian $(lintian --version 2>/dev/null | sed 's/^Lintian v//') on $(basename "$target") (exit $lrc):"
sed 's/^/#   /' "$tmp/lintian.out" "$tmp/lintian.err"
if grep -q '^E: ' "$tmp/lintian.out"; then
        notok "lintian reports errors: $(grep -c '^E: ' "$tmp/lintian.out") E: tags"
elif [ "$lrc" -ne 0 ]; then
        notok "lintian failed (exit $lrc)"
else
        ok "lintian: no errors ($(grep -c '^[WIPX]: ' "$tmp/lintian.out" || true) other tags)"
fi

# --- contents (dpkg-deb -c) -----------------------------------------------------
dpkg-deb -c "$deb" >"$tmp/contents"
awk '{ p = $6; for (i = 7; i <= NF; i++) p = p " " $i; print p }' "$tmp/contents" >"$tmp/paths"
has_path() { grep -qxF -- "./$1" "$tmp/paths"; }
check_path() { check "package holds /$1" has_path "$1"; }
check_path usr/bin/mxtls
grep -qE '^-rwxr-xr-x .* \./usr/bin/mxtls$' "$tmp/contents" && ok "/usr/bin/mxtls is mode 0755" ||
        notok "/usr/bin/mxtls is not -rwxr-xr-x: $(grep ' \./usr/bin/mxtls$' "$tmp/contents" || true)"
check_path lib/systemd/system/mxtls-collect.service
check_path lib/systemd/system/mxtls-collect.timer
grep -q '^\./usr/lib/systemd/system/' "$tmp/paths" &&
        notok "units also under /usr/lib/systemd/system: $(grep '^\./usr/lib/systemd/system/' "$tmp/paths" | tr '\n' ' ')" ||
        ok "units only in /lib/systemd/system"
check_path usr/share/man/man1/mxtls.1.gz
check_path usr/share/man/man5/mxtls.yaml.5.gz
check_path etc/mxtls/mxtls.yaml
check_path usr/share/mxtls/mxtls.yaml.example
check_path usr/share/doc/mxtls/examples/node-exporter.conf
check_path usr/share/doc/mxtls/copyright
shopt -s nullglob
templates=("$src"/policy-templates/*.yaml)
shopt -u nullglob
[ "${#templates[@]}" -gt 0 ] && ok "${#templates[@]} templates in the source tree" ||
        notok "no policy-templates/*.yaml in the source tree"
for t in "${templates[@]}"; do
        check_path "usr/share/mxtls/policy-templates/$(basename "$t")"
done
n=$(grep -c '^\./usr/share/mxtls/policy-templates/.' "$tmp/paths" || true)
[ "$n" -eq "${#templates[@]}" ] && ok "$n templates in the package, as in the source" ||
        notok "$n templates in the package, ${#templates[@]} in the source"

# --- control (dpkg-deb -I) ------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = mxtls ] && ok "Package: mxtls" || notok "Package: '$(field Package)'"
[ "$(field Version)" = "$version" ] && ok "Version: $version" || notok "Version: '$(field Version)', changelog '$version'"
arch=$(dpkg --print-architecture)
[ "$(field Architecture)" = "$arch" ] && ok "Architecture: $arch" || notok "Architecture: '$(field Architecture)'"
depends=$(field Depends)
for lib in libc6 libsystemd0 libsqlite3-0 libcyaml1 libyaml-0-2; do
        [[ ", $depends," =~ ,\ $lib[\ ,] ]] && ok "Depends on $lib" || notok "Depends lacks $lib: '$depends'"
done
dpkg-deb -I "$deb" >"$tmp/info"
for f in conffiles postinst postrm prerm; do
        grep -qE "^ +[0-9]+ bytes, +[0-9]+ lines +\*? +$f( |$)" "$tmp/info" && ok "control member $f" ||
                notok "no control member $f in: $(cat "$tmp/info")"
done

# --- files (dpkg-deb -x) --------------------------------------------------------
root="$tmp/root"
dpkg-deb -x "$deb" "$root"
cmp -s "$root/etc/mxtls/mxtls.yaml" "$src/mxtls.yaml.example" && ok "/etc/mxtls/mxtls.yaml is mxtls.yaml.example" ||
        notok "/etc/mxtls/mxtls.yaml differs from mxtls.yaml.example"
for t in "${templates[@]}"; do
        cmp -s "$t" "$root/usr/share/mxtls/policy-templates/$(basename "$t")" ||
                { notok "template $(basename "$t") differs from the source"; continue; }
        ok "template $(basename "$t") as in the source"
done
n=$(grep -c '^ExecStart=/usr/bin/mxtls ' "$root/lib/systemd/system/mxtls-collect.service" 2>/dev/null || true)
[ "$n" -eq 3 ] && ok "service runs /usr/bin/mxtls (3 ExecStart lines)" || notok "service has $n ExecStart=/usr/bin/mxtls lines"
grep -q '^\[Install\]' "$root/lib/systemd/system/mxtls-collect.timer" 2>/dev/null && ok "timer has an [Install] section" ||
        notok "timer has no [Install] section"
grep -q '^\[Install\]' "$root/lib/systemd/system/mxtls-collect.service" 2>/dev/null &&
        notok "service has an [Install] section" || ok "service has no [Install] section"
ex="$root/usr/share/doc/mxtls/examples/node-exporter.conf"
grep -q '^ExecStartPost=+/usr/bin/mxtls ' "$ex" 2>/dev/null && ! grep -q '@[a-z]*@' "$ex" &&
        ok "node-exporter.conf runs /usr/bin/mxtls" || notok "node-exporter.conf: $(grep ExecStartPost "$ex" 2>&1)"

# copyright: DEP-5, with the copyright line and the license text of LICENSE.
cr="$root/usr/share/doc/mxtls/copyright"
holder=$(sed -n 's/^Copyright (c) //p' "$src/LICENSE" 2>/dev/null | head -1)
license=$(sed -n '/^Permission is hereby granted/,$p' "$src/LICENSE" 2>/dev/null | sed 's/^$/./; s/^/ /')
grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$cr" 2>/dev/null &&
        ok "copyright is DEP-5" || notok "copyright has no DEP-5 Format: line"
[ -n "$holder" ] && grep -qxF "Copyright: $holder" "$cr" 2>/dev/null && ok "copyright names '$holder' as in LICENSE" ||
        notok "copyright lacks 'Copyright: $holder' from LICENSE"
[ -n "$license" ] && [[ $(cat "$cr" 2>/dev/null) == *"$license"* ]] && ok "copyright holds the license text of LICENSE" ||
        notok "copyright does not hold the license text of LICENSE"

# The unpacked binary, without systemd (the libraries come from the system).
bin="$root/usr/bin/mxtls"
run() { env -u STATE_DIRECTORY -u MXTLS_SOURCE_ROOT -u MXTLS_BUILD_ROOT -u XDG_STATE_HOME "$bin" "$@"; }
out=$(run --version 2>&1 || true)
[ "$out" = "mxtls $upstream" ] && ok "unpacked mxtls --version: $out" || notok "unpacked mxtls --version: '$out'"
out=$(run --help 2>&1 || true)
grep -qF /var/lib/mxtls/mxtls.db <<<"$out" && ok "--help names the store /var/lib/mxtls/mxtls.db" ||
        notok "--help does not mention /var/lib/mxtls/mxtls.db: $out"
grep -qF '(default /etc/mxtls/mxtls.yaml)' <<<"$out" && ok "--help names the configuration /etc/mxtls/mxtls.yaml" ||
        notok "--help does not give /etc/mxtls/mxtls.yaml as the default configuration: $out"
out=$(run templates --help 2>&1 || true)
grep -qF /usr/share/mxtls/policy-templates <<<"$out" && ok "templates are looked up in /usr/share/mxtls/policy-templates" ||
        notok "templates --help does not name /usr/share/mxtls/policy-templates: $out"
if [ "$(id -u)" -eq 0 ]; then
        # doctor only reads; its store line gives the compiled default (MXTLS_STATEDIR).
        out=$(run --config "$root/etc/mxtls/mxtls.yaml" doctor 2>&1 || true)
        grep -q '^[a-z]* *store: /var/lib/mxtls/mxtls\.db[ ,:]' <<<"$out" &&
                ok "as root the default store is /var/lib/mxtls/mxtls.db (doctor)" ||
                notok "doctor as root does not use /var/lib/mxtls/mxtls.db: $out"
else
        echo "ok - # SKIP compiled default store as root: not running as root"
fi
out=$(run --config "$root/etc/mxtls/mxtls.yaml" templates show \
        "$root/usr/share/mxtls/policy-templates/conservative.yaml" 2>&1) &&
        ok "the packaged configuration and template load" ||
        notok "templates show with the packaged mxtls.yaml and conservative.yaml: $out"

# --- maintainer scripts (dpkg-deb -e) ------------------------------------------
ctl="$tmp/control"
dpkg-deb -e "$deb" "$ctl"
grep -qxF /etc/mxtls/mxtls.yaml "$ctl/conffiles" 2>/dev/null && ok "conffiles lists /etc/mxtls/mxtls.yaml" ||
        notok "conffiles does not list /etc/mxtls/mxtls.yaml: $(cat "$ctl/conffiles" 2>&1)"

# Static: no systemctl/deb-systemd-invoke line in any script names the service
# (a bare "mxtls-collect" means the service too).
mentions_service() {    # FILE: lines that act on mxtls-collect.service
        grep -E 'deb-systemd-invoke|systemctl|invoke-rc\.d' "$1" 2>/dev/null |
                grep -E "mxtls-collect(\.service)?(['\" ]|\$)" || true
}
bad=$(mentions_service "$ctl/postinst")
[ -z "$bad" ] && ok "postinst never starts or restarts mxtls-collect.service" ||
        notok "postinst acts on the service: $bad"
for s in preinst prerm; do
        [ -f "$ctl/$s" ] || continue
        bad=$(mentions_service "$ctl/$s" | grep -vE 'deb-systemd-invoke +stop ' || true)
        [ -z "$bad" ] && ok "$s only ever stops mxtls-collect.service" || notok "$s acts on the service: $bad"
done
grep -qE "deb-systemd-helper .*enable 'mxtls-collect\.timer'" "$ctl/postinst" &&
        ok "postinst enables mxtls-collect.timer" || notok "postinst does not enable mxtls-collect.timer"

# Behaviour: the scripts run against recording stubs, in a fake root.
fake="$tmp/fake"
stubs="$tmp/stubs"
mkdir -p "$stubs" "$fake/var/lib" "$fake/run/systemd"
for c in deb-systemd-helper deb-systemd-invoke systemctl invoke-rc.d; do
        printf '#!/bin/sh\necho "%s $*" >>"$STUB_LOG"\nexit 0\n' "$c" >"$stubs/$c"
        chmod +x "$stubs/$c"
done
for s in preinst postinst prerm postrm; do
        [ -f "$ctl/$s" ] || continue
        sed -e "s|/run/systemd/system|$fake/run/systemd/system|g" -e "s|/var/lib/|$fake/var/lib/|g" \
                "$ctl/$s" >"$tmp/$s"
        # Refuse to run a script that still names a real /var/lib or /run/systemd path.
        if sed -e "s|$fake/var/lib/||g; s|$fake/run/systemd/system||g" "$tmp/$s" |
                grep -qE '/var/lib|/run/systemd/system'; then
                notok "$s: cannot confine its paths; not run"
                rm -f "$tmp/$s"
        fi
done
# maint SCRIPT ARGS...: run it (systemd "booted" unless NOSYSTEMD=1); the calls
# it made are in $tmp/calls.
maint() {
        local s=$1
        shift
        : >"$tmp/calls"
        rm -rf "$fake/run/systemd/system"
        [ "${NOSYSTEMD:-0}" = 1 ] || mkdir -p "$fake/run/systemd/system"
        [ -f "$tmp/$s" ] || return 0
        env -u DPKG_ROOT STUB_LOG="$tmp/calls" PATH="$stubs:$PATH" DPKG_MAINTSCRIPT_PACKAGE=mxtls \
                DPKG_MAINTSCRIPT_NAME="$s" sh -e "$tmp/$s" "$@" >"$tmp/maint.out" 2>&1 ||
                { notok "$s $* failed: $(cat "$tmp/maint.out")"; return 1; }
}
called() { grep -qxF -- "$1" "$tmp/calls"; }
acts_on() {     # VERB-REGEX UNIT: a deb-systemd-invoke call with that verb names the unit
        grep -qE "^deb-systemd-invoke ($1) (.* )?${2//./\\.}( |\$)" "$tmp/calls"
}
service_calls() { grep -E "mxtls-collect(\.service)?( |\$)" "$tmp/calls" | grep -v '^deb-systemd-invoke stop ' || true; }
calls() { tr '\n' ';' <"$tmp/calls"; }

if [ -f "$tmp/postinst" ]; then
        maint postinst configure && {
                called "deb-systemd-helper enable mxtls-collect.timer" && ok "install: timer enabled" ||
                        notok "install: timer not enabled: $(calls)"
                acts_on start mxtls-collect.timer && ok "install: timer started" ||
                        notok "install: timer not started: $(calls)"
                [ -z "$(service_calls)" ] && ok "install: service neither started nor restarted" ||
                        notok "install acts on the service: $(service_calls)"
        }
        maint postinst configure 0.0.9-1 && {
                acts_on "start|restart" mxtls-collect.timer &&
                        ok "upgrade: timer (re)started" || notok "upgrade: timer not (re)started: $(calls)"
                [ -z "$(service_calls)" ] && ok "upgrade: service neither started nor restarted" ||
                        notok "upgrade acts on the service: $(service_calls)"
        }
        NOSYSTEMD=1 maint postinst configure && {
                called "deb-systemd-helper enable mxtls-collect.timer" && ok "chroot: timer enabled" ||
                        notok "chroot: timer not enabled: $(calls)"
                grep -qE '^(deb-systemd-invoke|systemctl|invoke-rc\.d) ' "$tmp/calls" &&
                        notok "chroot (no /run/systemd/system): something is started: $(calls)" ||
                        ok "chroot: nothing started"
        }
else
        notok "no runnable postinst"
fi
if [ -f "$tmp/prerm" ]; then
        maint prerm upgrade 0.1.0-2 && {
                [ -z "$(service_calls)" ] && ! grep -q 'mxtls-collect\.service' "$tmp/calls" &&
                        ok "prerm upgrade: service untouched" || notok "prerm upgrade acts on the service: $(calls)"
        }
        maint prerm remove && {
                acts_on stop mxtls-collect.timer && ok "prerm remove: timer stopped" ||
                        notok "prerm remove: timer not stopped: $(calls)"
                acts_on stop mxtls-collect.service && ok "prerm remove: a running collection stopped" ||
                        notok "prerm remove: service not stopped: $(calls)"
        }
fi
if [ -f "$tmp/preinst" ]; then
        maint preinst upgrade 0.0.9-1 && {
                [ -z "$(service_calls)" ] && ok "preinst: service not started" || notok "preinst acts on the service: $(service_calls)"
        }
fi

# postrm: the state as systemd leaves it (DynamicUser=yes: /var/lib/mxtls is a
# symlink into /var/lib/private), and a neighbour that must survive.
state() {
        rm -rf "$fake/var/lib"
        mkdir -p "$fake/var/lib/private/mxtls" "$fake/var/lib/private/other" "$fake/var/lib/systemd/timers"
        echo db >"$fake/var/lib/private/mxtls/mxtls.db"
        echo x >"$fake/var/lib/private/mxtls/tls_policy.suggested"
        ln -s private/mxtls "$fake/var/lib/mxtls"
        : >"$fake/var/lib/systemd/timers/stamp-mxtls-collect.timer"
        echo keep >"$fake/var/lib/private/other/keep"
}
exists() { [ -e "$1" ] || [ -L "$1" ]; }
if [ -f "$tmp/postrm" ]; then
        state
        maint postrm remove && {
                exists "$fake/var/lib/mxtls" && [ -f "$fake/var/lib/private/mxtls/mxtls.db" ] &&
                        ok "postrm remove keeps the state" || notok "postrm remove deleted the state"
        }
        state
        maint postrm purge && {
                exists "$fake/var/lib/mxtls" && notok "postrm purge leaves /var/lib/mxtls" ||
                        ok "postrm purge removes /var/lib/mxtls"
                exists "$fake/var/lib/private/mxtls" && notok "postrm purge leaves /var/lib/private/mxtls" ||
                        ok "postrm purge removes /var/lib/private/mxtls"
                [ -f "$fake/var/lib/private/other/keep" ] && ok "postrm purge leaves other state alone" ||
                        notok "postrm purge removed /var/lib/private/other"
        }
        # Without the symlink (mxtls run as root outside systemd): a plain directory.
        rm -rf "$fake/var/lib"
        mkdir -p "$fake/var/lib/mxtls"
        echo db >"$fake/var/lib/mxtls/mxtls.db"
        maint postrm purge && {
                exists "$fake/var/lib/mxtls" && notok "postrm purge leaves a plain /var/lib/mxtls" ||
                        ok "postrm purge removes a plain /var/lib/mxtls"
        }
else
        notok "no runnable postrm"
fi

echo "$pass passed, $fail failed"
((fail == 0))

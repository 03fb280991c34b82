#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-first-command - the README's first command on a fresh Debian 12 system.
#
# A minimal Debian 12 root file system (mmdebstrap --variant=minbase, from the
# archive this machine's apt uses, cached as a tarball under
# /var/cache/mxtls-test) gets a copy of the source tree (tracked files and
# uncommitted changes). Inside it, as root in a chroot of a private mount
# namespace:
#
#   1. tools/deps.sh && tools/quickstart.sh  (the README's first command) exits 0
#      and prints the report of the bundled sample journal, labelled as sample
#      data, after saying that the local journal has no postfix/smtp records;
#   2. none of the test-only packages of tools/debian-packages.txt got
#      installed (the build did not need them);
#   3. the README's "Install as a service" build line installs /usr/bin/mxtls,
#      the units and /etc/mxtls/mxtls.yaml.
#
# deps.sh installs the build packages into the chroot from the archive: this
# test needs the network the machine's apt uses. Skips (exit 77) without
# mmdebstrap, or when no root file system can be made and none is cached.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

: "${MXTLS_SOURCE_ROOT:?}"
top=$MXTLS_SOURCE_ROOT
t0=$(date +%s)

[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root (chroot, mount namespace)"; exit 77; }
need_cmd mmdebstrap unshare chroot git

cache=${MXTLS_TEST_CACHE:-/var/cache/mxtls-test}
sources=/etc/apt/sources.list.d/debian.sources
[[ -f $sources ]] || sources=http://deb.debian.org/debian
key=$( { echo "minbase bookworm v1"; [[ -f $sources ]] && cat "$sources" || echo "$sources"; } |
       sha256sum | cut -c1-16)
tarball=$cache/first-command-$key.tar
mkdir -p "$cache"
if [[ ! -s $tarball ]]; then
        echo "# building the root file system ($tarball)"
        partial=$cache/.first-command-$key.$$.tar      # the extension tells mmdebstrap the format
        if ! mmdebstrap --variant=minbase bookworm "$partial" "$sources" </dev/null \
                >"$cache/first-command.log" 2>&1; then
                tail -20 "$cache/first-command.log"
                rm -rf "$partial"
                echo "SKIP: mmdebstrap could not build a Debian 12 root file system (archive unreachable?)"
                exit 77
        fi
        mv "$partial" "$tarball"
fi

tmp=$(mktemp -d /tmp/mxtls-first.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir "$root"
tar -C "$root" -xf "$tarball"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$root/root/mxtls"
(cd "$top" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
        [[ -e $f || -L $f ]] && printf '%s\0' "$f"; done | cpio -0 -pdm --quiet "$root/root/mxtls")

# inside ROOT CMD - run CMD (a bash script) as root in the chroot, with /proc,
# /dev and /sys mounted in a mount namespace of its own.
inside() {
        unshare --mount --propagation private bash -c '
                set -e
                r=$1
                mount -t proc proc "$r/proc"
                mount --rbind /dev "$r/dev"
                mount --rbind /sys "$r/sys"
                mount -t tmpfs tmpfs "$r/tmp"
                exec chroot "$r" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
                        LANG=C.UTF-8 /bin/bash -c "$2"' inside "$root" "$1"
}

manual_before=$(inside "apt-mark showmanual" 2>/dev/null || true)

# 1. The README's first command, exactly as it is written there.
first=$(grep -m1 -E '^    tools/deps\.sh && tools/quickstart\.sh$' "$top/README.md" | sed 's/^    //')
check "README starts with 'tools/deps.sh && tools/quickstart.sh'" [ -n "$first" ]
rc=0
inside "cd /root/mxtls && $first" >"$tmp/first.out" 2>"$tmp/first.err" || rc=$?
if [[ $rc -eq 0 ]]; then ok "first command exits 0"; else notok "first command exits $rc"; fi
if [[ $rc -ne 0 ]]; then
        echo "--- stdout"; tail -30 "$tmp/first.out"; echo "--- stderr"; tail -30 "$tmp/first.err"
fi
check "says the local journal has no postfix/smtp records" \
        grep -q "^The local journal has no postfix/smtp records" "$tmp/first.out"
check "labels the sample data" grep -q "^===== SAMPLE DATA — not from this machine =====" "$tmp/first.out"
check "prints the sample report" grep -q "^TLS coverage " "$tmp/first.out"
check "ends the sample data" grep -q "^===== end of SAMPLE DATA =====" "$tmp/first.out"
# the sample day's own record: one "#expect DOMAIN OUTCOME" line per delivery
delivered=$(awk '/^#expect / && ($3 == "tls" || $3 == "plaintext")' "$top/tests/fixtures/sample.txt" | wc -l)
tls=$(awk '/^#expect / && $3 == "tls"' "$top/tests/fixtures/sample.txt" | wc -l)
check "sample report: delivered $delivered, TLS $tls (the fixture's #expect lines)" \
        grep -q "^delivered $delivered: TLS $tls," "$tmp/first.out"

# 2. No test-only package was installed for it: none newly marked as installed
# by hand (deps.sh names what it installs; dependencies are marked auto), and
# cmocka, which the build once required, is not there at all.
mapfile -t test_pkgs < <(sed -n 's/^test: *\([^ #]*\).*/\1/p' "$top/tools/debian-packages.txt")
manual=$(inside "apt-mark showmanual" 2>/dev/null || true)
added=$(comm -13 <(sort -u <<<"$manual_before") <(sort -u <<<"$manual"))
asked=$(grep -xF -f <(printf '%s\n' "${test_pkgs[@]}") <<<"$added" || true)
[[ -z $asked ]] && ok "no test-only package installed by the first command" ||
        notok "test-only packages installed by the first command: $(echo $asked)"
if inside "dpkg-query -W -f='\${Status}' libcmocka-dev 2>/dev/null | grep -q 'ok installed'"; then
        notok "libcmocka-dev is absent"
else
        ok "libcmocka-dev is absent"
fi

# 3. "Install as a service": the build and install line of the README.
install=$(grep -m1 -E '^    meson setup build --prefix=/usr' "$top/README.md" | sed 's/^    //' || true)
if [[ -n $install ]]; then
        rc=0
        inside "cd /root/mxtls && rm -rf build && $install" >"$tmp/install.out" 2>&1 || rc=$?
        if [[ $rc -eq 0 ]]; then ok "README install line exits 0"; else notok "README install line exits $rc"; tail -20 "$tmp/install.out"; fi
        check "installed /usr/bin/mxtls" test -x "$root/usr/bin/mxtls"
        check "installed the service unit" test -f "$root/lib/systemd/system/mxtls-collect.service" -o \
                -f "$root/usr/lib/systemd/system/mxtls-collect.service"
        check "installed /etc/mxtls/mxtls.yaml" test -f "$root/etc/mxtls/mxtls.yaml"
        check "the installed binary runs" inside "/usr/bin/mxtls --version"
else
        notok "README has no 'meson setup build --prefix=/usr' install line"
fi

echo "$pass passed, $fail failed ($(( $(date +%s) - t0 )) s)"
[[ $fail -eq 0 ]]

#!/bin/bash
# test-systemd-live.sh - the packaged units under a real systemd as PID 1
#
# 1. A Debian root file system (mmdebstrap, variant minbase, the host's Debian
#    release and the Debian archive entries of the host's apt: systemd, dbus,
#    Postfix preseeded "Local only" (running at boot on loopback; with "No
#    configuration" postfix@-.service fails at boot and the system is
#    degraded before mxtls is even installed), python3, iproute2, openssl,
#    prometheus-node-exporter and the .deb's runtime libraries, so that
#    "dpkg -i" needs no network) is cached as a tarball in
#    /var/cache/mxtls-test/, named by a hash of the recipe (suite, package
#    list, archive entries, preseeding): a changed list builds a new one and
#    the old tarball is removed.
# 2. The .deb comes from tests/build-deb.sh (its last line of output).
# 3. Installed with dpkg -i in a chroot of one extracted copy (not booted):
#    it must succeed, create the timer's enable symlink, start nothing and
#    create no state directory.
# 4. A second, pristine copy is booted with "systemd-nspawn -b" (own network
#    namespace with only lo; --system-call-filter=bpf so that IPAddressDeny=
#    is enforced; cgroup v2 inside). The container is driven from inside:
#    tests/nspawn/driver.sh runs as mxtls-live-driver.service (Type=simple,
#    wanted by multi-user.target; a oneshot in the boot transaction that
#    waits for "is-system-running --wait" would wait for itself), waits for
#    the end of the boot, installs the .deb with dpkg -i, runs the checks,
#    writes its log and TAP lines into a directory bound from the host and
#    powers the container off. Why from inside rather than nsenter: with
#    machined registration off there is no "machinectl shell"; nsenter into
#    the container's PID 1 would need its PID, namespaces and environment
#    reassembled by hand, while a unit inside runs in the system exactly as
#    an administrator's commands would, and one nspawn process is the whole
#    life of the container: the host wraps it in "timeout" and reads the
#    results directory when it has exited.
#    Checks inside (driver.sh): timer enabled and active right after dpkg -i;
#    a run on a quiet host; real Postfix mail to a STARTTLS receiver (self-
#    signed) and a plaintext one on TEST-NET addresses on lo, the expected
#    counts taken from what the receivers accepted; a run after the mail, a
#    run with nothing new, a run after more mail; the timer; the live
#    "systemd-analyze security" exposure (<= 0.4); the node_exporter drop-in
#    from the package's examples and a real scrape; the journal moved from
#    /run to /var/log/journal (stored position still valid); a manual
#    "mxtls collect" as root between service runs; no error lines in the
#    unit's journal.
#
# Exit 77 (skip) only when nspawn cannot boot here: not root, no
# systemd-nspawn or mmdebstrap, the archive unreachable without a cached root
# file system, or nspawn failing before the container's systemd started.
# Never installs anything on the host (tools/debian-packages.txt lists what it
# needs). MXTLS_LIVE_KEEP=1 keeps the temporary directory; MXTLS_LIVE_DEB=FILE
# tests that package instead of building one.
set -euo pipefail

t0=$(date +%s)
src=${MXTLS_SOURCE_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
build=${MXTLS_BUILD_ROOT:-$src/build}
# shellcheck source=tests/lib.sh
. "$src/tests/lib.sh"

CACHE=/var/cache/mxtls-test
BOOT_TIMEOUT=600
PACKAGES=(systemd systemd-sysv dbus postfix python3 iproute2 prometheus-node-exporter openssl
          libsystemd0 libcyaml1 libyaml-0-2 libsqlite3-0)
# Postfix "Local only": configured and running at boot, loopback only, no
# SMTP client records until the driver sends mail ("No configuration" leaves
# postfix@-.service failing at boot, a degraded system).
PRESEED=('postfix postfix/main_mailer_type select Local only'
         'postfix postfix/mailname string mta.live.test')

say() { printf '[live %3ds] %s\n' $(( $(date +%s) - t0 )) "$*"; }
T=

# Processes whose root directory is in the temporary directory (the
# container, or anything the chroot's maintainer scripts left running).
procs_in() {
        local p r
        for p in /proc/[0-9]*; do
                r=$(readlink "$p/root" 2>/dev/null) || continue
                [[ $r = "$1" || $r = "$1"/* ]] && echo "${p#/proc/}"
        done
        return 0
}

finish() {
        local rc=$? p
        set +e
        if [[ -n $T && -d $T ]]; then
                for p in $(procs_in "$T"); do
                        kill -KILL "$p" 2>/dev/null
                done
                if [[ ${MXTLS_LIVE_KEEP:-0} = 1 ]]; then
                        say "kept $T"
                else
                        rm -rf "$T"
                fi
        fi
        say "total duration $(( $(date +%s) - t0 ))s"
        # The reason of a skip is the last line (tools/test.sh lists it).
        [[ $rc = 77 && -n $skip_reason ]] && echo "SKIP: $skip_reason"
        exit $rc
}
trap finish EXIT
trap 'exit 130' INT TERM

skip_reason=
skip() { skip_reason=$*; exit 77; }
die() { say "FAIL: $*"; exit 1; }

[[ $(id -u) = 0 ]] || skip "needs root (mmdebstrap, chroot, systemd-nspawn)"
for c in systemd-nspawn mmdebstrap tar timeout chroot unshare flock sha256sum; do
        command -v "$c" >/dev/null || skip "$c is not installed (tools/debian-packages.txt)"
done

# ---------------------------------------------------------------- root fs
# shellcheck disable=SC1091
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[[ -n $suite ]] || skip "cannot tell the host's Debian release from /etc/os-release"

# The Debian archive entries the host's apt uses ("deb URL SUITE COMPONENT"
# for o=Debian origins of this release); empty: mmdebstrap's default mirror.
host_sources() {
        apt-cache policy 2>/dev/null | awk -v suite="$suite" '
                $1 ~ /^[0-9]+$/ && $2 ~ /^(https?|file):/ && $3 ~ /\// {
                        url = $2; n = split($3, s, "/"); dist = s[1]; comp = s[n]; next }
                url != "" && $1 == "release" {
                        if ($0 ~ /o=Debian,/ && (dist == suite || index(dist, suite "-") == 1))
                                print "deb " url " " dist " " comp
                        url = "" }' | sort -u
}
mapfile -t sources < <(host_sources)
recipe=$(printf 'suite %s\nvariant minbase\npackages %s\n' "$suite" "${PACKAGES[*]}"
        printf 'preseed %s\n' "${PRESEED[@]}"; printf 'source %s\n' "${sources[@]}")
key=$(sha256sum <<<"$recipe" | cut -c1-16)
rootfs=$CACHE/rootfs-$suite-$key.tar

build_rootfs() {
        local tmp=$CACHE/.rootfs-$suite-$key.$$.tar log=$CACHE/rootfs-$suite-$key.log
        say "building the root file system $rootfs:"
        printf '  %s\n' "${recipe//$'\n'/$'\n'  }"
        if ! mmdebstrap --variant=minbase --format=tar --include="$(IFS=,; echo "${PACKAGES[*]}")" \
                --essential-hook="printf '%s\\n' $(printf '%q ' "${PRESEED[@]}")| chroot \"\$1\" debconf-set-selections" \
                "$suite" "$tmp" "${sources[@]}" >"$log" 2>&1; then
                rm -f "$tmp"
                tail -n 20 "$log" | sed 's/^/  | /'
                # Unreachable archive, or a problem of the recipe?
                local url=http://deb.debian.org/debian dist=$suite
                if [[ ${#sources[@]} -gt 0 ]]; then
                        read -r _ url dist _ <<<"${sources[0]}"
                fi
                if ! /usr/lib/apt/apt-helper download-file "$url/dists/$dist/Release" \
                        "$CACHE/.probe" >/dev/null 2>&1; then
                        rm -f "$CACHE/.probe" "$log"
                        skip "the Debian archive ($url) is unreachable and no root file system is cached"
                fi
                rm -f "$CACHE/.probe"
                die "mmdebstrap failed although $url is reachable (log: $log)"
        fi
        mv "$tmp" "$rootfs"
        rm -f "$log"
        local old
        for old in "$CACHE"/rootfs-*.tar; do
                [[ $old = "$rootfs" ]] || { say "removing the outdated $old"; rm -f "$old"; }
        done
        say "built $rootfs ($(du -h "$rootfs" | cut -f1))"
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.rootfs.lock"
flock 9
if [[ -s $rootfs ]]; then
        say "cached root file system $rootfs ($(du -h "$rootfs" | cut -f1))"
else
        build_rootfs
fi
flock -u 9

T=$(mktemp -d /var/tmp/mxtls-live.XXXXXX)
extract() {             # extract DIR
        mkdir "$1"
        tar --numeric-owner -xpf "$rootfs" -C "$1"
}

# ---------------------------------------------------------------- .deb
if [[ -n ${MXTLS_LIVE_DEB:-} ]]; then
        deb=$MXTLS_LIVE_DEB             # a given package instead of building one
else
        [[ -f $src/tests/build-deb.sh ]] || die "tests/build-deb.sh is missing: no .deb to test"
        say "building the .deb: tests/build-deb.sh $build/deb"
        if ! bash "$src/tests/build-deb.sh" "$build/deb" >"$T/build-deb.log" 2>&1; then
                tail -n 30 "$T/build-deb.log" | sed 's/^/  | /'
                die "tests/build-deb.sh failed"
        fi
        deb=$(tail -n 1 "$T/build-deb.log")
fi
[[ $deb = *.deb && -f $deb ]] || { tail -n 5 "$T/build-deb.log"; die "build-deb.sh printed no .deb path"; }
say "package: $deb"
dpkg-deb -f "$deb" Package Version Architecture Depends | sed 's/^/  /'

# ---------------------------------------------------------------- chroot
say "dpkg -i in a chroot (not booted)"
extract "$T/chroot"
cp "$deb" "$T/chroot/root/mxtls.deb"
# /proc as an image builder has it; in a mount namespace of its own, so that
# it goes away with the command.
# shellcheck disable=SC2016
if unshare --mount --propagation private -- /bin/sh -c '
        mount -t proc proc "$1/proc" &&
        DEBIAN_FRONTEND=noninteractive chroot "$1" dpkg -i /root/mxtls.deb' \
        sh "$T/chroot" >"$T/chroot-dpkg.log" 2>&1; then
        ok "chroot: dpkg -i succeeds"
else
        notok "chroot: dpkg -i succeeds"
fi
sed 's/^/  | /' "$T/chroot-dpkg.log"
wants=$T/chroot/etc/systemd/system/timers.target.wants/mxtls-collect.timer
if [[ -L $wants ]]; then
        ok "chroot: the timer's enable symlink exists ($(readlink "$wants"))"
else
        notok "chroot: the timer's enable symlink $wants exists"
fi
# shellcheck disable=SC2016
check "chroot: no state directory was created (/var/lib/private/mxtls, /var/lib/mxtls)" \
        bash -c '! [[ -e $1/var/lib/private/mxtls || -e $1/var/lib/mxtls || -L $1/var/lib/mxtls ]]' \
        _ "$T/chroot"
left=$(procs_in "$T/chroot")
check "chroot: no process was left running in the chroot${left:+ (PIDs $left)}" test -z "$left"
rm -rf "$T/chroot"

# ---------------------------------------------------------------- boot
say "booting a pristine copy with systemd-nspawn"
root=$T/root
extract "$root"
cp "$deb" "$root/root/"
ln -s "$(basename "$deb")" "$root/root/mxtls.deb"
install -d "$root/usr/local/lib/mxtls-live"
install -m 0755 "$src/tests/nspawn/driver.sh" "$src/tests/nspawn/live.py" \
        "$src/tests/e2e/receiver.py" "$root/usr/local/lib/mxtls-live/"
install -m 0644 "$src/tests/nspawn/mxtls-live-driver.service" "$root/etc/systemd/system/"
ln -s ../mxtls-live-driver.service "$root/etc/systemd/system/multi-user.target.wants/"
mkdir "$T/results"

nspawn_rc=0
SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 timeout -k 30 "$BOOT_TIMEOUT" \
        systemd-nspawn -q -b -D "$root" -M mxtls-live --keep-unit --register=no \
        --private-network --system-call-filter=bpf --console=read-only \
        --bind="$T/results:/mxtls-results" </dev/null >"$T/console.log" 2>&1 || nspawn_rc=$?
say "systemd-nspawn exited with $nspawn_rc after the container's run"

if [[ ! -e $T/results/started ]]; then
        sed 's/^/  console | /' "$T/console.log" | tail -n 60
        if ! grep -q -E 'Welcome to|running in system mode|Reached target' "$T/console.log"; then
                skip "systemd-nspawn could not boot the container here (exit $nspawn_rc, output above)"
        fi
        die "the container's systemd started, but the test's driver never ran"
fi
if [[ -s $T/results/driver.log ]]; then
        cat "$T/results/driver.log"
fi
if [[ ! -s $T/results/done ]]; then
        sed 's/^/  console | /' "$T/console.log" | tail -n 60
        why="nspawn exit $nspawn_rc"
        [[ $nspawn_rc = 124 ]] && why="timed out after ${BOOT_TIMEOUT}s"
        notok "the driver inside the container ran to its end ($why)"
fi
[[ $nspawn_rc = 0 ]] || sed 's/^/  console | /' "$T/console.log" | tail -n 40
inner_pass=$(grep -c '^ok - ' "$T/results/tap" 2>/dev/null || true)
inner_fail=$(grep -c '^not ok - ' "$T/results/tap" 2>/dev/null || true)
pass=$((pass + ${inner_pass:-0}))
fail=$((fail + ${inner_fail:-0}))
[[ -s $T/results/exposure ]] && say "live exposure of mxtls-collect.service: $(cat "$T/results/exposure")"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]

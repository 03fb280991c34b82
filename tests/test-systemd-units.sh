#!/bin/bash
# SPDX-License-Identifier: MIT
# test-systemd-units - the collect service and timer: content, systemd-analyze
# verify (no warnings, man pages found) and the offline security exposure.
set -euo pipefail

: "${MXTLS_SOURCE_ROOT:?}" "${MXTLS_BUILD_ROOT:?}" "${MXTLS_BIN:?}"
MAX_EXPOSURE=2.5

command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not found"; exit 77; }

service_in="$MXTLS_BUILD_ROOT/systemd/mxtls-collect.service"
timer_in="$MXTLS_SOURCE_ROOT/systemd/mxtls-collect.timer"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# has FILE LINE: the exact line is present
has() { grep -qxF -- "$2" "$1"; }

[ -f "$service_in" ] || { echo "FAIL: $service_in not generated"; exit 1; }

# --- content -------------------------------------------------------------
mapfile -t execs < <(grep '^ExecStart=' "$service_in")
bin=$(sed -n 's/^ExecStart=\([^ ]*\) collect$/\1/p' "$service_in")
case "$bin" in
/*/bin/mxtls) ok "ExecStart uses the installed binary $bin" ;;
*) fail "ExecStart binary '$bin' is not an absolute .../bin/mxtls" ;;
esac
want_execs=(
        "ExecStart=$bin collect"
        "ExecStart=$bin advise --output \${STATE_DIRECTORY}/tls_policy.suggested"
        "ExecStart=$bin report --format prometheus --output \${STATE_DIRECTORY}/mxtls.prom"
)
if [ "${#execs[@]}" -eq 3 ] && [ "${execs[*]}" = "${want_execs[*]}" ]; then
        ok "three ExecStart lines: collect, advise, report"
else
        fail "ExecStart lines: got '${execs[*]}'"
fi
grep -q '@bindir@' "$service_in" && fail "@bindir@ left unsubstituted" || ok "no placeholders left"

for line in Type=oneshot DynamicUser=yes SupplementaryGroups=systemd-journal StateDirectory=mxtls \
            ProtectSystem=strict ProtectHome=yes PrivateNetwork=yes PrivateDevices=yes PrivateTmp=yes \
            NoNewPrivileges=yes RestrictAddressFamilies=AF_UNIX SystemCallFilter=@system-service \
            "SystemCallFilter=~@privileged @resources" SystemCallArchitectures=native \
            MemoryDenyWriteExecute=yes CapabilityBoundingSet= LockPersonality=yes RestrictRealtime=yes \
            RestrictNamespaces=yes ProtectKernelTunables=yes ProtectKernelModules=yes \
            ProtectKernelLogs=yes ProtectClock=yes ProtectControlGroups=yes ProtectHostname=yes \
            ProtectProc=invisible ProcSubset=pid UMask=0027 IPAddressDeny=any DevicePolicy=closed \
            RemoveIPC=yes; do
        has "$service_in" "$line" && ok "service: $line" || fail "service lacks '$line'"
done
# The journal must stay readable: nothing may hide /var/log or /run/log.
if grep -E '^(InaccessiblePaths|TemporaryFileSystem)=.*(/var/log|/run/log|/var/?$|/run/?$)' "$service_in"; then
        fail "service hides the journal"
else
        ok "journal paths not hidden"
fi
grep -q '^User=root' "$service_in" && fail "service runs as root" || ok "service does not run as root"

for line in OnCalendar=hourly Persistent=true WantedBy=timers.target; do
        has "$timer_in" "$line" && ok "timer: $line" || fail "timer lacks '$line'"
done
grep -q '^RandomizedDelaySec=[1-9]' "$timer_in" && ok "timer: RandomizedDelaySec" ||
        fail "timer lacks RandomizedDelaySec"

# --- systemd-analyze verify ----------------------------------------------
# A copy that runs the binary just built: verify checks that ExecStart exists.
sed "s|^ExecStart=$bin |ExecStart=$MXTLS_BIN |" "$service_in" >"$tmp/mxtls-collect.service"
cp "$timer_in" "$tmp/mxtls-collect.timer"
grep -qF "ExecStart=$MXTLS_BIN collect" "$tmp/mxtls-collect.service" || fail "could not point ExecStart at $MXTLS_BIN"

# Documentation= names man:mxtls(1) and man:mxtls.yaml(5): serve ours.
mkdir -p "$tmp/man/man1" "$tmp/man/man5"
for page in mxtls.1:man1 mxtls.yaml.5:man5; do
        src="$MXTLS_BUILD_ROOT/man/${page%%:*}"
        [ -f "$src" ] || src="$MXTLS_SOURCE_ROOT/man/${page%%:*}"
        cp "$src" "$tmp/man/${page##*:}/"
done

if (cd "$tmp" && MANPATH="$tmp/man" systemd-analyze verify --man=yes \
        ./mxtls-collect.service ./mxtls-collect.timer) >"$tmp/verify.out" 2>&1; then
        if [ -s "$tmp/verify.out" ]; then
                fail "systemd-analyze verify printed warnings:"
                cat "$tmp/verify.out"
        else
                ok "systemd-analyze verify: clean (units and man pages)"
        fi
else
        fail "systemd-analyze verify failed:"
        cat "$tmp/verify.out"
fi

# A broken copy must be caught by the same check (the check can fail).
mkdir -p "$tmp/broken"
sed 's/^ProtectSystem=strict$/ProtectSystem=strict\nProtectSystemm=yes/' "$tmp/mxtls-collect.service" \
        >"$tmp/broken/mxtls-collect.service"
(cd "$tmp/broken" && systemd-analyze verify --man=no ./mxtls-collect.service) >"$tmp/broken.out" 2>&1 || true
grep -q "Unknown key" "$tmp/broken.out" && ok "verify reports an unknown key in a broken copy" ||
        fail "verify did not notice a broken unit: $(cat "$tmp/broken.out")"

# --- security exposure ---------------------------------------------------
if (cd "$tmp" && systemd-analyze security --offline=true ./mxtls-collect.service) \
        >"$tmp/security.out" 2>&1; then
        exposure=$(sed -n 's/.*Overall exposure level for mxtls-collect.service: \([0-9.]*\).*/\1/p' \
                "$tmp/security.out")
        if [ -z "$exposure" ]; then
                fail "no exposure level in systemd-analyze security output:"
                cat "$tmp/security.out"
        elif awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }'; then
                ok "security exposure $exposure <= $MAX_EXPOSURE"
        else
                fail "security exposure $exposure > $MAX_EXPOSURE"
                grep '✗' "$tmp/security.out" || true
        fi
else
        fail "systemd-analyze security --offline=true failed:"
        cat "$tmp/security.out"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

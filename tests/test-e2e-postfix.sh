#!/bin/bash
# SPDX-License-Identifier: MIT
# test-e2e-postfix.sh - end to end: a real Postfix logging into a real journald
#
# A private mount and network namespace holds everything the test runs:
#   * systemd-journald with volatile storage in a temporary directory, on a
#     private /run, listening on /dev/log;
#   * dnsmasq on 127.0.0.1:53 with the MX and A records of the scenario;
#   * receiver.py: SMTP servers on 192.0.2.x:25 (TLS 1.3 with a certificate
#     from the test CA, TLS 1.2 only, self-signed, no STARTTLS, a broken
#     handshake, recipients rejected), each recording what it accepted and
#     with which TLS version and cipher; nothing on 192.0.2.16 (unreachable);
#   * Postfix with tests/e2e/postfix/ mounted over its config directory
#     (/etc/postfix, or the private install's) and its queue in the
#     temporary directory: smtp_tls_loglevel 1 (0 in one run), a CA file, a TLS policy
#     map (encrypt toward a server without STARTTLS, secure toward a
#     certificate that does not verify, secure that does, connection_reuse,
#     none toward a server that offers STARTTLS), connection caching, and a
#     second transport that reuses TLS connections through tlsproxy.
# The host's /etc/postfix, queue, journal, /dev/log and port 25 are never
# touched; 192.0.2.0/24 (TEST-NET-1) exists only inside the namespace, and
# receivers are not on loopback because mxtls counts loopback relays as
# internal hops.
#
# Round 1: mail to every domain; "mxtls collect --directory" reads the journal
# and "mxtls report --format json" must equal, domain by domain and field by
# field, what the receivers and the queue say happened (tests/e2e/e2e.py).
# Round 2: the deferred mail is retried and new mail sent; the second collect
# must add exactly that (cursor), a third with nothing new must add nothing,
# and a fresh store must reach the same totals in one run. Then "audit" (with
# --policy, and through postconf inside the namespace) must flag the encrypt
# and secure entries, "advise" must propose exactly the qualifying domains in
# lines postmap accepts, and "advise --merge" must keep the map's own lines
# and be idempotent. Round 3: mail under the merged map is delivered over TLS
# and counted.
#
# The whole scenario runs three times, each in namespaces of its own: with
# the system's Postfix (Debian 12: 3.7, no tls= field) at smtp_tls_loglevel 1,
# and with a Postfix 3.11 built from Debian's source package in unstable
# (tests/e2e/build-postfix.sh: upstream "make", installed into a private
# root cached in /var/cache/mxtls-test/postfix-3.11-VERSION/) at
# smtp_tls_loglevel 1 and 0. Under 3.11 every delivery line carries tls=: the
# harness predicts each line's token from the configured levels and what the
# receivers saw, checks the prediction against the journal, and mxtls'
# by_level must equal it; at loglevel 0 TLS lines exist only for
# connections through tlsproxy, and mxtls must still count every TLS delivery
# (from tls=), with protocol and trust "unknown" where no TLS line exists.
# Both runs have destinations with connection reuse (cached plaintext and
# TLS-through-tlsproxy connections) and without.
#
# Needs root (namespaces, Postfix) and the test packages (tools/deps.sh --test);
# exit 77 otherwise, and when the 3.11 source can neither be fetched nor is
# cached (after the system Postfix's run passed). MXTLS_E2E_KEEP=1 keeps the
# temporary directories; MXTLS_E2E_VARIANTS selects runs: "system" (the
# default: the system's Postfix), "3.11:1 3.11:0" (Postfix 3.11 at
# smtp_tls_loglevel 1 and 0; meson's test-e2e-postfix-3.11); MXTLS_E2E_POSTFIX_ROOT=DIR uses that install root
# (laid out as build-postfix.sh's) instead of building 3.11, and with
# MXTLS_E2E_ANY_VERSION=1 even if it is not 3.11 (to try the private-install
# plumbing with another build; tls= expectations apply from 3.11 on).
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
        echo "SKIP: the end-to-end test needs root (network/mount namespaces, Postfix, journald)"
        exit 77
fi
: "${MXTLS_BIN:?MXTLS_BIN must name the mxtls binary}"
src=${MXTLS_SOURCE_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
here=$src/tests/e2e
PY=/usr/bin/python3
t0=$(date +%s)

say() { printf '[e2e %3ds] %s\n' $(( $(date +%s) - t0 )) "$*"; }
fail() { say "FAIL: $*"; exit 1; }

# ---------------------------------------------------------------- packages
need_packages() {
        local -A want=(
                [/usr/sbin/postfix]=postfix
                [/usr/sbin/postmap]=postfix
                [/usr/sbin/dnsmasq]=dnsmasq-base
                [/usr/bin/python3]=python3
                [/usr/bin/openssl]=openssl
                [/usr/bin/unshare]=util-linux
                [/usr/bin/nsenter]=util-linux
                [/usr/bin/logger]=bsdutils
                [/usr/bin/journalctl]=systemd
                [/lib/systemd/systemd-journald]=systemd
        )
        local missing=() f
        for f in "${!want[@]}"; do
                [[ -x $f ]] || missing+=("${want[$f]}")
        done
        command -v ip >/dev/null || missing+=(iproute2)
        [[ ${#missing[@]} -eq 0 ]] && return 0
        mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
        echo "SKIP: missing packages: ${missing[*]} (tools/deps.sh --test installs them)"
        exit 77
}
need_packages
$PY -c 'import ssl, json, socketserver' || fail "python3 lacks the ssl module"

# ---------------------------------------------------------------- variants
# Without MXTLS_E2E_VARIANT this script runs itself once per variant:
# "system" or "3.11:LOGLEVEL" (with MXTLS_E2E_POSTFIX_ROOT set to the build).
if [[ -z ${MXTLS_E2E_VARIANT:-} ]]; then
        cache=${MXTLS_TEST_CACHE:-/var/cache/mxtls-test}
        built=${MXTLS_E2E_POSTFIX_ROOT:-}
        build_rc=
        build_why=
        build_way=
        passed=() failed=() skipped=()
        for v in ${MXTLS_E2E_VARIANTS:-system}; do
                case $v in
                system) ;;
                3.11:[01])
                        if [[ -z $built && -z $build_rc ]]; then
                                say "Postfix 3.11: build-postfix.sh 3.11:unstable $cache"
                                tb=$(date +%s)
                                build_rc=0
                                blog=$(mktemp /tmp/mxtls-e2e-build.XXXXXX)
                                built=$(bash "$here/build-postfix.sh" 3.11:unstable "$cache" 2>"$blog") ||
                                        build_rc=$?
                                sed 's/^/  /' "$blog"
                                build_why=$(sed -n 's/^build-postfix: SKIP: //p' "$blog" | tail -n 1)
                                build_way=$(sed -n 's/^build-postfix: using: //p' "$blog" | tail -n 1)
                                rm -f "$blog"
                                say "Postfix 3.11: $(( $(date +%s) - tb )) s, exit status $build_rc${built:+, $built}"
                                [[ -z $build_way ]] || say "Postfix 3.11: $build_way"
                        fi
                        if [[ -z $built ]]; then
                                if [[ $build_rc = 77 ]]; then
                                        skipped+=("$v")
                                else
                                        failed+=("$v (the build of Postfix 3.11 failed)")
                                fi
                                continue
                        fi
                        ;;
                *) fail "unknown variant $v in MXTLS_E2E_VARIANTS" ;;
                esac
                say "=== variant $v"
                rc=0
                MXTLS_E2E_VARIANT=$v MXTLS_E2E_POSTFIX_ROOT=${built:-} bash "$0" || rc=$?
                case $rc in
                0) passed+=("$v") ;;
                77) skipped+=("$v"); build_why=${build_why:-see the log of variant $v} ;;
                *) failed+=("$v (exit status $rc)") ;;
                esac
        done
        say "variants passed: ${passed[*]:-none}"
        [[ ${#skipped[@]} -eq 0 ]] || say "variants skipped: ${skipped[*]}"
        if [[ ${#failed[@]} -gt 0 ]]; then
                say "FAIL: variants failed: ${failed[*]}"
                exit 1
        fi
        if [[ ${#skipped[@]} -gt 0 ]]; then
                echo "SKIP: variants ${skipped[*]}: ${build_why:-no Postfix 3.11 (see build-postfix.sh above)}"
                exit 77
        fi
        say "PASS (all variants)"
        exit 0
fi

variant=$MXTLS_E2E_VARIANT
tls_loglevel=1
if [[ $variant = system ]]; then
        # Debian's Postfix: the built-in paths of the package.
        pf_root=
        pf_sbin=/usr/sbin
        pf_etc=/etc/postfix
        pf_spool=/var/spool/postfix
        pf_lib=/var/lib/postfix
else
        # A private install (build-postfix.sh): every path inside its root.
        tls_loglevel=${variant#*:}
        pf_root=${MXTLS_E2E_POSTFIX_ROOT:?MXTLS_E2E_POSTFIX_ROOT must name the Postfix install root}
        pf_sbin=$pf_root/usr/sbin
        pf_etc=$pf_root/etc/postfix
        pf_spool=$pf_root/var/spool/postfix
        pf_lib=$pf_root/var/lib/postfix
        [[ -x $pf_sbin/postfix && -d $pf_etc && -d $pf_spool && -d $pf_lib ]] ||
                fail "$pf_root is not a Postfix install root (usr/sbin/postfix, etc/postfix, var/spool/postfix, var/lib/postfix)"
fi
pf_version=$("$pf_sbin/postconf" -d -h mail_version) || fail "$pf_sbin/postconf does not run"
case $variant in
system) ;;
3.11:*) [[ $pf_version = 3.11 || $pf_version = 3.11.* ]] ||
                [[ -n ${MXTLS_E2E_ANY_VERSION:-} ]] ||
                fail "$pf_root has Postfix $pf_version, not 3.11" ;;
esac
say "variant $variant: Postfix $pf_version from $pf_sbin, smtp_tls_loglevel $tls_loglevel"

# ---------------------------------------------------------------- work area
T=$(mktemp -d /tmp/mxtls-e2e.XXXXXX)
chmod 0755 "$T"
pids=()
ns_ready=0

# The variant's Postfix commands come first on PATH (sendmail, postqueue and
# postconf run by e2e.py and mxtls too).
in_ns() { PATH="$pf_sbin:$PATH" nsenter --mount="$T/ns/mnt" --net="$T/ns/net" "$@"; }
# For daemons started with "&": the background subshell becomes the daemon,
# so that $! is the daemon's PID (stopped directly by cleanup).
in_ns_exec() { PATH="$pf_sbin:$PATH" exec nsenter --mount="$T/ns/mnt" --net="$T/ns/net" "$@"; }

stop_pid() {            # stop_pid PID: TERM, then KILL after 5 s
        local p=$1 i
        kill -0 "$p" 2>/dev/null || return 0
        kill -TERM "$p" 2>/dev/null || true
        for i in $(seq 50); do
                kill -0 "$p" 2>/dev/null || return 0
                sleep 0.1
        done
        kill -KILL "$p" 2>/dev/null || true
}

cleanup() {
        local rc=$? p ino
        set +e
        if [[ $ns_ready = 1 ]]; then
                if [[ -s $T/spool/pid/master.pid ]]; then
                        in_ns postfix stop >/dev/null 2>&1
                        p=$(tr -dc 0-9 <"$T/spool/pid/master.pid")
                        [[ -n $p ]] && stop_pid "$p"
                fi
                for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
                        stop_pid "${pids[i]}"
                done
                # Anything still running in the test's network namespace was
                # started by the test (Postfix children): stop it by PID.
                ino=$(stat -L -c %i "$T/ns/net" 2>/dev/null)
                for p in /proc/[0-9]*; do
                        [[ $(readlink "$p/ns/net" 2>/dev/null) = "net:[$ino]" ]] &&
                                stop_pid "${p#/proc/}"
                done
        fi
        umount "$T/ns/mnt" "$T/ns/net" 2>/dev/null
        umount "$T/ns" 2>/dev/null
        if [[ ${MXTLS_E2E_KEEP:-0} = 1 ]]; then
                echo "kept $T"
        else
                rm -rf "$T"
        fi
        exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- namespaces
mkdir -p "$T/ns" "$T/journal" "$T/postfix-etc" "$T/spool" "$T/postfix-lib"
mount --bind "$T/ns" "$T/ns"
mount --make-private "$T/ns"
touch "$T/ns/mnt" "$T/ns/net"
unshare --mount="$T/ns/mnt" --net="$T/ns/net" --propagation private true
ns_ready=1

cat >"$T/journald.conf" <<'EOF'
[Journal]
Storage=volatile
RuntimeMaxUse=64M
RateLimitIntervalSec=0
ReadKMsg=no
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
EOF
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:2\n' >"$T/resolv.conf"

cp -a "$pf_etc/." "$T/postfix-etc/"
rm -f "$T/postfix-etc/"*.db "$T/postfix-etc/"*.lmdb
cp "$here/postfix/main.cf" "$here/postfix/master.cf" "$T/postfix-etc/"
# The test's files are in the variant's config directory; its TLS loglevel.
sed -i -e "s#/etc/postfix/#$pf_etc/#g" \
        -e "s/^smtp_tls_loglevel = .*/smtp_tls_loglevel = $tls_loglevel/" "$T/postfix-etc/main.cf"
if [[ -n $pf_root ]]; then
        cat >>"$T/postfix-etc/main.cf" <<EOF

# The private Postfix install of this run (tests/e2e/build-postfix.sh).
command_directory = $pf_sbin
daemon_directory = $pf_root/usr/libexec/postfix
meta_directory = $pf_etc
queue_directory = $pf_spool
data_directory = $pf_lib
sendmail_path = $pf_sbin/sendmail
mailq_path = $pf_root/usr/bin/mailq
newaliases_path = $pf_root/usr/bin/newaliases
manpage_directory = $pf_root/usr/share/man
html_directory = no
readme_directory = no
mail_owner = postfix
setgid_group = postdrop
EOF
fi
chown root:root "$T/spool"
chmod 0755 "$T/spool"
chown postfix:postfix "$T/postfix-lib"
$PY "$here/e2e.py" setup "$T" || fail "cannot generate the scenario files"
mapfile -t addresses < <($PY "$here/e2e.py" addresses)

# Inside: a private /run (journald's sockets and runtime journal, whose
# files are the test's journal directory), journald settings as a drop-in
# there with the host's drop-ins hidden, a private /dev whose /dev/log is
# the test's journald (the host's /dev/log is never touched), the test's
# resolver, Postfix directories and the receivers' addresses.
# shellcheck disable=SC2016
in_ns env PF_ETC="$pf_etc" PF_SPOOL="$pf_spool" PF_LIB="$pf_lib" /bin/bash -euo pipefail -c '
T=$1; shift
mount -t tmpfs -o mode=0755 mxtls-e2e-run /run
mount -t tmpfs -o mode=0755 mxtls-e2e-dev /dev
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8
mknod -m 666 /dev/urandom c 1 9
mknod -m 666 /dev/tty c 5 0
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mkdir -m 1777 /dev/shm
ln -s /run/systemd/journal/dev-log /dev/log
mkdir -p /run/systemd/journal /run/log/journal /run/systemd/journald.conf.d
mount --bind "$T/journal" /run/log/journal
cp "$T/journald.conf" /run/systemd/journald.conf.d/zz-mxtls-e2e.conf
for d in /etc/systemd/journald.conf.d /usr/lib/systemd/journald.conf.d \
         /usr/local/lib/systemd/journald.conf.d; do
        if [[ -d $d ]]; then mount -t tmpfs -o mode=0755 mxtls-e2e-empty "$d"; fi
done
if [[ -L /etc/resolv.conf ]]; then
        target=$(readlink -m /etc/resolv.conf)
        mkdir -p "$(dirname "$target")"
        cp "$T/resolv.conf" "$target"
else
        mount --bind "$T/resolv.conf" /etc/resolv.conf
fi
mount --bind "$T/postfix-etc" "$PF_ETC"
mount --bind "$T/spool" "$PF_SPOOL"
mount --bind "$T/postfix-lib" "$PF_LIB"
ip link set lo up
for a in "$@"; do ip addr add "$a/32" dev lo; done
' ns-setup "$T" "${addresses[@]}" || fail "cannot set up the namespace"

# ---------------------------------------------------------------- daemons
wait_for() {            # wait_for SECONDS DESCRIPTION COMMAND...
        local n=$(( $1 * 10 )) what=$2 i
        shift 2
        for ((i = 0; i < n; i++)); do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.1
        done
        fail "timed out waiting for $what"
}

in_ns_exec /lib/systemd/systemd-journald >"$T/journald.log" 2>&1 &
pids+=($!)
wait_for 10 "journald" in_ns test -S /run/systemd/journal/dev-log
jdir=$T/journal
in_ns logger -t mxtls-e2e "journal ready"
wait_for 10 "the first journal entry" \
        bash -c "journalctl -D '$jdir' -t mxtls-e2e -o cat | grep -q 'journal ready'"
say "journald $jdir"

mapfile -t dns_args < <($PY "$here/e2e.py" dnsmasq-args)
in_ns_exec dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
        --no-poll --bind-interfaces --listen-address=127.0.0.1 --port=53 \
        --local=/test/ --local=/invalid/ --pid-file= --log-facility="$T/dnsmasq.log" \
        "${dns_args[@]}" &
pids+=($!)
wait_for 10 "dnsmasq" in_ns $PY -c 'import socket; socket.gethostbyname("mx.tls13.test")'

in_ns_exec $PY "$here/receiver.py" "$T/receivers.json" "$T/events.jsonl" "$T/receivers.ready" \
        2>"$T/receiver.log" &
pids+=($!)
wait_for 10 "the SMTP receivers" test -s "$T/receivers.ready"

in_ns postmap "hash:$pf_etc/tls_policy" || fail "postmap of the test's policy map"
in_ns postfix check 2>&1 | sed 's/^/  postfix check: /' || true
in_ns postfix start >"$T/postfix-start.log" 2>&1 ||
        { cat "$T/postfix-start.log"; fail "postfix start"; }
wait_for 20 "the Postfix master" test -s "$T/spool/pid/master.pid"
running=$(in_ns postconf -h mail_version)
[[ $running = "$pf_version" ]] || fail "Postfix $running runs, expected $pf_version"
say "postfix $running running (smtp_tls_loglevel $(in_ns postconf -h smtp_tls_loglevel))"

# ---------------------------------------------------------------- mail
send_round() {          # send_round N
        local mode rcpts n=0 r
        while read -r mode rcpts; do
                n=$((n + 1))
                # shellcheck disable=SC2086
                printf 'From: <%s>\nTo: %s\nSubject: mxtls e2e round %s\nMessage-ID: <e2e-%s-%s@sender.invalid>\n\nround %s\n' \
                        sender@sender.invalid "${rcpts// /, }" "$1" "$1" "$n" "$1" |
                        in_ns sendmail -f sender@sender.invalid -- $rcpts ||
                        fail "sendmail to $rcpts"
                if [[ $mode = serial ]]; then
                        # Wait for delivery, so that the next message finds
                        # the cached connection.
                        r=${rcpts%% *}
                        wait_for 30 "delivery to $r" grep -q "\"$r\"" "$T/events.jsonl"
                fi
        done < <($PY "$here/e2e.py" messages "$1")
        say "round $1: $n messages submitted"
}

settle() {              # settle ROUND [SINCE]
        in_ns $PY "$here/e2e.py" settle --spool "$T/spool" --events "$T/events.jsonl" \
                --round "$1" ${2:+--since "$2"} --timeout 120 ||
                fail "the queue did not settle (round $1)"
}

sync_journal() {        # sync_journal TAG: wait until everything logged so far is in the journal
        in_ns logger -t mxtls-e2e "sync $1"
        wait_for 20 "journal sync $1" \
                bash -c "journalctl -D '$jdir' -t mxtls-e2e -o cat | grep -qx 'sync $1'"
}

expect() {              # expect ROUND: expectations from receivers, queue and delivery attempts
        journalctl -D "$jdir" -o json --no-pager >"$T/journal-$1.json"
        in_ns postqueue -j >"$T/queue-$1.json"
        $PY "$here/e2e.py" expect --events "$T/events.jsonl" --journal-json "$T/journal-$1.json" \
                --queue-json "$T/queue-$1.json" --round "$1" --postfix-version "$pf_version" \
                --tls-loglevel "$tls_loglevel" --policy "$T/postfix-etc/tls_policy" \
                >"$T/expected-$1.json" ||
                fail "the harness's own consistency checks failed (round $1)"
        $PY - "$T/expected-$1.json" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))
t = e["totals"]
print("  expected totals: delivered %d (tls %d, plaintext %d), tls_failed %d, other_failed %d, %s"
      % (t["delivered"], t["tls"], t["plaintext"], t["tls_failed"], t["other_failed"],
         t["by_protocol"]))
i = e["info"]
print("  %d TLS deliveries over %d connections through tlsproxy (logged twice each)"
      % (i["tls_deliveries_over_tlsproxy"], i["tlsproxy_connections"]))
print("  expected by_level: %s" % (t["by_level"] or "{} (no tls= field)"))
print("  logged (status tls=): %s" % ", ".join("%s: %d" % kv for kv in i["logged_tls_tokens"].items()))
EOF
}

mxtls_failures=0
check() {               # check DESCRIPTION COMMAND...: run, record failure, go on
        local what=$1
        shift
        if "$@"; then
                say "ok: $what"
        else
                say "NOT OK: $what"
                mxtls_failures=$((mxtls_failures + 1))
        fi
}

collect_and_compare() {  # collect_and_compare STORE ROUND TAG
        local db=$1 r=$2 tag=$3
        if ! "$MXTLS_BIN" --state "$db" collect --directory "$jdir" >"$T/collect-$tag.log" 2>&1; then
                sed 's/^/  | /' "$T/collect-$tag.log"
                return 1
        fi
        "$MXTLS_BIN" --state "$db" report --format json --days 2 >"$T/report-$tag.json" \
                2>"$T/report-$tag.err" || { sed 's/^/  | /' "$T/report-$tag.err"; return 1; }
        $PY "$here/e2e.py" compare "$T/expected-$r.json" "$T/report-$tag.json"
}

send_round 1
settle 1
sync_journal 1
expect 1
check "collect + report after round 1" collect_and_compare "$T/mxtls.db" 1 round1

# Round 2: retry the deferred mail, then new mail; the same store again.
since=$(date +%s.%N)
in_ns postqueue -f
settle 1 "$since"
send_round 2
settle 2
sync_journal 2
expect 2
check "second collect adds exactly round 2 (cursor)" collect_and_compare "$T/mxtls.db" 2 round2
check "a collect with nothing new changes nothing" collect_and_compare "$T/mxtls.db" 2 round2-again
check "a fresh store over the whole journal" collect_and_compare "$T/fresh.db" 2 fresh

# ---------------------------------------------------------------- advise, audit
policy=$T/postfix-etc/tls_policy        # $pf_etc/tls_policy inside
cp "$policy" "$T/tls_policy.orig"
audit_check() {         # audit_check TAG [in_ns] -- MXTLS-OPTIONS...
        local tag=$1 rc=0 ns=
        shift
        if [[ $1 = in_ns ]]; then ns=in_ns; shift; fi
        if [[ $1 = -- ]]; then shift; fi
        $ns "$MXTLS_BIN" --state "$T/mxtls.db" audit --format json "$@" \
                >"$T/audit-$tag.json" 2>"$T/audit-$tag.err" || rc=$?
        $PY "$here/e2e.py" audit-check --status "$rc" "$T/audit-$tag.json" ||
                { sed 's/^/  | /' "$T/audit-$tag.err"; return 1; }
}
advise_check() {
        "$MXTLS_BIN" --state "$T/mxtls.db" advise --policy "$policy" --format postmap \
                --template "$here/advise-template.yaml" --output "$T/suggested" \
                2>"$T/advise.err" || { sed 's/^/  | /' "$T/advise.err"; return 1; }
        in_ns postmap "hash:$T/suggested" || return 1
        $PY "$here/e2e.py" advise-check "$T/suggested" "$policy" "$T/expected-2.json"
}
merge_check() {         # merge the advice into the live map: other lines kept, idempotent
        local m=("$MXTLS_BIN" --state "$T/mxtls.db" advise --policy "$policy"
                 --template "$here/advise-template.yaml" --merge "$policy")
        "${m[@]}" 2>"$T/merge.err" || { sed 's/^/  | /' "$T/merge.err"; return 1; }
        cmp -s -n "$(stat -c %s "$T/tls_policy.orig")" "$T/tls_policy.orig" "$policy" ||
                { echo "  the lines before the mxtls section changed"; return 1; }
        cp "$policy" "$T/tls_policy.merged"
        "${m[@]}" 2>>"$T/merge.err" || return 1
        cmp -s "$policy" "$T/tls_policy.merged" ||
                { echo "  a second merge changed the map"; diff "$T/tls_policy.merged" "$policy"; return 1; }
        in_ns postmap "hash:$pf_etc/tls_policy" || return 1
        # Every proposed domain is at its proposed level in the live map. At
        # smtp_tls_loglevel 0 only tlsproxy connections show trust and
        # protocol, so tls13.test (in-process TLS) is proposed at loglevel 1 only.
        local key value n=0
        while read -r key value; do
                [[ -z $key || $key = \#* ]] && continue
                n=$((n + 1))
                [[ $(in_ns postmap -q "$key" "hash:$pf_etc/tls_policy") = "$value" ]] ||
                        { echo "  $key is not at the proposed level \"$value\""; return 1; }
        done <"$T/suggested"
        if [[ $tls_loglevel != 0 ]]; then
                [[ $(in_ns postmap -q tls13.test "hash:$pf_etc/tls_policy") = "encrypt protocols=>=TLSv1.2" ]] ||
                        { echo "  tls13.test is not at the proposed level"; return 1; }
        fi
        say "  the live map has the $n proposed entries"
}
check "audit with --policy flags the policy problems" \
        audit_check policy -- --policy "$policy" --default-level may
check "audit finds the map and default level through postconf" audit_check postconf in_ns --
check "advise proposes exactly the qualifying domains; postmap accepts them" advise_check
check "advise --merge keeps the map's own lines and is idempotent" merge_check

# Round 3: the merged advice is live; mail to the upgraded domains still
# leaves, over TLS, and is counted.
if [[ -s $T/tls_policy.merged ]]; then
        in_ns postfix reload >/dev/null 2>&1 || fail "postfix reload"
        send_round 3
        settle 3
        sync_journal 3
        expect 3
        check "collect + report after mail under the merged policy" \
                collect_and_compare "$T/mxtls.db" 3 round3
fi

say "$((mxtls_failures)) mxtls check(s) failed"
[[ $mxtls_failures -eq 0 ]] || exit 1
say "PASS"

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
#   * Postfix with tests/e2e/postfix/ mounted over /etc/postfix and its queue
#     in the temporary directory: smtp_tls_loglevel 1, a CA file, a TLS policy
#     map (encrypt toward a server without STARTTLS, secure toward a
#     certificate that does not verify, secure that does, connection_reuse),
#     connection caching, and a second transport that reuses TLS connections
#     through tlsproxy.
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
# Needs root (namespaces, Postfix) and the test packages (tools/deps.sh --test);
# exit 77 otherwise. MXTLS_E2E_KEEP=1 keeps the temporary directory.
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

# ---------------------------------------------------------------- work area
T=$(mktemp -d /tmp/mxtls-e2e.XXXXXX)
chmod 0755 "$T"
pids=()
ns_ready=0

in_ns() { nsenter --mount="$T/ns/mnt" --net="$T/ns/net" "$@"; }

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

cp -a /etc/postfix/. "$T/postfix-etc/"
rm -f "$T/postfix-etc/"*.db "$T/postfix-etc/"*.lmdb
cp "$here/postfix/main.cf" "$here/postfix/master.cf" "$T/postfix-etc/"
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
in_ns /bin/bash -euo pipefail -c '
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
mount --bind "$T/postfix-etc" /etc/postfix
mount --bind "$T/spool" /var/spool/postfix
mount --bind "$T/postfix-lib" /var/lib/postfix
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

in_ns /lib/systemd/systemd-journald >"$T/journald.log" 2>&1 &
pids+=($!)
wait_for 10 "journald" in_ns test -S /run/systemd/journal/dev-log
jdir=$T/journal
in_ns logger -t mxtls-e2e "journal ready"
wait_for 10 "the first journal entry" \
        bash -c "journalctl -D '$jdir' -t mxtls-e2e -o cat | grep -q 'journal ready'"
say "journald $jdir"

mapfile -t dns_args < <($PY "$here/e2e.py" dnsmasq-args)
in_ns dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
        --no-poll --bind-interfaces --listen-address=127.0.0.1 --port=53 \
        --local=/test/ --local=/invalid/ --pid-file= --log-facility="$T/dnsmasq.log" \
        "${dns_args[@]}" &
pids+=($!)
wait_for 10 "dnsmasq" in_ns $PY -c 'import socket; socket.gethostbyname("mx.tls13.test")'

in_ns $PY "$here/receiver.py" "$T/receivers.json" "$T/events.jsonl" "$T/receivers.ready" \
        2>"$T/receiver.log" &
pids+=($!)
wait_for 10 "the SMTP receivers" test -s "$T/receivers.ready"

in_ns postmap hash:/etc/postfix/tls_policy || fail "postmap of the test's policy map"
in_ns postfix check 2>&1 | sed 's/^/  postfix check: /' || true
in_ns postfix start >"$T/postfix-start.log" 2>&1 ||
        { cat "$T/postfix-start.log"; fail "postfix start"; }
wait_for 20 "the Postfix master" test -s "$T/spool/pid/master.pid"
say "postfix $(in_ns postconf -h mail_version) running"

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
                --queue-json "$T/queue-$1.json" --round "$1" >"$T/expected-$1.json" ||
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
policy=$T/postfix-etc/tls_policy        # /etc/postfix/tls_policy inside
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
        in_ns postmap hash:/etc/postfix/tls_policy || return 1
        [[ $(in_ns postmap -q tls13.test hash:/etc/postfix/tls_policy) = "encrypt protocols=>=TLSv1.2" ]] ||
                { echo "  tls13.test is not at the proposed level"; return 1; }
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

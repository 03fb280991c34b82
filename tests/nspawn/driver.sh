#!/bin/bash
# driver.sh - the checks of tests/test-systemd-live.sh, run inside the booted
# container by mxtls-live-driver.service (Type=simple, so the boot transaction
# never waits for it; the script waits for the boot itself).
#
# Writes to the directory the host bound at /mxtls-results:
#   started   when the driver began (proof that the container booted)
#   driver.log   everything below, for the test's log
#   tap       one "ok - ..." / "not ok - ..." line per check
#   done      "PASS FAIL" once the driver got to its end
# then powers the container off. Expected delivery counts come from what the
# receivers recorded (tests/e2e/receiver.py), never from mxtls' output.
#
# Checks, by letter: install (dpkg -i; timer enabled and active at once);
# a quiet host; b mail through Postfix; c the run after it; d a run with
# nothing new, then more mail; e the timer; f systemd-analyze security;
# g node_exporter; h no error lines in the unit's journal; i the journal
# flushed to /var/log/journal; j "mxtls collect" as root between runs.
# The checks call functions through check() and single-quote bash -c bodies.
# shellcheck disable=SC2016,SC2317
set -uo pipefail

R=/mxtls-results
L=/usr/local/lib/mxtls-live
W=/var/tmp/mxtls-live
UNIT=mxtls-collect.service
DB=/var/lib/mxtls/mxtls.db
SUGG=/var/lib/mxtls/tls_policy.suggested
PROM=/var/lib/mxtls/mxtls.prom
NE_DIR=/var/lib/prometheus/node-exporter
# Recipient domains, where Postfix sends them, how many messages per round.
TLS_DOM=starttls.test TLS_ADDR=192.0.2.10
PLAIN_DOM=nostarttls.test PLAIN_ADDR=198.51.100.20
ROUND1_TLS=3 ROUND1_PLAIN=2 ROUND2_TLS=2 ROUND2_PLAIN=1

exec >>"$R/driver.log" 2>&1
date +%s >"$R/started"
t0=$(date +%s)
pass=0
fail=0
sent=0

say() { printf '[container %3ds] %s\n' $(( $(date +%s) - t0 )) "$*"; }
ok() { echo "ok - $*" | tee -a "$R/tap"; pass=$((pass + 1)); }
notok() { echo "not ok - $*" | tee -a "$R/tap"; fail=$((fail + 1)); }
check() {               # check NAME COMMAND...
        local name=$1
        shift
        if "$@"; then ok "$name"; else notok "$name"; fi
}
indent() { sed 's/^/  | /'; }

finish() {
        set +e
        say "driver done: $pass passed, $fail failed"
        echo "$pass $fail" >"$R/done"
        sync
        systemctl poweroff --no-block
}
trap finish EXIT

wait_for() {            # wait_for SECONDS COMMAND...
        local n=$(( $1 * 10 )) i
        shift
        for ((i = 0; i < n; i++)); do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.1
        done
        return 1
}

# ---------------------------------------------------------------- boot
state=$(timeout 180 systemctl is-system-running --wait 2>&1)
say "system state after boot: $state (systemd $(systemctl --version | sed -n '1s/^systemd //p'))"
if [[ $state != running ]]; then
        systemctl --failed --no-pager --no-legend | indent
fi
mkdir -p "$W"

# ---------------------------------------------------------------- install
say "dpkg -i $(basename "$(readlink -f /root/mxtls.deb)")"
if DEBIAN_FRONTEND=noninteractive dpkg -i /root/mxtls.deb >"$W/dpkg.log" 2>&1; then
        ok "install: dpkg -i in the running system"
else
        indent <"$W/dpkg.log"
        notok "install: dpkg -i in the running system"
        exit 1
fi
indent <"$W/dpkg.log"
timer_state() {
        local en act
        en=$(systemctl is-enabled mxtls-collect.timer 2>&1)
        act=$(systemctl is-active mxtls-collect.timer 2>&1)
        say "mxtls-collect.timer: $en, $act"
        [[ $en = enabled && $act = active ]]
}
check "install: mxtls-collect.timer is enabled and active right after dpkg -i" timer_state
unit_state() {
        local a
        a=$(systemctl is-active "$UNIT")
        say "$UNIT after install: $a, Result=$(systemctl show -P Result "$UNIT")"
        [[ $a = inactive ]]
}
check "install: dpkg -i did not run $UNIT itself" unit_state

# run_service TAG: one "systemctl start", which must be a new, successful run
run_service() {
        local tag=$1 before after rc=0 result status code
        # A run the timer started: let it finish, so that "start" does not
        # merely join it.
        while [[ $(systemctl show -P ActiveState "$UNIT") = activating ]]; do
                say "$tag: a run started by the timer is in progress; waiting for it"
                sleep 1
        done
        before=$(systemctl show -P InvocationID "$UNIT")
        local s=$SECONDS
        systemctl start "$UNIT" || rc=$?
        after=$(systemctl show -P InvocationID "$UNIT")
        result=$(systemctl show -P Result "$UNIT")
        status=$(systemctl show -P ExecMainStatus "$UNIT")
        code=$(systemctl show -P ExecMainCode "$UNIT")
        say "$tag: systemctl start rc=$rc in $((SECONDS - s))s, Result=$result ExecMainCode=$code ExecMainStatus=$status"
        journalctl -q -u "$UNIT" _SYSTEMD_INVOCATION_ID="$after" -o cat --no-pager | indent
        [[ $rc = 0 && $result = success && $status = 0 && -n $after && $after != "$before" ]]
}

filestamp() { stat -c '%i %.9Y %s' "$1" 2>/dev/null || echo missing; }

report() {              # report FILE: mxtls report --format json as root, default store
        mxtls report --format json >"$1" 2>"$1.err" || { indent <"$1.err"; return 1; }
}

errors_in_journal() {
        local e
        e=$(journalctl -q -u "$UNIT" -p err --no-pager)
        if [[ -n $e ]]; then
                indent <<<"$e"
                return 1
        fi
        say "journalctl -u mxtls-collect -p err: empty"
}

# ---------------------------------------------------------------- a: quiet host
say "journal before any mail: $(journalctl -q -o cat SYSLOG_IDENTIFIER=postfix/smtp | wc -l) postfix/smtp records"
check "a: quiet host: systemctl start $UNIT succeeds (Result=success, ExecMainStatus=0)" \
        run_service quiet
not_degraded() {
        local s
        s=$(systemctl is-system-running)
        say "system state: $s"
        [[ $s = running ]] || { systemctl --failed --no-pager --no-legend | indent; return 1; }
}
check "a: quiet host: the system is running, not degraded" not_degraded
empty_suggestions() {
        local out
        [[ -f $SUGG ]] || return 1
        out=$(python3 "$L/live.py" suggested "$SUGG") || return 1
        echo "$out"
        [[ $out = *": 0 entries" ]]
}
check "a: quiet host: $SUGG exists and is a valid, empty map source" empty_suggestions
check "a: quiet host: $PROM exists, parses, all counts 0" python3 "$L/live.py" prom "$PROM" zero
check "h: quiet run: journalctl -u mxtls-collect -p err is empty" errors_in_journal

# ---------------------------------------------------------------- b: mail
say "mail: receivers on $TLS_ADDR (STARTTLS, self-signed) and $PLAIN_ADDR (no STARTTLS)"
setup_mail() {
        ip addr add "$TLS_ADDR/32" dev lo || return 1
        ip addr add "$PLAIN_ADDR/32" dev lo || return 1
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
                -keyout "$W/self.key" -out "$W/self.crt" -days 2 -subj "/CN=mx.$TLS_DOM" \
                -addext "subjectAltName=DNS:mx.$TLS_DOM" 2>"$W/openssl.log" ||
                { indent <"$W/openssl.log"; return 1; }
        cat >"$W/receivers.json" <<EOF
{"listeners": [
 {"name": "starttls", "addr": "$TLS_ADDR", "port": 25, "mode": "tls",
  "cert": "$W/self.crt", "key": "$W/self.key", "min": null, "max": null},
 {"name": "plain", "addr": "$PLAIN_ADDR", "port": 25, "mode": "plain"}
]}
EOF
        python3 "$L/receiver.py" "$W/receivers.json" "$W/events.jsonl" "$W/receivers.ready" \
                2>"$W/receiver.log" &
        wait_for 20 test -s "$W/receivers.ready" || { indent <"$W/receiver.log"; return 1; }

        cat >/etc/postfix/main.cf <<EOF
# Written by the mxtls live test: send everything to the test's receivers.
compatibility_level = 3.6
myhostname = mta.live.test
mydomain = live.test
myorigin = sender.invalid
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
alias_maps =
alias_database =
local_transport = error:local delivery is disabled
append_dot_mydomain = no
smtputf8_enable = no
biff = no
transport_maps = texthash:/etc/postfix/transport
smtp_tls_security_level = may
smtp_tls_loglevel = 1
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtp_connect_timeout = 5s
queue_run_delay = 300s
minimal_backoff_time = 300s
delay_warning_time = 0h
EOF
        cat >/etc/postfix/transport <<EOF
sender.invalid discard:
$TLS_DOM smtp:[$TLS_ADDR]:25
$PLAIN_DOM smtp:[$PLAIN_ADDR]:25
EOF
        postfix check 2>&1 | indent
        systemctl restart postfix.service || return 1
        wait_for 30 postfix status || { systemctl status --no-pager 'postfix*' | indent; return 1; }
        say "postfix $(postconf -h mail_version) running, master PID $(tr -dc 0-9 </var/spool/postfix/pid/master.pid)"
}

send() {                # send DOMAIN COUNT ROUND
        local i
        for ((i = 1; i <= $2; i++)); do
                printf 'From: <sender@sender.invalid>\nTo: <r%s-m%s@%s>\nSubject: mxtls live %s\n\nround %s\n' \
                        "$3" "$i" "$1" "$3" "$3" |
                        sendmail -f sender@sender.invalid -- "r$3-m$i@$1" || return 1
                sent=$((sent + 1))
        done
}

sync_journal() {        # everything logged so far is in the journal
        logger -t mxtls-live "sync $1"
        wait_for 20 bash -c "journalctl -q -t mxtls-live -o cat | grep -qx 'sync $1'"
}

# mail_round ROUND NTLS NPLAIN: send, wait until delivered, write expected-ROUND.json
mail_round() {
        send "$TLS_DOM" "$2" "$1" && send "$PLAIN_DOM" "$3" "$1" || return 1
        say "round $1: $2 messages to $TLS_DOM, $3 to $PLAIN_DOM submitted ($sent so far)"
        python3 "$L/live.py" settle "$W/events.jsonl" "$sent" 120 || { postqueue -p | indent; return 1; }
        sync_journal "$1" || return 1
        python3 "$L/live.py" expected "$W/events.jsonl" "$TLS_DOM" "$PLAIN_DOM" >"$W/expected-$1.json" ||
                return 1
        say "receivers' record after round $1: $(cat "$W/expected-$1.json")"
}

# expect_round ROUND WANT_TLS_DOM_TLS WANT_PLAIN_DOM_PLAIN: the receivers got
# the mail as sent (TLS to the STARTTLS receiver, plaintext to the other)
receivers_got() {
        python3 - "$W/expected-$1.json" "$TLS_DOM" "$2" "$PLAIN_DOM" "$3" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))
t, nt, p, np_ = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
ok = (e[t]["delivered"] == nt and e[t]["tls"] == nt and
      e[p]["delivered"] == np_ and e[p]["plaintext"] == np_ and len(e) == 2)
if not ok:
        print("  receivers: %s; expected %s %d over TLS, %s %d plaintext" % (e, t, nt, p, np_))
sys.exit(0 if ok else 1)
EOF
}

if check "b: Postfix, receivers and TEST-NET addresses set up" setup_mail &&
   check "b: round 1 delivered: queue empty, receivers accepted all" \
        mail_round 1 "$ROUND1_TLS" "$ROUND1_PLAIN" &&
   check "b: round 1: $TLS_DOM over TLS ($ROUND1_TLS), $PLAIN_DOM plaintext ($ROUND1_PLAIN), per the receivers" \
        receivers_got 1 "$ROUND1_TLS" "$ROUND1_PLAIN"; then
        mail1=1
else
        mail1=0
fi
say "postfix/smtp records in the journal: $(journalctl -q -o cat SYSLOG_IDENTIFIER=postfix/smtp | wc -l)"
journalctl -q -o cat SYSLOG_IDENTIFIER=postfix/smtp | head -20 | indent

# ---------------------------------------------------------------- c: collect
s_before=$(filestamp "$SUGG")
p_before=$(filestamp "$PROM")
check "c: after mail: systemctl start $UNIT succeeds" run_service round1
check "c: the store $DB exists" test -s "$DB"
compare() {             # compare ROUND TAG
        report "$W/report-$2.json" &&
                python3 "$L/live.py" compare "$W/expected-$1.json" "$W/report-$2.json"
}
if [[ $mail1 = 1 ]]; then
        check "c: mxtls report --format json: delivered/tls/plaintext per domain = the receivers' record" \
                compare 1 round1
else
        notok "c: mxtls report --format json matches the receivers (no mail was delivered)"
fi
rewritten() {           # rewritten FILE STAMP-BEFORE
        local now
        now=$(filestamp "$1")
        say "$1: before [$2], after [$now]"
        [[ $now != missing && $now != "$2" ]]
}
suggestions_rewritten() {
        rewritten "$SUGG" "$s_before" && python3 "$L/live.py" suggested "$SUGG"
}
check "c: $SUGG rewritten and valid" suggestions_rewritten
check "c: $PROM rewritten" rewritten "$PROM" "$p_before"
if [[ $mail1 = 1 ]]; then
        check "c: $PROM has the delivery counts of the receivers" \
                python3 "$L/live.py" prom "$PROM" "$W/expected-1.json"
fi

# ---------------------------------------------------------------- d: again
check "d: a second run with no new mail succeeds" run_service again
if [[ $mail1 = 1 ]]; then
        check "d: a second run with no new mail counts nothing twice" compare 1 again
        if check "d: round 2 delivered ($ROUND2_TLS + $ROUND2_PLAIN more)" \
                mail_round 2 "$ROUND2_TLS" "$ROUND2_PLAIN" &&
           check "d: round 2: the receivers now have $((ROUND1_TLS + ROUND2_TLS)) over TLS, $((ROUND1_PLAIN + ROUND2_PLAIN)) plaintext" \
                receivers_got 2 $((ROUND1_TLS + ROUND2_TLS)) $((ROUND1_PLAIN + ROUND2_PLAIN)); then
                check "d: run after round 2 succeeds" run_service round2
                check "d: counts grew by exactly round 2" compare 2 round2
                check "d: $PROM follows" python3 "$L/live.py" prom "$PROM" "$W/expected-2.json"
        fi
fi
check "h: quiet and normal runs: journalctl -u mxtls-collect -p err is empty" errors_in_journal

# ---------------------------------------------------------------- e: timer
timer_listed() {
        local l
        systemctl list-timers --all --no-pager | indent
        l=$(systemctl list-timers --all --no-pager --no-legend mxtls-collect.timer)
        [[ $l = *mxtls-collect.timer*mxtls-collect.service* ]]
}
check "e: systemctl is-active mxtls-collect.timer = active" \
        bash -c '[[ $(systemctl is-active mxtls-collect.timer) = active ]]'
check "e: systemctl list-timers shows mxtls-collect.timer" timer_listed

# ---------------------------------------------------------------- f: security
security() {
        local out score
        out=$(systemd-analyze security --no-pager "$UNIT" 2>&1)
        grep -v '^✓' <<<"$out" | indent
        score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
        say "live exposure of $UNIT: ${score:-unknown}"
        echo "${score:-unknown}" >"$R/exposure"
        [[ -n $score ]] && python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= 0.4 else 1)' "$score"
}
check "f: systemd-analyze security $UNIT: overall exposure <= 0.4" security

# ---------------------------------------------------------------- g: node_exporter
EX=/usr/share/doc/mxtls/examples/node-exporter.conf
check "g: prometheus-node-exporter.service is active" \
        bash -c '[[ $(systemctl is-active prometheus-node-exporter.service) = active ]]'
dropin() {
        mkdir -p /etc/systemd/system/mxtls-collect.service.d || return 1
        if [[ -f $EX ]]; then
                cp "$EX" /etc/systemd/system/mxtls-collect.service.d/node-exporter.conf
        else
                say "$EX is missing: $(ls /usr/share/doc/mxtls/examples/ 2>&1)"
                return 1
        fi
        indent <"$EX"
        systemctl daemon-reload
}
check "g: the example drop-in $EX installed, daemon-reload" dropin
rm -f "$NE_DIR/mxtls.prom"
check "g: run with the drop-in succeeds" run_service node-exporter
prom_readable() {
        local f=$NE_DIR/mxtls.prom
        say "$(stat -c '%A %U:%G %n' "$NE_DIR" "$f" 2>&1 | tr '\n' ';')"
        [[ -f $f ]] && runuser -u prometheus -- cat "$f" >/dev/null
}
check "g: $NE_DIR/mxtls.prom exists and user prometheus can read it" prom_readable
check "g: node_exporter /metrics: node_textfile_scrape_error 0, mxtls_ metrics present" \
        python3 "$L/live.py" scrape http://127.0.0.1:9100/metrics mxtls.prom
# ---------------------------------------------------------------- i: persistent journal
# Debian's journald keeps the journal in /run until /var/log/journal exists;
# the flush moves everything collected so far into persistent files. The
# stored position must still hold: nothing counted twice, new mail counted.
persistent() {
        mkdir -p /var/log/journal &&
                systemd-tmpfiles --create --prefix /var/log/journal &&
                journalctl --flush || return 1
        say "journal files: $(find /run/log/journal /var/log/journal -name '*.journal' | tr '\n' ' ')"
        [[ -n $(find /var/log/journal -name 'system.journal') ]]
}
if [[ $mail1 = 1 ]] && check "i: journal flushed to persistent storage (/var/log/journal)" persistent; then
        check "i: run after the flush succeeds" run_service flushed
        check "i: after the flush: nothing counted twice" compare 2 flushed
        if check "i: round 3 delivered (1 + 1 more)" mail_round 3 1 1; then
                check "i: run after round 3 succeeds" run_service round3
                check "i: counts grew by exactly round 3" compare 3 round3
        fi
fi

# ---------------------------------------------------------------- j: root's collect
# README: as root, mxtls uses the same store. A manual "mxtls collect" as
# root between two service runs must not leave anything the service's
# dynamic user cannot use, nor make it count anything twice.
root_collect() {
        mxtls collect >"$W/root-collect.log" 2>&1 || { indent <"$W/root-collect.log"; return 1; }
        indent <"$W/root-collect.log"
        find /var/lib/private/mxtls -mindepth 1 -printf '%M %U:%G %s %f\n' | indent
}
if [[ $mail1 = 1 ]] && check "j: round 4 delivered (1 + 1 more)" mail_round 4 1 1; then
        check "j: mxtls collect as root (default store) succeeds" root_collect
        check "j: after root's collect: counts grew by exactly round 4" compare 4 root
        check "j: the service's next run succeeds" run_service after-root
        check "j: after the service's run: nothing counted twice" compare 4 after-root
fi

timer_runs() {
        local t
        t=$(systemctl show -P LastTriggerUSec mxtls-collect.timer)
        say "mxtls-collect.timer last triggered: ${t:-never}"
}
timer_runs
# For the log: is IPAddressDeny= enforced here (BPF, --system-call-filter=bpf)?
# A transient service denied all addresses must not reach node_exporter.
probe='import socket; socket.create_connection(("127.0.0.1", 9100), 3)'
if ! systemd-run -q -G --wait --pipe python3 -c "$probe" 2>/dev/null; then
        say "IPAddressDeny= probe: 127.0.0.1:9100 unreachable even without it; not known"
elif systemd-run -q -G --wait --pipe -p IPAddressDeny=any python3 -c "$probe" 2>/dev/null; then
        say "IPAddressDeny= is NOT enforced in this container (no BPF firewalling)"
else
        say "IPAddressDeny= is enforced in this container (a denied service cannot connect)"
fi

check "h: all runs: journalctl -u mxtls-collect -p err is empty" errors_in_journal
check "the system is still running, not degraded" not_degraded

say "the unit's journal:"
journalctl -q -u "$UNIT" --no-pager -o short-monotonic | indent
exit 0

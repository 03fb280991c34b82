#!/bin/bash
# test-config-keys - every key of mxtls.yaml(5) is used: for each key, a
# configuration that sets it to a non-default value changes an observable
# behaviour of the mxtls binary, compared with the same run on an empty
# configuration (all defaults). A key that is silently ignored fails its case.
#
# The keys come from the schema, the CYAML_FIELD_...("key", ...) lines of
# common/config.c. The test fails when a schema key has no case below (a key
# added later needs one), when a case names a key that is not in the schema,
# and when mxtls.yaml.example ("#key:") or man/mxtls.yaml.5 (".BI key:")
# documents a key that is not in the schema, or misses one that is.
#
# Everything runs on journal files written from small fixtures (see
# make-journal.sh); a stand-in postconf on $PATH answers nothing, so that no
# map of the host is read; STATE_DIRECTORY points the default store into the
# temporary directory. local_only needs a private mount namespace (unshare)
# to give mxtls a local journal of its own; it is skipped where there is none.
set -euo pipefail

src=${MXTLS_SOURCE_ROOT:?}
bin=${MXTLS_BIN:?}
# shellcheck source=tests/lib.sh
. "$src/tests/lib.sh"
need_journal_remote
need_cmd perl flock
tmp=$(mktemp -d)
holder=
cleanup() {
        [[ -n $holder ]] && kill "$holder" 2> /dev/null || true
        [[ -n $holder ]] && wait "$holder" 2> /dev/null || true
        rm -rf "$tmp"
}
trap cleanup EXIT
export TZ=UTC
export STATE_DIRECTORY=$tmp/statedir
mkdir -p "$tmp/bin" "$STATE_DIRECTORY"
printf '#!/bin/sh\n# stand-in: no main.cf parameter is set\nexit 0\n' > "$tmp/bin/postconf"
chmod +x "$tmp/bin/postconf"
export PATH="$tmp/bin:$PATH"

mj() { bash "$src/tests/make-journal.sh" "$@"; }
# conf NAME [LINE...] - $tmp/NAME.yaml with these lines; "conf default" is empty
conf() {
        local name=$1
        shift
        : > "$tmp/$name.yaml"
        local l
        for l in "$@"; do printf '%s\n' "$l" >> "$tmp/$name.yaml"; done
}
# mx CONF ARGS... - mxtls with $tmp/CONF.yaml
mx() {
        local c=$1
        shift
        "$bin" --config "$tmp/$c.yaml" "$@"
}
# show FILE... - diagnostics, indented
show() {
        local f
        for f in "$@"; do
                echo "    --- $f"
                sed 's/^/    /' "$f" 2> /dev/null || true
        done
}
json_get() {    # FILE PERL-EXPR on $j
        perl -MJSON::PP -0ne 'my $j = decode_json($_); print '"$2"', "\n"' "$1"
}
days_between() {        # FROM TO - days in the window, both ends included
        echo $(( ($(date -u -d "$2" +%s) - $(date -u -d "$1" +%s)) / 86400 + 1 ))
}
conf default

# --- fixtures ---------------------------------------------------------------------
# keys.txt: four deliveries whose outcome depends on the correlation keys.
#   alpha: its TLS line, then beta's session opens, then alpha delivers
#          (max_sessions: 1 drops alpha's session: plaintext)
#   gamma: delivered 5 minutes after its TLS line (session_idle_seconds: 60: plaintext)
#   delta: relayed to a content filter on 192.0.2.99 (internal_relays: internal)
cat > "$tmp/keys.txt" << 'EOF'
2024-03-04T08:00:00Z mx1 b1 postfix/smtp 100 Trusted TLS connection established to mx.alpha.example[192.0.2.1]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
2024-03-04T08:00:01Z mx1 b1 postfix/smtp 101 Trusted TLS connection established to mx.beta.example[192.0.2.2]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
2024-03-04T08:00:02Z mx1 b1 postfix/smtp 100 1A2B3C4D01: to=<a@alpha.example>, relay=mx.alpha.example[192.0.2.1]:25, delay=0.4, delays=0.01/0.01/0.2/0.18, dsn=2.0.0, status=sent (250 ok)
2024-03-04T08:00:03Z mx1 b1 postfix/smtp 101 1A2B3C4D02: to=<b@beta.example>, relay=mx.beta.example[192.0.2.2]:25, delay=0.4, delays=0.01/0.01/0.2/0.18, dsn=2.0.0, status=sent (250 ok)
2024-03-04T08:10:00Z mx1 b1 postfix/smtp 102 Trusted TLS connection established to mx.gamma.example[192.0.2.3]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
2024-03-04T08:15:00Z mx1 b1 postfix/smtp 102 1A2B3C4D03: to=<c@gamma.example>, relay=mx.gamma.example[192.0.2.3]:25, delay=300, delays=0.01/0.01/0.2/299, dsn=2.0.0, status=sent (250 ok)
2024-03-04T08:20:00Z mx1 b1 postfix/smtp 103 1A2B3C4D04: to=<d@delta.example>, relay=filter.mx1[192.0.2.99]:10024, delay=0.4, delays=0.01/0.01/0.2/0.18, dsn=2.0.0, status=sent (250 ok)
EOF
mj "$tmp/keys.txt" "$tmp/keys.journal"
# The same records from an SMTP client whose syslog_name no default pattern matches.
sed 's# postfix/smtp # mta-out/smtp #' "$tmp/keys.txt" > "$tmp/ident.txt"
mj "$tmp/ident.txt" "$tmp/ident.journal"
# One delivery to local.example, for the journal of "this machine" (local_only).
cat > "$tmp/local.txt" << 'EOF'
2024-03-04T09:00:00Z mx1 b1 postfix/smtp 200 Trusted TLS connection established to mx.local.example[192.0.2.50]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
2024-03-04T09:00:01Z mx1 b1 postfix/smtp 200 1A2B3C4D05: to=<e@local.example>, relay=mx.local.example[192.0.2.50]:25, delay=0.4, delays=0.01/0.01/0.2/0.18, dsn=2.0.0, status=sent (250 ok)
EOF
mj "$tmp/local.txt" "$tmp/local.journal"

# sample.txt moved to end in the last day: a store for report and advise.
fx=$src/tests/fixtures/sample.txt
shift_days=$(mj --shift-for "$fx")
mj --shift-days "$shift_days" "$fx" "$tmp/sample.journal"
mx default --state "$tmp/sample.db" collect --file "$tmp/sample.journal" 2> "$tmp/sample-collect.log"
# ... and moved to end ten days ago (retention_days).
mj --shift-days $((shift_days - 10)) "$fx" "$tmp/old.journal"

# A template that proposes every fully encrypted domain after one delivery, so
# that a one-day store has proposals (exclude_domains, policy_file).
mkdir -p "$tmp/tpl"
cat > "$tmp/tpl/easy.yaml" << 'EOF'
name: easy
description: encrypt after one delivery
window_days: 30
min_deliveries: 1
min_days: 1
min_tls_share: 100
max_tls_failures: 0
propose:
  level: encrypt
EOF
# proposed FILE - the domains of the map lines of an advise output
proposed() { grep -v '^#' "$1" | awk 'NF { print $1 }' | sort | tr '\n' ' '; }
# row FILE DOMAIN - the outcome of DOMAIN in the rows of collect --dry-run
row() { awk -F'\t' -v d="$2" '$3 == d { print $9 }' "$1"; }

# --- one case per key ---------------------------------------------------------------
# Each case_KEY sets $what (the observable) and returns 0 when the key changed it.

case_state_file() {
        what="collect and report without --state use the store at state_file, not the default path"
        conf k "state_file: $tmp/sf/custom.db"
        mx default collect --file "$tmp/sample.journal" 2> "$tmp/sf-default.log" || { show "$tmp/sf-default.log"; return 1; }
        [[ -s $STATE_DIRECTORY/mxtls.db && ! -e $tmp/sf/custom.db ]] ||
                { echo "    default run: want $STATE_DIRECTORY/mxtls.db only"; return 1; }
        rm -f "$STATE_DIRECTORY"/mxtls.db*
        mx k collect --file "$tmp/sample.journal" 2> "$tmp/sf-key.log" || { show "$tmp/sf-key.log"; return 1; }
        [[ -s $tmp/sf/custom.db && ! -e $STATE_DIRECTORY/mxtls.db ]] ||
                { echo "    state_file run: want $tmp/sf/custom.db only"; ls -la "$tmp/sf" "$STATE_DIRECTORY" 2>&1 | sed 's/^/    /'; return 1; }
        # and report reads the store there
        mx k report --format json > "$tmp/sf-report.json" 2> "$tmp/sf-report.log" || { show "$tmp/sf-report.log"; return 1; }
        [[ $(json_get "$tmp/sf-report.json" '$j->{totals}{delivered}') -gt 0 ]] || { show "$tmp/sf-report.json"; return 1; }
}

case_identifiers() {
        what="records of SYSLOG_IDENTIFIER mta-out/smtp are collected only with identifiers: [mta-out/smtp]"
        conf k 'identifiers: [mta-out/smtp]'
        mx default collect --dry-run --file "$tmp/ident.journal" > "$tmp/id-default.out" 2> "$tmp/id-default.log" ||
                { show "$tmp/id-default.log"; return 1; }
        mx k collect --dry-run --file "$tmp/ident.journal" > "$tmp/id-key.out" 2> "$tmp/id-key.log" ||
                { show "$tmp/id-key.log"; return 1; }
        grep -q '^mxtls: no Postfix SMTP client records in the journal yet' "$tmp/id-default.log" &&
                [[ -z $(row "$tmp/id-default.out" alpha.example) ]] ||
                { echo "    default: mta-out/smtp should not match"; show "$tmp/id-default.log"; return 1; }
        grep -q ' 4 deliveries (tls 3, plaintext 1,' "$tmp/id-key.log" &&
                [[ $(row "$tmp/id-key.out" alpha.example) == tls ]] ||
                { show "$tmp/id-key.log" "$tmp/id-key.out"; return 1; }
}

case_directories() {
        what="collect without --file/--directory reads the journal files of directories"
        mkdir -p "$tmp/jdir"
        cp "$tmp/ident.journal" "$tmp/jdir/"
        conf k "directories: [$tmp/jdir]"
        # The default reads the local journal; --identifier (in both runs) keeps
        # that quick and empty: no host logs as mta-out/smtp.
        mx default collect --dry-run --identifier mta-out/smtp > "$tmp/dir-default.out" 2> "$tmp/dir-default.log" || true
        mx k collect --dry-run --identifier mta-out/smtp > "$tmp/dir-key.out" 2> "$tmp/dir-key.log" ||
                { show "$tmp/dir-key.log"; return 1; }
        [[ -z $(row "$tmp/dir-default.out" alpha.example) ]] ||
                { echo "    default run read the fixture"; return 1; }
        [[ $(row "$tmp/dir-key.out" alpha.example) == tls ]] &&
                grep -q "^# position journal:dir:$tmp/jdir:" "$tmp/dir-key.out" &&
                grep -q ' 4 deliveries ' "$tmp/dir-key.log" ||
                { show "$tmp/dir-key.log" "$tmp/dir-key.out"; return 1; }
}

# local_only selects SD_JOURNAL_LOCAL_ONLY for the local journal only; no file
# or directory option can show it. In a private mount namespace, tmpfs over
# /var/log (and /run/log) holds a journal of this machine (local.example) and
# one of another machine ID (the keys fixture).
case_local_only() {
        what="local journal: another machine's journal directory is read only with local_only: false"
        local mid
        mid=$(cat /etc/machine-id 2> /dev/null || true)
        if [[ ! $mid =~ ^[0-9a-f]{32}$ ]] || ! command -v unshare > /dev/null; then
                skip_reason="no /etc/machine-id or no unshare"
                return 0
        fi
        conf k 'local_only: false'
        cat > "$tmp/ns.sh" << 'EOF'
set -eu
mount -t tmpfs tmpfs /var/log || exit 77
if [ -d /run/log ]; then mount -t tmpfs tmpfs /run/log || exit 77; fi
mkdir -p "/var/log/journal/$MID" /var/log/journal/0123456789abcdef0123456789abcdef
cp "$T/local.journal" "/var/log/journal/$MID/system.journal"
cp "$T/keys.journal" /var/log/journal/0123456789abcdef0123456789abcdef/system.journal
for c in default k; do
        "$BIN" --config "$T/$c.yaml" collect --dry-run > "$T/lo-$c.out" 2> "$T/lo-$c.log" || echo "exit $?" >> "$T/lo-$c.log"
done
EOF
        local rc=0 ns=(unshare --mount --propagation private)
        [[ $(id -u) -eq 0 ]] || ns=(unshare --user --map-root-user --mount --propagation private)
        MID=$mid T=$tmp BIN=$bin "${ns[@]}" bash "$tmp/ns.sh" 2> "$tmp/ns.err" || rc=$?
        if [[ $rc -ne 0 ]]; then
                skip_reason="no private mount namespace here ($(head -c 200 "$tmp/ns.err" | tr '\n' ' '))"
                return 0
        fi
        [[ $(row "$tmp/lo-default.out" local.example) == tls && -z $(row "$tmp/lo-default.out" alpha.example) ]] ||
                { echo "    default: want this machine's journal only"; show "$tmp/lo-default.log" "$tmp/lo-default.out"; return 1; }
        [[ $(row "$tmp/lo-k.out" local.example) == tls && $(row "$tmp/lo-k.out" alpha.example) == tls ]] ||
                { echo "    local_only: false: want both journals"; show "$tmp/lo-k.log" "$tmp/lo-k.out"; return 1; }
}

case_internal_relays() {
        what="a delivery to 192.0.2.99:10024 is plaintext by default, internal with internal_relays: [192.0.2.99]"
        conf k 'internal_relays: [192.0.2.99]'
        mx default collect --dry-run --file "$tmp/keys.journal" > "$tmp/ir-default.out" 2> "$tmp/ir-default.log" || return 1
        mx k collect --dry-run --file "$tmp/keys.journal" > "$tmp/ir-key.out" 2> "$tmp/ir-key.log" || return 1
        [[ $(row "$tmp/ir-default.out" delta.example) == plaintext ]] &&
                grep -q ', internal 0)' "$tmp/ir-default.log" ||
                { show "$tmp/ir-default.log" "$tmp/ir-default.out"; return 1; }
        [[ $(row "$tmp/ir-key.out" delta.example) == internal ]] &&
                grep -q '(tls 3, plaintext 0, tls_failed 0, other_failed 0, internal 1)' "$tmp/ir-key.log" ||
                { show "$tmp/ir-key.log" "$tmp/ir-key.out"; return 1; }
}

case_retention_days() {
        what="deliveries of ten days ago are kept by default, pruned with retention_days: 5"
        conf k 'retention_days: 5'
        local c
        for c in default k; do
                mx "$c" --state "$tmp/ret-$c.db" collect --file "$tmp/old.journal" 2> "$tmp/ret-$c.log" ||
                        { show "$tmp/ret-$c.log"; return 1; }
                mx default --state "$tmp/ret-$c.db" report --format json --days 60 > "$tmp/ret-$c.json" ||
                        return 1
        done
        local d k
        d=$(json_get "$tmp/ret-default.json" '$j->{totals}{delivered}')
        k=$(json_get "$tmp/ret-k.json" '$j->{totals}{delivered}')
        [[ $d -gt 0 && $k -eq 0 ]] || { echo "    delivered: default $d, retention_days 5: $k"; return 1; }
}

case_session_idle_seconds() {
        what="a delivery 300 s after its TLS line is tls by default, plaintext with session_idle_seconds: 60"
        conf k 'session_idle_seconds: 60'
        mx default collect --dry-run --file "$tmp/keys.journal" > "$tmp/si-default.out" 2> "$tmp/si-default.log" || return 1
        mx k collect --dry-run --file "$tmp/keys.journal" > "$tmp/si-key.out" 2> "$tmp/si-key.log" || return 1
        [[ $(row "$tmp/si-default.out" gamma.example) == tls && $(row "$tmp/si-key.out" gamma.example) == plaintext &&
           $(row "$tmp/si-key.out" alpha.example) == tls ]] ||
                { show "$tmp/si-default.out" "$tmp/si-key.log" "$tmp/si-key.out"; return 1; }
}

case_max_sessions() {
        what="with two sessions open, the first one's delivery is tls by default, plaintext with max_sessions: 1"
        conf k 'max_sessions: 1'
        mx default collect --dry-run --file "$tmp/keys.journal" > "$tmp/ms-default.out" 2> "$tmp/ms-default.log" || return 1
        mx k collect --dry-run --file "$tmp/keys.journal" > "$tmp/ms-key.out" 2> "$tmp/ms-key.log" || return 1
        [[ $(row "$tmp/ms-default.out" alpha.example) == tls && $(row "$tmp/ms-key.out" alpha.example) == plaintext &&
           $(row "$tmp/ms-key.out" beta.example) == tls ]] ||
                { show "$tmp/ms-default.out" "$tmp/ms-key.log" "$tmp/ms-key.out"; return 1; }
}

case_lock_timeout_seconds() {
        what="while the store is locked, collect exits 75 after about 1 s with lock_timeout_seconds: 1; by default it is still waiting then"
        conf k 'lock_timeout_seconds: 1'
        local db=$tmp/lock.db
        mx default --state "$db" collect --file "$tmp/keys.journal" 2> /dev/null || return 1
        ( exec 9> "$db.lock"; flock -x 9; exec sleep 30 ) &
        holder=$!
        for _ in $(seq 50); do
                flock -n -x "$db.lock" true 2> /dev/null || break
                sleep 0.1
        done
        mx default --state "$db" collect --file "$tmp/keys.journal" 2> "$tmp/lock-default.log" &
        local waiter=$! start rc=0 elapsed_ms alive=no rc_default=0
        start=$(date +%s%N)
        mx k --state "$db" collect --file "$tmp/keys.journal" 2> "$tmp/lock-key.log" || rc=$?
        elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
        kill -0 "$waiter" 2> /dev/null && alive=yes
        kill "$holder"
        wait "$holder" 2> /dev/null || true
        holder=
        wait "$waiter" || rc_default=$?
        [[ $rc -eq 75 ]] && ((elapsed_ms >= 900 && elapsed_ms < 5000)) ||
                { echo "    lock_timeout_seconds 1: exit $rc after $elapsed_ms ms, want 75 after about 1000"; show "$tmp/lock-key.log"; return 1; }
        [[ $alive == yes && $rc_default -eq 0 ]] ||
                { echo "    default: still waiting after $elapsed_ms ms: $alive, exit $rc_default (want 0 once released)"; show "$tmp/lock-default.log"; return 1; }
        what="$what (gave up after $elapsed_ms ms)"
}

case_report_days() {
        what="report --format json spans 30 days by default, 7 with report_days: 7"
        conf k 'report_days: 7'
        mx default --state "$tmp/sample.db" report --format json > "$tmp/rd-default.json" || return 1
        mx k --state "$tmp/sample.db" report --format json > "$tmp/rd-key.json" || return 1
        local d k
        d=$(days_between "$(json_get "$tmp/rd-default.json" '$j->{from}')" "$(json_get "$tmp/rd-default.json" '$j->{to}')")
        k=$(days_between "$(json_get "$tmp/rd-key.json" '$j->{from}')" "$(json_get "$tmp/rd-key.json" '$j->{to}')")
        [[ $d -eq 30 && $k -eq 7 ]] || { echo "    window: default $d days, report_days 7: $k days"; return 1; }
}

case_template() {
        what="advise without --template uses conservative by default, strict with template: strict"
        conf k 'template: strict'
        mx default --state "$tmp/sample.db" advise > "$tmp/tp-default.out" 2> "$tmp/tp-default.log" || return 1
        mx k --state "$tmp/sample.db" advise > "$tmp/tp-key.out" 2> "$tmp/tp-key.log" || return 1
        grep -q '(template conservative, ' "$tmp/tp-default.log" && grep -q '^# Template "conservative"' "$tmp/tp-default.out" ||
                { show "$tmp/tp-default.log"; return 1; }
        grep -q '(template strict, ' "$tmp/tp-key.log" && grep -q '^# Template "strict"' "$tmp/tp-key.out" ||
                { show "$tmp/tp-key.log" "$tmp/tp-key.out"; return 1; }
}

case_templates_dir() {
        what="advise --template mytpl and templates list find \$templates_dir/mytpl.yaml only with templates_dir"
        mkdir -p "$tmp/tdir"
        sed 's/^name: easy$/name: mytpl/' "$tmp/tpl/easy.yaml" > "$tmp/tdir/mytpl.yaml"
        conf k "templates_dir: $tmp/tdir"
        local rc=0
        mx default --state "$tmp/sample.db" advise --template mytpl > /dev/null 2> "$tmp/td-default.log" || rc=$?
        [[ $rc -eq 64 ]] && grep -q "template 'mytpl' not found" "$tmp/td-default.log" ||
                { echo "    default: exit $rc, want 64"; show "$tmp/td-default.log"; return 1; }
        mx k --state "$tmp/sample.db" advise --template mytpl > "$tmp/td-key.out" 2> "$tmp/td-key.log" ||
                { show "$tmp/td-key.log"; return 1; }
        grep -q '(template mytpl, ' "$tmp/td-key.log" || { show "$tmp/td-key.log"; return 1; }
        mx default templates list > "$tmp/td-default.list" || return 1
        mx k templates list > "$tmp/td-key.list" || return 1
        ! grep -q '^mytpl ' "$tmp/td-default.list" && grep -q '^mytpl ' "$tmp/td-key.list" ||
                { show "$tmp/td-default.list" "$tmp/td-key.list"; return 1; }
}

case_policy_file() {
        what="a domain in the map of policy_file is no longer proposed by advise"
        printf '# current map\nexample.com encrypt\n' > "$tmp/tls_policy"
        conf k "policy_file: $tmp/tls_policy"
        mx default --state "$tmp/sample.db" advise --template "$tmp/tpl/easy.yaml" > "$tmp/pf-default.out" 2> "$tmp/pf-default.log" || return 1
        mx k --state "$tmp/sample.db" advise --template "$tmp/tpl/easy.yaml" > "$tmp/pf-key.out" 2> "$tmp/pf-key.log" ||
                { show "$tmp/pf-key.log"; return 1; }
        local d k
        d=$(proposed "$tmp/pf-default.out")
        k=$(proposed "$tmp/pf-key.out")
        [[ " $d" == *" example.com "* && " $k" != *" example.com "* && " $k" == *" example.org "* ]] ||
                { echo "    proposed: default [$d], policy_file [$k]"; return 1; }
}

case_exclude_domains() {
        what="a domain in exclude_domains (any case) is no longer proposed by advise"
        conf k 'exclude_domains: [Example.COM]'
        mx default --state "$tmp/sample.db" advise --template "$tmp/tpl/easy.yaml" > "$tmp/ex-default.out" 2> "$tmp/ex-default.log" || return 1
        mx k --state "$tmp/sample.db" advise --template "$tmp/tpl/easy.yaml" > "$tmp/ex-key.out" 2> "$tmp/ex-key.log" ||
                { show "$tmp/ex-key.log"; return 1; }
        local d k
        d=$(proposed "$tmp/ex-default.out")
        k=$(proposed "$tmp/ex-key.out")
        [[ " $d" == *" example.com "* && " $k" != *" example.com "* && " $k" == *" example.org "* ]] ||
                { echo "    proposed: default [$d], exclude_domains [$k]"; return 1; }
}

case_prometheus_top_n() {
        what="report --format prometheus gives 2 domains their own series with prometheus_top_n: 2, more by default"
        conf k 'prometheus_top_n: 2'
        mx default --state "$tmp/sample.db" report --format prometheus > "$tmp/pt-default.prom" || return 1
        mx k --state "$tmp/sample.db" report --format prometheus > "$tmp/pt-key.prom" || return 1
        series() { grep -c '^mxtls_domain_coverage_ratio{domain="[^"]*"}' "$1" | tr -d ' '; }
        others() { grep -c '^mxtls_domain_coverage_ratio{domain="other"}' "$1" | tr -d ' '; }
        local d k
        d=$(( $(series "$tmp/pt-default.prom") - $(others "$tmp/pt-default.prom") ))
        k=$(( $(series "$tmp/pt-key.prom") - $(others "$tmp/pt-key.prom") ))
        [[ $d -gt 2 && $k -eq 2 ]] || { echo "    domain series: default $d, prometheus_top_n 2: $k"; return 1; }
}

case_prometheus_file() {
        what="report --format prometheus writes prometheus_file (0644), stdout empty; --output - still prints"
        local f=$tmp/prom/mxtls.prom
        mkdir -p "$tmp/prom"
        conf k "prometheus_file: $f"
        mx default --state "$tmp/sample.db" report --format prometheus > "$tmp/pf-default.stdout" || return 1
        [[ -s $tmp/pf-default.stdout && ! -e $f ]] || { echo "    default: want stdout, no file"; return 1; }
        (umask 077 && mx k --state "$tmp/sample.db" report --format prometheus > "$tmp/pf-key.stdout") || return 1
        [[ ! -s $tmp/pf-key.stdout && -s $f && $(stat -c %a "$f") == 644 ]] ||
                { echo "    prometheus_file: stdout $(wc -c < "$tmp/pf-key.stdout") bytes, file: $(stat -c '%a %s' "$f" 2>&1)"; return 1; }
        cmp -s "$f" "$tmp/pf-default.stdout" || { echo "    the file differs from the default output"; return 1; }
        rm -f "$f"
        mx k --state "$tmp/sample.db" report --format prometheus --output - > "$tmp/pf-dash.stdout" || return 1
        [[ -s $tmp/pf-dash.stdout && ! -e $f ]] || { echo "    --output -: want stdout, no file"; return 1; }
        # the text report never goes there
        mx k --state "$tmp/sample.db" report > "$tmp/pf-text.stdout" || return 1
        [[ -s $tmp/pf-text.stdout && ! -e $f ]] || { echo "    text report: want stdout, no file"; return 1; }
}

case_advise_file() {
        what="advise without --output writes advise_file, stdout empty"
        local f=$tmp/adv/tls_policy.suggested
        mkdir -p "$tmp/adv"
        conf k "advise_file: $f"
        mx default --state "$tmp/sample.db" advise > "$tmp/af-default.stdout" 2> /dev/null || return 1
        [[ -s $tmp/af-default.stdout && ! -e $f ]] || { echo "    default: want stdout, no file"; return 1; }
        mx k --state "$tmp/sample.db" advise > "$tmp/af-key.stdout" 2> "$tmp/af-key.log" || { show "$tmp/af-key.log"; return 1; }
        [[ ! -s $tmp/af-key.stdout && -s $f ]] && cmp -s "$f" "$tmp/af-default.stdout" ||
                { echo "    advise_file: stdout $(wc -c < "$tmp/af-key.stdout") bytes, file $(wc -c < "$f" 2>&1)"; return 1; }
        rm -f "$f"
        mx k --state "$tmp/sample.db" advise --output - > "$tmp/af-dash.stdout" 2> /dev/null || return 1
        [[ -s $tmp/af-dash.stdout && ! -e $f ]] || { echo "    --output -: want stdout, no file"; return 1; }
}

# --- the keys -------------------------------------------------------------------------
mapfile -t schema < <(sed -n 's/^[[:space:]]*CYAML_FIELD_[A-Z_]*("\([a-z_0-9]*\)".*/\1/p' "$src/common/config.c")
mapfile -t example < <(sed -n 's/^#\([a-z_0-9]*\):.*/\1/p' "$src/mxtls.yaml.example")
mapfile -t manpage < <(sed -n 's/^\.BI \([a-z_0-9]*\):.*/\1/p' "$src/man/mxtls.yaml.5")
in_list() {     # WORD LIST...
        local w=$1 x
        shift
        for x in "$@"; do [[ $x == "$w" ]] && return 0; done
        return 1
}

if [[ ${#schema[@]} -ge 10 ]]; then
        ok "schema: ${#schema[@]} keys in common/config.c"
else
        notok "schema: only ${#schema[@]} CYAML_FIELD_ lines found in common/config.c"
fi
# check_doc FILE KEY... - FILE documents exactly the schema keys
check_doc() {
        local doc=$1 bad='' k
        shift
        for k in "$@"; do in_list "$k" "${schema[@]}" || bad+=" $k (documented, not in the schema)"; done
        for k in "${schema[@]}"; do in_list "$k" "$@" || bad+=" $k (in the schema, not documented)"; done
        if [[ -z $bad ]]; then ok "$doc documents the $# schema keys"; else notok "$doc:$bad"; fi
}
check_doc mxtls.yaml.example "${example[@]}"
check_doc man/mxtls.yaml.5 "${manpage[@]}"
for f in $(declare -F | awk '$3 ~ /^case_/ { sub(/^case_/, "", $3); print $3 }'); do
        in_list "$f" "${schema[@]}" || notok "case_$f: $f is not a key of the schema"
done

for k in "${schema[@]}"; do
        if ! declare -F "case_$k" > /dev/null; then
                notok "$k: no test case in tests/test-config-keys.sh"
                continue
        fi
        what=
        skip_reason=
        t0=$(date +%s%N)
        if "case_$k"; then
                ms=$(( ($(date +%s%N) - t0) / 1000000 ))
                if [[ -n $skip_reason ]]; then
                        ok "$k: $what # SKIP $skip_reason"
                else
                        ok "$k: $what [${ms} ms]"
                fi
        else
                notok "$k: $what"
        fi
done

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]

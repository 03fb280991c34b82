#!/bin/bash
# SPDX-License-Identifier: MIT
# test-postmap - "mxtls advise" output and merge results go through a real
# postmap(1) without a warning, and postmap -q returns the proposed policies.
# The store is built by "mxtls collect" from a generated syslog file.
set -euo pipefail

: "${MXTLS_BIN:?MXTLS_BIN must point to the mxtls binary}"
. "${MXTLS_SOURCE_ROOT:?}/tests/lib.sh"
POSTMAP=$(command -v postmap || true)
[ -z "$POSTMAP" ] && [ -x /usr/sbin/postmap ] && POSTMAP=/usr/sbin/postmap
if [ -z "$POSTMAP" ]; then
        echo "SKIP: postmap not installed"
        exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# postmap with its own configuration directory: no installed Postfix needed
: > "$tmp/main.cf"
pm() { "$POSTMAP" -c "$tmp" "$@"; }
pm_build() {
        local err
        err=$(pm "hash:$1" 2>&1) || fail "postmap hash:$1 failed: $err"
        [ -z "$err" ] || fail "postmap warned on $1: $err"
}
pm_query() { pm -q "$1" "hash:$2"; }

mxtls() { "$MXTLS_BIN" --config "$tmp/mxtls.yaml" --state "$tmp/mxtls.db" "$@"; }
: > "$tmp/mxtls.yaml"

# --- a month of classic syslog lines with RFC 3339 time stamps ---------------
until_day=$(date -u -d 'yesterday' +%Y-%m-%d)
pid=1000
qid=100000
line() {        # day-offset seconds identifier message
        local ts
        ts=$(date -u -d "$until_day - $1 days + $2 seconds" +%Y-%m-%dT%H:%M:%S.000000+00:00)
        printf '%s mta1 postfix/smtp[%d]: %s\n' "$ts" "$pid" "$3"
}
deliver() {     # day-offset domain mx addr trust tls(yes|no) [status-text]
        local d=$1 domain=$2 mx=$3 addr=$4 trust=$5 tls=$6
        pid=$((pid + 1))
        qid=$((qid + 1))
        if [ "$tls" = yes ]; then
                line "$d" 100 "$trust TLS connection established to $mx[$addr]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256"
        fi
        line "$d" 101 "${qid}A: to=<user@$domain>, relay=$mx[$addr]:25, delay=0.4, delays=0.1/0/0.2/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as Q$qid)"
}
{
        for d in $(seq 0 19); do
                deliver "$d" good.example mx.good.example 192.0.2.1 Trusted yes
                deliver "$d" good.example mx.good.example 192.0.2.1 Trusted yes
                if [ $((d % 2)) = 0 ]; then mx=mx1.mail.secure.example; else mx=mx2.mail.secure.example; fi
                deliver "$d" secure.example "$mx" 192.0.2.2 Verified yes
                deliver "$d" admin.example mx.admin.example 192.0.2.3 Trusted yes
                if [ "$d" = 7 ]; then
                        deliver "$d" plain.example mx.plain.example 192.0.2.4 "" no
                else
                        deliver "$d" plain.example mx.plain.example 192.0.2.4 Trusted yes
                fi
                # hostile recipient domains never become policy keys
                deliver "$d" 'x#y.example' mx.hostile.example 192.0.2.5 Trusted yes
                deliver "$d" 'x,y.example' mx.hostile.example 192.0.2.5 Trusted yes
                deliver "$d" 'x=y.example' mx.hostile.example 192.0.2.5 Trusted yes
        done
} > "$tmp/mail.log"

mxtls collect --log-file "$tmp/mail.log" 2> "$tmp/collect.err" || { cat "$tmp/collect.err"; fail "collect"; }

# --- the current map ------------------------------------------------------------
printf '# hand-made entries\nadmin.example\tencrypt\n\n[relay.example]:587 encrypt protocols=>=TLSv1.2\nunused.example   may\n' \
        > "$tmp/tls_policy"
cp "$tmp/tls_policy" "$tmp/tls_policy.orig"

cat > "$tmp/verify-test.yaml" <<'EOF'
name: verify-test
window_days: 30
min_deliveries: 10
min_days: 5
trust: [Verified]
propose:
  level: verify
  match: mx
  protocols: ">=TLSv1.2"
EOF

# --- stand-alone output -------------------------------------------------------
mxtls advise --template quick --until "$until_day" --policy "$tmp/tls_policy" --output "$tmp/proposed"
[ "$(stat -c %a "$tmp/proposed")" = 644 ] || fail "--output mode is not 0644"
grep -q '^good\.example encrypt$' "$tmp/proposed" || fail "good.example not proposed"
grep -q '^secure\.example encrypt$' "$tmp/proposed" || fail "secure.example not proposed"
grep -q '^plain\.example' "$tmp/proposed" && fail "plain.example proposed despite a plaintext delivery"
grep -q '^admin\.example' "$tmp/proposed" && fail "admin.example proposed though the map names it"
grep -q 'x#y\|x,y\|x=y\|hostile' "$tmp/proposed" && fail "hostile names in the output"
pm_build "$tmp/proposed"
[ "$(pm_query good.example "$tmp/proposed")" = encrypt ] || fail "postmap -q good.example"
[ "$(pm_query secure.example "$tmp/proposed")" = encrypt ] || fail "postmap -q secure.example"
pm_query plain.example "$tmp/proposed" && fail "postmap -q plain.example found an entry"

mxtls advise --template "$tmp/verify-test.yaml" --until "$until_day" --policy "$tmp/tls_policy" --output "$tmp/verify"
pm_build "$tmp/verify"
[ "$(pm_query secure.example "$tmp/verify")" = "verify match=.mail.secure.example protocols=>=TLSv1.2" ] ||
        fail "verify entry: $(pm_query secure.example "$tmp/verify" || true)"
pm_query good.example "$tmp/verify" && fail "good.example (Trusted only) got a verify entry"

mxtls advise --template quick --until "$until_day" --policy "$tmp/tls_policy" --format json > "$tmp/out.json"
if command -v python3 >/dev/null; then
        python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [p["domain"] for p in d["proposals"]] == ["good.example", "secure.example"], d["proposals"]' \
                "$tmp/out.json" || fail "JSON output"
else
        skip "advise --format json: python3 is not installed"
fi

# --- merge: only the section changes; twice gives the same bytes ----------------
mxtls advise --template quick --until "$until_day" --merge "$tmp/tls_policy"
head -c "$(stat -c %s "$tmp/tls_policy.orig")" "$tmp/tls_policy" | cmp -s - "$tmp/tls_policy.orig" ||
        fail "merge changed the administrator's part"
grep -q '^# BEGIN mxtls' "$tmp/tls_policy" && grep -q '^# END mxtls' "$tmp/tls_policy" || fail "no section"
cp "$tmp/tls_policy" "$tmp/merged.1"
mxtls advise --template quick --until "$until_day" --merge "$tmp/tls_policy"
cmp -s "$tmp/tls_policy" "$tmp/merged.1" || fail "second merge is not byte-identical"
[ -z "$(mxtls advise --template quick --until "$until_day" --merge "$tmp/tls_policy" --format diff)" ] ||
        fail "diff after merge is not empty"
pm_build "$tmp/tls_policy"
[ "$(pm_query admin.example "$tmp/tls_policy")" = encrypt ] || fail "admin entry lost"
[ "$(pm_query '[relay.example]:587' "$tmp/tls_policy")" = "encrypt protocols=>=TLSv1.2" ] || fail "relay entry lost"
[ "$(pm_query good.example "$tmp/tls_policy")" = encrypt ] || fail "merged good.example"

# a different template replaces the section, still nothing else
mxtls advise --template "$tmp/verify-test.yaml" --until "$until_day" --merge "$tmp/tls_policy" --format diff \
        > "$tmp/diff"
grep -q '^+secure\.example verify match=\.mail\.secure\.example' "$tmp/diff" || fail "diff lacks the new line"
grep -q '^-good\.example encrypt$' "$tmp/diff" || fail "diff lacks the removed line"
cmp -s "$tmp/tls_policy" "$tmp/merged.1" || fail "--format diff wrote the file"
mxtls advise --template "$tmp/verify-test.yaml" --until "$until_day" --merge "$tmp/tls_policy"
pm_build "$tmp/tls_policy"
[ "$(pm_query secure.example "$tmp/tls_policy")" = "verify match=.mail.secure.example protocols=>=TLSv1.2" ] ||
        fail "merged verify entry"
pm_query good.example "$tmp/tls_policy" && fail "stale section entry survived"

# --- bad input: clear error, nothing written ------------------------------------
cp "$tmp/tls_policy" "$tmp/before"
printf 'broken.example encrypt # comment\n' >> "$tmp/tls_policy"
cp "$tmp/tls_policy" "$tmp/before"
set +e
mxtls advise --template quick --until "$until_day" --merge "$tmp/tls_policy" 2> "$tmp/err"
rc=$?
set -e
[ "$rc" = 65 ] || fail "bad map: exit $rc, want 65"
grep -q "tls_policy:[0-9]*: key \"broken.example\": malformed attribute/value pair \"#\"" "$tmp/err" ||
        fail "bad map message: $(cat "$tmp/err")"
cmp -s "$tmp/tls_policy" "$tmp/before" || fail "bad map was rewritten"

printf 'propose:\n  level: encrypt\n  colour: blue\n' > "$tmp/bad.yaml"
set +e
mxtls advise --template "$tmp/bad.yaml" --until "$until_day" --output "$tmp/never" 2> "$tmp/err"
rc=$?
set -e
[ "$rc" = 65 ] || fail "bad template: exit $rc, want 65"
grep -q "bad.yaml:3: unknown key 'propose.colour'" "$tmp/err" || fail "bad template message: $(cat "$tmp/err")"
[ ! -e "$tmp/never" ] || fail "output written despite a bad template"

# --- audit over the same store ------------------------------------------------------
set +e
mxtls audit --policy "$tmp/tls_policy.orig" --default-level may --until "$until_day" --days 30 --format json \
        > "$tmp/audit.json"
rc=$?
set -e
[ "$rc" = 1 ] || fail "audit exit $rc, want 1 (stale entry)"
# audit_has CODE NAME SEVERITY SUBJECT: audit.json lists that finding
audit_has() {
        python3 -c 'import json, sys
sys.exit(not any([f["code"], f["name"], f["severity"], f["subject"]] == sys.argv[2:]
                 for f in json.load(open(sys.argv[1]))["findings"]))' "$tmp/audit.json" "$@"
}
if command -v python3 >/dev/null; then
        audit_has MXT003 stale-entry notice unused.example || fail "audit lacks MXT003 for unused.example"
        # plain.example sent in clear 7 days ago, in the later half of the window
        audit_has MXT004 tls-regression warning plain.example || fail "audit lacks MXT004 for plain.example"
else
        skip "audit --format json findings: python3 is not installed"
fi
mxtls audit --policy "$tmp/tls_policy.orig" --default-level may --until "$until_day" --days 30 \
        --fail-on error > /dev/null || fail "--fail-on error should ignore warnings and notices"

echo "ok"
finish 0

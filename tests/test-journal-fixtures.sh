#!/bin/bash
# SPDX-License-Identifier: MIT
# test-journal-fixtures - each fixture goes through a real journal file (and a
# text log), `mxtls collect` and `mxtls report --format json`; the per-domain
# counts must equal those declared by the fixture's "#expect" lines
# (tests/fixture-compare.pl), which were written from the log format rules,
# not from mxtls output.
set -euo pipefail

src=${MXTLS_SOURCE_ROOT:?}
bin=${MXTLS_BIN:?}
. "${MXTLS_SOURCE_ROOT:?}/tests/lib.sh"
need_journal_remote
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC

fixtures=(reuse tls-field instances hostile sample forged)
paths=()
for f in "${fixtures[@]}"; do
        paths+=("$src/tests/fixtures/$f.txt")
done
shift_days=$(bash "$src/tests/make-journal.sh" --shift-for "${paths[@]}")
cat > "$tmp/mxtls.yaml" <<EOT
report_days: 60
EOT
mx() {
        "$bin" --config "$tmp/mxtls.yaml" "$@"
}

pass=0
fail=0
# compare NAME DB FIXTURE... - report of DB against the expectations of FIXTURE...
compare() {
        local name=$1 db=$2
        shift 2
        mx --state "$db" report --format json > "$tmp/$name.json"
        perl "$src/tests/fixture-compare.pl" expect "$@" > "$tmp/$name.want"
        perl "$src/tests/fixture-compare.pl" report "$tmp/$name.json" > "$tmp/$name.got"
        if [[ ! -s $tmp/$name.want ]]; then
                echo "not ok - $name: the fixture declares no outcome"
                fail=$((fail + 1))
        elif diff -u "$tmp/$name.want" "$tmp/$name.got"; then
                echo "ok - $name"
                pass=$((pass + 1))
        else
                echo "not ok - $name (want vs got above)"
                fail=$((fail + 1))
        fi
}

for f in "${fixtures[@]}"; do
        fx=$src/tests/fixtures/$f.txt
        bash "$src/tests/make-journal.sh" --shift-days "$shift_days" "$fx" "$tmp/$f.journal"
        mx --state "$tmp/$f.db" collect --file "$tmp/$f.journal" 2> "$tmp/$f.log"
        compare "journal $f" "$tmp/$f.db" "$fx"

        # The same records as classic syslog text.
        bash "$src/tests/make-journal.sh" --shift-days "$shift_days" --syslog "$fx" > "$tmp/$f.log.txt"
        mx --state "$tmp/$f-text.db" collect --log-file "$tmp/$f.log.txt" 2> "$tmp/$f-text.log"
        compare "text log $f" "$tmp/$f-text.db" "$fx"
done

# All fixtures in one directory of journal files, read together.
mkdir "$tmp/dir"
for f in "${fixtures[@]}"; do
        cp "$tmp/$f.journal" "$tmp/dir/"
done
mx --state "$tmp/all.db" collect --directory "$tmp/dir" 2> "$tmp/all.log"
compare "directory of all fixtures" "$tmp/all.db" "${paths[@]}"

# Selecting tlsproxy and qmgr records too changes nothing: their copies of TLS
# lines are never counted.
mx --state "$tmp/wide.db" collect --file "$tmp/reuse.journal" --identifier 'postfix*/smtp' \
        --identifier 'postfix*/tlsproxy' --identifier 'postfix*/qmgr' 2> "$tmp/wide.log"
compare "reuse with tlsproxy selected" "$tmp/wide.db" "$src/tests/fixtures/reuse.txt"

# The summary counts what was skipped in the hostile fixture, and says nothing
# about TLS logging being off.
if grep -q "1 too long" "$tmp/hostile.log" && grep -q "1 without SYSLOG_PID" "$tmp/hostile.log" &&
   ! grep -q "TLS logging appears to be off" "$tmp/hostile.log"; then
        echo "ok - hostile summary"
        pass=$((pass + 1))
else
        echo "not ok - hostile summary:"
        cat "$tmp/hostile.log"
        fail=$((fail + 1))
fi

# Deliveries without any TLS line or tls= field: a loud warning.
grep -v 'TLS connection' "$src/tests/fixtures/reuse.txt" | grep -v 'tls=' > "$tmp/notls.txt"
bash "$src/tests/make-journal.sh" --shift-days "$shift_days" "$tmp/notls.txt" "$tmp/notls.journal"
mx --state "$tmp/notls.db" collect --file "$tmp/notls.journal" 2> "$tmp/notls.log"
if grep -q "TLS logging appears to be off (smtp_tls_loglevel = 0?)" "$tmp/notls.log"; then
        echo "ok - TLS logging off warning"
        pass=$((pass + 1))
else
        echo "not ok - no TLS logging warning:"
        cat "$tmp/notls.log"
        fail=$((fail + 1))
fi

# No postfix/smtp records at all (a quiet host): a notice, exit 0, and an
# empty store that report and advise read.
grep -v 'postfix' "$src/tests/fixtures/reuse.txt" > "$tmp/none.txt" || true
echo "2024-03-04T08:00:00Z mx1 b1 sshd 42 Accepted publickey for root" >> "$tmp/none.txt"
bash "$src/tests/make-journal.sh" "$tmp/none.txt" "$tmp/none.journal"
rc=0
mx --state "$tmp/none.db" collect --file "$tmp/none.journal" 2> "$tmp/none.log" || rc=$?
if [[ $rc -eq 0 ]] && grep -q "^mxtls: no Postfix SMTP client records in the journal yet" "$tmp/none.log" &&
   ! grep -q "error:" "$tmp/none.log" && [[ -s $tmp/none.db ]]; then
        echo "ok - no postfix records: notice, exit 0, store created"
        pass=$((pass + 1))
else
        echo "not ok - no postfix records (exit $rc):"
        cat "$tmp/none.log"
        fail=$((fail + 1))
fi
rc=0
mx --state "$tmp/none.db" report --format prometheus --output "$tmp/none.prom" 2> "$tmp/none-report.log" || rc=$?
if [[ $rc -eq 0 ]] && grep -qx 'mxtls_deliveries_total{outcome="tls"} 0' "$tmp/none.prom" &&
   grep -qx 'mxtls_domains 0' "$tmp/none.prom"; then
        echo "ok - quiet host: report --format prometheus writes zeros"
        pass=$((pass + 1))
else
        echo "not ok - quiet host prometheus (exit $rc):"
        cat "$tmp/none-report.log" "$tmp/none.prom" 2>/dev/null || true
        fail=$((fail + 1))
fi

rc=0
mx --state "$tmp/none.db" advise --output "$tmp/none.policy" 2> "$tmp/none-advise.log" || rc=$?
if [[ $rc -eq 0 && -f $tmp/none.policy ]] && ! grep -qv '^#' "$tmp/none.policy" &&
   grep -q "^mxtls: 0 entries proposed" "$tmp/none-advise.log"; then
        echo "ok - quiet host: advise --output writes a map without entries"
        pass=$((pass + 1))
else
        echo "not ok - quiet host advise (exit $rc):"
        cat "$tmp/none-advise.log" "$tmp/none.policy" 2>/dev/null || true
        fail=$((fail + 1))
fi

# The same journal file unreadable for the user: an error naming the file.
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
        mkdir -p "$tmp/locked" && cp "$tmp/none.journal" "$tmp/locked/" && chmod 0600 "$tmp/locked/none.journal"
        chmod 0755 "$tmp" "$tmp/locked"
        rc=0
        setpriv --reuid=65534 --regid=65534 --clear-groups \
                "$MXTLS_BIN" --state "$tmp/locked/n.db" --config /dev/null collect --dry-run \
                --directory "$tmp/locked" 2> "$tmp/locked.log" || rc=$?
        if [[ $rc -eq 1 ]] && grep -q "error: .*not readable by this user ($tmp/locked/none.journal)" "$tmp/locked.log"; then
                echo "ok - unreadable journal: an error naming the file"
                pass=$((pass + 1))
        else
                echo "not ok - unreadable journal (exit $rc):"
                cat "$tmp/locked.log"
                fail=$((fail + 1))
        fi
else
        skip "unreadable journal: needs root and setpriv"
fi

# --dry-run stores nothing but shows the rows.
mx --state "$tmp/dry.db" collect --dry-run --file "$tmp/reuse.journal" > "$tmp/dry.out" 2> "$tmp/dry.log"
if [[ ! -e $tmp/dry.db ]] && grep -q "gmail.example" "$tmp/dry.out" && grep -q "dry run" "$tmp/dry.log"; then
        echo "ok - dry run"
        pass=$((pass + 1))
else
        echo "not ok - dry run"
        cat "$tmp/dry.out" "$tmp/dry.log"
        fail=$((fail + 1))
fi

echo "$pass passed, $fail failed, ${#skips[@]} skipped"
finish "$fail"

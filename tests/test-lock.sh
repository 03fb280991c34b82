#!/bin/bash
# SPDX-License-Identifier: MIT
# test-lock - one collect at a time: a second collect waits for the lock at most
# lock_timeout_seconds, then exits 75 with a clear message and stores nothing;
# two collects started together both succeed one after the other and count
# every delivery once.
set -euo pipefail

src=${MXTLS_SOURCE_ROOT:?}
bin=${MXTLS_BIN:?}
. "${MXTLS_SOURCE_ROOT:?}/tests/lib.sh"
need_journal_remote
need_cmd flock
tmp=$(mktemp -d)
holder=
cleanup() {
        [[ -n $holder ]] && kill "$holder" 2> /dev/null || true
        [[ -n $holder ]] && wait "$holder" 2> /dev/null || true
        rm -rf "$tmp"
}
trap cleanup EXIT
export TZ=UTC

printf 'lock_timeout_seconds: 1\nreport_days: 60\n' > "$tmp/short.yaml"
printf 'lock_timeout_seconds: 20\nreport_days: 60\n' > "$tmp/long.yaml"
fx=$src/tests/fixtures/sample.txt
shift_days=$(bash "$src/tests/make-journal.sh" --shift-for "$fx")
bash "$src/tests/make-journal.sh" --shift-days "$shift_days" "$fx" "$tmp/sample.journal"
db=$tmp/mxtls.db

pass=0
fail=0
ok() {
        echo "ok - $1"
        pass=$((pass + 1))
}
not_ok() {
        echo "not ok - $1"
        fail=$((fail + 1))
}
delivered() {
        "$bin" --config "$tmp/short.yaml" --state "$db" report --format json |
                perl -MJSON::PP -0ne 'my $j = decode_json($_); print $j->{totals}{delivered} + $j->{totals}{tls_failed} + $j->{totals}{other_failed}, "\n"'
}

# Create the store, then hold its lock as a running collect would.
"$bin" --config "$tmp/short.yaml" --state "$db" collect --file "$tmp/sample.journal" --since 2000-01-01 \
        --dry-run > /dev/null 2>&1
"$bin" --config "$tmp/short.yaml" --state "$db" report --format json > /dev/null 2>&1 || true
# (the subshell becomes "sleep" holding fd 9, so killing $holder releases the lock)
( exec 9> "$db.lock"; flock -x 9; exec sleep 30 ) &
holder=$!
for _ in $(seq 50); do
        if ! flock -n -x "$db.lock" true 2> /dev/null; then
                break
        fi
        sleep 0.1
done

start=$(date +%s%N)
rc=0
"$bin" --config "$tmp/short.yaml" --state "$db" collect --file "$tmp/sample.journal" 2> "$tmp/locked.log" || rc=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [[ $rc -eq 75 ]]; then ok "exit status 75 while locked"; else not_ok "exit status $rc while locked, want 75"; fi
if grep -qx "mxtls: another mxtls collect is running (lock $db.lock held); this run is skipped" "$tmp/locked.log"; then
        ok "a notice (not an error) names the lock"
else
        not_ok "message: $(cat "$tmp/locked.log")"
fi
if ((elapsed_ms >= 900 && elapsed_ms < 5000)); then
        ok "waited ${elapsed_ms} ms (timeout 1 s)"
else
        not_ok "waited ${elapsed_ms} ms, want about 1000"
fi

# A collect that starts while the lock is held but released within its timeout succeeds.
"$bin" --config "$tmp/long.yaml" --state "$db" collect --file "$tmp/sample.journal" 2> "$tmp/waited.log" &
waiter=$!
sleep 1
kill "$holder"
wait "$holder" 2> /dev/null || true
holder=
rc=0
wait "$waiter" || rc=$?
if [[ $rc -eq 0 ]]; then ok "collect waits for the lock, then runs"; else not_ok "waiting collect exited $rc"; fi
first=$(delivered)
want=$(perl "$src/tests/fixture-compare.pl" expect "$fx" |
        perl -ne '$n += $2 if /^total (delivered|tls_failed|other_failed) (\d+)$/; END { print "$n\n" }')
if [[ $first == "$want" ]]; then ok "counted $first outcomes"; else not_ok "counted $first outcomes, want $want"; fi

# Two collects at once on a fresh store, appending to the journal in between:
# every delivery is counted once.
rm -f "$db" "$db-wal" "$db-shm"
"$bin" --config "$tmp/long.yaml" --state "$db" collect --file "$tmp/sample.journal" 2> "$tmp/a.log" &
a=$!
"$bin" --config "$tmp/long.yaml" --state "$db" collect --file "$tmp/sample.journal" 2> "$tmp/b.log" &
b=$!
rc_a=0
rc_b=0
wait "$a" || rc_a=$?
wait "$b" || rc_b=$?
if [[ $rc_a -eq 0 && $rc_b -eq 0 ]]; then ok "two concurrent collects succeed"; else not_ok "exit statuses $rc_a and $rc_b"; fi
both=$(delivered)
if [[ $both == "$want" ]]; then ok "nothing counted twice ($both)"; else not_ok "counted $both, want $want"; fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]

#!/bin/bash
# SPDX-License-Identifier: MIT
# test-incremental - the same records collected in one run and in many runs give
# identical reports. The journal is built up one record at a time (so runs split
# between every TLS line and its delivery, and pending sessions cross runs), and
# a text log is written line by line with rotations (rename and copytruncate)
# and a half-written line in between.
set -euo pipefail

src=${MXTLS_SOURCE_ROOT:?}
bin=${MXTLS_BIN:?}
. "${MXTLS_SOURCE_ROOT:?}/tests/lib.sh"
need_journal_remote
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
mj() {
        bash "$src/tests/make-journal.sh" "$@"
}
mx() {
        "$bin" --config "$tmp/mxtls.yaml" "$@"
}
echo "report_days: 60" > "$tmp/mxtls.yaml"

fixtures=()
for f in reuse tls-field instances hostile sample; do
        fixtures+=("$src/tests/fixtures/$f.txt")
done
# One fixture of everything, in time order per file (the files do not overlap in time).
grep -h -v '^#expect' "${fixtures[@]}" > "$tmp/all.txt"
shift_days=$(mj --shift-for "$tmp/all.txt")
n=$(mj --count "$tmp/all.txt")

pass=0
fail=0
check() {
        local name=$1 want=$2 got=$3
        if diff -u "$want" "$got"; then
                echo "ok - $name"
                pass=$((pass + 1))
        else
                echo "not ok - $name"
                fail=$((fail + 1))
        fi
}
report() {
        mx --state "$1" report --format json > "$2"
}

# Reference: everything in one run.
mj --shift-days "$shift_days" "$tmp/all.txt" "$tmp/one.journal"
mx --state "$tmp/one.db" collect --file "$tmp/one.journal" 2>/dev/null
report "$tmp/one.db" "$tmp/one.json"
perl "$src/tests/fixture-compare.pl" expect "${fixtures[@]}" > "$tmp/want"
perl "$src/tests/fixture-compare.pl" report "$tmp/one.json" > "$tmp/got"
check "one run matches the fixtures' expectations" "$tmp/want" "$tmp/got"

# Journal: one record appended per run, a collect after each.
for ((i = 1; i <= n; i++)); do
        mj --shift-days "$shift_days" --records "$i:$i" "$tmp/all.txt" "$tmp/many.journal"
        mx -q --state "$tmp/many.db" collect --file "$tmp/many.journal"
done
mx -q --state "$tmp/many.db" collect --file "$tmp/many.journal"      # nothing new
report "$tmp/many.db" "$tmp/many.json"
check "journal: $n runs = one run" "$tmp/one.json" "$tmp/many.json"

# Journal vacuumed between two runs: the file of the saved cursor is gone and a
# new file repeats some older records. A warning, and nothing counted twice.
k=$((n / 2))
mj --shift-days "$shift_days" --records "1:$k" "$tmp/all.txt" "$tmp/vac.journal"
mx -q --state "$tmp/vac.db" collect --file "$tmp/vac.journal"
rm "$tmp/vac.journal"
mj --shift-days "$shift_days" --records "$((k - 5)):$n" "$tmp/all.txt" "$tmp/vac.journal"
mx --state "$tmp/vac.db" collect --file "$tmp/vac.journal" 2> "$tmp/vac.log"
report "$tmp/vac.db" "$tmp/vac.json"
check "journal vacuumed between runs: nothing counted twice" "$tmp/one.json" "$tmp/vac.json"
if grep -q "journal position of the last run is gone" "$tmp/vac.log"; then
        echo "ok - lost position warned about"
        pass=$((pass + 1))
else
        echo "not ok - no warning about the lost position:"
        cat "$tmp/vac.log"
        fail=$((fail + 1))
fi

# Text log: one line per run; rotation by rename every 37 lines, by copy and
# truncate every 53, and a line written in two halves every 29.
# (NUL bytes removed: the shell below cannot carry them through "read")
mj --shift-days "$shift_days" --syslog "$tmp/all.txt" | tr -d '\000' > "$tmp/all.log"
mx --state "$tmp/text-one.db" collect --log-file "$tmp/all.log" 2>/dev/null
report "$tmp/text-one.db" "$tmp/text-one.json"
perl "$src/tests/fixture-compare.pl" report "$tmp/text-one.json" > "$tmp/text-got"
check "text log in one run matches the fixtures' expectations" "$tmp/want" "$tmp/text-got"

log=$tmp/mail.log
: > "$log"
i=0
while IFS= read -r line; do
        i=$((i + 1))
        if ((i % 37 == 0)); then
                mv "$log" "$log.1"
                : > "$log"
        elif ((i % 53 == 0)); then
                cp "$log" "$log.1"
                : > "$log"
        fi
        if ((i % 29 == 0)); then
                half=$(( ${#line} / 2 ))
                printf '%s' "${line:0:half}" >> "$log"
                mx -q --state "$tmp/text-many.db" collect --log-file "$log"
                printf '%s\n' "${line:half}" >> "$log"
        else
                printf '%s\n' "$line" >> "$log"
        fi
        mx -q --state "$tmp/text-many.db" collect --log-file "$log"
done < "$tmp/all.log"
report "$tmp/text-many.db" "$tmp/text-many.json"
check "text log: $i runs with rotations = one run" "$tmp/text-one.json" "$tmp/text-many.json"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]

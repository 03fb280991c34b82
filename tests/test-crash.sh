#!/bin/bash
# SPDX-License-Identifier: MIT
# test-crash - "mxtls collect" killed with SIGKILL at many points (while
# reading, while writing the transaction, while checkpointing it into the
# database file) never loses or double counts a delivery: after each kill the
# store is readable and reports either the state before the run or the state
# after it, and once runs complete the report equals that of runs that were
# never killed. Then the store on a full file system: a clear error, a non-zero
# exit, the previous state intact, and the exact totals once space is freed.
#
# The journal grows in chunks (as a live one does between timer runs), each
# chunk ending right after a TLS line, so that pending correlation state
# crosses every run boundary. Kill points during the commit are found by
# watching how many bytes the process has written (/proc/PID/io).
set -euo pipefail

src=${MXTLS_SOURCE_ROOT:?}
bin=${MXTLS_BIN:?}
. "${MXTLS_SOURCE_ROOT:?}/tests/lib.sh"
need_journal_remote
need_cmd python3
tmp=$(mktemp -d)
mnt=
cleanup() {
        if [[ -n $mnt ]] && mountpoint -q "$mnt"; then
                umount "$mnt" || true
        fi
        rm -rf "$tmp"
}
trap cleanup EXIT
export TZ=UTC
messages=${CRASH_MESSAGES:-50000}
chunks=5

mx() {
        "$bin" --config "$tmp/none.yaml" "$@"
}
: > "$tmp/none.yaml"
from=$(date -u -d '-40 days' +%F)
to=$(date -u -d '+1 day' +%F)
report() {
        mx --state "$1" report --format json --from "$from" --to "$to"
}
# state STORE: the report, or "no data" for a store that holds nothing yet
state() {
        local r=0
        report "$1" 2> "$tmp/state.err" || r=$?
        if ((r != 0)); then
                if grep -q 'no data yet' "$tmp/state.err"; then
                        echo "no data"
                        return 0
                fi
                cat "$tmp/state.err" >&2
                return "$r"
        fi
}

# killer.py MODE VALUE CMD...: run CMD and SIGKILL it
#   time S    after S seconds
#   wchar N   once it has written N bytes (write(2) and friends)
#   none      never
# Prints "killed T W" or "exited RC T W" (T seconds, W bytes written, and
# with "none" also C: the time at which it had written more than 64 KiB).
cat > "$tmp/killer.py" <<'EOF'
import os, signal, subprocess, sys, time
mode, value, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
err = open(os.environ.get("KILLER_STDERR", os.devnull), "w")
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
wchar = 0
commit_t = -1.0
killed = False
io = "/proc/%d/io" % p.pid
while p.poll() is None:
        now = time.monotonic() - t0
        try:
                with open(io) as f:
                        for line in f:
                                if line.startswith("wchar:"):
                                        wchar = int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
                pass
        if commit_t < 0 and wchar > 65536:
                commit_t = now
        if (mode == "time" and now >= value) or (mode == "wchar" and wchar >= value):
                p.send_signal(signal.SIGKILL)
                p.wait()
                killed = True
                break
        if mode == "time":
                time.sleep(min(0.0005, max(value - now, 0)))
t = time.monotonic() - t0
if killed:
        print("killed %.4f %d" % (t, wchar))
else:
        print("exited %d %.4f %d %.4f" % (p.returncode, t, wchar, commit_t))
EOF
# empty FILE: a report of a store with nothing counted yet
empty() {
        python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
sys.exit(0 if not d["domains"] and all(t[k] == 0 for k in ("delivered", "tls_failed", "other_failed")) else 1)
' "$1" 2>/dev/null
}
killer() {
        python3 "$tmp/killer.py" "$@"
}

# The load: tens of thousands of records over 20 days, cut into chunks each
# ending right after a TLS line.
perl "$src/tests/gen-load.pl" --messages "$messages" --domains 4000 --seed 7 > "$tmp/load.txt"
n=$(wc -l < "$tmp/load.txt")
mapfile -t tls_lines < <(grep -n ' TLS connection established ' "$tmp/load.txt" | cut -d: -f1)
bounds=(0)
for ((k = 1; k < chunks; k++)); do
        want=$((n * k / chunks))
        for l in "${tls_lines[@]}"; do
                if ((l >= want)); then
                        bounds+=("$l")
                        break
                fi
        done
done
bounds+=("$n")
echo "# $n records, chunk ends: ${bounds[*]:1}"

mj() {
        bash "$src/tests/make-journal.sh" "$@"
}
# Reference: one run over everything, and clean runs after each chunk.
mj "$tmp/load.txt" "$tmp/all.journal"
mx --state "$tmp/single.db" collect --file "$tmp/all.journal" 2>/dev/null
report "$tmp/single.db" > "$tmp/single.json"

echo "no data" > "$tmp/ref0.json"
declare -a commit_at total_w
for ((k = 1; k <= chunks; k++)); do
        mj --records "$((bounds[k - 1] + 1)):${bounds[k]}" "$tmp/load.txt" "$tmp/ref.journal"
        read -r _ rc t w c < <(killer none 0 "$bin" --config "$tmp/none.yaml" --state "$tmp/ref.db" \
                collect --file "$tmp/ref.journal")
        if [[ $rc != 0 ]]; then
                notok "clean collect of chunk $k exits $rc"
        fi
        commit_at[k]=$c
        total_w[k]=$w
        echo "# chunk $k: clean run ${t}s, writes from ${c}s, $w bytes written"
        report "$tmp/ref.db" > "$tmp/ref$k.json"
done
if cmp -s "$tmp/single.json" "$tmp/ref$chunks.json"; then
        ok "clean runs over $chunks chunks report what one run reports"
else
        notok "clean runs over $chunks chunks report what one run reports"
        diff <(python3 -m json.tool "$tmp/single.json") <(python3 -m json.tool "$tmp/ref$chunks.json") | head -20
fi

# The same chunks, each collected by runs killed at several points until one
# completes.
kills=0
points=()
bad_state=0
RANDOM=4242
for ((k = 1; k <= chunks; k++)); do
        mj --records "$((bounds[k - 1] + 1)):${bounds[k]}" "$tmp/load.txt" "$tmp/crash.journal"
        c=${commit_at[k]}
        w=${total_w[k]}
        plan=()
        # while reading: at once, and at random times before the writes began
        # in the clean run (early enough to stay before them on a busy machine)
        plan+=("time 0.002")
        for _ in 1 2; do
                plan+=("time $(awk -v c="$c" -v r=$RANDOM 'BEGIN { printf "%.4f", (0.02 + 0.6 * r / 32768) * c }')")
        done
        # while writing and checkpointing: after a fraction of the bytes the
        # clean run wrote (a run killed after its commit leaves the "after"
        # state; the remaining points of the chunk then find nothing to do)
        for f in 0.03 0.25 0.5 0.75 0.95; do
                plan+=("wchar $(awk -v w="$w" -v f=$f 'BEGIN { printf "%d", w * f }')")
        done
        # the store before this chunk: a point that lands after the commit
        # (a run faster than the clean one) restores it, so that every point
        # of the plan finds the chunk's work still to do
        rm -rf "$tmp/before" && mkdir "$tmp/before"
        cp -a "$tmp"/crash.db* "$tmp/before/" 2>/dev/null || true
        for p in "${plan[@]}"; do
                read -r what rest < <(killer $p "$bin" --config "$tmp/none.yaml" --state "$tmp/crash.db" \
                        collect --file "$tmp/crash.journal")
                echo "# chunk $k: $p: $what $rest"
                if [[ $what == killed ]]; then
                        kills=$((kills + 1))
                        points+=("chunk$k:$p")
                fi
                if ! state "$tmp/crash.db" > "$tmp/now.json" 2> "$tmp/report.err"; then
                        notok "store readable after '$p' in chunk $k ($what $rest)"
                        cat "$tmp/report.err"
                        bad_state=$((bad_state + 1))
                elif cmp -s "$tmp/now.json" "$tmp/ref$((k - 1)).json" || { ((k == 1)) && empty "$tmp/now.json"; }; then
                        :
                elif cmp -s "$tmp/now.json" "$tmp/ref$k.json"; then
                        rm -f "$tmp"/crash.db*
                        cp -a "$tmp"/before/. "$tmp/"
                else
                        notok "after '$p' in chunk $k ($what $rest) the store is neither before nor after the run"
                        bad_state=$((bad_state + 1))
                fi
        done
        # then until a run completes
        for ((try = 0; try < 5; try++)); do
                if mx --state "$tmp/crash.db" collect --file "$tmp/crash.journal" 2> "$tmp/collect.err"; then
                        break
                fi
                cat "$tmp/collect.err"
        done
        report "$tmp/crash.db" > "$tmp/crash$k.json"
        if cmp -s "$tmp/crash$k.json" "$tmp/ref$k.json"; then
                ok "chunk $k: after kills the report equals the clean one"
        else
                notok "chunk $k: after kills the report equals the clean one"
                diff <(python3 -m json.tool "$tmp/ref$k.json") <(python3 -m json.tool "$tmp/crash$k.json") | head -20
        fi
done
echo "# kill points (${kills}): ${points[*]}"
if ((kills >= 20)); then
        ok "$kills runs killed"
else
        notok "only $kills runs were killed (want at least 20)"
fi
if ((bad_state == 0)); then
        ok "after every kill the store was readable and either before or after the run"
fi
if ((kills > 0)) && [[ -n $(find "$tmp" -maxdepth 1 -name 'crash.db*' -newer "$tmp/load.txt") ]]; then
        if sqlite3 "$tmp/crash.db" 'PRAGMA integrity_check;' 2>&1 | grep -qx ok; then
                ok "integrity_check of the store after the kills"
        else
                notok "integrity_check of the store after the kills"
        fi
fi

# Full disk: the store on a tiny tmpfs. The state after chunk 1 is copied in,
# the free space is filled to a few levels, and chunk 2 is collected.
mnt=$tmp/mnt
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=64m,mode=0755 mxtls-test "$mnt" 2>/dev/null; then
        mnt=
        skip "the full-disk checks: cannot mount a tmpfs"
else
        # (the same journal path: a source is known by its path)
        mj --records "1:${bounds[1]}" "$tmp/load.txt" "$tmp/disk.journal"
        mx --state "$tmp/disk-src.db" collect --file "$tmp/disk.journal" 2>/dev/null
        mj --records "$((bounds[1] + 1)):${bounds[2]}" "$tmp/load.txt" "$tmp/disk.journal"
        # the file system size is fixed; the filler leaves FREE bytes
        for free in 0 4096 65536 1048576 4194304; do
                rm -rf "${mnt:?}"/*
                cp "$tmp/disk-src.db" "$mnt/mxtls.db"
                avail=$(($(stat -f -c '%a * %S' "$mnt")))
                if ((avail > free)); then
                        fallocate -l $((avail - free)) "$mnt/filler" 2>/dev/null ||
                                head -c $((avail - free)) /dev/zero > "$mnt/filler" 2>/dev/null || true
                fi
                set +e
                mx --state "$mnt/mxtls.db" collect --file "$tmp/disk.journal" > "$tmp/full.out" 2> "$tmp/full.err"
                rc=$?
                set -e
                report "$mnt/mxtls.db" > "$tmp/full.json" 2> "$tmp/full-report.err" || true
                if [[ $rc == 0 ]]; then
                        if cmp -s "$tmp/full.json" "$tmp/ref2.json"; then
                                ok "free=$free: the run fit and the report has the exact totals"
                        else
                                notok "free=$free: exit 0 but the report differs from the clean one"
                        fi
                        continue
                fi
                if grep -qiE 'space|full' "$tmp/full.err"; then
                        ok "free=$free: exit $rc with a clear message: $(head -1 "$tmp/full.err")"
                else
                        notok "free=$free: exit $rc without a message about space: $(head -3 "$tmp/full.err")"
                fi
                if cmp -s "$tmp/full.json" "$tmp/ref1.json"; then
                        ok "free=$free: the previous state is intact and readable"
                else
                        notok "free=$free: the previous state is intact and readable"
                        head -3 "$tmp/full-report.err"
                fi
                rm -f "$mnt/filler"
                if mx --state "$mnt/mxtls.db" collect --file "$tmp/disk.journal" 2> "$tmp/full.err" &&
                        report "$mnt/mxtls.db" > "$tmp/full.json" && cmp -s "$tmp/full.json" "$tmp/ref2.json"; then
                        ok "free=$free: after freeing space a run gives the exact totals"
                else
                        notok "free=$free: after freeing space a run gives the exact totals"
                        head -3 "$tmp/full.err"
                fi
        done
        if [[ $(ls "$mnt") == *tmp* ]]; then
                notok "temporary files left on the full file system: $(ls "$mnt")"
        fi
        umount "$mnt"
        mnt=
fi

echo "$pass passed, $fail failed, ${#skips[@]} skipped"
finish "$fail"

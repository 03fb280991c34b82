#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark: how close "mxtls collect" gets to the speed of reading the journal.
#
#   bench/run.sh [--seed N] [--entries N] [--runs N] [--full-runs N] [--quick] [--profile]
#
# Builds the release binaries in build-bench (BENCH_BUILD_DIR overrides), generates
# the synthetic journal once (cached in bench/out/ by seed, size, start month and
# generator version), then measures in one run:
#   - the sd-journal baseline (bench/baseline.c: matches + MESSAGE only) and
#     journalctl -o cat with the same matches, as references;
#   - mxtls collect over the whole journal (fresh store): time, ratio, peak RSS;
#   - mxtls collect again with no new entries;
#   - mxtls collect after 1% more entries appended to the same journal (cursor);
#   - report --format json and advise over a store of 400 days x 5,000 domains.
# Prints medians, ratios against the baseline and PASS/MISS per target. Always
# exits 0 once the measurements ran: a slow run is a result, not a failure.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD_DIR:-$top/build-bench}
out=$top/bench/out
seed=1
entries=2200000
runs=5
full_runs=3
store_days=400
store_domains=5000
profile=0

while [ $# -gt 0 ]; do
        case "$1" in
        --seed) seed=$2; shift 2 ;;
        --entries) entries=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --full-runs) full_runs=$2; shift 2 ;;
        --quick) entries=220000; runs=3; full_runs=1; store_days=40; shift ;;
        --profile) profile=1; shift ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; exit 64 ;;
        esac
done

jremote=/lib/systemd/systemd-journal-remote
[ -x "$jremote" ] || jremote=/usr/lib/systemd/systemd-journal-remote
for tool in "$jremote" /usr/bin/time journalctl meson ninja; do
        if ! command -v "$tool" >/dev/null 2>&1; then
                echo "run.sh: $tool is missing (packages: systemd-journal-remote time meson ninja-build)" >&2
                exit 1
        fi
done

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- build
if [ ! -f "$build/build.ninja" ]; then
        meson setup "$build" "$top" -Dbuildtype=release -Dtests=disabled -Dbench=true >/dev/null
fi
if ! meson introspect --buildoptions "$build" 2>/dev/null | tr '{' '\n' |
     grep '"name": "buildtype"' | grep -q '"value": "release"'; then
        meson configure "$build" -Dbuildtype=release >/dev/null
fi
ninja -C "$build" bench/gen-journal bench/baseline bench/make-store cli/mxtls >/dev/null
gen=$build/bench/gen-journal
baseline=$build/bench/baseline
mkstore=$build/bench/make-store
mxtls=$build/cli/mxtls

# ---------------------------------------------------------------- data
mkdir -p "$out"
# Data starts on the 1st of the previous month (UTC): recent enough for any
# retention, stable for a month so the cache is reused.
start_day=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m-%d)
start=$(date -u -d "$start_day" +%s)
days=30
boot=$((start - 3 * 86400))
upgrade=$((start + 20 * 86400))
genver=$(cat "$top"/bench/gen*.c "$top"/bench/gen.h | sha256sum | cut -c1-10)
data=$out/journal-s$seed-n$entries-$start_day-$genver

if [ ! -f "$data/done" ]; then
        rm -rf "$out"/journal-s"$seed"-n"$entries"-*
        mkdir -p "$data/journal"
        log "generating $entries entries (seed $seed) into $data ..."
        t0=$(date +%s)
        "$gen" --seed "$seed" --entries "$entries" --start "$start" --days "$days" --boot "$boot" \
               --upgrade "$upgrade" --stats "$data/base.stats" 2>"$data/gen.log" |
                "$jremote" --split-mode=none -o "$data/journal/system.journal" - 2>"$data/remote.log"
        last_usec=$(sed -n 's/^last_usec=//p' "$data/base.stats")
        last_pid=$(sed -n 's/^last_pid=//p' "$data/base.stats")
        # 1% more, continuing in time (about 1% of the span) and in pids: appended later
        "$gen" --seed "$seed" --part 1 --entries $((entries / 100)) --min-smtp $((entries / 200)) \
               --start $((last_usec / 1000000 + 60)) --hours $((days * 24 / 100 + 1)) --boot "$boot" \
               --upgrade "$upgrade" --pid-base $((last_pid + 1000)) --stats "$data/extra.stats" \
               >"$data/extra.export" 2>>"$data/gen.log"
        touch "$data/done"
        log "generated in $(( $(date +%s) - t0 )) s"
fi
mapfile -t files < <(ls "$data"/journal/*.journal)
n_entries=$(sed -n 's/^entries=//p' "$data/base.stats")
n_smtp=$(sed -n 's/^smtp_entries=//p' "$data/base.stats")
n_extra=$(sed -n 's/^entries=//p' "$data/extra.stats")
jsize=$(du -sh "$data/journal" | cut -f1)

storever=$(cat "$top"/common/store*.[ch] "$top"/bench/make-store.c "$top"/bench/gen-world.c |
           sha256sum | cut -c1-10)
today=$(date -u +%Y-%m-%d)
store=$out/store-s$seed-d$store_days-$today-$storever.db
if [ ! -f "$store.done" ]; then
        rm -f "$out"/store-s"$seed"-d"$store_days"-*
        log "filling a store with $store_days days x $store_domains domains ..."
        "$mkstore" --seed "$seed" --days "$store_days" --domains "$store_domains" "$store" >"$store.log"
        touch "$store.done"
fi

# ---------------------------------------------------------------- helpers
work=$out/work
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
errlog=$work/errors.log

# run_timed NAME CMD...: elapsed microseconds (ns clock) to $work/NAME.times, peak RSS KiB to
# NAME.rss; a command running longer than $limit seconds is killed and marked FAIL, and
# a measurement that failed once is not run again.
limit=600
run_timed() {
        local name=$1 t0 t1 rc=0
        shift
        [ -f "$work/$name.failed" ] && return 0
        t0=$(date +%s%N)
        /usr/bin/time -f '%M' -o "$work/$name.rss1" timeout "$limit" "$@" >"$work/$name.out" 2>>"$errlog" || rc=$?
        t1=$(date +%s%N)
        echo "$(( (t1 - t0) / 1000 ))" >>"$work/$name.times"
        tail -1 "$work/$name.rss1" >>"$work/$name.rss"
        if [ $rc -eq 124 ]; then
                log "$name: killed after $limit s"
                echo "$name: killed after $limit s" >>"$errlog"
                echo FAIL >"$work/$name.failed"
        elif [ $rc -ne 0 ]; then
                log "$name: exit status $rc"
                tail -3 "$errlog" >&2
                echo FAIL >"$work/$name.failed"
        fi
}

# mem_peak NAME CMD...: sample VmHWM and RssAnon of the process every 20 ms; "HWM ANON" (KiB)
# to $work/NAME.mem. VmHWM counts the journal file pages sd-journal maps; RssAnon is
# the process's own memory.
mem_peak() {
        local name=$1 pid hwm=0 anon=0 h a
        shift
        "$@" >/dev/null 2>>"$errlog" &
        pid=$!
        while kill -0 "$pid" 2>/dev/null; do
                read -r h a < <(awk '/^VmHWM/ {h = $2} /^RssAnon/ {a = $2} END {print h + 0, a + 0}' \
                                "/proc/$pid/status" 2>/dev/null || echo 0 0)
                [ "${h:-0}" -gt "$hwm" ] && hwm=$h
                [ "${a:-0}" -gt "$anon" ] && anon=$a
                sleep 0.02
        done
        wait "$pid" || true
        echo "$hwm $anon" >"$work/$name.mem"
}

median_us() { sort -n "$work/$1.times" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
nruns() { wc -l <"$work/$1.times"; }
max_rss() { sort -n "$work/$1.rss" | tail -1; }
secs() { awk -v u="$1" 'BEGIN {printf "%.3f s", u / 1e6}'; }
msecs() { awk -v u="$1" 'BEGIN {printf "%.1f ms", u / 1e3}'; }
verdict() { if [ -f "$work/$1.failed" ]; then echo FAIL; elif awk -v a="$2" -v b="$3" 'BEGIN {exit !(a <= b)}'; then echo PASS; else echo MISS; fi; }

fresh_journal() {
        rm -rf "$work/journal"
        cp -a "$data/journal" "$work/journal"
}

# ---------------------------------------------------------------- measurements
fresh_journal
# warm the page cache once so every run reads from memory
cat "$work"/journal/*.journal >/dev/null

log "baseline ..."
for _ in $(seq "$full_runs"); do
        run_timed baseline "$baseline" "$work"/journal/*.journal
        run_timed baseline_enum "$baseline" --enumerate "$work"/journal/*.journal
        run_timed baseline_getdata "$baseline" --fields "$work"/journal/*.journal
        run_timed journalctl sh -c 'exec journalctl -o cat --directory "$1" SYSLOG_IDENTIFIER=postfix/smtp \
                SYSLOG_IDENTIFIER=postfix-out/smtp SYSLOG_IDENTIFIER=postfix/relay/smtp >/dev/null' sh "$work/journal"
done
base_entries=$(sed -n 's/.*entries=\([0-9]*\).*/\1/p' "$work/baseline.out")

log "mxtls collect, full run ..."
for _ in $(seq "$full_runs"); do
        rm -f "$work"/full.db*
        run_timed collect_full "$mxtls" -q --state "$work/full.db" collect --directory "$work/journal"
done
cp "$work/full.db" "$work/full.db.saved"
rm -f "$work"/mem.db*
mem_peak collect_full "$mxtls" -q --state "$work/mem.db" collect --directory "$work/journal"
mem_peak baseline "$baseline" "$work"/journal/*.journal

log "mxtls collect, no new entries ..."
cp "$work/full.db.saved" "$work/nonew.db"
for _ in $(seq "$runs"); do
        run_timed collect_nonew "$mxtls" -q --state "$work/nonew.db" collect --directory "$work/journal"
done

log "mxtls collect, +1% entries ..."
for _ in $(seq "$full_runs"); do
        fresh_journal
        "$jremote" --split-mode=none -o "$work/journal/system.journal" - <"$data/extra.export" 2>/dev/null
        cat "$work"/journal/*.journal >/dev/null
        cp "$work/full.db.saved" "$work/inc.db"
        rm -f "$work"/inc.db-wal "$work"/inc.db-shm
        run_timed collect_inc "$mxtls" -q --state "$work/inc.db" collect --directory "$work/journal"
done
# The incremental result must equal a full run over the same (appended) journal.
rm -f "$work"/check.db*
"$mxtls" -q --state "$work/check.db" collect --directory "$work/journal" 2>>"$errlog" || true
inc_totals=$("$mxtls" --state "$work/inc.db" report --format json --days 36500 2>>"$errlog" | grep -m1 '"totals"' || true)
all_totals=$("$mxtls" --state "$work/check.db" report --format json --days 36500 2>>"$errlog" | grep -m1 '"totals"' || true)
if [ -n "$inc_totals" ] && [ "$inc_totals" = "$all_totals" ]; then
        inc_check="incremental totals = full-run totals"
else
        inc_check="MISMATCH: incremental totals differ from a full run over the same journal"
fi

log "report and advise over $store_days days x $store_domains domains ..."
limit=60
for _ in $(seq "$runs"); do
        run_timed report "$mxtls" --state "$store" report --format json
        run_timed report_all "$mxtls" --state "$store" report --format json --days "$store_days"
        run_timed advise "$mxtls" --state "$store" advise
done

# ---------------------------------------------------------------- results
b=$(median_us baseline)
be=$(median_us baseline_enum)
bg=$(median_us baseline_getdata)
jc=$(median_us journalctl)
cf=$(median_us collect_full)
cn=$(median_us collect_nonew)
ci=$(median_us collect_inc)
rp=$(median_us report)
ra=$(median_us report_all)
ad=$(median_us advise)
rss=$(max_rss collect_full)
read -r c_hwm c_anon <"$work/collect_full.mem"
read -r b_hwm b_anon <"$work/baseline.mem"
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
anon_mib=$(awk -v k="$c_anon" 'BEGIN {printf "%.1f", k / 1024}')
ratio=$(awk -v a="$cf" -v b="$b" 'BEGIN {printf "%.2f", a / b}')
rss_mib=$(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}')
rx() { awk -v a="$1" -v b="$b" 'BEGIN {printf "%.2fx", a / b}'; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
echo
echo "mxtls benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $cpu, $(nproc) CPUs, $mem, Linux $(uname -r), $(systemctl --version 2>/dev/null | head -1 | cut -d' ' -f1-2), SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)"
echo "journal: $n_entries entries ($n_smtp from postfix*/smtp, $base_entries matched), $jsize in ${#files[@]} files, seed $seed; +1% = $n_extra entries"
echo "store:   $store_days days x $store_domains domains ($(cat "$store.log" | sed 's/^make-store: //'))"
echo
printf '%-44s %12s %6s %8s %10s %6s\n' "measurement" "median" "runs" "ratio" "target" "result"
printf '%-44s %12s %6s %8s %10s %6s\n' "baseline: sd-journal, MESSAGE only" "$(secs "$b")" "$(nruns baseline)" "1.00x" "" ""
printf '%-44s %12s %6s %8s %10s %6s\n' "baseline: + time/boot/pid/host/ident, 1 pass" "$(secs "$be")" "$(nruns baseline_enum)" "$(rx "$be")" "" ""
printf '%-44s %12s %6s %8s %10s %6s\n' "  same fields, one sd_journal_get_data each" "$(secs "$bg")" "$(nruns baseline_getdata)" "$(rx "$bg")" "" ""
printf '%-44s %12s %6s %8s %10s %6s\n' "journalctl -o cat, same matches" "$(secs "$jc")" "$(nruns journalctl)" "$(rx "$jc")" "" ""
printf '%-44s %12s %6s %8s %10s %6s\n' "mxtls collect, full run" "$(secs "$cf")" "$(nruns collect_full)" "${ratio}x" "<= 1.5x" \
        "$(verdict collect_full "$ratio" 1.5)"
printf '%-44s %12s %6s %8s %10s %6s\n' "mxtls collect, full run: peak RSS (VmHWM)" "$rss_mib MiB" "$(nruns collect_full)" "" "<= 64 MiB" \
        "$(verdict collect_full "$rss_mib" 64)"
printf '%-44s %12s %6s %8s %10s %6s\n' "mxtls collect, full run: RssAnon peak" "$(mib "$c_anon")" 1 "" "<= 64 MiB" \
        "$(verdict collect_full "$anon_mib" 64)"
printf '%-44s %12s %6s %8s %10s %6s\n' "baseline: peak RSS (VmHWM), RssAnon peak" "$(mib "$b_hwm")" 1 "" "$(mib "$b_anon")" ""
printf '%-44s %12s %6s %8s %10s %6s\n' "mxtls collect, no new entries" "$(msecs "$cn")" "$(nruns collect_nonew)" "" "< 50 ms" \
        "$(verdict collect_nonew "$cn" 49999)"
printf '%-44s %12s %6s %8s %10s %6s\n' "mxtls collect, +1% entries" "$(msecs "$ci")" "$(nruns collect_inc)" "$(rx "$ci")" "" ""
printf '%-44s %12s %6s %8s %10s %6s\n' "mxtls report --format json (default window)" "$(msecs "$rp")" "$(nruns report)" "" "< 1 s" \
        "$(verdict report "$rp" 999999)"
printf '%-44s %12s %6s %8s %10s %6s\n' "mxtls report --format json --days $store_days" "$(msecs "$ra")" "$(nruns report_all)" "" "< 1 s" \
        "$(verdict report_all "$ra" 999999)"
printf '%-44s %12s %6s %8s %10s %6s\n' "mxtls advise" "$(msecs "$ad")" "$(nruns advise)" "" "< 1 s" \
        "$(verdict advise "$ad" 999999)"
echo
echo "incremental check: $inc_check"
if [ -s "$errlog" ]; then
        echo "messages from the runs (first lines of $(wc -l <"$errlog")):"
        head -5 "$errlog" | sed 's/^/  /'
fi

if [ $profile = 1 ]; then
        if command -v perf >/dev/null 2>&1; then
                echo
                echo "perf profile of a full collect (time including callees, top 30; libsystemd has no symbols):"
                rm -f "$work"/prof.db*
                perf record -q --call-graph dwarf,8192 -F 250 -o "$work/perf.data" "$mxtls" -q \
                        --state "$work/prof.db" collect --directory "$work/journal" >/dev/null 2>&1 || true
                perf report -i "$work/perf.data" --children --stdio --sort symbol -g none 2>/dev/null |
                        grep -E '^ +[0-9]' | grep -v -E ' 0x[0-9a-f]+ | _start|__libc_start|main  ' | head -30 || true
                echo "by library (self time):"
                perf report -i "$work/perf.data" --no-children --stdio --sort dso -g none 2>/dev/null |
                        grep -E '^ +[0-9]' | head -6 || true
        else
                echo "perf is not installed (package linux-perf); no profile"
        fi
fi
exit 0

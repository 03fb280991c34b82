#!/bin/bash
# SPDX-License-Identifier: MIT
# test-faults - journal faults: files rotated and vacuumed between runs (the
# saved cursor gone: a warning with the time gap, exact counts of what is
# still there, nothing counted twice), truncated and corrupted journal files
# among good ones, entries with binary MESSAGE fields and without SYSLOG_PID.
# Every run must end normally (no signal, no sanitizer report), count the
# readable entries exactly and never count anything twice.
set -euo pipefail

src=${MXTLS_SOURCE_ROOT:?}
bin=${MXTLS_BIN:?}
. "${MXTLS_SOURCE_ROOT:?}/tests/lib.sh"
need_journal_remote
need_cmd python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC


: > "$tmp/none.yaml"
mx() {
        "$bin" --config "$tmp/none.yaml" "$@"
}
mj() {
        bash "$src/tests/make-journal.sh" "$@"
}
from=$(date -u -d '-40 days' +%F)
to=$(date -u -d '+1 day' +%F)
report() {
        mx --state "$1" report --format json --from "$from" --to "$to" > "$2"
}
# run NAME ARGS...: mxtls ARGS, stderr kept in $tmp/NAME.err; fails on a signal
# or a sanitizer report, returns mxtls' exit status otherwise
run() {
        local name=$1 rc=0
        shift
        mx "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" || rc=$?
        if ((rc >= 128)) || grep -qE 'Sanitizer|runtime error:' "$tmp/$name.err"; then
                notok "$name: mxtls $* died (exit $rc)"
                sed -n 1,30p "$tmp/$name.err"
        fi
        return "$rc"
}

# counts.py MODE GOT REF... [--prefix P]: per-domain counts (delivered, tls,
# plaintext, tls_failed, other_failed) of report GOT against the sum of the
# REF reports, over the domains starting with P (all without --prefix):
#   eq  equal, domain by domain
#   le  no domain of GOT outside the REF domains, none with more deliveries,
#       TLS deliveries or failures than there (a damaged TLS line may turn
#       a TLS delivery into a plaintext one)
cat > "$tmp/counts.py" <<'EOF'
import json, sys
args = sys.argv[1:]
prefix = ""
if "--prefix" in args:
        i = args.index("--prefix")
        prefix = args[i + 1]
        del args[i:i + 2]
mode, got, refs = args[0], args[1], args[2:]
keys = ("delivered", "tls", "plaintext", "tls_failed", "other_failed")
def load(path):
        m = {}
        for d in json.load(open(path))["domains"]:
                if d["domain"].startswith(prefix):
                        m[d["domain"]] = tuple(d[k] for k in keys)
        return m
g = load(got)
want = {}
for r in refs:
        for dom, c in load(r).items():
                old = want.get(dom, (0,) * len(keys))
                want[dom] = tuple(a + b for a, b in zip(old, c))
bad = []
if mode == "eq":
        for dom in sorted(set(g) | set(want)):
                if g.get(dom) != want.get(dom):
                        bad.append("%s: got %s, want %s" % (dom, g.get(dom), want.get(dom)))
else:
        for dom, c in sorted(g.items()):
                w = want.get(dom)
                if w is None or c[0] > w[0] or c[1] > w[1] or c[3] + c[4] > w[3] + w[4]:
                        bad.append("%s: got %s, at most %s" % (dom, c, w))
for b in bad[:10]:
        print("   ", b)
if not g and not want:
        print("    no domain at all")
        sys.exit(1)
sys.exit(1 if bad else 0)
EOF
counts() {
        python3 "$tmp/counts.py" "$@"
}

# ---------------------------------------------------------------------------
# 1. Rotation and vacuuming between runs.
# Four parts of the log of one host (one boot), each cut just before a TLS
# line (no session is left half-way at a cut), written as four journal files
# of one directory.
perl "$src/tests/gen-load.pl" --messages 4000 --domains 300 --seed 11 --days 12 --hosts 1 > "$tmp/rot.txt"
n=$(wc -l < "$tmp/rot.txt")
mapfile -t tls_lines < <(grep -n ' TLS connection established ' "$tmp/rot.txt" | cut -d: -f1)
cut=(0)
for k in 1 2 3; do
        want=$((n * k / 4))
        for l in "${tls_lines[@]}"; do
                if ((l >= want)); then
                        cut+=("$((l - 1))")
                        break
                fi
        done
done
cut+=("$n")
for k in 1 2 3 4; do
        mj --records "$((cut[k - 1] + 1)):${cut[k]}" "$tmp/rot.txt" "$tmp/part$k.journal"
        mx --state "$tmp/part$k.db" collect --file "$tmp/part$k.journal" 2>/dev/null
        report "$tmp/part$k.db" "$tmp/part$k.json"
done

d=$tmp/rotdir
mkdir "$d"
cp "$tmp/part1.journal" "$d/system@1.journal"
run rot1 --state "$tmp/rot.db" collect --directory "$d" || notok "rot1: exit $?"
report "$tmp/rot.db" "$tmp/rot1.json"
check "rotation: first run counts part 1" counts eq "$tmp/rot1.json" "$tmp/part1.json"

# rotated: a new file beside the old one
cp "$tmp/part2.journal" "$d/system@2.journal"
run rot2 --state "$tmp/rot.db" collect --directory "$d" || notok "rot2: exit $?"
report "$tmp/rot.db" "$tmp/rot2.json"
check "rotation: a new file is read after the old one, nothing twice" \
        counts eq "$tmp/rot2.json" "$tmp/part1.json" "$tmp/part2.json"
check "rotation: no warning while the cursor exists" \
        bash -c "! grep -q 'position of the last run is gone' '$tmp/rot2.err'"

# vacuumed: the file already read goes away, the cursor's file stays
rm "$d/system@1.journal"
run rot3 --state "$tmp/rot.db" collect --directory "$d" || notok "rot3: exit $?"
report "$tmp/rot.db" "$tmp/rot3.json"
check "vacuum of a file already read: nothing counted again" cmp -s "$tmp/rot2.json" "$tmp/rot3.json"

# vacuumed past the cursor: part 3 was written and vacuumed before any run saw
# it, and the file with the cursor is gone too
cp "$tmp/part4.journal" "$d/system@4.journal"
rm "$d/system@2.journal"
run rot4 --state "$tmp/rot.db" collect --directory "$d" || notok "rot4: exit $?"
report "$tmp/rot.db" "$tmp/rot4.json"
check "cursor gone: parts 1, 2 and 4 counted exactly (part 3 was never there)" \
        counts eq "$tmp/rot4.json" "$tmp/part1.json" "$tmp/part2.json" "$tmp/part4.json"
if grep -q 'position of the last run is gone' "$tmp/rot4.err" && grep -qE 'missed|gap' "$tmp/rot4.err"; then
        ok "cursor gone: warned with the time gap: $(grep -m1 'gone' "$tmp/rot4.err")"
else
        notok "cursor gone: no warning with the time gap"
        cat "$tmp/rot4.err"
fi
run rot5 --state "$tmp/rot.db" collect --directory "$d" || notok "rot5: exit $?"
report "$tmp/rot.db" "$tmp/rot5.json"
check "after the gap: a run with nothing new changes nothing" cmp -s "$tmp/rot4.json" "$tmp/rot5.json"
check "after the gap: no warning any more" bash -c "! grep -q 'gone' '$tmp/rot5.err'"

# everything vacuumed and an old file put back (older than the saved position):
# never counted again
cp "$tmp/part1.journal" "$d/system@1.journal"
rm "$d/system@4.journal"
run rot6 --state "$tmp/rot.db" collect --directory "$d" || true
report "$tmp/rot.db" "$tmp/rot6.json"
check "an older file brought back is not counted again" cmp -s "$tmp/rot4.json" "$tmp/rot6.json"

# an empty directory
mkdir "$tmp/emptydir"
run empty --state "$tmp/empty.db" collect --directory "$tmp/emptydir" || true
check "an empty journal directory: a message, no crash" test -s "$tmp/empty.err"

# A remote journal directory (systemd-journal-remote --split-mode=none): the
# records of three hosts (three boots) interleaved in one file, and a new file
# with a new sequence number id after a restart of the receiver.
perl "$src/tests/gen-load.pl" --messages 3000 --domains 300 --seed 12 --days 12 --prefix r > "$tmp/rem.txt"
n=$(wc -l < "$tmp/rem.txt")
# (cut where the host changes: the first records of the new file are of
# another boot than the last one read)
l=$(awk -v w=$((n / 3)) '/ TLS connection established / && NR >= w && $2 != prev { print NR; exit } { prev = $2 }' "$tmp/rem.txt")
mj --records "1:$((l - 1))" "$tmp/rem.txt" "$tmp/rem1.journal"
mj --records "$l:$n" "$tmp/rem.txt" "$tmp/rem2.journal"
for k in 1 2; do
        mx --state "$tmp/rem$k.db" collect --file "$tmp/rem$k.journal" 2>/dev/null
        report "$tmp/rem$k.db" "$tmp/rem$k.json"
done
mkdir "$tmp/remdir"
cp "$tmp/rem1.journal" "$tmp/remdir/remote@1.journal"
run rem-a --state "$tmp/rem.db" collect --directory "$tmp/remdir" || notok "rem-a: exit $?"
cp "$tmp/rem2.journal" "$tmp/remdir/remote@2.journal"
run rem-b --state "$tmp/rem.db" collect --directory "$tmp/remdir" || notok "rem-b: exit $?"
report "$tmp/rem.db" "$tmp/rem.json"
check "several boots in one file, then a new file: every record counted once" \
        counts eq "$tmp/rem.json" "$tmp/rem1.json" "$tmp/rem2.json"

# Two files whose last entries have the same timestamp (two recipients of one
# message logged in the same microsecond, on two hosts): runs after the first
# neither warn nor count anything again. Once with the same boot id, once with
# two.
for boots in same differ; do
        d=$tmp/tie-$boots
        mkdir "$d"
        t=$((($(date +%s) - 7200) * 1000000))
        for h in a c; do
                boot=boot1
                [[ $boots == differ && $h == c ]] && boot=boot2
                rcpt=(alice1 niaj2)
                [[ $h == c ]] && rcpt=(bob1 ivan2)
                {
                        echo "@$t $h-mx1 $boot postfix/smtp 20172 Untrusted TLS connection established to mx0.$h-d69.example[10.0.69.25]:25: TLSv1 with cipher ECDHE-RSA-AES256-SHA (256/256 bits)"
                        for r in "${rcpt[@]}"; do
                                echo "@$((t + 300000)) $h-mx1 $boot postfix/smtp 20172 4C000005DB: to=<$r@$h-d69.example>, relay=mx0.$h-d69.example[10.0.69.25]:25, delay=0.4, delays=0.01/0.01/0.2/0.18, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X4C000005DB)"
                        done
                } > "$tmp/tie-$h.txt"
                mj "$tmp/tie-$h.txt" "$d/$h.journal"
        done
        run "tie-$boots-1" --state "$d.db" collect --directory "$d" || notok "tie-$boots: exit $?"
        report "$d.db" "$d-1.json"
        check "ties ($boots boot): the first run counts 4 TLS deliveries" python3 -c '
import json, sys
sys.exit(json.load(open(sys.argv[1]))["totals"]["tls"] != 4)' "$d-1.json"
        for i in 2 3; do
                run "tie-$boots-$i" --state "$d.db" collect --directory "$d" || notok "tie-$boots: exit $?"
        done
        report "$d.db" "$d-3.json"
        check "ties ($boots boot): later runs count nothing again" cmp -s "$d-1.json" "$d-3.json"
        check "ties ($boots boot): later runs do not warn of a lost position" \
                bash -c "! grep -h 'gone' '$tmp/tie-$boots-2.err' '$tmp/tie-$boots-3.err'"
done

# ---------------------------------------------------------------------------
# 2. A truncated or corrupted file among good ones. Three loads that share no
# domain and no host, overlapping in time: a and c stay intact, b is damaged.
for p in a b c; do
        # (timestamps a few ms apart between the loads: no ties across files)
        perl "$src/tests/gen-load.pl" --messages 1500 --domains 200 --prefix "$p" \
                --seed "$(printf '%d' "'$p")" --days 10 \
                --end-usec $((($(date +%s) - 3600) * 1000000 + $(printf '%d' "'$p") * 1009)) > "$tmp/$p.txt"
        mj "$tmp/$p.txt" "$tmp/$p.journal"
        mx --state "$tmp/$p.db" collect --file "$tmp/$p.journal" 2>/dev/null
        report "$tmp/$p.db" "$tmp/$p.json"
done
size=$(stat -c %s "$tmp/b.journal")
# the entries of b end well before the end of the file (journal files are
# allocated in steps): find where its data ends to truncate inside it
used=$(python3 - "$tmp/b.journal" <<'EOF'
import struct, sys
h = open(sys.argv[1], "rb").read(256)
# tail_object_offset at 136 (little endian): the last object written
print(struct.unpack_from("<Q", h, 136)[0] + 64)
EOF
)
echo "# b.journal: $size bytes, $used in use"

# damage NAME: a copy of b.journal damaged the NAME way
damage() {
        local how=$1 f=$tmp/dmg/b.journal
        cp "$tmp/b.journal" "$f"
        case $how in
        truncate-half) truncate -s $((used / 2)) "$f" ;;
        truncate-quarter) truncate -s $((used * 3 / 4)) "$f" ;;
        truncate-header) truncate -s 100 "$f" ;;
        truncate-empty) truncate -s 0 "$f" ;;
        flip-*)
                python3 - "$f" "${how#flip-}" "$used" <<'EOF'
import random, sys
path, seed, used = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
data = bytearray(open(path, "rb").read())
if seed % 5 == 0:
        # the header
        for _ in range(8):
                data[rng.randrange(0, 240)] ^= 1 << rng.randrange(8)
else:
        # a burst in the data, and single bits anywhere in use
        at = rng.randrange(256, used - 64)
        for i in range(at, at + 32):
                data[i] = rng.randrange(256)
        for _ in range(seed % 7 * 4):
                data[rng.randrange(256, used)] ^= 1 << rng.randrange(8)
open(path, "wb").write(data)
EOF
                ;;
        esac
}
mkdir "$tmp/dmg"
cp "$tmp/a.journal" "$tmp/c.journal" "$tmp/dmg/"
for how in truncate-half truncate-quarter truncate-header truncate-empty \
           flip-1 flip-2 flip-3 flip-4 flip-5 flip-6 flip-7 flip-8 flip-9 flip-10 flip-11 flip-12; do
        damage "$how"
        rm -f "$tmp/dmg.db"*
        rc=0
        run "dmg-$how" --state "$tmp/dmg.db" collect --directory "$tmp/dmg" || rc=$?
        if ((rc != 0)); then
                notok "$how: collect exits $rc: $(grep -m1 error "$tmp/dmg-$how.err")"
                continue
        fi
        if ! report "$tmp/dmg.db" "$tmp/dmg.json" 2> "$tmp/dmg-report.err"; then
                notok "$how: the store cannot be reported"
                continue
        fi
        if counts eq "$tmp/dmg.json" "$tmp/a.json" --prefix a- &&
                counts eq "$tmp/dmg.json" "$tmp/c.json" --prefix c-; then
                ok "$how: the intact files are counted exactly"
        else
                notok "$how: the intact files are counted exactly"
        fi
        if counts le "$tmp/dmg.json" "$tmp/a.json" "$tmp/b.json" "$tmp/c.json"; then
                ok "$how: nothing of the damaged file counted more than it holds"
        else
                notok "$how: nothing of the damaged file counted more than it holds"
        fi
        # a second run over the same files: nothing more (the cursor of a
        # directory with a damaged file still works)
        cp "$tmp/dmg.json" "$tmp/dmg-1.json"
        run "dmg-$how-again" --state "$tmp/dmg.db" collect --directory "$tmp/dmg" || true
        report "$tmp/dmg.db" "$tmp/dmg.json" 2>/dev/null || true
        check "$how: a second run counts nothing again" cmp -s "$tmp/dmg-1.json" "$tmp/dmg.json"
done

# a damaged file given with --file
damage truncate-half
run dmg-file --state "$tmp/dmgf.db" collect --file "$tmp/dmg/b.journal" || true
check "a truncated file given with --file: no crash, a readable store or a clear error" \
        bash -c "'$bin' --config '$tmp/none.yaml' --state '$tmp/dmgf.db' report --format json >/dev/null 2>&1 || \
                 grep -qi 'error' '$tmp/dmg-file.err'"
run missing --state "$tmp/missing.db" collect --file "$tmp/no-such.journal" && notok "a missing --file succeeds" ||
        check "a missing --file: exit status 1 and a message" test -s "$tmp/missing.err"

# ---------------------------------------------------------------------------
# 3. Binary MESSAGE fields and entries without SYSLOG_PID among good records.
perl "$src/tests/gen-load.pl" --messages 800 --domains 80 --seed 5 --days 5 > "$tmp/bin-good.txt"
mj "$tmp/bin-good.txt" "$tmp/bin-good.journal"
mx --state "$tmp/bin-good.db" collect --file "$tmp/bin-good.journal" 2>/dev/null
report "$tmp/bin-good.db" "$tmp/bin-good.json"
# every 5th record is followed by a binary one (same time, host and boot,
# another process), every 7th by a delivery without SYSLOG_PID
perl -ne '
        print;
        chomp;
        my ($ts, $host, $boot, $ident, $pid) = split / /;
        $ts =~ s/^@//;
        $ts++;
        if ($. % 5 == 0) {
                $pid += 50000;
                my @junk = ("\\x00\\x01\\x02\\xff\\xfe binary \\x00 junk",
                            "Verified TLS connection established to mx.bin.example[192.0.2.80]:25: TLSv1.3 with\\x00cipher X (1/1 bits)",
                            "\\x1b[31mred\\x1b[0m \\x00 to=<a\@b.example>, relay=\\xff\\xfe, status=sent",
                            "4C0BAD: to=<u\@bin\\x00evil.example>, relay=mx.bin.example[192.0.2.80]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)",
                            "\\xc3\\x28\\xa0\\xa1 \\xf0\\x28\\x8c\\xbc invalid utf-8",
                            "{{repeat 3000 \\x00}}");
                print "\@$ts $host $boot $ident $pid $junk[$. / 5 % @junk]\n";
        }
        if ($. % 7 == 0) {
                print "\@$ts $host $boot $ident - 4C0NOPID: to=<nopid\@nopid.example>, relay=mx.nopid.example[192.0.2.81]:25, delay=0.2, delays=0.01/0/0.1/0.09, dsn=2.0.0, status=sent (250 OK)\n";
        }
' "$tmp/bin-good.txt" > "$tmp/bin.txt"
nopid=$(grep -c ' - 4C0NOPID' "$tmp/bin.txt")
mj "$tmp/bin.txt" "$tmp/bin.journal"
rc=0
run bin --state "$tmp/bin.db" collect --file "$tmp/bin.journal" || rc=$?
check "binary and pid-less entries: collect exits 0" test "$rc" = 0
report "$tmp/bin.db" "$tmp/bin.json"
check "binary and pid-less entries: the good records are counted exactly" \
        counts eq "$tmp/bin.json" "$tmp/bin-good.json" --prefix d
skipped=$(grep -oE '[0-9]+ skipped' "$tmp/bin.err" | grep -oE '[0-9]+' || echo 0)
if ((skipped >= nopid)); then
        ok "the $nopid records without SYSLOG_PID are reported as skipped ($(grep -o '[0-9]* skipped.*' "$tmp/bin.err"))"
else
        notok "the $nopid records without SYSLOG_PID are reported as skipped (said: $skipped)"
        cat "$tmp/bin.err"
fi
check "no domain from a binary MESSAGE" \
        python3 -c 'import json,sys; sys.exit(any(x in d["domain"] for x in ("bin", "evil", "nopid", "\x1b", "\x00") for d in json.load(open(sys.argv[1]))["domains"]))' "$tmp/bin.json"

# ---------------------------------------------------------------------------
# 4. Writes: every output file is written atomically with a fixed mode; a
# failed write (read-only or full file system) leaves the old file as it was
# and no temporary file behind; readers never see a partial file; two
# collects at once never double count.
cp "$tmp/bin-good.db" "$tmp/w.db"
: > "$tmp/w-policy"
# writer NAME OUT: the command that writes OUT
writer() {
        case $1 in
        prom) echo report --format prometheus --days 10 --output "$2" ;;
        json) echo report --format json --days 10 --output "$2" ;;
        html) echo report --format html --days 10 --output "$2" ;;
        advise) echo advise --policy "$tmp/w-policy" --template quick --output "$2" ;;
        merge) echo advise --template quick --merge "$2" --policy "$2" ;;
        esac
}
writers=(prom json html advise merge)
for w in "${writers[@]}"; do
        modes=
        for m in 000 077 022; do
                rm -f "$tmp/out-$w"
                [[ $w == merge ]] && printf '# the admin'"'"'s map\nkeep.example encrypt\n' > "$tmp/out-$w" &&
                        chmod 0640 "$tmp/out-$w"
                # shellcheck disable=SC2046
                (umask "$m" && mx --state "$tmp/w.db" $(writer "$w" "$tmp/out-$w")) 2> "$tmp/w.err" ||
                        notok "$w with umask $m: $(head -1 "$tmp/w.err")"
                modes+=" $(stat -c %a "$tmp/out-$w" 2>/dev/null || echo none)"
        done
        want=" 644 644 644"
        [[ $w == merge ]] && want=" 640 640 640"
        check "$w: the file mode does not depend on the umask ($modes)" test "$modes" = "$want"
        if [[ $w == merge ]]; then
                check "merge keeps the administrator's lines" grep -qx 'keep.example encrypt' "$tmp/out-$w"
        fi
done

wmnt=$tmp/wmnt
mkdir "$wmnt"
if mount -t tmpfs -o size=1m,mode=0755 mxtls-test "$wmnt" 2>/dev/null; then
        trap 'umount "$wmnt" 2>/dev/null || true; rm -rf "$tmp"' EXIT
        for w in "${writers[@]}"; do
                for how in readonly full; do
                        mount -o remount,rw "$wmnt"
                        rm -rf "${wmnt:?}"/*
                        printf '# old content\nkeep.example encrypt\n' > "$wmnt/out"
                        if [[ $how == readonly ]]; then
                                mount -o remount,ro "$wmnt"
                        else
                                head -c 2000000 /dev/zero > "$wmnt/filler" 2>/dev/null || true
                        fi
                        rc=0
                        # shellcheck disable=SC2046
                        mx --state "$tmp/w.db" $(writer "$w" "$wmnt/out") > /dev/null 2> "$tmp/w.err" || rc=$?
                        if ((rc != 0)) && grep -qiE 'read-only|space|cannot' "$tmp/w.err"; then
                                ok "$w on a $how file system: exit $rc, $(head -1 "$tmp/w.err")"
                        else
                                notok "$w on a $how file system: exit $rc, $(head -1 "$tmp/w.err")"
                        fi
                        check "$w on a $how file system: the old file is untouched" \
                                test "$(cat "$wmnt/out")" = "$(printf '# old content\nkeep.example encrypt')"
                        check "$w on a $how file system: no temporary file left" \
                                test "$(find "$wmnt" -name 'out?*' | wc -l)" = 0
                done
        done
        mount -o remount,rw "$wmnt"
        umount "$wmnt"
else
        skip "writes to a read-only and to a full file system: cannot mount a tmpfs"
fi

# a reader never sees a partial file while reports are rewritten
mx --state "$tmp/w.db" report --format prometheus --days 10 --output "$tmp/prom" 2>/dev/null
cp "$tmp/prom" "$tmp/prom.want"
(
        for i in $(seq 30); do
                mx --state "$tmp/w.db" report --format prometheus --days 10 --output "$tmp/prom" 2>/dev/null
        done
) &
wpid=$!
torn=0
reads=0
while kill -0 "$wpid" 2>/dev/null; do
        if [[ -e $tmp/prom ]] && ! cmp -s "$tmp/prom" "$tmp/prom.want"; then
                torn=$((torn + 1))
        fi
        reads=$((reads + 1))
done
wait "$wpid"
check "$reads reads while the Prometheus file was rewritten 30 times: none partial" test "$torn" = 0

# two collects at once over the same journal and store
perl "$src/tests/gen-load.pl" --messages 20000 --domains 500 --seed 21 --days 10 > "$tmp/conc.txt"
mj "$tmp/conc.txt" "$tmp/conc.journal"
mx --state "$tmp/conc-ref.db" collect --file "$tmp/conc.journal" 2>/dev/null
report "$tmp/conc-ref.db" "$tmp/conc-ref.json"
for delay in 0 0.02 0.05 0.1 0.2; do
        rm -f "$tmp/conc.db"*
        mx --state "$tmp/conc.db" collect --file "$tmp/conc.journal" 2> "$tmp/conc1.err" &
        p1=$!
        sleep "$delay"
        rc2=0
        mx --state "$tmp/conc.db" collect --file "$tmp/conc.journal" 2> "$tmp/conc2.err" || rc2=$?
        rc1=0
        wait "$p1" || rc1=$?
        report "$tmp/conc.db" "$tmp/conc.json"
        if ((rc1 == 0)) && { ((rc2 == 0)) || ((rc2 == 75)); } && cmp -s "$tmp/conc.json" "$tmp/conc-ref.json"; then
                ok "two collects ${delay}s apart: exits $rc1 and $rc2, counted once"
        else
                notok "two collects ${delay}s apart: exits $rc1 and $rc2, counted once"
                head -2 "$tmp/conc1.err" "$tmp/conc2.err"
        fi
done

echo "$pass passed, $fail failed, ${#skips[@]} skipped"
finish "$fail"

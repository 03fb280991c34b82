#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the libFuzzer targets with clang (ASan+UBSan) and run each for a bounded
# time with seed corpora and dictionaries taken from the tree.
#   tools/fuzz.sh [SECONDS_PER_TARGET]      (default 60)
# FUZZ_BUILD_DIR: build directory (default build-fuzz); FUZZ_CORPUS_DIR: keep the
# corpora there between runs (default: a temporary directory); FUZZ_TARGETS:
# names to run (default: every fuzz-* target built). A crash, a leak, an
# undefined behaviour report or a target that did not run fails the script;
# the input that failed is kept beside the log and its path printed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
build=${FUZZ_BUILD_DIR:-$top/build-fuzz}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpora=${FUZZ_CORPUS_DIR:-$work/corpus}
expected=(fuzz-parse fuzz-tls-field fuzz-correlate fuzz-policy fuzz-template fuzz-address fuzz-syslog-line)

if [ ! -f "$build/build.ninja" ]; then
        CC=clang meson setup "$build" "$top" -Dfuzz=true -Dtests=disabled \
                -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$build" >/dev/null

mkdir -p "$corpora"/{parse,tls-field,correlate,policy,template,address,syslog-line}

# fuzz-parse: one byte choosing the program, then a MESSAGE, for every record
# of the fixtures. fuzz-correlate: the records of each fixture as "P MESSAGE"
# lines, P chosen so that each fixture process keeps its own session.
perl -e '
use strict; use warnings;
my ($dir, @files) = @ARGV;
my %ident = ("postfix/smtp" => 0, "postfix-out/smtp" => 1, "postfix/relay/smtp" => 2,
             "postfix/lmtp" => 3, "postfix/tlsproxy" => 4, "postfix/qmgr" => 5);
my $n = 0;
for my $f (@files) {
        open my $fh, "<", $f or die "$f: $!\n";
        my @lines;
        while (my $l = <$fh>) {
                chomp $l;
                next if $l =~ /^\s*(#|$)/;
                my (undef, undef, undef, $id, $pid, $msg) = split / /, $l, 6;
                next unless defined $msg;
                next if $msg =~ /\{\{repeat/;
                $msg =~ s/\\(x([0-9a-fA-F]{2})|\\)/defined $2 ? chr(hex $2) : "\\"/ge;
                my $i = $ident{$id} // 5;
                open my $o, ">", "$dir/parse/m" . $n++ or die;
                print $o chr(6 * int(rand(40)) + $i), $msg;
                close $o;
                # P: 3 * k + (0 smtp, 1 tlsproxy), the pid (100 + P % 5) from the fixture pid
                my $p = $pid =~ /^\d+$/ ? $pid % 5 : 0;
                my $b = $id =~ /tlsproxy/ ? 1 : 0;
                $b += 3 while ($b % 5) != $p || $b < 48;
                push @lines, chr($b) . $msg if $msg !~ /\n/;
        }
        for (my $k = 0; $k < @lines; $k += 40) {
                my $e = $k + 39 < $#lines ? $k + 39 : $#lines;
                open my $o, ">", "$dir/correlate/c" . $n++ or die;
                print $o join("\n", @lines[$k .. $e]), "\n";
                close $o;
        }
}
' "$corpora" "$top"/tests/fixtures/*.txt

n=0
for t in may may:none '!encrypt' 'dane?' dane:encrypt halfdane 'unknown?' 'may/requiretls:none' \
         '!requiretls:nocertmatch' 'verify' 'secure' '(may)' 'encrypt/requiretls' 'dane-only:dane-only'; do
        n=$((n + 1))
        printf '%s' "$t" >"$corpora/tls-field/t$n"
done

# fuzz-address: local parts (the first byte also picks whether orig_to= is there)
n=0
for l in 'john smith' 'x@victim.example>, relay=mx.victim.example[192.0.2.1]:25, tls=encrypt, status=sent (ok)' \
         'a"b' 'a\b' '">, relay=' 'plain' '' '@' '"@"@"'; do
        n=$((n + 1))
        printf '%s' "$l" >"$corpora/address/a$n"
done
# fuzz-syslog-line: one context byte (zone and year rule), then each fixture
# record as a syslog line
for f in "$top"/tests/fixtures/*.txt; do
        bash "$top/tests/make-journal.sh" --syslog "$f" 2>/dev/null | head -200 | awk -v d="$corpora/syslog-line" -v f="${f##*/}" '
                { c = substr("ABCDEFGHIJKLMNOPQRSTUVWXYZ", NR % 26 + 1, 1); o = d "/" f "." NR; printf "%s%s", c, $0 > o; close(o) }'
done
printf '%s' 'A<22>2024-03-07T11:00:00.123456+01:00 mx1 postfix/smtp[4242]: 3C4D5E6F70: to=<a@b.example>, relay=none, delay=0, status=deferred (x)' >"$corpora/syslog-line/rfc3339"
printf '%s' 'BMar  7 11:00:00 mx1 postfix-out/smtp[1]: Trusted TLS connection established to x[192.0.2.1]:25: TLSv1.3 with cipher A (1/1 bits)' >"$corpora/syslog-line/rfc3164"

cp "$top"/policy-templates/*.yaml "$corpora/template/" 2>/dev/null || true
cp "$top"/tests/e2e/*.yaml "$corpora/template/" 2>/dev/null || true
cp "$top"/tests/data/*policy* "$corpora/policy/" 2>/dev/null || true
cat >"$corpora/policy/p1" <<'EOF'
# smtp_tls_policy_maps source
example.com         encrypt protocols=>=TLSv1.2
.example.com        encrypt
[mx.example.net]:25 secure match=mx.example.net:.example.net ciphers=high
"quoted.example"    may
example.org         dane-only
example.info        { secure match=example.info } { protocols = >=TLSv1.2 } exclude=3DES
example.biz         verify
        match=.example.biz
nothing.example     none
EOF
cat >"$corpora/policy/p2" <<'EOF'
keep.example encrypt
# BEGIN mxtls -- maintained by "mxtls advise --merge"
good.example encrypt protocols=>=TLSv1.2
# END mxtls
after.example may
EOF
printf 'a.example fingerprint match=3D:95:34:51:24:66:33:B9:D2:40:99:C0:C1:17:0B:D1\n' >"$corpora/policy/p3"

# Dictionaries: the words each grammar is made of.
dict() {
        local f=$1
        shift
        : >"$f"
        for w in "$@"; do
                printf '"%s"\n' "$(printf '%s' "$w" | sed 's/\\/\\\\/g; s/"/\\"/g')" >>"$f"
        done
}
dict "$work/parse.dict" "TLS connection established to " "TLS connection reused to " " with cipher " \
        " bits)" "Verified " "Trusted " "Untrusted " "Anonymous " ": to=<" ">, relay=" ", delay=" \
        ", delays=" ", dsn=" ", status=sent (" ", status=deferred (" ", status=bounced (" ", tls=" \
        "relay=none" "[127.0.0.1]:10024" "[::1]" ":25" "TLSv1.3" "TLSv1.2" " key-exchange " \
        " server-signature " " server-digest " "connect to " "Connection timed out" \
        "TLS is required, but was not offered" "Server certificate not verified" \
        "warning: " "orig_to=<" ", conn_use=" "may:none" "!encrypt" "dane?"
cp "$work/parse.dict" "$work/correlate.dict"
dict "$work/address.dict" '"' '\\' ">, relay=" ">, orig_to=<" ", tls=encrypt" ", status=sent (ok)" "@" ">"
dict "$work/syslog-line.dict" "postfix/smtp[" "]: " "Jan " "Dec 31 23:59:59 " "2024-03-07T11:00:00" \
        ".123456" "+01:00" "Z" "<22>" " mx1 " "last message repeated 2 times" ": to=<" ">, relay="
dict "$work/tls-field.dict" "may" "none" "encrypt" "dane" "dane-only" "verify" "secure" "fingerprint" \
        "halfdane" "requiretls" "nocertmatch" "unknown" ":" "/" "!" "?" "(" ")"
dict "$work/policy.dict" " encrypt" " secure" " verify" " dane" " dane-only" " may" " none" \
        " fingerprint" "protocols=" "ciphers=" "match=" "exclude=" "tafile=" "connection_reuse=" \
        "enable_rpk=" "{" "}" " = " ">=TLSv1.2" "!SSLv3" "nexthop" "dot-nexthop" "hostname" \
        "# BEGIN mxtls" "# END mxtls" "\"" "[" "]:25"
dict "$work/template.dict" "name: " "description: " "window_days: " "min_deliveries: " "min_days: " \
        "min_tls_share: " "max_tls_failures: " "min_protocol: " "trust:" "exclude_domains:" \
        "propose:" "  level: " "  protocols: " "  match: " "  require_dane_verified: " \
        "  ciphers: " "  - " "TLSv1.2" "Verified" "encrypt" "secure" "dane-only" "mx" \
        "---" "..." "&a" "*a" "!!str" "{}" "[]" "|" ">-" "\"" "'" "#"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
ran=()
for exe in "$build"/tests/fuzz/fuzz-*; do
        [ -x "$exe" ] && [ -f "$exe" ] || continue
        name=$(basename "$exe")
        if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $name "* ]]; then
                continue
        fi
        ran+=("$name")
        kind=${name#fuzz-}
        corpus="$corpora/$kind"
        mkdir -p "$corpus" "$work/artifacts"
        dictopt=()
        [ -s "$work/$kind.dict" ] && dictopt=(-dict="$work/$kind.dict")
        echo "== $name: ${secs}s, $(find "$corpus" -type f | wc -l) seeds"
        if "$exe" -max_total_time="$secs" -max_len=70000 -print_final_stats=1 -timeout=20 \
                -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/$name-" "${dictopt[@]}" \
                "$corpus" >"$work/$name.log" 2>&1; then
                execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | grep -o '[0-9]*$' || echo '?')
                cov=$(grep -oE 'DONE +cov: [0-9]+ ft: [0-9]+' "$work/$name.log" | tail -1 | sed 's/DONE *//' || true)
                echo "$name: ok, $execs executions, ${cov:-no coverage line}, corpus $(find "$corpus" -type f | wc -l)"
        else
                echo "$name: FAILED"
                tail -60 "$work/$name.log"
                keep=${FUZZ_ARTIFACT_DIR:-$build/artifacts}
                mkdir -p "$keep"
                cp "$work/artifacts/$name-"* "$keep/" 2>/dev/null && echo "failing input kept in $keep" || true
                status=1
        fi
done
if [ -z "${FUZZ_TARGETS:-}" ]; then
        for t in "${expected[@]}"; do
                if [[ " ${ran[*]} " != *" $t "* ]]; then
                        echo "$t: NOT BUILT (tests/fuzz/$t.c missing or not in tests/fuzz/meson.build)"
                        status=1
                fi
        done
fi
exit $status

#!/bin/bash
# SPDX-License-Identifier: MIT
# test-hostile - log content written by strangers goes through the whole
# pipeline (journal file -> collect -> report json/text/prometheus/html ->
# advise -> postmap, and audit) without crashing and without reaching any
# output unescaped: recipient domains, relay names, host names, protocol and
# cipher words holding spaces, newlines, '#', '=', ',', NUL, ESC, quotes,
# markup, non-ASCII and invalid UTF-8, names of 300+ bytes, and server replies
# of 64 KiB.
#
# Checks: JSON parses (strict: no raw control characters in strings); text
# and HTML hold no control characters but newline and tab and no injected
# line; every Prometheus line is a comment or a well-formed sample; every
# non-comment line of "advise" matches a strict "domain level attrs" pattern
# and postmap(1) accepts the file without a warning; the good domains are
# still proposed (the checks are not vacuous).
set -euo pipefail

: "${MXTLS_SOURCE_ROOT:?}"
bin=${MXTLS_BIN:?}
. "${MXTLS_SOURCE_ROOT:?}/tests/lib.sh"
need_journal_remote
need_cmd python3
POSTMAP=$(command -v postmap || true)
[[ -z $POSTMAP && -x /usr/sbin/postmap ]] && POSTMAP=/usr/sbin/postmap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC

: > "$tmp/none.yaml"
mx() {
        "$bin" --config "$tmp/none.yaml" --state "$tmp/mxtls.db" "$@"
}
# run NAME ARGS...: mxtls ARGS > $tmp/NAME, stderr in $tmp/NAME.err; a signal
# or a sanitizer report is a failure; the exit status is returned
run() {
        local name=$1 rc=0
        shift
        mx "$@" > "$tmp/$name" 2> "$tmp/$name.err" || rc=$?
        if ((rc >= 128)) || grep -qE 'Sanitizer|runtime error:' "$tmp/$name.err"; then
                notok "$name: mxtls $* died (exit $rc)"
                sed -n 1,30p "$tmp/$name.err"
                return 99
        fi
        return "$rc"
}

# The journal, in export format (every field written in the binary form, so
# that any byte can be put in any field).
perl - "$(($(date +%s) - 4 * 86400))" > "$tmp/hostile.export" <<'EOF'
use strict;
use warnings;
no warnings "portable";
my $start = $ARGV[0];
binmode STDOUT;
my $n = 0;
sub rec {
        my ($t, $host, $pid, $msg) = @_;
        my %f = (_HOSTNAME => $host, _BOOT_ID => "0123456789abcdef0123456789abcdef",
                 SYSLOG_IDENTIFIER => "postfix/smtp", SYSLOG_PID => $pid, MESSAGE => $msg,
                 _TRANSPORT => "syslog", PRIORITY => "6");
        print "__REALTIME_TIMESTAMP=" . ($t * 1000000 + $n++) . "\n";
        print "__MONOTONIC_TIMESTAMP=" . ($t * 1000000 + $n) . "\n";
        for my $k (sort keys %f) {
                print "$k\n", pack("Q<", length $f{$k}), $f{$k}, "\n";
        }
        print "\n";
}
my $long = join(".", ("a" x 60) x 5) . ".example";
my @hostile = (
        "evil host.example", "evil\nINJECTED encrypt", "evil\r\nINJECTED.example",
        "evil#x.example", "evil=x.example", "evil,x.example", "evil\0x.example",
        "b\xc3\xbccher.example", "evil\xff\xfe.example", $long, "\e[2J\e[31mESC.example",
        "<script>alert(1)</script>.example", "evil\"q.example", "evil\\b.example",
        "-lead.example", "evil..example", ".example", "evil}x{.example", "evil\ttab.example",
        "evil\x7fdel.example", "x", "",
);
my $cipher = "TLS_AES_256_GCM_SHA384 (256/256 bits)";
my $qid = 0x4C10000000;
my $pid = 1000;
for my $day (0 .. 3) {
        for my $round (0 .. 3) {
                my $t = $start + $day * 86400 + $round * 3600;
                # good domains: proposed by the advisor
                for my $g (1 .. 3) {
                        $pid++;
                        my $q = sprintf "%X", $qid++;
                        rec($t, "mx1", $pid, "Verified TLS connection established to mx.good$g.example[192.0.2.$g]:25: TLSv1.3 with cipher $cipher");
                        rec($t, "mx1", $pid, "$q: to=<u$round\@good$g.example>, relay=mx.good$g.example[192.0.2.$g]:25, delay=0.4, delays=0.01/0.01/0.2/0.18, dsn=2.0.0, status=sent (250 2.0.0 Ok)");
                        $t++;
                }
                for my $k (0 .. $#hostile) {
                        my $h = $hostile[$k];
                        my $a = 10 + $k;
                        # a hostile recipient domain
                        $pid++;
                        my $q = sprintf "%X", $qid++;
                        rec($t, "mx1", $pid, "Verified TLS connection established to mx.ok$k.example[192.0.2.$a]:25: TLSv1.3 with cipher $cipher");
                        rec($t, "mx1", $pid, "$q: to=<u\@$h>, relay=mx.ok$k.example[192.0.2.$a]:25, delay=0.4, delays=0.01/0.01/0.2/0.18, dsn=2.0.0, status=sent (250 2.0.0 Ok)");
                        # a hostile relay (MX) name for a valid domain
                        $pid++;
                        $q = sprintf "%X", $qid++;
                        rec($t, "mx1", $pid, "Verified TLS connection established to $h\[198.51.100.$a]:25: TLSv1.3 with cipher $cipher");
                        rec($t, "mx1", $pid, "$q: to=<u\@victim$k.example>, relay=$h\[198.51.100.$a]:25, delay=0.4, delays=0.01/0.01/0.2/0.18, dsn=2.0.0, status=sent (250 2.0.0 Ok)");
                        # a hostile sending host name
                        $pid++;
                        $q = sprintf "%X", $qid++;
                        rec($t, $h, $pid, "Trusted TLS connection established to mx.good1.example[192.0.2.1]:25: TLSv1.2 with cipher $cipher");
                        rec($t, $h, $pid, "$q: to=<h$k\@good1.example>, relay=mx.good1.example[192.0.2.1]:25, delay=0.4, delays=0.01/0.01/0.2/0.18, dsn=2.0.0, status=sent (250 2.0.0 Ok)");
                        # hostile protocol and cipher words
                        $pid++;
                        $q = sprintf "%X", $qid++;
                        rec($t, "mx1", $pid, "Trusted TLS connection established to mx.words.example[203.0.113.$a]:25: TLSv1.3$h with cipher $h (256/256 bits)");
                        rec($t, "mx1", $pid, "$q: to=<w$k\@words.example>, relay=mx.words.example[203.0.113.$a]:25, delay=0.4, delays=0.01/0.01/0.2/0.18, dsn=2.0.0, status=sent (250 2.0.0 Ok)");
                        # a hostile tls= field and failure reason
                        $pid++;
                        $q = sprintf "%X", $qid++;
                        rec($t, "mx1", $pid, "$q: to=<f$k\@fail.example>, relay=mx.fail.example[203.0.113.99]:25, delay=0.4, delays=0.01/0.01/0.2/0.18, tls=$h, dsn=4.7.5, status=deferred (TLS is required, but $h was not offered by host mx.fail.example[203.0.113.99])");
                        $t++;
                }
                # server replies of 64 KiB: the whole MESSAGE exactly 65536 bytes (read),
                # and one byte more (dropped)
                for my $extra (0, 1) {
                        $pid++;
                        my $q = sprintf "%X", $qid++;
                        my $head = "$q: to=<big\@big.example>, relay=mx.big.example[192.0.2.99]:25, delay=0.4, delays=0.01/0.01/0.2/0.18, dsn=2.0.0, status=sent (250 ";
                        my $msg = $head . ("\e\n#=,\0\xff" x 20000);
                        $msg = substr($msg, 0, 65535 + $extra) . ")";
                        rec($t, "mx1", $pid, "Verified TLS connection established to mx.big.example[192.0.2.99]:25: TLSv1.3 with cipher $cipher");
                        rec($t, "mx1", $pid, $msg);
                        $t++;
                }
                $pid++;
                my $q = sprintf "%X", $qid++;
                rec($t, "mx1", $pid, "$q: to=<r\@reply.example>, relay=mx.reply.example[192.0.2.98]:25, delay=0.4, delays=0.01/0.01/0.2/0.18, dsn=5.0.0, status=bounced (host mx.reply.example[192.0.2.98] said: 550 " . ("\e[31m\nINJECTED #=, " x 3000) . ")");
        }
}
EOF
/lib/systemd/systemd-journal-remote --split-mode=none -o "$tmp/hostile.journal" - < "$tmp/hostile.export" 2> "$tmp/remote.err" ||
        { cat "$tmp/remote.err"; notok "systemd-journal-remote took the export"; }

rc=0
run collect collect --file "$tmp/hostile.journal" || rc=$?
check "collect exits 0 ($(tail -1 "$tmp/collect.err"))" test "$rc" = 0

# The checks, in python: one mode per output kind.
cat > "$tmp/check.py" <<'EOF'
import json, re, sys
mode, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
bad = []
def no_controls(allow=b"\n\t"):
        for i, b in enumerate(data):
                if (b < 0x20 and bytes([b]) not in allow) or b == 0x7f:
                        bad.append("control byte 0x%02x at %d: %r" % (b, i, data[max(0, i - 30):i + 30]))
                        return
def no_injected_line():
        for line in data.split(b"\n"):
                if line.lstrip().startswith(b"INJECTED"):
                        bad.append("injected line: %r" % line[:80])
                        return
if mode == "json":
        try:
                json.loads(data.decode("utf-8"), strict=True)
        except Exception as e:
                bad.append("not JSON: %s" % e)
        no_controls()
elif mode == "text":
        try:
                data.decode("utf-8")
        except UnicodeDecodeError as e:
                bad.append("not UTF-8: %s" % e)
        no_controls()
        no_injected_line()
elif mode == "html":
        no_controls(b"\n\t\r")
        no_injected_line()
        if b"<script>alert" in data:
                bad.append("raw <script> from the log")
        text = data.decode("utf-8", "replace")
        for m in re.finditer(r"<([a-zA-Z][a-zA-Z0-9]*)", text):
                if m.group(1).lower() not in {"html", "head", "body", "meta", "title", "style", "table", "thead",
                                              "tbody", "tr", "td", "th", "h1", "h2", "h3", "p", "div", "span",
                                              "section", "header", "footer", "main", "ul", "li", "svg", "rect",
                                              "g", "text", "path", "line", "small", "b", "strong", "code", "a",
                                              "details", "summary", "caption", "col", "colgroup", "em", "br",
                                              "abbr", "nav", "figure", "figcaption", "polyline", "circle",
                                              "title", "desc", "dl", "dt", "dd", "ol", "meter", "progress",
                                              "tfoot", "label", "time", "sup", "sub", "i", "hr", "pre",
                                              "article", "aside", "output", "data", "script", "noscript"}:
                        bad.append("unexpected tag <%s>" % m.group(1))
                        break
        if len(re.findall(r"<script", text)) != len(re.findall(r"<script[^>]*>", text)):
                bad.append("a broken script tag")
elif mode == "prometheus":
        no_controls(b"\n")
        name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
        label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
        sample = re.compile(r"^%s(?:\{(?:%s)(?:,%s)*,?\})? [-+]?(?:[0-9.]+(?:[eE][-+]?[0-9]+)?|Inf|NaN)(?: [0-9]+)?$" % (name, label, label))
        comment = re.compile(r"^# (?:HELP|TYPE) %s .*$" % name)
        for line in data.decode("utf-8", "replace").split("\n"):
                if line == "" or comment.match(line) or sample.match(line):
                        continue
                if line.startswith("#") and not line.startswith("# HELP") and not line.startswith("# TYPE"):
                        continue
                bad.append("not a Prometheus line: %r" % line[:120])
                break
elif mode == "postmap":
        no_controls(b"\n")
        label = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
        domain = r"\.?(?:%s\.)+%s" % (label, label)
        entry = re.compile(r"^(%s)[ \t]+(?:none|may|encrypt|dane|dane-only|verify|secure|fingerprint)"
                           r"(?:[ \t]+[a-z_]+=[A-Za-z0-9.:>=_-]+)*$" % domain)
        keys = []
        for line in data.decode("ascii", "replace").split("\n"):
                if line.strip() == "" or line.startswith("#"):
                        continue
                m = entry.match(line)
                if not m or len(m.group(1)) > 253:
                        bad.append("not a strict policy line: %r" % line[:120])
                        break
                keys.append(m.group(1))
        want = sys.argv[3:]
        for w in want:
                if w not in keys:
                        bad.append("%s not proposed (proposed: %s)" % (w, " ".join(keys) or "none"))
        for k in keys:
                if not (k.startswith("good") or k.startswith("victim") or k in ("big.example", "words.example")):
                        bad.append("unexpected key %s" % k)
for b in bad:
        print("   ", b)
sys.exit(1 if bad else 0)
EOF
verify() {
        python3 "$tmp/check.py" "$@"
}

# Reports in every format.
for fmt in json text prometheus html; do
        if run "report.$fmt" report --format "$fmt" --days 10 --top 200; then
                check "report --format $fmt is well-formed" verify "$fmt" "$tmp/report.$fmt"
        else
                notok "report --format $fmt exits $?: $(head -2 "$tmp/report.$fmt.err")"
        fi
done
if run report.host.json report --format json --days 10 --host mx1; then
        check "report --host --format json is well-formed" verify json "$tmp/report.host.json"
fi
run report.text-all report --format text --all --top 1000 || true
check "report --all text is well-formed" verify text "$tmp/report.text-all"
run report.domain report --format text --days 10 --domain "victim1.example" || true
check "report --domain text is well-formed" verify text "$tmp/report.domain"
check "stderr of the reports holds no raw control characters" \
        bash -c "cat '$tmp'/report.*.err | python3 -c 'import sys; d = sys.stdin.buffer.read(); sys.exit(any((b < 32 and b not in (9, 10)) or b == 127 for b in d))'"
check "collect stderr holds no raw control characters" verify text "$tmp/collect.err"

# The counts: the good domains and the 64 KiB reply exactly.
# (a delivery through a relay name that no DNS could give, with a space, a
# control character or 300 bytes, may be dropped as malformed: all or none)
check "the good domains, the victims and the 64 KiB reply are counted exactly" python3 - "$tmp/report.json" <<'EOF'
import json, sys
d = {x["domain"]: x for x in json.load(open(sys.argv[1]))["domains"]}
want = {"good1.example": 16 + 16 * 22, "good2.example": 16, "good3.example": 16, "big.example": 16}
ok = True
for dom, n in want.items():
        got = d.get(dom, {}).get("tls")
        if got != n:
                print("    %s: tls %s, want %s" % (dom, got, n))
                ok = False
for k in range(22):
        got = d.get("victim%d.example" % k, {}).get("delivered")
        if got not in (None, 16):
                print("    victim%d.example: delivered %s, want 16" % (k, got))
                ok = False
sys.exit(0 if ok else 1)
EOF

# advise: templates that the good domains meet, one of them with match= from
# the (hostile) MX names.
cat > "$tmp/t-encrypt.yaml" <<'EOF'
name: hostile-encrypt
description: encrypt after a few deliveries
window_days: 10
min_deliveries: 4
min_days: 2
min_tls_share: 100
max_tls_failures: 0
propose:
  level: encrypt
  protocols: ">=TLSv1.2"
EOF
cat > "$tmp/t-secure.yaml" <<'EOF'
name: hostile-secure
description: secure with the observed MX names
window_days: 10
min_deliveries: 4
min_days: 2
min_tls_share: 100
max_tls_failures: 0
trust:
  - Verified
propose:
  level: secure
  match: mx
  protocols: ">=TLSv1.2"
EOF
: > "$tmp/policy"
: > "$tmp/main.cf"
for t in encrypt secure; do
        if run "advise-$t" advise --template "$tmp/t-$t.yaml" --policy "$tmp/policy" --output "$tmp/advise-$t.map"; then
                check "advise ($t): every entry is a strict policy line, the good domains proposed" \
                        verify postmap "$tmp/advise-$t.map" good2.example good3.example
                if [[ -n $POSTMAP ]]; then
                        err=$("$POSTMAP" -c "$tmp" "hash:$tmp/advise-$t.map" 2>&1) && [[ -z $err ]] &&
                                ok "advise ($t): postmap accepts the file" ||
                                notok "advise ($t): postmap accepts the file: $err"
                else
                        skip "advise ($t): postmap accepts the file: postmap is not installed"
                fi
        else
                notok "advise ($t) exits $?: $(head -2 "$tmp/advise-$t.err")"
        fi
        if run "advise-$t.json" advise --template "$tmp/t-$t.yaml" --policy "$tmp/policy" --format json; then
                check "advise ($t) --format json is well-formed" verify json "$tmp/advise-$t.json"
        else
                notok "advise ($t) --format json exits $?"
        fi
done
# stdout of advise (no --output) and the default template
if run advise-default advise --policy "$tmp/policy"; then
        check "advise (default template) is well-formed" verify postmap "$tmp/advise-default"
fi

# audit over a policy that names good and victim domains
printf 'good1.example encrypt\nvictim1.example secure match=nexthop\nstale.example dane\n' > "$tmp/policy2"
for fmt in text json; do
        rc=0
        run "audit.$fmt" audit --policy "$tmp/policy2" --default-level may --format "$fmt" --days 10 || rc=$?
        if ((rc <= 1)); then
                check "audit --format $fmt is well-formed (exit $rc)" verify "$fmt" "$tmp/audit.$fmt"
        else
                notok "audit --format $fmt exits $rc: $(head -2 "$tmp/audit.$fmt.err")"
        fi
done

# audit and advise --merge over a map that itself holds hostile bytes: quoted
# keys with blanks, CR and ESC, non-ASCII, a long key; the merge keeps them
# byte for byte, the text output escapes them
printf '"evil\033[2J key\rx" encrypt\n"b\303\274cher.example" may\ngood1.example encrypt\n%s.example may\n' \
        "$(head -c 300 /dev/zero | tr '\0' a)" > "$tmp/policy3"
for fmt in text json; do
        rc=0
        run "audit3.$fmt" audit --policy "$tmp/policy3" --default-level may --format "$fmt" --days 10 || rc=$?
        if ((rc <= 1)); then
                check "audit of a hostile map --format $fmt is well-formed (exit $rc)" verify "$fmt" "$tmp/audit3.$fmt"
        else
                notok "audit of a hostile map --format $fmt exits $rc: $(head -2 "$tmp/audit3.$fmt.err")"
        fi
done
check "audit stderr holds no raw control characters" verify text "$tmp/audit3.text.err"
cp "$tmp/policy3" "$tmp/merged"
if run merge advise --template "$tmp/t-encrypt.yaml" --merge "$tmp/merged" --policy "$tmp/merged"; then
        check "merge keeps the hostile lines byte for byte" cmp -s "$tmp/policy3" <(head -c "$(stat -c %s "$tmp/policy3")" "$tmp/merged")
        sed -n '/^# BEGIN mxtls/,/^# END mxtls/p' "$tmp/merged" > "$tmp/section"
        check "the merged section is strict" verify postmap "$tmp/section" good2.example
else
        notok "advise --merge over a hostile map exits $?: $(head -2 "$tmp/merge.err")"
fi

echo "$pass passed, $fail failed, ${#skips[@]} skipped"
finish "$fail"

#!/bin/bash
# SPDX-License-Identifier: MIT
# test-html-chromium - the HTML report as a real browser sees it
#
# Builds a sample store (test-report --make-store), writes the HTML report with
# the mxtls binary, loads it in headless Chromium and checks the rendered DOM
# (chart with one bar per day, both domain tables with the expected rows, no
# script element) and a screenshot (the chart's colours are on screen).
# Needs the Debian package "chromium"; installs it when running as root.
# Exit 77 (skip) only when Chromium cannot be had.
set -euo pipefail

: "${MXTLS_BIN:?}" "${MXTLS_BUILD_ROOT:?}"

find_chromium() {
        local c
        for c in chromium chromium-browser google-chrome; do
                if command -v "$c" >/dev/null 2>&1; then
                        command -v "$c"
                        return 0
                fi
        done
        return 1
}

if ! CHROMIUM=$(find_chromium); then
        echo "SKIP: chromium is not installed (tools/deps.sh --test installs it)"
        exit 77
fi
if [[ ! -x $MXTLS_BUILD_ROOT/tests/test-report ]]; then
        echo "SKIP: tests/test-report, which makes the sample store, was not built (no jansson)"
        exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$MXTLS_BUILD_ROOT/tests/test-report" --make-store "$tmp/mxtls.db"
"$MXTLS_BIN" --state "$tmp/mxtls.db" report --days 14 --format html --output "$tmp/report.html"
test "$(stat -c %a "$tmp/report.html")" = 644 || { echo "report.html mode is not 0644"; exit 1; }
if grep -Eiq '<script|src="https?:|href="https?:|@import' "$tmp/report.html"; then
        echo "the page loads something external or has a script"
        exit 1
fi

chrome() {
        timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
                --disable-background-networking --disable-component-update --disable-sync \
                --user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" "$@" 2>>"$tmp/chromium.log"
}

chrome --dump-dom "file://$tmp/report.html" >"$tmp/dom.html"

python3 - "$tmp/dom.html" <<'EOF'
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []
        self.svg_rects = 0
        self.svg_groups = 0
        self.in_svg = False
        self.scripts = 0
        self.table = None
        self.rows = {}
        self.cell = None
        self.row = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and a.get("id") == "coverage-chart":
            self.in_svg = True
        elif self.in_svg and tag == "rect":
            self.svg_rects += 1
        elif self.in_svg and tag == "g":
            self.svg_groups += 1
        elif tag == "script":
            self.scripts += 1
        elif tag == "table":
            self.table = a.get("id")
            self.rows[self.table] = []
        elif tag == "tr" and self.table:
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_svg = False
        elif tag == "td" and self.cell is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.row:
                self.rows[self.table].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

d = Dom()
d.feed(open(sys.argv[1], encoding="utf-8").read())
fail = []
if d.svg_groups != 14:
    fail.append(f"chart has {d.svg_groups} day bars, want 14")
if d.svg_rects < 13 * 3:
    fail.append(f"chart has {d.svg_rects} rects, want at least 39")
if d.scripts:
    fail.append("a script element made it into the DOM")
clear = [r[0] for r in d.rows.get("cleartext-domains", [])]
if clear != ["plain.example", "<script>alert(1)</script>.example", "mixed.example"]:
    fail.append(f"cleartext-domains rows: {clear}")
failing = [(r[0], r[1]) for r in d.rows.get("failing-domains", [])]
if failing != [("broken.example", "26")]:
    fail.append(f"failing-domains rows: {failing}")
if "hosts" not in d.rows or len(d.rows["hosts"]) != 2:
    fail.append("hosts table missing or wrong")
if fail:
    print("\n".join(fail))
    sys.exit(1)
print(f"DOM ok: {d.svg_groups} bars, {d.svg_rects} rects, {len(clear)} cleartext and {len(failing)} failing rows")
EOF

chrome --screenshot="$tmp/shot.png" --window-size=1200,1400 --hide-scrollbars "file://$tmp/report.html" >/dev/null

python3 - "$tmp/shot.png" <<'EOF'
import struct, sys, zlib

data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG")
pos, idat, hdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
width, height, depth, ctype = hdr[0], hdr[1], hdr[2], hdr[3]
if depth != 8 or ctype not in (2, 6):
    sys.exit(f"unexpected PNG format depth={depth} type={ctype}")
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
colors = {}
i = 0
for y in range(height):
    f = raw[i]
    line = bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1:
            line[x] = (line[x] + a) & 255
        elif f == 2:
            line[x] = (line[x] + b) & 255
        elif f == 3:
            line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        colors[px] = colors.get(px, 0) + 1

want = {"TLS 1.3": (0x1a, 0x7f, 0x37), "TLS 1.2": (0x4a, 0xc2, 0x6b), "cleartext": (0xcf, 0x22, 0x2e)}
fail = []
for name, rgb in want.items():
    n = sum(v for k, v in colors.items() if all(abs(k[j] - rgb[j]) <= 6 for j in range(3)))
    if n < 200:
        fail.append(f"{name} colour: {n} pixels on screen")
if len(colors) < 8:
    fail.append(f"only {len(colors)} distinct colours: blank page?")
if fail:
    sys.exit("screenshot: " + "; ".join(fail))
print(f"screenshot ok: {width}x{height}, {len(colors)} colours")
EOF
echo "ok: HTML report rendered by $("$CHROMIUM" --version 2>/dev/null | head -1)"

#!/bin/bash
# SPDX-License-Identifier: MIT
# make-journal.sh - turn a text fixture into a journal file, journal export
# format or classic syslog text.
#
#   make-journal.sh [--records FIRST:LAST] FIXTURE OUT.journal   (appends to OUT)
#   make-journal.sh [--records FIRST:LAST] --export FIXTURE      (export format on stdout)
#   make-journal.sh [--records FIRST:LAST] --syslog FIXTURE      (syslog lines on stdout)
#   make-journal.sh --count FIXTURE                              (number of records)
#   make-journal.sh --shift-for FIXTURE...    (days that move the newest record into the last day)
#
# --shift-days N moves every timestamp N days later, so that tests can place a
# fixture in the recent past (inside the report window and the retention).
#
# Fixture format, one record per line:
#
#   TIMESTAMP HOST BOOT IDENTIFIER PID MESSAGE...
#
#   TIMESTAMP   2024-03-04T10:00:00Z, 2024-03-04T10:00:00.123456Z or @USEC
#   HOST        _HOSTNAME, "-" for none
#   BOOT        _BOOT_ID: 32 hex digits, or a short name turned into 32 hex digits;
#               "-" for none
#   IDENTIFIER  SYSLOG_IDENTIFIER, "-" for none
#   PID         SYSLOG_PID, "-" for none
#   MESSAGE     the rest of the line; \xHH and \\ are escapes, {{repeat N TEXT}}
#               expands to TEXT N times. A MESSAGE with control characters or
#               bytes >= 0x7f is written in the binary (length-prefixed) form.
#
# Blank lines and lines starting with '#' are not records ("#expect ..." lines
# are read by fixture-compare.pl). FIRST:LAST selects records by number (1-based,
# inclusive). Exit 77 when systemd-journal-remote is not installed.
set -euo pipefail

JOURNAL_REMOTE=${JOURNAL_REMOTE:-/lib/systemd/systemd-journal-remote}
mode=journal
range=
shift_days=0
while [[ $# -gt 0 ]]; do
        case $1 in
        --records) range=$2; shift 2 ;;
        --export) mode=export; shift ;;
        --syslog) mode=syslog; shift ;;
        --count) mode=count; shift ;;
        --shift-days) shift_days=$2; shift 2 ;;
        --shift-for) mode=shift; shift ;;
        *) break ;;
        esac
done
if [[ $# -lt 1 || ( $mode == journal && $# -lt 2 ) ]]; then
        echo "usage: make-journal.sh [--records A:B] [--shift-days N] [--export|--syslog|--count|--shift-for] FIXTURE [OUT.journal]" >&2
        exit 2
fi
fixture=$1

convert() {
        perl -e '
use strict; use warnings;
my ($mode, $range, $shift, @files) = @ARGV;
my ($first, $last) = (1, 1e18);
if ($range ne "") { ($first, $last) = split /:/, $range; }
my @mon = qw(Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec);

sub days_from_civil {
        my ($y, $m, $d) = @_;
        $y -= $m <= 2;
        my $era = int(($y >= 0 ? $y : $y - 399) / 400);
        my $yoe = $y - $era * 400;
        my $doy = int((153 * ($m + ($m > 2 ? -3 : 9)) + 2) / 5) + $d - 1;
        my $doe = $yoe * 365 + int($yoe / 4) - int($yoe / 100) + $doy;
        return $era * 146097 + $doe - 719468;
}
sub usec_of {
        my ($t) = @_;
        return $1 if $t =~ /^@(\d+)$/;
        $t =~ /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z$/
                or die "bad timestamp $t\n";
        my $frac = defined $7 ? substr($7 . "000000", 0, 6) : 0;
        my $s = days_from_civil($1, $2, $3) * 86400 + $4 * 3600 + $5 * 60 + $6;
        return $s * 1000000 + $frac;
}
sub boot_id {
        my ($b) = @_;
        return lc $b if $b =~ /^[0-9a-fA-F]{32}$/;
        return unpack("H32", substr($b . ("\x5a" x 16), 0, 16));
}
sub unescape {
        my ($m) = @_;
        $m =~ s/\{\{repeat (\d+) (.*?)\}\}/$2 x $1/ge;
        $m =~ s/\\(x([0-9a-fA-F]{2})|\\)/defined $2 ? chr(hex $2) : "\\"/ge;
        return $m;
}
sub field {
        my ($name, $value) = @_;
        return "$name=$value\n" unless $value =~ /[\x00-\x08\x0a-\x1f\x7f-\xff]/;
        return "$name\n" . pack("Q<", length $value) . $value . "\n";
}

binmode STDOUT;
my $n = 0;
my $max = 0;
for my $file (@files) {
open my $fh, "<", $file or die "$file: $!\n";
while (my $line = <$fh>) {
        chomp $line;
        next if $line =~ /^\s*(#|$)/;
        my ($ts, $host, $boot, $ident, $pid, $msg) = split / /, $line, 6;
        die "$file:$.: too few columns\n" unless defined $pid;
        $msg = "" unless defined $msg;
        $n++;
        next if $n < $first || $n > $last;
        my $usec = usec_of($ts) + $shift * 86400 * 1000000;
        $max = $usec if $usec > $max;
        next if $mode eq "shift";
        $msg = unescape($msg);
        if ($mode eq "syslog") {
                my @t = gmtime(int($usec / 1000000));
                printf "%s %2d %02d:%02d:%02d %s %s%s: %s\n", $mon[$t[4]], $t[3], $t[2], $t[1], $t[0],
                        $host eq "-" ? "localhost" : $host, $ident eq "-" ? "unknown" : $ident,
                        $pid eq "-" ? "" : "[$pid]", $msg;
                next;
        }
        next if $mode eq "count";
        my $out = "__REALTIME_TIMESTAMP=$usec\n";
        if ($boot ne "-") {
                # Monotonic time that grows with the wall clock within a boot.
                $out .= "__MONOTONIC_TIMESTAMP=" . ($usec - 1000000000000000) . "\n";
                $out .= "_BOOT_ID=" . boot_id($boot) . "\n";
        }
        $out .= "_HOSTNAME=$host\n" if $host ne "-";
        $out .= "_TRANSPORT=syslog\nPRIORITY=6\nSYSLOG_FACILITY=2\n";
        $out .= "SYSLOG_IDENTIFIER=$ident\n" if $ident ne "-";
        $out .= "SYSLOG_PID=$pid\n" if $pid ne "-";
        $out .= field("MESSAGE", $msg);
        print $out, "\n";
}
}
print "$n\n" if $mode eq "count";
if ($mode eq "shift") {
        # Whole days, so that times of day stay; the newest record an hour or more ago.
        my $now = time() * 1000000 - 3600 * 1000000;
        print int(($now - $max) / (86400 * 1000000)), "\n";
}
' "$1" "$range" "$shift_days" "${@:2}"
}

case $mode in
count | export | syslog)
        convert "$mode" "$fixture"
        ;;
shift)
        convert shift "$@"
        ;;
journal)
        if [[ ! -x $JOURNAL_REMOTE ]]; then
                echo "make-journal.sh: $JOURNAL_REMOTE not installed (package systemd-journal-remote)" >&2
                exit 77
        fi
        out=$2
        convert export "$fixture" | "$JOURNAL_REMOTE" --split-mode=none -o "$out" - 2> >(grep -v "^Finishing after writing" >&2 || true)
        ;;
esac

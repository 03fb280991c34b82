#!/bin/bash
# SPDX-License-Identifier: MIT
# sample-journal.sh OUTDIR - build OUTDIR/sample.journal from tests/fixtures/sample.txt,
# a day of outbound mail of a small Postfix host, moved to end in the last day so
# that `mxtls report` shows it:
#
#   tests/sample-journal.sh /tmp/mxtls-sample
#   mxtls --state /tmp/mxtls-sample/mxtls.db collect --file /tmp/mxtls-sample/sample.journal
#   mxtls --state /tmp/mxtls-sample/mxtls.db report
#
# Needs systemd-journal-remote (exit 77 without it) and perl.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: sample-journal.sh OUTDIR}
fixture=$here/fixtures/sample.txt

mkdir -p "$out"
rm -f "$out/sample.journal"
shift_days=$(bash "$here/make-journal.sh" --shift-for "$fixture")
bash "$here/make-journal.sh" --shift-days "$shift_days" "$fixture" "$out/sample.journal"
echo "$out/sample.journal"

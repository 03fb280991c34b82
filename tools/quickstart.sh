#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build mxtls, collect the local journal and print the TLS coverage report.
# When the local journal has no postfix/smtp records, say so and show the same
# job on the bundled sample journal instead, labelled as sample data.
# Every step that fails prints its own output and the step's name.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

die() { echo "quickstart: $*" >&2; exit 1; }

# run_quiet STEP CMD... - run CMD, showing its output only when it fails
run_quiet() {
        local step=$1 log
        shift
        log=$(mktemp)
        if ! "$@" >"$log" 2>&1; then
                cat "$log" >&2
                rm -f "$log"
                die "$step failed (command: $*)"
        fi
        rm -f "$log"
}

for c in meson ninja; do
        command -v "$c" >/dev/null || die "$c is not installed; run tools/deps.sh first (as root)"
done
if [ ! -f "$build/build.ninja" ]; then
        # The paths of an installed mxtls, so that this store is the service's:
        # /etc/mxtls/mxtls.yaml, /var/lib/mxtls/mxtls.db.
        run_quiet "meson setup" meson setup "$build" "$top" --prefix=/usr --sysconfdir=/etc --localstatedir=/var
fi
run_quiet "build" ninja -C "$build"
mxtls=$build/cli/mxtls

has_postfix=0
if command -v journalctl >/dev/null 2>&1 &&
   journalctl -F SYSLOG_IDENTIFIER 2>/dev/null | grep -Eq '^postfix[^/]*(/relay)?/smtp$'; then
        has_postfix=1
fi

if [ $has_postfix = 1 ]; then
        "$mxtls" collect
        "$mxtls" report
        exit 0
fi

echo "The local journal has no postfix/smtp records."
echo "Showing the same job on the bundled sample journal (tests/fixtures/sample.txt)."
echo
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run_quiet "writing the sample journal" bash "$top/tests/sample-journal.sh" "$work"
echo "===== SAMPLE DATA — not from this machine ====="
"$mxtls" --state "$work/sample.db" collect --file "$work/sample.journal"
"$mxtls" --state "$work/sample.db" report --all
echo "===== end of SAMPLE DATA ====="

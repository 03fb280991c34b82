# SPDX-License-Identifier: MIT
# Shared prelude of the script tests; source it after `set -euo pipefail`.
#   need_journal_remote      exit 77 (skip) without systemd-journal-remote
#   need_cmd NAME...         exit 77 (skip) when a command is missing
#   ok / notok / check       TAP-style results counted in $pass and $fail

need_journal_remote() {
        if [[ ! -x /lib/systemd/systemd-journal-remote ]]; then
                echo "systemd-journal-remote is not installed"
                exit 77
        fi
}

need_cmd() {
        local c
        for c in "$@"; do
                if ! command -v "$c" >/dev/null; then
                        echo "$c is not installed"
                        exit 77
                fi
        done
}

pass=0
fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
notok() { echo "not ok - $*"; fail=$((fail + 1)); }
check() {
        local name=$1
        shift
        if "$@"; then ok "$name"; else notok "$name"; fi
}

# SPDX-License-Identifier: MIT
# Shared prelude of the script tests; source it after `set -euo pipefail`.
#   need_journal_remote      exit 77 (skip) without systemd-journal-remote
#   need_cmd NAME...         exit 77 (skip) when a command is missing
#   ok / notok / check       TAP-style results counted in $pass and $fail
#   skip WHAT                a check that cannot run here: "ok - # SKIP WHAT"; the test
#                            goes on with the others
#   finish FAILED            the exit status: 1 when FAILED > 0, else 77 (meson: SKIP)
#                            when anything was skipped, naming it on the last line, else 0

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

skips=()
skip() { echo "ok - # SKIP $*"; skips+=("$*"); }
finish() {
        local why
        (($1 == 0)) || exit 1
        ((${#skips[@]} == 0)) && exit 0
        printf -v why '%s; ' "${skips[@]}"
        echo "SKIP: ${why%; }"
        exit 77
}

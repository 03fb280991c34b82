#!/bin/bash
# SPDX-License-Identifier: MIT
# test-doctor - "mxtls doctor" against a journal fixture, with stand-ins for
# postconf and systemctl on $PATH: each check says ok/warn/FAIL with a hint,
# and the exit status is 1 exactly when a check failed.
set -euo pipefail

: "${MXTLS_SOURCE_ROOT:?}" "${MXTLS_BUILD_ROOT:?}" "${MXTLS_BIN:?}"
. "$MXTLS_SOURCE_ROOT/tests/lib.sh"

remote=""
for p in /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote; do
        [ -x "$p" ] && remote=$p && break
done
[ -n "$remote" ] || { echo "SKIP: systemd-journal-remote not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

# --- fixtures ----------------------------------------------------------------
# journal_from NAME IDENT...: a journal directory with one entry per identifier.
journal_from() {
        local dir="$tmp/$1" ts=1700000000000000 i=0
        shift
        mkdir -p "$dir"
        for ident in "$@"; do
                i=$((i + 1))
                printf '__CURSOR=s=0;i=%d\n__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n' "$i" "$((ts + i))" "$i"
                printf '_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=mx1\n'
                printf 'SYSLOG_IDENTIFIER=%s\nSYSLOG_PID=%d\nMESSAGE=test entry %d\n\n' "$ident" "$((100 + i))" "$i"
        done | "$remote" --split-mode=none -o "$dir/fixture.journal" - 2>"$tmp/remote.log" || {
                echo "systemd-journal-remote failed:"
                cat "$tmp/remote.log"
                exit 1
        }
}
journal_from postfix-journal postfix/smtp postfix/qmgr postfix-out/smtp cron
journal_from other-journal cron sshd

mkdir -p "$tmp/bin"
cat >"$tmp/bin/postconf" <<'EOF'
#!/bin/sh
# stand-in: answers from environment variables
case "$*" in
*smtp_tls_loglevel) echo "${FAKE_LOGLEVEL:-1}" ;;
*smtp_tls_policy_maps) echo "${FAKE_POLICY_MAPS:-}" ;;
*) echo "postconf: warning: $*: unknown parameter" >&2 ;;
esac
EOF
cat >"$tmp/bin/systemctl" <<'EOF'
#!/bin/sh
[ "$1 $2" = "is-enabled mxtls-collect.timer" ] || exit 2
echo "${FAKE_TIMER:-enabled}"
[ "${FAKE_TIMER:-enabled}" = enabled ]
EOF
chmod +x "$tmp/bin/postconf" "$tmp/bin/systemctl"

printf 'example.com encrypt\n.example.net secure match=.example.net\n' >"$tmp/tls_policy"
printf 'example.com encrypt\nexample.org frobnicate\n' >"$tmp/bad_policy"
: >"$tmp/not-a-dir"

# doctor NAME JOURNAL [CONFIG-LINES...]: run with a config and the stand-ins;
# $STATE replaces the store path.
doctor() {
        local name=$1 journal=$2
        shift 2
        {
                echo "directories: [$tmp/$journal]"
                echo "state_file: ${STATE:-$tmp/state/$name/mxtls.db}"
                for line in "$@"; do echo "$line"; done
        } >"$tmp/$name.yaml"
        set +e
        PATH="$tmp/bin:$PATH" "$MXTLS_BIN" --config "$tmp/$name.yaml" doctor >"$tmp/$name.out" 2>"$tmp/$name.err"
        rc=$?
        set -e
}
# expect NAME REGEX: a line of the output matches
expect() {
        if grep -Eq -- "$2" "$tmp/$1.out"; then
                ok "$1: /$2/"
        else
                fail "$1: no line matches /$2/; output:"
                sed 's/^/    /' "$tmp/$1.out" "$tmp/$1.err"
        fi
}
expect_rc() {
        [ "$rc" -eq "$2" ] && ok "$1: exit $2" || fail "$1: exit $rc, want $2"
}

# --- cases ---------------------------------------------------------------------
mkdir -p "$tmp/state"
export FAKE_POLICY_MAPS="hash:$tmp/tls_policy"

doctor good postfix-journal
expect_rc good 0
expect good '^ok +journal: readable \(journal:dir:.*postfix-journal, 4 distinct SYSLOG_IDENTIFIER values\)$'
expect good '^ok +postfix: SMTP client entries found \(.*postfix/smtp.*\)$'
expect good '^ok +postfix: SMTP client entries found \(.*postfix-out/smtp.*\)$'
grep -q 'postfix/qmgr' "$tmp/good.out" && fail "good: postfix/qmgr listed as SMTP client" ||
        ok "good: postfix/qmgr not an SMTP client"
expect good '^ok +postconf: smtp_tls_loglevel = 1$'
expect good "^ok +policy: $tmp/tls_policy readable, 2 entries"
expect good "^ok +store: $tmp/state/good/mxtls.db will be created by the first collect$"
expect good '^ok +timer: mxtls-collect.timer is enabled$'
expect good '^0 failed, 0 warnings$'

FAKE_LOGLEVEL=0 FAKE_TIMER=disabled doctor loglevel0 postfix-journal
expect_rc loglevel0 1
expect loglevel0 '^FAIL +postconf: smtp_tls_loglevel = 0'
expect loglevel0 '^ +fix: postconf -e smtp_tls_loglevel=1 && postfix reload$'
expect loglevel0 '^warn +timer: mxtls-collect.timer is disabled$'
expect loglevel0 '^ +fix: systemctl enable --now mxtls-collect.timer$'
expect loglevel0 '^1 failed, 1 warnings$'

doctor nopostfix other-journal
expect_rc nopostfix 1
expect nopostfix '^FAIL +postfix: no journal entries whose SYSLOG_IDENTIFIER matches postfix/smtp, postfix\*/smtp, postfix\*/relay/smtp$'
expect nopostfix '^ok +journal: readable'

doctor identifiers other-journal "identifiers: [sshd]"
expect_rc identifiers 0
expect identifiers '^ok +postfix: SMTP client entries found \(sshd\)$'

doctor badpolicy postfix-journal "policy_file: $tmp/bad_policy"
expect_rc badpolicy 1
expect badpolicy "^FAIL +policy: $tmp/bad_policy:2: "

doctor nopolicy postfix-journal "policy_file: $tmp/absent_policy"
expect_rc nopolicy 1
expect nopolicy "^FAIL +policy: $tmp/absent_policy: No such file or directory$"

FAKE_POLICY_MAPS="" doctor emptymaps postfix-journal
expect_rc emptymaps 0
expect emptymaps '^ok +policy: smtp_tls_policy_maps is empty'

STATE="$tmp/not-a-dir/mxtls.db" doctor nostore postfix-journal
expect_rc nostore 1
expect nostore "^FAIL +store: $tmp/not-a-dir/mxtls.db does not exist and cannot be created here"

doctor nojournal absent-journal
expect_rc nojournal 1
expect nojournal '^FAIL +journal: '

# Without postconf and systemctl (a journal-remote server): neither on $PATH, and
# the postconf that doctor also looks for in the sbin directories hidden under an
# empty file in a mount namespace of its own.
mkdir -p "$tmp/emptybin"
: >"$tmp/no-postconf"
{
        echo "directories: [$tmp/postfix-journal]"
        echo "state_file: $tmp/state/bare/mxtls.db"
} >"$tmp/bare.yaml"
hide=()
for p in /usr/sbin/postconf /usr/local/sbin/postconf; do
        [ -e "$p" ] && hide+=("$p")
done
ns=()
if [ ${#hide[@]} -gt 0 ]; then
        ns=(unshare --mount --propagation private)
        [ "$(id -u)" -eq 0 ] || ns+=(--map-root-user)
        "${ns[@]}" true 2>/dev/null || ns=()
fi
set +e
if [ ${#ns[@]} -gt 0 ]; then
        # shellcheck disable=SC2016
        "${ns[@]}" bash -c 'for p in "${@:4}"; do mount --bind "$3" "$p" || exit 99; done
                PATH=$1 exec "$2" --config "$0" doctor' \
                "$tmp/bare.yaml" "$tmp/emptybin" "$MXTLS_BIN" "$tmp/no-postconf" "${hide[@]}" >"$tmp/bare.out" 2>&1
else
        PATH="$tmp/emptybin" "$MXTLS_BIN" --config "$tmp/bare.yaml" doctor >"$tmp/bare.out" 2>&1
fi
rc=$?
set -e
if [ ${#hide[@]} -gt 0 ] && [ ${#ns[@]} -eq 0 ]; then
        skip "bare: postconf not found: postconf is installed and no mount namespace can hide it"
else
        expect bare '^warn +postconf: not found'
fi
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] && ok "bare: exit $rc" || fail "bare: exit $rc"

# --- usage ---------------------------------------------------------------------
out=$("$MXTLS_BIN" doctor --help)
echo "$out" | grep -q '^Usage: mxtls doctor' && ok "doctor --help" || fail "doctor --help: $out"
set +e
"$MXTLS_BIN" doctor --bogus >/dev/null 2>&1
rc=$?
set -e
expect_rc usage 64

echo "$passed passed, $failed failed, ${#skips[@]} skipped"
finish "$failed"

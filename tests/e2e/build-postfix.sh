#!/bin/bash
# SPDX-License-Identifier: MIT
#
# NAME
#        build-postfix.sh - a private Postfix built from Debian's source package
# SYNOPSIS
#        build-postfix.sh [SERIES:]SUITE CACHE_DIR
# DESCRIPTION
#        Finds the source package "postfix" in SUITE of the Debian archive that
#        the machine's apt uses (e.g. "3.11:unstable"), downloads it with
#        "apt-get source --download-only" under a private apt configuration (a
#        temporary sources list, lists and cache directories: the host's apt
#        state is never touched), unpacks the upstream tarball and builds it
#        with Postfix's own "make makefiles" (TLS with OpenSSL, Berkeley DB; no
#        NIS, PCRE, LDAP, SMTPUTF8), then installs it with
#        "make non-interactive-package" into
#            CACHE_DIR/postfix-SERIES-VERSION/root
#        with every built-in path (config_directory, command_directory,
#        daemon_directory, queue_directory, data_directory, meta_directory,
#        sendmail_path, ...) pointing into that root, so the build never
#        refers to the host's Postfix. VERSION is the Debian source version.
#        mail_owner and setgid_group are the host's "postfix" and "postdrop".
#
#        A build is reused while the suite still has the same source version
#        (and this script the same build settings); when the archive cannot
#        be reached, the newest cached build of SERIES is used.
#
#        Prints the install root on stdout; progress goes to stderr, the
#        build's output to CACHE_DIR/postfix-SERIES-VERSION/build.log.
# ENVIRONMENT
#        MXTLS_DEBIAN_MIRROR   archive URI (default: the Debian archive of the
#                              host's apt sources, from "apt-cache policy")
# EXIT STATUS
#        0 built or cached; 77 no source and no cached build (archive
#        unreachable, or it does not have the package files): the reason is
#        printed; 1 the build failed, or bad usage.
set -euo pipefail

say() { echo "build-postfix: $*" >&2; }
die() { say "$*"; exit 1; }
skip() { say "SKIP: $*"; exit 77; }

[[ $# -eq 2 ]] || die "usage: build-postfix.sh [SERIES:]SUITE CACHE_DIR"
if [[ $1 = *:* ]]; then
        series=${1%%:*}
        suite=${1#*:}
else
        series=
        suite=$1
fi
[[ $suite =~ ^[a-z][a-z0-9-]*$ ]] || die "bad suite name: $suite"
[[ -z $series || $series =~ ^[0-9]+\.[0-9]+$ ]] || die "bad version series: $series"
mkdir -p "$2"
cache=$(cd "$2" && pwd)

# The build settings; a change of this text rebuilds.
ccargs='-DUSE_TLS -I/usr/include/openssl -DHAS_DB -DNO_NIS -DNO_NISPLUS -DNO_PCRE -DNO_LDAP -DNO_EAI'
auxlibs='-lssl -lcrypto -ldb'
settings_id() { printf '%s\n%s\n%s\n' "$ccargs" "$auxlibs" "$1" | sha256sum | cut -c1-16; }

need() {
        local c missing=()
        for c in "$@"; do
                command -v "$c" >/dev/null || missing+=("$c")
        done
        [[ ${#missing[@]} -eq 0 ]] ||
                skip "missing commands: ${missing[*]} (tools/deps.sh --test installs the test packages)"
}

# cached_build SERIES: the newest complete build of SERIES in the cache, if any
cached_build() {
        local d best=
        for d in "$cache"/postfix-"$1"-*/; do
                d=${d%/}
                [[ -f $d/complete ]] || continue
                [[ $(sed -n 's/^settings=//p' "$d/complete") = "$(settings_id "$d/root")" ]] || continue
                best=$(printf '%s\n%s\n' "$best" "$d" | sed '/^$/d' | sort -V | tail -n 1)
        done
        [[ -n $best ]] && echo "$best"
}

use_cached_or_skip() {  # use_cached_or_skip REASON
        local d
        if [[ -n $series ]] && d=$(cached_build "$series"); then
                say "$1; using the cached build $(basename "$d")"
                echo "$d/root"
                exit 0
        fi
        skip "$1, and no Postfix ${series:+$series }build is cached in $cache"
}

need apt-get apt-cache make gcc tar sha256sum flock
[[ -f /usr/include/openssl/ssl.h ]] || skip "libssl-dev is not installed (tools/deps.sh --test)"
[[ -f /usr/include/db.h ]] || skip "libdb-dev is not installed (tools/deps.sh --test)"
command -v m4 >/dev/null || skip "m4 is not installed (tools/deps.sh --test)"

# ---------------------------------------------------------------- private apt
mirror=${MXTLS_DEBIAN_MIRROR:-}
if [[ -z $mirror ]]; then
        # The URI of the Debian archive (not debian-security) in the host's
        # sources: "apt-cache policy" lists each with its Release fields.
        mirror=$(apt-cache policy 2>/dev/null | awk '
                $1 ~ /^[0-9]+$/ && $2 ~ /^[a-z]+:\/\// { uri = $2; next }
                /release / && /o=Debian,/ && /l=Debian,/ && uri != "" { print uri; exit }')
fi
[[ -n $mirror ]] || skip "no Debian archive in the host's apt sources (set MXTLS_DEBIAN_MIRROR)"
mirror=${mirror%/}

apt_dir=$cache/apt-$suite
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
        "$mirror" "$suite" >"$apt_dir/sources.list"
apt_opts=(
        -o Dir::Etc::sourcelist="$apt_dir/sources.list"
        -o Dir::Etc::sourceparts=-
        -o Dir::State::Lists="$apt_dir/lists"
        -o Dir::Cache="$apt_dir/cache"
        -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
        -o APT::Sandbox::User=root
        -o Acquire::Retries=2
        -o Acquire::http::Timeout=20
        -o Acquire::https::Timeout=20
        # The signatures are checked; a mirror that lags behind (an expired
        # Valid-Until) still serves the files its Sources index lists.
        -o Acquire::Check-Valid-Until=false
        -o Acquire::Languages=none
)
exec 9>"$cache/.build-postfix.lock"
flock -w 1800 9 || die "another build-postfix.sh holds $cache/.build-postfix.lock"

say "checking $suite at $mirror"
if ! apt-get "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1 ||
   grep -Eq '^(E: |W: Failed to fetch|W: Some index files failed)' "$apt_dir/update.log"; then
        use_cached_or_skip "cannot read $suite from $mirror: $(grep -m1 -E '^(E|W): ' "$apt_dir/update.log" || tail -n 1 "$apt_dir/update.log")"
fi
version=$(apt-cache "${apt_opts[@]}" showsrc postfix 2>/dev/null |
          awk '/^Package: postfix$/ { p = 1; next } /^Package: / { p = 0 } p && /^Version: / { print $2 }' |
          sort -V | tail -n 1)
[[ -n $version ]] || use_cached_or_skip "$suite at $mirror has no source package postfix"
upstream=${version#*:}
upstream=${upstream%-*}
if [[ -n $series ]]; then
        [[ $upstream = "$series".* || $upstream = "$series" ]] ||
                die "$suite has postfix $version, not $series.x"
else
        series=$(cut -d. -f1,2 <<<"$upstream")
fi
dir=$cache/postfix-$series-$version
root=$dir/root
if [[ -f $dir/complete && $(sed -n 's/^settings=//p' "$dir/complete") = "$(settings_id "$root")" ]]; then
        say "cached: postfix $version ($dir)"
        echo "$root"
        exit 0
fi

# ---------------------------------------------------------------- fetch
rm -rf "$dir"
mkdir -p "$dir/src"
t0=$(date +%s)
say "fetching the source package postfix $version"
if ! (cd "$dir/src" && apt-get "${apt_opts[@]}" source --download-only "postfix=$version") \
        >"$dir/fetch.log" 2>&1; then
        reason=$(grep -m1 '^E: ' "$dir/fetch.log" || tail -n 1 "$dir/fetch.log")
        rm -rf "$dir"
        use_cached_or_skip "the archive did not deliver postfix $version ($reason)"
fi
tarball=$(find "$dir/src" -maxdepth 1 -name "postfix_${upstream}.orig.tar.*" ! -name '*.asc' | head -n 1)
[[ -n $tarball ]] || die "no upstream tarball in the source package postfix $version"
tar -xf "$tarball" -C "$dir/src"
tree=$(find "$dir/src" -mindepth 1 -maxdepth 1 -type d -name 'postfix-*' | head -n 1)
[[ -n $tree && -f $tree/Makefile.init ]] || die "unexpected layout of $tarball"

# ---------------------------------------------------------------- build
# Built-in paths: everything inside the root (the built programs must never
# read the host's /etc/postfix or use its queue).
paths=(
        config_directory="$root/etc/postfix"
        meta_directory="$root/etc/postfix"
        command_directory="$root/usr/sbin"
        daemon_directory="$root/usr/libexec/postfix"
        data_directory="$root/var/lib/postfix"
        queue_directory="$root/var/spool/postfix"
        sendmail_path="$root/usr/sbin/sendmail"
        newaliases_path="$root/usr/bin/newaliases"
        mailq_path="$root/usr/bin/mailq"
        manpage_directory="$root/usr/share/man"
        html_directory=no
        readme_directory=no
        mail_owner=postfix
        setgid_group=postdrop
)
jobs=$(nproc 2>/dev/null || echo 2)
say "building postfix $upstream (make -j$jobs; log: $dir/build.log)"
if ! (
        cd "$tree" &&
        make -f Makefile.init makefiles CCARGS="$ccargs" AUXLIBS="$auxlibs" \
                OPT='-O2' DEBUG= "${paths[@]}" &&
        make -j"$jobs" &&
        make non-interactive-package install_root="$dir/stage"
) >"$dir/build.log" 2>&1; then
        tail -n 30 "$dir/build.log" | sed 's/^/  | /' >&2
        die "the build of postfix $version failed (full log: $dir/build.log)"
fi
mkdir -p "$(dirname "$root")"
mv "$dir/stage$root" "$root"
rm -rf "$dir/stage" "$tree"
[[ -x $root/usr/sbin/postfix && -x $root/usr/libexec/postfix/smtp ]] ||
        die "the install of postfix $version lacks postfix or smtp"
got=$("$root/usr/sbin/postconf" -c "$root/etc/postfix" -d -h mail_version)
[[ $got = "$upstream" ]] || die "built postfix says mail_version $got, expected $upstream"
printf 'version=%s\nsuite=%s\nmirror=%s\nseconds=%s\nsettings=%s\n' "$version" "$suite" \
        "$mirror" $(( $(date +%s) - t0 )) "$(settings_id "$root")" >"$dir/complete"
say "built postfix $version in $(( $(date +%s) - t0 )) s"
echo "$root"

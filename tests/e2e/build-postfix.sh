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
#        When the source package cannot be had (the archive does not serve
#        its files, or has no Sources entry for it) and no source build of
#        SERIES is cached, Debian's binary package "postfix" of the same
#        suite is used instead: a root file system of SUITE with it,
#        "mmdebstrap --variant=minbase --include=postfix=VERSION,...", from
#        the same mirror, is made once in
#            CACHE_DIR/postfix-deb-SERIES-VERSION/rootfs
#        (VERSION is the binary package's; the users postfix and postdrop
#        get the host's ids), and next to it an install root
#            CACHE_DIR/postfix-deb-SERIES-VERSION/root
#        laid out as a source build's (usr/sbin, usr/bin, usr/libexec/postfix,
#        etc/postfix with main.cf pointing every directory into the root,
#        var/spool/postfix, var/lib/postfix), whose programs are wrappers that
#        run the package's programs in that root file system
#        (tests/e2e/postfix-shim.sh, installed as root/usr/lib/mxtls/
#        postfix-shim: a private mount namespace, bind mounts, chroot; the
#        daemons see the caller's /dev, /run, /tmp and what is mounted over
#        the root's config, queue and data directories). Using it needs root.
#
#        Prints the install root on stdout; progress goes to stderr, the
#        build's output to CACHE_DIR/postfix-SERIES-VERSION/build.log (or
#        mmdebstrap.log). One line on stderr says which Postfix is used:
#            build-postfix: using: postfix VERSION built from source ...
#            build-postfix: using: Debian's binary package postfix VERSION
#              from SUITE, the source package was not reachable: REASON
# ENVIRONMENT
#        MXTLS_DEBIAN_MIRROR   archive URI (default: the Debian archive of the
#                              host's apt sources, from "apt-cache policy")
# EXIT STATUS
#        0 built or cached; 77 neither the source nor the binary package can
#        be had (archive unreachable, or it does not have the package files)
#        and nothing is cached: the reason is printed; 1 the build failed, or
#        bad usage.
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

# no_source REASON: the source package cannot be had; a cached source build
# of SERIES, else Debian's binary package (exits 0 either way), else exit 77
no_source() {
        local d
        if [[ -n $series ]] && d=$(cached_build "$series"); then
                say "$1; using the cached build $(basename "$d")"
                say "using: postfix $(sed -n 's/^version=//p' "$d/complete") built from source (cached in $d; the source package was not reachable: $1)"
                echo "$d/root"
                exit 0
        fi
        binary_fallback "$1"
        skip "$1; $why; and no Postfix ${series:+$series }build is cached in $cache"
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
# ---------------------------------------------------------------- binary fallback
# Debian's binary package of the same suite, run by wrappers in a root file
# system of that suite (see DESCRIPTION). A change of the recipe (this text
# and the shim's) makes the root file system (rootfs_key) or the install root
# (shim_key) again.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
shim_src=$here/postfix-shim.sh
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
rootfs_recipe='mmdebstrap --variant=minbase postfix systemd-standalone-sysusers systemd-standalone-tmpfiles; ids remapped; 1'
host_ids() {
        local u g d
        u=$(id -u postfix 2>/dev/null) && g=$(getent group postfix | cut -d: -f3) &&
                d=$(getent group postdrop | cut -d: -f3) && [[ -n $g && -n $d ]] || return 1
        echo "postfix=$u:$g postdrop=$d"
}
rootfs_key() { printf '%s\n%s\n%s\n%s\n' "$rootfs_recipe" "$1" "$arch" "$(host_ids)" | sha256sum | cut -c1-16; }
shim_key() { { cat "$shim_src"; sed -n '/^make_shim_root() {/,/^}/p' "${BASH_SOURCE[0]}"; echo "$1"; } | sha256sum | cut -c1-16; }

# cached_binary SERIES: the newest usable binary-package root of SERIES
cached_binary() {
        local d v best=
        for d in "$cache"/postfix-deb-"$1"-*/; do
                d=${d%/}
                [[ -f $d/complete && -d $d/rootfs ]] || continue
                v=$(sed -n 's/^version=//p' "$d/complete")
                [[ $(sed -n 's/^settings=//p' "$d/complete") = "$(rootfs_key "$v")" ]] || continue
                best=$(printf '%s\n%s\n' "$best" "$d" | sed '/^$/d' | sort -V | tail -n 1)
        done
        [[ -n $best ]] && echo "$best"
}

# remap_id ROOTFS passwd|group NAME ID: NAME gets ID (files, passwd, group)
remap_id() {
        local rfs=$1 db=$2 name=$3 new=$4 old other f m
        old=$(awk -F: -v n="$name" '$1 == n { print $3 }' "$rfs/etc/$db")
        [[ -n $old ]] || { say "the root file system has no $name in /etc/$db"; return 1; }
        [[ $old = "$new" ]] && return 0
        other=$(awk -F: -v i="$new" '$3 == i { print $1 }' "$rfs/etc/$db")
        [[ -z $other ]] || { say "the root file system's /etc/$db has $other with the host's id $new of $name"; return 1; }
        # chown clears the set-gid bit of postdrop and postqueue: restore modes.
        while IFS= read -r -d '' f; do
                m=$(stat -c %a "$f")
                if [[ $db = passwd ]]; then chown -h "$new" "$f"; else chgrp -h "$new" "$f"; fi
                [[ -L $f ]] || chmod "$m" "$f"
        done < <(find "$rfs" -xdev "$([[ $db = passwd ]] && echo -uid || echo -gid)" "$old" -print0)
        awk -F: -v OFS=: -v n="$name" -v i="$new" '$1 == n { $3 = i } { print }' \
                "$rfs/etc/$db" >"$rfs/etc/$db.new" && cat "$rfs/etc/$db.new" >"$rfs/etc/$db"
        rm -f "$rfs/etc/$db.new"
        if [[ $db = group ]]; then
                awk -F: -v OFS=: -v o="$old" -v i="$new" '$4 == o { $4 = i } { print }' \
                        "$rfs/etc/passwd" >"$rfs/etc/passwd.new" && cat "$rfs/etc/passwd.new" >"$rfs/etc/passwd"
                rm -f "$rfs/etc/passwd.new"
        fi
}

# build_rootfs DIR VERSION INCLUDE: DIR/rootfs, SUITE with Debian's postfix
# VERSION; returns 2 when the archive did not deliver a package
build_rootfs() {
        local d=$1 v=$2 inc=$3 tmp=$1/rootfs.new f ids
        rm -rf --one-file-system "$tmp" "$d/rootfs" "$d/root" "$d/root.new" "$d/complete"
        mkdir -p "$d"
        say "making a root file system of $suite with postfix $v (mmdebstrap; log: $d/mmdebstrap.log)"
        # In a mount namespace of its own: whatever mmdebstrap mounts in the
        # target goes away with it, even if it is killed.
        if ! unshare --mount --propagation private -- mmdebstrap --variant=minbase \
                --architectures="$arch" --include="$inc" \
                --aptopt='Acquire::Check-Valid-Until "false"' \
                --aptopt='Acquire::Languages "none"' \
                --aptopt='Acquire::Retries "2"' \
                "$suite" "$tmp" \
                "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
                </dev/null >"$d/mmdebstrap.log" 2>&1; then
                rm -rf --one-file-system "$tmp"
                tail -n 15 "$d/mmdebstrap.log" | sed 's/^/  | /' >&2
                if grep -Eq '(Failed to fetch|Unable to fetch|Could not resolve|Unable to connect|Temporary failure|404 +Not Found)' "$d/mmdebstrap.log"; then
                        why="mmdebstrap could not fetch the packages: $(grep -m1 -E '^(E|W): ' "$d/mmdebstrap.log" || echo "see $d/mmdebstrap.log")"
                        return 2
                fi
                die "mmdebstrap failed (full log: $d/mmdebstrap.log)"
        fi
        ids=$(host_ids)
        [[ $ids =~ ^postfix=([0-9]+):([0-9]+)\ postdrop=([0-9]+)$ ]] || die "cannot read the host's postfix ids"
        if ! { remap_id "$tmp" passwd postfix "${BASH_REMATCH[1]}" &&
               remap_id "$tmp" group postfix "${BASH_REMATCH[2]}" &&
               remap_id "$tmp" group postdrop "${BASH_REMATCH[3]}"; }; then
                die "cannot give postfix and postdrop the host's ids in the root file system"
        fi
        # Bind-mount targets of the shim: regular files (and the host's zone).
        for f in etc/resolv.conf etc/hosts etc/localtime; do
                if [[ -L $tmp/$f || ! -f $tmp/$f ]]; then
                        rm -f "$tmp/$f"
                        if [[ $f = etc/localtime ]]; then cp -L /etc/localtime "$tmp/$f" 2>/dev/null || : >"$tmp/$f"
                        else : >"$tmp/$f"; fi
                fi
        done
        for f in proc dev run tmp var/tmp etc/postfix var/spool/postfix var/lib/postfix usr/lib/postfix/sbin; do
                [[ -d $tmp/$f ]] || die "the root file system lacks /$f"
        done
        mkdir -p "$tmp$d/root" || die "cannot make $tmp$d/root"
        mv "$tmp" "$d/rootfs" || die "cannot move $tmp to $d/rootfs"
}

# make_shim_root DIR: DIR/root, the install root of wrappers (again when the
# shim or this function changed)
make_shim_root() {
        local d=$1 rfs=$1/rootfs r=$1/root n=$1/root.new key p k
        key=$(shim_key "$r")
        [[ -f $r/.mxtls-shim && $(cat "$r/.mxtls-shim") = "$key" ]] && return 0
        [[ -f $shim_src ]] || die "$shim_src is missing"
        [[ $r != *"'"* ]] || die "the cache path must not contain a quote: $r"
        rm -rf --one-file-system "$n"
        mkdir -p "$n/usr/sbin" "$n/usr/bin" "$n/usr/libexec/postfix" "$n/usr/lib/mxtls" \
                "$n/usr/share/man" "$n/etc/postfix" "$n/var/spool/postfix" "$n/var/lib/postfix"
        install -m 0755 "$shim_src" "$n/usr/lib/mxtls/postfix-shim"
        wrap() {        # wrap FILE PROGRAM-IN-ROOTFS
                printf '#!/bin/sh\n# %s of Debian'\''s postfix package, run in %s by tests/e2e/postfix-shim.sh\nexec '\''%s'\'' '\''%s'\'' "$@"\n' \
                        "$2" "$rfs" "$r/usr/lib/mxtls/postfix-shim" "$2" >"$1"
                chmod 0755 "$1"
        }
        while read -r p; do
                wrap "$n$p" "$p"
        done < <(grep -E '^/usr/s?bin/[^/]+$' "$rfs/var/lib/dpkg/info/postfix.list")
        for p in "$rfs"/usr/lib/postfix/sbin/*; do
                wrap "$n/usr/libexec/postfix/${p##*/}" "/usr/lib/postfix/sbin/${p##*/}"
        done
        # The configuration: Debian's, and what its built-in meta_directory
        # (/usr/share/postfix) has; every directory pointing into the root.
        cp -a "$rfs/etc/postfix/." "$n/etc/postfix/"
        for p in postfix-files postfix-files.d dynamicmaps.cf dynamicmaps.cf.d; do
                [[ -e $rfs/usr/share/postfix/$p ]] && cp -a "$rfs/usr/share/postfix/$p" "$n/etc/postfix/"
        done
        local settings=(
                command_directory="$r/usr/sbin"
                daemon_directory="$r/usr/libexec/postfix"
                meta_directory="$r/etc/postfix"
                queue_directory="$r/var/spool/postfix"
                data_directory="$r/var/lib/postfix"
                sendmail_path="$r/usr/sbin/sendmail"
                newaliases_path="$r/usr/bin/newaliases"
                mailq_path="$r/usr/bin/mailq"
                manpage_directory="$r/usr/share/man"
                html_directory=no
                readme_directory=no
                mail_owner=postfix
                setgid_group=postdrop
        )
        for p in "${settings[@]}"; do
                k=${p%%=*}
                sed -i "/^[[:space:]]*${k}[[:space:]]*=/d" "$n/etc/postfix/main.cf"
        done
        {
                printf '\n# The install root of Debian'\''s binary package (tests/e2e/build-postfix.sh).\n'
                for p in "${settings[@]}"; do printf '%s = %s\n' "${p%%=*}" "${p#*=}"; done
        } >>"$n/etc/postfix/main.cf"
        rm -rf --one-file-system "$r"
        mv "$n" "$r"
        echo "$key" >"$r/.mxtls-shim"
}

# binary_fallback REASON: Debian's binary package (exits 0) or sets why
binary_fallback() {
        local reason=$1 bapt=$cache/apt-$suite-$arch bversion bupstream bseries d inc t1 missing=() c
        local -a bopts
        why=
        for c in mmdebstrap unshare chroot mount find dpkg; do
                command -v "$c" >/dev/null || missing+=("$c")
        done
        if [[ ${#missing[@]} -gt 0 ]]; then
                why="Debian's binary package cannot be used without ${missing[*]}"
        elif [[ $(id -u) -ne 0 ]]; then
                why="Debian's binary package needs root (mmdebstrap, chroot)"
        elif ! host_ids >/dev/null; then
                why="Debian's binary package needs the host's user postfix and group postdrop"
        fi
        if [[ -z $why ]]; then
                mkdir -p "$bapt/lists/partial" "$bapt/cache/archives/partial"
                printf 'deb [arch=%s signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
                        "$arch" "$mirror" "$suite" >"$bapt/sources.list"
                bopts=("${apt_opts[@]}" -o Dir::Etc::sourcelist="$bapt/sources.list"
                       -o Dir::State::Lists="$bapt/lists" -o Dir::Cache="$bapt/cache"
                       -o Dir::State::status=/dev/null)
                say "the source package is not reachable ($reason); checking the binary packages of $suite"
                if ! apt-get "${bopts[@]}" update >"$bapt/update.log" 2>&1 ||
                   grep -Eq '^(E: |W: Failed to fetch|W: Some index files failed)' "$bapt/update.log"; then
                        why="cannot read the binary packages of $suite from $mirror: $(grep -m1 -E '^(E|W): ' "$bapt/update.log" || tail -n 1 "$bapt/update.log")"
                else
                        bversion=$(apt-cache "${bopts[@]}" show postfix 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
                        bupstream=${bversion#*:}
                        bupstream=${bupstream%-*}
                        bseries=$(cut -d. -f1,2 <<<"$bupstream")
                        if [[ -z $bversion ]]; then
                                why="$suite at $mirror has no binary package postfix for $arch"
                        elif [[ -n $series && $bseries != "$series" ]]; then
                                why="$suite has the binary package postfix $bversion, not $series.x"
                        fi
                fi
        fi
        if [[ -z $why ]]; then
                d=$cache/postfix-deb-$bseries-$bversion
                t1=$(date +%s)
                if [[ -f $d/complete && -d $d/rootfs &&
                      $(sed -n 's/^settings=//p' "$d/complete") = "$(rootfs_key "$bversion")" ]]; then
                        say "cached: Debian's postfix $bversion in $d/rootfs"
                else
                        inc=postfix=$bversion
                        for c in systemd-standalone-sysusers systemd-standalone-tmpfiles; do
                                apt-cache "${bopts[@]}" show "$c" >/dev/null 2>&1 && inc+=,$c
                        done
                        local rc=0
                        build_rootfs "$d" "$bversion" "$inc" || rc=$?
                        if [[ $rc = 0 ]]; then
                                printf 'version=%s\nsuite=%s\nmirror=%s\narch=%s\nkind=debian-binary\nseconds=%s\nsettings=%s\n' \
                                        "$bversion" "$suite" "$mirror" "$arch" $(( $(date +%s) - t1 )) \
                                        "$(rootfs_key "$bversion")" >"$d/complete"
                                say "made the root file system in $(( $(date +%s) - t1 )) s"
                        fi
                fi
                if [[ -f $d/complete ]]; then
                        use_binary "$d" "$reason"
                fi
        fi
        # Not reachable now: the newest cached one of SERIES.
        if [[ -n $series ]] && d=$(cached_binary "$series"); then
                say "$why; using the cached root file system $(basename "$d")"
                use_binary "$d" "$reason"
        fi
}

use_binary() {          # use_binary DIR REASON: print the install root, exit 0
        local d=$1 v s got up
        make_shim_root "$d"
        v=$(sed -n 's/^version=//p' "$d/complete")
        s=$(sed -n 's/^suite=//p' "$d/complete")
        up=${v#*:}
        up=${up%-*}
        got=$("$d/root/usr/sbin/postconf" -d -h mail_version 2>&1) ||
                die "Debian's postconf does not run in $d/rootfs: $got"
        [[ $got = "$up" ]] || die "Debian's postfix $v says mail_version $got, expected $up"
        got=$("$d/root/usr/sbin/postconf" -h queue_directory 2>&1)
        [[ $got = "$d/root/var/spool/postfix" ]] ||
                die "the install root $d/root has queue_directory $got"
        say "using: Debian's binary package postfix $v from $s, the source package was not reachable: $2"
        say "  (programs: $d/root/usr/sbin/* and usr/libexec/postfix/* run those of $d/rootfs there: tests/e2e/postfix-shim.sh)"
        echo "$d/root"
        exit 0
}

exec 9>"$cache/.build-postfix.lock"
flock -w 1800 9 || die "another build-postfix.sh holds $cache/.build-postfix.lock"

say "checking $suite at $mirror"
if ! apt-get "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1 ||
   grep -Eq '^(E: |W: Failed to fetch|W: Some index files failed)' "$apt_dir/update.log"; then
        no_source "cannot read $suite from $mirror: $(grep -m1 -E '^(E|W): ' "$apt_dir/update.log" || tail -n 1 "$apt_dir/update.log")"
fi
version=$(apt-cache "${apt_opts[@]}" showsrc postfix 2>/dev/null |
          awk '/^Package: postfix$/ { p = 1; next } /^Package: / { p = 0 } p && /^Version: / { print $2 }' |
          sort -V | tail -n 1)
[[ -n $version ]] || no_source "$suite at $mirror has no source package postfix"
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
        say "using: postfix $version built from source (cached in $dir)"
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
        no_source "the archive did not deliver postfix $version ($reason)"
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
say "using: postfix $version built from source ($suite at $mirror)"
echo "$root"

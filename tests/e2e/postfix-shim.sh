#!/bin/bash
# SPDX-License-Identifier: MIT
#
# NAME
#        postfix-shim.sh - run a program of Debian's binary Postfix package
#        in its root file system, as if it were installed in an install root
# SYNOPSIS
#        ROOT/usr/lib/mxtls/postfix-shim PROGRAM [ARG...]
# DESCRIPTION
#        tests/e2e/build-postfix.sh installs this script as
#        ROOT/usr/lib/mxtls/postfix-shim when it falls back to Debian's binary
#        package (the source package was not reachable): next to ROOT it has
#        ROOTFS (a Debian root file system with the package installed,
#        mmdebstrap), and in ROOT the layout of a source build (usr/sbin,
#        usr/bin, usr/libexec/postfix, etc/postfix, var/spool/postfix,
#        var/lib/postfix), whose programs are two-line wrappers calling this
#        script with the program's path inside ROOTFS (/usr/sbin/postconf,
#        /usr/lib/postfix/sbin/master, ...).
#
#        In a mount namespace of its own (private propagation: nothing is
#        mounted in the caller's), it makes a view of ROOTFS in which
#          * /proc, /dev, /run, /tmp and /var/tmp are the caller's (rbind: the
#            caller's /dev/log and journald sockets, its temporary files);
#            /etc/resolv.conf, /etc/hosts and /etc/localtime are the caller's;
#          * ROOT is at its own path (rbind: whatever the caller mounted over
#            ROOT/etc/postfix, ROOT/var/spool/postfix and ROOT/var/lib/postfix
#            comes along), except that ROOT/usr/sbin, ROOT/usr/bin and
#            ROOT/usr/libexec/postfix are the package's /usr/sbin, /usr/bin
#            and /usr/lib/postfix/sbin, so that command_directory and
#            daemon_directory pointing into ROOT find the real programs;
#          * the package's built-in /etc/postfix, /var/spool/postfix and
#            /var/lib/postfix are ROOT's (as the caller sees them), so the
#            built-in config directory is ROOT/etc/postfix;
#        then chroots into it, changes to the caller's working directory
#        (if it exists there) and execs PROGRAM. The Postfix master started
#        this way keeps the namespace, and its daemons run in it. Paths given
#        as arguments must be under ROOT, /tmp, /var/tmp or /run.
#
#        Needs root (mount namespaces, chroot). The ids of the users postfix
#        and the group postdrop in ROOTFS are the host's (build-postfix.sh).
set -euo pipefail

self=$(readlink -f "${BASH_SOURCE[0]}")
root=${self%/usr/lib/mxtls/postfix-shim}
rootfs=${root%/*}/rootfs
if [[ $root = "$self" || ! -d $rootfs$root || ! -x $rootfs/usr/sbin/postconf ]]; then
        echo "postfix-shim: $self is not ROOT/usr/lib/mxtls/postfix-shim next to a Postfix root file system" >&2
        exit 1
fi
[[ $# -ge 1 && $1 = /* ]] || { echo "postfix-shim: usage: $self /PATH/IN/ROOTFS [ARG...]" >&2; exit 1; }
if [[ $(id -u) -ne 0 ]]; then
        echo "postfix-shim: $(basename "$1") of Debian's Postfix package runs in a chroot; that needs root" >&2
        exit 1
fi

# shellcheck disable=SC2016
exec unshare --mount --propagation private -- /bin/bash -c '
set -eu
root=$1 rootfs=$2 cwd=$3
shift 3
for d in proc dev run tmp var/tmp; do
        mount --rbind "/$d" "$rootfs/$d"
done
for f in /etc/resolv.conf /etc/hosts /etc/localtime; do
        src=$(readlink -e "$f") || continue
        [[ -f $src && -f $rootfs$f && ! -L $rootfs$f ]] || continue
        mount --bind "$src" "$rootfs$f"
done
mount --rbind "$root" "$rootfs$root"
mount --bind "$rootfs/usr/sbin" "$rootfs$root/usr/sbin"
mount --bind "$rootfs/usr/bin" "$rootfs$root/usr/bin"
mount --bind "$rootfs/usr/lib/postfix/sbin" "$rootfs$root/usr/libexec/postfix"
mount --bind "$rootfs$root/etc/postfix" "$rootfs/etc/postfix"
mount --bind "$rootfs$root/var/spool/postfix" "$rootfs/var/spool/postfix"
mount --bind "$rootfs$root/var/lib/postfix" "$rootfs/var/lib/postfix"
exec chroot "$rootfs" /bin/sh -c '\''cd "$1" 2>/dev/null || cd /; shift; exec "$@"'\'' postfix-shim "$cwd" "$@"
' postfix-shim "$root" "$rootfs" "$PWD" "$@"

#!/bin/bash
# SPDX-License-Identifier: MIT
# build-deb OUTDIR - build the mxtls Debian package from the current source
# tree, uncommitted and untracked (but not ignored) files included.
#
# The files `git ls-files -co --exclude-standard` lists are copied to
# OUTDIR/src/mxtls-VERSION and built there with `dpkg-buildpackage -us -uc -b`;
# OUTDIR then holds mxtls_*.deb, the .changes, the .buildinfo (and the dbgsym
# package). The path of the .deb is the last line on stdout; progress goes to
# stderr and the build output to OUTDIR/build.log (shown when the build fails).
#
# Concurrent calls serialise on OUTDIR/.lock. A package built from the same
# source content (sha256 over the file names, modes and contents) is reused.
# Exit 77: dpkg-buildpackage, debhelper or a build dependency is missing.
set -euo pipefail

[ $# -eq 1 ] && [ -n "$1" ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "build-deb: $*" >&2; }

for c in dpkg-buildpackage dpkg-checkbuilddeps dpkg-parsechangelog; do
        command -v "$c" >/dev/null || { log "$c is not installed (package dpkg-dev)"; exit 77; }
done
command -v dh >/dev/null || { log "dh is not installed (package debhelper)"; exit 77; }
for c in git flock sha256sum tar; do
        command -v "$c" >/dev/null || { log "$c is not installed"; exit 77; }
done
if ! err=$(git -C "$top" rev-parse --is-inside-work-tree 2>&1 >/dev/null); then
        log "cannot list the source files of $top with git: ${err:-not a git work tree}"
        exit 77
fi

mkdir -p "$1"
out=$(cd "$1" && pwd)
exec 9>"$out/.lock"
flock 9

# The source: listed files that exist (a tracked file deleted in the work tree
# is left out, as it would be by a commit of the work tree).
list="$out/.files"
git -C "$top" ls-files -co --exclude-standard -z |
        (cd "$top" && while IFS= read -r -d '' f; do
                if [ -f "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
        done) | LC_ALL=C sort -z >"$list.new"
mv "$list.new" "$list"
[ -s "$list" ] || { log "no source files listed in $top"; exit 1; }

# Content hash: names, executable bits and contents of every file.
hash=$(cd "$top" && {
        xargs -0 stat -c '%A %n' <"$list"
        xargs -0 sha256sum <"$list"
} | sha256sum | cut -d' ' -f1)

stamp="$out/.source-sha256"
if [ -f "$stamp" ]; then
        read -r old_hash old_deb <"$stamp" || true
        if [ "${old_hash:-}" = "$hash" ] && [ -n "${old_deb:-}" ] && [ -f "$out/$old_deb" ]; then
                log "reusing $out/$old_deb (source unchanged, sha256 $hash)"
                echo "$out/$old_deb"
                exit 0
        fi
fi
rm -f "$stamp"

version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
upstream=${version%-*}
upstream=${upstream#*:}
src="$out/src/mxtls-$upstream"
rm -rf "$out/src"
mkdir -p "$src"
tar -C "$top" --null --no-recursion -T "$list" -cf - | tar -C "$src" -xf -

if ! deps=$(cd "$src" && dpkg-checkbuilddeps 2>&1); then
        log "build dependencies missing: $deps"
        exit 77
fi

# Old results go away first, so a failed build leaves no stale package behind.
rm -f "$out"/mxtls_*.deb "$out"/mxtls-dbgsym_*.deb "$out"/mxtls-dbgsym_*.ddeb \
      "$out"/mxtls_*.changes "$out"/mxtls_*.buildinfo
log "building the package in $src (log: $out/build.log)"
start=$(date +%s)
# Not for the package build: meson test's malloc perturbation, a DESTDIR.
if ! (cd "$src" && env -u MALLOC_PERTURB_ -u DESTDIR dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
        log "dpkg-buildpackage failed; $out/build.log:"
        cat "$out/build.log" >&2
        exit 1
fi
log "built in $(($(date +%s) - start)) s"

shopt -s nullglob
results=("$out"/src/mxtls_*.deb "$out"/src/mxtls-dbgsym_*.*deb "$out"/src/mxtls_*.changes "$out"/src/mxtls_*.buildinfo)
debs=("$out"/src/mxtls_*.deb)
shopt -u nullglob
if [ "${#debs[@]}" -ne 1 ]; then
        log "expected one mxtls_*.deb in $out/src, found ${#debs[@]}; $out/build.log:"
        cat "$out/build.log" >&2
        exit 1
fi
mv "${results[@]}" "$out/"
deb=$(basename "${debs[0]}")
rm -rf "$out/src"
echo "$hash $deb" >"$stamp"
echo "$out/$deb"

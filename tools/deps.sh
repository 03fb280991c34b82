#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian packages mxtls needs (tools/debian-packages.txt).
#   tools/deps.sh          build and run
#   tools/deps.sh --test   also everything the test suite uses
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

pkgs=()
while read -r line; do
        line=${line%%#*}
        [ -n "${line// }" ] || continue
        case "$line" in
        test:*) [ $with_tests = 1 ] && pkgs+=("${line#test: }") ;;
        *) pkgs+=("$line") ;;
        esac
done <"$here/debian-packages.txt"

missing=()
for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
        echo "mxtls: missing packages: ${missing[*]} (run as root or install them)" >&2
        exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# postfix asks questions on install; answer them for a local-only test host
echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
echo "postfix postfix/mailname string mxtls-test.localdomain" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

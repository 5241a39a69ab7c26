#!/bin/sh
# Install the Debian 12 packages Arhiivar needs to build, test and benchmark,
# or the packages given as arguments (make deb's).
# Prints the exact command when not run as root.
set -eu
PKGS="$*"
[ -n "$PKGS" ] || PKGS="build-essential pkg-config libarchive-dev libssl-dev libsqlite3-dev
libmagic-dev libjansson-dev libinih-dev libunistring-dev libcsv-dev libcmocka-dev bats
libarchive-tools openssl sqlite3 clang libclang-rt-14-dev valgrind tar
coreutils locales file strace jq time
libmicrohttpd-dev libsystemd-dev libseccomp-dev curl wrk socat"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "arhiivar: missing packages:$missing" >&2
	echo "run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 2
fi
echo "installing:$missing" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2

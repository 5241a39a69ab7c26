#!/bin/sh
# make deb: build arhiivar_VERSION_ARCH.deb out of the tree, in build-deb/,
# from the files git knows (tracked, or new and not ignored), then lint it.
# Installs its own build dependencies with tools/deps.sh, as `make` does.
set -eu
VERSION=$1
TOP=$(cd "$(dirname "$0")/../.." && pwd)
W=$TOP/build-deb
SRC=$W/arhiivar-$VERSION

need() { sh "$TOP/tools/deps.sh" "$@"; }

# The tools, then what debian/control asks for: dpkg-checkbuilddeps names
# each unmet dependency, version constraints in parentheses.
need build-essential dpkg-dev debhelper fakeroot lintian git
unmet=$(cd "$TOP/packaging/deb" && dpkg-checkbuilddeps 2>&1 |
    sed -n 's/.*Unmet build dependencies: //p' |
    sed 's/([^)]*)//g; s/|[^ ]*//g') || true
# shellcheck disable=SC2086
[ -n "$unmet" ] && need $unmet

rm -rf "$W"
mkdir -p "$SRC"
(cd "$TOP" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$TOP" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\n" "$f"; done' sh) |
    (cd "$TOP" && tar -cf - -T -) | tar -xf - -C "$SRC"
rm -rf "$SRC/debian"
cp -r "$TOP/packaging/deb/debian" "$SRC/debian"

# The version is the Makefile's: a package of another one is refused.
v=$(cd "$SRC" && dpkg-parsechangelog -S Version)
if [ "$v" != "$VERSION" ]; then
	echo "make deb: debian/changelog says $v, the Makefile $VERSION:" \
	    "add a changelog entry (dch -v $VERSION)" >&2
	exit 1
fi

(cd "$SRC" && dpkg-buildpackage -us -uc -b)
DEB=$(ls "$W"/arhiivar_"$VERSION"_*.deb)
echo "lintian:" >&2
lintian --fail-on error --info --display-info "$W"/arhiivar_"$VERSION"_*.changes >&2
echo "$DEB"

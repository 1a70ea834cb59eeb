#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch the Kamailio source package matching the installed kamailio, unpack
# it into DIR and configure it (`make cfg`), so that modules built against
# it with COREPATH pass the core's version and compile-flags check.
#
#   scripts/kamailio-src.sh DIR
set -e

DIR=$1
[ -n "$DIR" ] || { echo "usage: $0 DIR" >&2; exit 2; }
[ -f "$DIR/src/config.mak" ] && exit 0

KVER=$(dpkg-query -W -f='${Version}' kamailio)
echo "kamailio-src: fetching the source of kamailio $KVER"

# apt-get source needs a deb-src entry; add Debian's when none is there
if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list \
		/etc/apt/sources.list.d/; then
	CODENAME=$(. /etc/os-release && echo "$VERSION_CODENAME")
	cat >/etc/apt/sources.list.d/replyguard-deb-src.sources <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $CODENAME $CODENAME-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt-get update -q
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && apt-get source -q --download-only "kamailio=$KVER" \
	&& dpkg-source -x ./*.dsc src >/dev/null)
mkdir -p "$(dirname "$DIR")"
rm -rf "$DIR"
mv "$WORK/src" "$DIR"

# the same configuration Debian's rules use for the packaged binary
make -C "$DIR" cfg prefix=/usr cfg_target=/etc/kamailio/ FLAVOUR=kamailio \
	LIBDIR="lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)" CC_EXTRA_OPTS="-DVERSION_NODATE" >/dev/null
echo "kamailio-src: configured in $DIR"

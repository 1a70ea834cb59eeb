#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# doc/README from doc/replyguard.xml, with the toolchain Kamailio builds
# its modules' READMEs with: xsltproc and its doc/docbook/readme.xsl (over
# docbook-xsl's XHTML stylesheets), then lynx -dump.
#
#   scripts/readme.sh COREPATH          write doc/README
#   scripts/readme.sh COREPATH --check  fail when doc/README differs
set -e
cd "$(dirname "$0")/.."
xsl="$1/../doc/docbook/readme.xsl"
if [ ! -f "$xsl" ]; then
	echo "readme: no $xsl (the Kamailio source tree)" >&2
	exit 1
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# the same bytes whatever the locale: lynx is told its charset and width
LC_ALL=C.UTF-8 xsltproc --nonet --novalid --xinclude "$xsl" doc/replyguard.xml |
	LC_ALL=C.UTF-8 lynx -nolist -stdin -dump -display_charset=utf-8 \
		-width=80 >"$out"
if [ ! -s "$out" ]; then
	echo "readme: nothing generated" >&2
	exit 1
fi
if [ "${2:-}" = --check ]; then
	if ! cmp -s "$out" doc/README; then
		echo "readme: doc/README is not what doc/replyguard.xml gives;" \
			"run make readme (first differences below)" >&2
		diff -u doc/README "$out" | head -20 >&2
		exit 1
	fi
	echo "readme: doc/README matches doc/replyguard.xml"
	exit 0
fi
cp "$out" doc/README
echo "readme: doc/README written ($(wc -l <doc/README) lines)"

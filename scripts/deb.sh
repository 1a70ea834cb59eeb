#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make deb: kamailio-replyguard-module_<version>_<arch>.deb in build/, from
# debian/ and the module `make` built. The package is assembled in
# build/deb/ so that nothing is written outside the checkout.
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
src=build/deb/kamailio-replyguard-module-$ver
rm -rf build/deb
mkdir -p "$src/doc"
cp -r debian "$src/"
cp modules/replyguard/replyguard.so README.md kamailio.cfg.sample "$src/"
cp -r doc/README doc/replyguard.xml doc/prometheus doc/schema "$src/doc/"
(cd "$src" && dpkg-buildpackage -b -us -uc >../build.log 2>&1) || {
	echo "deb: dpkg-buildpackage failed; the end of build/deb/build.log:" >&2
	tail -20 build/deb/build.log >&2
	exit 1
}
deb=kamailio-replyguard-module_${ver}_$arch.deb
cp "build/deb/$deb" "build/$deb"
echo "deb: $top/build/$deb"
dpkg-deb -f "build/$deb" Package Version Depends

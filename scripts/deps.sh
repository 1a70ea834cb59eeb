#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what building and testing replyguard needs, from Debian's
# packages. Quick and silent when everything is already there.
# (stress-ng: the CPU hog of tests/integration/run_all.sh --hog;
# prometheus: promtool, for the prom_tools case; xsltproc, docbook-xsl,
# lynx: doc/README from doc/replyguard.xml; debhelper, fakeroot: make deb;
# chromium: the status page in a real browser; the sqlite and postgres
# modules, sqlite3 and postgresql: limits from a database; nftables: the
# cluster_partition case cuts links between nodes with nft.)
set -e

PKGS="kamailio kamailio-lua-modules kamailio-python3-modules sip-tester libcmocka-dev libcurl4-openssl-dev libevent-dev \
libssl-dev python3-prometheus-client valgrind gcc make clang libclang-rt-14-dev clang-tidy cppcheck \
dpkg-dev xz-utils curl python3 ca-certificates stress-ng prometheus \
xsltproc docbook-xsl docbook-xml lynx debhelper fakeroot chromium \
kamailio-sqlite-modules sqlite3 kamailio-postgres-modules postgresql nftables"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
			| grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# packages with a daemon (prometheus, postgresql) must not start one: the
# tests start their own, on loopback, and stop them
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	policy=1
fi
apt-get update -q
# shellcheck disable=SC2086
rc=0
apt-get install -y -q --no-install-recommends $missing || rc=$?
if [ -n "$policy" ]; then
	rm -f /usr/sbin/policy-rc.d
fi
exit $rc

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# deb_install: the Debian package, really installed. `make deb`'s script
# builds build/kamailio-replyguard-module_<version>_<arch>.deb; apt-get
# installs it; kamailio starts on lib/failover.cfg with a bare
# loadmodule "replyguard.so" and only Kamailio's own module directory in
# mpath, and the module it mapped is the installed one; 20 calls are
# routed and counted; then the package is purged and its files are gone.
. "$(dirname "$0")/../lib/common.sh"
it_init deb_install
[ "${RG_KAM:-}" = k6 ] && it_skip "the .deb is built for, and installs into," \
	"Debian's packaged Kamailio 5.6; on 6.1 the module is installed from" \
	"the build (docs: Supported versions)"
if [ "$(id -u)" -ne 0 ]; then
	echo "deb_install: needs root (apt-get install)" >&2
	exit 1
fi
MODDIR=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/kamailio/modules
# never replace or remove what this run did not install: a package of the
# operator's, or a module copied there by make install
if dpkg-query -W -f='${Status}' kamailio-replyguard-module 2>/dev/null |
	grep -q 'ok installed' || [ -e "$MODDIR/replyguard.so" ]; then
	echo "deb_install: kamailio-replyguard-module or $MODDIR/replyguard.so" \
		"is already there; this test installs and purges the package, so" \
		"it does not run (remove them to run it)" >&2
	exit 1
fi
# whatever happens from here, a package this run installed is purged
DEB_OURS=
deb_cleanup() {
	[ -n "$DEB_OURS" ] && DEBIAN_FRONTEND=noninteractive \
		apt-get purge -y -q kamailio-replyguard-module >/dev/null 2>&1
	it_cleanup
}
trap deb_cleanup EXIT
sh "$IT_ROOT/scripts/deb.sh" >"$IT_RUN/deb.out" 2>&1
check_eq "the package builds" 0 $?
DEB=$(sed -n 's/^deb: //p' "$IT_RUN/deb.out")
check_cmp "it is there" "$(stat -c %s "$DEB" 2>/dev/null || echo 0)" -gt 10000
kver=$(dpkg-query -W -f='${Version}' kamailio)
check_eq "it depends on exactly the kamailio it was built against" \
	"kamailio (= $kver)" \
	"$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/^ //' | grep '^kamailio ')"
DEB_OURS=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$DEB" >"$IT_RUN/install.out" 2>&1
check_eq "apt-get install" 0 $?
check_eq "installed" "install ok installed" \
	"$(dpkg-query -W -f='${Status}' kamailio-replyguard-module)"
check_eq "the module in Kamailio's module directory" 1 \
	"$(dpkg -L kamailio-replyguard-module | grep -c "^$MODDIR/replyguard.so$")"
check_eq "its docs" 1 \
	"$(dpkg -L kamailio-replyguard-module | grep -c '^/usr/share/doc/kamailio-replyguard-module/README.gz$')"
check_eq "the sample config as an example" 1 \
	"$(dpkg -L kamailio-replyguard-module | grep -c 'examples/kamailio.cfg.sample$')"
check_eq "the schema (SQLite, PostgreSQL, MySQL) as examples" 3 \
	"$(dpkg -L kamailio-replyguard-module | grep -c 'examples/replyguard_limits-[a-z]*\.sql$')"

A=sip:127.0.0.1:29571
printf "1 %s\n" "$A" >"$IT_RUN/dispatcher.list"
# no path: found in the standard directory, the only one in mpath
RG_MODULE=replyguard.so KAM_MPATH=$MODDIR/ failover_start 29560 2000 4 || exit 1
check_eq "loadmodule \"replyguard.so\" in the config" 1 \
	"$(grep -c '^loadmodule "replyguard.so"$' "$IT_RUN/kamailio.cfg")"
check_eq "kamailio mapped the installed module" 1 \
	"$(grep -c " $MODDIR/replyguard.so$" /proc/"$KAM_PID"/maps | sed 's/^[1-9][0-9]*$/1/')"
sipp_bg uas_a -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 29571 -d 5 \
	-timeout 30s
wait_udp 29571
sipp_fg caller 127.0.0.1:29560 -sf "$IT_SCEN/uac_call.xml" -s 1 \
	-i 127.0.0.1 -m 20 -r 10 -d 20 -timeout 30s
check_eq "caller: every call completed" 0 $?
sipp_stop uas_a
check_eq "the installed module counted every call" 20 "$(rg_field "$A" attempts)"
check_eq "and every 200" 20 "$(rg_field "$A" replies_2xx)"
check_no_errors
kam_stop

DEBIAN_FRONTEND=noninteractive apt-get purge -y -q kamailio-replyguard-module \
	>"$IT_RUN/purge.out" 2>&1
check_eq "apt-get purge" 0 $?
DEB_OURS=
check_eq "the package is gone" 0 \
	"$(dpkg-query -W -f='${Status}' kamailio-replyguard-module 2>/dev/null | grep -c 'ok installed')"
check_eq "so is its module" 0 "$([ -e "$MODDIR/replyguard.so" ] && echo 1 || echo 0)"
it_finish

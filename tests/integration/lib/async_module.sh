#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# async_module.sh: print the path of http_async_client.so, built from the
# Kamailio source tree the module is built against (Debian ships no
# package of it); builds it there first when missing. Needs libevent-dev
# and libcurl's headers (scripts/deps.sh).
root=$(cd "$(dirname "$0")/../../.." && pwd)
# on Kamailio 6.1 (run_all.sh --k6) make k6 has built it with the rest,
# in the modules folder lib/common.sh exports
if [ "${RG_KAM:-}" = k6 ]; then
	echo "${KAM_MPATH:?lib/common.sh sets it}http_async_client.so"
	exit 0
fi
src=${KAMAILIO_SRC_TREE:-$root/build/kamailio/src}
dir=$src/modules/http_async_client
if [ ! -f "$dir/http_async_client.so" ]; then
	make -C "$dir" quiet=silent >"$root/build/http_async_client.log" 2>&1 || {
		echo "cannot build http_async_client (see build/http_async_client.log)" >&2
		exit 1
	}
fi
echo "$dir/http_async_client.so"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ds_seed: with 5 destinations in dispatcher's list (in two sets), RPC and
# the metrics page show all 5 before any call, with nothing counted; with
# ds_seed 0 none shows until it is called.
. "$(dirname "$0")/../lib/common.sh"
it_init ds_seed
cat >"$IT_RUN/dispatcher.list" <<'LIST'
# set uri flags priority
1 sip:127.0.0.1:27811 0 0
1 sip:127.0.0.1:27812
1 sip:gw3@127.0.0.1:27813;transport=udp 0 5 weight=50
2 sip:127.0.0.1:27814 # a comment
2 sip:127.0.0.1:27815
LIST

failover_start 27800 2000 4 || exit 1
rpc "$IT_RUN/summary.json" replyguard.summary
check_eq "5 destinations tracked before any call" 5 \
	"$(rgtool get "$IT_RUN/summary.json" destinations)"
n=0
for p in 27811 27812 27813 27814 27815; do
	[ "$(rg_field "sip:127.0.0.1:$p" attempts)" = 0 ] && n=$((n + 1))
done
check_eq "each one listed, nothing counted" 5 "$n"
code=$(curl -s -m 10 -o "$IT_RUN/metrics.txt" -w '%{http_code}' \
	"http://127.0.0.1:$RPC_PORT/metrics")
check_eq "metrics page" 200 "$code"
check_eq "each one on the metrics page, up" 5 \
	"$(grep -c '^replyguard_state{dst="sip:127.0.0.1:2781[1-5]"} 0$' \
		"$IT_RUN/metrics.txt")"
check_eq "one log line says what was seeded" 1 \
	"$(grep -c 'ds_seed: 5 (set, destination) lines from .* seeded, 0 skipped' \
		"$IT_RUN/kamailio.log")"
check_no_errors
kam_stop

failover_start 27900 2000 4 'modparam("replyguard", "ds_seed", 0)' || exit 1
rpc "$IT_RUN/summary0.json" replyguard.summary
check_eq "ds_seed 0: nothing tracked before a call" 0 \
	"$(rgtool get "$IT_RUN/summary0.json" destinations)"
check_no_errors
it_finish

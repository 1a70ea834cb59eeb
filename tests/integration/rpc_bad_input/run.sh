#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rpc_bad_input: missing and wrong-typed arguments, a 10 KB destination,
# malformed and unknown destinations, out-of-range numbers, to every
# replyguard RPC command. Each gets a fault with its code and a message;
# kamailio keeps answering RPC and routing calls, with no ERROR line.
. "$(dirname "$0")/../lib/common.sh"
it_init rpc_bad_input
A=sip:127.0.0.1:27271
printf "1 %s\n" "$A" >"$IT_RUN/dispatcher.list"
failover_start 27260 2000 4 || exit 1
sipp_bg uas_a -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 27271 -d 5 \
	-timeout 30s

/usr/bin/python3 "$(dirname "$0")/cases.py" "$RPC_PORT"
check_eq "every bad call got its fault and a message" 0 $?
check_eq "kamcmd replyguard.get without a destination: a 400" 1 \
	"$(kcmd replyguard.get 2>&1 | grep -c '^error: 400')"
check_eq "kamcmd replyguard.block with text seconds: a 400" 1 \
	"$(kcmd replyguard.block carrier-y s:abc 2>&1 | grep -c '^error: 400')"
# nothing was created by the refused calls: only A, which ds_seed added
# from dispatcher's list at start
rpc "$IT_RUN/summary.json" replyguard.summary
check_eq "no destination was added by a refused call (A is seeded)" 1 \
	"$(rgtool get "$IT_RUN/summary.json" destinations)"
check_eq "the one there is A, with nothing counted" 0 \
	"$(rg_field "$A" attempts)"

wait_udp 27271
sipp_fg caller 127.0.0.1:27260 -sf "$IT_SCEN/uac_call.xml" -s 1 \
	-i 127.0.0.1 -m 20 -r 20 -d 10 -timeout 20s
check_eq "calls still routed: 200s for INVITE and BYE" 40 \
	"$(sipp_count caller 200_Recv)"
check_eq "A's attempts" 20 "$(rg_field "$A" attempts)"
# jsonrpcs itself logs an ERROR for each argument of the wrong type (3
# here); replyguard must log none
check_eq "jsonrpcs type errors logged (not replyguard's)" 3 \
	"$(grep -cE 'ERROR: jsonrpcs .*jsonrpc_scan' "$IT_RUN/kamailio.log")"
check_eq "other ERROR/CRITICAL lines" 0 \
	"$(grep -E 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log" | grep -vc 'ERROR: jsonrpcs .*jsonrpc_scan')"
it_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# table_full: with max_destinations=2, a third destination and a malformed
# key are not tracked, are counted in replyguard.summary, and their calls
# still go through; the warning is not logged once per call.
. "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")" || exit 1
it_init table_full
N=20

kam_start kamailio.cfg || exit 1
sipp_bg gw -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 25171 \
	-m $((4 * N)) -d 5 -timeout 60s
wait_udp 25171
for u in c1 c2 c3 bad; do
	sipp_fg "caller_$u" 127.0.0.1:25160 -sf "$IT_SCEN/uac_call.xml" -s "$u" \
		-i 127.0.0.1 -m "$N" -r 20 -d 5 -timeout 30s
	check_eq "caller $u: all $N calls completed" 0 $?
done

get() { kcmd replyguard.summary | awk -v k="$1:" '$1 == k {print $2}'; }
check_eq "destinations tracked" 2 "$(get destinations)"
check_eq "refused_full = calls to the third destination" "$N" "$(get refused_full)"
check_eq "refused_bad_key = calls with the bad key" "$N" "$(get refused_bad_key)"
check_eq "carrier-c1 attempts" "$N" \
	"$(kcmd replyguard.get carrier-c1 | awk '/^[[:space:]]*attempts:/ {print $2; exit}')"
check_eq "carrier-c3 is unknown (fault 404)" 1 \
	"$(kcmd replyguard.get carrier-c3 2>&1 | grep -c '404')"
check_eq "a bad key over RPC is a 400" 1 \
	"$(kcmd replyguard.get 'a b' 2>&1 | grep -c '400')"
check_eq "RPC get without an argument is a 400" 1 \
	"$(kcmd replyguard.get 2>&1 | grep -c '400')"
# 2N refusals over 4 workers within seconds: at most one line per worker
warn=$(grep -c 'destination not tracked' "$IT_RUN/kamailio.log")
check_cmp "refusal warnings are rate-limited ($warn lines)" "$warn" -le 8
check_cmp "a refusal is logged at all" "$warn" -ge 1

# a blocked name: rg_allow() refuses (-1) with the seconds left
kcmd replyguard.block carrier-c1 120 >/dev/null
sipp_fg caller_blocked 127.0.0.1:25160 -sf "$IT_SCEN/uac_call.xml" -s c1 \
	-i 127.0.0.1 -m 2 -r 10 -d 5 -timeout 10s
check_eq "blocked: the caller got 503s" 2 "$(sipp_count caller_blocked 503_Recv)"
check_eq "blocked: rejected_blocked" 2 \
	"$(kcmd replyguard.get carrier-c1 | awk '/^[[:space:]]*rejected_blocked:/ {print $2; exit}')"
check_eq "blocked: attempts unchanged" "$N" \
	"$(kcmd replyguard.get carrier-c1 | awk '/^[[:space:]]*attempts:/ {print $2; exit}')"
check_eq "blocked: \$rg(retry_after) was the block left" 2 \
	"$(grep -cE 'REFUSED carrier-c1 retry_after=1(19|20)$' "$IT_RUN/kamailio.log")"
check_no_errors
it_finish

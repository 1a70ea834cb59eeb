#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# throttle_rate: kamailio.cfg.sample with a limits file holding one gateway
# to 20 cps. 60 cps are offered for 10 s: the gateway receives about 200
# INVITEs; every other call is refused upstream with 503 and Retry-After,
# and counted exactly in rejected_throttled. Then replyguard.reload and
# replyguard.set_limit change the limit without losing counters, and a bad
# limits file changes nothing.
. "$(dirname "$0")/../lib/common.sh"
it_init throttle_rate
RATE=60
SECS=10
CALLS=$((RATE * SECS))
GW=sip:127.0.0.1:25471
printf "1 %s\n" "$GW" >"$IT_RUN/dispatcher.list"
# burst 2: the full 20 cps with uneven arrivals, never more than 21 calls
# in any second
printf "# gateway  cps  burst\n%s 20 2\n" "$GW" >"$IT_RUN/limits"
sample_args 25460
KAM_ARGS+=(-A "RG_LIMITS=\"$IT_RUN/limits\"")
kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1

check_eq "limit read from the file at start" 20 "$(rg_field "$GW" cps_limit)"
check_eq "its source" file "$(rg_field "$GW" limit_source)"

sipp_bg uas -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 25471 -d 0 \
	-timeout 60s
wait_udp 25471
sipp_fg caller 127.0.0.1:25460 -sf "$IT_SCEN/uac_call.xml" -s 1 \
	-i 127.0.0.1 -m "$CALLS" -r "$RATE" -d 100 -timeout 40s -trace_msg
check_eq "caller exit status" 0 $?
# every call has ended at the caller: the gateway's final counts
sipp_stop uas

inv=$(sipp_count uas INVITE_Recv)
att=$(rg_field "$GW" attempts)
rej=$(rg_field "$GW" rejected_throttled)
echo "  gateway received $inv INVITEs of $CALLS calls; rejected_throttled $rej"
check_eq "attempts = INVITEs the gateway received" "$inv" "$att"
check_cmp "about 200 INVITEs (-20%)" "$inv" -ge 160
check_cmp "about 200 INVITEs (+20%)" "$inv" -le 240
check_eq "attempts + rejected_throttled = calls offered" "$CALLS" \
	"$(it_sum "$att" "$rej")"
check_eq "503s the caller got = rejected_throttled" "$rej" \
	"$(sipp_count caller 503_Recv)"
ra=$(grep -c '^Retry-After: [1-9][0-9]*' "$IT_RUN"/caller/*_messages.log)
check_eq "each of them had a Retry-After >= 1" "$rej" "$ra"
check_eq "calls answered (200 to INVITE and BYE)" $((2 * inv)) \
	"$(sipp_count caller 200_Recv)"
check_eq "rejected_blocked" 0 "$(rg_field "$GW" rejected_blocked)"

# reload: new limits, same counters
printf "%s 40 2 3\n" "$GW" >"$IT_RUN/limits"
kcmd replyguard.reload >"$IT_RUN/reload.out" 2>&1
check_eq "reload reports the destinations" 1 \
	"$(awk '$1 == "destinations:" {print $2}' "$IT_RUN/reload.out")"
check_eq "reloaded cps_limit" 40 "$(rg_field "$GW" cps_limit)"
check_eq "reloaded cps_burst" 2 "$(rg_field "$GW" cps_burst)"
check_eq "reloaded max_concurrent" 3 "$(rg_field "$GW" max_concurrent)"
check_eq "counters survive a reload" "$att" "$(rg_field "$GW" attempts)"

# a bad line: reported with its number, and the limits in force stay
printf "%s 10\nsip:127.0.0.1:25472 ten\n" "$GW" >"$IT_RUN/limits"
kcmd replyguard.reload >"$IT_RUN/reload_bad.out" 2>&1
check_eq "bad file: fault names line 2" 1 \
	"$(grep -c 'line 2: cps must be' "$IT_RUN/reload_bad.out")"
check_eq "bad file: limit unchanged" 40 "$(rg_field "$GW" cps_limit)"
check_eq "bad file: nothing added" 1 \
	"$(kcmd replyguard.summary | awk '$1 == "destinations:" {print $2}')"

# RPC set_limit: decimals as text, over kamcmd (s:) and JSON-RPC
kcmd replyguard.set_limit "$GW" s:2.5 >/dev/null 2>&1
check_eq "set_limit 2.5 over kamcmd" 2500 "$(rg_field "$GW" cps_limit_milli)"
check_eq "its source" manual "$(rg_field "$GW" limit_source)"
rpc "$IT_RUN/set.json" replyguard.set_limit "[\"$GW\", \"7\", 4, 9]"
check_eq "set_limit over JSON-RPC" 7 "$(rg_field "$GW" cps_limit)"
check_eq "set_limit burst" 4 "$(rg_field "$GW" cps_burst)"
check_eq "set_limit max_concurrent" 9 "$(rg_field "$GW" max_concurrent)"
rpc "$IT_RUN/bad1.json" replyguard.set_limit "[\"$GW\"]"
check_eq "set_limit without cps is a 400" 400 \
	"$(rgtool fault "$IT_RUN/bad1.json")"
rpc "$IT_RUN/bad2.json" replyguard.set_limit "[\"$GW\", \"fast\"]"
check_eq "set_limit with a bad cps is a 400" 400 \
	"$(rgtool fault "$IT_RUN/bad2.json")"
rpc "$IT_RUN/bad3.json" replyguard.set_limit "[\"$GW\", \"5\", 0]"
check_eq "set_limit with burst 0 is a 400" 400 \
	"$(rgtool fault "$IT_RUN/bad3.json")"

# the only ERROR lines are the bad reload's, one line
check_eq "ERROR lines: the bad reload's one" 1 \
	"$(grep -cE 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log")"
it_finish

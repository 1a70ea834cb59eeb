#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# failure_ratio: a gateway fails 6 calls in 10 with 500 (failure_codes),
# in a varying pattern that never has 3 failures in a row, so
# down_threshold (3) never blocks it.
#  A. failure_ratio 0 (off): it stays up, and all 10 calls reach it.
#  B. failure_ratio 50, failure_min_calls 5: the 5th call (3 failures in
#     5) takes it down; the rest are refused by the proxy, not sent.
. "$(dirname "$0")/../lib/common.sh"
it_init failure_ratio
PATTERN="f o f f o f o f f o"

# run NAME PORT PARAMS...: a proxy, a gateway and the 10 calls one by one
run() {
	local name=$1 p=$2 d=$(($2 + 11)) u n=0
	shift 2
	kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$p#g" \
		-e "s#@HTTP@#$((p + 20))#g" -e "s#@DST@#$d#g" \
		-e "s#@RGPARAMS@#$(printf '%s\\n' "$@")#" || return 1
	sipper_bg "gw_$name" uas --port "$d" --mode answer \
		--rule "f:mode=reject,code=500" --max-seconds 60 || return 1
	for u in $PATTERN; do
		n=$((n + 1))
		sipper_fg "uac_${name}_$n" uac --proxy "127.0.0.1:$p" \
			--port $((p + 1)) --ruri "sip:$u@127.0.0.1:$d" --calls 1 \
			--max-seconds 20
	done
	sipper_stop "gw_$name"
	GW=sip:127.0.0.1:$d
}

# down_time 300: once down, it stays down however slow the machine is
run a 27600 'modparam("replyguard", "failure_ratio", 0)' \
	'modparam("replyguard", "down_time", 300)' || exit 1
check_eq "A: every call reached the gateway" 10 \
	"$(sipper_stat gw_a "uas.27611.invites")"
check_eq "A: 6 failures counted" 6 "$(rg_field "$GW" failures)"
check_eq "A: never 3 in a row: still up" up "$(rg_field "$GW" state)"
check_eq "A: no dst-down" 0 "$(grep -c 'RG-EVENT down' "$IT_RUN/kamailio.log")"
check_no_errors
kam_stop

run b 27700 'modparam("replyguard", "failure_ratio", 50)' \
	'modparam("replyguard", "failure_min_calls", 5)' \
	'modparam("replyguard", "down_time", 300)' || exit 1
check_eq "B: down after the 5th call (3 of 5 failed)" 5 \
	"$(sipper_stat gw_b "uas.27711.invites")"
check_eq "B: attempts" 5 "$(rg_field "$GW" attempts)"
check_eq "B: failures counted" 3 "$(rg_field "$GW" failures)"
check_eq "B: down" down "$(rg_field "$GW" state)"
check_eq "B: the rest refused by the proxy" 5 \
	"$(rg_field "$GW" rejected_blocked)"
check_eq "B: one dst-down event" 1 \
	"$(grep -c "RG-EVENT down $GW state=down" "$IT_RUN/kamailio.log")"
check_no_errors
it_finish

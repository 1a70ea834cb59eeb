#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# guard: never shun a whole set. Three gateways in set 1, with
# max_blocked_percent 67 and down_threshold 1. Each answers 100 Trying and
# then nothing, so each call is a local timeout: a health failure.
#  1. gw1 and gw2 time out: both go down (2 of 3 is within 67 %), and the
#     set reaches its limit: event_route[replyguard:set-guard] runs once.
#  2. gw3 times out twice: its block is skipped each time and counted
#     (blocks_skipped 2), logged once; it stays up.
#  3. gw3 answers 503 with Retry-After: 30: that block is always applied.
. "$(dirname "$0")/../lib/common.sh"
it_init guard
P=28000
G1=$((P + 11)) G2=$((P + 12)) G3=$((P + 13))
printf '1 sip:127.0.0.1:%s\n' "$G1" "$G2" "$G3" >"$IT_RUN/dispatcher.list"
kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" || exit 1
sipper_bg gws uas --port "$G3" --mode trying \
	--rule "ra:mode=reject,code=503,retry_after=30" \
	--uas-spec "port=$G1,mode=trying" --uas-spec "port=$G2,mode=trying" \
	--max-seconds 120 || exit 1

n=0
# call USER PORT: one call, to the end (the proxy's 408 after 1.5 s)
call() {
	n=$((n + 1))
	sipper_fg "uac_$n" uac --proxy "127.0.0.1:$P" --port $((P + 1)) \
		--ruri "sip:$1@127.0.0.1:$2" --calls 1 --max-seconds 20
}
state_is() { [ "$(rg_field "sip:127.0.0.1:$1" state)" = "$2" ]; }
skipped_is() { [ "$(rg_field "sip:127.0.0.1:$G3" blocks_skipped)" = "$1" ]; }

call t "$G1"
wait_until 10 state_is "$G1" down
check_eq "gw1 down after its timeout" down "$(rg_field "sip:127.0.0.1:$G1" state)"
call t "$G2"
wait_until 10 state_is "$G2" down
check_eq "gw2 down: 2 of 3 blocked" down "$(rg_field "sip:127.0.0.1:$G2" state)"
check_eq "set-guard ran once, for set 1, on gw2's block" 1 \
	"$(grep -c "RG-EVENT set-guard set=1 dst=sip:127.0.0.1:$G2" "$IT_RUN/kamailio.log")"

call t "$G3"
wait_until 10 skipped_is 1
check_eq "gw3's first block skipped, counted" 1 \
	"$(rg_field "sip:127.0.0.1:$G3" blocks_skipped)"
call t "$G3"
wait_until 10 skipped_is 2
check_eq "gw3's second block skipped, counted" 2 \
	"$(rg_field "sip:127.0.0.1:$G3" blocks_skipped)"
check_eq "gw3 stays up" up "$(rg_field "sip:127.0.0.1:$G3" state)"
check_eq "gw3: 2 timeouts" 2 "$(rg_field "sip:127.0.0.1:$G3" timeouts)"
check_eq "gw3: 2 failures" 2 "$(rg_field "sip:127.0.0.1:$G3" failures)"
check_eq "the skip is logged once" 1 \
	"$(grep -c "sip:127.0.0.1:$G3: block skipped, set 1" "$IT_RUN/kamailio.log")"
check_eq "set-guard did not run again" 1 \
	"$(grep -c 'RG-EVENT set-guard' "$IT_RUN/kamailio.log")"

call ra "$G3"
wait_until 10 state_is "$G3" down
check_eq "a Retry-After blocks gw3 all the same" down \
	"$(rg_field "sip:127.0.0.1:$G3" state)"
b=$(rg_field "sip:127.0.0.1:$G3" blocked_for)
check_cmp "for the Retry-After (30 s): at most" "$b" -le 30
check_cmp "for the Retry-After (30 s): at least" "$b" -ge 25
check_eq "no more skipped" 2 "$(rg_field "sip:127.0.0.1:$G3" blocks_skipped)"
sipper_stop gws # its final counts
check_eq "gw3 got exactly the 3 calls" 3 \
	"$(sipper_stat gws "uas.$G3.invites")"
check_eq "gw1 got exactly 1" 1 "$(sipper_stat gws "uas.$G1.invites")"
check_eq "gw2 got exactly 1" 1 "$(sipper_stat gws "uas.$G2.invites")"
check_eq "nothing refused by the proxy" 0 \
	"$(rg_field "sip:127.0.0.1:$G3" rejected_blocked)"
check_no_errors
it_finish

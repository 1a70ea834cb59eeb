#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# retrans_hold: an INVITE retransmitted while its first copy is still in
# the script (so before any transaction exists) goes through rg_allow() in
# another worker. It must not count a second attempt, nor leave a call in
# flight that nothing ever releases. The caller (lib/sipper.py) resends
# each INVITE byte for byte at 100 ms and 300 ms; the proxy holds each
# copy 700 ms before t_relay(); the destination allows 5 calls in flight.
. "$(dirname "$0")/../lib/common.sh"
it_init retrans_hold
P=26100
A=sip:127.0.0.1:26111
B=sip:127.0.0.1:26112


kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" || exit 1
RPC_PORT=$((P + 20))
# a cap of 5 calls in flight, no rate limit
kcmd replyguard.set_limit "$A" 0 1 5 >/dev/null
kcmd replyguard.set_limit "$B" 0 1 5 >/dev/null
check_eq "A: cap of 5 in flight set" 5 "$(rg_field "$A" max_concurrent)"
check_eq "B: cap of 5 in flight set" 5 "$(rg_field "$B" max_concurrent)"

sipper_bg uas uas --port 26111 --mode answer \
	--uas-spec port=26112,mode=answer --max-seconds 50 || exit 1

# --- one slow INVITE, retransmitted twice before the proxy relays it
sipper_fg uac1 uac --proxy 127.0.0.1:$P --port 26101 \
	--ruri "sip:26111@127.0.0.1:26111" --mode retransmit \
	--retransmit-ms 100,300 --header "X-Slow: 1" --hold-ms 100 \
	--calls 1 --max-seconds 20
check_eq "one call: the caller completed it (final, ACK, BYE 200)" 0 $?
r1=$(sipper_stat uac1 uac.retransmissions)
echo "  one call: the caller retransmitted the INVITE $r1 times"
check_cmp "one call: the INVITE was retransmitted at least once" "$r1" -ge 1
check_eq "one call: every copy passed rg_allow (RH-ADMIT lines)" \
	$((1 + r1)) "$(grep -c 'RH-ADMIT' "$IT_RUN/kamailio.log")"
check_cmp "one call: the copies ran in more than one worker" \
	"$(grep 'RH-ADMIT' "$IT_RUN/kamailio.log" | sed 's/.*pid=//' |
		sort -u | wc -l)" -ge 2
check_eq "one call: answered" 1 "$(sipper_stat uac1 uac.finals.200)"
check_eq "A attempts: exactly one call" 1 "$(rg_field "$A" attempts)"
check_eq "A concurrent: nothing left in flight" 0 \
	"$(wait_rg "$A" concurrent 0 3000)"
check_eq "A replies_2xx" 1 "$(rg_field "$A" replies_2xx)"
check_eq "A rejected_throttled" 0 "$(rg_field "$A" rejected_throttled)"

# --- five such calls, one after another, to B
sipper_fg uac5 uac --proxy 127.0.0.1:$P --port 26102 \
	--ruri "sip:26112@127.0.0.1:26112" --mode retransmit \
	--retransmit-ms 100,300 --header "X-Slow: 1" --hold-ms 100 \
	--calls 5 --max-seconds 30
check_eq "five calls: the caller completed them" 0 $?
r5=$(sipper_stat uac5 uac.retransmissions)
echo "  five calls: retransmissions per call $(sipper_stat uac5 uac.retrans_per_call)"
check_cmp "five calls: every INVITE was retransmitted at least once" \
	"$(sipper_stat uac5 uac.min_retrans_per_call)" -ge 1
check_eq "five calls: answered" 5 "$(sipper_stat uac5 uac.finals.200)"
check_eq "five calls: distinct Call-IDs" 5 "$(sipper_stat uac5 uac.call_ids)"
check_eq "B attempts: exactly five calls" 5 "$(rg_field "$B" attempts)"
check_eq "B concurrent: nothing left in flight" 0 \
	"$(wait_rg "$B" concurrent 0 3000)"
check_eq "B replies_2xx" 5 "$(rg_field "$B" replies_2xx)"
check_eq "B rejected_throttled" 0 "$(rg_field "$B" rejected_throttled)"
check_eq "every INVITE copy passed rg_allow (RH-ADMIT lines)" \
	$((1 + r1 + 5 + r5)) "$(grep -c 'RH-ADMIT' "$IT_RUN/kamailio.log")"

sipper_stop uas
check_eq "A's UAS saw one INVITE" 1 "$(sipper_stat uas uas.26111.invites)"
check_eq "B's UAS saw five distinct INVITEs" 5 \
	"$(sipper_stat uas uas.26112.invites)"
check_eq "B's UAS saw five Call-IDs" 5 "$(sipper_stat uas uas.26112.call_ids)"
check_eq "B's UAS: five BYEs" 5 "$(sipper_stat uas uas.26112.byes)"
check_no_errors
it_finish

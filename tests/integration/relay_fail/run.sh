#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# relay_fail: rg_allow() admits a call, but its INVITE is never sent: the
# script answers it itself (nosend), drops it (drop), or t_relay()'s send
# is refused by onsend_route (sendfail). None of these is an attempt, nor
# a call in flight (each destination allows 5). A normal call to another
# destination still counts one attempt.
. "$(dirname "$0")/../lib/common.sh"
it_init relay_fail
P=26600
NS=sip:127.0.0.1:26611
DR=sip:127.0.0.1:26612
SF=sip:127.0.0.1:26613
OK=sip:127.0.0.1:26614
N=3


kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" || exit 1
RPC_PORT=$((P + 20))
for d in "$NS" "$DR" "$SF" "$OK"; do
	kcmd replyguard.set_limit "$d" 0 1 5 >/dev/null
done
# every destination has a UAS, so a request that did leave would be seen
sipper_bg uas uas --port 26611 --mode answer \
	--uas-spec port=26612,mode=answer --uas-spec port=26613,mode=answer \
	--uas-spec port=26614,mode=answer --max-seconds 50 || exit 1

# --- nosend: the script answers 500 itself
sipper_fg uac_ns uac --proxy 127.0.0.1:$P --port 26601 \
	--ruri "sip:nosend@127.0.0.1:$P" --calls $N --max-seconds 20
check_eq "nosend: the caller got 500 for each call" $N \
	"$(sipper_stat uac_ns uac.finals.500)"
check_eq "nosend: attempts" 0 "$(rg_field "$NS" attempts)"
check_eq "nosend: concurrent" 0 "$(rg_field "$NS" concurrent)"

# --- drop: no reply at all (the caller gives up after 500 ms)
sipper_fg uac_dr uac --proxy 127.0.0.1:$P --port 26602 \
	--ruri "sip:drop@127.0.0.1:$P" --calls $N --call-timeout-ms 500 \
	--max-seconds 20
check_eq "drop: the caller got no reply" "$N 0" \
	"$(sipper_stat uac_dr uac.no_final) $(sipper_stat uac_dr uac.provisionals.100)"
check_eq "drop: attempts" 0 "$(rg_field "$DR" attempts)"
check_eq "drop: concurrent" 0 "$(rg_field "$DR" concurrent)"

# --- sendfail: t_relay() fails, onsend_route refused the send
sipper_fg uac_sf uac --proxy 127.0.0.1:$P --port 26603 \
	--ruri "sip:sendfail@127.0.0.1:$P" --calls $N --max-seconds 20
check_eq "sendfail: the script saw t_relay() fail each time" $N \
	"$(grep -c 'RF-RELAY-FAILED' "$IT_RUN/kamailio.log")"
check_eq "sendfail: the caller got 500 for each call" $N \
	"$(sipper_stat uac_sf uac.finals.500)"
check_eq "sendfail: attempts" 0 "$(rg_field "$SF" attempts)"
check_eq "sendfail: concurrent" 0 "$(wait_rg "$SF" concurrent 0 3000)"
check_eq "sendfail: no timeout counted" 0 "$(rg_field "$SF" timeouts)"

# --- a normal call
sipper_fg uac_ok uac --proxy 127.0.0.1:$P --port 26604 \
	--ruri "sip:normal@127.0.0.1:$P" --calls 1 --max-seconds 20
check_eq "normal: the caller completed the call" 0 $?
check_eq "normal: attempts" 1 "$(rg_field "$OK" attempts)"
check_eq "normal: replies_2xx" 1 "$(rg_field "$OK" replies_2xx)"
check_eq "normal: concurrent" 0 "$(wait_rg "$OK" concurrent 0 3000)"

# the destinations exist in the table (rg_allow saw them), nothing throttled
for d in "$NS" "$DR" "$SF"; do
	check_eq "$d: tracked, no call refused" 0 \
		"$(rg_field "$d" rejected_throttled)"
done
sipper_stop uas
check_eq "no INVITE reached nosend/drop/sendfail destinations" "0 0 0" \
	"$(sipper_stat uas uas.26611.invites_total) $(sipper_stat uas uas.26612.invites_total) $(sipper_stat uas uas.26613.invites_total)"
check_eq "the normal destination saw its INVITE" 1 \
	"$(sipper_stat uas uas.26614.invites)"
check_no_errors
it_finish

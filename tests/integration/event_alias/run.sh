#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# event_alias: the message an event route is given is not taken for a
# real one. The core numbers faked messages and received ones apart, so
# an event's message could carry the id of the next message its process
# reads; tm knows a message by id and pid, and a script that reads
# $T_reply_code in the event route would make tm skip the lookup of that
# next message and forward it statelessly. Here the gateways' worker
# reads C's 503 (its first message: the event route runs), then A's 200
# (its second): on Kamailio 6.1, whose start-up takes one faked id, the
# two ids are equal. Every 200 must be relayed by tm and every
# transaction must end.
. "$(dirname "$0")/../lib/common.sh"
it_init event_alias
P=27000
GWP=27001
C=sip:127.0.0.1:27013
A=sip:127.0.0.1:27011
N=3
kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@GWPORT@#$GWP#g" -e "s#@HTTP@#$((P + 20))#g" \
	-e "s#@C@#$C#g" -e "s#@A@#$A#g" || exit 1
RPC_PORT=$((P + 20))
sipper_bg uasa uas --port 27011 --mode answer --no-trying --max-seconds 60 || exit 1
sipper_bg uasc uas --port 27013 --mode reject --code 503 --retry-after 30 \
	--no-trying --max-seconds 60 || exit 1

# the first call goes to C (503, down for 30 s), then A; the next calls
# go to A straight away
sipper_fg uac uac --proxy 127.0.0.1:$P --port 27002 \
	--ruri "sip:1@127.0.0.1:27011" --calls $N --hold-ms 100 \
	--call-timeout-ms 8000 --max-seconds 40
check_eq "the caller completed every call (200, ACK, BYE 200)" 0 $?
check_eq "one dst-down event" 1 \
	"$(wait_eq 10 1 grep -c 'RG-EVENT down .* T_reply_code=0' "$IT_RUN/kamailio.log")"
cur=$(wait_eq 15 0 tm_current)
[ "$cur" != 0 ] && kcmd tm.list
check_eq "every transaction ended (tm.stats current)" 0 "$cur"
sipper_stop uasa
sipper_stop uasc
check_eq "C got the first call only" 1 "$(sipper_stat uasc uas.27013.invites)"
check_eq "A answered every call" $N "$(sipper_stat uasa uas.27011.invites)"
# A 200 that tm did not match goes out statelessly; tm, which saw no
# answer, sends the INVITE again (after T1), A answers again, and the
# caller gets a second 200
check_eq "tm took every 200 of A: it sent A no INVITE twice" 0 \
	"$(sipper_stat uasa uas.27011.invite_retrans)"
check_eq "the caller got each 200 once" 0 "$(sipper_stat uac uac.final_retrans)"
check_no_errors
it_finish

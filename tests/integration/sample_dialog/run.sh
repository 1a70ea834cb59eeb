#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sample_dialog: the sample config keeps its promise that an answered call
# counts in flight until its BYE (dialog module, dlg_manage()).
. "$(dirname "$0")/../lib/common.sh"
it_init sample_dialog
GW=sip:127.0.0.1:27011
printf "1 %s\n" "$GW" >"$IT_RUN/dispatcher.list"
# no rate limit, at most 5 calls in flight
printf "%s 0 1 5\n" "$GW" >"$IT_RUN/limits"
sample_args 27000
KAM_ARGS+=(-A "RG_LIMITS=\"$IT_RUN/limits\"")
kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1
check_eq "cap read from the limits file" 5 "$(rg_field "$GW" max_concurrent)"

# field_until DST FIELD WANT SECONDS: poll until the field reads WANT
field_until() { wait_eq "$4" "$3" rg_field "$1" "$2"; }

sipp_bg uas -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 27011 -d 0 \
	-timeout 30s
wait_udp 27011
# 3 calls at once, each held 4 s after its 200 before the BYE
sipp_bg caller 127.0.0.1:27000 -sf "$IT_SCEN/uac_call.xml" -s 1 \
	-i 127.0.0.1 -m 3 -r 10 -d 4000 -timeout 30s
check_eq "3 answered calls count in flight while up" 3 \
	"$(field_until "$GW" concurrent 3 3)"
check_eq "their INVITEs were answered: 2xx counted" 3 \
	"$(field_until "$GW" replies_2xx 3 3)"
# still held after the 200s: the hold lasts until the BYE, not the answer
sleep 1
check_eq "still 3 in flight after the answers" 3 "$(rg_field "$GW" concurrent)"
wait_pid "$PID_caller" 20
check_eq "caller finished, calls completed" 0 $?
check_eq "BYEs ended the holds" 0 "$(field_until "$GW" concurrent 0 5)"
check_eq "attempts" 3 "$(rg_field "$GW" attempts)"
check_no_errors
it_finish

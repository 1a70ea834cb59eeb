#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trying_only: T answers "100 Trying" and then nothing, so tm's 1 s timer
# fires: a 100 is hop-by-hop (only the neighbour's stack spoke), so each
# timeout is a failure and two (down_threshold) take T down; the next call
# is refused. Control: R answers 100 and 180 and then nothing (rings, no
# answer): two timeouts that are no failure, R stays up.
. "$(dirname "$0")/../lib/common.sh"
it_init trying_only
P=26400
T=sip:127.0.0.1:26411
R=sip:127.0.0.1:26412


kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" || exit 1
RPC_PORT=$((P + 20))
sipper_bg uas uas --port 26411 --mode trying \
	--uas-spec port=26412,mode=ring --max-seconds 50 || exit 1

# --- T: 100 Trying, then silence
sipper_fg uac_t uac --proxy 127.0.0.1:$P --port 26401 \
	--ruri "sip:26411@127.0.0.1:26411" --calls 2 --max-seconds 20
check_eq "T: the caller got a final for both calls" 0 $?
check_eq "T: the caller got 408 twice (tm's timeout)" 2 \
	"$(sipper_stat uac_t uac.finals.408)"
check_eq "T: timeouts" 2 "$(wait_rg "$T" timeouts 2 3000)"
check_eq "T: down after two timeouts" down "$(wait_rg "$T" state down 3000)"
check_eq "T: attempts" 2 "$(rg_field "$T" attempts)"
check_eq "T: no final reply counted (the 487 after tm's CANCEL is ours)" 0 \
	"$(rg_field "$T" replies_4xx)"
log_count() { grep -c "$1" "$IT_RUN/kamailio.log"; }
check_eq "T: dst-down event, once" 1 \
	"$(sp_wait_eq 3000 1 log_count "RG-EVENT down $T ")"
check_cmp "T: blocked for down_time (30 s)" "$(rg_field "$T" blocked_for)" \
	-ge 28
# a third call is refused by the proxy and never reaches T
sipper_fg uac_t3 uac --proxy 127.0.0.1:$P --port 26403 \
	--ruri "sip:26411@127.0.0.1:26411" --calls 1 --max-seconds 10
check_eq "T: the third call is refused with 503" 1 \
	"$(sipper_stat uac_t3 uac.finals.503)"
check_eq "T: rejected_blocked" 1 "$(rg_field "$T" rejected_blocked)"

# --- R: 100, 180, then silence (ring, no answer)
sipper_fg uac_r uac --proxy 127.0.0.1:$P --port 26402 \
	--ruri "sip:26412@127.0.0.1:26412" --calls 2 --max-seconds 20
check_eq "R: the caller got a final for both calls" 0 $?
check_eq "R: the caller got 408 twice" 2 "$(sipper_stat uac_r uac.finals.408)"
check_eq "R: the caller heard ringing twice" 2 \
	"$(sipper_stat uac_r uac.provisionals.180)"
check_eq "R: timeouts" 2 "$(wait_rg "$R" timeouts 2 3000)"
check_eq "R: attempts" 2 "$(rg_field "$R" attempts)"
check_eq "R: replies_180" 2 "$(rg_field "$R" replies_180)"
check_eq "R: still up (ringing out is no failure)" up "$(rg_field "$R" state)"
check_eq "R: blocked_for" 0 "$(rg_field "$R" blocked_for)"
check_eq "R: no dst-down event" 0 \
	"$(grep -c "RG-EVENT down $R " "$IT_RUN/kamailio.log")"

sipper_stop uas
check_eq "T's UAS saw two INVITEs (none after it went down)" 2 \
	"$(sipper_stat uas uas.26411.invites)"
check_eq "T's UAS was cancelled twice by tm" 2 \
	"$(sipper_stat uas uas.26411.cancels)"
check_eq "R's UAS saw two INVITEs" 2 "$(sipper_stat uas uas.26412.invites)"
check_eq "T and R in flight: none" "0 0" \
	"$(rg_field "$T" concurrent) $(rg_field "$R" concurrent)"
check_no_errors
it_finish

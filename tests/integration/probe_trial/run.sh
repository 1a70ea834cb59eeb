#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# probe_trial: call A is admitted while D is up; D is then blocked for 1 s
# over RPC and turns probing while A is still in flight. A's late 486 is
# not the trial's outcome: D must stay probing. Only the next call, B, is
# the trial, and its 200 brings D up. D holds A's final reply until the
# test creates a file, so the order is certain; B ("trial") gets 200 at
# once.
. "$(dirname "$0")/../lib/common.sh"
it_init probe_trial
P=26500
D=sip:127.0.0.1:26511


kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" || exit 1
RPC_PORT=$((P + 20))
kcmd replyguard.set_limit "$D" 0 1 5 >/dev/null
RELEASE=$IT_RUN/release_a
sipper_bg uas uas --port 26511 --mode reject --code 486 \
	--hold-file "$RELEASE" --rule "trial:mode=answer,code=200,hold_file=" \
	--max-seconds 50 || exit 1

# --- A: admitted while up, its 486 held back by D
sipper_bg uac_a uac --proxy 127.0.0.1:$P --port 26501 \
	--ruri "sip:slow@127.0.0.1:26511" --calls 1 --max-seconds 30 || exit 1
check_eq "A in flight" 1 "$(wait_rg "$D" concurrent 1 3000)"
check_eq "A admitted while up" "1 up" \
	"$(rg_field "$D" attempts) $(rg_field "$D" state)"

kcmd replyguard.block "$D" 1 >/dev/null
# (the state itself may already be probing when read: the event says down)
log_count() { grep -c "$1" "$IT_RUN/kamailio.log"; }
check_eq "blocked over RPC: dst-down event" 1 \
	"$(sp_wait_eq 3000 1 log_count "RG-EVENT down $D state=down")"
check_eq "the block ends: probing" probing "$(wait_rg "$D" state probing 4000)"
check_eq "A still in flight, its reply not yet counted" "1 0" \
	"$(rg_field "$D" concurrent) $(rg_field "$D" replies_4xx)"

# --- A's late 486 arrives while D is probing
touch "$RELEASE"
check_eq "A's 486 counted" 1 "$(wait_rg "$D" replies_4xx 1 5000)"
check_eq "A's hold released" 0 "$(wait_rg "$D" concurrent 0 3000)"
check_eq "after A's 486: still probing (A was no trial)" probing \
	"$(rg_field "$D" state)"
wait_pid "$PID_uac_a" 10
check_eq "A: the caller got 486" 1 "$(sipper_stat uac_a uac.finals.486)"
check_eq "no dst-up event yet" 0 "$(log_count "RG-EVENT up $D ")"

# --- B: the trial
sipper_fg uac_b uac --proxy 127.0.0.1:$P --port 26502 \
	--ruri "sip:trial@127.0.0.1:26511" --calls 1 --max-seconds 20
check_eq "B: the caller completed the call" 0 $?
check_eq "B: the caller got 200" 1 "$(sipper_stat uac_b uac.finals.200)"
check_eq "B's 200: up" up "$(wait_rg "$D" state up 3000)"
check_eq "attempts (A and B)" 2 "$(rg_field "$D" attempts)"
check_eq "replies_2xx" 1 "$(rg_field "$D" replies_2xx)"
check_eq "replies_4xx" 1 "$(rg_field "$D" replies_4xx)"
check_eq "rejected_blocked" 0 "$(rg_field "$D" rejected_blocked)"
check_eq "concurrent" 0 "$(wait_rg "$D" concurrent 0 3000)"
check_eq "dst-up event, once" 1 \
	"$(sp_wait_eq 3000 1 log_count "RG-EVENT up $D ")"
sipper_stop uas
check_eq "D saw two INVITEs" 2 "$(sipper_stat uas uas.26511.invites)"
check_no_errors
it_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fork_index: an INVITE forked with append_branch to X, which answers 486,
# and Y, which answers 503 without Retry-After, both admitted in the
# request route: X before the branch is appended, Y after it; then X3/Y3
# both admitted with the appended branch in place ($du for X3); then X2/Y2
# admitted in branch_route. Each reply must be counted for its own
# branch's destination, and each branch's hold released.
. "$(dirname "$0")/../lib/common.sh"
it_init fork_index
P=26200
X=sip:127.0.0.1:26231
Y=sip:127.0.0.1:26232
X2=sip:127.0.0.1:26233
Y2=sip:127.0.0.1:26234
X3=sip:127.0.0.1:26235
Y3=sip:127.0.0.1:26236
N=3


kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" || exit 1
RPC_PORT=$((P + 20))
for d in "$X" "$Y" "$X2" "$Y2" "$X3" "$Y3"; do
	kcmd replyguard.set_limit "$d" 0 1 5 >/dev/null
done
sipper_bg uas uas --port 26231 --mode reject --code 486 \
	--uas-spec port=26232,mode=reject,code=503 \
	--uas-spec port=26233,mode=reject,code=486 \
	--uas-spec port=26234,mode=reject,code=503 \
	--uas-spec port=26235,mode=reject,code=486 \
	--uas-spec port=26236,mode=reject,code=503 --max-seconds 50 || exit 1

# --- forked in the request route
sipper_fg uac1 uac --proxy 127.0.0.1:$P --port 26201 \
	--ruri "sip:fork@127.0.0.1:$P" --calls $N --max-seconds 20
check_eq "request route: the caller completed every call" 0 $?
check_eq "request route: the caller got 486 (the best of 486/503)" $N \
	"$(sipper_stat uac1 uac.finals.486)"
check_eq "X attempts" $N "$(rg_field "$X" attempts)"
check_eq "Y attempts" $N "$(rg_field "$Y" attempts)"
check_eq "X replies_4xx" $N "$(wait_rg "$X" replies_4xx $N 3000)"
check_eq "X replies_503" 0 "$(rg_field "$X" replies_503)"
check_eq "X replies_5xx" 0 "$(rg_field "$X" replies_5xx)"
check_eq "Y replies_503" $N "$(wait_rg "$Y" replies_503 $N 3000)"
check_eq "Y replies_4xx" 0 "$(rg_field "$Y" replies_4xx)"
check_eq "X concurrent" 0 "$(wait_rg "$X" concurrent 0 3000)"
check_eq "Y concurrent" 0 "$(wait_rg "$Y" concurrent 0 3000)"

# --- forked, Y3's branch appended before X3 ($du) and Y3 are admitted
sipper_fg uac3 uac --proxy 127.0.0.1:$P --port 26203 \
	--ruri "sip:forkdu@127.0.0.1:$P" --calls $N --max-seconds 20
check_eq "\$du: the caller completed every call" 0 $?
check_eq "\$du: the caller got 486" $N "$(sipper_stat uac3 uac.finals.486)"
check_eq "X3 attempts" $N "$(rg_field "$X3" attempts)"
check_eq "Y3 attempts" $N "$(rg_field "$Y3" attempts)"
check_eq "X3 replies_4xx" $N "$(wait_rg "$X3" replies_4xx $N 3000)"
check_eq "X3 replies_503" 0 "$(rg_field "$X3" replies_503)"
check_eq "Y3 replies_503" $N "$(wait_rg "$Y3" replies_503 $N 3000)"
check_eq "Y3 replies_4xx" 0 "$(rg_field "$Y3" replies_4xx)"
check_eq "X3 concurrent" 0 "$(wait_rg "$X3" concurrent 0 3000)"
check_eq "Y3 concurrent" 0 "$(wait_rg "$Y3" concurrent 0 3000)"

# --- forked, each branch admitted in branch_route
sipper_fg uac2 uac --proxy 127.0.0.1:$P --port 26202 \
	--ruri "sip:forkbr@127.0.0.1:$P" --calls $N --max-seconds 20
check_eq "branch route: the caller completed every call" 0 $?
check_eq "branch route: the caller got 486" $N \
	"$(sipper_stat uac2 uac.finals.486)"
check_eq "X2 attempts" $N "$(rg_field "$X2" attempts)"
check_eq "Y2 attempts" $N "$(rg_field "$Y2" attempts)"
check_eq "X2 replies_4xx" $N "$(wait_rg "$X2" replies_4xx $N 3000)"
check_eq "X2 replies_503" 0 "$(rg_field "$X2" replies_503)"
check_eq "Y2 replies_503" $N "$(wait_rg "$Y2" replies_503 $N 3000)"
check_eq "Y2 replies_4xx" 0 "$(rg_field "$Y2" replies_4xx)"
check_eq "X2 concurrent" 0 "$(wait_rg "$X2" concurrent 0 3000)"
check_eq "Y2 concurrent" 0 "$(wait_rg "$Y2" concurrent 0 3000)"

sipper_stop uas
for port in 26231 26232 26233 26234 26235 26236; do
	check_eq "UAS $port: one INVITE per call" $N \
		"$(sipper_stat uas uas.$port.invites)"
	check_eq "UAS $port: every final ACKed by the proxy" $N \
		"$(sipper_stat uas uas.$port.acks_non2xx)"
done
check_no_errors
it_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cluster_budget: three kamailio nodes with cluster 1 over dmq share one
# CPS budget for the gateway behind them. The limit (30 cps, burst 2) is
# set over RPC on node 1 and reaches the others; each node has its own
# sipp caller. lib/peer.py plays the gateway and logs every INVITE's
# arrival and the node it came from; rates are counted there, over the
# steady part of each phase (from 5 s in to 2 s before its end).
#  even: 20 cps offered to each node for 20 s: the gateway gets 30 cps
#     +-10%, and every node shows the same budget as cps_limit.
#  skewed: 40 / 5 / 5: the total still holds, node 1 gets most of it.
#  node loss: 20 / 20 / 20 again, node 3 killed (SIGKILL, every process)
#     8 s in: once its lease (6 intervals) runs out (plus the polling's
#     slack, 2 s) node 1's share grows, and the total from nodes 1 and 2
#     is the budget less node 3's floor (2.5: a dead node and a cut-off
#     one look the same), 27.5 cps +-10%.
#  minority: node 1 is offered 40 cps with node 2 idle (share 25: all but
#     the floors of nodes 2 and 3); node 2 stops; node 1 holds no lease
#     from a majority of the 3 members, says so in one log line and
#     admits its floor, 2.5 cps.
. "$(dirname "$0")/../lib/common.sh"
it_init cluster_budget
N1=28400 N2=28500 N3=28600 GWP=28450
GW=sip:127.0.0.1:$GWP
PHASE_S=20

budget_start 200 || exit 1

# caller N RATE: a sipp caller to node N at RATE cps for PHASE_S seconds
caller() {
	local n=$1 rate=$2 tag=$3 p
	p=$(eval echo "\$N$n")
	sipp_bg "c${n}_$tag" 127.0.0.1:$p -sf "$IT_SCEN/uac_call.xml" -s gw \
		-i 127.0.0.1 -p $((p + 1)) -m $((rate * PHASE_S)) -r "$rate" -d 100 \
		-timeout $((PHASE_S + 15))s
}
# phase TAG R1 R2 R3: the three callers; the phase's start in T_<TAG>
phase() {
	eval "T_$1=$(now_ms)"
	caller 1 "$2" "$1"
	caller 2 "$3" "$1"
	caller 3 "$4" "$1"
}
wait_callers() {
	local n
	for n in 1 2 3; do
		eval "wait_pid \$PID_c${n}_$1 $((PHASE_S + 20))"
	done
}

# --- even
phase even 20 20 20
wait_callers even
# --- skewed
phase skew 40 5 5
wait_callers skew
# --- node loss
phase loss 20 20 20
sleep 8
pids=$(pgrep -P "$NODE_PID_3")
t_kill=$(now_ms)
kill -KILL "$NODE_PID_3" $pids 2>/dev/null
share_up() { [ "$(node_field 1 "$GW" cps_share_milli)" -ge 13000 ] 2>/dev/null; }
wait_until 5 share_up
t_up=$(now_ms)
share1=$(node_field 1 "$GW" cps_share_milli)
wait "$NODE_PID_3" 2>/dev/null
IT_PIDS=("${IT_PIDS[@]/$NODE_PID_3/}") # gone: nothing to stop at the end
NODE_PID_3=
eval "kill -TERM \$PID_c3_loss" 2>/dev/null
for n in 1 2; do eval "wait_pid \$PID_c${n}_loss $((PHASE_S + 20))"; done
end_loss=$((T_loss + PHASE_S * 1000))

# dmq itself logs an ERROR when its ping finds the killed node 3 dead:
# that one is expected
errs() {
	grep -E 'ERROR:|CRITICAL:' "$IT_RUN/n$1/kamailio.log" |
		grep -v "dmq .*deleting server node sip:127.0.0.3:$N3;.* because of failed request"
}
# no_errors N: none on node N (checked before it stops: a stop logs some)
no_errors() {
	local n_err
	n_err=$(errs "$1" | wc -l)
	check_eq "node $1: ERROR/CRITICAL log lines (but dmq's for node 3)" 0 "$n_err"
	[ "$n_err" -eq 0 ] || errs "$1" | head -3
}
# --- minority: node 1 is offered 40 cps while node 2 is idle (node 1
# gets all but the floors of nodes 2 and 3: 30 - 2 x 2.5), then node 2
# stops too: node 1 holds no lease from a majority and keeps its floor
PHASE_S=12 caller 1 40 alone
share_busy=$(wait_eq 8 24999 node_field 1 "$GW" cps_share_milli)
check_eq "node 1 busy, node 2 idle: node 1's share is 30 - 2 x 2.5 cps (rounded down)" 24999 "$share_busy"
l0=$(grep -c 'cluster: 1 of 3 members heard, no majority' "$IT_RUN/n1/kamailio.log")
no_errors 2
node_stop 2
alone() { nkcmd 1 replyguard.cluster 2>/dev/null | awk '$1 == "alone:" {print $2}'; }
check_eq "node 1 says it is in no majority" 1 "$(wait_eq 5 1 alone)"
check_eq "node 1's share: its floor, 30 x 25% / 3 (rounded down)" 2499 \
	"$(wait_eq 5 2499 node_field 1 "$GW" cps_share_milli)"
check_eq "one log line says so" 1 \
	$(($(grep -c 'cluster: 1 of 3 members heard, no majority' "$IT_RUN/n1/kamailio.log") - l0))
sipp_stop c1_alone
peer_stop gw
check_cmp "the gateway logged arrivals" "$(wc -l <"$IT_RUN/arrivals.txt")" -gt 1000

read -r tot r1 r2 r3 <<<"$(rates $((T_even + 5000)) $((T_even + (PHASE_S - 2) * 1000)))"
echo "  info even (20/20/20 offered): gateway $tot cps; nodes $r1 / $r2 / $r3"
within10 "$tot" && ok=1 || ok=0
check_eq "even: the gateway got 30 cps +-10% ($tot)" 1 "$ok"

read -r tot r1 r2 r3 <<<"$(rates $((T_skew + 5000)) $((T_skew + (PHASE_S - 2) * 1000)))"
echo "  info skewed (40/5/5 offered): gateway $tot cps; nodes $r1 / $r2 / $r3"
within10 "$tot" && ok=1 || ok=0
check_eq "skewed: the gateway got 30 cps +-10% ($tot)" 1 "$ok"
check_cmp "skewed: node 1 got more than nodes 2 and 3 together" \
	"${r1/./}" -gt $((${r2/./} + ${r3/./}))

echo "  info node loss: node 1's share was $share1 mcps $((t_up - t_kill)) ms after the kill (the lease: 1200 ms)"
check_cmp "node loss: node 1's share grew within 2000 ms" $((t_up - t_kill)) -le 2000
read -r tot r1 r2 r3 <<<"$(rates $((t_kill + 2000)) $((end_loss - 2000)))"
echo "  info node loss, after: gateway $tot cps; nodes $r1 / $r2 / $r3"
within10 "$tot" 275 && ok=1 || ok=0
check_eq "node loss: nodes 1 and 2 send 27.5 cps +-10% ($tot)" 1 "$ok"
check_eq "node loss: nothing from node 3 after its death" "0.0" "$r3"
read -r tot r1 r2 r3 <<<"$(rates $((T_loss + 3000)) $((t_kill - 500)))"
echo "  info node loss, before: gateway $tot cps; nodes $r1 / $r2 / $r3"

check_eq "demand records sent by node 1" 1 \
	"$([ "$(nkcmd 1 replyguard.cluster | awk '$1 == "demand_sent:" {print $2}')" -gt 0 ] && echo 1)"

no_errors 1
node_stop 1
it_finish

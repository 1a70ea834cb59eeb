#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cluster_converge: two kamailio nodes with cluster 1 end in the same
# state whatever order the writes reach them in, repair what one of them
# missed, and a restart does not bring back a block ended elsewhere.
#  reordered: signed messages, as from a third node, give node 1 an
#     unblock before the block it ends (and the other way round), and a
#     limit of 10 cps before the older one of 30 (and the other way
#     round): every destination ends up, at 10 cps, on node 1.
#  repair: node 2 never got those messages (they went to node 1 only):
#     the digests differ, and node 2 has the same state within 5 s, with
#     no operator. The time it took is printed.
#  stale state file: a manual block on node 1 reaches node 2, which saves
#     it in its state file; node 2 stops; node 1 unblocks; node 2 starts
#     with the stale file: the destination is up on node 2 within 2 s of
#     its start, and still up 5 s later, and its state file says so.
. "$(dirname "$0")/../lib/common.sh"
it_init cluster_converge
N1=28700 N2=28800 GWP=28750
SECRET=$IT_RUN/cluster.secret
STATE2=$IT_RUN/n2/replyguard.state

node_start 1 $N1 $N1 $GWP || exit 1
node_start 2 $N2 $N1 $GWP \
	"modparam(\"replyguard\", \"state_file\", \"$STATE2\")" \
	"modparam(\"replyguard\", \"state_save_interval\", 1)" || exit 1
both() { [ "$(peers_of 1)" = 1 ] && [ "$(peers_of 2)" = 1 ]; }
wait_until 20 both
check_eq "node 1 sees node 2" 1 "$(peers_of 1)"

# --- reordered writes, as node "node9" would send them (signed, fresh)
O=00000000000009a9
kd() { # SEQ RECORD...: one message to node 1 from node9's instance
	local seq=$1
	shift
	"$IT_PY" "$IT_LIB/kdmq.py" --to $N1 --from-port 28999 \
		--secret-file "$SECRET" --origin $O --node node9 --seq "$seq" "$@" >/dev/null
}
# the block at T, the unblock at T+5 (its version is newer); a version's
# clock is the wall clock's ms << 16 (rg_ver.h)
T=$(($(now_ms) << 16))
kd 1 "U carrier-ub 1 0 $((T + (5 << 16))) $O"
kd 2 "B carrier-ub 600000 1 0 $T $O"
kd 3 "B carrier-bu 600000 1 0 $T $O"
kd 4 "U carrier-bu 1 0 $((T + (5 << 16))) $O"
kd 5 "L carrier-ll 10000 1 0 $((T + (5 << 16))) $O"
kd 6 "L carrier-ll 30000 1 0 $T $O"
kd 7 "L carrier-lr 30000 1 0 $T $O"
kd 8 "L carrier-lr 10000 1 0 $((T + (5 << 16))) $O"
t_sent=$(now_ms)
check_eq "unblock, then the older block: up" up "$(wait_eq 2 up node_field 1 carrier-ub state)"
check_eq "block, then the newer unblock: up" up "$(wait_eq 2 up node_field 1 carrier-bu state)"
check_eq "limit 10, then the older 30: 10" 10 "$(wait_eq 2 10 node_field 1 carrier-ll cps_limit)"
check_eq "limit 30, then the newer 10: 10" 10 "$(wait_eq 2 10 node_field 1 carrier-lr cps_limit)"
sleep 0.3 # nothing to wait for: the late block must not take
check_eq "carrier-ub is still up" up "$(node_field 1 carrier-ub state)"

# --- repair: node 2 got none of them
same2() {
	[ "$(node_field 2 carrier-ll cps_limit)" = 10 ] &&
		[ "$(node_field 2 carrier-lr cps_limit)" = 10 ] &&
		[ "$(node_field 2 carrier-ub state)" = up ] &&
		[ "$(node_field 2 carrier-bu state)" = up ]
}
wait_until 5 same2
t_conv=$(now_ms)
echo "  info repair: node 2 had node 1's state $((t_conv - t_sent)) ms after the writes reached node 1"
check_eq "node 2 has carrier-ll at 10 (repair)" 10 "$(node_field 2 carrier-ll cps_limit)"
check_eq "node 2 has carrier-lr at 10 (repair)" 10 "$(node_field 2 carrier-lr cps_limit)"
check_eq "node 2 has carrier-bu up (repair)" up "$(node_field 2 carrier-bu state)"
check_cmp "repaired within 5 s" $((t_conv - t_sent)) -le 5000
pushed() { nkcmd "$1" replyguard.cluster | awk '$1 == "pushed:" {print $2}'; }
check_cmp "node 1 sent buckets for repair" "$(pushed 1)" -ge 1
# once the same, the digests agree: no more repair
sleep 2.5
p1=$(pushed 1) p2=$(pushed 2)
sleep 3
check_eq "no bucket sent by node 1 once the same (3 s)" "$p1" "$(pushed 1)"
check_eq "no bucket sent by node 2 once the same (3 s)" "$p2" "$(pushed 2)"

# --- stale state file
nkcmd 1 replyguard.block carrier-s 600 >/dev/null
check_eq "node 2 has the block" down "$(wait_eq 3 down node_field 2 carrier-s state)"
in_file() { grep -q "^carrier-s [1-9]" "$STATE2" 2>/dev/null; }
wait_until 5 in_file
check_eq "node 2's state file holds the block" 1 "$(in_file && echo 1)"
node_stop 2
nkcmd 1 replyguard.unblock carrier-s >/dev/null
check_eq "node 1 unblocked it" up "$(node_field 1 carrier-s state)"
node_start 2 $N2 $N1 $GWP \
	"modparam(\"replyguard\", \"state_file\", \"$STATE2\")" \
	"modparam(\"replyguard\", \"state_save_interval\", 1)" || exit 1
t1=$(now_ms)
check_eq "node 2 after its restart: up" up "$(wait_eq 2 up node_field 2 carrier-s state)"
echo "  info stale state file: up on node 2 $(($(now_ms) - t1)) ms after it answered RPC"
sleep 5 # it must stay so: a block that came back would show by now
check_eq "node 2, 5 s later: still up" up "$(node_field 2 carrier-s state)"
check_eq "node 1: still up" up "$(node_field 1 carrier-s state)"
not_in_file() { ! grep -q "^carrier-s [1-9]" "$STATE2"; }
wait_until 3 not_in_file
check_eq "node 2's state file no longer holds the block" 1 "$(not_in_file && echo 1)"

nodes_no_errors 1 2
it_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cluster_partition: three kamailio nodes with cluster 1 over dmq share a
# 30 cps budget (burst 2) for the gateway behind them, as in
# cluster_budget, and the links between them are cut for real: the case
# runs in a network namespace of its own (created here, deleted on exit)
# where nftables drops the nodes' datagrams to each other by source and
# destination port (a node's cluster traffic goes from its SIP port to
# the peer's). Each node has a sipp caller offered 20 cps throughout;
# lib/peer.py plays the gateway and logs every INVITE's arrival and the
# node it came from. Rates during a cut are counted from 3 s into it (the
# lease, 6 intervals = 1.2 s, and the polling's slack) to its end.
#  warm-up: every node sees 2 active peers and a share of ~10 cps; the
#     gateway gets 30 cps +-10%.
#  two-way cut {1} | {2,3} for 30 s: node 1 holds no lease from a
#     majority and admits its floor (30 x 25% / 3 = 2.5 cps, at most 3);
#     nodes 2 and 3 keep using the rest: the total is at least 24 cps and
#     at most 30 cps + 5% (burst slack).
#  heal: the time until no node is alone and node 1's share is back at
#     10 cps +-20%: the convergence time.
#  one-way cut for 30 s: node 3 hears no one but is heard (nothing from
#     nodes 1 and 2 reaches it, node 3's packets still reach them): node
#     3 admits its floor, the total holds as above.
#  heal: convergence again, on node 3's share.
# The cuts drop at the input hook: a sender's sendto() succeeds and the
# datagram is lost, as on a real broken link. dmq needs replies (its
# KDMQ are SIP transactions): a peer whose requests time out is deleted
# (or, the notification peer, set pending) on both sides of a one-way cut
# too, and is only found again by dmq's ping (ping_interval, 10 s): that,
# not the lease, sets the convergence time (a few seconds, CONV_S at most).
# Every cut's drop rules must have dropped something, and no TCP may flow
# to the nodes' ports (their cluster traffic is all UDP, which the cuts
# cover). dmq logs errors about requests that failed while a link was cut:
# those are expected, printed, and left out of the no-error check.

# --- the namespace: the case re-runs itself inside a fresh one, so that
# its nftables rules never touch the host's
if [ -z "$RG_NETNS" ]; then
	why=
	[ "$(id -u)" -eq 0 ] || why="it must run as root (network namespace, nftables)"
	[ -n "$why" ] || command -v ip >/dev/null 2>&1 ||
		why="'ip' (iproute2) is not installed"
	[ -n "$why" ] || command -v nft >/dev/null 2>&1 ||
		why="'nft' (nftables, see scripts/deps.sh) is not installed"
	if [ -n "$why" ]; then
		echo "cluster_partition: cannot run: $why"
		exit 1
	fi
	RG_NS=rgpart$$
	if ! ip netns add "$RG_NS"; then
		echo "cluster_partition: cannot run: 'ip netns add $RG_NS' failed"
		exit 1
	fi
	RG_CHILD=
	# the child (the case) gets the signal too, cleans up, and ends; the
	# namespace goes after it
	trap 'ip netns del "$RG_NS" 2>/dev/null' EXIT
	trap '[ -n "$RG_CHILD" ] && kill -TERM "$RG_CHILD" 2>/dev/null' TERM INT HUP
	if ! ip netns exec "$RG_NS" ip link set lo up; then
		echo "cluster_partition: cannot run: no loopback in namespace $RG_NS"
		exit 1
	fi
	self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
	ip netns exec "$RG_NS" env RG_NETNS="$RG_NS" bash "$self" "$@" &
	RG_CHILD=$!
	# a trapped signal ends wait early (status > 128): wait again, for the
	# child's own status
	while :; do
		wait "$RG_CHILD"
		rc=$?
		kill -0 "$RG_CHILD" 2>/dev/null || break
	done
	exit "$rc"
fi
# inside: make sure of it before touching nftables
if [ "$(ip netns identify $$ 2>/dev/null)" != "$RG_NETNS" ]; then
	echo "cluster_partition: not inside namespace $RG_NETNS; refusing to add nftables rules"
	exit 1
fi

. "$(dirname "$0")/../lib/common.sh"
it_init cluster_partition
N1=29100 N2=29200 N3=29300 GWP=29150
GW=sip:127.0.0.1:$GWP
CUT_S=30     # each cut
SETTLE_MS=3000 # rates during a cut are counted from this far into it
CONV_S=40    # the longest a heal may take to converge

echo "  info namespace $RG_NETNS"
# --- nftables: chain cut holds the drop rules (flushed to heal); chain
# watch counts TCP to the nodes' ports (there should be none)
nft add table inet rgcut &&
	nft add chain inet rgcut cut '{ type filter hook input priority 0; policy accept; }' &&
	nft add chain inet rgcut watch '{ type filter hook output priority 0; policy accept; }' &&
	nft add rule inet rgcut watch tcp dport "{ $N1, $N2, $N3, $((N1 + 20)), $((N2 + 20)), $((N3 + 20)) }" counter ||
	{
		echo "cluster_partition: cannot set up nftables in $RG_NETNS"
		exit 1
	}
# drop FROM_PORTS TO_PORTS: drop what the nodes at FROM_PORTS send to
# those at TO_PORTS (UDP, and TCP should they ever use it)
drop() {
	nft add rule inet rgcut cut meta l4proto "{ tcp, udp }" \
		th sport "{ $1 }" th dport "{ $2 }" counter drop
}
# dropped: packets the cut rules dropped so far
dropped() {
	nft list chain inet rgcut cut | awk '{for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1)} END {print s + 0}'
}
heal() { nft flush chain inet rgcut cut; }
tcp_seen() {
	nft list chain inet rgcut watch | awk '{for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1)} END {print s + 0}'
}

budget_start 300 || exit 1

# cfield N FIELD: one field of replyguard.cluster on node N
cfield() { nkcmd "$1" replyguard.cluster 2>/dev/null | awk -v k="$2:" '$1 == k {print $2; exit}'; }
share() { node_field "$1" "$GW" cps_share_milli; }
# share_near N: node N's share is 10 cps +-20%
share_near() {
	local s
	s=$(share "$1")
	[[ $s =~ ^[0-9]+$ ]] && [ "$s" -ge 8000 ] && [ "$s" -le 12000 ] ||
		{ echo "node $1's share: ${s:-?}"; return 1; }
}
all_shared() { share_near 1 && share_near 2 && share_near 3; }
# converged N: no node alone, and node N's share is back near 10 cps
converged() {
	local n a
	for n in 1 2 3; do
		a=$(cfield $n alone)
		[ "$a" = 0 ] || { echo "node $n: alone ${a:-?}"; return 1; }
	done
	share_near "$1"
}
# heard N FROM: messages node N took from node FROM (its peer entry)
heard() {
	nkcmd "$1" replyguard.cluster 2>/dev/null |
		awk -v want="node$2" '$1 == "node:" {cur = $2} $1 == "messages:" && cur == want {print $2; exit}'
}
# cstate N: node N's view, for an info line
cstate() {
	echo "active peers $(peers_of "$1") alone $(cfield "$1" alone) members $(cfield "$1" members) leased $(cfield "$1" leased) majority $(cfield "$1" majority) share $(share "$1")"
}

# the callers: 20 cps to each node for the whole case (stopped at its end)
for n in 1 2 3; do
	p=$(eval echo "\$N$n")
	sipp_bg "c$n" "127.0.0.1:$p" -sf "$IT_SCEN/uac_call.xml" -s gw \
		-i 127.0.0.1 -p $((p + 1)) -m $((20 * 240)) -r 20 -d 100 \
		-timeout 240s
done


# --- warm-up: the budget shared three ways
t_start=$(now_ms)
wait_until 20 all_shared
t_warm=$(now_ms)
echo "  info warm-up: shared three ways $((t_warm - t_start)) ms after the callers started"
check_eq "warm-up: every node's share is 10 cps +-20%" 1 "$(all_shared >/dev/null && echo 1)"
sleep 6
t_warm_end=$(now_ms)

# cut_and_heal NAME NODE: the cut whose rules were just added lasts
# CUT_S seconds: node NODE must be alone at its floor, the others not
# alone; then heal, and measure the time to converge on NODE's share.
# Sets T_<NAME> (cut), H_<NAME> (healed) and C_<NAME> (converged).
cut_and_heal() {
	local name=$1 node=$2 t0 th tc d n a
	t0=$(now_ms)
	eval "T_$name=$t0"
	check_eq "$name: node $node says it is in no majority" 1 \
		"$(wait_eq 5 1 cfield "$node" alone)"
	check_eq "$name: node $node's share is its floor, 30 x 25% / 3 (rounded down)" 2499 \
		"$(wait_eq 5 2499 share "$node")"
	while [ "$(now_ms)" -lt $((t0 + SETTLE_MS)) ]; do sleep 0.1; done
	for n in 1 2 3; do
		[ "$n" = "$node" ] || eval "h_$n=$(heard $n "$node")"
	done
	sleep $((CUT_S / 2))
	for n in 1 2 3; do
		echo "  info $name, ${CUT_S}/2 s in: node $n: $(cstate $n)"
	done
	for n in 1 2 3; do
		[ "$n" = "$node" ] && continue
		a=$(cfield "$n" alone)
		check_eq "$name: node $n is not alone" 0 "$a"
	done
	while [ "$(now_ms)" -lt $((t0 + CUT_S * 1000)) ]; do sleep 0.1; done
	for n in 1 2 3; do
		[ "$n" = "$node" ] && continue
		eval "a=\$h_$n"
		echo "  info $name: node $n took $(($(heard $n "$node") - a)) messages from node $node from ${SETTLE_MS} ms into the cut to its end"
	done
	d=$(dropped)
	echo "  info $name: the cut dropped $d packets"
	check_cmp "$name: the cut dropped packets" "$d" -gt 0
	th=$(now_ms)
	heal
	eval "H_$name=$th"
	wait_until $CONV_S converged "$node"
	tc=$(now_ms)
	eval "C_$name=$tc"
	echo "  info $name healed: converged in $((tc - th)) ms (no node alone, node $node's share $(share "$node") mcps)"
	check_eq "$name healed: converged within $CONV_S s" 1 \
		"$(converged "$node" >/dev/null && echo 1)"
	for n in 1 2 3; do
		echo "  info $name healed: node $n: $(cstate $n)"
	done
	# and until every node's share is back near 10 cps (info)
	if wait_until $CONV_S all_shared >/dev/null; then
		echo "  info $name healed: every node's share near 10 cps $(($(now_ms) - th)) ms after the heal"
	else
		echo "  info $name healed: the shares were not all near 10 cps within $CONV_S s: $WAIT_LAST"
	fi
}

# --- two-way cut: {1} | {2,3}
drop "$N1" "$N2, $N3"
drop "$N2, $N3" "$N1"
cut_and_heal twoway 1
sleep 3
t_mid=$(now_ms)
# --- one-way cut: node 3 hears no one; what it sends still arrives
drop "$N1, $N2" "$N3"
cut_and_heal oneway 3
sleep 5
t_end=$(now_ms)

sipp_stop c1 c2 c3
peer_stop gw
check_cmp "the gateway logged arrivals" "$(wc -l <"$IT_RUN/arrivals.txt")" -gt 1000
check_eq "no TCP to the nodes' ports (the cluster talks UDP, which the cuts cover)" 0 "$(tcp_seen)"

read -r tot r1 r2 r3 <<<"$(rates $((t_warm_end - 5000)) "$t_warm_end")"
echo "  info warm-up (20/20/20 offered): gateway $tot cps; nodes $r1 / $r2 / $r3"
within10 "$tot" && ok=1 || ok=0
check_eq "warm-up: the gateway got 30 cps +-10% ($tot)" 1 "$ok"

# during NAME NODE: the rates over the cut, but its first SETTLE_MS
during() {
	local name=$1 node=$2 t0 th tot r1 r2 r3 rn
	eval "t0=\$T_$name th=\$H_$name"
	read -r tot r1 r2 r3 <<<"$(rates $((t0 + SETTLE_MS)) "$th")"
	echo "  info $name cut (20/20/20 offered, node $node cut off): gateway $tot cps; nodes $r1 / $r2 / $r3"
	eval "rn=\$r$node"
	check_cmp "$name: total at most 30 cps + 5% ($tot)" "${tot/./}" -le 315
	check_cmp "$name: total at least 24 cps ($tot)" "${tot/./}" -ge 240
	check_cmp "$name: node $node at most 3 cps ($rn)" "${rn/./}" -le 30
}
during twoway 1
during oneway 3
read -r tot r1 r2 r3 <<<"$(rates "$C_twoway" "$t_mid")"
echo "  info after the two-way cut's convergence: gateway $tot cps; nodes $r1 / $r2 / $r3"
read -r tot r1 r2 r3 <<<"$(rates "$C_oneway" "$t_end")"
echo "  info after the one-way cut's convergence: gateway $tot cps; nodes $r1 / $r2 / $r3"
echo "  info convergence: two-way $((C_twoway - H_twoway)) ms, one-way $((C_oneway - H_oneway)) ms"

# dmq logs errors about requests that failed while a link was cut (no
# reply: tm's timeout, 408): it deletes the peer it sent to, or, for the
# notification peer (node 1), says it does not. Those are expected;
# anything else is not.
dmq_pattern() {
	echo 'dmq .*notification_resp_callback_f\(\): (deleting server node sip:127\.0\.0\.[0-9]+:[0-9]+;.* because of failed request|not deleting notification peer \[sip:127\.0\.0\.1:'$N1'\])'
}
errs() {
	grep -E 'ERROR:|CRITICAL:' "$IT_RUN/n$1/kamailio.log" |
		grep -vE "$(dmq_pattern)"
}
for n in 1 2 3; do
	f=$(grep -E 'ERROR:|CRITICAL:' "$IT_RUN/n$n/kamailio.log" | grep -cE "$(dmq_pattern)")
	echo "  info node $n: $f dmq ERROR lines about requests that failed during a cut (expected, left out):"
	grep -E 'ERROR:|CRITICAL:' "$IT_RUN/n$n/kamailio.log" | grep -E "$(dmq_pattern)" |
		sed -E 's/^ *[0-9]+\([0-9]+\) //' | sort | uniq -c | sort -rn | sed 's/^ */      /'
	n_err=$(errs "$n" | wc -l)
	check_eq "node $n: ERROR/CRITICAL log lines (but dmq's failed requests)" 0 "$n_err"
	[ "$n_err" -eq 0 ] || errs "$n" | head -5
done
for n in 3 2; do node_stop $n; done
node_stop 1
it_finish

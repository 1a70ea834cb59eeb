#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the cluster costs at many destinations, on two real nodes
# (tests/integration/lib/cluster.cfg) on loopback: DMQ messages a second
# to the peer, body bytes, and shared memory.
#
#   cluster_volume.sh OUT [DESTS [SECONDS]]
#
#  idle: DESTS destinations, each with a budget (limits_file, 100 cps),
#     no calls: what the steady state costs when nothing moves.
#  busy: sipp sends calls to node 1 only (CPS a second), spread over the
#     DESTS destinations by Call-ID, answered by a sipp UAS: every
#     destination is in use. Node 2 gets no calls, so what its shared
#     memory grows by over the idle phase is the cluster's traffic (dmq's
#     transactions both ways) and nothing else.
# Writes key value lines to OUT for bench/report.py. Everything binds
# 127.0.0.1; every load is bounded in calls and time.
BENCH=$(cd "$(dirname "$0")" && pwd)
. "$BENCH/../tests/integration/lib/common.sh"
OUT=$1
DESTS=${2:-10000}
SECS=${3:-20}
CPS=${CLUSTER_CPS:-1000}
IT_LOCK=cluster_volume it_init cluster_volume
N1=30100 N2=30200 GWP=30150
KAM_MEM="-m 512 -M 32"
KAM_ARGS=(-A "RG_KEYS_SPREAD=$DESTS")
awk -v n="$DESTS" 'BEGIN { for(i = 0; i < n; i++) printf "b-%d 100\n", i }' \
	>"$IT_RUN/limits"
P=("modparam(\"replyguard\", \"limits_file\", \"$IT_RUN/limits\")"
	"modparam(\"replyguard\", \"max_destinations\", $((DESTS * 2)))")
node_start 1 $N1 $N1 $GWP "${P[@]}" || exit 1
node_start 2 $N2 $N1 $GWP "${P[@]}" || exit 1
both() { [ "$(peers_of 1)" = 1 ] && [ "$(peers_of 2)" = 1 ]; }
wait_until 20 both || exit 1
cstat() { nkcmd "$1" replyguard.cluster | awk -v k="$2:" '$1 == k {print $2; exit}'; }
shm_used() { nkcmd "$1" core.shmmem | awk '$1 == "real_used:" {print $2}'; }
tm_cur() { nkcmd "$1" tm.stats | awk '$1 == "current:" {print $2; exit}'; }
# sample SECONDS: messages each node sent, the largest real_used seen on
# node 2 (every second) and the largest count of transactions there
sample() {
	local secs=$1 s1 s2 t0 i m=0 u tx=0 x
	s1=$(cstat 1 sent) s2=$(cstat 2 sent) t0=$(now_ms)
	for i in $(seq 1 "$secs"); do
		sleep 1
		u=$(shm_used 2)
		[ "$u" -gt "$m" ] && m=$u
		x=$(tm_cur 2)
		[ "${x:-0}" -gt "$tx" ] && tx=$x
	done
	local dt=$(($(now_ms) - t0))
	echo "$(((($(cstat 1 sent) - s1) * 10000 / dt)))" \
		"$(((($(cstat 2 sent) - s2) * 10000 / dt)))" "$m" "$tx"
}
# the idle phase: let the first grants go out, then measure
sleep 5
read -r i1 i2 ishm itx <<<"$(sample "$SECS")"
echo "  info idle, $DESTS budgets: node 1 sent $((i1 / 10)).$((i1 % 10)) msg/s, node 2 $((i2 / 10)).$((i2 % 10)); node 2 shm $ishm, transactions $itx"
# the busy phase
sipp_bg gw -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p $GWP -d 0 \
	-timeout $((SECS + 40))s
wait_udp $GWP
sipp_bg calls 127.0.0.1:$N1 -sf "$IT_SCEN/uac_call.xml" -s b \
	-i 127.0.0.1 -p $((N1 + 1)) -m $((CPS * (SECS + 10))) -r "$CPS" -d 0 \
	-timeout $((SECS + 30))s -default_behaviors all,-abortunexp
sleep 5
inuse=$(nkcmd 2 replyguard.summary | awk '$1 == "destinations:" {print $2}')
d0=$(cstat 1 demand_sent)
read -r b1 b2 bshm btx <<<"$(sample "$SECS")"
drate=$((($(cstat 1 demand_sent) - d0) / (SECS + 1)))
echo "  info busy ($CPS cps over $DESTS): $drate D records/s from node 1; node 1 sent $((b1 / 10)).$((b1 % 10)) msg/s, node 2 $((b2 / 10)).$((b2 % 10)); node 2 shm $bshm (+$(((bshm - ishm) / 1048576)) MiB), transactions $btx"
sipp_stop calls
sipp_stop gw
{
	echo "cluster_destinations $DESTS"
	echo "cluster_interval_ms 200"
	echo "cluster_seconds $SECS"
	echo "cluster_busy_cps $CPS"
	echo "cluster_idle_msgs_per_s_node1 $((i1 / 10)).$((i1 % 10))"
	echo "cluster_idle_msgs_per_s_node2 $((i2 / 10)).$((i2 % 10))"
	echo "cluster_busy_msgs_per_s_node1 $((b1 / 10)).$((b1 % 10))"
	echo "cluster_busy_msgs_per_s_node2 $((b2 / 10)).$((b2 % 10))"
	echo "cluster_idle_shm_node2 $ishm"
	echo "cluster_busy_shm_node2 $bshm"
	echo "cluster_busy_shm_growth_mib $(((bshm - ishm) / 1048576))"
	echo "cluster_idle_tm_node2 $itx"
	echo "cluster_busy_tm_node2 $btx"
	echo "cluster_tracked_node2 ${inuse:-0}"
	echo "cluster_busy_d_records_per_s_node1 $drate"
} >"$OUT"
node_stop 1
node_stop 2
it_finish

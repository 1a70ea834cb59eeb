#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cluster: three kamailio nodes share replyguard's blocks and limits over
# dmq (cluster 1), one gateway behind them.
#  blocks: 20 times, the gateway is unblocked on node 1 (the unblock
#     reaches the others), then a call through node 1 gets 503 with
#     Retry-After: 300 and blocks it; nodes 2 and 3 must show the block.
#     The time to propagate is the gap between node 1's dst-down event and
#     each other node's (event routes log a microsecond timestamp); its
#     95th percentile must be under 100 ms. Calls to nodes 2 and 3 during
#     the block never reach the gateway.
#  late joiner: node 3 stops; node 1 gets a manual block and an RPC limit;
#     node 3 starts again and has both from a peer within 2 s.
#  forged: KDMQ to node 2 with no HMAC (the review's forgery: a year's
#     manual block, a 0.001 cps limit, a sync request, seq 2^64-1, From
#     node 2 itself), a wrong key, the old RG1 format, garbage, and a
#     signed message 10 minutes old change nothing and are counted; a
#     signed fresh one is taken once and its replay refused; the real
#     nodes keep talking.
. "$(dirname "$0")/../lib/common.sh"
it_init cluster
N1=28100 N2=28200 N3=28300 GWP=28150
GW=sip:127.0.0.1:$GWP

HOOK=28160
"$IT_PY" "$IT_LIB/hook_server.py" --port $HOOK --out "$IT_RUN/hooks2.jsonl" \
	--max-seconds 300 &
IT_PIDS+=($!)
wait_tcp $HOOK
node_start 1 $N1 $N1 $GWP || exit 1
node_start 2 $N2 $N1 $GWP \
	"modparam(\"replyguard\", \"webhook_url\", \"http://127.0.0.1:$HOOK/rg\")" || exit 1
node_start 3 $N3 $N1 $GWP || exit 1
sipper_bg gw uas --port $GWP --mode answer \
	--rule "ra:mode=reject,code=503,retry_after=300" --max-seconds 240 ||
	exit 1

# each node sees the two others
all_peers() { [ "$(peers_of 1)" = 2 ] && [ "$(peers_of 2)" = 2 ] && [ "$(peers_of 3)" = 2 ]; }
wait_until 20 all_peers
check_eq "node 1 sees 2 active peers" 2 "$(peers_of 1)"
check_eq "node 3 sees 2 active peers" 2 "$(peers_of 3)"

# --- blocks
state_on() { [ "$(node_field "$1" "$GW" state)" = "$2" ]; }
up_or_new() { local s; s=$(node_field "$1" "$GW" state); [ -z "$s" ] || [ "$s" = up ]; }
ok=0
for i in $(seq 1 20); do
	if [ "$i" -gt 1 ]; then
		nkcmd 1 replyguard.unblock "$GW" >/dev/null
		wait_until 5 up_or_new 2 && wait_until 5 up_or_new 3 ||
			echo "  info round $i: the unblock did not reach nodes 2 and 3"
		up_or_new 2 && up_or_new 3 || continue
	fi
	sipper_fg "ra_$i" uac --proxy 127.0.0.1:$N1 --port $((N1 + 1)) \
		--ruri "sip:ra@127.0.0.1:$GWP" --calls 1 --max-seconds 10
	wait_until 5 state_on 2 down && wait_until 5 state_on 3 down && ok=$((ok + 1))
done
check_eq "20 blocks on node 1 reached nodes 2 and 3" 20 "$ok"
gaps=$("$IT_PY" - "$IT_RUN" "$GW" <<'PY'
import re, sys
run, gw = sys.argv[1], sys.argv[2]
def downs(n):
    pat = re.compile(r"RG-EVENT down %s at (\d+)\.(\d+)" % re.escape(gw))
    out = []
    for line in open("%s/n%d/kamailio.log" % (run, n), errors="replace"):
        m = pat.search(line)
        if m:
            out.append(int(m.group(1)) + int(m.group(2)) / 1e6)
    return out
a = downs(1)
g = []
for n in (2, 3):
    b = downs(n)
    for x, y in zip(a, b):
        g.append((y - x) * 1000)
g.sort()
if len(g) < 40:
    print("n=%d" % len(g)); sys.exit(0)
p95 = g[int(0.95 * len(g)) - 1]
print("n=%d min=%.1f median=%.1f p95=%.1f max=%.1f" % (len(g), g[0], g[len(g)//2], p95, g[-1]))
PY
)
echo "  info propagation, node 1's dst-down to nodes 2 and 3 (ms): $gaps"
p95=$(echo "$gaps" | sed -n 's/.*p95=\([0-9.]*\).*/\1/p')
check_eq "40 propagation gaps measured" "n=40" "${gaps%% *}"
check_cmp "p95 of the propagation under 100 ms" "${p95%.*}" -lt 100
# node 2 posts the changes it applied from node 1, naming their origin
hooks_from() { # EVENT: posts of node 2 for the gateway, as "node>origin"
	"$IT_PY" - "$IT_RUN/hooks2.jsonl" "$1" "$GW" <<'PY'
import collections, json, sys
c = collections.Counter()
for line in open(sys.argv[1]):
    b = json.loads(line)["body"]
    if isinstance(b, dict) and b.get("event") == sys.argv[2] and b.get("dst") == sys.argv[3]:
        c["%s>%s" % (b.get("node"), b.get("origin"))] += 1
print(" ".join("%s:%d" % kv for kv in sorted(c.items())))
PY
}
check_eq "node 2's webhook: 20 dst-down made on node 1" "node2>node1:20" \
	"$(sp_wait_eq 5000 "node2>node1:20" hooks_from dst-down)"
check_eq "node 2's webhook: 19 dst-up made on node 1 (the unblocks)" \
	"node2>node1:19" "$(sp_wait_eq 5000 "node2>node1:19" hooks_from dst-up)"
# during the block in force (300 s), nodes 2 and 3 refuse every call
for n in 2 3; do
	p=$(eval echo "\$N$n")
	sipper_fg "blocked_$n" uac --proxy 127.0.0.1:$p --port $((p + 1)) \
		--ruri "sip:ok@127.0.0.1:$GWP" --calls 3 --max-seconds 10
	check_eq "node $n refused its 3 calls (503 from the proxy)" 3 \
		"$(sipper_stat "blocked_$n" uac.finals.503)"
	check_eq "node $n: rejected_blocked" 3 "$(node_field $n "$GW" rejected_blocked)"
done

# --- late joiner
node_stop 3
nkcmd 1 replyguard.block carrier-lj 600 >/dev/null
nkcmd 1 replyguard.set_limit carrier-lj 7 >/dev/null
check_eq "node 2 has the manual block at once" down "$(wait_eq 2 down node_field 2 carrier-lj state)"
t0=$(now_ms)
node_start 3 $N3 $N1 $GWP || exit 1
t1=$(now_ms)
lj_state() { [ "$(node_field 3 carrier-lj state)" = down ] && [ "$(node_field 3 carrier-lj cps_limit)" = 7 ]; }
wait_until 5 lj_state
t2=$(now_ms)
echo "  info late joiner: started in $((t1 - t0)) ms, had the block and the limit $((t2 - t1)) ms after it answered RPC"
check_eq "node 3 has the manual block after its restart" down "$(node_field 3 carrier-lj state)"
check_eq "node 3 has the RPC limit after its restart" 7 "$(node_field 3 carrier-lj cps_limit)"
check_cmp "within 2 s of its start" $((t2 - t1)) -le 2000
check_eq "node 3 has the gateway's block too" down "$(node_field 3 "$GW" state)"

# --- forged, stale and replayed messages, from node 2's own address and
# from a stranger's
SECRET=$IT_RUN/cluster.secret
kd() { "$IT_PY" "$IT_LIB/kdmq.py" --to $N2 "$@"; }
stat2() { nkcmd 2 replyguard.cluster 2>/dev/null | awk -v k="$1:" '$1 == k {print $2; exit}'; }
fault2() { nkcmd 2 replyguard.get "$1" 2>&1 | sed -n 's/^error: \([0-9]*\).*/\1/p'; }
d0=$(stat2 dropped) a0=$(stat2 dropped_auth) s0=$(stat2 dropped_stale)
r0=$(stat2 replayed)
l0=$(grep -c 'cluster: a message from .* dropped: no valid HMAC' "$IT_RUN/n2/kamailio.log")
# the forgery of the review, in today's format: a year's manual block, a
# limit of 0.001 cps, a sync request and the highest sequence number, as
# from node 2 itself, with no HMAC
echo "  info forged, no HMAC, From node 2: $(kd --from-port $N2 --no-sign \
	--origin 00000000deadbeef --seq 18446744073709551615 --node node1 \
	"B carrier-bp 31536000000 1 0 @now 00000000deadbeef" \
	"L carrier-bp2 1 1 0 @now 00000000deadbeef" S)"
echo "  info forged, wrong key, From a stranger: $(kd --from-port 28999 --bad-sign \
	--origin 00000000deadbeef "B carrier-bp 60000 1 0 @now 00000000deadbeef")"
printf 'RG1 00000000deadbeef 1 x\nB carrier-bp 31536000000 1 0\nL carrier-bp2 1 1 0\nE 2\n' >"$IT_RUN/v1.txt"
echo "  info the old format (RG1), From node 1: $(kd --from-port $N1 --raw "$IT_RUN/v1.txt")"
head -c 800 /dev/urandom | tr -d '\000' >"$IT_RUN/garbage.txt"
echo "  info garbage: $(kd --from-port 28999 --raw "$IT_RUN/garbage.txt")"
# signed, but written 10 minutes ago (a recording played back)
echo "  info signed, 10 minutes old: $(kd --from-port $N1 --secret-file "$SECRET" \
	--wall now-600000 "B carrier-bp 60000 1 0 @now-600000 00000000000000ee")"
check_eq "none of the forged blocks applied" 404 "$(fault2 carrier-bp)"
check_eq "the forged limit not applied" 404 "$(fault2 carrier-bp2)"
check_eq "4 dropped for no valid HMAC" 4 $(($(stat2 dropped_auth) - a0))
check_eq "1 dropped as stale" 1 $(($(stat2 dropped_stale) - s0))
# its log line says by how much and the limit (cluster_max_skew 30 s)
sk=$(sed -n 's/.*dropped: its wall clock is \([0-9]*\) ms behind this node.s, more than cluster_max_skew (30000 ms).*/\1/p' \
	"$IT_RUN/n2/kamailio.log" | tail -1)
check_cmp "the stale drop logs its skew, about 600000 ms" "${sk:-0}" -ge 600000
check_cmp "(and not much more)" "${sk:-0}" -le 660000
grep 'dropped: its wall clock is' "$IT_RUN/n2/kamailio.log" | tail -1 | cut -c1-260
check_eq "5 dropped in all" 5 $(($(stat2 dropped) - d0))
# a signed, fresh message is taken once, whoever sends it; the same
# datagram again is a replay
echo "  info signed, sent twice: $(kd --from-port 28999 --secret-file "$SECRET" \
	--origin 0000000000c0ffee --seq 7 --repeat 2 \
	"B carrier-ok 60000 1 0 @now 0000000000c0ffee" | tr '\n' ' ')"
check_eq "a signed message is taken" down "$(wait_eq 2 down node_field 2 carrier-ok state)"
check_eq "its replay refused" 1 "$(sp_wait_eq 2000 1 eval 'echo $(($(stat2 replayed) - r0))')"
l1=$(grep -c 'cluster: a message from .* dropped: no valid HMAC' "$IT_RUN/n2/kamailio.log")
check_cmp "at most one log line per dmq worker for them (2 workers)" \
	$((l1 - l0)) -le 2
check_cmp "at least one log line for them, with its source" $((l1 - l0)) -ge 1
grep 'dropped: no valid HMAC' "$IT_RUN/n2/kamailio.log" | tail -1 | cut -c1-220
# the real nodes keep talking
nkcmd 1 replyguard.block carrier-after 60 >/dev/null
check_eq "a block on node 1 still reaches node 2" down \
	"$(wait_eq 5 down node_field 2 carrier-after state)"

sipper_stop gw
check_eq "the gateway got exactly the 20 calls of node 1" 20 \
	"$(sipper_stat gw "uas.$GWP.invites")"
nodes_no_errors 1 2 3
it_finish

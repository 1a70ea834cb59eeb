#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flood_keys: 100000 requests, each admitted to a destination of its own,
# against max_destinations 4096 with kamailio's default shm size. The
# table fills and stays bounded; every further key is refused, counted
# exactly, and routed untracked; shm is never exhausted; warnings are
# rate-limited; replyguard.list pages (at most rpc_list_max = 1000).
# Requests go over UDP: sipp retransmits one that is not answered within
# 500 ms, and each copy that reaches the proxy goes through rg_allow()
# again. A copy of a tracked key finds it; a copy of an untracked key is
# refused and counted again (documented). So refused_full is asserted
# against what reached the proxy: the requests its script logged (every
# one, checked against core:rcv_requests, and against what sipp sent less
# what the kernel dropped), whose key is not in the table.
. "$(dirname "$0")/../lib/common.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
it_init flood_keys
N=${FLOOD_N:-100000}
PORT=27460
RPC_PORT=$((PORT + 20))
KAM_MEM="-M 16" # the default shm size
kam_start "$HERE/kamailio.cfg" -e "s#@PORT@#$PORT#g" \
	-e "s#@HTTP@#$RPC_PORT#g" || exit 1
shm0=$(kcmd core.shmmem | awk '$1 == "free:" {print $2}')
t0=$(date +%s)
sipp_fg flood 127.0.0.1:$PORT -sf "$HERE/message.xml" -i 127.0.0.1 \
	-m "$N" -r 4000 -l 1000 -timeout 120s \
	-trace_stat -fd 60 -stf "$IT_RUN/flood/stat.csv"
check_eq "sipp finished, every request answered" 0 $?
echo "  info $N requests in $(($(date +%s) - t0)) s"
ok=$("$IT_PY" -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]),delimiter=";")); print(dict(zip(r[0],r[-1]))["SuccessfulCall(C)"])' "$IT_RUN/flood/stat.csv")
check_eq "requests answered 200 (routing went on)" "$N" "$ok"

rpc "$IT_RUN/summary.json" replyguard.summary
s() { rgtool get "$IT_RUN/summary.json" "$1"; }
echo "  info summary: destinations $(s destinations), refused_full $(s refused_full), evictions $(s evictions)"
check_eq "table holds its capacity" 4096 "$(s destinations)"
# which keys the table holds (4096 in 1000-key pages), and what arrived
for i in 0 1 2 3 4; do
	rpc "$IT_RUN/tracked$i.json" replyguard.list "[$((i * 1000)), 1000]"
done
rgtool arrivals "$IT_RUN/kamailio.log" FLOOD-RX "$IT_RUN"/tracked?.json \
	>"$IT_RUN/arrivals.txt"
a() { awk -v k="$1" '$1 == k {print $2}' "$IT_RUN/arrivals.txt"; }
sent=$(sipp_count flood MESSAGE_Sent)
retrans=$(sipp_count flood MESSAGE_Retrans)
drops=$(udp_drops $PORT)
# MESSAGE requests kamailio received (a core statistic; kamcmd takes the
# bare name. rcv_requests would count the JSON-RPC requests over HTTP too)
rcv=$(kcmd stats.get_statistics rcv_requests_message |
	awk '$1 == "core:rcv_requests_message" {print $3}')
echo "  info sipp sent $sent requests and $retrans retransmissions; the kernel dropped $drops at the proxy's socket"
echo "  info the proxy logged $(a arrivals) requests ($rcv received), $(a distinct) Call-IDs: $(a repeats) retransmissions reached it, $(a repeats_tracked) of tracked keys, $(a repeats_untracked) of untracked ones"
check_eq "every request that reached the proxy was logged (core:rcv_requests_message)" \
	"$rcv" "$(a arrivals)"
check_eq "requests that arrived = sent + retransmitted - dropped by the kernel" \
	"$(it_sum "$sent" "$retrans" "-$drops")" "$(a arrivals)"
check_eq "every Call-ID arrived" "$N" "$(a distinct)"
check_eq "the tracked keys are keys that arrived" 4096 "$(a tracked_keys_arrived)"
check_eq "every other key refused and counted, with each retransmission of it that arrived" \
	"$(it_sum $((N - 4096)) "$(a repeats_untracked)")" "$(s refused_full)"
check_eq "refused_full = requests that arrived for an untracked key" \
	"$(a arrivals_untracked)" "$(s refused_full)"
shm1=$(kcmd core.shmmem | awk '$1 == "free:" {print $2}')
echo "  info shm free: $shm0 before, $shm1 after"
check_cmp "shm free after the flood, in bytes" "$shm1" -gt 8000000
check_cmp "shm used by the flood (the table was allocated at start)" \
	"$(it_sum "$shm0" "-$shm1")" -lt 4000000
check_eq "no out-of-memory line" 0 \
	"$(grep -ciE 'out of memory|no shared memory|shm_malloc' "$IT_RUN/kamailio.log")"
warns=$(grep -c "table full" "$IT_RUN/kamailio.log")
echo "  info 'table full' warnings: $warns for $((N - 4096)) refusals"
check_cmp "warnings are rate-limited (<= 1 a process every 10 s)" "$warns" -le 40

rpc "$IT_RUN/p1.json" replyguard.list
check_eq "replyguard.list is bounded to rpc_list_max" 1000 "$(rgtool len "$IT_RUN/p1.json")"
rpc "$IT_RUN/p5.json" replyguard.list '[4000, 1000]'
check_eq "replyguard.list 4000 1000: the last page" 96 "$(rgtool len "$IT_RUN/p5.json")"
rpc "$IT_RUN/p0.json" replyguard.list '[0, 1001]'
check_eq "a limit over rpc_list_max is a 400" 400 "$(rgtool fault "$IT_RUN/p0.json")"
check_no_errors
it_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stats_exact: RPC counters equal what the sipp peers saw, exactly.
. "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")" || exit 1
IT_LOCK=stats_exact # load_exact runs this on the same ports
it_init "${IT_CASE:-stats_exact}"
RPC_PORT=25080
CALLS=${CALLS:-300}   # per destination
RATE=${RATE:-50}

kam_start kamailio.cfg || exit 1

# the destinations run until the callers are done, then are stopped (no
# -m: a stray message that sipp takes for a new call must not use up a
# call of the count and leave a real INVITE unanswered). Each sends its
# final reply 100 ms after its 183: sent right behind it, the final may be
# relayed first by another worker, and tm discards the late 183, so the
# caller's count of 183s would depend on the scheduler.
sipp_bg uas_a -sf "$(render_answer 100)" -i 127.0.0.1 -p 25071 \
	-d 30 -timeout 300s
sipp_bg uas_b -sf "$(render_reject 486 "Busy Here" "" 100)" -i 127.0.0.1 \
	-p 25072 -d 60 -timeout 300s
sipp_bg uas_c -sf "$(render_reject 503 "Service Unavailable" "" 100)" \
	-i 127.0.0.1 -p 25073 -d 10 -timeout 300s
wait_udp 25071 25072 25073

# three callers at once, so the eight workers really run concurrently
for d in a b c; do
	sipp_bg "uac_$d" 127.0.0.1:25060 -sf "$IT_SCEN/uac_call.xml" -s "$d" \
		-i 127.0.0.1 -m "$CALLS" -r "$RATE" -l 100 -d 20 -timeout 90s \
		-default_behaviors all,-abortunexp
done
for d in a b c; do
	eval "pid=\$PID_uac_$d"
	wait_pid "$pid" 100
	check_eq "caller $d exit status" 0 $?
done
# every call has ended at the callers: stop the destinations, which
# write their final counts
sipp_stop uas_a uas_b uas_c
# datagrams the kernel dropped at the proxy's socket (receive buffer full)
echo "  info UDP datagrams dropped at the proxy's socket: $(udp_drops 25060)"

rpc "$IT_RUN/list.json" replyguard.list
rgtool table "$IT_RUN/list.json"
check_eq "destinations listed" 3 "$(rgtool len "$IT_RUN/list.json")"

A=sip:127.0.0.1:25071
B=sip:127.0.0.1:25072
C=sip:127.0.0.1:25073
f() { rgtool find "$IT_RUN/list.json" "$1" "$2"; }

for d in a b c; do
	case $d in a) k=$A ;; b) k=$B ;; c) k=$C ;; esac
	check_eq "$d attempts = INVITEs the destination received" \
		"$(sipp_count "uas_$d" INVITE_Recv)" "$(f "$k" attempts)"
	check_eq "$d replies_183 = 183s the destination sent" \
		"$(sipp_count "uas_$d" 183_Sent)" "$(f "$k" replies_183)"
	# the 183s the caller got: in order, or late (relayed after the final
	# reply by another worker all the same; sipp logs those, -abortunexp).
	# Exact without load. Under load a worker may stall longer than the
	# 100 ms between 183 and final, and tm discards a 183 that reaches it
	# after the transaction's final reply (replyguard has counted it: it
	# is what the destination sent, checked above); how many depends on
	# the scheduler, so there it is only informative
	inorder=$(sipp_count "uac_$d" 183_Recv)
	late=$(sipp_late "uac_$d" 183)
	if [ -z "$LOAD" ]; then
		check_eq "$d replies_183 = 183s the caller received (in order, and $late late)" \
			"$(it_sum "$inorder" "$late")" "$(f "$k" replies_183)"
		check_eq "$d window.replies_183 = lifetime" \
			"$(f "$k" replies_183)" "$(f "$k" window.replies_183)"
	else
		# (and the run is longer than the 60 s window)
		echo "  info $d: the caller got $inorder 183s in order and $late late, of $(f "$k" replies_183)"
	fi
	check_eq "$d pdd_samples" "$CALLS" "$(f "$k" pdd_samples)"
	check_eq "$d state" up "$(f "$k" state)"
done

check_eq "a replies_183_sdp" "$(sipp_count uas_a 183_Sent)" "$(f $A replies_183_sdp)"
check_eq "a 2 x replies_2xx = 200s the caller received (INVITE and BYE)" \
	"$(rgtool count "$(ls "$IT_RUN"/uac_a/*_counts.csv)" 200_Recv | head -1)" \
	"$(it_sum "$(f $A replies_2xx)" "$(f $A replies_2xx)")"
check_eq "a 2 x replies_2xx = 200s the destination sent (INVITE and BYE)" \
	"$(sipp_count uas_a 200_Sent)" "$(it_sum "$(f $A replies_2xx)" "$(f $A replies_2xx)")"
check_eq "a replies_5xx" 0 "$(f $A replies_5xx)"

check_eq "b replies_183_sdp" 0 "$(f $B replies_183_sdp)"
check_eq "b replies_4xx = 486s sent" "$(sipp_count uas_b 486_Sent)" "$(f $B replies_4xx)"
check_eq "b replies_4xx = 486s the caller received" \
	"$(sipp_count uac_b 486_Recv)" "$(f $B replies_4xx)"
check_eq "b replies_2xx" 0 "$(f $B replies_2xx)"

check_eq "c replies_503 = 503s sent" "$(sipp_count uas_c 503_Sent)" "$(f $C replies_503)"
check_eq "c replies_5xx includes the 503s" "$(f $C replies_503)" "$(f $C replies_5xx)"
check_eq "c replies_503_retry_after (none sent)" 0 "$(f $C replies_503_retry_after)"
[ -z "$LOAD" ] && check_eq "c window.replies_503" "$(f $C replies_503)" "$(f $C window.replies_503)"

# PDD: the destinations wait 30/60/10 ms before their 183
check_cmp "a pdd_avg_ms >= 30" "$(f $A pdd_avg_ms)" -ge 30
check_cmp "a pdd_avg_ms < 300" "$(f $A pdd_avg_ms)" -lt 300
check_cmp "b pdd_avg_ms >= 60" "$(f $B pdd_avg_ms)" -ge 60
check_cmp "b pdd_max_ms >= pdd_avg_ms" "$(f $B pdd_max_ms)" -ge "$(f $B pdd_avg_ms)"
check_cmp "c pdd_avg_ms >= 10" "$(f $C pdd_avg_ms)" -ge 10

# one destination over RPC get, two spellings of one key, and 404
rpc "$IT_RUN/get.json" replyguard.get '["sip:bob@127.0.0.1:25072;transport=UDP"]'
check_eq "get by another spelling finds b" "$B" "$(rgtool get "$IT_RUN/get.json" dst)"
rpc "$IT_RUN/get404.json" replyguard.get '["sip:127.0.0.1:9"]'
check_eq "get unknown -> 404" 404 "$(rgtool fault "$IT_RUN/get404.json")"

# kamcmd reaches the same commands over binrpc
check_eq "kamcmd summary destinations" 3 \
	"$(kcmd replyguard.summary | awk '/destinations:/ {print $2}')"
check_eq "kamcmd get attempts" "$(f $A attempts)" \
	"$(kcmd replyguard.get "$A" | awk '/^[[:space:]]*attempts:/ {print $2; exit}')"

# reset one, then all
rpc "$IT_RUN/r1.json" replyguard.reset "[\"$A\"]"
rpc "$IT_RUN/g1.json" replyguard.get "[\"$A\"]"
check_eq "reset a zeroes attempts" 0 "$(rgtool get "$IT_RUN/g1.json" attempts)"
rpc "$IT_RUN/g2.json" replyguard.get "[\"$B\"]"
check_eq "reset a leaves b" "$CALLS" "$(rgtool get "$IT_RUN/g2.json" attempts)"
rpc "$IT_RUN/r2.json" replyguard.reset
rpc "$IT_RUN/g3.json" replyguard.get "[\"$C\"]"
check_eq "reset all zeroes c" 0 "$(rgtool get "$IT_RUN/g3.json" replies_503)"

check_no_errors
it_finish

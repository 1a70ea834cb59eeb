#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# throttle_concurrent: a cap of 5 calls in flight per destination.
#  A. no dialog module: a call counts until its final reply; the peer
#     answers after 2 s and never has more than 5 INVITEs pending.
#  B. dialog module: a call counts until its BYE; the peer answers at once,
#     the caller hangs up after 2 s, and the peer never has more than 5
#     calls up.
#  C. holds never leak: calls that time out (with rg_failover, and without
#     it: the transaction's end) or are cancelled leave 0 in flight.
. "$(dirname "$0")/../lib/common.sh"
it_init throttle_concurrent
RATE=10
SECS=6
CALLS=$((RATE * SECS))
P=25760

# start PART [extra kamailio args...]: proxy with max_concurrent 5
start() {
	KAM_ARGS=("$@")
	throttle_start "$P" 'modparam("replyguard", "max_concurrent", 5)' \
		'modparam("replyguard", "adaptive", 0)' \
		'modparam("replyguard", "down_threshold", 1000000)'
}
get() { rg_field "sip:127.0.0.1:$1" "$2"; }

# --- A: counted until the final reply
start || exit 1
peer_bg a --port $((P + 11)) --answer-ms 2000 --max-seconds 60 || exit 1
sipp_fg caller_a 127.0.0.1:$P -sf "$IT_SCEN/uac_call.xml" -s $((P + 11)) \
	-i 127.0.0.1 -m "$CALLS" -r "$RATE" -d 100 -timeout 40s
check_eq "A: caller exit status" 0 $?
peer_stop a
inv=$(peer_stat a invites)
echo "  A: peer got $inv INVITEs of $CALLS, at most $(peer_stat a max_pending) pending at once"
check_eq "A: never more than 5 pending at the peer (and the cap was reached)" \
	5 "$(peer_stat a max_pending)"
check_eq "A: attempts = INVITEs the peer got" "$inv" "$(get $((P + 11)) attempts)"
check_eq "A: attempts + rejected_throttled = calls" "$CALLS" \
	"$(it_sum "$inv" "$(get $((P + 11)) rejected_throttled)")"
check_eq "A: 503s the caller got = rejected_throttled" \
	"$(get $((P + 11)) rejected_throttled)" "$(sipp_count caller_a 503_Recv)"
check_eq "A: nothing left in flight" 0 \
	"$(wait_eq 5 0 get $((P + 11)) concurrent)"
kam_stop

# --- B: counted until the BYE (dialog module)
start -A WITH_DIALOG || exit 1
peer_bg b --port $((P + 12)) --max-seconds 60 || exit 1
sipp_fg caller_b 127.0.0.1:$P -sf "$IT_SCEN/uac_call.xml" -s $((P + 12)) \
	-i 127.0.0.1 -m "$CALLS" -r "$RATE" -d 2000 -timeout 40s
check_eq "B: caller exit status" 0 $?
peer_stop b
inv=$(peer_stat b invites)
echo "  B: peer got $inv INVITEs of $CALLS, at most $(peer_stat b max_calls) calls up at once"
check_eq "B: never more than 5 calls up at the peer (and the cap was reached)" \
	5 "$(peer_stat b max_calls)"
check_eq "B: every admitted call was answered and hung up" "$inv" \
	"$(peer_stat b byes)"
check_eq "B: attempts + rejected_throttled = calls" "$CALLS" \
	"$(it_sum "$(get $((P + 12)) attempts)" "$(get $((P + 12)) rejected_throttled)")"
check_eq "B: nothing left in flight" 0 \
	"$(wait_eq 5 0 get $((P + 12)) concurrent)"
cp "$IT_RUN/kamailio.log" "$IT_RUN/b.log.kam"
kam_stop

# --- C: timeouts and cancels
start || exit 1
peer_bg c1 --port $((P + 13)) --silent --max-seconds 60 || exit 1
peer_bg c2 --port $((P + 14)) --answer-ms 5000 --max-seconds 60 || exit 1
# 10 cps to a silent peer: 5 admitted (the cap), each a local timeout
# (408 upstream) after fr_timer; the others refused with 503
sipp_fg caller_c1 127.0.0.1:$P -sf "$IT_SCEN/uac_call.xml" -s $((P + 13)) \
	-i 127.0.0.1 -m 10 -r 10 -d 100 -timeout 30s
check_eq "C: timing-out caller exit status" 0 $?
# 4 cps, each cancelled after 0.5 s: below the cap, so all reach the peer
sipp_fg caller_c2 127.0.0.1:$P -sf "$IT_SCEN/uac_cancel.xml" -s $((P + 14)) \
	-i 127.0.0.1 -p $((P + 31)) -m 10 -r 4 -timeout 30s
check_eq "C: cancelling caller exit status" 0 $?
check_eq "C: timeouts counted" "$(get $((P + 13)) attempts)" \
	"$(get $((P + 13)) timeouts)"
check_eq "C: 408s the caller got = timeouts" "$(get $((P + 13)) timeouts)" \
	"$(sipp_count caller_c1 408_Recv)"
check_eq "C: attempts + rejected_throttled = calls" 10 \
	"$(it_sum "$(get $((P + 13)) attempts)" "$(get $((P + 13)) rejected_throttled)")"
check_eq "C: timed-out calls left 0 in flight" 0 \
	"$(wait_eq 5 0 get $((P + 13)) concurrent)"
check_eq "C: cancelled calls left 0 in flight" 0 \
	"$(wait_eq 5 0 get $((P + 14)) concurrent)"
check_eq "C: every cancelled call reached the peer" 10 \
	"$(get $((P + 14)) attempts)"
check_eq "C: the 487s were counted" 10 "$(get $((P + 14)) replies_4xx)"
check_no_errors
kam_stop

# --- C': no rg_failover(): the transaction's end releases the holds
start -A NO_FAILOVER || exit 1
peer_bg c3 --port $((P + 15)) --silent --max-seconds 60 || exit 1
sipp_fg caller_c3 127.0.0.1:$P -sf "$IT_SCEN/uac_call.xml" -s $((P + 15)) \
	-i 127.0.0.1 -m 5 -r 10 -d 100 -timeout 30s
check_eq "C': 5 silent calls admitted" 5 "$(get $((P + 15)) attempts)"
check_eq "C': held until the transactions ended, then 0" 0 \
	"$(wait_eq 10 0 get $((P + 15)) concurrent)"
check_no_errors
it_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# suspend: rg_allow() admits B, then the transaction is suspended; tm adds
# a blind UAC (branch 0) that is never sent.
# - "hold" calls (M): nothing resumes them; the blind UAC times out (a 408
#   to the caller). They count nothing against B: no timeout, no failure,
#   and their admissions are taken back when they end.
# - Between them and the rest, B's counters are reset (replyguard.reset)
#   while the hold calls are still in flight: taking their admissions back
#   later must not take from what was counted since.
# - "go" calls (K): async_route() relays them 1 s later (t_continue, from
#   the async timer process): tm sends branch 1, and its replies (100,
#   180, 200) are counted for B.
# - "blindfail" calls (2): suspended, never resumed; the blind UAC's
#   timeout runs a failure route that relays to C, which answers 503 with
#   Retry-After: 30. "away" calls (2): resumed, but the resumed route
#   relays to C. Neither admits C: C's 503s are nobody's, and B, admitted
#   for them, is neither charged nor blocked; their admissions are taken
#   back.
# - "nosock" calls (2): admitted to X, which tm cannot send to (IPv6, with
#   no IPv6 listener: uri2dst2 fails after the callback); the resumed
#   route appends a branch to D and relays: tm prepares X's branch, fails
#   to send it, and gives its index to D's. D's replies are not X's, and
#   X's admission is taken back.
# - "twice" calls (2): suspended before any admission; the resumed route
#   admits B and suspends again; the second resumed route relays to B,
#   whose replies are counted for B.
. "$(dirname "$0")/../lib/common.sh"
it_init suspend
P=26900
B=sip:127.0.0.1:26911
C=sip:127.0.0.1:26912
D=sip:127.0.0.1:26913
X="sip:[::1]:26914"
M=3
K=5

kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" -e "s#@B@#26911#g" -e "s#@C@#26912#g" \
	-e "s#@D@#26913#g" -e "s#@X@#26914#g" || exit 1
RPC_PORT=$((P + 20))
sipper_bg uas uas --port 26911 --mode answer --ring 1 --max-seconds 60 \
	--uas-spec 'port=26912,mode=reject,code=503,retry_after=30' \
	--uas-spec 'port=26913,mode=answer' || exit 1

# the hold calls, at once (each waits for its 408 in its own process)
for i in $(seq 1 $M); do
	sipper_bg hold$i uac --proxy 127.0.0.1:$P --port $((26900 + i)) \
		--ruri "sip:hold@127.0.0.1:26911" --calls 1 \
		--call-timeout-ms 20000 --max-seconds 30 || exit 1
done
for i in 1 2; do
	sipper_bg blindfail$i uac --proxy 127.0.0.1:$P --port $((26905 + i)) \
		--ruri "sip:blindfail@127.0.0.1:26911" --calls 1 \
		--call-timeout-ms 20000 --max-seconds 30 || exit 1
done
check_eq "the hold calls are suspended" $M \
	"$(wait_eq 10 $M grep -c 'SUSPEND-HOLD' "$IT_RUN/kamailio.log")"
check_eq "the blindfail calls are suspended" 2 \
	"$(wait_eq 10 2 grep -c 'SUSPEND-BLINDFAIL' "$IT_RUN/kamailio.log")"
check_eq "B: attempts before the reset" $((M + 2)) "$(rg_field "$B" attempts)"
kcmd replyguard.reset "$B" >/dev/null
check_eq "B: attempts after the reset" 0 "$(rg_field "$B" attempts)"

sipper_fg go uac --proxy 127.0.0.1:$P --port 26910 \
	--ruri "sip:go@127.0.0.1:26911" --calls $K --hold-ms 100 \
	--call-timeout-ms 10000 --max-seconds 60
check_eq "the go calls completed (200, ACK, BYE 200)" 0 $?
sipper_fg away uac --proxy 127.0.0.1:$P --port 26908 \
	--ruri "sip:away@127.0.0.1:26911" --calls 2 --hold-ms 100 \
	--call-timeout-ms 10000 --max-seconds 40
sipper_fg nosock uac --proxy 127.0.0.1:$P --port 26915 \
	--ruri "sip:nosock@127.0.0.1:26911" --calls 2 --hold-ms 100 \
	--call-timeout-ms 10000 --max-seconds 40
check_eq "the nosock calls completed through D" 0 $?
sipper_fg twice uac --proxy 127.0.0.1:$P --port 26916 \
	--ruri "sip:twice@127.0.0.1:26911" --calls 2 --hold-ms 100 \
	--call-timeout-ms 10000 --max-seconds 40
check_eq "the twice calls completed (200, ACK, BYE 200)" 0 $?
# (tm relays a 503 upstream as 500, RFC 3261 section 16.7)
check_eq "the away calls got C's 503, as tm relays it (500)" 2 \
	"$(sipper_stat away uac.finals.500)"
for i in $(seq 1 $M); do
	wait_pid "$(eval echo \$PID_hold$i)" 25
done
for i in 1 2; do
	wait_pid "$(eval echo \$PID_blindfail$i)" 25
done
check_eq "the blindfail calls got C's 503, as tm relays it (500)" 2 \
	"$(( $(sipper_stat blindfail1 uac.finals.500) + $(sipper_stat blindfail2 uac.finals.500) ))"
check_eq "each hold call ended with the proxy's 408" $M \
	"$(( $(for i in $(seq 1 $M); do sipper_stat hold$i uac.finals.408; echo +; done) 0 ))"
sipper_stop uas

check_eq "B received the go and twice calls only" $((K + 2)) "$(sipper_stat uas uas.26911.invites)"
check_eq "D received the nosock calls" 2 "$(sipper_stat uas uas.26913.invites)"
check_eq "C received the away and blindfail calls" 4 "$(sipper_stat uas uas.26912.invites)"
check_eq "every go and twice call was resumed" $((K + 2)) "$(grep -c 'RESUMED' "$IT_RUN/kamailio.log")"
# every transaction over: the hold calls' admissions were taken back
check_eq "every transaction ended (tm.stats current)" 0 "$(wait_eq 15 0 tm_current)"
check_eq "B: attempts: the go and twice calls (none below what was counted since the reset)" \
	$((K + 2)) "$(rg_field "$B" attempts)"
check_eq "B: replies_180 of branches 1 and 2, mapped" $((K + 2)) "$(rg_field "$B" replies_180)"
check_eq "B: replies_2xx of branches 1 and 2, mapped" $((K + 2)) "$(rg_field "$B" replies_2xx)"
check_eq "B: pdd_samples" $((K + 2)) "$(rg_field "$B" pdd_samples)"
check_eq "X: none of D's replies (replies_2xx)" 0 "$(rg_field "$X" replies_2xx)"
check_eq "X: no delay measured (pdd_samples)" 0 "$(rg_field "$X" pdd_samples)"
check_eq "X: its admissions taken back (attempts)" 0 "$(rg_field "$X" attempts)"
check_eq "X: nothing left in flight" 0 "$(rg_field "$X" concurrent)"
check_eq "D: never admitted, not tracked (replyguard.get: 404)" 404 "$(rg_fault "$D")"
check_eq "B: the blind UACs' timeouts are not B's" 0 "$(rg_field "$B" timeouts)"
check_eq "B: no failures" 0 "$(rg_field "$B" failures)"
check_eq "B: C's 503s are not B's (replies_503)" 0 "$(rg_field "$B" replies_503)"
check_eq "B: up, not blocked for C's Retry-After" up "$(rg_field "$B" state)"
check_eq "C: never admitted, not tracked (replyguard.get: 404)" 404 "$(rg_fault "$C")"
check_eq "B: nothing left in flight" 0 "$(rg_field "$B" concurrent)"
check_eq "tm gave up X's branch once a nosock call" 2 \
	"$(grep -c 'uri2dst2(): failed to resolve "\[::1\]"' "$IT_RUN/kamailio.log")"
# tm's and the core's lines for X's branch: two a nosock call
check_no_errors 'resolve hostname: "\[::1\]"|failed to resolve "\[::1\]"'
it_finish

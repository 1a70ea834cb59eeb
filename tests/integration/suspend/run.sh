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
. "$(dirname "$0")/../lib/common.sh"
it_init suspend
P=26900
B=sip:127.0.0.1:26911
M=3
K=5

tm_current() {
	kcmd tm.stats 2>/dev/null | awk '$1 == "current:" {print $2; exit}'
}

kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" -e "s#@B@#26911#g" || exit 1
RPC_PORT=$((P + 20))
sipper_bg uas uas --port 26911 --mode answer --ring 1 --max-seconds 60 || exit 1

# the hold calls, at once (each waits for its 408 in its own process)
for i in $(seq 1 $M); do
	sipper_bg hold$i uac --proxy 127.0.0.1:$P --port $((26900 + i)) \
		--ruri "sip:hold@127.0.0.1:26911" --calls 1 \
		--call-timeout-ms 20000 --max-seconds 30 || exit 1
done
check_eq "the hold calls are suspended" $M \
	"$(wait_eq 10 $M grep -c 'SUSPEND-HOLD' "$IT_RUN/kamailio.log")"
check_eq "B: attempts before the reset" $M "$(rg_field "$B" attempts)"
kcmd replyguard.reset "$B" >/dev/null
check_eq "B: attempts after the reset" 0 "$(rg_field "$B" attempts)"

sipper_fg go uac --proxy 127.0.0.1:$P --port 26910 \
	--ruri "sip:go@127.0.0.1:26911" --calls $K --hold-ms 100 \
	--call-timeout-ms 10000 --max-seconds 60
check_eq "the go calls completed (200, ACK, BYE 200)" 0 $?
for i in $(seq 1 $M); do
	wait_pid "$(eval echo \$PID_hold$i)" 25
done
check_eq "each hold call ended with the proxy's 408" $M \
	"$(( $(for i in $(seq 1 $M); do sipper_stat hold$i uac.finals.408; echo +; done) 0 ))"
sipper_stop uas

check_eq "B received the go calls only" $K "$(sipper_stat uas uas.26911.invites)"
check_eq "every go call was resumed" $K "$(grep -c 'RESUMED' "$IT_RUN/kamailio.log")"
# every transaction over: the hold calls' admissions were taken back
check_eq "every transaction ended (tm.stats current)" 0 "$(wait_eq 15 0 tm_current)"
check_eq "B: attempts: the go calls (none below what was counted since the reset)" \
	$K "$(rg_field "$B" attempts)"
check_eq "B: replies_180 of branch 1, mapped" $K "$(rg_field "$B" replies_180)"
check_eq "B: replies_2xx of branch 1, mapped" $K "$(rg_field "$B" replies_2xx)"
check_eq "B: pdd_samples" $K "$(rg_field "$B" pdd_samples)"
check_eq "B: the blind UACs' timeouts are not B's" 0 "$(rg_field "$B" timeouts)"
check_eq "B: no failures" 0 "$(rg_field "$B" failures)"
check_eq "B: up" up "$(rg_field "$B" state)"
check_eq "B: nothing left in flight" 0 "$(rg_field "$B" concurrent)"
check_no_errors
it_finish

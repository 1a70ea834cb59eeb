#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# quality: see README.
. "$(dirname "$0")/../lib/common.sh"
it_init quality
P=24800
Q=sip:127.0.0.1:24811
N=sip:127.0.0.1:24812
R=sip:127.0.0.1:24813

kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" || exit 1
RPC_PORT=$((P + 20))
sipper_bg uas uas --port 24811 --mode answer --max-seconds 120 \
	--rule busy:code=486 --uas-spec port=24812,mode=answer || exit 1
events() { grep -c "RG-EVENT $1 $2 " "$IT_RUN/kamailio.log"; }

# --- Q: degraded, then recovered; once each
sipper_fg uac_busy uac --proxy 127.0.0.1:$P --port 24841 \
	--ruri "sip:busy@127.0.0.1:24811" --calls 6 --max-seconds 30
check_eq "Q: six busy" 6 "$(sipper_stat uac_busy uac.finals.486)"
check_eq "Q: one dst-degraded event" 1 "$(sp_wait_eq 4000 1 events degraded "$Q")"
check_eq "Q: its \$rg in the event route" 1 \
	"$(grep -c "RG-EVENT degraded $Q degraded=1 asr_pm=0\$" "$IT_RUN/kamailio.log")"
check_eq "Q: degraded" 1 "$(rg_field "$Q" degraded)"
sipper_fg uac_ok uac --proxy 127.0.0.1:$P --port 24842 \
	--ruri "sip:ok@127.0.0.1:24811" --calls 12 --max-seconds 30
check_eq "Q: degraded never blocks: 12 answered" 12 "$(sipper_stat uac_ok uac.answered)"
check_eq "Q: one dst-recovered event" 1 "$(sp_wait_eq 4000 1 events recovered "$Q")"
check_eq "Q: not degraded" 0 "$(rg_field "$Q" degraded)"
sleep 2 # two more judgements: nothing new
check_eq "Q: still one dst-degraded and one dst-recovered" "1 1" \
	"$(events degraded "$Q") $(events recovered "$Q")"

# --- N: about 9 cps against 10
kcmd replyguard.set_limit "$N" 10 2 >/dev/null
sipper_fg uac_n uac --proxy 127.0.0.1:$P --port 24843 \
	--ruri "sip:n@127.0.0.1:24812" --calls 40 --concurrent --gap-ms 111 \
	--hold-ms 50 --max-seconds 30
check_eq "N: every call answered (under the limit)" 40 "$(sipper_stat uac_n uac.answered)"
check_eq "N: one dst-near-limit event" 1 "$(sp_wait_eq 4000 1 events near "$N")"
check_eq "N: one dst-near-limit-end event, once quiet" 1 \
	"$(sp_wait_eq 5000 1 events near-end "$N")"
check_eq "N: near_limit now" 0 "$(rg_field "$N" near_limit)"
check_eq "N: never degraded" 0 "$(events degraded "$N")"

# --- R: 20 cps, blocked 2 s, then 100 cps offered for 13 s
peer_bg gw --port 24813 --arrivals "$IT_RUN/arrivals.txt" --max-seconds 60
kcmd replyguard.set_limit "$R" 20 1 >/dev/null
kcmd replyguard.block "$R" 2 >/dev/null
check_eq "R: down" down "$(rg_field "$R" state)"
sipp_fg caller 127.0.0.1:$P -sf "$IT_SCEN/uac_call.xml" -s 24813 \
	-i 127.0.0.1 -m 1300 -r 100 -d 50 -timeout 40s
peer_stop gw
check_eq "R: one dst-up event" 1 "$(events up "$R")"
check_eq "R: the ramp began at 20 % of 20 cps" 1 \
	"$(grep -c "RG-EVENT up $R cps_ramp=4000\$" "$IT_RUN/kamailio.log")"
# arrivals after the trial call (the first), by seconds since it; the
# steady rate is what the gateway got after the ramp, in this same run
awk 'NR == 1 {t0 = $1; next} {print int($1 - t0)}' "$IT_RUN/arrivals.txt" |
	sort -n | uniq -c >"$IT_RUN/per_second.txt"
echo "  per second after the trial: $(awk '{printf "%s:%s ", $2, $1}' "$IT_RUN/per_second.txt")"
sum() { awk -v a="$1" -v b="$2" '$2 >= a && $2 < b {n += $1} END {print n + 0}' \
	"$IT_RUN/per_second.txt"; }
steady=$(sum 5 9)
check_cmp "R: 20 cps once ramped (as the throttle gives it: -15%)" "$steady" -ge 68
check_cmp "R: 20 cps once ramped (+10%)" "$steady" -le 88
# the cap rises from 20 % to all of it over 5 s: 60 % of 5 s at the
# steady rate; second 0 gets 28 % of it, second 4 92 %
ramp=$(sum 0 5)
within() { # LABEL GOT WANT_NUM WANT_DEN: GOT within 10% of NUM / DEN
	check_cmp "$1 (-10%)" $(($2 * 10 * $4)) -ge $((9 * $3))
	check_cmp "$1 (+10%)" $(($2 * 10 * $4)) -le $((11 * $3))
}
within "R: the ramp's 5 s: 5 x 60 % of the steady rate (steady $steady in 4 s)" \
	"$ramp" $((steady * 5 * 60)) 400
within "R: the ramp's last second: 92 % of the steady rate" "$(sum 4 5)" \
	$((steady * 92)) 400
check_cmp "R: the ramp's first second: 28 % of the steady rate (+1 call)" \
	$(($(sum 0 1) * 400)) -le $((steady * 28 * 11 / 10 + 400))

sipper_stop uas
check_no_errors
it_finish

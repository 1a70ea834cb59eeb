#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kpi: see README.
. "$(dirname "$0")/../lib/common.sh"
it_init kpi
P=26700
G=sip:127.0.0.1:26711
D=sip:127.0.0.1:26712
C=sip:127.0.0.1:26713

# Kamailio 6.1 in script mode: the ring-out's timeout through
# rg_failover() (see the config)
[ "${RG_KAM:-}" = k6 ] && [ -z "${RG_CALLBACKS:-}" ] &&
	KAM_ARGS+=(-A RG_RINGOUT_FAILOVER)
kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" || exit 1
RPC_PORT=$((P + 20))
# G: the mix; D: the delays; C: the 503 causes
sipper_bg uas uas --port 26711 --mode answer --max-seconds 120 \
	--rule ok:ring=1,ring_ms=90,answer_ms=400 \
	--rule busy:code=486 --rule b600:code=600 --rule na:code=480 \
	--rule dec:code=603 --rule nf:code=404 --rule chal:code=407 \
	--rule err:code=500 --rule c1:code=503,q850=1 \
	--rule s404:code=503,sipcause=404 \
	--rule ring:mode=ring,ring_ms=90 --rule moved:code=302 \
	--rule far408:code=408 --rule gw504:code=504 \
	--rule ringout:mode=ring,ring_ms=90 \
	--uas-spec port=26712,mode=answer \
	--rule d100:ring=1,ring_ms=90,answer_ms=200 \
	--rule d400:ring=1,ring_ms=400,answer_ms=500 \
	--rule d1500:ring=1,ring_ms=1500,answer_ms=1600 \
	--uas-spec port=26713,mode=reject,code=503 \
	--rule ra1:q850=1,retry_after=30 --rule c34:q850=34 || exit 1

n=0
# call USER PORT COUNT [UAC options]: COUNT calls, one after another
call() {
	local user=$1 port=$2 count=$3
	shift 3
	n=$((n + 1))
	sipper_fg "uac$n" uac --proxy 127.0.0.1:$P --port $((26740 + n % 20)) \
		--ruri "sip:$user@127.0.0.1:$port" --calls "$count" --max-seconds 30 \
		"$@"
}

# --- G: 21 seizures; the last call answered
call busy 26711 2
call b600 26711 1
call na 26711 1
call dec 26711 1
call nf 26711 1
call chal 26711 1
call err 26711 1
call c1 26711 1
call s404 26711 1
call ring 26711 1 --cancel-ms 600
check_eq "G: the cancelled call got 487" 1 "$(sipper_stat "uac$n" uac.finals.487)"
call moved 26711 1
call far408 26711 1
call gw504 26711 1
# rings out: tm's fr_inv_timer (4 s) fires, tm CANCELs the branch and the
# peer answers that CANCEL with 487; no rg_failover() runs for it (see
# the config): the timeout is the outcome, not that 487
call ringout 26711 1
check_eq "G: the ringing-out call got tm's 408" 1 "$(sipper_stat "uac$n" uac.finals.408)"
call ok 26711 6
check_eq "G: six answered" 6 "$(sipper_stat "uac$n" uac.answered)"
check_eq "G: attempts" 21 "$(wait_rg "$G" replies_2xx 6 3000 >/dev/null; rg_field "$G" attempts)"
check_eq "G: the ring-out's timeout" 1 "$(wait_rg "$G" timeouts 1 5000)"
for kv in seizures=21 replies_2xx=6 replies_3xx=1 replies_busy=3 \
	replies_480=1 replies_603=1 replies_reject=1 replies_challenge=1 \
	replies_503=2 replies_503_call=2 replies_487=1 replies_500_504=2 \
	replies_408=1 replies_4xx=7 replies_5xx=4 replies_6xx=2 timeouts=1 \
	timeouts_rang=1 failures=2; do
	check_eq "G: ${kv%=*}" "${kv#*=}" "$(rg_field "$G" "${kv%=*}")"
done
# S = 21 outcomes - 1 challenge = 20; 1 redirected
# pct: a percentage field with one decimal, as kamcmd prints it
pct() { rg_field "$1" "$2" | awk '{printf "%.1f", $1}'; }
check_eq "G: asr_pct = 6 / 20" 30.0 "$(pct "$G" asr_pct)"
check_eq "G: ner_pct = (6 + busy 3 + no answer 3 + reject 2) / 20" 70.0 \
	"$(pct "$G" ner_pct)"
check_eq "G: ser_pct = 6 / 19 (rounded down)" 31.5 "$(pct "$G" ser_pct)"
check_eq "G: seer_pct = (6 + 1 + 3 + 1) / 19 (rounded down)" 57.8 \
	"$(pct "$G" seer_pct)"
check_eq "G: isa_pct = (408 + 500 + 504, no call-specific 503) / 20" 15.0 \
	"$(pct "$G" isa_pct)"
# $rg in the reply route names the reply's destination once rg_inspect()
# ran there (with reply_callbacks the route does not call it)
last_kpi() { grep "RG-KPI $G " "$IT_RUN/kamailio.log" | tail -1; }
[ -z "${RG_CALLBACKS:-}" ] && check_eq "G: \$rg in the last 200's reply route" \
	"asr_pm=300 ner_pm=700 isa_pm=150" \
	"$(last_kpi | grep -o 'asr_pm=[-0-9]* ner_pm=[-0-9]* isa_pm=[-0-9]*')"
check_cmp "G: srd_p50_ms in (50, 150]" "$(rg_field "$G" srd_p50_ms)" -gt 50
check_cmp "G: srd_p50_ms in (50, 150]" "$(rg_field "$G" srd_p50_ms)" -le 150
check_cmp "G: srd_2xx_p95_ms in (300, 500]" "$(rg_field "$G" srd_2xx_p95_ms)" -gt 300
check_cmp "G: srd_2xx_p95_ms in (300, 500]" "$(rg_field "$G" srd_2xx_p95_ms)" -le 500
check_eq "G: pdd_samples (6 answered, 1 cancelled and 1 rung out after their 180)" 8 \
	"$(rg_field "$G" pdd_samples)"
check_eq "G: neither throttled nor down" "0 up" \
	"$(rg_field "$G" throttled) $(rg_field "$G" state)"

# --- D: 5 at 90 ms, 4 at 400 ms, 1 at 1.5 s to the 180
call d100 26712 5
call d400 26712 4
call d1500 26712 1
check_eq "D: ten answered" 10 "$(wait_rg "$D" replies_2xx 10 3000)"
check_eq "D: pdd_samples" 10 "$(rg_field "$D" pdd_samples)"
between() { # LABEL VALUE LO HI: LO < VALUE <= HI
	check_cmp "$1 > $3" "$2" -gt "$3"
	check_cmp "$1 <= $4" "$2" -le "$4"
}
between "D: srd_p50_ms (truth 90 ms)" "$(rg_field "$D" srd_p50_ms)" 50 150
between "D: srd_p95_ms (truth 1.5 s)" "$(rg_field "$D" srd_p95_ms)" 1000 2000
between "D: srd_p99_ms (truth 1.5 s)" "$(rg_field "$D" srd_p99_ms)" 1000 2000
between "D: srd_2xx_p50_ms (truth 200 ms)" "$(rg_field "$D" srd_2xx_p50_ms)" 150 300
check_eq "D: asr_pct" 100.0 "$(pct "$D" asr_pct)"
[ -z "${RG_CALLBACKS:-}" ] &&
	check_eq "D: the first 4 answers came before kpi_min_samples: -1, not 0" \
	"-1 -1 -1 -1 1000" "$(grep "RG-KPI $D " "$IT_RUN/kamailio.log" | head -5 |
		grep -o 'asr_pm=[-0-9]*' | cut -d= -f2 | tr '\n' ' ' | sed 's/ $//')"

code=$(curl -s -m 20 -o "$IT_RUN/metrics.txt" -w '%{http_code}' \
	"http://127.0.0.1:$RPC_PORT/metrics")
check_eq "GET /metrics" 200 "$code"
bucket() { grep -F "replyguard_srd_seconds_bucket{dst=\"$D\",le=\"$1\"} " \
	"$IT_RUN/metrics.txt" | awk '{print $2}'; }
check_eq "D: le=0.05 (none)" 0 "$(bucket 0.05)"
check_eq "D: le=0.15 (the 5 at 90 ms)" 5 "$(bucket 0.15)"
check_eq "D: le=0.3 (cumulative)" 5 "$(bucket 0.3)"
check_eq "D: le=0.5 (+ the 4 at 400 ms)" 9 "$(bucket 0.5)"
check_eq "D: le=1 (cumulative)" 9 "$(bucket 1)"
check_eq "D: le=2 (+ the one at 1.5 s)" 10 "$(bucket 2)"
check_eq "D: le=+Inf" 10 "$(bucket +Inf)"
check_eq "D: _count" 10 "$(grep -F "replyguard_srd_seconds_count{dst=\"$D\"} " \
	"$IT_RUN/metrics.txt" | awk '{print $2}')"
check_eq "G: asr_ratio on the page" 0.3 "$(grep -F "replyguard_asr_ratio{dst=\"$G\"} " \
	"$IT_RUN/metrics.txt" | awk '{print $2}')"
check_eq "G: the 503 causes on the page" 2 "$(grep -cE \
	"^replyguard_replies_503_cause_total\{dst=\"$G\",protocol=\"(q850\",cause=\"1|sip\",cause=\"404)\"\} 1$" \
	"$IT_RUN/metrics.txt")"
promtool check metrics <"$IT_RUN/metrics.txt" >"$IT_RUN/check.out" 2>&1
check_eq "promtool check metrics: exit status" 0 $?
check_eq "promtool check metrics: findings" 0 "$(wc -l <"$IT_RUN/check.out")"
[ -s "$IT_RUN/check.out" ] && head -5 "$IT_RUN/check.out"

# --- C: 503s by cause
throttled_events() { grep -c "RG-EVENT throttled $C\$" "$IT_RUN/kamailio.log"; }
call c1 26713 2
check_eq "C: 503 Q.850 1 twice: replies_503_call" 2 "$(wait_rg "$C" replies_503_call 2 3000)"
check_eq "C: not throttled, not down, no failure" "0 up 0 0" \
	"$(rg_field "$C" throttled) $(rg_field "$C" state) $(rg_field "$C" failures) $(rg_field "$C" blocked_for)"
check_eq "C: no throttled event" 0 "$(throttled_events)"
call c34 26713 1
check_eq "C: a congestion cause (34) cuts the rate" 1 "$(wait_rg "$C" throttled 1 3000)"
check_eq "C: one throttled event" 1 "$(sp_wait_eq 3000 1 throttled_events)"
check_eq "C: replies_503 3, replies_503_call 2, failures 1" "3 2 1" \
	"$(rg_field "$C" replies_503) $(rg_field "$C" replies_503_call) $(rg_field "$C" failures)"
# a Retry-After speaks for the server, whatever the cause
call ra1 26713 1
check_eq "C: cause 1 with Retry-After 30: down" down "$(wait_rg "$C" state down 3000)"
check_cmp "C: blocked for about 30 s" "$(rg_field "$C" blocked_for)" -ge 25
check_eq "C: not a call-specific 503" 2 "$(rg_field "$C" replies_503_call)"

sipper_stop uas
check_eq "G's UAS: 21 INVITEs" 21 "$(sipper_stat uas uas.26711.invites)"
check_eq "G's UAS: tm CANCELled the ring-out" 2 "$(sipper_stat uas uas.26711.cancels)"
check_eq "C's UAS: 4 INVITEs" 4 "$(sipper_stat uas uas.26713.invites)"
check_no_errors
it_finish

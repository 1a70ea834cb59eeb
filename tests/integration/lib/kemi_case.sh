# SPDX-License-Identifier: GPL-2.0-or-later
# The KEMI case, for any script engine: the failover_retry_after scenario
# routed by a KEMI script. Three gateways; C answers 503 + Retry-After: 3
# for 5 s. Every call is answered; C's counters and events are exact;
# then every other replyguard KEMI function is called over HTTP (the
# script's /kemi/<function>/<args> handler) and checked with RPC, and
# /metrics is served by KSR.replyguard.rg_prometheus().
#
# Set before sourcing: KEMI_DIR (the case's directory: kamailio.cfg and
# the script), KEMI_SCRIPT (its file name), KEMI_LANG (for the check
# names), PORT (SIP; the gateways are PORT+11..13, HTTP PORT+20); the
# case has run it_init.
RATE=40
SECS=10
CALLS=$((RATE * SECS))
A=sip:127.0.0.1:$((PORT + 11))
B=sip:127.0.0.1:$((PORT + 12))
C=sip:127.0.0.1:$((PORT + 13))
GA=$((PORT + 11)) GB=$((PORT + 12)) GC=$((PORT + 13))
RPC_PORT=$((PORT + 20))
printf "1 %s\n1 %s\n1 %s\n" "$C" "$A" "$B" >"$IT_RUN/dispatcher.list"
cp "$KEMI_DIR/$KEMI_SCRIPT" "$IT_RUN/$KEMI_SCRIPT"
kam_start "$KEMI_DIR/kamailio.cfg" -e "s#@PORT@#$PORT#g" \
	-e "s#@HTTP@#$RPC_PORT#g" || exit 1

sipp_bg uas_a -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p $GA -d 5 \
	-timeout 60s
sipp_bg uas_b -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p $GB -d 5 \
	-timeout 60s
sipp_bg uas_c1 -sf "$(render_reject 503 "Service Unavailable" \
	"Retry-After: 3")" -i 127.0.0.1 -p $GC -d 5 -timeout 5s
wait_udp $GA $GB $GC
sipp_bg caller 127.0.0.1:$PORT -sf "$IT_SCEN/uac_call.xml" -s 1 \
	-i 127.0.0.1 -m "$CALLS" -r "$RATE" -d 20 -timeout 60s
# the healthy C takes over the port as soon as the refusing one is gone,
# before C's second block (3 s after a 503 about 3 s in) ends
wait_pid "$PID_uas_c1" 15
check_cmp "refusing C ended by itself after its 5 s (124: still running)" \
	$? -ne 124
sipp_bg uas_c2 -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p $GC -d 5 \
	-timeout 60s
wait_udp $GC
wait_pid "$PID_caller" 60
check_eq "caller finished, every call completed" 0 $?
# the peers' final counts (written when they stop)
sipp_stop uas_a uas_b uas_c2

check_eq "calls answered: 200s for INVITE and BYE" $((2 * CALLS)) \
	"$(sipp_count caller 200_Recv)"
check_eq "503s the caller saw" 0 "$(sipp_count caller 503_Recv)"
inv=$(sipp_count uas_c1 INVITE_Recv)
echo "  info C got $inv INVITEs while answering 503 + Retry-After: 3"
check_cmp "C was tried at all" "$inv" -ge 2
check_eq "C's 503s = replies_503_retry_after" "$(sipp_count uas_c1 503_Sent)" \
	"$(rg_field "$C" replies_503_retry_after)"
check_eq "C's retry_after_last" 3 "$(rg_field "$C" retry_after_last)"
check_eq "C is up again" up "$(rg_field "$C" state)"
check_eq "every INVITE to C was an admitted attempt" \
	"$(it_sum "$(sipp_count uas_c1 INVITE_Recv)" "$(sipp_count uas_c2 INVITE_Recv)")" \
	"$(rg_field "$C" attempts)"
check_eq "A's attempts = INVITEs A got" "$(sipp_count uas_a INVITE_Recv)" \
	"$(rg_field "$A" attempts)"
check_eq "A's replies_183 = 183s A sent" "$(sipp_count uas_a 183_Sent)" \
	"$(rg_field "$A" replies_183)"
downs=$(grep -c "RG-EVENT replyguard:dst-down $C state=down" "$IT_RUN/kamailio.log")
ups=$(grep -c "RG-EVENT replyguard:dst-up $C state=up" "$IT_RUN/kamailio.log")
echo "  info $KEMI_LANG event_callback: $downs dst-down, $ups dst-up"
check_eq "one dst-down per 503 (each one a block)" "$inv" "$downs"
check_eq "dst-up ran once" 1 "$ups"

# kemi NAME PATH: GET /kemi/PATH, the rc the $KEMI_LANG handler printed
kemi() {
	curl -s -m 5 "http://127.0.0.1:$RPC_PORT/kemi/$1" | sed -n 's/^rc=//p'
}
check_eq "rg_set_limit(carrier-y, 7)" 1 "$(kemi set_limit/carrier-y/7)"
check_eq "  cps_limit" 7 "$(rg_field carrier-y cps_limit)"
check_eq "rg_set_limit_burst(carrier-y, 8, 3)" 1 \
	"$(kemi set_limit_burst/carrier-y/8/3)"
check_eq "  cps_burst" 3 "$(rg_field carrier-y cps_burst)"
check_eq "rg_set_limit_all(carrier-y, 9, 4, 2)" 1 \
	"$(kemi set_limit_all/carrier-y/9/4/2)"
check_eq "  max_concurrent" 2 "$(rg_field carrier-y max_concurrent)"
check_eq "  cps_limit" 9 "$(rg_field carrier-y cps_limit)"
check_eq "rg_set_limit with a bad burst" -1 \
	"$(kemi set_limit_burst/carrier-y/8/0)"
check_eq "rg_block(carrier-z, 30)" 1 "$(kemi block/carrier-z/30)"
check_eq "  state" down "$(rg_field carrier-z state)"
check_eq "rg_unblock(carrier-z)" 1 "$(kemi unblock/carrier-z)"
check_eq "  state" up "$(rg_field carrier-z state)"
check_eq "rg_unblock of an unknown destination" -1 "$(kemi unblock/nobody)"
check_eq "rg_block with 0 seconds" -1 "$(kemi block/carrier-z/0)"
check_eq "manual block ran the $KEMI_LANG event callback" 1 \
	"$(grep -c "RG-EVENT replyguard:dst-down carrier-z state=down" "$IT_RUN/kamailio.log")"

curl -s -m 10 -o "$IT_RUN/metrics.txt" "http://127.0.0.1:$RPC_PORT/metrics"
check_eq "rg_prometheus() from $KEMI_LANG: C's attempts on the page" \
	"$(rg_field "$C" attempts)" \
	"$(awk -v k="replyguard_attempts_total{dst=\"$C\"}" '$1 == k {print $2}' "$IT_RUN/metrics.txt")"
# only the two bad calls above log errors, by design
nerr=$(grep -E 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log" |
	grep -vcE 'rg_block: seconds must be > 0|carrier-y\]: burst must be')
check_eq "no other ERROR lines" 0 "$nerr"
it_finish

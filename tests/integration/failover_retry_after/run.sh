#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# failover_retry_after: three destinations in a dispatcher set; C answers
# 503 with Retry-After: 3 for the first half of the run, then recovers.
# 40 cps for 10 s. Every call is answered; C gets a handful of INVITEs;
# dispatcher shows C inactive while blocked and active after; the
# dst-down and dst-up events ran.
. "$(dirname "$0")/../lib/common.sh"
it_init failover_retry_after
RATE=40
SECS=10
CALLS=$((RATE * SECS))
A=sip:127.0.0.1:25271
B=sip:127.0.0.1:25272
C=sip:127.0.0.1:25273
printf "1 %s\n1 %s\n1 %s\n" "$C" "$A" "$B" >"$IT_RUN/dispatcher.list"
# round-robin over the set (alg 4): C is tried in turn
failover_start 25260 2000 4 || exit 1

sipp_bg uas_a -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 25271 -d 5 \
	-timeout 60s
sipp_bg uas_b -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 25272 -d 5 \
	-timeout 60s
# C: 503 + Retry-After: 3 for 5 s, then a healthy C on the same port
sipp_bg uas_c1 -sf "$(render_reject 503 "Service Unavailable" \
	"Retry-After: 3")" -i 127.0.0.1 -p 25273 -d 5 -timeout 5s
wait_udp 25271 25272 25273

# watch dispatcher and replyguard while C is blocked: one client process
# polling JSON-RPC every 0.1 s, for as long as the calls go on
"$IT_PY" "$IT_LIB/rgtool.py" watch "$RPC_PORT" 90 "$IT_RUN/watch.tsv" \
	"ds:1:$C" "rg:$C:state" >"$IT_RUN/watch.log" 2>&1 &
PID_watch=$!
IT_PIDS+=($PID_watch)
sipp_bg caller 127.0.0.1:25260 -sf "$IT_SCEN/uac_call.xml" -s 1 \
	-i 127.0.0.1 -m "$CALLS" -r "$RATE" -d 20 -timeout 60s

# the healthy C takes over the port as soon as the refusing one is gone,
# before C's second block (3 s after a 503 about 3 s in) ends
wait_pid "$PID_uas_c1" 15
check_cmp "refusing C ended by itself after its 5 s (124: still running)" \
	$? -ne 124
sipp_bg uas_c2 -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 25273 -d 5 \
	-timeout 60s
wait_udp 25273
wait_pid "$PID_caller" 60
check_eq "caller finished, every call completed" 0 $?
kill -TERM "$PID_watch" 2>/dev/null
wait_pid "$PID_watch" 10
# the peers' final counts (written when they stop)
sipp_stop uas_a uas_b uas_c2
seen_inactive=$(awk -F'\t' 'NR > 1 && $2 ~ /^I/ {n++} END {print (n > 0)}' "$IT_RUN/watch.tsv")
seen_down=$(awk -F'\t' 'NR > 1 && $3 == "down" {n++} END {print (n > 0)}' "$IT_RUN/watch.tsv")
echo "  info watched $(($(wc -l <"$IT_RUN/watch.tsv") - 1)) polls: dispatcher flags $(awk -F'\t' 'NR > 1 {print $2}' "$IT_RUN/watch.tsv" | uniq | paste -sd' '), state $(awk -F'\t' 'NR > 1 {print $3}' "$IT_RUN/watch.tsv" | uniq | paste -sd' ')"

check_eq "dispatcher showed C inactive during a block" 1 "$seen_inactive"
check_eq "replyguard showed C down during a block" 1 "$seen_down"
check_eq "calls answered: 200s for INVITE and BYE" $((2 * CALLS)) \
	"$(sipp_count caller 200_Recv)"
check_eq "503s the caller saw" 0 "$(sipp_count caller 503_Recv)"

inv=$(sipp_count uas_c1 INVITE_Recv)
echo "  info C got $inv INVITEs while answering 503 + Retry-After: 3 (5 s at $RATE cps)"
check_cmp "C got a handful of INVITEs while refusing" "$inv" -le 12
check_cmp "C was tried at all" "$inv" -ge 2
check_eq "C's 503s = replies_503_retry_after" "$(sipp_count uas_c1 503_Sent)" \
	"$(rg_field "$C" replies_503_retry_after)"
check_eq "C's retry_after_last" 3 "$(rg_field "$C" retry_after_last)"
# dispatcher skips C while it is inactive, so rg_allow never has to
check_eq "no call reached rg_allow for blocked C" 0 \
	"$(rg_field "$C" rejected_blocked)"
check_eq "C is up again" up "$(rg_field "$C" state)"
check_eq "dispatcher shows C active again" AX "$(wait_eq 5 AX ds_flags 1 "$C")"
check_eq "every INVITE to C was an admitted attempt" \
	"$(it_sum "$(sipp_count uas_c1 INVITE_Recv)" "$(sipp_count uas_c2 INVITE_Recv)")" \
	"$(rg_field "$C" attempts)"

downs=$(grep -c "RG-EVENT down $C state=down retry_after=3" "$IT_RUN/kamailio.log")
ups=$(grep -c "RG-EVENT up $C state=up" "$IT_RUN/kamailio.log")
echo "  info events: $downs dst-down, $ups dst-up"
check_eq "one dst-down event per 503 (each one a block)" "$inv" "$downs"
check_eq "dst-up event ran once" 1 "$ups"
check_no_errors
it_finish

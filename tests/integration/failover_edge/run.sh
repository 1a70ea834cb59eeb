#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# failover_edge: one destination per dispatcher set, then a healthy H:
#   set 2: D answers 503 without Retry-After: down after down_threshold (3)
#   set 3: E answers 503 Retry-After: 86400: blocked for retry_after_max
#   set 4: F answers 503 Retry-After: soon: counted as none
#   set 5: G never answers: local timeouts, failed over, counted
# plus manual block/unblock over RPC, and the 503 sent upstream when every
# destination is down. Every caller's call is answered by H.
. "$(dirname "$0")/../lib/common.sh"
it_init failover_edge
D=sip:127.0.0.1:25371
E=sip:127.0.0.1:25372
F=sip:127.0.0.1:25373
G=sip:127.0.0.1:25374
H=sip:127.0.0.1:25379
# setid uri flags priority: the higher priority is tried first
cat >"$IT_RUN/dispatcher.list" <<LIST
2 $D 0 10
2 $H 0 0
3 $E 0 10
3 $H 0 0
4 $F 0 10
4 $H 0 0
5 $G 0 10
5 $H 0 0
6 $H 0 0
LIST
# first destination of the set (alg 8); tm gives up on silence after 1 s.
# No adaptive back-off: a 503 without Retry-After would also lower D's and
# F's rate to 1 cps, and whether the next call (0.5 s later, at -r 2) and
# the one after are admitted or refused by that rate then depends on
# milliseconds; this case counts what reaches a destination on the way to
# its down_threshold (throttle_adaptive covers the back-off)
failover_start 25360 1000 8 'modparam("replyguard", "adaptive", 0)' || exit 1

sipp_bg uas_h -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 25379 -d 5 \
	-timeout 60s
sipp_bg uas_d -sf "$(render_reject 503 "Service Unavailable")" \
	-i 127.0.0.1 -p 25371 -d 5 -timeout 60s
sipp_bg uas_e -sf "$(render_reject 503 "Service Unavailable" \
	"Retry-After: 86400")" -i 127.0.0.1 -p 25372 -d 5 -timeout 60s
sipp_bg uas_f -sf "$(render_reject 503 "Service Unavailable" \
	"Retry-After: soon")" -i 127.0.0.1 -p 25373 -d 5 -timeout 60s
wait_udp 25379 25371 25372 25373

call() { # call NAME SET N: N calls, one after another
	sipp_fg "$1" 127.0.0.1:25360 -sf "$IT_SCEN/uac_call.xml" -s "$2" \
		-i 127.0.0.1 -m "$3" -r 2 -l 1 -d 5 -timeout 30s
}

call caller_d 2 5
check_eq "set 2: every call answered" 10 "$(sipp_count caller_d 200_Recv)"
# D is down for 30 s now, and gets nothing more: its final counts
sipp_stop uas_d
check_eq "D received down_threshold INVITEs, then none" 3 \
	"$(sipp_count uas_d INVITE_Recv)"
check_eq "D replies_503" 3 "$(rg_field "$D" replies_503)"
check_eq "D replies_503_retry_after" 0 "$(rg_field "$D" replies_503_retry_after)"
check_eq "D is down" down "$(rg_field "$D" state)"
check_cmp "D blocked for down_time (30 s)" "$(rg_field "$D" blocked_for)" -ge 28
check_cmp "D blocked for down_time (30 s)" "$(rg_field "$D" blocked_for)" -le 30

call caller_e 3 3
check_eq "set 3: every call answered" 6 "$(sipp_count caller_e 200_Recv)"
sipp_stop uas_e
check_eq "E received one INVITE" 1 "$(sipp_count uas_e INVITE_Recv)"
check_eq "E retry_after_last clamped to retry_after_max" 300 \
	"$(rg_field "$E" retry_after_last)"
check_cmp "E blocked_for <= 300" "$(rg_field "$E" blocked_for)" -le 300
check_cmp "E blocked_for > 290" "$(rg_field "$E" blocked_for)" -gt 290

call caller_f 4 4
check_eq "set 4: every call answered" 8 "$(sipp_count caller_f 200_Recv)"
sipp_stop uas_f
check_eq "F replies_503" 3 "$(rg_field "$F" replies_503)"
check_eq "garbage Retry-After counted as none" 0 \
	"$(rg_field "$F" replies_503_retry_after)"
check_cmp "F down by the threshold (30 s), not by Retry-After" \
	"$(rg_field "$F" blocked_for)" -ge 28
check_eq "F retry_after_last: none applied" 0 "$(rg_field "$F" retry_after_last)"
check_eq "malformed Retry-After logged, once" 1 \
	"$(grep -c 'malformed Retry-After \[soon\]' "$IT_RUN/kamailio.log")"

call caller_g 5 2
check_eq "set 5: every call answered despite the silent G" 4 \
	"$(sipp_count caller_g 200_Recv)"
check_eq "G timeouts" 2 "$(rg_field "$G" timeouts)"
check_eq "G attempts" 2 "$(rg_field "$G" attempts)"
check_eq "G still up (2 < down_threshold)" up "$(rg_field "$G" state)"

# manual block over RPC: H inactive in every set it served, so set 2
# (D already down) has nothing left and the caller is told when to retry
kcmd replyguard.block "$H" 60 >/dev/null
check_eq "RPC block: H down" down "$(rg_field "$H" state)"
check_eq "RPC block: dispatcher has H inactive in set 2" IX "$(ds_flags 2 "$H")"
check_eq "RPC block: dispatcher has H inactive in set 5" IX "$(ds_flags 5 "$H")"
sipp_fg caller_x 127.0.0.1:25360 -sf "$IT_SCEN/uac_call.xml" -s 2 \
	-i 127.0.0.1 -m 1 -d 5 -timeout 10s -trace_msg
check_eq "all down: the caller gets a 503" 1 "$(sipp_count caller_x 503_Recv)"
# D's 30 s block is shorter than H's 60 s: that is what the caller is told
ra=$(grep -h -m1 -i '^Retry-After:' "$IT_RUN"/caller_x/*_messages.log |
	tr -dc '0-9')
check_cmp "Retry-After upstream is D's remaining block (${ra:-none} s)" \
	"${ra:-0}" -le 30
check_cmp "Retry-After upstream is at least 1" "${ra:-0}" -ge 1
kcmd replyguard.unblock "$H" >/dev/null
check_eq "RPC unblock: H up" up "$(rg_field "$H" state)"
check_eq "RPC unblock: dispatcher has H active in set 2" AX "$(ds_flags 2 "$H")"
check_eq "dst-up event for H" 1 "$(grep -c "RG-EVENT up $H" "$IT_RUN/kamailio.log")"
check_eq "RPC block of a bad key is a 400" 1 \
	"$(kcmd replyguard.block 'a b' 5 2>&1 | grep -c 400)"
check_eq "RPC block without seconds is a 400" 1 \
	"$(kcmd replyguard.block "$H" 2>&1 | grep -c 400)"
check_no_errors
it_finish

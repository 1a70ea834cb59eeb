#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# restart: kamailio.cfg.sample with a limits file, restarted while a
# caller keeps sending 20 cps. What replyguard keeps across a restart is
# what is in its configuration: limits from limits_file are back at once;
# counters, blocks, back-off and limits set over RPC or script live in
# shared memory and start afresh (documented). Calls resume after it.
. "$(dirname "$0")/../lib/common.sh"
it_init restart
GW=sip:127.0.0.1:27571
printf "1 %s\n" "$GW" >"$IT_RUN/dispatcher.list"
printf "%s 50 2 40\ncarrier-x 7\n" "$GW" >"$IT_RUN/limits"
sample_args 27560
KAM_ARGS+=(-A "RG_LIMITS=\"$IT_RUN/limits\"")
kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1

sipp_bg uas -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 27571 -d 0 \
	-timeout 120s
wait_udp 27571
# 300 calls at 20 cps: 15 s, with the restart in the middle (once 80
# calls went through: about 4 s in)
sipp_bg caller 127.0.0.1:27560 -sf "$IT_SCEN/uac_call.xml" -s 1 \
	-i 127.0.0.1 -m 300 -r 20 -d 100 -timeout 90s \
	-default_behaviors all,-abortunexp
attempts_reach() { [ "$(rg_field "$GW" attempts)" -ge "$1" ] 2>/dev/null; }
wait_until 20 attempts_reach 80
kcmd replyguard.set_limit carrier-y 3 >/dev/null
kcmd replyguard.block carrier-z 600 >/dev/null
before=$(rg_field "$GW" attempts)
check_cmp "calls went through before the restart" "$before" -ge 40
check_eq "manual limit set" 3 "$(rg_field carrier-y cps_limit)"

kam_stop
kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1
restarted=$(date +%s)
check_eq "file limit back at once: cps" 50 "$(rg_field "$GW" cps_limit)"
check_eq "file limit back at once: max_concurrent" 40 "$(rg_field "$GW" max_concurrent)"
check_eq "file limit back at once: source" file "$(rg_field "$GW" limit_source)"
check_eq "carrier-x from the file" 7 "$(rg_field carrier-x cps_limit)"
# gone: replyguard.get answers 404 (a failed kamcmd reads as empty, and
# fails the check)
check_eq "manual limit gone (shared memory, documented): get is a 404" 404 \
	"$(rg_fault carrier-y)"
check_eq "manual block gone (shared memory, documented): get is a 404" 404 \
	"$(rg_fault carrier-z)"

wait_pid "$PID_caller" 90
check_cmp "the caller ended by itself (124: still running)" $? -ne 124
# the gateway's final counts (written when it stops)
sipp_stop uas
after=$(rg_field "$GW" attempts)
echo "  info attempts: $before before the restart; $after after it (counters start afresh)"
check_cmp "calls resumed after the restart" "$after" -ge 40
check_cmp "counters started afresh" "$after" -lt 300
# the first instance's figure was read a moment before it stopped, and a
# call admitted as it stopped may never have been sent: the two sides
# differ by at most the calls of that moment (20 cps)
gap=$(it_sum "$(sipp_count uas INVITE_Recv)" "-$before" "-$after")
echo "  info INVITEs the gateway got minus both counts: $gap"
check_cmp "INVITEs vs both counts, low side" "$gap" -ge -10
check_cmp "INVITEs vs both counts, high side" "$gap" -le 10
check_no_errors
it_finish

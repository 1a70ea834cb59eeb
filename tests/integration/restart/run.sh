#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# restart: kamailio.cfg.sample with a limits file and a state file,
# restarted while a caller keeps sending 20 cps. Limits from limits_file
# are back at once; so are a limit set over RPC and a manual block, from
# state_file, and the block's remaining time went down by the time the
# restart took (its end is wall-clock). Counters start afresh. Calls
# resume after it. Then a garbage state file: kamailio starts all the
# same, with one log line, and nothing from it.
. "$(dirname "$0")/../lib/common.sh"
it_init restart
GW=sip:127.0.0.1:27571
printf "1 %s\n" "$GW" >"$IT_RUN/dispatcher.list"
printf "%s 50 2 40\ncarrier-x 7\n" "$GW" >"$IT_RUN/limits"
sample_args 27560
STATE=$IT_RUN/replyguard.state
KAM_ARGS+=(-A "RG_LIMITS=\"$IT_RUN/limits\"" -A "RG_STATE=\"$STATE\"")
kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1

sipp_bg uas -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 27571 -d 0 \
	-timeout 120s
wait_udp 27571
# 500 calls at 20 cps: 25 s, with the restart in the middle (once 80
# calls went through: about 4 s in)
sipp_bg caller 127.0.0.1:27560 -sf "$IT_SCEN/uac_call.xml" -s 1 \
	-i 127.0.0.1 -m 500 -r 20 -d 100 -timeout 90s \
	-default_behaviors all,-abortunexp
attempts_reach() { [ "$(rg_field "$GW" attempts)" -ge "$1" ] 2>/dev/null; }
wait_until 20 attempts_reach 80
kcmd replyguard.set_limit carrier-y 3 >/dev/null
kcmd replyguard.block carrier-z 600 >/dev/null
check_eq "manual limit set" 3 "$(rg_field carrier-y cps_limit)"
# the state_file process writes it every 10 s (state_save_interval)
in_state() { grep -q "^carrier-z [1-9]" "$STATE" 2>/dev/null; }
wait_until 15 in_state
check_eq "the block is in the state file before the stop (periodic write)" \
	1 "$(grep -c '^carrier-z [1-9][0-9]* 1 ' "$STATE")"
check_eq "the writer is a process of its own" 1 \
	"$(kcmd core.psx 2>/dev/null | grep -c 'replyguard state_file')"
left0=$(rg_field carrier-z blocked_for)
t0=$(date +%s)
before=$(rg_field "$GW" attempts)
check_cmp "calls went through before the restart" "$before" -ge 40

kam_stop
check_eq "the state file was written at shutdown, whole" "end 2" \
	"$(tail -n 1 "$STATE")"
# time passes while kamailio is stopped
sleep 3
kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1
left1=$(rg_field carrier-z blocked_for)
t1=$(date +%s)
echo "  info block: $left0 s left at $t0, $left1 s left at $t1"
check_eq "manual block back" down "$(rg_field carrier-z state)"
check_eq "RPC limit back" 3 "$(rg_field carrier-y cps_limit)"
check_eq "RPC limit back: source" manual "$(rg_field carrier-y limit_source)"
# blocked_for is rounded up to the second; each date +%s truncates
check_cmp "the block went down by the restart's time: at most" \
	"$left1" -le $((left0 - (t1 - t0) + 2))
check_cmp "the block went down by the restart's time: at least" \
	"$left1" -ge $((left0 - (t1 - t0) - 2))
check_cmp "the block went down by at least the 3 s stopped" \
	"$left1" -le $((left0 - 3))
check_eq "one log line says what came back" 1 \
	"$(grep -c 'state_file: 2 destinations back (1 blocks, 1 limits, 0 back-offs)' \
		"$IT_RUN/kamailio.log")"
check_eq "file limit back at once: cps" 50 "$(rg_field "$GW" cps_limit)"
check_eq "file limit back at once: max_concurrent" 40 "$(rg_field "$GW" max_concurrent)"
check_eq "file limit back at once: source" file "$(rg_field "$GW" limit_source)"
check_eq "carrier-x from the file" 7 "$(rg_field carrier-x cps_limit)"

wait_pid "$PID_caller" 90
check_cmp "the caller ended by itself (124: still running)" $? -ne 124
# the gateway's final counts (written when it stops)
sipp_stop uas
after=$(rg_field "$GW" attempts)
echo "  info attempts: $before before the restart; $after after it (counters start afresh)"
check_cmp "calls resumed after the restart" "$after" -ge 40
check_cmp "counters started afresh" "$after" -lt 500
# the first instance's figure was read a moment before it stopped, and a
# call admitted as it stopped may never have been sent: the two sides
# differ by at most the calls of that moment (20 cps)
gap=$(it_sum "$(sipp_count uas INVITE_Recv)" "-$before" "-$after")
echo "  info INVITEs the gateway got minus both counts: $gap"
check_cmp "INVITEs vs both counts, low side" "$gap" -ge -10
check_cmp "INVITEs vs both counts, high side" "$gap" -le 10
check_no_errors

# a garbage state file: one log line, a clean start, nothing from it
kam_stop
head -c 3000 /dev/urandom >"$STATE"
kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1
check_eq "garbage state file: one log line" 1 \
	"$(grep -c "state_file .*replyguard.state: ignored, line" "$IT_RUN/kamailio.log")"
check_eq "garbage state file: nothing from it (get is a 404)" 404 \
	"$(rg_fault carrier-z)"
check_eq "garbage state file: the file limits are there" 50 \
	"$(rg_field "$GW" cps_limit)"
check_no_errors
it_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sample_dialog: the sample config keeps its promise that an answered call
# counts in flight until its BYE (dialog module, dlg_manage()), and that
# the dialog measures answered calls (ACD, short calls).
. "$(dirname "$0")/../lib/common.sh"
it_init sample_dialog
GW=sip:127.0.0.1:27011
printf "1 %s\n" "$GW" >"$IT_RUN/dispatcher.list"
# no rate limit, at most 5 calls in flight
printf "%s 0 1 5\n" "$GW" >"$IT_RUN/limits"
sample_args 27000
# the duration figures from 5 ended calls (the sample's 20 otherwise)
KAM_ARGS+=(-A "RG_LIMITS=\"$IT_RUN/limits\"" -A "RG_KPI_MIN_SAMPLES=5")
kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1
check_eq "cap read from the limits file" 5 "$(rg_field "$GW" max_concurrent)"

# field_until DST FIELD WANT SECONDS: poll until the field reads WANT
field_until() { wait_eq "$4" "$3" rg_field "$1" "$2"; }

sipp_bg uas -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 27011 -d 0 \
	-timeout 30s
wait_udp 27011
# 3 calls at once, each held 4 s after its 200 before the BYE
sipp_bg caller 127.0.0.1:27000 -sf "$IT_SCEN/uac_call.xml" -s 1 \
	-i 127.0.0.1 -m 3 -r 10 -d 4000 -timeout 30s
check_eq "3 answered calls count in flight while up" 3 \
	"$(field_until "$GW" concurrent 3 3)"
check_eq "their INVITEs were answered: 2xx counted" 3 \
	"$(field_until "$GW" replies_2xx 3 3)"
# still held after the 200s: the hold lasts until the BYE, not the answer
sleep 1
check_eq "still 3 in flight after the answers" 3 "$(rg_field "$GW" concurrent)"
wait_pid "$PID_caller" 20
check_eq "caller finished, calls completed" 0 $?
check_eq "BYEs ended the holds" 0 "$(field_until "$GW" concurrent 0 5)"
check_eq "attempts" 3 "$(rg_field "$GW" attempts)"

# durations: answer to BYE, each rounded to the second; under
# short_call_seconds (6) is short. 3 calls of 4 s: below kpi_min_samples
check_eq "3 ended calls measured" 3 "$(field_until "$GW" calls_ended 3 5)"
check_eq "their 4 s each" 12 "$(rg_field "$GW" call_seconds)"
check_eq "all 3 short (4 s < 6 s)" 3 "$(rg_field "$GW" calls_short)"
check_eq "ACD absent below kpi_min_samples" -1 "$(rg_field "$GW" acd_ms)"
check_eq "short share absent below kpi_min_samples" -1 \
	"$(rg_field "$GW" short_calls_pct)"
# 2 calls of 8 s: 5 ended, 28 s, ACD 5.6 s, 3 of 5 short
sipp_bg caller2 127.0.0.1:27000 -sf "$IT_SCEN/uac_call.xml" -s 1 \
	-i 127.0.0.1 -m 2 -r 10 -d 8000 -timeout 30s
wait_pid "$PID_caller2" 25
check_eq "second caller finished, calls completed" 0 $?
check_eq "5 ended calls measured" 5 "$(field_until "$GW" calls_ended 5 5)"
check_eq "call_seconds = 3 x 4 + 2 x 8" 28 "$(rg_field "$GW" call_seconds)"
check_eq "the 8 s calls are not short" 3 "$(rg_field "$GW" calls_short)"
check_eq "acd_ms = 28 s / 5" 5600 "$(rg_field "$GW" acd_ms)"
check_eq "short_calls_pct = 3 / 5" 60.0 \
	"$(rg_field "$GW" short_calls_pct | awk '{printf "%.1f", $1}')"
metrics=$(curl -s -m 20 "http://127.0.0.1:$RPC_PORT/metrics")
check_eq "Prometheus: ACD in seconds" 1 "$(grep -c \
	"^replyguard_acd_seconds{dst=\"$GW\"} 5.6\$" <<<"$metrics")"
check_eq "Prometheus: short share" 1 "$(grep -c \
	"^replyguard_short_calls_ratio{dst=\"$GW\"} 0.6\$" <<<"$metrics")"
check_eq "Prometheus: call seconds counted" 1 "$(grep -c \
	"^replyguard_call_seconds_total{dst=\"$GW\"} 28\$" <<<"$metrics")"
check_eq "one answered call is one BYE measured: 2xx = calls_ended" 5 \
	"$(rg_field "$GW" replies_2xx)"
check_no_errors
it_finish

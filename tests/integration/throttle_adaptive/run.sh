#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# throttle_adaptive: a carrier (lib/peer.py) answers 503 without Retry-After
# whenever it got more than 25 INVITEs in the last second. The same load,
# 60 cps for 10 s, runs with adaptive=1 and then adaptive=0: with back-off
# the carrier must send far fewer 503s. The dst-throttled event runs, and
# with adaptive=1 its webhook post reaches a receiver on loopback.
# Overloaded is not dead: the adaptive=1 run keeps the default
# down_threshold (3), and the carrier is never blocked by its plain 503s.
. "$(dirname "$0")/../lib/common.sh"
it_init throttle_adaptive
RATE=60
SECS=10
CALLS=$((RATE * SECS))
CAP=25

# run_load NAME ADAPTIVE: one proxy + carrier + caller run; leaves the
# carrier's stats in NAME.json and the destination in NAME.get
run_load() {
	local name=$1 adaptive=$2 port=$3
	local peer=$((port + 11)) gw=sip:127.0.0.1:$((port + 11))
	shift 3
	throttle_start "$port" "$@" \
		"modparam(\"replyguard\", \"adaptive\", $adaptive)" || return 1
	peer_bg "$name" --port "$peer" --cap-cps "$CAP" --max-seconds 60 ||
		return 1
	sipp_fg "caller_$name" "127.0.0.1:$port" -sf "$IT_SCEN/uac_call.xml" \
		-s "$peer" -i 127.0.0.1 -m "$CALLS" -r "$RATE" -d 100 -timeout 40s
	check_eq "$name: caller exit status" 0 $?
	peer_stop "$name"
	kcmd replyguard.get "$gw" >"$IT_RUN/$name.get" 2>&1
	cp "$IT_RUN/kamailio.log" "$IT_RUN/$name.log.kam"
	kam_stop
}
field() { awk -v k="$2:" '$1 == k {print $2; exit}' "$IT_RUN/$1.get"; }

python3 "$IT_LIB/hook_server.py" --port 25590 --out "$IT_RUN/hooks.jsonl" \
	--max-seconds 90 &
IT_PIDS+=($!)
wait_tcp 25590
run_load on 1 25560 \
	'modparam("replyguard", "webhook_url", "http://127.0.0.1:25590/")' \
	'modparam("replyguard", "node_name", "n1")' || exit 1
# without back-off its 503s are health failures: keep it from blocking
run_load off 0 25660 \
	'modparam("replyguard", "down_threshold", 1000000)' || exit 1

rej_on=$(peer_stat on rejected)
rej_off=$(peer_stat off rejected)
inv_on=$(peer_stat on invites)
inv_off=$(peer_stat off invites)
echo "  adaptive=1: carrier got $inv_on INVITEs, sent $rej_on x 503;" \
	"rejected_throttled $(field on rejected_throttled)," \
	"cps_limit $(field on cps_limit)"
echo "  adaptive=0: carrier got $inv_off INVITEs, sent $rej_off x 503"

check_eq "adaptive=0: every call reached the carrier" "$CALLS" "$inv_off"
check_cmp "adaptive=0: the carrier refused most of the excess" \
	"$rej_off" -ge $(((RATE - CAP) * SECS / 2))
check_cmp "adaptive=1: far fewer 503s (5 x fewer at least)" \
	$((rej_on * 5)) -lt "$rej_off"
check_eq "adaptive=1: attempts = INVITEs the carrier got" "$inv_on" \
	"$(field on attempts)"
check_eq "adaptive=1: replies_503 = 503s the carrier sent" "$rej_on" \
	"$(field on replies_503)"
check_eq "adaptive=1: every call counted once" "$CALLS" \
	"$(it_sum "$(field on attempts)" "$(field on rejected_throttled)")"
check_eq "adaptive=1: still throttled at the end" 1 "$(field on throttled)"
check_eq "adaptive=1, down_threshold 3: never blocked (overloaded is not dead)" \
	0 "$(field on rejected_blocked)"
check_eq "adaptive=1: up at the end" up "$(field on state)"
check_eq "adaptive=1: every plain 503 counted as a failure" "$rej_on" \
	"$(field on failures)"
check_cmp "adaptive=1: the rate in force is below the carrier's" \
	"$(field on cps_limit)" -lt "$CAP"
check_eq "adaptive=1: dst-throttled event ran once" 1 \
	"$(grep -c 'EVENT throttled' "$IT_RUN/on.log.kam")"
G=sip:127.0.0.1:25571
check_eq "adaptive=1: dst-throttled posts (503 without Retry-After)" 1 \
	"$(rgtool hooks "$IT_RUN/hooks.jsonl" \
		"dst-throttled $G 503 unthrottled>throttled ra=None node=n1")"
check_eq "adaptive=1: posts = throttle events" \
	"$(grep -cE 'EVENT (un)?throttled' "$IT_RUN/on.log.kam")" \
	"$(rgtool hooks "$IT_RUN/hooks.jsonl" posts)"
check_eq "adaptive=0: never throttled" 0 \
	"$(grep -c 'EVENT throttled' "$IT_RUN/off.log.kam")"
check_eq "adaptive=0: rejected_throttled" 0 "$(field off rejected_throttled)"
check_eq "ERROR lines" 0 \
	"$(cat "$IT_RUN"/*.log.kam | grep -cE 'ERROR:|CRITICAL:')"
it_finish

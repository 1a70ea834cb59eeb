#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# notify: webhooks, the Prometheus page and core statistics.
#
# The same traffic four times, kamailio restarted each time: 200 calls at
# 40 cps over gateways C (503 + Retry-After: 3 for 3 s, then healthy) and
# A, plus a burst of 20 manual block/unblock state changes of carrier-x.
#   run 0: no webhook (the baseline call count)
#   run 1: a receiver on loopback: one signed, well-formed post per event
#          route that ran; /metrics and stats.get_statistics agree with RPC
#   run 2: the receiver is down: every call still completes; the notices
#          wait (a full queue keeps each destination's last word), and
#          when it comes back the last post per destination is its state
#   run 3: the receiver answers slowly: the same last words
. "$(dirname "$0")/../lib/common.sh"
it_init notify
RATE=40
CALLS=200
PORT=25860
HOOK=25890
A=sip:127.0.0.1:25871
C=sip:127.0.0.1:25873
SECRET='s3cret-key'
NODE=it-node

# summary FIELD: one field of replyguard.summary (over kamcmd: no process
# but kamcmd per read, for the polls below)
summary() {
	kcmd replyguard.summary | awk -v k="$1:" '$1 == k {print $2; f = 1} END {exit !f}'
}

# one_run N 'modparam(...)' ...: the traffic with these extra modparams;
# sets CALLS_OK and EVENTS (event routes that ran)
one_run() {
	local n=$1 i
	shift
	printf "1 %s\n1 %s\n" "$C" "$A" >"$IT_RUN/dispatcher.list"
	failover_start $PORT 2000 4 "$@" \
		'modparam("replyguard", "down_threshold", 100)' || return 1
	sipp_bg "uas_a$n" -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 25871 \
		-d 2 -timeout 30s
	# C refuses until it is blocked (3 s, by the Retry-After), then a
	# healthy C takes its port, well before the block ends and C is tried
	sipp_bg "uas_c$n" -sf "$(render_reject 503 "Service Unavailable" \
		"Retry-After: 3")" -i 127.0.0.1 -p 25873 -d 2 -timeout 30s
	wait_udp 25871 25873
	sipp_bg "caller$n" 127.0.0.1:$PORT -sf "$IT_SCEN/uac_call.xml" -s 1 \
		-i 127.0.0.1 -m "$CALLS" -r "$RATE" -d 1 -timeout 40s
	# a burst of manual state changes of a name key: 10 down, 10 up
	for i in $(seq 1 10); do
		kcmd replyguard.block carrier-x 60 >/dev/null
		kcmd replyguard.unblock carrier-x >/dev/null
	done
	check_eq "run $n: C blocked by its 503" down "$(wait_eq 10 down rg_field "$C" state)"
	sipp_stop "uas_c$n"
	sipp_bg "uas_c${n}b" -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 \
		-p 25873 -d 2 -timeout 60s
	wait_udp 25873
	eval "wait_pid \$PID_caller$n 60"
	check_eq "run $n: caller exit status" 0 $?
	# C's block ended while the calls went on; its trial call made it up
	# again: the last state change of the run
	check_eq "run $n: C up again" up "$(wait_eq 10 up rg_field "$C" state)"
	CALLS_OK=$(it_sum "$(sipp_count "caller$n" 200_Recv)")
	[ -n "$CALLS_OK" ] && CALLS_OK=$((CALLS_OK / 2))
	EVENTS=$(grep -cE "RG-EVENT (down|up|throttled|unthrottled) " \
		"$IT_RUN/kamailio.log")
	echo "  info run $n: $CALLS_OK calls completed, $EVENTS state changes"
	for i in uas_a$n uas_c$n uas_c${n}b caller$n; do
		eval "kill \$PID_$i 2>/dev/null; wait \$PID_$i 2>/dev/null"
	done
}

# drained_now N: the webhook queue is empty and N changes are accounted
# for (sent, failed or dropped): none is left in the posting process's
# hands either
drained_now() {
	local q t
	q=$(summary webhook_queued) || return 1
	t=$(it_sum "$(summary webhook_sent)" "$(summary webhook_failed)" \
		"$(summary webhook_dropped)") || return 1
	echo "queued $q, accounted for $t of $1"
	[ "$q" = 0 ] && [ "$t" -ge "$1" ]
}
# drained N: wait (15 s at most) until drained_now N holds
drained() { wait_until 15 drained_now "$1"; }

echo "-- run 0: no webhook"
one_run 0 || exit 1
BASE=$CALLS_OK
check_eq "run 0: every call completed" $CALLS "$BASE"
check_eq "run 0: webhook_sent without a URL" 0 "$(summary webhook_sent)"
check_no_errors
cp "$IT_RUN/kamailio.log" "$IT_RUN/kamailio.0.log"
kam_stop

echo "-- run 1: a receiver on 127.0.0.1:$HOOK"
"$IT_PY" "$IT_LIB/hook_server.py" --port $HOOK --out "$IT_RUN/hooks1.jsonl" \
	--secret "$SECRET" --max-seconds 120 &
IT_PIDS+=($!)
HOOKPID=$!
wait_tcp $HOOK
one_run 1 "modparam(\"replyguard\", \"webhook_url\", \"http://127.0.0.1:$HOOK/replyguard\")" \
	"modparam(\"replyguard\", \"webhook_secret\", \"$SECRET\")" \
	"modparam(\"replyguard\", \"node_name\", \"$NODE\")"
check_eq "run 1: every call completed" "$BASE" "$CALLS_OK"
drained "$EVENTS"
check_eq "run 1: queue drained" 0 $?
H="$IT_RUN/hooks1.jsonl"
downs=$(grep -c "RG-EVENT down " "$IT_RUN/kamailio.log")
ups=$(grep -c "RG-EVENT up " "$IT_RUN/kamailio.log")
echo "  info posts received: $(rgtool hooks "$H" posts) for $EVENTS events ($downs down, $ups up)"
check_eq "run 1: posts received = event routes run" "$EVENTS" "$(rgtool hooks "$H" posts)"
check_eq "run 1: dst-down posts" "$downs" "$(rgtool hooks "$H" dst-down)"
check_eq "run 1: dst-up posts" "$ups" "$(rgtool hooks "$H" dst-up)"
check_eq "run 1: posts with a bad signature" 0 "$(rgtool hooks "$H" bad_sig)"
check_eq "run 1: posts that are not a JSON object" 0 "$(rgtool hooks "$H" bad_json)"
check_eq "run 1: posts missing a field" 0 "$(rgtool hooks "$H" missing_fields)"
check_eq "run 1: X-Replyguard-Event differs from the body" 0 \
	"$(rgtool hooks "$H" header_mismatch)"
check_eq "run 1: Content-Type not application/json" 0 "$(rgtool hooks "$H" bad_ctype)"
check_eq "run 1: C's first block: 503, up>down, Retry-After 3" 1 \
	"$(rgtool hooks "$H" "dst-down $C 503 up>down ra=3 node=$NODE")"
check_eq "run 1: C back: 200, probing>up" 1 \
	"$(rgtool hooks "$H" "dst-up $C 200 probing>up ra=None node=$NODE")"
check_eq "run 1: carrier-x manual blocks: up>down" 10 \
	"$(rgtool hooks "$H" "dst-down carrier-x 0 up>down ra=None node=$NODE")"
check_eq "run 1: carrier-x unblocks: down>up" 10 \
	"$(rgtool hooks "$H" "dst-up carrier-x 0 down>up ra=None node=$NODE")"
check_eq "run 1: summary webhook_sent = posts" "$(rgtool hooks "$H" posts)" \
	"$(summary webhook_sent)"
check_eq "run 1: webhook_failed" 0 "$(summary webhook_failed)"
check_eq "run 1: webhook_dropped" 0 "$(summary webhook_dropped)"

# Prometheus: a destination whose name needs escaping, then one scrape
rpc "$IT_RUN/odd.json" replyguard.set_limit '["odd\"key\\x", "5"]'
check_eq "run 1: set_limit of a name with a quote and a backslash" 0 \
	"$(rgtool fault "$IT_RUN/odd.json")"
curl -s -m 10 -D "$IT_RUN/metrics.hdr" -o "$IT_RUN/metrics.txt" \
	"http://127.0.0.1:$RPC_PORT/metrics"
rpc "$IT_RUN/list.json" replyguard.list
rpc "$IT_RUN/summary.json" replyguard.summary
check_eq "run 1: /metrics content type" 1 \
	"$(grep -ci '^Content-Type: text/plain; version=0.0.4' "$IT_RUN/metrics.hdr")"
/usr/bin/python3 "$IT_LIB/rgtool.py" prom "$IT_RUN/metrics.txt" "$IT_RUN/list.json" "$IT_RUN/summary.json" \
	| tee "$IT_RUN/prom.check" | sed 's/^/  info /'
check_eq "run 1: /metrics parsed by prometheus_client, equal to RPC" 0 \
	"${PIPESTATUS[0]}"
check_eq "run 1: the escaped label is on the page" 1 \
	"$(grep -c '^replyguard_cps_limit{dst="odd\\"key\\\\x"} 5$' "$IT_RUN/metrics.txt")"
kcmd stats.get_statistics replyguard: >"$IT_RUN/stats.txt"
rgtool stats "$IT_RUN/stats.txt" "$IT_RUN/list.json" | sed 's/^/  info /'
check_eq "run 1: stats.get_statistics replyguard: equal to RPC sums" 0 \
	"${PIPESTATUS[0]}"
check_eq "run 1: replyguard:attempts" \
	"$("$IT_PY" -c 'import json,sys; print(sum(d["attempts"] for d in json.load(open(sys.argv[1]))["result"]))' "$IT_RUN/list.json")" \
	"$(awk '/replyguard:attempts/ {print $3}' "$IT_RUN/stats.txt")"
check_no_errors
kill "$HOOKPID" 2>/dev/null
cp "$IT_RUN/kamailio.log" "$IT_RUN/kamailio.1.log"
kam_stop

# the receiver's last word on each destination's health is its state now
last_words() {
	local n=$1 f=$2 d
	for d in "$C" carrier-x; do
		check_eq "run $n: the last health post of $d is its state now" \
			"dst-$(rg_field "$d" state)" "$(rgtool hooks "$f" "last health $d")"
	done
}

# every change ended sent, replaced by a later one of its destination's
# same state, dropped or refused: none is lost without a count
accounted() {
	local n=$1 sent=$2 replaced dropped failed
	replaced=$(summary webhook_replaced)
	dropped=$(summary webhook_dropped)
	failed=$(summary webhook_failed)
	echo "  info run $n: $EVENTS events: sent $sent, replaced $replaced, dropped $dropped, failed $failed, retries $(summary webhook_retries)"
	check_eq "run $n: every event sent, replaced or dropped, once" \
		"$EVENTS" "$(it_sum "$sent" "$replaced" "$dropped" "$failed")"
	check_cmp "run $n: the full queue replaced older notices" "$replaced" -ge 1
	check_eq "run $n: no last word dropped (4 places, 2 destinations)" 0 \
		"$dropped"
	check_eq "run $n: stats webhook_dropped = summary" "$dropped" \
		"$(kcmd stats.get_statistics replyguard: | awk '/replyguard:webhook_dropped/ {print $3}')"
}

# sent_now N: the webhook queue is empty (none held back either) and the
# receiver has N posts
sent_now() {
	[ "$(summary webhook_queued)" = 0 ] && [ "$(rgtool hooks "$2" posts)" -ge "$1" ]
}

echo "-- run 2: the receiver is down, then comes back"
one_run 2 "modparam(\"replyguard\", \"webhook_url\", \"http://127.0.0.1:$HOOK/replyguard\")" \
	'modparam("replyguard", "webhook_timeout_ms", 300)' \
	'modparam("replyguard", "webhook_retries", 1)' \
	'modparam("replyguard", "webhook_queue", 4)'
check_eq "run 2: every call completed, as without webhooks" "$BASE" "$CALLS_OK"
check_eq "run 2: caller saw no 5xx" 0 "$(sipp_count "caller2" 503_Recv)"
check_eq "run 2: nothing delivered while it is down" 0 "$(summary webhook_sent)"
check_cmp "run 2: notices wait for it (one held back included)" \
	"$(summary webhook_queued)" -ge 1
check_eq "run 2: none refused" 0 "$(summary webhook_failed)"
check_eq "run 2: one log line for the receiver going away" 1 \
	"$(grep -c "webhook: cannot post" "$IT_RUN/kamailio.log")"
grep "webhook: cannot post" "$IT_RUN/kamailio.log" | head -1 |
	sed 's/.*webhook:/  info log: webhook:/'
# it comes back: what waited is posted, the last word of each last
"$IT_PY" "$IT_LIB/hook_server.py" --port $HOOK --out "$IT_RUN/hooks2.jsonl" \
	--max-seconds 90 &
IT_PIDS+=($!)
HOOKPID=$!
wait_tcp $HOOK
H="$IT_RUN/hooks2.jsonl"
wait_until 20 sent_now 2 "$H"
check_eq "run 2: the queue drained once it answered" 0 $?
sent=$(summary webhook_sent)
check_eq "run 2: posts received = webhook_sent" "$sent" "$(rgtool hooks "$H" posts)"
accounted 2 "$sent"
last_words 2 "$H"
check_eq "run 2: one log line for it answering again" 1 \
	"$(grep -c "webhook: posting to .* works again" "$IT_RUN/kamailio.log")"
kill "$HOOKPID" 2>/dev/null
cp "$IT_RUN/kamailio.log" "$IT_RUN/kamailio.2.log"
kam_stop

echo "-- run 3: the receiver answers, slowly (0.4 s a post)"
"$IT_PY" "$IT_LIB/hook_server.py" --port $HOOK --out "$IT_RUN/hooks3.jsonl" \
	--delay 0.4 --max-seconds 90 &
IT_PIDS+=($!)
HOOKPID=$!
wait_tcp $HOOK
one_run 3 "modparam(\"replyguard\", \"webhook_url\", \"http://127.0.0.1:$HOOK/replyguard\")" \
	'modparam("replyguard", "webhook_timeout_ms", 3000)' \
	'modparam("replyguard", "webhook_queue", 4)'
check_eq "run 3: every call completed, as without webhooks" "$BASE" "$CALLS_OK"
H="$IT_RUN/hooks3.jsonl"
wait_until 30 sent_now 2 "$H"
check_eq "run 3: the queue drained" 0 $?
sent=$(summary webhook_sent)
check_eq "run 3: posts received = webhook_sent" "$sent" "$(rgtool hooks "$H" posts)"
check_eq "run 3: none failed" 0 "$(summary webhook_failed)"
accounted 3 "$sent"
last_words 3 "$H"
check_no_errors "webhook: cannot post"
kill "$HOOKPID" 2>/dev/null
cp "$IT_RUN/kamailio.log" "$IT_RUN/kamailio.3.log"
kam_stop
it_finish

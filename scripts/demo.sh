#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make run: kamailio.cfg.sample on loopback, two sipp gateways behind
# dispatcher, a caller for DEMO_SECONDS, then what replyguard saw.
#
#   gw-answer  127.0.0.1:35071  183 with SDP after 40 ms, then 200
#   gw-busy    127.0.0.1:35072  183 without SDP after 15 ms, then 503
#                               with Retry-After: 4
#
# A limits file holds gw-answer to 15 cps (burst 2): with gw-busy blocked,
# the calls above that get 503 with Retry-After from the proxy.
. "$(dirname "$0")/../tests/integration/lib/common.sh"
SECS=${DEMO_SECONDS:-15}
RATE=${DEMO_RATE:-20}
CALLS=$((SECS * RATE))

it_init demo
cat >"$IT_RUN/dispatcher.list" <<LIST
1 sip:127.0.0.1:35071
1 sip:127.0.0.1:35072
LIST
printf "# dst  cps  burst  max_concurrent\nsip:127.0.0.1:35071 15 2 -\n" \
	>"$IT_RUN/replyguard.limits"
sample_args 35060
KAM_ARGS+=(-A "RG_LIMITS=\"$IT_RUN/replyguard.limits\""
	-A "RG_WEBHOOK_URL=\"http://127.0.0.1:35090/hooks\""
	-A "RG_WEBHOOK_SECRET=\"demo-secret\"")
# a webhook receiver on loopback that checks each post's signature
python3 "$IT_LIB/hook_server.py" --port 35090 --out "$IT_RUN/hooks.jsonl" \
	--secret demo-secret --max-seconds $((SECS + 60)) &
IT_PIDS+=($!)
echo "starting kamailio with kamailio.cfg.sample on udp:127.0.0.1:35060"
kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1

sipp_bg gw_answer -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 35071 \
	-d 40 -timeout $((SECS + 30))s
sipp_bg gw_busy -sf "$(render_reject 503 "Service Unavailable" \
	"Retry-After: 4")" -i 127.0.0.1 -p 35072 -d 15 \
	-timeout $((SECS + 30))s
sleep 0.5

echo "calling: $CALLS calls at $RATE cps through the proxy ..."
sipp_fg caller 127.0.0.1:35060 -sf "$IT_SCEN/uac_call.xml" -s demo \
	-i 127.0.0.1 -m "$CALLS" -r "$RATE" -d 200 -timeout $((SECS + 30))s
echo "caller: $(sipp_count caller 200_Recv) 200 OK received (INVITE and BYE), $(sipp_count caller 503_Recv) 503 received"

rpc "$IT_RUN/list.json" replyguard.list
rpc "$IT_RUN/summary.json" replyguard.summary
echo
echo "replyguard.list (via JSON-RPC):"
rgtool table "$IT_RUN/list.json"
echo
echo "replyguard.summary: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"])' "$IT_RUN/summary.json")"
echo
echo "decisions (from kamailio's log):"
grep -E "replyguard|gateway .* is " "$IT_RUN/kamailio.log" |
	grep -E "is down for|is probing|is up|is now (in)?active|gateway|throttled" |
	sed -E 's/.*(\(\)|<script>): //' | head -12
echo "gw-busy got $(sipp_count gw_busy INVITE_Recv) of $CALLS calls; every one of its 503s failed over to gw-answer"
echo "gw-answer is limited to 15 cps: $(rgtool find "$IT_RUN/list.json" sip:127.0.0.1:35071 rejected_throttled) calls over it were refused with 503 and Retry-After"
echo
echo "the same over kamcmd:  kamcmd replyguard.get sip:127.0.0.1:35071"
kcmd replyguard.get sip:127.0.0.1:35071 | head -12
echo
echo "core statistics:  kamcmd stats.get_statistics replyguard:"
kcmd stats.get_statistics replyguard: | sed 's/^/  /'
echo
echo "Prometheus (curl http://127.0.0.1:35080/metrics), a few lines:"
curl -s -m 5 http://127.0.0.1:35080/metrics |
	grep -E '^replyguard_(attempts_total|replies_503_total|state|cps_limit|destinations|webhook_sent_total)[{ ]' |
	sed 's/^/  /'
echo
echo "status page: http://127.0.0.1:35080/replyguard (HTML, refreshes itself;"
echo "  ?format=json for the same as JSON), here as JSON, its summary:"
curl -s -m 5 'http://127.0.0.1:35080/replyguard?format=json' |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print("  ", d["summary"]); print("   destinations:", ", ".join("%s %s" % (x["dst"], x["state"]) for x in d["destinations"]))'
echo
sleep 1
echo "webhook posts received on 127.0.0.1:35090 (signatures checked):"
rgtool hooks "$IT_RUN/hooks.jsonl" | grep -E '^(posts|bad_sig|dst-)' | sed 's/^/  /'

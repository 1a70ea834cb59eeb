#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# status_page: rg_status_page() in a real browser. The sample config
# serves it at /replyguard; two gateways in set 1 (gw1 answers 183 with
# SDP then 200; gw2 answers 503 with Retry-After: 60) and a destination
# named "<script>alert(1)</script>" (a limit set over RPC). During
# traffic, headless Chromium (Debian's) loads the page:
#  - from the DOM (--dump-dom): one row per destination with its state
#    (gw1 up, gw2 down), a chart in every row, the hostile key as text
#    (no script element anywhere);
#  - a screenshot is kept as build/artifacts/status_page.png;
#  - ?format=json gives the same destinations with the RPC names.
. "$(dirname "$0")/../lib/common.sh"
it_init status_page
CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
	echo "status_page: no chromium (make deps installs it)" >&2
	exit 1
fi
P=29660
GW1=sip:127.0.0.1:29671
GW2=sip:127.0.0.1:29672
HOSTILE='<script>alert(1)</script>'
printf "1 %s\n1 %s\n" "$GW1" "$GW2" >"$IT_RUN/dispatcher.list"
sample_args $P
# SIP over TCP too (P + 1): xhttp sees HTTP there as well
KAM_ARGS+=(-A "RG_LISTEN_TCP=tcp:127.0.0.1:$((P + 1))")
kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1
URL=http://127.0.0.1:$RPC_PORT/replyguard

kcmd replyguard.set_limit "$HOSTILE" 5 >"$IT_RUN/hostile.out" 2>&1
check_eq "the hostile key is tracked" "$HOSTILE" \
	"$(kcmd replyguard.get "$HOSTILE" | awk '$1 == "dst:" {sub(/^[ \t]*dst: /, ""); print; exit}')"
sipp_bg gw1 -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 29671 -d 200 \
	-timeout 240s
sipp_bg gw2 -sf "$(render_reject 503 "Service Unavailable" "Retry-After: 60")" \
	-i 127.0.0.1 -p 29672 -d 0 -timeout 240s
wait_udp 29671 29672
sipp_bg caller 127.0.0.1:$P -sf "$IT_SCEN/uac_call.xml" -s 1 -i 127.0.0.1 \
	-m 2000 -r 10 -d 200 -timeout 240s
check_eq "gw2 is down (its 503 with Retry-After)" down \
	"$(wait_eq 10 down rg_field "$GW2" state)"
gw1_ringing() { [ "$(rg_field "$GW1" replies_183)" -ge 5 ] 2>/dev/null; }
wait_until 10 gw1_ringing

# the browser, while the calls go on
chrome() {
	local prof
	prof=$(mktemp -d "$IT_RUN/chrome.XXXXXX")
	timeout -k 5 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --disable-dev-shm-usage \
		--user-data-dir="$prof" "$@" 2>>"$IT_RUN/chromium.log"
}
t0=$(now_ms)
chrome --dump-dom "$URL" >"$IT_RUN/dom.html"
check_eq "chromium loaded the page" 0 $?
echo "  info the browser loaded and rendered it in $(($(now_ms) - t0)) ms"
chrome --window-size=1500,420 --screenshot="$IT_RUN/status_page.png" "$URL"
check_cmp "a screenshot" "$(stat -c %s "$IT_RUN/status_page.png" 2>/dev/null || echo 0)" -gt 5000
mkdir -p "$IT_ROOT/build/artifacts" &&
	cp "$IT_RUN/status_page.png" "$IT_ROOT/build/artifacts/status_page.png"
check_eq "the calls were still going on" 1 \
	"$(kill -0 "$PID_caller" 2>/dev/null && echo 1 || echo 0)"
sipp_stop caller gw1 gw2 2>/dev/null

"$IT_PY" - "$IT_RUN/dom.html" "$GW1" "$GW2" "$HOSTILE" >"$IT_RUN/dom.out" <<'PY'
import sys
from html.parser import HTMLParser
dom, gw1, gw2, hostile = sys.argv[1:5]

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cur, self.cell, self.scripts, self.charts = [], None, None, 0, 0
        self.title = ""
        self.intitle = False
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "script":
            self.scripts += 1
        if tag == "tr" and "data-state" in a:
            self.cur = {"state": a["data-state"], "attr": a.get("data-dst"), "cells": []}
        if tag == "td" and self.cur is not None:
            self.cell = ""
        if tag == "svg" and self.cur is not None and "chart" in a.get("class", ""):
            self.cur["chart"] = True
            self.charts += 1
        if tag == "title":
            self.intitle = True
    def handle_endtag(self, tag):
        if tag == "td" and self.cur is not None and self.cell is not None:
            self.cur["cells"].append(self.cell)
            self.cell = None
        if tag == "tr" and self.cur is not None:
            self.rows.append(self.cur)
            self.cur = None
        if tag == "title":
            self.intitle = False
    def handle_data(self, d):
        if self.cell is not None:
            self.cell += d

p = P()
p.feed(open(dom, encoding="utf-8").read())
by = {r["cells"][0]: r for r in p.rows if r["cells"]}
print("rows", len(p.rows))
print("gw1", by.get(gw1, {}).get("state"), by.get(gw1, {}).get("cells", ["", ""])[1])
print("gw2", by.get(gw2, {}).get("state"), by.get(gw2, {}).get("cells", ["", ""])[1])
print("hostile_text", int(hostile in by and by[hostile]["attr"] == hostile))
print("scripts", p.scripts)
print("charts", p.charts)
print("gw1_183", by.get(gw1, {}).get("cells", [""] * 6)[5] if gw1 in by else "")
PY
dom() { awk -v k="$1" '$1 == k {$1 = ""; sub(/^ /, ""); print; exit}' "$IT_RUN/dom.out"; }
check_eq "a row per destination" 3 "$(dom rows)"
check_eq "gw1's row: up" "up up" "$(dom gw1)"
check_eq "gw2's row: down" "down down" "$(dom gw2)"
check_eq "the hostile key shown as text (a cell and an attribute)" 1 "$(dom hostile_text)"
check_eq "no script element in the page" 0 "$(dom scripts)"
check_eq "a chart in every row" 3 "$(dom charts)"
check_cmp "gw1's 183 count on the page" "$(dom gw1_183)" -ge 5

curl -s -m 10 -o "$IT_RUN/status.json" -w '%{content_type}\n' "$URL?format=json" >"$IT_RUN/ctype"
check_eq "?format=json is JSON" application/json "$(cat "$IT_RUN/ctype")"
"$IT_PY" - "$IT_RUN/status.json" "$GW1" "$GW2" "$HOSTILE" >"$IT_RUN/json.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
by = {x["dst"]: x for x in d["destinations"]}
print("n", d["summary"]["destinations"], len(d["destinations"]))
print("gw2", by[sys.argv[3]]["state"], by[sys.argv[3]]["replies_503_retry_after"] > 0,
      by[sys.argv[3]]["window"]["replies_503"] > 0)
print("hostile", by[sys.argv[4]]["cps_limit"])
PY
check_eq "JSON: 3 destinations, in the summary and the list" "3 3" \
	"$(awk '$1 == "n" {print $2, $3}' "$IT_RUN/json.out")"
check_eq "JSON: gw2 down, its 503s with Retry-After, in the window too" \
	"down True True" "$(awk '$1 == "gw2" {print $2, $3, $4}' "$IT_RUN/json.out")"
check_eq "JSON: the hostile key with its limit" 5 \
	"$(awk '$1 == "hostile" {print $2}' "$IT_RUN/json.out")"

# the pages only on their own listener, and only to RG_HTTP_ALLOW
code_of() { curl -s -m 10 -o /dev/null -w '%{http_code}' "$@"; }
RPC_BODY='{"jsonrpc":"2.0","method":"core.version","id":1}'
check_eq "the HTTP listener serves /metrics" 200 \
	"$(code_of "http://127.0.0.1:$RPC_PORT/metrics")"
check_eq "the SIP TCP listener refuses /metrics" 403 \
	"$(code_of "http://127.0.0.1:$((P + 1))/metrics")"
check_eq "the SIP TCP listener refuses /replyguard" 403 \
	"$(code_of "http://127.0.0.1:$((P + 1))/replyguard")"
check_eq "the SIP TCP listener refuses JSON-RPC" 403 \
	"$(code_of -d "$RPC_BODY" "http://127.0.0.1:$((P + 1))/RPC")"
check_eq "JSON-RPC on the HTTP listener works" 200 \
	"$(code_of -d "$RPC_BODY" "http://127.0.0.1:$RPC_PORT/RPC")"
# a scrape storm: 100 requests, 10 at a time, cost one walk of the table
# per page_cache_ms (1 s) they took, the rest served the same page
summ() { kcmd replyguard.summary | awk -v k="$1:" '$1 == k {print $2; exit}'; }
b0=$(summ page_builds)
h0=$(summ page_cache_hits)
t0=$(now_ms)
seq 100 | xargs -P 10 -I{} curl -s -m 10 -o /dev/null \
	"http://127.0.0.1:$RPC_PORT/metrics"
t1=$(now_ms)
builds=$(($(summ page_builds) - b0))
hits=$(($(summ page_cache_hits) - h0))
echo "  info 100 scrapes in $((t1 - t0)) ms: $builds walks, $hits from the cache"
check_eq "100 scrapes: each a walk or a cache hit" 100 $((builds + hits))
check_cmp "100 scrapes: at most one walk per second they took" "$builds" \
	-le $((1 + (t1 - t0) / 1000))
check_no_errors
sipp_stop caller gw1 gw2
kam_stop
# an address not listed gets 403, on the pages' own listener too
sample_args $P
KAM_ARGS+=(-A 'RG_HTTP_ALLOW="^192[.]0[.]2[.]1$"')
kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1
check_eq "127.0.0.1 not in RG_HTTP_ALLOW: /metrics refused" 403 \
	"$(code_of "http://127.0.0.1:$RPC_PORT/metrics")"
check_eq "127.0.0.1 not in RG_HTTP_ALLOW: JSON-RPC refused" 403 \
	"$(code_of -d "$RPC_BODY" "http://127.0.0.1:$RPC_PORT/RPC")"
check_no_errors
it_finish

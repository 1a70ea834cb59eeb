#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# metrics_big: the metrics page works with the default pkg pool, whatever
# the table holds.
. "$(dirname "$0")/../lib/common.sh"
it_init metrics_big
N=1200
printf "" >"$IT_RUN/dispatcher.list"
KAM_MEM="-m 256 -M 8"
failover_start 27100 2000 4 \
	'modparam("replyguard", "prometheus_max_destinations", 5000)' || exit 1

# N destinations with 100-character names, added over JSON-RPC by one
# client process
"$IT_PY" - "$RPC_PORT" "$N" >"$IT_RUN/add.out" <<'PY'
import json, sys, urllib.request
port, n = int(sys.argv[1]), int(sys.argv[2])
ok = 0
for i in range(n):
    key = "carrier-%s-%04d" % ("x" * 87, i)
    assert len(key) == 100
    body = json.dumps({"jsonrpc": "2.0", "method": "replyguard.set_limit",
                       "params": [key, 1000], "id": i}).encode()
    req = urllib.request.Request("http://127.0.0.1:%d/RPC" % port, body,
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        doc = json.load(r)
    ok += "error" not in doc
print(ok)
PY
check_eq "destinations added" "$N" "$(cat "$IT_RUN/add.out")"
rpc "$IT_RUN/summary.json" replyguard.summary
check_eq "tracked" "$N" "$(rgtool get "$IT_RUN/summary.json" destinations)"

code=$(curl -s -m 20 -o "$IT_RUN/metrics.txt" -w '%{http_code}' \
	"http://127.0.0.1:$RPC_PORT/metrics")
check_eq "scrape answers 200 with the default pkg pool" 200 "$code"
/usr/bin/python3 - "$IT_RUN/metrics.txt" "$N" >"$IT_RUN/parse.out" 2>&1 <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
dsts, omitted = set(), None
for fam in text_string_to_metric_families(text):
    for s in fam.samples:
        if "dst" in s.labels:
            dsts.add(s.labels["dst"])
        if s.name == "replyguard_exposition_omitted":
            omitted = int(s.value)
print(len(dsts), omitted, len(dsts) + omitted, len(text))
PY
read -r shown omitted total bytes <"$IT_RUN/parse.out"
echo "  info page: $bytes bytes, $shown destinations shown, $omitted omitted"
check_eq "shown + omitted = every destination" "$N" "$total"
check_cmp "most destinations shown" "$shown" -ge 100
# a second scrape works as well (nothing leaked)
code=$(curl -s -m 20 -o /dev/null -w '%{http_code}' \
	"http://127.0.0.1:$RPC_PORT/metrics")
check_eq "second scrape" 200 "$code"
check_no_errors
it_finish

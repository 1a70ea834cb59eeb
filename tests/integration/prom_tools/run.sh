#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# prom_tools: Prometheus's own tools on what replyguard ships.
#  - `promtool check metrics` on the live /metrics page of the sample
#    config (destinations with a limit, a block, and a key with a quote
#    and a backslash in it): no error and no lint warning;
#  - `promtool check rules` on doc/prometheus/replyguard-alerts.yml and
#    `promtool test rules` on its synthetic series (each alert fires for
#    the series that must fire it, and not for the others);
#  - every replyguard_* name in the rules and in the Grafana dashboard
#    (doc/prometheus/replyguard-dashboard.json) is a family on that page.
. "$(dirname "$0")/../lib/common.sh"
it_init prom_tools
PROM=$IT_ROOT/doc/prometheus
P=29300
printf "1 sip:127.0.0.1:29311\n1 sip:127.0.0.1:29312\n" >"$IT_RUN/dispatcher.list"
sample_args $P
kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1

kcmd replyguard.set_limit sip:127.0.0.1:29311 20 2 >/dev/null
kcmd replyguard.block sip:127.0.0.1:29312 60 >/dev/null
rpc "$IT_RUN/odd.json" replyguard.set_limit '["odd\"key\\x", "5"]'
check_eq "the blocked gateway is down" down "$(rg_field sip:127.0.0.1:29312 state)"

code=$(curl -s -m 20 -o "$IT_RUN/metrics.txt" -w '%{http_code}' \
	"http://127.0.0.1:$RPC_PORT/metrics")
check_eq "GET /metrics" 200 "$code"
check_cmp "the page has samples" "$(grep -c '^replyguard_' "$IT_RUN/metrics.txt")" -gt 50
check_eq "the odd key is on the page, escaped" 1 \
	"$(grep -c '^replyguard_state{dst="odd\\"key\\\\x"} ' "$IT_RUN/metrics.txt")"
promtool check metrics <"$IT_RUN/metrics.txt" >"$IT_RUN/check.out" 2>&1
rc=$?
check_eq "promtool check metrics: exit status" 0 "$rc"
check_eq "promtool check metrics: lines of findings" 0 "$(wc -l <"$IT_RUN/check.out")"
[ -s "$IT_RUN/check.out" ] && head -5 "$IT_RUN/check.out"

promtool check rules "$PROM/replyguard-alerts.yml" >"$IT_RUN/rules.out" 2>&1
check_eq "promtool check rules: exit status" 0 $?
check_eq "promtool check rules: 10 rules" 1 "$(grep -c 'SUCCESS: 10 rules found' "$IT_RUN/rules.out")"
(cd "$PROM" && promtool test rules replyguard-alerts.test.yml) >"$IT_RUN/test.out" 2>&1
rc=$?
check_eq "promtool test rules: exit status" 0 "$rc"
[ "$rc" -eq 0 ] || tail -20 "$IT_RUN/test.out"

# the rule tests fail when a threshold moves (their series sit on both
# sides of each one): ASR 0.3 -> 0.4, ISA 0.1 -> 0.05, SRD p95 5 s -> 3 s
for mut in 's/replyguard_asr_ratio < 0.3/replyguard_asr_ratio < 0.4/' \
	's/replyguard_isa_ratio > 0.1/replyguard_isa_ratio > 0.05/' \
	's/bucket\[10m\]))) > 5/bucket[10m]))) > 3/'; do
	mkdir -p "$IT_RUN/mut"
	sed "$mut" "$PROM/replyguard-alerts.yml" >"$IT_RUN/mut/replyguard-alerts.yml"
	cp "$PROM/replyguard-alerts.test.yml" "$IT_RUN/mut/"
	check_eq "the mutation changes the rules [$mut]" 1 \
		"$(cmp -s "$PROM/replyguard-alerts.yml" "$IT_RUN/mut/replyguard-alerts.yml"; echo $?)"
	(cd "$IT_RUN/mut" && promtool test rules replyguard-alerts.test.yml) >/dev/null 2>&1
	check_eq "promtool test rules fails with it" 1 "$?"
done

# every name the rules and the dashboard use is exported (a histogram's
# series by its family's name)
families() { awk '$1 == "#" && $2 == "TYPE" {print $3}' "$IT_RUN/metrics.txt" | sort -u; }
families >"$IT_RUN/families.txt"
check_cmp "families on the page" "$(wc -l <"$IT_RUN/families.txt")" -gt 30
for f in replyguard-alerts.yml replyguard-dashboard.json; do
	grep -o 'replyguard_[a-z0-9_]*' "$PROM/$f" |
		sed -E 's/^(replyguard_[a-z0-9_]*_seconds)_(bucket|sum|count)$/\1/' |
		sort -u >"$IT_RUN/used.txt"
	check_cmp "$f names metrics" "$(wc -l <"$IT_RUN/used.txt")" -ge 5
	missing=$(comm -23 "$IT_RUN/used.txt" "$IT_RUN/families.txt" | tr '\n' ' ')
	check_eq "$f: metrics it names that the module does not export [${missing% }]" \
		0 "$(comm -23 "$IT_RUN/used.txt" "$IT_RUN/families.txt" | wc -l)"
done
python3 -m json.tool "$PROM/replyguard-dashboard.json" >/dev/null
check_eq "the dashboard is valid JSON" 0 $?

check_no_errors
it_finish

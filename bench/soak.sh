#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make soak (and the last part of make bench): months of traffic in
# minutes. The packaged Kamailio with the built module (bench/soak.cfg),
# a sipp caller and two sipp destinations on 127.0.0.1:
#
#   warm-up   SOAK_WARM calls (2 key groups, 40 s): the table has held
#             two groups at once, as many as it ever holds
#   start     snapshot
#   half 1    SOAK_CALLS / 2 calls
#   middle    snapshot
#   half 2    SOAK_CALLS / 2 calls
#   end       snapshot
#
# 50,000 distinct name keys churn through the 4096-entry table (how, in
# bench/soak.cfg). A snapshot is taken once the proxy is quiet (tm has no
# transaction left, the load paused): shared memory (core.shmmem) and
# every process's private memory (pkg.stats), which must stay within 1%
# of the start. Under load a snapshot would mostly measure how many
# transactions tm holds at that instant; those figures are sampled every
# SOAK_SAMPLE s and reported as a range. At the end replyguard's totals
# must equal what the sipp peers counted, exactly.
#
# SOAK_CALLS (1000000), SOAK_RATE (800 cps), SOAK_WARM (40 x rate),
# SOAK_OUT (bench/results.md; "-" for none). Every peer is bounded in calls
# and time, and the whole run by SOAK_LIMIT seconds. Run it in a network
# namespace of its own when other runs share the machine (fixed ports
# 27100-27102): ip netns exec NS bench/soak.sh
BENCH=$(cd "$(dirname "$0")" && pwd)
. "$BENCH/../tests/integration/lib/common.sh"
CALLS=${SOAK_CALLS:-1000000}
RATE=${SOAK_RATE:-800}
EPOCH_S=20 # seconds of calls per key group
EPOCH=$((EPOCH_S * RATE))
GSIZE=2000 NGROUPS=25 # 50,000 keys
WARM=${SOAK_WARM:-$((2 * EPOCH))}
SAMPLE=${SOAK_SAMPLE:-30}
OUT=${SOAK_OUT:-$BENCH/results.md}
PORT=27100 UAS_A=27101 UAS_B=27102
HALF=$((CALLS / 2))
LIMIT=${SOAK_LIMIT:-$(((WARM + CALLS) * 2 / RATE + 300))}
it_init soak
DATA="$IT_RUN/data"
mkdir -p "$DATA"
echo "soak: $CALLS calls (+ $WARM warm-up) at $RATE cps, limit $LIMIT s"

# nap SECONDS: a sleep that ends with the subshell running it (killed, the
# subshell takes its sleep along instead of leaving it behind)
nap() {
	sleep "$1" &
	NAP=$!
	trap 'kill "$NAP" 2>/dev/null; exit 0' TERM
	wait "$NAP"
}

# the hard limit: the whole run, whatever hangs
(
	nap "$LIMIT"
	echo "soak: over the limit of $LIMIT s: stopped" >&2
	kill -TERM $$
) &
WATCHDOG=$!
IT_PIDS+=("$WATCHDOG")

KAM_MEM="-m 512 -M 16" kam_start "$BENCH/soak.cfg" \
	-e "s#@PORT@#$PORT#g" -e "s#@UAS_A@#$UAS_A#g" -e "s#@UAS_B@#$UAS_B#g" \
	-e "s#@GSIZE@#$GSIZE#g" -e "s#@GROUPS@#$NGROUPS#g" \
	-e "s#@EPOCH@#$EPOCH#g" || exit 1

# the destinations: 183 + SDP then 200, and 183 then 503 (no
# Retry-After), each final 20 ms after its 183 (right behind it, another
# worker may relay the final first and tm drops the late 183: see
# render_answer). They run until stopped, which writes their final counts
# sipp's sockets get 4 MB buffers too (its default is 64 kB)
BUF=(-buff_size 4194304)
sipp_bg uas_a -sf "$(render_answer 20)" -i 127.0.0.1 -p $UAS_A -d 5 "${BUF[@]}" \
	-timeout "${LIMIT}s" -trace_stat -stf "$IT_RUN/uas_a/stat.csv"
sipp_bg uas_b -sf "$(render_reject 503 "Service Unavailable" "X-Soak: b" 20)" \
	-i 127.0.0.1 -p $UAS_B -d 5 "${BUF[@]}" -timeout "${LIMIT}s" \
	-trace_stat -stf "$IT_RUN/uas_b/stat.csv"
wait_udp $UAS_A $UAS_B

# the caller: R-URI user "<offset>-<call number>" (bench/soak.cfg)
UAC="$IT_RUN/uac_soak.xml"
sed -e 's#\[service\]@#[service]-[call_number]@#g' "$IT_SCEN/uac_call.xml" >"$UAC"

snmp() { awk '/^Udp: [0-9]/ {print $6}' /proc/net/snmp; } # RcvbufErrors
SNMP0=$(snmp)

# snap NAME: the proxy's memory and counters, once tm holds no transaction
snap() {
	local i cur
	for i in $(seq 1 600); do
		cur=$(kcmd tm.stats 2>/dev/null | awk '$1 == "current:" {print $2}')
		[ "$cur" = 0 ] && break
		sleep 0.1
	done
	echo "  snapshot $1 (tm current ${cur:-?}, waited $((i / 10)) s)"
	{
		echo "time $(date +%s)"
		echo "tm_current ${cur:-?}"
	} >"$DATA/snap_$1.txt"
	kcmd core.shmmem >"$DATA/snap_$1.shm"
	kcmd pkg.stats >"$DATA/snap_$1.pkg"
	kcmd stats.get_statistics replyguard: >"$DATA/snap_$1.stats"
	kcmd replyguard.summary >"$DATA/snap_$1.summary"
	kcmd core.psx >"$DATA/snap_$1.ps"
}

# sampler: under load, every SAMPLE s
sampler() {
	while nap "$SAMPLE"; do
		printf '%s %s %s %s %s\n' "$(date +%s)" \
			"$(kcmd core.shmmem | awk '$1 == "real_used:" {print $2}')" \
			"$(kcmd tm.stats | awk '$1 == "current:" {print $2}')" \
			"$(kcmd replyguard.summary | awk '$1 == "destinations:" {print $2}')" \
			"$(udp_drops $PORT)"
	done >>"$DATA/samples.txt"
}

# leg NAME OFFSET CALLS: one caller run; its status
leg() {
	local name=$1 off=$2 n=$3 t0 rc
	echo "-- $name: $n calls at $RATE cps (keys from call $off)"
	t0=$(date +%s)
	SIPP_FG_LIMIT=$((n / RATE + 120)) sipp_fg "uac_$name" "127.0.0.1:$PORT" \
		-sf "$UAC" -s "$off" -i 127.0.0.1 -m "$n" -r "$RATE" -d 1 "${BUF[@]}" \
		-timeout "$((n / RATE + 90))s" -trace_stat -fd 10 \
		-stf "$IT_RUN/uac_$name/stat.csv" -default_behaviors all,-abortunexp
	rc=$?
	echo "$name $off $n $t0 $(date +%s) $rc" >>"$DATA/legs.txt"
	echo "  $name: status $rc, $(($(date +%s) - t0)) s"
	return $rc
}

: >"$DATA/legs.txt"
: >"$DATA/samples.txt"
sampler &
SAMPLER=$!
IT_PIDS+=("$SAMPLER")
ok=1
leg warm 0 "$WARM" || ok=
snap start
leg half1 "$WARM" "$HALF" || ok=
snap middle
leg half2 $((WARM + HALF)) $((CALLS - HALF)) || ok=
snap end
kill "$SAMPLER" 2>/dev/null
sipp_stop uas_a uas_b
{
	echo "udp_rcvbuf_errors $(($(snmp) - SNMP0))"
	echo "udp_drops_proxy $(udp_drops $PORT)"
	echo "kamailio_errors $(grep -cE 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log")"
	echo "netns $(ip netns identify $$ 2>/dev/null | grep . || echo -)"
} >"$DATA/drops.txt"

# the sipp counts: the caller's three runs, the destinations' one run
for p in uac_warm uac_half1 uac_half2 uas_a uas_b; do
	for m in INVITE_Sent INVITE_Recv 183_Sent 183_Recv 200_Sent 200_Recv \
		503_Sent 503_Recv BYE_Sent BYE_Recv ACK_Sent ACK_Recv; do
		echo "$p $m $(sipp_count "$p" "$m" 2>/dev/null)"
	done
	echo "$p late183 $(sipp_late "$p" 183)"
	echo "$p late503 $(sipp_late "$p" 503)"
done >"$DATA/sipp_counts.txt"

rm -rf "$BENCH/soak-last-run" && cp -r "$DATA" "$BENCH/soak-last-run"
"$IT_PY" "$BENCH/soak_report.py" "$IT_RUN" "$OUT" "$RATE" "$CALLS" "$WARM" \
	"$GSIZE" "$NGROUPS" "$EPOCH"
rc=$?
[ -n "$ok" ] || rc=1
# shellcheck disable=SC2034 # common.sh's cleanup keeps the run dir on a failure
IT_FAIL=$rc
kam_stop
exit $rc

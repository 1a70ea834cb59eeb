#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: what replyguard costs, as ratios measured in one run.
#
#   micro    the core's per-call path in ns (bench/micro.c)
#   e2e      sipp -> kamailio -> sipp on loopback at a fixed rate and count,
#            three proxies side by side: (a) plain dispatcher proxy,
#            (b) + replyguard, (c) + htable counting in script; interleaved
#            a b c a b c ...; Kamailio CPU per call from /proc/<pid>/schedstat
#            over all its processes
#   maxcps   the highest clean rate of (a) and (b), bisected
#   callgrind instructions per call of (a), (b) and (c) at a low rate,
#            and what (b) adds to (a) function by function
#   soak     1,000,000 calls with 50,000 destinations churning through the
#            4096-entry table: shm and every process's pkg flat, the
#            module's totals equal to sipp's (bench/soak.sh; not with
#            BENCH_QUICK)
#   cluster  two real nodes with cluster 1 and 10000 destinations with a
#            budget: DMQ messages a second and shared memory, idle and
#            busy (bench/cluster_volume.sh)
#
# BENCH_QUICK=1: fewer and shorter runs (under 2 minutes). Everything binds
# 127.0.0.1; every load is bounded in calls and time.
BENCH=$(cd "$(dirname "$0")" && pwd)
. "$BENCH/../tests/integration/lib/common.sh"
OUT=${BENCH_OUT:-$BENCH/results.md}
if [ -n "${BENCH_QUICK:-}" ]; then
	RATE=300 SECS=3 REPS=2 STEP_SECS=2 BISECT=3 CG_CALLS=40 MICRO_ITERS=300000
else
	RATE=400 SECS=8 REPS=7 STEP_SECS=5 BISECT=6 CG_CALLS=200 MICRO_ITERS=3000000
fi
CALLS=$((RATE * SECS))
# BENCH_PARTS=callgrind: only the instruction counts (no report written);
# BENCH_PARTS=soak: only the soak (bench/soak.sh)
PARTS=${BENCH_PARTS:-all}
[ "$PARTS" = soak ] && exec "$BENCH/soak.sh"
it_init bench
DATA="$IT_RUN/data"
mkdir -p "$DATA"

if [ "$PARTS" = all ]; then
echo "-- micro: the core's call path"
CORE="$IT_ROOT/modules/replyguard"
cc -O2 -std=gnu11 -I"$CORE" -I"$BENCH" -o "$IT_RUN/micro" "$BENCH/micro.c" \
	"$BENCH/seam_shm.c" "$CORE"/rg_counters.c "$CORE"/rg_key.c \
	"$CORE"/rg_table.c "$CORE"/rg_branch_rules.c "$CORE"/rg_entry.c "$CORE"/rg_entry_keep.c "$CORE"/rg_entry_repl.c "$CORE"/rg_ext.c "$CORE"/rg_guard.c "$CORE"/rg_state.c "$CORE"/rg_text.c \
	"$CORE"/rg_fields.c "$CORE"/rg_codes.c "$CORE"/rg_window.c \
	"$CORE"/rg_health.c \
	"$CORE"/rg_throttle.c "$CORE"/rg_demand.c "$CORE"/rg_share.c \
	"$CORE"/rg_hist.c "$CORE"/rg_kpi.c "$CORE"/rg_reason.c "$CORE"/rg_entry_kpi.c \
	"$CORE"/rg_entry_snap.c "$CORE"/rg_entry_base.c "$CORE"/rg_entry_kind.c "$CORE"/rg_hdr.c || exit 1
"$IT_RUN/micro" "$MICRO_ITERS" | tee "$DATA/micro.txt"
echo "-- cluster: two real nodes, 10000 destinations with a budget, idle then busy"
if [ -n "${BENCH_QUICK:-}" ]; then
	"$BENCH/cluster_volume.sh" "$DATA/cluster.txt" 2000 5 || exit 1
else
	"$BENCH/cluster_volume.sh" "$DATA/cluster.txt" 10000 20 || exit 1
fi
cat "$DATA/cluster.txt"
fi

# start_proxy NAME PORT DEFINE: one kamailio of bench/proxy.cfg, its own
# run dir, dispatcher set 1 = the UAS on PORT+1, which answers 183 + SDP,
# then 200 20 ms later (sooner, and a worker may relay the 200 before the
# 183: sipp would count that call failed)
start_proxy() {
	local name=$1 port=$2 def=$3 dir="$IT_RUN/$1"
	mkdir -p "$dir"
	echo "1 sip:127.0.0.1:$((port + 1))" >"$dir/dispatcher.list"
	sed -e "s#@RUNDIR@#$dir#g" -e "s#@MODULE@#$RG_MODULE#g" \
		-e "s#@MPATH@#$KAM_MPATH#g" -e "s#@PORT@#$port#g" \
		-e "s#@CHILDREN@#${CHILDREN:-4}#g" "$BENCH/proxy.cfg" >"$dir/kamailio.cfg"
	local args=(-DD -E -f "$dir/kamailio.cfg" -Y "$dir" -P "$dir/pid" -m "${SHM_MB:-1024}"
		-M 16 -x tlsf)
	[ -n "$def" ] && args+=(-A "$def")
	${KAM_WRAP:-} "$KAMAILIO" "${args[@]}" >"$dir/kamailio.log" 2>&1 &
	eval "KPID_$name=$!"
	IT_PIDS+=($!)
	local i
	for i in $(seq 1 300); do
		"$KAMCMD" -s "unix:$dir/ctl.sock" core.uptime >/dev/null 2>&1 && break
		sleep 0.1
	done
	sipp_bg "uas_$name" -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 \
		-p $((port + 1)) -d 20 -timeout 1800s
}

# cpu_ns NAME: CPU ns so far over all processes of proxy NAME
cpu_ns() {
	local pid
	eval "pid=\$KPID_$1"
	{ echo "$pid"; pgrep -P "$pid"; } | while read -r p; do
		cut -d' ' -f1 "/proc/$p/schedstat" 2>/dev/null
	done | awk '{s += $1} END {printf "%.0f\n", s}'
}

rcvbuf() { awk '/^Udp: [0-9]/ {print $6}' /proc/net/snmp; }

# load NAME PORT RATE CALLS TAG: one caller run; prints
# "calls_ok retrans rcvbuf_errors cpu_ns elapsed_s"
load() {
	local name=$1 port=$2 rate=$3 calls=$4 tag=$5 c0 c1 r0 r1 t0 t1
	r0=$(rcvbuf)
	c0=$(cpu_ns "$name")
	t0=$(date +%s.%N)
	sipp_fg "c_$tag" 127.0.0.1:$port -sf "$IT_SCEN/uac_call.xml" -s 1 \
		-i 127.0.0.1 -m "$calls" -r "$rate" -d 1 -timeout $((calls / rate + 20))s \
		-trace_stat -fd 60 -stf "$IT_RUN/c_$tag/stat.csv" \
		-default_behaviors all,-abortunexp
	t1=$(date +%s.%N)
	sleep 0.3
	c1=$(cpu_ns "$name")
	r1=$(rcvbuf)
	python3 - "$IT_RUN/c_$tag" "$((c1 - c0))" "$((r1 - r0))" "$t0" "$t1" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1] + "/stat.csv"), delimiter=";"))
st = dict(zip(rows[0], rows[-1]))
ok = int(st["SuccessfulCall(C)"])
rt = int(st["Retransmissions(C)"])
print(ok, rt, sys.argv[3], sys.argv[2], "%.2f" % (float(sys.argv[5]) - float(sys.argv[4])))
PY
}

if [ "$PARTS" = all ]; then
echo "-- e2e: $REPS x (a b c), $CALLS calls at $RATE cps each"
start_proxy a 26000 ""
start_proxy b 26100 WITH_RG
start_proxy c 26200 WITH_HTABLE
# warm every worker first: a worker's first calls are slow enough that a
# 183 can overtake its 200, which sipp counts as a failed call
for cfg in a b c; do
	case $cfg in a) port=26000 ;; b) port=26100 ;; c) port=26200 ;; esac
	load $cfg $port 100 200 "warm_$cfg" >"$DATA/warm_$cfg.txt"
done
: >"$DATA/e2e.txt"
for rep in $(seq 1 "$REPS"); do
	for cfg in a b c; do
		case $cfg in a) port=26000 ;; b) port=26100 ;; c) port=26200 ;; esac
		line=$(load $cfg $port $RATE $CALLS "e2e_${cfg}_$rep")
		echo "$cfg $rep $CALLS $line" | tee -a "$DATA/e2e.txt"
	done
done

echo "-- maxcps: bisect the highest clean rate of a and b ($STEP_SECS s steps)"
: >"$DATA/maxcps.txt"
for cfg in a b; do
	case $cfg in a) port=26000 ;; b) port=26100 ;; esac
	# the first step (1300 cps) is below what overloaded a proxy (2100)
	lo=200 hi=2400
	for i in $(seq 1 "$BISECT"); do
		mid=$(((lo + hi) / 2))
		n=$((mid * STEP_SECS))
		read -r ok rt rb _ el <<<"$(load $cfg $port $mid $n "max_${cfg}_$i")"
		# clean: every call, no retransmission, no socket drop, and the
		# caller kept the rate (elapsed within 1.5 x the planned time)
		if [ "$ok" -eq "$n" ] && [ "$rt" -eq 0 ] && [ "$rb" -eq 0 ] &&
			python3 -c "import sys; sys.exit(0 if $el <= 1.5 * $STEP_SECS + 2 else 1)"; then
			lo=$mid verdict=clean
		else
			hi=$mid verdict=dirty
		fi
		echo "$cfg $mid $n $ok $rt $rb $el $verdict" | tee -a "$DATA/maxcps.txt"
		sleep 1
	done
	echo "$cfg max $lo" | tee -a "$DATA/maxcps.txt"
done
kill "$KPID_a" "$KPID_b" "$KPID_c" 2>/dev/null
wait "$KPID_a" "$KPID_b" "$KPID_c" 2>/dev/null
fi

echo "-- callgrind: instructions per call in receive_msg(), $CG_CALLS calls at 20 cps"
# Only what runs under receive_msg() (every SIP message, request or reply,
# in every process) is counted: deterministic per-message cost. Timers
# (tm's, replyguard's 1 s scan) are not in it.
: >"$DATA/callgrind.txt"
# (a) dispatcher proxy, (b) + replyguard with its onreply route, (c) (a)
# + the htable script, (b2) replyguard with no reply route (replies
# inspected from tm callbacks: modparam reply_callbacks), (a2) (a) with
# the routes (b) and (c) arm, empty: what (b) costs is b - a2, what (b2)
# costs is b2 - a (it arms no reply route).
CG_CFGS=${CG_CFGS:-a a2 b b2 c}
for cfg in $CG_CFGS; do
	case $cfg in
	a) port=26300 def="" ;;
	a2) port=26500 def=WITH_SAME_ROUTES ;;
	b) port=26400 def=WITH_RG ;;
	c) port=29100 def=WITH_HTABLE ;;
	b2) port=29200 def=WITH_RG_CB ;;
	esac
	mkdir -p "$IT_RUN/cg_$cfg"
	SHM_MB=256 CHILDREN=2 KAM_WRAP="valgrind --tool=callgrind --collect-atstart=no \
--toggle-collect=receive_msg --callgrind-out-file=$IT_RUN/cg_$cfg/out.%p -q" \
		start_proxy "cg_$cfg" $port "$def"
	# warm-up calls are counted too, so they are part of CG_CALLS
	load "cg_$cfg" $port 20 "$CG_CALLS" "cg_$cfg" >"$DATA/cg_$cfg.load"
	eval "kill \$KPID_cg_$cfg; wait \$KPID_cg_$cfg" 2>/dev/null
	eval "kill \$PID_uas_cg_$cfg" 2>/dev/null
	sleep 3 # the children write their files as they exit
	ir=$(cat "$IT_RUN/cg_$cfg"/out.* 2>/dev/null | awk '/^totals:/ {s += $2} END {printf "%.0f", s}')
	echo "$cfg $CG_CALLS $ir" | tee -a "$DATA/callgrind.txt"
	# every function's own instructions, summed over the processes: the
	# per-function breakdown of (b) - (a) in the report
	for f in "$IT_RUN/cg_$cfg"/out.*; do
		callgrind_annotate --inclusive=no --threshold=100 "$f" 2>/dev/null
	done | python3 "$BENCH/cg_funcs.py" >"$DATA/cg_funcs_$cfg.txt"
	# replyguard's own entry points, inclusive
	case $cfg in b | b2)
		rg=0
		for f in "$IT_RUN/cg_$cfg"/out.*; do
			n=$(callgrind_annotate --inclusive=yes --threshold=100 "$f" 2>/dev/null |
				awk '/(w_rg_allow|w_rg_inspect|rg_branch_post_script|rg_branch_on_tm|after_reply|before_request) / {
					gsub(",", "", $1); s += $1 } END {printf "%.0f", s}')
			rg=$((rg + ${n:-0}))
		done
		echo "rg_$cfg $CG_CALLS $rg" | tee -a "$DATA/callgrind.txt"
		;;
	esac
	[ -n "${BENCH_KEEP_CG:-}" ] || rm -f "$IT_RUN/cg_$cfg"/out.*
done
# (b) against the config arming the same routes, (b2) against (a)
for pair in b:a2 b2:a; do
	cfg=${pair%%:*} base=${pair#*:}
	if [ -s "$DATA/cg_funcs_$base.txt" ] && [ -s "$DATA/cg_funcs_$cfg.txt" ]; then
		echo "-- callgrind: what ($cfg) adds to ($base), per call"
		python3 "$BENCH/cg_funcs.py" --diff "$DATA/cg_funcs_$base.txt" \
			"$DATA/cg_funcs_$cfg.txt" "$CG_CALLS" | tee "$DATA/cg_diff_$cfg.txt"
	fi
done
eval "kill \$PID_uas_cg_a \$PID_uas_cg_b \$PID_uas_a \$PID_uas_b \$PID_uas_c" 2>/dev/null

[ "$PARTS" = all ] || exit 0
rm -rf "$BENCH/last-run" && cp -r "$DATA" "$BENCH/last-run"
python3 "$BENCH/report.py" "$DATA" "$OUT" "$RATE" "$CALLS" "$REPS"
# the soak writes its own section of the report (report.py keeps it)
soak_rc=0
if [ -z "${BENCH_QUICK:-}" ]; then
	echo "-- soak: bench/soak.sh"
	SOAK_OUT=$OUT "$BENCH/soak.sh" || soak_rc=1
fi
cat "$OUT"
exit $soak_rc

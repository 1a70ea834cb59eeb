# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for integration cases: start the packaged kamailio with the
# built module, run sipp peers, query RPC, and count assertions. Everything
# binds 127.0.0.1; every peer has a bounded call count and timeout.

IT_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT_ROOT=$(cd "$IT_LIB/../../.." && pwd)
IT_SCEN="$IT_LIB/../scenarios"
RG_MODULE=${RG_MODULE:-$IT_ROOT/modules/replyguard/replyguard.so}
KAM_MPATH=${KAM_MPATH:-/usr/lib/x86_64-linux-gnu/kamailio/modules/}
KAMAILIO=${KAMAILIO:-/usr/sbin/kamailio}

IT_PASS=0
IT_FAIL=0
IT_PIDS=()
KAM_ARGS=()

# it_init NAME: a fresh run directory, and cleanup on exit
it_init() {
	IT_NAME=$1
	IT_RUN=$(mktemp -d "/tmp/rg-it-$1.XXXXXX")
	trap it_cleanup EXIT
	echo "== $IT_NAME (run dir $IT_RUN)"
}

it_cleanup() {
	local p
	for p in "${IT_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	kam_stop
	if [ "$IT_FAIL" -eq 0 ] && [ -z "$IT_KEEP" ]; then
		rm -rf "$IT_RUN"
	fi
}

# kam_start CFG [sed-args...]: render CFG's @RUNDIR@, @MODULE@, @MPATH@
# placeholders (plus any extra sed expressions) and start kamailio on it.
# KAM_ARGS (an array) adds command-line arguments, such as -A defines.
kam_start() {
	local cfg=$1 i
	shift
	sed -e "s#@RUNDIR@#$IT_RUN#g" -e "s#@MODULE@#$RG_MODULE#g" \
		-e "s#@MPATH@#$KAM_MPATH#g" "$@" "$cfg" >"$IT_RUN/kamailio.cfg"
	"$KAMAILIO" -DD -E -f "$IT_RUN/kamailio.cfg" -Y "$IT_RUN" \
		-P "$IT_RUN/kamailio.pid" ${KAM_MEM:--m 128 -M 16} "${KAM_ARGS[@]}" \
		>"$IT_RUN/kamailio.log" 2>&1 &
	KAM_PID=$!
	for i in $(seq 1 100); do
		if kcmd core.uptime >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$KAM_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "kamailio did not start; log follows" >&2
	tail -30 "$IT_RUN/kamailio.log" >&2
	return 1
}

kam_stop() {
	if [ -n "$KAM_PID" ] && kill -0 "$KAM_PID" 2>/dev/null; then
		kill "$KAM_PID"
		wait "$KAM_PID" 2>/dev/null
	fi
	KAM_PID=
}

# kcmd ARGS...: kamcmd over the ctl socket the config names
kcmd() {
	kamcmd -s "unix:$IT_RUN/ctl.sock" "$@"
}

# rpc OUT METHOD [PARAMS_JSON]: JSON-RPC over HTTP (xhttp + jsonrpcs),
# the reply document written to OUT
rpc() {
	local out=$1 method=$2 params=${3:-[]}
	curl -s -m 10 -o "$out" -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"method\":\"$method\",\"params\":$params,\"id\":1}" \
		"http://127.0.0.1:${RPC_PORT}/RPC"
}

rgtool() {
	python3 "$IT_LIB/rgtool.py" "$@"
}

# sipp_bg NAME ARGS...: a sipp peer in the background, in its own
# directory (for its -trace_counts file)
sipp_bg() {
	local name=$1
	shift
	mkdir -p "$IT_RUN/$name"
	(cd "$IT_RUN/$name" && exec sipp -nostdin -trace_counts -fd 1 \
		-trace_err "$@" >"$IT_RUN/$name/stdout" 2>&1) &
	IT_PIDS+=($!)
	eval "PID_$name=$!"
}

# sipp_fg NAME ARGS...: a sipp peer in the foreground; returns its status
sipp_fg() {
	local name=$1
	shift
	mkdir -p "$IT_RUN/$name"
	(cd "$IT_RUN/$name" && exec sipp -nostdin -trace_counts -trace_err "$@" \
		>"$IT_RUN/$name/stdout" 2>&1)
}

# wait_pid PID SECONDS: wait for a background peer to finish by itself
wait_pid() {
	local pid=$1 i
	for i in $(seq 1 $(($2 * 10))); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return $?; }
		sleep 0.1
	done
	return 124
}

# sipp_count NAME MSG: what peer NAME counted, e.g. 183_Sent
sipp_count() {
	rgtool count "$(ls "$IT_RUN/$1"/*_counts.csv | head -1)" "$2"
}

check_eq() {
	if [ "$2" == "$3" ]; then
		IT_PASS=$((IT_PASS + 1))
		echo "  ok   $1 = $3"
	else
		IT_FAIL=$((IT_FAIL + 1))
		echo "  FAIL $1: expected $2, got $3"
	fi
}

# check_cmp NAME A OP B: an integer comparison (-ge, -le, -gt, ...)
check_cmp() {
	if [ "$2" "$3" "$4" ] 2>/dev/null; then
		IT_PASS=$((IT_PASS + 1))
		echo "  ok   $1: $2 $3 $4"
	else
		IT_FAIL=$((IT_FAIL + 1))
		echo "  FAIL $1: $2 $3 $4 does not hold"
	fi
}

# check_no_errors: kamailio logged no ERROR: or CRITICAL: line
check_no_errors() {
	local n
	n=$(grep -cE 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log")
	check_eq "kamailio ERROR/CRITICAL log lines" 0 "$n"
	[ "$n" -eq 0 ] || grep -E 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log" | head -5
}

it_finish() {
	echo "$IT_NAME: $IT_PASS passed, $IT_FAIL failed"
	[ "$IT_FAIL" -eq 0 ]
}

# render_reject CODE REASON EXTRA_HEADER: a uas_reject scenario answering
# CODE; prints its path. sipp checks status codes when it loads a scenario,
# so they cannot be -key keywords.
render_reject() {
	local out="$IT_RUN/uas_reject_$1_$RANDOM.xml"
	sed -e "s#@CODE@#$1#" -e "s#@REASON@#$2#" -e "s#@EXTRA@#${3:-X-Reject: $1}#" \
		"$IT_SCEN/uas_reject.xml" >"$out"
	echo "$out"
}

# sample_args: -A defines that run kamailio.cfg.sample on loopback ports
# PORT (SIP), PORT+20 (HTTP), with the built module and run-dir files
sample_args() {
	local port=$1
	KAM_ARGS=(-A "RG_LISTEN=udp:127.0.0.1:$port"
		-A "RG_HTTP_LISTEN=tcp:127.0.0.1:$((port + 20))"
		-A "RG_MPATH=\"$KAM_MPATH:$(dirname "$RG_MODULE")/\""
		-A "RG_CTL=\"unix:$IT_RUN/ctl.sock\""
		-A "RG_DS_LIST=\"$IT_RUN/dispatcher.list\"")
	RPC_PORT=$((port + 20))
}

# failover_start PORT FR_MS ALG 'modparam(...)' ...: start lib/failover.cfg
failover_start() {
	local port=$1 fr=$2 alg=$3 params
	shift 3
	params=$(printf '%s\\n' "$@")
	RPC_PORT=$((port + 20))
	kam_start "$IT_LIB/failover.cfg" -e "s#@PORT@#$port#g" \
		-e "s#@HTTP@#$RPC_PORT#g" -e "s#@FR@#$fr#g" -e "s#@ALG@#$alg#g" \
		-e "s#@RGPARAMS@#$params#"
}

# rg_field DST FIELD: one field of replyguard.get over kamcmd
rg_field() {
	kcmd replyguard.get "$1" 2>/dev/null |
		awk -v k="$2:" '$1 == k {print $2; exit}'
}

# ds_flags SET URI: dispatcher's FLAGS for one destination (e.g. AX, IX)
ds_flags() {
	rpc "$IT_RUN/ds.json" dispatcher.list
	python3 - "$IT_RUN/ds.json" "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))["result"]
for rec in doc.get("RECORDS", []):
    s = rec["SET"]
    if str(s["ID"]) != sys.argv[2]:
        continue
    for t in s["TARGETS"]:
        d = t["DEST"]
        if d["URI"] == sys.argv[3]:
            print(d["FLAGS"])
            sys.exit(0)
print("missing")
PY
}

# throttle_start PORT 'modparam(...)' ...: start lib/throttle.cfg (the R-URI
# user is the destination's port on 127.0.0.1)
throttle_start() {
	local port=$1 params
	shift
	params=$(printf '%s\\n' "$@")
	RPC_PORT=$((port + 20))
	kam_start "$IT_LIB/throttle.cfg" -e "s#@PORT@#$port#g" \
		-e "s#@HTTP@#$RPC_PORT#g" -e "s#@RGPARAMS@#$params#"
}

# peer_bg NAME ARGS...: lib/peer.py in the background (a UAS that can
# answer by rate and counts calls in flight); stats go to NAME.json
peer_bg() {
	local name=$1
	shift
	python3 "$IT_LIB/peer.py" --stats "$IT_RUN/$name.json" "$@" \
		>"$IT_RUN/$name.log" 2>&1 &
	eval "PID_$name=$!"
	IT_PIDS+=($!)
}

# peer_stop NAME: stop a peer and wait for its stats file
peer_stop() {
	local pid
	eval "pid=\$PID_$1"
	kill -TERM "$pid" 2>/dev/null
	wait_pid "$pid" 5
}

# peer_stat NAME KEY: one figure of a stopped peer
peer_stat() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$IT_RUN/$1.json" "$2"
}

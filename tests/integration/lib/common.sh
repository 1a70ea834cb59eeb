# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for integration cases: start the packaged kamailio with the
# built module, run sipp peers, query RPC, and count assertions. Everything
# binds 127.0.0.1; every peer has a bounded call count and timeout.

IT_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT_ROOT=$(cd "$IT_LIB/../../.." && pwd)
IT_SCEN="$IT_LIB/../scenarios"
# RG_KAM=k6 (run_all.sh --k6): Kamailio 6.1.4 as `make k6` installs it in
# build/k6, replyguard built against it in its modules folder; otherwise
# the packaged Kamailio and the module built in the checkout
if [ "${RG_KAM:-}" = k6 ]; then
	K6_PREFIX=$IT_ROOT/build/k6
	KAM_MPATH=${KAM_MPATH:-$K6_PREFIX/lib64/kamailio/modules/}
	export KAM_MPATH # (lib/async_module.sh finds http_async_client there)
	KAMAILIO=${KAMAILIO:-$K6_PREFIX/sbin/kamailio}
	KAMCMD=${KAMCMD:-$K6_PREFIX/sbin/kamcmd}
	RG_MODULE=${RG_MODULE:-${KAM_MPATH}replyguard.so}
fi
RG_MODULE=${RG_MODULE:-$IT_ROOT/modules/replyguard/replyguard.so}
KAM_MPATH=${KAM_MPATH:-/usr/lib/x86_64-linux-gnu/kamailio/modules/}
KAMAILIO=${KAMAILIO:-/usr/sbin/kamailio}
KAMCMD=${KAMCMD:-kamcmd}
export KAMCMD

# it_skip WHY: this case does not apply to the Kamailio under test; says
# why, and run_all.sh counts it as skipped (status 77), not as passed
it_skip() {
	echo "$IT_NAME: skipped: $*"
	exit 77
}
# Debian's interpreter (the one scripts/deps.sh installs) starts in tens
# of milliseconds; a version-manager shim in PATH may take half a second
# a start, which adds up in every poll
if [ -z "$IT_PY" ]; then
	if [ -x /usr/bin/python3 ]; then
		IT_PY=/usr/bin/python3
	else
		IT_PY=$(command -v python3)
	fi
fi

IT_PASS=0
IT_FAIL=0
IT_PIDS=()
KAM_ARGS=()

# now_ms: milliseconds since the epoch, without starting a process
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((10#${t:0:-3}))
}

# it_init NAME: a fresh run directory, and cleanup on exit (also when the
# case is stopped by a signal, e.g. by run_all.sh's per-case timeout).
# Two runs of one case at once would share its ports: the second waits for
# the first (IT_LOCK names the lock; cases that share ports share it).
it_init() {
	IT_NAME=$1
	it_lock "${IT_LOCK:-$1}" || exit 1
	IT_RUN=$(mktemp -d "/tmp/rg-it-$1.XXXXXX")
	trap it_cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	trap 'exit 129' HUP
	echo "== $IT_NAME (run dir $IT_RUN)"
}

# it_lock NAME: a lock directory holding our pid; a lock whose holder is
# gone is taken over; gives up after 15 minutes
it_lock() {
	local dir=${IT_LOCK_ROOT:-/tmp}/rg-it-lock.$1 end=$(($(now_ms) + 900000)) holder
	mkdir -p "${IT_LOCK_ROOT:-/tmp}"
	while ! mkdir "$dir" 2>/dev/null; do
		holder=$(cat "$dir/pid" 2>/dev/null)
		if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
			rm -rf "$dir"
			continue
		fi
		if [ "$(now_ms)" -ge "$end" ]; then
			echo "$1: another run (pid ${holder:-?}) holds $dir" >&2
			return 1
		fi
		[ -n "$IT_LOCK_SAID" ] ||
			echo "$1: waiting for another run of it (pid ${holder:-?})" >&2
		IT_LOCK_SAID=1
		sleep 0.5
	done
	echo $$ >"$dir/pid"
	IT_LOCK_DIR=$dir
}

it_cleanup() {
	local p
	for p in "${IT_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	kam_stop
	for p in "${IT_PIDS[@]}"; do
		wait_pid "$p" 5
		[ $? -eq 124 ] && kill -KILL "$p" 2>/dev/null
	done
	if [ "$IT_FAIL" -eq 0 ] && [ -z "$IT_KEEP" ]; then
		rm -rf "$IT_RUN"
	fi
	[ -n "$IT_LOCK_DIR" ] && rm -rf "$IT_LOCK_DIR"
}

# kam_start CFG [sed-args...]: render CFG's @RUNDIR@, @MODULE@, @MPATH@
# placeholders (plus any extra sed expressions) and start kamailio on it.
# KAM_ARGS (an array) adds command-line arguments, such as -A defines.
kam_start() {
	local cfg=$1
	shift
	sed -e "s#@RUNDIR@#$IT_RUN#g" -e "s#@MODULE@#$RG_MODULE#g" \
		-e "s#@MPATH@#$KAM_MPATH#g" "$@" "$cfg" >"$IT_RUN/kamailio.cfg"
	# RG_CALLBACKS=1 (run_all.sh --callbacks): the configs' define of the
	# callback mode
	local cb=()
	[ -n "${RG_CALLBACKS:-}" ] && cb=(-A RG_CALLBACKS)
	"$KAMAILIO" -DD -E -f "$IT_RUN/kamailio.cfg" -Y "$IT_RUN" \
		-P "$IT_RUN/kamailio.pid" ${KAM_MEM:--m 128 -M 16} "${cb[@]}" \
		"${KAM_ARGS[@]}" \
		>"$IT_RUN/kamailio.log" 2>&1 &
	KAM_PID=$!
	# ready when its RPC answers: a deadline, however slow the machine
	local end=$(($(now_ms) + ${KAM_START_S:-30} * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		if kcmd core.uptime >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$KAM_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "kamailio did not start within ${KAM_START_S:-30} s; log follows" >&2
	tail -30 "$IT_RUN/kamailio.log" >&2
	return 1
}

kam_stop() {
	local rc
	if [ -n "$KAM_PID" ] && kill -0 "$KAM_PID" 2>/dev/null; then
		kill "$KAM_PID"
		if ! wait_pid "$KAM_PID" 20; then
			echo "kamailio did not stop within 20 s; killed" >&2
			kill -KILL "$KAM_PID" 2>/dev/null
		fi
		wait "$KAM_PID" 2>/dev/null
		rc=$?
		# a crash at shutdown (modules' destroy) is a failure too
		check_eq "kamailio stopped cleanly (exit status)" 0 "$rc"
	fi
	KAM_PID=
}

# kcmd ARGS...: kamcmd over the ctl socket the config names
kcmd() {
	"$KAMCMD" -s "unix:$IT_RUN/ctl.sock" "$@"
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
	"$IT_PY" "$IT_LIB/rgtool.py" "$@"
}

# sipp_opts ARGS...: sets SIPP_ARGS to ARGS, plus "-default_behaviors
# all,-abortunexp" for a caller running scenarios/uac_call.xml (unless it
# sets -default_behaviors itself). A proxy with several workers may relay
# a destination's 183 after the 200 it sent right behind it (each was
# taken by another worker): uac_call.xml cannot expect it there, and sipp
# would abort the call on it. With the option sipp logs it ("Continuing
# call on unexpected message", see sipp_late) and the call goes on; a
# message that really is wrong still leaves the call without its 200.
sipp_opts() {
	local a uac= own=
	SIPP_ARGS=("$@")
	for a in "$@"; do
		case $a in
		*/uac_call.xml) uac=1 ;;
		-default_behaviors) own=1 ;;
		esac
	done
	if [ -n "$uac" ] && [ -z "$own" ]; then
		SIPP_ARGS+=(-default_behaviors all,-abortunexp)
	fi
}

# sipp_bg NAME ARGS...: a sipp peer in the background, in its own
# directory (for its -trace_counts file)
sipp_bg() {
	local name=$1
	shift
	sipp_opts "$@"
	mkdir -p "$IT_RUN/$name"
	(cd "$IT_RUN/$name" && exec sipp -nostdin -trace_counts -fd 1 \
		-trace_err "${SIPP_ARGS[@]}" >"$IT_RUN/$name/stdout" 2>&1) &
	IT_PIDS+=($!)
	eval "PID_$name=$!"
}

# sipp_fg NAME ARGS...: a sipp peer in the foreground; returns its status
# (124 when it still ran after SIPP_FG_LIMIT seconds, 300 by default: a
# backstop, each caller has its own -timeout)
sipp_fg() {
	local name=$1
	shift
	sipp_opts "$@"
	mkdir -p "$IT_RUN/$name"
	(cd "$IT_RUN/$name" && exec timeout --foreground -k 5 "${SIPP_FG_LIMIT:-300}" \
		sipp -nostdin -trace_counts -trace_err "${SIPP_ARGS[@]}" \
		>"$IT_RUN/$name/stdout" 2>&1)
}

# wait_pid PID SECONDS: wait for a background peer to finish by itself;
# its exit status, or 124 when it still runs at the deadline
wait_pid() {
	local pid=$1 end=$(($(now_ms) + $2 * 1000))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$(now_ms)" -ge "$end" ] && return 124
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
}

# sipp_count NAME MSG: what peer NAME counted, e.g. 183_Sent (the sum of
# the N_MSG columns of its -trace_counts file). A running peer rewrites
# the file every second (-fd 1): stop it first (sipp_stop) to read its
# final figures.
sipp_count() {
	local f
	f=$(ls "$IT_RUN/$1"/*_counts.csv 2>/dev/null | head -1)
	if [ -z "$f" ]; then
		echo "sipp_count: no counts file for $1" >&2
		return 1
	fi
	rgtool count "$f" "$2"
}

# sipp_late NAME CODE: responses CODE that peer NAME received out of
# order: where its scenario no longer expected them (with -default_behaviors
# all,-abortunexp sipp logs "Continuing call on unexpected message") or
# for a call it had already ended ("Dead call"). Both are logged in its
# -trace_err file and counted in no _Recv column.
sipp_late() {
	local f n=0 c
	for f in "$IT_RUN/$1"/*_errors.log; do
		[ -f "$f" ] || continue
		c=$(grep -cE "(Continuing call on unexpected message|Dead call [^ ]* \([^)]*\)).*, received 'SIP/2.0 $2 " "$f")
		n=$((n + c))
	done
	echo "$n"
}

# sipp_stop NAME...: end background sipp peers (SIGTERM: sipp writes its
# final counts and exits); fails when one does not exit within 10 s
sipp_stop() {
	local name pid rc=0
	for name in "$@"; do
		eval "pid=\$PID_$name"
		[ -n "$pid" ] || { echo "sipp_stop: no peer $name" >&2; rc=1; continue; }
		kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
		wait_pid "$pid" 10
		[ $? -eq 124 ] && { echo "sipp $name did not stop" >&2; rc=1; }
	done
	return $rc
}

# deadline_ms SECONDS: the moment SECONDS (may be decimal: 1.5) from now
deadline_ms() {
	local s=$1 ms
	if [[ $s == *.* ]]; then
		local frac=${s#*.}000
		ms=$((10#${s%%.*} * 1000 + 10#${frac:0:3}))
	else
		ms=$((s * 1000))
	fi
	echo $(($(now_ms) + ms))
}

# wait_until SECONDS CMD...: run CMD every 0.1 s until it succeeds, for at
# most SECONDS (a deadline, whatever each try costs). On success returns
# 0; otherwise says what CMD last printed, and returns 1. WAIT_LAST holds
# CMD's last output.
wait_until() {
	local end
	end=$(deadline_ms "$1")
	shift
	while :; do
		WAIT_LAST=$("$@" 2>&1) && return 0
		if [ "$(now_ms)" -ge "$end" ]; then
			echo "  wait: '$*' did not hold in time; last output: ${WAIT_LAST:-(none)}"
			return 1
		fi
		sleep 0.1
	done
}

# wait_eq SECONDS WANT CMD...: poll CMD until it prints WANT, for at most
# SECONDS; prints what it printed last (so: check_eq NAME WANT "$(wait_eq
# ...)"). Only for a value known in advance: waiting for it to appear is
# then the same assertion as reading it once after the right moment.
wait_eq() {
	local end want=$2 v
	end=$(deadline_ms "$1")
	shift 2
	while :; do
		v=$("$@" 2>/dev/null)
		[ "$v" == "$want" ] && break
		[ "$(now_ms)" -ge "$end" ] && break
		sleep 0.1
	done
	echo "$v"
	[ "$v" == "$want" ]
}

# port_bound udp|tcp PORT: something listens on 127.0.0.1:PORT
port_bound() {
	local hex st
	hex=$(printf '0100007F:%04X' "$2")
	[ "$1" = tcp ] && st=0A || st=07
	awk -v a="$hex" -v st="$st" '$2 == a && $4 == st {f = 1} END {exit !f}' \
		"/proc/net/$1"
}

# wait_udp PORT... / wait_tcp PORT...: wait (10 s at most) until peers
# have bound their ports, instead of sleeping a guessed while
wait_udp() {
	local p rc=0
	for p in "$@"; do
		wait_until 10 port_bound udp "$p" || rc=1
	done
	return $rc
}
wait_tcp() {
	local p rc=0
	for p in "$@"; do
		wait_until 10 port_bound tcp "$p" || rc=1
	done
	return $rc
}

# udp_drops PORT: datagrams the kernel dropped for 127.0.0.1:PORT's socket
# (its receive buffer was full): requests that never reached the process
udp_drops() {
	local hex
	hex=$(printf '0100007F:%04X' "$1")
	awk -v a="$hex" '$2 == a {print $NF; f = 1} END {exit !f}' /proc/net/udp
}

# it_sum V...: the sum of integers V..., or nothing (status 1) when one
# is empty or not an integer: a figure that could not be read must not
# quietly count as 0 (nor end the script with an arithmetic error)
it_sum() {
	local v t=0
	for v in "$@"; do
		[[ $v =~ ^-?[0-9]+$ ]] || return 1
		t=$((t + v))
	done
	echo "$t"
}

# check_eq NAME EXPECTED ACTUAL: string equality. An empty value is never
# a pass: it means the figure could not be read (a failed RPC, a missing
# file), and two failed reads would otherwise agree.
check_eq() {
	if [ -z "$2" ] || [ -z "$3" ]; then
		IT_FAIL=$((IT_FAIL + 1))
		echo "  FAIL $1: empty value (expected '${2}', got '${3}'): not read"
	elif [ "$2" == "$3" ]; then
		IT_PASS=$((IT_PASS + 1))
		echo "  ok   $1 = $3"
	else
		IT_FAIL=$((IT_FAIL + 1))
		echo "  FAIL $1: expected $2, got $3"
	fi
}

# check_cmp NAME A OP B: an integer comparison (-ge, -le, -gt, ...); an
# empty or non-integer operand fails
check_cmp() {
	local int='^-?[0-9]+$'
	if ! [[ $2 =~ $int ]] || ! [[ $4 =~ $int ]]; then
		IT_FAIL=$((IT_FAIL + 1))
		echo "  FAIL $1: not integers: '$2' $3 '$4'"
	elif [ "$2" "$3" "$4" ] 2>/dev/null; then
		IT_PASS=$((IT_PASS + 1))
		echo "  ok   $1: $2 $3 $4"
	else
		IT_FAIL=$((IT_FAIL + 1))
		echo "  FAIL $1: $2 $3 $4 does not hold"
	fi
}

# check_no_errors [EXPECTED]: kamailio logged no ERROR: or CRITICAL: line
check_no_errors() {
	# EXPECTED: an ERE of the lines the case provokes on purpose (none:
	# only the empty line, which no log line is)
	local n expected=${1:-^\$}
	if [ -n "${1:-}" ]; then
		n=$(grep -E 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log" | grep -cE "$expected")
		echo "  info kamailio ERROR lines the case provoked: $n"
	fi
	n=$(grep -E 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log" | grep -cvE "$expected")
	check_eq "kamailio ERROR/CRITICAL log lines" 0 "$n"
	[ "$n" -eq 0 ] || grep -E 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log" |
		grep -vE "$expected" | head -5
	# every release of a call in flight matched a hold: none twice
	check_eq "releases with no call held (replyguard.summary)" 0 \
		"$(kcmd replyguard.summary 2>/dev/null |
			awk '$1 == "unheld_release:" {print $2; exit}')"
}

it_finish() {
	kam_stop # its exit status counts
	echo "$IT_NAME: $IT_PASS passed, $IT_FAIL failed"
	[ "$IT_FAIL" -eq 0 ]
}

# render_reject CODE REASON [EXTRA_HEADER [GAP_MS]]: a uas_reject scenario
# answering CODE; prints its path. sipp checks status codes when it loads
# a scenario, so they cannot be -key keywords. GAP_MS: a pause between the
# 183 and the final (see render_answer).
render_reject() {
	local out="$IT_RUN/uas_reject_$1_$RANDOM.xml"
	sed -e "s#@CODE@#$1#" -e "s#@REASON@#$2#" -e "s#@EXTRA@#${3:-X-Reject: $1}#" \
		-e "$(gap_sed "${4:-0}")" "$IT_SCEN/uas_reject.xml" >"$out"
	echo "$out"
}

# render_answer GAP_MS: a uas_answer scenario that waits GAP_MS between
# its 183 and its 200; prints its path. Without a gap, another proxy
# worker may relay the 200 before the 183 sent just ahead of it, and tm
# discards a provisional reply that comes after the final: the caller
# then never sees a 183 the destination sent (and replyguard counted).
render_answer() {
	local out="$IT_RUN/uas_answer_$1_$RANDOM.xml"
	sed -e "$(gap_sed "$1")" "$IT_SCEN/uas_answer.xml" >"$out"
	echo "$out"
}

# gap_sed MS: the sed expression that turns the scenarios' gap marker
# into a pause of MS milliseconds (none for 0)
gap_sed() {
	if [ "${1:-0}" -gt 0 ]; then
		echo "s#<!--@GAP@-->#<pause milliseconds=\"$1\"/>#"
	else
		echo "/<!--@GAP@-->/d"
	fi
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

# tm_current: tm's transactions alive now (tm.stats current)
tm_current() {
	kcmd tm.stats 2>/dev/null | awk '$1 == "current:" {print $2; exit}'
}

# rg_field DST FIELD: one field of replyguard.get over kamcmd
rg_field() {
	kcmd replyguard.get "$1" 2>/dev/null |
		awk -v k="$2:" '$1 == k {print $2; exit}'
}

# rg_fault DST: the fault code replyguard.get answers for DST over kamcmd
# (404: not tracked), "none" when it is found; empty when kamcmd itself
# failed (no answer from kamailio)
rg_fault() {
	local out
	out=$(kcmd replyguard.get "$1" 2>&1) || return 1
	case $out in
	"error: "*) out=${out#error: }; echo "${out%% *}" ;;
	*"dst: "*) echo none ;;
	*) return 1 ;;
	esac
}

# ds_flags SET URI: dispatcher's FLAGS for one destination (e.g. AX, IX),
# from kamcmd dispatcher.list; "missing" when it is not listed, empty when
# kamcmd failed
ds_flags() {
	local out
	out=$(kcmd dispatcher.list 2>/dev/null) || return 1
	awk -v set="$1" -v uri="$2" '
		$1 == "ID:" { id = $2 }
		$1 == "URI:" { u = $2 }
		$1 == "FLAGS:" && id == set && u == uri { print $2; f = 1; exit }
		END { if (!f) print "missing" }' <<<"$out"
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
# answer by rate and counts calls in flight); stats go to NAME.json.
# Returns once its --port is bound (fails after 10 s).
peer_bg() {
	local name=$1 port= a prev=
	shift
	"$IT_PY" "$IT_LIB/peer.py" --stats "$IT_RUN/$name.json" "$@" \
		>"$IT_RUN/$name.log" 2>&1 &
	eval "PID_$name=$!"
	IT_PIDS+=($!)
	for a in "$@"; do
		[ "$prev" = --port ] && port=$a
		prev=$a
	done
	[ -z "$port" ] || wait_udp "$port"
}

# peer_stop NAME: stop a peer and wait for its stats file
peer_stop() {
	local pid
	eval "pid=\$PID_$1"
	kill -TERM "$pid" 2>/dev/null
	wait_pid "$pid" 10
}

# peer_stat NAME KEY: one figure of a stopped peer
peer_stat() {
	"$IT_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$IT_RUN/$1.json" "$2"
}

# --- lib/sipper.py, the scriptable SIP peer (retransmitting UAC, reliable
# 183, 100-only, ring-no-answer, held replies)
SIPPER=$IT_LIB/sipper.py

# sipper_bg NAME ARGS...: sipper.py in the background; returns once its
# sockets are bound (its stats file exists), fails after 5 s
sipper_bg() {
	local name=$1 pid end
	shift
	"$IT_PY" "$SIPPER" "$@" --stats "$IT_RUN/$name.json" \
		>"$IT_RUN/$name.log" 2>&1 &
	pid=$!
	IT_PIDS+=("$pid")
	eval "PID_$name=$pid"
	end=$(deadline_ms 5)
	until [ -s "$IT_RUN/$name.json" ]; do
		if [ "$(now_ms)" -ge "$end" ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "sipper $name did not start:" >&2
			cat "$IT_RUN/$name.log" >&2
			return 1
		fi
		sleep 0.02
	done
}

# sipper_fg NAME ARGS...: sipper.py in the foreground; its status
sipper_fg() {
	local name=$1
	shift
	"$IT_PY" "$SIPPER" "$@" --stats "$IT_RUN/$name.json" \
		>"$IT_RUN/$name.log" 2>&1
}

# sipper_stop NAME: end a background sipper; its final stats are written
sipper_stop() {
	local pid
	eval "pid=\$PID_$1"
	kill -TERM "$pid" 2>/dev/null
	wait_pid "$pid" 5
}

# sipper_stat NAME PATH: one figure of a sipper's stats
sipper_stat() { "$IT_PY" "$SIPPER" stat "$IT_RUN/$1.json" "$2"; }

# sp_wait_eq MS WANT CMD...: wait_eq with a deadline in milliseconds;
# prints what CMD printed last (for check_eq)
sp_wait_eq() {
	local ms=$1
	shift
	wait_eq "$((ms / 1000)).$(printf %03d $((ms % 1000)))" "$@"
}

# wait_rg DST FIELD WANT MS: sp_wait_eq on a field of replyguard.get
wait_rg() { sp_wait_eq "$4" "$3" rg_field "$1" "$2"; }

# --- clusters: several kamailio nodes on lib/cluster.cfg, each in
# $IT_RUN/nN with its own ctl socket and log

# node_start N PORT SEED_PORT GW_PORT ['modparam(...)'...]: start node N
# (node_name nodeN) on PORT, finding the cluster through dmq at SEED_PORT;
# calls go to the gateway on GW_PORT. Its pid in NODE_PID_N.
node_start() {
	local n=$1 port=$2 seed=$3 gw=$4 params base=$IT_RUN rc
	shift 4
	params=$(printf '%s\\n' "$@")
	mkdir -p "$base/n$n"
	# one secret for the cluster of this case (IT_SECRET: another file)
	[ -s "$base/cluster.secret" ] ||
		head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$base/cluster.secret"
	IT_RUN=$base/n$n
	# dmq on 127.0.0.N (see lib/cluster.cfg); node 1, the seed, is on
	# 127.0.0.1 like the SIP listener every node keeps there
	local host=127.0.0.$n listen=
	[ "$n" -eq 1 ] || listen="listen=udp:$host:$port"
	kam_start "$IT_LIB/cluster.cfg" -e "s#@PORT@#$port#g" \
		-e "s#@DMQ_HOST@#$host#g" -e "s#@DMQ_LISTEN@#$listen#" \
		-e "s#@HTTP@#$((port + 20))#g" -e "s#@SEED@#$seed#g" \
		-e "s#@GW@#$gw#g" -e "s#@NODE@#node$n#g" -e "s#@RGPARAMS@#$params#" \
		-e "s#@SECRET@#${IT_SECRET:-$base/cluster.secret}#g"
	rc=$?
	eval "NODE_PID_$n=$KAM_PID"
	[ -n "$KAM_PID" ] && IT_PIDS+=("$KAM_PID")
	KAM_PID=
	IT_RUN=$base
	return $rc
}

# node_stop N: stop node N; a crash at shutdown fails the test
node_stop() {
	local pid rc
	eval "pid=\$NODE_PID_$1"
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	if ! wait_pid "$pid" 20; then
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	check_eq "node $1 stopped cleanly (exit status)" 0 "$rc"
	eval "NODE_PID_$1="
}

# nkcmd N ARGS...: kamcmd on node N
nkcmd() {
	local n=$1
	shift
	"$KAMCMD" -s "unix:$IT_RUN/n$n/ctl.sock" "$@"
}

# node_field N DST FIELD: one field of replyguard.get on node N
node_field() {
	nkcmd "$1" replyguard.get "$2" 2>/dev/null |
		awk -v k="$3:" '$1 == k {print $2; exit}'
}

# rates FROM_MS TO_MS: cps at the gateway (lib/peer.py --arrivals in
# $IT_RUN/arrivals.txt) in that span: the total, then from nodes N1 N2 N3
rates() {
	"$IT_PY" - "$IT_RUN/arrivals.txt" "$1" "$2" $N1 $N2 $N3 <<'PY'
import sys
f, a, b = sys.argv[1], int(sys.argv[2]) / 1000, int(sys.argv[3]) / 1000
ports = [int(p) for p in sys.argv[4:7]]
n = {p: 0 for p in ports}
for line in open(f):
    t, port = line.split()
    t, port = float(t), int(port)
    if a <= t < b and port in n:
        n[port] += 1
d = b - a
print("%.1f %.1f %.1f %.1f" % (sum(n.values()) / d, n[ports[0]] / d,
                               n[ports[1]] / d, n[ports[2]] / d))
PY
}

# within10 RATE [TARGET]: RATE (one decimal) is TARGET (30) cps +-10%
within10() {
	local t=${1/./} want=${2:-300}
	[ "$t" -ge $((want * 9 / 10)) ] && [ "$t" -le $((want * 11 / 10)) ]
}

# nodes_no_errors N...: no ERROR or CRITICAL line in the logs of nodes N,
# then each node stopped
nodes_no_errors() {
	local n n_err
	for n in "$@"; do
		n_err=$(grep -cE 'ERROR:|CRITICAL:' "$IT_RUN/n$n/kamailio.log")
		check_eq "node $n: ERROR/CRITICAL log lines" 0 "$n_err"
		[ "$n_err" -eq 0 ] || grep -E 'ERROR:|CRITICAL:' "$IT_RUN/n$n/kamailio.log" | head -3
		node_stop "$n"
	done
}

# peers_of N: how many active peers node N sees
peers_of() { nkcmd "$1" replyguard.cluster 2>/dev/null | grep -c 'state: active'; }

# budget_start GW_SECONDS: nodes 1, 2 and 3 on N1, N2 and N3 (found
# through N1), lib/peer.py as the gateway on GWP (each INVITE's arrival in
# $IT_RUN/arrivals.txt, for GW_SECONDS at most), every node seeing the two
# others, and a budget of 30 cps (burst 2) for GW set on node 1 that
# reached nodes 2 and 3
budget_start() {
	local n
	node_start 1 $N1 $N1 $GWP || return 1
	node_start 2 $N2 $N1 $GWP || return 1
	node_start 3 $N3 $N1 $GWP || return 1
	peer_bg gw --port $GWP --arrivals "$IT_RUN/arrivals.txt" \
		--max-seconds "$1" || return 1
	all_peers() { [ "$(peers_of 1)" = 2 ] && [ "$(peers_of 2)" = 2 ] && [ "$(peers_of 3)" = 2 ]; }
	wait_until 20 all_peers
	check_eq "node 1 sees 2 active peers" 2 "$(peers_of 1)"
	nkcmd 1 replyguard.set_limit "$GW" 30 2 >/dev/null
	for n in 2 3; do
		check_eq "node $n has the budget set on node 1" 30 \
			"$(wait_eq 5 30 node_field $n "$GW" cps_limit)"
	done
}

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the integration cases (each tests/integration/<case>/run.sh) and
# print one closing "integration: N passed, N failed" line over the cases
# run (with --repeat, over every run of every case).
#
#   run_all.sh [--repeat N] [--hog] [--callbacks] [--k6] [CASE...]
#
#   --repeat N   run the selection N times in a row (default 1); a line of
#                results after each run, and the totals at the end
#   --hog        keep one CPU core busy for the whole run (stress-ng
#                --cpu 1 when installed, else a shell busy loop), to see
#                the cases hold on a loaded, slow machine
#   --callbacks  run with RG_CALLBACKS defined: replyguard's configs then
#                inspect replies from tm callbacks (modparam
#                reply_callbacks) instead of rg_inspect() in onreply_route,
#                with the same assertions; by default only the cases that
#                count replies (CB_CASES below)
#   --k6         run on Kamailio 6.1.4 as `make k6` installs it in
#                build/k6 (its kamailio, kamcmd and modules, and
#                replyguard built against it) instead of the packaged one;
#                a case that does not apply there says why and is skipped
#   CASE...      only these cases (directory names); default: every case
#
# Each case runs under a time limit (IT_CASE_TIMEOUT seconds, default
# 900), so that one hung case cannot stall the whole run.
cd "$(dirname "$0")" || exit 1

usage() {
	sed -n '/^#   run_all.sh/,/^# 900)/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# the cases whose counts come from replies, on configs that honour
# RG_CALLBACKS
CB_CASES="bad_replies cluster failover_edge failover_retry_after
event_alias event_txn failure_ratio fork_index kpi sdp_agree suspend guard load_exact probe_trial relay_fail
reliable_183 retrans_hold sample_dialog stats_exact table_full
throttle_adaptive throttle_concurrent throttle_rate trying_only"

repeat=1
hog=
callbacks=
cases=()
while [ $# -gt 0 ]; do
	case $1 in
	--repeat)
		[[ $2 =~ ^[1-9][0-9]*$ ]] || usage
		repeat=$2
		shift 2
		;;
	--repeat=*)
		repeat=${1#--repeat=}
		[[ $repeat =~ ^[1-9][0-9]*$ ]] || usage
		shift
		;;
	--hog)
		hog=1
		shift
		;;
	--callbacks)
		callbacks=1
		shift
		;;
	--k6)
		export RG_KAM=k6
		shift
		;;
	-h | --help) usage ;;
	-*) usage ;;
	*)
		c=${1%/}
		c=${c%/run.sh}
		if [ "$c" = lib ] || [ "$c" = scenarios ] || [ ! -f "$c/run.sh" ]; then
			echo "run_all.sh: no such case: $1" >&2
			exit 2
		fi
		cases+=("$c")
		shift
		;;
	esac
done
if [ -n "$callbacks" ]; then
	export RG_CALLBACKS=1
	if [ ${#cases[@]} -eq 0 ]; then
		# shellcheck disable=SC2206
		cases=($CB_CASES)
	fi
fi
if [ ${#cases[@]} -eq 0 ]; then
	for run in */run.sh; do
		c=${run%/run.sh}
		[ "$c" = lib ] && continue
		cases+=("$c")
	done
fi

HOG_PID=
CASE_PID=
stop_hog() {
	if [ -n "$HOG_PID" ]; then
		# the hog leads its own process group (setsid): end it and its
		# workers together
		kill -TERM -- "-$HOG_PID" 2>/dev/null
		kill -TERM "$HOG_PID" 2>/dev/null
		wait "$HOG_PID" 2>/dev/null
		HOG_PID=
	fi
}
# interrupted: stop the case running now (timeout passes the signal on
# to it, and the case cleans up), then the hog
stop_case() {
	if [ -n "$CASE_PID" ]; then
		kill -TERM "$CASE_PID" 2>/dev/null
		wait "$CASE_PID" 2>/dev/null
		CASE_PID=
	fi
}
trap 'stop_case; stop_hog' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [ -n "$hog" ]; then
	if command -v stress-ng >/dev/null 2>&1; then
		setsid stress-ng --cpu 1 --timeout 6h --quiet >/dev/null 2>&1 &
		HOG_PID=$!
		echo "hog: stress-ng --cpu 1 (pid $HOG_PID)"
	else
		setsid timeout 6h bash -c 'while :; do :; done' >/dev/null 2>&1 &
		HOG_PID=$!
		echo "hog: a shell busy loop (pid $HOG_PID; stress-ng not installed)"
	fi
fi

if [ "${RG_KAM:-}" = k6 ] && [ ! -x "../../build/k6/sbin/kamailio" ]; then
	echo "run_all.sh: --k6: no build/k6/sbin/kamailio (run make k6 first)" >&2
	exit 2
fi

total_pass=0
total_fail=0
total_skip=0
summary=()
for r in $(seq 1 "$repeat"); do
	pass=0
	fail=0
	skip=0
	failed=()
	t0=$SECONDS
	[ "$repeat" -gt 1 ] && echo "==== run $r of $repeat: ${cases[*]}"
	for c in "${cases[@]}"; do
		timeout -k 20 "${IT_CASE_TIMEOUT:-900}" bash "$c/run.sh" &
		CASE_PID=$!
		wait "$CASE_PID"
		rc=$?
		CASE_PID=
		if [ "$rc" -eq 0 ]; then
			pass=$((pass + 1))
		elif [ "$rc" -eq 77 ]; then
			skip=$((skip + 1))
		else
			[ "$rc" -eq 124 ] && echo "$c: stopped after ${IT_CASE_TIMEOUT:-900} s"
			fail=$((fail + 1))
			failed+=("$c")
		fi
	done
	line="run $r of $repeat: $pass passed, $fail failed"
	[ "$skip" -eq 0 ] || line="$line, $skip skipped"
	line="$line in $((SECONDS - t0)) s"
	[ "$fail" -eq 0 ] || line="$line (failed: ${failed[*]})"
	summary+=("$line")
	if [ "$repeat" -gt 1 ]; then
		echo
		echo "$line"
	fi
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
done
stop_hog

echo
if [ "$repeat" -gt 1 ]; then
	printf '%s\n' "${summary[@]}"
	echo "total over $repeat runs of ${#cases[@]} cases${hog:+, with a CPU hog}"
elif [ "$total_fail" -ne 0 ]; then
	echo "failed cases: ${failed[*]}"
fi
line="integration${RG_KAM:+ (Kamailio $RG_KAM)}: $total_pass passed, $total_fail failed"
[ "$total_skip" -eq 0 ] || line="$line, $total_skip skipped"
echo "$line"
[ "$total_fail" -eq 0 ]

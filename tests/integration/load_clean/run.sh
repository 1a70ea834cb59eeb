#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# load_clean: the packaged kamailio loads the built module with the sample
# config and logs no ERROR:, answers RPC, routes a call; a bad modparam
# stops it at start-up with one clear line.
. "$(dirname "$0")/../lib/common.sh"
it_init load_clean

printf "1 sip:127.0.0.1:45071\n" >"$IT_RUN/dispatcher.list"
sample_args 45060

# the config check alone
"$KAMAILIO" -c -f "$IT_ROOT/kamailio.cfg.sample" "${KAM_ARGS[@]}" \
	>"$IT_RUN/check.log" 2>&1
check_eq "kamailio -c on the sample" 0 $?
check_eq "ERROR lines in the config check" 0 "$(grep -c 'ERROR:' "$IT_RUN/check.log")"

kam_start "$IT_ROOT/kamailio.cfg.sample" || exit 1
check_eq "summary capacity over kamcmd" 4096 \
	"$(kcmd replyguard.summary | awk '/capacity:/ {print $2}')"
check_eq "the module is loaded" 1 \
	"$(kcmd core.modules | grep -c '^replyguard$')"

sipp_bg gw -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 45071 -m 5 -d 5 \
	-timeout 30s
wait_udp 45071
sipp_fg caller 127.0.0.1:45060 -sf "$IT_SCEN/uac_call.xml" -s x -i 127.0.0.1 \
	-m 5 -r 10 -d 10 -timeout 30s
check_eq "5 calls through the sample" 0 $?
check_eq "attempts" 5 "$(kcmd replyguard.get sip:127.0.0.1:45071 | awk '/^[[:space:]]*attempts:/ {print $2; exit}')"
check_no_errors
kam_stop

# refused NAME SED...: the sample edited by the sed expressions into
# NAME.cfg must not start: kamailio exits (its log in NAME.log)
refused() {
	local name=$1 pid
	shift
	sed "$@" "$IT_ROOT/kamailio.cfg.sample" >"$IT_RUN/$name.cfg"
	"$KAMAILIO" -DD -E -f "$IT_RUN/$name.cfg" -Y "$IT_RUN" "${KAM_ARGS[@]}" \
		>"$IT_RUN/$name.log" 2>&1 &
	pid=$!
	wait_pid $pid 10
	check_cmp "$name: kamailio exits" "$?" -ne 0
}

# a bad parameter: refused at start-up, naming the parameter and value
refused bad -e 's/"max_destinations", 4096/"max_destinations", 0/'
check_eq "one clear error line" 1 \
	"$(grep -c 'max_destinations must be 1..16777216, not 0' "$IT_RUN/bad.log")"

# every parameter is checked before anything is allocated: a bad
# rpc_list_max is named even when the table (16M destinations, far more
# than -m holds) could never be made
refused bad2 -e 's/"max_destinations", 4096/"max_destinations", 16777216/' \
	-e 's/"rpc_list_max", 1000/"rpc_list_max", 0/'
check_eq "the config names the bad parameter" 1 "$(grep -c '"rpc_list_max", 0' "$IT_RUN/bad2.cfg")"
check_eq "the parameter is named, before any memory is asked for" 1 \
	"$(grep -c 'rpc_list_max must be 1..1000000, not 0' "$IT_RUN/bad2.log")"
check_eq "no shared memory was asked for" 0 \
	"$(grep -c 'no shared memory' "$IT_RUN/bad2.log")"

it_finish

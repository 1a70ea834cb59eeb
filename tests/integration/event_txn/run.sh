#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# event_txn: the dst-down event route runs where no reply's transaction is
# current. C answers every INVITE 503 with Retry-After: 1; A answers 200.
# Each 503 takes C down; its event route reads $T_reply_code and calls
# http_async_query() (to a local HTTP server). Run inside the 503's
# transaction, the query would suspend the caller's INVITE and tm would
# swallow the 503: no failover, a call hanging until its lifetime ends.
# Here every call must fail over to A, every event's query must reach the
# server and come back, and tm must end every transaction.
. "$(dirname "$0")/../lib/common.sh"
it_init event_txn
P=26800
HOOK=26830
A=sip:127.0.0.1:26811
C=sip:127.0.0.1:26813
N=20
ASYNC=$("$IT_LIB/async_module.sh") || exit 1
printf "1 %s\n1 %s\n" "$C" "$A" >"$IT_RUN/dispatcher.list"

"$IT_PY" "$IT_LIB/hook_server.py" --port $HOOK --out "$IT_RUN/http.jsonl" \
	--max-seconds 120 &
IT_PIDS+=($!)
wait_tcp $HOOK
kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" -e "s#@HOOK@#$HOOK#g" \
	-e "s#@ASYNC@#$ASYNC#g" || exit 1
RPC_PORT=$((P + 20))
sipper_bg uasa uas --port 26811 --mode answer --max-seconds 80 || exit 1
sipper_bg uasc uas --port 26813 --mode reject --code 503 --retry-after 1 \
	--max-seconds 80 || exit 1

# one call after another over about 5 s: C is tried whenever its block
# has ended (a trial), so it goes down several times
sipper_fg uac uac --proxy 127.0.0.1:$P --port 26801 \
	--ruri "sip:1@127.0.0.1:26811" --calls $N --hold-ms 150 \
	--call-timeout-ms 8000 --max-seconds 60
check_eq "the caller completed every call (200, ACK, BYE 200)" 0 $?
sipper_stop uasa
sipper_stop uasc

c503=$(sipper_stat uasc uas.26813.invites)
check_cmp "C was tried more than once (blocked, then tried again)" "$c503" -ge 2
check_eq "every call was answered by A" $N "$(sipper_stat uasa uas.26811.invites)"
check_eq "the caller got a 200 for every call" $N "$(sipper_stat uac uac.finals.200)"
check_eq "replies_503 of C: each of its 503s" "$c503" "$(rg_field "$C" replies_503)"
check_eq "one dst-down event per 503" "$c503" \
	"$(wait_eq 10 "$c503" grep -c 'RG-EVENT down ' "$IT_RUN/kamailio.log")"
check_eq "each event's HTTP query reached the server" "$c503" \
	"$(wait_eq 10 "$c503" grep -c '"get": true' "$IT_RUN/http.jsonl")"
check_eq "and its reply came back to the script" "$c503" \
	"$(wait_eq 10 "$c503" grep -c 'RG-HTTP done 200' "$IT_RUN/kamailio.log")"
# tm's reply variables describe no call there: no transaction is current
check_eq "the event routes saw no reply (\$T_reply_code 0, \$T_branch_idx -1)" \
	"$c503" "$(grep -c 'RG-EVENT down .* T_reply_code=0 T_branch_idx=-1' \
		"$IT_RUN/kamailio.log")"
cur=$(wait_eq 15 0 tm_current)
if [ "$cur" != 0 ]; then
	# which transaction stayed, and what tm says of it
	kcmd tm.stats
	kcmd tm.list
fi
check_eq "every transaction ended (tm.stats current)" 0 "$cur"
check_no_errors
it_finish

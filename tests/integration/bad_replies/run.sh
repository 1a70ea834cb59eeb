#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bad_replies: through a real kamailio, destinations answer 503 with a bad
# Retry-After: negative, overflowing, text, repeated, comment-only, a 5 KB
# value; one answers 503 without a To-tag; and a peer sends replies for no
# transaction at all. 20 calls each at 10 cps. Every 503 is counted (as
# without Retry-After), no destination is blocked by a bad value, each
# bad destination gets one log line (not one per reply), routing goes on.
. "$(dirname "$0")/../lib/common.sh"
it_init bad_replies
N=20
PORT=27360
BIG=$(head -c 5000 /dev/zero | tr '\0' 9)
# set:port:header ("\n" separates two header lines)
VARIANTS=(
	"1:27371:Retry-After: -5"
	"2:27372:Retry-After: 99999999999999999999"
	"3:27373:Retry-After: soon"
	"4:27374:Retry-After: 5\nRetry-After: 6"
	"5:27375:Retry-After: (maintenance)"
	"6:27376:Retry-After: $BIG"
)
: >"$IT_RUN/dispatcher.list"
for v in "${VARIANTS[@]}" "7:27377:" "8:27378:"; do
	IFS=: read -r set port _ <<<"$v"
	echo "$set sip:127.0.0.1:$port" >>"$IT_RUN/dispatcher.list"
done
failover_start $PORT 2000 4 'modparam("replyguard", "down_threshold", 1000)' \
	'modparam("replyguard", "adaptive", 0)' || exit 1

for v in "${VARIANTS[@]}"; do
	IFS=: read -r set port hdr <<<"$v"
	sipp_bg "uas_$set" -sf "$(render_reject 503 "Service Unavailable" "$hdr")" \
		-i 127.0.0.1 -p "$port" -d 5 -m $N -timeout 30s
done
# 7: a 503 without a To-tag (on the 183 neither)
sed -e 's/;tag=\[pid\]SIPpTag01\[call_number\]//' \
	"$(render_reject 503 "Service Unavailable" "X-No-Tag: 1")" \
	>"$IT_RUN/uas_notag.xml"
sipp_bg uas_7 -sf "$IT_RUN/uas_notag.xml" -i 127.0.0.1 -p 27377 -d 5 -m $N \
	-timeout 30s
# 8: healthy, to show routing goes on
sipp_bg uas_8 -sf "$IT_SCEN/uas_answer.xml" -i 127.0.0.1 -p 27378 -d 5 \
	-m $N -timeout 60s
wait_udp 27371 27372 27373 27374 27375 27376 27377 27378
for set in 1 2 3 4 5 6 7 8; do
	sipp_bg "uac_$set" 127.0.0.1:$PORT -sf "$IT_SCEN/uac_call.xml" -s "$set" \
		-i 127.0.0.1 -m $N -r 10 -d 10 -timeout 30s
done
# replies for no transaction, from a port that is nobody's destination
sipp_fg stray 127.0.0.1:$PORT -sf "$(cd "$(dirname "$0")" && pwd)/stray_reply.xml" \
	-i 127.0.0.1 -p 27390 -m 10 -r 50 -timeout 10s
for set in 1 2 3 4 5 6 7 8; do
	eval "wait_pid \$PID_uac_$set 60"
	check_cmp "caller $set ended by itself (124: still running)" $? -ne 124
done
# every call has ended at the callers: the destinations' final counts
sipp_stop uas_1 uas_2 uas_3 uas_4 uas_5 uas_6 uas_7 uas_8

rpc "$IT_RUN/list.json" replyguard.list
rgtool table "$IT_RUN/list.json" | sed 's/^/  /'
f() { rgtool find "$IT_RUN/list.json" "sip:127.0.0.1:$1" "$2"; }
for v in "${VARIANTS[@]}" "7:27377:"; do
	IFS=: read -r set port hdr <<<"$v"
	sent=$(sipp_count "uas_$set" 503_Sent)
	check_eq "set $set: every 503 counted" "$sent" "$(f "$port" replies_503)"
	check_eq "set $set: none counted as with Retry-After" 0 \
		"$(f "$port" replies_503_retry_after)"
	check_eq "set $set: never blocked by a bad value" up "$(f "$port" state)"
	check_eq "set $set: attempts = INVITEs" "$(sipp_count "uas_$set" INVITE_Recv)" \
		"$(f "$port" attempts)"
done
check_eq "each set sent its $N 503s" $((N * 7)) \
	"$(it_sum $(for s in 1 2 3 4 5 6 7; do sipp_count "uas_$s" 503_Sent || echo x; done))"
for v in "${VARIANTS[@]}"; do
	IFS=: read -r set port _ <<<"$v"
	check_eq "set $set: one log line for $N bad replies" 1 \
		"$(grep -c "503 from sip:127.0.0.1:$port: .* Retry-After .* counted as none" "$IT_RUN/kamailio.log")"
done
# cut values end in "..." so that a reader knows they were cut
check_eq "the 5 KB value is cut to 64 bytes in the log" 1 \
	"$(grep "sip:127.0.0.1:27376" "$IT_RUN/kamailio.log" | grep -c "\[9\{64\}\.\.\.\]")"
check_eq "healthy set 8 still answered: 200s (INVITE and BYE)" $((2 * N)) \
	"$(sipp_count uac_8 200_Recv)"
check_eq "replies for no transaction counted nowhere: destinations" 8 \
	"$(rgtool len "$IT_RUN/list.json")"
check_eq "kamailio still answers RPC" 1 "$(kcmd core.uptime 2>/dev/null | grep -c uptime)"
grep -E 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log" | sed 's/^/  info log: /' | head -5
check_eq "replyguard ERROR lines" 0 \
	"$(grep -E 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log" | grep -c replyguard)"
it_finish

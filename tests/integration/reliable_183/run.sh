#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# reliable_183: a destination that, for each call, sends 100, a 180 twice
# (a retransmitted provisional), a reliable 183 with SDP (Require: 100rel,
# RSeq: 1) resent every T1 until PRACK (never sent here: 4 copies), then
# 200. The proxy relays every copy and gives each to rg_inspect(); each
# call must count one 180, one 183 (with SDP), one 2xx and one PDD sample.
# A second destination sends the same, but its body is text/plain and its
# Content-Type and Content-Length come right after the Vias, where tm's
# reply parsing (up to CSeq) has read them already: the SDP check must
# still see them (a body with no Content-Type would be read as SDP).
. "$(dirname "$0")/../lib/common.sh"
it_init reliable_183
P=26300
D=sip:127.0.0.1:26311
D2=sip:127.0.0.1:26312
N=5

# one pass: a proxy, the two destinations and their callers; S names
# this pass's peers
pass_once() {
	kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
		-e "s#@HTTP@#$((P + 20))#g" || exit 1
	RPC_PORT=$((P + 20))
	kcmd replyguard.set_limit "$D" 0 1 5 >/dev/null
	kcmd replyguard.set_limit "$D2" 0 1 5 >/dev/null
	sipper_bg uas$S uas --port 26311 --mode rel183 --ring 2 --rel183 4 \
		--t1-ms 500 --max-seconds 50 || exit 1
	sipper_bg uas2$S uas --port 26312 --mode rel183 --ring 2 --rel183 4 \
		--t1-ms 500 --body-first --body-type text/plain --max-seconds 50 || exit 1

	sipper_fg uac$S uac --proxy 127.0.0.1:$P --port 26301 \
		--ruri "sip:26311@127.0.0.1:26311" --calls $N --hold-ms 100 \
		--max-seconds 40
	check_eq "the caller completed every call (200, ACK, BYE 200)" 0 $?
	sipper_fg uac2$S uac --proxy 127.0.0.1:$P --port 26302 \
		--ruri "sip:26312@127.0.0.1:26312" --calls $N --hold-ms 100 \
		--max-seconds 40
	check_eq "the caller completed every call to D2" 0 $?
	sipper_stop uas$S
	sipper_stop uas2$S

	# what really went over the wire
	s183=$(($(sipper_stat uas$S uas.26311.sent.183) + $(sipper_stat uas$S uas.26311.resent.183)))
	s180=$(($(sipper_stat uas$S uas.26311.sent.180) + $(sipper_stat uas$S uas.26311.resent.180)))
	echo "  the UAS sent $s183 copies of 183 and $s180 of 180 for $N calls"
	# 4 copies of 183 and 2 of 180 a call, plus one more of the latest
	# provisional for each INVITE tm might have had to retransmit
	check_cmp "the UAS sent (at least) 4 copies of the reliable 183 per call" \
		"$s183" -ge $((4 * N))
	check_cmp "the UAS sent (at least) 2 copies of 180 per call" \
		"$s180" -ge $((2 * N))
	check_cmp "more 183s sent than calls" "$s183" -gt $N
	check_eq "no PRACK ever reached the UAS" 0 "$(sipper_stat uas$S uas.26311.pracks)"
	check_eq "the caller received every 183 copy" "$s183" \
		"$(sipper_stat uac$S uac.provisionals.183)"
	check_eq "the caller received every 180 copy" "$s180" \
		"$(sipper_stat uac$S uac.provisionals.180)"
	check_eq "the caller saw the 183s as reliable" "$s183" \
		"$(sipper_stat uac$S uac.reliable_provisionals)"
	s183_2=$(($(sipper_stat uas2$S uas.26312.sent.183) + $(sipper_stat uas2$S uas.26312.resent.183)))
	s180_2=$(($(sipper_stat uas2$S uas.26312.sent.180) + $(sipper_stat uas2$S uas.26312.resent.180)))
	check_cmp "D2 sent (at least) 4 copies of the reliable 183 per call" \
		"$s183_2" -ge $((4 * N))
	[ -z "$S" ] || check_eq "the core reply route ran for every 183 copy" \
		"$((s183 + s183_2))" "$(grep -c 'CORE-REPLY 183 ' "$IT_RUN/kamailio.log")"
	check_eq "onreply_route ran for every 183 copy" "$((s183 + s183_2))" \
		"$(grep -c 'R183-REPLY 183 ' "$IT_RUN/kamailio.log")"
	check_eq "onreply_route ran for every 180 copy" "$((s180 + s180_2))" \
		"$(grep -c 'R183-REPLY 180 ' "$IT_RUN/kamailio.log")"

	# what replyguard made of it: once per call
	check_eq "attempts" $N "$(rg_field "$D" attempts)"
	check_eq "replies_183: once per call" $N "$(rg_field "$D" replies_183)"
	check_eq "replies_183_sdp: once per call" $N "$(rg_field "$D" replies_183_sdp)"
	check_eq "replies_180: once per call" $N "$(rg_field "$D" replies_180)"
	check_eq "replies_2xx" $N "$(rg_field "$D" replies_2xx)"
	check_eq "pdd_samples: one per call" $N "$(rg_field "$D" pdd_samples)"
	# the body's headers before CSeq: read by Kamailio's parser, not skipped
	check_eq "D2 replies_183: once per call" $N "$(rg_field "$D2" replies_183)"
	check_eq "D2 replies_183_sdp: none (text/plain, its headers first)" 0 \
		"$(rg_field "$D2" replies_183_sdp)"
	check_eq "D2 replies_2xx" $N "$(rg_field "$D2" replies_2xx)"
	check_eq "concurrent: nothing left in flight" 0 \
		"$(wait_rg "$D" concurrent 0 3000)"
	check_no_errors
}

S=
pass_once
# in callback mode, again with a core reply route in the script (which
# runs before tm's reply-in callback): replies must count the same
if [ -n "${RG_CALLBACKS:-}" ]; then
	kam_stop
	S=_core
	KAM_ARGS=(-A RG_CORE_REPLY)
	pass_once
fi
it_finish

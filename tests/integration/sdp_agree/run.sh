#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sdp_agree: "183 with SDP" is what Kamailio's SDP parser says, as sdpops
# says it in the same onreply_route. Four destinations, N calls each; each
# sends unreliable 183s before its 200:
#   D1  a 183 without a body, then a 183 with SDP (replies_183 1 a call,
#       replies_183_sdp 1 a call: the SDP is not only looked for in the
#       branch's first 183)
#   D2  a 183 with SDP as "Content-Type: application / sdp" (spaces are
#       legal around the slash)
#   D3  a 183 with a multipart body, boundary quoted with a space and
#       spaced around "=", whose part is SDP
#   D4  a 183 without a body
#   D5  a 183 with a multipart body whose only part is ISUP: sdpops'
#       sdp_content() says yes (parse_sdp() succeeds with no session),
#       replyguard counts no SDP (no SDP session): the one documented
#       difference
. "$(dirname "$0")/../lib/common.sh"
it_init sdp_agree
P=29000
N=4

kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" || exit 1
RPC_PORT=$((P + 20))
sipper_bg uas uas --port 29011 --mode answer --p183 none+sdp \
	--uas-spec 'port=29012,mode=answer,p183=sdp,body_type=application / sdp' \
	--uas-spec 'port=29013,mode=answer,p183=mpq' \
	--uas-spec 'port=29014,mode=answer,p183=none' \
	--uas-spec 'port=29015,mode=answer,p183=mpi' \
	--max-seconds 60 || exit 1
for d in 1 2 3 4 5; do
	sipper_fg uac$d uac --proxy 127.0.0.1:$P --port $((29000 + d)) \
		--ruri "sip:2901$d@127.0.0.1:2901$d" --calls $N --hold-ms 50 \
		--max-seconds 40
	check_eq "D$d: the caller completed every call" 0 $?
done
sipper_stop uas

# what sdpops said of each 183, per destination
said() { grep -c "SDPOPS 2901$1 $2" "$IT_RUN/kamailio.log"; }
check_eq "D1: sdpops: SDP in one 183 a call" $N "$(said 1 yes)"
check_eq "D1: sdpops: none in the other" $N "$(said 1 no)"
check_eq "D1: replies_183 once a call" $N "$(rg_field sip:127.0.0.1:29011 replies_183)"
check_eq "D1: replies_183_sdp as sdpops" "$(said 1 yes)" \
	"$(rg_field sip:127.0.0.1:29011 replies_183_sdp)"
for d in 2 3; do
	check_eq "D$d: sdpops: SDP in every 183" $N "$(said $d yes)"
	check_eq "D$d: replies_183" $N "$(rg_field sip:127.0.0.1:2901$d replies_183)"
	check_eq "D$d: replies_183_sdp as sdpops" "$(said $d yes)" \
		"$(rg_field sip:127.0.0.1:2901$d replies_183_sdp)"
done
check_eq "D4: sdpops: no SDP" $N "$(said 4 no)"
check_eq "D4: replies_183" $N "$(rg_field sip:127.0.0.1:29014 replies_183)"
check_eq "D4: replies_183_sdp as sdpops" 0 \
	"$(rg_field sip:127.0.0.1:29014 replies_183_sdp)"
check_eq "D5: sdpops: sdp_content() true" $N "$(said 5 yes)"
check_eq "D5: replies_183" $N "$(rg_field sip:127.0.0.1:29015 replies_183)"
check_eq "D5: replies_183_sdp: no SDP session" 0 \
	"$(rg_field sip:127.0.0.1:29015 replies_183_sdp)"
check_no_errors
it_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# reply_dropped: see README. A reply dropped by the core (check_via) after
# replyguard's reply path is not counted, and a 503 with Retry-After so
# dropped blocks nothing.
. "$(dirname "$0")/../lib/common.sh"
it_init reply_dropped
P=24760
D=sip:127.0.0.1:24771
D2=sip:127.0.0.1:24772
N=10

kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" || exit 1
RPC_PORT=$((P + 20))
sipper_bg uas uas --port 24771 --mode answer --ring 1 --answer-ms 100 \
	--bad-via --max-seconds 50 \
	--uas-spec 'port=24772,mode=reject,code=503,retry_after=60,bad_via=2' || exit 1
sipper_fg uac uac --proxy 127.0.0.1:$P --port 24761 \
	--ruri "sip:24771@127.0.0.1:24771" --calls $N --hold-ms 100 \
	--max-seconds 40
check_eq "the caller completed every call (200, ACK, BYE 200)" 0 $?
# one call to D2: its 503 never reaches tm; after D2's 100, fr_inv_timer
# (10 s) ends it
sipper_fg uac2 uac --proxy 127.0.0.1:$P --port 24762 \
	--ruri "sip:24772@127.0.0.1:24772" --calls 1 --call-timeout-ms 20000 \
	--max-seconds 30
sipper_stop uas

check_eq "the UAS sent one 180 a call, each with a foreign top Via" $N \
	"$(sipper_stat uas uas.24771.sent.180)"
check_eq "none of them reached the caller (the core dropped them)" 0 \
	"$(sipper_stat uac uac.provisionals.180)"
# (and the copies of D2's 503: at least one more)
check_cmp "the core dropped each 180 and the 503 for its Via (a line each)" \
	"$(grep -c 'host in first via!=me' "$IT_RUN/kamailio.log")" -gt $N
check_eq "none of them was counted (replies_180)" 0 \
	"$(rg_field "$D" replies_180)"
check_eq "replies_2xx" $N "$(rg_field "$D" replies_2xx)"
check_cmp "D2 sent its 503 (with a foreign top Via)" \
	"$(sipper_stat uas uas.24772.sent.503)" -ge 1
check_eq "the caller got the proxy's 408, not the dropped 503" 1 \
	"$(sipper_stat uac2 uac.finals.408)"
check_eq "D2: the dropped 503 counted nowhere (replies_503)" 0 \
	"$(rg_field "$D2" replies_503)"
check_eq "D2: nor as a 5xx" 0 "$(rg_field "$D2" replies_5xx)"
check_eq "D2: its timeout counted" 1 "$(wait_rg "$D2" timeouts 1 5000)"
check_cmp "D2: not blocked for the dropped Retry-After (60 s)" \
	"$(rg_field "$D2" blocked_for)" -lt 30
# with wt_timer 1 s every transaction is gone within seconds, unless a
# reference was never given back (then tm keeps it for 90 s)
check_eq "every transaction ended (tm.stats current)" 0 \
	"$(wait_eq 10 0 tm_current)"
check_eq "kamailio ERROR/CRITICAL lines other than the Via drops" 0 \
	"$(grep -E 'ERROR:|CRITICAL:' "$IT_RUN/kamailio.log" |
		grep -vc 'host in first via!=me')"
check_eq "releases with no call held (replyguard.summary)" 0 \
	"$(kcmd replyguard.summary 2>/dev/null |
		awk '$1 == "unheld_release:" {print $2; exit}')"
it_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# reply_dropped: see README. A reply dropped by the core (check_via) after
# replyguard's pre-script read and before tm must not keep its
# transaction referenced.
. "$(dirname "$0")/../lib/common.sh"
it_init reply_dropped
P=24760
D=sip:127.0.0.1:24771
N=10

# tm.stats' current transactions
tm_current() {
	kcmd tm.stats 2>/dev/null | awk '$1 == "current:" {print $2; exit}'
}

kam_start "$(dirname "$0")/kamailio.cfg" -e "s#@PORT@#$P#g" \
	-e "s#@HTTP@#$((P + 20))#g" || exit 1
RPC_PORT=$((P + 20))
sipper_bg uas uas --port 24771 --mode answer --ring 1 --answer-ms 100 \
	--bad-via --max-seconds 50 || exit 1
sipper_fg uac uac --proxy 127.0.0.1:$P --port 24761 \
	--ruri "sip:24771@127.0.0.1:24771" --calls $N --hold-ms 100 \
	--max-seconds 40
check_eq "the caller completed every call (200, ACK, BYE 200)" 0 $?
sipper_stop uas

check_eq "the UAS sent one 180 a call, each with a foreign top Via" $N \
	"$(sipper_stat uas uas.24771.sent.180)"
check_eq "none of them reached the caller (the core dropped them)" 0 \
	"$(sipper_stat uac uac.provisionals.180)"
check_eq "the core dropped each 180 for its Via (one line each)" $N \
	"$(grep -c 'host in first via!=me' "$IT_RUN/kamailio.log")"
check_eq "replyguard read each before the core dropped it (replies_180)" \
	$N "$(rg_field "$D" replies_180)"
check_eq "replies_2xx" $N "$(rg_field "$D" replies_2xx)"
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

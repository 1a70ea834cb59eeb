# SPDX-License-Identifier: GPL-2.0-or-later
# A dispatcher proxy with replyguard failover, in Python (app_python3).
# The dispatcher set is the R-URI user. HTTP: /RPC is JSON-RPC, /metrics
# the Prometheus page, and /kemi/<function>/<args...> calls one replyguard
# function and answers "rc=<its return code>". The same routing as
# tests/integration/kemi_lua/routing.lua. -255 returned from a route is
# KEMI's exit.
import KSR as KSR


def mod_init():
    return kamailio()


def to_int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


class kamailio:
    def __init__(self):
        pass

    def child_init(self, rank):
        return 0

    def relay(self, msg):
        ra = 0
        # the first try with rg_allow(), retries with rg_allow_dst($du)
        rc = KSR.replyguard.rg_allow()
        while rc < 0:
            r = to_int(KSR.pv.get("$rg(retry_after)"))
            if ra == 0 or r < ra:
                ra = r
            if KSR.dispatcher.ds_next_dst() < 0:
                KSR.hdr.append_to_reply("Retry-After: %d\r\n" % ra)
                KSR.sl.send_reply(503, "All Destinations Down")
                return -255
            rc = KSR.replyguard.rg_allow_dst(KSR.pv.get("$du"))
        KSR.tm.t_on_reply("ksr_onreply_R")
        KSR.tm.t_on_failure("ksr_failure_F")
        KSR.tm.t_relay()
        return -255

    def ksr_request_route(self, msg):
        if KSR.siputils.has_totag() > 0:
            if KSR.rr.loose_route() > 0:
                KSR.tm.t_relay()
            elif KSR.is_ACK() and KSR.tm.t_check_trans() > 0:
                KSR.tm.t_relay()
            return 1
        if KSR.is_CANCEL():
            if KSR.tm.t_check_trans() > 0:
                KSR.tm.t_relay()
            return 1
        KSR.tm.t_check_trans()
        KSR.rr.record_route()
        dset = to_int(KSR.pv.get("$rU"))
        if KSR.dispatcher.ds_select_dst(dset, 4) < 0:
            if KSR.replyguard.rg_ds_retry_after(dset) > 0:
                KSR.hdr.append_to_reply("Retry-After: %s\r\n"
                                        % KSR.pv.get("$rg(retry_after)"))
            KSR.sl.send_reply(503, "No Destination")
            return 1
        return self.relay(msg)

    # app_python3 looks these up for every reply and every relayed
    # request; without them a Python exception is left pending, and the
    # next KSR call fails on it
    def ksr_reply_route(self, msg):
        return 1

    def ksr_onsend_route(self, msg):
        return 1

    def ksr_onreply_R(self, msg):
        KSR.replyguard.rg_inspect()
        return 1

    def ksr_failure_F(self, msg):
        if KSR.tm.t_is_canceled() > 0:
            return 1
        if KSR.replyguard.rg_failover() > 0:
            return self.relay(msg)
        return 1

    def ksr_replyguard_event(self, msg, evname):
        KSR.info("RG-EVENT %s %s state=%s\n" % (
            evname, KSR.pv.get("$rg(dst)"), KSR.pv.get("$rg(state)")))
        return 1

    # /kemi/<function>/<arg1>/<arg2>...
    def kemi_call(self, path):
        a = [p for p in path.split("/") if p]
        f, rg = a[1] if len(a) > 1 else "", KSR.replyguard
        if f == "set_limit":
            return rg.rg_set_limit(a[2], int(a[3]))
        if f == "set_limit_burst":
            return rg.rg_set_limit_burst(a[2], int(a[3]), int(a[4]))
        if f == "set_limit_all":
            return rg.rg_set_limit_all(a[2], int(a[3]), int(a[4]), int(a[5]))
        if f == "block":
            return rg.rg_block(a[2], int(a[3]))
        if f == "unblock":
            return rg.rg_unblock(a[2])
        return None

    def ksr_xhttp_event(self, msg, evname):
        hu = KSR.pv.get("$hu") or ""
        if hu.startswith("/metrics"):
            KSR.replyguard.rg_prometheus()
            return 1
        if hu.startswith("/kemi/"):
            rc = self.kemi_call(hu)
            if rc is None:
                KSR.xhttp.xhttp_reply(404, "Not Found", "text/plain",
                                      "no such\n")
            else:
                KSR.xhttp.xhttp_reply(200, "OK", "text/plain", "rc=%d\n" % rc)
            return 1
        KSR.jsonrpcs.dispatch()
        return 1

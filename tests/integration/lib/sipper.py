#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""sipper: a scriptable SIP peer over UDP on loopback, UAC and UAS.

For what sipp cannot script easily: byte-identical INVITE retransmissions
on a chosen schedule, reliable 183s resent until PRACK, retransmitted
provisionals, per-call behaviour chosen by the R-URI user, a final reply
held until a file appears. Standard library only; binds 127.0.0.1 only;
every loop is bounded in count and time, and the process ends by itself
after --max-seconds whatever happens.

  sipper.py uas --port P --mode MODE [options] --stats FILE
      One UAS (more with --uas-spec 'port=P2,mode=reject,code=503').
      MODE is a preset of the per-call plan:
        answer   100, then 200 (after --answer-ms)
        reject   100, then --code (486 by default; --retry-after adds one)
        trying   100 Trying, then nothing (the proxy's fr_timer fires)
        ring     100, 180, then nothing (ring, no answer)
        rel183   100, 180 twice (a retransmitted provisional), a reliable
                 183 with SDP (Require: 100rel, RSeq) sent --rel183 times
                 (4: once and resent every --t1-ms) unless PRACKed, then 200
        silent   nothing at all
      Options override the preset: --code --reason --retry-after
      --answer-ms --ring N --ring-gap-ms --rel183 N --t1-ms --no-trying
      --hold-file PATH (the final waits until PATH exists) --no-cancel-487
      --body-first (Content-Type and Content-Length right after the Vias)
      --body-type TYPE (the Content-Type of bodies, application/sdp)
      --bad-via (provisionals above 100 carry a top Via naming another
      host, 192.0.2.1, their branch unchanged; rule key bad_via=2: the
      final reply too) --p183 KINDS (unreliable 183s before the final,
      one per "+"-separated body kind: none, sdp (of --body-type), mpq
      (multipart/mixed; boundary = "q b", an SDP part), mpi (multipart,
      an ISUP part only); e.g. none+sdp).
      --ring-ms MS (when the first 180 goes, 10 by default) --q850 N and
      --sipcause N (the final carries "Reason: Q.850;cause=N" or
      "Reason: SIP;cause=N").
      --rule USER:key=val,... overrides them for calls whose R-URI user
      is USER, on every UAS of the process (keys: mode code reason
      retry_after answer_ms trying ring ring_gap_ms rel183 t1_ms hold_file
      cancel487 body_first body_type bad_via p183 ring_ms q850 sipcause).
      Runs until SIGTERM/SIGINT or --max-seconds.

  sipper.py uac --proxy HOST:PORT --port LOCAL --ruri URI [options]
      Calls, one after another (or every --gap-ms with --concurrent).
      --retransmit-ms 100,300 resends the INVITE byte for byte (same
      branch, Call-ID, CSeq) at those offsets while no reply has come;
      --mode retransmit presets 100,300. ACK for every final (and again
      for each retransmitted one), BYE after --hold-ms for answered
      calls. --header 'X-Slow: 1' adds a header; --call-timeout-ms gives
      up on a call without a final. Exits when every call is done (0 when
      each got a final and, if answered, a 200 to its BYE; else 1).
      --uas-spec runs UASes in the same process.

  sipper.py stat FILE PATH       one figure of a stats file (dotted path,
                                 e.g. uac.finals.486 or uas.26231.invites)

The stats file (--stats) is written, atomically, once every socket is
bound (state "running": a start marker) and again on exit (state "done").
"""
import argparse
import heapq
import json
import os
import random
import re
import select
import signal
import socket
import sys
import time

LOOPBACK = "127.0.0.1"
MAX_LOOP = 2000000  # event loop iterations, whatever happens
MAX_DRAIN = 64  # datagrams read per socket per iteration
MAX_TIMERS = 1000  # timers run per iteration
MAX_FINAL_RETRANS = 6  # final replies resent until ACK, at most
MAX_BYE_RETRANS = 6
MAX_HOLD_POLLS = 100000  # 50 ms polls of a --hold-file, at most

COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id",
           "m": "contact", "l": "content-length", "c": "content-type",
           "k": "supported"}
REASONS = {100: "Trying", 180: "Ringing", 183: "Session Progress",
           200: "OK", 404: "Not Found", 408: "Request Timeout",
           481: "Call/Transaction Does Not Exist", 486: "Busy Here",
           487: "Request Terminated", 500: "Server Internal Error",
           501: "Not Implemented", 503: "Service Unavailable",
           603: "Decline"}
SDP = ("v=0\r\no=sipper 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
       "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 26998 RTP/AVP 0\r\n"
       "a=rtpmap:0 PCMU/8000\r\n")


def token():
    return "%016x" % random.getrandbits(64)


def split_list(value):
    """A header value split at commas outside <...> and quotes."""
    out, cur, depth, quote = [], "", 0, False
    for ch in value:
        if ch == '"':
            quote = not quote
        elif not quote and ch == "<":
            depth += 1
        elif not quote and ch == ">":
            depth -= 1
        if ch == "," and depth == 0 and not quote:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def param(value, name):
    """Parameter `name` of a header value (after the URI), or ''."""
    tail = value.rsplit(">", 1)[-1] if ">" in value else value
    for p in tail.split(";")[1:]:
        k, _, v = p.partition("=")
        if k.strip().lower() == name:
            return v.strip()
    return ""


def uri_of(value):
    if "<" in value:
        return value.split("<", 1)[1].split(">", 1)[0]
    return value.split(";", 1)[0].strip()


def uri_user(uri):
    s = uri.split(":", 1)[1] if ":" in uri else uri
    return s.split("@", 1)[0] if "@" in s else ""


class Msg:
    def __init__(self, data):
        text = data.decode("utf-8", "replace")
        head, _, self.body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        self.is_reply = parts[0] == "SIP/2.0"
        self.code = 0
        self.method = self.ruri = None
        if self.is_reply:
            self.code = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        else:
            self.method = parts[0]
            self.ruri = parts[1] if len(parts) > 1 else ""
        self.hdrs = []
        for line in lines[1:]:
            if ":" not in line:
                continue
            name, _, value = line.partition(":")
            low = name.strip().lower()
            self.hdrs.append((COMPACT.get(low, low), value.strip()))

    def all(self, name):
        return [v for n, v in self.hdrs if n == name]

    def get(self, name):
        v = self.all(name)
        return v[0] if v else ""

    def values(self, name):
        out = []
        for v in self.all(name):
            out.extend(split_list(v))
        return out

    def cseq_method(self):
        return self.get("cseq").partition(" ")[2].strip().upper()

    def top_branch(self):
        vias = self.values("via")
        return param(vias[0], "branch") if vias else ""


class Loop:
    """Timers and sockets; ends at its deadline or when told to."""

    def __init__(self, max_seconds):
        self.end = time.monotonic() + max_seconds
        self.timers = []
        self.seq = 0
        self.socks = {}
        self.stopping = False
        self.finish_at = None

    def later(self, delay, fn):
        self.seq += 1
        heapq.heappush(self.timers, (time.monotonic() + max(0.0, delay),
                                     self.seq, fn))

    def add(self, sock, handler):
        sock.setblocking(False)
        self.socks[sock.fileno()] = (sock, handler)

    def finish(self, linger):
        at = time.monotonic() + linger
        if self.finish_at is None or at < self.finish_at:
            self.finish_at = at

    def run(self):
        for _ in range(MAX_LOOP):
            now = time.monotonic()
            if self.stopping or now >= self.end or (
                    self.finish_at is not None and now >= self.finish_at):
                return
            wait = min(0.2, self.end - now)
            if self.finish_at is not None:
                wait = min(wait, self.finish_at - now)
            if self.timers:
                wait = min(wait, self.timers[0][0] - now)
            try:
                ready, _, _ = select.select(
                    [s for s, _ in self.socks.values()], [], [],
                    max(0.0, wait))
            except InterruptedError:
                continue
            for _ in range(MAX_TIMERS):
                if not self.timers or self.timers[0][0] > time.monotonic():
                    break
                heapq.heappop(self.timers)[2]()
            for sock in ready:
                handler = self.socks[sock.fileno()][1]
                for _ in range(MAX_DRAIN):
                    try:
                        data, addr = sock.recvfrom(65535)
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:
                        break  # e.g. ICMP port unreachable on loopback
                    try:
                        msg = Msg(data)
                    except (ValueError, IndexError):
                        continue
                    handler(msg, addr)


def bind(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((LOOPBACK, port))
    return sock


def bump(d, key, n=1):
    key = str(key)
    d[key] = d.get(key, 0) + n


# ---------------------------------------------------------------- UAS

BASE_SPEC = {"mode": "answer", "code": 200, "reason": "", "retry_after": "",
             "answer_ms": 0, "trying": 1, "ring": 0, "ring_gap_ms": 50,
             "rel183": 0, "t1_ms": 500, "hold_file": "", "cancel487": 1,
             "body_first": 0, "body_type": "application/sdp", "bad_via": 0,
             "p183": "", "ring_ms": 10, "q850": -1, "sipcause": -1}
MODES = {
    "answer": {"code": 200},
    "reject": {"code": 486},
    "trying": {"code": 0},
    "ring": {"code": 0, "ring": 1},
    "rel183": {"code": 200, "ring": 2, "rel183": 4},
    "silent": {"code": 0, "trying": 0, "cancel487": 0},
}
INT_KEYS = ("code", "answer_ms", "trying", "ring", "ring_gap_ms", "rel183",
            "t1_ms", "cancel487", "body_first", "bad_via", "port", "ring_ms",
            "q850", "sipcause")


def typed(over):
    out = {}
    for k, v in over.items():
        if k not in BASE_SPEC and k != "port":
            raise SystemExit("sipper: unknown UAS key %r" % k)
        out[k] = int(v) if k in INT_KEYS else v
    return out


def parse_kv(text):
    over = {}
    for item in text.split(","):
        if not item.strip():
            continue
        k, eq, v = item.partition("=")
        if not eq:
            raise SystemExit("sipper: %r is not key=value" % item)
        over[k.strip()] = v.strip()
    return typed(over)


def make_spec(over):
    mode = over.get("mode", "answer")
    if mode not in MODES:
        raise SystemExit("sipper: unknown mode %r" % mode)
    spec = dict(BASE_SPEC)
    spec.update(MODES[mode])
    spec.update(over)
    spec["mode"] = mode
    return spec


class UasCall:
    def __init__(self, req, addr, spec):
        self.req = req
        self.addr = addr
        self.spec = spec
        self.totag = token()[:10]
        self.callid = req.get("call-id")
        self.last = None  # last reply sent, resent on a retransmission
        self.prov = {}  # provisional code -> bytes (copies are identical)
        self.final = 0
        self.acked = False
        self.pracked = False


class Uas:
    def __init__(self, loop, port, over, rules):
        self.loop = loop
        self.port = port
        self.over = over
        self.rules = rules  # R-URI user -> overrides
        self.sock = bind(port)
        loop.add(self.sock, self.on_msg)
        self.invites = {}  # top Via branch -> call
        self.calls = {}  # Call-ID -> call
        self.byes = {}  # branch -> reply bytes
        self.cancelled = set()  # branches of CANCELs seen
        self.stats = {"port": port, "spec": make_spec(over), "invites": 0,
                      "invites_total": 0, "invite_retrans": 0,
                      "call_ids": 0, "sent": {}, "resent": {},
                      "final_retrans": 0, "acks_2xx": 0, "acks_non2xx": 0,
                      "cancels": 0, "cancels_total": 0, "pracks": 0,
                      "byes": 0, "other": 0}

    def spec_for(self, req):
        over = dict(self.over)
        over.update(self.rules.get(uri_user(req.ruri), {}))
        return make_spec(over)

    def reply(self, req, code, reason=None, totag=None, extra=(),
              body="", contact=True, ctype=None):
        out = ["SIP/2.0 %d %s" % (code, reason or REASONS.get(code, "Reply"))]
        spec = self.spec_for(req)
        for i, v in enumerate(req.all("via")):
            # bad_via: a provisional above 100 whose top Via names another
            # host (its branch unchanged): a proxy with check_via drops it
            if i == 0 and code > 100 and (
                    (spec["bad_via"] and code < 200) or
                    (spec["bad_via"] == 2 and code >= 200)):
                v = re.sub(r"^(SIP/2\.0/\w+\s+)[^;:\s]+", r"\g<1>192.0.2.1", v)
            out.append("Via: " + v)
        # body_first: the body's headers before From (what a parser reading
        # up to CSeq has then read already); body_type: its Content-Type
        body_hdrs = ["Content-Length: %d" % len(body.encode())]
        if body:
            body_hdrs.insert(0, "Content-Type: " + (ctype or spec["body_type"]))
        first = spec["body_first"]
        if first:
            out.extend(body_hdrs)
        if 100 < code < 300:
            for v in req.all("record-route"):
                out.append("Record-Route: " + v)
        out.append("From: " + req.get("from"))
        to = req.get("to")
        if totag and ";tag=" not in to:
            to += ";tag=" + totag
        out.append("To: " + to)
        out.append("Call-ID: " + req.get("call-id"))
        out.append("CSeq: " + req.get("cseq"))
        if contact and code > 100:
            out.append("Contact: <sip:sipper@%s:%d>" % (LOOPBACK, self.port))
        out.extend(extra)
        if not first:
            out.extend(body_hdrs)
        return ("\r\n".join(out) + "\r\n\r\n" + body).encode()

    def send(self, data, addr, code, resent=False, invite=True):
        """Replies to INVITEs are counted by code in sent (first copy)
        and resent (further identical copies); others are not."""
        self.sock.sendto(data, addr)
        if invite:
            bump(self.stats["resent" if resent else "sent"], code)

    def on_msg(self, msg, addr):
        if msg.is_reply:
            return
        m = msg.method
        if m == "INVITE":
            self.on_invite(msg, addr)
        elif m == "ACK":
            self.on_ack(msg)
        elif m == "CANCEL":
            self.on_cancel(msg, addr)
        elif m == "PRACK":
            self.stats["pracks"] += 1
            call = self.calls.get(msg.get("call-id"))
            if call:
                call.pracked = True
            self.send(self.reply(msg, 200, totag=call.totag if call else
                                 token()[:10]), addr, 200, invite=False)
        elif m == "BYE":
            br = msg.top_branch()
            if br not in self.byes:
                self.stats["byes"] += 1
                self.byes[br] = self.reply(msg, 200, contact=False)
                self.send(self.byes[br], addr, 200, invite=False)
            else:
                self.send(self.byes[br], addr, 200, invite=False)
        else:
            self.stats["other"] += 1
            code = 200 if m == "OPTIONS" else 501
            self.send(self.reply(msg, code, totag=token()[:10]), addr, code,
                      invite=False)

    def on_invite(self, req, addr):
        self.stats["invites_total"] += 1
        br = req.top_branch()
        call = self.invites.get(br)
        if call is not None:
            self.stats["invite_retrans"] += 1
            if call.last is not None:
                self.send(call.last, call.addr, Msg(call.last).code, True)
            return
        spec = self.spec_for(req)
        call = UasCall(req, addr, spec)
        self.invites[br] = call
        self.stats["invites"] += 1
        if call.callid not in self.calls:
            self.stats["call_ids"] += 1
        self.calls[call.callid] = call
        if spec["trying"]:
            self.provisional(call, 100)
        at = spec["ring_ms"] / 1000.0
        last = 0.0
        gap = spec["ring_gap_ms"] / 1000.0
        for i in range(spec["ring"]):
            last = at + i * gap
            self.loop.later(last, lambda c=call: self.provisional(c, 180))
        if spec["ring"]:
            at = last + 0.01
        for i, kind in enumerate(k for k in spec["p183"].split("+") if k):
            last = at + i * 0.05
            self.loop.later(last, lambda c=call, k=kind, n=i:
                            self.plain_183(c, k, n))
        if spec["p183"]:
            at = last + 0.05
        t1 = spec["t1_ms"] / 1000.0
        for i in range(spec["rel183"]):
            last = at + i * t1
            self.loop.later(last, lambda c=call: self.reliable_183(c))
        if spec["code"]:
            when = spec["answer_ms"] / 1000.0
            if last > 0:
                when = max(when, last + 0.02)
            self.loop.later(when, lambda c=call: self.final_when_ready(c, 0))

    def provisional(self, call, code):
        if call.final:
            return
        data = call.prov.get(code)
        if data is None:
            data = self.reply(call.req, code,
                              totag=call.totag if code > 100 else None)
            call.prov[code] = data
            self.send(data, call.addr, code)
        else:
            self.send(data, call.addr, code, resent=True)
        call.last = data

    def plain_183(self, call, kind, n):
        """An unreliable 183: no body, SDP, or SDP in a multipart body."""
        if call.final:
            return
        body, ctype = "", None
        if kind == "sdp":
            body = SDP
        elif kind == "mpq":
            body = ("--q b\r\nContent-Type: application/sdp\r\n\r\n" + SDP +
                    "--q b--\r\n")
            ctype = 'multipart/mixed; boundary = "q b"'
        elif kind == "mpi":
            body = ("--b1\r\nContent-Type: application/isup\r\n\r\nxx\r\n"
                    "--b1--\r\n")
            ctype = "multipart/mixed;boundary=b1"
        elif kind != "none":
            raise SystemExit("sipper: unknown 183 body kind %r" % kind)
        data = self.reply(call.req, 183, totag=call.totag, body=body,
                          ctype=ctype)
        call.prov["183p%d" % n] = data
        self.send(data, call.addr, 183, resent=n > 0)
        call.last = data

    def reliable_183(self, call):
        if call.final or call.pracked:
            return
        data = call.prov.get("183rel")
        first = data is None
        if first:
            data = self.reply(call.req, 183, totag=call.totag,
                              extra=("Require: 100rel", "RSeq: 1"), body=SDP)
            call.prov["183rel"] = data
        self.send(data, call.addr, 183, resent=not first)
        call.last = data

    def final_when_ready(self, call, polls):
        hold = call.spec["hold_file"]
        if hold and not os.path.exists(hold) and polls < MAX_HOLD_POLLS:
            self.loop.later(0.05,
                            lambda: self.final_when_ready(call, polls + 1))
            return
        spec = call.spec
        extra = []
        if spec["retry_after"]:
            extra.append("Retry-After: " + spec["retry_after"])
        if spec["q850"] >= 0:
            extra.append("Reason: Q.850;cause=%d;text=\"sipper, %d\"" %
                         (spec["q850"], spec["q850"]))
        if spec["sipcause"] >= 0:
            extra.append("Reason: SIP;cause=%d" % spec["sipcause"])
        self.final(call, spec["code"], spec["reason"] or None, extra)

    def final(self, call, code, reason=None, extra=()):
        if call.final:
            return
        call.final = code
        body = SDP if 200 <= code < 300 else ""
        call.last = self.reply(call.req, code, reason, call.totag, extra,
                               body)
        self.send(call.last, call.addr, code)
        self.retransmit_final(call, 0.5, 0)

    def retransmit_final(self, call, interval, n):
        def again():
            if call.acked or n >= MAX_FINAL_RETRANS:
                return
            self.stats["final_retrans"] += 1
            self.send(call.last, call.addr, call.final, resent=True)
            self.retransmit_final(call, min(interval * 2, 4.0), n + 1)
        self.loop.later(interval, again)

    def on_ack(self, msg):
        call = self.invites.get(msg.top_branch())
        if call is not None and call.final >= 300:
            if not call.acked:
                self.stats["acks_non2xx"] += 1
            call.acked = True
            return
        call = self.calls.get(msg.get("call-id"))
        if call is not None and 200 <= call.final < 300:
            if not call.acked:
                self.stats["acks_2xx"] += 1
            call.acked = True

    def on_cancel(self, msg, addr):
        self.stats["cancels_total"] += 1
        br = msg.top_branch()
        if br not in self.cancelled:
            self.cancelled.add(br)
            self.stats["cancels"] += 1
        call = self.invites.get(br)
        if call is None:
            self.send(self.reply(msg, 481, totag=token()[:10]), addr, 481,
                      invite=False)
            return
        self.send(self.reply(msg, 200, totag=call.totag, contact=False),
                  addr, 200, invite=False)
        if not call.final and call.spec["cancel487"]:
            self.final(call, 487)


# ---------------------------------------------------------------- UAC

class UacCall:
    def __init__(self, idx):
        self.idx = idx
        self.callid = "%s@%s" % (token(), LOOPBACK)
        self.ftag = token()[:10]
        self.branch = "z9hG4bK" + token()
        self.invite = None
        self.got_reply = False
        self.retrans = 0
        self.final = 0
        self.ack = None
        self.bye = None
        self.bye_code = 0
        self.bye_sent = False
        self.done = False
        self.provisionals = {}
        self.t0 = time.monotonic()


class Uac:
    def __init__(self, loop, args):
        self.loop = loop
        self.args = args
        host, _, port = args.proxy.rpartition(":")
        if host not in ("127.0.0.1", "localhost"):
            raise SystemExit("sipper: the proxy must be on 127.0.0.1")
        self.proxy = (LOOPBACK, int(port))
        self.port = args.port
        self.sock = bind(args.port)
        loop.add(self.sock, self.on_msg)
        offsets = args.retransmit_ms
        if offsets is None and args.mode == "retransmit":
            offsets = "100,300"
        self.offsets = [int(x) / 1000.0 for x in (offsets or "").split(",")
                        if x.strip()]
        self.calls = {}
        self.order = []
        self.started = 0
        self.stats = {"calls": args.calls, "started": 0, "completed": 0,
                      "invites_sent": 0, "retransmissions": 0,
                      "retrans_per_call": [], "call_ids": 0,
                      "provisionals": {}, "reliable_provisionals": 0,
                      "finals": {}, "final_retrans": 0, "answered": 0,
                      "acks": 0, "acks_for_retrans": 0, "byes": 0,
                      "bye_retrans": 0, "bye_ok": 0, "no_final": 0,
                      "bye_timeout": 0}

    def start(self):
        if self.args.concurrent:
            for i in range(self.args.calls):
                self.loop.later(i * self.args.gap_ms / 1000.0,
                                self.start_call)
        elif self.args.calls > 0:
            self.loop.later(0, self.start_call)
        else:
            self.loop.finish(0)

    def via(self, branch):
        return "Via: SIP/2.0/UDP %s:%d;branch=%s;rport" % (
            LOOPBACK, self.port, branch)

    def from_hdr(self, call):
        return "From: <sip:sipper@%s:%d>;tag=%s" % (LOOPBACK, self.port,
                                                     call.ftag)

    def start_call(self):
        if self.started >= self.args.calls:
            return
        call = UacCall(self.started)
        self.started += 1
        self.stats["started"] += 1
        self.calls[call.callid] = call
        self.order.append(call)
        self.stats["call_ids"] = len(self.calls)
        ruri = self.args.ruri
        lines = ["INVITE %s SIP/2.0" % ruri, self.via(call.branch),
                 "Max-Forwards: 70", self.from_hdr(call),
                 "To: <%s>" % ruri, "Call-ID: " + call.callid,
                 "CSeq: 1 INVITE",
                 "Contact: <sip:sipper@%s:%d>" % (LOOPBACK, self.port),
                 "Supported: 100rel"]
        lines.extend(self.args.header or [])
        lines.append("Content-Type: application/sdp")
        lines.append("Content-Length: %d" % len(SDP))
        call.invite = ("\r\n".join(lines) + "\r\n\r\n" + SDP).encode()
        call.t0 = time.monotonic()
        self.sock.sendto(call.invite, self.proxy)
        self.stats["invites_sent"] += 1
        for off in self.offsets:
            self.loop.later(off, lambda c=call: self.retransmit(c))
        self.loop.later(self.args.call_timeout_ms / 1000.0,
                        lambda c=call: self.give_up(c))
        if self.args.cancel_ms > 0:
            self.loop.later(self.args.cancel_ms / 1000.0,
                            lambda c=call: self.cancel(c))

    def cancel(self, call):
        """CANCEL the INVITE (same branch, CSeq 1 CANCEL), once."""
        if call.final or call.done:
            return
        ruri = self.args.ruri
        lines = ["CANCEL %s SIP/2.0" % ruri, self.via(call.branch),
                 "Max-Forwards: 70", self.from_hdr(call),
                 "To: <%s>" % ruri, "Call-ID: " + call.callid,
                 "CSeq: 1 CANCEL", "Content-Length: 0"]
        self.sock.sendto(("\r\n".join(lines) + "\r\n\r\n").encode(),
                         self.proxy)
        self.stats["cancels_sent"] = self.stats.get("cancels_sent", 0) + 1

    def retransmit(self, call):
        if call.got_reply or call.done:
            return
        self.sock.sendto(call.invite, self.proxy)  # the very same bytes
        call.retrans += 1
        self.stats["retransmissions"] += 1

    def give_up(self, call):
        if call.final or call.done:
            return
        self.stats["no_final"] += 1
        self.call_done(call)

    def call_done(self, call):
        if call.done:
            return
        call.done = True
        self.stats["completed"] += 1
        if not self.args.concurrent and self.started < self.args.calls:
            self.loop.later(self.args.gap_ms / 1000.0, self.start_call)
        if self.stats["completed"] >= self.args.calls:
            self.loop.finish(self.args.linger_ms / 1000.0)

    def on_msg(self, msg, addr):
        if not msg.is_reply:
            # a request to the UAC (e.g. a BYE from the far end): 200 OK
            if msg.method != "ACK":
                out = ["SIP/2.0 200 OK"] + ["Via: " + v for v in msg.all("via")]
                for n in ("from", "to", "call-id", "cseq"):
                    out.append("%s: %s" % (n, msg.get(n)))
                out.append("Content-Length: 0")
                self.sock.sendto(("\r\n".join(out) + "\r\n\r\n").encode(),
                                 addr)
            return
        call = self.calls.get(msg.get("call-id"))
        if call is None:
            return
        method = msg.cseq_method()
        if method == "INVITE":
            self.on_invite_reply(call, msg)
        elif method == "BYE" and msg.code >= 200 and not call.bye_code:
            call.bye_code = msg.code
            if msg.code == 200:
                self.stats["bye_ok"] += 1
            self.call_done(call)

    def on_invite_reply(self, call, msg):
        code = msg.code
        call.got_reply = True
        if code < 200:
            bump(self.stats["provisionals"], code)
            bump(call.provisionals, code)
            if "100rel" in msg.get("require").lower():
                self.stats["reliable_provisionals"] += 1
            return
        if call.final:
            # a retransmitted final: ACK it again
            self.stats["final_retrans"] += 1
            if call.ack is not None:
                self.sock.sendto(call.ack, self.proxy)
                self.stats["acks_for_retrans"] += 1
            return
        call.final = code
        bump(self.stats["finals"], code)
        to = msg.get("to")
        if code < 300:
            self.stats["answered"] += 1
            routes = list(reversed(msg.values("record-route")))
            target = uri_of(msg.get("contact")) or self.args.ruri
            call.ack = self.in_dialog(call, "ACK", 1, target, routes, to)
            call.bye = self.in_dialog(call, "BYE", 2, target, routes, to)
            self.sock.sendto(call.ack, self.proxy)
            self.stats["acks"] += 1
            self.loop.later(self.args.hold_ms / 1000.0,
                            lambda: self.send_bye(call, 0.5, 0))
        else:
            lines = ["ACK %s SIP/2.0" % self.args.ruri, self.via(call.branch),
                     "Max-Forwards: 70", self.from_hdr(call), "To: " + to,
                     "Call-ID: " + call.callid, "CSeq: 1 ACK",
                     "Content-Length: 0"]
            call.ack = ("\r\n".join(lines) + "\r\n\r\n").encode()
            self.sock.sendto(call.ack, self.proxy)
            self.stats["acks"] += 1
            self.call_done(call)

    def in_dialog(self, call, method, cseq, target, routes, to):
        lines = ["%s %s SIP/2.0" % (method, target),
                 self.via("z9hG4bK" + token()), "Max-Forwards: 70"]
        lines.extend("Route: " + r for r in routes)
        lines.extend([self.from_hdr(call), "To: " + to,
                      "Call-ID: " + call.callid,
                      "CSeq: %d %s" % (cseq, method), "Content-Length: 0"])
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def send_bye(self, call, interval, n):
        if call.bye_code or call.done:
            return
        if n > MAX_BYE_RETRANS:
            self.stats["bye_timeout"] += 1
            self.call_done(call)
            return
        self.sock.sendto(call.bye, self.proxy)
        if n == 0:
            self.stats["byes"] += 1
        else:
            self.stats["bye_retrans"] += 1
        self.loop.later(interval,
                        lambda: self.send_bye(call, min(interval * 2, 4.0),
                                              n + 1))

    def finish_stats(self):
        self.stats["retrans_per_call"] = [c.retrans for c in self.order]
        self.stats["min_retrans_per_call"] = min(
            [c.retrans for c in self.order] or [0])
        self.stats["ok"] = all(
            c.final and (c.final >= 300 or c.bye_code == 200)
            for c in self.order) and len(self.order) == self.args.calls


# ---------------------------------------------------------------- main

def write_stats(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def stat(path, dotted):
    with open(path) as f:
        node = json.load(f)
    for part in dotted.split("."):
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.get(part, 0)  # a code never seen: 0
        else:
            node = 0
    print(json.dumps(node) if isinstance(node, (dict, list)) else node)


def uas_args(ap):
    ap.add_argument("--uas-spec", action="append", default=[],
                    help="another UAS in this process: port=P,mode=M,...")


def common(ap):
    ap.add_argument("--stats", required=True)
    ap.add_argument("--max-seconds", type=float, default=60)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[1:]))
    sub = ap.add_subparsers(dest="cmd", required=True)

    u = sub.add_parser("uas")
    common(u)
    uas_args(u)
    u.add_argument("--port", type=int, required=True)
    u.add_argument("--mode", default="answer", choices=sorted(MODES))
    u.add_argument("--code", type=int)
    u.add_argument("--reason")
    u.add_argument("--retry-after")
    u.add_argument("--answer-ms", type=int)
    u.add_argument("--ring", type=int)
    u.add_argument("--ring-gap-ms", type=int)
    u.add_argument("--rel183", type=int)
    u.add_argument("--t1-ms", type=int)
    u.add_argument("--no-trying", action="store_true")
    u.add_argument("--hold-file")
    u.add_argument("--no-cancel-487", action="store_true")
    u.add_argument("--body-first", action="store_true")
    u.add_argument("--bad-via", action="store_true")
    u.add_argument("--body-type")
    u.add_argument("--p183")
    u.add_argument("--ring-ms", type=int)
    u.add_argument("--q850", type=int)
    u.add_argument("--sipcause", type=int)
    u.add_argument("--rule", action="append", default=[],
                   help="USER:key=val,...: overrides for that R-URI user")

    c = sub.add_parser("uac")
    common(c)
    uas_args(c)
    c.add_argument("--proxy", required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--ruri", required=True)
    c.add_argument("--mode", default="call", choices=("call", "retransmit"))
    c.add_argument("--calls", type=int, default=1)
    c.add_argument("--concurrent", action="store_true",
                   help="start a call every --gap-ms, not after the last")
    c.add_argument("--gap-ms", type=int, default=50)
    c.add_argument("--retransmit-ms")
    c.add_argument("--hold-ms", type=int, default=100)
    c.add_argument("--header", action="append")
    c.add_argument("--call-timeout-ms", type=int, default=15000)
    c.add_argument("--linger-ms", type=int, default=300)
    c.add_argument("--cancel-ms", type=int, default=0)

    s = sub.add_parser("stat")
    s.add_argument("file")
    s.add_argument("path")

    args = ap.parse_args()
    if args.cmd == "stat":
        stat(args.file, args.path)
        return 0

    loop = Loop(args.max_seconds)
    stop = lambda *a: setattr(loop, "stopping", True)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    uases = []
    rules = {}  # --rule: R-URI user -> overrides, for every UAS here
    if args.cmd == "uas":
        over = {"mode": args.mode}
        for key in ("code", "reason", "retry_after", "answer_ms", "ring",
                    "ring_gap_ms", "rel183", "t1_ms", "hold_file",
                    "body_type", "p183", "ring_ms", "q850", "sipcause"):
            if getattr(args, key) is not None:
                over[key] = getattr(args, key)
        if args.no_trying:
            over["trying"] = 0
        if args.no_cancel_487:
            over["cancel487"] = 0
        if args.body_first:
            over["body_first"] = 1
        if args.bad_via:
            over["bad_via"] = 1
        for r in args.rule:
            user, _, kv = r.partition(":")
            rules[user] = parse_kv(kv)
        uases.append(Uas(loop, args.port, typed(over), rules))
    for text in args.uas_spec:
        over = parse_kv(text)
        port = over.pop("port", None)
        if not port:
            raise SystemExit("sipper: --uas-spec needs port=")
        uases.append(Uas(loop, port, over, rules))
    uac = Uac(loop, args) if args.cmd == "uac" else None

    def doc(state):
        out = {"state": state, "uas": {str(x.port): x.stats for x in uases}}
        if uac is not None:
            out["uac"] = uac.stats
        return out

    write_stats(args.stats, doc("running"))
    t0 = time.monotonic()
    if uac is not None:
        uac.start()
    loop.run()
    rc = 0
    if uac is not None:
        uac.finish_stats()
        rc = 0 if uac.stats["ok"] else 1
    out = doc("done")
    out["elapsed_s"] = round(time.monotonic() - t0, 3)
    write_stats(args.stats, out)
    return rc


if __name__ == "__main__":
    sys.exit(main())

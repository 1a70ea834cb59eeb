#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small SIP UAS over UDP on loopback, for what sipp cannot do.

It plays a destination that behaves by rate and counts calls in flight:

  --cap-cps N      answer 503 (no Retry-After) to an INVITE when more than
                   N INVITEs arrived in the last second (0 = never)
  --answer-ms MS   wait this long before the final 200 (a 100 goes at once)
  --silent         never answer an INVITE (the proxy times out)
  --arrivals FILE  write a line per new INVITE: its arrival time (Unix
                   seconds) and the port it came from (which proxy)

and writes, on SIGTERM or after --max-seconds, a JSON file (--stats) with
what it saw: invites, answered (200), rejected (503), byes, and the peak of
calls in flight two ways: `max_pending` (INVITE until its final reply) and
`max_calls` (INVITE until BYE, or until a final non-2xx).
"""
import argparse
import heapq
import json
import select
import signal
import socket
import sys
import time
import uuid
from collections import deque


def parse(data):
    text = data.decode("utf-8", "replace")
    head, _, _ = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    start = lines[0].split(" ")
    hdrs = []
    for line in lines[1:]:
        if ":" not in line:
            continue
        name, _, value = line.partition(":")
        hdrs.append((name.strip(), value.strip()))
    return start, hdrs


def hdr(hdrs, *names):
    low = [n.lower() for n in names]
    return [v for n, v in hdrs if n.lower() in low]


class Peer:
    def __init__(self, args):
        self.args = args
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind((args.ip, args.port))
        self.recent = deque()      # arrival times of INVITEs, last second
        self.txn = {}              # (call-id, cseq) -> last response bytes
        self.pending = {}          # INVITEs without a final: key -> hdrs
        self.calls = set()         # call-ids in flight
        self.timers = []           # (when, seq, fn)
        self.seq = 0
        self.arrivals = [] if args.arrivals else None
        self.stats = {"invites": 0, "retransmissions": 0, "answered": 0,
                      "rejected": 0, "cancelled": 0, "byes": 0,
                      "max_pending": 0, "max_calls": 0}

    def send(self, data, addr):
        self.sock.sendto(data, addr)

    def response(self, hdrs, code, reason, totag):
        out = ["SIP/2.0 %d %s" % (code, reason)]
        for v in hdr(hdrs, "Via", "v"):
            out.append("Via: " + v)
        if 100 < code < 300:
            for v in hdr(hdrs, "Record-Route"):
                out.append("Record-Route: " + v)
        for name in ("From", "Call-ID", "CSeq"):
            short = {"From": "f", "Call-ID": "i"}.get(name, name)
            for v in hdr(hdrs, name, short):
                out.append("%s: %s" % (name, v))
        to = hdr(hdrs, "To", "t")[0]
        if totag and ";tag=" not in to:
            to += ";tag=" + totag
        out.append("To: " + to)
        out.append("Contact: <sip:peer@%s:%d>" % (self.args.ip, self.args.port))
        out.append("Content-Length: 0")
        return ("\r\n".join(out) + "\r\n\r\n").encode()

    def later(self, delay, fn):
        self.seq += 1
        heapq.heappush(self.timers, (time.monotonic() + delay, self.seq, fn))

    def peak(self):
        self.stats["max_pending"] = max(self.stats["max_pending"],
                                        len(self.pending))
        self.stats["max_calls"] = max(self.stats["max_calls"], len(self.calls))

    def final(self, key, callid, hdrs, addr, code, reason, totag):
        if key not in self.pending:
            return  # cancelled meanwhile
        del self.pending[key]
        rsp = self.response(hdrs, code, reason, totag)
        self.txn[key] = rsp
        if code >= 300:
            self.calls.discard(callid)
        self.send(rsp, addr)

    def on_invite(self, hdrs, addr):
        callid = hdr(hdrs, "Call-ID", "i")[0]
        key = (callid, hdr(hdrs, "CSeq")[0])
        if key in self.txn or key in self.pending:
            self.stats["retransmissions"] += 1
            if key in self.txn:
                self.send(self.txn[key], addr)
            return
        now = time.monotonic()
        self.stats["invites"] += 1
        if self.arrivals is not None:
            self.arrivals.append("%.6f %d\n" % (time.time(), addr[1]))
        while self.recent and self.recent[0] <= now - 1.0:
            self.recent.popleft()
        over = self.args.cap_cps > 0 and len(self.recent) >= self.args.cap_cps
        self.recent.append(now)
        totag = uuid.uuid4().hex[:10]
        self.pending[key] = hdrs
        self.calls.add(callid)
        self.peak()
        if self.args.silent:
            return
        if over:
            self.stats["rejected"] += 1
            self.final(key, callid, hdrs, addr, 503, "Service Unavailable",
                       totag)
            return
        self.txn[key] = self.response(hdrs, 100, "Trying", None)
        self.send(self.txn[key], addr)
        self.stats["answered"] += 1
        self.later(self.args.answer_ms / 1000.0,
                   lambda: self.final(key, callid, hdrs, addr, 200, "OK",
                                      totag))

    def on_cancel(self, hdrs, addr):
        callid = hdr(hdrs, "Call-ID", "i")[0]
        cseq = hdr(hdrs, "CSeq")[0]
        self.send(self.response(hdrs, 200, "OK", uuid.uuid4().hex[:10]), addr)
        key = (callid, cseq.split()[0] + " INVITE")
        if key in self.pending:
            self.stats["cancelled"] += 1
            self.stats["answered"] -= 1
            self.final(key, callid, self.pending[key], addr, 487,
                       "Request Terminated", uuid.uuid4().hex[:10])

    def on_bye(self, hdrs, addr):
        callid = hdr(hdrs, "Call-ID", "i")[0]
        key = (callid, hdr(hdrs, "CSeq")[0])
        if key not in self.txn:
            self.stats["byes"] += 1
            self.calls.discard(callid)
            self.txn[key] = self.response(hdrs, 200, "OK", None)
        self.send(self.txn[key], addr)

    def run(self):
        end = time.monotonic() + self.args.max_seconds
        stop = []
        signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
        signal.signal(signal.SIGINT, lambda *a: stop.append(1))
        while not stop and time.monotonic() < end:
            wait = 0.2
            if self.timers:
                wait = max(0.0, min(wait, self.timers[0][0] - time.monotonic()))
            try:
                r, _, _ = select.select([self.sock], [], [], wait)
            except InterruptedError:
                continue
            while self.timers and self.timers[0][0] <= time.monotonic():
                heapq.heappop(self.timers)[2]()
            if not r:
                continue
            data, addr = self.sock.recvfrom(65535)
            start, hdrs = parse(data)
            if start[0] == "SIP/2.0":
                continue
            method = start[0]
            if method == "INVITE":
                self.on_invite(hdrs, addr)
            elif method == "CANCEL":
                self.on_cancel(hdrs, addr)
            elif method == "BYE":
                self.on_bye(hdrs, addr)
            elif method != "ACK":
                self.send(self.response(hdrs, 501, "Not Implemented",
                                        uuid.uuid4().hex[:10]), addr)
        if self.arrivals is not None:
            with open(self.args.arrivals, "w") as f:
                f.writelines(self.arrivals)
        with open(self.args.stats, "w") as f:
            json.dump(self.stats, f)
            f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ip", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cap-cps", type=int, default=0)
    ap.add_argument("--answer-ms", type=int, default=0)
    ap.add_argument("--silent", action="store_true")
    ap.add_argument("--max-seconds", type=float, default=120)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--arrivals")
    args = ap.parse_args()
    if args.ip not in ("127.0.0.1", "::1"):
        sys.exit("peer.py binds loopback only")
    Peer(args).run()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Send one replyguard cluster message to a node, as a KDMQ request over
UDP, the way a peer (or someone pretending to be one) would.

  kdmq.py --to PORT --from-port PORT [options] RECORD...

  --secret-file F   sign with the secret in F (its first line); without
                    it, or with --no-sign, the message has no HMAC line
  --bad-sign        sign with a wrong key
  --origin HEX      the sending instance (16 hex digits; default random)
  --chan c|h        the channel (default c)
  --seq N           the sequence number (default 1)
  --wall MS         the wall clock in the header: a number, or "now"
                    plus or minus an offset in ms ("now-60000")
  --node NAME       node_name in the header (default evil)
  --raw FILE        send FILE as the body, as it is
  --repeat N        send the same datagram N times (a replay)

RECORD is one line of the message ("B sip:gw:5060 60000 1 0 @now
00000000000000aa"); "@now" becomes a version clock at the wall clock
(its ms << 16, as rg_ver.h writes them), "@now+N" and "@now-N" at that
plus or minus N ms. The E line is added. Prints the first
line of each answer ("no answer" after 3 s).
"""
import argparse
import hashlib
import hmac
import os
import re
import socket
import time


def now_expr(s):
    m = re.fullmatch(r"now([+-]\d+)?", s)
    if not m:
        return int(s)
    return int(time.time() * 1000) + int(m.group(1) or 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", type=int, required=True)
    ap.add_argument("--from-port", type=int, required=True)
    ap.add_argument("--secret-file")
    ap.add_argument("--no-sign", action="store_true")
    ap.add_argument("--bad-sign", action="store_true")
    ap.add_argument("--origin", default=os.urandom(8).hex())
    ap.add_argument("--chan", default="c")
    ap.add_argument("--seq", type=int, default=1)
    ap.add_argument("--wall", default="now")
    ap.add_argument("--node", default="evil")
    ap.add_argument("--raw")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("records", nargs="*")
    a = ap.parse_args()

    if a.raw:
        body = open(a.raw, "rb").read()
    else:
        def at_now(m):
            # a version's clock: the wall clock's ms << 16 (rg_ver.h)
            return str(now_expr("now" + (m.group(1) or "")) << 16)
        lines = ["RG2 %s %s %d %d %s" % (a.origin, a.chan, a.seq,
                                         now_expr(a.wall), a.node)]
        lines += [re.sub(r"@now([+-]\d+)?", at_now, r) for r in a.records]
        lines.append("E %d" % len(a.records))
        body = ("\n".join(lines) + "\n").encode()
        if not a.no_sign and (a.secret_file or a.bad_sign):
            key = (b"not-the-cluster-secret-at-all" if a.bad_sign else
                   open(a.secret_file, "rb").read().split(b"\n")[0].strip())
            mac = hmac.new(key, body, hashlib.sha256).hexdigest()
            body += ("H %s\n" % mac).encode()

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    lp = s.getsockname()[1]
    cid = os.urandom(6).hex()
    head = ("KDMQ sip:replyguard@127.0.0.1:%d SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s\r\n"
            "From: <sip:replyguard@127.0.0.1:%d>;tag=%s\r\n"
            "To: <sip:replyguard@127.0.0.1:%d>\r\n"
            "Call-ID: %s\r\nCSeq: 1 KDMQ\r\nMax-Forwards: 1\r\n"
            "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
            % (a.to, lp, cid, a.from_port, cid, a.to, cid, len(body)))
    dgram = head.encode() + body
    s.settimeout(3)
    for _ in range(a.repeat):
        s.sendto(dgram, ("127.0.0.1", a.to))
        try:
            print(s.recv(65535).split(b"\r\n", 1)[0].decode())
        except socket.timeout:
            print("no answer")


if __name__ == "__main__":
    main()

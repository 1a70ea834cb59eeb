#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A webhook receiver for the integration tests, on 127.0.0.1 only.

  hook_server.py --port P --out FILE [--secret S] [--delay SECONDS]
                 [--max-seconds N]

Every POST is checked and appended to FILE as one JSON line:
  {"path", "event_header", "signature_ok", "json_ok", "body"}
and every GET (an event route's http_async_query) as {"path", "get": true}.
signature_ok is true when X-Replyguard-Signature is "sha256=" + the
hex HMAC-SHA256 of the body under --secret (null without --secret).
--delay makes it answer only after that many seconds (a slow receiver).
It stops by itself after --max-seconds.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import threading


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--secret")
    ap.add_argument("--delay", type=float, default=0)
    ap.add_argument("--max-seconds", type=float, default=120)
    args = ap.parse_args()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(n)
            sig = self.headers.get("X-Replyguard-Signature")
            ok = None
            if args.secret is not None:
                want = "sha256=" + hmac.new(args.secret.encode(), raw,
                                            hashlib.sha256).hexdigest()
                ok = sig is not None and hmac.compare_digest(sig, want)
            try:
                body = json.loads(raw)
                json_ok = isinstance(body, dict)
            except ValueError:
                body, json_ok = raw.decode("utf-8", "replace"), False
            rec = {"path": self.path,
                   "event_header": self.headers.get("X-Replyguard-Event"),
                   "content_type": self.headers.get("Content-Type"),
                   "signature_ok": ok, "json_ok": json_ok, "body": body}
            if args.delay:
                threading.Event().wait(args.delay)
            with lock, open(args.out, "a") as f:
                f.write(json.dumps(rec) + "\n")
            try:
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the client gave up waiting

        def do_GET(self):
            with lock, open(args.out, "a") as f:
                f.write(json.dumps({"path": self.path, "get": True}) + "\n")
            try:
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass

        def log_message(self, fmt, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    threading.Timer(args.max_seconds, srv.shutdown).start()
    open(args.out, "a").close()
    srv.serve_forever()


if __name__ == "__main__":
    main()

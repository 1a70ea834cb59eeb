#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Bad RPC calls for the rpc_bad_input case: JSON-RPC over HTTP to
127.0.0.1:PORT/RPC. Each line: expected fault code, method, params.
Prints one line per call and exits 1 when any answer differs."""
import json
import sys
import urllib.error
import urllib.request

PORT = int(sys.argv[1])
BIG = "sip:" + "a" * 10240 + ".example.com"
UNKNOWN = "sip:198.51.100.1:5060"
CASES = [
    (400, "replyguard.get", []),
    (400, "replyguard.get", ["a b"]),
    (400, "replyguard.get", [BIG]),
    (400, "replyguard.get", ["sip:host:99999"]),
    (404, "replyguard.get", [UNKNOWN]),
    (404, "replyguard.get", ["carrier-unknown"]),
    (404, "replyguard.reset", [UNKNOWN]),
    (400, "replyguard.reset", ["a b"]),
    (400, "replyguard.reset", [BIG]),
    (400, "replyguard.block", ["carrier-y"]),
    (400, "replyguard.block", ["carrier-y", "abc"]),
    (400, "replyguard.block", ["carrier-y", -5]),
    (400, "replyguard.block", ["carrier-y", 0]),
    (400, "replyguard.block", [BIG, 5]),
    (400, "replyguard.block", [{"x": 1}, 5]),
    (400, "replyguard.unblock", []),
    (404, "replyguard.unblock", [UNKNOWN]),
    (400, "replyguard.unblock", [BIG]),
    (400, "replyguard.set_limit", []),
    (400, "replyguard.set_limit", ["carrier-y"]),
    (400, "replyguard.set_limit", ["carrier-y", {"a": 1}]),
    (400, "replyguard.set_limit", [BIG, "5"]),
    (400, "replyguard.set_limit", ["carrier-y", "5", "abc"]),
    (400, "replyguard.set_limit", ["carrier-y", "-1"]),
    (400, "replyguard.set_limit", ["carrier-y", "1000000.1"]),
    (400, "replyguard.set_limit", ["carrier-y", "5", 0]),
    (400, "replyguard.set_limit", ["carrier-y", "5", 1, 1000001]),
]


def call(method, params):
    body = json.dumps({"jsonrpc": "2.0", "method": method, "params": params,
                       "id": 1}).encode()
    req = urllib.request.Request("http://127.0.0.1:%d/RPC" % PORT, body,
                                 {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:  # jsonrpcs: HTTP status = fault code
        return json.loads(e.read())


def main():
    bad = 0
    for want, method, params in CASES:
        doc = call(method, params)
        err = doc.get("error") or {}
        got = err.get("code", 0)
        msg = err.get("message", "")
        shown = json.dumps(params)
        if len(shown) > 50:
            shown = shown[:47] + "..."
        ok = got == want and msg != ""
        bad += not ok
        print("  %s %s %s -> %s %s" % ("ok  " if ok else "FAIL", method, shown,
                                     got, msg[:70]))
    print("bad rpc calls: %d, wrong answers: %d" % (len(CASES), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

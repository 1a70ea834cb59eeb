#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Small readers for the integration tests (standard library only).

  rgtool.py count FILE NAME    sum of sipp -trace_counts columns N_NAME
                               (e.g. 183_Sent) in the last row of FILE
  rgtool.py get JSON PATH      a field of a JSON-RPC reply: dotted path into
                               "result", list items by index (0.dst)
  rgtool.py len JSON           how many entries a list reply has
  rgtool.py find JSON DST PATH like get, in the list entry whose dst is DST
  rgtool.py table JSON         replyguard.list as a readable table
  rgtool.py fault JSON         the error code of a JSON-RPC reply (none: 0)
"""
import csv
import json
import re
import sys


def count(path, name):
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    header, last = rows[0], rows[-1]
    pat = re.compile(r"^\d+_" + re.escape(name) + r"$")
    return sum(int(v) for h, v in zip(header, last) if pat.match(h))


def walk(node, path):
    for part in path.split(".") if path else []:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def result(path):
    with open(path) as f:
        doc = json.load(f)
    if "error" in doc:
        raise SystemExit("rpc error: %s" % doc["error"])
    return doc["result"]


def table(path):
    cols = [("dst", 28), ("state", 7), ("attempts", 8), ("replies_183", 8),
            ("replies_183_sdp", 8), ("replies_2xx", 8), ("replies_4xx", 8),
            ("replies_503", 8), ("replies_503_retry_after", 8),
            ("pdd_avg_ms", 8), ("pdd_max_ms", 8), ("cps_limit", 4),
            ("rejected_throttled", 9)]
    short = {"replies_183_sdp": "183+sdp", "replies_503_retry_after": "503+RA",
             "replies_183": "183", "replies_2xx": "2xx", "replies_4xx": "4xx",
             "replies_503": "503", "pdd_avg_ms": "pdd_avg", "pdd_max_ms":
             "pdd_max", "cps_limit": "cps", "rejected_throttled":
             "throttled"}
    print(" ".join(short.get(c, c).ljust(w) for c, w in cols))
    for d in result(path):
        print(" ".join(str(d[c]).ljust(w) for c, w in cols))


def main(argv):
    if len(argv) >= 3 and argv[0] == "count":
        print(count(argv[1], argv[2]))
    elif len(argv) >= 2 and argv[0] == "get":
        print(walk(result(argv[1]), argv[2] if len(argv) > 2 else ""))
    elif len(argv) >= 2 and argv[0] == "len":
        print(len(result(argv[1])))
    elif len(argv) >= 4 and argv[0] == "find":
        for d in result(argv[1]):
            if d["dst"] == argv[2]:
                print(walk(d, argv[3]))
                return 0
        print("missing")
    elif len(argv) >= 2 and argv[0] == "table":
        table(argv[1])
    elif len(argv) >= 2 and argv[0] == "fault":
        with open(argv[1]) as f:
            print(json.load(f).get("error", {}).get("code", 0))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

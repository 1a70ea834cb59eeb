#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Callgrind's per-function figures, for bench/run.sh.

  callgrind_annotate --inclusive=no ... | cg_funcs.py > FUNCS
      sums each function's own instructions over every input (one
      annotate output per process), as "count function" lines
  cg_funcs.py --diff FUNCS_A FUNCS_B CALLS
      what B spends more than A per call, per function, largest first:
      the breakdown of what a config adds
"""
import re
import sys
from collections import Counter

LINE = re.compile(r"^\s*([0-9,]+)\s+(?:\([^)]*\)\s+)?(\S.*?)\s*$")


def collect(stream):
    c = Counter()
    table = False
    for line in stream:
        # only the function table: from its "file:function" heading to
        # the blank line after it (the annotated source that follows
        # counts the same instructions again, by line)
        if line.rstrip().endswith("file:function"):
            table = True
            continue
        if not table:
            continue
        if not line.strip():
            if c:
                table = False
            continue
        m = LINE.match(line)
        if not m or ":" not in m.group(2):
            continue
        fn = m.group(2)
        # "file:function (Nx) [object]": the function's name alone (an
        # unknown file's name keeps its object, to tell the binaries apart)
        obj = re.search(r"\[([^\]]*)\]\s*$", fn)
        fn = re.sub(r"\s*\[[^\]]*\]\s*$", "", fn)
        fn = re.sub(r"\s*\(\d[\d,]*x\)", "", fn)
        file, _, fn = fn.partition(":")
        if file == "???" and obj:
            fn = "%s (%s)" % (fn, obj.group(1).rsplit("/", 1)[-1])
        c[fn] += int(m.group(1).replace(",", ""))
    return c


def read(path):
    c = Counter()
    with open(path) as f:
        for line in f:
            n, _, fn = line.rstrip("\n").partition(" ")
            if n.isdigit():
                c[fn] += int(n)
    return c


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--diff":
        a, b, calls = read(sys.argv[2]), read(sys.argv[3]), int(sys.argv[4])
        d = Counter({k: b.get(k, 0) - a.get(k, 0) for k in set(a) | set(b)})
        total = sum(d.values())
        print("total %.0f" % (total / calls))
        for fn, n in sorted(d.items(), key=lambda kv: -abs(kv[1]))[:25]:
            if abs(n) / calls < 20:
                break
            print("%.0f %s" % (n / calls, fn))
        return
    for fn, n in collect(sys.stdin).most_common():
        print("%d %s" % (n, fn))


if __name__ == "__main__":
    main()

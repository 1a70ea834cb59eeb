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
  rgtool.py hooks FILE [KEY]   posts hook_server.py received: with KEY,
                               one figure (posts, dst-down, bad_sig, ...)
  rgtool.py prom METRICS LIST SUMMARY
                               parse a /metrics page with prometheus_client
                               and compare it with replyguard.list and
                               .summary replies; prints what it compared
  rgtool.py stats FILE LIST    compare `kamcmd stats.get_statistics
                               replyguard:` output with replyguard.list
  rgtool.py watch PORT SECONDS OUT PROBE...
                               one client polling JSON-RPC on PORT every
                               0.1 s (no process start per poll) until
                               SIGTERM or SECONDS; a line per poll to OUT:
                               milliseconds, then each probe's value.
                               PROBE: ds:SET:URI (dispatcher FLAGS) or
                               rg:DST:FIELD (replyguard.get); URI and DST
                               may hold ':' (the last field is FIELD)
  rgtool.py arrivals LOG TAG LIST...
                               requests the proxy logged as "TAG <call-id>"
                               against the keys of replyguard.list pages
                               (keys "flood-<call-id>"): how many arrived,
                               distinct call-ids, arrivals whose key is
                               tracked / not tracked
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


HOOK_FIELDS = ("event", "dst", "old_state", "new_state", "reason",
               "counters", "time", "timestamp_ms", "node")


STATE_OF_EVENT = {"dst-down": "health", "dst-up": "health",
                  "dst-throttled": "throttle", "dst-unthrottled": "throttle",
                  "dst-degraded": "quality", "dst-recovered": "quality",
                  "dst-near-limit": "near", "dst-near-limit-end": "near"}


def hooks(path):
    """Figures of the posts in a hook_server.py output file."""
    fig = {"posts": 0, "bad_sig": 0, "bad_json": 0, "missing_fields": 0,
           "header_mismatch": 0, "bad_ctype": 0}
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            fig["posts"] += 1
            if rec["signature_ok"] is False:
                fig["bad_sig"] += 1
            if not rec["json_ok"]:
                fig["bad_json"] += 1
                continue
            if rec["content_type"] != "application/json":
                fig["bad_ctype"] += 1
            b = rec["body"]
            if any(k not in b for k in HOOK_FIELDS):
                fig["missing_fields"] += 1
            if rec["event_header"] != b.get("event"):
                fig["header_mismatch"] += 1
            ev = b.get("event", "?")
            fig[ev] = fig.get(ev, 0) + 1
            key = "%s %s %s %s>%s ra=%s node=%s" % (
                ev, b.get("dst"), b.get("reason", {}).get("code"),
                b.get("old_state"), b.get("new_state"),
                b.get("reason", {}).get("retry_after"), b.get("node"))
            fig[key] = fig.get(key, 0) + 1
            # the last word on each state of each destination, in the order
            # posted: "last health DST" = dst-up, ...
            st = STATE_OF_EVENT.get(ev)
            if st:
                fig["last %s %s" % (st, b.get("dst"))] = ev
    return fig


STATE = {"up": 0, "probing": 1, "down": 2}
COUNTERS = ("attempts", "replies_180", "replies_183", "replies_183_sdp",
            "replies_2xx", "replies_3xx", "replies_4xx", "replies_5xx",
            "replies_503", "replies_503_retry_after", "replies_6xx",
            "timeouts", "rejected_blocked", "rejected_throttled")


def prom(metrics, listing, summary):
    """Every sample of the page against RPC; returns the mismatches."""
    from prometheus_client.parser import text_string_to_metric_families
    with open(metrics) as f:
        text = f.read()
    samples = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            samples[(s.name, s.labels.get("dst"))] = s.value
    want = {}
    for d in result(listing):
        k = d["dst"]
        for c in COUNTERS:
            want[("replyguard_%s_total" % c, k)] = d[c]
        want[("replyguard_state", k)] = STATE[d["state"]]
        want[("replyguard_cps_limit", k)] = d["cps_limit_milli"] / 1000
        want[("replyguard_cps_configured", k)] = d["cps_configured_milli"] / 1000
        want[("replyguard_blocked_for_seconds", k)] = d["blocked_for"]
        want[("replyguard_retry_after_last_seconds", k)] = d["retry_after_last"]
        want[("replyguard_pdd_avg_seconds", k)] = d["pdd_avg_ms"] / 1000
        want[("replyguard_pdd_max_seconds", k)] = d["pdd_max_ms"] / 1000
        want[("replyguard_max_concurrent", k)] = d["max_concurrent"]
        want[("replyguard_throttled", k)] = d["throttled"]
    summ = result(summary)
    want[("replyguard_destinations", None)] = summ["destinations"]
    want[("replyguard_capacity", None)] = summ["capacity"]
    want[("replyguard_webhook_sent_total", None)] = summ["webhook_sent"]
    want[("replyguard_webhook_dropped_total", None)] = summ["webhook_dropped"]
    want[("replyguard_webhook_replaced_total", None)] = summ["webhook_replaced"]
    want[("replyguard_exposition_omitted", None)] = 0
    bad = 0
    for key, v in sorted(want.items(), key=str):
        got = samples.get(key)
        if got is None or abs(got - v) > 1e-9:
            print("mismatch %s{dst=%r}: page %s, rpc %s" % (key[0], key[1], got, v))
            bad += 1
    dsts = {k[1] for k in samples if k[1] is not None}
    print("compared %d samples over %d destinations, %d mismatches"
          % (len(want), len(dsts), bad))
    if dsts != {d["dst"] for d in result(listing)}:
        print("destinations differ: page %s" % sorted(dsts))
        bad += 1
    return bad


def read_stats(path):
    """replyguard's counters in kamcmd stats.get_statistics output, by
    name (bench/soak_report.py reads them too)."""
    got = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*replyguard:(\w+)\s*=\s*(-?\d+)", line)
            if m:
                got[m.group(1)] = int(m.group(2))
    return got


def stats(path, listing):
    """kamcmd stats.get_statistics output against the per-dst sums."""
    got = read_stats(path)
    dsts = result(listing)
    bad = 0
    for name in ("attempts", "rejected_blocked", "rejected_throttled",
                 "replies_183", "replies_503"):
        want = sum(d[name] for d in dsts)
        ok = got.get(name) == want
        bad += not ok
        print("%s %s: stats %s, sum over destinations %s"
              % ("ok" if ok else "MISMATCH", name, got.get(name), want))
    ok = got.get("destinations") == len(dsts)
    bad += not ok
    print("%s destinations: stats %s, list %d"
          % ("ok" if ok else "MISMATCH", got.get("destinations"), len(dsts)))
    if "webhook_dropped" not in got:
        print("MISMATCH webhook_dropped missing")
        bad += 1
    return bad


def rpc_call(port, method, params):
    """One JSON-RPC call; the result, or "fault:CODE" / "err:..." text."""
    import urllib.request
    body = json.dumps({"jsonrpc": "2.0", "method": method,
                       "params": params, "id": 1}).encode()
    req = urllib.request.Request("http://127.0.0.1:%d/RPC" % port, body,
                                 {"Content-Type": "application/json"})
    import urllib.error
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            doc = json.load(r)
    except urllib.error.HTTPError as e:
        # jsonrpcs answers a fault with its code as the HTTP status too
        try:
            doc = json.load(e)
        except ValueError:
            return "err:http-%d" % e.code
    except Exception as e:  # noqa: BLE001 - reported in the output line
        return "err:%s" % type(e).__name__
    if "error" in doc:
        return "fault:%s" % doc["error"].get("code")
    return doc.get("result")


def ds_flags(doc, set_id, uri):
    if not isinstance(doc, dict):
        return str(doc)
    for rec in doc.get("RECORDS", []):
        s = rec["SET"]
        if str(s["ID"]) != set_id:
            continue
        for t in s["TARGETS"]:
            d = t["DEST"]
            if d["URI"] == uri:
                return d["FLAGS"]
    return "missing"


def watch(port, seconds, out, probes):
    """Poll until SIGTERM or the deadline; a line per poll."""
    import signal
    import time
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    parsed = []
    for p in probes:
        kind, _, rest = p.partition(":")
        if kind == "ds":
            set_id, _, uri = rest.partition(":")
            parsed.append(("ds", set_id, uri))
        elif kind == "rg":
            dst, _, field = rest.rpartition(":")
            parsed.append(("rg", dst, field))
        else:
            raise SystemExit("bad probe %r" % p)
    t0 = time.monotonic()
    end = t0 + seconds
    with open(out, "w") as f:
        f.write("ms\t" + "\t".join(probes) + "\n")
        f.flush()
        while not stop and time.monotonic() < end:
            t = time.monotonic()
            vals = []
            ds_doc = None
            for kind, a, b in parsed:
                if kind == "ds":
                    if ds_doc is None:
                        ds_doc = rpc_call(port, "dispatcher.list", [])
                    vals.append(ds_flags(ds_doc, a, b))
                else:
                    r = rpc_call(port, "replyguard.get", [a])
                    vals.append(str(r.get(b)) if isinstance(r, dict) else r)
            f.write("%d\t%s\n" % ((t - t0) * 1000, "\t".join(vals)))
            f.flush()
            time.sleep(max(0.0, 0.1 - (time.monotonic() - t)))
    return 0


def arrivals(log, tag, lists):
    """Requests logged by the proxy against the tracked keys."""
    seen = {}
    pat = re.compile(re.escape(tag) + r" (\S+)")
    with open(log, errors="replace") as f:
        for line in f:
            m = pat.search(line)
            if m:
                seen[m.group(1)] = seen.get(m.group(1), 0) + 1
    tracked = set()
    for path in lists:
        for d in result(path):
            tracked.add(d["dst"])
    keyed = {"flood-" + c: n for c, n in seen.items()}
    fig = {
        "arrivals": sum(seen.values()),
        "distinct": len(seen),
        "repeats": sum(seen.values()) - len(seen),
        "tracked_keys": len(tracked),
        "tracked_keys_arrived": len(tracked & set(keyed)),
        "arrivals_tracked": sum(n for k, n in keyed.items() if k in tracked),
        "arrivals_untracked": sum(n for k, n in keyed.items()
                                  if k not in tracked),
        "repeats_untracked": sum(n - 1 for k, n in keyed.items()
                                 if k not in tracked),
        "repeats_tracked": sum(n - 1 for k, n in keyed.items()
                               if k in tracked),
    }
    for k, v in fig.items():
        print("%s %d" % (k, v))
    return 0


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
    elif len(argv) >= 2 and argv[0] == "hooks":
        fig = hooks(argv[1])
        if len(argv) > 2:
            print(fig.get(argv[2], 0))
        else:
            for k, v in sorted(fig.items()):
                print("%s: %s" % (k, v))
    elif len(argv) >= 4 and argv[0] == "prom":
        return 1 if prom(argv[1], argv[2], argv[3]) else 0
    elif len(argv) >= 3 and argv[0] == "stats":
        return 1 if stats(argv[1], argv[2]) else 0
    elif len(argv) >= 4 and argv[0] == "watch":
        return watch(int(argv[1]), float(argv[2]), argv[3], argv[4:])
    elif len(argv) >= 4 and argv[0] == "arrivals":
        return arrivals(argv[1], argv[2], argv[3:])
    elif len(argv) >= 2 and argv[0] == "fault":
        with open(argv[1]) as f:
            print(json.load(f).get("error", {}).get("code", 0))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench/soak.sh's figures: memory flat, counters exact; the "## Soak"
section of bench/results.md (replaced when there, else appended).

  soak_report.py RUN_DIR OUT.md RATE CALLS WARM GSIZE GROUPS EPOCH

OUT "-": print the section only. Exit status 1 when memory moved 1% or
more, or a counter differs.
"""
import csv
import datetime
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "integration", "lib"))
from rgtool import read_stats  # noqa: E402

FLAT = 1.0  # percent
SNAPS = ("start", "middle", "end")


def kv_blocks(path):
    """kamcmd's "{ key: value ... }" blocks, as dicts."""
    blocks, cur = [], None
    with open(path) as f:
        for line in f:
            s = line.strip()
            if s == "{":
                cur = {}
            elif s == "}":
                if cur is not None:
                    blocks.append(cur)
                cur = None
            elif cur is not None and ":" in s:
                k, v = s.split(":", 1)
                cur[k.strip()] = v.strip()
    return blocks


def pairs(path):
    out = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 2:
                out[p[0]] = p[1]
    return out


def sipp_counts(run, peer):
    """Every column of a peer's -trace_counts file (its last row)."""
    files = glob.glob(os.path.join(run, peer, "*_counts.csv"))
    if not files:
        return {}
    with open(files[0], newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    out = {}
    for h, v in zip(rows[0], rows[-1]):
        m = re.match(r"^\d+_(.+)$", h)
        if m and v.isdigit():
            out[m.group(1)] = out.get(m.group(1), 0) + int(v)
    return out


def pct(a, b):
    return 100.0 * (b - a) / a if a else 0.0


def git_rev(root):
    try:
        rev = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True,
                               text=True, timeout=10).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main(run, out, rate, calls, warm, gsize, groups, epoch):
    data = os.path.join(run, "data")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shm = {s: kv_blocks(os.path.join(data, "snap_%s.shm" % s))[0] for s in SNAPS}
    pkg = {s: kv_blocks(os.path.join(data, "snap_%s.pkg" % s)) for s in SNAPS}
    st = {s: read_stats(os.path.join(data, "snap_%s.stats" % s)) for s in SNAPS}
    summ = {s: kv_blocks(os.path.join(data, "snap_%s.summary" % s))[0]
            for s in SNAPS}
    snapt = {s: pairs(os.path.join(data, "snap_%s.txt" % s)) for s in SNAPS}
    drops = pairs(os.path.join(data, "drops.txt"))
    legs = [ln.split() for ln in open(os.path.join(data, "legs.txt")) if ln.strip()]
    samples = [[int(x) for x in ln.split()] for ln in
               open(os.path.join(data, "samples.txt"))
               if len(ln.split()) == 5 and all(x.isdigit() for x in ln.split())]
    peers = {p: sipp_counts(run, p) for p in
             ("uac_warm", "uac_half1", "uac_half2", "uas_a", "uas_b")}
    uac = {}
    for p in ("uac_warm", "uac_half1", "uac_half2"):
        for k, v in peers[p].items():
            uac[k] = uac.get(k, 0) + v
    a, b = peers["uas_a"], peers["uas_b"]
    late = {}
    for code in ("183", "500"):
        n = 0
        for f in glob.glob(os.path.join(run, "uac_*", "*_errors.log")):
            with open(f, errors="replace") as fh:
                for line in fh:
                    if re.search(r"(Continuing call on unexpected message|Dead call"
                                 r" [^ ]* \([^)]*\)).*, received 'SIP/2.0 %s " % code,
                                 line):
                        n += 1
        late[code] = n

    lines = []
    w = lines.append
    fails = []
    measured = [lg for lg in legs if lg[0] != "warm"]
    secs = sum(int(lg[4]) - int(lg[3]) for lg in measured)
    ncalls = sum(int(lg[2]) for lg in measured)
    end = summ["end"]
    w("## Soak: %d calls, 50,000 destinations through a 4096-entry table (bench/soak.sh)"
      % calls)
    w("")
    w("- date: %s UTC, commit %s" % (datetime.datetime.utcnow().strftime(
        "%Y-%m-%d %H:%M"), git_rev(root)))
    ns = drops.get("netns", "-")
    w("- sipp caller -> Kamailio 5.6.3 (packaged, children=4, -m 512 -M 16, "
      "replyguard built here) -> two sipp destinations, all on 127.0.0.1 %s"
      % ("in network namespace %s" % ns if ns != "-" else
         "(the host's network namespace)"))
    w("- %d calls at %d cps asked, in two halves, after a warm-up of %d calls: "
      "%d calls in %d s of load, %.0f cps kept; %d calls in all"
      % (ncalls, rate, warm, ncalls, secs, ncalls / secs if secs else 0,
         ncalls + warm))
    w("- keys: gw0..gw%d, %d groups of %d; a group takes %d calls (%d s), "
      "then goes idle; the idle sweep (idle_timeout 1 s, every 10 s) frees "
      "a key idle for a second, within its group's time too: %s evictions, "
      "%s refused (table full)"
      % (gsize * groups - 1, groups, gsize, epoch, epoch // rate,
         end.get("evictions"), end.get("refused_full")))
    w("- replies: 4 calls in 7 get 183 + SDP then 200, 3 in 7 get 183 then 503 "
      "(no Retry-After; adaptive 0, down_threshold 1000000: no key is ever "
      "blocked or throttled)")
    w("")
    w("### Memory: start, middle, end")
    w("")
    w("\"start\" is after the warm-up (%d calls: 2 key groups, the most the "
      "table holds at once). Each snapshot is taken with the load "
      "paused and tm holding no transaction, so that it shows what stays; under "
      "load shared memory mostly counts tm's transactions of the last seconds "
      "(range below)." % warm)
    w("")
    w("| | start | middle | end | middle vs start | end vs start |")
    w("|---|---|---|---|---|---|")
    worst = 0.0
    for k in ("used", "real_used", "fragments"):
        v = [int(shm[s][k]) for s in SNAPS]
        dm, de = pct(v[0], v[1]), pct(v[0], v[2])
        if k != "fragments":
            worst = max(worst, abs(dm), abs(de))
        w("| shm %s | %d | %d | %d | %+.3f%% | %+.3f%% |" % (k, v[0], v[1], v[2],
                                                          dm, de))
    by_pid = {s: {p["pid"]: p for p in pkg[s]} for s in SNAPS}
    for pid, p0 in by_pid["start"].items():
        pm, pe = by_pid["middle"].get(pid), by_pid["end"].get(pid)
        if pm is None or pe is None:
            fails.append("process %s (%s) gone" % (pid, p0.get("desc")))
            continue
        for k in ("used", "real_used"):
            v = [int(p0[k]), int(pm[k]), int(pe[k])]
            dm, de = pct(v[0], v[1]), pct(v[0], v[2])
            worst = max(worst, abs(dm), abs(de))
            w("| pkg %s, %s (pid %s) | %d | %d | %d | %+.3f%% | %+.3f%% |"
              % (k, p0.get("desc", "?"), pid, v[0], v[1], v[2], dm, de))
    w("")
    flat = worst < FLAT
    if not flat:
        fails.append("memory moved %.3f%%" % worst)
    w("Largest change: %.3f%% (goal: within %.0f%%): %s. tm transactions at the "
      "snapshots: %s." % (worst, FLAT, "met" if flat else "**missed**",
                          ", ".join(snapt[s].get("tm_current", "?") for s in SNAPS)))
    if samples:
        ru = [s[1] for s in samples]
        tmc = [s[2] for s in samples]
        tr = [s[3] for s in samples]
        w("")
        w("Under load, every %d s (%d samples, both halves and the warm-up): shm "
          "real_used %.1f..%.1f MiB, tm transactions %d..%d, destinations "
          "tracked %d..%d of 4096."
          % ((samples[1][0] - samples[0][0]) if len(samples) > 1 else 0,
             len(samples), min(ru) / 1048576.0, max(ru) / 1048576.0,
             min(tmc), max(tmc), min(tr), max(tr)))
    w("")
    w("### Counters: replyguard against sipp (whole run, warm-up included)")
    w("")
    w("| replyguard | value | sipp | value | |")
    w("|---|---|---|---|---|")
    m = st["end"]

    def row(name, mine, what, theirs):
        ok = mine == theirs
        if not ok:
            fails.append("%s %s != %s %s" % (name, mine, what, theirs))
        w("| %s | %s | %s | %s | %s |" % (name, mine, what, theirs,
                                          "equal" if ok else "**differs**"))

    inv_dst = a.get("INVITE_Recv", 0) + b.get("INVITE_Recv", 0)
    row("attempts", m.get("attempts"), "INVITEs the destinations received", inv_dst)
    row("attempts", m.get("attempts"), "INVITEs the caller sent",
        uac.get("INVITE_Sent", 0))
    row("replies_183", m.get("replies_183"), "183s the destinations sent",
        a.get("183_Sent", 0) + b.get("183_Sent", 0))
    row("replies_183", m.get("replies_183"),
        "183s the caller received (%d of them late, after the final)" % late["183"],
        uac.get("183_Recv", 0) + late["183"])
    row("replies_503", m.get("replies_503"), "503s destination b sent",
        b.get("503_Sent", 0))
    row("replies_503", m.get("replies_503"),
        "500s the caller received (a proxy relays a 503 as 500, RFC 3261 16.7)",
        uac.get("500_Recv", 0) + late["500"])
    sent200, recv200 = a.get("200_Sent", 0), uac.get("200_Recv", 0)
    ok200 = sent200 == recv200
    if not ok200:
        fails.append("200s sent %d != received %d" % (sent200, recv200))
    w("| (no 2xx total) | - | 200s destination a sent = 200s the caller "
      "received (INVITE and BYE) | %d = %d | %s |"
      % (sent200, recv200, "equal" if ok200 else "**differs**"))
    for k in ("rejected_blocked", "rejected_throttled"):
        row(k, m.get(k), "(none expected)", 0)
    for k in ("refused_full", "refused_bad_key", "unheld_release", "stale_refs"):
        row("summary " + k, int(end.get(k, -1)), "(none expected)", 0)
    retr = sum(v for p in peers.values() for k, v in p.items()
               if k.endswith("_Retrans"))
    w("")
    w("Retransmissions counted by the sipp peers (every message, caller and "
      "destinations): %d. UDP datagrams dropped: %s at the proxy's socket, %s "
      "receive-buffer errors in the namespace (/proc/net/snmp). Kamailio "
      "ERROR/CRITICAL log lines: %s. Module totals are Kamailio statistics "
      "(stats.get_statistics replyguard:), which outlive evicted entries; "
      "replyguard keeps no lifetime total of 2xx, so the 200s are sipp's on "
      "both sides."
      % (retr, drops.get("udp_drops_proxy"), drops.get("udp_rcvbuf_errors"),
         drops.get("kamailio_errors")))
    if drops.get("kamailio_errors") not in ("0", None):
        fails.append("kamailio logged errors")
    w("")
    w("Verdict: %s." % ("memory flat and counters exact" if not fails else
                         "**" + "; ".join(fails) + "**"))
    w("")
    text = "\n".join(lines) + "\n"
    if out == "-":
        sys.stdout.write(text)
    else:
        old = open(out).read() if os.path.exists(out) else ""
        i = old.find("\n## Soak")
        if i >= 0:
            j = old.find("\n## ", i + 1)
            new = old[:i + 1] + text + (old[j + 1:] if j >= 0 else "")
        else:
            new = old.rstrip("\n") + "\n\n" + text if old else text
        with open(out, "w") as f:
            f.write(new)
        sys.stdout.write(text)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], *[int(x) for x in sys.argv[3:9]]))

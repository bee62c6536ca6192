# SPDX-License-Identifier: BSD-3-Clause
"""Render results.json of a tpacket-bench run: results.md (markdown),
results.rst (the same tables as RST list-tables, for the docs) and PNG
plots through gnuplot. Standard library only.

    python3 report.py DIR      (or: tpacket-bench --report DIR)
"""

import json
import os
import shutil
import subprocess
import sys

UNITS = {"tcp": "Gbit/s", "mq": "Gbit/s", "udp": "Mpps", "txrx": "Mpps",
         "latency": "ms", "tune": ""}
TITLES = {
    "tcp": "TCP through the forwarder (iperf3; 1 stream unless streams=N)",
    "udp": "UDP forwarding (trafgen -> forwarder -> server veth)",
    "txrx": "TX-only and RX-only (testpmd txonly / rxonly, one port)",
    "latency": "Round-trip time through the forwarder (ping -i 0.01)",
    "mq": "Multi-queue TCP (iperf3 -P 8)",
    "tune": "net_af_packet devargs tuning (1 rep each)",
}
TPK_MTU = 1500


def unit(scen, case):
    if scen == "tune":
        return "Gbit/s" if case.startswith("tcp") else "Mpps"
    return UNITS.get(scen, "")


def median(xs):
    xs = sorted(xs)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2.0


def summ(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return (min(xs), median(xs), max(xs), len(xs))


def fmt(v, nd=2):
    if v is None:
        return "-"
    if isinstance(v, float) and abs(v) >= 1000:
        return "%.0f" % v
    return ("%%.%df" % nd) % v


def ordered(seq):
    seen, res = set(), []
    for x in seq:
        if x not in seen:
            seen.add(x)
            res.append(x)
    return res


class Data:
    def __init__(self, path):
        with open(os.path.join(path, "results.json")) as f:
            d = json.load(f)
        self.meta, self.recs = d["meta"], d["records"]
        self.thr = self.meta.get("options", {}).get("noise_threshold", 10.0)

    def cases(self, scen):
        return ordered(r["case"] for r in self.recs if r["scenario"] == scen)

    def dps(self, scen, case):
        return ordered(r["datapath"] for r in self.recs
                       if r["scenario"] == scen and r["case"] == case)

    def runs(self, scen, case, dp):
        return [r for r in self.recs if r["scenario"] == scen and
                r["case"] == case and r["datapath"] == dp]

    def ok(self, scen, case, dp, key="value"):
        return [get(r, key) for r in self.runs(scen, case, dp)
                if r["status"] == "ok" and get(r, key) is not None]

    def stat(self, scen, case, dp, key="value"):
        return summ(self.ok(scen, case, dp, key))

    def ratio(self, scen, case, dp, ref, key="value"):
        """Per-repetition ratio dp/ref (same rep = adjacent runs)."""
        a = {r["rep"]: r for r in self.runs(scen, case, dp)}
        b = {r["rep"]: r for r in self.runs(scen, case, ref)}
        xs = []
        for rep, ra in a.items():
            rb = b.get(rep)
            if rb is None or ra["status"] != "ok" or rb["status"] != "ok":
                continue
            va, vb = get(ra, key), get(rb, key)
            if va is None or not vb:
                continue
            xs.append(va / vb)
        return summ(xs)

    def failed(self, scen, case, dp):
        rs = self.runs(scen, case, dp)
        return rs and all(r["status"] != "ok" for r in rs)

    def skipped(self, scen, case, dp):
        """The reason when every run of dp was skipped (cannot run here)."""
        rs = self.runs(scen, case, dp)
        if rs and all(r["status"] == "skipped" for r in rs):
            return rs[0].get("error") or "skipped"
        return None

    def noisy(self, scen, case, dp):
        return sum(1 for r in self.runs(scen, case, dp)
                   if (r.get("noise_pct") or 0) >= self.thr)


def get(r, key):
    """A record's metric; forwarding-lcore figures are derived from the
    raw testpmd statistics when the record does not carry them."""
    v = r.get(key)
    f = r.get("fwd") or {}
    if v is None and key == "imissed" and r.get("port_stats"):
        v = sum(p.get("RX-missed", 0) for p in r["port_stats"].values())
    if v is None and key == "gen_softirq_pct" and r.get("cpu_softirq_pct"):
        # Softirq share of the generator's CPU: the kernel's receive half
        # of the datapath (f0's RX into the ring or XDP socket) runs there.
        v = r["cpu_softirq_pct"][0]
    if v is None and key == "cycles_per_pkt":
        v = f.get("cycles_per_pkt")
    if v is None and key == "lcore_busy_pct" and r.get("fwd_s") and \
            "busy_cycles" in f:
        v = min(100.0, 100.0 * f["busy_cycles"] / (
            r["fwd_s"] * f["tsc_mhz"] * 1e6 * r.get("nb_fwd_lcores", 1)))
    return v


def rtxt(s):
    if s is None:
        return "-"
    lo, med, hi, n = s
    if n == 1:
        return "%.2f" % med
    return "%.2f (%.2f-%.2f)" % (med, lo, hi)


# --------------------------------------------------------------------------
# Tables: a table is (title, header, rows, note)
# --------------------------------------------------------------------------

def tables(d):
    out = []
    t = targets_table(d)
    if t:
        out.append(t)
    for scen in ("tune", "tcp", "udp", "txrx", "latency", "mq"):
        for case in d.cases(scen):
            t = table_for(d, scen, case)
            if t:
                out.append(t)
    m = memory_table(d)
    if m:
        out.append(m)
    return out


def ref_for(d, scen, case):
    dps = d.dps(scen, case)
    want = ("af_packet", "af_xdp", "bridge") if scen == "udp" else \
        ("af_packet", "bridge")
    refs = [r for r in want if r in dps and not d.skipped(scen, case, r)]
    return refs


def table_for(d, scen, case):
    if scen == "tune":
        return None if not case.startswith("tcp:") else tune_table(d) \
            if case == d.cases("tune")[0] else None
    unit = UNITS[scen]
    refs = ref_for(d, scen, case)
    if scen == "mq":
        return None if case != d.cases("mq")[0] else mq_table(d)
    head = ["Datapath", "runs"]
    if scen == "latency":
        head += ["p50 ms", "p90 ms", "p99 ms", "max ms", "loss %"]
    else:
        head += ["min", "median", "max"]
        if scen in ("udp", "txrx"):
            head += ["loss %", "cycles/pkt", "lcore busy %"]
        if scen == "udp":
            head += ["gen CPU softirq %"]
        if scen == "tcp":
            head += ["retrans", "imissed", "cycles/pkt", "lcore busy %"]
    head += ["x %s" % r for r in refs]
    rows = []
    for dp in d.dps(scen, case):
        s = d.stat(scen, case, dp)
        n = len(d.runs(scen, case, dp))
        mark = " (*)" if d.noisy(scen, case, dp) else ""
        row = [dp + mark, str(n)]
        if d.skipped(scen, case, dp):
            row += ["skipped"] * (len(head) - 2)
            row[2] = "skipped (see below)"
            rows.append(row)
            continue
        if scen == "latency":
            for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms"):
                row.append(fmt(med_of(d, scen, case, dp, k), 3))
            row.append(fmt(med_of(d, scen, case, dp, "loss_pct"), 1))
        elif d.failed(scen, case, dp):
            vals = [r.get("value") or 0 for r in d.runs(scen, case, dp)]
            w = "fails" if any(r["status"] == "fail" for r in
                               d.runs(scen, case, dp)) else "error"
            row += [w, "%s (%s)" % (w, fmt(max(vals), 2)), w]
            if scen in ("udp", "txrx"):
                row += ["-", "-", "-"]
            if scen == "udp":
                row += ["-"]
            if scen == "tcp":
                row += ["-", "-", "-", "-"]
        else:
            row += [fmt(s[0], 3), fmt(s[1], 3), fmt(s[2], 3)] if s else \
                ["-", "-", "-"]
            if scen in ("udp", "txrx"):
                row.append(fmt(med_of(d, scen, case, dp, "loss_pct"), 1))
                row.append(fmt(med_of(d, scen, case, dp, "cycles_per_pkt"),
                               0))
                row.append(fmt(med_of(d, scen, case, dp,
                                      "lcore_busy_pct"), 0))
            if scen == "udp":
                row.append(fmt(med_of(d, scen, case, dp, "gen_softirq_pct"),
                               0))
            if scen == "tcp":
                row.append(fmt(med_of(d, scen, case, dp, "retransmits"), 0))
                row.append(imissed_txt(d, scen, case, dp))
                row.append(fmt(med_of(d, scen, case, dp, "cycles_per_pkt"),
                               0))
                row.append(fmt(med_of(d, scen, case, dp,
                                      "lcore_busy_pct"), 0))
        for r in refs:
            if dp == r or not dp.startswith("tpacket"):
                row.append("")
            elif d.failed(scen, case, r):
                row.append("n/a (%s fails)" % r)
            else:
                row.append(rtxt(d.ratio(scen, case, dp, r)))
        rows.append(row)
    title = "%s: %s [%s]" % (TITLES[scen], case, unit)
    note = None
    if scen == "udp":
        note = "cycles/pkt and lcore busy: the forwarding lcore (medians); " \
            "a forwarder below 95 %% busy was waiting for the generator. " \
            "gen CPU softirq: share of the generator's CPU (0) in softirq, " \
            "where the receive half of every datapath (veth f0 into the " \
            "ring, socket or XDP socket) runs. " \
            "Far end: %s." % ("UDP port unreachable (real MAC, closed port)"
                              if case.endswith("-unreach") else
                              "%s drop" % d.meta.get("drop_method"))
    if scen == "tcp":
        note = "retrans: iperf3 retransmits; imissed: frames the kernel " \
            "dropped because the RX ring was full (n/r: net_af_packet " \
            "22.11 does not report it); cycles/pkt and lcore busy: the " \
            "forwarding lcore (medians)."
    if scen == "latency":
        note = "Per repetition the percentile of all pings; the table " \
            "shows the median over repetitions. x ratios are of p50."
    sk = [(dp, d.skipped(scen, case, dp)) for dp in d.dps(scen, case)
          if d.skipped(scen, case, dp)]
    if sk:
        note = (note + " " if note else "") + "Skipped: " + "; ".join(
            "%s: %s" % (dp, why[:200]) for dp, why in sk) + "."
    return (title, head, rows, note)


def imissed_txt(d, scen, case, dp):
    # net_af_packet 22.11 has no imissed (tp_drops are never read).
    if dp.startswith("af_packet"):
        return "n/r"
    if not dp.startswith("tpacket"):
        return "-"
    return fmt(med_of(d, scen, case, dp, "imissed"), 0)


def med_of(d, scen, case, dp, key):
    return median([x for x in d.ok(scen, case, dp, key) if x is not None])


def tune_table(d):
    head = ["net_af_packet devargs", "TCP Gbit/s (offloads off)",
            "UDP 64 B Mpps", "cycles/pkt (64 B)"]
    rows = []
    chosen = d.meta.get("afp_devargs")
    for case in d.cases("tune"):
        if not case.startswith("tcp:"):
            continue
        c = case[4:]
        tcp = med_of(d, "tune", case, "af_packet", "value")
        udp = med_of(d, "tune", "udp64:" + c, "af_packet", "value")
        cyc = med_of(d, "tune", "udp64:" + c, "af_packet", "cycles_per_pkt")
        rows.append([c + (" (chosen)" if c == chosen else ""), fmt(tcp, 3),
                     fmt(udp, 3), fmt(cyc, 0)])
    return (TITLES["tune"], head, rows, None)


def mq_table(d):
    head = ["Datapath", "queues", "runs", "min", "median", "max",
            "retrans", "imissed", "lcore busy %", "RX queue share %",
            "x af_packet"]
    rows = []
    for case in d.cases("mq"):
        for dp in d.dps("mq", case):
            s = d.stat("mq", case, dp)
            q = case.split("=")[1] if "=" in case else "-"
            share = "-"
            qs = [r.get("rxq_packets") for r in d.runs("mq", case, dp)
                  if r.get("rxq_packets")]
            if qs:
                tot = [sum(x) for x in zip(*qs)]
                allp = sum(tot) or 1
                share = "/".join("%.0f" % (100.0 * x / allp) for x in tot)
            ratio = ""
            if dp.startswith("tpacket") and "af_packet" in d.dps("mq", case):
                ratio = rtxt(d.ratio("mq", case, dp, "af_packet"))
            mark = " (*)" if d.noisy("mq", case, dp) else ""
            busy = fmt(med_of(d, "mq", case, dp, "lcore_busy_pct"), 0)
            extra = [fmt(med_of(d, "mq", case, dp, "retransmits"), 0),
                     imissed_txt(d, "mq", case, dp), busy]
            if d.failed("mq", case, dp):
                rows.append([dp + mark, q, str(len(d.runs("mq", case, dp))),
                             "fails", "fails", "fails"] + extra +
                            [share, ratio])
            else:
                rows.append([dp + mark, q, str(len(d.runs("mq", case, dp)))] +
                            ([fmt(s[0], 3), fmt(s[1], 3), fmt(s[2], 3)] if s
                             else ["-"] * 3) + extra + [share, ratio])
    return (TITLES["mq"] + " [Gbit/s]", head, rows,
            "RX queue share: packets per RX queue of port 0 (fanout "
            "distribution), summed over repetitions. imissed n/r: "
            "net_af_packet 22.11 does not report ring drops.")


# --------------------------------------------------------------------------
# Issue 15 targets: ratios of the default datapath to a reference, per
# repetition (runs alternate, so a repetition's pair ran back to back).
# (id, what, scenario, case, datapath, reference, metric, op, target)
# --------------------------------------------------------------------------

UDP_CASES = ("64B-unreach", "64B")
TARGETS = [
    ("tcp_vs_bridge", "TCP 1 stream, no LRO / bridge", "tcp",
     "offloads=on", "tpacket", "bridge", "value", ">=", 1.2),
    ("tcp_lro_vs_bridge", "TCP 1 stream, --enable-lro / bridge", "tcp",
     "offloads=on", "tpacket-lro", "bridge", "value", ">=", 1.5),
    ("tcp8q2_vs_bridge", "TCP 8 streams, 2 queues, no LRO / bridge", "tcp",
     "offloads=on,streams=8,queues=2", "tpacket", "bridge", "value", ">=",
     1.2),
    ("tcp8q2_lro_vs_bridge", "TCP 8 streams, 2 queues, --enable-lro / "
     "bridge", "tcp", "offloads=on,streams=8,queues=2", "tpacket-lro",
     "bridge", "value", ">=", 1.5),
    ("udp64_vs_af_xdp", "64 B UDP Mpps / net_af_xdp", "udp", UDP_CASES,
     "tpacket", "af_xdp", "value", ">=", 1.3),
    ("udp64_vs_af_packet", "64 B UDP Mpps / net_af_packet", "udp",
     UDP_CASES, "tpacket", "af_packet", "value", ">=", 1.5),
    ("udp64_cycles_vs_af_xdp", "64 B UDP forwarding cycles/pkt / "
     "net_af_xdp", "udp", UDP_CASES, "tpacket", "af_xdp", "cycles_per_pkt",
     "<=", 0.75),
    ("ping_p50_vs_af_packet", "ping RTT p50 / net_af_packet", "latency",
     "ping", "tpacket", "af_packet", "p50_ms", "<=", 1.5),
    ("ping_p99_vs_af_packet", "ping RTT p99 / net_af_packet", "latency",
     "ping", "tpacket", "af_packet", "p99_ms", "<=", 2.0),
]
# Also shown (not targets): the same ratios for other net_tpacket modes.
TARGET_ALSO = ("tpacket-frames", "tpacket-rxring")


def per_rep_ratios(d, scen, case, dp, ref, key):
    a = {r["rep"]: r for r in d.runs(scen, case, dp)}
    b = {r["rep"]: r for r in d.runs(scen, case, ref)}
    res = []
    for rep in sorted(a):
        ra, rb = a[rep], b.get(rep)
        if rb is None or ra["status"] != "ok" or rb["status"] != "ok":
            continue
        va, vb = get(ra, key), get(rb, key)
        if va is None or not vb:
            continue
        res.append({"rep": rep, "value": va, "ref": vb,
                    "ratio": round(va / vb, 4)})
    return res


def targets(d):
    """Every target with its per-repetition ratios, median, min-max and
    pass/fail (on the median); "n/a" where a side did not run."""
    out = []
    for tid, what, scen, cases, dp, ref, key, op, tgt in TARGETS:
        cases = cases if isinstance(cases, tuple) else (cases,)
        cases = [c for c in cases if c in d.cases(scen)]
        if not cases:
            out.append({"id": tid, "what": what, "scenario": scen,
                        "case": None, "datapath": dp, "ref": ref,
                        "metric": key, "op": op, "target": tgt,
                        "target_of": True, "per_rep": [], "median": None,
                        "min": None, "max": None, "result": "n/a",
                        "why_na": "not measured in this run",
                        "lcore_busy_pct": None})
        for case in cases:
            for var in (dp,) + tuple(TARGET_ALSO if dp == "tpacket" else ()):
                if var not in d.dps(scen, case):
                    continue
                reps = per_rep_ratios(d, scen, case, var, ref, key)
                xs = [x["ratio"] for x in reps]
                med = median(xs)
                res = "n/a"
                if med is not None:
                    res = "pass" if (med >= tgt if op == ">=" else
                                     med <= tgt) else "fail"
                why = None
                for n in (var, ref):
                    sk = d.skipped(scen, case, n)
                    if sk:
                        why = "%s skipped: %s" % (n, sk)
                    elif d.failed(scen, case, n):
                        why = "%s failed" % n
                busy = None
                if scen == "udp":
                    busy = [med_of(d, scen, case, n, "lcore_busy_pct")
                            for n in (var, ref)]
                out.append({
                    "id": tid + ("" if var == dp else "@" + var) +
                    ("" if len(cases) == 1 and scen != "udp" else
                     "@" + case),
                    "what": what, "scenario": scen, "case": case,
                    "datapath": var, "ref": ref, "metric": key, "op": op,
                    "target": tgt, "target_of": var == dp,
                    "per_rep": reps, "median": med,
                    "min": min(xs) if xs else None,
                    "max": max(xs) if xs else None,
                    "result": res, "why_na": why,
                    "lcore_busy_pct": busy})
    return out


def targets_table(d, ts=None):
    ts = targets(d) if ts is None else ts
    if not ts:
        return None
    head = ["Target", "datapath (far end)", "target", "measured: median "
            "(min-max), reps", "result"]
    rows = []
    for t in ts:
        where = t["datapath"]
        if t["scenario"] == "udp" and t["case"]:
            where += " (%s)" % ("port unreachable" if t["case"].endswith(
                "-unreach") else "MAC drop")
        if t["median"] is None:
            meas = "n/a" + (" (%s)" % t["why_na"][:120] if t["why_na"]
                            else "")
        else:
            meas = "%.2f (%.2f-%.2f), %d" % (t["median"], t["min"], t["max"],
                                             len(t["per_rep"]))
        if t["lcore_busy_pct"] and None not in t["lcore_busy_pct"]:
            meas += "; lcore busy %.0f / %.0f %%" % tuple(t["lcore_busy_pct"])
        res = t["result"].upper() if t["target_of"] else \
            t["result"] + " (info)"
        rows.append([t["what"], where, "%s %.2f" % (t["op"], t["target"]),
                     meas, res])
    return ("Issue 15 targets: ratio to the reference, per repetition", head,
            rows, "Ratios per repetition (the datapaths alternate, so each "
            "pair ran back to back); result on the median. 64 B UDP: with "
            "the port-unreachable far end the forwarder is the bottleneck, "
            "with the MAC-drop far end the generator's CPU is (see lcore "
            "busy). Rows marked (info) are other net_tpacket modes, not "
            "targets.")


def roundup_pow2(v):
    p = 1
    while p < v:
        p <<= 1
    return p


def expected_rings(r):
    """Computed ring memory per queue from the devargs (and net_tpacket's
    probe log): (rx_bytes, tx_bytes, queues, how)."""
    vd = r.get("vdevs") or []
    if not vd:
        return None
    args = dict(kv.split("=", 1) for kv in vd[0].split(",")[1:] if "=" in kv)
    if vd[0].startswith("net_af_xdp"):
        return None, None, int(args.get("queue_count", 1)), \
            "XSK fill/completion/RX/TX rings mapped from the socket; UMEM " \
            "in the mbuf pool (not computed)"
    if vd[0].startswith("net_tap"):
        return 0, 0, 1, "no ring: read()/write() on the tap fd"
    if vd[0].startswith("net_tpacket"):
        g = (r.get("geometry") or [None])[0]
        if not g and args.get("rx_mode") == "frames":
            # A probe log this report does not parse (older bench).
            return None, 0, int(args.get("queues", 1)), \
                "RX frames ring (size not parsed)"
        if not g:
            return None
        rx = g["blocks"] * g["blocksz"]
        rxhow = "RX %d x %d B blocks" % (g["blocks"], g["blocksz"])
        if args.get("rx_mode") == "frames":
            rx = g.get("frames_bytes") or 0
            rxhow = "RX TPACKET_V2 frames ring %d B" % rx
        if args.get("rx_mode") == "recvmmsg":
            # No ring: 32 slots of the largest frame in DPDK memory, and
            # the ring's budget as socket buffer (not mapped).
            rx = 0
            rxhow = "RX recvmmsg (no ring; 32-slot arena in DPDK memory)"
        tx, how = 0, ", TX sendmmsg (no ring)"
        if g["tx"] == "ring":
            # tpk_txq_open(): slot = roundup_pow2(big + tpacket3_hdr (48)
            # + 16), big = 64 KB + 256 with virtio-net headers (a slot may
            # carry a super-frame), else max frame + 64; 1024 slots up to
            # 4 KB, 128 above.
            big = 65536 + 256 if g["vnet"] == "on" else TPK_MTU + 14 + 4 + 64
            fsz = roundup_pow2(big + 48 + 16)
            frames = int(args.get("txframes", 128 if big > 4096 else 1024))
            tx = fsz * frames
            how = ", TX ring %d x %d B" % (frames, fsz)
        return rx, tx, int(args.get("queues", 1)), rxhow + how
    if vd[0].startswith("net_af_packet"):
        fsz = int(args.get("framesz", 2048))
        cnt = int(args.get("framecnt", 512))
        bsz = int(args.get("blocksz", 4096))
        ring = (fsz * cnt // bsz) * bsz
        return ring, ring, int(args.get("qpairs", 1)), \
            "V2 RX+TX rings of %d x %d B" % (cnt, fsz)
    return None


def memory_table(d):
    seen = {}
    for r in d.recs:
        if r["status"] != "ok" or not r.get("vdevs"):
            continue
        name = r["datapath"]
        if r["scenario"] == "mq":
            name += " " + r["case"]
        elif r["scenario"] == "tune":
            name += " (tuning)"
        key = (name, ",".join(r["vdevs"][0].split(",")[2:]))
        if key in seen:
            continue
        seen[key] = r
    if not seen:
        return None
    head = ["Datapath", "devargs", "RX ring / queue", "TX ring / queue",
            "total / port", "smaps Size / port", "smaps Rss / port",
            "geometry"]
    rows = []
    for (name, args), r in sorted(seen.items()):
        e = expected_rings(r)
        if not e:
            continue
        rx, tx, q, how = e
        ports = max(1, len(r["vdevs"]))
        size = sum(m.get("size_kb", 0) for m in r.get("rings", [])) * 1024
        rss = sum(m.get("rss_kb", 0) for m in r.get("rings", [])) * 1024
        tot = None if rx is None or tx is None else (rx + tx) * q
        rows.append([name, args or "(default)", mib(rx), mib(tx),
                     mib(tot), mib(size / ports),
                     mib(rss / ports), how])
    return ("Ring memory per queue and per port", head, rows,
            "Computed from the devargs and net_tpacket's probe log; smaps: "
            "the socket mappings of the testpmd process after the run "
            "(Size = mapped, Rss = touched), per port. Socket buffers "
            "(SO_SNDBUF/SO_RCVBUF) and the mbuf pool are not included.")


def mib(b):
    if b is None:
        return "-"
    return "%.2f MiB" % (b / 1048576.0) if b else "0"


# --------------------------------------------------------------------------
# Output formats
# --------------------------------------------------------------------------

def md_table(t):
    title, head, rows, note = t
    s = ["### " + title, "", "| " + " | ".join(head) + " |",
         "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        s.append("| " + " | ".join(r) + " |")
    if note:
        s += ["", note]
    return "\n".join(s) + "\n"


def rst_table(t):
    title, head, rows, note = t
    s = [".. list-table:: " + title, "   :header-rows: 1", ""]
    for r in [head] + rows:
        s.append("   * - " + rst_cell(r[0]))
        for c in r[1:]:
            s.append("     - " + rst_cell(c))
    if note:
        s += ["", note]
    return "\n".join(s) + "\n"


def rst_cell(c):
    c = c.replace("*", "\\*").replace("|", "\\|")
    return c if c else "-"  # an empty cell must not be blank in RST


def header_md(d):
    m = d.meta
    o = m.get("options", {})
    lines = [
        "# tpacket-bench results", "",
        "- command: `%s`" % m.get("command"),
        "- started: %s, wall time %s s%s" % (
            m.get("started"), m.get("wall_s"),
            "" if m.get("complete", True) else " (INCOMPLETE)"),
        "- machine: %s CPUs (%s), %s MiB, hypervisor %s, kernel %s" % (
            m.get("cpus"), m.get("cpu_model"), m.get("mem_mib"),
            m.get("hypervisor") or m.get("virt"), m.get("kernel")),
        "- DPDK %s (testpmd), %s, %s" % (m.get("dpdk"), m.get("iperf3"),
                                         m.get("trafgen")),
        "- net_tpacket: git %s, plugin sha256 %s" % (
            m.get("git"), (m.get("plugin_sha256") or "")[:16]),
        "- testpmd -l %s, --no-huge -m %s, %s mbufs; endpoints pinned to "
        "CPU %s; far-end drop: %s" % (
            o.get("lcores"), o.get("mem_mb"), o.get("mbufs"),
            o.get("app_cpus"), m.get("drop_method")),
        "- reps %s, %s s per throughput run, %s pings per latency run" % (
            o.get("reps"), o.get("duration"), o.get("ping_count")),
        "- net_af_packet devargs (tuned): `%s`" % m.get("afp_devargs"),
        "",
        "**The generator, the kernel and the forwarder share %s CPUs**: the "
        "ratios matter more than the absolute numbers. Values: median over "
        "repetitions with min-max; `x ref` is the median (min-max) of the "
        "per-repetition ratios (runs alternate, so each repetition's pair "
        "ran back to back). (*) marks rows where other processes used "
        ">= %.0f%% of the CPUs during at least one repetition." % (
            m.get("cpus"), d.thr),
        "",
        "Datapaths:", ""]
    for k, v in (m.get("datapaths") or {}).items():
        lines.append("- `%s`: %s" % (k, v))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------

def gnuplot_ok():
    return shutil.which("gnuplot") is not None


def bars(path, title, ylabel, rows, series, logy=False, ymin=None):
    """Clustered bars with min-max error bars. rows: x labels; series:
    [(name, [(med, lo, hi) | None per row])]."""
    dat = path[:-4] + ".dat"
    with open(dat, "w") as f:
        f.write("# label " + " ".join("%s_med %s_min %s_max" % (n, n, n)
                                      for n, _ in series) + "\n")
        for i, lab in enumerate(rows):
            cols = []
            for _, vals in series:
                v = vals[i]
                cols += ["?", "?", "?"] if v is None else \
                    ["%g" % v[0], "%g" % v[1], "%g" % v[2]]
            f.write('"%s" %s\n' % (lab, " ".join(cols)))
    using = []
    for i, (name, _) in enumerate(series):
        c = 2 + 3 * i
        using.append("'%s' using %d:%d:%d%s title '%s'" % (
            os.path.basename(dat) if i == 0 else "", c, c + 1, c + 2,
            ":xtic(1)" if i == 0 else "", name))
    gp = [
        "set terminal pngcairo size 960,520 font 'sans,10'",
        "set output '%s'" % os.path.basename(path),
        "set title '%s'" % title.replace("_", "\\_"),
        "set ylabel '%s'" % ylabel,
        "set datafile missing '?'",
        "set style data histogram",
        "set style histogram errorbars gap 1.5 lw 1",
        "set style fill solid 0.75 border -1",
        "set boxwidth 0.9",
        "set grid ytics",
        "set key above horizontal noenhanced",
        "set xtics rotate by -25 noenhanced",
        "set bmargin 6",
    ]
    if logy:
        gp.append("set logscale y")
    if ymin is not None:
        gp.append("set yrange [%g:*]" % ymin)
    else:
        gp.append("set yrange [0:*]")
        gp.append("set offsets 0, 0, graph 0.06, 0")
    gp.append("plot " + ", ".join(using))
    run_gp(path, gp)


def run_gp(path, gp):
    script = path[:-4] + ".gp"
    with open(script, "w") as f:
        f.write("\n".join(gp) + "\n")
    p = subprocess.run(["gnuplot", os.path.basename(script)],
                       cwd=os.path.dirname(path) or ".",
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 0:
        print("gnuplot %s: %s" % (script, p.stdout[-500:]), file=sys.stderr)


def s3(s):
    return None if s is None else (s[1], s[0], s[2])


def make_plots(d, out):
    made = []
    # TCP: datapaths x offload cases.
    cases = d.cases("tcp")
    if cases:
        rows = ordered(dp for c in cases for dp in d.dps("tcp", c))
        series = [(c, [s3(d.stat("tcp", c, dp)) if dp in d.dps("tcp", c)
                       else None for dp in rows]) for c in cases]
        labels = []
        for dp in rows:
            bad = [c for c in cases if d.failed("tcp", c, dp)]
            labels.append(dp + (" (%s: fails)" % ", ".join(
                c.replace("offloads=", "") for c in bad) if bad else ""))
        bars(os.path.join(out, "tcp.png"),
             "TCP through the forwarder, iperf3 1 stream (median, min-max)",
             "Gbit/s", labels, series)
        made.append("tcp.png")
    cases = d.cases("udp")
    if cases:
        rows = ordered(dp for c in cases for dp in d.dps("udp", c))
        series = [(c, [s3(d.stat("udp", c, dp)) if dp in d.dps("udp", c)
                       else None for dp in rows]) for c in cases]
        bars(os.path.join(out, "udp.png"),
             "UDP forwarded to the server veth (median, min-max)", "Mpps",
             rows, series)
        made.append("udp.png")
    # Cycles per packet of the forwarding lcore (DPDK datapaths).
    cc = [("udp", c) for c in d.cases("udp")] + \
        [("txrx", c) for c in d.cases("txrx")]
    if cc:
        rows = ordered(dp for s, c in cc for dp in d.dps(s, c)
                       if dp not in ("bridge", "bridge-rps", "veth"))
        series = []
        for s, c in cc:
            series.append((("fwd " if s == "udp" else "") + c, [
                s3(d.stat(s, c, dp, "cycles_per_pkt"))
                if dp in d.dps(s, c) else None for dp in rows]))
        bars(os.path.join(out, "cycles.png"),
             "testpmd forwarding lcore: CPU cycles per packet (lower is "
             "better)", "cycles/packet", rows, series)
        made.append("cycles.png")
    cases = d.cases("txrx")
    if cases:
        rows = ordered(dp for c in cases for dp in d.dps("txrx", c))
        series = [(c, [s3(d.stat("txrx", c, dp)) if dp in d.dps("txrx", c)
                       else None for dp in rows]) for c in cases]
        bars(os.path.join(out, "txrx.png"), "testpmd txonly / rxonly, one "
             "port (median, min-max)", "Mpps", rows, series)
        made.append("txrx.png")
    cases = d.cases("latency")
    if cases:
        c = cases[0]
        rows = d.dps("latency", c)
        series = [(k.replace("_ms", ""), [s3(d.stat("latency", c, dp, k))
                                          for dp in rows])
                  for k in ("p50_ms", "p99_ms")]
        bars(os.path.join(out, "latency.png"), "ping RTT through the "
             "forwarder (lower is better, log scale)", "ms", rows, series,
             logy=True, ymin=0.01)
        made.append("latency.png")
    if d.cases("latency"):
        c = d.cases("latency")[0]
        if cdf(d, c, os.path.join(out, "latency_cdf.png")):
            made.append("latency_cdf.png")
            if os.path.exists(os.path.join(out, "latency_cdf_dp.png")):
                made.append("latency_cdf_dp.png")
    cases = d.cases("mq")
    if cases:
        qcases = [c for c in cases if c.startswith("queues=")]
        rows = [c.split("=")[1] + " queue(s)" for c in qcases]
        series = []
        for dp in ("tpacket", "af_packet"):
            series.append((dp, [s3(d.stat("mq", c, dp)) for c in qcases]))
        kern = d.stat("mq", "kernel", "bridge")
        if kern:
            series.append(("bridge", [s3(kern)] * len(qcases)))
        bars(os.path.join(out, "mq.png"), "iperf3 -P 8 through the "
             "forwarder vs queue count (one forwarding lcore)", "Gbit/s",
             rows, series)
        made.append("mq.png")
    m = memory_table(d)
    if m and m[2]:
        # Tuning candidates and the tov variants (same rings) are left out.
        keep = [r for r in m[2] if "(tuning)" not in r[0] and
                not r[0].startswith("tpacket-tov") and
                not r[0].endswith("queues=1")]
        m = (m[0], m[1], keep, m[3])
    if m and m[2]:
        rows = [r[0] for r in m[2]]
        tomib = lambda s: float(s.split()[0]) if s not in ("0", "-") \
            else 0.0  # noqa
        series = [("RX ring / queue", [(tomib(r[2]),) * 3 for r in m[2]]),
                  ("TX ring / queue", [(tomib(r[3]),) * 3 for r in m[2]]),
                  ("smaps Size / port", [(tomib(r[5]),) * 3 for r in m[2]])]
        bars(os.path.join(out, "memory.png"), "Ring memory", "MiB", rows,
             series)
        made.append("memory.png")
    return made


def cdf(d, case, path):
    """RTT distribution: all samples of all repetitions per datapath."""
    dat = path[:-4] + ".dat"
    names = []
    with open(dat, "w") as f:
        for dp in d.dps("latency", case):
            xs = sorted(x for r in d.runs("latency", case, dp)
                        if r["status"] == "ok" for x in r.get("rtt_ms", []))
            if not xs:
                continue
            names.append(dp)
            f.write("# %s\n" % dp)
            n = len(xs)
            for i, x in enumerate(xs):
                f.write("%g %g\n" % (x, 100.0 * (i + 1) / n))
            f.write("\n\n")
    if not names:
        return False
    gp = [
        "set terminal pngcairo size 960,520 font 'sans,10'",
        "set output '%s'" % os.path.basename(path),
        "set title 'ping RTT distribution through the forwarder (all "
        "repetitions)'",
        "set xlabel 'RTT, ms (log scale)'",
        "set ylabel 'percent of pings <= RTT'",
        "set logscale x",
        "set grid xtics ytics mxtics",
        "set key bottom right noenhanced",
        "set yrange [0:100]",
        "plot " + ", ".join("'%s' index %d using 1:2 with steps lw 2 title "
                            "'%s'" % (os.path.basename(dat), i, n)
                            for i, n in enumerate(names)),
    ]
    run_gp(path, gp)
    cdf_panels(d, case, path[:-4] + "_dp.png")
    return True


def cdf_panels(d, case, path):
    """One CDF panel per datapath, a curve per repetition, with the
    reference (net_af_packet, all repetitions) dashed in every panel."""
    dat = path[:-4] + ".dat"
    blocks, panels = 0, []
    ref = None
    with open(dat, "w") as f:
        for dp in d.dps("latency", case):
            curves = []
            for r in d.runs("latency", case, dp):
                xs = sorted(r.get("rtt_ms") or []) if r["status"] == "ok" \
                    else []
                if not xs:
                    continue
                f.write("# %s rep %d\n" % (dp, r["rep"]))
                n = len(xs)
                for i, x in enumerate(xs):
                    f.write("%g %g\n" % (x, 100.0 * (i + 1) / n))
                f.write("\n\n")
                curves.append((blocks, r["rep"]))
                blocks += 1
            if curves:
                panels.append((dp, curves))
        if "af_packet" in [p for p, _ in panels]:
            xs = sorted(x for r in d.runs("latency", case, "af_packet")
                        if r["status"] == "ok" for x in r.get("rtt_ms", []))
            f.write("# af_packet all\n")
            for i, x in enumerate(xs):
                f.write("%g %g\n" % (x, 100.0 * (i + 1) / len(xs)))
            f.write("\n\n")
            ref = blocks
    if not panels:
        return False
    # One x range for all panels, so that they compare at a glance.
    allx = [x for dp, _ in panels for r in d.runs("latency", case, dp)
            if r["status"] == "ok" for x in r.get("rtt_ms") or [] if x > 0]
    ncol = 3 if len(panels) > 4 else 2
    nrow = (len(panels) + ncol - 1) // ncol
    base = os.path.basename(dat)
    gp = ["set terminal pngcairo size %d,%d font 'sans,9'" % (
              330 * ncol, 260 * nrow + 40),
          "set output '%s'" % os.path.basename(path),
          "set multiplot layout %d,%d title 'ping RTT distribution per "
          "datapath (a curve per repetition; dashed: net\\_af\\_packet, all "
          "repetitions)'" % (nrow, ncol),
          "set logscale x", "set grid xtics ytics", "set yrange [0:100]",
          "set xrange [%g:%g]" % (min(allx) / 1.2, max(allx) * 1.2),
          "set key bottom right noenhanced font 'sans,8'",
          "set xlabel 'RTT, ms'", "set ylabel '% <= RTT'"]
    for dp, curves in panels:
        parts = ["'%s' index %d using 1:2 with steps lw 2 title 'rep %d'" %
                 (base, b, rep) for b, rep in curves]
        if ref is not None and dp != "af_packet":
            parts.append("'%s' index %d using 1:2 with steps dt 2 lc "
                         "rgb 'black' title 'af_packet (all)'" % (base, ref))
        gp += ["set title '%s' noenhanced" % dp, "plot " + ", ".join(parts)]
    gp.append("unset multiplot")
    run_gp(path, gp)
    return True


def write_targets_json(out, d, ts):
    """The targets with their per-repetition ratios: into results.json
    ("targets") and targets.json."""
    path = os.path.join(out, "results.json")
    with open(path) as f:
        full = json.load(f)
    full["targets"] = ts
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(full, f, indent=1)
    os.replace(tmp, path)
    with open(os.path.join(out, "targets.json"), "w") as f:
        json.dump(ts, f, indent=1)


BEGIN = ".. BEGIN %s: generated by tpacket-bench --report DIR --page PAGE, " \
    "do not edit by hand"
END = ".. END %s"


def run_line(d):
    m, o = d.meta, d.meta.get("options", {})
    return ("``%s`` (%s mode), started %s, %s repetitions of %s s "
            "(%s pings per latency run), wall time %s s%s; net_tpacket git "
            "``%s``, plugin sha256 ``%s...``; %s CPUs, kernel ``%s``, "
            "DPDK %s." % (
                m.get("command"), "quick" if o.get("quick") else "full",
                m.get("started"), o.get("reps"), o.get("duration"),
                o.get("ping_count"), m.get("wall_s"),
                "" if m.get("complete", True) else " (INCOMPLETE)",
                m.get("git"), (m.get("plugin_sha256") or "")[:16],
                m.get("cpus"), m.get("kernel"), m.get("dpdk")))


def splice(text, name, block, before):
    """Replace the named generated block of text, or insert it before the
    first line equal to before (a section title)."""
    b, e = BEGIN % name, END % name
    block = b + "\n\n" + block.rstrip() + "\n\n" + e + "\n"
    if b in text and e in text:
        i, j = text.index(b), text.index(e) + len(e)
        if j < len(text) and text[j] == "\n":
            j += 1
        return text[:i] + block + text[j:]
    lines = text.split("\n")
    for k, line in enumerate(lines):
        if line == before and k + 1 < len(lines) and lines[k + 1] and \
                set(lines[k + 1]) <= set("-~=^"):
            return "\n".join(lines[:k]) + "\n" + block + "\n" + \
                "\n".join(lines[k:])
    return text.rstrip() + "\n\n" + block


def write_page(out, d, ts, made, page):
    """Put this run's targets table first in the perf page (before "Test
    setup") and all its tables and plots in a section before "Running the
    bench"; plots are copied next to the page as latest-<name>.png."""
    pdir = os.path.dirname(os.path.abspath(page))
    for pn in made:
        shutil.copyfile(os.path.join(out, pn),
                        os.path.join(pdir, "latest-" + pn))
    with open(page) as f:
        text = f.read()
    tt = targets_table(d, ts)
    sk = d.meta.get("skipped") or {}
    blk = ["Issue 15 targets", "----------------", "",
           "Generated from the run " + run_line(d) +
           " The raw data of every repetition, with these ratios per "
           "repetition, is in the run's ``results.json`` (``targets``).", ""]
    if d.meta.get("options", {}).get("quick"):
        blk += [".. note::", "", "   This is a **quick** run (fewer "
                "datapaths and repetitions, shorter runs): it checks the "
                "bench end to end; the targets are decided by a full "
                "``make bench``.", ""]
    blk.append(rst_table(tt) if tt else "No target was measured.")
    if sk:
        blk += ["", "Datapaths that could not run here (recorded as "
                "skipped):", ""]
        blk += ["* ``%s``: %s" % (k, v.replace("*", "\\*")[:300])
                for k, v in sorted(sk.items())]
    text = splice(text, "targets", "\n".join(blk), "Test setup")
    # All tables of the run, and its plots.
    lb = ["Latest run: all results", "-----------------------", "",
          "All tables of the run " + run_line(d), ""]
    for t in tables(d)[1:]:
        lb.append(rst_table(t))
    for pn in made:
        lb += [".. figure:: latest-%s" % pn, "   :alt: %s" % pn, "",
               "   %s" % PLOT_CAPTIONS.get(pn, pn), ""]
    text = splice(text, "latest-run", "\n".join(lb), "Running the bench")
    with open(page, "w") as f:
        f.write(text)


PLOT_CAPTIONS = {
    "tcp.png": "TCP through the forwarder per datapath and case (median, "
    "min-max).",
    "udp.png": "UDP forwarded to the server veth (median, min-max).",
    "cycles.png": "Forwarding lcore cycles per packet.",
    "txrx.png": "testpmd txonly / rxonly, one port.",
    "latency.png": "p50 and p99 of the ping RTT (log scale).",
    "latency_cdf.png": "RTT distribution per datapath, all repetitions.",
    "latency_cdf_dp.png": "RTT distribution, one panel per datapath, a curve "
    "per repetition; dashed: net_af_packet.",
    "mq.png": "TCP with eight flows against the queue count.",
    "memory.png": "Ring memory per queue and per port.",
}


def render(out, plots=True, page=None):
    d = Data(out)
    ts = targets(d)
    write_targets_json(out, d, ts)
    ts_rows = ts
    ts = tables(d)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(header_md(d) + "\n")
        for t in ts:
            f.write(md_table(t) + "\n")
        errs = [r for r in d.recs if r["status"] == "error"]
        if errs:
            f.write("### Errors\n\n")
            for r in errs:
                f.write("- %s %s %s rep %d: %s\n" % (
                    r["scenario"], r["case"], r["datapath"], r["rep"],
                    r.get("error", "").replace("\n", " ")[:300]))
    with open(os.path.join(out, "results.rst"), "w") as f:
        for t in ts:
            f.write(rst_table(t) + "\n")
    made = []
    if plots and gnuplot_ok():
        made = make_plots(d, out)
    elif plots:
        print("gnuplot not found: no plots", file=sys.stderr)
    if made:
        with open(os.path.join(out, "results.md"), "a") as f:
            f.write("### Plots\n\n")
            for p in made:
                f.write("![%s](%s)\n\n" % (p, p))
    if page:
        write_page(out, d, ts_rows, made, page)
    return made


if __name__ == "__main__":
    a = sys.argv[1:]
    pg = None
    if "--page" in a:
        i = a.index("--page")
        pg = a[i + 1]
        del a[i:i + 2]
    render(a[0] if a else ".", page=pg)

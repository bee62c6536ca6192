# SPDX-License-Identifier: BSD-3-Clause
"""tpacket-bench: net_tpacket side by side with net_af_packet, net_af_xdp,
net_tap, the kernel bridge and a direct veth pair. Started by ./tpacket-bench (which checks
the tools first); see --help.

Every scenario runs its datapaths in alternation (A B C A B C ...) for
--reps repetitions, so that slow drifts of the machine hit all of them
alike. Each repetition is one record in results.json; report.py turns the
records into results.md, results.rst and PNG plots.
"""

import argparse
import contextlib
import datetime
import glob
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402
from tpbenv import (BenchError, FAKE_DST_MAC, NET_FWD, NET_VETH, Noise,  # noqa: E402
                    Proc, Skip, Testpmd, Topology, expand_cpus, log,
                    parse_fwd_stats, stage_plugin, try_run)

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

# net_af_packet candidates (DPDK 22.11 devargs; defaults blocksz=4096,
# framesz=2048, framecnt=512, qdisc_bypass=1). The one with the best TCP
# rate (offloads off, the only case where it works) is used everywhere.
AFP_CANDIDATES = [
    "blocksz=4096,framesz=2048,framecnt=512",
    "blocksz=4096,framesz=2048,framecnt=2048",
    "blocksz=4096,framesz=2048,framecnt=8192",
    "blocksz=65536,framesz=2048,framecnt=4096",
    "blocksz=4096,framesz=2048,framecnt=2048,qdisc_bypass=0",
]
# Used when the tuning pass is not run (--quick, or --scenarios without
# tune): the winner of the full run in doc/guides/perf (its defaults; the
# candidates were within the run-to-run spread of each other).
AFP_DEFAULT = "blocksz=4096,framesz=2048,framecnt=512"


# Interface names net_tap creates in the forwarder, one per port.
TAP_NAMES = ("tpkbtap0", "tpkbtap1")


class DP:
    """A datapath between c0 and s0 (or d0 and d1 for veth). optional:
    a datapath that may not run here (a PMD that refuses its devargs or
    lacks a kernel feature); it is then recorded as skipped."""

    def __init__(self, name, kind, drv=None, args="", app=(), rps=False,
                 label=None, optional=False):
        self.name, self.kind, self.drv, self.args = name, kind, drv, args
        self.app, self.rps = list(app), rps
        self.label = label or name
        self.optional = optional

    def vdev(self, i, dev, queues):
        if self.drv == "net_tap":
            # net_tap makes its own interface; the bench splices it into
            # the veth's path (Topology.tap_wire).
            v = "%s%d,iface=%s" % (self.drv, i, TAP_NAMES[i])
        else:
            v = "%s%d,iface=%s" % (self.drv, i, dev)
        if queues > 1:
            v += ",%s=%d" % ({"net_tpacket": "queues",
                              "net_af_xdp": "queue_count"}.get(
                                  self.drv, "qpairs"), queues)
        if self.args:
            v += "," + self.args
        return v

    def describe(self):
        if self.kind != "dpdk":
            return {"bridge": "kernel bridge br0 in the forwarder" +
                    (", RPS of f0/f1 on CPU 1" if self.rps else ""),
                    "veth": "direct veth pair, no forwarder"}[self.kind]
        return "%s %s%s" % (self.drv, self.args or "(default devargs)",
                            (" + testpmd " + " ".join(self.app))
                            if self.app else "")


def datapaths(afp_args):
    d = [
        DP("tpacket", "dpdk", "net_tpacket"),
        DP("tpacket-ring", "dpdk", "net_tpacket", "tx_mode=ring"),
        DP("tpacket-bypass", "dpdk", "net_tpacket", "qdisc_bypass=1"),
        DP("tpacket-lro", "dpdk", "net_tpacket", app=["--enable-lro"]),
        DP("tpacket-nocoal", "dpdk", "net_tpacket", "tx_coalesce=0"),
        DP("tpacket-recv", "dpdk", "net_tpacket", "rx_mode=recvmmsg"),
        DP("tpacket-recv-lro", "dpdk", "net_tpacket", "rx_mode=recvmmsg",
           app=["--enable-lro"]),
        # Block geometry and retire timeout only matter to the V3 ring
        # (rx_mode=ring: what rx_mode=auto, the default, gives a queue
        # without LRO on x86; tpacket-lro gets the V2 slots).
        DP("tpacket-rxring", "dpdk", "net_tpacket", "rx_mode=ring"),
        DP("tpacket-blk1m", "dpdk", "net_tpacket",
           "rx_mode=ring,blocksz=1048576,blocks=4"),
        DP("tpacket-tov0", "dpdk", "net_tpacket", "rx_mode=ring,tov=0"),
        DP("tpacket-tov1", "dpdk", "net_tpacket", "rx_mode=ring,tov=1"),
        DP("tpacket-tov4", "dpdk", "net_tpacket", "rx_mode=ring,tov=4"),
        # The V2 slots for every queue (the default before rx_mode=auto).
        DP("tpacket-frames", "dpdk", "net_tpacket", "rx_mode=frames",
           optional=True),
        DP("af_packet", "dpdk", "net_af_packet", afp_args),
        # net_af_xdp on the same veths with its default devargs: XDP
        # program on f0/f1, copy mode (veth has no zero-copy).
        DP("af_xdp", "dpdk", "net_af_xdp", optional=True),
        # net_tap: its own tap interfaces, spliced into the veths' path.
        DP("net_tap", "dpdk", "net_tap", optional=True),
        DP("bridge", "bridge"),
        DP("bridge-rps", "bridge", rps=True),
        DP("veth", "veth"),
    ]
    return {x.name: x for x in d}


# Scenario plans: (scenario, case, datapath names).
# TCP cases: "offloads=on|off" with optional ",streams=N,queues=Q". The
# first row of the first case is the headline: default devargs, no LRO.
# UDP cases: "<size>B" (far end drops by MAC: PACKET_OTHERHOST, or a tc
# drop) and "<size>B-unreach" (real MAC, closed port: the far end drops in
# its UDP layer and answers port unreachable, rate-limited).
FULL_PLAN = {
    "tcp": [("offloads=on", ["tpacket", "tpacket-frames", "tpacket-rxring",
                             "tpacket-lro", "tpacket-nocoal", "tpacket-recv",
                             "tpacket-ring", "tpacket-bypass",
                             "tpacket-recv-lro", "af_packet", "af_xdp",
                             "net_tap", "bridge", "bridge-rps", "veth"]),
            ("offloads=on,streams=8,queues=2", ["tpacket", "tpacket-frames",
                                                "tpacket-lro", "bridge"]),
            ("offloads=off", ["tpacket", "tpacket-ring", "tpacket-bypass",
                              "af_packet", "af_xdp", "bridge", "bridge-rps",
                              "veth"])],
    # 64B-unreach first: with that far end the forwarder is the bottleneck;
    # with the MAC drop the generator's CPU is, because the receive half of
    # every datapath (f0 into the ring / socket / XDP socket / tap) runs on
    # the sender's CPU with veth. --udp-rps on moves it to the forwarding
    # CPU (the bridge is then what bridge-rps is), but its softirq starves
    # the forwarding lcore under a flood, so it is off by default.
    "udp": [("64B-unreach", ["tpacket", "tpacket-frames", "tpacket-rxring",
                             "af_packet", "af_xdp", "net_tap", "bridge"]),
            ("64B", ["tpacket", "tpacket-frames", "tpacket-rxring",
                     "tpacket-recv",
                     "tpacket-ring", "tpacket-bypass", "tpacket-blk1m",
                     "af_packet", "af_xdp", "net_tap", "bridge", "veth"]),
            ("1518B", ["tpacket", "tpacket-ring", "tpacket-bypass",
                       "tpacket-blk1m", "af_packet", "af_xdp", "bridge",
                       "veth"])],
    "txrx": [("txonly-64B", ["tpacket", "tpacket-ring", "tpacket-bypass",
                             "af_packet", "af_xdp"]),
             ("rxonly-64B", ["tpacket", "tpacket-recv", "tpacket-blk1m",
                            "af_packet", "af_xdp"]),
             ("txonly-1518B", ["tpacket", "tpacket-ring", "tpacket-bypass",
                               "af_packet", "af_xdp"])],
    "latency": [("ping", ["tpacket", "tpacket-frames", "tpacket-rxring",
                          "tpacket-tov0",
                          "tpacket-tov4", "tpacket-recv", "af_packet",
                          "af_xdp", "net_tap", "bridge", "veth"])],
    "mq": None,     # built from --queues
}
QUICK_PLAN = {
    "tcp": [("offloads=on", ["tpacket", "tpacket-frames", "tpacket-rxring",
                             "tpacket-lro", "af_packet", "net_tap", "bridge",
                             "veth"]),
            ("offloads=on,streams=8,queues=2", ["tpacket", "tpacket-lro",
                                                "bridge"]),
            ("offloads=off", ["tpacket", "af_packet", "bridge", "veth"])],
    "udp": [("64B-unreach", ["tpacket", "tpacket-frames", "tpacket-rxring",
                             "af_packet", "af_xdp", "net_tap", "bridge"]),
            ("64B", ["tpacket", "tpacket-frames", "tpacket-rxring",
                     "af_packet", "af_xdp", "net_tap", "bridge"])],
    "txrx": [("txonly-64B", ["tpacket", "af_packet"])],
    "latency": [("ping", ["tpacket", "tpacket-frames", "tpacket-rxring",
                          "tpacket-recv", "af_packet", "af_xdp", "net_tap",
                          "bridge"])],
    "mq": None,
}


def case_opts(case):
    """'offloads=on,streams=8,queues=2' -> dict of strings."""
    return dict(kv.split("=", 1) for kv in case.split(",") if "=" in kv)
ALL_SCENARIOS = ["tune", "tcp", "udp", "txrx", "latency", "mq"]
QUICK_SCENARIOS = ["tcp", "udp", "txrx", "latency"]


class Env:
    def __init__(self, opts, tag, out):
        self.opts, self.tag, self.out = opts, tag, out
        self.work = os.path.join(out, "logs")
        os.makedirs(self.work, exist_ok=True)
        self.topo = Topology(tag)
        self.noise = Noise(self.topo)
        self.plugin = self.plugin_dir = self.plugin_sha = None
        self.records = []
        self.meta = {}
        self.seq = 0
        self.waited = 0.0
        self.skip = {}          # datapath -> reason it cannot run here
        self.wmem_saved = None  # net.core.wmem_default to restore
        self.fwd_rps = False    # RPS of f0/f1 on the forwarding CPUs
        fcpus = expand_cpus(opts.lcores)[1:] or [1]
        self.rps_mask = "%x" % sum(1 << c for c in fcpus)

    # Endpoint tools (iperf3, ping, trafgen) run pinned to --app-cpus.
    def ns_app(self, role, *argv):
        pin = [] if self.opts.app_cpus == "all" else \
            ["taskset", "-c", self.opts.app_cpus]
        return self.topo.nsx(role, *(pin + list(argv)))

    def logname(self, *parts):
        self.seq += 1
        s = "-".join(str(p) for p in parts)
        return "%04d-%s" % (self.seq, re.sub(r"[^A-Za-z0-9_.=-]", "_", s))

    @contextlib.contextmanager
    def forwarder(self, dp, name, mode="io", queues=1, ports=("f0", "f1"),
                  extra_app=()):
        fw = Fwd(self, dp)
        if dp.name in self.skip:
            raise Skip(self.skip[dp.name])
        if dp.kind == "bridge":
            self.topo.bridge(True, rps=dp.rps or self.fwd_rps,
                             mask=self.rps_mask)
            try:
                yield fw
            finally:
                self.topo.bridge(False, rps=self.fwd_rps, mask=self.rps_mask)
        elif dp.kind == "veth":
            yield fw
        else:
            vdevs = [dp.vdev(i, dev, queues) for i, dev in enumerate(ports)]
            app = ["--forward-mode=" + mode] + dp.app + list(extra_app)
            if queues > 1:
                app += ["--rxq=%d" % queues, "--txq=%d" % queues]
            fw.vdevs, fw.app = vdevs, app
            taps = list(zip(ports, TAP_NAMES)) if dp.drv == "net_tap" else []
            try:
                fw.tp = Testpmd(self, vdevs, app, name, optional=dp.optional)
                if taps:
                    self.topo.tap_wire(taps)
                if dp.optional and not re.search(
                        r"Port \d+: [0-9A-Fa-f:]{17}", fw.tp.text()):
                    raise Skip("testpmd started without ports: " +
                               " | ".join(fw.tp.text().splitlines()[-6:]))
                fw.tp.cmd("start")
                fw.t_start = time.monotonic()
                yield fw
            finally:
                if fw.tp is not None:
                    fw.tp.quit()
                if taps:
                    self.topo.tap_unwire(ports)
                if dp.drv == "net_af_xdp":
                    self.topo.xdp_off(ports)

    def save(self):
        data = {"meta": self.meta, "records": self.records}
        tmp = os.path.join(self.out, "results.json.tmp")
        with open(tmp, "w") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, os.path.join(self.out, "results.json"))


class Fwd:
    """What a datapath run leaves behind: testpmd statistics for DPDK
    datapaths, nothing for the kernel ones."""

    def __init__(self, env, dp):
        self.env, self.dp, self.tp = env, dp, None
        self.vdevs, self.app = [], []
        self.t_start = None

    def finish(self, xstats_port=None):
        if self.tp is None:
            return {}
        tp = self.tp
        res = {"vdevs": self.vdevs, "testpmd_app": self.app,
               "log": os.path.basename(tp.log)}
        res["port_stats"] = tp.port_stats()
        if xstats_port is not None:
            xs = tp.xstats(xstats_port)
            res["rxq_packets"] = [v for k, v in sorted(
                ((k, v) for k, v in xs.items()
                 if re.match(r"rx_q\d+_packets$", k)),
                key=lambda kv: int(re.search(r"\d+", kv[0]).group()))]
        res["rings"] = tp.ring_maps(self.env.topo)
        t_stop = time.monotonic()
        res["fwd"] = parse_fwd_stats(tp.cmd("stop"))
        res["fwd_s"] = round(t_stop - self.t_start, 3)
        res["nb_fwd_lcores"] = max(
            1, len(expand_cpus(self.env.opts.lcores)) - 1)
        res["geometry"] = geometry(tp.text())
        return res


def geometry(text):
    """net_tpacket's probe log: ring geometry per port (blocks and blocksz
    are 0 with rx_mode=recvmmsg, which logs its socket buffer instead)."""
    g = []
    for m in re.finditer(r"(net_tpacket\d+): iface (\S+) \(ifindex \d+\), "
                         r"(?:up to )?(\d+) queues, RX (?:ring (\d+)x(\d+) B, tov (\d+) "
                         r"ms|recvmmsg, socket buffer (\d+) B|"
                         r"frames \(TPACKET_V2\) (\d+) B), "
                         r"vnet hdr (\w+), TX (\w+)", text):
        num = [int(x) if x else 0 for x in m.group(4, 5, 6, 7, 8)]
        g.append({"port": m.group(1), "iface": m.group(2),
                  "queues": int(m.group(3)), "blocks": num[0],
                  "blocksz": num[1], "tov": num[2], "rcvbuf": num[3],
                  "frames_bytes": num[4],
                  "vnet": m.group(9), "tx": m.group(10)})
    return g


def cdelta(a, b, k):
    return b[k] - a[k]


# --------------------------------------------------------------------------
# Scenario runs. Each returns a metrics dict; "value" is the headline.
# --------------------------------------------------------------------------

def run_tcp(env, dp, name, streams=1, queues=1):
    o = env.opts
    dst = NET_VETH[1] if dp.kind == "veth" else NET_FWD[1]
    srv = Proc(env.ns_app("srv", "iperf3", "-s", "-1", "-p", "5201"),
               os.path.join(env.work, name + "-iperf3-s.log"))
    time.sleep(0.3)
    m = {}
    try:
        with env.forwarder(dp, name, queues=queues) as fw:
            n0 = env.noise.snap()
            argv = env.ns_app("cli", "iperf3", "-c", dst, "-p", "5201", "-J",
                              "-t", str(o.duration), "-O", str(o.omit),
                              "-P", str(streams), "--connect-timeout", "3000")
            try:
                p = subprocess.run(argv, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True,
                                   timeout=o.duration + o.omit + 20)
                out, rc = p.stdout, p.returncode
            except subprocess.TimeoutExpired as e:
                out = e.stdout or ""
                if isinstance(out, bytes):
                    out = out.decode(errors="replace")
                rc = 124
            n1 = env.noise.snap()
            m.update(fw.finish(xstats_port=0 if queues > 1 else None))
    finally:
        srv.stop(signal.SIGTERM, 2)
    with open(os.path.join(env.work, name + "-iperf3.json"), "w") as f:
        f.write(out)
    m["noise_pct"] = Noise.pct(n0, n1)
    m["iperf_rc"] = rc
    gbps, err = 0.0, None
    try:
        j = json.loads(out[out.index("{"):])
        err = j.get("error")
        end = j.get("end", {})
        gbps = end.get("sum_received", {}).get("bits_per_second", 0) / 1e9
        m["retransmits"] = end.get("sum_sent", {}).get("retransmits")
        cpu = end.get("cpu_utilization_percent", {})
        m["cpu_client_pct"] = cpu.get("host_total")
        m["cpu_server_pct"] = cpu.get("remote_total")
    except (ValueError, KeyError, AttributeError):
        err = "iperf3 output not JSON (rc %d): %s" % (rc, out[-200:].strip())
    add_cycles(m)
    m["value"] = round(gbps, 4)
    m["gbps"] = m["value"]
    if err or rc != 0 or gbps < 0.01:
        m["status"] = "fail"
        m["error"] = err or ("iperf3 rc %d" % rc if rc else
                             "~0 throughput (%.4f Gbit/s)" % gbps)
    return m


def trafgen_cfg(env, size, src, dst, far="drop"):
    """far: "drop" (tc drop, else a MAC nobody owns) or "unreach" (the
    server's MAC and a closed port: dropped in udp_rcv, which answers
    ICMP port unreachable within the kernel's ICMP rate limit)."""
    topo = env.topo
    saddr, daddr = (NET_VETH if src == "d0" else NET_FWD)
    dmac = topo.macs[dst] if (topo.drop_method == "tc-ingress-drop" or
                              far == "unreach") else FAKE_DST_MAC
    payload = size - 4 - 42     # size on the wire includes the FCS
    path = os.path.join(env.work, "trafgen-%s-%d-%s.cfg" % (src, size, far))
    with open(path, "w") as f:
        f.write("{\n  eth(da=%s, sa=%s, type=0x0800),\n"
                "  ipv4(saddr=%s, daddr=%s, ttl=64, df),\n"
                "  udp(sp=4000, dp=9),\n  fill(0x00, %d)\n}\n" %
                (dmac, topo.macs[src], saddr, daddr, payload))
    return path


def start_trafgen(env, name, size, src, dst, far="drop"):
    cfg = trafgen_cfg(env, size, src, dst, far)
    tg = Proc(env.ns_app("cli", "trafgen", "--no-sock-mem", "-Q", "-P", "1",
                         "-o", src, "-i", cfg),
              os.path.join(env.work, name + "-trafgen.log"), group=True)
    return tg


def run_udp(env, dp, name, size, far="drop"):
    o, topo = env.opts, env.topo
    veth = dp.kind == "veth"
    src, dst = ("d0", "d1") if veth else ("c0", "s0")
    m = {"far_end": far, "rps": env.fwd_rps}
    with env.forwarder(dp, name) as fw:
        tg = start_trafgen(env, name, size, src, dst, far)
        try:
            time.sleep(o.warmup)
            if not tg.alive():
                raise BenchError("trafgen exited: %s" % tg.output()[-400:])
            a = (topo.counters("cli", src), topo.counters("srv", dst),
                 None if veth else topo.counters("fwd", "f0"))
            t0, n0, c0 = time.monotonic(), env.noise.snap(), cpu_times()
            time.sleep(o.duration)
            b = (topo.counters("cli", src), topo.counters("srv", dst),
                 None if veth else topo.counters("fwd", "f0"))
            t1, n1, c1 = time.monotonic(), env.noise.snap(), cpu_times()
        finally:
            tg.stop(signal.SIGINT, 5)
        m.update(fw.finish())
    dt = t1 - t0
    sent = cdelta(a[0], b[0], "tx") + cdelta(a[0], b[0], "tx_drop")
    got = cdelta(a[1], b[1], "rx")
    m["offered_mpps"] = round(sent / dt / 1e6, 4)
    m["fwd_mpps"] = round(got / dt / 1e6, 4)
    m["loss_pct"] = round(max(0.0, 100.0 * (1 - got / sent)) if sent else
                          100.0, 2)
    if not veth:
        m["fwd_in_mpps"] = round(cdelta(a[2], b[2], "rx") / dt / 1e6, 4)
    m["gbps_l2"] = round(got * size * 8 / dt / 1e9, 3)
    # Who is the bottleneck: per-CPU busy share and softirq share.
    m["cpu_busy_pct"], m["cpu_softirq_pct"] = cpu_util(c0, c1)
    m["value"] = m["fwd_mpps"]
    m["noise_pct"] = Noise.pct(n0, n1)
    m["window_s"] = round(dt, 3)
    add_cycles(m)
    if got == 0:
        m["status"] = "fail"
        m["error"] = "nothing forwarded"
    return m


def cpu_times():
    """Per CPU: (busy, softirq, total) jiffies from /proc/stat."""
    res = []
    with open("/proc/stat") as f:
        for line in f:
            if re.match(r"cpu\d+ ", line):
                v = [int(x) for x in line.split()[1:9]]
                idle = v[3] + v[4]
                res.append((sum(v) - idle, v[6], sum(v)))
    return res


def cpu_util(a, b):
    busy, sirq = [], []
    for x, y in zip(a, b):
        tot = max(1, y[2] - x[2])
        busy.append(round(100.0 * (y[0] - x[0]) / tot, 1))
        sirq.append(round(100.0 * (y[1] - x[1]) / tot, 1))
    return busy, sirq


def set_wmem_default(v):
    """Set net.core.wmem_default (global, not per namespace); returns the
    previous value."""
    path = "/proc/sys/net/core/wmem_default"
    with open(path) as f:
        old = int(f.read().split()[0])
    with open(path, "w") as f:
        f.write("%d\n" % v)
    return old


def add_cycles(m):
    f = m.get("fwd")
    if not f:
        return
    if "cycles_per_pkt" in f:
        m["cycles_per_pkt"] = round(f["cycles_per_pkt"], 1)
        # Share of the forwarding lcore's time spent in iterations that
        # moved packets (testpmd counts no cycles for empty polls).
        nb = m.get("nb_fwd_lcores", 1)
        if m.get("fwd_s"):
            m["lcore_busy_pct"] = round(min(100.0, 100.0 * f["busy_cycles"] / (
                m["fwd_s"] * f["tsc_mhz"] * 1e6 * nb)), 1)
    ports = f.get("ports", {})
    empt = [p.get("RX-empty-pct") for k, p in ports.items()
            if k != "all" and p.get("RX-empty-pct") is not None]
    if empt:
        # The port the traffic enters by (the other one only idles).
        m["rx_empty_poll_pct"] = min(empt)
    tot = ports.get("all", {})
    if tot:
        # testpmd: RX-dropped is the ports' imissed, TX-dropped what
        # tx_burst did not take.
        m["tx_dropped"] = tot.get("TX-dropped", 0)
    ps = m.get("port_stats", {})
    m["imissed"] = sum(p.get("RX-missed", 0) for p in ps.values())
    m["ierrors"] = sum(p.get("RX-errors", 0) for p in ps.values())
    m["oerrors"] = sum(p.get("TX-errors", 0) for p in ps.values())


def run_txrx(env, dp, name, mode, size):
    o, topo = env.opts, env.topo
    extra = ["--txpkts=%d" % (size - 4)] if mode == "txonly" else []
    m = {}
    tg = None
    with env.forwarder(dp, name, mode=mode, ports=("f0",),
                       extra_app=extra) as fw:
        if mode == "rxonly":
            tg = start_trafgen(env, name, size, "c0", "s0")
        try:
            time.sleep(o.warmup)
            if tg is not None and not tg.alive():
                raise BenchError("trafgen exited: %s" % tg.output()[-400:])
            a, pa = topo.counters("cli", "c0"), fw.tp.port_stats()[0]
            t0, n0 = time.monotonic(), env.noise.snap()
            time.sleep(o.duration)
            b, pb = topo.counters("cli", "c0"), fw.tp.port_stats()[0]
            t1, n1 = time.monotonic(), env.noise.snap()
        finally:
            if tg is not None:
                tg.stop(signal.SIGINT, 5)
        m.update(fw.finish())
    dt = t1 - t0
    if mode == "txonly":
        # What reached the far end, and what the driver says it sent.
        m["mpps"] = round(cdelta(a, b, "rx") / dt / 1e6, 4)
        m["drv_tx_mpps"] = round((pb["TX-packets"] - pa["TX-packets"]) / dt
                                 / 1e6, 4)
        m["tx_errors"] = pb.get("TX-errors", 0) - pa.get("TX-errors", 0)
    else:
        rx = pb["RX-packets"] - pa["RX-packets"]
        sent = cdelta(a, b, "tx") + cdelta(a, b, "tx_drop")
        m["mpps"] = round(rx / dt / 1e6, 4)
        m["offered_mpps"] = round(sent / dt / 1e6, 4)
        m["missed"] = pb.get("RX-missed", 0) - pa.get("RX-missed", 0)
        m["loss_pct"] = round(max(0.0, 100.0 * (1 - rx / sent)) if sent
                              else 100.0, 2)
    m["value"] = m["mpps"]
    m["noise_pct"] = Noise.pct(n0, n1)
    add_cycles(m)
    if m["mpps"] == 0:
        m["status"] = "fail"
        m["error"] = "no packets"
    return m


def percentile(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100.0
    i = int(k)
    j = min(i + 1, len(xs) - 1)
    return xs[i] + (xs[j] - xs[i]) * (k - i)


def run_latency(env, dp, name):
    o = env.opts
    dst = NET_VETH[1] if dp.kind == "veth" else NET_FWD[1]
    m = {}
    with env.forwarder(dp, name) as fw:
        try_run(env.ns_app("cli", "ping", "-q", "-c", "30", "-i", "0.01",
                           "-W", "1", dst), timeout=30)
        n0 = env.noise.snap()
        rc, out = try_run(env.ns_app("cli", "ping", "-c", str(o.ping_count),
                                     "-i", "0.01", "-W", "1", dst),
                          timeout=o.ping_count * 0.02 + 30)
        n1 = env.noise.snap()
        m.update(fw.finish())
    with open(os.path.join(env.work, name + "-ping.log"), "w") as f:
        f.write(out)
    rtt = [float(x) for x in re.findall(r"time=([\d.]+) ms", out)]
    m["rtt_ms"] = rtt
    m["samples"] = len(rtt)
    m["loss_pct"] = round(100.0 * (1 - len(rtt) / o.ping_count), 2)
    for p in (50, 90, 99):
        v = percentile(rtt, p)
        m["p%d_ms" % p] = round(v, 4) if v is not None else None
    m["min_ms"] = min(rtt) if rtt else None
    m["max_ms"] = max(rtt) if rtt else None
    m["mean_ms"] = round(sum(rtt) / len(rtt), 4) if rtt else None
    m["value"] = m["p50_ms"]
    m["noise_pct"] = Noise.pct(n0, n1)
    if not rtt:
        m["status"] = "fail"
        m["error"] = "no replies"
    return m


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def one(env, scenario, case, dp, rep, fn, *args):
    """Run one repetition of one datapath, record it."""
    o = env.opts
    name = env.logname(scenario, case, dp.name, "r%d" % rep)
    budget = max(0.0, min(o.quiet_wait, o.quiet_budget - env.waited))
    waited, pre = env.noise.wait_quiet(budget, o.noise_threshold)
    env.waited += waited
    t0 = time.time()
    rec = {"scenario": scenario, "case": case, "datapath": dp.name,
           "rep": rep, "desc": dp.describe(), "start": round(t0, 3),
           "quiet_wait_s": waited, "noise_before_pct": pre,
           "status": "ok", "value": None}
    try:
        rec.update(fn(env, dp, name, *args))
    except Skip as e:
        rec["status"] = "skipped"
        rec["error"] = str(e)[-600:]
        if dp.name not in env.skip:
            env.skip[dp.name] = rec["error"]
            log("  %s cannot run here, skipped from now on: %s" %
                (dp.name, rec["error"][:300]))
        env.meta.setdefault("skipped", {})[dp.name] = rec["error"]
    except BenchError as e:
        rec["status"] = "error"
        rec["error"] = str(e)[-600:]
    except (KeyError, ValueError, IndexError, TypeError, OSError,
            subprocess.SubprocessError) as e:
        import traceback
        rec["status"] = "error"
        rec["error"] = "%s: %s" % (type(e).__name__, e)
        rec["traceback"] = traceback.format_exc()[-1500:]
    rec["wall_s"] = round(time.time() - t0, 2)
    env.records.append(rec)
    env.save()
    v = rec.get("value")
    unit = report.unit(scenario, case)
    extra = ""
    if rec.get("cycles_per_pkt") and rec["status"] == "ok":
        extra += ", %.0f cycles/pkt" % rec["cycles_per_pkt"]
    if scenario == "latency" and rec.get("p99_ms") is not None:
        extra += ", p99 %.3f ms" % rec["p99_ms"]
    if rec.get("loss_pct") and scenario != "latency":
        extra += ", loss %.1f%%" % rec["loss_pct"]
    if rec.get("noise_pct", 0) >= o.noise_threshold:
        extra += " [other load %.0f%%]" % rec["noise_pct"]
    if rec["status"] == "skipped":
        return rec
    log("  %-8s %-13s rep %d  %-14s %s%s%s" % (
        scenario, case, rep, dp.name,
        "%.3f %s" % (v, unit) if v is not None else "-",
        extra, "" if rec["status"] == "ok" else
        "  [%s: %s]" % (rec["status"].upper(), rec.get("error", "")[:160])))
    return rec


def tune_afp(env):
    o = env.opts
    log("af_packet tuning: %d candidates, TCP (offloads off) + UDP 64 B" %
        len(AFP_CANDIDATES))
    env.topo.set_offloads(False)
    best, best_v = AFP_DEFAULT, -1.0
    for rep in range(1, o.tune_reps + 1):
        for c in AFP_CANDIDATES:
            dp = DP("af_packet", "dpdk", "net_af_packet", c)
            one(env, "tune", "tcp:" + c, dp, rep, run_tcp)
            one(env, "tune", "udp64:" + c, dp, rep, run_udp, 64)
    # Best median TCP rate over the repetitions.
    for c in AFP_CANDIDATES:
        vals = sorted(r["value"] or 0 for r in env.records
                      if r["scenario"] == "tune" and r["case"] == "tcp:" + c)
        v = vals[len(vals) // 2] if vals else 0
        if v > best_v:
            best, best_v = c, v
    log("af_packet tuned devargs: %s (%.2f Gbit/s)" % (best, best_v))
    return best


def main_run(o, out):
    tag = "%x" % (os.getpid() & 0xfffff)
    env = Env(o, tag, out)
    t_start = time.time()
    env.meta = collect_meta(o)
    env.meta["started"] = datetime.datetime.now().isoformat(timespec="seconds")
    plan = QUICK_PLAN if o.quick else FULL_PLAN
    if o.datapaths:
        keep = set(o.datapaths.split(","))
        plan = {k: v if v is None else
                [(c, [n for n in names if n in keep]) for c, names in v]
                for k, v in plan.items()}
        plan = {k: v if v is None else [(c, n) for c, n in v if n]
                for k, v in plan.items()}
    scen = o.scenarios
    stop = {"sig": None}

    def on_signal(sig, _frm):
        stop["sig"] = sig
        raise KeyboardInterrupt

    # The wrapper starts us in the background, where SIGINT is ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    rc = 0
    try:
        env.plugin, env.plugin_dir, env.plugin_sha = stage_plugin(
                o.plugin, tag)
        env.meta["plugin_sha256"] = env.plugin_sha
        log("plugin %s (sha256 %s...) staged in %s" %
            (o.plugin, env.plugin_sha[:12], env.plugin_dir))
        env.topo.setup()
        env.meta["drop_method"] = env.topo.drop_method
        env.meta["rps"] = env.topo.rps
        log("topology: namespaces %s; far-end drop: %s" %
            (", ".join(env.topo.ns.values()), env.topo.drop_method))
        log("NOTE: 2 CPUs are shared by the generator, the kernel and the "
            "forwarder (testpmd -l %s): ratios matter more than absolute "
            "numbers" % o.lcores)
        afp = o.afp_devargs or AFP_DEFAULT
        if "tune" in scen and not o.afp_devargs:
            afp = tune_afp(env)
        env.meta["afp_devargs"] = afp
        dps = datapaths(afp)
        env.meta["datapaths"] = {k: v.describe() for k, v in dps.items()}
        env.save()

        if "tcp" in scen:
            for case, names in plan["tcp"]:
                co = case_opts(case)
                st, q = int(co.get("streams", 1)), int(co.get("queues", 1))
                env.topo.set_offloads(co.get("offloads") == "on")
                log("TCP, iperf3 %d stream(s), %s: %s" % (st, case,
                                                         " ".join(names)))
                for rep in range(1, o.reps + 1):
                    for n in names:
                        one(env, "tcp", case, dps[n], rep, run_tcp, st, q)
        env.topo.set_offloads(False)
        if "udp" in scen:
            env.fwd_rps = o.udp_rps and env.topo.rps_fwd(env.rps_mask)
            env.meta["udp_rps"] = env.fwd_rps
            if env.fwd_rps:
                # With RPS the frames wait in the forwarding CPU's backlog
                # (up to netdev_max_backlog) while they still count against
                # trafgen's send buffer: with the default 208 KiB it gets
                # EAGAIN and aborts. Restored after the scenario.
                env.wmem_saved = set_wmem_default(4 << 20)
                env.meta["udp_wmem_default"] = 4 << 20
            env.meta["udp_rps_mask"] = env.rps_mask if env.fwd_rps else None
            for case, names in plan["udp"]:
                size = int(case.split("B")[0])
                far = "unreach" if case.endswith("-unreach") else "drop"
                log("UDP %d B forwarding (trafgen, far end %s%s): %s" % (
                    size, "UDP port unreachable" if far == "unreach" else
                    env.topo.drop_method, ", RPS of f0/f1 on CPU mask %s" %
                    env.rps_mask if env.fwd_rps else "", " ".join(names)))
                for rep in range(1, o.reps + 1):
                    for n in names:
                        one(env, "udp", case, dps[n], rep, run_udp, size, far)
            if env.fwd_rps:
                env.topo.rps_fwd("0")
                set_wmem_default(env.wmem_saved)
                env.wmem_saved = None
            env.fwd_rps = False
        if "txrx" in scen:
            for case, names in plan["txrx"]:
                mode, size = case.split("-")
                log("testpmd %s %s: %s" % (mode, size, " ".join(names)))
                for rep in range(1, o.reps + 1):
                    for n in names:
                        one(env, "txrx", case, dps[n], rep, run_txrx, mode,
                            int(size.rstrip("B")))
        if "latency" in scen:
            for case, names in plan["latency"]:
                log("latency, ping -i 0.01 -c %d: %s" %
                    (o.ping_count, " ".join(names)))
                for rep in range(1, o.reps + 1):
                    for n in names:
                        one(env, "latency", case, dps[n], rep, run_latency)
        if "mq" in scen:
            qs = [int(x) for x in o.queues.split(",")]
            log("multi-queue, iperf3 -P %d, queues %s, lcores %s" %
                (o.streams, o.queues, o.lcores))
            for rep in range(1, o.reps + 1):
                for q in qs:
                    for base in ("tpacket", "af_packet"):
                        dp = dps[base]
                        one(env, "mq", "queues=%d" % q, dp, rep, run_tcp,
                            o.streams, q)
                one(env, "mq", "kernel", dps["bridge"], rep, run_tcp,
                    o.streams)
    except KeyboardInterrupt:
        log("interrupted (%s): cleaning up" %
            ("signal %d" % stop["sig"] if stop["sig"] else "Ctrl-C"))
        rc = 130
    except BenchError as e:
        log("ERROR: %s" % e)
        rc = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        Proc.stop_all()
        if env.wmem_saved:
            set_wmem_default(env.wmem_saved)
        env.topo.cleanup()
        if env.plugin_dir:
            shutil.rmtree(env.plugin_dir, ignore_errors=True)
        # EAL runtime directories of our testpmd instances (--file-prefix).
        for d in glob.glob("/var/run/dpdk/tpkb-%s-*" % tag):
            shutil.rmtree(d, ignore_errors=True)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    env.meta["wall_s"] = round(time.time() - t_start, 1)
    env.meta["complete"] = rc == 0
    env.save()
    if env.records:
        report.render(out, plots=not o.no_plots)
        log("results: %s/results.md, results.json, *.png" % out)
    log("done in %.0f s" % env.meta["wall_s"])
    return rc


def collect_meta(o):
    def cmd(argv):
        rc, out = try_run(argv)
        return out.strip() if rc == 0 else None

    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
            cpu = m.group(1) if m else None
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // 1024
    except OSError:
        pass
    virt = cmd(["systemd-detect-virt"])
    hyp = re.search(r"Hypervisor vendor:\s*(.*)", cmd(["lscpu"]) or "")
    return {
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "mem_mib": mem,
        "virt": virt,
        "dpdk": cmd(["dpkg-query", "-W", "-f", "${Version}", "dpdk"]),
        "iperf3": (cmd(["iperf3", "--version"]) or "").split("\n")[0],
        "trafgen": try_run(["trafgen", "-v"])[1].strip().split("\n")[0],
        "hypervisor": hyp.group(1) if hyp else None,
        "git": cmd(["git", "-C", TOP, "describe", "--always", "--dirty"]),
        "command": " ".join(["tpacket-bench"] + sys.argv[1:]),
        "options": vars(o),
    }


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="tpacket-bench",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Measure net_tpacket side by side with DPDK's "
        "net_af_packet, the kernel bridge and a direct veth pair.",
        epilog="""
topology (built and removed by the bench, also on Ctrl-C or failure):
  client ns  c0 ==veth== f0 [forwarder ns: testpmd io | br0] f1 ==veth== s0  server ns
  client ns  d0 ===================== veth ========================== d1  server ns

scenarios (--scenarios, comma separated; default: all, --quick: %s):
  tune     net_af_packet devargs candidates; the best TCP rate is used after
  tcp      iperf3 through the forwarder, veth offloads on (1 stream, the
           headline: default devargs, no LRO; and 8 streams, 2 queues)
           and off
  udp      64 B and 1518 B UDP from trafgen, counted at the server veth;
           Mpps, loss, testpmd cycles/packet, lcore busy; far end drops in
           its UDP layer (64B-unreach: closed port, ICMP port unreachable)
           or by MAC (64B)
  txrx     testpmd txonly / rxonly on one port; far side drops early
  latency  ping -i 0.01 RTT distribution (p50/p90/p99), CDF per datapath
  mq       iperf3 -P N with --queues queue counts (net_tpacket, af_packet)

datapaths: net_tpacket (default devargs and variants, rx_mode=frames as
tpacket-frames), net_af_packet, net_af_xdp (its default devargs on the same
veths: copy mode), net_tap (its taps spliced into the veths' path with tc
mirred), the kernel bridge and a direct veth pair. A datapath that cannot
run here (PMD refuses its devargs, kernel feature missing) is recorded as
skipped with the reason. The report's first table is the issue 15 targets
(per-repetition ratios, also in results.json "targets").
Ring memory per queue is reported from every DPDK run (devargs, driver log
and the process's smaps).

The machine's CPUs are shared by generator, kernel and forwarder: compare
the ratios, not the absolute numbers. Runs that other processes disturbed
are flagged (other load %%).
""" % ",".join(QUICK_SCENARIOS))
    p.add_argument("--quick", action="store_true",
                   help="short mode: 1 rep, 3 s runs, fewer datapaths and "
                   "scenarios (about 4 minutes)")
    p.add_argument("--reps", type=int, help="repetitions per datapath "
                   "(default 3, --quick 1)")
    p.add_argument("--out", help="result directory (default "
                   "bench-results/<timestamp>/ in the repository)")
    p.add_argument("--scenarios", help="comma-separated subset of: " +
                   ",".join(ALL_SCENARIOS))
    p.add_argument("--duration", type=float, help="seconds per throughput "
                   "measurement (default 4, --quick 3)")
    p.add_argument("--omit", type=int, help="iperf3 -O warm-up seconds "
                   "(default 1)")
    p.add_argument("--warmup", type=float, default=1.0,
                   help="seconds of traffic before a UDP/txrx window opens")
    p.add_argument("--ping-count", type=int, help="pings per latency run "
                   "(default 500, --quick 200)")
    p.add_argument("--queues", default="1,2,4", help="queue counts for mq")
    p.add_argument("--streams", type=int, default=8,
                   help="iperf3 -P for mq (default 8)")
    p.add_argument("--lcores", default="0,1", help="testpmd -l: main lcore "
                   "+ forwarding lcores (default 0,1)")
    p.add_argument("--app-cpus", default="0", help="taskset CPU list for "
                   "iperf3/ping/trafgen, or 'all' (default 0)")
    p.add_argument("--mem-mb", type=int, default=1024, help="EAL -m")
    p.add_argument("--mbufs", type=int, default=32768,
                   help="testpmd --total-num-mbufs")
    p.add_argument("--udp-rps", default="off", choices=("on", "off"),
                   help="UDP scenario: receive processing of f0/f1 on the "
                   "forwarding CPU (RPS), so that the generator's CPU only "
                   "generates and the forwarder is the bottleneck "
                   "(default off: the RX softirq then starves the "
                   "forwarding lcore, receive livelock)")
    p.add_argument("--datapaths", help="comma-separated datapaths to keep "
                   "in every scenario's list (default: all of the plan)")
    p.add_argument("--afp-devargs", help="net_af_packet devargs (skips the "
                   "tuning pass)")
    p.add_argument("--tune-reps", type=int, default=1,
                   help="repetitions of the af_packet tuning pass")
    p.add_argument("--quiet-wait", type=float, help="wait up to S seconds "
                   "before each run for other processes to calm down "
                   "(default 30, --quick 10)")
    p.add_argument("--quiet-budget", type=float, help="total seconds of "
                   "such waiting per bench run (default 300, --quick 30)")
    p.add_argument("--noise-threshold", type=float, default=10.0,
                   help="other load (%% of all CPUs) that counts as noise")
    p.add_argument("--plugin", default=os.path.join(
        TOP, "build/drivers/net/tpacket/librte_net_tpacket.so"),
        help="net_tpacket plugin to test (copied before use)")
    p.add_argument("--no-plots", action="store_true", help="skip gnuplot")
    p.add_argument("--report", metavar="DIR", help="only re-render the "
                   "report of an earlier run from DIR/results.json")
    p.add_argument("--page", metavar="RST", help="with --report: write the "
                   "targets table first into RST (the perf page, "
                   "doc/guides/perf/index.rst), the run's tables before "
                   "its 'Running the bench' section, and its plots next to "
                   "it as latest-*.png")
    o = p.parse_args(argv)
    o.udp_rps = o.udp_rps == "on"
    q = o.quick
    o.reps = o.reps or (1 if q else 3)
    o.duration = o.duration or (3.0 if q else 4.0)
    o.omit = 1 if o.omit is None else o.omit
    o.ping_count = o.ping_count or (200 if q else 500)
    o.quiet_wait = (10.0 if q else 30.0) if o.quiet_wait is None \
        else o.quiet_wait
    o.quiet_budget = (30.0 if q else 300.0) if o.quiet_budget is None \
        else o.quiet_budget
    if o.scenarios:
        o.scenarios = [s.strip() for s in o.scenarios.split(",") if s.strip()]
        bad = [s for s in o.scenarios if s not in ALL_SCENARIOS + ["mem"]]
        if bad:
            p.error("unknown scenario(s): %s" % ",".join(bad))
    else:
        o.scenarios = QUICK_SCENARIOS if q else ALL_SCENARIOS
    return o


def main(argv):
    o = parse_args(argv)
    if o.report:
        report.render(o.report, plots=not o.no_plots, page=o.page)
        return 0
    if os.geteuid() != 0:
        print("tpacket-bench: needs root (namespaces, AF_PACKET)",
              file=sys.stderr)
        return 1
    out = o.out or os.path.join(
        TOP, "bench-results", datetime.datetime.now().strftime(
            "%Y%m%d-%H%M%S") + ("-quick" if o.quick else ""))
    os.makedirs(out, exist_ok=True)
    log("tpacket-bench %s: reps %d, %.0f s runs, scenarios %s -> %s" %
        ("--quick" if o.quick else "full", o.reps, o.duration,
         ",".join(o.scenarios), out))
    return main_run(o, out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

# SPDX-License-Identifier: BSD-3-Clause
"""Environment of tpacket-bench: namespaces, veth pairs and the bridge,
child processes (ended by PID only), dpdk-testpmd driven through its
stdin, interface counters and a sampler of CPU time used by processes that
are not ours (other work on the machine disturbs the numbers).

Standard library only.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

# Addresses of the two paths between client and server.
NET_FWD = ("10.77.0.1", "10.77.0.2")   # c0 -> forwarder (f0 | f1) -> s0
NET_VETH = ("10.78.0.1", "10.78.0.2")  # d0 <-> d1, direct
# Destination MAC of generated UDP frames when the server cannot drop
# them with tc: not the server's, so its kernel drops them as
# PACKET_OTHERHOST at the top of ip_rcv, before any IP or UDP work.
FAKE_DST_MAC = "02:00:00:00:0b:01"

VETHS = (("cli", "c0"), ("fwd", "f0"), ("fwd", "f1"), ("srv", "s0"),
         ("cli", "d0"), ("srv", "d1"))

_T0 = time.monotonic()


def log(msg):
    print("[%s +%4.0fs] %s" % (time.strftime("%H:%M:%S"),
                              time.monotonic() - _T0, msg), flush=True)


class BenchError(Exception):
    pass


class Skip(BenchError):
    """A datapath that cannot run on this machine (PMD missing or refused
    its devargs, kernel feature absent): recorded as skipped with the
    reason, not as an error."""


def run(argv, check=True, timeout=60, input=None):
    """Run a short command; returns stdout (str)."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout, input=input)
    if check and p.returncode != 0:
        raise BenchError("%s: rc %d: %s" % (" ".join(argv), p.returncode,
                                            p.stderr.strip()[-400:]))
    return p.stdout


def try_run(argv, timeout=60):
    """Run a command; returns (rc, stdout+stderr)."""
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           timeout=timeout)
        return p.returncode, p.stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, str(e)


# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------

class Proc:
    """A child process in its own session, so that a Ctrl-C on the terminal
    reaches only the bench, which then ends its children by PID. With
    group=True the signal goes to the process group the child leads (its
    PID), for tools that fork workers (trafgen)."""

    live = []

    def __init__(self, argv, out_path, stdin=None, group=False):
        self.argv = argv
        self.out_path = out_path
        self.group = group
        self.out = open(out_path, "w")
        self.p = subprocess.Popen(argv, stdout=self.out,
                                  stderr=subprocess.STDOUT, stdin=stdin,
                                  start_new_session=True)
        self.pid = self.p.pid
        Proc.live.append(self)

    def alive(self):
        return self.p.poll() is None

    def send(self, sig):
        if not self.alive():
            return
        try:
            if self.group:
                os.killpg(self.pid, sig)
            else:
                os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=signal.SIGINT, timeout=5.0):
        """End the process: sig, then SIGKILL after timeout. Returns rc."""
        if self.alive():
            self.send(sig)
            if self.wait(timeout) is None:
                self.send(signal.SIGKILL)
                self.wait(5)
        self.close()
        return self.p.returncode

    def close(self):
        if not self.out.closed:
            self.out.close()
        if self in Proc.live and not self.alive():
            Proc.live.remove(self)

    def output(self):
        try:
            with open(self.out_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    @classmethod
    def stop_all(cls):
        for p in list(cls.live):
            p.stop(signal.SIGTERM, 2.0)


# --------------------------------------------------------------------------
# Topology
# --------------------------------------------------------------------------

class Topology:
    """Three namespaces (client, forwarder, server) joined by veth pairs
    c0-f0 and f1-s0, a direct pair d0-d1 between client and server, and a
    bridge br0 in the forwarder that f0 and f1 join only while the bridge
    is the datapath under test."""

    def __init__(self, tag):
        self.tag = tag
        self.ns = {r: "tpkb-%s-%s" % (r, tag) for r in ("cli", "fwd", "srv")}
        self.created = []
        self.drop_method = None
        self.offloads = None
        self.macs = {}
        self.rps = bool(os.path.exists("/sys/class/net/lo/queues/rx-0/rps_cpus"))

    def nsx(self, role, *argv):
        return ["ip", "netns", "exec", self.ns[role]] + list(argv)

    def ip(self, role, *args, check=True):
        return run(["ip", "-n", self.ns[role]] + list(args), check=check)

    def setup(self):
        for role in ("cli", "fwd", "srv"):
            n = self.ns[role]
            run(["ip", "netns", "add", n])
            self.created.append(n)
            self.ip(role, "link", "set", "lo", "up")
            # No IPv6 chatter (router solicitations, DAD) on the links.
            run(self.nsx(role, "sysctl", "-qw",
                         "net.ipv6.conf.all.disable_ipv6=1",
                         "net.ipv6.conf.default.disable_ipv6=1"))
        for (r1, d1), (r2, d2) in ((("cli", "c0"), ("fwd", "f0")),
                                   (("fwd", "f1"), ("srv", "s0")),
                                   (("cli", "d0"), ("srv", "d1"))):
            run(["ip", "link", "add", d1, "netns", self.ns[r1], "type", "veth",
                 "peer", "name", d2, "netns", self.ns[r2]])
        for role, dev in VETHS:
            self.ip(role, "link", "set", dev, "up")
            self.macs[dev] = self.mac(role, dev)
        self.ip("cli", "addr", "add", NET_FWD[0] + "/24", "dev", "c0")
        self.ip("srv", "addr", "add", NET_FWD[1] + "/24", "dev", "s0")
        self.ip("cli", "addr", "add", NET_VETH[0] + "/24", "dev", "d0")
        self.ip("srv", "addr", "add", NET_VETH[1] + "/24", "dev", "d1")
        # Static neighbours: no ARP between datapath switches.
        for role, addr, dev, peer in (("cli", NET_FWD[1], "c0", "s0"),
                                      ("srv", NET_FWD[0], "s0", "c0"),
                                      ("cli", NET_VETH[1], "d0", "d1"),
                                      ("srv", NET_VETH[0], "d1", "d0")):
            self.ip(role, "neigh", "replace", addr, "lladdr", self.macs[peer],
                    "dev", dev, "nud", "permanent")
        self.ip("fwd", "link", "add", "br0", "type", "bridge",
                "stp_state", "0", "forward_delay", "0")
        self.ip("fwd", "link", "set", "br0", "up")
        self.drop_method = self._setup_drop()

    def _setup_drop(self):
        """Make the far ends (s0, d1 for forwarded traffic, c0 for TX-only)
        drop test frames early: a tc ingress drop when the kernel has one,
        else frames addressed to a MAC nobody owns."""
        ok = True
        for role, dev in (("srv", "s0"), ("srv", "d1"), ("cli", "c0")):
            n = self.ns[role]
            rc, _ = try_run(["tc", "-n", n, "qdisc", "add", "dev", dev,
                             "ingress"])
            # Only UDP: TCP and ICMP of the other scenarios must pass.
            rc2, _ = try_run(["tc", "-n", n, "filter", "add", "dev", dev,
                              "parent", "ffff:", "protocol", "ip", "prio",
                              "1", "flower", "ip_proto", "udp", "action",
                              "drop"])
            if rc != 0 or rc2 != 0:
                ok = False
        if ok:
            return "tc-ingress-drop"
        for role, dev in (("srv", "s0"), ("srv", "d1"), ("cli", "c0")):
            try_run(["tc", "-n", self.ns[role], "qdisc", "del", "dev", dev,
                     "ingress"])
        return "otherhost-mac"

    def mac(self, role, dev):
        j = json.loads(self.ip(role, "-j", "link", "show", "dev", dev))
        return j[0]["address"]

    def set_offloads(self, on):
        if self.offloads == on:
            return
        # veth defaults: rx, tx, tso, gso on; gro off.
        val = "on" if on else "off"
        for role, dev in VETHS:
            run(self.nsx(role, "ethtool", "-K", dev, "gro", "off", "gso", val,
                         "tso", val, "tx", val, "rx", val))
        self.offloads = on

    def bridge(self, on, rps=None, mask="2"):
        for dev in ("f0", "f1"):
            if on:
                self.ip("fwd", "link", "set", dev, "master", "br0")
            else:
                self.ip("fwd", "link", "set", dev, "nomaster")
        if on:
            # The UDP frames' destination is a known unicast, not a flood.
            self.ip("fwd", "neigh", "flush", "dev", "br0", check=False)
            run(["bridge", "-n", self.ns["fwd"], "fdb", "replace",
                 FAKE_DST_MAC, "dev", "f1", "master", "static"], check=False)
        if rps is not None:
            # RPS: receive processing of the forwarder's ports on the
            # forwarding CPU (1) instead of the sender's.
            self.rps_fwd(mask if rps else "0")

    def rps_fwd(self, mask):
        """RPS of the forwarder's ports (f0, f1): receive processing on the
        CPUs of mask (hex) instead of the sender's, "0" to turn it off."""
        if not self.rps:
            return False
        for dev in ("f0", "f1"):
            run(self.nsx("fwd", "sh", "-c", "echo %s > /sys/class/net/%s/"
                         "queues/rx-0/rps_cpus" % (mask, dev)))
        return True

    def tap_wire(self, pairs):
        """net_tap creates its own tap interfaces in the forwarder: splice
        each into the path of the veth it replaces with tc mirred (what
        enters f0 leaves by the tap to testpmd, what testpmd writes into
        the tap leaves by f0), so the tap sits where the veth end was."""
        for veth, tap in pairs:
            for a, b in ((veth, tap), (tap, veth)):
                self.ip("fwd", "link", "set", a, "up")
                rc, out = try_run(["tc", "-n", self.ns["fwd"], "qdisc", "add",
                                   "dev", a, "ingress"])
                if rc != 0 and "exists" not in out:
                    raise Skip("tc ingress qdisc on %s: %s" % (a, out.strip()))
                rc, out = try_run(["tc", "-n", self.ns["fwd"], "filter", "add",
                                   "dev", a, "parent", "ffff:", "prio", "1",
                                   "protocol", "all", "u32", "match", "u32",
                                   "0", "0", "action", "mirred", "egress",
                                   "redirect", "dev", b])
                if rc != 0:
                    raise Skip("tc u32 + mirred redirect %s -> %s: %s" %
                               (a, b, out.strip()[-300:]))

    def tap_unwire(self, devs):
        for dev in devs:
            try_run(["tc", "-n", self.ns["fwd"], "qdisc", "del", "dev", dev,
                     "ingress"])

    def xdp_off(self, devs):
        """Detach whatever XDP program a datapath left on the ports."""
        for dev in devs:
            try_run(["ip", "-n", self.ns["fwd"], "link", "set", "dev", dev,
                     "xdp", "off"])

    def counters(self, role, dev):
        j = json.loads(self.ip(role, "-s", "-j", "link", "show", "dev", dev))
        s = j[0]["stats64"]
        return {"rx": s["rx"]["packets"], "rx_drop": s["rx"]["dropped"],
                "tx": s["tx"]["packets"], "tx_drop": s["tx"]["dropped"],
                "rx_bytes": s["rx"]["bytes"], "tx_bytes": s["tx"]["bytes"]}

    def packet_sockets(self):
        """inode -> ifindex of the packet sockets in the forwarder."""
        out = run(self.nsx("fwd", "cat", "/proc/net/packet"))
        res = {}
        for line in out.splitlines()[1:]:
            f = line.split()
            if len(f) >= 9:
                res[f[8]] = int(f[4])
        return res

    def ifindex(self, role, dev):
        j = json.loads(self.ip(role, "-j", "link", "show", "dev", dev))
        return j[0]["ifindex"]

    def netns_inodes(self):
        res = set()
        for n in self.created:
            try:
                res.add(os.stat("/run/netns/" + n).st_ino)
            except OSError:
                pass
        return res

    def cleanup(self):
        for n in reversed(self.created):
            rc, out = try_run(["ip", "netns", "pids", n])
            for pid in out.split() if rc == 0 else []:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ValueError, ProcessLookupError):
                    pass
            try_run(["ip", "netns", "del", n])
        self.created = []


# --------------------------------------------------------------------------
# dpdk-testpmd
# --------------------------------------------------------------------------

PROMPT = "testpmd> "


class Testpmd:
    """dpdk-testpmd -i in the forwarder namespace, fed through a pipe.
    Every command waits for the next prompt; output is read back from the
    log file from the offset the command started at."""

    seq = 0

    def __init__(self, env, vdevs, app_args, logname, optional=False):
        Testpmd.seq += 1
        self.prefix = "tpkb-%s-%d" % (env.tag, Testpmd.seq)
        lc = env.opts.lcores
        nb_fwd = max(1, len(expand_cpus(lc)) - 1)
        # Line-buffered stdout: the prompt is written unbuffered, so with
        # a fully buffered stdout a command's output would lag behind it.
        argv = env.topo.nsx(
            "fwd", "stdbuf", "-oL", "-eL", "dpdk-testpmd", "-l", lc, "--no-pci", "--no-huge",
            "-m", str(env.opts.mem_mb), "--file-prefix", self.prefix,
            "-d", env.plugin, "--log-level=pmd.net.tpacket:info")
        argv += ["--vdev=" + v for v in vdevs]
        argv += ["--", "-i", "--total-num-mbufs=%d" % env.opts.mbufs,
                 "--nb-cores=%d" % nb_fwd, "--record-core-cycles",
                 "--record-burst-stats"] + list(app_args)
        self.argv = argv
        self.log = os.path.join(env.work, "%s.log" % logname)
        self.proc = Proc(argv, self.log, stdin=subprocess.PIPE)
        if not self._wait_prompts(1, 60):
            out = self.proc.output()
            self.quit()
            why = probe_failure(out)
            if optional and why:
                raise Skip(why)
            raise BenchError("testpmd did not start: %s" % out[-1500:])

    @property
    def pid(self):
        return self.proc.pid

    def text(self):
        return self.proc.output()

    def _wait_prompts(self, n, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.text().count(PROMPT) >= n:
                return True
            if not self.proc.alive():
                return False
            time.sleep(0.05)
        return False

    def cmd(self, c, timeout=30):
        txt = self.text()
        n, off = txt.count(PROMPT), len(txt)
        try:
            self.proc.p.stdin.write((c + "\n").encode())
            self.proc.p.stdin.flush()
        except (BrokenPipeError, OSError):
            raise BenchError("testpmd is gone (command %r)" % c)
        if not self._wait_prompts(n + 1, timeout):
            raise BenchError("testpmd: no prompt after %r: %s" %
                             (c, self.text()[-800:]))
        return self.text()[off:]

    def quit(self):
        if self.proc.alive():
            try:
                self.proc.p.stdin.write(b"quit\n")
                self.proc.p.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            if self.proc.wait(15) is None:
                log("testpmd %d did not quit, killing it" % self.pid)
        self.proc.stop(signal.SIGTERM, 3)
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)

    def port_stats(self):
        """Per port: RX-packets, RX-missed, RX-errors, RX-nombuf,
        TX-packets, TX-errors (cumulative since the last clear)."""
        out = self.cmd("show port stats all")
        res, port = {}, None
        for line in out.splitlines():
            m = re.search(r"NIC statistics for port (\d+)", line)
            if m:
                port = int(m.group(1))
                res[port] = {}
                continue
            if port is None:
                continue
            for k, v in re.findall(r"([A-Za-z-]+):\s+(\d+)", line):
                res[port].setdefault(k, int(v))
        return res

    def xstats(self, port):
        out = self.cmd("show port xstats %d" % port)
        return {k: int(v) for k, v in
                re.findall(r"^\s*(\w+):\s+(\d+)\s*$", out, re.M)}

    def ring_maps(self, topo):
        """Packet-socket ring mappings of this process (from smaps), with
        the interface each socket is bound to."""
        socks = topo.packet_sockets()
        maps, cur = [], None
        try:
            with open("/proc/%d/smaps" % self.pid) as f:
                for line in f:
                    m = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s+"
                                 r"socket:\[(\d+)\]", line)
                    if m:
                        cur = {"inode": m.group(1),
                               "ifindex": socks.get(m.group(1))}
                        maps.append(cur)
                        continue
                    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                        cur = None
                    elif cur is not None:
                        k = line.split(":")[0]
                        if k in ("Size", "Rss"):
                            cur[k.lower() + "_kb"] = int(line.split()[1])
        except OSError:
            pass
        return maps


def probe_failure(out):
    """Why EAL/testpmd refused the vdevs, from testpmd's output (None if
    it is not a probe failure)."""
    lines = [l.strip() for l in out.splitlines()]
    bad = [l for l in lines if re.search(
        r"devarg|invalid|unknown|not supported|failed to (initialize|probe)|"
        r"Cannot (probe|init)|No such|not found|refus|error", l, re.I)]
    if not bad and not any("Cannot init EAL" in l for l in lines):
        return None
    return "PMD refused devargs / probe failed: " + " | ".join(bad[:4])[:400]


def parse_fwd_stats(out):
    """Parse what testpmd prints on 'stop'."""
    res = {"ports": {}}
    port = None
    for line in out.splitlines():
        m = re.search(r"Forward statistics for port (\d+)", line)
        if m:
            port = int(m.group(1))
            res["ports"][port] = {}
            continue
        if "Accumulated forward statistics" in line:
            port = "all"
            res["ports"]["all"] = {}
            continue
        if port is None:
            continue
        d = res["ports"][port]
        for k, v in re.findall(r"(RX-packets|RX-dropped|RX-total|TX-packets|"
                               r"TX-dropped|TX-total):\s+(\d+)", line):
            d[k] = int(v)
        m = re.search(r"(RX|TX)-bursts\s*:\s*(\d+)\s*\[(\d+)% of 0 pkts", line)
        if m:
            d[m.group(1) + "-bursts"] = int(m.group(2))
            d[m.group(1) + "-empty-pct"] = int(m.group(3))
        elif re.search(r"(RX|TX)-bursts\s*:\s*(\d+)", line):
            m = re.search(r"(RX|TX)-bursts\s*:\s*(\d+)", line)
            d[m.group(1) + "-bursts"] = int(m.group(2))
            d[m.group(1) + "-empty-pct"] = 0
    m = re.search(r"CPU cycles/packet=([\d.]+) \(total cycles=(\d+) / total "
                  r"(\w+) packets=(\d+)\) at (\d+) MHz", out)
    if m:
        res["cycles_per_pkt"] = float(m.group(1))
        res["busy_cycles"] = int(m.group(2))
        res["cycles_pkts"] = int(m.group(4))
        res["tsc_mhz"] = int(m.group(5))
    return res


def expand_cpus(spec):
    cpus = []
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            cpus += list(range(int(a), int(b) + 1))
        elif part:
            cpus.append(int(part))
    return cpus


# --------------------------------------------------------------------------
# Noise: CPU time of processes that are not ours
# --------------------------------------------------------------------------

class Noise:
    """Samples the CPU time of user processes outside our namespaces and
    our own process tree. Result: percent of the whole machine (100% = all
    CPUs busy), so 50% on a 2-CPU box is one busy core."""

    def __init__(self, topo):
        self.topo = topo
        self.me = os.getpid()
        self.ns_inodes = None

    @staticmethod
    def _total():
        with open("/proc/stat") as f:
            v = f.readline().split()[1:9]
        return sum(int(x) for x in v)

    def _foreign(self):
        if self.ns_inodes is None or len(self.ns_inodes) < 3:
            self.ns_inodes = self.topo.netns_inodes()
        tot, busy = 0, []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
                f2 = st[st.rindex(")") + 2:].split()
                ppid, ticks = int(f2[1]), int(f2[11]) + int(f2[12])
                if int(d) == 2 or ppid == 2 or int(d) == self.me or \
                   ppid == self.me:
                    continue
                ino = os.stat("/proc/%s/ns/net" % d).st_ino
                if ino in self.ns_inodes:
                    continue
                tot += ticks
                busy.append((int(d), ticks, st[st.index("(") + 1:
                                                st.rindex(")")]))
            except (OSError, ValueError, IndexError):
                continue
        return tot, busy

    def snap(self):
        t, busy = self._foreign()
        return {"t": self._total(), "f": t,
                "procs": {p: (k, n) for p, k, n in busy}}

    @staticmethod
    def pct(a, b):
        dt = b["t"] - a["t"]
        if dt <= 0:
            return 0.0
        # Per-process deltas; a process born in between counts whole, one
        # that exited in between is lost (short-lived: little time).
        f = 0
        for pid, (k, _) in b["procs"].items():
            f += k - a["procs"][pid][0] if pid in a["procs"] else k
        return round(min(100.0, 100.0 * f / dt), 1)

    @staticmethod
    def top(a, b, n=3):
        res = []
        for pid, (k, name) in b["procs"].items():
            if pid in a["procs"]:
                d = k - a["procs"][pid][0]
                if d > 0:
                    res.append((d, name))
        res.sort(reverse=True)
        return [name for _, name in res[:n]]

    def wait_quiet(self, max_wait, threshold):
        """Wait (up to max_wait s) until other processes use less than
        threshold % of the machine over half a second. Returns seconds
        waited and the last reading."""
        t0 = time.monotonic()
        said = False
        while True:
            a = self.snap()
            time.sleep(0.5)
            b = self.snap()
            p = self.pct(a, b)
            waited = time.monotonic() - t0 if said else 0.0
            if p < threshold or waited >= max_wait:
                if said:
                    log("  ... other load %.0f%% after %.0f s%s" %
                        (p, waited, "" if p < threshold else
                         " (giving up waiting)"))
                return round(waited, 1), p
            if not said:
                log("  other processes use %.0f%% of the CPUs (%s): "
                    "waiting up to %d s" % (p, ", ".join(self.top(a, b)),
                                            max_wait))
                said = True


# --------------------------------------------------------------------------
# Misc
# --------------------------------------------------------------------------

def stage_plugin(so, tag):
    """Copy the plugin into a private 0755 directory under /run: EAL
    refuses -d paths with a world-writable component. Returns (path, dir,
    sha256)."""
    if not os.path.isfile(so):
        raise BenchError("%s is not built (run make)" % so)
    d = tempfile.mkdtemp(prefix="tpkb-plugin.%s." % tag, dir="/run")
    os.chmod(d, 0o755)
    dst = os.path.join(d, os.path.basename(so))
    shutil.copyfile(so, dst)
    os.chmod(dst, 0o644)
    with open(dst, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    return dst, d, sha

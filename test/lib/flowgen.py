#!/usr/bin/env python3
"""Raw IPv4/UDP frame generator for the flow rule tests (test/e2e/testpmd_flow.sh).

  flowgen.py IFACE DSTMAC [--src IP] [--dst IP] [--sport P] [--dport P]
             [--count N] [--len BYTES] [--ipv6] [--vlan VID]

P is a port, a range A-B or a comma list of both. Sends COUNT
Ethernet/IPv4 frames of exactly LEN bytes (without FCS) on
IFACE through an AF_PACKET socket, no IP stack or ARP involved. Frame i
uses the i-th (sport, dport) pair of the two ranges taken round-robin
(sport varies fastest), so that COUNT >= |sports| x |dports| covers every
flow. UDP checksums are left 0 (valid for IPv4). --ipv6 sends IPv6/UDP
instead (fd77::1 -> fd77::2 unless --src/--dst say otherwise; the UDP
checksum is computed, as IPv6 requires); --vlan VID puts an 802.1Q tag
(priority 0) after the MAC addresses, inside LEN.
"""
import argparse
import socket
import struct
import sys


def prange(s):
    ports = []
    for part in s.split(","):
        a, _, b = part.partition("-")
        lo, hi = int(a), int(b or a)
        if not 0 <= lo <= hi <= 65535:
            raise argparse.ArgumentTypeError(f"bad port range {part}")
        ports += range(lo, hi + 1)
    return ports


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("dstmac")
    ap.add_argument("--srcmac", default="02:00:00:77:00:01")
    ap.add_argument("--src", default="10.77.0.1")
    ap.add_argument("--dst", default="10.77.0.2")
    ap.add_argument("--sport", type=prange, default=[10000])
    ap.add_argument("--dport", type=prange, default=[5001])
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--len", type=int, default=100)
    ap.add_argument("--ipv6", action="store_true")
    ap.add_argument("--vlan", type=int)
    a = ap.parse_args()
    l2 = 14 + (4 if a.vlan is not None else 0)
    l3 = 40 if a.ipv6 else 20
    if a.len < l2 + l3 + 8 or a.len > 1514 + l2 - 14:
        ap.error(f"--len must be {l2 + l3 + 8}..{1514 + l2 - 14}")
    if a.vlan is not None and not 0 < a.vlan < 4095:
        ap.error("--vlan must be 1..4094")
    eth = (bytes.fromhex(a.dstmac.replace(":", "")) +
           bytes.fromhex(a.srcmac.replace(":", "")))
    if a.vlan is not None:
        eth += struct.pack("!HH", 0x8100, a.vlan)
    eth += struct.pack("!H", 0x86DD if a.ipv6 else 0x0800)
    proto = 17
    iplen = a.len - l2
    if a.ipv6:
        if a.src == "10.77.0.1":
            a.src = "fd77::1"
        if a.dst == "10.77.0.2":
            a.dst = "fd77::2"
        src = socket.inet_pton(socket.AF_INET6, a.src)
        dst = socket.inet_pton(socket.AF_INET6, a.dst)
    else:
        src, dst = socket.inet_aton(a.src), socket.inet_aton(a.dst)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.bind((a.iface, 0))
    ns = len(a.sport)
    pairs = len(a.sport) * len(a.dport)
    for i in range(a.count):
        k = i % pairs
        sp, dp = a.sport[k % ns], a.dport[k // ns]
        ulen = iplen - l3
        pay = bytes((i + j) & 0xFF for j in range(ulen - 8))
        if a.ipv6:
            ip = struct.pack("!IHBB16s16s", 6 << 28, ulen, proto, 64, src, dst)
            pseudo = src + dst + struct.pack("!IxxxB", ulen, proto)
            l4 = struct.pack("!HHHH", sp, dp, ulen, 0)
            c = csum(pseudo + l4 + pay) or 0xFFFF
            l4 = l4[:6] + struct.pack("!H", c)
        else:
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, iplen, i & 0xFFFF, 0,
                             64, proto, 0, src, dst)
            ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
            l4 = struct.pack("!HHHH", sp, dp, ulen, 0)
        s.send(eth + ip + l4 + pay)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Raw IPv4/UDP frame generator for the flow rule tests (test/e2e/testpmd_flow.sh).

  flowgen.py IFACE DSTMAC [--src IP] [--dst IP] [--sport P] [--dport P]
             [--count N] [--len BYTES]

P is a port, a range A-B or a comma list of both. Sends COUNT
Ethernet/IPv4 frames of exactly LEN bytes (without FCS) on
IFACE through an AF_PACKET socket, no IP stack or ARP involved. Frame i
uses the i-th (sport, dport) pair of the two ranges taken round-robin
(sport varies fastest), so that COUNT >= |sports| x |dports| covers every
flow. UDP checksums are left 0 (valid for IPv4).
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
    a = ap.parse_args()
    if a.len < 14 + 20 + 8 or a.len > 1514:
        ap.error("--len must be 42..1514")
    eth = (bytes.fromhex(a.dstmac.replace(":", "")) +
           bytes.fromhex(a.srcmac.replace(":", "")) + struct.pack("!H", 0x0800))
    proto = 17
    iplen = a.len - 14
    src, dst = socket.inet_aton(a.src), socket.inet_aton(a.dst)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.bind((a.iface, 0))
    ns = len(a.sport)
    pairs = len(a.sport) * len(a.dport)
    for i in range(a.count):
        k = i % pairs
        sp, dp = a.sport[k % ns], a.dport[k // ns]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, iplen, i & 0xFFFF, 0, 64,
                         proto, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        l4 = struct.pack("!HHHH", sp, dp, iplen - 20, 0)
        pay = bytes((i + j) & 0xFF for j in range(iplen - 28))
        s.send(eth + ip + l4 + pay)
    return 0


if __name__ == "__main__":
    sys.exit(main())

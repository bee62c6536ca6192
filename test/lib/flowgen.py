#!/usr/bin/env python3
"""Raw IPv4/UDP frame generator for the flow rule tests (test/e2e/testpmd_flow.sh).

  flowgen.py IFACE DSTMAC [--src IP] [--dst IP] [--sport P] [--dport P]
             [--count N] [--len BYTES] [--ipv6] [--vlan VID]
             [--proto udp|tcp|sctp|icmp] [--icmp-type T]

P is a port, a range A-B or a comma list of both. Sends COUNT
Ethernet/IPv4 frames of exactly LEN bytes (without FCS) on
IFACE through an AF_PACKET socket, no IP stack or ARP involved. Frame i
uses the i-th (sport, dport) pair of the two ranges taken round-robin
(sport varies fastest), so that COUNT >= |sports| x |dports| covers every
flow. UDP checksums are left 0 (valid for IPv4). --ipv6 sends IPv6/UDP
instead (fd77::1 -> fd77::2 unless --src/--dst say otherwise; the UDP
checksum is computed, as IPv6 requires); --vlan VID puts an 802.1Q tag
(priority 0) after the MAC addresses, inside LEN. --proto changes the
L4 header (IPv4 only unless udp or tcp): tcp sends ACK segments with a
computed checksum, sctp a common header with a CRC32c and no chunk
checks (the payload is opaque), icmp echo messages of type --icmp-type
(8, a request, by default) whose identifier is the frame number (the
ports are not used).
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


def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 & -(c & 1))
    return c ^ 0xFFFFFFFF


L4LEN = {"udp": 8, "tcp": 20, "sctp": 12, "icmp": 8}
PROTO = {"udp": 17, "tcp": 6, "sctp": 132, "icmp": 1}


def l4hdr(a, i, sp, dp, ulen, pay, pseudo):
    """The L4 header of frame i (ulen: L4 header + payload bytes)."""
    if a.proto == "udp":
        h = struct.pack("!HHHH", sp, dp, ulen, 0)
        if pseudo is None:
            return h  # IPv4: checksum 0, none
        c = csum(pseudo + h + pay) or 0xFFFF
        return h[:6] + struct.pack("!H", c)
    if a.proto == "tcp":
        h = struct.pack("!HHIIBBHHH", sp, dp, 1000 + i * len(pay), 1,
                        5 << 4, 0x10, 65535, 0, 0)
        return h[:16] + struct.pack("!H", csum(pseudo + h + pay)) + h[18:]
    if a.proto == "sctp":
        h = struct.pack("!HHII", sp, dp, 0x1234, 0)
        return h[:8] + struct.pack("<I", crc32c(h + pay))
    h = struct.pack("!BBHHH", a.icmp_type, 0, 0, i & 0xFFFF, 1)
    return h[:2] + struct.pack("!H", csum(h + pay)) + h[4:]


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
    ap.add_argument("--proto", choices=sorted(PROTO), default="udp")
    ap.add_argument("--icmp-type", type=int, default=8)
    a = ap.parse_args()
    l2 = 14 + (4 if a.vlan is not None else 0)
    l3 = 40 if a.ipv6 else 20
    l4 = L4LEN[a.proto]
    if a.ipv6 and a.proto not in ("udp", "tcp"):
        ap.error("--ipv6 only with --proto udp or tcp")
    if a.len < l2 + l3 + l4 or a.len > 1514 + l2 - 14:
        ap.error(f"--len must be {l2 + l3 + l4}..{1514 + l2 - 14}")
    if a.vlan is not None and not 0 < a.vlan < 4095:
        ap.error("--vlan must be 1..4094")
    eth = (bytes.fromhex(a.dstmac.replace(":", "")) +
           bytes.fromhex(a.srcmac.replace(":", "")))
    if a.vlan is not None:
        eth += struct.pack("!HH", 0x8100, a.vlan)
    eth += struct.pack("!H", 0x86DD if a.ipv6 else 0x0800)
    proto = PROTO[a.proto]
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
        pay = bytes((i + j) & 0xFF for j in range(ulen - l4))
        if a.ipv6:
            ip = struct.pack("!IHBB16s16s", 6 << 28, ulen, proto, 64, src, dst)
            pseudo = src + dst + struct.pack("!IxxxB", ulen, proto)
        else:
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, iplen, i & 0xFFFF, 0,
                             64, proto, 0, src, dst)
            ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
            pseudo = (src + dst + struct.pack("!xBH", proto, ulen)
                      if a.proto == "tcp" else None)
        s.send(eth + ip + l4hdr(a, i, sp, dp, ulen, pay, pseudo) + pay)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Regenerate the committed seed corpora under test/fuzz/corpus/.

    test/fuzz/gen-corpus.py [OUTDIR]     (default: test/fuzz/corpus)

Also writes the regression inputs to OUTDIR/../regress/<target>/.

fuzz_devargs: devargs strings. fuzz_fdreq: fd-helper request messages
(lib/tpk_fdreq.h), valid and refused. fuzz_v3_block: TPACKET_V3 blocks laid out
as the kernel writes them (see test/unit/tpk_test_v3.h), trailing zeros
trimmed (the target pads to 4096). fuzz_vnet_tx: the 16-byte request
header described in fuzz_vnet_tx.c followed by a frame. fuzz_coalesce:
the template layout described in fuzz_coalesce.c. fuzz_flow: flow items,
rules and a frame as described in fuzz_flow.c. fuzz_v2_slot: a knob byte
then TPACKET_V2 slots of 1728 bytes (see fuzz_v2_slot.c).
"""
import os
import struct
import sys

# ---- frames ----------------------------------------------------------------

MAC = bytes.fromhex("020000000002020000000001")
V4 = bytes([10, 0, 0, 1, 10, 0, 0, 2])
V6 = bytes.fromhex("fd000000000000000000000000001201"
                   "fd00000000000000000000000000ab02")


def csum_fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def csum_sum(b, s=0):
    if len(b) & 1:
        b = b + b"\0"
    for i in range(0, len(b), 2):
        s += b[i] << 8 | b[i + 1]
    return s


def pseudo(ip, v, proto, l4len):
    s = csum_sum(ip[12:20]) if v == 4 else csum_sum(ip[8:40])
    return csum_fold(s + proto + (l4len >> 16) + (l4len & 0xFFFF))


def payload(n, seed):
    x = (seed * 2654435761 + 1) & 0xFFFFFFFF
    out = bytearray()
    for _ in range(n):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out.append(x & 0xFF)
    return bytes(out)


def ipv4(l4len, proto, ihl=5, ident=1, frag=0x4000):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 2,
                              ihl * 4 + l4len, ident, frag, 64, proto, 0,
                              V4[:4], V4[4:]))
    h += b"\x01" * (ihl * 4 - 20)
    h[10:12] = struct.pack("!H", ~csum_fold(csum_sum(h)) & 0xFFFF)
    return bytes(h)


def ipv6(plen, nh):
    return struct.pack("!IHBB", 0x60012345, plen, nh, 64) + V6


def tcp(seq, flags, doff=8):
    h = bytearray(struct.pack("!HHIIBBHHH", 40000, 5201, seq, 0x01020304,
                              doff << 4, flags, 502, 0, 0))
    if doff >= 8:
        h += bytes([1, 1, 8, 10]) + struct.pack("!II", 0x11223344, 0x55667788)
    h += b"\x01" * (doff * 4 - len(h))
    return bytes(h)


def udp(l4len):
    return struct.pack("!HHHH", 40001, 4789, l4len, 0)


def frame(v, proto, pay, flags=0x18, hbh=False, vlan=None, partial=True,
          seed=1):
    """Ethernet frame; the L4 checksum field holds the pseudo-header sum."""
    body = payload(pay, seed)
    l4 = tcp(1000, flags) if proto == 6 else udp(8 + pay)
    l4len = len(l4) + pay
    if v == 4:
        ip = ipv4(l4len, proto)
        et = 0x0800
    else:
        ip = ipv6(l4len + (8 if hbh else 0), 0 if hbh else proto)
        if hbh:
            ip += bytes([proto, 0, 1, 4, 0, 0, 0, 0])
        et = 0x86DD
    l4 = bytearray(l4)
    if partial:
        off = 16 if proto == 6 else 6
        l4[off:off + 2] = struct.pack("!H", pseudo(ip, v, proto, l4len))
    l2 = MAC + struct.pack("!H", et)
    if vlan is not None:
        l2 = MAC + struct.pack("!HH", 0x8100, vlan) + struct.pack("!H", et)
    return l2 + ip + bytes(l4) + body, len(l2) + len(ip)


def vnet(flags=0, gso_type=0, hdr_len=0, gso_size=0, cs=0, co=0):
    return struct.pack("<BBHHHH", flags, gso_type, hdr_len, gso_size, cs, co)


# ---- TPACKET_V3 blocks -------------------------------------------------------

TP_STATUS_USER = 1
TP_STATUS_CSUMNOTREADY = 1 << 3
TP_STATUS_VLAN_VALID = 1 << 4
TP_STATUS_VLAN_TPID_VALID = 1 << 6
TP_STATUS_CSUM_VALID = 1 << 7
TP_STATUS_GSO_TCP = 1 << 8
TP_STATUS_BLK_TMO = 1 << 5


def block(frames, vnet_len, seq_num=0, bs=4096, status=TP_STATUS_USER):
    """frames: (data, len, status, vnet_bytes, (tci, tpid) or None)."""
    version = {0: 0, 12: 1, 10: 2}[vnet_len]
    mac = 96 + vnet_len - 14
    blk = bytearray(bs)
    off = 48
    offs = []
    for i, (data, wire, st, vh, vl) in enumerate(frames):
        snap = len(data)
        tot = (mac + snap + 7) & ~7
        assert off + tot < bs, "frame does not fit"
        rxhash = (0x9E3779B9 * (i + 1)) & 0xFFFFFFFF
        tci, tpid = vl if vl else (0, 0)
        if vl:
            st |= TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID
        hdr = struct.pack("<IIIIIIHHIIHH", tot, 1700000000 + i, 1000 * i,
                          snap, wire, TP_STATUS_USER | st, mac, mac + 14,
                          rxhash, tci, tpid, 0)
        hdr += b"\0" * (48 - len(hdr))
        assert len(hdr) == 48
        sll = struct.pack("<HHiHBB8s", 17, 0, 7, 1, 0, 6, data[6:12])
        blk[off:off + 48] = hdr
        blk[off + 48:off + 48 + len(sll)] = sll
        if vnet_len:
            blk[off + mac - vnet_len:off + mac - vnet_len + 10] = vh
        blk[off + mac:off + mac + snap] = data
        offs.append(off)
        off += tot
    if offs:
        blk[offs[-1]:offs[-1] + 4] = b"\0\0\0\0"  # last tp_next_offset
    # tpacket_block_desc: version, offset_to_priv, bh1
    desc = struct.pack("<IIIIIIQII", version, 48, status, len(offs), 48,
                       off, seq_num, 1700000000, 0) + b"\0" * 8
    assert len(desc) == 48
    blk[0:48] = desc
    assert len(blk) == bs
    return bytes(blk).rstrip(b"\0")


def v3_seeds():
    s = {}
    f, l3 = frame(4, 6, 3000, flags=0x99)  # CWR|ACK|PSH|FIN
    gso = vnet(1, 1, 66, 1000, l3, 16)
    ack, _ = frame(4, 6, 0, flags=0x10)
    u4, _ = frame(4, 17, 100, partial=False)
    s["tcp4_gso_ack_udp_vnet10"] = block([
        (f, len(f), TP_STATUS_CSUMNOTREADY | TP_STATUS_GSO_TCP, gso, None),
        (ack, len(ack), TP_STATUS_CSUMNOTREADY, vnet(1, 0, 66, 0, l3, 16),
         None),
        (u4, len(u4), TP_STATUS_CSUM_VALID, vnet(2), None),
    ], 10, seq_num=1)
    f6, l3 = frame(6, 6, 2500, hbh=True, flags=0x18)
    s["tcp6_hbh_gso_vlan_vnet10"] = block([
        (f6, len(f6), TP_STATUS_CSUMNOTREADY | TP_STATUS_GSO_TCP,
         vnet(1, 4 | 0x80, 82, 1200, l3, 16), (100, 0x8100)),
    ], 10, seq_num=0)
    u6, l3 = frame(6, 17, 2500)
    s["udp6_uso_vnet12"] = block([
        (u6, len(u6), TP_STATUS_CSUMNOTREADY,
         vnet(1, 5, 62, 1200, l3, 6), None),
    ], 12, seq_num=1)
    arp = MAC + b"\x08\x06" + payload(28, 7)
    p6, _ = frame(6, 17, 64, partial=False)
    tagged, _ = frame(4, 6, 20, partial=False)
    s["arp_udp6_vlan_novnet"] = block([
        (arp, 60, 0, b"", None),
        (p6, len(p6), 0, b"", None),
        (tagged, len(tagged), 0, b"", (7, 0x88A8)),
    ], 0, status=TP_STATUS_USER | TP_STATUS_BLK_TMO)
    big, l3 = frame(4, 6, 3500, flags=0x10)
    s["truncated_gso_vnet10"] = block([
        (big, 20054, TP_STATUS_CSUMNOTREADY | TP_STATUS_GSO_TCP,
         vnet(1, 1, 66, 1448, l3, 16), None),
    ], 10)
    s["zero_pkts"] = block([], 10)
    many = []
    for i in range(12):
        fr, l3 = frame(4 if i & 1 else 6, 6 if i % 3 else 17, 40 + 37 * i,
                       seed=i)
        many.append((fr, len(fr), TP_STATUS_CSUMNOTREADY,
                     vnet(1, 0, 0, 0, l3, 16 if i % 3 else 6), None))
    s["twelve_partial_csum_vnet10"] = block(many, 10, seq_num=1, bs=8192)
    return s


# ---- vnet_tx requests ---------------------------------------------------------

def txreq(fr, pkt_len, l2, l3len, l4len, segsz, l3, sel, fl):
    return struct.pack("<IHHHHBBBB", pkt_len, l2, l3len, l4len, segsz, l3,
                       sel, fl, 0) + fr


def vnet_tx_seeds():
    s = {}
    f, _ = frame(4, 6, 3000, flags=0x99)
    s["tcp4_tso_full"] = txreq(f, 0, 14, 20, 32, 1000, 1, 0, 1 | 2 | 16 | 32)
    f, _ = frame(6, 6, 2000, hbh=True)
    s["tcp6_hbh_tso_ecn_partial"] = txreq(f, 0, 14, 48, 32, 1440, 2, 0,
                                          1 | 2 | 4 | 32)
    f, _ = frame(4, 17, 100)
    s["udp4_csum"] = txreq(f, 0, 14, 20, 8, 0, 1, 1, 1 | 16 | 32)
    f, _ = frame(6, 17, 3000)
    s["udp6_uso"] = txreq(f, 0, 14, 40, 8, 1200, 2, 1, 1 | 2 | 8 | 16 | 32)
    f, _ = frame(4, 6, 500, vlan=100)
    s["tcp4_vlan_in_data"] = txreq(f, 0, 18, 20, 32, 100, 1, 0,
                                   1 | 2 | 16 | 32)
    f, _ = frame(4, 6, 1500)
    s["tcp4_tag_reinsert"] = txreq(f, 0, 14, 20, 32, 700, 1, 0,
                                   1 | 2 | 16 | 32 | 64)
    s["bogus_non_ip_gso0"] = txreq(MAC + b"\x08\x06" + payload(46, 3), 70000,
                                   14, 20, 20, 0, 0, 0x84, 3)
    return s


def txp(fr, sel, ptype, l2, l3len, l4len, segsz, q, max_frame=1514,
        split=(0, 0), tci=0):
    """fuzz_tx_prepare input: see the layout in fuzz_tx_prepare.c."""
    return struct.pack("<HBBHBHHBHBB", sel, ptype, l2, l3len, l4len, segsz,
                       tci, q, max_frame, split[0], split[1]) + fr


# flag_tab bits of fuzz_tx_prepare.c
F_IPV4, F_IPV6, F_IPCK, F_TCPCK, F_UDPCK, F_TSO, F_USO, F_VLAN, F_LRO = (
    1 << i for i in range(9))
Q_V10, Q_UDPGSO, Q_RING, Q_SEGS2, Q_SEGS3 = 1, 4, 8, 0x40, 0x80


def tx_prepare_seeds():
    s = {}
    f, _ = frame(4, 6, 3000, flags=0x99)
    s["tcp4_tso_ipck"] = txp(f, F_IPV4 | F_IPCK | F_TSO, 1, 14, 20, 32, 1000,
                             Q_V10 | Q_UDPGSO)
    s["tcp4_tso_3segs"] = txp(f, F_IPV4 | F_TSO, 1, 14, 20, 32, 1448,
                              Q_V10 | Q_SEGS3, split=(100, 200))
    f, _ = frame(6, 17, 2500)
    s["udp6_uso"] = txp(f, F_IPV6 | F_USO, 3, 14, 40, 8, 1200,
                        Q_V10 | Q_UDPGSO)
    f, _ = frame(4, 17, 200, partial=False)
    s["udp4_csum_ring"] = txp(f, F_IPV4 | F_UDPCK, 2, 14, 20, 8, 0,
                              Q_V10 | Q_RING)
    f, _ = frame(6, 6, 100, hbh=True, partial=False)
    s["tcp6_csum_vlan_insert"] = txp(f, F_IPV6 | F_TCPCK | F_VLAN, 3, 14, 48,
                                     32, 0, Q_V10, tci=100)
    f, _ = frame(4, 6, 5000, partial=False)
    s["lro_forward"] = txp(f, F_LRO, 1, 14, 20, 32, 1448, Q_V10)
    f, _ = frame(4, 17, 30, partial=False)
    s["ipv4_ipck_only_2segs"] = txp(f, F_IPV4 | F_IPCK, 2, 14, 20, 0, 0,
                                    Q_SEGS2, split=(40, 0))
    s["plain_ring_novnet"] = txp(f, 0, 0, 0, 0, 0, 0, Q_RING)
    return s


def regress_seeds():
    """Inputs that crashed a target, replayed by run-fuzz.sh: regress_*
    inputs pin bugs that fuzzing found and that are now fixed."""
    v3, txp_ = {}, {}
    f, l3 = frame(4, 6, 100, flags=0x10)
    vh = vnet(1, 0, 0, 0, l3, 16)
    # offset_to_first_pkt = 49: a misaligned struct tpacket3_hdr.
    b = bytearray(block([(f, len(f), TP_STATUS_CSUMNOTREADY, vh, None)], 10))
    b[49:49 + len(b) - 48] = b[48:]
    b[16:20] = struct.pack("<I", 49)
    v3["regress_v3_first_offset_unaligned"] = bytes(b)
    # tp_mac = 93 with a 10-byte vnet header: a misaligned virtio_net_hdr.
    b = bytearray(4096)
    blk = block([(f, len(f), TP_STATUS_CSUMNOTREADY, vh, None)], 10)
    b[:len(blk)] = blk
    b[48 + 24:48 + 26] = struct.pack("<H", 93)
    b[48 + 93 - 10:48 + 93] = vh
    v3["regress_v3_vnet_hdr_unaligned"] = bytes(b).rstrip(b"\0")
    # IPv6, hop-by-hop {next 44 (fragment), length 255} cut after 8 bytes.
    fr = MAC + b"\x86\xdd" + ipv6(8, 0) + bytes([44, 255, 1, 4, 0, 0, 0, 0])
    v3["regress_pkt_v6_ext_past_len_before_frag"] = block(
        [(fr, len(fr), 0, vnet(), None)], 10)
    # TX_VLAN insert with a first segment of 5 bytes (of 2).
    f, _ = frame(4, 17, 30, partial=False)
    txp_["regress_tx_vlan_short_first_seg"] = txp(f, F_VLAN, 0, 14, 20, 8, 0,
                                              Q_V10 | Q_SEGS2, split=(5, 0),
                                              tci=100)
    return {"fuzz_v3_block": v3, "fuzz_tx_prepare": txp_}


# What a local client may send tpacket-fdhelper, one message each.
FDREQ = {
    "valid": b"SOCK eth0\0",
    "valid_max_name": b"SOCK abcdefghijklmno\0",
    "valid_punct": b"SOCK veth-a.1_b@x\0",
    "name_too_long": b"SOCK abcdefghijklmnop\0",
    "no_nul": b"SOCK eth0",
    "embedded_nul": b"SOCK eth\0" b"0\0",
    "bad_chars": b"SOCK e th/0:1,\x01\0",
    "bad_verb": b"GIVE eth0\0",
    "dotdot": b"SOCK ..\0",
    "over_long": b"SOCK " + b"x" * 80 + b"\0",
}

DEVARGS = {
    "iface_only": "iface=eth0",
    "all_keys": "iface=veth-a0,queues=4,blocksz=1048576,blocks=64,tov=10,"
                "fanout=lb,fanout_id=42,qdisc_bypass=1,vnet_hdr=0,"
                "tx_mode=ring,txframes=1024,"
                "fd_helper=/run/tpacket-fdhelper.sock",
    "max_values": "iface=abcdefghijklmno,queues=64,blocksz=67108864,"
                  "blocks=65536,tov=65535,fanout=qm,fanout_id=65535,"
                  "txframes=65536",
    "rollover": "queues=2,fanout=rollover,iface=lo,tx_mode=sendmmsg",
    "rss": "iface=eth0,fanout=rss,queues=8",
    "bad_queues": "iface=eth0,queues=0x10",
    "bad_dup": "iface=eth0,tov=1,tov=1",
    "bad_noeq": "iface=eth0,vnet_hdr",
}


def coal(template, mss, damages=(), raw=None, offload=0):
    """offload: mode bits 1 (TCP) and 2 (IPv4) checksum offloaded."""
    if raw is not None:
        return bytes([1 | offload, 0, 0, 0]) + b"".join(
            struct.pack("<H", len(f)) + f for f in raw)
    d = b"".join(struct.pack("<BHBB", *x) for x in damages)
    return struct.pack("<BHB", offload, mss, len(damages)) + d + template


def coalesce_seeds():
    """fuzz_coalesce: a template frame, the MSS to cut it at, damages."""
    t4, _ = frame(4, 6, 10 * 1448, flags=0x10)
    t6, _ = frame(6, 6, 20 * 1000 + 17, flags=0x18)
    tc, _ = frame(4, 6, 3000, flags=0x90)
    small, _ = frame(4, 6, 40, flags=0x10)
    return {
        "tcp4_10x1448": coal(t4, 1448),
        "tcp6_psh_tail": coal(t6, 1000),
        "tcp4_cwr": coal(tc, 700),
        "tcp4_payload_damage": coal(t4, 1448, [(3, 200, 0x5a, 0)]),
        "tcp4_ttl_fixed": coal(t4, 1448, [(2, 22, 0x01, 1)]),
        "tcp6_seq_fixed": coal(t6, 1000, [(4, 14 + 40 + 7, 0x01, 1)]),
        "tcp4_tiny_mss": coal(small, 3),
        "raw_two": coal(None, 0, raw=[t4[:200], t4[:200]]),
        # Checksum fields an application leaves to the offload.
        "tcp4_l4_offload": coal(t4, 1448, [(1, 14 + 20 + 16, 0x5a, 0),
                                           (4, 14 + 20 + 17, 0xff, 0)],
                                offload=2),
        "tcp4_ip_l4_offload": coal(t4, 1448, [(0, 14 + 10, 0x33, 0),
                                              (2, 14 + 20 + 16, 0x01, 0)],
                                   offload=6),
        "tcp6_l4_offload": coal(t6, 1000, [(3, 14 + 40 + 16, 0x80, 0)],
                                offload=2),
    }


def txhdr_seeds():
    """fuzz_txhdr: control byte, 2 bytes of extra length, a frame."""
    seeds = {}
    cases = (("tcp4_tso", 4, 6, 1400, 0x0e, 30000),
             ("tcp6_vlan_pseudo", 6, 6, 200, 0x09, 7),
             ("udp4_csum_only", 4, 17, 100, 0x0c, 0),
             ("tcp4_padded_sw", 4, 6, 2, 0x10, 0),
             ("udp6_hbh_sw", 6, 17, 30, 0x11, 0x0123))
    for name, v, proto, pay, ctl, extra in cases:
        fr, _ = frame(v, proto, pay, hbh=name.endswith("hbh_sw"))
        if name.endswith("padded_sw"):
            fr += bytes(6)
        seeds[name] = struct.pack("!BH", ctl, extra) + fr
    return seeds


# fuzz_flow item types (enum tpk_flow_item_type) and item bits
FI_END, FI_VOID, FI_ETH, FI_VLAN, FI_IPV4, FI_IPV6, FI_TCP, FI_UDP, \
    FI_SCTP, FI_ICMP, FI_ICMP6 = range(11)
FI_LEN = {FI_ETH: 14, FI_VLAN: 4, FI_IPV4: 20, FI_IPV6: 40, FI_TCP: 20,
          FI_UDP: 8, FI_SCTP: 12, FI_ICMP: 8, FI_ICMP6: 4}
FI_HAS_VLAN = 1


def fitem(t, spec=None, last=None, mask=None, fspec=0, fmask=0):
    """One item: type, bits (spec/last/mask present, flags), the bytes."""
    n = FI_LEN.get(t, 0)
    bits = (1 if spec is not None else 0) | (2 if last is not None else 0) \
        | (4 if mask is not None else 0) | fspec << 4 | fmask << 6
    out = bytes([t, bits])
    for b in (spec, last, mask):
        if b is not None:
            out += bytes(b).ljust(n, b"\0")[:n]
    return out


def hdr(n, **fields):
    """n header bytes with (offset, bytes) pairs set."""
    b = bytearray(n)
    for off, val in fields.values():
        b[off:off + len(val)] = val
    return bytes(b)


def flow(items, fr, rules=((0, 1, 7, 3),), tagged=None, isolate=False):
    """fuzz_flow input: header, items, rules (prio, fate, mark, queue)."""
    ctl = (1 if tagged else 0) | (2 if isolate else 0) | (len(rules) - 1) << 3
    tpid, tci = tagged if tagged else (0, 0)
    out = struct.pack("!BBHH", len(items), ctl, tpid, tci)
    out += b"".join(items)
    out += b"".join(bytes(r) for r in rules)
    return out + fr


def flow_seeds():
    """fuzz_flow: the layout described in fuzz_flow.c."""
    p16 = lambda v: struct.pack("!H", v)
    u4, _ = frame(4, 17, 20, partial=False)
    t4, _ = frame(4, 6, 20, partial=False)
    t6, _ = frame(6, 6, 20, partial=False)
    ports = lambda s, d: hdr(8, s=(0, p16(s)), d=(2, p16(d)))
    udp_d = fitem(FI_UDP, ports(0, 4789), None, ports(0, 0xFFFF))
    v4src = fitem(FI_IPV4, hdr(20, a=(12, V4[:4])), None,
                  hdr(20, a=(12, b"\xff\xff\xff\0")))
    # IPv6 TC 0xab (bytes 0-1: x a b x), TCP sport 40000..40001, dport
    # 5000..5299.
    v6tc = fitem(FI_IPV6, hdr(40, t=(0, b"\x0a\xb0")), None,
                 hdr(40, t=(0, b"\x0f\xf0")))
    tcpr = fitem(FI_TCP, hdr(20, s=(0, p16(40000)), d=(2, p16(5000))),
                 hdr(20, s=(0, p16(40001)), d=(2, p16(5299))))
    t6r = bytearray(t6)
    t6r[14:16] = b"\x6a\xb1"
    t6r[14 + 40 + 2:14 + 40 + 4] = p16(5201)
    u1500 = bytearray(u4)
    u1500[14 + 20 + 2:14 + 20 + 4] = p16(1500)
    frag = bytearray(u4)
    frag[14 + 6:14 + 8] = p16(0x2000 | 185)
    icmp = bytearray(frame(4, 17, 0, partial=False)[0][:34])
    icmp[14 + 9] = 1
    icmp += bytes([8, 0, 0xbe, 0xef]) + bytes(4)
    return {
        "udp_dst": flow([fitem(FI_ETH), fitem(FI_IPV4), udp_d], u4),
        "ipv4_src": flow([fitem(FI_ETH), v4src, fitem(FI_TCP)], t4,
                         rules=((1, 3, 0, 0), (0, 0, 9, 0))),
        "udp_range": flow([fitem(FI_IPV4),
                           fitem(FI_UDP, ports(0, 1000), ports(0, 1999),
                                 ports(0, 0xFFFF))], bytes(u1500)),
        "tcp6_tc_two_ranges": flow([v6tc, tcpr], bytes(t6r),
                                   rules=((2, 2, 0, 4), (2, 0, 5, 0),
                                          (1, 4, 0, 0))),
        "vlan_tagged": flow([fitem(FI_ETH, fspec=FI_HAS_VLAN,
                                   fmask=FI_HAS_VLAN),
                             fitem(FI_VLAN, p16(100) + p16(0x0800)),
                             fitem(FI_VOID), udp_d], u4,
                            tagged=(0x8100, 0x2064), isolate=True),
        "icmp_echo": flow([fitem(FI_ICMP, bytes([8]), None, bytes([0xFF]))],
                          bytes(icmp)),
        "frag_no_ports": flow([udp_d], bytes(frag)),
        "refused_proto": flow([fitem(FI_IPV4, hdr(20, p=(9, b"\x11")), None,
                                     hdr(20, p=(9, b"\xff"))),
                               fitem(FI_TCP)], t4),
        "refused_order": flow([fitem(FI_UDP), fitem(FI_IPV4)], u4),
    }


V2_SLOT = 1728
TP_STATUS_COPY = 1 << 1
TP_STATUS_VLAN_VALID = 1 << 4


def v2_slot(fr, status=1, vnet_len=0, snap=None, length=None, mac=None,
            tci=0, tpid=0):
    """One slot: tpacket2_hdr (status, len, snaplen, mac, net, sec, nsec,
    vlan_tci, vlan_tpid), then the frame at tp_mac."""
    mac = mac if mac is not None else 82 + vnet_len
    snap = len(fr) if snap is None else snap
    length = snap if length is None else length
    hdr = struct.pack("<IIIHHIIHH4x", status, length, snap, mac, mac + 14,
                      1, 2, tci, tpid)
    body = bytearray(V2_SLOT)
    body[:len(hdr)] = hdr
    if vnet_len:
        body[mac - vnet_len:mac] = vnet()[:vnet_len]
    body[mac:mac + min(len(fr), V2_SLOT - mac)] = fr[:V2_SLOT - mac]
    return bytes(body)


def v2_seeds():
    """fuzz_v2_slot: knob byte, then slots."""
    u = frame(4, 17, 32)[0]
    t = frame(6, 6, 200)[0]
    big = frame(4, 6, 3000)[0]
    out = {
        "one": bytes([0]) + v2_slot(u),
        "vnet_two": bytes([1]) + v2_slot(u, vnet_len=10, mac=92) +
        v2_slot(t, vnet_len=10, mac=92),
        "copy_head": bytes([0x21]) + v2_slot(big, status=1 | TP_STATUS_COPY,
                                            snap=V2_SLOT - 82,
                                            length=len(big)),
        "vlan": bytes([0x10]) + v2_slot(u, status=1 | TP_STATUS_VLAN_VALID,
                                       tci=100),
        "bad_mac": bytes([0]) + v2_slot(u, mac=V2_SLOT - 4),
        "wrap": bytes([0x0e]) + v2_slot(u) * 3,
    }
    return out


def main():
    top = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, "corpus")
    sets = {
        "fuzz_devargs": {k: v.encode() for k, v in DEVARGS.items()},
        "fuzz_fdreq": dict(FDREQ),
        "fuzz_v3_block": v3_seeds(),
        "fuzz_vnet_tx": vnet_tx_seeds(),
        "fuzz_tx_prepare": tx_prepare_seeds(),
        "fuzz_coalesce": coalesce_seeds(),
        "fuzz_txhdr": txhdr_seeds(),
        "fuzz_flow": flow_seeds(),
        "fuzz_v2_slot": v2_seeds(),
    }
    regress = os.path.join(os.path.dirname(out), "regress")
    for base, group in ((out, sets), (regress, regress_seeds())):
        for target, seeds in group.items():
            d = os.path.join(base, target)
            os.makedirs(d, exist_ok=True)
            for name, data in seeds.items():
                with open(os.path.join(d, name), "wb") as fh:
                    fh.write(data)
            print(f"{target}: {len(seeds)} files in {d}")


if __name__ == "__main__":
    main()

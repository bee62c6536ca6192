#!/usr/bin/env python3
"""Raw frame peer for the shell tests (run inside a namespace).

  rawsock.py send IFACE N [START]   send N frames of ethertype 0x88b5 with
                                    little-endian sequence numbers
  rawsock.py recv IFACE N MINSEQ    wait (5 s) for N such frames with
                                    seq >= MINSEQ; exit 0 when all came
"""
import socket
import struct
import sys
import time

ETYPE = 0x88B5


def main():
    mode, iface, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((iface, 0))
    if mode == "send":
        start = int(sys.argv[4]) if len(sys.argv) > 4 else 0
        for i in range(n):
            body = struct.pack("<I", start + i) + bytes((i * 7 + j) & 0xFF for j in range(82))
            s.send(b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + struct.pack("!H", ETYPE) + body)
        return 0
    minseq = int(sys.argv[4])
    print("ready", flush=True)
    got = 0
    s.settimeout(0.2)
    end = time.time() + 5
    while got < n and time.time() < end:
        try:
            data, addr = s.recvfrom(65536)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING or len(data) < 18:
            continue
        if struct.unpack("!H", data[12:14])[0] == ETYPE and struct.unpack("<I", data[14:18])[0] >= minseq:
            got += 1
    print(f"received {got} of {n}")
    return 0 if got == n else 1


if __name__ == "__main__":
    sys.exit(main())

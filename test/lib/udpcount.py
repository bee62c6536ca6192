#!/usr/bin/env python3
"""UDP datagram counter for the DPDK example tests (test/e2e/examples_ip.sh).

  udpcount.py recv PORT IDLE_SECONDS   print "<datagrams> <bytes> <min> <max>"
                                       once IDLE_SECONDS pass without data
                                       (after at least one datagram or 2x that)
  udpcount.py send HOST PORT SIZE N [SPORT]
                                       send N datagrams of SIZE bytes, DF off
                                       (the kernel fragments them locally),
                                       from source port SPORT if given
"""
import socket
import sys
import time


def recv(port, idle):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("0.0.0.0", port))
    print("ready", flush=True)
    n = total = 0
    lo = hi = 0
    start = last = time.monotonic()
    while True:
        now = time.monotonic()
        limit = (last + idle) if n else (start + 2 * idle)
        if now >= limit:
            break
        s.settimeout(limit - now)
        try:
            data = s.recv(65536)
        except socket.timeout:
            break
        n += 1
        total += len(data)
        lo = len(data) if n == 1 else min(lo, len(data))
        hi = max(hi, len(data))
        last = time.monotonic()
    print(n, total, lo, hi, flush=True)


def send(host, port, size, count, sport=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sport:
        s.bind(("0.0.0.0", sport))
    s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER = IP_PMTUDISC_DONT
    payload = bytes(i & 0xFF for i in range(size))
    for _ in range(count):
        s.sendto(payload, (host, port))
        time.sleep(0.02)


if __name__ == "__main__":
    if sys.argv[1] == "recv":
        recv(int(sys.argv[2]), float(sys.argv[3]))
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
             int(sys.argv[6]) if len(sys.argv) > 6 else 0)

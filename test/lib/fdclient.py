#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Clients of tpacket-fdhelper for test/e2e/fdhelper_clients.sh (stdlib only).

    fdclient.py good SOCK IFNAME      ask for a socket, check it, send a frame
    fdclient.py silent SOCK SECONDS   connect, send nothing, wait to be dropped
    fdclient.py flood SOCK MIN STOP   bad clients until MIN are done and the
                                      file STOP exists (60 s at most)
    fdclient.py hold SOCK N           N silent connections at once: how many
                                      the helper closes at once (over its bound)
"""
import array
import os
import socket
import sys
import threading
import time

AF_PACKET = 17
SOL_PACKET = 263
PACKET_VERSION = 10
TPACKET_V1 = 0


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    return s


def good(path, ifname):
    t0 = time.monotonic()
    s = connect(path)
    s.sendall(b"SOCK " + ifname.encode() + b"\0")
    s.settimeout(5)
    fds = array.array("i")
    msg, anc, _, _ = s.recvmsg(128, socket.CMSG_SPACE(fds.itemsize))
    s.close()
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
    if not msg.startswith(b"OK") or len(fds) != 1:
        print(f"refused: {msg!r}, {len(fds)} fds")
        return 1
    p = socket.socket(fileno=fds[0])
    dom = p.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN)
    typ = p.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)
    ver = p.getsockopt(SOL_PACKET, PACKET_VERSION)
    name = p.getsockname()
    dt = time.monotonic() - t0
    if dom != AF_PACKET or typ != socket.SOCK_RAW or ver != TPACKET_V1 or \
            name[0] != ifname:
        print(f"bad fd: domain {dom} type {typ} version {ver} name {name}")
        return 1
    # Usable: a broadcast frame of a local experimental ethertype goes out.
    frame = b"\xff" * 6 + bytes.fromhex("020000000001") + b"\x88\xb5" + \
        b"fdhelper-e2e".ljust(46, b"\0")
    sent = p.send(frame)
    p.close()
    if sent != len(frame):
        print(f"short send {sent}")
        return 1
    print(f"OK {dt * 1000:.1f} ms: AF_PACKET SOCK_RAW TPACKET_V1 on {name[0]}"
          f" (ifindex bound), sent {sent} B")
    return 0


def silent(path, secs):
    s = connect(path)
    t0 = time.monotonic()
    print("connected", flush=True)
    s.settimeout(float(secs))
    try:
        data = s.recv(128)
    except socket.timeout:
        print("still open")
        return 1
    print(f"dropped after {time.monotonic() - t0:.3f} s ({data!r})")
    return 0


def send_fd(s, msg):
    fd = os.open("/dev/null", os.O_RDONLY)
    try:
        s.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                           array.array("i", [fd]))])
    finally:
        os.close(fd)


# Each bad client: (name, what it sends or None, whether it waits for a reply)
BAD = [
    ("garbage", lambda i: os.urandom(1 + i % 90), True),
    ("over_long", lambda i: b"SOCK " + b"x" * 4000 + b"\0", True),
    ("over_long_64k", lambda i: b"SOCK " + b"y" * 65000, False),
    ("space_name", lambda i: b"SOCK bad name\0", True),
    ("long_name", lambda i: b"SOCK " + b"a" * 20 + b"\0", True),
    ("nonprint", lambda i: b"SOCK \x01\x02\xff\0", True),
    ("half", lambda i: b"SOCK fh", True),
    ("half_close", lambda i: b"SOCK f", False),
    ("embedded_nul", lambda i: b"SOCK fh\0" b"0\0", True),
    ("bad_verb", lambda i: b"GIVE fh0\0", True),
    ("close_early", None, False),
    ("not_allowed", lambda i: b"SOCK lo\0", True),
    ("empty", lambda i: b"", True),
    ("with_fd", "fd", True),
]


def one_bad(path, i, stats, lock):
    name, what, wait = BAD[i % len(BAD)]
    try:
        s = connect(path)
    except OSError as e:
        with lock:
            stats["connect_err"] = stats.get("connect_err", 0) + 1
        return
    try:
        if what == "fd":
            send_fd(s, b"SOCK lo\0")
        elif what is not None:
            s.send(what(i))
        if wait:
            s.settimeout(5)
            r = s.recv(128)
            key = "replies" if r.startswith(b"ERR") else "other"
            with lock:
                stats[key] = stats.get(key, 0) + 1
    except OSError:
        with lock:
            stats["io_err"] = stats.get("io_err", 0) + 1
    finally:
        s.close()


def flood(path, minimum, stop):
    stats, lock = {"done": 0}, threading.Lock()
    t_end = time.monotonic() + 60

    def worker(k):
        i = k
        while time.monotonic() < t_end:
            with lock:
                if stats["done"] >= minimum and os.path.exists(stop):
                    return
            one_bad(path, i, stats, lock)
            i += 16
            time.sleep(0.01)    # a flood, yet a helper log of a few MB at most
            with lock:
                stats["done"] += 1
                if stats["done"] == 32:
                    print("flooding", flush=True)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.monotonic() - t_end + 60
    print(f"flood: {dt:.1f} s, " +
          " ".join(f"{k}={v}" for k, v in sorted(stats.items())))
    return 0


def hold(path, n):
    socks = [connect(path) for _ in range(n)]
    time.sleep(0.5)
    closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(128) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    for s in socks:
        s.close()
    print(f"held {n - closed} closed_at_once {closed}")
    return 0


def main(argv):
    cmd = argv[1]
    if cmd == "good":
        return good(argv[2], argv[3])
    if cmd == "silent":
        return silent(argv[2], argv[3])
    if cmd == "flood":
        return flood(argv[2], int(argv[3]), argv[4])
    if cmd == "hold":
        return hold(argv[2], int(argv[3]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

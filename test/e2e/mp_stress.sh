#!/bin/bash
# Multi-process stress: a secondary forwards between two net_tpacket ports
# of a dpdk-testpmd primary (whose own lcores never poll) while the
# primary's control path is hammered: stats and xstats over the telemetry
# socket (stats_get/xstats_get run in the primary's telemetry thread and
# read the queues' sockets), and short-lived secondaries attaching in a
# loop (each asks the primary for the queue fds). Checks:
#   - every attaching secondary got, for each queue, an AF_PACKET socket
#     bound to the port's interface, the very socket the forwarder got;
#   - telemetry counters never go backwards nor jump past the traffic;
#   - final counters add up: per port, frames the secondary received plus
#     the kernel drops the driver reports equal the frames the interface
#     received, the secondary's per-direction counts equal the port
#     counters, each peer interface got only the flow sent to the other
#     one, as many frames as the port transmitted (less reported drops);
#   - no failed getsockopt(PACKET_STATISTICS) or fd-passing sendmsg in the
#     primary (strace, when installed) and no EBADF or attach error in any
#     process's log.
# Port 0 receives with rx_mode=recvmmsg (the RX socket is used by every
# burst), port 1 with the mapped ring.
#
# Environment: TPK_MP_STRESS_S (seconds of stress, default 15),
# TPK_MP_BURST (forwarder burst size, default 4: small bursts mean more
# of them), TPK_MP_RATE (frames/s of flow A, default 20000; flow B sends
# 3/4 of that), TPK_MP_STRACE=0 (no strace even when installed).
set -u
. "$(dirname "$0")/../lib/common.sh"

tpk_need python3 dpdk-testpmd
prog=$TPK_BUILD/test/pmd/test_mp_stress
[ -x "$prog" ] || tpk_skip "test_mp_stress not built"
STRESS_S=${TPK_MP_STRESS_S:-15}
BURST=${TPK_MP_BURST:-4}
RATE_A=${TPK_MP_RATE:-20000}
RATE_B=$((RATE_A * 3 / 4))
use_strace=0
[ "${TPK_MP_STRACE:-1}" != 0 ] && command -v strace >/dev/null && use_strace=1
t_begin=$(date +%s)

# Hugepages, as multiprocess.sh: a private mount and, if needed, a
# temporary reservation given back at the end.
hp_file=/proc/sys/vm/nr_hugepages
hp_old=$(cat $hp_file)
hp_free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "$hp_free" -lt 256 ] && echo $((hp_old + 256 - hp_free)) >$hp_file
hd=$(mktemp -d /run/tpk-huge.XXXXXX)
cleanup_stress() {
	tpk_cleanup
	rm -f "$hd"/* 2>/dev/null
	umount "$hd" 2>/dev/null
	rmdir "$hd" 2>/dev/null
	echo "$hp_old" >$hp_file
}
trap cleanup_stress EXIT
mount -t hugetlbfs -o pagesize=2M nodev "$hd" || tpk_skip "cannot mount hugetlbfs"
[ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 128 ] || tpk_skip "could not reserve hugepages"

# Topology: dut (md0, md1: the ports) -- peer (mp0, mp1: the flows). No
# IPv6, so the only frames on the veths are the test's.
dut=$(tpk_netns sdut)
peer=$(tpk_netns speer)
for n in "$dut" "$peer"; do
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
tpk_veth "$dut" md0 "$peer" mp0
tpk_veth "$dut" md1 "$peer" mp1
tpk_stage_plugin
prefix=tpk-$TPK_TAG-mps
eal_mp="--no-pci --huge-dir $hd -m 256 --file-prefix $prefix"
d=$(mktemp -d /run/tpk-mpstress.XXXXXX); tpk_track_dir "$d"

# Primary: testpmd with both ports started, forwarding never started.
TPM_FIFO=$d/cmd TPM_OUT=$d/primary.log
mkfifo "$TPM_FIFO"
ip netns exec "$dut" stdbuf -oL dpdk-testpmd -l 0,1 $eal_mp -d "$TPK_PLUGIN" \
	--vdev=net_tpacket0,iface=md0,rx_mode=recvmmsg \
	--vdev=net_tpacket1,iface=md1 -- -i --total-num-mbufs=4096 \
	<"$TPM_FIFO" >"$TPM_OUT" 2>&1 &
TPM_PID=$!
tpk_track_pid $TPM_PID
# shellcheck disable=SC2034 # TPM_FD: used by tpk_testpmd_stop
exec {TPM_FD}>"$TPM_FIFO"
tpk_testpmd_wait 'testpmd> ' 30 || { cat "$TPM_OUT"; tpk_fail "primary did not start"; }
sock=$(ls /var/run/dpdk/"$prefix"/dpdk_telemetry.v2 2>/dev/null)
[ -S "$sock" ] || tpk_fail "no telemetry socket for $prefix"

# --- helpers run in the namespaces -------------------------------------
cat >"$d/peer.py" <<'PY'
# peer.py send RATE_A RATE_B SECONDS | recv STOPFILE
# Flow A leaves on mp0 (for port 0), flow B on mp1 (for port 1): ethertype
# 0x88b5, a flow letter and a sequence number. recv counts, on each of
# mp0/mp1, the frames of each flow arriving from the DUT and the socket's
# own drops.
import json, os, select, socket, struct, sys, time
ET = 0x88B5
def frame(flow, seq):
    return (b"\xff" * 6 + b"\x02\x00\x00\x00\x00" + flow + struct.pack("!H", ET) +
            flow + struct.pack("<I", seq) + bytes(77))
def sock(ifc):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ET))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((ifc, ET))
    return s
if sys.argv[1] == "send":
    ra, rb, secs = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    sa, sb = sock("mp0"), sock("mp1")
    na = nb = 0
    t0 = time.time()
    while True:
        el = time.time() - t0
        if el >= secs:
            break
        wa, wb = min(int(el * ra) + 50, int(secs * ra)), min(int(el * rb) + 50, int(secs * rb))
        while na < wa:
            sa.send(frame(b"A", na)); na += 1
        while nb < wb:
            sb.send(frame(b"B", nb)); nb += 1
        time.sleep(0.001)
    print(json.dumps({"sent_A": na, "sent_B": nb, "secs": round(time.time() - t0, 2)}))
    sys.exit(0)
stop = sys.argv[2]
ss = {"mp0": sock("mp0"), "mp1": sock("mp1")}
cnt = {i: {"A": 0, "B": 0, "other": 0, "seq_back": 0} for i in ss}
last = {i: -1 for i in ss}
print("ready", flush=True)
idle = 0
while True:
    r, _, _ = select.select(list(ss.values()), [], [], 0.05)
    if not r:
        if os.path.exists(stop):
            idle += 1
            if idle > 4:
                break
        continue
    idle = 0
    for i, s in ss.items():
        if s not in r:
            continue
        for _ in range(256):
            try:
                data, addr = s.recvfrom(2048, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            f = data[14:15].decode("latin1") if len(data) >= 19 else "?"
            f = f if f in ("A", "B") else "other"
            cnt[i][f] += 1
            if f != "other":
                seq = struct.unpack("<I", data[15:19])[0]
                if seq <= last[i]:
                    cnt[i]["seq_back"] += 1
                last[i] = seq
for i, s in ss.items():
    pk, dr = struct.unpack("II", s.getsockopt(263, 6, 8))  # PACKET_STATISTICS
    cnt[i]["sock_drops"] = dr
print(json.dumps(cnt))
PY

cat >"$d/hammer.py" <<'PY'
# hammer.py SOCKET SECONDS MAXJUMP_A MAXJUMP_B: stats and xstats of both
# ports over telemetry, as fast as one connection goes; checks that the
# counters never go backwards nor jump by more than the traffic.
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
json.loads(s.recv(16384))
secs, maxj = float(sys.argv[2]), [int(sys.argv[3]), int(sys.argv[4])]
def q(cmd):
    s.send(cmd.encode())
    return json.loads(s.recv(1 << 20))
STATS = ("ipackets", "opackets", "ibytes", "obytes", "imissed", "ierrors", "oerrors")
XST = ("rx_q0_packets", "tx_q0_packets", "rx_kernel_drops", "rx_q0_kernel_drops",
       "rx_ring_freezes", "tx_q0_syscalls")
prev = [{}, {}]
n = {"stats": 0, "xstats": 0, "errors": 0, "backwards": 0, "jumps": 0}
bad = []
def check(p, key, v):
    o = prev[p].get(key)
    prev[p][key] = v
    if o is None:
        return
    if v < o:
        n["backwards"] += 1
        bad.append("port %d %s went back %d -> %d" % (p, key, o, v))
    elif key.endswith("packets") and v - o > maxj[p] + maxj[1 - p]:
        n["jumps"] += 1
        bad.append("port %d %s jumped %d -> %d" % (p, key, o, v))
end = time.time() + secs
while time.time() < end:
    for p in (0, 1):
        try:
            st = q("/ethdev/stats,%d" % p)["/ethdev/stats"]
            n["stats"] += 1
            for k in STATS:
                check(p, k, int(st[k]))
            xs = q("/ethdev/xstats,%d" % p)["/ethdev/xstats"]
            n["xstats"] += 1
            # Queue 0's counters: in stats before 25.11, in xstats always.
            check(p, "q_ipackets0", int(xs["rx_q0_packets"]))
            check(p, "q_opackets0", int(xs["tx_q0_packets"]))
            for k in XST:
                check(p, k, int(xs[k]))
        except Exception as e:
            n["errors"] += 1
            bad.append("port %d: %r" % (p, e))
n["last"] = [prev[0].get("ipackets"), prev[1].get("ipackets")]
n["bad"] = bad[:10]
print(json.dumps(n))
PY

cat >"$d/final.py" <<'PY'
# final.py SOCKET: stats and the kernel-drop xstats of both ports.
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
json.loads(s.recv(16384))
out = []
for p in (0, 1):
    s.send(b"/ethdev/stats,%d" % p)
    st = json.loads(s.recv(1 << 20))["/ethdev/stats"]
    s.send(b"/ethdev/xstats,%d" % p)
    xs = json.loads(s.recv(1 << 20))["/ethdev/xstats"]
    out.append({"ipackets": st["ipackets"], "opackets": st["opackets"],
                "imissed": st["imissed"], "oerrors": st["oerrors"],
                # Queue 0: xstats (25.11 has no q_ipackets in stats).
                "q_ipackets0": xs["rx_q0_packets"], "q_opackets0": xs["tx_q0_packets"],
                "rx_q0_kernel_drops": xs["rx_q0_kernel_drops"]})
print(json.dumps(out))
PY

# --- the run ------------------------------------------------------------
# The forwarder (lcore 1, which the primary never uses: no "start").
ip netns exec "$dut" "$prog" -l 1 --proc-type=secondary $eal_mp -- \
	fwd net_tpacket0 net_tpacket1 $((STRESS_S + 20)) "$BURST" >"$d/fwd.log" 2>&1 &
fwd_pid=$!
tpk_track_pid $fwd_pid
for _ in $(seq 100); do grep -q '^ready' "$d/fwd.log" && break; sleep 0.1; done
grep -q '^ready' "$d/fwd.log" || { cat "$d/fwd.log"; tpk_fail "forwarder did not start"; }
grep -q 'BAD' "$d/fwd.log" && { cat "$d/fwd.log"; tpk_fail "the forwarder's own fds are not sound"; }
# Reference: "port queue ino" of the sockets the forwarder got.
# (proto 0x0003: an RX socket, 0x0000: a TX socket, which has no receive hook.)
sockets() { awk '/^probe: .* ok$/ { print $2, $7, ($11 == "0x0000" ? "tx" : "rx") }' "$1" | sort; }
sockets "$d/fwd.log" >"$d/ref"
[ "$(wc -l <"$d/ref")" -eq 4 ] || { cat "$d/fwd.log"; tpk_fail "forwarder: not 4 sound fds"; }

ip netns exec "$peer" python3 "$d/peer.py" recv "$d/stop" >"$d/recv.log" 2>&1 &
recv_pid=$!
tpk_track_pid $recv_pid
for _ in $(seq 50); do grep -q ready "$d/recv.log" && break; sleep 0.1; done

if [ $use_strace = 1 ]; then
	# Failed getsockopt/sendmsg calls of every primary thread.
	strace -f -qq -p "$TPM_PID" -e trace=getsockopt,sendmsg -e status=failed \
		-o "$d/strace.log" 2>"$d/strace.err" &
	strace_pid=$!
	tpk_track_pid $strace_pid
	sleep 0.5
fi

tpk_log "stress: ${STRESS_S}s, flows A ${RATE_A}/s B ${RATE_B}/s, burst $BURST"
ip netns exec "$peer" python3 "$d/peer.py" send $RATE_A $RATE_B "$STRESS_S" >"$d/send.log" 2>&1 &
send_pid=$!
tpk_track_pid $send_pid
python3 "$d/hammer.py" "$sock" "$STRESS_S" $((RATE_A * STRESS_S)) $((RATE_B * STRESS_S)) \
	>"$d/hammer.log" 2>&1 &
ham_pid=$!
tpk_track_pid $ham_pid
# Attaches: two loops of short-lived secondaries for the stress time.
attach_loop() {
	local end=$(($(date +%s) + STRESS_S)) k=0
	while [ "$(date +%s)" -lt $end ]; do
		k=$((k + 1))
		ip netns exec "$dut" timeout 10 "$prog" -l 0 --proc-type=secondary $eal_mp \
			--log-level=lib.eal:error -- probe net_tpacket0 net_tpacket1 \
			>"$d/attach-$1-$k.log" 2>&1
		echo "rc $?" >>"$d/attach-$1-$k.log"
	done
}
attach_loop a &
al1=$!
tpk_track_pid $al1
attach_loop b &
al2=$!
tpk_track_pid $al2

wait $send_pid; tpk_untrack_pid $send_pid
wait $ham_pid; tpk_untrack_pid $ham_pid
wait $al1; tpk_untrack_pid $al1
wait $al2; tpk_untrack_pid $al2
sleep 1	# let the forwarder drain what is in flight
kill -TERM $fwd_pid
wait $fwd_pid; fwd_rc=$?
tpk_untrack_pid $fwd_pid
if [ $use_strace = 1 ]; then
	kill -TERM $strace_pid; wait $strace_pid 2>/dev/null
	tpk_untrack_pid $strace_pid
fi
touch "$d/stop"
wait $recv_pid; tpk_untrack_pid $recv_pid
python3 "$d/final.py" "$sock" >"$d/final.json" 2>&1 || { cat "$d/final.json"; tpk_fail "final telemetry query"; }
tpk_testpmd_stop

# --- checks -------------------------------------------------------------
errs=()
sysstat() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }
read -r sent_A sent_B < <(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["sent_A"], j["sent_B"])' "$d/send.log") ||
	tpk_fail "sender: $(cat "$d/send.log")"

# Attaches.
att=0 att_ok=0 att_bad=0 att_fail=0
for f in "$d"/attach-*.log; do
	[ -f "$f" ] || continue
	att=$((att + 1))
	sockets "$f" >"$f.ino"
	if grep -q '^rc 0$' "$f" && cmp -s "$f.ino" "$d/ref"; then
		att_ok=$((att_ok + 1))
	elif grep -q '^probe: .*BAD' "$f" || { grep -q '^rc 0$' "$f" && ! cmp -s "$f.ino" "$d/ref"; }; then
		att_bad=$((att_bad + 1))
		[ $att_bad -le 3 ] && grep -h '^probe: .*BAD\|^FAIL' "$f" | sed "s|^|  $(basename "$f"): |" >&2
	else
		att_fail=$((att_fail + 1))
		[ $att_fail -le 3 ] && grep -v '^EAL: \(Detected\|Selected\|Multi-process socket\)' "$f" | tail -4 |
			sed "s|^|  $(basename "$f"): |" >&2
	fi
done
echo "attaches: $att, sound $att_ok, wrong fds $att_bad, failed $att_fail"
[ $att -ge 4 ] || errs+=("only $att attaches ran")
[ $att_ok -eq $att ] || errs+=("$((att - att_ok)) of $att attaching secondaries did not get the queues' sockets ($att_bad wrong fds, $att_fail failed)")

# Which sockets the wrong attaches missed (a wrong fd took their place).
if [ $att_bad -gt 0 ]; then
	for f in "$d"/attach-*.log.ino; do comm -23 "$d/ref" "$f"; done |
		awk '{ n[$1 " " $3]++ } END { for (k in n) print "  " k " socket missing: " n[k] " times" }' | sort
fi

# Telemetry.
python3 - "$d/hammer.log" <<'PY' || errs+=("telemetry: $(tail -c 600 "$d/hammer.log")")
import json, sys
try:
    j = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
except Exception:
    print(open(sys.argv[1]).read()); sys.exit(1)
print("telemetry: %d stats + %d xstats queries, %d errors, %d went backwards, %d jumps" %
      (j["stats"], j["xstats"], j["errors"], j["backwards"], j["jumps"]))
for b in j["bad"]:
    print("  " + b)
sys.exit(0 if j["stats"] > 0 and j["errors"] + j["backwards"] + j["jumps"] == 0 else 1)
PY

# Counters.
fwdl() { awk -v f="$1" -v k="$2" '$1 == "fwd:" && $3 == f { for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$d/fwd.log"; }
[ $fwd_rc -eq 0 ] || errs+=("forwarder exited $fwd_rc")
f01_rx=$(fwdl 0 rx_pkts) f01_tx=$(fwdl 0 tx_pkts) f10_rx=$(fwdl 1 rx_pkts) f10_tx=$(fwdl 1 tx_pkts)
f01_b=$(fwdl 0 rx_bursts) f10_b=$(fwdl 1 rx_bursts) f01_c=$(fwdl 0 rx_calls)
echo "forwarder: 0->1 $f01_rx frames in $f01_b bursts, 1->0 $f10_rx frames in $f10_b bursts, $f01_c polls per port, sent back ${f01_tx}/${f10_tx}"
# Per port (index 0, 1): ipackets, opackets, imissed, q_ipackets[0].
ipk=() opk=() imi=() qip=()
while read -r a b c e; do ipk+=("$a") opk+=("$b") imi+=("$c") qip+=("$e"); done < <(python3 -c '
import json, sys
for p in json.load(open(sys.argv[1])):
    print(p["ipackets"], p["opackets"], p["imissed"], p["q_ipackets0"])' "$d/final.json")
[ ${#ipk[@]} -eq 2 ] || tpk_fail "final telemetry: $(cat "$d/final.json")"
ip0=${ipk[0]} ip1=${ipk[1]} op0=${opk[0]} op1=${opk[1]}
echo "sent: A $sent_A on mp0, B $sent_B on mp1; port 0 rx $ip0 (+${imi[0]} kernel drops) tx $op0, port 1 rx $ip1 (+${imi[1]}) tx $op1"
for p in 0 1; do
	ip=${ipk[$p]} im=${imi[$p]}
	rxk=$(sysstat "$dut" md$p rx_packets)
	[ $((ip + im)) -eq "$rxk" ] ||
		errs+=("port $p: $ip received + $im kernel drops != $rxk frames md$p received")
	[ "${qip[$p]}" -eq "$ip" ] || errs+=("port $p: q_ipackets[0] ${qip[$p]} != ipackets $ip")
	vdrop=$(($(sysstat "$peer" mp$p tx_dropped) + $(sysstat "$dut" md$p rx_dropped)))
	if [ $p = 0 ]; then sent=$sent_A; else sent=$sent_B; fi
	[ $((rxk + vdrop)) -eq "$sent" ] || errs+=("md$p received $rxk + $vdrop veth drops of $sent sent")
done
[ "$f01_rx" = "$ip0" ] && [ "$f10_rx" = "$ip1" ] || errs+=("forwarder received $f01_rx/$f10_rx, ports count $ip0/$ip1")
[ "$f01_tx" = "$op1" ] && [ "$f10_tx" = "$op0" ] || errs+=("forwarder sent $f01_tx/$f10_tx, ports count $op1/$op0")
# The peers: mp1 gets flow A only, mp0 flow B only, as many as were sent.
read -r m0A m0B m0o m0d m1A m1B m1o m1d sb < <(python3 -c '
import json, sys
j = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
a, b = j["mp0"], j["mp1"]
print(a["A"], a["B"], a["other"], a["sock_drops"], b["A"], b["B"], b["other"], b["sock_drops"], a["seq_back"] + b["seq_back"])' "$d/recv.log") ||
	tpk_fail "receiver: $(cat "$d/recv.log")"
echo "peer: mp1 got A $m1A B $m1B other $m1o (socket drops $m1d); mp0 got A $m0A B $m0B other $m0o (socket drops $m0d)"
[ "$m1B" -eq 0 ] && [ "$m1o" -eq 0 ] && [ "$m0A" -eq 0 ] && [ "$m0o" -eq 0 ] ||
	errs+=("traffic on the wrong port: mp1 got $m1B B/$m1o other, mp0 got $m0A A/$m0o other")
[ "$sb" -eq 0 ] || errs+=("$sb frames out of order at the peer")
for p in 0 1; do
	op=${opk[$p]}
	if [ $p = 0 ]; then got=$m0B sd=$m0d; else got=$m1A sd=$m1d; fi
	vdrop=$(($(sysstat "$dut" md$p tx_dropped) + $(sysstat "$peer" mp$p rx_dropped)))
	[ "$got" -le "$op" ] && [ $((got + sd + vdrop)) -ge "$op" ] ||
		errs+=("mp$p got $got (+$sd socket, $vdrop veth drops) of the $op frames port $p sent")
done
[ $((f01_rx + f10_rx)) -gt $(((sent_A + sent_B) / 4)) ] || errs+=("the forwarder moved too little traffic")

# The primary's syscalls and every log.
if [ $use_strace = 1 ]; then
	gs=$(grep -c 'getsockopt(.*PACKET_STATISTICS.* = -1' "$d/strace.log")
	sm=$(grep -c 'sendmsg(.* = -1 EBADF' "$d/strace.log")
	echo "primary (strace): $gs failed getsockopt(PACKET_STATISTICS), $sm sendmsg EBADF"
	grep 'getsockopt(.*PACKET_STATISTICS.* = -1' "$d/strace.log" | sed -E 's/^[0-9]+ +//; s/\{.*\}/{...}/' |
		sort | uniq -c | sort -rn | head -3 | sed 's/^/  /'
	[ "$gs" -eq 0 ] || errs+=("the primary's stats read $gs times a descriptor that is no packet socket")
	[ "$sm" -eq 0 ] || errs+=("the primary passed $sm times an fd it does not have")
else
	echo "strace not used: the primary's failed syscalls are not counted"
fi
# (Not every "failed to send": a short-lived secondary may exit before the
# primary's message to it arrives, ENOENT, which is no fault.)
pat='Bad file descriptor|EBADF|no answer from the primary|cannot use the primary|cannot attach|Fail to recv reply|Fail to send request'
nl=$(cat "$TPM_OUT" "$d/fwd.log" "$d"/attach-*.log 2>/dev/null | grep -cE "$pat")
[ "$nl" -eq 0 ] || { errs+=("$nl error lines in the logs"); cat "$TPM_OUT" "$d/fwd.log" "$d"/attach-*.log | grep -E "$pat" | sort | uniq -c | head -5 >&2; }

echo "runtime: $(($(date +%s) - t_begin)) s"
if [ ${#errs[@]} -gt 0 ]; then
	for e in "${errs[@]}"; do echo "  - $e" >&2; done
	tpk_fail "${#errs[@]} checks failed"
fi
echo PASS

#!/bin/bash
# Secondary processes against a dpdk-testpmd primary that owns a
# net_tpacket port: a secondary receives and transmits on the port's
# queue, dpdk-proc-info reads stats and xstats, dpdk-dumpcap captures into
# a valid pcapng file. Multi-process needs hugepages: reserve some if the
# machine has none free, and give them back afterwards.
set -u
. "$(dirname "$0")/../lib/common.sh"

sec=$TPK_BUILD/test/pmd/test_mp_secondary
[ -x "$sec" ] || tpk_skip "test_mp_secondary not built"
command -v dpdk-proc-info >/dev/null || tpk_skip "dpdk-proc-info missing"

# Hugepages: a private hugetlbfs mount and, if needed, a temporary reservation.
hp_file=/proc/sys/vm/nr_hugepages
hp_old=$(cat $hp_file)
hp_free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if [ "$hp_free" -lt 256 ]; then
	echo $((hp_old + 256 - hp_free)) >$hp_file
fi
restore_hp() { echo "$hp_old" >$hp_file; }
hd=$(mktemp -d /run/tpk-huge.XXXXXX)
mount -t hugetlbfs -o pagesize=2M nodev "$hd" || tpk_skip "cannot mount hugetlbfs"
cleanup_mp() {
	tpk_cleanup
	rm -f "$hd"/* 2>/dev/null
	umount "$hd" 2>/dev/null
	rmdir "$hd" 2>/dev/null
	restore_hp
}
trap cleanup_mp EXIT
[ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 128 ] || tpk_skip "could not reserve hugepages"

dut=$(tpk_netns dut)
peer=$(tpk_netns peer)
tpk_veth "$dut" md0 "$peer" mp0
tpk_veth "$dut" md1 "$peer" mp1
tpk_stage_plugin
prefix=tpk-$TPK_TAG-mp
eal_mp="--no-pci --huge-dir $hd -m 256 --file-prefix $prefix"

# A secondary must register no tail queue the primary lacks (EAL: "Cannot
# init tail queues"). A DPDK built from source links each app with only
# its own libraries, and dpdk-proc-info and dpdk-dumpcap use some testpmd
# does not (Debian's packages link them all): the primary preloads those.
libs_of() { ldd "$(command -v "$1")" 2>/dev/null | awk '$1 ~ /^librte_/ && $3 ~ /^\// { print $3 }' | sort -u; }
extra=$(comm -13 <(libs_of dpdk-testpmd) <({ libs_of dpdk-proc-info; libs_of dpdk-dumpcap; } | sort -u) |
	tr '\n' ' ')
[ -n "$extra" ] && tpk_log "primary preloads: $extra"

# Primary: testpmd with the port started, forwarding not started.
d=$(mktemp -d /run/tpk-testpmd.XXXXXX); tpk_track_dir "$d"
TPM_FIFO=$d/cmd TPM_OUT=$d/out
mkfifo "$TPM_FIFO"
ip netns exec "$dut" env ${extra:+LD_PRELOAD="$extra"} stdbuf -oL dpdk-testpmd -l 0,1 $eal_mp -d "$TPK_PLUGIN" \
	--vdev=net_tpacket0,iface=md0 \
	--vdev=net_tpacket1,iface=md1,rx_mode=recvmmsg -- -i --total-num-mbufs=4096 \
	<"$TPM_FIFO" >"$TPM_OUT" 2>&1 &
TPM_PID=$!
tpk_track_pid $TPM_PID
exec {TPM_FD}>"$TPM_FIFO"
tpk_testpmd_wait 'testpmd> ' 30 || { cat "$TPM_OUT"; tpk_fail "primary did not start"; }

# secondary_rx PORT PEER_IF: a secondary receives 50 frames on queue 0.
secondary_rx() {
	local out=$d/rx-$1 spid rc
	ip netns exec "$dut" "$sec" -l 1 --proc-type=secondary $eal_mp -- "$1" rx 50 >"$out" 2>&1 &
	spid=$!
	tpk_track_pid $spid
	for i in $(seq 50); do grep -q ready "$out" && break; sleep 0.1; done
	ip netns exec "$peer" python3 "$TPK_TOP/test/lib/rawsock.py" send "$2" 50 0
	wait $spid; rc=$?
	cat "$out"
	return $rc
}

# 1. A secondary receives on queue 0 (ring port, then a port in
# rx_mode=recvmmsg: no ring to map, the secondary reads its own copy of
# the socket).
secondary_rx net_tpacket0 mp0 || { tail -5 "$TPM_OUT"; tpk_fail "secondary RX"; }
secondary_rx net_tpacket1 mp1 || tpk_fail "secondary RX, rx_mode=recvmmsg"

# 2. A secondary transmits on queue 0.
ip netns exec "$peer" python3 "$TPK_TOP/test/lib/rawsock.py" recv mp0 20 1000 >"$d/peer" 2>&1 &
ppid=$!
for i in $(seq 50); do grep -q ready "$d/peer" 2>/dev/null && break; sleep 0.1; done
ip netns exec "$dut" "$sec" -l 1 --proc-type=secondary $eal_mp -- net_tpacket0 tx 20 >"$d/tx" 2>&1
rc=$?
cat "$d/tx"
[ $rc -eq 0 ] || tpk_fail "secondary TX"
wait $ppid || { cat "$d/peer"; tpk_fail "peer did not receive the secondary's frames"; }
cat "$d/peer"

# 3. dpdk-proc-info reads the port's stats and xstats.
ip netns exec "$dut" dpdk-proc-info $eal_mp -d "$TPK_PLUGIN" -- --stats --xstats >"$d/pi" 2>&1 ||
	{ cat "$d/pi"; tpk_fail "dpdk-proc-info failed"; }
ip netns exec "$dut" dpdk-proc-info $eal_mp -d "$TPK_PLUGIN" -- --xstats >>"$d/pi" 2>&1 ||
	{ cat "$d/pi"; tpk_fail "dpdk-proc-info --xstats failed"; }
grep -qE "RX-packets: *5[0-9]" "$d/pi" || { cat "$d/pi"; tpk_fail "proc-info: RX-packets is not about 50"; }
grep -q "rx_q0_kernel_drops" "$d/pi" || { cat "$d/pi"; tpk_fail "proc-info: no net_tpacket xstats"; }
grep -q "tx_q0_syscalls" "$d/pi" || tpk_fail "proc-info: no TX xstats"
echo "proc-info: stats and xstats of the port read from a secondary"

# 3b. The drops of a DROP rule, read by a secondary: the rule's counters
# are per-CPU maps behind the primary's descriptors, so the secondary asks
# the primary over the multi-process channel.
flow_drops() {
	ip netns exec "$dut" dpdk-proc-info $eal_mp -d "$TPK_PLUGIN" -- --xstats 2>&1 |
		awk '$1 == "rx_flow_drops:" { print $2; exit }'
}
before=$(flow_drops)
[ -n "$before" ] || tpk_fail "proc-info: no rx_flow_drops xstat"
tpk_testpmd_cmd "flow create 0 ingress pattern eth type is 0x88b5 / end actions drop / end"
tpk_testpmd_wait "Flow rule #0 created" 30 || { tail -20 "$TPM_OUT"; tpk_fail "DROP rule not created"; }
ip netns exec "$peer" python3 "$TPK_TOP/test/lib/rawsock.py" send mp0 30 3000
for i in $(seq 30); do
	after=$(flow_drops)
	[ "$((after - before))" -ge 30 ] && break
	sleep 0.2
done
[ "$((after - before))" -eq 30 ] ||
	tpk_fail "proc-info: rx_flow_drops +$((after - before)), expected +30 (the primary's rule dropped 30)"
tpk_testpmd_cmd "flow flush 0"
tpk_testpmd_wait "Flow rule #0 destroyed" 10 || true
# A destroyed rule's drops stay in the port's counter.
[ "$(flow_drops)" -eq "$after" ] || tpk_fail "proc-info: rx_flow_drops changed when the rule went"
echo "proc-info: rx_flow_drops +30 in a secondary after a DROP rule in the primary"
# ... and rte_flow itself is the primary's: a secondary is refused.
ip netns exec "$dut" "$sec" -l 1 --proc-type=secondary $eal_mp -- net_tpacket0 flow 0 >"$d/flow" 2>&1 ||
	{ cat "$d/flow"; tpk_fail "secondary: rte_flow not refused with ENOSYS"; }
grep '^PASS' "$d/flow"

# 4. dpdk-dumpcap captures what testpmd receives.
tpk_testpmd_cmd "set fwd rxonly" "start"
pc=$d/cap.pcapng
# dumpcap builds its own EAL arguments (no -d): preload the driver. Also
# preload the mempool drivers Debian's testpmd links directly: mempool ops
# are numbered in registration order, and a secondary that registers them
# in another order hands the primary a wrong ops index (every copy fails).
mpdrv=$(ldd "$(command -v dpdk-testpmd)" | awk '/librte_mempool_[a-z]/ {print $1}' | tr '\n' ' ')
ip netns exec "$dut" env LD_PRELOAD="$mpdrv$TPK_PLUGIN" timeout 20 dpdk-dumpcap --file-prefix=$prefix -i net_tpacket0 -c 10 -w "$pc" -q >"$d/dc" 2>&1 &
dcpid=$!
tpk_track_pid $dcpid
sleep 2
for i in 1 2 3 4 5; do
	ip netns exec "$peer" python3 "$TPK_TOP/test/lib/rawsock.py" send mp0 10 $((2000 + i * 10))
	kill -0 $dcpid 2>/dev/null || break
	sleep 0.5
done
wait $dcpid; rc=$?
[ $rc -eq 0 ] || { cat "$d/dc"; tpk_fail "dpdk-dumpcap exited $rc"; }
n=$(capinfos -c -M "$pc" 2>/dev/null | awk '/Number of packets/ {print $NF}')
[ "${n:-0}" -ge 10 ] || { capinfos "$pc"; tpk_fail "pcapng has ${n:-0} packets"; }
tshark -r "$pc" -Y "eth.type == 0x88b5" -T fields -e frame.len 2>/dev/null | head -3 |
	grep -q '^100$' || tpk_fail "captured frames are not the 100-byte test frames"
echo "dumpcap: $n frames in a valid pcapng"
tpk_testpmd_cmd "stop"
tpk_testpmd_stop
echo "PASS"

#!/bin/bash
# What every DPDK version's testpmd must show of a net_tpacket port (run
# with the system DPDK and again for each version of the matrix):
#
#  - show port info: driver net_tpacket, the configured 2 RX/TX queues,
#    a firmware version naming the kernel and the probed features;
#  - show port <n> ptypes: the L2/L3/L4 types the driver fills
#    (dev_supported_ptypes_get reaches testpmd on every ethdev ABI);
#  - per-queue counters (xstats rx_q<N>_packets / tx_q<N>_packets, the
#    only place 25.11 keeps them) add up to the port totals;
#  - ping and a 2 s TCP run both ways with the veth offloads at their
#    defaults, and TcpInCsumErrors unchanged at both ends.
set -u
. "$(dirname "$0")/../lib/common.sh"

tpk_need dpdk-testpmd iperf3 ping ss nstat
tpk_stage_plugin
tpk_fwd_topology

die() {
	echo "FAIL: testpmd_port_info: $*" >&2
	[ -n "${TPM_OUT:-}" ] && { echo "--- testpmd output (tail)" >&2; tail -n 60 "$TPM_OUT" >&2; }
	[ -n "${TPK_IPERF_LOG:-}" ] && { echo "--- iperf3" >&2; cat "$TPK_IPERF_LOG" >&2; }
	exit 1
}

tpk_log "DPDK: $(command -v dpdk-testpmd)"
tpk_testpmd_start "$NS_FWD" 0,1 \
	"--vdev=net_tpacket0,iface=fc,queues=2 --vdev=net_tpacket1,iface=fs,queues=2" \
	"--rxq=2 --txq=2 --nb-cores=1 --forward-mode=io --auto-start --no-mlockall"
tpk_testpmd_wait 'Start automatic packet forwarding' 10 ||
	die "forwarding did not start"

for port in 0 1; do
	info=$(tpk_testpmd_show "show port info $port")
	echo "$info" | grep -q '^Driver name: net_tpacket$' ||
		die "port $port: no 'Driver name: net_tpacket' in: $info"
	echo "$info" | grep -q '^Current number of RX queues: 2$' ||
		die "port $port: not 2 RX queues: $info"
	echo "$info" | grep -q '^Current number of TX queues: 2$' ||
		die "port $port: not 2 TX queues: $info"
	echo "$info" | grep -Eq '^Firmware-version: linux [0-9]+\.[0-9]+' ||
		die "port $port: no kernel firmware version: $info"
done
tpk_log "$(echo "$info" | grep '^Firmware-version')"

pt=$(tpk_testpmd_show "show port 0 ptypes")
echo "$pt"
echo "$pt" | grep -Eq '^(L2|L3|L4) ptypes unsupported' && die "testpmd reads no packet types: $pt"
for t in L2_ETHER L2_ETHER_VLAN L3_IPV4 L3_IPV6 L4_TCP L4_UDP L4_FRAG; do
	echo "$pt" | grep -Eq "(^|[[:space:]])$t([[:space:]]|$)" || die "ptypes lack $t: $pt"
done
tpk_log "ptypes: L2, L3 and L4 types listed"

c0_srv=$(tpk_nstat "$NS_SRV" TcpInCsumErrors) c0_cli=$(tpk_nstat "$NS_CLI" TcpInCsumErrors)
out=$(ip netns exec "$NS_CLI" ping -c 3 -i 0.2 -W 2 "$SRV_IP" 2>&1) ||
	die "ping failed: $out"
tpk_iperf_server "$NS_SRV"
tpk_iperf "$NS_CLI" "$SRV_IP" 2 -P 4 || die "iperf3 cli -> srv failed"
[ "$TPK_RATE" -gt 0 ] || die "iperf3 cli -> srv rate 0"
up=$TPK_RATE
tpk_iperf "$NS_CLI" "$SRV_IP" 2 -P 4 -R || die "iperf3 srv -> cli failed"
[ "$TPK_RATE" -gt 0 ] || die "iperf3 srv -> cli rate 0"
tpk_log "TCP: cli -> srv $(tpk_mbit_str "$up"), srv -> cli $(tpk_mbit_str "$TPK_RATE")"
c1_srv=$(tpk_nstat "$NS_SRV" TcpInCsumErrors) c1_cli=$(tpk_nstat "$NS_CLI" TcpInCsumErrors)
[ "$c1_srv" -eq "$c0_srv" ] && [ "$c1_cli" -eq "$c0_cli" ] ||
	die "TcpInCsumErrors srv $c0_srv -> $c1_srv, cli $c0_cli -> $c1_cli"

# Stop forwarding so that the counters hold still while they are read.
tpk_testpmd_cmd "stop"
st=$(tpk_testpmd_show "show port stats all")
for port in 0 1; do
	xs=$(tpk_testpmd_show "show port xstats $port")
	xv() { printf '%s\n' "$xs" | awk -v k="$1:" '$1 == k { v = $2 } END { print (v ~ /^[0-9]+$/) ? v : -1 }'; }
	rxp=$(tpk_stat_of "$st" $port RX-packets) txp=$(tpk_stat_of "$st" $port TX-packets)
	q0=$(xv rx_q0_packets) q1=$(xv rx_q1_packets)
	t0=$(xv tx_q0_packets) t1=$(xv tx_q1_packets)
	[ "$q0" -ge 0 ] && [ "$q1" -ge 0 ] && [ "$t0" -ge 0 ] && [ "$t1" -ge 0 ] ||
		die "port $port: no per-queue xstats: $xs"
	[ $((q0 + q1)) -eq "$rxp" ] || die "port $port: rx_q0 $q0 + rx_q1 $q1 != RX-packets $rxp"
	[ $((t0 + t1)) -eq "$txp" ] || die "port $port: tx_q0 $t0 + tx_q1 $t1 != TX-packets $txp"
	[ "$rxp" -gt 0 ] && [ "$txp" -gt 0 ] || die "port $port: no traffic counted"
	tpk_log "port $port: RX $rxp = $q0 + $q1, TX $txp = $t0 + $t1"
done

tpk_testpmd_stop
tpk_log "PASS"
exit 0

#!/bin/bash
# make demo: dpdk-testpmd forwards between two network namespaces through
# two net_tpacket ports, then ping and iperf3 run across it; iperf3 runs
# again with the configuration the guide recommends for TCP
# (rx_mode=recvmmsg, testpmd --enable-lro).
#
#   cli: c0 10.9.0.1 -- fc [port 0 | testpmd io | port 1] fs -- s0 10.9.0.2 :srv
#
# Builds nothing (make builds first). Everything it creates (namespaces,
# veths, processes, temporary files) is removed on exit, Ctrl-C included.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/test/lib/common.sh"

SECONDS_IPERF=${DEMO_SECONDS:-5}

[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces, AF_PACKET)" >&2; exit 1; }
for c in dpdk-testpmd iperf3 ping ss; do
	command -v "$c" >/dev/null || { echo "demo: $c is not installed" >&2; exit 1; }
done
[ -f "$TPK_BUILD/drivers/net/tpacket/librte_net_tpacket.so" ] ||
	{ echo "demo: the driver is not built: run 'make demo' (or 'make' first)" >&2; exit 1; }

oops() {
	echo "demo: $*" >&2
	[ -n "${TPM_OUT:-}" ] && [ -f "$TPM_OUT" ] &&
		{ echo "--- testpmd output (tail)" >&2; tail -n 30 "$TPM_OUT" >&2; }
	exit 1
}
step() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/   /'; }

step "Topology"
tpk_stage_plugin
tpk_fwd_topology
cat <<EOF
   namespace $NS_CLI: c0 $CLI_IP/24  <-veth->  fc (in $NS_FWD)
   namespace $NS_SRV: s0 $SRV_IP/24  <-veth->  fs (in $NS_FWD)
   namespace $NS_FWD: dpdk-testpmd, io forwarding, port 0 = fc, port 1 = fs
   veth offloads at their defaults (TSO/GSO, partial checksums)
EOF

step "Starting dpdk-testpmd with two net_tpacket ports (2 queues each)"
vdevs="--vdev=net_tpacket0,iface=fc,queues=2 --vdev=net_tpacket1,iface=fs,queues=2"
echo "   dpdk-testpmd -l 0,1 --no-pci --no-huge -m 1024 -d librte_net_tpacket.so \\"
echo "       $vdevs \\"
echo "       -- --rxq=2 --txq=2 --nb-cores=1 --forward-mode=io --auto-start"
tpk_testpmd_start "$NS_FWD" 0,1 "$vdevs" \
	"--rxq=2 --txq=2 --nb-cores=1 --forward-mode=io --auto-start --no-mlockall"
tpk_testpmd_wait 'Start automatic packet forwarding' 10 ||
	oops "testpmd did not start forwarding"
for p in 0 1; do
	info=$(tpk_testpmd_show "show port info $p")
	echo "$info" | grep -q '^Driver name: net_tpacket' ||
		oops "port $p is not a net_tpacket port"
	printf '   port %s: %s, %s, %s, %s RX/%s TX queues, %s\n' "$p" \
		"$(echo "$info" | grep -m1 '^Driver name:')" \
		"$(echo "$info" | grep -m1 '^Devargs:')" \
		"$(echo "$info" | grep -m1 '^Link status:')" \
		"$(echo "$info" | sed -n 's/^Current number of RX queues: //p')" \
		"$(echo "$info" | sed -n 's/^Current number of TX queues: //p')" \
		"$(echo "$info" | grep -m1 '^Firmware-version:')"
done

step "ping -c 5 $SRV_IP (from $NS_CLI, through testpmd)"
ip netns exec "$NS_CLI" ping -c 5 -i 0.2 -W 2 "$SRV_IP" 2>&1 | indent
[ "${PIPESTATUS[0]}" -eq 0 ] || oops "ping through testpmd failed"

step "iperf3 TCP, $SECONDS_IPERF s, $NS_CLI -> $NS_SRV"
tpk_iperf_server "$NS_SRV"
tpk_iperf "$NS_CLI" "$SRV_IP" "$SECONDS_IPERF" || { indent <"$TPK_IPERF_LOG"; oops "iperf3 failed"; }
grep -E 'sender|receiver' "$TPK_IPERF_LOG" | indent
[ "$TPK_RATE" -gt 0 ] || oops "iperf3 measured no throughput"

step "testpmd: show port stats all"
tpk_testpmd_show "show port stats all" | grep -vE '^\s*$|Throughput|-pps|^show ' | indent
rate1=$TPK_RATE mb1=$TPK_RX_MB
tpk_testpmd_stop
tpk_untrack_pid "$TPM_PID"

step "Again for TCP: rx_mode=recvmmsg, testpmd --enable-lro (super-frames cross whole)"
vdevs="--vdev=net_tpacket0,iface=fc,queues=2,rx_mode=recvmmsg --vdev=net_tpacket1,iface=fs,queues=2,rx_mode=recvmmsg"
echo "   dpdk-testpmd ... $vdevs \\"
echo "       -- --rxq=2 --txq=2 --nb-cores=1 --forward-mode=io --enable-lro --auto-start"
tpk_testpmd_start "$NS_FWD" 0,1 "$vdevs" \
	"--rxq=2 --txq=2 --nb-cores=1 --forward-mode=io --enable-lro --auto-start --no-mlockall"
tpk_testpmd_wait 'Start automatic packet forwarding' 10 ||
	oops "testpmd did not start forwarding"
ip netns exec "$NS_CLI" ping -c 1 -W 2 "$SRV_IP" >/dev/null || oops "ping through testpmd failed"
tpk_iperf "$NS_CLI" "$SRV_IP" "$SECONDS_IPERF" || { indent <"$TPK_IPERF_LOG"; oops "iperf3 failed"; }
grep -E 'sender|receiver' "$TPK_IPERF_LOG" | indent
[ "$TPK_RATE" -gt 0 ] || oops "iperf3 measured no throughput"

step "Result"
echo "   iperf3 through net_tpacket, TCP, 1 stream, $SECONDS_IPERF s each:"
echo "     default devargs, io engine:        $(tpk_mbit_str "$rate1") ($mb1 MiB)"
echo "     rx_mode=recvmmsg, --enable-lro:    $(tpk_mbit_str "$TPK_RATE") ($TPK_RX_MB MiB)"

tpk_testpmd_stop
echo
echo "Cleaning up (namespaces, veths, processes)."
exit 0

#!/bin/bash
# End-to-end foundation: dpdk-testpmd bridges two veths through two
# net_tpacket ports (2 queues each, io forwarding) between a client and a
# server namespace:
#
#   cli: c0 10.9.0.1 -- fc [testpmd port 0 | fwd | port 1] fs -- s0 10.9.0.2 :srv
#
# Asserts: the ports are net_tpacket ones with 2 RX/TX queues, ping and a
# 3 s iperf3 TCP run go through (rate > 0), and the port counters saw the
# traffic (RX/TX packets > 0, at least the bytes iperf3 delivered, no
# RX/TX errors). Veth offloads stay at their defaults, so the driver gets
# GSO super-frames and partial checksums from the kernel.
set -u
. "$(dirname "$0")/../lib/common.sh"

tpk_need dpdk-testpmd iperf3 ping ss nstat
tpk_stage_plugin
tpk_fwd_topology

die() {
	echo "FAIL: testpmd_fwd: $*" >&2
	[ -n "${TPM_OUT:-}" ] && { echo "--- testpmd output (tail)" >&2; tail -n 60 "$TPM_OUT" >&2; }
	[ -n "${TPK_IPERF_LOG:-}" ] && { echo "--- iperf3" >&2; cat "$TPK_IPERF_LOG" >&2; }
	exit 1
}

# TPK_E2E_DEVARGS: extra devargs for both ports (e.g. tx_mode=ring).
X=${TPK_E2E_DEVARGS:+,$TPK_E2E_DEVARGS}
tpk_log "starting testpmd in $NS_FWD"
tpk_testpmd_start "$NS_FWD" 0,1 \
	"--vdev=net_tpacket0,iface=fc,queues=2$X --vdev=net_tpacket1,iface=fs,queues=2$X" \
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
	echo "$info" | grep -q '^Link status: up$' ||
		die "port $port: link not up: $info"
done
tpk_log "ports 0 and 1: net_tpacket, 2 RX + 2 TX queues, link up"

csum0=$(tpk_nstat "$NS_SRV" TcpInCsumErrors)

out=$(ip netns exec "$NS_CLI" ping -c 5 -i 0.2 -W 2 "$SRV_IP" 2>&1) ||
	die "ping $SRV_IP through testpmd failed: $out"
echo "$out" | grep -q ' 5 received' || die "ping lost packets: $out"
tpk_log "ping: 5/5 replies"

tpk_iperf_server "$NS_SRV"
tpk_iperf "$NS_CLI" "$SRV_IP" 3 || die "iperf3 failed (rc $?)"
[ "$TPK_RATE" -gt 0 ] || die "iperf3 rate is 0"
tpk_log "iperf3 TCP cli -> srv: $(tpk_mbit_str "$TPK_RATE") ($TPK_RX_MB MiB received)"

csum1=$(tpk_nstat "$NS_SRV" TcpInCsumErrors)
[ "$csum1" -eq "$csum0" ] ||
	die "TcpInCsumErrors in srv went from $csum0 to $csum1"

st=$(tpk_testpmd_show "show port stats all")
echo "$st"
for port in 0 1; do
	for f in RX-packets TX-packets RX-bytes TX-bytes; do
		v=$(tpk_stat_of "$st" $port $f)
		[ "$v" -gt 0 ] || die "port $port $f is $v"
	done
	for f in RX-errors TX-errors RX-nombuf; do
		v=$(tpk_stat_of "$st" $port $f)
		[ "$v" -eq 0 ] || die "port $port $f is $v"
	done
done
# The client's data enters on port 0 and leaves on port 1: at least the
# payload bytes iperf3's receiver counted (MiB) went through each way.
need=$((TPK_RX_MB * 1048576))
rx0=$(tpk_stat_of "$st" 0 RX-bytes) tx1=$(tpk_stat_of "$st" 1 TX-bytes)
[ "$rx0" -ge "$need" ] || die "port 0 RX-bytes $rx0 < iperf3 payload $need"
[ "$tx1" -ge "$need" ] || die "port 1 TX-bytes $tx1 < iperf3 payload $need"

tpk_testpmd_stop
tpk_log "PASS: ping, iperf3 $(tpk_mbit_str "$TPK_RATE"), counters consistent"
exit 0

#!/bin/bash
# TCP through dpdk-testpmd and two net_tpacket ports, with the veth
# offloads at their defaults (the kernel hands the driver GSO super-frames
# and partial checksums), both directions, IPv4 and IPv6, in three
# forwarding configurations:
#
#   io    io engine: the driver cuts super-frames into MTU frames and
#         finishes their checksums on RX, sends plain frames on TX;
#   csum  csum engine, IPv4/TCP/UDP checksum and TSO (1448) offloads on
#         both ports: TX frames carry offload requests (virtio-net header);
#   mac   mac engine (addresses rewritten to the peers), same ports;
#   lro   io engine with --enable-lro: super-frames are received whole
#         (mbuf chains) and the driver re-offloads them on TX.
#
# Each of the 16 runs asserts: the iperf3 rate is > 0, RX/TX errors are 0
# on both ports, the frame sizes on the data-carrying port match the mode
# (<= one MTU frame without LRO, super-frames with it) and TcpInCsumErrors
# does not move in either end namespace. The csum engine must also see no
# bad IP/L4 checksum in what the driver delivers.
set -u
. "$(dirname "$0")/../lib/common.sh"

# TPK_E2E_DEVARGS: extra devargs for both ports (e.g. tx_mode=ring).
T=${TPK_IPERF_SECONDS:-2}
X=${TPK_E2E_DEVARGS:+,$TPK_E2E_DEVARGS}
VDEVS="--vdev=net_tpacket0,iface=fc,queues=2$X --vdev=net_tpacket1,iface=fs,queues=2$X"
APP="--rxq=2 --txq=2 --nb-cores=1 --forward-mode=io --auto-start --no-mlockall"

tpk_need dpdk-testpmd iperf3 ping ss nstat
tpk_stage_plugin
tpk_fwd_topology

die() {
	echo "FAIL: testpmd_tcp_offloads: $*" >&2
	[ -n "${TPM_OUT:-}" ] && { echo "--- testpmd output (tail)" >&2; tail -n 60 "$TPM_OUT" >&2; }
	[ -n "${TPK_IPERF_LOG:-}" ] && { echo "--- last iperf3" >&2; cat "$TPK_IPERF_LOG" >&2; }
	[ ${#results[@]} -gt 0 ] && { echo "--- rates so far" >&2; printf '%s\n' "${results[@]}" >&2; }
	exit 1
}
results=()

start_testpmd() {
	tpk_testpmd_start "$NS_FWD" 0,1 "$VDEVS" "$APP $*"
	tpk_testpmd_wait 'Start automatic packet forwarding' 10 ||
		die "forwarding did not start"
}

stop_testpmd() {
	tpk_testpmd_stop
	tpk_untrack_pid "$TPM_PID"
}

# Resolve neighbours both ways before measuring.
warm_up() {
	ip netns exec "$NS_CLI" ping -c 1 -W 2 "$SRV_IP" >/dev/null ||
		die "$1: ping $SRV_IP failed"
	ip netns exec "$NS_CLI" ping -6 -c 1 -W 2 "$SRV_IP6" >/dev/null ||
		die "$1: ping $SRV_IP6 failed"
}

# run_case CONFIG FAMILY DIR: one iperf3 run; DIR is fwd (cli -> srv,
# data enters port 0) or rev (iperf3 -R, data enters port 1).
run_case() {
	local cfg=$1 fam=$2 dir=$3 dst args=() in out st c0 s0 c1 s1 irc
	local what p rxp rxb avg
	[ "$fam" = ipv4 ] && dst=$SRV_IP || dst=$SRV_IP6
	if [ "$dir" = fwd ]; then in=0 out=1 what="cli->srv"
	else in=1 out=0 what="srv->cli" args=(-R); fi

	tpk_testpmd_show "clear port stats all" >/dev/null
	c0=$(tpk_nstat "$NS_CLI" TcpInCsumErrors)
	s0=$(tpk_nstat "$NS_SRV" TcpInCsumErrors)
	tpk_iperf "$NS_CLI" "$dst" "$T" "${args[@]}"
	irc=$?
	c1=$(tpk_nstat "$NS_CLI" TcpInCsumErrors)
	s1=$(tpk_nstat "$NS_SRV" TcpInCsumErrors)
	st=$(tpk_testpmd_show "show port stats all")

	# Port errors first: they say more than a failed iperf3 run.
	for p in 0 1; do
		for f in RX-errors TX-errors RX-nombuf; do
			[ "$(tpk_stat_of "$st" $p $f)" -eq 0 ] ||
				die "$cfg $fam $what: port $p $f != 0: $st"
		done
	done
	[ $irc -eq 0 ] || die "$cfg $fam $what: iperf3 failed (rc $irc): $st"
	[ "$TPK_RATE" -gt 0 ] || die "$cfg $fam $what: iperf3 rate is 0: $st"
	[ "$c1" -eq "$c0" ] || die "$cfg $fam $what: TcpInCsumErrors in cli $c0 -> $c1"
	[ "$s1" -eq "$s0" ] || die "$cfg $fam $what: TcpInCsumErrors in srv $s0 -> $s1"
	rxp=$(tpk_stat_of "$st" $in RX-packets)
	rxb=$(tpk_stat_of "$st" $in RX-bytes)
	[ "$rxp" -gt 0 ] || die "$cfg $fam $what: no RX packets on port $in"
	[ "$(tpk_stat_of "$st" $out TX-packets)" -gt 0 ] ||
		die "$cfg $fam $what: no TX packets on port $out"
	avg=$((rxb / rxp))
	if [ "$cfg" = lro ]; then
		# Whole super-frames: far above one MTU frame on average.
		[ "$avg" -gt 3000 ] ||
			die "$cfg $fam $what: port $in RX average $avg B: super-frames were not delivered whole"
	else
		[ "$avg" -le 1518 ] ||
			die "$cfg $fam $what: port $in RX average $avg B exceeds one MTU frame without LRO"
	fi
	results+=("$(printf '%-5s %-4s %-9s %12s   (port %d RX: %d pkts, avg %d B)' \
		"$cfg" "$fam" "$what" "$(tpk_mbit_str "$TPK_RATE")" "$in" "$rxp" "$avg")")
	tpk_log "${results[-1]}"
}

run_config() {
	local fam dir
	warm_up "$1"
	for fam in ipv4 ipv6; do
		for dir in fwd rev; do
			run_case "$1" $fam $dir
		done
	done
}

tpk_iperf_server "$NS_SRV"

# (a) io engine
start_testpmd
run_config io

# (b) csum engine with checksum and TSO offloads on both ports
mac_c0=$(ip -n "$NS_CLI" -br link show c0 | awk '{ print $3 }')
mac_s0=$(ip -n "$NS_SRV" -br link show s0 | awk '{ print $3 }')
tpk_testpmd_show "stop" >/dev/null
tpk_testpmd_show "port stop all" >/dev/null
for p in 0 1; do
	for c in "csum set ip hw $p" "csum set tcp hw $p" "csum set udp hw $p" \
		 "tso set 1448 $p"; do
		o=$(tpk_testpmd_show "$c")
		echo "$o" | grep -qiE 'error|not supported|please stop|invalid' &&
			die "'$c': $o"
	done
done
tpk_testpmd_show "port start all" >/dev/null
for p in 0 1; do
	o=$(tpk_testpmd_show "show port $p tx_offload configuration")
	for f in IPV4_CKSUM TCP_CKSUM TCP_TSO; do
		echo "$o" | grep -q "Port :.*$f" || die "port $p: $f not enabled: $o"
	done
done
# The csum engine rewrites the MAC addresses: aim at the real peers.
tpk_testpmd_show "set eth-peer 0 $mac_c0" >/dev/null
tpk_testpmd_show "set eth-peer 1 $mac_s0" >/dev/null
tpk_testpmd_show "set fwd csum" >/dev/null
o=$(tpk_testpmd_show "start")
echo "$o" | grep -q 'csum packet forwarding' || die "csum engine did not start: $o"
run_config csum
o=$(tpk_testpmd_show "show fwd stats all")
bad=$(echo "$o" | grep -oE '(Bad-ipcsum|Bad-l4csum): [0-9]+' | awk '{ s += $2 } END { print s + 0 }')
echo "$o" | grep -q 'Bad-l4csum' || die "no checksum counters in: $o"
[ "$bad" -eq 0 ] || die "csum engine saw $bad bad checksums in RX: $o"

# (c) mac engine: MAC addresses rewritten to the real peers (eth-peer above)
tpk_testpmd_show "stop" >/dev/null
tpk_testpmd_show "set fwd mac" >/dev/null
o=$(tpk_testpmd_show "start")
echo "$o" | grep -q 'mac packet forwarding' || die "mac engine did not start: $o"
run_config mac
stop_testpmd

# (d) io engine, LRO: super-frames forwarded whole
start_testpmd --enable-lro
o=$(tpk_testpmd_show "show port 0 rx_offload configuration")
echo "$o" | grep -q 'Port :.*TCP_LRO' || die "LRO not enabled: $o"
run_config lro
stop_testpmd

# A shell error inside run_case (not a die) would skip cases silently.
[ ${#results[@]} -eq 16 ] || die "${#results[@]} of 16 runs completed"
echo "iperf3 TCP rates through net_tpacket (${T} s each, 2 queues per port${X:+, devargs ${X#,}}):"
printf '  %s\n' "${results[@]}"
exit 0

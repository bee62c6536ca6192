#!/bin/bash
# DPDK's l3fwd-power example in interrupt mode (--interrupt-only, 22.11:
# the lcore sleeps in rte_epoll_wait on the queues' RX interrupts and
# polls again when one fires) routing between the cli and srv namespaces
# through two net_tpacket ports, veth offloads at their defaults (see
# test/lib/examples.sh). Its built-in LPM table routes 1.1.1.0/24 to port
# 0 and 2.1.1.0/24 to port 1; destination MACs are 02:00:00:00:00:<port>:
#   cli 1.1.1.1/24 via 1.1.1.254 (fc's MAC)   srv 2.1.1.1/24 via 2.1.1.254 (fs's MAC)
#
# Cases: l3fwd-power-intr (-l 1, one queue per port), l3fwd-power-intr-ptype
# (the same with --parse-ptype). Checks: ping both ways, iperf3 TCP both
# ways, TcpInCsumErrors unchanged, the lcore went to sleep on interrupts
# while idle and woke up for traffic (app output), exit on SIGTERM.
# Known driver problems (failures unless TPK_EXPECT_FIXED=0):
#   parse-ptype-tcp  with --parse-ptype no TCP gets through
#   power-intr       interrupt mode may fail to start or to wake up
# TPK_EXAMPLES_PMD=af_packet runs the same cases on net_af_packet for
# comparison (exit 0; see test/lib/examples.sh).
# net_af_packet has no RX queue interrupts (nor packet types, which
# l3fwd-power checks for without --parse-ptype): failed checks are n/a there.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/examples.sh"

CASES="l3fwd-power-intr l3fwd-power-intr-ptype"
ex_init $CASES
ex_addr 1.1.1.1/24 1.1.1.254 2.1.1.1/24 2.1.1.254
VDEVS=$(ex_vdevs)
APP='-p 0x3 -P --config=(0,0,1),(1,0,1) --interrupt-only'

# pw_case CASE "app args" TCP_KNOWN_ID AF_PACKET_NA_REASON
pw_case() {
	local c=$1 k=$3
	EX_NA=$4
	ex_want "$c" || return 0
	EX_KNOWN_START=power-intr
	ex_start "$c" l3fwd-power "-l 1 $VDEVS" "$APP $2" 'entering main interrupt loop' || return 0
	EX_KNOWN_START=""
	sleep 1
	ex_ping "$c" 4 power-intr
	ex_tcp "$c" 4 "$k"
	local wakes
	wakes=$(grep -acE 'wake up|waked up|woke' "$EX_OUT")
	local sleeps
	sleeps=$(grep -ac 'sleeps until interrupt' "$EX_OUT")
	ex_row "$c" "sleeps when idle" $([ "$sleeps" -gt 0 ]; echo $?) "$sleeps sleep messages" power-intr
	ex_row "$c" "wakes up on RX interrupt" $([ "$wakes" -gt 0 ]; echo $?) "$wakes wake-up messages" power-intr
	ex_exit "$c"
}

pw_case l3fwd-power-intr "" "" "no packet type reporting, no RX queue interrupts"
pw_case l3fwd-power-intr-ptype --parse-ptype parse-ptype-tcp "no RX queue interrupts"

ex_finish examples_power

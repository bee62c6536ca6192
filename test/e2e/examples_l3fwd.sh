#!/bin/bash
# DPDK's l3fwd example routing between the cli and srv namespaces through
# two net_tpacket ports (fc = port 0, fs = port 1) in the fwd namespace,
# veth offloads at their defaults (see test/lib/examples.sh).
#
# Addresses match l3fwd's built-in LPM table (198.18.0.0/24 and
# 2001:200::/64 -> port 0, 198.18.1.0/24 and 2001:200:0:1::/64 -> port 1):
#   cli 198.18.0.1/24 2001:200::1/64, gateway .254 / ::fe (neighbour: fc's MAC)
#   srv 198.18.1.1/24 2001:200:0:1::1/64, gateway .254 / ::fe (fs's MAC)
# l3fwd writes 02:00:00:00:00:<port> as the destination, which c0 and s0
# carry. Exact match (EM) looks up 5-tuples, so EM runs get rule files
# (--rule_ipv4/--rule_ipv6, 22.11) with the iperf3 flows (cli's ephemeral
# ports limited to 40000-40063, server port 5201) and a UDP flow
# (40100 -> 9999 both ways). l3fwd's EM path looks up TCP and UDP only and
# sends anything else (ICMP) back out of its input port, so EM runs check
# 10 UDP datagrams each way instead of ping.
#
# Cases (TPK_APPS selects, globs allowed):
#   l3fwd-lpm-1q         -l 1, one RX queue per port, both on lcore 1
#   l3fwd-lpm-2q         -l 0,1, 2 RX queues per port over 2 lcores (queues=2)
#   l3fwd-lpm-1q-ptype   l3fwd-lpm-1q with --parse-ptype
#   l3fwd-lpm-2q-ptype   l3fwd-lpm-2q with --parse-ptype
#   l3fwd-em-1q, l3fwd-em-2q, l3fwd-em-1q-ptype   the same with --lookup=em
#   l3fwd-doc            the command of doc/guides/nics/tpacket.rst: 2 lcores,
#                        one queue per port, default devargs (queues=1):
#                        l3fwd needs one TX queue per lcore, 2 > max_tx_queues
#   l3fwd-doc-queues2    the same command with queues=2 on both ports
# Checks: ping both ways (IPv4 and IPv6; UDP datagrams in EM), iperf3 TCP both ways (IPv4;
# IPv6 too in l3fwd-lpm-1q), TcpInCsumErrors unchanged in cli and srv,
# exit on SIGTERM.
# Known driver problems (failures unless TPK_EXPECT_FIXED=0):
#   parse-ptype-tcp  with --parse-ptype no TCP gets through (the far end
#                    counts TcpInCsumErrors)
#   txq-max          l3fwd-doc: nb_tx_queues (one per lcore) > max_tx_queues
# TPK_EXAMPLES_PMD=af_packet runs the same cases on net_af_packet for
# comparison (exit 0; queues=2 becomes qpairs=2; see test/lib/examples.sh):
# n/a there, as l3fwd always requests RX checksum offloads (and l3fwd-doc
# one TX queue per lcore, more than qpairs=1 gives).
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/examples.sh"

CASES="l3fwd-lpm-1q l3fwd-lpm-2q l3fwd-lpm-1q-ptype l3fwd-lpm-2q-ptype
l3fwd-em-1q l3fwd-em-2q l3fwd-em-1q-ptype l3fwd-doc l3fwd-doc-queues2"
ex_init $CASES
ex_addr 198.18.0.1/24 198.18.0.254 198.18.1.1/24 198.18.1.254 \
	2001:200::1/64 2001:200::fe 2001:200:0:1::1/64 2001:200:0:1::fe
ip netns exec "$NS_CLI" sysctl -qw net.ipv4.ip_local_port_range="40000 40063"

# EM rule files.
rules=$(mktemp -d /run/tpk-l3fwd.XXXXXX); tpk_track_dir "$rules"
{
	echo "# net_tpacket e2e: iperf3 flows and ICMP echoes between cli and srv"
	for ((p = 40000; p < 40064; p++)); do
		echo "R$SRV_IP $CLI_IP 5201 $p 0x6 1"
		echo "R$CLI_IP $SRV_IP $p 5201 0x6 0"
	done
	echo "R$SRV_IP $CLI_IP 9999 40100 0x11 1"
	echo "R$CLI_IP $SRV_IP 9999 40100 0x11 0"
} >"$rules/em_v4.cfg"
echo "R2001:0200:0000:0000:0000:0000:0000:0000 2001:0200:0000:0000:0000:0000:0000:0001 9 9 0x11 0" >"$rules/em_v6.cfg"
EM_RULES="--rule_ipv4=$rules/em_v4.cfg --rule_ipv6=$rules/em_v6.cfg"

V1=$(ex_vdevs)
V2=$(ex_vdevs 2)
C1='--config=(0,0,1),(1,0,1)'
C2='--config=(0,0,0),(0,1,1),(1,0,0),(1,1,1)'
READY='entering main loop on lcore'
# shellcheck disable=SC2034 # read by ex_row (af_packet mode)
EX_NA="no RX checksum offload (l3fwd requests it)"

# l3_case CASE "EAL args" "app args" lpm|em TCP_KNOWN_ID [v6tcp]
l3_case() {
	local c=$1 k=$5
	ex_want "$c" || return 0
	ex_start "$c" l3fwd "$2" "$3" "$READY" || return 0
	if [ "$4" = em ]; then
		# EM looks up TCP and UDP only (em_get_dst_port): anything
		# else, ICMP included, goes back out of the port it came in on.
		ex_udp "$c" 1000 10 "fwd rev"
	else
		ex_ping "$c" 4
		ex_ping "$c" 6
	fi
	ex_tcp "$c" 4 "$k"
	[ "${6:-}" = v6tcp ] && ex_tcp "$c" 6 "$k"
	ex_exit "$c"
}

l3_case l3fwd-lpm-1q "-l 1 $V1" "-p 0x3 -P $C1" lpm "" v6tcp
l3_case l3fwd-lpm-2q "-l 0,1 $V2" "-p 0x3 -P $C2" lpm ""
l3_case l3fwd-lpm-1q-ptype "-l 1 $V1" "-p 0x3 -P $C1 --parse-ptype" lpm parse-ptype-tcp
l3_case l3fwd-lpm-2q-ptype "-l 0,1 $V2" "-p 0x3 -P $C2 --parse-ptype" lpm parse-ptype-tcp
l3_case l3fwd-em-1q "-l 1 $V1" "-p 0x3 -P $C1 --lookup=em $EM_RULES" em ""
l3_case l3fwd-em-2q "-l 0,1 $V2" "-p 0x3 -P $C2 --lookup=em $EM_RULES" em ""
l3_case l3fwd-em-1q-ptype "-l 1 $V1" "-p 0x3 -P $C1 --lookup=em --parse-ptype $EM_RULES" em parse-ptype-tcp

# The guide's command: "-l 1,2 ... -- -p 0x3 -P --config="(0,0,1),(1,0,2)"".
# With fewer than 3 CPUs, lcores 1 and 2 run on CPUs 0 and 1 (--lcores).
DOC_L="-l 1,2"
[ "$(nproc)" -ge 3 ] || DOC_L="--lcores=1@0,2@1"
EX_KNOWN_START=txq-max
EX_NA="1 TX queue with qpairs=1 (l3fwd wants 1 per lcore); no RX checksum offload"
l3_case l3fwd-doc "$DOC_L $V1" '-p 0x3 -P --config=(0,0,1),(1,0,2)' lpm ""
EX_KNOWN_START=""
# shellcheck disable=SC2034
EX_NA="no RX checksum offload (l3fwd requests it)"
l3_case l3fwd-doc-queues2 "$DOC_L $V2" '-p 0x3 -P --config=(0,0,1),(1,0,2)' lpm ""

ex_finish examples_l3fwd

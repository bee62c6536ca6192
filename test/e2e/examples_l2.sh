#!/bin/bash
# DPDK example applications that forward at layer 2, between the cli and
# srv namespaces (one subnet, 10.9.0.0/24 and fd00:9::/64) through two
# net_tpacket ports on fc and fs in the fwd namespace, veth offloads at
# their defaults (see test/lib/examples.sh):
#
#   skeleton        basicfwd: port 0 <-> port 1, one lcore
#   l2fwd           -p 0x3 -q 2 --no-mac-updating, one lcore
#   l2fwd-mac       -p 0x3 -q 2 with MAC updating (dst 02:00:00:00:00:<port>,
#                   which is what c0 and s0 carry)
#   rxtx_callbacks  basicfwd with RX/TX callbacks (software TSC latency)
#   rxtx_callbacks-t  the same with -t (RX timestamp offload, rte_eth_read_clock)
#   ethtool         the ethtool example's commands from stdin (drvinfo,
#                   link, macaddr, mtu, regs, portstats); it reflects frames
#                   back out of the port they came in on, so only the port
#                   counters are checked for traffic
#
# Checks per forwarding app: ping cli<->srv (IPv4 and IPv6, 3/3, RTT),
# iperf3 TCP (IPv4) in both directions, TcpInCsumErrors unchanged in cli
# and srv, clean exit on SIGINT.
# TPK_APPS selects cases (TPK_APPS=l2fwd-mac), TPK_EXPECT_FIXED=0 tolerates
# known driver problems (none known here).
# TPK_EXAMPLES_PMD=af_packet runs the same cases on net_af_packet for
# comparison (exit 0; see test/lib/examples.sh).
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/examples.sh"

CASES="skeleton l2fwd l2fwd-mac rxtx_callbacks rxtx_callbacks-t ethtool"
ex_init $CASES
ex_addr 10.9.0.1/24 "" 10.9.0.2/24 "" fd00:9::1/64 "" fd00:9::2/64 ""
VDEVS=$(ex_vdevs)

# fwd_case CASE APP LCORES "app args" READY [nohandler]
fwd_case() {
	ex_want "$1" || return 0
	ex_start "$1" "$2" "$3 $VDEVS" "$4" "$5" || return 0
	ex_ping "$1" 4
	ex_ping "$1" 6
	ex_tcp "$1" 4
	ex_exit "$1" "${6:-}"
}

fwd_case skeleton skeleton "-l 1" "" 'Core [0-9]+ forwarding packets' nohandler
fwd_case l2fwd l2fwd "-l 1" "-p 0x3 -q 2 -T 0 --no-mac-updating" 'entering main loop on lcore'
fwd_case l2fwd-mac l2fwd "-l 1" "-p 0x3 -q 2 -T 0" 'entering main loop on lcore'
fwd_case rxtx_callbacks rxtx_callbacks "-l 1" "" 'Core [0-9]+ forwarding packets' nohandler
# shellcheck disable=SC2034 # read by ex_row (af_packet mode)
EX_NA="no RX timestamp offload"
fwd_case rxtx_callbacks-t rxtx_callbacks "-l 1" "-t" 'Core [0-9]+ forwarding packets' nohandler
# shellcheck disable=SC2034
EX_NA=""

# ethtool: commands on stdin, answers after the "EthApp> " prompt.
eth_cmd() {
	local off i
	off=$(stat -c %s "$EX_OUT")
	echo "$1" >&"$EX_FD"
	for ((i = 0; i < 30; i++)); do
		sleep 0.1
		tail -c +"$((off + 1))" "$EX_OUT" | grep -q 'EthApp> ' && break
	done
	tail -c +"$((off + 1))" "$EX_OUT" | tr -d '\r' | sed 's/EthApp> //g'
}
# The example sizes one mempool per port as rx_desc_lim.nb_max +
# tx_desc_lim.nb_max + 512 mbufs: with the driver's nb_max of UINT16_MAX
# that is 131582 mbufs (~300 MiB) per port, more than the tests' -m 1024
# holds for two ports (known: desc-lim-max). Tried with the usual memory
# first, then with -m 2048 so that the commands are still tested.
ok=1
if ex_want ethtool; then
	EX_KNOWN_START=desc-lim-max
	if ex_start ethtool ethtool "-l 0,1 $VDEVS" "" 'EthApp> '; then
		ok=0
	else
		EX_KNOWN_START=""
		ex_start ethtool-m2048 ethtool "-l 0,1 -m 2048 $VDEVS" "" 'EthApp> ' && ok=0
	fi
	EX_KNOWN_START=""
fi
if [ $ok = 0 ]; then
	c=ethtool
	o=$(eth_cmd drvinfo)
	echo "$o" | grep -q "driver: $EX_DRV" >/dev/null
	ex_row $c drvinfo $? "$(echo "$o" | grep -m2 -E 'driver|Port' | tr '\n' ' ')"
	o=$(eth_cmd link)
	ex_row $c link $([ "$(echo "$o" | grep -c 'Up')" -ge 2 ]; echo $?) "$(echo "$o" | tr '\n' ' ')"
	o=$(eth_cmd "macaddr 0")
	mac=$(echo "$o" | grep -oiE '([0-9a-f]{2}:){5}[0-9a-f]{2}' | head -n1)
	ex_row $c "macaddr 0" $([ "${mac,,}" = "${FC_MAC,,}" ]; echo $?) "port 0: ${mac:-none}, fc: $FC_MAC"
	o=$(eth_cmd "macaddr 0 02:00:00:00:0a:0b")
	now=$(ip -n "$NS_FWD" -br link show fc | awk '{ print $3 }')
	ex_row $c "macaddr 0 <set>" $([ "$now" = 02:00:00:00:0a:0b ]; echo $?) "fc now $now: $(echo "$o" | tr '\n' ' ')"
	eth_cmd "macaddr 0 $FC_MAC" >/dev/null
	o=$(eth_cmd "mtu 0 1400")
	now=$(ip -n "$NS_FWD" -o link show fc | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
	ex_row $c "mtu 0 1400" $([ "$now" = 1400 ]; echo $?) "fc mtu now $now: $(echo "$o" | tr '\n' ' ')"
	eth_cmd "mtu 0 1500" >/dev/null
	regs=$(dirname "$EX_OUT")/regs.bin
	o=$(eth_cmd "regs 0 $regs")
	# Registers are optional for a PMD: "Operation not supported" is fine.
	echo "$o" | grep -qE 'bytes|Operation not supported'
	ex_row $c "regs 0" $? "$(echo "$o" | tr '\n' ' ')${regs:+ $( [ -f "$regs" ] && stat -c '%s B written' "$regs")}"
	ip netns exec "$NS_CLI" ping -c 3 -i 0.2 -W 1 "$SRV_IP" >/dev/null 2>&1
	o=$(eth_cmd "portstats 0")
	rx=$(echo "$o" | sed -n "s/.*In: \([0-9]*\).*/\1/p" | head -n1)
	ex_row $c "portstats 0 (reflected pings)" $([ "${rx:-0}" -gt 0 ]; echo $?) "$(echo "$o" | tr '\n' ' ' | tr -s ' ')"
	eth_cmd quit >/dev/null
	ex_exit $c
fi

ex_finish examples_l2

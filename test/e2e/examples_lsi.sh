#!/bin/bash
# DPDK's link_status_interrupt example (port 0 <-> port 1 with MAC
# updating, LSC interrupts on) between the cli and srv namespaces (one
# subnet) through two net_tpacket ports, veth offloads at their defaults
# (see test/lib/examples.sh). Case "link_status_interrupt":
#   - ping both ways and iperf3 TCP both ways, TcpInCsumErrors unchanged;
#   - link flap of the peer: c0 (cli) down then up: the app's LSC callback
#     prints "Port 0 Link down" then "Port 0 Link up ...";
#   - link flap of the port's own interface: fs down then up in fwd:
#     "Port 1 Link down" / "Port 1 Link up";
#   - ping again after the flaps (the example has no signal handler: it is
#     just ended).
# TPK_EXAMPLES_PMD=af_packet runs the same cases on net_af_packet for
# comparison (exit 0; see test/lib/examples.sh).
# net_af_packet has no LSC interrupt: failed checks are n/a there.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/examples.sh"

ex_init link_status_interrupt
ex_addr 10.9.0.1/24 "" 10.9.0.2/24 "" fd00:9::1/64 "" fd00:9::2/64 ""
VDEVS=$(ex_vdevs)
# shellcheck disable=SC2034 # read by ex_row (af_packet mode)
EX_NA="no link status interrupt (LSC)"
c=link_status_interrupt

# wait_out REGEX SECONDS: the app's output matches.
wait_out() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -aqE -- "$1" "$EX_OUT" && return 0
		sleep 0.1
	done
	return 1
}

# flap CASE NS IF PORT: IF down, "Port PORT Link down", up, "Link up".
flap() {
	local t0 t1
	t0=$(date +%s%N)
	ip -n "$2" link set "$3" down
	wait_out "Port $4 Link down" 5
	ex_row "$1" "$3 down: LSC event" $? "$(grep -a "Port $4 Link" "$EX_OUT" | tail -n1)" \
		"$( [ $? = 0 ] || echo lsc )"
	ip -n "$2" link set "$3" up
	wait_out "Port $4 Link up" 5
	local r=$?
	t1=$(date +%s%N)
	ex_row "$1" "$3 up: LSC event" $r "$(grep -a "Port $4 Link" "$EX_OUT" | tail -n1) ($(( (t1 - t0) / 1000000 )) ms for the flap)"
}

if ex_start $c link_status_interrupt "-l 1 $VDEVS" "-p 0x3 -q 2 -T 0" 'entering main loop on lcore'; then
	ex_ping $c 4
	ex_tcp $c 4
	flap $c "$NS_CLI" c0 0
	flap $c "$NS_FWD" fs 1
	sleep 1
	ex_ping $c 4
	ex_exit $c nohandler	# link_status_interrupt installs no signal handler
fi
ex_finish examples_lsi

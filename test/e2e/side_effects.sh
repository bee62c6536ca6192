#!/bin/bash
# Nothing on the interface stays changed after the process exits or is
# killed: promiscuity, allmulticast, multicast memberships, qdisc, MTU.
set -u
. "$(dirname "$0")/../lib/common.sh"

ns=$(tpk_netns se)
peer=$(tpk_netns sp)
tpk_veth "$ns" e0 "$peer" e1
state() {
	ip -n "$ns" -d link show e0 | grep -o 'promiscuity [0-9]*\|allmulti [0-9]*\|mtu [0-9]*\|ALLMULTI\|PROMISC' | tr '\n' ' '
	ip -n "$ns" maddr show dev e0 | tr -s ' \n' ' '
	tc -n "$ns" qdisc show dev e0
}
before=$(state)
for how in quit kill; do
	tpk_testpmd_start "$ns" 0,1 "--vdev=net_tpacket0,iface=e0" "--no-mlockall"
	tpk_testpmd_cmd "set promisc all on" "set allmulti all on" "port stop all" \
		"port config mtu 0 1400" "port start all" "show port info 0"
	sleep 0.5
	during=$(ip -n "$ns" -d link show e0)
	echo "$during" | grep -q "promiscuity 1" || tpk_fail "promisc not applied: $during"
	echo "$during" | grep -q "mtu 1400" || tpk_fail "mtu not applied"
	if [ $how = kill ]; then
		kill -9 "$TPM_PID"; wait "$TPM_PID" 2>/dev/null
	else
		tpk_testpmd_stop
	fi
	sleep 0.3
	after=$(state)
	# A killed process cannot restore the MTU it set; the rest must be back.
	if [ $how = kill ]; then
		b=$(echo "$before" | sed 's/mtu [0-9]*//') a=$(echo "$after" | sed 's/mtu [0-9]*//')
		[ "$a" = "$b" ] || tpk_fail "after kill -9: '$after' vs '$before'"
		ip -n "$ns" link set e0 mtu 1500
	else
		[ "$after" = "$before" ] || tpk_fail "after quit: '$after' vs '$before'"
	fi
	echo "after $how: interface as before ($(echo "$after" | head -c 80)...)"
done
echo PASS

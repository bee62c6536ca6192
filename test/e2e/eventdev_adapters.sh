#!/bin/bash
# DPDK's own autotests that drive an ethdev port, on a net_tpacket port:
# event_eth_rx_adapter_autotest (polled Rx adapter) and
# event_eth_rx_intr_adapter_autotest (the interrupt-driven one, which needs
# one event fd per RX queue: rte_intr_cap_multiple()). dpdk-test comes
# with the system DPDK; the test is not run in the version matrix.
set -eu
. "$(dirname "$0")/../lib/common.sh"

command -v dpdk-test >/dev/null || tpk_skip "dpdk-test not installed"
tpk_stage_plugin
ns=$(tpk_netns ev)
tpk_veth "$ns" ev0 "$ns" ev1

for t in event_eth_rx_adapter_autotest event_eth_rx_intr_adapter_autotest; do
	log=$(mktemp /run/tpk-ev.XXXXXX)
	tpk_track_dir "$log"
	# The suites make their own mempools: more memory than tpk_eal_args'.
	echo "$t" | timeout 180 ip netns exec "$ns" dpdk-test --no-pci --no-huge \
		-m 3000 --file-prefix "tpk-$TPK_TAG-$t" -d "$TPK_PLUGIN" \
		--vdev=net_tpacket0,iface=ev0 >"$log" 2>&1 || true
	passed=$(sed -n 's/^ *+ Tests Passed : *\([0-9]*\).*/\1/p' "$log")
	failed=$(sed -n 's/^ *+ Tests Failed : *\([0-9]*\).*/\1/p' "$log")
	total=$(sed -n 's/^ *+ Tests Total : *\([0-9]*\).*/\1/p' "$log")
	tpk_log "$t: $passed of $total passed, $failed failed"
	if ! grep -q '^Test OK' "$log" || [ "${failed:-1}" != 0 ] ||
	   [ "${passed:-0}" = 0 ] || grep -q 'Event does not exist' "$log"; then
		tail -n 30 "$log"
		tpk_fail "$t"
	fi
done
echo "PASS: both Rx adapter autotests on a net_tpacket port"

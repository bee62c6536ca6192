#!/bin/bash
# dpdk-test-flow-perf against one net_tpacket port: inserts and deletes
# 10 and then 100 rules (eth / ipv4 / udp -> queue) and checks that every
# rule was created and deleted (flow-perf prints the time for all of them
# and no error). Prints the insertion and deletion rates (rules/s); the
# measured ones are in doc/guides/perf/flow.rst.
set -u
. "$(dirname "$0")/../lib/common.sh"

# The flow-perf of the DPDK under test: the one next to its testpmd (the
# version matrix builds no flow-perf, and another version's would load
# other libraries than the plugin was built for).
tp=$(command -v dpdk-testpmd) || tpk_skip "no dpdk-testpmd in PATH"
fp=$(dirname "$tp")/dpdk-test-flow-perf
[ -x "$fp" ] || tpk_skip "no dpdk-test-flow-perf next to $tp"
tpk_stage_plugin
A=$(tpk_netns fpa)
B=$(tpk_netns fpb)
tpk_veth "$A" fpva "$B" fpvb

for n in 10 100; do
	out=$(timeout 120 ip netns exec "$A" "$fp" $(tpk_eal_args) \
		-l 0,1 --vdev=net_tpacket0,iface=fpva,queues=4 -- \
		--rules-count=$n --rules-batch=$((n / 10)) --ingress --ether \
		--ipv4 --udp --queue --deletion-rate 2>&1)
	rc=$?
	if echo "$out" | grep -qi "Function not implemented\|not supported"; then
		echo "$out" | tail -20 >&2
		tpk_fail "flow_perf: the port refused the rules"
	fi
	echo "$out" | grep -q "The time for creating $n rules" ||
		{ echo "$out" | tail -30 >&2; tpk_fail "flow_perf: $n rules not all created (rc $rc)"; }
	echo "$out" | grep -q "The time for deleting $n rules" ||
		{ echo "$out" | tail -30 >&2; tpk_fail "flow_perf: $n rules not all deleted (rc $rc)"; }
	echo "$out" | grep -qi "error" &&
		{ echo "$out" | grep -i error >&2; tpk_fail "flow_perf: errors with $n rules"; }
	ins=$(echo "$out" | sed -n 's/.*Total flows insertion rate -> \([0-9.]*\) K.*/\1/p' | head -1)
	del=$(echo "$out" | sed -n 's/.*Total deletion rate -> \([0-9.]*\) K.*/\1/p' | head -1)
	tpk_log "flow_perf: $n rules: insertion $(awk -v k="$ins" 'BEGIN{printf "%.0f", k*1000}') rules/s, deletion $(awk -v k="$del" 'BEGIN{printf "%.0f", k*1000}') rules/s"
done
echo PASS

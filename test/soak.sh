#!/bin/bash
# Soak: SOAK_SECONDS (default 600) of iperf3 TCP plus a UDP flood through
# dpdk-testpmd forwarding between two net_tpacket ports, with a link flap
# and a port restart every cycle. Checks after every disruption that
# traffic resumes, and at the end that testpmd did not crash or grow its
# fds/memory and that no mbuf was lost. Writes a summary to SOAK_REPORT
# (default: stdout only).
set -u
. "$(dirname "$0")/lib/common.sh"

dur=${SOAK_SECONDS:-600}
cycle=${SOAK_CYCLE:-30}
report=${SOAK_REPORT:-}
tpk_fwd_topology_soak() {
	cli=$(tpk_netns cli) srv=$(tpk_netns srv) fwd=$(tpk_netns fwd)
	tpk_veth "$cli" c0 "$fwd" fc
	tpk_veth "$srv" s0 "$fwd" fs
	ip -n "$cli" addr add 10.81.0.1/24 dev c0
	ip -n "$srv" addr add 10.81.0.2/24 dev s0
}
tpk_fwd_topology_soak
tpk_testpmd_start "$fwd" 0,1 "--vdev=net_tpacket0,iface=fc,queues=2 --vdev=net_tpacket1,iface=fs,queues=2" \
	"--no-mlockall --rxq=2 --txq=2 --forward-mode=io --auto-start"
pid=$TPM_PID
# testpmd is the child of "ip netns exec", which exec'd it: same PID.
fds0=$(ls /proc/$pid/fd | wc -l)
rss0=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
ip netns exec "$srv" iperf3 -s -D -I /run/tpk-soak-iperf.pid
ip netns exec "$srv" iperf3 -s -p 5202 -D -I /run/tpk-soak-iperf2.pid
sleep 0.5

t0=$(date +%s) n=0 fail=0 total_gbit=0
log() { echo "[$(( $(date +%s) - t0 ))s] $*"; }
while [ $(( $(date +%s) - t0 )) -lt "$dur" ]; do
	n=$((n + 1))
	# Load: TCP and a UDP flood at once.
	ip netns exec "$cli" iperf3 -c 10.81.0.2 -t $((cycle - 10)) -J >/run/tpk-soak-tcp.json 2>&1 &
	tcp=$!
	ip netns exec "$cli" iperf3 -c 10.81.0.2 -p 5202 -u -b 200M -l 1200 -t $((cycle - 10)) >/dev/null 2>&1 &
	udp=$!
	sleep 5
	# Disruption 1: link flap on the forwarder's side.
	ip -n "$fwd" link set fc down; sleep 1; ip -n "$fwd" link set fc up
	sleep 2
	# Disruption 2: port restart in testpmd.
	tpk_testpmd_cmd "stop" "port stop 1" "port start 1" "start"
	wait $tcp; wait $udp
	gbit=$(python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e9))' /run/tpk-soak-tcp.json 2>/dev/null || echo 0)
	# Traffic must come back after both disruptions.
	if ip netns exec "$cli" ping -c 3 -i 0.2 -W 2 10.81.0.2 >/dev/null && kill -0 "$pid"; then
		log "cycle $n: TCP $gbit Gbit/s under flood, flap + restart, traffic resumed"
	else
		log "cycle $n: FAILED (ping after disruptions, or testpmd died)"
		fail=$((fail + 1))
		kill -0 "$pid" || break
	fi
	total_gbit=$(python3 -c "print($total_gbit + $gbit)")
done
fds1=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
rss1=$(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null)
tpk_testpmd_cmd "stop" "show port stats all"
sleep 1
kill "$(cat /run/tpk-soak-iperf.pid)" "$(cat /run/tpk-soak-iperf2.pid)" 2>/dev/null
rm -f /run/tpk-soak-*.pid /run/tpk-soak-tcp.json
errs=$(grep -E 'RX-errors|TX-errors' "$TPM_OUT" | tail -n 4 | tr -s ' ' | tr '\n' ' ')
tpk_testpmd_stop
crashed=0
grep -qi "segmentation\|panic\|core dumped" "$TPM_OUT" && crashed=1
summary="soak: ${dur}s, $n cycles (flood + flap + restart each), $fail failed, crash: $crashed,
  testpmd fds $fds0 -> $fds1, VmRSS $rss0 -> ${rss1:-?} kB, mean TCP $(python3 -c "print('%.2f' % ($total_gbit / max($n,1)))") Gbit/s,
  last port stats: $errs"
echo "$summary"
[ -n "$report" ] && echo "$summary" >"$report"
[ $fail -eq 0 ] && [ $crashed -eq 0 ] && [ "$fds1" = "$fds0" ]

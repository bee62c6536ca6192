#!/bin/bash
# The driver's xstats are visible where DPDK users look: testpmd's
# "show port xstats" and the telemetry socket (/ethdev/xstats), and they
# move: a ring freeze provoked by not polling shows up as kernel drops.
set -u
. "$(dirname "$0")/../lib/common.sh"

ns=$(tpk_netns xs)
peer=$(tpk_netns xp)
tpk_veth "$ns" x0 "$peer" x1
prefix=tpk-$TPK_TAG-xs
TPK_FILE_PREFIX=$prefix tpk_testpmd_start "$ns" 0,1 "--vdev=net_tpacket0,iface=x0,rx_mode=ring,blocks=2,blocksz=131072" \
	"--no-mlockall --forward-mode=rxonly"

# Not polling (forwarding not started): 2000 frames overflow a 2-block ring.
ip netns exec "$peer" python3 "$TPK_TOP/test/lib/rawsock.py" send x1 2000 0
tpk_testpmd_cmd "show port xstats 0"
sleep 0.5
for x in rx_kernel_drops rx_ring_freezes rx_q0_kernel_drops tx_q0_syscalls rx_q0_blocks_timeout rx_truncated_errors; do
	grep -q "$x:" "$TPM_OUT" || { cat "$TPM_OUT"; tpk_fail "show port xstats lacks $x"; }
done
drops=$(awk '/rx_kernel_drops:/ {print $2; exit}' "$TPM_OUT")
[ "${drops:-0}" -gt 0 ] || tpk_fail "rx_kernel_drops did not move ($drops)"
echo "testpmd: rx_kernel_drops=$drops"

# Telemetry, as dpdk-telemetry.py would ask.
sockpath=$(ls /var/run/dpdk/"$prefix"*/dpdk_telemetry.v2 2>/dev/null | head -n1)
[ -S "$sockpath" ] || tpk_fail "no telemetry socket for $prefix"
out=$(python3 - "$sockpath" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
json.loads(s.recv(16384))
s.send(b"/ethdev/xstats,0")
x = json.loads(s.recv(1 << 20))["/ethdev/xstats"]
print(x["rx_kernel_drops"], x["rx_q0_ring_freezes"], x["tx_q0_malformed_errors"])
PY
) || tpk_fail "telemetry query failed"
read -r tdrops tfreeze tmal <<<"$out"
[ "$tdrops" -ge "$drops" ] && [ "$tfreeze" -gt 0 ] && [ "$tmal" = 0 ] ||
	tpk_fail "telemetry: drops $tdrops freezes $tfreeze malformed $tmal"
echo "telemetry /ethdev/xstats,0: rx_kernel_drops=$tdrops rx_q0_ring_freezes=$tfreeze"
tpk_testpmd_stop
echo PASS

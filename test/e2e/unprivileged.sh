#!/bin/bash
# Unprivileged use: dpdk-testpmd runs without CAP_NET_RAW and gets its
# AF_PACKET sockets from tpacket-fdhelper over a unix socket; traffic flows
# between two namespaces through it. Without the helper the same process
# fails to probe with a clear error, and the helper refuses interfaces it
# was not told to serve.
set -u
. "$(dirname "$0")/../lib/common.sh"

helper=$TPK_BUILD/app/tpacket-fdhelper
[ -x "$helper" ] || tpk_fail "tpacket-fdhelper not built"
command -v capsh >/dev/null || tpk_skip "capsh (libcap2-bin) missing"

cli=$(tpk_netns cli)
srv=$(tpk_netns srv)
fwd=$(tpk_netns fwd)
tpk_veth "$cli" c0 "$fwd" fc
tpk_veth "$srv" s0 "$fwd" fs
ip -n "$cli" addr add 10.71.0.1/24 dev c0
ip -n "$srv" addr add 10.71.0.2/24 dev s0
tpk_stage_plugin
d=$(mktemp -d /run/tpk-unpriv.XXXXXX); tpk_track_dir "$d"
sock=$d/helper.sock

ip netns exec "$fwd" "$helper" --socket "$sock" --allow fc,fs >"$d/helper.log" 2>&1 &
tpk_track_pid $!
for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || tpk_fail "helper did not start"

nocap() { ip netns exec "$fwd" capsh --drop=cap_net_raw -- -c "$*"; }

# 1. Without the helper: a clear error, no crash.
nocap "dpdk-testpmd -l 0,1 $(tpk_eal_args) --vdev=net_tpacket0,iface=fc -- --total-num-mbufs=2048 --no-mlockall -a --stats-period 1 </dev/null" >"$d/nohelper.log" 2>&1 &
p=$!; tpk_track_pid $p
for i in $(seq 100); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
kill -0 $p 2>/dev/null && kill $p
grep -q "CAP_NET_RAW" "$d/nohelper.log" || { cat "$d/nohelper.log"; tpk_fail "no clear CAP_NET_RAW error without the helper"; }
grep -iq "segmentation fault\|core dumped" "$d/nohelper.log" && tpk_fail "crash"
echo "without helper: $(grep -m1 CAP_NET_RAW "$d/nohelper.log")"

# 2. The helper refuses an interface it does not serve.
nocap "dpdk-testpmd -l 0,1 $(tpk_eal_args) --vdev=net_tpacket0,iface=lo,fd_helper=$sock -- --total-num-mbufs=2048 --no-mlockall -a </dev/null" >"$d/refused.log" 2>&1 &
p=$!; tpk_track_pid $p
for i in $(seq 100); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
kill -0 $p 2>/dev/null && kill $p
grep -q "not allowed" "$d/refused.log" || { cat "$d/refused.log"; tpk_fail "no refusal for lo"; }
echo "refused: $(grep -m1 'not allowed' "$d/refused.log")"

# 3. With the helper: forwarding works without CAP_NET_RAW.
mkfifo "$d/cmd"
nocap "exec stdbuf -oL dpdk-testpmd -l 0,1 $(tpk_eal_args) --vdev=net_tpacket0,iface=fc,fd_helper=$sock --vdev=net_tpacket1,iface=fs,fd_helper=$sock -- -i --total-num-mbufs=8192 --no-mlockall --forward-mode=io --auto-start" <"$d/cmd" >"$d/out" 2>&1 &
TPM_PID=$!; tpk_track_pid $TPM_PID
TPM_OUT=$d/out
exec {TPM_FD}>"$d/cmd"
tpk_testpmd_wait 'testpmd> ' 30 || { cat "$d/out"; tpk_fail "testpmd without CAP_NET_RAW did not start"; }
grep -q "^CapEff:.*" /proc/$TPM_PID/status
capeff=$(awk '/^CapEff/ {print $2}' /proc/$(pgrep -P $TPM_PID -n 2>/dev/null || echo $TPM_PID)/status 2>/dev/null)
ip netns exec "$cli" ping -c 5 -i 0.2 -W 2 10.71.0.2 >"$d/ping" || { cat "$d/ping" "$d/out"; tpk_fail "ping through unprivileged testpmd"; }
grep -q "5 received" "$d/ping" || tpk_fail "ping loss"
cat "$d/helper.log"
n=$(grep -c "socket on f[cs]" "$d/helper.log")
[ "$n" -ge 6 ] || tpk_fail "only $n sockets came from the helper"
echo "forwarding without CAP_NET_RAW (CapEff ${capeff:-?}): ping 5/5, $n sockets from the helper"
tpk_testpmd_stop
echo PASS

#!/bin/bash
# tpacket-fdhelper serves clients concurrently: a silent client holds its
# connection and a flood of bad clients (garbage, over-long messages, bad
# names, half messages, fds attached, early closes) runs, and meanwhile a
# good client still gets a usable AF_PACKET socket in under 1 s. Then the
# silent client is dropped at its deadline, connections over the bound are
# closed at once, every refusal is logged with pid/uid, and the helper is
# still serving at the end.
set -u
. "$(dirname "$0")/../lib/common.sh"

helper=$TPK_BUILD/app/tpacket-fdhelper
client=$TPK_TOP/test/lib/fdclient.py
tpk_need python3 ip
[ -x "$helper" ] || tpk_fail "tpacket-fdhelper not built"

ns=$(tpk_netns fdh)
# No IPv6 in the namespace: the only frames on the veth are the test's.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1
tpk_veth "$ns" fh0 "$ns" fh1
d=$(mktemp -d /run/tpk-fdh.XXXXXX) || tpk_fail "mktemp /run"
tpk_track_dir "$d"
chmod 0700 "$d"
sock=$d/helper.sock
log=$d/helper.log

ip netns exec "$ns" "$helper" --socket "$sock" --allow fh0 >"$log" 2>&1 &
hpid=$!
tpk_track_pid $hpid
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { cat "$log"; tpk_fail "helper did not start"; }

rx_pkts() { ip netns exec "$ns" cat /sys/class/net/fh1/statistics/rx_packets; }
rx0=$(rx_pkts)
ngood=0 worst=0

# good LABEL: one good request; fails the test unless it took < 1 s.
good() {
	local out ms
	out=$(python3 "$client" good "$sock" fh0) ||
		{ echo "$out"; tail -n 20 "$log"; tpk_fail "$1: good client refused"; }
	ms=$(echo "$out" | awk '/^OK/ { print $2 }')
	echo "$1: $out"
	awk -v m="$ms" 'BEGIN { exit !(m < 1000) }' ||
		tpk_fail "$1: good client took $ms ms (limit 1000 ms)"
	awk -v m="$ms" -v w="$worst" 'BEGIN { exit !(m > w) }' && worst=$ms
	ngood=$((ngood + 1))
}

good "idle"

# 1. A silent client, then a flood of bad ones; good clients meanwhile.
python3 "$client" silent "$sock" 10 >"$d/silent.out" 2>&1 &
spid=$!
tpk_track_pid $spid
for _ in $(seq 50); do grep -q connected "$d/silent.out" && break; sleep 0.1; done
grep -q connected "$d/silent.out" || tpk_fail "silent client did not connect"
python3 "$client" flood "$sock" 200 "$d/stop" >"$d/flood.out" 2>&1 &
fpid=$!
tpk_track_pid $fpid
for _ in $(seq 100); do grep -q flooding "$d/flood.out" && break; sleep 0.1; done
grep -q flooding "$d/flood.out" || { cat "$d/flood.out"; tpk_fail "flood did not start"; }
for i in 1 2 3 4 5; do
	good "during flood #$i"
	kill -0 $fpid 2>/dev/null || tpk_fail "the flood ended before good client #$i"
done
touch "$d/stop"
wait $fpid || tpk_fail "flood client failed"
tpk_untrack_pid $fpid
cat "$d/flood.out"
done_n=$(grep -o 'done=[0-9]*' "$d/flood.out" | cut -d= -f2)
[ "${done_n:-0}" -ge 200 ] || tpk_fail "only ${done_n:-0} bad clients ran"

# 2. The silent client is dropped at its deadline (2 s after accept).
wait $spid || { cat "$d/silent.out"; tpk_fail "silent client was not dropped"; }
tpk_untrack_pid $spid
cat "$d/silent.out"
awk '/^dropped after/ { exit !($3 >= 1.5 && $3 < 4) }' "$d/silent.out" ||
	tpk_fail "silent client not dropped at about 2 s"

# 3. Over the bound of 64 connected clients, the rest are closed at once.
out=$(python3 "$client" hold "$sock" 70) || tpk_fail "hold client failed"
echo "$out"
closed=$(echo "$out" | awk '{ print $4 }')
[ "$closed" -ge 6 ] || tpk_fail "only $closed of 70 connections refused over the bound"
good "after the bound"

# 4. The helper is alive, served everything good, and logged every refusal.
kill -0 $hpid 2>/dev/null || { cat "$log"; tpk_fail "helper died"; }
rx=$(( $(rx_pkts) - rx0 ))
[ "$rx" -ge "$ngood" ] || tpk_fail "$rx frames reached fh1, $ngood sent through helper fds"
served=$(grep -c ': socket on fh0$' "$log")
[ "$served" -eq "$ngood" ] || tpk_fail "helper logged $served sockets, $ngood good clients"
refused=$(grep -c '^tpacket-fdhelper: pid [0-9]* uid 0: refused: ' "$log")
[ "$refused" -ge 200 ] || { tail -n 30 "$log"; tpk_fail "only $refused refusals logged"; }
for why in "no request within 2000 ms" "too many clients" "message too long" \
	"interface name too long" "invalid character in interface name" \
	"message not NUL-terminated" "NUL inside the message" "not a SOCK request" \
	"interface lo is not allowed" "closed without a request"; do
	grep -q "refused: .*$why" "$log" || { tail -n 30 "$log"; tpk_fail "no refusal logged for: $why"; }
done
grep -c "refused: " "$log" | xargs echo "refusals logged:"
grep "refused: " "$log" | sed -E 's/.*refused: //; s/ \([0-9]+ bytes.*//; s/\(.*//' |
	sort | uniq -c | sort -rn
echo "good clients: $ngood, slowest $worst ms; $rx frames sent through helper fds"
echo PASS

#!/bin/bash
# Bad devargs must not give a port: dpdk-testpmd probes net_tpacket0 with
# each bad string and the probe fails with exactly one error line from the
# driver that names the offending key=value (and, for some, says why).
# Good strings must probe into a working net_tpacket port.
#
# testpmd runs interactively with "show port info 0" and "quit" on stdin
# (--no-mlockall: locking 1 GB of --no-huge memory costs seconds a run),
# so it exits by itself whether or not the port exists.
set -u
. "$(dirname "$0")/../lib/common.sh"

tpk_need dpdk-testpmd
tpk_stage_plugin
tpk_netns dv >/dev/null
NS=dv-$TPK_TAG
tpk_veth "$NS" d0 "$NS" d1
log=$(mktemp /run/tpk-devargs.XXXXXX) || tpk_fail "mktemp"
tpk_track_dir "$log"
fails=0

# probe DEVARGS: run testpmd once; output in $log, status in $rc.
probe() {
	# shellcheck disable=SC2046
	printf 'show port info 0\nquit\n' | timeout 60 ip netns exec "$NS" \
		dpdk-testpmd -l 0,1 $(tpk_eal_args) --vdev="net_tpacket0,$1" -- \
		-i --no-mlockall --total-num-mbufs=2048 >"$log" 2>&1
	rc=$?
}

bad() {
	echo "FAIL: devargs '$1': $2" >&2
	echo "--- testpmd output" >&2
	sed 's/^/    /' "$log" >&2
	fails=$((fails + 1))
}

# expect_bad DEVARGS TEXT [TEXT2]: probe fails with one driver error line
# containing TEXT (the key=value) and TEXT2 if given.
expect_bad() {
	local lines n
	probe "$1"
	if [ $rc -ge 124 ]; then bad "$1" "testpmd exited with $rc (timeout or crash)"; return; fi
	lines=$(grep -E '^tpk_[a-z_]+\(\): net_tpacket0: ' "$log")
	n=$(printf '%s' "$lines" | grep -c .)
	if [ "$n" -ne 1 ]; then bad "$1" "$n driver error lines, expected 1"; return; fi
	if ! printf '%s' "$lines" | grep -qF -- "$2"; then
		bad "$1" "error line does not contain '$2': $lines"; return
	fi
	if [ -n "${3:-}" ] && ! printf '%s' "$lines" | grep -qiF -- "$3"; then
		bad "$1" "error line does not contain '$3': $lines"; return
	fi
	if grep -q '^Driver name: net_tpacket' "$log" || ! grep -q 'Invalid port 0' "$log"; then
		bad "$1" "a port was created anyway"; return
	fi
	echo "ok   bad  $1 -> $lines"
}

# expect_good DEVARGS: port 0 is a started net_tpacket port on d0.
expect_good() {
	probe "$1"
	if [ $rc -ne 0 ]; then bad "$1" "testpmd exited with $rc"; return; fi
	if grep -qE '^tpk_[a-z_]+\(\): ' "$log"; then
		bad "$1" "driver logged an error: $(grep -E '^tpk_[a-z_]+\(\): ' "$log")"; return
	fi
	if ! grep -q '^Driver name: net_tpacket$' "$log" ||
	   ! grep -qF "Devargs: $1" "$log" ||
	   ! grep -q '^Link status: up$' "$log"; then
		bad "$1" "no started net_tpacket port 0 with these devargs"; return
	fi
	echo "ok   good $1"
}

expect_bad "iface=d0,foo=1" "foo=1" "unknown devarg"
expect_bad "iface=d0,queues=0" "queues=0" "[1, 64]"
expect_bad "iface=d0,queues=abc" "queues=abc"
expect_bad "iface=d0,queues=65" "queues=65"
expect_bad "iface=d0,blocksz=5000" "blocksz=5000" "power of two"
expect_bad "iface=d0,blocks=1" "blocks=1"
expect_bad "iface=d0,fanout=bogus" "fanout=bogus" "hash, lb"
expect_bad "iface=d0,tx_coalesce=2" "tx_coalesce=2" "0 or 1"
expect_bad "iface=d0,rx_mode=v2" "rx_mode=v2" "ring, recvmmsg or frames"
expect_bad "iface=d0,tx_mode=zero" "tx_mode=zero"
expect_bad "iface=d0,vnet_hdr=2" "vnet_hdr=2"
expect_bad "queues=2" "iface=" "missing devarg"
expect_bad "iface=nonexistent0" "iface=nonexistent0" "no such interface"
expect_bad "iface=interfacename016" "iface=interfacename016" "at most 15"
expect_bad "iface=d0,queues=1,queues=2" "queues=2" "twice"
expect_bad "iface=d0,iface=d1" "iface=d1" "twice"
expect_bad "iface=d0,queues" "'queues'" "key=value"

expect_good "iface=d0"
expect_good "iface=d0,queues=2,blocksz=131072,blocks=16,tov=2,fanout=lb,fanout_id=4242,qdisc_bypass=1,vnet_hdr=1,tx_mode=ring,txframes=64,tx_coalesce=0"
expect_good "iface=d0,vnet_hdr=0,tx_mode=sendmmsg"
expect_good "iface=d0,rx_mode=ring,tov=4"
expect_good "iface=d0,rx_mode=recvmmsg"

[ $fails -eq 0 ] || tpk_fail "devargs_errors: $fails case(s) failed"
echo "devargs_errors: all cases passed"
exit 0

#!/bin/bash
# Shared helpers for the shell tests: namespaces, the staged plugin and a
# dpdk-testpmd driven through a FIFO. Every resource a test creates is
# registered and removed by tpk_cleanup (run from an EXIT trap), processes
# are ended by PID only.
#
# Environment:
#   TPK_BUILD   build directory (default: <repo>/build)
#   TPK_PLUGIN  path of librte_net_tpacket.so in a non-world-writable dir
#               (default: staged by tpk_stage_plugin)

TPK_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TPK_BUILD=${TPK_BUILD:-$TPK_TOP/build}
TPK_TAG=${TPK_TAG:-t$$}
_tpk_netns=()
_tpk_pids=()
_tpk_dirs=()

tpk_log() { echo "[$(date +%T)] $*" >&2; }
tpk_fail() { echo "FAIL: $*" >&2; exit 1; }
tpk_skip() { echo "SKIP: $*" >&2; exit 77; }

tpk_cleanup() {
	local p n d
	for p in "${_tpk_pids[@]}"; do
		kill "$p" 2>/dev/null && { sleep 0.2; kill -9 "$p" 2>/dev/null; }
		wait "$p" 2>/dev/null
	done
	for n in "${_tpk_netns[@]}"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	for d in "${_tpk_dirs[@]}"; do rm -rf "$d"; done
	_tpk_pids=() _tpk_netns=() _tpk_dirs=()
}
trap tpk_cleanup EXIT
trap 'exit 130' INT TERM

# tpk_netns NAME: create a namespace named NAME-<tag> with lo up; prints it.
tpk_netns() {
	local n="$1-$TPK_TAG"
	ip netns add "$n" || tpk_fail "ip netns add $n"
	_tpk_netns+=("$n")
	ip -n "$n" link set lo up
	echo "$n"
}

# tpk_veth NS1 IF1 NS2 IF2: a veth pair between two namespaces, both up.
tpk_veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" ||
		tpk_fail "veth $2/$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

tpk_track_pid() { _tpk_pids+=("$1"); }
tpk_track_dir() { _tpk_dirs+=("$1"); }

# Copy the plugin to a private 0755 directory under /run: EAL refuses a -d
# path with a world-writable component, and a clone may live in /tmp.
tpk_stage_plugin() {
	local so="$TPK_BUILD/drivers/net/tpacket/librte_net_tpacket.so" d
	[ -f "$so" ] || tpk_fail "$so not built"
	d=$(mktemp -d /run/net_tpacket.XXXXXX) || tpk_fail "mktemp /run"
	chmod 0755 "$d"
	cp "$so" "$d/" && chmod 0644 "$d/librte_net_tpacket.so"
	tpk_track_dir "$d"
	TPK_PLUGIN="$d/librte_net_tpacket.so"
}

# EAL arguments for a test process: no PCI, no hugepages, unique prefix.
tpk_eal_args() {
	echo "--no-pci --no-huge -m 1024 --file-prefix tpk-$TPK_TAG-$RANDOM -d $TPK_PLUGIN"
}

# tpk_testpmd_start NS LCORES "EAL extra" "testpmd args": starts testpmd -i
# in NS reading commands from a FIFO. Sets TPM_PID, TPM_OUT, TPM_FIFO.
tpk_testpmd_start() {
	local ns=$1 lcores=$2 eal=$3 app=$4 d
	[ -n "${TPK_PLUGIN:-}" ] || tpk_stage_plugin
	d=$(mktemp -d /run/tpk-testpmd.XXXXXX); tpk_track_dir "$d"
	TPM_FIFO=$d/cmd TPM_OUT=$d/out
	mkfifo "$TPM_FIFO"
	# shellcheck disable=SC2086
	ip netns exec "$ns" dpdk-testpmd -l "$lcores" $(tpk_eal_args) $eal -- \
		-i --total-num-mbufs=32768 $app <"$TPM_FIFO" >"$TPM_OUT" 2>&1 &
	TPM_PID=$!
	tpk_track_pid "$TPM_PID"
	exec {TPM_FD}>"$TPM_FIFO"
	tpk_testpmd_wait 'testpmd> ' 30 || { cat "$TPM_OUT" >&2; tpk_fail "testpmd did not start"; }
}

# tpk_testpmd_cmd CMD...: send commands (one per argument).
tpk_testpmd_cmd() {
	local c
	for c in "$@"; do echo "$c" >&"$TPM_FD"; done
	sleep 0.3
}

# tpk_testpmd_wait REGEX SECONDS: wait until the output matches.
tpk_testpmd_wait() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -q -- "$1" "$TPM_OUT" 2>/dev/null && return 0
		kill -0 "$TPM_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

tpk_testpmd_stop() {
	echo quit >&"$TPM_FD" 2>/dev/null
	exec {TPM_FD}>&-
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$TPM_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$TPM_PID" 2>/dev/null && { kill "$TPM_PID"; tpk_log "testpmd had to be killed"; }
	wait "$TPM_PID" 2>/dev/null
}

# tpk_port_stat PORT FIELD: last value of FIELD (RX-packets, TX-packets,
# RX-errors, RX-missed, TX-errors...) in "show port stats PORT" output.
tpk_port_stat() {
	awk -v port="$1" -v f="$2:" '
		/NIC statistics for port/ { p = ($6 == port) }
		p { for (i = 1; i < NF; i++) if ($i == f) v = $(i + 1) }
		END { print v + 0 }' "$TPM_OUT"
}

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
_tpk_nsreg=$(mktemp /run/tpk-netns.XXXXXX)
_tpk_pids=()
_tpk_dirs=()

tpk_log() { echo "[$(date +%T)] $*" >&2; }
tpk_fail() { echo "FAIL: $*" >&2; exit 1; }
tpk_skip() { echo "SKIP: $*" >&2; exit 77; }

tpk_cleanup() {
	local p n d
	for p in "${_tpk_pids[@]}"; do
		# Only our own children: a reaped PID may belong to someone else.
		[ "$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')" = "$$" ] || continue
		kill "$p" 2>/dev/null && { sleep 0.2; kill -9 "$p" 2>/dev/null; }
		wait "$p" 2>/dev/null
	done
	# Namespaces are registered in a file, so $(tpk_netns x) works too.
	if [ -f "$_tpk_nsreg" ]; then
		while read -r n; do
			ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
			ip netns del "$n" 2>/dev/null
		done <"$_tpk_nsreg"
		rm -f "$_tpk_nsreg"
	fi
	for d in "${_tpk_dirs[@]}"; do rm -rf "$d"; done
	# EAL runtime directories of this run's --file-prefix values.
	rm -rf /var/run/dpdk/tpk-"$TPK_TAG"-* 2>/dev/null
	_tpk_pids=() _tpk_netns=() _tpk_dirs=()
}
trap tpk_cleanup EXIT
trap 'exit 130' INT TERM

# tpk_netns NAME: create a namespace named NAME-<tag> with lo up; prints it.
tpk_netns() {
	local n="$1-$TPK_TAG"
	ip netns add "$n" || tpk_fail "ip netns add $n"
	echo "$n" >>"$_tpk_nsreg"
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
# TPK_FILE_PREFIX: a prefix the caller needs to know (given once: DPDK
# 25.11 refuses a repeated --file-prefix).
tpk_eal_args() {
	local prefix=${TPK_FILE_PREFIX:-tpk-$TPK_TAG-$RANDOM}
	echo "--no-pci --no-huge -m 1024 --file-prefix $prefix -d $TPK_PLUGIN"
}

# tpk_testpmd_start NS LCORES "EAL extra" "testpmd args": starts testpmd -i
# in NS reading commands from a FIFO. Sets TPM_PID, TPM_OUT, TPM_FIFO.
# TPK_TESTPMD_WRAP, if set, is a command prefix (e.g. setpriv dropping
# capabilities) that runs testpmd.
tpk_testpmd_start() {
	local ns=$1 lcores=$2 eal=$3 app=$4 d
	[ -n "${TPK_PLUGIN:-}" ] || tpk_stage_plugin
	d=$(mktemp -d /run/tpk-testpmd.XXXXXX); tpk_track_dir "$d"
	TPM_FIFO=$d/cmd TPM_OUT=$d/out
	mkfifo "$TPM_FIFO"
	# shellcheck disable=SC2086
	# Line-buffered, so the output can be read while testpmd runs.
	ip netns exec "$ns" ${TPK_TESTPMD_WRAP:-} stdbuf -oL dpdk-testpmd -l "$lcores" $(tpk_eal_args) $eal -- \
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

# (Values are printed as read: mawk would print counters past 2^31 in
# exponent form, which shell arithmetic refuses.)
# tpk_port_stat PORT FIELD: last value of FIELD (RX-packets, TX-packets,
# RX-errors, RX-missed, TX-errors...) in "show port stats PORT" output.
tpk_port_stat() {
	awk -v port="$1" -v f="$2:" '
		/NIC statistics for port/ { p = ($6 == port) }
		p { for (i = 1; i < NF; i++) if ($i == f) v = $(i + 1) }
		END { print (v ~ /^[0-9]+$/) ? v : 0 }' "$TPM_OUT"
}

# ---------------------------------------------------------------------------
# End-to-end helpers (test/e2e, devtools/demo.sh).

# tpk_need CMD...: skip the test when a command is missing.
tpk_need() {
	local c
	[ "$(id -u)" = 0 ] || tpk_skip "needs root (namespaces, AF_PACKET)"
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || tpk_skip "$c is not installed"
	done
}

# tpk_fwd_topology: three namespaces, cli -- fwd -- srv:
#   cli: c0 10.9.0.1/24 fd00:9::1/64  <->  fc (fwd)
#   srv: s0 10.9.0.2/24 fd00:9::2/64  <->  fs (fwd)
# fwd has no addresses (and no IPv6) so its own stack stays quiet; the
# DPDK process bridges fc and fs. Sets NS_CLI NS_SRV NS_FWD and
# CLI_IP SRV_IP CLI_IP6 SRV_IP6. Offloads are left at the veth defaults.
tpk_fwd_topology() {
	tpk_netns cli >/dev/null
	tpk_netns srv >/dev/null
	tpk_netns fwd >/dev/null
	NS_CLI=cli-$TPK_TAG NS_SRV=srv-$TPK_TAG NS_FWD=fwd-$TPK_TAG
	CLI_IP=10.9.0.1 SRV_IP=10.9.0.2 CLI_IP6=fd00:9::1 SRV_IP6=fd00:9::2
	ip netns exec "$NS_FWD" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	tpk_veth "$NS_CLI" c0 "$NS_FWD" fc
	tpk_veth "$NS_SRV" s0 "$NS_FWD" fs
	ip -n "$NS_CLI" addr add $CLI_IP/24 dev c0 || tpk_fail "addr c0"
	ip -n "$NS_SRV" addr add $SRV_IP/24 dev s0 || tpk_fail "addr s0"
	ip -n "$NS_CLI" addr add $CLI_IP6/64 dev c0 nodad || tpk_fail "addr6 c0"
	ip -n "$NS_SRV" addr add $SRV_IP6/64 dev s0 nodad || tpk_fail "addr6 s0"
}

# tpk_iperf_server NS: iperf3 server in NS, up and listening on 5201.
tpk_iperf_server() {
	local i
	ip netns exec "$1" iperf3 -s >/dev/null 2>&1 &
	tpk_track_pid $!
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$1" ss -Hltn 'sport = :5201' | grep -q . && return 0
		sleep 0.1
	done
	tpk_fail "iperf3 server did not start in $1"
}

# tpk_iperf NS DEST SECONDS [iperf3 args...]: TCP run from NS to DEST.
# Sets TPK_RATE to the receiver rate in Mbit/s and TPK_RX_MB to the MiB the
# receiver got (integers, 0 when the run failed) and returns iperf3's
# status; its output is in $TPK_IPERF_LOG. (timeout --foreground keeps
# iperf3 in the caller's process group, so that Ctrl-C reaches it.)
tpk_iperf() {
	local ns=$1 dst=$2 t=$3 rc
	shift 3
	if [ -z "${TPK_IPERF_LOG:-}" ]; then
		TPK_IPERF_LOG=$(mktemp /run/tpk-iperf.XXXXXX) || tpk_fail "mktemp"
		tpk_track_dir "$TPK_IPERF_LOG"
	fi
	timeout --foreground $((t + 15)) ip netns exec "$ns" iperf3 -c "$dst" -t "$t" \
		--connect-timeout 3000 -f m "$@" >"$TPK_IPERF_LOG" 2>&1
	rc=$?
	# shellcheck disable=SC2034 # results for the caller
	TPK_RATE=$(awk '/receiver$/ { for (i = 1; i < NF; i++)
			if ($(i + 1) == "Mbits/sec") r = $i }
		END { printf "%d\n", r + 0 }' "$TPK_IPERF_LOG")
	# shellcheck disable=SC2034
	TPK_RX_MB=$(awk '/receiver$/ { for (i = 1; i < NF; i++) {
			u = $(i + 1)
			if (u == "KBytes") r = $i / 1024
			else if (u == "MBytes") r = $i
			else if (u == "GBytes") r = $i * 1024
			else if (u == "TBytes") r = $i * 1048576 } }
		END { printf "%d\n", r + 0 }' "$TPK_IPERF_LOG")
	return $rc
}

# tpk_mbit_str MBIT: "X.XX Gbit/s" or "N Mbit/s".
tpk_mbit_str() {
	awk -v m="$1" 'BEGIN { if (m >= 1000) printf "%.2f Gbit/s\n", m / 1000;
		else printf "%d Mbit/s\n", m }'
}

# tpk_nstat NS COUNTER: absolute value of a kernel SNMP counter in NS
# (nstat's history file is neither read nor written).
tpk_nstat() {
	ip netns exec "$1" nstat -asz "$2" 2>/dev/null |
		awk -v c="$2" '$1 == c { v = $2 } END { print (v ~ /^[0-9]+$/) ? v : 0 }'
}

# tpk_testpmd_show CMD [SECONDS]: send one command, wait for the prompt
# that follows its output and print that output (prompts stripped).
tpk_testpmd_show() {
	local off i out
	sleep 0.1
	off=$(stat -c %s "$TPM_OUT")
	echo "$1" >&"$TPM_FD"
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		sleep 0.1
		out=$(tail -c +"$((off + 1))" "$TPM_OUT" | tr -d '\r')
		case $out in *'testpmd> '*) break ;; esac
		kill -0 "$TPM_PID" 2>/dev/null || break
	done
	printf '%s\n' "$out" | sed -e 's/testpmd> //g'
}

# tpk_stat_of TEXT PORT FIELD: FIELD of PORT in "show port stats" TEXT.
tpk_stat_of() {
	printf '%s\n' "$1" | awk -v port="$2" -v f="$3:" '
		/NIC statistics for port/ { p = ($6 == port) }
		p { for (i = 1; i < NF; i++) if ($i == f) v = $(i + 1) }
		END { print (v ~ /^[0-9]+$/) ? v : 0 }'
}

# tpk_untrack_pid PID: forget a process that was already stopped and
# reaped, so that tpk_cleanup cannot signal a later process with its PID.
tpk_untrack_pid() {
	local p keep=()
	for p in "${_tpk_pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	_tpk_pids=("${keep[@]}")
}

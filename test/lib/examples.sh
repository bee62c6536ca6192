#!/bin/bash
# Helpers for the DPDK example application tests (test/e2e/examples_*.sh).
# Sourced after common.sh. Each script runs example applications in the
# "fwd" namespace of tpk_fwd_topology, bridging/routing between the cli
# and srv namespaces over veths with their default offloads:
#
#   cli: c0 02:00:00:00:00:00 -- fc [app port 0 | app | port 1] fs -- s0 02:00:00:00:00:01 :srv
#
# c0 and s0 get the MAC addresses the examples write as destinations by
# default (02:00:00:00:00:<port>: l2fwd with MAC updating, l3fwd,
# l3fwd-power, ip_fragmentation, ip_reassembly, link_status_interrupt), so
# no --eth-dest is needed. L3 cases address cli and srv in different
# subnets with a gateway whose neighbour entry is the DPDK port's MAC.
#
# Every check adds a row "case check result detail" to the summary and
# the script goes on; it exits 1 at the end when a check failed.
#
# Environment:
#   TPK_APPS          run only these cases (space/comma separated, globs:
#                     TPK_APPS="l3fwd-lpm*"); the case names are listed by
#                     TPK_APPS=list
#   TPK_EXPECT_FIXED  1 (default): checks that fail because of a known
#                     driver problem are failures like any other; 0: they
#                     are reported as XFAIL(<id>) and do not fail the script
#   TPK_IPERF_SECONDS iperf3 run length (default 2)
#   TPK_EXAMPLES_PMD  tpacket (default): the ports are net_tpacket and the
#                     script is a test. af_packet: the same cases on DPDK's
#                     own net_af_packet (the plugin Debian's DPDK loads by
#                     itself) for comparison: every check runs and is
#                     reported, known-problem ids (net_tpacket's) are not
#                     applied, a case that needs what net_af_packet lacks
#                     reports "n/a (af_packet: <reason>)", and the script
#                     exits 0 whatever the results (not a test)
#   TPK_AFP_DEVARGS   net_af_packet devargs after iface= (default
#                     blocksz=4096,framesz=2048,framecnt=512, as
#                     app/tpacket-bench uses); N queues add qpairs=N

EX_T=${TPK_IPERF_SECONDS:-2}
TPK_EXPECT_FIXED=${TPK_EXPECT_FIXED:-1}
EX_ROWS=()
EX_FAILS=0 EX_XFAILS=0 EX_PASSES=0 EX_NAS=0
EX_CASE_FAILED=0
EX_T0=$(date +%s)
TPK_EXAMPLES_PMD=${TPK_EXAMPLES_PMD:-tpacket}
TPK_AFP_DEVARGS=${TPK_AFP_DEVARGS:-blocksz=4096,framesz=2048,framecnt=512}
# shellcheck disable=SC2034 # EX_DRV: used by examples_l2.sh
case $TPK_EXAMPLES_PMD in
tpacket) EX_DRV=net_tpacket ;;
af_packet) EX_DRV=net_af_packet ;;
*) tpk_fail "TPK_EXAMPLES_PMD=$TPK_EXAMPLES_PMD: tpacket or af_packet" ;;
esac

# ex_afp: true in the net_af_packet comparison mode.
ex_afp() { [ "$TPK_EXAMPLES_PMD" = af_packet ]; }

# ex_vdevs [QUEUES]: the --vdev arguments of port 0 (fc) and port 1 (fs)
# for the PMD under test; QUEUES: queues=N (net_tpacket) or qpairs=N
# (net_af_packet).
ex_vdevs() {
	local q=${1:-} i=0 ifc out=""
	for ifc in fc fs; do
		if ex_afp; then
			out+=" --vdev=net_af_packet$i,iface=$ifc${TPK_AFP_DEVARGS:+,$TPK_AFP_DEVARGS}${q:+,qpairs=$q}"
		else
			out+=" --vdev=net_tpacket$i,iface=$ifc${q:+,queues=$q}"
		fi
		i=$((i + 1))
	done
	echo "${out# }"
}

# ex_init: root and tools, the plugin, the examples (built once), the
# namespaces and an iperf3 server in srv.
ex_init() {
	tpk_need iperf3 ping ss nstat python3 stdbuf make
	if [ "${TPK_APPS:-}" = list ]; then
		echo "cases: $*"
		exit 0
	fi
	local c any=0
	for c in "$@"; do ex_want "$c" && any=1; done
	[ $any = 1 ] || tpk_skip "TPK_APPS=${TPK_APPS:-} selects none of: $*"
	if ex_afp; then
		tpk_log "PMD: net_af_packet (TPK_EXAMPLES_PMD=af_packet, devargs $TPK_AFP_DEVARGS):" \
			"comparison run, every check is reported but the script exits 0"
	fi
	tpk_stage_plugin
	EX_BIN=$("$TPK_TOP/devtools/build-examples.sh") ||
		tpk_fail "devtools/build-examples.sh failed"
	tpk_fwd_topology
	ip -n "$NS_CLI" link set c0 address 02:00:00:00:00:00
	ip -n "$NS_SRV" link set s0 address 02:00:00:00:00:01
	FC_MAC=$(ip -n "$NS_FWD" -br link show fc | awk '{ print $3 }')
	FS_MAC=$(ip -n "$NS_FWD" -br link show fs | awk '{ print $3 }')
	tpk_iperf_server "$NS_SRV"
}

# ex_want CASE: true when TPK_APPS is empty or matches CASE.
ex_want() {
	local w
	[ -z "${TPK_APPS:-}" ] && return 0
	for w in ${TPK_APPS//,/ }; do
		# shellcheck disable=SC2053 # glob match on purpose
		[[ $1 == $w ]] && return 0
	done
	return 1
}

# ex_addr CLI_CIDR CLI_GW SRV_CIDR SRV_GW [CLI6 GW6 SRV6 GW6]: readdress
# the ends. Empty gateways: one subnet (L2 forwarding). With gateways,
# each end routes the other's subnet via a gateway whose neighbour entry
# is the facing DPDK port's MAC. Sets CLI_IP SRV_IP CLI_IP6 SRV_IP6.
ex_addr() {
	local n ns dev
	for n in "$NS_CLI c0" "$NS_SRV s0"; do
		ns=${n% *} dev=${n#* }
		ip -n "$ns" addr flush dev "$dev" scope global
		ip -n "$ns" route flush dev "$dev" proto boot 2>/dev/null
		ip -n "$ns" -6 route flush dev "$dev" proto boot 2>/dev/null
		ip -n "$ns" neigh flush dev "$dev" 2>/dev/null
		ip -n "$ns" -6 neigh flush dev "$dev" 2>/dev/null
	done
	CLI_IP=${1%/*} SRV_IP=${3%/*} CLI_IP6="" SRV_IP6=""
	ip -n "$NS_CLI" addr add "$1" dev c0 || tpk_fail "addr $1"
	ip -n "$NS_SRV" addr add "$3" dev s0 || tpk_fail "addr $3"
	if [ -n "$2" ]; then
		ip -n "$NS_CLI" neigh replace "$2" lladdr "$FC_MAC" dev c0 nud permanent
		ip -n "$NS_SRV" neigh replace "$4" lladdr "$FS_MAC" dev s0 nud permanent
		ip -n "$NS_CLI" route add "$(ex_net "$3")" via "$2" || tpk_fail "route via $2"
		ip -n "$NS_SRV" route add "$(ex_net "$1")" via "$4" || tpk_fail "route via $4"
	fi
	if [ $# -ge 7 ]; then
		CLI_IP6=${5%/*} SRV_IP6=${7%/*}
		ip -n "$NS_CLI" addr add "$5" dev c0 nodad || tpk_fail "addr $5"
		ip -n "$NS_SRV" addr add "$7" dev s0 nodad || tpk_fail "addr $7"
		if [ -n "$6" ]; then
			ip -n "$NS_CLI" -6 neigh replace "$6" lladdr "$FC_MAC" dev c0 nud permanent
			ip -n "$NS_SRV" -6 neigh replace "$8" lladdr "$FS_MAC" dev s0 nud permanent
			ip -n "$NS_CLI" -6 route add "$(ex_net6 "$7")" via "$6" || tpk_fail "route6 via $6"
			ip -n "$NS_SRV" -6 route add "$(ex_net6 "$5")" via "$8" || tpk_fail "route6 via $8"
		fi
	fi
}
# ex_net A.B.C.D/LEN: the network (python: no ipcalc on a minimal system).
ex_net() { python3 -c "import ipaddress,sys; print(ipaddress.ip_interface(sys.argv[1]).network)" "$1"; }
ex_net6() { ex_net "$1"; }

# ex_row CASE CHECK OK(0/1) DETAIL [KNOWN_ID]: one summary row. In
# af_packet mode KNOWN_ID (a net_tpacket problem) is ignored, and while
# EX_NA is set (by the script, around a case that needs a feature
# net_af_packet lacks: the reason) a failed check is reported as
# "n/a (af_packet: $EX_NA)".
ex_row() {
	local res
	if [ "$3" = 0 ]; then
		res=PASS EX_PASSES=$((EX_PASSES + 1))
	elif ex_afp && [ -n "${EX_NA:-}" ]; then
		res="n/a (af_packet: $EX_NA)" EX_NAS=$((EX_NAS + 1)) EX_CASE_FAILED=1
	elif ex_afp; then
		res=FAIL EX_FAILS=$((EX_FAILS + 1)) EX_CASE_FAILED=1
	elif [ -n "${5:-}" ] && [ "$TPK_EXPECT_FIXED" = 0 ]; then
		res="XFAIL($5)" EX_XFAILS=$((EX_XFAILS + 1)) EX_CASE_FAILED=1
	else
		res="FAIL${5:+(known: $5)}" EX_FAILS=$((EX_FAILS + 1)) EX_CASE_FAILED=1
	fi
	EX_ROWS+=("$(printf '%-22s %-24s %-26s %s' "$1" "$2" "$res" "$4")")
	tpk_log "${EX_ROWS[-1]}"
}

# ex_start CASE APP "EAL args" "app args" READY_REGEX [SECONDS]: start an
# example in the fwd namespace (stdin from a FIFO on fd EX_FD), output in
# EX_OUT; waits for READY_REGEX. Returns 1 (and adds a failed "start"
# row) when the app exits or the regex does not show up. EX_KNOWN_START:
# the known-problem id of a failed start (EX_NA: see ex_row).
ex_start() {
	local c=$1 app=$2 eal=$3 args=$4 ready=$5 t=${6:-20} d i
	EX_CASE=$c EX_CASE_FAILED=0
	d=$(mktemp -d /run/tpk-ex.XXXXXX); tpk_track_dir "$d"
	EX_OUT=$d/out EX_FIFO=$d/in
	mkfifo "$EX_FIFO"
	echo "# $app $eal -- $args" >"$EX_OUT"
	# shellcheck disable=SC2086
	ip netns exec "$NS_FWD" stdbuf -oL -eL "$EX_BIN/$app" $(tpk_eal_args) $eal -- \
		$args <"$EX_FIFO" >>"$EX_OUT" 2>&1 &
	EX_PID=$!
	tpk_track_pid "$EX_PID"
	exec {EX_FD}>"$EX_FIFO"
	for ((i = 0; i < t * 10; i++)); do
		grep -qE -- "$ready" "$EX_OUT" && { sleep 0.3; return 0; }
		kill -0 "$EX_PID" 2>/dev/null || break
		sleep 0.1
	done
	local why="no '$ready' within ${t}s"
	kill -0 "$EX_PID" 2>/dev/null || why="exited: $(grep -avE '^(#|$)' "$EX_OUT" | grep -aiE 'error|fail|cannot|invalid|exit' | tail -n 2 | tr '\n' ' ')"
	ex_afp && [ -n "${EX_NA:-}" ] && why="$why (no further checks)"
	ex_row "$c" start 1 "$why" "${EX_KNOWN_START:-}"
	ex_stop
	return 1
}

# ex_close_fd: close the app's stdin FIFO (once).
ex_close_fd() {
	[ -n "${EX_FD:-}" ] && exec {EX_FD}>&-
	EX_FD=""
}

# ex_stop: SIGTERM, then SIGKILL after 5 s.
# Prints the app's output tail when a check of the case failed.
ex_stop() {
	local i
	[ -n "${EX_PID:-}" ] || return 0
	ex_close_fd
	kill -TERM "$EX_PID" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$EX_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$EX_PID" 2>/dev/null && { kill -9 "$EX_PID"; tpk_log "$EX_CASE: had to be killed"; }
	wait "$EX_PID" 2>/dev/null
	tpk_untrack_pid "$EX_PID"
	EX_PID=""
	if [ "$EX_CASE_FAILED" = 1 ]; then
		echo "--- $EX_CASE: app output (tail)" >&2
		tr -d '\r' <"$EX_OUT" | sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -av '^$' |
			tail -n 40 | sed 's/^/    | /' >&2
	fi
}

# ex_ping CASE FAMILY [KNOWN_ID]: 5 pings cli -> srv and srv -> cli (after
# one warm-up each), counts and average RTT; at least 4 must come back
# (a 2-CPU machine running other tests may delay one past -W 2). EX_PING_ARGS_CLI/_SRV: extra
# ping options for each side.
ex_ping() {
	local c=$1 fam=$2 k=${3:-} a b from to dst out rx rtt v=""
	[ "$fam" = 6 ] && v=6
	for a in cli srv; do
		if [ $a = cli ]; then from=$NS_CLI dst=${v:+$SRV_IP6}; dst=${dst:-$SRV_IP}; b=srv
		else from=$NS_SRV dst=${v:+$CLI_IP6}; dst=${dst:-$CLI_IP}; b=cli; fi
		local pa=${EX_PING_ARGS_CLI:-}
		[ $a = srv ] && pa=${EX_PING_ARGS_SRV:-}
		# shellcheck disable=SC2086
		ip netns exec "$from" ping -$fam $pa -c 1 -W 1 "$dst" >/dev/null 2>&1
		# shellcheck disable=SC2086
		out=$(ip netns exec "$from" ping -$fam $pa -c 5 -i 0.2 -W 2 "$dst" 2>&1)
		rx=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
		rtt=$(echo "$out" | sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
		ex_row "$c" "ping$v $a->$b" $([ "${rx:-0}" -ge 4 ]; echo $?) \
			"${rx:-0}/5${rtt:+, avg RTT $rtt ms}" "$k"
	done
}

# ex_tcp CASE FAMILY [KNOWN_ID]: iperf3 TCP cli -> srv and srv -> cli
# (-R); rate > 0 and TcpInCsumErrors unchanged in cli and srv.
ex_tcp() {
	local c=$1 fam=$2 k=${3:-} dst dir args c0 s0 c1 s1 rc v=""
	[ "$fam" = 6 ] && { v=6 dst=$SRV_IP6; } || dst=$SRV_IP
	for dir in fwd rev; do
		args=()
		[ $dir = rev ] && args=(-R)
		c0=$(tpk_nstat "$NS_CLI" TcpInCsumErrors) s0=$(tpk_nstat "$NS_SRV" TcpInCsumErrors)
		tpk_iperf "$NS_CLI" "$dst" "$EX_T" "${args[@]}"
		rc=$?
		c1=$(tpk_nstat "$NS_CLI" TcpInCsumErrors) s1=$(tpk_nstat "$NS_SRV" TcpInCsumErrors)
		local what="tcp$v cli->srv"
		[ $dir = rev ] && what="tcp$v srv->cli"
		local err=""
		[ $rc = 0 ] || err="iperf3 rc $rc: $(grep -m1 -i 'error' "$TPK_IPERF_LOG")"
		ex_row "$c" "$what" $([ $rc = 0 ] && [ "$TPK_RATE" -gt 0 ]; echo $?) \
			"$(tpk_mbit_str "$TPK_RATE") ($TPK_RX_MB MiB)${err:+; $err}" "$k"
		ex_row "$c" "$what TcpInCsumErrors" $([ "$c1" = "$c0" ] && [ "$s1" = "$s0" ]; echo $?) \
			"cli $c0->$c1, srv $s0->$s1" "$k"
	done
}

# ex_udp CASE SIZE N DIRS [KNOWN_ID]: N UDP datagrams of SIZE bytes (to
# port 9999, from port 40100) cli -> srv and/or srv -> cli (DIRS: "fwd",
# "rev" or "fwd rev"); all must arrive whole: count and bytes. Also sets
# EX_REASM to the receiver's change of Ip ReasmOKs (datagrams it
# reassembled itself).
ex_udp() {
	local c=$1 size=$2 n=$3 k=${5:-} dir rx tx dst r0 r1 out lg what
	for dir in $4; do
		if [ "$dir" = fwd ]; then rx=$NS_SRV tx=$NS_CLI dst=$SRV_IP what="udp $size B cli->srv"
		else rx=$NS_CLI tx=$NS_SRV dst=$CLI_IP what="udp $size B srv->cli"; fi
		lg=$(mktemp /run/tpk-udp.XXXXXX); tpk_track_dir "$lg"
		local u0 u1
		r0=$(tpk_nstat "$rx" IpReasmOKs)
		u0=$(tpk_nstat "$rx" UdpInCsumErrors)
		ip netns exec "$rx" python3 "$TPK_TOP/test/lib/udpcount.py" recv 9999 1.5 >"$lg" 2>&1 &
		local p=$! i
		tpk_track_pid $p
		for ((i = 0; i < 30; i++)); do grep -q ready "$lg" && break; sleep 0.1; done
		ip netns exec "$tx" python3 "$TPK_TOP/test/lib/udpcount.py" send "$dst" 9999 "$size" "$n" 40100
		wait $p; tpk_untrack_pid $p
		r1=$(tpk_nstat "$rx" IpReasmOKs)
		u1=$(tpk_nstat "$rx" UdpInCsumErrors)
		EX_REASM=$((r1 - r0))
		out=$(tail -n 1 "$lg")
		set -- $out
		ex_row "$c" "$what" $([ "${1:-0}" = "$n" ] && [ "${2:-0}" = $((n * size)) ]; echo $?) \
			"${1:-0}/$n datagrams, ${2:-0}/$((n * size)) bytes, receiver reassembled $EX_REASM, UdpInCsumErrors +$((u1 - u0))" "$k"
		set -- "$c" "$size" "$n" "$4" "$k"
	done
}

# ex_exit CASE [nohandler]: SIGINT (the examples' handlers; background
# jobs of a non-interactive shell start with SIGINT ignored, which a
# handler overrides) and check that the app exits by itself with 0.
# "nohandler": the example installs no signal handler (skeleton,
# rxtx_callbacks), so it is just ended (SIGTERM) without a row.
ex_exit() {
	local rc i
	if [ "${2:-}" = nohandler ]; then
		ex_stop
		return
	fi
	ex_close_fd
	kill -INT "$EX_PID" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$EX_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$EX_PID" 2>/dev/null; then
		ex_row "$1" "exit on SIGINT" 1 "still running after 5 s"
		ex_stop
		return
	fi
	wait "$EX_PID"; rc=$?
	tpk_untrack_pid "$EX_PID"
	local pid=$EX_PID
	EX_PID=""
	ex_row "$1" "exit on SIGINT" $([ $rc = 0 ]; echo $?) "rc $rc"
	EX_PID=$pid ex_stop_output
}
ex_stop_output() {
	if [ "$EX_CASE_FAILED" = 1 ]; then
		echo "--- $EX_CASE: app output (tail)" >&2
		tr -d '\r' <"$EX_OUT" | sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -av '^$' |
			tail -n 40 | sed 's/^/    | /' >&2
	fi
}

# ex_finish NAME: the summary; exit 1 on a failure (net_tpacket), always
# 0 in the net_af_packet comparison mode.
ex_finish() {
	if ex_afp; then
		echo "== $1 with net_af_packet (TPK_EXAMPLES_PMD=af_packet, devargs $TPK_AFP_DEVARGS):" \
			"$EX_PASSES passed, $EX_FAILS failed, $EX_NAS n/a, $(( $(date +%s) - EX_T0 )) s"
		printf '  %s\n' "${EX_ROWS[@]}"
		echo "COMPARISON: $1 on net_af_packet is a comparison run, not a test:" \
			"exit 0 whatever the results ($EX_FAILS failed, $EX_NAS n/a)"
		exit 0
	fi
	echo "== $1: $EX_PASSES passed, $EX_FAILS failed, $EX_XFAILS known failures" \
		"tolerated (TPK_EXPECT_FIXED=$TPK_EXPECT_FIXED), $(( $(date +%s) - EX_T0 )) s"
	printf '  %s\n' "${EX_ROWS[@]}"
	[ "$EX_FAILS" = 0 ] || { echo "FAIL: $1: $EX_FAILS check(s) failed"; exit 1; }
	echo "PASS: $1"
	exit 0
}

#!/bin/bash
# OVS-DPDK end to end: Debian's Open vSwitch 3.1 (built against DPDK 22.11)
# with two net_tpacket ports on a netdev bridge, NORMAL flow:
#
#   ns-a: a0 10.66.0.1/24 fd00:66::1/64 <-> a1 (root) = OVS port a1
#   ns-b: b0 10.66.0.2/24 fd00:66::2/64 <-> b1 (root) = OVS port b1
#
# The test runs its own ovsdb-server and ovs-vswitchd-dpdk (the binary is
# run directly: the machine's ovs-vswitchd alternative is left alone) with
# private run/log/db/etc directories in a 0700 directory under /run, stops
# only the processes it started (by PID) and removes what it created.
#
# Checks (all of them run; a summary table ends the output, the exit
# status is 1 when any failed):
#   ping     ping both ways, IPv4 and IPv6 (loss, RTT)
#   tcp      iperf3 TCP both ways, default offloads, TcpInCsumErrors
#   rxq      options:n_rxq=2: pmd-rxq-show lists 2 queues per port, both
#            queues of the receiving port get packets, counters not reset
#   mtu      mtu_request=9000 (veths 9000): ping -s 8000 and TCP both
#            ways, back to 1500; rx/tx_packets not reset by either change
#   flap     ip link set a1 down/up: link_state follows, traffic resumes
#   recreate veth a0/a1 deleted and re-created under traffic: the port
#            should come back by itself (no del-port/add-port)
#   tso      other_config:userspace-tso-enable=true (vswitchd restart),
#            TCP both ways
#   restart  vswitchd stopped by PID and started again: ports come back
#   log      no WARN/ERR/EMER line about the driver, netdev_dpdk or dpdk
#            in ovs-vswitchd.log
#
# Environment:
#   TPK_OVS_CHECKS   comma-separated subset (e.g. "ping,tcp,mtu")
#   TPK_OVS_SECONDS  iperf3 duration (3)
#   TPK_OVS_MEM      EAL -m in MiB (3072; --no-huge memory is touched lazily)
#   TPK_OVS_INSTALL  0: do not apt-get install openvswitch-switch-dpdk (skip)
set -u
. "$(dirname "$0")/../lib/common.sh"

T=${TPK_OVS_SECONDS:-3}
MEM=${TPK_OVS_MEM:-3072}
CHECKS=${TPK_OVS_CHECKS:-ping,tcp,rxq,mtu,flap,recreate,tso,restart,log}
VSD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
A_IP=10.66.0.1 B_IP=10.66.0.2 A_IP6=fd00:66::1 B_IP6=fd00:66::2
BR=tpkbr-$TPK_TAG	# the bridge's internal (tap) port lives in the root namespace
BR=${BR:0:15}
t_start=$(date +%s)

tpk_need ip iperf3 ping nstat ss apt-get
if [ ! -x "$VSD" ] || ! command -v ovsdb-tool >/dev/null || [ ! -f "$SCHEMA" ]; then
	[ "${TPK_OVS_INSTALL:-1}" = 0 ] && tpk_skip "openvswitch-switch-dpdk is not installed"
	tpk_log "installing openvswitch-switch-dpdk"
	DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y \
		openvswitch-switch-dpdk >/dev/null 2>&1 ||
		tpk_skip "apt-get install openvswitch-switch-dpdk failed"
	[ -x "$VSD" ] || tpk_skip "$VSD not installed"
fi
for c in ovsdb-tool ovsdb-server ovs-vsctl ovs-appctl; do
	command -v $c >/dev/null || tpk_skip "$c missing"
done
for i in a1 b1 "$BR"; do
	ip link show "$i" >/dev/null 2>&1 && tpk_fail "interface $i already exists in the root namespace"
done
tpk_stage_plugin

# ---------------------------------------------------------------------------
# Private OVS: directories, database, processes.
OD=$(mktemp -d /run/tpk-ovs.XXXXXX) || tpk_fail "mktemp /run"
chmod 0700 "$OD"
tpk_track_dir "$OD"
mkdir -p "$OD"/{run,log,db,etc}
export OVS_RUNDIR=$OD/run OVS_LOGDIR=$OD/log OVS_DBDIR=$OD/db OVS_SYSCONFDIR=$OD/etc
DB_SOCK=$OD/run/db.sock
VSD_CTL=$OD/run/ovs-vswitchd.ctl
VLOG=$OD/log/ovs-vswitchd.log
PREFIX=tpk-$TPK_TAG-ovs		# tpk_cleanup removes /var/run/dpdk/tpk-$TPK_TAG-*
DB_PID="" VSD_PID="" veths=0 made_br=0

vsctl() { ovs-vsctl --db=unix:"$DB_SOCK" --timeout=30 "$@"; }
appctl() { ovs-appctl -t "$VSD_CTL" --timeout=10 "$@"; }

start_ovsdb() {
	local i
	ovsdb-tool create "$OD/db/conf.db" "$SCHEMA" || tpk_fail "ovsdb-tool create"
	ovsdb-server "$OD/db/conf.db" --remote=punix:"$DB_SOCK" \
		--pidfile="$OD/run/ovsdb-server.pid" --unixctl="$OD/run/ovsdb-server.ctl" \
		--log-file="$OD/log/ovsdb-server.log" -vconsole:off \
		>>"$OD/log/ovsdb-server.console" 2>&1 &
	DB_PID=$!
	tpk_track_pid $DB_PID
	for ((i = 0; i < 100; i++)); do
		[ -S "$DB_SOCK" ] && vsctl --no-wait show >/dev/null 2>&1 && break
		sleep 0.1
	done
	vsctl --no-wait init || tpk_fail "ovsdb-server did not start: $(cat "$OD"/log/ovsdb-server.*)"
}

# ovs_ready: the running vswitchd has both ports polled by its PMD.
ovs_ready() {
	local s
	s=$(appctl dpif-netdev/pmd-rxq-show 2>/dev/null) || return 1
	grep -q 'port: a1 ' <<<"$s" && grep -q 'port: b1 ' <<<"$s"
}

# start_vswitchd [ports]: start ovs-vswitchd-dpdk; with "ports", wait
# until both ports are polled (bridge already in the database).
start_vswitchd() {
	local i
	kill -0 "$DB_PID" 2>/dev/null || tpk_fail "ovsdb-server is gone"
	"$VSD" unix:"$DB_SOCK" --pidfile="$OD/run/ovs-vswitchd.pid" --unixctl="$VSD_CTL" \
		--log-file="$VLOG" -vconsole:off >>"$OD/log/ovs-vswitchd.console" 2>&1 &
	VSD_PID=$!
	tpk_track_pid $VSD_PID
	for ((i = 0; i < 300; i++)); do
		kill -0 $VSD_PID 2>/dev/null || { tail -n 20 "$VLOG" >&2; tpk_fail "ovs-vswitchd exited"; }
		if [ "${1:-}" = ports ]; then ovs_ready && return 0
		else appctl version >/dev/null 2>&1 &&
			[ "$(vsctl --no-wait get Open_vSwitch . dpdk_initialized)" = true ] && return 0
		fi
		sleep 0.1
	done
	tail -n 30 "$VLOG" >&2
	return 1
}

stop_vswitchd() {
	local i
	[ -n "$VSD_PID" ] || return 0
	kill "$VSD_PID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$VSD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$VSD_PID" 2>/dev/null && { tpk_log "ovs-vswitchd $VSD_PID had to be killed"; kill -9 "$VSD_PID"; }
	wait "$VSD_PID" 2>/dev/null
	tpk_untrack_pid "$VSD_PID"
	VSD_PID=""
}

ovs_cleanup() {
	# The netdev datapath's bridge port is a tap that outlives vswitchd.
	[ -n "$VSD_PID" ] && vsctl --timeout=10 --if-exists del-br "$BR" 2>/dev/null
	stop_vswitchd
	[ "$made_br" = 1 ] && ip link del "$BR" 2>/dev/null
	if [ -n "$DB_PID" ]; then
		kill "$DB_PID" 2>/dev/null; wait "$DB_PID" 2>/dev/null
		tpk_untrack_pid "$DB_PID"; DB_PID=""
	fi
	# a1/b1 go with their peers when the namespaces are deleted; a
	# re-created pair may have been left half-made.
	if [ $veths = 1 ]; then
		ip link del a1 2>/dev/null
		ip link del b1 2>/dev/null
	fi
	tpk_cleanup
}
trap ovs_cleanup EXIT

# ---------------------------------------------------------------------------
# Topology.
NS_A=$(tpk_netns ns-a) NS_B=$(tpk_netns ns-b)
veths=1
ip link add a0 netns "$NS_A" type veth peer name a1 || tpk_fail "veth a0/a1"
ip link add b0 netns "$NS_B" type veth peer name b1 || tpk_fail "veth b0/b1"
ip link set a1 up && ip link set b1 up
for x in "$NS_A a0 $A_IP $A_IP6" "$NS_B b0 $B_IP $B_IP6"; do
	set -- $x
	ip -n "$1" link set "$2" up
	ip -n "$1" addr add "$3/24" dev "$2" || tpk_fail "addr $2"
	ip -n "$1" addr add "$4/64" dev "$2" nodad || tpk_fail "addr6 $2"
done
MAC_A0=$(ip -n "$NS_A" -br link show a0 | awk '{ print $3 }')

start_ovsdb
vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
	"other_config:dpdk-extra=-d $TPK_PLUGIN --no-pci --no-huge --legacy-mem -m $MEM --file-prefix $PREFIX" \
	other_config:pmd-cpu-mask=0x2
# (OVS 3.1 adds --in-memory unless --legacy-mem is given, and --no-huge
# implies legacy memory, which EAL refuses together with --in-memory.)
start_vswitchd || tpk_fail "ovs-vswitchd did not initialise DPDK"
made_br=1
vsctl add-br "$BR" -- set bridge "$BR" datapath_type=netdev \
	-- add-port "$BR" a1 -- set interface a1 type=dpdk options:dpdk-devargs=net_tpacket0,iface=a1 \
	-- add-port "$BR" b1 -- set interface b1 type=dpdk options:dpdk-devargs=net_tpacket1,iface=b1 ||
	tpk_fail "add-br/add-port"
for p in a1 b1; do
	e=$(vsctl get interface $p error 2>/dev/null)
	[ "$e" = "[]" ] || tpk_fail "port $p: error $e"
done
for ((i = 0; i < 100; i++)); do ovs_ready && break; sleep 0.1; done
ovs_ready || tpk_fail "ports are not polled: $(appctl dpif-netdev/pmd-rxq-show)"
tpk_iperf_server "$NS_B"
tpk_log "OVS up: $(vsctl get Open_vSwitch . dpdk_version), bridge $BR, ports a1 b1 ($(($(date +%s) - t_start)) s)"

# ---------------------------------------------------------------------------
# Helpers for the checks.
res_name=() res_ok=() res_info=()
cur_fail=0 cur_info=()
want() { case ",$CHECKS," in *",$1,"*) return 0 ;; esac; return 1; }
note() { cur_info+=("$*"); tpk_log "  $*"; }
bad() { cur_fail=1; cur_info+=("FAIL $*"); tpk_log "  FAIL: $*"; }
declare -A log_from
begin() { cur_fail=0 cur_info=(); log_from[$1]=$(wc -l <"$VLOG"); tpk_log "== $1"; }
finish() {
	local i
	res_name+=("$1"); res_ok+=($((cur_fail == 0)))
	i=$(IFS=';'; echo "${cur_info[*]}"); res_info+=("${i//;/; }")
}

# ping_n NS DST COUNT [ping args]: sets P_RX (received) and P_RTT (avg ms).
ping_n() {
	local ns=$1 dst=$2 n=$3 o
	shift 3
	o=$(ip netns exec "$ns" ping -q -n -c "$n" -i 0.05 -W 2 "$@" "$dst" 2>&1)
	P_OUT=$o
	P_RX=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$o")
	P_RX=${P_RX:-0}
	P_RTT=$(sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p' <<<"$o")
	P_RTT=${P_RTT:--}
}

# ping_check LABEL COUNT [ping args]: both ways, all replies expected
# (IPv6 with -6).
ping_check() {
	local label=$1 n=$2 from dst dir
	shift 2
	for dir in a-\>b b-\>a; do
		if [ "$dir" = "a->b" ]; then from=$NS_A dst=$B_IP; [[ " $* " = *" -6 "* ]] && dst=$B_IP6
		else from=$NS_B dst=$A_IP; [[ " $* " = *" -6 "* ]] && dst=$A_IP6; fi
		ping_n "$from" "$dst" "$n" "$@"
		if [ "$P_RX" -eq "$n" ]; then note "$label $dir $P_RX/$n rtt ${P_RTT} ms"
		else
			bad "$label $dir $P_RX/$n replies ($(tail -n 2 <<<"$P_OUT" | head -n 1); neighbour: $(ip -n "$from" neigh show "$dst" | tr -s ' '))"
		fi
	done
}

# wait_ping NS DST SECONDS: first reply within SECONDS; sets W_S.
wait_ping() {
	local end=$(($(date +%s%N) + $3 * 1000000000)) t0
	t0=$(date +%s%N)
	while [ "$(date +%s%N)" -lt $end ]; do
		if ip netns exec "$1" ping -q -n -c 1 -W 1 "$2" >/dev/null 2>&1; then
			W_S=$(awk -v d=$(($(date +%s%N) - t0)) 'BEGIN { printf "%.1f", d / 1e9 }')
			return 0
		fi
	done
	W_S=-
	return 1
}

# tcp_check LABEL [iperf3 args]: a->b and b->a (-R), TcpInCsumErrors.
tcp_check() {
	local label=$1 dir args a0 b0 a1 b1
	shift
	for dir in a-\>b b-\>a; do
		args=("$@")
		[ "$dir" = "b->a" ] && args+=(-R)
		a0=$(tpk_nstat "$NS_A" TcpInCsumErrors) b0=$(tpk_nstat "$NS_B" TcpInCsumErrors)
		d0=$(drops)
		tpk_iperf "$NS_A" "$B_IP" "$T" "${args[@]}"
		rc=$?
		a1=$(tpk_nstat "$NS_A" TcpInCsumErrors) b1=$(tpk_nstat "$NS_B" TcpInCsumErrors)
		d1=$(drops)
		if [ $rc -ne 0 ] || [ "$TPK_RATE" -le 0 ]; then
			bad "$label $dir iperf3 rc $rc, $TPK_RATE Mbit/s: $(tail -n 3 "$TPK_IPERF_LOG" | tr '\n' ' ')"
		else
			note "$label $dir $(tpk_mbit_str "$TPK_RATE") ($TPK_RX_MB MiB, a1/b1 rx_dropped+rx_errors $(awk -v a="$d0" -v b="$d1" 'BEGIN { split(a, x); split(b, y); printf "+%d/+%d", y[1] - x[1], y[2] - x[2] }'))"
		fi
		if [ "$a1" -eq "$a0" ] && [ "$b1" -eq "$b0" ]; then
			note "$label $dir TcpInCsumErrors unchanged (ns-a $a1, ns-b $b1)"
		else
			bad "$label $dir TcpInCsumErrors ns-a $a0 -> $a1, ns-b $b0 -> $b1"
		fi
	done
}

# pstat PORT FIELD: live counter (rx_packets, rx_errors, rx_dropped,
# tx_packets, tx_errors, tx_dropped) from
# netdev_get_stats through dpctl/show -s (the database copy, "statistics",
# is refreshed only every 5 s).
pstat() {
	appctl dpctl/show -s 2>/dev/null | awk -v p="$1" -v f="$2" '
		/^  port [0-9]+: / { cur = ($3 == p) }
		cur && ($1 == "RX" || $1 == "TX") && $2 ~ /^packets:/ {
			for (i = 2; i <= NF; i++) {
				split($i, a, ":")
				if (tolower($1) "_" a[1] == f) v = a[2]
			} }
		END { print (v ~ /^[0-9]+$/) ? v : -1 }'
}
# dbstat PORT KEY: the "statistics" column (as ovs-vsctl shows it).
dbstat() { local v; v=$(vsctl get interface "$1" statistics:"$2" 2>/dev/null) || v=-1; echo "${v//\"/}"; }
# db_wait PORT KEY OLD: until the database value of KEY moves from OLD
# (at most 6.5 s: one stats-update-interval).
db_wait() {
	local i
	for ((i = 0; i < 65; i++)); do
		[ "$(dbstat "$1" "$2")" != "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# drops: "A B", rx_dropped + rx_errors of a1 and of b1.
drops() {
	echo "$(($(pstat a1 rx_dropped) + $(pstat a1 rx_errors))) $(($(pstat b1 rx_dropped) + $(pstat b1 rx_errors)))"
}
# counters: "a1 rx/tx b1 rx/tx" as four numbers.
counters() { echo "$(pstat a1 rx_packets) $(pstat a1 tx_packets) $(pstat b1 rx_packets) $(pstat b1 tx_packets)"; }
# counters_check WHAT "BEFORE" "AFTER": no counter went back.
counters_check() {
	local what=$1 b a i ok=1 txt
	read -r -a b <<<"$2"; read -r -a a <<<"$3"
	for i in 0 1 2 3; do [ "${a[$i]}" -lt "${b[$i]}" ] && ok=0; done
	txt="rx_packets/tx_packets a1 ${b[0]}/${b[1]} -> ${a[0]}/${a[1]}, b1 ${b[2]}/${b[3]} -> ${a[2]}/${a[3]}"
	if [ $ok = 1 ]; then note "$what: counters kept: $txt"
	else bad "$what: counters went back (reset): $txt"; fi
}

# wait_link PORT STATE SECONDS: sets L_S (seconds it took).
wait_link() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(vsctl get interface "$1" link_state 2>/dev/null)" = "$2" ] &&
			{ L_S=$(awk -v i=$i 'BEGIN { printf "%.1f", i / 10 }'); return 0; }
		sleep 0.1
	done
	L_S=-
	return 1
}

# wait_cfg: vswitchd applied the last change (both ports polled again).
wait_cfg() {
	local i
	for ((i = 0; i < 200; i++)); do ovs_ready && return 0; sleep 0.1; done
	return 1
}

# Resolve the neighbours (and learn the MACs in the bridge) first.
ping_n "$NS_A" "$B_IP" 3
ping_n "$NS_A" "$B_IP6" 3 -6

# ---------------------------------------------------------------------------
if want ping; then
	begin ping
	ping_check ipv4 20
	ping_check ipv6 10 -6
	finish ping
fi

if want tcp; then
	begin tcp
	tcp_check tcp
	finish tcp
fi

if want rxq; then
	begin rxq
	before=$(counters)
	vsctl set interface a1 options:n_rxq=2 -- set interface b1 options:n_rxq=2
	wait_cfg
	s=""
	for ((i = 0; i < 100; i++)); do
		s=$(appctl dpif-netdev/pmd-rxq-show)
		[ "$(grep -cE 'port: (a1|b1) +queue-id: +1 ' <<<"$s")" = 2 ] && break
		sleep 0.1
	done
	for p in a1 b1; do
		q=$(grep -cE "port: $p +queue-id:" <<<"$s")
		[ "$q" = 2 ] && note "pmd-rxq-show: $p has $q rx queues" ||
			bad "pmd-rxq-show: $p has $q rx queue(s): $(grep "port: $p " <<<"$s" | tr -s ' ')"
	done
	cq=$(appctl dpctl/show | grep -o 'port [0-9]*: a1 .*configured_rx_queues=[0-9]*' | grep -o '[0-9]*$')
	note "a1 configured_rx_queues=$cq"
	after=$(counters)
	counters_check "n_rxq=2 reconfiguration" "$before" "$after"
	# The database statistics are written every 5 s (the minimum
	# stats-update-interval): wait for a write after the reconfiguration
	# (a few pings make sure the values move), take the per-queue
	# counters, run 8 flows, wait for the next write.
	r0=$(dbstat a1 rx_packets)
	ping_n "$NS_A" "$B_IP" 3
	db_wait a1 rx_packets "$r0"
	q0=$(dbstat a1 rx_q0_packets) q1=$(dbstat a1 rx_q1_packets)
	tpk_iperf "$NS_A" "$B_IP" "$T" -P 8
	rc=$?
	[ $rc -eq 0 ] && [ "$TPK_RATE" -gt 0 ] && note "tcp a->b -P 8: $(tpk_mbit_str "$TPK_RATE")" ||
		bad "tcp a->b -P 8: iperf3 rc $rc, $TPK_RATE Mbit/s"
	ping_n "$NS_B" "$A_IP" 10
	[ "$P_RX" -eq 10 ] && note "ping b->a 10/10 rtt $P_RTT ms" || bad "ping b->a $P_RX/10"
	db_wait a1 rx_q1_packets "$q1"
	n0=$(dbstat a1 rx_q0_packets) n1=$(dbstat a1 rx_q1_packets)
	d0=$((n0 - q0)) d1=$((n1 - q1))
	if [ "$d0" -gt 0 ] && [ "$d1" -gt 0 ]; then note "a1 statistics: rx_q0_packets $q0 -> $n0, rx_q1_packets $q1 -> $n1"
	else bad "a1 statistics: rx_q0_packets $q0 -> $n0, rx_q1_packets $q1 -> $n1 (8 flows, both queues expected)"; fi
	note "a1 statistics: rx_packets=$(dbstat a1 rx_packets) tx_packets=$(dbstat a1 tx_packets) rx_errors=$(dbstat a1 rx_errors) rx_dropped=$(dbstat a1 rx_dropped)"
	finish rxq
fi

if want mtu; then
	begin mtu
	before=$(counters)
	vsctl set interface a1 mtu_request=9000 -- set interface b1 mtu_request=9000
	wait_cfg
	ip -n "$NS_A" link set a0 mtu 9000
	ip -n "$NS_B" link set b0 mtu 9000
	for p in a1 b1; do
		m=$(vsctl get interface $p mtu) e=$(vsctl get interface $p error)
		km=$(cat /sys/class/net/$p/mtu)
		[ "$m" = 9000 ] && [ "$e" = "[]" ] && note "$p mtu $m (kernel $p mtu $km)" ||
			bad "$p mtu $m error $e (kernel $p mtu $km)"
		[ "$km" = 9000 ] || { bad "kernel $p mtu $km after mtu_request=9000"; ip link set $p mtu 9000; }
	done
	mid=$(counters)
	counters_check "mtu 1500->9000" "$before" "$mid"
	wait_ping "$NS_A" "$B_IP" 10 || bad "no ping a->b within 10 s after mtu 9000"
	ping_check "ping -s 8000" 5 -s 8000 -M "do"
	tcp_check "tcp mtu 9000"
	before=$(counters)
	vsctl set interface a1 mtu_request=1500 -- set interface b1 mtu_request=1500
	wait_cfg
	ip -n "$NS_A" link set a0 mtu 1500
	ip -n "$NS_B" link set b0 mtu 1500
	for p in a1 b1; do
		m=$(vsctl get interface $p mtu) km=$(cat /sys/class/net/$p/mtu)
		[ "$m" = 1500 ] && [ "$km" = 1500 ] || { bad "$p back to 1500: mtu $m, kernel $km"; ip link set $p mtu 1500; }
	done
	after=$(counters)
	counters_check "mtu 9000->1500" "$before" "$after"
	wait_ping "$NS_A" "$B_IP" 10 || bad "no ping a->b within 10 s after mtu 1500"
	ping_check "ping mtu 1500" 10
	finish mtu
fi

if want flap; then
	begin flap
	wait_link a1 up 5 || bad "a1 link_state is $(vsctl get interface a1 link_state) before the flap"
	ip link set a1 down
	if wait_link a1 down 10; then note "a1 down: link_state down after $L_S s"
	else bad "a1 down: link_state still $(vsctl get interface a1 link_state) after 10 s"; fi
	ping_n "$NS_A" "$B_IP" 3
	[ "$P_RX" -eq 0 ] && note "while down: 0/3 replies" || bad "while down: $P_RX/3 replies"
	ip link set a1 up
	if wait_link a1 up 10; then note "a1 up: link_state up after $L_S s"
	else bad "a1 up: link_state still $(vsctl get interface a1 link_state) after 10 s"; fi
	if wait_ping "$NS_A" "$B_IP" 10; then note "traffic resumed after $W_S s"
	else bad "no ping a->b within 10 s of link up"; fi
	ping_check ping 10
	finish flap
fi

if want recreate; then
	begin recreate
	ip netns exec "$NS_A" ping -q -n -i 0.1 -w 30 "$B_IP" >"$OD/recreate.ping" 2>&1 &
	pp=$!
	tpk_track_pid $pp
	sleep 1
	ifx0=$(cat /sys/class/net/a1/ifindex)
	ip link del a1 || bad "ip link del a1"
	# Same names, same MAC in ns-a (the peers' neighbour caches stay valid).
	ip link add a0 address "$MAC_A0" netns "$NS_A" type veth peer name a1 || bad "veth a0/a1 again"
	ip link set a1 up
	ip -n "$NS_A" link set a0 up
	ip -n "$NS_A" addr add $A_IP/24 dev a0
	ip -n "$NS_A" addr add $A_IP6/64 dev a0 nodad
	note "a1 re-created: ifindex $ifx0 -> $(cat /sys/class/net/a1/ifindex)"
	if wait_link a1 up 10; then note "link_state up after $L_S s"
	else bad "link_state $(vsctl get interface a1 link_state) 10 s after re-creation"; fi
	e=$(vsctl get interface a1 error)
	[ "$e" = "[]" ] || bad "interface a1 error: $e"
	if wait_ping "$NS_A" "$B_IP" 10; then note "ping a->b resumed after $W_S s"
	else bad "no ping a->b within 10 s of the re-creation"; fi
	kill $pp 2>/dev/null; wait $pp 2>/dev/null; tpk_untrack_pid $pp
	note "background ping: $(grep -o '[0-9]* packets transmitted, [0-9]* received' "$OD/recreate.ping")"
	ping_n "$NS_A" "$B_IP" 5
	[ "$P_RX" -eq 5 ] || bad "ping a->b after the re-creation: $P_RX/5"
	n=$(sed -n "$((log_from[recreate] + 1)),\$p" "$VLOG" | grep -ciE 'dpdk|tpacket|tpk_')
	note "$n vswitchd log line(s) about dpdk/the driver since the re-creation"
	sed -n "$((log_from[recreate] + 1)),\$p" "$VLOG" | grep -iE 'dpdk|tpacket|tpk_' | head -n 8 |
		while read -r l; do tpk_log "    log: $l"; done
	finish recreate
fi

if want tso; then
	begin tso
	vsctl --no-wait set Open_vSwitch . other_config:userspace-tso-enable=true
	stop_vswitchd
	log_from[tso]=$(wc -l <"$VLOG")
	if start_vswitchd ports; then
		grep -q 'Userspace TCP Segmentation Offloading support enabled' "$VLOG" &&
			note "vswitchd restarted, userspace TSO enabled" ||
			bad "no 'Userspace TCP Segmentation Offloading support enabled' in the log"
		o=$(appctl dpctl/show | grep -oE 'port [0-9]+: (a1|b1) .*tx_tso_offload=[a-z]+' |
			sed -E 's/port [0-9]+: ([ab]1) .*(tx_tso_offload=[a-z]+)/\1 \2/' | tr '\n' ' ')
		note "$o"
		ping_n "$NS_A" "$B_IP" 3
		wait_ping "$NS_A" "$B_IP" 10 || bad "no ping after the restart"
		tcp_check "tcp tso"
	else
		bad "vswitchd did not come back with userspace-tso-enable=true"
	fi
	finish tso
fi

if want restart; then
	begin restart
	old=$VSD_PID
	stop_vswitchd
	kill -0 "$old" 2>/dev/null && bad "vswitchd $old still alive"
	t0=$(date +%s%N)
	if start_vswitchd ports; then
		note "vswitchd $old -> $VSD_PID, ports polled after $(awk -v d=$(($(date +%s%N) - t0)) 'BEGIN { printf "%.1f", d / 1e9 }') s"
		for p in a1 b1; do
			wait_link $p up 10 || bad "$p link_state $(vsctl get interface $p link_state)"
			e=$(vsctl get interface $p error)
			[ "$e" = "[]" ] || bad "$p error $e"
		done
		if wait_ping "$NS_A" "$B_IP" 10; then note "ping resumed after $W_S s"
		else bad "no ping within 10 s of the restart"; fi
		ping_check ping 10
		tpk_iperf "$NS_A" "$B_IP" 2
		rc=$?
		[ $rc -eq 0 ] && [ "$TPK_RATE" -gt 0 ] && note "tcp a->b $(tpk_mbit_str "$TPK_RATE")" ||
			bad "tcp a->b after restart: rc $rc, $TPK_RATE Mbit/s"
	else
		bad "vswitchd did not come back (ports not polled in 30 s)"
	fi
	finish restart
fi

if want log; then
	begin log
	# Which check was running when each line was logged.
	phase_of() {
		local n=$1 c best=setup bl=0
		for c in "${!log_from[@]}"; do
			[ "${log_from[$c]}" -lt "$n" ] && [ "${log_from[$c]}" -ge "$bl" ] && { best=$c bl=${log_from[$c]}; }
		done
		echo "$best"
	}
	nl=0 ni=0
	while IFS=: read -r n l; do
		ph=$(phase_of "$n")
		# Listed, not counted: EAL's telemetry (not the driver), and the
		# driver reporting the removal the recreate check makes on purpose.
		case $ph:$l in
		*'TELEMETRY: No legacy callbacks'* | recreate:*'tpk_nl_removed()'*'was removed'*)
			ni=$((ni + 1)); tpk_log "  expected [$ph]: $l"; continue ;;
		esac
		nl=$((nl + 1))
		bad "[$ph] $l"
	done < <(grep -nE '\|(WARN|ERR|EMER)\|' "$VLOG" | grep -iE 'dpdk|tpacket|tpk_')
	note "$nl unexpected, $ni expected WARN/ERR/EMER line(s) about dpdk/netdev_dpdk/net_tpacket"
	finish log
fi

# ---------------------------------------------------------------------------
echo
echo "OVS-DPDK with net_tpacket: $(($(date +%s) - t_start)) s, log $VLOG (removed at exit)"
printf '%-9s %-5s %s\n' CHECK RESULT DETAILS
nfail=0
for i in "${!res_name[@]}"; do
	if [ "${res_ok[$i]}" = 1 ]; then r=pass; else r=FAIL; nfail=$((nfail + 1)); fi
	printf '%-9s %-5s %s\n' "${res_name[$i]}" "$r" "${res_info[$i]}"
done
if [ -n "${TPK_OVS_KEEP_LOG:-}" ]; then cp "$VLOG" "$TPK_OVS_KEEP_LOG"; fi
[ ${#res_name[@]} -gt 0 ] || { echo "no check selected by TPK_OVS_CHECKS=$CHECKS"; exit 1; }
[ $nfail -eq 0 ] || { echo "FAIL: ovs_dpdk: $nfail of ${#res_name[@]} checks failed"; exit 1; }
echo "ovs_dpdk: all ${#res_name[@]} checks passed"
exit 0

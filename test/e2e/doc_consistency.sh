#!/bin/bash
# The documentation must build and must agree with the code and with a
# running port:
#
#  1. sphinx-build -W (warnings are errors) of doc/ into a temporary
#     directory, as `make doc` does;
#  2. dpdk-testpmd with one net_tpacket port (default devargs, 2 queues) on
#     a veth in a namespace of its own: the offload capabilities, xstats
#     names, port info, packet types, queue info, RSS redirection table,
#     link/removal events and statistics it shows are checked against
#     doc/guides/nics/features/tpacket.ini
#     (each claim is advertised or works, and vice versa) and against the
#     guide's xstats table (both ways, queue numbers as <N>);
#  3. static checks: every devarg of lib/tpk_devargs.c keys[] (name,
#     limits, default) and every xstat of tpacket_stats.c is in the guide's
#     tables and every name in those tables exists in the code; the ini
#     uses DPDK's feature keys and agrees with dev_ops and capabilities.
#
# The comparisons are done by devtools/check-doc.py, which prints one line
# per check and "MISMATCH: ..." for each disagreement.
#
# Exit: 0 all parts ran and agree; 1 a mismatch or a failed build; 77 no
# mismatch, but a part could not run (no sphinx-build, not root, no
# testpmd or no built plugin). TPK_DOC_INSTALL=1 installs Sphinx through
# devtools/bootstrap.sh (as `make doc` does) when it is missing.
# TPK_DOC_STRICT=1 also fails on duplicate xstat names.
set -u
. "$(dirname "$0")/../lib/common.sh"

top=$TPK_TOP
fails=0
skipped=()

command -v python3 >/dev/null || tpk_skip "python3 is not installed"
work=$(mktemp -d /run/tpk-doc.XXXXXX 2>/dev/null || mktemp -d)
tpk_track_dir "$work"

# ---------------------------------------------------------------- 1. build
if ! command -v sphinx-build >/dev/null && [ "${TPK_DOC_INSTALL:-0}" = 1 ]; then
	BOOTSTRAP_EXTRA=python3-sphinx "$top/devtools/bootstrap.sh" ||
		tpk_log "bootstrap could not install python3-sphinx"
fi
if command -v sphinx-build >/dev/null; then
	tpk_log "1. sphinx-build -q -W -b html doc (into $work/html)"
	if sphinx-build -q -W -b html "$top/doc" "$work/html" >"$work/sphinx.log" 2>&1; then
		echo "ok: documentation builds without warnings"
	else
		echo "MISMATCH: sphinx-build -W failed:"
		sed 's/^/    /' "$work/sphinx.log"
		fails=$((fails + 1))
	fi
else
	skipped+=("sphinx-build missing (apt-get install python3-sphinx, or make doc)")
fi

# ------------------------------------------------------------ 2. testpmd
rt=""
plugin="$TPK_BUILD/drivers/net/tpacket/librte_net_tpacket.so"
if [ "$(id -u)" != 0 ]; then
	skipped+=("not root: no testpmd session")
elif ! command -v dpdk-testpmd >/dev/null; then
	skipped+=("dpdk-testpmd is not installed")
elif [ ! -f "$plugin" ]; then
	skipped+=("$plugin is not built")
else
	tpk_log "2. dpdk-testpmd with net_tpacket0 on a veth"
	rt=$work/rt
	mkdir -p "$rt"
	uname -r >"$rt/uname.txt"
	tpk_stage_plugin
	ns=$(tpk_netns doc)
	tpk_veth "$ns" dt0 "$ns" dt1
	ip -n "$ns" addr add 10.77.0.2/24 dev dt1
	tpk_testpmd_start "$ns" 0,1 "--vdev=net_tpacket0,iface=dt0,queues=2" \
		"--no-mlockall --rxq=2 --txq=2"

	show() { tpk_testpmd_show "$1" >"$rt/$2"; }
	cmd() { tpk_testpmd_show "$1" >>"$rt/commands.log"; }
	show "show port 0 rx_offload capabilities" rx_capa.txt
	show "show port 0 tx_offload capabilities" tx_capa.txt
	show "show port 0 ptypes" ptypes.txt
	show "show rxq info 0 0" rxq_info.txt
	reta="show port 0 rss reta 128 (0xffffffffffffffff,0xffffffffffffffff)"
	show "$reta" reta_before.txt
	cmd "port config 0 rss reta (0,1)"
	show "$reta" reta_after.txt
	cmd "port 0 rxq 0 stop"
	show "show rxq info 0 0" rxq_stopped.txt
	cmd "port 0 rxq 0 start"
	show "show rxq info 0 0" rxq_started.txt
	cmd "set promisc 0 off"
	show "show port info 0" info_promisc_off.txt
	cmd "set promisc 0 on"
	cmd "set allmulti 0 on"
	cmd "port config mtu 0 1400"
	show "show port info 0" info.txt
	ip -d -n "$ns" link show dt0 >"$rt/iplink.txt" 2>&1

	# Some traffic (ARP requests from the peer) for the statistics.
	cmd "set fwd rxonly"
	cmd "start"
	ip netns exec "$ns" ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null 2>&1
	sleep 0.5
	cmd "stop"
	show "show port stats 0" stats.txt
	show "show port xstats 0" xstats.txt

	# Events: the peer goes down and up (LSC), then the pair is deleted (RMV).
	ip -n "$ns" link set dt1 down
	tpk_testpmd_wait 'link state change event' 5
	ip -n "$ns" link set dt1 up
	sleep 1
	ip -n "$ns" link del dt0
	tpk_testpmd_wait 'device removal event' 5
	sleep 0.5
	cp "$TPM_OUT" "$rt/events.txt"
	tpk_testpmd_stop
	tpk_untrack_pid "$TPM_PID"
	if ! grep -q 'Driver name: net_tpacket' "$rt/info.txt"; then
		echo "MISMATCH: no net_tpacket port in testpmd; its output:"
		tail -n 40 "$rt/events.txt" | sed 's/^/    /'
		fails=$((fails + 1))
		rt=""
	fi
fi

# ------------------------------------------------- 3. (and 2.) comparisons
tpk_log "3. devtools/check-doc.py${rt:+ --runtime}"
args=()
[ -n "$rt" ] && args+=(--runtime "$rt")
[ "${TPK_DOC_STRICT:-0}" = 1 ] && args+=(--strict)
python3 "$top/devtools/check-doc.py" --top "$top" "${args[@]}"
rc=$?
if [ $rc -ne 0 ]; then
	fails=$((fails + 1))
	[ -n "$rt" ] && { echo "--- testpmd outputs:"; for f in "$rt"/*.txt; do
		echo "== $(basename "$f")"; sed 's/^/    /' "$f" | tail -n 60; done; }
fi

if [ $fails -gt 0 ]; then
	echo "FAIL: doc_consistency: $fails part(s) disagree (see MISMATCH lines)"
	exit 1
fi
if [ ${#skipped[@]} -gt 0 ]; then
	echo "SKIP: doc_consistency: no mismatch, but not everything ran: ${skipped[*]}"
	exit 77
fi
echo "doc_consistency: documentation builds and agrees with the code and a running port"
exit 0

#!/bin/bash
# rte_flow through dpdk-testpmd's "flow" commands on one net_tpacket port
# (4 RX queues, rxonly forwarding) over a veth; a peer namespace sends raw
# IPv4/UDP frames (test/lib/flowgen.py), so that there is no other traffic
# at all (no addresses, IPv6 off) and every count is checked exactly:
#
#   dut: fd0 [testpmd port 0, --rxq=4]  <->  fp0 (peer: flowgen.py)
#
#  1. QUEUE: validate/create/list "udp dst is 5001 -> queue 1"; 200 frames
#     of 50 flows to 5001 all land on queue 1, 200 frames of other flows
#     spread over the queues exactly as they did before the rule;
#  9. the rule survives port stop / port start (testpmd 23.11+ with
#     --disable-flow-flush: 22.11's testpmd flushes rules on port stop);
#  8. validate refuses GRE (message names it) and queue index 9;
#  2. COUNT + DROP on 5002: 100 frames never reach the port (ipackets and
#     queue counters unchanged), flow query reports 100 hits and the xstat
#     rx_flow_drops grows by 100;
#  3. MARK 0x1234 + queue 0 on 5003: testpmd's verbose dump shows
#     "FDIR matched ID=0x1234" on queue 0 for them, no FDIR on the others;
#  5. priorities: priority 1 "udp dst 5004 -> queue 1" and priority 0
#     "ipv4 src 10.77.0.9 -> queue 2" (created in that order): frames
#     matching both go to queue 2, after destroying the priority-0 rule
#     to queue 1;
#  4. RSS "queues 2 3": many UDP flows land on queues 2 and 3 only (both);
#  7. flow destroy / flow flush: the list empties and traffic spreads as
#     it did without rules (DROP and MARK ports received again);
#     then a port range (udp dst spec 5100 last 5107) steers exactly it;
#  6. isolated mode (port stopped around "flow isolate"): only the 5005
#     rule's frames are received, the others are counted by the xstat
#     rx_flow_isolate_drops; "flow isolate 0 0" restores delivery;
# 11. IPv6 and VLAN: "ipv6 / udp dst 5006 -> queue 2" takes all 40 IPv6
#     frames to 5006 and none of the IPv4 ones; "vlan vid 100 / ipv4 / udp
#     dst 5007 -> queue 3" takes all 40 tagged frames of VID 100 and none
#     of VID 200; the same patterns as DROP rules (the socket filter)
#     drop exactly those 80 frames;
# 12. TCP, SCTP and ICMP items: "tcp dst 5010", "sctp dst 5008" and "icmp
#     type 8" each take all 40 of their frames to the rule's queue, UDP to
#     5008 and ICMP echo replies spread as without the rules; as DROP rules
#     exactly the 80 SCTP and echo-request frames go; "vlan vid 100 / ipv4 /
#     udp dst 5009 -> mark 0x77 / queue 1" marks all 20 tagged frames of VID
#     100 on queue 1 and none of VID 200;
# 10. without CAP_BPF/CAP_SYS_ADMIN (setpriv): validate and create refuse
#     QUEUE ("needs the eBPF fanout") and DROP ("rte_flow needs eBPF")
#     rules, and 200 frames of 50 flows
#     are all received, spread over the queues.
#
# Exit 77 when the driver answers that flow rules need eBPF (no CAP_BPF);
# "Function not implemented" (no rte_flow support) is a failure. Only flow
# syntax common to the testpmd of DPDK 22.11 .. 25.11 is used.
set -u
. "$(dirname "$0")/../lib/common.sh"

tpk_need dpdk-testpmd python3
tpk_stage_plugin
GEN=$TPK_TOP/test/lib/flowgen.py

die() {
	echo "FAIL: testpmd_flow: $*" >&2
	[ -n "${TPM_OUT:-}" ] && { echo "--- testpmd output (tail)" >&2;
		grep -avE '^  src=|^[a-z0-9_]+: [0-9]+$' "$TPM_OUT" | tail -n 60 >&2; }
	exit 1
}

NS_DUT=$(tpk_netns fdut) NS_PEER=$(tpk_netns fpeer)
for n in "$NS_DUT" "$NS_PEER"; do
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
tpk_veth "$NS_DUT" fd0 "$NS_PEER" fp0
DMAC=$(ip netns exec "$NS_DUT" cat /sys/class/net/fd0/address)

# send ARGS...: frames from the peer (flowgen.py options), to fd0's MAC.
send() {
	ip netns exec "$NS_PEER" python3 "$GEN" fp0 "$DMAC" "$@" ||
		die "flowgen.py $* failed"
}

# Extended statistics of port 0: xs_snap reads them into XS, xs_base
# copies XS into XB, xd NAME is the difference.
declare -A XS XB
xs_snap() {
	local k v
	XS=()
	while read -r k v; do XS[$k]=$v; done < <(tpk_testpmd_show "show port xstats 0" |
		awk '$1 ~ /^[a-z0-9_]+:$/ && $2 ~ /^[0-9]+$/ { sub(/:$/, "", $1); print $1, $2 }')
	[ -n "${XS[rx_good_packets]:-}" ] || die "no xstats read from testpmd"
}
xs_base() {
	local k
	xs_snap
	XB=()
	for k in "${!XS[@]}"; do XB[$k]=${XS[$k]}; done
}
xd() { echo $(( ${XS[$1]:-0} - ${XB[$1]:-0} )); }
# qd: the per-queue RX deltas, "q0 q1 q2 q3".
qd() { echo "$(xd rx_q0_packets) $(xd rx_q1_packets) $(xd rx_q2_packets) $(xd rx_q3_packets)"; }

# settle NAME DELTA...: wait (up to ~7 s) until each xstat NAME grew by DELTA,
# then a little longer so that anything extra would be seen too.
settle() {
	local i ok a
	for ((i = 0; i < 16; i++)); do
		xs_snap
		ok=1
		for ((a = 1; a < $#; a += 2)); do
			local n=${!a} b=$((a + 1))
			[ "$(xd "$n")" -ge "${!b}" ] || ok=0
		done
		[ $ok = 1 ] && break
		sleep 0.15
	done
	sleep 0.3
	xs_snap
}

# expect_q "Q0 Q1 Q2 Q3" WHAT: the queue deltas and the port total.
expect_q() {
	local got tot
	got=$(qd)
	[ "$got" = "$1" ] || die "$2: RX queue deltas '$got', expected '$1'"
	tot=$(echo "$1" | awk '{ print $1 + $2 + $3 + $4 }')
	[ "$(xd rx_good_packets)" -eq "$tot" ] ||
		die "$2: rx_good_packets +$(xd rx_good_packets), expected +$tot"
}

# flow_ok CMD: run a flow command that must succeed; prints its output.
flow_ok() {
	local out
	out=$(tpk_testpmd_show "$1")
	if echo "$out" | grep -q 'Caught PMD error\|Bad arguments\|not found'; then
		die "'$1' failed: $out"
	fi
	printf '%s\n' "$out"
}
# flow_create CMD: create a rule, print its id.
flow_create() {
	local out id
	out=$(flow_ok "$1") || exit 1
	id=$(echo "$out" | sed -n 's/^Flow rule #\([0-9]*\) created.*/\1/p' | tail -n 1)
	[ -n "$id" ] || die "'$1': no 'Flow rule #N created' in: $out"
	echo "$id"
}
# flow_listed ID: does "flow list 0" show rule ID?
flow_listed() {
	tpk_testpmd_show "flow list 0" | awk -v id="$1" '$1 == id { f = 1 } END { exit !f }'
}
# mark_dump OFF LEN ID Q OLEN: testpmd's verbose dump after byte OFF of its
# output ("port 0/queue Q: received N packets", then a "src=..." line per
# packet with its length and "FDIR matched ID=0x..." if marked). Prints
# "m mq o of": frames of length LEN, those of them marked ID on queue Q,
# frames of length OLEN, those of them marked at all.
mark_dump() {
	tail -c +"$(($1 + 1))" "$TPM_OUT" | tr -d '\r' | awk -v len="$2" \
		-v id="$3" -v want_q="$4" -v olen="$5" '
	match($0, /port 0\/queue [0-9]+: received/) { split(substr($0, RSTART), w, "[/ :]"); q = w[4] }
	$0 ~ "src=.*length=" len " " { m++; if ($0 ~ ("FDIR matched ID=" id "( |$)") && q == want_q) mq++ }
	$0 ~ "src=.*length=" olen " " { o++; if (/FDIR/) of++ }
	END { printf "%d %d %d %d\n", m, mq, o, of }'
}

# restart_port: forwarding off, port stop / start, forwarding on; extra
# commands (e.g. "flow isolate 0 1") run while the port is stopped.
restart_port() {
	local out c
	tpk_testpmd_show "stop" >/dev/null
	out=$(tpk_testpmd_show "port stop 0")
	echo "$out" | grep -q 'Done' || die "port stop 0: $out"
	for c in "$@"; do
		out=$(tpk_testpmd_show "$c")
		echo "$out" | grep -q 'Caught PMD error\|Bad arguments' && die "'$c' failed: $out"
		tpk_log "$c: $(echo "$out" | grep -v '^$' | tail -n 1)"
	done
	out=$(tpk_testpmd_show "port start 0")
	echo "$out" | grep -q 'Done' || die "port start 0: $out"
	echo "$out" | grep -qi 'fail\|error' && die "port start 0: $out"
	tpk_testpmd_cmd "start"
	sleep 0.3
}

R1="eth / ipv4 / udp dst is 5001 / end actions queue index 1 / end"
S1=(--dport 5001 --sport 10000-10049 --count 200 --len 100)	# 50 flows
SO=(--dport 6000-6009 --sport 20000-20019 --count 200 --len 102)	# 200 flows

# testpmd flushes a port's rules itself on "port stop" unless told not to
# (--disable-flow-flush, DPDK 23.11+): without the option (22.11) the
# restart check (9) cannot be made through testpmd.
tpk_log "DPDK: $(command -v dpdk-testpmd)"
noflush=""
grep -aq -- 'disable-flow-flush' "$(command -v dpdk-testpmd)" && noflush=--disable-flow-flush
tpk_testpmd_start "$NS_DUT" 0,1 "--vdev=net_tpacket0,iface=fd0" \
	"--rxq=4 --txq=4 --nb-cores=1 --forward-mode=rxonly --no-mlockall $noflush"
info=$(tpk_testpmd_show "show port info 0")
echo "$info" | grep -q '^Driver name: net_tpacket$' || die "not a net_tpacket port: $info"
echo "$info" | grep -q '^Current number of RX queues: 4$' || die "not 4 RX queues: $info"

# ------------------------------------------------ flow support at all
out=$(tpk_testpmd_show "flow validate 0 ingress pattern $R1")
if ! echo "$out" | grep -q '^Flow rule validated'; then
	echo "$out" | grep -q 'Function not implemented' &&
		die "flow validate: the driver has no rte_flow support: $out"
	if echo "$out" | grep -qi 'not supported' && echo "$out" | grep -qi 'bpf'; then
		tpk_skip "flow rules need eBPF here: $(echo "$out" | grep -m1 'Caught')"
	fi
	die "flow validate 0 ingress pattern $R1: $out"
fi
tpk_log "flow validate: $R1: validated"
tpk_testpmd_cmd "start"
tpk_testpmd_wait 'Start.*forwarding\|rxonly packet forwarding' 5 || die "forwarding did not start"
sleep 0.3

# ------------------------------------------------ 1. QUEUE
xs_base; send "${S1[@]}"; settle rx_good_packets 200
Q_S1=$(qd)
[ "$(xd rx_good_packets)" -eq 200 ] || die "baseline: 200 frames to 5001 -> +$(xd rx_good_packets) received"
[ "$(echo "$Q_S1" | awk '{ n = 0; for (i = 1; i <= 4; i++) n += ($i > 0); print n }')" -ge 2 ] ||
	die "baseline: 50 flows to 5001 did not spread over the queues: $Q_S1"
xs_base; send "${SO[@]}"; settle rx_good_packets 200
Q_SO=$(qd)
[ "$(xd rx_good_packets)" -eq 200 ] || die "baseline: 200 other frames -> +$(xd rx_good_packets) received"
tpk_log "without rules: 5001 flows on queues $Q_S1, other flows on $Q_SO"

ID1=$(flow_create "flow create 0 ingress pattern $R1") || exit 1
flow_listed "$ID1" || die "flow list 0 does not show rule $ID1: $(tpk_testpmd_show 'flow list 0')"
tpk_testpmd_show "flow list 0" | grep -q "^${ID1}[[:space:]].*UDP.*QUEUE" ||
	die "flow list 0: rule $ID1 is not 'ETH IPV4 UDP => QUEUE': $(tpk_testpmd_show 'flow list 0')"
xs_base; send "${S1[@]}"; settle rx_q1_packets 200
expect_q "0 200 0 0" "rule $ID1 (udp dst 5001 -> queue 1)"
xs_base; send "${SO[@]}"; settle rx_good_packets 200
expect_q "$Q_SO" "other flows with rule $ID1 (must spread as without it)"
tpk_log "1. QUEUE: 200 frames to 5001 all on queue 1, other flows unchanged ($Q_SO)"

# ------------------------------------------------ 9. rules survive restart
if [ -n "$noflush" ]; then
	restart_port
	flow_listed "$ID1" || die "rule $ID1 gone from flow list after port stop/start"
	xs_base; send "${S1[@]}"; settle rx_q1_packets 200
	expect_q "0 200 0 0" "rule $ID1 after port stop/start"
	tpk_log "9. restart: rule $ID1 still steers 5001 to queue 1"
else
	tpk_log "9. restart: not checked, this testpmd has no --disable-flow-flush (it flushes the rules on port stop)"
fi

# ------------------------------------------------ 8. refused rules
out=$(tpk_testpmd_show "flow validate 0 ingress pattern eth / ipv4 / gre / end actions queue index 0 / end")
err=$(echo "$out" | grep -m1 'Caught PMD error')
[ -n "$err" ] || die "validate of a GRE item was not refused: $out"
echo "${err#*Caught PMD error}" | grep -qiw 'gre' || die "the error for a GRE item does not name it: $err"
tpk_log "8. GRE refused: $err"
out=$(tpk_testpmd_show "flow validate 0 ingress pattern eth / ipv4 / udp dst is 5001 / end actions queue index 9 / end")
err=$(echo "$out" | grep -m1 'Caught PMD error')
[ -n "$err" ] || die "validate of queue index 9 (4 queues) was not refused: $out"
echo "${err#*Caught PMD error}" | grep -qi 'queue' || die "the error for queue index 9 does not name the queue: $err"
tpk_log "8. queue 9 refused: $err"
out=$(tpk_testpmd_show "flow validate 0 egress pattern eth / end actions drop / end")
echo "$out" | grep -q 'Caught PMD error' || die "an egress rule was not refused: $out"

# ------------------------------------------------ 2. COUNT + DROP
ID2=$(flow_create "flow create 0 ingress pattern eth / ipv4 / udp dst is 5002 / end actions count / drop / end") || exit 1
xs_base
[ -n "${XS[rx_flow_drops]:-}" ] || die "no xstat rx_flow_drops"
send --dport 5002 --sport 11000-11019 --count 100 --len 104
settle rx_flow_drops 100
# A sentinel after the dropped frames: once it arrived, so would they.
send --dport 6000 --sport 20000-20009 --count 10 --len 102
settle rx_good_packets 10
[ "$(xd rx_good_packets)" -eq 10 ] ||
	die "DROP rule $ID2: rx_good_packets +$(xd rx_good_packets) for 100 dropped + 10 other frames (queues $(qd))"
[ "$(qd | awk '{ print $1 + $2 + $3 + $4 }')" -eq 10 ] || die "DROP rule $ID2: queue deltas $(qd)"
[ "$(xd rx_flow_drops)" -eq 100 ] || die "DROP rule $ID2: rx_flow_drops +$(xd rx_flow_drops), expected +100"
out=$(tpk_testpmd_show "flow query 0 $ID2 count")
hits=$(echo "$out" | awk '$1 == "hits:" { print $2 }')
[ "$hits" = 100 ] || die "flow query 0 $ID2 count: hits '$hits', expected 100: $out"
tpk_log "2. DROP: 100 frames to 5002 dropped in the kernel (query hits $hits, rx_flow_drops +100, RX-missed +$(xd rx_missed_errors))"

# ------------------------------------------------ 3. MARK
ID3=$(flow_create "flow create 0 ingress pattern eth / ipv4 / udp dst is 5003 / end actions mark id 0x1234 / queue index 0 / end") || exit 1
tpk_testpmd_show "set verbose 1" >/dev/null
off=$(stat -c %s "$TPM_OUT")
xs_base
send --dport 5003 --sport 12000-12019 --count 20 --len 171
send --dport 6001 --sport 20000-20019 --count 20 --len 173
settle rx_good_packets 40
tpk_testpmd_show "set verbose 0" >/dev/null
[ "$(xd rx_good_packets)" -eq 40 ] || die "MARK rule $ID3: +$(xd rx_good_packets) received of 40"
[ "$(xd rx_q0_packets)" -ge 20 ] || die "MARK rule $ID3: queue 0 got +$(xd rx_q0_packets), expected >= 20"
read -r m mq o of <<<"$(mark_dump "$off" 171 0x1234 0 173)"
[ "$m" -eq 20 ] || die "MARK rule $ID3: verbose dump shows $m of the 20 frames to 5003"
[ "$mq" -eq 20 ] || die "MARK rule $ID3: only $mq of 20 frames to 5003 show 'FDIR matched ID=0x1234' on queue 0: $(tail -c +"$((off + 1))" "$TPM_OUT" | grep -a -m3 'length=171')"
[ "$o" -eq 20 ] || die "MARK rule $ID3: verbose dump shows $o of the 20 other frames"
[ "$of" -eq 0 ] || die "MARK rule $ID3: $of unmarked frames show FDIR: $(tail -c +"$((off + 1))" "$TPM_OUT" | grep -a -m3 'length=173.*FDIR')"
tpk_log "3. MARK: 20/20 frames to 5003 'FDIR matched ID=0x1234' on queue 0, 0/20 others"

# ------------------------------------------------ 5. priorities
ID5a=$(flow_create "flow create 0 priority 1 ingress pattern eth / ipv4 / udp dst is 5004 / end actions queue index 1 / end") || exit 1
ID5b=$(flow_create "flow create 0 priority 0 ingress pattern eth / ipv4 src is 10.77.0.9 / end actions queue index 2 / end") || exit 1
xs_base; send --src 10.77.0.9 --dport 5004 --sport 13000-13024 --count 50 --len 106
settle rx_q2_packets 50
expect_q "0 0 50 0" "both rules match (priority 0 -> queue 2 must win over priority 1 -> queue 1)"
xs_base; send --src 10.77.0.1 --dport 5004 --sport 13000-13024 --count 50 --len 106
settle rx_q1_packets 50
expect_q "0 50 0 0" "priority-1 rule $ID5a alone"
out=$(flow_ok "flow destroy 0 rule $ID5b") || exit 1
echo "$out" | grep -q "^Flow rule #$ID5b destroyed" || die "flow destroy 0 rule $ID5b: $out"
xs_base; send --src 10.77.0.9 --dport 5004 --sport 13000-13024 --count 50 --len 106
settle rx_q1_packets 50
expect_q "0 50 0 0" "after destroying the priority-0 rule $ID5b"
tpk_log "5. priorities: priority 0 wins (queue 2), after its destroy priority 1 (queue 1)"

# ------------------------------------------------ 4. RSS to a queue subset
SR=(--dport 7000-7099 --sport 30000-30001 --count 200 --len 108)	# 200 flows
xs_base; send "${SR[@]}"; settle rx_good_packets 200
Q_SR=$(qd)
[ "$(xd rx_good_packets)" -eq 200 ] || die "baseline: 200 frames to 7000-7099 -> +$(xd rx_good_packets)"
ID4=$(flow_create "flow create 0 ingress pattern eth / ipv4 / udp / end actions rss queues 2 3 end / end") || exit 1
xs_base; send "${SR[@]}"; settle rx_good_packets 200
read -r a b c d <<<"$(qd)"
[ "$(xd rx_good_packets)" -eq 200 ] || die "RSS rule $ID4: +$(xd rx_good_packets) received of 200 (queues $a $b $c $d)"
if [ "$a" -ne 0 ] || [ "$b" -ne 0 ] || [ "$c" -eq 0 ] || [ "$d" -eq 0 ] || [ $((c + d)) -ne 200 ]; then
	die "RSS rule $ID4 (queues 2 3): 200 flows landed on queues '$a $b $c $d' (need 0 0 >0 >0)"
fi
tpk_log "4. RSS queues 2 3: 200 flows on queues $a $b $c $d"

# ------------------------------------------------ 7. destroy and flush
out=$(flow_ok "flow destroy 0 rule $ID4") || exit 1
echo "$out" | grep -q "^Flow rule #$ID4 destroyed" || die "flow destroy 0 rule $ID4: $out"
flow_listed "$ID4" && die "rule $ID4 still listed after flow destroy"
flow_listed "$ID1" || die "rule $ID1 gone after destroying rule $ID4"
xs_base; send "${SR[@]}"; settle rx_good_packets 200
expect_q "$Q_SR" "flows to 7000-7099 after destroying RSS rule $ID4 (as without it)"
flow_ok "flow flush 0" >/dev/null || exit 1
left=$(tpk_testpmd_show "flow list 0" | awk '$1 ~ /^[0-9]+$/')
[ -z "$left" ] || die "flow list 0 after flow flush: $left"
xs_base; send "${S1[@]}"; settle rx_good_packets 200
expect_q "$Q_S1" "5001 flows after flow flush (as without rules)"
xs_base
send --dport 5002 --sport 11000-11019 --count 100 --len 104
send --dport 5003 --sport 12000-12019 --count 20 --len 171
settle rx_good_packets 120
[ "$(xd rx_good_packets)" -eq 120 ] || die "after flush: +$(xd rx_good_packets) of 120 frames to 5002/5003"
[ "$(xd rx_flow_drops)" -eq 0 ] || die "after flush: rx_flow_drops +$(xd rx_flow_drops)"
tpk_log "7. destroy: RSS flows spread as before ($Q_SR); flush: list empty, 5001 spread as before ($Q_S1), 5002/5003 received"

# ------------------------------------------------ port range (spec/last)
# The explicit "dst mask" keeps the source port out of the match (with
# spec/last alone the item's default mask would cover it, as 0).
SB=(--dport "5099,5108" --sport 15000-15009 --count 20 --len 112)	# just outside
xs_base; send "${SB[@]}"; settle rx_good_packets 20
Q_SB=$(qd)
ID10=$(flow_create "flow create 0 ingress pattern eth / ipv4 / udp dst spec 5100 dst last 5107 dst mask 0xffff / end actions queue index 2 / end") || exit 1
xs_base; send --dport 5100-5107 --sport 15000-15009 --count 80 --len 112
settle rx_q2_packets 80
expect_q "0 0 80 0" "port range rule $ID10 (udp dst 5100..5107 -> queue 2)"
xs_base; send "${SB[@]}"; settle rx_good_packets 20
expect_q "$Q_SB" "dports 5099 and 5108 with range rule $ID10 (as without it)"
flow_ok "flow flush 0" >/dev/null || exit 1
tpk_log "range: udp dst 5100..5107 all 80 frames on queue 2, 5099/5108 unchanged ($Q_SB)"

# ------------------------------------------------ 11. IPv6 and VLAN items
# The kernel takes the 802.1Q tag out of the frame before the programs see
# it (skb metadata); IPv6 has its own header walk. Frames that match only
# the L4 part of a rule (IPv4 to the same port, untagged or another VID)
# must spread as without the rule.
S6=(--ipv6 --dport 5006 --sport 16000-16019 --count 40 --len 130)
S64=(--dport 5006 --sport 16000-16019 --count 40 --len 130)
SV=(--vlan 100 --dport 5007 --sport 17000-17019 --count 40 --len 120)
SV2=(--vlan 200 --dport 5007 --sport 17000-17019 --count 40 --len 120)
xs_base; send "${S64[@]}"; settle rx_good_packets 40; Q_S64=$(qd)
xs_base; send "${SV2[@]}"; settle rx_good_packets 40; Q_SV2=$(qd)
ID11=$(flow_create "flow create 0 ingress pattern eth / ipv6 / udp dst is 5006 / end actions queue index 2 / end") || exit 1
ID12=$(flow_create "flow create 0 ingress pattern eth / vlan vid is 100 / ipv4 / udp dst is 5007 / end actions queue index 3 / end") || exit 1
xs_base; send "${S6[@]}"; settle rx_q2_packets 40
expect_q "0 0 40 0" "IPv6 rule $ID11 (ipv6 / udp dst 5006 -> queue 2)"
xs_base; send "${S64[@]}"; settle rx_good_packets 40
expect_q "$Q_S64" "IPv4 frames to 5006 with IPv6 rule $ID11 (as without it)"
xs_base; send "${SV[@]}"; settle rx_q3_packets 40
expect_q "0 0 0 40" "VLAN rule $ID12 (vlan 100 / udp dst 5007 -> queue 3)"
xs_base; send "${SV2[@]}"; settle rx_good_packets 40
expect_q "$Q_SV2" "VID 200 frames to 5007 with VLAN rule $ID12 (as without it)"
flow_ok "flow flush 0" >/dev/null || exit 1
# DROP goes through the socket filter, a program of its own.
ID13=$(flow_create "flow create 0 ingress pattern eth / ipv6 / udp dst is 5006 / end actions drop / end") || exit 1
ID14=$(flow_create "flow create 0 ingress pattern eth / vlan vid is 100 / ipv4 / udp dst is 5007 / end actions drop / end") || exit 1
xs_base; send "${S6[@]}"; send "${SV[@]}"; send "${S64[@]}"; send "${SV2[@]}"
settle rx_flow_drops 80 rx_good_packets 80
[ "$(xd rx_flow_drops)" -eq 80 ] && [ "$(xd rx_good_packets)" -eq 80 ] ||
	die "DROP rules $ID13/$ID14: rx_flow_drops +$(xd rx_flow_drops), received +$(xd rx_good_packets); expected +80 and +80 (IPv4 to 5006 and VID 200 pass)"
flow_ok "flow flush 0" >/dev/null || exit 1
tpk_log "11. IPv6 udp 5006: 40/40 on queue 2 (IPv4 to 5006 unchanged, $Q_S64); VLAN 100 udp 5007: 40/40 on queue 3 (VID 200 unchanged, $Q_SV2); as DROP rules: 80 dropped, 80 received"

# ------------------------------------------------ 12. TCP, SCTP, ICMP items; MARK on a tagged frame
# Each rule is checked against frames of the same addresses and ports in
# another protocol (or ICMP type, or VID), which must spread as without it.
ST=(--proto tcp --dport 5010 --sport 19000-19019 --count 40 --len 140)
SS=(--proto sctp --dport 5008 --sport 18000-18019 --count 40 --len 118)
SU=(--dport 5008 --sport 18000-18019 --count 40 --len 118)
SI=(--proto icmp --icmp-type 8 --count 40 --len 98)
SI0=(--proto icmp --icmp-type 0 --count 40 --len 98)
xs_base; send "${SU[@]}"; settle rx_good_packets 40; Q_SU=$(qd)
xs_base; send "${SS[@]}"; settle rx_good_packets 40; Q_SS=$(qd)
xs_base; send "${SI[@]}"; settle rx_good_packets 40; Q_SI=$(qd)
xs_base; send "${SI0[@]}"; settle rx_good_packets 40; Q_SI0=$(qd)
[ "$(xd rx_good_packets)" -eq 40 ] || die "baseline: 40 ICMP echo replies -> +$(xd rx_good_packets)"
# The rules' queues: one that the frames did not reach without the rule.
qfree() { echo "$1" | awk '{ for (i = 4; i >= 1; i--) if ($i == 0) { print i - 1; exit } }'; }
QS=$(qfree "$Q_SS") QI=$(qfree "$Q_SI")
[ -n "$QS" ] && [ -n "$QI" ] || die "baseline: SCTP ($Q_SS) or ICMP ($Q_SI) frames reached every queue"
want() { echo "$1" | awk -v q="$2" -v n="$3" '{ for (i = 1; i <= 4; i++) $i = (i - 1 == q) ? n : 0; print }'; }
ID15=$(flow_create "flow create 0 ingress pattern eth / ipv4 / tcp dst is 5010 / end actions queue index 1 / end") || exit 1
ID16=$(flow_create "flow create 0 ingress pattern eth / ipv4 / sctp dst is 5008 / end actions queue index $QS / end") || exit 1
ID17=$(flow_create "flow create 0 ingress pattern eth / ipv4 / icmp type is 8 / end actions queue index $QI / end") || exit 1
xs_base; send "${ST[@]}"; settle rx_q1_packets 40
expect_q "0 40 0 0" "TCP rule $ID15 (tcp dst 5010 -> queue 1)"
xs_base; send "${SS[@]}"; settle "rx_q${QS}_packets" 40
expect_q "$(want "$Q_SS" "$QS" 40)" "SCTP rule $ID16 (sctp dst 5008 -> queue $QS)"
xs_base; send "${SU[@]}"; settle rx_good_packets 40
expect_q "$Q_SU" "UDP frames to 5008 with SCTP rule $ID16 (as without it)"
xs_base; send "${SI[@]}"; settle "rx_q${QI}_packets" 40
expect_q "$(want "$Q_SI" "$QI" 40)" "ICMP rule $ID17 (icmp type 8 -> queue $QI)"
xs_base; send "${SI0[@]}"; settle rx_good_packets 40
expect_q "$Q_SI0" "ICMP echo replies with ICMP rule $ID17 (as without it)"
flow_ok "flow flush 0" >/dev/null || exit 1
# The same items as DROP rules (the socket filter walks them too).
ID18=$(flow_create "flow create 0 ingress pattern eth / ipv4 / sctp dst is 5008 / end actions drop / end") || exit 1
ID19=$(flow_create "flow create 0 ingress pattern eth / ipv4 / icmp type is 8 / end actions drop / end") || exit 1
xs_base; send "${SS[@]}"; send "${SI[@]}"; send "${SU[@]}"; send "${SI0[@]}"
settle rx_flow_drops 80 rx_good_packets 80
[ "$(xd rx_flow_drops)" -eq 80 ] && [ "$(xd rx_good_packets)" -eq 80 ] ||
	die "DROP rules $ID18/$ID19: rx_flow_drops +$(xd rx_flow_drops), received +$(xd rx_good_packets); expected +80 and +80 (UDP to 5008 and echo replies pass)"
flow_ok "flow flush 0" >/dev/null || exit 1
# MARK matched by the driver on a frame whose tag the kernel took out.
ID20=$(flow_create "flow create 0 ingress pattern eth / vlan vid is 100 / ipv4 / udp dst is 5009 / end actions mark id 0x77 / queue index 1 / end") || exit 1
tpk_testpmd_show "set verbose 1" >/dev/null
off=$(stat -c %s "$TPM_OUT")
xs_base
send --vlan 100 --dport 5009 --sport 12100-12119 --count 20 --len 175
send --vlan 200 --dport 5009 --sport 12100-12119 --count 20 --len 177
settle rx_good_packets 40
tpk_testpmd_show "set verbose 0" >/dev/null
[ "$(xd rx_good_packets)" -eq 40 ] || die "MARK+VLAN rule $ID20: +$(xd rx_good_packets) received of 40"
[ "$(xd rx_q1_packets)" -ge 20 ] || die "MARK+VLAN rule $ID20: queue 1 got +$(xd rx_q1_packets), expected >= 20"
read -r m mq o of <<<"$(mark_dump "$off" 175 0x77 1 177)"
[ "$m" -eq 20 ] && [ "$mq" -eq 20 ] ||
	die "MARK+VLAN rule $ID20: $mq of $m dumped VID 100 frames (of 20) show 'FDIR matched ID=0x77' on queue 1: $(tail -c +"$((off + 1))" "$TPM_OUT" | grep -a -m3 'length=175')"
[ "$o" -eq 20 ] && [ "$of" -eq 0 ] ||
	die "MARK+VLAN rule $ID20: $of of $o dumped VID 200 frames (of 20) show FDIR"
flow_ok "flow flush 0" >/dev/null || exit 1
tpk_log "12. TCP 5010: 40/40 on queue 1; SCTP 5008: 40/40 on queue $QS (UDP to 5008 unchanged, $Q_SU); ICMP type 8: 40/40 on queue $QI (echo replies unchanged, $Q_SI0); as DROP rules: 80 dropped, 80 received; MARK+VLAN 100: 20/20 marked on queue 1, VID 200 0/20"

# ------------------------------------------------ 6. isolated mode
restart_port "flow isolate 0 1"
grep -aq 'Ingress traffic on port 0 is now restricted' "$TPM_OUT" || die "flow isolate 0 1 did not report success"
ID6=$(flow_create "flow create 0 ingress pattern eth / ipv4 / udp dst is 5005 / end actions queue index 3 / end") || exit 1
xs_base
[ -n "${XS[rx_flow_isolate_drops]:-}" ] || die "no xstat rx_flow_isolate_drops"
send --dport 5005 --sport 14000-14024 --count 50 --len 110
send --dport 6002 --sport 20000-20024 --count 50 --len 102
settle rx_q3_packets 50 rx_flow_isolate_drops 50
expect_q "0 0 0 50" "isolated mode with rule $ID6 (udp dst 5005 -> queue 3)"
[ "$(xd rx_flow_isolate_drops)" -eq 50 ] ||
	die "isolated mode: rx_flow_isolate_drops +$(xd rx_flow_isolate_drops), expected +50"
tpk_log "6. isolate: 50/50 frames to 5005 on queue 3, 50 others dropped (rx_flow_isolate_drops +50)"
flow_ok "flow destroy 0 rule $ID6" >/dev/null || exit 1
restart_port "flow isolate 0 0"
grep -aq 'Ingress traffic on port 0 is not restricted anymore' "$TPM_OUT" || die "flow isolate 0 0 did not report success"
xs_base; send "${S1[@]}"; settle rx_good_packets 200
expect_q "$Q_S1" "5001 flows after flow isolate 0 0 (as without rules)"
[ "$(xd rx_flow_isolate_drops)" -eq 0 ] || die "after flow isolate 0 0: rx_flow_isolate_drops +$(xd rx_flow_isolate_drops)"
tpk_log "6. isolate off: delivery restored"

tpk_testpmd_stop

# ------------------------------------------------ 10. without eBPF
# The same port in a testpmd that lacks CAP_BPF and CAP_SYS_ADMIN (and
# unprivileged eBPF is off): every rule is refused with an error that says
# why, and the port still receives everything, spread over its queues by
# the kernel's own fanout hash.
if [ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled 2>/dev/null)" != 0 ] &&
   command -v setpriv >/dev/null; then
	TPK_TESTPMD_WRAP="setpriv --bounding-set=-bpf,-sys_admin,-perfmon"
	tpk_testpmd_start "$NS_DUT" 0,1 "--vdev=net_tpacket0,iface=fd0" \
		"--rxq=4 --txq=4 --nb-cores=1 --forward-mode=rxonly --no-mlockall"
	TPK_TESTPMD_WRAP=
	for c in "flow validate 0 ingress pattern $R1" \
		 "flow create 0 ingress pattern eth / ipv4 / udp dst is 5002 / end actions count / drop / end"; do
		out=$(tpk_testpmd_show "$c")
		echo "$out" | grep -q 'Caught PMD error.*eBPF' ||
			die "without CAP_BPF: '$c' not refused with an error naming eBPF: $out"
	done
	left=$(tpk_testpmd_show "flow list 0" | awk '$1 ~ /^[0-9]+$/')
	[ -z "$left" ] || die "without CAP_BPF: flow list 0 shows rules: $left"
	tpk_testpmd_cmd "start"
	tpk_testpmd_wait 'Start.*forwarding\|rxonly packet forwarding' 5 || die "forwarding did not start (no CAP_BPF)"
	sleep 0.3
	xs_base; send "${S1[@]}"; settle rx_good_packets 200
	[ "$(xd rx_good_packets)" -eq 200 ] ||
		die "without CAP_BPF: 200 frames -> +$(xd rx_good_packets) received"
	[ "$(qd | awk '{ n = 0; for (i = 1; i <= 4; i++) n += ($i > 0); print n }')" -ge 2 ] ||
		die "without CAP_BPF: 50 flows did not spread over the queues: $(qd)"
	[ "$(xd rx_flow_drops)" -eq 0 ] || die "without CAP_BPF: rx_flow_drops +$(xd rx_flow_drops)"
	tpk_log "10. without CAP_BPF: rules refused (QUEUE: the eBPF fanout, DROP: rte_flow needs eBPF), 200/200 frames received on queues $(qd)"
	tpk_testpmd_stop
else
	tpk_log "10. without CAP_BPF: not checked (unprivileged eBPF is allowed here, or no setpriv)"
fi
tpk_log "PASS"
exit 0

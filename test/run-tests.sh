#!/bin/bash
# Runs the whole suite and ends with "N passed, N failed, N skipped".
#
# Test programs print one line per case: "PASS: name", "FAIL: name" or
# "SKIP: name". Shell tests in test/e2e count as one case each: exit 0
# passes, 77 skips, anything else fails.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TPK_BUILD:-$top/build}
export TPK_BUILD=$build
pass=0 fail=0 skip=0
failed=()
logdir=$(mktemp -d /run/tpk-test-logs.XXXXXX)

[ "$(id -u)" = 0 ] || { echo "make test needs root (namespaces, AF_PACKET)"; exit 1; }

# count LOG: add the PASS/FAIL/SKIP lines of a program's output.
count() {
	local p f s
	p=$(grep -c '^PASS: ' "$1") f=$(grep -c '^FAIL: ' "$1") s=$(grep -c '^SKIP: ' "$1")
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	while read -r l; do failed+=("${l#FAIL: }"); done < <(grep '^FAIL: ' "$1")
}

# run_prog NAME CMD...: a program that reports its own cases.
run_prog() {
	local name=$1 log="$logdir/$1.log" rc
	shift
	printf '== %s\n' "$name"
	"$@" >"$log" 2>&1
	rc=$?
	grep -E '^(PASS|FAIL|SKIP): ' "$log" | sed 's/^/   /'
	count "$log"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL: ' "$log"; then
		fail=$((fail + 1)); failed+=("$name (exit $rc)")
		tail -n 30 "$log" | sed 's/^/   | /'
	elif grep -q '^FAIL: ' "$log"; then
		tail -n 30 "$log" | sed 's/^/   | /'
	fi
}

# run_script PATH: one shell test, one case.
run_script() {
	local name log rc t0
	name=$(basename "$1" .sh) log="$logdir/$name.log"
	t0=$(date +%s)
	timeout 600 bash "$1" >"$log" 2>&1
	rc=$?
	case $rc in
	0) pass=$((pass + 1)); echo "PASS: $name ($(( $(date +%s) - t0 ))s)" ;;
	77) skip=$((skip + 1)); echo "SKIP: $name: $(grep -m1 '^SKIP' "$log")" ;;
	*) fail=$((fail + 1)); failed+=("$name"); echo "FAIL: $name (exit $rc)"
	   tail -n 40 "$log" | sed 's/^/   | /' ;;
	esac
}

echo "== unit tests (no DPDK, no root needed)"
for t in "$build"/test/unit/test_*; do
	[ -f "$t" ] && [ -x "$t" ] && run_prog "$(basename "$t")" "$t"
done

# The RX cases again with rx_mode=recvmmsg (no ring): every case that
# does not depend on the ring itself (block geometry, monitor address) or
# on the kernel's flow hash, which recvmsg() does not report
# (dev_info_honest checks that the port says so).
recv_cases="rx_byte_exact fanout_4q_flows stats_match restart_no_leak
rx_scatter_oversize rx_vlan rx_nombuf_recovers rx_kernel_tcp_plain
rx_kernel_tcp_cksum rx_kernel_tcp_lro rx_udp_gso_segmented rmv_under_traffic
rx_interrupt_sleep_wake link_flap_under_traffic rx_timestamp dev_info_honest"
if [ -x "$build/test/pmd/test_pmd" ]; then
	run_prog test_pmd "$build/test/pmd/test_pmd"
	# shellcheck disable=SC2086
	run_prog test_pmd_recvmmsg "$build/test/pmd/test_pmd" \
		--devargs rx_mode=recvmmsg $recv_cases
fi

echo "== end-to-end tests"
for s in "$top"/test/e2e/*.sh; do
	[ -f "$s" ] && run_script "$s"
done

if [ -z "${TPK_QUICK:-}" ]; then
	for s in "$top"/test/extra/*.sh; do
		[ -f "$s" ] && run_script "$s"
	done

	# The same unit and PMD tests built with ASan + UBSan, in their own
	# build directory; any sanitizer report fails the case.
	echo "== sanitizer pass (address, undefined)"
	asan=${TPK_BUILD_ASAN:-$top/build-asan}
	if { [ -f "$asan/build.ninja" ] ||
	     meson setup "$asan" "$top" -Dbuildtype=debug \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null; } &&
	   ninja -C "$asan" >/dev/null; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=66
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=66
		for t in "$asan"/test/unit/test_* "$asan"/test/pmd/test_pmd \
			 "recvmmsg:$asan/test/pmd/test_pmd"; do
			name=$(basename "$t") args=()
			case $t in recvmmsg:*)
				t=${t#recvmmsg:} name=test_pmd_recvmmsg
				# shellcheck disable=SC2206
				args=(--devargs rx_mode=recvmmsg $recv_cases) ;;
			esac
			[ -f "$t" ] && [ -x "$t" ] || continue
			run_prog "asan-$name" bash -o pipefail -c \
				'"$@" 2>&1 | sed -E "s/^(PASS|FAIL|SKIP): /\1: asan:/"' _ "$t" "${args[@]}"
			if grep -qE 'runtime error|Sanitizer' "$logdir/asan-$name.log"; then
				fail=$((fail + 1)); failed+=("asan-$name: sanitizer report")
				grep -E -A12 'runtime error|ERROR: .*Sanitizer' "$logdir/asan-$name.log" | head -40 | sed 's/^/   | /'
			fi
		done
		unset ASAN_OPTIONS UBSAN_OPTIONS
	else
		fail=$((fail + 1)); failed+=("sanitizer build")
	fi

	if [ -x "$top/test/fuzz/run-fuzz.sh" ]; then
		echo "== bounded fuzzing (${FUZZ_SECONDS:-60} s per target)"
		run_prog fuzz "$top/test/fuzz/run-fuzz.sh"
	fi
fi

rm -rf "$logdir"
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failed[@]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]

#!/bin/bash
# Runs the whole suite and ends with "N passed, N failed, N skipped".
#
#  1. unit, in-process PMD (its RX cases again with rx_mode=ring and
#     rx_mode=recvmmsg) and end-to-end tests against the system DPDK;
#  2. the sanitizer rerun and bounded fuzzing (not with TPK_QUICK);
#  3. the DPDK version matrix (not with TPK_QUICK): each release tarball
#     in DPDK_SRC_DIR (default ../shared/dpdk) is built once into a cache
#     (devtools/dpdk-build.sh), net_tpacket is built against it with
#     -Werror, and the suites of 1. run again with that DPDK's own
#     testpmd, proc-info and dumpcap, less what only the system DPDK can
#     run (matrix_exclude); the rx_mode=ring and rx_mode=recvmmsg reruns
#     only on the newest version. TPK_MATRIX=0 skips it.
#
# Test programs print one line per case: "PASS: name", "FAIL: name" or
# "SKIP: name". Shell tests in test/e2e count as one case each: exit 0
# passes, 77 skips, anything else fails. Cases of a matrix version are
# named "<version>: name".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TPK_BUILD:-$top/build}
export TPK_BUILD=$build
pass=0 fail=0 skip=0
failed=()
versions=()	# "label: N passed, N failed, N skipped", one per DPDK
label=""	# "" for the system DPDK, "24.11.6: " for a matrix version
logdir=$(mktemp -d /run/tpk-test-logs.XXXXXX)
t_start=$(date +%s)

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
	printf '== %s%s\n' "$label" "$name"
	"$@" 2>&1 | sed -E "s/^(PASS|FAIL|SKIP): /\1: $label/" >"$log"
	rc=${PIPESTATUS[0]}
	grep -E '^(PASS|FAIL|SKIP): ' "$log" | sed 's/^/   /'
	count "$log"
	# 77: the program skipped itself as a whole (its SKIP: line says why).
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && ! grep -q '^FAIL: ' "$log"; then
		fail=$((fail + 1)); failed+=("$label$name (exit $rc)")
		tail -n 30 "$log" | sed 's/^/   | /'
	elif grep -q '^FAIL: ' "$log"; then
		tail -n 30 "$log" | sed 's/^/   | /'
	fi
}

# run_script PATH: one shell test, one case.
run_script() {
	local name log rc t0
	name=$(basename "$1" .sh) log="$logdir/$label$(basename "$1" .sh).log"
	t0=$(date +%s)
	timeout 600 bash "$1" >"$log" 2>&1
	rc=$?
	case $rc in
	0) pass=$((pass + 1)); echo "PASS: $label$name ($(( $(date +%s) - t0 ))s)" ;;
	77) skip=$((skip + 1)); echo "SKIP: $label$name: $(grep -m1 '^SKIP' "$log")" ;;
	*) fail=$((fail + 1)); failed+=("$label$name"); echo "FAIL: $label$name (exit $rc)"
	   tail -n 40 "$log" | sed 's/^/   | /' ;;
	esac
}

# The RX cases again with rx_mode=frames (the V2 slots) and
# rx_mode=recvmmsg (no ring): test_pmd --frames-set / --recvmmsg-set run
# the cases test/pmd/test_cases.def flags TC_RECVMMSG (the default is
# rx_mode=ring on x86, where the V3 ring is read live; rx_mode=frames
# elsewhere, and then --ring-set covers the ring).

# core_suites BUILD [E2E_EXCLUDE]: unit, PMD and end-to-end tests of one
# build, with whatever dpdk-testpmd comes first in PATH. Adds a line to
# versions[] with this DPDK's own counts.
core_suites() {
	local b=$1 exclude=${2:-} t s p0=$pass f0=$fail s0=$skip dv
	echo "== ${label}unit tests (no DPDK, no root needed)"
	for t in "$b"/test/unit/test_*; do
		[ -f "$t" ] && [ -x "$t" ] && run_prog "$(basename "$t")" "$t"
	done
	if [ -x "$b/test/pmd/test_pmd" ]; then
		run_prog test_pmd "$b/test/pmd/test_pmd"
		# The RX-mode reruns: on the system DPDK and the newest only
		# (the modes' code has no DPDK-version-dependent part).
		[ -n "${mid_version:-}" ] ||
			run_prog test_pmd_recvmmsg "$b/test/pmd/test_pmd" --recvmmsg-set
		[ -n "${mid_version:-}" ] ||
			run_prog test_pmd_other "$b/test/pmd/test_pmd" --other-set
	fi
	echo "== ${label}end-to-end tests"
	for s in "$top"/test/e2e/*.sh; do
		case " $exclude " in *" $(basename "$s" .sh) "*) continue ;; esac
		[ -f "$s" ] && TPK_BUILD=$b run_script "$s"
	done
	dv=$(PKG_CONFIG_PATH=${PKG_CONFIG_PATH:-} pkg-config --modversion libdpdk 2>/dev/null)
	versions+=("DPDK ${label:-$dv (system): }$((pass - p0)) passed, $((fail - f0)) failed, $((skip - s0)) skipped")
}

# ------------------------------------------------ 1. the system DPDK
core_suites "$build"

if [ -z "${TPK_QUICK:-}" ]; then
	for s in "$top"/test/extra/*.sh; do
		[ -f "$s" ] && run_script "$s"
	done

	# ------------------------------------ 2. sanitizers and fuzzing
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
				args=(--recvmmsg-set) ;;
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

# ---------------------------------------------- 3. the DPDK matrix
# The documentation describes the system DPDK's testpmd: checked there only.
# The bootstrap is about the system DPDK (its fixtures are version-free).
# DPDK's example applications, dpdk-test and OVS come from the distribution,
# built against the system DPDK: a plugin of another version cannot load.
matrix_exclude="doc_consistency bootstrap_sources eventdev_adapters ovs_dpdk flow_perf"
matrix_exclude+=" examples_ip examples_l2 examples_l3fwd examples_lsi examples_power"
src_dir=${DPDK_SRC_DIR:-$top/../shared/dpdk}
tarballs=()
[ -d "$src_dir" ] && mapfile -t tarballs < <(ls "$src_dir"/dpdk-*.tar.xz 2>/dev/null | sort -V)
if [ -n "${TPK_QUICK:-}" ] || [ "${TPK_MATRIX:-1}" = 0 ]; then
	echo "== DPDK version matrix skipped: ${TPK_QUICK:+TPK_QUICK is set}${TPK_QUICK:-TPK_MATRIX=0}"
elif [ ${#tarballs[@]} = 0 ]; then
	echo "== DPDK version matrix skipped: no dpdk-<version>.tar.xz in ${src_dir} (set DPDK_SRC_DIR)"
else
	sys_path=$PATH sys_ld=${LD_LIBRARY_PATH:-}
	for tb in "${tarballs[@]}"; do
		ver=$(basename "$tb" .tar.xz) ver=${ver#dpdk-}
		label="$ver: "
		echo "== DPDK $ver"
		t0=$(date +%s)
		if ! prefix=$("$top/devtools/dpdk-build.sh" "$tb" 2>"$logdir/dpdk-$ver.log"); then
			sed 's/^/   | /' "$logdir/dpdk-$ver.log"
			fail=$((fail + 1)); failed+=("${label}DPDK build")
			versions+=("DPDK $ver: DPDK did not build")
			continue
		fi
		sed 's/^/   /' "$logdir/dpdk-$ver.log"
		mb=$top/build-dpdk-$ver
		export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
		if { [ -f "$mb/build.ninja" ] ||
		     meson setup "$mb" "$top" >"$logdir/setup-$ver.log" 2>&1; } &&
		   ninja -C "$mb" >"$logdir/build-$ver.log" 2>&1; then
			echo "PASS: ${label}build with -Werror ($(( $(date +%s) - t0 ))s)"
			pass=$((pass + 1))
			export PATH=$prefix/bin:$sys_path
			export LD_LIBRARY_PATH=$prefix/lib${sys_ld:+:$sys_ld}
			mid_version=
			[ "$tb" = "${tarballs[${#tarballs[@]}-1]}" ] || mid_version=1
			core_suites "$mb" "$matrix_exclude${mid_version:+ testpmd_tcp_recvmmsg testpmd_tcp_frames}"
			mid_version=
			export PATH=$sys_path LD_LIBRARY_PATH=$sys_ld
		else
			echo "FAIL: ${label}build with -Werror"
			cat "$logdir/setup-$ver.log" "$logdir/build-$ver.log" |
				grep -E -m 30 'error|ERROR' | sed 's/^/   | /'
			fail=$((fail + 1)); failed+=("${label}build")
			versions+=("DPDK $ver: net_tpacket did not build")
		fi
		unset PKG_CONFIG_PATH
		echo "   DPDK $ver: $(( $(date +%s) - t0 )) s"
	done
	label=""
fi

rm -rf "$logdir"
echo "== per DPDK version"
printf '   %s\n' "${versions[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failed[@]}"
fi
echo "wall time: $(( $(date +%s) - t_start )) s"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]

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
	[ -x "$t" ] && run_prog "$(basename "$t")" "$t"
done

if [ -x "$build/test/pmd/test_pmd" ]; then
	run_prog test_pmd "$build/test/pmd/test_pmd"
fi

echo "== end-to-end tests"
for s in "$top"/test/e2e/*.sh; do
	[ -f "$s" ] && run_script "$s"
done

if [ -z "${TPK_QUICK:-}" ]; then
	for s in "$top"/test/extra/*.sh; do
		[ -f "$s" ] && run_script "$s"
	done
fi

rm -rf "$logdir"
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failed[@]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]

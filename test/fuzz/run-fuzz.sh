#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Bounded libFuzzer run of every target in test/fuzz.
#
#  1. configures and builds build-fuzz (CC=clang, -Dfuzz=true,
#     -Ddriver=disabled, -Db_sanitize=address,undefined);
#  2. replays test/fuzz/regress/<target>/* with TPK_FUZZ_KNOWN_BUGS=1:
#     inputs that once crashed a target, one case each ("BUG_*" ones pin
#     reported bugs that are not fixed yet, and fail until they are);
#  3. fuzzes each target for FUZZ_SECONDS on a temporary copy of its seed
#     corpus test/fuzz/corpus/<target> (the repository is never written),
#     targets in parallel.
#
# Prints "PASS: <case>" / "FAIL: <case>: ..." lines; exits non-zero if
# any case failed. On a crash the input is kept and its path printed.
#
# Environment:
#   FUZZ_SECONDS  seconds per target (default 60; 0: replay the corpus only)
#   FUZZ_TARGETS  space-separated target names (default: all built)
#   FUZZ_JOBS     targets run at once (default: number of CPUs)
#   FUZZ_BUILD    build directory (default: <repo>/build-fuzz)
#   FUZZ_WORKDIR  where corpora, logs and crashes go (default: a new
#                 directory under $TMPDIR; removed when everything passed)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fuzzdir=$top/test/fuzz
bdir=${FUZZ_BUILD:-$top/build-fuzz}
secs=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
t_start=$(date +%s)
nfail=0

case $secs in ''|*[!0-9]*) echo "FAIL: fuzz_setup: FUZZ_SECONDS=$secs is not a number"; exit 1 ;; esac
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1

if [ -n "${FUZZ_WORKDIR:-}" ]; then
	work=$FUZZ_WORKDIR
	mkdir -p "$work" || exit 1
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/tpk-fuzz.XXXXXX") || exit 1
fi

fail() { nfail=$((nfail + 1)); echo "FAIL: $*"; }

# ---- toolchain: clang with the libFuzzer runtime -----------------------------
probe() {
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' |
		clang -fsanitize=fuzzer,address,undefined -x c - -o "$work/probe" \
			>"$work/probe.log" 2>&1
}
if ! command -v clang >/dev/null || ! probe; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		export DEBIAN_FRONTEND=noninteractive
		command -v clang >/dev/null || {
			apt-get update -qq >/dev/null
			apt-get install -y -qq --no-install-recommends clang >/dev/null
		}
		v=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
		apt-get install -y -qq --no-install-recommends "libclang-rt-$v-dev" \
			>/dev/null 2>&1 || {
			apt-get update -qq >/dev/null
			apt-get install -y -qq --no-install-recommends \
				"libclang-rt-$v-dev" >/dev/null 2>&1
		}
	fi
	if ! command -v clang >/dev/null || ! probe; then
		fail "fuzz_build: clang with libFuzzer is not available (apt-get install clang libclang-rt-<ver>-dev)"
		sed 's/^/   | /' "$work/probe.log" 2>/dev/null | tail -n 5
		exit 1
	fi
fi

# ---- build ----------------------------------------------------------------------
opts="-Dfuzz=true -Ddriver=disabled -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized"
stamp=$bdir/.tpk-fuzz-config
if [ -f "$bdir/build.ninja" ] && [ "$(cat "$stamp" 2>/dev/null)" != "clang $opts" ]; then
	# Configured otherwise: take our options, but never wipe a directory
	# that was set up with another compiler (it may be someone's build).
	if ! grep -qE '^ command = (ccache )?clang(-[0-9]+)? ' "$bdir/build.ninja"; then
		fail "fuzz_build: $bdir is not a clang build directory: remove it or set FUZZ_BUILD"
		exit 1
	fi
	# shellcheck disable=SC2086
	if ! meson setup --reconfigure "$bdir" "$top" $opts >"$work/setup.log" 2>&1; then
		fail "fuzz_build: meson setup --reconfigure $bdir failed"
		tail -n 20 "$work/setup.log" | sed 's/^/   | /'
		exit 1
	fi
	echo "clang $opts" >"$stamp"
fi
if [ ! -f "$bdir/build.ninja" ]; then
	# shellcheck disable=SC2086
	if ! CC=clang meson setup "$bdir" "$top" $opts >"$work/setup.log" 2>&1; then
		fail "fuzz_build: meson setup $bdir failed"
		tail -n 20 "$work/setup.log" | sed 's/^/   | /'
		exit 1
	fi
	echo "clang $opts" >"$stamp"
fi
if ! ninja -C "$bdir" >"$work/build.log" 2>&1; then
	fail "fuzz_build: ninja -C $bdir failed"
	grep -E -m 20 'error|FAILED' "$work/build.log" | sed 's/^/   | /'
	exit 1
fi

if [ -n "${FUZZ_TARGETS:-}" ]; then
	targets=$FUZZ_TARGETS
else
	targets=$(cd "$bdir/test/fuzz" && for f in fuzz_*; do
		[ -f "$f" ] && [ -x "$f" ] && echo "$f"; done)
fi
[ -n "$targets" ] || { fail "fuzz_build: no fuzz targets in $bdir/test/fuzz"; exit 1; }

# Sanitizer settings for everything below.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# The first lines of a sanitizer / assertion report in LOG.
report() {
	grep -E -v 'in fuzzer::|libc_start|in _start|in main |^ *$' "$1" |
		grep -E -m1 -A9 'ERROR: |runtime error|assertion failed|deadly signal' |
		sed 's/^/   | /'
}

# ---- regressions ------------------------------------------------------------------
for t in $targets; do
	[ -d "$fuzzdir/regress/$t" ] || continue
	for f in "$fuzzdir/regress/$t"/*; do
		[ -f "$f" ] || continue
		name="regress_$t/$(basename "$f")"
		log="$work/regress-$t-$(basename "$f").log"
		if timeout 120 "$bdir/test/fuzz/$t" "$f" \
			>"$log" 2>&1; then
			echo "PASS: $name"
		else
			fail "$name: crashes; reproduce: $bdir/test/fuzz/$t $f"
			report "$log"
		fi
	done
done

# ---- fuzzing ------------------------------------------------------------------------
# Per-target libFuzzer options.
target_opts() {
	local o="-timeout=30 -rss_limit_mb=2048 -print_final_stats=1"
	case $1 in
	fuzz_devargs) o="$o -dict=$fuzzdir/devargs.dict -max_len=1024" ;;
	fuzz_fdreq) o="$o -dict=$fuzzdir/fdreq.dict -max_len=256" ;;
	fuzz_v3_block) o="$o -max_len=16384" ;;
	fuzz_vnet_tx) o="$o -max_len=8192" ;;
	fuzz_txhdr) o="$o -max_len=4096" ;;
	fuzz_flow) o="$o -max_len=1024" ;;
	fuzz_tx_prepare) o="$o -max_len=8192" ;;
	esac
	echo "$o"
}

run_target() {
	local t=$1 corpus=$work/corpus/$1 log=$work/$1.log o
	mkdir -p "$corpus" "$work/crashes"
	[ -d "$fuzzdir/corpus/$t" ] && cp "$fuzzdir/corpus/$t"/* "$corpus"/ 2>/dev/null
	o=$(target_opts "$t")
	if [ "$secs" -eq 0 ]; then
		o="$o -runs=0"
	else
		o="$o -max_total_time=$secs"
	fi
	# shellcheck disable=SC2086
	timeout $((secs + 120)) "$bdir/test/fuzz/$t" $o \
		-artifact_prefix="$work/crashes/$t-" "$corpus" >"$log" 2>&1
	echo $? >"$work/$t.rc"
}

running=0
for t in $targets; do
	if [ ! -x "$bdir/test/fuzz/$t" ]; then
		fail "$t: not built ($bdir/test/fuzz/$t)"
		continue
	fi
	run_target "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n 2>/dev/null || wait
		running=$((running - 1))
	fi
done
wait

for t in $targets; do
	[ -f "$work/$t.rc" ] || continue
	rc=$(cat "$work/$t.rc")
	log=$work/$t.log
	stats=$(grep -E -o 'DONE +cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n1 |
		sed -E 's/DONE +//')
	runs=$(grep -E -o '^stat::number_of_executed_units: [0-9]+' "$log" |
		grep -E -o '[0-9]+$')
	if [ "$rc" = 0 ]; then
		if [ "$secs" -eq 0 ]; then
			echo "PASS: $t (corpus replay, $stats)"
		else
			echo "PASS: $t (${secs}s, ${runs:-?} runs, $stats)"
		fi
	else
		crash=
		for c in "$work/crashes/$t"-*; do
			[ -f "$c" ] && { crash=$c; break; }
		done
		if [ -n "$crash" ]; then
			fail "$t: exit $rc, crash input $crash; reproduce: $bdir/test/fuzz/$t $crash"
		else
			fail "$t: exit $rc (log $log)"
		fi
		report "$log"
	fi
done

echo "fuzz: $(echo "$targets" | wc -w) targets, ${secs}s each, $(( $(date +%s) - t_start ))s in total"
if [ -n "${FUZZ_WORKDIR:-}" ]; then
	echo "fuzz: logs, corpora and crash inputs in $work"
elif [ "$nfail" -eq 0 ]; then
	rm -rf "$work"
else
	rm -rf "$work/corpus" "$work/probe"
	echo "fuzz: logs and crash inputs kept in $work"
fi
[ "$nfail" -eq 0 ]

#!/bin/bash
# build-examples.sh: build the DPDK example applications the e2e tests run
# (test/e2e/examples_*.sh) once, against the installed DPDK (pkg-config
# libdpdk), and print the directory holding their binaries.
#
# The sources come from the distribution's dpdk-doc package
# (/usr/share/dpdk/examples), installed with apt-get when missing. They
# are copied into a cache keyed by the DPDK version and built there with
# make; a second call with the same DPDK version prints the directory at
# once. A different DPDK version (pkg-config --modversion libdpdk) gets a
# directory of its own.
#
#   TPK_EXAMPLES_CACHE  cache directory (default: <repo>/.deps/examples,
#                       git-ignored; /var/cache/net-tpacket/examples when
#                       the repo path has a world-writable component)
#   TPK_EXAMPLES_SRC    examples source directory (default:
#                       /usr/share/dpdk/examples)
#   TPK_EXAMPLES        examples to build (default: the list below)
#
# Output: the binary directory (<cache>/<version>/bin) on stdout; build
# logs on stderr only when a build fails.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "build-examples: $*" >&2; }
die() { echo "build-examples: error: $*" >&2; exit 1; }

apps=${TPK_EXAMPLES:-"skeleton l2fwd l3fwd l3fwd-power ip_fragmentation \
ip_reassembly link_status_interrupt rxtx_callbacks ethtool"}

# shellcheck source=devtools/path-safe.sh
. "$top/devtools/path-safe.sh"

command -v pkg-config >/dev/null || die "pkg-config is not installed"
ver=$(pkg-config --modversion libdpdk 2>/dev/null) ||
	die "pkg-config finds no libdpdk (apt-get install libdpdk-dev)"

src=${TPK_EXAMPLES_SRC:-/usr/share/dpdk/examples}
if [ ! -d "$src/l3fwd" ] && [ -z "${TPK_EXAMPLES_SRC:-}" ]; then
	[ "$(id -u)" = 0 ] || die "$src missing and not root: apt-get install dpdk-doc"
	log "installing dpdk-doc (the examples' sources)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q dpdk-doc >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 || true
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q dpdk-doc >&2; } ||
		die "apt-get install dpdk-doc failed"
fi
[ -d "$src/l3fwd" ] || die "$src has no examples"
for c in make cc; do
	command -v $c >/dev/null || die "$c is not installed"
done

cache=${TPK_EXAMPLES_CACHE:-$top/.deps/examples}
if ! path_safe "$cache"; then
	[ -n "${TPK_EXAMPLES_CACHE:-}" ] &&
		die "TPK_EXAMPLES_CACHE=$cache has a world-writable component"
	cache=/var/cache/net-tpacket/examples
fi
dir=$cache/$ver
bin=$dir/bin
mkdir -p "$bin"
chmod 0755 "$cache" "$dir" "$bin"

# One make at a time per cache (parallel test scripts may all call us).
exec 9>"$dir/.lock"
flock 9

n=$(nproc 2>/dev/null || echo 2)
for a in $apps; do
	[ -x "$bin/$a" ] && [ "$bin/$a" -nt "$src/$a" ] && continue
	[ -d "$src/$a" ] || die "$src/$a: no such example"
	log "building $a (DPDK $ver)"
	rm -rf "${dir:?}/src/$a"
	mkdir -p "$dir/src"
	# Some examples include ../common (l3fwd-power, ...): copy it along.
	[ -d "$src/common" ] && [ ! -d "$dir/src/common" ] && cp -r "$src/common" "$dir/src/"
	cp -r "$src/$a" "$dir/src/$a"
	if ! make -C "$dir/src/$a" -j"$n" >"$dir/src/$a.log" 2>&1; then
		tail -n 40 "$dir/src/$a.log" >&2
		die "make -C $dir/src/$a failed (log: $dir/src/$a.log)"
	fi
	# The ethtool example builds its binary as ethtool-app/build/ethtool.
	b=$(find "$dir/src/$a" -path '*/build/*' -type f -perm -u+x \
		! -name '*.so*' ! -name '*.a' | head -n1)
	[ -n "$b" ] || die "$a: no binary under $dir/src/$a"
	if [ "$a" = ethtool ]; then
		# Linked against the example's own librte_ethtool.so: a wrapper
		# points the loader at it (exec keeps the PID).
		mkdir -p "$dir/lib" "$dir/libexec"
		install -m 0644 "$dir/src/$a/lib/build/librte_ethtool.so" "$dir/lib/"
		install -m 0755 "$b" "$dir/libexec/$a"
		printf '#!/bin/sh\nLD_LIBRARY_PATH=%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec %s "$@"\n' \
			"$dir/lib" "$dir/libexec/$a" >"$bin/$a.tmp"
		chmod 0755 "$bin/$a.tmp" && mv "$bin/$a.tmp" "$bin/$a"
	else
		install -m 0755 "$b" "$bin/$a"
	fi
done
echo "$bin"

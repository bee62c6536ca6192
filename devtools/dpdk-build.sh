#!/bin/bash
# dpdk-build.sh TARBALL: build one DPDK release tarball once (shared
# libraries, driver SDK headers, the few drivers and apps the tests use)
# and print its install prefix. The result is cached under a key made of
# the tarball's sha256 and this script's build options, so a second call
# on the same machine returns at once.
#
#   TPK_DPDK_CACHE  cache directory (default: <repo>/.deps/dpdk, or
#                   /var/cache/net-tpacket/dpdk when the repo path has a
#                   world-writable component: EAL refuses to load drivers
#                   from such a prefix)
#
# Run one at a time: a DPDK build takes both cores for about 5 minutes.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "dpdk-build: $*" >&2; }
die() { echo "dpdk-build: error: $*" >&2; exit 1; }

[ $# = 1 ] || die "usage: $0 dpdk-<version>.tar.xz"
tarball=$(readlink -f "$1")
[ -f "$tarball" ] || die "$1: no such file"
ver=$(basename "$tarball" | sed -n 's/^dpdk-\([0-9][0-9.]*[0-9]\)\.tar\.xz$/\1/p')
[ -n "$ver" ] || die "$1: expected a name like dpdk-24.11.6.tar.xz"

# Drivers and apps: what the tests load (vdev bus, ring mempool, the
# reference PMDs for side-by-side runs) and run (testpmd, proc-info,
# dumpcap, pdump). Changing these changes the cache key.
drivers="bus/vdev,mempool/ring,mempool/stack,net/ring,net/null,net/af_packet"
apps="test-pmd,proc-info,dumpcap,pdump"
opts="-Ddefault_library=shared -Denable_driver_sdk=true -Dtests=false \
-Denable_docs=false -Dexamples= \
-Denable_drivers=$drivers -Denable_apps=$apps"

# shellcheck source=devtools/path-safe.sh
. "$top/devtools/path-safe.sh"

cache=${TPK_DPDK_CACHE:-$top/.deps/dpdk}
if ! path_safe "$cache"; then
	[ -n "${TPK_DPDK_CACHE:-}" ] &&
		die "TPK_DPDK_CACHE=$cache has a world-writable component (EAL refuses it)"
	cache=/var/cache/net-tpacket/dpdk
fi

# Verify the tarball against the sha256 its directory's README lists.
sha=$(sha256sum "$tarball" | cut -d' ' -f1)
readme=$(dirname "$tarball")/README.md
if [ -f "$readme" ] && grep -q "$(basename "$tarball")" "$readme"; then
	grep "$(basename "$tarball")" "$readme" | grep -q "$sha" ||
		die "$(basename "$tarball"): sha256 $sha is not the one $readme lists"
fi
optkey=$(printf '%s' "$opts" | sha256sum | cut -c1-8)
key="$ver-${sha:0:16}-$optkey"
prefix="$cache/$key"

if [ -f "$prefix/.complete" ]; then
	echo "$prefix"
	exit 0
fi

# What a DPDK build needs beyond the driver's own build dependencies.
need=""
for p in python3-pyelftools libpcap-dev libarchive-dev xz-utils meson ninja-build; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
	log "installing:$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $need >/dev/null 2>&1 ||
		die "apt-get install failed for:$need"
fi

# DPDK's build scripts run "python3" from PATH and need elftools: use
# the distribution's interpreter (where the package above installed it),
# not a pyenv or virtualenv shim that may come first.
export PATH=/usr/bin:/bin:$PATH

mkdir -p "$cache"
chmod 0755 "$cache"
work=$(mktemp -d "$cache/.build-$ver.XXXXXX")
trap 'rm -rf "$work"' EXIT
rm -rf "$prefix"
log "building DPDK $ver (sha256 ${sha:0:16}) into $prefix"
t0=$(date +%s)
tar -xJf "$tarball" -C "$work"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n1)
# shellcheck disable=SC2086
meson setup "$work/build" "$src" --prefix="$prefix" --libdir=lib \
	--buildtype=release $opts >"$work/setup.log" 2>&1 ||
	{ tail -n 40 "$work/setup.log" >&2; die "meson setup of DPDK $ver failed"; }
ninja -C "$work/build" >"$work/build.log" 2>&1 ||
	{ grep -m 20 -B2 -A8 'error' "$work/build.log" >&2; die "DPDK $ver build failed"; }
meson install -C "$work/build" --quiet >"$work/install.log" 2>&1 ||
	{ tail -n 20 "$work/install.log" >&2; die "DPDK $ver install failed"; }
for a in dpdk-testpmd dpdk-proc-info dpdk-dumpcap; do
	[ -x "$prefix/bin/$a" ] || die "DPDK $ver: $a was not built"
done
chmod -R go-w "$prefix"
echo "$sha $ver $opts" >"$prefix/.complete"
log "DPDK $ver built in $(( $(date +%s) - t0 )) s"
echo "$prefix"

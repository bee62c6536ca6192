#!/bin/sh
# Install what net_tpacket needs to build and test on Debian 12, and fetch
# DPDK's driver SDK headers (which Debian's libdpdk-dev does not ship) from
# the Debian source package of exactly the installed libdpdk-dev version.
# Idempotent and quiet when everything is already in place.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sdk_dir="$top/.deps/dpdk-sdk"
want_hdrs="ethdev_driver.h ethdev_vdev.h bus_vdev_driver.h dev_driver.h"

pkgs="dpdk dpdk-dev libdpdk-dev libnuma-dev libbpf-dev pkg-config meson \
ninja-build gcc clang llvm libclang-rt-14-dev iproute2 ethtool iperf3 \
iputils-ping netsniff-ng tcpdump tshark libcap2-bin python3 python3-sphinx \
dpkg-dev xz-utils procps kmod"
[ "${BOOTSTRAP_EXTRA:-}" ] && pkgs="$pkgs $BOOTSTRAP_EXTRA"

log() { echo "bootstrap: $*"; }
die() { echo "bootstrap: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (apt-get and network namespaces need it)"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	log "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
		die "apt-get install failed for:$missing"
fi

dpdk_ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)
pc_ver=$(pkg-config --modversion libdpdk)
case "$dpdk_ver" in
"$pc_ver"-*|"$pc_ver") ;;
*) die "pkg-config libdpdk is $pc_ver but libdpdk-dev is $dpdk_ver: mixed DPDK installs" ;;
esac

# A DPDK built with enable_driver_sdk already installs the headers.
inc=$(pkg-config --variable=includedir libdpdk)
have_all=1
for h in $want_hdrs; do
	[ -f "$inc/dpdk/$h" ] || [ -f "$inc/$h" ] || have_all=0
done
if [ $have_all = 1 ]; then
	rm -rf "$sdk_dir"
	exit 0
fi

stamp="$sdk_dir/VERSION"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$dpdk_ver" ]; then
	exit 0
fi

# Derive deb-src entries from the machine's own deb entries, so the source
# comes from the same archive (and snapshot) the binaries came from.
src_list=/etc/apt/sources.list.d/net-tpacket-deb-src.sources
if ! apt-get source --print-uris -qq "dpdk=$dpdk_ver" >/dev/null 2>&1; then
	log "adding deb-src entries derived from the existing apt sources"
	tmp=$(mktemp)
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$src_list" ] || continue
		awk 'BEGIN { RS = ""; ORS = "\n\n" }
		     /(^|\n)Types:[^\n]*deb([ \t]|\n|$)/ && /debian-archive-keyring|Suites:[^\n]*(bookworm|trixie|bullseye)/ {
			gsub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f" >>"$tmp"
	done
	if [ -f /etc/apt/sources.list ]; then
		grep -E '^deb[[:space:]]' /etc/apt/sources.list |
			sed 's/^deb\([[:space:]]\)/deb-src\1/' >"$tmp.list" || true
		[ -s "$tmp.list" ] && cp "$tmp.list" /etc/apt/sources.list.d/net-tpacket-deb-src.list
		rm -f "$tmp.list"
	fi
	[ -s "$tmp" ] && cp "$tmp" "$src_list"
	rm -f "$tmp"
	apt-get update -qq >/dev/null
fi

work=$(mktemp -d)
chmod 755 "$work"	# apt's sandbox user must be able to write there
trap 'rm -rf "$work"' EXIT
log "fetching DPDK $dpdk_ver source package for the driver SDK headers"
(cd "$work" && apt-get source -qq --download-only "dpdk=$dpdk_ver" >/dev/null) ||
	die "apt-get source dpdk=$dpdk_ver failed: no deb-src for the installed version"
dsc=$(ls "$work"/dpdk_*.dsc 2>/dev/null | head -n1)
[ -n "$dsc" ] || die "no .dsc downloaded for dpdk=$dpdk_ver"
(cd "$work" && dpkg-source -q -x "$dsc" src >/dev/null 2>&1) ||
	die "dpkg-source could not unpack $dsc"
got=$(sed -n 's/^Version: //p' "$dsc")
[ "$got" = "$dpdk_ver" ] ||
	die "source package version $got does not match installed libdpdk-dev $dpdk_ver"

rm -rf "$sdk_dir"
mkdir -p "$sdk_dir"
for h in $want_hdrs; do
	f=$(find "$work/src/lib" "$work/src/drivers/bus" -name "$h" | head -n1)
	[ -n "$f" ] || die "$h not found in the DPDK $dpdk_ver source"
	cp "$f" "$sdk_dir/"
done
echo "$dpdk_ver" >"$stamp"
log "driver SDK headers for DPDK $dpdk_ver in ${sdk_dir#$top/}"

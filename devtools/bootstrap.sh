#!/bin/sh
# Install what net_tpacket needs to build and test (Debian 12, Debian 13,
# Ubuntu 24.04), and fetch DPDK's driver SDK headers (which the
# distributions' libdpdk-dev does not ship) from the source package of
# exactly the installed DPDK version. Idempotent and quiet when
# everything is already in place.
#
#   PKG_CONFIG_PATH  a DPDK of your own (installed in a prefix): used
#                    instead of the distribution's; it must ship the SDK
#                    headers (-Denable_driver_sdk=true) unless meson gets
#                    -Dsdk_headers=DIR
#   TPK_SDK_FROM     a DPDK source tree or release tarball to take the
#                    SDK headers from when the distribution's source
#                    package cannot be fetched: accepted with a warning
#                    if it is of the installed DPDK's LTS series (same
#                    YY.MM), refused otherwise. Without it, a release
#                    tarball of that series in DPDK_SRC_DIR (default
#                    ../shared/dpdk) is the fallback, with a warning
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sdk_dir="$top/.deps/dpdk-sdk"
want_hdrs="ethdev_driver.h ethdev_vdev.h bus_vdev_driver.h dev_driver.h"

# Unversioned names only: each distribution maps them to its own LLVM.
pkgs="dpdk dpdk-dev libdpdk-dev libnuma-dev libbpf-dev pkg-config meson \
ninja-build gcc clang llvm libclang-rt-dev iproute2 ethtool iperf3 \
iputils-ping netsniff-ng tcpdump tshark libcap2-bin python3 python3-sphinx \
dpkg-dev xz-utils procps kmod"
[ "${BOOTSTRAP_EXTRA:-}" ] && pkgs="$pkgs $BOOTSTRAP_EXTRA"

log() { echo "bootstrap: $*"; }
warn() { echo "bootstrap: warning: $*" >&2; }
die() { echo "bootstrap: error: $*" >&2; exit 1; }

# upstream VERSION: the upstream part of a distribution version string
# (22.11.11-0+deb12u1, 23.11.4-0ubuntu0.24.04.1, 1:24.11~rc2-1,
# 24.11.1+dfsg-2 -> 22.11.11, 23.11.4, 24.11~rc2, 24.11.1).
upstream() {
	echo "$1" | sed -e 's/^[0-9]*://' -e 's/-[^-]*$//' -e 's/+dfsg.*$//' -e 's/+ds.*$//'
}
# series VERSION: the LTS series, YY.MM.
series() {
	echo "$1" | sed -n 's/^\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p'
}

# origin_uris < "apt-cache policy PKG": the archive URIs that serve the
# installed version of PKG (http://..., mirror+file:..., file:...).
origin_uris() {
	awk '/^ \*\*\* / { inst = 1; next }
	     /^     [^ ]/ { inst = 0 }
	     inst && $2 ~ /^[a-z+]+:/ { print $2 }' | sort -u
}

# deb822_src URI FILE: FILE's enabled "Types: deb" stanzas for URI, as
# deb-src stanzas (Debian 12/13 and Ubuntu 24.04 use this format).
deb822_src() {
	awk -v u="${1%/}" 'BEGIN { RS = ""; ORS = "\n\n" }
	     /(^|\n)Types:[^\n]*deb([ \t]|\n|$)/ && !/(^|\n)Enabled: *no/ {
		n = split($0, l, "\n"); hit = 0
		for (i = 1; i <= n; i++) {
			if (l[i] !~ /^URIs:/)
				continue
			m = split(l[i], w, /[ \t]+/)
			for (j = 2; j <= m; j++) {
				sub(/\/$/, "", w[j])
				if (w[j] == u)
					hit = 1
			}
		}
		if (hit) { gsub(/Types:[^\n]*/, "Types: deb-src"); print } }' "$2"
}

# oneline_src URI FILE: FILE's one-line "deb" entries for URI as deb-src.
oneline_src() {
	awk -v u="${1%/}" '$1 == "deb" { for (i = 2; i <= NF; i++) {
		w = $i; sub(/\/$/, "", w)
		if (w == u) { $1 = "deb-src"; print; break } } }' "$2"
}

# Sourced by the tests for the functions above only.
[ "${TPK_BOOTSTRAP_LIB:-0}" = 1 ] && return 0

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

has_sdk() {
	for h in $want_hdrs; do
		[ -f "$1/dpdk/$h" ] || [ -f "$1/$h" ] || return 1
	done
}

pc_file=$(pkg-config --path libdpdk 2>/dev/null) ||
	die "pkg-config finds no libdpdk (PKG_CONFIG_PATH=${PKG_CONFIG_PATH:-})"
pc_ver=$(pkg-config --modversion libdpdk)
inc=$(pkg-config --variable=includedir libdpdk)

# A DPDK of the user's own, in a prefix: nothing to fetch for it.
if ! dpkg -S "$(readlink -f "$pc_file")" >/dev/null 2>&1; then
	has_sdk "$inc" && exit 0
	log "DPDK $pc_ver at ${pc_file%/lib*} has no driver SDK headers:"
	log "build it with -Denable_driver_sdk=true, or give meson -Dsdk_headers=DIR"
	log "(make MESON_OPTS=-Dsdk_headers=DIR)"
	exit 0
fi

dpdk_ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)
[ "$(upstream "$dpdk_ver")" = "$pc_ver" ] ||
	die "pkg-config libdpdk is $pc_ver but libdpdk-dev is $dpdk_ver: mixed DPDK installs"

# A DPDK built with enable_driver_sdk already installs the headers.
if has_sdk "$inc"; then
	rm -rf "$sdk_dir"
	exit 0
fi

stamp="$sdk_dir/VERSION"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$dpdk_ver" ]; then
	exit 0
fi

work=$(mktemp -d)
chmod 755 "$work"	# apt's sandbox user must be able to write there
trap 'rm -rf "$work"' EXIT

# install_sdk SRC_TREE: copy the SDK headers of an unpacked DPDK source.
install_sdk() {
	rm -rf "$sdk_dir"
	mkdir -p "$sdk_dir"
	for h in $want_hdrs; do
		f=$(find "$1/lib" "$1/drivers/bus" -name "$h" | head -n1)
		[ -n "$f" ] || die "$h not found in the DPDK source at $1"
		cp "$f" "$sdk_dir/"
	done
	echo "$dpdk_ver" >"$stamp"
}

# sdk_from SRC: the headers from a DPDK source tree or release tarball of
# the installed DPDK's LTS series (a warning when not the exact release);
# another series is refused.
sdk_from() {
	src=$1
	if [ -f "$src" ]; then
		mkdir -p "$work/from"
		tar -xf "$src" -C "$work/from" || die "cannot unpack $1"
		src=$(find "$work/from" -mindepth 1 -maxdepth 1 -type d | head -n1)
	fi
	[ -f "$src/VERSION" ] || die "$1 is not a DPDK source (no VERSION file)"
	src_ver=$(cat "$src/VERSION")
	[ "$(series "$src_ver")" = "$(series "$pc_ver")" ] ||
		die "$1 is DPDK $src_ver but the installed DPDK is $pc_ver: the driver SDK headers describe internal layouts and must come from the same LTS series ($(series "$pc_ver"))"
	[ "$src_ver" = "$pc_ver" ] ||
		warn "driver SDK headers from DPDK $src_ver for the installed $pc_ver: same LTS series (ABI-stable), but not the exact release"
	install_sdk "$src"
	echo "DPDK $src_ver from $1" >"$sdk_dir/SOURCE"
	log "driver SDK headers from DPDK $src_ver in ${sdk_dir#$top/}"
	exit 0
}

# A source tree or tarball the user names.
[ -n "${TPK_SDK_FROM:-}" ] && sdk_from "$TPK_SDK_FROM"

# Derive deb-src entries from the apt sources the installed libdpdk-dev
# came from (Debian or Ubuntu, deb822 or one-line format), so the source
# comes from the same archive (and snapshot) the binaries came from.
src_list=/etc/apt/sources.list.d/net-tpacket-deb-src.sources
src_one=/etc/apt/sources.list.d/net-tpacket-deb-src.list
if ! apt-get source --print-uris -qq "dpdk=$dpdk_ver" >/dev/null 2>&1; then
	log "adding deb-src entries derived from the existing apt sources"
	: >"$work/deb822"
	: >"$work/oneline"
	apt-cache policy libdpdk-dev | origin_uris >"$work/uris"
	uris=$(cat "$work/uris")
	[ -n "$uris" ] || die "no apt source serves libdpdk-dev $dpdk_ver (installed by hand?): set TPK_SDK_FROM to a DPDK $(series "$pc_ver") source tree"
	for u in $uris; do
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && [ "$f" != "$src_list" ] || continue
			deb822_src "$u" "$f"
		done >>"$work/deb822"
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] && [ "$f" != "$src_one" ] || continue
			oneline_src "$u" "$f"
		done >>"$work/oneline"
	done
	[ -s "$work/deb822" ] || [ -s "$work/oneline" ] ||
		die "could not derive deb-src entries for $uris: add them by hand, or set TPK_SDK_FROM"
	[ -s "$work/deb822" ] && awk 'BEGIN { RS = ""; ORS = "\n\n" } !seen[$0]++' "$work/deb822" >"$src_list"
	[ -s "$work/oneline" ] && sort -u "$work/oneline" >"$src_one"
	apt-get update -qq >/dev/null ||
		warn "apt-get update reported errors after adding deb-src entries"
fi

log "fetching DPDK $dpdk_ver source package for the driver SDK headers"
if ! (cd "$work" && apt-get source -qq --download-only "dpdk=$dpdk_ver" >/dev/null 2>&1); then
	# The release tarballs of the test matrix, if one is of this series.
	for t in $(ls "${DPDK_SRC_DIR:-$top/../shared/dpdk}"/dpdk-"$(series "$pc_ver")".*.tar.xz 2>/dev/null | sort -V -r); do
		warn "apt-get source dpdk=$dpdk_ver failed (the archive serves no such source package); using $t"
		sdk_from "$t"
	done
	die "apt-get source dpdk=$dpdk_ver failed: no source package for the installed version (set TPK_SDK_FROM to a DPDK $(series "$pc_ver") source tree or release tarball)"
fi
dsc=$(ls "$work"/dpdk_*.dsc 2>/dev/null | head -n1)
[ -n "$dsc" ] || die "no .dsc downloaded for dpdk=$dpdk_ver"
(cd "$work" && dpkg-source -q -x "$dsc" src >/dev/null 2>&1) ||
	die "dpkg-source could not unpack $dsc"
got=$(sed -n 's/^Version: //p' "$dsc")
[ "$got" = "$dpdk_ver" ] ||
	die "source package version $got does not match installed libdpdk-dev $dpdk_ver"
install_sdk "$work/src"
log "driver SDK headers for DPDK $dpdk_ver in ${sdk_dir#$top/}"

#!/bin/bash
# devtools/bootstrap.sh on the distributions the two commands support,
# with recorded apt data (no network, nothing installed):
#
#  - distribution version strings map to pkg-config's upstream version
#    (Debian 12/13, Ubuntu 24.04, epochs, +dfsg, ~rc);
#  - the archive URIs serving the installed libdpdk-dev are read from
#    apt-cache policy output, and deb-src entries are derived from the
#    matching deb822 stanzas (Debian's debian.sources, Ubuntu's
#    ubuntu.sources, with or without a trailing slash, mirror+file URIs)
#    or one-line sources.list entries, and from nothing else (a third-
#    party repository gets no deb-src entry);
#  - TPK_SDK_FROM takes SDK headers from a source tree of the installed
#    DPDK's LTS series with a warning, and refuses another series with a
#    message naming both versions.
set -u
. "$(dirname "$0")/../lib/common.sh"

d=$(mktemp -d /run/tpk-bootstrap.XXXXXX); tpk_track_dir "$d"
TPK_BOOTSTRAP_LIB=1 . "$TPK_TOP/devtools/bootstrap.sh"
top=$TPK_TOP	# (the bootstrap's own $top is set from $0)

eq() { [ "$2" = "$3" ] || tpk_fail "$1: got '$2', want '$3'"; }

# -------------------------------------------------- version strings
eq deb12 "$(upstream 22.11.11-0+deb12u1)" 22.11.11
eq deb13 "$(upstream 24.11.8-0+deb13u1)" 24.11.8
eq ubuntu "$(upstream 23.11.4-0ubuntu0.24.04.1)" 23.11.4
eq ubuntu-build "$(upstream 23.11.1-1build2)" 23.11.1
eq epoch "$(upstream 1:24.11~rc2-1)" "24.11~rc2"
eq dfsg "$(upstream 24.11.1+dfsg-2)" 24.11.1
eq series "$(series 24.11.8)" 24.11
eq series-rc "$(series 25.11~rc1)" 25.11
tpk_log "version strings ok"

# ------------------------------------------------- Debian 13 (deb822)
cat >"$d/pol13" <<'P'
libdpdk-dev:
  Installed: 24.11.8-0+deb13u1
  Candidate: 24.11.8-0+deb13u1
  Version table:
 *** 24.11.8-0+deb13u1 500
        500 http://deb.example.org/debian trixie/main amd64 Packages
        500 http://security.example.org/debian-security trixie-security/main amd64 Packages
        100 /var/lib/dpkg/status
     24.11.2-1 500
        500 http://old.example.org/debian trixie/main amd64 Packages
P
eq "deb13 uris" "$(origin_uris <"$d/pol13" | tr '\n' ' ')" \
	"http://deb.example.org/debian http://security.example.org/debian-security "
cat >"$d/debian.sources" <<'S'
Types: deb
URIs: http://deb.example.org/debian
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.example.org/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://old.example.org/debian
Suites: trixie
Components: main
Enabled: no
S
cat >"$d/thirdparty.sources" <<'S'
Types: deb
URIs: https://vendor.example.com/apt
Suites: stable
Components: main
S
out=$(for u in $(origin_uris <"$d/pol13"); do
	deb822_src "$u" "$d/debian.sources"; deb822_src "$u" "$d/thirdparty.sources"; done)
[ "$(printf '%s\n' "$out" | grep -c '^Types: deb-src$')" = 2 ] ||
	tpk_fail "deb13: want 2 deb-src stanzas: $out"
printf '%s\n' "$out" | grep -q 'Suites: trixie-security' || tpk_fail "deb13: no security stanza: $out"
printf '%s\n' "$out" | grep -q 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' ||
	tpk_fail "deb13: keyring lost: $out"
printf '%s\n' "$out" | grep -Eq 'vendor|old\.example|^Types: deb$' && tpk_fail "deb13: stray stanza: $out"
tpk_log "Debian 13 deb822 ok"

# -------------------------------------- Ubuntu 24.04 (ubuntu.sources)
cat >"$d/pol2404" <<'P'
libdpdk-dev:
  Installed: 23.11.4-0ubuntu0.24.04.1
  Candidate: 23.11.4-0ubuntu0.24.04.1
  Version table:
 *** 23.11.4-0ubuntu0.24.04.1 500
        500 http://archive.example.com/ubuntu noble-updates/universe amd64 Packages
        100 /var/lib/dpkg/status
     23.11.1-1build2 500
        500 http://archive.example.com/ubuntu noble/universe amd64 Packages
P
cat >"$d/ubuntu.sources" <<'S'
Types: deb
URIs: http://archive.example.com/ubuntu/
Suites: noble noble-updates noble-backports
Components: main restricted universe multiverse
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg

Types: deb
URIs: http://security.example.com/ubuntu/
Suites: noble-security
Components: main restricted universe multiverse
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg
S
eq "ubuntu uris" "$(origin_uris <"$d/pol2404")" "http://archive.example.com/ubuntu"
out=$(deb822_src "$(origin_uris <"$d/pol2404")" "$d/ubuntu.sources")
[ "$(printf '%s\n' "$out" | grep -c '^Types: deb-src$')" = 1 ] &&
	printf '%s\n' "$out" | grep -q 'Suites: noble noble-updates noble-backports' &&
	printf '%s\n' "$out" | grep -q 'ubuntu-archive-keyring' ||
	tpk_fail "ubuntu 24.04: $out"
tpk_log "Ubuntu 24.04 deb822 ok"

# ------------------------------------------- one-line sources.list
cat >"$d/sources.list" <<'S'
deb http://archive.example.com/ubuntu/ jammy main universe
# deb http://archive.example.com/ubuntu/ jammy-proposed main
deb [arch=amd64] https://vendor.example.com/apt stable main
deb mirror+file:/etc/apt/mirrors/debian.list bookworm main
S
eq "one-line" "$(oneline_src http://archive.example.com/ubuntu "$d/sources.list")" \
	"deb-src http://archive.example.com/ubuntu/ jammy main universe"
eq "mirror+file" "$(oneline_src mirror+file:/etc/apt/mirrors/debian.list "$d/sources.list")" \
	"deb-src mirror+file:/etc/apt/mirrors/debian.list bookworm main"
tpk_log "one-line entries ok"

# ------------------------------------------------- TPK_SDK_FROM
# A scratch checkout (so the real .deps stays as it is) with no headers.
[ "$(id -u)" = 0 ] || tpk_skip "TPK_SDK_FROM cases need root (bootstrap refuses otherwise)"
command -v pkg-config >/dev/null && pkg-config --exists libdpdk || tpk_skip "no libdpdk"
inc=$(pkg-config --variable=includedir libdpdk)
[ -f "$inc/dpdk/ethdev_driver.h" ] || [ -f "$inc/ethdev_driver.h" ] &&
	tpk_skip "this DPDK ships the SDK headers: TPK_SDK_FROM is never read"
sdk=$top/.deps/dpdk-sdk
[ -f "$sdk/ethdev_driver.h" ] || tpk_skip "no SDK headers to build a source tree from"
pc_ver=$(pkg-config --modversion libdpdk)
mkdir -p "$d/top/devtools" "$d/same/lib/ethdev" "$d/same/drivers/bus/vdev" "$d/other/lib"
cp "$top/devtools/bootstrap.sh" "$d/top/devtools/"
cp "$sdk/ethdev_driver.h" "$sdk/ethdev_vdev.h" "$sdk/dev_driver.h" "$d/same/lib/ethdev/"
cp "$sdk/bus_vdev_driver.h" "$d/same/drivers/bus/vdev/"
echo "$(series "$pc_ver").99" >"$d/same/VERSION"
echo "99.02.0" >"$d/other/VERSION"

out=$(TPK_SDK_FROM=$d/other sh "$d/top/devtools/bootstrap.sh" 2>&1) &&
	tpk_fail "another LTS series was accepted: $out"
printf '%s\n' "$out" | grep -q "99.02.0" && printf '%s\n' "$out" | grep -q "$pc_ver" ||
	tpk_fail "refusal does not name both versions: $out"
[ -e "$d/top/.deps/dpdk-sdk/ethdev_driver.h" ] && tpk_fail "headers installed after a refusal"
tpk_log "other series refused: $(printf '%s\n' "$out" | tail -n1)"

out=$(TPK_SDK_FROM=$d/same sh "$d/top/devtools/bootstrap.sh" 2>&1) ||
	tpk_fail "same LTS series refused: $out"
printf '%s\n' "$out" | grep -q "warning: .*$(series "$pc_ver").99.*same LTS series" ||
	tpk_fail "no warning for a same-series tree: $out"
for h in ethdev_driver.h ethdev_vdev.h bus_vdev_driver.h dev_driver.h; do
	cmp -s "$sdk/$h" "$d/top/.deps/dpdk-sdk/$h" || tpk_fail "$h not installed from the tree"
done
tpk_log "same series accepted with a warning"
exit 0

#!/bin/bash
# testpmd_tcp_offloads.sh again with rx_mode=recvmmsg on both ports: the
# mode the guides recommend for TCP (with --enable-lro) must keep every
# guarantee of the ring with default veth offloads: no truncated frame, no
# unfinished checksum, super-frames whole with LRO and cut without it, in
# the io, csum, mac and LRO configurations, both directions, IPv4 and IPv6.
exec env TPK_E2E_DEVARGS="rx_mode=recvmmsg${TPK_E2E_DEVARGS:+,$TPK_E2E_DEVARGS}" \
	bash "$(dirname "$0")/testpmd_tcp_offloads.sh"

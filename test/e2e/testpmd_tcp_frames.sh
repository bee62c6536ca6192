#!/bin/bash
# testpmd_tcp_offloads.sh again with the RX mode that is not the default
# on both ports (the default is rx_mode=ring on x86, rx_mode=frames
# elsewhere): every guarantee must hold there too: no truncated frame, no
# unfinished checksum, super-frames whole with LRO and cut without it,
# io/csum/mac/LRO, both directions, IPv4 and IPv6.
case $(uname -m) in
x86_64 | i?86) mode=frames ;;
*) mode=ring ;;
esac
exec env TPK_E2E_DEVARGS="rx_mode=$mode${TPK_E2E_DEVARGS:+,$TPK_E2E_DEVARGS}" \
	bash "$(dirname "$0")/testpmd_tcp_offloads.sh"

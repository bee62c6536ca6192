#!/bin/bash
# testpmd_tcp_offloads.sh again with rx_mode=ring (the TPACKET_V3 block
# ring; the default is rx_mode=frames) on both ports: every guarantee must
# hold there too: no truncated frame, no unfinished checksum, super-frames
# whole with LRO and cut without it, io/csum/mac/LRO, both directions,
# IPv4 and IPv6.
exec env TPK_E2E_DEVARGS="rx_mode=ring${TPK_E2E_DEVARGS:+,$TPK_E2E_DEVARGS}" \
	bash "$(dirname "$0")/testpmd_tcp_offloads.sh"

#!/bin/bash
# testpmd_tcp_offloads.sh again with rx_mode=frames (TPACKET_V2 slots) on
# both ports: super-frames do not fit a slot and come whole from the
# socket queue (TP_STATUS_COPY), so every guarantee of the ring must hold
# there too: no truncated frame, no unfinished checksum, super-frames
# whole with LRO and cut without it, io/csum/mac/LRO, both directions,
# IPv4 and IPv6.
exec env TPK_E2E_DEVARGS="rx_mode=frames${TPK_E2E_DEVARGS:+,$TPK_E2E_DEVARGS}" \
	bash "$(dirname "$0")/testpmd_tcp_offloads.sh"

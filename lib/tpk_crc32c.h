/* SPDX-License-Identifier: BSD-3-Clause
 * CRC32c (Castagnoli, reflected polynomial 0x82f63b78), the SCTP
 * checksum (RFC 9260, appendix B). DPDK-free; byte loads only, so any
 * alignment of the data is fine.
 */
#ifndef TPK_CRC32C_H
#define TPK_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continue crc over len bytes. Start with ~0u; the checksum is the
 * complement of the result, stored little-endian in the SCTP header.
 */
uint32_t tpk_crc32c(uint32_t crc, const void *buf, size_t len);

#endif /* TPK_CRC32C_H */

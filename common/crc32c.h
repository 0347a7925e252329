/* SPDX-License-Identifier: MIT */
/* CRC-32C (Castagnoli), the checksum of bulk data where corruption, not an adversary, is the
 * concern (a snapshot's memory file): the SSE4.2 instruction when the CPU has it (~8 GB/s),
 * a table otherwise. crc32c(0, data, size) is the checksum; pass a previous result to go on. */
#pragma once

#include <stddef.h>
#include <stdint.h>

uint32_t crc32c(uint32_t crc, const void *data, size_t size);

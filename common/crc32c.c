/* SPDX-License-Identifier: MIT */
#include "crc32c.h"

#include <stdbool.h>
#include <string.h>

#define POLY 0x82f63b78u /* Castagnoli, reflected */

static uint32_t table[256];

static void table_fill(void) {
        for (uint32_t i = 0; i < 256; i++) {
                uint32_t c = i;
                for (int k = 0; k < 8; k++)
                        c = (c >> 1) ^ (POLY & (0u - (c & 1)));
                table[i] = c;
        }
}

static uint32_t crc32c_table(uint32_t crc, const uint8_t *p, size_t size) {
        if (!table[1])
                table_fill();
        while (size--)
                crc = (crc >> 8) ^ table[(crc ^ *p++) & 0xff];
        return crc;
}

__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const uint8_t *p,
                                                               size_t size) {
        uint64_t c = crc;

        for (; size >= 8; p += 8, size -= 8) {
                uint64_t word;
                memcpy(&word, p, 8);
                c = __builtin_ia32_crc32di(c, word);
        }
        crc = (uint32_t)c;
        for (; size > 0; p++, size--)
                crc = __builtin_ia32_crc32qi(crc, *p);
        return crc;
}

uint32_t crc32c(uint32_t crc, const void *data, size_t size) {
        static int have_sse42 = -1;

        if (have_sse42 < 0)
                have_sse42 = __builtin_cpu_supports("sse4.2");
        crc = ~crc;
        crc = have_sse42 ? crc32c_sse42(crc, data, size) : crc32c_table(crc, data, size);
        return ~crc;
}

/* SPDX-License-Identifier: MIT */
#include "utf8.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Looks at the sequence starting at s[0] (n >= 1 bytes available). Returns true with *ret_len its
 * length if it is well-formed; false with *ret_len the length of its maximal subpart (the longest
 * prefix that could start a well-formed sequence, at least 1), which is what one U+FFFD replaces.
 * Ranges from Unicode table 3-7: the second byte's range excludes overlongs (E0, F0), surrogates
 * (ED) and code points past U+10FFFF (F4); C0, C1 and F5..FF never start a sequence. */
static bool utf8_next(const uint8_t *s, size_t n, size_t *ret_len) {
        uint8_t b = s[0], lo = 0x80, hi = 0xBF;
        size_t need;

        if (b < 0x80) {
                *ret_len = 1;
                return true;
        }
        if (b >= 0xC2 && b <= 0xDF)
                need = 1;
        else if (b >= 0xE0 && b <= 0xEF) {
                need = 2;
                if (b == 0xE0)
                        lo = 0xA0;
                else if (b == 0xED)
                        hi = 0x9F;
        } else if (b >= 0xF0 && b <= 0xF4) {
                need = 3;
                if (b == 0xF0)
                        lo = 0x90;
                else if (b == 0xF4)
                        hi = 0x8F;
        } else {
                *ret_len = 1;
                return false;
        }

        for (size_t i = 1; i <= need; i++) {
                if (i >= n || s[i] < lo || s[i] > hi) {
                        *ret_len = i;
                        return false;
                }
                lo = 0x80;
                hi = 0xBF;
        }
        *ret_len = need + 1;
        return true;
}

bool utf8_is_valid(const char *s, size_t size) {
        const uint8_t *p = (const uint8_t *)s;
        size_t i = 0, len;

        while (i < size) {
                /* ASCII runs are the common case: skip them without the full decoder. */
                if (p[i] < 0x80) {
                        i++;
                        continue;
                }
                if (!utf8_next(p + i, size - i, &len))
                        return false;
                i += len;
        }
        return true;
}

static const char replacement_char[] = "\xEF\xBF\xBD"; /* U+FFFD */

int utf8_sanitize(const char *s, size_t size, char **ret, size_t *ret_size) {
        const uint8_t *p = (const uint8_t *)s;
        size_t out_size = 0, alloc, len, o = 0;
        char *out;

        for (size_t i = 0; i < size; i += len)
                if (__builtin_add_overflow(out_size, utf8_next(p + i, size - i, &len) ? len : 3,
                                           &out_size))
                        return -E2BIG;
        if (__builtin_add_overflow(out_size, 1, &alloc))
                return -E2BIG;

        out = malloc(alloc);
        if (!out)
                return -ENOMEM;

        for (size_t i = 0; i < size; i += len) {
                if (utf8_next(p + i, size - i, &len)) {
                        memcpy(out + o, s + i, len);
                        o += len;
                } else {
                        memcpy(out + o, replacement_char, 3);
                        o += 3;
                }
        }
        out[o] = '\0';

        *ret = out;
        *ret_size = o;
        return 0;
}

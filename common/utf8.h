/* SPDX-License-Identifier: MIT */
/* UTF-8 checking and repair: JSON can carry only well-formed UTF-8, and what a guest writes is
 * any bytes. Used by the execute codec (protocol/) and the worker's streamed output. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Whether s[0..size) is well-formed UTF-8 (Unicode 15 table 3-7: no overlongs, no surrogates,
 * nothing past U+10FFFF, no truncated sequence). NUL is well-formed. */
bool utf8_is_valid(const char *s, size_t size);

/* Copies s[0..size) replacing each maximal ill-formed subsequence with U+FFFD (the W3C/Unicode
 * "substitution of maximal subparts" practice). *ret is malloc'd and NUL-terminated; *ret_size
 * excludes the terminator. Returns 0, -ENOMEM or -E2BIG if the output size would overflow. */
int utf8_sanitize(const char *s, size_t size, char **ret, size_t *ret_size);

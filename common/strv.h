/* SPDX-License-Identifier: MIT */
/* Counted, NULL-terminated string vectors: `char **v` with `n` entries and v[n] == NULL, so the
 * vector can go to execve() or a loop that stops at NULL as it is. Every string is owned by the
 * vector. */
#pragma once

#include <stddef.h>

/* Frees the n strings and the vector. NULL-safe (with n == 0). */
void strv_free(char **v, size_t n);

/* Appends s, which the vector takes on success (the caller still owns it on failure), and keeps
 * the NULL terminator. Returns 0, -ENOMEM, or -E2BIG when the count would overflow. */
int strv_push(char ***v, size_t *n, char *s);

/* SPDX-License-Identifier: MIT */
/* Copies between host buffers and the program's memory. Every guest pointer and length goes
 * through here: the range must lie in user space, be mapped with the right rights (pages the
 * program has not touched yet are faulted in, as Linux does), and a failure is -EFAULT, never a
 * host crash. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm.h"

int copy_from_user(Mm *mm, void *dst, uint64_t src, size_t length);
int copy_to_user(Mm *mm, uint64_t dst, const void *src, size_t length);
/* Copies a NUL-terminated string of at most max-1 bytes; returns its length, -EFAULT, or
 * -ENAMETOOLONG when no NUL comes within max bytes. */
int64_t strncpy_from_user(Mm *mm, char *dst, uint64_t src, size_t max);
int clear_user(Mm *mm, uint64_t dst, size_t length);
/* Whether [addr, addr+length) could be copied to (write) or from: -EFAULT if not. Faults pages
 * in like a copy would. For checking a destination before consuming data that a failed copy
 * would lose (a pipe's, a socket's). */
int user_range_check(Mm *mm, uint64_t addr, size_t length, bool write);

/* SPDX-License-Identifier: MIT */
/* The synthesized /dev: a fixed directory of character devices. Node 0 is the directory. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum DevNode {
        DEV_ROOT,
        DEV_NULL,
        DEV_ZERO,
        DEV_FULL,
        DEV_RANDOM,
        DEV_URANDOM,
        _DEV_MAX,
} DevNode;

/* -ENOENT for anything not in /dev. */
int devfs_lookup(const char *name, size_t name_length, uint32_t *ret);
const char *devfs_name(uint32_t node);
mode_t devfs_mode(uint32_t node);
dev_t devfs_rdev(uint32_t node);

/* Device semantics: null reads EOF and swallows writes; zero reads zeros; full reads zeros and
 * refuses writes with -ENOSPC; random/urandom read the host's entropy (getrandom(2)) and accept
 * writes. */
ssize_t devfs_read(uint32_t node, void *buf, size_t length);
ssize_t devfs_write(uint32_t node, const void *buf, size_t length);

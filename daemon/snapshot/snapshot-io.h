/* SPDX-License-Identifier: MIT */
/* The files of a snapshot directory (snapshot-format.h): each written atomically (a temporary
 * file renamed over the old one), and read back with size limits, the header checked field by
 * field as hostile and both checksums verified. Every refusal is logged with the path and why;
 * the payload's sections are snapshot.c's business. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "snapshot-format.h"

/* Writes dir/memory: the first size bytes of ram as a sparse file (zero pages are holes).
 * *ret_crc is their CRC-32C, for the header. */
int snapshot_write_memory(const char *dir, const uint8_t *ram, uint64_t size, uint32_t *ret_crc);
/* Writes dir/state: header, then the payload. */
int snapshot_write_state(const char *dir, const SnapshotHeader *header, const void *payload,
                         size_t size);

/* Reads and checks dir/state: its size (at most SNAPSHOT_STATE_MAX of payload), magic, version,
 * header size, payload size, language field, and, with ret_payload, the payload (malloc'd) and
 * its SHA-256. Returns 0, -EBADMSG (corrupt), -EPROTO (another version), or another -errno;
 * -ENOENT unlogged when reading the header only and there is no state file. */
int snapshot_read_state(const char *dir, SnapshotHeader *ret_header, uint8_t **ret_payload);
/* Opens dir/memory, checks that it has the size and CRC-32C header names (and that the size is
 * one a VM's RAM can have), and maps it read-only: *ret_fd and *ret_memory (header->memory_size
 * bytes) are the caller's to close and unmap. -EBADMSG when it doesn't match. */
int snapshot_map_memory(const char *dir, const SnapshotHeader *header, int *ret_fd,
                        const uint8_t **ret_memory);

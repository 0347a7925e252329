/* SPDX-License-Identifier: MIT */
/* The snapshot's on-disk format (DESIGN.md §6): a directory holding
 *
 *   memory  the VM's RAM up to its allocator's high-water mark, as a sparse file (zero pages are
 *           holes), mapped copy-on-write by every restore so all of them share the page cache;
 *   state   SnapshotHeader, then a payload of tagged sections (SectionHeader, snapshot-codec.h),
 *           each written and read by the pair beside what it saves (SnapshotSection below).
 *
 * The header names the image the snapshot was made from and carries the payload's SHA-256 and
 * the memory file's CRC-32C (corruption, not an adversary, is what a checksum of 16 MiB read at
 * every worker's start must catch, at ~8 GB/s rather than SHA-256's speed here).
 *
 * Bump SNAPSHOT_FORMAT_VERSION when the header, a section, or a saved struct changes (in this
 * folder or in any *-persist.c), and run tests/fuzz/make-corpus.py --check-sizes. This header
 * needs nothing of the VMM or the kernel: both include it for the codec. */
#pragma once

#include <stdint.h>

#define SNAPSHOT_MAGIC          "SBXSNAP\0"
#define SNAPSHOT_FORMAT_VERSION 3
#define SNAPSHOT_STATE_MAX      (16u * 1024 * 1024)
#define SNAPSHOT_LANGUAGE_MAX   16

typedef struct SnapshotHeader {
        char magic[8];
        uint32_t version;
        uint32_t header_size;
        uint8_t image_sha256[32];
        uint8_t payload_sha256[32];
        uint64_t payload_size;
        uint64_t memory_size;  /* bytes of the memory file */
        uint64_t memory_limit; /* what the runner was started with */
        char language[SNAPSHOT_LANGUAGE_MAX];
        uint32_t memory_crc32c; /* CRC-32C of the memory file, holes read as zeros */
        uint32_t reserved;
} SnapshotHeader;

/* The payload's sections, each present once (in any order but SECTION_FDS after
 * SECTION_PROCESS; written in tag order but THREADS before VFS), and the pair that writes and
 * reads each. */
typedef enum SnapshotSection {
        SECTION_CPU = 1, /* the main thread's vCPU: vmm/vm-persist.h */
        SECTION_VM,      /* the RAM allocator: vmm/vm-persist.h */
        SECTION_MM,      /* the address space: kernel/mm-persist.h */
        SECTION_PROCESS, /* signals, limits, exe, request channel: kernel/process-persist.h */
        SECTION_FDS,     /* the fd table and open files: kernel/fdtable-persist.h */
        SECTION_VFS,     /* cwd and umask: kernel/fs-context-persist.h */
        SECTION_THREADS, /* the other threads: kernel/thread-persist.h */
        _SECTION_MAX,
} SnapshotSection;

/* SPDX-License-Identifier: MIT */
/* A snapshot's warm-up list: the pages a typical request touches, recorded once when the
 * snapshot is made and replayed (vm_prefault) on every restored VM before it takes a request.
 *
 * Recording: a VM restored from the new snapshot has the accessed and dirty bits of its page
 * table entries cleared before it runs a sample request; KVM's shadow walker sets them again for
 * exactly the pages the guest reads and writes.
 *
 * The file (DIR/warmup): WarmupHeader, then `count` u64 entries (page address | PREFAULT_WRITE),
 * covered by the header's SHA-256. It is advice: a missing or bad file only costs speed, and
 * every entry is checked against the page tables before the guest touches it. */
#pragma once

#include "process.h"

#define WARMUP_MAGIC "SBXWARM\0"
#define WARMUP_FORMAT_VERSION 1
#define WARMUP_MAX_ENTRIES 32768u

typedef struct WarmupHeader {
        char magic[8];
        uint32_t version;
        uint32_t count;
        uint8_t sha256[32];
} WarmupHeader;

/* On a just-restored s, before it runs: clears the bits the recording reads. */
void warmup_prepare_recording(Sandbox *s);
/* After s has served a sample request: writes dir/warmup from what it touched. */
int warmup_record(Sandbox *s, const char *dir);

/* Reads dir/warmup: the entries for vm_prefault(). No file: 0 entries. A bad file: -EBADMSG. */
int warmup_load(const char *dir, uint64_t **ret_list, size_t *ret_count);

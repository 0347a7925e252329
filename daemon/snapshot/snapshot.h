/* SPDX-License-Identifier: MIT */
/* Snapshots of a sandbox at its runner's ready point (DESIGN.md §6), made once and restored
 * (or a used VM reset to one) for every request. The format is snapshot-format.h, its files
 * snapshot-io.h; this is the orchestration: which component's save/restore pair (*-persist.h
 * beside each of them, in vmm/ and kernel/) writes and reads which section, in what order, and
 * the VM and sandbox around them. A snapshot is read with size limits and checked field by
 * field as if hostile; one that is corrupt, truncated, from another image or another version is
 * refused with a message saying which. */
#pragma once

#include <stdint.h>

#include "image.h"
#include "process.h"
#include "reset.h"
#include "snapshot-format.h"

/* Saves s, which must be SANDBOX_READY, stopped by its init's main thread, one process with
 * nothing the format can't hold (sockets, tmpfs files and their contents, a signal handler running,
 * a timer). Writes into dir (created if missing), replacing an older snapshot atomically per file.
 */
int snapshot_save(Sandbox *s, const char *dir, const char *language);

/* A snapshot opened once and restored many times (the pool's worker does that under a seccomp
 * filter that lets it open nothing): the state checked and in memory, the memory file open, the
 * warm-up list loaded. */
typedef struct SnapshotSource SnapshotSource;

/* Reads and checks dir (see snapshot_load for the errors); language NULL: any. */
int snapshot_source_open(const char *dir, const Image *image, const char *language,
                         SnapshotSource **ret);
/* The language the snapshot was made for (its runner's). */
const char *snapshot_source_language(const SnapshotSource *src);
SnapshotSource *snapshot_source_free(SnapshotSource *src);
static inline void snapshot_source_freep(SnapshotSource **p) {
        if (*p)
                snapshot_source_free(*p);
}
/* A fresh VM and sandbox from src, warmed up, its request pending. */
int snapshot_restore(const SandboxConfig *config, const SnapshotSource *src, Sandbox **ret);

/* Brings *s, a sandbox restored from src that has served its request, back to src's ready
 * point in its own VM (vmm/reset.h), or fails with *s freed: -E2BIG when its request changed too
 * much for a reset to pay, another -errno when the VM can't be reset. Either way the caller
 * then restores a fresh one. */
int snapshot_reset(const SandboxConfig *config, const SnapshotSource *src, Sandbox **s,
                   VmResetStats *stats);

/* Restores a sandbox from dir: a fresh VM over the memory file, the kernel state rebuilt, the
 * standard streams from config, the request still pending (deliver it with
 * runner_channel_deliver). config->memory_limit may differ from the snapshot's, if it still
 * holds what the snapshot uses. Returns 0, -EBADMSG (corrupt), -ESTALE (other image),
 * -EPROTO (other version), or another -errno; logs why. */
int snapshot_load(const SandboxConfig *config, const char *dir, const char *language,
                  Sandbox **ret);
/* (snapshot_load is snapshot_source_open + snapshot_restore + snapshot_source_free.) */

/* Reads and checks dir's header only (for deciding whether a snapshot is stale). */
int snapshot_read_header(const char *dir, SnapshotHeader *ret);

/* For tests/fuzz/fuzz-snapshot.c only: runs snapshot_restore()'s payload parser over
 * payload[0..size) into p (a sandbox's init) as if a header said payload_size = size and
 * memory_size. p may hold a stand-in Vm without KVM file descriptors: a vCPU section then fails at
 * KVM_SET_SREGS. */
int snapshot_parse_payload_for_fuzzing(Process *p, const uint8_t *payload, size_t size,
                                       uint64_t memory_size);

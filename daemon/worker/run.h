/* SPDX-License-Identifier: MIT */
/* Serving execute requests: cold (boot the interpreter in a fresh VM) or from a snapshot (a VM
 * restored at the runner's ready point, the request delivered to its pending read), and making
 * the snapshots themselves. */
#pragma once

#include "exec-codec.h"
#include "image.h"
#include "process.h"
#include "runner-protocol.h"
#include "runtime.h"
#include "snapshot.h"

typedef struct RunOptions {
        const Image *image;
        const Runtime *runtime;
        const char *host_exec;    /* tests: run this static host ELF instead of the interpreter, */
        Blob *host_exec_blob;     /* whose bytes were read before confinement */
        const SnapshotSource *snapshot; /* restore from this instead of booting */
        bool no_reset; /* run_recycle() always restores a new VM */
} RunOptions;

/* A VM made ready for one request: restored from a snapshot, reset in place to it
 * (run_recycle()), or (cold) nothing yet. Holds the output capture the sandbox writes into, so
 * it is filled in place. */
typedef struct Prepared {
        Sandbox *sandbox; /* NULL for the cold path until the request comes */
        ExecResult *result;
        uint64_t max_output_bytes;
        double prepare_ms; /* making the VM ready: the restore, or the reset; 0 cold */
        uint64_t memory_mb; /* the largest memory limit the prepared VM can take */
        unsigned resets;    /* requests its VM served before this one */
        VmResetStats reset_stats; /* of the last reset (when resets > 0) */
        /* When set (a request with stream: true), also called with each piece of output kept,
         * as it is written. */
        void (*on_output)(int stream, const char *data, size_t size);
} Prepared;

/* Restores the snapshot (when options->snapshot) ahead of any request: the pool's path. The
 * request's stdin and output go through `prepared`, which must stay where it is. */
int run_prepare(const RunOptions *options, uint64_t memory_limit, Prepared *prepared,
                ExecResult *result);
void run_prepared_done(Prepared *prepared);

/* A VM is reset for this many requests at most, then restored afresh: a bound on whatever a
 * long-lived VM could accumulate that a reset doesn't measure (retired tables are bounded on
 * their own). */
#define RUN_VM_RESETS_MAX 1000

/* Makes `prepared`, which served a request, ready for the next one: its VM reset to the
 * snapshot in place when possible (snapshot_reset), else a freshly restored one. */
int run_recycle(const RunOptions *options, Prepared *prepared, ExecResult *result);

/* Serves one request with a prepared VM (or cold). Fills *result. Returns 0 when the sandbox
 * ran (whatever the program did); -EINVAL with *ret_error (if not NULL) filled when the request
 * asks for what this sandbox can't give (a cwd that can't be used), the VM left as it was; other
 * -errno when the VM could not be set up or failed. */
int run_request(const RunOptions *options, Prepared *prepared, const ExecRequest *req,
                ProtocolError *ret_error);

/* Boots the language's runner cold to its ready point and saves a snapshot in dir. */
int run_make_snapshot(const RunOptions *options, uint64_t memory_limit, const char *dir);

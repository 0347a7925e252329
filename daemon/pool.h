/* SPDX-License-Identifier: MIT */
/* The warm pool of one language: `serve` workers each holding a VM in the snapshot's state, a
 * FIFO of requests waiting for one, and the limits. A request takes a READY worker (or waits in
 * the queue); the worker answers, then makes its VM ready again by itself (a reset in place, or
 * a restore) and is READY again — reused across requests, each request starting from the
 * snapshot's exact state. Workers that die are replaced; a request whose worker dies or hangs is
 * answered -32004.
 *
 * Sizing: the pool keeps `pool_size` workers plus one per queued request (a busy worker counts:
 * it is ready again by itself soon after it answers), never more than `max_vms` worker
 * processes in the daemon; a worker that becomes ready while more than `pool_size` are ready is
 * stopped. */
#pragma once

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "exec-codec.h"
#include "stats.h"

typedef struct Pool Pool;
typedef struct PoolJob PoolJob;

/* The daemon-wide budget shared by every language's pool. */
typedef struct PoolLimits {
        unsigned pool_size;
        unsigned max_vms;   /* worker processes alive at once, all pools together */
        unsigned max_queue; /* waiting requests per pool */
        unsigned n_vms;     /* worker processes alive now */
        bool fresh_vms;     /* workers restore a new VM for every request */
} PoolLimits;

/* What the pool needs of a request; embedded in the daemon's request. */
struct PoolJob {
        /* Set by the submitter. */
        const char *line; /* the execute params, `\n`-terminated, for the worker */
        size_t line_size;
        uint64_t timeout_ms;
        uint64_t max_output_bytes;
        /* Streamed output of fd 1 or 2, UTF-8 text (borrowed); NULL to ignore it. */
        void (*on_output)(PoolJob *job, int fd, const char *data, size_t size);
        /* The end: exactly one of result (the worker's, whose contents the callee may move
         * out) and error (a JSON-RPC error object, stolen; NULL for both means out of memory).
         * Called at most once, never after pool_cancel(). */
        void (*on_done)(PoolJob *job, ExecResult *result, json_t *error);

        /* The pool's. */
        uint64_t queued_usec;  /* when submitted */
        uint64_t started_usec; /* when handed to a worker */
        struct PoolWorker *worker;
        bool queued;
        TAILQ_ENTRY(PoolJob) queue;
};

typedef struct PoolFigures {
        unsigned ready, starting, busy, queued, target;
} PoolFigures;

/* `changed` is called whenever the figures change (for sd_notify STATUS and the shutdown
 * check). */
int pool_new(struct event_base *base, ExecLanguage language, const char *worker_path,
             const char *snapshot_dir, PoolLimits *limits, Stats *stats,
             void (*changed)(void *userdata), void *userdata, Pool **ret);
/* Kills and reaps every worker; queued jobs are dropped without a callback. NULL-safe. */
Pool *pool_free(Pool *p);

/* Spawns the initial workers. */
int pool_start(Pool *p);

/* Hands a job to a READY worker or queues it. Returns 0; -EBUSY when the queue is full (nothing is
 * kept); -ESHUTDOWN after pool_stop(). */
int pool_submit(Pool *p, PoolJob *job);
/* Forgets a job whose client went away: out of the queue, or (running) its answer dropped — the
 * request finishes in its VM, bounded by its timeout. No callback follows. */
void pool_cancel(Pool *p, PoolJob *job);

/* Stops taking jobs and stops idle workers; busy ones are stopped once they answer. */
void pool_stop(Pool *p);
/* Stops the idle workers past the pool's size now (another pool needs their places under
 * max_vms) rather than after their linger. */
void pool_release_extras(Pool *p);
/* Starts workers for its queue if there is room now (after another pool's worker went). */
void pool_kick(Pool *p);
/* Requests waiting for a worker. */
unsigned pool_n_queued(const Pool *p);
/* Jobs queued or running. */
unsigned pool_n_jobs(const Pool *p);
/* Worker processes not yet reaped. */
unsigned pool_n_workers(const Pool *p);
/* Every target worker has been ready at least once since the start (startup warm-up). */
bool pool_is_warm(const Pool *p);
/* Workers keep failing before they become ready. */
bool pool_is_failing(const Pool *p);
/* How many in a row died before being ready (0 once one is). */
unsigned pool_n_failures(const Pool *p);

PoolFigures pool_get_figures(const Pool *p);
ExecLanguage pool_get_language(const Pool *p);
/* {"ready","starting","busy","queued","target","workers":[{"pid","state"}]}; NULL on OOM. */
json_t *pool_to_json(const Pool *p);

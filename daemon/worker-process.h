/* SPDX-License-Identifier: MIT */
/* The daemon's side of one `sandboxd-vm serve` process (daemon/worker/main.c), a pool worker that
 * keeps one VM in the snapshot's state ready for the next request: restored at start, then reset
 * in place after each request (or restored anew with --fresh-vms). The daemon talks to it over a
 * socketpair that is the worker's stdin and stdout, in the frames of protocol/worker-frame.h:
 *
 *   worker: ready                  STARTING/PREPARING → READY
 *   daemon: request                READY → BUSY
 *   worker: output...              zero or more, while BUSY
 *   worker: result | error         BUSY → PREPARING: it makes its next VM ready by itself
 *
 * A frame out of turn, a line that is no frame, a line past its cap, or no answer by the
 * backstop deadline, and the worker is killed (SIGKILL through its pidfd). Its exit is noticed
 * through the pidfd and it is reaped with waitid(P_PIDFD): no SIGCHLD handler, no zombie, no pid
 * reuse race. */
#pragma once

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "exec-codec.h"

typedef struct Worker Worker;

typedef enum WorkerState {
        WORKER_STARTING,  /* spawned, restoring its first VM */
        WORKER_READY,     /* a VM waits for a request */
        WORKER_BUSY,      /* running a request */
        WORKER_PREPARING, /* answered; making its next VM ready (a reset, or a restore) */
        WORKER_STOPPING,  /* its input is closed: it exits when it next reads */
        WORKER_DEAD,      /* killed or exited; waiting to be reaped */
        _WORKER_STATE_MAX,
} WorkerState;

typedef struct WorkerCallbacks {
        /* A VM in the snapshot's state is ready (restored, or reset in place when `reset`): the
         * worker takes a request now. */
        void (*ready)(Worker *w, bool reset, void *userdata);
        /* A piece of streamed output of fd 1 or 2: size bytes of UTF-8 text (NULs included),
         * borrowed for the call. */
        void (*output)(Worker *w, int fd, const char *data, size_t size, void *userdata);
        /* The answer to the request: exactly one of an execute result (its contents may be
         * moved out) and a JSON-RPC error object (referenced for the call; take a reference to
         * keep it). The worker is PREPARING afterwards. */
        void (*answer)(Worker *w, ExecResult *result, json_t *error, void *userdata);
        /* The process is gone and reaped. `lost` is the state it was in when things went wrong
         * (BUSY: a request went unanswered), `reason` says what happened ("crashed",
         * "timeout", "protocol", "exited", "stopped", "internal") and `detail` how, for people.
         * The callee frees w. */
        void (*exited)(Worker *w, WorkerState lost, const char *reason, const char *detail,
                       void *userdata);
} WorkerCallbacks;

/* Starts `path serve --snapshot snapshot_dir` (with --no-reset when fresh_vms). Returns 0 or
 * -errno. */
int worker_spawn(struct event_base *base, const char *path, const char *snapshot_dir, bool fresh_vms,
                 const WorkerCallbacks *callbacks, void *userdata, Worker **ret);

/* Kills the process if it still runs and reaps it (blocking, briefly: SIGKILL is not ignorable).
 * NULL-safe; returns NULL. Calls no callback. */
Worker *worker_free(Worker *w);

/* Sends one request line (`\n`-terminated) to a READY worker, which becomes BUSY. Its answer may
 * be up to answer_max bytes; if none comes within backstop_usec the worker is killed. Returns 0,
 * -EBUSY when the worker is not READY, -ENOMEM. */
int worker_send(Worker *w, const char *line, size_t size, size_t answer_max,
                uint64_t backstop_usec);

/* Asks the worker to exit: closes its input, kills it if it is still there after a grace
 * period. The exited callback follows. */
void worker_stop(Worker *w);

/* Kills the worker now; the exited callback follows with this reason and detail. */
void worker_kill(Worker *w, const char *reason, const char *detail);

WorkerState worker_get_state(const Worker *w);
pid_t worker_get_pid(const Worker *w);
/* Whether the worker ever printed ready: one that dies before is a failed start. */
bool worker_was_ready(const Worker *w);

const char *worker_state_to_string(WorkerState state);

/* The environment for worker processes: ours without what is meant for the daemon alone
 * (NOTIFY_SOCKET, LISTEN_*). A malloc'd array of borrowed strings; NULL on OOM. */
char **worker_environment(void);

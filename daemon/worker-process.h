/* SPDX-License-Identifier: MIT */
/* One `sandboxd-vm serve` process: a pool worker that holds one restored VM at a time. The daemon
 * talks to it over a socketpair that is the worker's stdin and stdout (daemon/worker/main.c):
 *
 *   worker: {"ready":true,"restore_ms":X}          a fresh VM waits
 *   daemon: <execute params>                       one line
 *   worker: {"output":{"stream":..,"data":..}}     zero or more, with stream: true
 *   worker: <execute result> | {"error":{...}}     one line; then it restores the next VM
 *
 * Anything else, a line past its cap, or no answer by the backstop deadline, and the worker is
 * killed (SIGKILL through its pidfd). Its exit is noticed through the pidfd and it is reaped with
 * waitid(P_PIDFD): no SIGCHLD handler, no zombie, no pid reuse race. */
#pragma once

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct Worker Worker;

typedef enum WorkerState {
        WORKER_STARTING,  /* spawned, restoring its first VM */
        WORKER_READY,     /* a VM waits for a request */
        WORKER_BUSY,      /* running a request */
        WORKER_RESTORING, /* answered; restoring its next VM by itself */
        WORKER_STOPPING,  /* its input is closed: it exits when it next reads */
        WORKER_DEAD,      /* killed or exited; waiting to be reaped */
        _WORKER_STATE_MAX,
} WorkerState;

typedef struct WorkerCallbacks {
        /* A VM in the snapshot's state is ready (restored, or reset in place when `reset`): the
         * worker takes a request now. */
        void (*ready)(Worker *w, bool reset, void *userdata);
        /* A piece of streamed output, {"stream": "stdout"|"stderr", "data": "..."} (borrowed). */
        void (*output)(Worker *w, json_t *output, void *userdata);
        /* The answer to the request: an execute result object, or (is_error) a JSON-RPC error
         * object. Borrowed. The worker is RESTORING afterwards. */
        void (*answer)(Worker *w, json_t *answer, bool is_error, void *userdata);
        /* The process is gone and reaped. `lost` is the state it was in when things went wrong
         * (BUSY: a request went unanswered), `reason` says what happened ("crashed",
         * "timeout", "protocol", "exited") and `detail` how, for people. The callee frees w. */
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

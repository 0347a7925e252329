/* SPDX-License-Identifier: MIT */
/* The daemon as a whole: the event loop, the socket, one pool per language, the statistics, the
 * systemd glue (socket activation, sd_notify STATUS/STOPPING) and the orderly shutdown:
 *
 *   SIGTERM/SIGINT → STOPPING=1; `execute` is refused with -32005; requests already accepted
 *   (running or queued) finish, each bounded by its timeout and the backstop; then the listening
 *   socket closes, workers are stopped and reaped, answers are flushed (at most
 *   MANAGER_FLUSH_TIMEOUT), and manager_run() returns 0. A second signal skips the wait. */
#pragma once

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "exec-codec.h"
#include "pool.h"
#include "server.h"
#include "stats.h"

typedef struct ManagerConfig {
        const char *socket_path; /* used when no socket is passed in by systemd */
        mode_t socket_mode;
        const char *state_dir; /* snapshots live in STATE/snapshots/LANGUAGE */
        const char *worker_path;
        unsigned pool_size;
        unsigned max_vms;
        unsigned max_queue;
        bool fresh_vms; /* workers restore a new VM for every request (sandboxd-vm serve --no-reset) */
} ManagerConfig;

typedef struct Manager {
        struct event_base *base;
        char *socket_path;
        mode_t socket_mode;
        char *state_dir;
        char *worker_path;
        bool socket_activated;
        /* The socket file this daemon made (not under socket activation): removed when it
         * stops, if the file at socket_path is still that one. */
        bool socket_created;
        dev_t socket_dev;
        ino_t socket_ino;

        Server *server;
        Pool *pools[_EXEC_LANGUAGE_MAX];
        PoolLimits limits;
        Stats stats;

        struct event *sigterm_event;
        struct event *sigint_event;
        struct event *status_timer;
        struct event *stop_timer;
        uint64_t status_sent_usec;
        char *status_sent;

        bool stopping; /* a stop signal came */
        bool balancing; /* in balance_pools(): the pools it calls may call back */
        bool drained;   /* ...and no request is left */
} Manager;

int manager_new(const ManagerConfig *config, Manager **ret);
/* NULL-safe; kills and reaps every worker. */
Manager *manager_free(Manager *m);
static inline void manager_freep(Manager **m) {
        manager_free(*m);
}

/* Makes the snapshots, opens the socket, starts the pools and runs the loop until every pool is
 * warm (READY=1 may then be sent) or a stop signal came. Logs what failed; returns -errno. */
int manager_start(Manager *m);
/* Serves until stopped and drained. Returns 0 or -errno. */
int manager_run(Manager *m);

/* Something changed (pool figures, connections): refresh STATUS=, check the shutdown. */
void manager_changed(Manager *m);
/* "python: 2/2 ready, 0 busy, 0 queued; 15 requests", for STATUS=. */
char *manager_status_string(Manager *m);

/* SPDX-License-Identifier: MIT */
/* A stand-in for daemon/worker-process.c, linked into the unit tests of pool.c and dispatch.c in
 * its place (the seam is the link: pool.c is compiled as it is). No process is started: a test
 * drives each Worker through the callbacks pool.c gave it, as the real one does when a frame
 * arrives or the process exits, and looks at what the pool asked of it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "worker-process.h"

struct Worker {
        WorkerState state;
        pid_t pid;
        bool was_ready;
        WorkerCallbacks callbacks;
        void *userdata;
        bool fresh_vms;
        /* What the pool asked */
        char *line; /* the last request sent, NUL-terminated */
        size_t answer_max;
        uint64_t backstop_usec;
        unsigned n_sent, n_stops, n_kills;
};

#define FAKE_WORKERS_MAX 64

/* Every worker spawned and not yet freed, in spawn order (NULL holes where freed). */
extern Worker *fake_workers[FAKE_WORKERS_MAX];
extern unsigned fake_n_spawned;
/* worker_spawn() fails with this while it is negative. */
extern int fake_spawn_error;

/* The workers alive (not freed), and how many of them are in `state`. */
unsigned fake_n_alive(void);
unsigned fake_n_in_state(WorkerState state);
/* The first alive worker in `state`, or NULL. */
Worker *fake_first_in_state(WorkerState state);

/* The worker printed a ready frame. */
void fake_worker_ready(Worker *w, bool reset);
/* ... an output frame. */
void fake_worker_output(Worker *w, int fd, const char *data);
/* ... a result frame: exit code `exit_code`, stdout `out`. */
void fake_worker_result(Worker *w, int exit_code, const char *out);
/* ... an error frame (`error` referenced for the call). */
void fake_worker_error(Worker *w, json_t *error);
/* The process went away: the exited callback, as after a reap; the pool frees w. */
void fake_worker_exit(Worker *w, const char *reason, const char *detail);

/* Forgets every worker (after the pool under test was freed). */
void fake_reset(void);

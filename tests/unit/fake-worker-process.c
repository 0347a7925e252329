/* SPDX-License-Identifier: MIT */
#include "fake-worker-process.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

Worker *fake_workers[FAKE_WORKERS_MAX];
unsigned fake_n_spawned;
int fake_spawn_error;

int worker_spawn(struct event_base *base, const char *path, const char *snapshot_dir,
                 bool fresh_vms, const WorkerCallbacks *callbacks, void *userdata, Worker **ret) {
        Worker *w;

        if (fake_spawn_error < 0)
                return fake_spawn_error;
        if (fake_n_spawned >= FAKE_WORKERS_MAX)
                return -EMFILE;
        w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        *w = (Worker){
                .state = WORKER_STARTING,
                .pid = 1000 + (pid_t)fake_n_spawned,
                .callbacks = *callbacks,
                .userdata = userdata,
                .fresh_vms = fresh_vms,
        };
        fake_workers[fake_n_spawned++] = w;
        *ret = w;
        return 0;
}

Worker *worker_free(Worker *w) {
        if (!w)
                return NULL;
        for (unsigned i = 0; i < fake_n_spawned; i++)
                if (fake_workers[i] == w)
                        fake_workers[i] = NULL;
        free(w->line);
        free(w);
        return NULL;
}

int worker_send(Worker *w, const char *line, size_t size, size_t answer_max,
                uint64_t backstop_usec) {
        if (w->state != WORKER_READY)
                return -EBUSY;
        free(w->line);
        w->line = strndup(line, size);
        if (!w->line)
                return -ENOMEM;
        w->answer_max = answer_max;
        w->backstop_usec = backstop_usec;
        w->n_sent++;
        w->state = WORKER_BUSY;
        return 0;
}

void worker_stop(Worker *w) {
        w->n_stops++;
        if (w->state == WORKER_BUSY)
                worker_kill(w, "stopped", "the worker was stopped while busy");
        else if (w->state != WORKER_DEAD)
                w->state = WORKER_STOPPING;
}

void worker_kill(Worker *w, const char *reason, const char *detail) {
        w->n_kills++;
        w->state = WORKER_DEAD;
}

WorkerState worker_get_state(const Worker *w) {
        return w->state;
}

pid_t worker_get_pid(const Worker *w) {
        return w->pid;
}

bool worker_was_ready(const Worker *w) {
        return w->was_ready;
}

const char *worker_state_to_string(WorkerState state) {
        static const char *const names[_WORKER_STATE_MAX] = {
                [WORKER_STARTING] = "starting", [WORKER_READY] = "ready",
                [WORKER_BUSY] = "busy",         [WORKER_PREPARING] = "restoring",
                [WORKER_STOPPING] = "stopping", [WORKER_DEAD] = "dead",
        };
        return state >= 0 && state < _WORKER_STATE_MAX ? names[state] : NULL;
}

unsigned fake_n_alive(void) {
        unsigned n = 0;

        for (unsigned i = 0; i < fake_n_spawned; i++)
                if (fake_workers[i])
                        n++;
        return n;
}

unsigned fake_n_in_state(WorkerState state) {
        unsigned n = 0;

        for (unsigned i = 0; i < fake_n_spawned; i++)
                if (fake_workers[i] && fake_workers[i]->state == state)
                        n++;
        return n;
}

Worker *fake_first_in_state(WorkerState state) {
        for (unsigned i = 0; i < fake_n_spawned; i++)
                if (fake_workers[i] && fake_workers[i]->state == state)
                        return fake_workers[i];
        return NULL;
}

void fake_worker_ready(Worker *w, bool reset) {
        w->state = WORKER_READY;
        w->was_ready = true;
        w->callbacks.ready(w, reset, w->userdata);
}

void fake_worker_output(Worker *w, int fd, const char *data) {
        w->callbacks.output(w, fd, data, strlen(data), w->userdata);
}

void fake_worker_result(Worker *w, int exit_code, const char *out) {
        _cleanup_(exec_result_done) ExecResult result = EXEC_RESULT_INIT;

        result.language = EXEC_LANGUAGE_PYTHON;
        result.exit_code = exit_code;
        (void)exec_result_append_output(&result, 1, out, strlen(out), UINT64_MAX);
        w->state = WORKER_PREPARING;
        w->callbacks.answer(w, &result, NULL, w->userdata);
}

void fake_worker_error(Worker *w, json_t *error) {
        w->state = WORKER_PREPARING;
        w->callbacks.answer(w, NULL, error, w->userdata);
}

void fake_worker_exit(Worker *w, const char *reason, const char *detail) {
        WorkerState lost = w->state;

        w->state = WORKER_DEAD;
        w->callbacks.exited(w, lost, reason, detail, w->userdata);
}

void fake_reset(void) {
        for (unsigned i = 0; i < fake_n_spawned; i++)
                worker_free(fake_workers[i]);
        fake_n_spawned = 0;
        fake_spawn_error = 0;
}

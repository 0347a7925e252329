/* SPDX-License-Identifier: MIT */
#include "pool.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "jsonrpc.h"
#include "log.h"
#include "macro.h"
#include "worker-process.h"

/* Past the request's own timeout (which the worker enforces with a host timer) the daemon waits
 * this long, plus time to move the output, before it kills the worker: the backstop for a worker
 * that hangs or lost its clock. */
#define BACKSTOP_GRACE_USEC     (2 * USEC_PER_SEC)
#define BACKSTOP_BYTES_PER_MSEC UINT64_C(50000)

/* A result line holds stdout+stderr, each byte at worst a 6-byte JSON escape, plus the rest. */
#define ANSWER_OVERHEAD (64 * 1024)

/* Workers that die before ever being ready are respawned after a growing delay, and after this
 * many in a row the queued requests are failed instead of left waiting. */
#define RESPAWN_DELAY_MIN_USEC    (100 * USEC_PER_MSEC)
#define RESPAWN_DELAY_MAX_USEC    (5 * USEC_PER_SEC)
#define FAILURES_BEFORE_GIVING_UP 3

/* Workers started for a burst, past the pool's size, stay this long once idle: a worker resets
 * its VM in ~0.2 ms between requests, while starting one costs ~10 ms of CPU, so a burst that
 * goes on keeps its workers instead of stopping and starting them. */
#define EXTRA_WORKER_LINGER_USEC (2 * USEC_PER_SEC)

typedef struct PoolWorker {
        Pool *pool;
        Worker *worker;
        PoolJob *job;
        uint64_t idle_since_usec; /* when it last became ready with nothing to do */
        LIST_ENTRY(PoolWorker) link;
} PoolWorker;

struct Pool {
        struct event_base *base;
        ExecLanguage language;
        char *worker_path;
        char *snapshot_dir;
        PoolLimits *limits;
        Stats *stats;

        LIST_HEAD(, PoolWorker) workers;
        unsigned n_workers;
        TAILQ_HEAD(, PoolJob) queue;
        unsigned n_queued;

        unsigned failures; /* workers in a row that died before being ready */
        unsigned n_cpus;
        struct event *respawn_timer;
        bool respawn_pending;
        struct event *linger_timer;
        bool linger_pending;
        bool stopping;
        bool warm;

        void (*changed)(void *userdata);
        void *userdata;
};

static void pool_refill(Pool *p, bool from_timer);

ExecLanguage pool_get_language(const Pool *p) {
        return p->language;
}

PoolFigures pool_get_figures(const Pool *p) {
        PoolFigures f = {.queued = p->n_queued, .target = p->limits->pool_size};
        PoolWorker *pw;

        LIST_FOREACH(pw, &p->workers, link) {
                switch (worker_get_state(pw->worker)) {
                case WORKER_READY:
                        f.ready++;
                        break;
                case WORKER_STARTING:
                case WORKER_PREPARING:
                        f.starting++;
                        break;
                case WORKER_BUSY:
                        f.busy++;
                        break;
                default:
                        break;
                }
        }
        return f;
}

unsigned pool_n_jobs(const Pool *p) {
        unsigned n = p->n_queued;
        PoolWorker *pw;

        LIST_FOREACH(pw, &p->workers, link)
        if (pw->job)
                n++;
        return n;
}

unsigned pool_n_queued(const Pool *p) {
        return p->n_queued;
}

unsigned pool_n_workers(const Pool *p) {
        return p->n_workers;
}

bool pool_is_warm(const Pool *p) {
        return p->warm;
}

bool pool_is_failing(const Pool *p) {
        return p->failures > 0;
}

unsigned pool_n_failures(const Pool *p) {
        return p->failures;
}

static void notify_changed(Pool *p) {
        if (p->changed)
                p->changed(p->userdata);
}

static json_t *sandbox_failed_error(const char *reason, const char *detail, pid_t pid) {
        _cleanup_(json_decrefp) json_t *e =
                jsonrpc_error_new(JSONRPC_ERROR_SANDBOX_FAILED, "sandbox_failed",
                                  "The sandbox failed; the request may be retried");

        if (!e || jsonrpc_error_set_data(e, "reason", json_string(reason)) < 0 ||
            jsonrpc_error_set_data(e, "detail", json_string(detail)) < 0 ||
            (pid > 0 && jsonrpc_error_set_data(e, "pid", json_integer(pid)) < 0))
                return NULL;
        return TAKE_PTR(e);
}

static void job_finish(PoolJob *job, ExecResult *result, json_t *error) {
        job->worker = NULL;
        job->on_done(job, result, error);
}

static void pool_run(Pool *p, PoolWorker *pw, PoolJob *job) {
        uint64_t backstop, answer_max;
        int r;

        job->started_usec = now_usec();
        answer_max = job->max_output_bytes * 6 + ANSWER_OVERHEAD;
        backstop = job->timeout_ms * USEC_PER_MSEC + BACKSTOP_GRACE_USEC +
                   job->max_output_bytes / BACKSTOP_BYTES_PER_MSEC * USEC_PER_MSEC;
        r = worker_send(pw->worker, job->line, job->line_size, answer_max, backstop);
        if (r < 0) {
                job_finish(job, NULL,
                           jsonrpc_error_new(JSONRPC_ERROR_INTERNAL, "internal",
                                             "Failed to hand the request to a worker"));
                return;
        }
        pw->job = job;
        job->worker = pw;
}

/* The next queued job, if any, for a worker that just became ready. */
static bool pool_run_queued(Pool *p, PoolWorker *pw) {
        PoolJob *job = TAILQ_FIRST(&p->queue);

        if (!job)
                return false;
        TAILQ_REMOVE(&p->queue, job, queue);
        job->queued = false;
        p->n_queued--;
        pool_run(p, pw, job);
        return true;
}

static void linger_arm(Pool *p, uint64_t usec) {
        struct timeval tv = timeval_from_usec(usec);

        if (!p->linger_pending && evtimer_add(p->linger_timer, &tv) == 0)
                p->linger_pending = true;
}

void pool_release_extras(Pool *p) {
        PoolFigures f = pool_get_figures(p);
        PoolWorker *pw;

        LIST_FOREACH(pw, &p->workers, link) {
                if (f.ready <= p->limits->pool_size)
                        break;
                if (worker_get_state(pw->worker) == WORKER_READY) {
                        worker_stop(pw->worker);
                        f.ready--;
                }
        }
}

void pool_kick(Pool *p) {
        if (p->n_queued > 0)
                pool_refill(p, false);
}

/* Stops the workers past the pool's size that have been idle long enough, and waits for the
 * others. */
static void on_linger_timer(evutil_socket_t fd, short what, void *userdata) {
        Pool *p = userdata;
        PoolFigures f = pool_get_figures(p);
        uint64_t now = now_usec(), next = UINT64_MAX;
        PoolWorker *pw;

        p->linger_pending = false;
        LIST_FOREACH(pw, &p->workers, link) {
                if (f.ready <= p->limits->pool_size)
                        break;
                if (worker_get_state(pw->worker) != WORKER_READY)
                        continue;
                if (now - pw->idle_since_usec >= EXTRA_WORKER_LINGER_USEC) {
                        worker_stop(pw->worker);
                        f.ready--;
                } else
                        next = MIN(next, pw->idle_since_usec + EXTRA_WORKER_LINGER_USEC - now);
        }
        if (f.ready > p->limits->pool_size && next != UINT64_MAX)
                linger_arm(p, next);
        notify_changed(p);
}

static void on_worker_ready(Worker *w, bool reset, void *userdata) {
        PoolWorker *pw = userdata;
        Pool *p = pw->pool;
        PoolFigures f;

        if (reset)
                p->stats->vms_reset++;
        else
                p->stats->vms_restored++;
        p->failures = 0;
        f = pool_get_figures(p);
        if (!p->warm && f.ready + f.busy >= p->limits->pool_size)
                p->warm = true;
        if (!pool_run_queued(p, pw)) {
                pw->idle_since_usec = now_usec();
                if (p->stopping)
                        worker_stop(w);
                else if (f.ready > p->limits->pool_size)
                        linger_arm(p, EXTRA_WORKER_LINGER_USEC); /* a burst may be over */
        }
        notify_changed(p);
}

static void on_worker_output(Worker *w, int fd, const char *data, size_t size, void *userdata) {
        PoolWorker *pw = userdata;

        if (pw->job && pw->job->on_output)
                pw->job->on_output(pw->job, fd, data, size);
}

static void on_worker_answer(Worker *w, ExecResult *result, json_t *error, void *userdata) {
        PoolWorker *pw = userdata;
        Pool *p = pw->pool;
        PoolJob *job = pw->job;

        pw->job = NULL;
        if (p->stopping && TAILQ_EMPTY(&p->queue))
                worker_stop(w);
        if (job)
                job_finish(job, result, json_incref(error));
        notify_changed(p);
}

static void fail_queue(Pool *p, const char *detail) {
        PoolJob *job;

        while ((job = TAILQ_FIRST(&p->queue))) {
                TAILQ_REMOVE(&p->queue, job, queue);
                job->queued = false;
                p->n_queued--;
                job_finish(job, NULL, sandbox_failed_error("start_failed", detail, 0));
        }
}

static void on_worker_exited(Worker *w, WorkerState lost, const char *reason, const char *detail,
                             void *userdata) {
        PoolWorker *pw = userdata;
        Pool *p = pw->pool;
        pid_t pid = worker_get_pid(w);
        bool was_ready = worker_was_ready(w);
        PoolJob *job = pw->job;

        LIST_REMOVE(pw, link);
        p->n_workers--;
        p->limits->n_vms--;
        pw->job = NULL;

        if (lost != WORKER_STOPPING) {
                char language_field[64];

                snprintf(language_field, sizeof language_field, "LANGUAGE=%s",
                         exec_language_to_string(p->language));
                p->stats->workers_crashed++;
                if (lost == WORKER_BUSY)
                        log_fields(LOG_WARNING,
                                   LOG_FIELDS(language_field, "OUTCOME=sandbox_failed"),
                                   "%s worker %d failed while busy (%s): %s",
                                   exec_language_to_string(p->language), (int)pid, reason, detail);
                else
                        log_warning("%s worker %d went away while %s (%s): %s",
                                    exec_language_to_string(p->language), (int)pid,
                                    worker_state_to_string(lost), reason, detail);
        }
        if (!was_ready && lost != WORKER_STOPPING)
                p->failures++;

        /* reason and detail belong to w: answer before it is freed. */
        if (job)
                job_finish(job, NULL, sandbox_failed_error(reason, detail, pid));
        worker_free(w);
        free(pw);

        if (p->failures >= FAILURES_BEFORE_GIVING_UP && p->n_queued > 0)
                fail_queue(p, "workers keep failing before they are ready; see the daemon's log");

        pool_refill(p, false);
        notify_changed(p);
}

static const WorkerCallbacks worker_callbacks = {
        .ready = on_worker_ready,
        .output = on_worker_output,
        .answer = on_worker_answer,
        .exited = on_worker_exited,
};

static int pool_spawn_one(Pool *p) {
        PoolWorker *pw;
        int r;

        pw = calloc(1, sizeof *pw);
        if (!pw)
                return -ENOMEM;
        pw->pool = p;
        r = worker_spawn(p->base, p->worker_path, p->snapshot_dir, p->limits->fresh_vms,
                         &worker_callbacks, pw, &pw->worker);
        if (r < 0) {
                free(pw);
                return r;
        }
        LIST_INSERT_HEAD(&p->workers, pw, link);
        p->n_workers++;
        p->limits->n_vms++;
        p->stats->workers_started++;
        log_debug("Started %s worker %d", exec_language_to_string(p->language),
                  (int)worker_get_pid(pw->worker));
        return 0;
}

static void on_respawn_timer(evutil_socket_t fd, short what, void *userdata) {
        Pool *p = userdata;

        p->respawn_pending = false;
        pool_refill(p, true);
        notify_changed(p);
}

static void schedule_respawn(Pool *p) {
        uint64_t delay = RESPAWN_DELAY_MIN_USEC;
        struct timeval tv;

        if (p->respawn_pending)
                return;
        for (unsigned i = 1; i < p->failures && delay < RESPAWN_DELAY_MAX_USEC; i++)
                delay *= 2;
        tv = timeval_from_usec(MIN(delay, RESPAWN_DELAY_MAX_USEC));
        if (evtimer_add(p->respawn_timer, &tv) == 0)
                p->respawn_pending = true;
}

/* Spawns workers until the idle ones cover the target plus the queue, within max_vms. While
 * workers keep failing to start, one at a time and after a delay. */
static void pool_refill(Pool *p, bool from_timer) {
        PoolFigures f = pool_get_figures(p);
        unsigned have = f.ready + f.starting + f.busy, want;
        int r;

        /* A busy worker is ready again soon after its answer (it resets its VM by itself), so
         * it counts: sequential requests never spawn, a queue does. */
        want = p->stopping ? p->n_queued : p->limits->pool_size + p->n_queued;
        while (have < want && p->limits->n_vms < p->limits->max_vms) {
                /* Starting a worker (its first restore) is CPU-bound: with one per CPU already
                 * under way, another would only slow them down. Extra workers help when the
                 * busy ones are running long programs. */
                if (have >= p->limits->pool_size && f.starting >= p->n_cpus)
                        return;
                if (p->failures > 0) {
                        if (f.starting > 0)
                                return; /* the last attempt is still on its way */
                        if (!from_timer) {
                                schedule_respawn(p);
                                return;
                        }
                        from_timer = false; /* one attempt per delay */
                }
                r = pool_spawn_one(p);
                if (r < 0) {
                        log_warning_errno(r, "Failed to start a %s worker (%s): %m",
                                          exec_language_to_string(p->language), p->worker_path);
                        p->failures++;
                        if (p->failures >= FAILURES_BEFORE_GIVING_UP && p->n_queued > 0)
                                fail_queue(p, "workers can't be started; see the daemon's log");
                        schedule_respawn(p);
                        return;
                }
                have++;
                f.starting++;
        }
}

static unsigned cpus_available(void) {
        cpu_set_t set;

        if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
                return (unsigned)CPU_COUNT(&set);
        return 1;
}

int pool_new(struct event_base *base, ExecLanguage language, const char *worker_path,
             const char *snapshot_dir, PoolLimits *limits, Stats *stats,
             void (*changed)(void *userdata), void *userdata, Pool **ret) {
        Pool *p;

        p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        *p = (Pool){
                .base = base,
                .language = language,
                .limits = limits,
                .stats = stats,
                .changed = changed,
                .userdata = userdata,
        };
        LIST_INIT(&p->workers);
        TAILQ_INIT(&p->queue);
        p->n_cpus = cpus_available();
        p->worker_path = strdup(worker_path);
        p->snapshot_dir = strdup(snapshot_dir);
        p->respawn_timer = evtimer_new(base, on_respawn_timer, p);
        p->linger_timer = evtimer_new(base, on_linger_timer, p);
        if (!p->worker_path || !p->snapshot_dir || !p->respawn_timer || !p->linger_timer) {
                pool_free(p);
                return -ENOMEM;
        }
        *ret = p;
        return 0;
}

Pool *pool_free(Pool *p) {
        PoolWorker *pw;

        if (!p)
                return NULL;
        while ((pw = LIST_FIRST(&p->workers))) {
                LIST_REMOVE(pw, link);
                worker_free(pw->worker);
                p->limits->n_vms--;
                free(pw);
        }
        if (p->respawn_timer)
                event_free(p->respawn_timer);
        if (p->linger_timer)
                event_free(p->linger_timer);
        free(p->worker_path);
        free(p->snapshot_dir);
        free(p);
        return NULL;
}

int pool_start(Pool *p) {
        unsigned n = MIN(p->limits->pool_size,
                         p->limits->max_vms - MIN(p->limits->n_vms, p->limits->max_vms));
        int r;

        for (unsigned i = 0; i < n; i++) {
                r = pool_spawn_one(p);
                if (r < 0)
                        return r;
        }
        if (n == 0)
                p->warm = true;
        return 0;
}

int pool_submit(Pool *p, PoolJob *job) {
        PoolWorker *pw;

        if (p->stopping)
                return -ESHUTDOWN;
        job->queued_usec = now_usec();
        job->worker = NULL;
        LIST_FOREACH(pw, &p->workers, link)
        if (worker_get_state(pw->worker) == WORKER_READY) {
                pool_run(p, pw, job);
                pool_refill(p, false);
                notify_changed(p);
                return 0;
        }
        if (p->n_queued >= p->limits->max_queue)
                return -EBUSY;
        TAILQ_INSERT_TAIL(&p->queue, job, queue);
        job->queued = true;
        p->n_queued++;
        pool_refill(p, false);
        notify_changed(p);
        return 0;
}

void pool_cancel(Pool *p, PoolJob *job) {
        if (job->queued) {
                TAILQ_REMOVE(&p->queue, job, queue);
                job->queued = false;
                p->n_queued--;
        } else if (job->worker) {
                job->worker->job = NULL;
                job->worker = NULL;
        }
        notify_changed(p);
}

void pool_stop(Pool *p) {
        PoolWorker *pw, *next;

        p->stopping = true;
        if (p->respawn_pending) {
                evtimer_del(p->respawn_timer);
                p->respawn_pending = false;
        }
        if (p->linger_pending) {
                evtimer_del(p->linger_timer);
                p->linger_pending = false;
        }
        if (p->n_queued > 0)
                return; /* idle workers are still owed to the queue */
        for (pw = LIST_FIRST(&p->workers); pw; pw = next) {
                next = LIST_NEXT(pw, link);
                if (worker_get_state(pw->worker) != WORKER_BUSY)
                        worker_stop(pw->worker);
        }
        notify_changed(p);
}

json_t *pool_to_json(const Pool *p) {
        _cleanup_(json_decrefp) json_t *workers = json_array();
        PoolFigures f = pool_get_figures(p);
        PoolWorker *pw;

        if (!workers)
                return NULL;
        LIST_FOREACH(pw, &p->workers, link)
        if (json_array_append_new(
                    workers, json_pack("{si ss}", "pid", (int)worker_get_pid(pw->worker), "state",
                                       worker_state_to_string(worker_get_state(pw->worker)))) < 0)
                return NULL;
        return json_pack("{si si si si si so}", "ready", f.ready, "starting", f.starting, "busy",
                         f.busy, "queued", f.queued, "target", f.target, "workers",
                         TAKE_PTR(workers));
}

/* SPDX-License-Identifier: MIT */
/* daemon/pool.c with stand-in workers (fake-worker-process.c): the queue and its order, the
 * limits (--pool-size, --max-vms, --max-queue), busy and shutting-down refusals, taking a ready
 * worker and getting it back, answers, streamed output, cancelled jobs, workers that die busy or
 * before they are ever ready. A plain harness: prints file:line of each failed check, exits 1 if
 * any. */
#include <event2/event.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "fake-worker-process.h"
#include "jsonrpc.h"
#include "log.h"
#include "macro.h"
#include "pool.h"
#include "test-helpers.h"


/* ---- the pool under test ------------------------------------------------------------------ */

typedef struct Env {
        struct event_base *base;
        PoolLimits limits;
        Stats stats;
        Pool *pool;
        unsigned n_changed;
} Env;

static void on_changed(void *userdata) {
        Env *e = userdata;
        e->n_changed++;
}

static void env_setup(Env *e, unsigned pool_size, unsigned max_vms, unsigned max_queue) {
        *e = (Env){.limits = {.pool_size = pool_size, .max_vms = max_vms, .max_queue = max_queue}};
        stats_init(&e->stats);
        e->base = event_base_new();
        CHECK(e->base);
        CHECK(pool_new(e->base, EXEC_LANGUAGE_PYTHON, "/nonexistent/sandboxd-vm", "/nonexistent",
                       &e->limits, &e->stats, on_changed, e, &e->pool) == 0);
}

static void env_done(Env *e) {
        pool_free(e->pool);
        CHECK(e->limits.n_vms == 0);
        event_base_free(e->base);
        fake_reset();
}

/* ---- jobs --------------------------------------------------------------------------------- */

typedef struct TestJob {
        PoolJob job; /* first: the callbacks get &job */
        char line[64];
        unsigned n_done;
        bool has_result;
        int exit_code;
        char out[64];
        json_t *error;
        unsigned n_output;
        int output_fd;
        char output[64];
} TestJob;

static void job_on_output(PoolJob *job, int fd, const char *data, size_t size) {
        TestJob *t = (TestJob *)job;

        t->n_output++;
        t->output_fd = fd;
        snprintf(t->output, sizeof t->output, "%.*s", (int)size, data);
}

static void job_on_done(PoolJob *job, ExecResult *result, json_t *error) {
        TestJob *t = (TestJob *)job;

        t->n_done++;
        if (result) {
                t->has_result = true;
                t->exit_code = result->exit_code;
                snprintf(t->out, sizeof t->out, "%.*s", (int)result->stdout_buf.size,
                         result->stdout_buf.data ?: "");
        }
        json_decref(t->error);
        t->error = error;
}

static void job_init(TestJob *t, const char *name) {
        *t = (TestJob){};
        snprintf(t->line, sizeof t->line, "{\"code\":\"%s\"}\n", name);
        t->job = (PoolJob){
                .line = t->line,
                .line_size = strlen(t->line),
                .timeout_ms = 1000,
                .max_output_bytes = 1000,
                .on_output = job_on_output,
                .on_done = job_on_done,
        };
}

static void job_done(TestJob *t) {
        json_decref(t->error);
        t->error = NULL;
}

static bool sent(const Worker *w, const TestJob *t) {
        return w && w->line && strcmp(w->line, t->line) == 0;
}

static int error_code(const TestJob *t) {
        return (int)json_integer_value(json_object_get(t->error, "code"));
}

static const char *error_data(const TestJob *t, const char *key) {
        return json_string_value(json_object_get(json_object_get(t->error, "data"), key));
}

/* ---- cases -------------------------------------------------------------------------------- */

static void test_take_and_return(void) {
        Env e;
        TestJob a;
        Worker *w;
        PoolFigures f;

        env_setup(&e, 2, 8, 4);
        CHECK(pool_start(e.pool) == 0);
        CHECK(fake_n_alive() == 2 && fake_n_in_state(WORKER_STARTING) == 2);
        CHECK(e.limits.n_vms == 2 && pool_n_workers(e.pool) == 2);
        CHECK(fake_workers[0]->fresh_vms == false);
        f = pool_get_figures(e.pool);
        CHECK(f.starting == 2 && f.ready == 0 && f.target == 2);

        fake_worker_ready(fake_workers[0], false);
        CHECK(!pool_is_warm(e.pool));
        fake_worker_ready(fake_workers[1], false);
        CHECK(pool_is_warm(e.pool) && !pool_is_failing(e.pool));
        CHECK(e.stats.vms_restored == 2);

        job_init(&a, "a");
        CHECK(pool_submit(e.pool, &a.job) == 0);
        w = fake_first_in_state(WORKER_BUSY);
        CHECK(sent(w, &a) && w->n_sent == 1);
        /* the answer may hold every output byte escaped; the backstop is past the timeout */
        CHECK(w && w->answer_max >= 6 * a.job.max_output_bytes);
        CHECK(w && w->backstop_usec > a.job.timeout_ms * USEC_PER_MSEC);
        f = pool_get_figures(e.pool);
        CHECK(f.busy == 1 && f.ready == 1 && f.queued == 0);
        CHECK(pool_n_jobs(e.pool) == 1);
        CHECK(fake_n_alive() == 2); /* a busy worker counts: nothing spawned */

        fake_worker_output(w, 2, "partial");
        CHECK(a.n_output == 1 && a.output_fd == 2 && strcmp(a.output, "partial") == 0);

        fake_worker_result(w, 7, "hello\n");
        CHECK(a.n_done == 1 && a.has_result && a.exit_code == 7 && !a.error);
        CHECK(strcmp(a.out, "hello\n") == 0);
        CHECK(pool_n_jobs(e.pool) == 0 && pool_get_figures(e.pool).starting == 1);

        /* ready again by itself, after a reset */
        fake_worker_ready(w, true);
        CHECK(e.stats.vms_reset == 1 && pool_get_figures(e.pool).ready == 2);
        CHECK(a.n_done == 1);

        {
                _cleanup_(json_decrefp) json_t *j = pool_to_json(e.pool);
                json_t *workers = json_object_get(j, "workers");

                CHECK(json_integer_value(json_object_get(j, "ready")) == 2);
                CHECK(json_array_size(workers) == 2);
                CHECK(json_is_integer(json_object_get(json_array_get(workers, 0), "pid")));
                CHECK(json_is_string(json_object_get(json_array_get(workers, 0), "state")));
        }
        job_done(&a);
        env_done(&e);
}

static void test_queue_order_and_limit(void) {
        Env e;
        TestJob a, b, c;
        Worker *w;

        env_setup(&e, 1, 1, 2);
        CHECK(pool_start(e.pool) == 0);
        w = fake_workers[0];
        job_init(&a, "a");
        job_init(&b, "b");
        job_init(&c, "c");
        CHECK(pool_submit(e.pool, &a.job) == 0);
        CHECK(pool_submit(e.pool, &b.job) == 0);
        CHECK(pool_n_queued(e.pool) == 2 && a.job.queued && b.job.queued);
        /* the queue is full: refused, and nothing of it kept */
        CHECK(pool_submit(e.pool, &c.job) == -EBUSY);
        CHECK(pool_n_queued(e.pool) == 2 && !c.job.queued && c.n_done == 0);
        /* max_vms holds however long the queue */
        CHECK(fake_n_alive() == 1 && e.limits.n_vms == 1);

        fake_worker_ready(w, false);
        CHECK(sent(w, &a) && pool_n_queued(e.pool) == 1);
        fake_worker_result(w, 0, "a");
        CHECK(a.n_done == 1 && b.n_done == 0);
        fake_worker_ready(w, true);
        CHECK(sent(w, &b) && pool_n_queued(e.pool) == 0);
        fake_worker_result(w, 0, "b");
        CHECK(b.n_done == 1 && strcmp(b.out, "b") == 0);
        fake_worker_ready(w, true);
        CHECK(w->n_sent == 2 && w->state == WORKER_READY);

        job_done(&a);
        job_done(&b);
        job_done(&c);
        env_done(&e);
}

static void test_grows_within_max_vms(void) {
        Env e;
        TestJob jobs[6];

        env_setup(&e, 1, 3, 8);
        CHECK(pool_start(e.pool) == 0);
        fake_worker_ready(fake_workers[0], false);
        for (unsigned i = 0; i < ELEMENTSOF(jobs); i++) {
                char name[8];

                snprintf(name, sizeof name, "j%u", i);
                job_init(&jobs[i], name);
                CHECK(pool_submit(e.pool, &jobs[i].job) == 0);
                CHECK(fake_n_alive() <= 3 && e.limits.n_vms == fake_n_alive());
        }
        /* the queue asked for more workers: at least one more came (a machine with one CPU
         * starts one at a time), never past max_vms */
        CHECK(fake_n_alive() >= 2);
        while (fake_first_in_state(WORKER_STARTING)) {
                fake_worker_ready(fake_first_in_state(WORKER_STARTING), false);
                CHECK(fake_n_alive() <= 3);
        }
        CHECK(fake_n_alive() == 3 && fake_n_in_state(WORKER_BUSY) == 3);
        CHECK(pool_n_queued(e.pool) == 3);
        for (unsigned i = 0; i < ELEMENTSOF(jobs); i++)
                job_done(&jobs[i]);
        env_done(&e);
}

static void test_worker_dies_busy(void) {
        Env e;
        TestJob a;
        Worker *w;
        pid_t pid;

        env_setup(&e, 1, 4, 4);
        CHECK(pool_start(e.pool) == 0);
        w = fake_workers[0];
        pid = w->pid;
        fake_worker_ready(w, false);
        job_init(&a, "a");
        CHECK(pool_submit(e.pool, &a.job) == 0);
        fake_worker_exit(w, "crashed", "the worker was killed by SIGSEGV");
        CHECK(a.n_done == 1 && !a.has_result);
        CHECK(error_code(&a) == JSONRPC_ERROR_SANDBOX_FAILED);
        CHECK(error_data(&a, "kind") && strcmp(error_data(&a, "kind"), "sandbox_failed") == 0);
        CHECK(error_data(&a, "reason") && strcmp(error_data(&a, "reason"), "crashed") == 0);
        CHECK(error_data(&a, "detail") && strstr(error_data(&a, "detail"), "SIGSEGV"));
        CHECK(json_integer_value(json_object_get(json_object_get(a.error, "data"), "pid")) == pid);
        CHECK(e.stats.workers_crashed == 1);
        /* replaced at once: it had been ready, so this is no start failure */
        CHECK(fake_n_alive() == 1 && fake_n_in_state(WORKER_STARTING) == 1);
        CHECK(e.limits.n_vms == 1 && !pool_is_failing(e.pool));
        job_done(&a);
        env_done(&e);
}

static void test_error_answer(void) {
        Env e;
        TestJob a;
        json_t *error = jsonrpc_error_new(JSONRPC_ERROR_INVALID_PARAMS, "invalid_params", "no");

        env_setup(&e, 1, 1, 1);
        CHECK(pool_start(e.pool) == 0);
        fake_worker_ready(fake_workers[0], false);
        job_init(&a, "a");
        CHECK(pool_submit(e.pool, &a.job) == 0);
        fake_worker_error(fake_workers[0], error);
        json_decref(error); /* the job holds its own reference */
        CHECK(a.n_done == 1 && !a.has_result && error_code(&a) == JSONRPC_ERROR_INVALID_PARAMS);
        CHECK(fake_workers[0]->state == WORKER_PREPARING && fake_workers[0]->n_kills == 0);
        job_done(&a);
        env_done(&e);
}

static void test_cancel(void) {
        Env e;
        TestJob a, b;
        Worker *w;

        env_setup(&e, 1, 1, 4);
        CHECK(pool_start(e.pool) == 0);
        w = fake_workers[0];
        job_init(&a, "a");
        job_init(&b, "b");
        CHECK(pool_submit(e.pool, &a.job) == 0);
        CHECK(pool_submit(e.pool, &b.job) == 0);
        pool_cancel(e.pool, &a.job); /* queued: out of the queue */
        CHECK(pool_n_queued(e.pool) == 1 && !a.job.queued);
        fake_worker_ready(w, false);
        CHECK(sent(w, &b));
        pool_cancel(e.pool, &b.job); /* running: its answer is dropped, the worker kept */
        fake_worker_output(w, 1, "x");
        fake_worker_result(w, 0, "b");
        CHECK(a.n_done == 0 && b.n_done == 0 && b.n_output == 0);
        CHECK(w->n_kills == 0 && w->n_stops == 0);
        fake_worker_ready(w, true);
        CHECK(pool_get_figures(e.pool).ready == 1 && pool_n_jobs(e.pool) == 0);
        env_done(&e);
}

static void test_stop(void) {
        Env e;
        TestJob a, b;
        Worker *busy, *idle;

        env_setup(&e, 2, 2, 4);
        CHECK(pool_start(e.pool) == 0);
        fake_worker_ready(fake_workers[0], false);
        fake_worker_ready(fake_workers[1], false);
        job_init(&a, "a");
        job_init(&b, "b");
        CHECK(pool_submit(e.pool, &a.job) == 0);
        busy = fake_first_in_state(WORKER_BUSY);
        idle = fake_first_in_state(WORKER_READY);

        pool_stop(e.pool);
        CHECK(pool_submit(e.pool, &b.job) == -ESHUTDOWN && b.n_done == 0);
        CHECK(idle && idle->n_stops == 1 && idle->state == WORKER_STOPPING);
        /* the busy one finishes its request, then is stopped */
        CHECK(busy && busy->n_stops == 0 && busy->n_kills == 0);
        fake_worker_result(busy, 0, "a");
        CHECK(a.n_done == 1 && a.has_result);
        CHECK(busy->n_stops == 1 && busy->n_kills == 0);
        /* stopped workers that exit are not crashes, and none is replaced */
        fake_worker_exit(idle, "exited", "the worker exited with status 0");
        CHECK(e.stats.workers_crashed == 0 && fake_n_alive() == 1 && e.limits.n_vms == 1);
        job_done(&a);
        job_done(&b);
        env_done(&e);
}

/* Runs the loop until a worker is spawned (the respawn timer fired) or 5 s passed. */
static void wait_for_spawn(Env *e) {
        unsigned before = fake_n_spawned;
        uint64_t deadline = now_usec() + 5 * USEC_PER_SEC;

        while (fake_n_spawned == before && now_usec() < deadline) {
                struct timeval tv = {.tv_usec = 20000};

                event_base_loopexit(e->base, &tv);
                event_base_dispatch(e->base);
        }
}

static void test_start_failures(void) {
        Env e;
        TestJob a;

        env_setup(&e, 1, 1, 4); /* one worker at a time, so each death is the last one's */
        CHECK(pool_start(e.pool) == 0);
        job_init(&a, "a");
        CHECK(pool_submit(e.pool, &a.job) == 0);
        CHECK(pool_n_queued(e.pool) == 1);

        /* each worker dies before ever being ready; the next one comes after a delay */
        for (unsigned i = 1; i <= 3; i++) {
                Worker *w = fake_first_in_state(WORKER_STARTING);

                CHECK(w);
                if (!w)
                        break;
                fake_worker_exit(w, "exited", "the worker exited with status 1");
                CHECK(pool_n_failures(e.pool) == i && pool_is_failing(e.pool));
                if (i < 3) {
                        CHECK(a.n_done == 0 && fake_n_alive() == 0); /* not at once */
                        wait_for_spawn(&e);
                        CHECK(fake_n_alive() == 1);
                }
        }
        /* after three in a row the queue is failed rather than left waiting */
        CHECK(a.n_done == 1 && error_code(&a) == JSONRPC_ERROR_SANDBOX_FAILED);
        CHECK(error_data(&a, "reason") && strcmp(error_data(&a, "reason"), "start_failed") == 0);
        CHECK(pool_n_queued(e.pool) == 0);
        /* one that makes it resets the count */
        wait_for_spawn(&e);
        CHECK(fake_first_in_state(WORKER_STARTING));
        if (fake_first_in_state(WORKER_STARTING))
                fake_worker_ready(fake_first_in_state(WORKER_STARTING), false);
        CHECK(!pool_is_failing(e.pool) && pool_n_failures(e.pool) == 0);
        job_done(&a);
        env_done(&e);
}

static void test_spawn_error(void) {
        Env e;

        env_setup(&e, 2, 4, 4);
        fake_spawn_error = -EAGAIN;
        CHECK(pool_start(e.pool) == -EAGAIN);
        CHECK(e.limits.n_vms == 0 && pool_n_workers(e.pool) == 0);
        env_done(&e);

        /* a pool of size 0 starts nothing and is warm at once */
        env_setup(&e, 0, 4, 4);
        CHECK(pool_start(e.pool) == 0 && fake_n_alive() == 0 && pool_is_warm(e.pool));
        env_done(&e);
}

int main(void) {
        log_set_max_level(LOG_CRIT); /* the pool logs crashes; they are what is tested here */
        test_take_and_return();
        test_queue_order_and_limit();
        test_grows_within_max_vms();
        test_worker_dies_busy();
        test_error_answer();
        test_cancel();
        test_stop();
        test_start_failures();
        test_spawn_error();

        return checks_report("test-pool");
}

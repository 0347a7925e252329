/* SPDX-License-Identifier: MIT */
/* daemon/dispatch.c, the JSON-RPC layer, with stand-in workers (fake-worker-process.c) behind a
 * real pool and a stand-in connection that keeps what is sent: envelopes and their errors
 * (-32700, -32600, -32601, -32602), notifications answered with nothing, batches answered as one
 * array once their last element is, `execute` handed to a worker and its result or error relayed
 * with the daemon's timings, streamed output, busy and shutting-down refusals, a client that goes
 * away. A plain harness: prints file:line of each failed check, exits 1 if any. */
#include <event2/event.h>
#include <stdio.h>
#include <string.h>

#include "dispatch.h"
#include "fake-worker-process.h"
#include "jsonrpc.h"
#include "log.h"
#include "macro.h"
#include "test-helpers.h"


/* ---- a connection that keeps what is sent (server.c's place) ------------------------------ */

struct Connection {
        json_t *sent; /* an array of every message, in order */
        LIST_HEAD(, ConnectionTask) tasks;
};

int connection_send(Connection *c, const json_t *message) {
        return json_array_append_new(c->sent, json_deep_copy(message)) < 0 ? -ENOMEM : 0;
}

uint64_t connection_get_id(const Connection *c) {
        return 1;
}

void connection_add_task(Connection *c, ConnectionTask *task) {
        task->connection = c;
        LIST_INSERT_HEAD(&c->tasks, task, link);
}

void connection_remove_task(ConnectionTask *task) {
        if (!task || !task->connection)
                return;
        LIST_REMOVE(task, link);
        task->connection = NULL;
}

unsigned server_n_connections(const Server *s) {
        return 1;
}

uint64_t server_n_connections_total(const Server *s) {
        return 1;
}

/* The client hung up: what server.c does with the connection's tasks. */
static void connection_close(Connection *c) {
        ConnectionTask *task;

        while ((task = LIST_FIRST(&c->tasks))) {
                LIST_REMOVE(task, link);
                task->connection = NULL;
                task->cancel(task);
        }
}

/* ---- the daemon under test ---------------------------------------------------------------- */

typedef struct Env {
        Manager m;
        Connection c;
} Env;

/* A manager with one Python pool of pool_size workers (all made ready), no JavaScript. */
static void env_setup(Env *e, unsigned pool_size, unsigned max_queue) {
        *e = (Env){
                .m = {.limits = {.pool_size = pool_size, .max_vms = 4, .max_queue = max_queue}},
                .c = {.sent = json_array()},
        };
        LIST_INIT(&e->c.tasks);
        stats_init(&e->m.stats);
        e->m.base = event_base_new();
        CHECK(e->m.base && e->c.sent);
        CHECK(pool_new(e->m.base, EXEC_LANGUAGE_PYTHON, "/nonexistent/sandboxd-vm", "/nonexistent",
                       &e->m.limits, &e->m.stats, NULL, NULL,
                       &e->m.pools[EXEC_LANGUAGE_PYTHON]) == 0);
        CHECK(pool_start(e->m.pools[EXEC_LANGUAGE_PYTHON]) == 0);
        while (fake_first_in_state(WORKER_STARTING))
                fake_worker_ready(fake_first_in_state(WORKER_STARTING), false);
}

static void env_done(Env *e) {
        connection_close(&e->c);
        pool_free(e->m.pools[EXEC_LANGUAGE_PYTHON]);
        event_base_free(e->m.base);
        json_decref(e->c.sent);
        fake_reset();
}

/* Dispatches one line as server.c would hand it over. */
static void send_line(Env *e, const char *line) {
        _cleanup_(json_decrefp) json_t *message = NULL;
        json_error_t error;

        message = jsonrpc_parse_line(line, strlen(line), &error);
        dispatch_message(&e->m, &e->c, message, &error);
}

static size_t n_sent(const Env *e) {
        return json_array_size(e->c.sent);
}

/* The i-th message sent (borrowed). */
static json_t *sent(const Env *e, size_t i) {
        return json_array_get(e->c.sent, i);
}

static json_t *last(const Env *e) {
        return n_sent(e) > 0 ? sent(e, n_sent(e) - 1) : NULL;
}

static int error_code(const json_t *response) {
        return (int)json_integer_value(json_object_get(json_object_get(response, "error"), "code"));
}

static const char *error_data(const json_t *response, const char *key) {
        return json_string_value(
                json_object_get(json_object_get(json_object_get(response, "error"), "data"), key));
}

static bool id_is(const json_t *response, json_int_t id) {
        return json_integer_value(json_object_get(response, "id")) == id;
}

static bool str_is(const char *s, const char *expected) {
        return s && strcmp(s, expected) == 0;
}

/* ---- cases -------------------------------------------------------------------------------- */

static void test_envelopes(void) {
        Env e;
        json_error_t error = {.text = "invalid token near '\x01\xff'", .column = 3};

        env_setup(&e, 1, 4);

        /* not JSON: -32700 with id null, the detail printable; the connection goes on */
        dispatch_message(&e.m, &e.c, NULL, &error);
        CHECK(n_sent(&e) == 1 && error_code(last(&e)) == JSONRPC_ERROR_PARSE);
        CHECK(json_is_null(json_object_get(last(&e), "id")));
        CHECK(str_is(error_data(last(&e), "kind"), "parse_error"));
        CHECK(str_is(error_data(last(&e), "detail"), "invalid token near '?"
                                                     "?'"));

        /* a wrong envelope: -32600, with its id when the id itself was fine */
        send_line(&e, "{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"health\"}");
        CHECK(n_sent(&e) == 2 && error_code(last(&e)) == JSONRPC_ERROR_INVALID_REQUEST);
        CHECK(id_is(last(&e), 7));
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"method\":\"health\",\"extra\":1}");
        CHECK(n_sent(&e) == 3 && error_code(last(&e)) == JSONRPC_ERROR_INVALID_REQUEST);
        CHECK(json_is_null(json_object_get(last(&e), "id")));
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"health\"}");
        CHECK(n_sent(&e) == 4 && error_code(last(&e)) == JSONRPC_ERROR_INVALID_REQUEST);
        CHECK(json_is_null(json_object_get(last(&e), "id")));

        /* an unknown method */
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"exec\"}");
        CHECK(n_sent(&e) == 5 && error_code(last(&e)) == JSONRPC_ERROR_METHOD_NOT_FOUND);
        CHECK(str_is(json_string_value(json_object_get(last(&e), "id")), "x"));
        CHECK(str_is(error_data(last(&e), "kind"), "method_not_found"));

        /* params where none are taken; empty ones are fine */
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\",\"params\":{\"a\":1}}");
        CHECK(n_sent(&e) == 6 && error_code(last(&e)) == JSONRPC_ERROR_INVALID_PARAMS);
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"health\",\"params\":[]}");
        CHECK(n_sent(&e) == 7 && id_is(last(&e), 2));
        CHECK(str_is(
                json_string_value(json_object_get(json_object_get(last(&e), "result"), "status")),
                "ok"));

        /* notifications are served and not answered, an unknown one included */
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"method\":\"health\"}");
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"method\":\"nothing\"}");
        CHECK(n_sent(&e) == 7);

        /* every answered request is counted */
        CHECK(e.m.stats.requests.total == 9 && e.m.stats.requests.errors == 7);
        env_done(&e);
}

static void test_info_methods(void) {
        Env e;
        json_t *r;

        env_setup(&e, 2, 4);
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"languages\"}");
        r = json_object_get(last(&e), "result");
        CHECK(json_array_size(json_object_get(r, "languages")) == _EXEC_LANGUAGE_MAX);
        r = json_array_get(json_object_get(r, "languages"), EXEC_LANGUAGE_PYTHON);
        CHECK(str_is(json_string_value(json_object_get(r, "name")), "python"));
        CHECK(json_is_true(json_object_get(r, "ready")));
        CHECK(json_integer_value(json_object_get(json_object_get(r, "pool"), "ready")) == 2);

        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"stats\"}");
        r = json_object_get(last(&e), "result");
        CHECK(json_integer_value(json_object_get(json_object_get(r, "pool"), "vms")) == 2);
        CHECK(json_is_object(json_object_get(json_object_get(r, "pools"), "python")));
        CHECK(!json_object_get(json_object_get(r, "pools"), "javascript"));

        /* a pool with nothing left to serve with makes the daemon degraded */
        fake_worker_exit(fake_workers[0], "crashed", "gone");
        fake_worker_exit(fake_workers[1], "crashed", "gone");
        while (fake_first_in_state(WORKER_STARTING))
                fake_worker_exit(fake_first_in_state(WORKER_STARTING), "crashed", "gone again");
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"health\"}");
        r = json_object_get(last(&e), "result");
        CHECK(str_is(json_string_value(json_object_get(r, "status")), "degraded"));
        env_done(&e);
}

static void test_execute(void) {
        Env e;
        Worker *w;
        json_t *r, *timing;

        env_setup(&e, 1, 4);
        w = fake_workers[0];

        /* bad params: -32602 naming the field, nothing reaches a worker */
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"execute\",\"params\":"
                      "{\"language\":\"python\",\"code\":\"x\",\"timeout_ms\":\"1\"}}");
        CHECK(error_code(last(&e)) == JSONRPC_ERROR_INVALID_PARAMS);
        CHECK(str_is(error_data(last(&e), "field"), "timeout_ms"));
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"execute\"}");
        CHECK(error_code(last(&e)) == JSONRPC_ERROR_INVALID_PARAMS);
        /* a language nobody runs, and one this daemon has no pool for */
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"execute\",\"params\":"
                      "{\"language\":\"cobol\",\"code\":\"x\"}}");
        CHECK(error_code(last(&e)) == EXEC_JSONRPC_UNSUPPORTED_LANGUAGE);
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"execute\",\"params\":"
                      "{\"language\":\"js\",\"code\":\"x\"}}");
        CHECK(error_code(last(&e)) == EXEC_JSONRPC_UNSUPPORTED_LANGUAGE);
        CHECK(n_sent(&e) == 4 && w->n_sent == 0);

        /* a good one: the worker gets the params as one line, the client the result */
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"execute\",\"params\":"
                      "{\"language\":\"py\",\"code\":\"print(1)\",\"stream\":true}}");
        CHECK(n_sent(&e) == 4 && w->state == WORKER_BUSY);
        CHECK(str_is(w->line, "{\"language\":\"py\",\"code\":\"print(1)\",\"stream\":true}\n"));
        fake_worker_output(w, 1, "1\n");
        CHECK(n_sent(&e) == 5);
        r = last(&e);
        CHECK(str_is(json_string_value(json_object_get(r, "method")), "output"));
        r = json_object_get(r, "params");
        CHECK(id_is(r, 5) && str_is(json_string_value(json_object_get(r, "stream")), "stdout") &&
              str_is(json_string_value(json_object_get(r, "data")), "1\n"));
        fake_worker_result(w, 3, "1\n");
        CHECK(n_sent(&e) == 6 && id_is(last(&e), 5));
        r = json_object_get(last(&e), "result");
        CHECK(json_integer_value(json_object_get(r, "exit_code")) == 3);
        CHECK(str_is(json_string_value(json_object_get(r, "stdout")), "1\n"));
        timing = json_object_get(r, "timing");
        CHECK(json_is_real(json_object_get(timing, "queue_ms")) &&
              json_is_real(json_object_get(timing, "total_ms")) &&
              json_real_value(json_object_get(timing, "total_ms")) >= 0);
        CHECK(e.m.stats.requests.ok == 1 && e.m.stats.by_language[EXEC_LANGUAGE_PYTHON].ok == 1);

        /* the worker refuses it: its error is relayed as is */
        fake_worker_ready(w, true);
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"execute\",\"params\":"
                      "{\"language\":\"python\",\"code\":\"x\"}}");
        {
                _cleanup_(json_decrefp) json_t *error =
                        jsonrpc_error_new(-32099, "from_worker", "the worker said no");

                fake_worker_error(w, error);
        }
        CHECK(n_sent(&e) == 7 && id_is(last(&e), 6) && error_code(last(&e)) == -32099);
        CHECK(str_is(error_data(last(&e), "kind"), "from_worker"));

        /* without stream, no output notification */
        fake_worker_ready(w, true);
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"execute\",\"params\":"
                      "{\"language\":\"python\",\"code\":\"x\"}}");
        fake_worker_output(w, 2, "err");
        CHECK(n_sent(&e) == 7);
        /* the worker dies: -32004 */
        fake_worker_exit(w, "crashed", "the worker was killed by SIGSEGV");
        CHECK(n_sent(&e) == 8 && id_is(last(&e), 7));
        CHECK(error_code(last(&e)) == JSONRPC_ERROR_SANDBOX_FAILED);
        CHECK(str_is(error_data(last(&e), "reason"), "crashed"));
        env_done(&e);
}

static void test_busy_and_stopping(void) {
        Env e;

        env_setup(&e, 1, 0);
        /* the one worker busy and no room to queue: -32003 with the figures */
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"execute\",\"params\":"
                      "{\"language\":\"python\",\"code\":\"a\"}}");
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"execute\",\"params\":"
                      "{\"language\":\"python\",\"code\":\"b\"}}");
        CHECK(n_sent(&e) == 1 && id_is(last(&e), 2));
        CHECK(error_code(last(&e)) == JSONRPC_ERROR_BUSY);
        CHECK(str_is(error_data(last(&e), "kind"), "busy"));
        CHECK(str_is(error_data(last(&e), "limit"), "max_queue"));

        e.m.stopping = true;
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"execute\",\"params\":"
                      "{\"language\":\"python\",\"code\":\"c\"}}");
        CHECK(n_sent(&e) == 2 && error_code(last(&e)) == JSONRPC_ERROR_SHUTTING_DOWN);
        /* what was accepted still gets its answer */
        fake_worker_result(fake_workers[0], 0, "a");
        CHECK(n_sent(&e) == 3 && id_is(last(&e), 1) && json_object_get(last(&e), "result"));
        env_done(&e);
}

static void test_batches(void) {
        Env e;
        json_t *a;

        env_setup(&e, 1, 4);
        send_line(&e, "[]");
        CHECK(n_sent(&e) == 1 && error_code(last(&e)) == JSONRPC_ERROR_INVALID_REQUEST);

        /* answered as one array, notifications left out, errors in place */
        send_line(&e, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\"},"
                      "{\"jsonrpc\":\"2.0\",\"method\":\"health\"},"
                      "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},"
                      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"execute\",\"params\":"
                      "{\"language\":\"python\",\"code\":\"x\"}},"
                      "5]");
        /* ... once the last element is answered: the execute is still running */
        CHECK(n_sent(&e) == 1);
        fake_worker_result(fake_workers[0], 0, "x");
        CHECK(n_sent(&e) == 2);
        a = last(&e);
        CHECK(json_is_array(a) && json_array_size(a) == 4);
        CHECK(id_is(json_array_get(a, 0), 1) && json_object_get(json_array_get(a, 0), "result"));
        CHECK(id_is(json_array_get(a, 1), 2) &&
              error_code(json_array_get(a, 1)) == JSONRPC_ERROR_METHOD_NOT_FOUND);
        CHECK(json_is_null(json_object_get(json_array_get(a, 2), "id")) &&
              error_code(json_array_get(a, 2)) == JSONRPC_ERROR_INVALID_REQUEST);
        CHECK(id_is(json_array_get(a, 3), 3) && json_object_get(json_array_get(a, 3), "result"));

        /* a batch of notifications only: nothing at all */
        send_line(&e, "[{\"jsonrpc\":\"2.0\",\"method\":\"health\"}]");
        CHECK(n_sent(&e) == 2);
        env_done(&e);
}

static void test_client_goes_away(void) {
        Env e;
        Worker *w;

        env_setup(&e, 1, 4);
        w = fake_workers[0];
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"execute\",\"params\":"
                      "{\"language\":\"python\",\"code\":\"a\"}}");
        send_line(&e, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"execute\",\"params\":"
                      "{\"language\":\"python\",\"code\":\"b\"}}");
        CHECK(pool_n_queued(e.m.pools[EXEC_LANGUAGE_PYTHON]) == 1);
        connection_close(&e.c);
        CHECK(e.m.stats.cancelled == 2);
        CHECK(pool_n_jobs(e.m.pools[EXEC_LANGUAGE_PYTHON]) == 0);
        /* the running one finishes in its VM, unanswered; the worker is not killed for it */
        fake_worker_result(w, 0, "a");
        CHECK(n_sent(&e) == 0 && w->n_kills == 0);
        env_done(&e);
}

int main(void) {
        log_set_max_level(LOG_CRIT);
        test_envelopes();
        test_info_methods();
        test_execute();
        test_busy_and_stopping();
        test_batches();
        test_client_goes_away();

        return checks_report("test-dispatch");
}

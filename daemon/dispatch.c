/* SPDX-License-Identifier: MIT */
#include "dispatch.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "jsonrpc.h"
#include "log.h"
#include "macro.h"
#include "worker-frame.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* The interpreter version each language's runner carries, for `languages`. */
static const char *const runtime_versions[_EXEC_LANGUAGE_MAX] = {
        [EXEC_LANGUAGE_PYTHON] = SANDBOXD_PYTHON_VERSION,
        [EXEC_LANGUAGE_JAVASCRIPT] = SANDBOXD_NODE_VERSION,
};

/* The answers of one batch, sent as one array line once the last element is answered. */
typedef struct Batch {
        Connection *connection;
        json_t *responses;
        unsigned pending;
        bool cancelled; /* the connection went away */
} Batch;

/* Where an answer goes: the connection directly, or a batch's array. */
typedef struct Reply {
        Connection *connection;
        Batch *batch;
        json_t *id; /* NULL: a notification, nothing is sent */
} Reply;

typedef struct Request {
        Manager *manager;
        ConnectionTask task;
        PoolJob job;
        Pool *pool;
        Batch *batch;
        json_t *id;
        ExecLanguage language;
        uint64_t received_usec;
        char *line;
        bool stream;
} Request;

static Batch *batch_unref(Batch *b) {
        if (!b || --b->pending > 0)
                return NULL;
        if (!b->cancelled && json_array_size(b->responses) > 0)
                (void)connection_send(b->connection, b->responses);
        json_decref(b->responses);
        free(b);
        return NULL;
}

/* Sends (or files in the batch) one response; steals it. */
static void reply_send(const Reply *reply, json_t *message) {
        _cleanup_(json_decrefp) json_t *response = message;

        if (!response) {
                log_oom();
                return;
        }
        if (reply->id && reply->connection) {
                if (reply->batch)
                        (void)json_array_append(reply->batch->responses, response);
                else
                        (void)connection_send(reply->connection, response);
        }
}

static RequestOutcome reply_result(Manager *m, const Reply *reply, json_t *result) {
        reply_send(reply, jsonrpc_response_new(reply->id, result));
        return REQUEST_OUTCOME_OK;
}

static RequestOutcome reply_error(Manager *m, const Reply *reply, json_t *error) {
        if (!error)
                error = jsonrpc_error_new(JSONRPC_ERROR_INTERNAL, "internal", "Out of memory");
        reply_send(reply, jsonrpc_error_response_new(reply->id, error));
        return REQUEST_OUTCOME_ERROR;
}

static json_t *error_new(int code, const char *kind, const char *message) {
        return jsonrpc_error_new(code, kind, message);
}

/* ---- execute ------------------------------------------------------------------------------ */

static void request_free(Request *r) {
        connection_remove_task(&r->task);
        batch_unref(r->batch);
        json_decref(r->id);
        free(r->line);
        free(r);
}

/* The daemon's view of the time: waiting for a worker, and request received → result ready.
 * (restore_ms and run_ms are the worker's.) */
static void result_set_timing(ExecResult *result, const Request *r, uint64_t now) {
        result->timing.queue_ms = usec_to_ms(r->job.started_usec - r->received_usec);
        result->timing.total_ms = usec_to_ms(now - r->received_usec);
}

static void request_log(const Request *r, const char *outcome, uint64_t total_usec) {
        char request_field[96], language_field[64], outcome_field[64];
        _cleanup_free_ char *id = NULL;

        if (log_get_max_level() < LOG_DEBUG)
                return;
        id = r->id ? json_dumps(r->id, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        snprintf(request_field, sizeof request_field, "REQUEST_ID=%" PRIu64 ":%.64s",
                 r->task.connection ? connection_get_id(r->task.connection) : 0, id ?: "-");
        snprintf(language_field, sizeof language_field, "LANGUAGE=%s",
                 exec_language_to_string(r->language));
        snprintf(outcome_field, sizeof outcome_field, "OUTCOME=%s", outcome);
        log_fields(LOG_DEBUG, LOG_FIELDS(request_field, language_field, outcome_field),
                   "execute %s %s: %s in %.3f ms", request_field + strlen("REQUEST_ID="),
                   exec_language_to_string(r->language), outcome, usec_to_ms(total_usec));
}

static void request_on_done(PoolJob *job, ExecResult *result, json_t *error) {
        Request *r = container_of(job, Request, job);
        Manager *m = r->manager;
        Reply reply = {.connection = r->task.connection, .batch = r->batch, .id = r->id};
        uint64_t now = now_usec();
        RequestOutcome outcome;
        const char *outcome_name;

        if (result) {
                json_t *o;

                result_set_timing(result, r, now);
                stats_add_latency(&m->stats, now - r->received_usec);
                o = exec_result_to_json(result);
                outcome = o ? reply_result(m, &reply, o) : reply_error(m, &reply, NULL);
                if (o && result->timed_out)
                        outcome = REQUEST_OUTCOME_TIMEOUT;
                outcome_name = !o ? "internal" : result->timed_out ? "timeout" : "ok";
        } else {
                json_t *kind = json_object_get(json_object_get(error, "data"), "kind");

                outcome_name = json_is_string(kind) ? json_string_value(kind) : "error";
                request_log(r, outcome_name, now - r->received_usec);
                outcome = reply_error(m, &reply, error); /* error (and its kind) is gone now */
                outcome_name = NULL;
        }
        stats_count_request(&m->stats, r->language, outcome);
        if (outcome_name)
                request_log(r, outcome_name, now - r->received_usec);
        request_free(r);
}

static void request_on_output(PoolJob *job, int fd, const char *data, size_t size) {
        Request *r = container_of(job, Request, job);
        _cleanup_(json_decrefp) json_t *notification = NULL;

        if (!r->stream || !r->id || !r->task.connection)
                return;
        notification = jsonrpc_notification_new(JSONRPC_OUTPUT_METHOD,
                                                json_pack("{sO ss so}", "id", r->id, "stream",
                                                          fd == 1 ? "stdout" : "stderr", "data",
                                                          json_stringn(data, size)));
        if (notification)
                (void)connection_send(r->task.connection, notification);
}

/* The client went away: forget the request (a running one finishes in its VM, unanswered). */
static void request_on_cancel(ConnectionTask *task) {
        Request *r = container_of(task, Request, task);

        if (r->batch)
                r->batch->cancelled = true;
        r->manager->stats.cancelled++;
        pool_cancel(r->pool, &r->job);
        request_free(r);
}

static RequestOutcome method_execute(Manager *m, const Reply *reply, json_t *params,
                                     ExecLanguage *ret_language) {
        _cleanup_(exec_request_done) ExecRequest exec = EXEC_REQUEST_INIT;
        _cleanup_free_ char *line = NULL;
        ProtocolError protocol_error = {};
        Request *r;
        size_t size;
        int k;

        if (m->stopping)
                return reply_error(m, reply,
                                   error_new(JSONRPC_ERROR_SHUTTING_DOWN, "shutting_down",
                                             "The daemon is shutting down; retry elsewhere "
                                             "or later"));

        k = exec_request_from_json(params, &exec, &protocol_error);
        if (k < 0) {
                if (protocol_error.kind == EXEC_ERROR_NONE)
                        return reply_error(m, reply, NULL);
                return reply_error(m, reply, protocol_error_to_json(&protocol_error));
        }
        *ret_language = exec.language;
        if (!m->pools[exec.language])
                return reply_error(m, reply,
                                   error_new(EXEC_JSONRPC_UNSUPPORTED_LANGUAGE,
                                             "unsupported_language",
                                             "This daemon has no runner for that language"));

        /* The worker gets the params as the client sent them (validated, re-encoded). */
        k = worker_request_format(params, &line, &size);
        if (k < 0)
                return reply_error(m, reply, NULL);

        r = calloc(1, sizeof *r);
        if (!r)
                return reply_error(m, reply, NULL);
        *r = (Request){
                .manager = m,
                .line = TAKE_PTR(line),
                .pool = m->pools[exec.language],
                .id = json_incref(reply->id),
                .language = exec.language,
                .received_usec = now_usec(),
                .stream = exec.stream,
                .task = {.cancel = request_on_cancel},
                .job =
                        {
                                .timeout_ms = exec.timeout_ms,
                                .max_output_bytes = exec.max_output_bytes,
                                .on_output = request_on_output,
                                .on_done = request_on_done,
                        },
        };
        r->job.line = r->line;
        r->job.line_size = size;

        connection_add_task(reply->connection, &r->task);
        if (reply->batch) {
                r->batch = reply->batch;
                r->batch->pending++;
        }

        k = pool_submit(r->pool, &r->job);
        if (k < 0) {
                PoolFigures f = pool_get_figures(r->pool);
                json_t *e;

                if (k == -EBUSY) {
                        e = error_new(JSONRPC_ERROR_BUSY, "busy",
                                      "Too many requests: every VM is busy and the queue is full");
                        if (e) {
                                (void)jsonrpc_error_set_data(e, "limit", json_string("max_queue"));
                                (void)jsonrpc_error_set_data(e, "queued", json_integer(f.queued));
                                (void)jsonrpc_error_set_data(e, "max_queue",
                                                             json_integer(m->limits.max_queue));
                                (void)jsonrpc_error_set_data(e, "busy", json_integer(f.busy));
                                (void)jsonrpc_error_set_data(e, "max_vms",
                                                             json_integer(m->limits.max_vms));
                        }
                } else if (k == -ESHUTDOWN)
                        e = error_new(JSONRPC_ERROR_SHUTTING_DOWN, "shutting_down",
                                      "The daemon is shutting down");
                else
                        e = NULL;
                /* Answered here; the caller counts it. */
                r->job.started_usec = r->received_usec;
                request_on_done(&r->job, NULL, e);
                return _REQUEST_OUTCOME_MAX;
        }
        return _REQUEST_OUTCOME_MAX; /* counted when answered */
}

/* ---- languages, stats, health ------------------------------------------------------------- */

static bool params_empty(json_t *params) {
        return !params || (json_is_object(params) && json_object_size(params) == 0) ||
               (json_is_array(params) && json_array_size(params) == 0);
}

static RequestOutcome method_languages(Manager *m, const Reply *reply, json_t *params,
                                       ExecLanguage *ret_language) {
        _cleanup_(json_decrefp) json_t *languages = json_array();

        if (!languages)
                return reply_error(m, reply, NULL);
        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++) {
                Pool *p = m->pools[l];
                PoolFigures f = p ? pool_get_figures(p) : (PoolFigures){};
                json_t *aliases = json_array();

                if (!aliases)
                        return reply_error(m, reply, NULL);
                for (const char *const *a = exec_language_aliases(l); *a; a++)
                        (void)json_array_append_new(aliases, json_string(*a));
                if (json_array_append_new(
                            languages,
                            json_pack("{ss so ss sb s{si si}}", "name", exec_language_to_string(l),
                                      "aliases", aliases, "runtime_version", runtime_versions[l],
                                      "ready", p && pool_is_warm(p) && !pool_is_failing(p), "pool",
                                      "ready", f.ready, "target", f.target)) < 0)
                        return reply_error(m, reply, NULL);
        }
        return reply_result(m, reply, json_pack("{so}", "languages", TAKE_PTR(languages)));
}

static RequestOutcome method_stats(Manager *m, const Reply *reply, json_t *params,
                                   ExecLanguage *ret_language) {
        _cleanup_(json_decrefp) json_t *result = stats_to_json(&m->stats), *pools = json_object();
        PoolFigures total = {};

        if (!result || !pools)
                return reply_error(m, reply, NULL);
        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++) {
                PoolFigures f;

                if (!m->pools[l])
                        continue;
                f = pool_get_figures(m->pools[l]);
                total.ready += f.ready;
                total.starting += f.starting;
                total.busy += f.busy;
                total.queued += f.queued;
                total.target += f.target;
                if (json_object_set_new(pools, exec_language_to_string(l),
                                        pool_to_json(m->pools[l])) < 0)
                        return reply_error(m, reply, NULL);
        }
        if (json_object_set_new(result, "pool",
                                json_pack("{si si si si si si si si}", "ready", total.ready,
                                          "starting", total.starting, "busy", total.busy, "queued",
                                          total.queued, "target", total.target, "vms",
                                          m->limits.n_vms, "max_vms", m->limits.max_vms,
                                          "max_queue", m->limits.max_queue)) < 0 ||
            json_object_set_new(result, "pools", TAKE_PTR(pools)) < 0 ||
            json_object_set_new(result, "connections",
                                json_pack("{si sI}", "current", server_n_connections(m->server),
                                          "total",
                                          (json_int_t)server_n_connections_total(m->server))) < 0)
                return reply_error(m, reply, NULL);
        return reply_result(m, reply, TAKE_PTR(result));
}

static RequestOutcome method_health(Manager *m, const Reply *reply, json_t *params,
                                    ExecLanguage *ret_language) {
        _cleanup_(json_decrefp) json_t *languages = json_object();
        bool degraded = false;

        if (!languages)
                return reply_error(m, reply, NULL);
        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++) {
                Pool *p = m->pools[l];
                PoolFigures f;
                bool failing;

                if (!p)
                        continue;
                f = pool_get_figures(p);
                failing = pool_is_failing(p);
                /* Degraded: workers keep dying before they are ready, or nothing is left to
                 * serve with (none ready, busy or on its way) though the pool should have some
                 * (--pool-size 0 starts them on demand). */
                if (failing || (f.target > 0 && f.ready + f.busy + f.starting == 0))
                        degraded = true;
                if (json_object_set_new(languages, exec_language_to_string(l),
                                        json_pack("{si si si sb}", "ready", f.ready, "busy", f.busy,
                                                  "target", f.target, "failing", failing)) < 0)
                        return reply_error(m, reply, NULL);
        }
        return reply_result(m, reply,
                            json_pack("{ss so sf}", "status",
                                      m->stopping ? "stopping"
                                      : degraded  ? "degraded"
                                                  : "ok",
                                      "languages", TAKE_PTR(languages), "uptime_s",
                                      usec_to_ms(now_usec() - m->stats.started_usec) / 1000.0));
}

/* ---- dispatch ----------------------------------------------------------------------------- */

typedef RequestOutcome (*MethodFunc)(Manager *m, const Reply *reply, json_t *params,
                                     ExecLanguage *ret_language);

static const struct {
        const char *name;
        MethodFunc func;
        bool takes_params;
} methods[] = {
        {"execute", method_execute, true},
        {"languages", method_languages, false},
        {"stats", method_stats, false},
        {"health", method_health, false},
};

static void count(Manager *m, ExecLanguage language, RequestOutcome outcome) {
        if (outcome < _REQUEST_OUTCOME_MAX)
                stats_count_request(&m->stats, language, outcome);
}

static void dispatch_one(Manager *m, Connection *c, Batch *batch, json_t *message) {
        json_t *error = NULL;
        JsonrpcRequest req;
        Reply reply = {.connection = c, .batch = batch};
        ExecLanguage language = _EXEC_LANGUAGE_INVALID;

        if (jsonrpc_request_parse(message, &req, &error) < 0) {
                /* An invalid request is answered even without an id (JSON-RPC 2.0 §5). */
                reply.id = req.id ?: json_null();
                count(m, language, reply_error(m, &reply, error));
                return;
        }
        reply.id = req.id;

        for (size_t i = 0; i < ELEMENTSOF(methods); i++) {
                if (strcmp(req.method, methods[i].name) != 0)
                        continue;
                if (!methods[i].takes_params && !params_empty(req.params)) {
                        count(m, language,
                              reply_error(m, &reply,
                                          error_new(JSONRPC_ERROR_INVALID_PARAMS, "invalid_params",
                                                    "This method takes no params")));
                        return;
                }
                count(m, language, methods[i].func(m, &reply, req.params, &language));
                return;
        }

        error = error_new(JSONRPC_ERROR_METHOD_NOT_FOUND, "method_not_found",
                          "Unknown method; known: execute, languages, stats, health");
        count(m, language, reply_error(m, &reply, error));
}

void dispatch_message(Manager *m, Connection *c, json_t *message, const json_error_t *error) {
        Batch *batch;
        size_t i;
        json_t *element;

        if (!message) {
                Reply reply = {.connection = c, .id = json_null()};
                json_t *e = error_new(JSONRPC_ERROR_PARSE, "parse_error", "Parse error: not JSON");

                if (e) {
                        char detail[JSON_ERROR_TEXT_LENGTH];
                        size_t n;

                        /* jansson quotes the offending bytes: echo printable ASCII only. */
                        for (n = 0; n + 1 < sizeof detail && error->text[n]; n++)
                                detail[n] = error->text[n] >= 0x20 && error->text[n] < 0x7f
                                                    ? error->text[n]
                                                    : '?';
                        detail[n] = '\0';
                        (void)jsonrpc_error_set_data(e, "detail", json_string(detail));
                        (void)jsonrpc_error_set_data(e, "column", json_integer(error->column));
                }
                count(m, _EXEC_LANGUAGE_INVALID, reply_error(m, &reply, e));
                return;
        }

        if (!json_is_array(message)) {
                dispatch_one(m, c, NULL, message);
                return;
        }

        if (json_array_size(message) == 0) {
                Reply reply = {.connection = c, .id = json_null()};
                count(m, _EXEC_LANGUAGE_INVALID,
                      reply_error(m, &reply,
                                  error_new(JSONRPC_ERROR_INVALID_REQUEST, "invalid_request",
                                            "An empty batch is not a request")));
                return;
        }

        batch = calloc(1, sizeof *batch);
        if (batch)
                batch->responses = json_array();
        if (!batch || !batch->responses) {
                free(batch);
                Reply reply = {.connection = c, .id = json_null()};
                reply_error(m, &reply, NULL);
                return;
        }
        batch->connection = c;
        batch->pending = 1; /* held while the elements are dispatched */
        json_array_foreach(message, i, element) dispatch_one(m, c, batch, element);
        batch_unref(batch);
}

/* SPDX-License-Identifier: MIT */
/* exec_request_from_json() over hostile `execute` params, parsed the way the daemon parses a
 * line (jsonrpc.h's flags: NUL inside strings allowed, duplicate keys refused). Checks the
 * contract of exec-codec.h: a refusal is -EINVAL/-EOPNOTSUPP/-E2BIG with a printable ProtocolError
 * that encodes to a JSON-RPC error (or -ENOMEM), and leaves the request at its defaults; an
 * accepted request validates, encodes with exec_request_to_json() and decodes back to itself. */
#include <errno.h>
#include <string.h>

#include "exec-codec.h"
#include "fuzz.h"
#include "jsonrpc.h"

/* Past the execute limits' sum (limits.h) there is nothing new to learn, only slower runs. */
#define FUZZ_EXECUTE_MAX FUZZ_INPUT_MAX

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        fuzz_setup_logging();
        return 0;
}

static bool buffers_equal(const ExecBuffer *a, const ExecBuffer *b) {
        return a->size == b->size && (a->size == 0 || memcmp(a->data, b->data, a->size) == 0);
}

static bool strv_contains(char *const *v, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

static void check_round_trip(const ExecRequest *req) {
        _cleanup_(exec_request_done) ExecRequest back = EXEC_REQUEST_INIT;
        _cleanup_(json_decrefp) json_t *params = NULL;
        _cleanup_free_ char *text = NULL;
        ProtocolError e;
        int r;

        r = exec_request_to_json(req, &params);
        if (r == -ENOMEM)
                return;
        /* Everything decoded from JSON is valid UTF-8: -EILSEQ would be a lie. */
        FUZZ_ASSERT(r == 0);

        /* Through text, as sandboxctl sends it. */
        text = json_dumps(params, JSONRPC_DUMP_FLAGS);
        if (!text)
                return;
        json_decref(TAKE_PTR(params));
        params = json_loads(text, JSONRPC_PARSE_FLAGS, NULL);
        FUZZ_ASSERT(params);

        r = exec_request_from_json(params, &back, &e);
        if (r == -ENOMEM)
                return;
        if (r != 0)
                fprintf(stderr, "round trip refused: %s: %s\n", e.field, e.message);
        FUZZ_ASSERT(r == 0);

        FUZZ_ASSERT(back.language == req->language);
        FUZZ_ASSERT(buffers_equal(&back.code, &req->code));
        FUZZ_ASSERT(buffers_equal(&back.stdin_buf, &req->stdin_buf));
        FUZZ_ASSERT(back.n_args == req->n_args);
        for (size_t i = 0; i < req->n_args; i++)
                FUZZ_ASSERT(strcmp(back.args[i], req->args[i]) == 0);
        FUZZ_ASSERT(back.n_env == req->n_env);
        for (size_t i = 0; i < req->n_env; i++)
                FUZZ_ASSERT(strv_contains(back.env, back.n_env, req->env[i]));
        FUZZ_ASSERT(!back.cwd == !req->cwd);
        FUZZ_ASSERT(!req->cwd || strcmp(back.cwd, req->cwd) == 0);
        FUZZ_ASSERT(back.timeout_ms == req->timeout_ms);
        FUZZ_ASSERT(back.memory_mb == req->memory_mb);
        FUZZ_ASSERT(back.max_output_bytes == req->max_output_bytes);
        FUZZ_ASSERT(back.stream == req->stream);
}

static void check_refusal(int r, const ExecRequest *req, const ProtocolError *e) {
        _cleanup_(json_decrefp) json_t *error = NULL;

        FUZZ_ASSERT(r == -EINVAL || r == -EOPNOTSUPP || r == -E2BIG || r == -ENOMEM);
        FUZZ_ASSERT(fuzz_is_printable_string(e->field, sizeof(e->field)));
        FUZZ_ASSERT(fuzz_is_printable_string(e->message, sizeof(e->message)));
        if (r == -ENOMEM) {
                FUZZ_ASSERT(e->kind == EXEC_ERROR_NONE);
        } else {
                FUZZ_ASSERT(e->kind > EXEC_ERROR_NONE && e->kind < _EXEC_ERROR_KIND_MAX);
                FUZZ_ASSERT(e->message[0] != '\0');
        }

        /* "On failure *ret is left as exec_request_init_defaults() makes it". */
        FUZZ_ASSERT(req->language == _EXEC_LANGUAGE_INVALID);
        FUZZ_ASSERT(!req->code.data && !req->stdin_buf.data && !req->args && !req->env &&
                    !req->cwd);
        FUZZ_ASSERT(req->timeout_ms == EXEC_TIMEOUT_MS_DEFAULT &&
                    req->memory_mb == EXEC_MEMORY_MB_DEFAULT &&
                    req->max_output_bytes == EXEC_MAX_OUTPUT_BYTES_DEFAULT && !req->stream);

        error = protocol_error_to_json(e);
        if (error) {
                _cleanup_free_ char *text = json_dumps(error, JSONRPC_DUMP_FLAGS);
                (void)text;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(json_decrefp) json_t *params = NULL;
        ProtocolError e;
        int r;

        if (size > FUZZ_EXECUTE_MAX)
                return 0;
        params = json_loadb((const char *)data, size, JSONRPC_PARSE_FLAGS, NULL);
        if (!params)
                return 0;

        r = exec_request_from_json(params, &req, &e);
        if (r < 0) {
                check_refusal(r, &req, &e);
                return 0;
        }
        FUZZ_ASSERT(r == 0);
        FUZZ_ASSERT(exec_request_validate(&req, NULL) == 0);
        FUZZ_ASSERT(exec_language_to_string(req.language));
        FUZZ_ASSERT(req.code.data && strlen(req.code.data) == req.code.size);
        FUZZ_ASSERT(req.n_args == 0 || req.args[req.n_args] == NULL);
        check_round_trip(&req);
        return 0;
}

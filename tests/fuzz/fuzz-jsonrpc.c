/* SPDX-License-Identifier: MIT */
/* A client's byte stream through the daemon's read path (daemon/server.c, dispatch.c): the
 * LineReader over a libevent buffer that fills in arbitrary pieces, each line parsed in place
 * with jsonrpc.h's flags, then the JSON-RPC envelope (single requests and batches), the
 * `execute` params, and the answer encoded as a line. Input layout:
 *
 *   u8 how: bits 0-5 seed the piece sizes (1..32 bytes each, every piece its own evbuffer chain
 *           so lines straddle chains), bit 6 a line cap of 200 bytes instead of JSONRPC_LINE_MAX,
 *           bit 7 the whole stream in one piece;
 *   then the stream.
 *
 * Checks: a line parsed across chains (json_load_callback) is the same value as the line parsed
 * contiguously (jsonrpc_parse_line, json_loadb); an invalid request always has an error object
 * to send (code -32600); every answer dumps as exactly one line. */
#include <errno.h>
#include <event2/buffer.h>
#include <string.h>

#include "exec-codec.h"
#include "fuzz.h"
#include "jsonrpc.h"
#include "line-reader.h"

#define FUZZ_JSONRPC_MAX FUZZ_INPUT_MAX

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        fuzz_setup_logging();
        return 0;
}

static void check_line(json_t *message) {
        _cleanup_free_ char *text = NULL;
        size_t size;

        if (!message)
                return; /* OOM */
        if (jsonrpc_dump_line(message, &text, &size) < 0)
                return;
        FUZZ_ASSERT(size >= 2 && text[size - 1] == '\n');
        FUZZ_ASSERT(!memchr(text, '\n', size - 1));
        json_decref(message);
}

static void answer_one(json_t *message) {
        JsonrpcRequest req;
        json_t *error = NULL;
        int r;

        (void)jsonrpc_is_response(message);
        (void)jsonrpc_is_notification(message);

        r = jsonrpc_request_parse(message, &req, &error);
        if (r < 0) {
                FUZZ_ASSERT(r == -EINVAL);
                if (!error)
                        return; /* OOM */
                FUZZ_ASSERT(json_integer_value(json_object_get(error, "code")) ==
                            JSONRPC_ERROR_INVALID_REQUEST);
                FUZZ_ASSERT(!req.id || json_is_string(req.id) || json_is_number(req.id) ||
                            json_is_null(req.id));
                check_line(jsonrpc_error_response_new(req.id ?: json_null(), error));
                return;
        }
        FUZZ_ASSERT(r == 0 && !error);
        FUZZ_ASSERT(req.method &&
                    strlen(req.method) == json_string_length(json_object_get(message, "method")));
        FUZZ_ASSERT(!req.params || json_is_object(req.params) || json_is_array(req.params));

        if (strcmp(req.method, "execute") == 0) {
                _cleanup_(exec_request_done) ExecRequest exec = EXEC_REQUEST_INIT;
                ProtocolError e;

                r = exec_request_from_json(req.params, &exec, &e);
                if (r < 0 && r != -ENOMEM) {
                        FUZZ_ASSERT(fuzz_is_printable_string(e.message, sizeof(e.message)));
                        check_line(jsonrpc_error_response_new(req.id, protocol_error_to_json(&e)));
                        return;
                }
        }
        if (req.id)
                check_line(jsonrpc_response_new(req.id, json_pack("{ss}", "method", req.method)));
}

static void answer(json_t *message) {
        size_t i;
        json_t *element;

        if (!json_is_array(message)) {
                answer_one(message);
                return;
        }
        json_array_foreach(message, i, element) answer_one(element);
}

/* The line through the reader's in-place parse and, copied out, through jsonrpc_parse_line(). */
static void parse_line(struct evbuffer *buf, size_t len) {
        _cleanup_(json_decrefp) json_t *chunked = NULL, *contiguous = NULL;
        _cleanup_free_ char *copy = NULL;
        json_error_t error;

        chunked = line_reader_parse(buf, len, JSONRPC_PARSE_FLAGS, &error);

        copy = malloc(MAX(len, (size_t)1));
        if (!copy)
                return;
        FUZZ_ASSERT(evbuffer_copyout(buf, copy, len) == (ev_ssize_t)len);
        contiguous = jsonrpc_parse_line(copy, len, &error);

        if (!chunked != !contiguous)
                fprintf(stderr, "line of %zu bytes: in place %s, contiguous %s\n", len,
                        chunked ? "parsed" : "refused", contiguous ? "parsed" : "refused");
        FUZZ_ASSERT(!chunked == !contiguous);
        if (!chunked)
                return;
        FUZZ_ASSERT(json_equal(chunked, contiguous));
        answer(chunked);
}

static void free_nothing(const void *data, size_t len, void *userdata) {
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct evbuffer *buf;
        LineReader reader;
        uint32_t rng;
        uint8_t how;
        size_t at = 1;
        bool closed = false;

        if (size < 1 || size > FUZZ_JSONRPC_MAX)
                return 0;
        how = data[0];
        rng = 0x9e3779b9u ^ (how & 0x3f);
        reader = (LineReader){.max = (how & 0x40) ? 200 : JSONRPC_LINE_MAX};

        buf = evbuffer_new();
        if (!buf)
                return 0;
        while (at < size && !closed) {
                size_t piece;

                rng = rng * 1103515245u + 12345u;
                piece = (how & 0x80) ? size - at : MIN(size - at, (size_t)1 + ((rng >> 16) & 31));
                /* By reference: each piece its own chain, as reads of a socket can leave it. */
                if (evbuffer_add_reference(buf, data + at, piece, free_nothing, NULL) < 0)
                        break;
                at += piece;

                for (;;) {
                        size_t len;
                        int r = line_reader_next(&reader, buf, &len);

                        if (r == 0)
                                break;
                        if (r < 0) {
                                /* The server answers "line_too_long" and closes. */
                                FUZZ_ASSERT(r == -E2BIG);
                                FUZZ_ASSERT(evbuffer_get_length(buf) >= reader.max ||
                                            evbuffer_search(buf, "\n", 1, NULL).pos + 1 >=
                                                    (ev_ssize_t)reader.max);
                                closed = true;
                                break;
                        }
                        FUZZ_ASSERT(len < reader.max);
                        parse_line(buf, len);
                        line_reader_consume(&reader, buf, len);
                }
        }
        evbuffer_free(buf);
        return 0;
}

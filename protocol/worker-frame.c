/* SPDX-License-Identifier: MIT */
#include "worker-frame.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonrpc.h"
#include "macro.h"
#include "utf8.h"

static const char *const frame_type_table[_WORKER_FRAME_TYPE_MAX] = {
        [WORKER_FRAME_READY] = "ready",
        [WORKER_FRAME_OUTPUT] = "output",
        [WORKER_FRAME_RESULT] = "result",
        [WORKER_FRAME_ERROR] = "error",
};

const char *worker_frame_type_to_string(WorkerFrameType type) {
        if (type < 0 || type >= _WORKER_FRAME_TYPE_MAX)
                return NULL;
        return frame_type_table[type];
}

void worker_frame_done(WorkerFrame *frame) {
        if (!frame)
                return;
        exec_result_done(&frame->result);
        json_decref(frame->error);
        json_decref(frame->json);
        *frame = WORKER_FRAME_INIT;
}

/* ---- encoding ----------------------------------------------------------------------------- */

/* Steals frame. The dump flags are the result's (timings printed as rounded). */
static int format_line(json_t *frame, char **ret, size_t *ret_size) {
        _cleanup_(json_decrefp) json_t *o = frame;

        if (!o)
                return -ENOMEM;
        return jsonrpc_dump_line(o, ret, ret_size);
}

int worker_frame_ready_format(double prepare_ms, bool reset, char **ret, size_t *ret_size) {
        /* Microseconds, as every timing is reported; a broken clock reads 0 (json_real() refuses
         * NaN and infinities). */
        if (!isfinite(prepare_ms) || prepare_ms < 0 || prepare_ms > 1e12)
                prepare_ms = 0;
        prepare_ms = (double)(int64_t)(prepare_ms * 1000.0 + 0.5) / 1000.0;
        return format_line(json_pack("{sb si sf sb}", "ready", 1, "version", WORKER_FRAME_VERSION,
                                     "prepare_ms", prepare_ms, "reset", reset),
                           ret, ret_size);
}

int worker_frame_output_format(int fd, const char *data, size_t size, char **ret,
                               size_t *ret_size) {
        _cleanup_free_ char *text = NULL;
        size_t text_size;
        int r;

        if (fd != 1 && fd != 2)
                return -EINVAL;
        r = utf8_sanitize(data ?: "", data ? size : 0, &text, &text_size);
        if (r < 0)
                return r;
        return format_line(json_pack("{s{ss so}}", "output", "stream",
                                     fd == 1 ? "stdout" : "stderr", "data",
                                     json_stringn(text, text_size)),
                           ret, ret_size);
}

int worker_frame_result_format(const ExecResult *result, char **ret, size_t *ret_size) {
        return format_line(exec_result_to_json(result), ret, ret_size);
}

int worker_frame_error_format(const ProtocolError *error, char **ret, size_t *ret_size) {
        return format_line(json_pack("{so}", "error", protocol_error_to_json(error)), ret,
                           ret_size);
}

int worker_request_format(const json_t *params, char **ret, size_t *ret_size) {
        return jsonrpc_dump_line(params, ret, ret_size);
}

/* ---- decoding ----------------------------------------------------------------------------- */

static int ready_from_json(const json_t *o, WorkerFrame *f) {
        const json_t *version = json_object_get(o, "version");
        const json_t *ms = json_object_get(o, "prepare_ms");
        const json_t *reset = json_object_get(o, "reset");

        if (!json_is_true(json_object_get(o, "ready")) || !json_is_integer(version) ||
            !json_is_number(ms) || !json_is_boolean(reset) || json_object_size(o) != 4)
                return -EINVAL;
        /* Checked after the shape: a frame of another version may have another shape, but one
         * that doesn't even have this much is no ready frame of ours at all. */
        if (json_integer_value(version) != WORKER_FRAME_VERSION)
                return -EPROTONOSUPPORT;
        if (!isfinite(json_number_value(ms)) || json_number_value(ms) < 0)
                return -EINVAL;
        f->prepare_ms = json_number_value(ms);
        f->reset = json_is_true(reset);
        return 0;
}

static int output_from_json(const json_t *o, WorkerFrame *f) {
        const json_t *output = json_object_get(o, "output");
        const json_t *stream, *data;
        const char *name;

        if (!json_is_object(output) || json_object_size(o) != 1 || json_object_size(output) != 2)
                return -EINVAL;
        stream = json_object_get(output, "stream");
        data = json_object_get(output, "data");
        if (!json_is_string(stream) || !json_is_string(data))
                return -EINVAL;
        name = json_string_value(stream);
        if (strcmp(name, "stdout") == 0)
                f->output_fd = 1;
        else if (strcmp(name, "stderr") == 0)
                f->output_fd = 2;
        else
                return -EINVAL;
        f->output_data = json_string_value(data);
        f->output_size = json_string_length(data);
        return 0;
}

/* A JSON-RPC error object as the daemon forwards it to its client: {"code": integer,
 * "message": string} and optionally "data" (PROTOCOL.md §5 gives it an object). */
static int error_from_json(const json_t *o, WorkerFrame *f) {
        json_t *error = json_object_get(o, "error");
        const json_t *data;
        size_t members = 2;

        if (!json_is_object(error) || json_object_size(o) != 1 ||
            !json_is_integer(json_object_get(error, "code")) ||
            !json_is_string(json_object_get(error, "message")))
                return -EINVAL;
        data = json_object_get(error, "data");
        if (data) {
                if (!json_is_object(data))
                        return -EINVAL;
                members++;
        }
        if (json_object_size(error) != members)
                return -EINVAL;
        f->error = json_incref(error);
        return 0;
}

int worker_frame_from_json(json_t *line, WorkerFrame *ret) {
        _cleanup_(worker_frame_done) WorkerFrame f = WORKER_FRAME_INIT;
        int r;

        *ret = WORKER_FRAME_INIT;
        if (!json_is_object(line))
                return -EINVAL;

        if (json_object_get(line, "ready")) {
                f.type = WORKER_FRAME_READY;
                r = ready_from_json(line, &f);
        } else if (json_object_get(line, "output")) {
                f.type = WORKER_FRAME_OUTPUT;
                r = output_from_json(line, &f);
        } else if (json_object_get(line, "error")) {
                f.type = WORKER_FRAME_ERROR;
                r = error_from_json(line, &f);
        } else {
                f.type = WORKER_FRAME_RESULT;
                r = exec_result_from_json(line, &f.result);
        }
        if (r < 0)
                return r;

        f.json = json_incref(line);
        *ret = f;
        f = WORKER_FRAME_INIT;
        return 0;
}

int worker_frame_parse(const char *line, size_t size, WorkerFrame *ret) {
        _cleanup_(json_decrefp) json_t *o = NULL;

        *ret = WORKER_FRAME_INIT;
        o = jsonrpc_parse_line(line, size, NULL);
        if (!o)
                return -EINVAL;
        return worker_frame_from_json(o, ret);
}

int worker_request_parse(const char *line, size_t size, ExecRequest *ret,
                         ProtocolError *ret_error) {
        _cleanup_(json_decrefp) json_t *params = NULL;
        ProtocolError dummy;
        ProtocolError *e = ret_error ?: &dummy;
        json_error_t error;

        exec_request_init_defaults(ret);
        params = jsonrpc_parse_line(line, size, &error);
        if (!params) {
                *e = (ProtocolError){.kind = EXEC_ERROR_INVALID_PARAMS};
                snprintf(e->message, sizeof e->message, "malformed JSON: %s", error.text);
                /* jansson quotes the offending bytes, and a ProtocolError is printable ASCII. */
                for (char *s = e->message; *s; s++)
                        if (*s < 0x20 || *s > 0x7e)
                                *s = '?';
                return -EINVAL;
        }
        return exec_request_from_json(params, ret, e);
}

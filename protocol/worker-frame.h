/* SPDX-License-Identifier: MIT */
/* The line frames between the daemon and one `sandboxd-vm serve` worker, over the socketpair that
 * is the worker's stdin and stdout: one compact JSON object per `\n`-terminated line.
 *
 *   worker → daemon  ready    {"ready":true,"version":1,"prepare_ms":X,"reset":B}
 *                             a VM in the snapshot's state waits for a request. X: ms spent
 *                             making it so (restoring one, or resetting the last one in place
 *                             when B); it reaches the client as timing.restore_ms.
 *   daemon → worker  request  the `execute` params object of PROTOCOL.md §2, one line
 *   worker → daemon  output   {"output":{"stream":"stdout"|"stderr","data":"..."}}
 *                             zero or more, only for a request with "stream": true; data is
 *                             what the guest wrote, after the UTF-8 repair of PROTOCOL.md §4.1
 *   worker → daemon  result   the `execute` result object of PROTOCOL.md §4, or
 *                    error    {"error":{JSON-RPC error object}} for a request it refused
 *                             (bad params, another language); then the next ready frame
 *
 * The worker hosts the guest's VMM, so its lines are treated as hostile: the decoder checks every
 * member, and a frame out of turn (the daemon's state machine, daemon/worker-process.c) kills it.
 * Both ends are built from one tree, so the ready frame carries WORKER_FRAME_VERSION and the
 * daemon refuses a worker that speaks another. No I/O here.
 *
 * Bump WORKER_FRAME_VERSION whenever a frame gains, loses or renames a member or one changes
 * meaning (the result and the request follow EXEC_PROTOCOL_VERSION as well). */
#pragma once

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "exec-codec.h"

#define WORKER_FRAME_VERSION 1

/* The longest request line a worker reads, `\n` included: the daemon's own line cap bounds what
 * it forwards; this is the worker's bound for a request at every field ceiling, JSON-escaped. */
#define WORKER_REQUEST_LINE_MAX (128u * 1024 * 1024)

typedef enum WorkerFrameType {
        WORKER_FRAME_READY,
        WORKER_FRAME_OUTPUT,
        WORKER_FRAME_RESULT,
        WORKER_FRAME_ERROR,
        _WORKER_FRAME_TYPE_MAX,
        _WORKER_FRAME_TYPE_INVALID = -EINVAL,
} WorkerFrameType;

/* One decoded worker → daemon frame: the members of its type are set, the others zero. */
typedef struct WorkerFrame {
        WorkerFrameType type;
        /* READY */
        double prepare_ms;
        bool reset;
        /* OUTPUT: fd 1 or 2, and the text (borrowed from `json`: valid while the frame is) */
        int output_fd;
        const char *output_data;
        size_t output_size;
        /* RESULT, owned */
        ExecResult result;
        /* ERROR: the JSON-RPC error object, {"code": integer, "message": string, ...}; a
         * reference the frame holds */
        json_t *error;

        json_t *json; /* the parsed line, referenced */
} WorkerFrame;

#define WORKER_FRAME_INIT                                                                          \
        ((WorkerFrame){                                                                            \
                .type = _WORKER_FRAME_TYPE_INVALID,                                                \
                .result = EXEC_RESULT_INIT,                                                        \
        })

/* NULL-safe; leaves the frame as WORKER_FRAME_INIT. */
void worker_frame_done(WorkerFrame *frame);

/* "ready", "output", "result", "error"; NULL out of range. */
const char *worker_frame_type_to_string(WorkerFrameType type);

/* ---- worker → daemon ---------------------------------------------------------------------- */

/* Encoders for the worker: each returns the frame as one line (`\n`-terminated, malloc'd, *ret_size
 * counting the newline), 0 or -ENOMEM. */
int worker_frame_ready_format(double prepare_ms, bool reset, char **ret, size_t *ret_size);
/* Repairs the text as PROTOCOL.md §4.1 says; -EINVAL for an fd other than 1 or 2. */
int worker_frame_output_format(int fd, const char *data, size_t size, char **ret, size_t *ret_size);
int worker_frame_result_format(const ExecResult *result, char **ret, size_t *ret_size);
int worker_frame_error_format(const ProtocolError *error, char **ret, size_t *ret_size);

/* The decoder for the daemon. Classifies a parsed line and checks it whole: exactly the members
 * above for ready, output and error frames, exec_result_from_json() for a result. Returns 0 with
 * *ret filled (release with worker_frame_done()), -EINVAL for anything else,
 * -EPROTONOSUPPORT for a ready frame of another WORKER_FRAME_VERSION, -ENOMEM. */
int worker_frame_from_json(json_t *line, WorkerFrame *ret);
/* The same from the line's bytes (without or with its `\n`). */
int worker_frame_parse(const char *line, size_t size, WorkerFrame *ret);

/* ---- daemon → worker ---------------------------------------------------------------------- */

/* The request line for validated execute params. 0 or -ENOMEM. */
int worker_request_format(const json_t *params, char **ret, size_t *ret_size);

/* Decodes a request line for the worker: JSON (NUL allowed in strings, no key twice), then
 * exec_request_from_json(). Returns what that returns, with *ret_error saying why for a request
 * to answer with an error frame (a line that is not JSON is EXEC_ERROR_INVALID_PARAMS). */
int worker_request_parse(const char *line, size_t size, ExecRequest *ret, ProtocolError *ret_error);

/* SPDX-License-Identifier: MIT */
/* The JSON-RPC 2.0 envelope sandboxd speaks on its socket (PROTOCOL.md §1 and §7): one JSON value
 * per `\n`-terminated line, requests answered by id, batches, notifications, error objects.
 * Pure encode/decode helpers shared by the daemon and sandboxctl: no I/O, no logging.
 *
 * Bump JSONRPC_PROTOCOL_VERSION when the layout changes: a method, a member of an envelope, an
 * error code or its data, the line limit or the `output` notification. The `execute` params and
 * result have their own EXEC_PROTOCOL_VERSION (exec-codec.h). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "exec-limits.h"
#include "exec-codec.h"

#define JSONRPC_PROTOCOL_VERSION 1

/* The longest line the daemon reads, `\n` included. Chosen below what the execute limits could
 * add up to in the worst escaping (stdin of 16 MiB of control bytes is 96 MiB as JSON) so that a
 * hostile line costs the daemon at most this much memory; requests at their size ceilings in
 * ordinary text (code 1 MiB + stdin 16 MiB + args 1 MiB + env 1 MiB) fit with room to spare.
 * A longer line is answered -32002 (data.kind "line_too_long") and the connection closed. */
#define JSONRPC_LINE_MAX (24 * EXEC_MIB)

/* Flags to parse a line with: NUL inside strings is data (stdin), a key twice is an error. */
#define JSONRPC_PARSE_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
/* Flags to dump a message with (compact, timings printed as rounded). */
#define JSONRPC_DUMP_FLAGS EXEC_JSON_DUMP_FLAGS

/* Error codes (PROTOCOL.md §7). -32602, -32603, -32001 and -32002 are defined in exec-codec.h. */
#define JSONRPC_ERROR_PARSE            (-32700)
#define JSONRPC_ERROR_INVALID_REQUEST  (-32600)
#define JSONRPC_ERROR_METHOD_NOT_FOUND (-32601)
#define JSONRPC_ERROR_BUSY             (-32003)
#define JSONRPC_ERROR_SANDBOX_FAILED   (-32004)
#define JSONRPC_ERROR_SHUTTING_DOWN    (-32005)

/* The method of the notification carrying streamed output. */
#define JSONRPC_OUTPUT_METHOD "output"

/* A decoded request. Pointers borrow from the message it was parsed from. */
typedef struct JsonrpcRequest {
        const char *method;
        json_t *params; /* NULL when absent or null */
        json_t *id;     /* NULL for a notification; json null for "id": null */
} JsonrpcRequest;

/* Checks the envelope of one request object: "jsonrpc": "2.0", a string method, params absent,
 * null, an object or an array, id absent, null, a string or a number, no other member.
 * Returns 0, or -EINVAL with *ret_error (if not NULL) a -32600 error object to send (NULL on OOM).
 * ret->id is set even on failure when the id itself was valid, so the answer can carry it. */
int jsonrpc_request_parse(json_t *message, JsonrpcRequest *ret, json_t **ret_error);

/* An error object {"code", "message", "data": {"kind": kind}}. Returns NULL on OOM. */
json_t *jsonrpc_error_new(int code, const char *kind, const char *message);
/* Adds data.<key> = value (value stolen) to an error object; 0 or -ENOMEM. */
int jsonrpc_error_set_data(json_t *error, const char *key, json_t *value);

/* {"jsonrpc": "2.0", "id": id, "result": result}, stealing result; id is referenced (json null
 * when NULL). Returns NULL on OOM (result is released). */
json_t *jsonrpc_response_new(json_t *id, json_t *result);
/* Same with "error": error (stolen). */
json_t *jsonrpc_error_response_new(json_t *id, json_t *error);
/* {"jsonrpc": "2.0", "method": method, "params": params}, stealing params. */
json_t *jsonrpc_notification_new(const char *method, json_t *params);

/* Requests, for clients: {"jsonrpc": "2.0", "id": id, "method": method[, "params": params]};
 * params stolen (may be NULL), id referenced (NULL: a notification). */
json_t *jsonrpc_request_new(json_t *id, const char *method, json_t *params);

/* One message as a line: compact JSON followed by `\n`. *ret is malloc'd; *ret_size counts the
 * newline. Returns 0 or -ENOMEM. */
int jsonrpc_dump_line(const json_t *message, char **ret, size_t *ret_size);

/* Parses one line (without or with its `\n`). NULL with *error filled when it is not JSON. */
json_t *jsonrpc_parse_line(const char *line, size_t size, json_error_t *error);

/* Whether a received message is a response (has "result" or "error"), a notification (has a
 * "method" and no "id") — for clients sorting what arrives. */
bool jsonrpc_is_response(const json_t *message);
bool jsonrpc_is_notification(const json_t *message);

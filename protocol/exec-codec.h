/* SPDX-License-Identifier: MIT */
/* The `execute` request and its result, defined once with their JSON codec: the daemon's JSON-RPC
 * `execute` method decodes the request from its params, a `serve` worker decodes the same params
 * from its request line and prints the result (protocol/worker-frame.h), the daemon decodes
 * that result and answers with the same object, and sandboxctl decodes it in turn; `sandboxd-vm
 * run` fills a request from its command line and prints the result. PROTOCOL.md is the
 * authority on the JSON shapes; exec-limits.h on the numbers.
 *
 * No I/O and no logging here: every function returns -errno (and, for requests, a ProtocolError a
 * caller can send back); the caller decides what to log.
 *
 * Bump EXEC_PROTOCOL_VERSION whenever a field is added, removed, renamed or changes meaning in
 * the request or the result JSON. */
#pragma once

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exec-limits.h"

#define EXEC_PROTOCOL_VERSION 2

/* ---- languages ---------------------------------------------------------------------------- */

typedef enum ExecLanguage {
        EXEC_LANGUAGE_PYTHON,
        EXEC_LANGUAGE_JAVASCRIPT,
        _EXEC_LANGUAGE_MAX,
        _EXEC_LANGUAGE_INVALID = -EINVAL,
} ExecLanguage;

/* Canonical name ("python"), or NULL for a value out of range. */
const char *exec_language_to_string(ExecLanguage language);
/* Canonical name or alias ("python", "python3", "py"), ASCII case-insensitive. Returns the
 * language, or _EXEC_LANGUAGE_INVALID for a name no language answers to (including NULL). */
ExecLanguage exec_language_from_string(const char *name);
/* The aliases of a language, a NULL-terminated list (empty, never NULL, for a valid language);
 * NULL for a value out of range. For the `languages` method. */
const char *const *exec_language_aliases(ExecLanguage language);

/* ---- errors ------------------------------------------------------------------------------- */

typedef enum ExecErrorKind {
        EXEC_ERROR_NONE,
        EXEC_ERROR_INVALID_PARAMS, /* wrong type, missing, out of range, bad format: -EINVAL */
        EXEC_ERROR_UNSUPPORTED_LANGUAGE, /* no such language: -EOPNOTSUPP */
        EXEC_ERROR_TOO_LARGE,            /* code/stdin/args/env/cwd past its size cap: -E2BIG */
        _EXEC_ERROR_KIND_MAX,
} ExecErrorKind;

/* JSON-RPC error codes (PROTOCOL.md "Errors"). */
#define JSONRPC_ERROR_INVALID_PARAMS      (-32602)
#define JSONRPC_ERROR_INTERNAL            (-32603)
#define EXEC_JSONRPC_UNSUPPORTED_LANGUAGE (-32001)
#define EXEC_JSONRPC_TOO_LARGE            (-32002)

/* What went wrong with a request, fit to send back: `field` names the offending field as a path
 * ("timeout_ms", "args[3]", "env[0]"), empty when the whole params object is at fault. Both strings
 * are printable ASCII: client-supplied names are echoed with other bytes replaced by '?'. */
typedef struct ProtocolError {
        ExecErrorKind kind;
        char field[64];
        char message[256];
} ProtocolError;

/* "invalid_params", "unsupported_language", "too_large"; NULL for EXEC_ERROR_NONE/out of range. */
const char *exec_error_kind_to_string(ExecErrorKind kind);
/* The JSON-RPC code for a kind; JSONRPC_ERROR_INTERNAL for EXEC_ERROR_NONE/out of range. */
int exec_error_kind_to_jsonrpc_code(ExecErrorKind kind);
/* A JSON-RPC error object {"code", "message", "data": {"kind", "field"}}; NULL on OOM. */
json_t *protocol_error_to_json(const ProtocolError *error);

/* ---- request ------------------------------------------------------------------------------ */

/* Owned bytes. `data` is NULL or malloc'd with a NUL after the last byte, so text can be used as a
 * C string; the contents may still hold NULs where the field allows them (stdin). */
typedef struct ExecBuffer {
        char *data;
        size_t size;
        size_t allocated; /* bytes allocated at data, the terminator included */
} ExecBuffer;

/* Everything is owned by the struct and freed by exec_request_done(): fill it with the setters
 * below (which copy), never by pointing into someone else's memory. */
typedef struct ExecRequest {
        ExecLanguage language;
        ExecBuffer code;      /* required; UTF-8, no NUL */
        ExecBuffer stdin_buf; /* any bytes (from JSON: UTF-8, may hold NUL) */
        char **args;          /* n_args entries + NULL; UTF-8, no NUL; argv[1..] of the program */
        size_t n_args;
        char **env; /* n_env "KEY=VALUE" entries + NULL; keys unique */
        size_t n_env;
        char *cwd; /* absolute, or NULL for the runner's default */
        /* The program runs as the script NAME (`python3 NAME`, `node NAME`) rather than as
         * `-c`/`-e`: a file name, no '/'; NULL for -c/-e. */
        char *script_name;
        uint64_t timeout_ms;
        uint64_t memory_mb;
        uint64_t max_output_bytes; /* stdout + stderr together */
        bool stream;               /* send `output` notifications; the daemon's business only */
} ExecRequest;

#define EXEC_REQUEST_INIT                                                                          \
        ((ExecRequest){                                                                            \
                .language = _EXEC_LANGUAGE_INVALID,                                                \
                .timeout_ms = EXEC_TIMEOUT_MS_DEFAULT,                                             \
                .memory_mb = EXEC_MEMORY_MB_DEFAULT,                                               \
                .max_output_bytes = EXEC_MAX_OUTPUT_BYTES_DEFAULT,                                 \
        })

/* No language, no code, nothing to pass, limits at their defaults. */
void exec_request_init_defaults(ExecRequest *req);
/* Frees what the request owns and leaves it as exec_request_init_defaults() does. NULL-safe;
 * usable as `_cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;`. */
void exec_request_done(ExecRequest *req);

/* Setters copy their input. -ENOMEM on allocation failure (the request is then unchanged);
 * -EINVAL for a NULL string. Nothing is checked here: exec_request_validate() does that. */
int exec_request_set_code(ExecRequest *req, const char *code, size_t size);
int exec_request_set_stdin(ExecRequest *req, const void *data, size_t size);
int exec_request_set_cwd(ExecRequest *req, const char *cwd); /* NULL: back to the default */
int exec_request_set_script_name(ExecRequest *req, const char *name); /* NULL: -c/-e */
int exec_request_add_arg(ExecRequest *req, const char *arg);
/* "KEY=VALUE", stored as given. */
int exec_request_add_env_assignment(ExecRequest *req, const char *assignment);
/* Stored as "key=value". */
int exec_request_add_env(ExecRequest *req, const char *key, const char *value);

/* Checks every field against PROTOCOL.md and exec-limits.h. Returns 0, or -EINVAL / -EOPNOTSUPP /
 * -E2BIG with *ret_error (if not NULL) saying what and where. */
int exec_request_validate(const ExecRequest *req, ProtocolError *ret_error);

/* Decodes JSON-RPC `execute` params (an object; see PROTOCOL.md) strictly: wrong types, unknown
 * fields, NUL in text, out-of-range values are refused; absent or null optional fields take their
 * defaults; the result is validated. Returns 0 and fills *ret (the caller owns it), or -EINVAL /
 * -EOPNOTSUPP / -E2BIG with *ret_error filled, or -ENOMEM (ret_error->kind EXEC_ERROR_NONE: an
 * internal error, not the client's). On failure *ret is left as exec_request_init_defaults() makes
 * it, so exec_request_done() is always safe. */
int exec_request_from_json(const json_t *params, ExecRequest *ret, ProtocolError *ret_error);

/* Encodes a request as params (for sandboxctl, and tests): only fields differing from their
 * defaults are written; env as an object. Returns 0, -ENOMEM, or -EILSEQ when stdin (or text that
 * skipped validation) is not valid UTF-8, which JSON cannot carry. */
int exec_request_to_json(const ExecRequest *req, json_t **ret);

/* ---- result ------------------------------------------------------------------------------- */

#define EXEC_EXIT_CODE_NONE (-1)

typedef struct ExecTiming {
        double queue_ms; /* waiting for a VM; 0 when there was no queue (sandboxd-vm run) */
        /* Bringing the VM to the snapshot's state: a restore, or (usually, in a `serve` worker) a
         * reset in place; 0 when none was restored. The wire name of PROTOCOL.md §4, kept. */
        double restore_ms;
        double run_ms;   /* the guest running the request */
        double total_ms; /* request received → result ready */
} ExecTiming;

typedef struct ExecUsage {
        double cpu_ms;
        uint64_t peak_memory_bytes;
        uint64_t syscalls;               /* served for the guest */
        uint64_t exits;                  /* VM exits */
        uint64_t page_faults;            /* faults the host served (demand paging) */
        uint64_t unimplemented_syscalls; /* answered -ENOSYS */
} ExecUsage;

typedef struct ExecResult {
        ExecLanguage language;
        char *runtime_version; /* "3.11.2", or NULL if unknown */
        ExecBuffer stdout_buf; /* raw bytes as the guest wrote them */
        ExecBuffer stderr_buf;
        int exit_code; /* 0..255, or EXEC_EXIT_CODE_NONE when the program did not exit by itself */
        int signal;    /* the signal that killed it, 0 for none */
        bool timed_out;
        bool memory_limit_hit;
        bool truncated;
        ExecTiming timing;
        ExecUsage usage;
} ExecResult;

#define EXEC_RESULT_INIT                                                                           \
        ((ExecResult){                                                                             \
                .language = _EXEC_LANGUAGE_INVALID,                                                \
                .exit_code = EXEC_EXIT_CODE_NONE,                                                  \
        })

void exec_result_init(ExecResult *result);
/* NULL-safe; leaves the result as exec_result_init() does. */
void exec_result_done(ExecResult *result);

/* Appends guest output of `fd` (1 or 2) while stdout + stderr stay within `max_output_bytes`;
 * what does not fit is dropped and `truncated` set. Returns 0, -EINVAL for another fd, -ENOMEM. */
int exec_result_append_output(ExecResult *result, int fd, const void *data, size_t size,
                              uint64_t max_output_bytes);

/* Encodes the result object of PROTOCOL.md. stdout/stderr are made valid UTF-8: each maximal
 * ill-formed subsequence becomes U+FFFD, NUL bytes are kept (dumped as \u0000). Timings are
 * rounded to microseconds; non-finite or negative ones become 0. Returns NULL only on OOM. */
json_t *exec_result_to_json(const ExecResult *result);

/* Decodes a result object (the inverse of exec_result_to_json(), for whoever reads one: the daemon
 * from its worker, sandboxctl from the daemon). Every field of PROTOCOL.md §4 must be there with
 * its type: exit_code 0..255 or null, signal a name ("SIGSEGV", "SIG40") or null, timings finite
 * and not negative, counters non-negative integers; members it does not know are ignored (a newer
 * peer may add some). A language this build does not know is left _EXEC_LANGUAGE_INVALID rather
 * than refused: a daemon may run languages its client has not heard of. Returns 0 and fills *ret
 * (the caller owns it), -EINVAL for anything else, -ENOMEM; on failure *ret is as
 * exec_result_init() leaves it. */
int exec_result_from_json(const json_t *o, ExecResult *ret);

/* Dump flags that print the rounded timings as written (0.123, not 0.12299999999999999). */
#define EXEC_JSON_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* "SIGSEGV" for 1..31 (Linux x86-64 numbering, which is the guest's ABI whatever the host), NULL
 * otherwise. */
const char *signal_name(int sig);
/* The inverse, for a result's `signal`: "SIGSEGV" → 11, and the "SIG<n>" form used for numbers
 * without a name → n (1..INT_MAX, no sign or leading zero). -EINVAL for anything else. */
int signal_from_name(const char *name);

/* SPDX-License-Identifier: MIT */
#include "exec-codec.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "macro.h"
#include "strv.h"
#include "utf8.h"

/* ---- languages ---------------------------------------------------------------------------- */

typedef struct LanguageInfo {
        const char *name;
        const char *const *aliases;
} LanguageInfo;

static const LanguageInfo language_table[_EXEC_LANGUAGE_MAX] = {
        [EXEC_LANGUAGE_PYTHON] =
                {
                        .name = "python",
                        .aliases = (const char *const[]){"python3", "py", NULL},
                },
        [EXEC_LANGUAGE_JAVASCRIPT] =
                {
                        .name = "javascript",
                        .aliases = (const char *const[]){"js", "node", "nodejs", NULL},
                },
};

const char *exec_language_to_string(ExecLanguage language) {
        if (language < 0 || language >= _EXEC_LANGUAGE_MAX)
                return NULL;
        return language_table[language].name;
}

ExecLanguage exec_language_from_string(const char *name) {
        if (!name)
                return _EXEC_LANGUAGE_INVALID;

        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++) {
                if (strcasecmp(name, language_table[l].name) == 0)
                        return l;
                for (const char *const *a = language_table[l].aliases; *a; a++)
                        if (strcasecmp(name, *a) == 0)
                                return l;
        }
        return _EXEC_LANGUAGE_INVALID;
}

const char *const *exec_language_aliases(ExecLanguage language) {
        if (language < 0 || language >= _EXEC_LANGUAGE_MAX)
                return NULL;
        return language_table[language].aliases;
}

/* "python" or "python, javascript": for error messages. */
static void language_list(char *buf, size_t size) {
        size_t off = 0;

        buf[0] = '\0';
        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX && off < size; l++) {
                int n = snprintf(buf + off, size - off, "%s%s", l > 0 ? ", " : "",
                                 language_table[l].name);
                if (n < 0)
                        break;
                off += (size_t)n;
        }
}

/* ---- errors ------------------------------------------------------------------------------- */

static const char *const error_kind_table[_EXEC_ERROR_KIND_MAX] = {
        [EXEC_ERROR_INVALID_PARAMS] = "invalid_params",
        [EXEC_ERROR_UNSUPPORTED_LANGUAGE] = "unsupported_language",
        [EXEC_ERROR_TOO_LARGE] = "too_large",
};

const char *exec_error_kind_to_string(ExecErrorKind kind) {
        if (kind < 0 || kind >= _EXEC_ERROR_KIND_MAX)
                return NULL;
        return error_kind_table[kind];
}

int exec_error_kind_to_jsonrpc_code(ExecErrorKind kind) {
        switch (kind) {
        case EXEC_ERROR_INVALID_PARAMS:
                return JSONRPC_ERROR_INVALID_PARAMS;
        case EXEC_ERROR_UNSUPPORTED_LANGUAGE:
                return EXEC_JSONRPC_UNSUPPORTED_LANGUAGE;
        case EXEC_ERROR_TOO_LARGE:
                return EXEC_JSONRPC_TOO_LARGE;
        default:
                return JSONRPC_ERROR_INTERNAL;
        }
}

static int error_kind_to_errno(ExecErrorKind kind) {
        switch (kind) {
        case EXEC_ERROR_UNSUPPORTED_LANGUAGE:
                return -EOPNOTSUPP;
        case EXEC_ERROR_TOO_LARGE:
                return -E2BIG;
        default:
                return -EINVAL;
        }
}

/* Copies at most size-1 bytes of client-supplied s[0..len) as printable ASCII, so that an echoed
 * name can go into a log line or a JSON string whatever it held. */
static void copy_printable(char *buf, size_t size, const char *s, size_t len) {
        size_t i;

        for (i = 0; i < len && i + 1 < size; i++)
                buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
        buf[i] = '\0';
}

#define NO_INDEX SIZE_MAX

/* Fills *e (if not NULL) and returns the -errno of `kind`. `field` with `index` != NO_INDEX names
 * an array element: "args[3]". */
_printf_(5, 6) static int error_set(ProtocolError *e, ExecErrorKind kind, const char *field,
                                    size_t index, const char *format, ...) {
        va_list ap;

        if (e) {
                *e = (ProtocolError){.kind = kind};
                if (field && index != NO_INDEX)
                        snprintf(e->field, sizeof e->field, "%s[%zu]", field, index);
                else if (field)
                        snprintf(e->field, sizeof e->field, "%s", field);

                va_start(ap, format);
                vsnprintf(e->message, sizeof e->message, format, ap);
                va_end(ap);
        }
        return error_kind_to_errno(kind);
}

json_t *protocol_error_to_json(const ProtocolError *error) {
        _cleanup_(json_decrefp) json_t *o = NULL, *data = NULL;
        const char *kind = exec_error_kind_to_string(error->kind);

        data = json_object();
        if (!data)
                return NULL;
        if (json_object_set_new(data, "kind", kind ? json_string(kind) : json_null()) < 0)
                return NULL;
        if (error->field[0] != '\0' &&
            json_object_set_new(data, "field", json_string(error->field)) < 0)
                return NULL;

        o = json_object();
        if (!o)
                return NULL;
        if (json_object_set_new(o, "code",
                                json_integer(exec_error_kind_to_jsonrpc_code(error->kind))) < 0)
                return NULL;
        if (json_object_set_new(
                    o, "message",
                    json_string(error->message[0] != '\0' ? error->message : "Internal error")) < 0)
                return NULL;
        if (json_object_set_new(o, "data", TAKE_PTR(data)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

/* A JSON string holding s[0..size) with ill-formed UTF-8 replaced. json_stringn() checks UTF-8
 * again: a last line of defence that costs one pass over at most 64 MiB. NULL on OOM. */
static json_t *json_string_sanitized(const char *s, size_t size) {
        _cleanup_free_ char *clean = NULL;
        size_t clean_size;

        if (!s)
                return json_stringn("", 0);
        if (utf8_is_valid(s, size))
                return json_stringn(s, size);
        if (utf8_sanitize(s, size, &clean, &clean_size) < 0)
                return NULL;
        return json_stringn(clean, clean_size);
}

/* ---- buffers and string vectors ----------------------------------------------------------- */

static void buffer_free(ExecBuffer *b) {
        free(b->data);
        *b = (ExecBuffer){};
}

static int buffer_set(ExecBuffer *b, const void *data, size_t size) {
        char *copy;

        if (size == SIZE_MAX)
                return -E2BIG;
        copy = malloc(size + 1);
        if (!copy)
                return -ENOMEM;
        if (size > 0)
                memcpy(copy, data, size);
        copy[size] = '\0';

        free(b->data);
        *b = (ExecBuffer){.data = copy, .size = size, .allocated = size + 1};
        return 0;
}

static int buffer_append(ExecBuffer *b, const void *data, size_t size) {
        size_t need;

        if (size == 0)
                return 0;
        if (__builtin_add_overflow(b->size, size, &need) || __builtin_add_overflow(need, 1, &need))
                return -E2BIG;
        if (need > b->allocated) {
                size_t a = MAX(b->allocated, (size_t)4096);
                char *p;

                while (a < need)
                        if (__builtin_mul_overflow(a, 2, &a))
                                return -E2BIG;
                p = realloc(b->data, a);
                if (!p)
                        return -ENOMEM;
                b->data = p;
                b->allocated = a;
        }
        memcpy(b->data + b->size, data, size);
        b->size += size;
        b->data[b->size] = '\0';
        return 0;
}

/* ---- request ------------------------------------------------------------------------------ */

void exec_request_init_defaults(ExecRequest *req) {
        *req = EXEC_REQUEST_INIT;
}

void exec_request_done(ExecRequest *req) {
        if (!req)
                return;
        buffer_free(&req->code);
        buffer_free(&req->stdin_buf);
        strv_free(req->args, req->n_args);
        strv_free(req->env, req->n_env);
        free(req->cwd);
        free(req->script_name);
        exec_request_init_defaults(req);
}

int exec_request_set_code(ExecRequest *req, const char *code, size_t size) {
        if (!code)
                return -EINVAL;
        return buffer_set(&req->code, code, size);
}

int exec_request_set_stdin(ExecRequest *req, const void *data, size_t size) {
        if (!data && size > 0)
                return -EINVAL;
        return buffer_set(&req->stdin_buf, data, size);
}

int exec_request_set_cwd(ExecRequest *req, const char *cwd) {
        char *copy = NULL;

        if (cwd) {
                copy = strdup(cwd);
                if (!copy)
                        return -ENOMEM;
        }
        free(req->cwd);
        req->cwd = copy;
        return 0;
}

int exec_request_set_script_name(ExecRequest *req, const char *name) {
        char *copy = NULL;

        if (name) {
                copy = strdup(name);
                if (!copy)
                        return -ENOMEM;
        }
        free(req->script_name);
        req->script_name = copy;
        return 0;
}

int exec_request_add_arg(ExecRequest *req, const char *arg) {
        _cleanup_free_ char *copy = NULL;
        int r;

        if (!arg)
                return -EINVAL;
        copy = strdup(arg);
        if (!copy)
                return -ENOMEM;
        r = strv_push(&req->args, &req->n_args, copy);
        if (r < 0)
                return r;
        TAKE_PTR(copy);
        return 0;
}

int exec_request_add_env_assignment(ExecRequest *req, const char *assignment) {
        _cleanup_free_ char *copy = NULL;
        int r;

        if (!assignment)
                return -EINVAL;
        copy = strdup(assignment);
        if (!copy)
                return -ENOMEM;
        r = strv_push(&req->env, &req->n_env, copy);
        if (r < 0)
                return r;
        TAKE_PTR(copy);
        return 0;
}

int exec_request_add_env(ExecRequest *req, const char *key, const char *value) {
        _cleanup_free_ char *s = NULL;
        int r;

        /* A key holding '=' would be read back with a different split: refuse rather than
         * store something that means another thing. */
        if (!key || !value || strchr(key, '='))
                return -EINVAL;
        if (asprintf(&s, "%s=%s", key, value) < 0) {
                s = NULL;
                return -ENOMEM;
        }
        r = strv_push(&req->env, &req->n_env, s);
        if (r < 0)
                return r;
        TAKE_PTR(s);
        return 0;
}

/* Field checks, each used by exec_request_validate() and, before anything is copied, by
 * exec_request_from_json(): one definition of every rule. */

static int check_text(const char *field, size_t index, const char *s, size_t size,
                      ProtocolError *e) {
        if (memchr(s, '\0', size))
                return error_set(e, EXEC_ERROR_INVALID_PARAMS, field, index,
                                 "%s must not contain NUL bytes", field);
        if (!utf8_is_valid(s, size))
                return error_set(e, EXEC_ERROR_INVALID_PARAMS, field, index,
                                 "%s must be valid UTF-8", field);
        return 0;
}

static int check_size(const char *field, size_t index, uint64_t size, uint64_t max,
                      ProtocolError *e) {
        if (size > max)
                return error_set(e, EXEC_ERROR_TOO_LARGE, field, index,
                                 "%s is %" PRIu64 " bytes, more than the limit of %" PRIu64, field,
                                 size, max);
        return 0;
}

static int check_count(const char *field, uint64_t n, uint64_t max, ProtocolError *e) {
        if (n > max)
                return error_set(e, EXEC_ERROR_TOO_LARGE, field, NO_INDEX,
                                 "%s has %" PRIu64 " entries, more than the limit of %" PRIu64,
                                 field, n, max);
        return 0;
}

static int range_error(const char *field, uint64_t min, uint64_t max, ProtocolError *e) {
        return error_set(e, EXEC_ERROR_INVALID_PARAMS, field, NO_INDEX,
                         "%s must be an integer from %" PRIu64 " to %" PRIu64, field, min, max);
}

static int check_range(const char *field, uint64_t v, uint64_t min, uint64_t max,
                       ProtocolError *e) {
        if (v < min || v > max)
                return range_error(field, min, max, e);
        return 0;
}

static int check_code(const char *s, size_t size, ProtocolError *e) {
        int r;

        r = check_size("code", NO_INDEX, size, EXEC_CODE_BYTES_MAX, e);
        if (r < 0)
                return r;
        return check_text("code", NO_INDEX, s, size, e);
}

static int check_env_key(size_t index, const char *key, size_t key_len, ProtocolError *e) {
        if (key_len == 0)
                return error_set(e, EXEC_ERROR_INVALID_PARAMS, "env", index,
                                 "environment variable names must not be empty");
        if (memchr(key, '=', key_len))
                return error_set(e, EXEC_ERROR_INVALID_PARAMS, "env", index,
                                 "environment variable names must not contain '='");
        return 0;
}

static int check_cwd(const char *cwd, size_t size, ProtocolError *e) {
        int r;

        r = check_size("cwd", NO_INDEX, size, EXEC_CWD_BYTES_MAX, e);
        if (r < 0)
                return r;
        r = check_text("cwd", NO_INDEX, cwd, size, e);
        if (r < 0)
                return r;
        if (size == 0 || cwd[0] != '/')
                return error_set(e, EXEC_ERROR_INVALID_PARAMS, "cwd", NO_INDEX,
                                 "cwd must be an absolute path");
        return 0;
}

static int check_script_name(const char *name, size_t size, ProtocolError *e) {
        int r;

        r = check_size("script_name", NO_INDEX, size, EXEC_SCRIPT_NAME_BYTES_MAX, e);
        if (r < 0)
                return r;
        r = check_text("script_name", NO_INDEX, name, size, e);
        if (r < 0)
                return r;
        /* One name in the working directory: a path would name directories the sandbox
         * doesn't have. */
        if (size == 0 || memchr(name, '/', size) || strcmp(name, ".") == 0 ||
            strcmp(name, "..") == 0)
                return error_set(e, EXEC_ERROR_INVALID_PARAMS, "script_name", NO_INDEX,
                                 "script_name must be a file name, without '/'");
        return 0;
}

typedef struct EnvKey {
        const char *key;
        size_t len;
        size_t index;
} EnvKey;

static int env_key_compare(const void *a, const void *b) {
        const EnvKey *x = a, *y = b;
        int c = memcmp(x->key, y->key, MIN(x->len, y->len));

        if (c != 0)
                return c;
        if (x->len != y->len)
                return x->len < y->len ? -1 : 1;
        return x->index < y->index ? -1 : x->index > y->index;
}

/* Called with n_env already checked against EXEC_ENV_COUNT_MAX, so the keys fit on the stack;
 * sorting keeps the cost n log n even for keys built to share long prefixes. */
static int check_env_unique(char *const *env, size_t n_env, ProtocolError *e) {
        EnvKey keys[EXEC_ENV_COUNT_MAX];

        for (size_t i = 0; i < n_env; i++)
                keys[i] = (EnvKey){.key = env[i], .len = strcspn(env[i], "="), .index = i};
        qsort(keys, n_env, sizeof keys[0], env_key_compare);
        for (size_t i = 1; i < n_env; i++)
                if (keys[i].len == keys[i - 1].len &&
                    memcmp(keys[i].key, keys[i - 1].key, keys[i].len) == 0) {
                        char name[65];

                        copy_printable(name, sizeof name, keys[i].key, keys[i].len);
                        return error_set(e, EXEC_ERROR_INVALID_PARAMS, "env", keys[i].index,
                                         "environment variable %s set twice", name);
                }
        return 0;
}

int exec_request_validate(const ExecRequest *req, ProtocolError *ret_error) {
        uint64_t total;
        int r;

        if (req->language < 0 || req->language >= _EXEC_LANGUAGE_MAX) {
                char list[128];

                language_list(list, sizeof list);
                return error_set(ret_error, EXEC_ERROR_UNSUPPORTED_LANGUAGE, "language", NO_INDEX,
                                 "unsupported language; supported: %s", list);
        }

        if (!req->code.data)
                return error_set(ret_error, EXEC_ERROR_INVALID_PARAMS, "code", NO_INDEX,
                                 "code is required");
        r = check_code(req->code.data, req->code.size, ret_error);
        if (r < 0)
                return r;

        r = check_size("stdin", NO_INDEX, req->stdin_buf.size, EXEC_STDIN_BYTES_MAX, ret_error);
        if (r < 0)
                return r;

        r = check_count("args", req->n_args, EXEC_ARGS_COUNT_MAX, ret_error);
        if (r < 0)
                return r;
        total = 0;
        for (size_t i = 0; i < req->n_args; i++) {
                size_t len = strlen(req->args[i]);

                r = check_size("args", i, len, EXEC_ARG_BYTES_MAX, ret_error);
                if (r < 0)
                        return r;
                r = check_text("args", i, req->args[i], len, ret_error);
                if (r < 0)
                        return r;
                total += len; /* <= 256 * 128 KiB: no overflow */
        }
        r = check_size("args", NO_INDEX, total, EXEC_ARGS_TOTAL_BYTES_MAX, ret_error);
        if (r < 0)
                return r;

        r = check_count("env", req->n_env, EXEC_ENV_COUNT_MAX, ret_error);
        if (r < 0)
                return r;
        total = 0;
        for (size_t i = 0; i < req->n_env; i++) {
                size_t len = strlen(req->env[i]);
                const char *eq = strchr(req->env[i], '=');

                r = check_size("env", i, len, EXEC_ENV_ENTRY_BYTES_MAX, ret_error);
                if (r < 0)
                        return r;
                r = check_text("env", i, req->env[i], len, ret_error);
                if (r < 0)
                        return r;
                if (!eq)
                        return error_set(ret_error, EXEC_ERROR_INVALID_PARAMS, "env", i,
                                         "environment entries must have the form KEY=VALUE");
                r = check_env_key(i, req->env[i], (size_t)(eq - req->env[i]), ret_error);
                if (r < 0)
                        return r;
                total += len;
        }
        r = check_size("env", NO_INDEX, total, EXEC_ENV_TOTAL_BYTES_MAX, ret_error);
        if (r < 0)
                return r;
        r = check_env_unique(req->env, req->n_env, ret_error);
        if (r < 0)
                return r;

        if (req->cwd) {
                r = check_cwd(req->cwd, strlen(req->cwd), ret_error);
                if (r < 0)
                        return r;
        }

        if (req->script_name) {
                r = check_script_name(req->script_name, strlen(req->script_name), ret_error);
                if (r < 0)
                        return r;
        }

        r = check_range("timeout_ms", req->timeout_ms, EXEC_TIMEOUT_MS_MIN, EXEC_TIMEOUT_MS_MAX,
                        ret_error);
        if (r < 0)
                return r;
        r = check_range("memory_mb", req->memory_mb, EXEC_MEMORY_MB_MIN, EXEC_MEMORY_MB_MAX,
                        ret_error);
        if (r < 0)
                return r;
        return check_range("max_output_bytes", req->max_output_bytes, EXEC_MAX_OUTPUT_BYTES_MIN,
                           EXEC_MAX_OUTPUT_BYTES_MAX, ret_error);
}

/* ---- request from JSON -------------------------------------------------------------------- */

static const char *const request_fields[] = {
        "language",   "code",        "stdin",
        "args",       "env",         "cwd",
        "timeout_ms", "memory_mb",   "max_output_bytes",
        "stream",     "script_name",
};

/* Named in DESIGN.md but not implemented yet: refused with a message saying so, rather than
 * ignored, so that a client never believes a file was placed. */
static const char *const reserved_fields[] = {
        "files",
};

static bool name_in(const char *const *list, size_t n, const char *name, size_t len) {
        for (size_t i = 0; i < n; i++)
                if (strlen(list[i]) == len && memcmp(list[i], name, len) == 0)
                        return true;
        return false;
}

static int check_field_names(const json_t *params, ProtocolError *e) {
        const char *key;
        size_t key_len;
        json_t *v;
        char name[48];

        json_object_keylen_foreach((json_t *)params, key, key_len, v) {
                if (name_in(request_fields, ELEMENTSOF(request_fields), key, key_len))
                        continue;

                copy_printable(name, sizeof name, key, key_len);
                if (name_in(reserved_fields, ELEMENTSOF(reserved_fields), key, key_len))
                        return error_set(e, EXEC_ERROR_INVALID_PARAMS, name, NO_INDEX,
                                         "field '%s' is not supported yet", name);
                return error_set(e, EXEC_ERROR_INVALID_PARAMS, name, NO_INDEX, "unknown field '%s'",
                                 name);
        }
        return 0;
}

/* The value of an optional field, NULL when absent or null. */
static json_t *get_optional(const json_t *params, const char *field) {
        json_t *v = json_object_get(params, field);

        return json_is_null(v) ? NULL : v;
}

static int type_error(const char *field, size_t index, const char *type, ProtocolError *e) {
        return error_set(e, EXEC_ERROR_INVALID_PARAMS, field, index, "%s must be %s", field, type);
}

static int get_uint(const json_t *params, const char *field, uint64_t min, uint64_t max,
                    uint64_t *ret, ProtocolError *e) {
        json_t *v = get_optional(params, field);
        double d;

        if (!v)
                return 0; /* keep the default */
        if (json_is_integer(v)) {
                json_int_t i = json_integer_value(v);

                if (i < 0)
                        return range_error(field, min, max, e);
                *ret = (uint64_t)i;
                return check_range(field, *ret, min, max, e);
        }
        /* Many JSON encoders write every number as a real (1000.0, 1e3): an integral one is the
         * integer it equals. 1000.5 is not a count of anything. The range check comes first, so
         * the conversion is defined (every limit is far below 2^53). */
        if (!json_is_real(v))
                return range_error(field, min, max, e);
        d = json_real_value(v);
        if (!(d >= (double)min && d <= (double)max) || d != (double)(uint64_t)d)
                return range_error(field, min, max, e);
        *ret = (uint64_t)d;
        return 0;
}

static int get_string(const json_t *v, const char *field, size_t index, const char **ret,
                      size_t *ret_len, ProtocolError *e) {
        if (!json_is_string(v))
                return type_error(field, index, "a string", e);
        *ret = json_string_value(v);
        *ret_len = json_string_length(v);
        return 0;
}

static int parse_language(const json_t *params, ExecRequest *req, ProtocolError *e) {
        json_t *v = json_object_get(params, "language");
        const char *s = NULL;
        size_t len = 0;
        char name[33], list[128];
        int r;

        if (!v)
                return error_set(e, EXEC_ERROR_INVALID_PARAMS, "language", NO_INDEX,
                                 "language is required");
        r = get_string(v, "language", NO_INDEX, &s, &len, e);
        if (r < 0)
                return r;

        req->language =
                memchr(s, '\0', len) ? _EXEC_LANGUAGE_INVALID : exec_language_from_string(s);
        if (req->language < 0) {
                copy_printable(name, sizeof name, s, len);
                language_list(list, sizeof list);
                return error_set(e, EXEC_ERROR_UNSUPPORTED_LANGUAGE, "language", NO_INDEX,
                                 "unsupported language '%s'; supported: %s", name, list);
        }
        return 0;
}

static int parse_code(const json_t *params, ExecRequest *req, ProtocolError *e) {
        json_t *v = json_object_get(params, "code");
        const char *s = NULL;
        size_t len = 0;
        int r;

        if (!v)
                return error_set(e, EXEC_ERROR_INVALID_PARAMS, "code", NO_INDEX,
                                 "code is required");
        r = get_string(v, "code", NO_INDEX, &s, &len, e);
        if (r < 0)
                return r;
        r = check_code(s, len, e);
        if (r < 0)
                return r;
        return exec_request_set_code(req, s, len);
}

static int parse_stdin(const json_t *params, ExecRequest *req, ProtocolError *e) {
        json_t *v = get_optional(params, "stdin");
        const char *s = NULL;
        size_t len = 0;
        int r;

        if (!v)
                return 0;
        r = get_string(v, "stdin", NO_INDEX, &s, &len, e);
        if (r < 0)
                return r;
        r = check_size("stdin", NO_INDEX, len, EXEC_STDIN_BYTES_MAX, e);
        if (r < 0)
                return r;
        return exec_request_set_stdin(req, s, len);
}

static int parse_args(const json_t *params, ExecRequest *req, ProtocolError *e) {
        json_t *v = get_optional(params, "args"), *item;
        size_t i;
        int r;

        if (!v)
                return 0;
        if (!json_is_array(v))
                return type_error("args", NO_INDEX, "an array of strings", e);
        /* Before copying anything: an array of a million empty strings is cheap to send. */
        r = check_count("args", json_array_size(v), EXEC_ARGS_COUNT_MAX, e);
        if (r < 0)
                return r;

        json_array_foreach(v, i, item) {
                const char *s = NULL;
                size_t len = 0;

                r = get_string(item, "args", i, &s, &len, e);
                if (r < 0)
                        return r;
                r = check_size("args", i, len, EXEC_ARG_BYTES_MAX, e);
                if (r < 0)
                        return r;
                r = check_text("args", i, s, len, e);
                if (r < 0)
                        return r;
                r = exec_request_add_arg(req, s);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_env_value(const json_t *value, size_t i, const char **ret, ProtocolError *e) {
        size_t len = 0;
        int r;

        r = get_string(value, "env", i, ret, &len, e);
        if (r < 0)
                return r;
        return check_text("env", i, *ret, len, e);
}

static int parse_env(const json_t *params, ExecRequest *req, ProtocolError *e) {
        json_t *v = get_optional(params, "env"), *item;
        size_t i;
        int r;

        if (!v)
                return 0;

        if (json_is_object(v)) {
                const char *key;
                size_t key_len;

                r = check_count("env", json_object_size(v), EXEC_ENV_COUNT_MAX, e);
                if (r < 0)
                        return r;
                i = 0;
                json_object_keylen_foreach(v, key, key_len, item) {
                        const char *value = NULL;

                        r = check_text("env", i, key, key_len, e);
                        if (r < 0)
                                return r;
                        r = check_env_key(i, key, key_len, e);
                        if (r < 0)
                                return r;
                        r = parse_env_value(item, i, &value, e);
                        if (r < 0)
                                return r;
                        /* Sizes and uniqueness: exec_request_validate(), on the joined form. */
                        r = exec_request_add_env(req, key, value);
                        if (r < 0)
                                return r;
                        i++;
                }
                return 0;
        }

        if (!json_is_array(v))
                return type_error("env", NO_INDEX,
                                  "an object of strings or an array of \"KEY=VALUE\" strings", e);
        r = check_count("env", json_array_size(v), EXEC_ENV_COUNT_MAX, e);
        if (r < 0)
                return r;
        json_array_foreach(v, i, item) {
                const char *s = NULL;

                r = parse_env_value(item, i, &s, e);
                if (r < 0)
                        return r;
                r = exec_request_add_env_assignment(req, s);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_cwd(const json_t *params, ExecRequest *req, ProtocolError *e) {
        json_t *v = get_optional(params, "cwd");
        const char *s = NULL;
        size_t len = 0;
        int r;

        if (!v)
                return 0;
        r = get_string(v, "cwd", NO_INDEX, &s, &len, e);
        if (r < 0)
                return r;
        r = check_cwd(s, len, e);
        if (r < 0)
                return r;
        return exec_request_set_cwd(req, s);
}

static int parse_script_name(const json_t *params, ExecRequest *req, ProtocolError *e) {
        json_t *v = get_optional(params, "script_name");
        const char *s = NULL;
        size_t len = 0;
        int r;

        if (!v)
                return 0;
        r = get_string(v, "script_name", NO_INDEX, &s, &len, e);
        if (r < 0)
                return r;
        r = check_script_name(s, len, e);
        if (r < 0)
                return r;
        return exec_request_set_script_name(req, s);
}

static int parse_stream(const json_t *params, ExecRequest *req, ProtocolError *e) {
        json_t *v = get_optional(params, "stream");

        if (!v)
                return 0;
        if (!json_is_boolean(v))
                return type_error("stream", NO_INDEX, "a boolean", e);
        req->stream = json_is_true(v);
        return 0;
}

int exec_request_from_json(const json_t *params, ExecRequest *ret, ProtocolError *ret_error) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        ProtocolError dummy;
        ProtocolError *e = ret_error ?: &dummy;
        int r;

        *e = (ProtocolError){};
        exec_request_init_defaults(ret);

        if (!json_is_object(params))
                return error_set(e, EXEC_ERROR_INVALID_PARAMS, NULL, NO_INDEX,
                                 "params must be an object with at least \"language\" and "
                                 "\"code\"");

        r = check_field_names(params, e);
        if (r < 0)
                return r;

        r = parse_language(params, &req, e);
        if (r >= 0)
                r = parse_code(params, &req, e);
        if (r >= 0)
                r = parse_stdin(params, &req, e);
        if (r >= 0)
                r = parse_args(params, &req, e);
        if (r >= 0)
                r = parse_env(params, &req, e);
        if (r >= 0)
                r = parse_cwd(params, &req, e);
        if (r >= 0)
                r = get_uint(params, "timeout_ms", EXEC_TIMEOUT_MS_MIN, EXEC_TIMEOUT_MS_MAX,
                             &req.timeout_ms, e);
        if (r >= 0)
                r = get_uint(params, "memory_mb", EXEC_MEMORY_MB_MIN, EXEC_MEMORY_MB_MAX,
                             &req.memory_mb, e);
        if (r >= 0)
                r = get_uint(params, "max_output_bytes", EXEC_MAX_OUTPUT_BYTES_MIN,
                             EXEC_MAX_OUTPUT_BYTES_MAX, &req.max_output_bytes, e);
        if (r >= 0)
                r = parse_stream(params, &req, e);
        if (r >= 0)
                r = parse_script_name(params, &req, e);
        if (r >= 0)
                r = exec_request_validate(&req, e);
        /* The setters' only failures are allocation failures: not the client's fault, and
         * e->kind stays EXEC_ERROR_NONE to say so. */
        if (r < 0)
                return r;

        *ret = req;
        req = EXEC_REQUEST_INIT;
        return 0;
}

/* ---- request to JSON ---------------------------------------------------------------------- */

static int set_text(json_t *o, const char *key, const char *s, size_t size) {
        if (!utf8_is_valid(s, size))
                return -EILSEQ;
        return json_object_set_new(o, key, json_stringn(s, size)) < 0 ? -ENOMEM : 0;
}

static int set_uint(json_t *o, const char *key, uint64_t v) {
        if (v > INT64_MAX)
                return -ERANGE;
        return json_object_set_new(o, key, json_integer((json_int_t)v)) < 0 ? -ENOMEM : 0;
}

int exec_request_to_json(const ExecRequest *req, json_t **ret) {
        _cleanup_(json_decrefp) json_t *o = NULL;
        const char *language = exec_language_to_string(req->language);
        int r;

        if (!language || !req->code.data)
                return -EINVAL;

        o = json_object();
        if (!o)
                return -ENOMEM;

        r = set_text(o, "language", language, strlen(language));
        if (r < 0)
                return r;
        r = set_text(o, "code", req->code.data, req->code.size);
        if (r < 0)
                return r;
        if (req->stdin_buf.size > 0) {
                r = set_text(o, "stdin", req->stdin_buf.data, req->stdin_buf.size);
                if (r < 0)
                        return r;
        }

        if (req->n_args > 0) {
                json_t *a = json_array();

                if (json_object_set_new(o, "args", a) < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < req->n_args; i++) {
                        size_t len = strlen(req->args[i]);

                        if (!utf8_is_valid(req->args[i], len))
                                return -EILSEQ;
                        if (json_array_append_new(a, json_stringn(req->args[i], len)) < 0)
                                return -ENOMEM;
                }
        }

        if (req->n_env > 0) {
                json_t *env = json_object();

                if (json_object_set_new(o, "env", env) < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < req->n_env; i++) {
                        const char *eq = strchr(req->env[i], '=');
                        size_t key_len;

                        if (!eq)
                                return -EINVAL;
                        key_len = (size_t)(eq - req->env[i]);
                        if (!utf8_is_valid(req->env[i], strlen(req->env[i])))
                                return -EILSEQ;
                        if (json_object_setn_new(env, req->env[i], key_len, json_string(eq + 1)) <
                            0)
                                return -ENOMEM;
                }
        }

        if (req->cwd) {
                r = set_text(o, "cwd", req->cwd, strlen(req->cwd));
                if (r < 0)
                        return r;
        }

        if (req->timeout_ms != EXEC_TIMEOUT_MS_DEFAULT) {
                r = set_uint(o, "timeout_ms", req->timeout_ms);
                if (r < 0)
                        return r;
        }
        if (req->memory_mb != EXEC_MEMORY_MB_DEFAULT) {
                r = set_uint(o, "memory_mb", req->memory_mb);
                if (r < 0)
                        return r;
        }
        if (req->max_output_bytes != EXEC_MAX_OUTPUT_BYTES_DEFAULT) {
                r = set_uint(o, "max_output_bytes", req->max_output_bytes);
                if (r < 0)
                        return r;
        }
        if (req->stream && json_object_set_new(o, "stream", json_true()) < 0)
                return -ENOMEM;
        if (req->script_name) {
                r = set_text(o, "script_name", req->script_name, strlen(req->script_name));
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(o);
        return 0;
}

/* ---- result ------------------------------------------------------------------------------- */

void exec_result_init(ExecResult *result) {
        *result = EXEC_RESULT_INIT;
}

void exec_result_done(ExecResult *result) {
        if (!result)
                return;
        free(result->runtime_version);
        buffer_free(&result->stdout_buf);
        buffer_free(&result->stderr_buf);
        exec_result_init(result);
}

int exec_result_append_output(ExecResult *result, int fd, const void *data, size_t size,
                              uint64_t max_output_bytes) {
        ExecBuffer *b;
        uint64_t used = (uint64_t)result->stdout_buf.size + result->stderr_buf.size;
        uint64_t room = max_output_bytes > used ? max_output_bytes - used : 0;
        size_t take = (uint64_t)size > room ? (size_t)room : size;
        int r;

        if (fd == 1)
                b = &result->stdout_buf;
        else if (fd == 2)
                b = &result->stderr_buf;
        else
                return -EINVAL;

        r = buffer_append(b, data, take);
        if (r < 0)
                return r;
        if (take < size)
                result->truncated = true;
        return 0;
}

/* Microseconds are the finest a client can use; rounding here keeps 0.123 printing as 0.123
 * (with EXEC_JSON_DUMP_FLAGS). json_real() refuses NaN and infinities: a bogus clock reading
 * must not cost the client its result. */
static json_t *json_ms(double ms) {
        /* 1e12 ms is 31 years: nothing real, and it keeps the int64 conversion defined. Done by
         * hand so that the library needs no libm. */
        if (!isfinite(ms) || ms < 0)
                ms = 0;
        if (ms > 1e12)
                ms = 1e12;
        return json_real((double)(int64_t)(ms * 1000.0 + 0.5) / 1000.0);
}

/* json_int_t is signed 64-bit: clamp rather than wrap. */
static json_t *json_u64(uint64_t v) {
        return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

json_t *exec_result_to_json(const ExecResult *result) {
        _cleanup_(json_decrefp) json_t *o = NULL, *timing = NULL, *usage = NULL;
        const char *language = exec_language_to_string(result->language);
        const char *sig = signal_name(result->signal);
        char sig_buf[16];

        if (result->signal > 0 && !sig) {
                /* Real-time signals and anything odd: still a name, so the type stays string. */
                snprintf(sig_buf, sizeof sig_buf, "SIG%d", result->signal);
                sig = sig_buf;
        }

        timing = json_object();
        if (!timing ||
            json_object_set_new(timing, "queue_ms", json_ms(result->timing.queue_ms)) < 0 ||
            json_object_set_new(timing, "restore_ms", json_ms(result->timing.restore_ms)) < 0 ||
            json_object_set_new(timing, "run_ms", json_ms(result->timing.run_ms)) < 0 ||
            json_object_set_new(timing, "total_ms", json_ms(result->timing.total_ms)) < 0)
                return NULL;

        usage = json_object();
        if (!usage || json_object_set_new(usage, "cpu_ms", json_ms(result->usage.cpu_ms)) < 0 ||
            json_object_set_new(usage, "peak_memory_bytes",
                                json_u64(result->usage.peak_memory_bytes)) < 0 ||
            json_object_set_new(usage, "syscalls", json_u64(result->usage.syscalls)) < 0 ||
            json_object_set_new(usage, "exits", json_u64(result->usage.exits)) < 0 ||
            json_object_set_new(usage, "page_faults", json_u64(result->usage.page_faults)) < 0 ||
            json_object_set_new(usage, "unimplemented_syscalls",
                                json_u64(result->usage.unimplemented_syscalls)) < 0)
                return NULL;

        o = json_object();
        if (!o ||
            json_object_set_new(o, "language", language ? json_string(language) : json_null()) <
                    0 ||
            json_object_set_new(o, "runtime_version",
                                result->runtime_version
                                        ? json_string_sanitized(result->runtime_version,
                                                                strlen(result->runtime_version))
                                        : json_null()) < 0 ||
            json_object_set_new(
                    o, "stdout",
                    json_string_sanitized(result->stdout_buf.data, result->stdout_buf.size)) < 0 ||
            json_object_set_new(
                    o, "stderr",
                    json_string_sanitized(result->stderr_buf.data, result->stderr_buf.size)) < 0 ||
            json_object_set_new(o, "exit_code",
                                result->exit_code >= 0 ? json_integer(result->exit_code)
                                                       : json_null()) < 0 ||
            json_object_set_new(o, "signal", sig ? json_string(sig) : json_null()) < 0 ||
            json_object_set_new(o, "timed_out", json_boolean(result->timed_out)) < 0 ||
            json_object_set_new(o, "memory_limit_hit", json_boolean(result->memory_limit_hit)) <
                    0 ||
            json_object_set_new(o, "truncated", json_boolean(result->truncated)) < 0 ||
            json_object_set_new(o, "timing", TAKE_PTR(timing)) < 0 ||
            json_object_set_new(o, "usage", TAKE_PTR(usage)) < 0)
                return NULL;

        return TAKE_PTR(o);
}

/* ---- result from JSON --------------------------------------------------------------------- */

static int get_bool(const json_t *o, const char *key, bool *ret) {
        const json_t *v = json_object_get(o, key);

        if (!json_is_boolean(v))
                return -EINVAL;
        *ret = json_is_true(v);
        return 0;
}

/* A timing: what exec_result_to_json() writes is finite and not negative, so nothing else is. */
static int get_ms(const json_t *o, const char *key, double *ret) {
        const json_t *v = json_object_get(o, key);
        double ms;

        if (!json_is_number(v))
                return -EINVAL;
        ms = json_number_value(v);
        if (!isfinite(ms) || ms < 0)
                return -EINVAL;
        *ret = ms;
        return 0;
}

static int get_counter(const json_t *o, const char *key, uint64_t *ret) {
        const json_t *v = json_object_get(o, key);

        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return -EINVAL;
        *ret = (uint64_t)json_integer_value(v);
        return 0;
}

/* A text field into a buffer, NULs and all. */
static int get_text(const json_t *o, const char *key, ExecBuffer *ret) {
        const json_t *v = json_object_get(o, key);

        if (!json_is_string(v))
                return -EINVAL;
        return buffer_set(ret, json_string_value(v), json_string_length(v));
}

static int result_from_json(const json_t *o, ExecResult *res) {
        const json_t *v, *timing, *usage;
        int r;

        if (!json_is_object(o))
                return -EINVAL;

        v = json_object_get(o, "language");
        if (json_is_string(v))
                res->language = exec_language_from_string(json_string_value(v));
        else if (!json_is_null(v))
                return -EINVAL;

        v = json_object_get(o, "runtime_version");
        if (json_is_string(v)) {
                if (strlen(json_string_value(v)) != json_string_length(v))
                        return -EINVAL;
                res->runtime_version = strdup(json_string_value(v));
                if (!res->runtime_version)
                        return -ENOMEM;
        } else if (!json_is_null(v))
                return -EINVAL;

        r = get_text(o, "stdout", &res->stdout_buf);
        if (r < 0)
                return r;
        r = get_text(o, "stderr", &res->stderr_buf);
        if (r < 0)
                return r;

        v = json_object_get(o, "exit_code");
        if (json_is_integer(v)) {
                if (json_integer_value(v) < 0 || json_integer_value(v) > 255)
                        return -EINVAL;
                res->exit_code = (int)json_integer_value(v);
        } else if (!json_is_null(v))
                return -EINVAL;

        v = json_object_get(o, "signal");
        if (json_is_string(v)) {
                r = signal_from_name(json_string_value(v));
                if (r < 0)
                        return r;
                res->signal = r;
        } else if (!json_is_null(v))
                return -EINVAL;

        if ((r = get_bool(o, "timed_out", &res->timed_out)) < 0 ||
            (r = get_bool(o, "memory_limit_hit", &res->memory_limit_hit)) < 0 ||
            (r = get_bool(o, "truncated", &res->truncated)) < 0)
                return r;

        timing = json_object_get(o, "timing");
        if (!json_is_object(timing))
                return -EINVAL;
        if ((r = get_ms(timing, "queue_ms", &res->timing.queue_ms)) < 0 ||
            (r = get_ms(timing, "restore_ms", &res->timing.restore_ms)) < 0 ||
            (r = get_ms(timing, "run_ms", &res->timing.run_ms)) < 0 ||
            (r = get_ms(timing, "total_ms", &res->timing.total_ms)) < 0)
                return r;

        usage = json_object_get(o, "usage");
        if (!json_is_object(usage))
                return -EINVAL;
        if ((r = get_ms(usage, "cpu_ms", &res->usage.cpu_ms)) < 0 ||
            (r = get_counter(usage, "peak_memory_bytes", &res->usage.peak_memory_bytes)) < 0 ||
            (r = get_counter(usage, "syscalls", &res->usage.syscalls)) < 0 ||
            (r = get_counter(usage, "exits", &res->usage.exits)) < 0 ||
            (r = get_counter(usage, "page_faults", &res->usage.page_faults)) < 0 ||
            (r = get_counter(usage, "unimplemented_syscalls", &res->usage.unimplemented_syscalls)) <
                    0)
                return r;
        return 0;
}

int exec_result_from_json(const json_t *o, ExecResult *ret) {
        _cleanup_(exec_result_done) ExecResult res = EXEC_RESULT_INIT;
        int r;

        exec_result_init(ret);
        r = result_from_json(o, &res);
        if (r < 0)
                return r;
        *ret = res;
        res = EXEC_RESULT_INIT;
        return 0;
}

/* ---- signals ------------------------------------------------------------------------------ */

/* Numbers as the x86-64 Linux ABI defines them (arch/x86/include/uapi/asm/signal.h): the guest
 * runs that ABI, so the table is literal rather than taken from the host's <signal.h>. */
static const char *const signal_table[32] = {
        [1] = "SIGHUP",     [2] = "SIGINT",   [3] = "SIGQUIT",   [4] = "SIGILL",   [5] = "SIGTRAP",
        [6] = "SIGABRT",    [7] = "SIGBUS",   [8] = "SIGFPE",    [9] = "SIGKILL",  [10] = "SIGUSR1",
        [11] = "SIGSEGV",   [12] = "SIGUSR2", [13] = "SIGPIPE",  [14] = "SIGALRM", [15] = "SIGTERM",
        [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT",  [19] = "SIGSTOP", [20] = "SIGTSTP",
        [21] = "SIGTTIN",   [22] = "SIGTTOU", [23] = "SIGURG",   [24] = "SIGXCPU", [25] = "SIGXFSZ",
        [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO",   [30] = "SIGPWR",
        [31] = "SIGSYS",
};

const char *signal_name(int sig) {
        if (sig < 1 || sig >= (int)ELEMENTSOF(signal_table))
                return NULL;
        return signal_table[sig];
}

int signal_from_name(const char *name) {
        unsigned long n;
        char *end;

        if (!name || strncmp(name, "SIG", 3) != 0)
                return -EINVAL;
        for (int sig = 1; sig < (int)ELEMENTSOF(signal_table); sig++)
                if (signal_table[sig] && strcmp(signal_table[sig], name) == 0)
                        return sig;
        /* strtoul() would take a sign, spaces or leading zeros: none of those is ours. */
        if (name[3] < '1' || name[3] > '9')
                return -EINVAL;
        errno = 0;
        n = strtoul(name + 3, &end, 10);
        if (errno != 0 || *end != '\0' || n > INT_MAX)
                return -EINVAL;
        return (int)n;
}

/* SPDX-License-Identifier: MIT */
/* protocol/exec-codec.c and worker-frame.c: the execute request (JSON and struct paths, every type,
 * every limit at ±1) and the result encoding (UTF-8 repair of every kind of ill-formed input, NULs,
 * round trips through json_dumps). A plain harness: prints file:line of each failed check, exits 1
 * if any. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "exec-codec.h"
#include "macro.h"
#include "utf8.h"
#include "worker-frame.h"

static unsigned checks, failures;

#define CHECK(cond)                                                                                \
        do {                                                                                       \
                checks++;                                                                          \
                if (!(cond)) {                                                                     \
                        failures++;                                                                \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
                }                                                                                  \
        } while (0)

#define CHECK_AT(file, line, cond, ...)                                                            \
        do {                                                                                       \
                checks++;                                                                          \
                if (!(cond)) {                                                                     \
                        failures++;                                                                \
                        fprintf(stderr, "%s:%d: check failed: %s: ", file, line, #cond);           \
                        fprintf(stderr, __VA_ARGS__);                                              \
                        fputc('\n', stderr);                                                       \
                }                                                                                  \
        } while (0)

/* ---- helpers ------------------------------------------------------------------------------ */

/* The daemon will parse frames with JSON_ALLOW_NUL so that stdin can carry NUL bytes. */
static json_t *load(const char *text) {
        json_error_t err;
        json_t *j = json_loads(text, JSON_ALLOW_NUL | JSON_DECODE_ANY, &err);

        if (!j)
                fprintf(stderr, "test bug: cannot parse %s: %s\n", text, err.text);
        return j;
}

static int parse_json(const json_t *params, ExecRequest *req, ProtocolError *e) {
        return exec_request_from_json(params, req, e);
}

/* Parses `text` as params, expects failure r/kind/field, and checks that the request was left
 * at its defaults. field NULL: don't care; "": no field. */
static void expect_error_at(const char *file, int line, const json_t *params, int r_expected,
                            ExecErrorKind kind, const char *field) {
        ExecRequest req = EXEC_REQUEST_INIT;
        ProtocolError e;
        int r;

        req.timeout_ms = 1; /* must be reset */
        r = parse_json(params, &req, &e);
        CHECK_AT(file, line, r == r_expected, "r=%d expected %d (message: %s)", r, r_expected,
                 e.message);
        CHECK_AT(file, line, e.kind == kind, "kind=%d expected %d (message: %s)", e.kind, kind,
                 e.message);
        if (field)
                CHECK_AT(file, line, strcmp(e.field, field) == 0, "field='%s' expected '%s'",
                         e.field, field);
        CHECK_AT(file, line, e.message[0] != '\0', "empty message");
        CHECK_AT(file, line,
                 req.code.data == NULL && req.args == NULL && req.env == NULL &&
                         req.timeout_ms == EXEC_TIMEOUT_MS_DEFAULT,
                 "request not reset after failure");
        exec_request_done(&req);
}

static void expect_error_text_at(const char *file, int line, const char *text, int r_expected,
                                 ExecErrorKind kind, const char *field) {
        _cleanup_(json_decrefp) json_t *j = load(text);

        CHECK_AT(file, line, j, "unparsable test input");
        if (j)
                expect_error_at(file, line, j, r_expected, kind, field);
}

#define EXPECT_ERROR(text, r, kind, field)                                                         \
        expect_error_text_at(__FILE__, __LINE__, text, r, kind, field)
#define EXPECT_ERROR_J(json, r, kind, field)                                                       \
        expect_error_at(__FILE__, __LINE__, json, r, kind, field)
#define EXPECT_INVALID(text, field)     EXPECT_ERROR(text, -EINVAL, EXEC_ERROR_INVALID_PARAMS, field)
#define EXPECT_TOO_LARGE_J(json, field) EXPECT_ERROR_J(json, -E2BIG, EXEC_ERROR_TOO_LARGE, field)

static int expect_ok_at(const char *file, int line, const json_t *params, ExecRequest *req) {
        ProtocolError e;
        int r = parse_json(params, req, &e);

        CHECK_AT(file, line, r == 0, "r=%d field=%s message=%s", r, e.field, e.message);
        CHECK_AT(file, line, e.kind == EXEC_ERROR_NONE, "kind=%d", e.kind);
        return r;
}

#define EXPECT_OK_J(json, req) expect_ok_at(__FILE__, __LINE__, json, req)

static void expect_ok_text_at(const char *file, int line, const char *text) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(json_decrefp) json_t *j = load(text);

        CHECK_AT(file, line, j, "unparsable test input");
        if (j)
                expect_ok_at(file, line, j, &req);
}

#define EXPECT_OK(text) expect_ok_text_at(__FILE__, __LINE__, text)

/* {"language":"python","code":"pass"} plus one field. */
static json_t *base_with(const char *key, json_t *value) {
        json_t *j = json_pack("{s:s, s:s}", "language", "python", "code", "pass");

        if (!j || json_object_set_new(j, key, value) < 0)
                abort();
        return j;
}

static char *filled(size_t n, char c) {
        char *s = malloc(n + 1);

        if (!s)
                abort();
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

static json_t *string_of(size_t n) {
        _cleanup_free_ char *s = filled(n, 'x');

        return json_stringn(s, n);
}

/* ---- languages ---------------------------------------------------------------------------- */

static void test_languages(void) {
        CHECK(exec_language_from_string("python") == EXEC_LANGUAGE_PYTHON);
        CHECK(exec_language_from_string("python3") == EXEC_LANGUAGE_PYTHON);
        CHECK(exec_language_from_string("py") == EXEC_LANGUAGE_PYTHON);
        CHECK(exec_language_from_string("PyThOn3") == EXEC_LANGUAGE_PYTHON);
        CHECK(exec_language_from_string("ruby") == _EXEC_LANGUAGE_INVALID);
        CHECK(exec_language_from_string("") == _EXEC_LANGUAGE_INVALID);
        CHECK(exec_language_from_string("python ") == _EXEC_LANGUAGE_INVALID);
        CHECK(exec_language_from_string(NULL) == _EXEC_LANGUAGE_INVALID);
        CHECK(strcmp(exec_language_to_string(EXEC_LANGUAGE_PYTHON), "python") == 0);
        CHECK(exec_language_to_string(_EXEC_LANGUAGE_MAX) == NULL);
        CHECK(exec_language_to_string(_EXEC_LANGUAGE_INVALID) == NULL);
        CHECK(exec_language_aliases(EXEC_LANGUAGE_PYTHON) &&
              strcmp(exec_language_aliases(EXEC_LANGUAGE_PYTHON)[0], "python3") == 0);
        CHECK(exec_language_aliases(_EXEC_LANGUAGE_INVALID) == NULL);
}

/* ---- valid requests ----------------------------------------------------------------------- */

static void test_request_minimal(void) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(json_decrefp) json_t *j = load("{\"language\":\"py\",\"code\":\"print(1)\"}");

        if (EXPECT_OK_J(j, &req) < 0)
                return;
        CHECK(req.language == EXEC_LANGUAGE_PYTHON);
        CHECK(req.code.size == 8 && strcmp(req.code.data, "print(1)") == 0);
        CHECK(req.stdin_buf.size == 0);
        CHECK(req.n_args == 0 && req.n_env == 0 && req.cwd == NULL);
        CHECK(req.timeout_ms == EXEC_TIMEOUT_MS_DEFAULT);
        CHECK(req.memory_mb == EXEC_MEMORY_MB_DEFAULT);
        CHECK(req.max_output_bytes == EXEC_MAX_OUTPUT_BYTES_DEFAULT);
        CHECK(!req.stream);
        CHECK(exec_request_validate(&req, NULL) == 0);
}

static void test_request_full(void) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(json_decrefp) json_t *j =
                load("{\"language\":\"Python\",\"code\":\"import sys\\nprint(sys.argv)\","
                     "\"stdin\":\"a\\u0000b\\u00e9\",\"args\":[\"x\",\"\",\"z=1\"],"
                     "\"env\":{\"HOME\":\"/tmp\",\"EMPTY\":\"\",\"EQ\":\"a=b\"},"
                     "\"cwd\":\"/work/dir\",\"timeout_ms\":5,\"memory_mb\":64,"
                     "\"max_output_bytes\":0,\"stream\":true}");

        if (EXPECT_OK_J(j, &req) < 0)
                return;
        CHECK(req.language == EXEC_LANGUAGE_PYTHON);
        CHECK(strcmp(req.code.data, "import sys\nprint(sys.argv)") == 0);
        CHECK(req.stdin_buf.size == 5 && memcmp(req.stdin_buf.data, "a\0b\xC3\xA9", 5) == 0);
        CHECK(req.n_args == 3 && strcmp(req.args[0], "x") == 0 && strcmp(req.args[1], "") == 0 &&
              strcmp(req.args[2], "z=1") == 0 && req.args[3] == NULL);
        CHECK(req.n_env == 3 && strcmp(req.env[0], "HOME=/tmp") == 0 &&
              strcmp(req.env[1], "EMPTY=") == 0 && strcmp(req.env[2], "EQ=a=b") == 0 &&
              req.env[3] == NULL);
        CHECK(strcmp(req.cwd, "/work/dir") == 0);
        CHECK(req.timeout_ms == 5 && req.memory_mb == 64 && req.max_output_bytes == 0);
        CHECK(req.stream);
}

static void test_request_nulls_are_defaults(void) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(json_decrefp) json_t *j =
                load("{\"language\":\"python\",\"code\":\"\",\"stdin\":null,\"args\":null,"
                     "\"env\":null,\"cwd\":null,\"timeout_ms\":null,\"memory_mb\":null,"
                     "\"max_output_bytes\":null,\"stream\":null}");

        if (EXPECT_OK_J(j, &req) < 0)
                return;
        CHECK(req.code.data && req.code.size == 0);
        CHECK(req.cwd == NULL && req.n_args == 0 && req.n_env == 0);
        CHECK(req.timeout_ms == EXEC_TIMEOUT_MS_DEFAULT && !req.stream);
}

static void test_request_env_array(void) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(json_decrefp) json_t *j =
                load("{\"language\":\"python\",\"code\":\"\",\"env\":[\"A=1\",\"B=\",\"C=x=y\"]}");

        if (EXPECT_OK_J(j, &req) < 0)
                return;
        CHECK(req.n_env == 3 && strcmp(req.env[2], "C=x=y") == 0);
        EXPECT_OK("{\"language\":\"python\",\"code\":\"\",\"env\":[]}");
        EXPECT_OK("{\"language\":\"python\",\"code\":\"\",\"env\":{}}");
        EXPECT_OK("{\"language\":\"python\",\"code\":\"\",\"args\":[]}");
}

/* ---- wrong shapes ------------------------------------------------------------------------- */

static void test_request_types(void) {
        ExecRequest req = EXEC_REQUEST_INIT;
        ProtocolError e;

        /* params itself */
        CHECK(exec_request_from_json(NULL, &req, &e) == -EINVAL &&
              e.kind == EXEC_ERROR_INVALID_PARAMS && e.field[0] == '\0');
        EXPECT_INVALID("[\"python\",\"print(1)\"]", "");
        EXPECT_INVALID("\"python\"", "");
        EXPECT_INVALID("{}", "language");
        /* a NULL ret_error is allowed */
        CHECK(exec_request_from_json(NULL, &req, NULL) == -EINVAL);

        EXPECT_INVALID("{\"code\":\"x\"}", "language");
        EXPECT_INVALID("{\"language\":\"python\"}", "code");
        EXPECT_INVALID("{\"language\":null,\"code\":\"x\"}", "language");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":null}", "code");
        EXPECT_INVALID("{\"language\":1,\"code\":\"x\"}", "language");
        EXPECT_INVALID("{\"language\":[\"python\"],\"code\":\"x\"}", "language");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":1}", "code");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":[\"x\"]}", "code");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":true}", "code");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"stdin\":[]}", "stdin");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"stdin\":5}", "stdin");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"args\":\"a b\"}", "args");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"args\":{}}", "args");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"args\":[\"a\",1]}", "args[1]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"args\":[null]}", "args[0]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"args\":[[\"a\"]]}", "args[0]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":\"A=1\"}", "env");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":5}", "env");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":{\"A\":1}}", "env[0]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":{\"A\":\"1\",\"B\":null}}",
                       "env[1]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":[\"A=1\",2]}", "env[1]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":[{\"A\":\"1\"}]}", "env[0]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"cwd\":1}", "cwd");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"cwd\":[\"/\"]}", "cwd");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"cwd\":\"tmp\"}", "cwd");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"cwd\":\"\"}", "cwd");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"cwd\":\"./x\"}", "cwd");
        EXPECT_OK("{\"language\":\"python\",\"code\":\"\",\"cwd\":\"/\"}");

        static const char *const numbers[] = {"timeout_ms", "memory_mb", "max_output_bytes"};
        for (size_t i = 0; i < ELEMENTSOF(numbers); i++) {
                /* Integral reals are the integers they equal (below); others are not. */
                static const char *const bad[] = {
                        "\"100\"", "100.5", "1e-3",   "true",  "[]",
                        "{}",      "-1",    "-100.0", "1e300", "-9223372036854775808"};
                for (size_t k = 0; k < ELEMENTSOF(bad); k++) {
                        char text[256];

                        snprintf(text, sizeof text,
                                 "{\"language\":\"python\",\"code\":\"\",\"%s\":%s}", numbers[i],
                                 bad[k]);
                        EXPECT_INVALID(text, numbers[i]);
                }
        }
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"timeout_ms\":9223372036854775807}",
                       "timeout_ms");

        /* What many JSON encoders send for an integer: a real with nothing after the point. */
        {
                _cleanup_(exec_request_done) ExecRequest reals = EXEC_REQUEST_INIT;
                _cleanup_(json_decrefp) json_t *j =
                        load("{\"language\":\"python\",\"code\":\"\",\"timeout_ms\":1000.0,"
                             "\"memory_mb\":1e2,\"max_output_bytes\":0.0}");

                if (EXPECT_OK_J(j, &reals) == 0)
                        CHECK(reals.timeout_ms == 1000 && reals.memory_mb == 100 &&
                              reals.max_output_bytes == 0);
        }
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"timeout_ms\":0.0}", "timeout_ms");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"timeout_ms\":300001.0}",
                       "timeout_ms");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"memory_mb\":31.0}", "memory_mb");

        EXPECT_OK("{\"language\":\"python\",\"code\":\"\",\"script_name\":\"main.py\"}");
        EXPECT_OK("{\"language\":\"python\",\"code\":\"\",\"script_name\":null}");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"script_name\":1}", "script_name");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"script_name\":\"\"}",
                       "script_name");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"script_name\":\"a/b.py\"}",
                       "script_name");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"script_name\":\"/b.py\"}",
                       "script_name");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"script_name\":\"..\"}",
                       "script_name");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"script_name\":\"a\\u0000\"}",
                       "script_name");
        {
                json_t *p = base_with("script_name", string_of(EXEC_SCRIPT_NAME_BYTES_MAX));
                _cleanup_(exec_request_done) ExecRequest named = EXEC_REQUEST_INIT;

                EXPECT_OK_J(p, &named);
                json_decref(p);
                p = base_with("script_name", string_of(EXEC_SCRIPT_NAME_BYTES_MAX + 1));
                EXPECT_TOO_LARGE_J(p, "script_name");
                json_decref(p);
        }

        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"stream\":1}", "stream");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"stream\":\"true\"}", "stream");
        EXPECT_OK("{\"language\":\"python\",\"code\":\"\",\"stream\":false}");
}

static void test_request_unknown_fields(void) {
        ProtocolError e;
        ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(json_decrefp) json_t *j = NULL;

        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"timeout\":5}", "timeout");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"Code\":\"x\"}", "Code");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"files\":[]}", "files");
        /* an unknown field wins over a bad known one: reported first, deterministic */
        EXPECT_INVALID("{\"language\":1,\"code\":\"\",\"bogus\":5}", "bogus");

        j = load("{\"language\":\"python\",\"code\":\"\",\"files\":[]}");
        CHECK(exec_request_from_json(j, &req, &e) == -EINVAL && strstr(e.message, "not supported"));
        json_decref(TAKE_PTR(j));

        j = load("{\"language\":\"python\",\"code\":\"\",\"bogus_field\":5}");
        CHECK(exec_request_from_json(j, &req, &e) == -EINVAL &&
              strstr(e.message, "unknown field 'bogus_field'"));
        json_decref(TAKE_PTR(j));

        /* hostile names come back printable and bounded */
        {
                _cleanup_free_ char *long_name = filled(1000, 'k');
                json_t *p = base_with("x", json_true());

                json_object_del(p, "x");
                json_object_set_new(p, long_name, json_true());
                CHECK(exec_request_from_json(p, &req, &e) == -EINVAL);
                CHECK(strlen(e.field) < sizeof e.field && strlen(e.message) < sizeof e.message);
                json_decref(p);

                p = base_with("\x01\x7f\xC3\xA9\n", json_true());
                CHECK(exec_request_from_json(p, &req, &e) == -EINVAL);
                CHECK(strcmp(e.field, "?????") == 0);
                json_decref(p);
        }
}

static void test_request_language(void) {
        ProtocolError e;
        ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(json_decrefp) json_t *j = NULL;

        EXPECT_OK("{\"language\":\"python3\",\"code\":\"\"}");
        EXPECT_OK("{\"language\":\"PY\",\"code\":\"\"}");
        EXPECT_ERROR("{\"language\":\"ruby\",\"code\":\"\"}", -EOPNOTSUPP,
                     EXEC_ERROR_UNSUPPORTED_LANGUAGE, "language");
        EXPECT_ERROR("{\"language\":\"\",\"code\":\"\"}", -EOPNOTSUPP,
                     EXEC_ERROR_UNSUPPORTED_LANGUAGE, "language");
        EXPECT_ERROR("{\"language\":\"python\\u0000\",\"code\":\"\"}", -EOPNOTSUPP,
                     EXEC_ERROR_UNSUPPORTED_LANGUAGE, "language");

        j = load("{\"language\":\"ruby\",\"code\":\"\"}");
        CHECK(exec_request_from_json(j, &req, &e) == -EOPNOTSUPP);
        CHECK(strstr(e.message, "'ruby'") && strstr(e.message, "python"));
}

static void test_request_nul(void) {
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"print(1)\\u0000\"}", "code");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\\u0000\"}", "code");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"args\":[\"a\\u0000b\"]}",
                       "args[0]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":[\"A=\\u0000\"]}", "env[0]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":{\"A\":\"x\\u0000\"}}",
                       "env[0]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"cwd\":\"/a\\u0000b\"}", "cwd");
        /* jansson refuses NUL in keys while parsing; build one by hand */
        {
                json_t *env = json_object(), *p;

                json_object_setn_new_nocheck(env, "A\0B", 3, json_string("v"));
                p = base_with("env", env);
                EXPECT_ERROR_J(p, -EINVAL, EXEC_ERROR_INVALID_PARAMS, "env[0]");
                json_decref(p);
        }
        /* stdin is bytes: NUL kept */
        {
                _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
                _cleanup_(json_decrefp) json_t *j = load(
                        "{\"language\":\"python\",\"code\":\"\",\"stdin\":\"\\u0000\\u0000x\"}");

                if (EXPECT_OK_J(j, &req) == 0)
                        CHECK(req.stdin_buf.size == 3 &&
                              memcmp(req.stdin_buf.data, "\0\0x", 3) == 0);
        }
}

static void test_request_env_rules(void) {
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":{\"A=B\":\"c\"}}", "env[0]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":{\"\":\"c\"}}", "env[0]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":{\"=\":\"c\"}}", "env[0]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":[\"=c\"]}", "env[0]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":[\"A=1\",\"NOEQUALS\"]}",
                       "env[1]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":[\"A=1\",\"B=2\",\"A=3\"]}",
                       "env[2]");
        EXPECT_INVALID("{\"language\":\"python\",\"code\":\"\",\"env\":[\"AB=1\",\"A=2\",\"AB=\"]}",
                       "env[2]");
        /* The message names the variable, so a client sees which. */
        {
                _cleanup_(exec_request_done) ExecRequest dup = EXEC_REQUEST_INIT;
                _cleanup_(json_decrefp) json_t *j =
                        load("{\"language\":\"python\",\"code\":\"\",\"env\":[\"A=1\",\"DEBUG=1\","
                             "\"DEBUG=2\"]}");
                ProtocolError e;

                CHECK(exec_request_from_json(j, &dup, &e) == -EINVAL &&
                      strcmp(e.message, "environment variable DEBUG set twice") == 0);
        }
        EXPECT_OK("{\"language\":\"python\",\"code\":\"\",\"env\":[\"AB=1\",\"A=2\",\"ABC=\"]}");
        EXPECT_OK("{\"language\":\"python\",\"code\":\"\",\"env\":[\"A=1\",\"a=1\"]}");
}

/* ---- limits ±1 ---------------------------------------------------------------------------- */

static void check_uint_limit(const char *field, uint64_t min, uint64_t max) {
        struct {
                uint64_t v;
                bool ok;
        } cases[] = {
                {min, true}, {min + 1, true}, {max - 1, true}, {max, true}, {max + 1, false},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_t *p = base_with(field, json_integer((json_int_t)cases[i].v));

                if (cases[i].ok) {
                        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;

                        if (EXPECT_OK_J(p, &req) == 0) {
                                uint64_t got = strcmp(field, "timeout_ms") == 0 ? req.timeout_ms
                                               : strcmp(field, "memory_mb") == 0
                                                       ? req.memory_mb
                                                       : req.max_output_bytes;
                                CHECK(got == cases[i].v);
                        }
                } else
                        EXPECT_ERROR_J(p, -EINVAL, EXEC_ERROR_INVALID_PARAMS, field);
                json_decref(p);
        }
        if (min > 0) {
                json_t *p = base_with(field, json_integer((json_int_t)min - 1));

                EXPECT_ERROR_J(p, -EINVAL, EXEC_ERROR_INVALID_PARAMS, field);
                json_decref(p);
        }
}

static void check_string_limit(const char *field, uint64_t max) {
        json_t *p = base_with(field, string_of(max));
        ExecRequest req = EXEC_REQUEST_INIT;

        EXPECT_OK_J(p, &req);
        exec_request_done(&req);
        json_decref(p);

        p = base_with(field, string_of(max + 1));
        EXPECT_TOO_LARGE_J(p, field);
        json_decref(p);
}

static json_t *array_of(size_t n, size_t each, bool env) {
        json_t *a = json_array();

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *s = filled(each, 'v');

                if (env) {
                        /* "K00042=vvv…": unique keys, exactly `each` bytes (each >= 8) */
                        char key[16];
                        int k = snprintf(key, sizeof key, "K%05zu=", i);

                        memcpy(s, key, (size_t)k);
                }
                json_array_append_new(a, json_stringn(s, each));
        }
        return a;
}

static void test_limits(void) {
        check_uint_limit("timeout_ms", EXEC_TIMEOUT_MS_MIN, EXEC_TIMEOUT_MS_MAX);
        check_uint_limit("memory_mb", EXEC_MEMORY_MB_MIN, EXEC_MEMORY_MB_MAX);
        check_uint_limit("max_output_bytes", EXEC_MAX_OUTPUT_BYTES_MIN, EXEC_MAX_OUTPUT_BYTES_MAX);
        CHECK(EXEC_TIMEOUT_MS_DEFAULT == 10000 && EXEC_TIMEOUT_MS_MAX == 300000);
        CHECK(EXEC_MEMORY_MB_DEFAULT == 256 && EXEC_MEMORY_MB_MIN == 32 &&
              EXEC_MEMORY_MB_MAX == 4096);
        CHECK(EXEC_MAX_OUTPUT_BYTES_DEFAULT == 1048576 && EXEC_MAX_OUTPUT_BYTES_MAX == 67108864);

        check_string_limit("code", EXEC_CODE_BYTES_MAX);
        check_string_limit("stdin", EXEC_STDIN_BYTES_MAX);

        /* cwd: "/" + 'x'... */
        {
                _cleanup_free_ char *s = filled(EXEC_CWD_BYTES_MAX + 1, 'x');
                json_t *p;
                ExecRequest req = EXEC_REQUEST_INIT;

                s[0] = '/';
                p = base_with("cwd", json_stringn(s, EXEC_CWD_BYTES_MAX));
                EXPECT_OK_J(p, &req);
                exec_request_done(&req);
                json_decref(p);
                p = base_with("cwd", json_stringn(s, EXEC_CWD_BYTES_MAX + 1));
                EXPECT_TOO_LARGE_J(p, "cwd");
                json_decref(p);
        }

        for (int env = 0; env <= 1; env++) {
                const char *f = env ? "env" : "args";
                uint64_t count_max = env ? EXEC_ENV_COUNT_MAX : EXEC_ARGS_COUNT_MAX;
                uint64_t entry_max = env ? EXEC_ENV_ENTRY_BYTES_MAX : EXEC_ARG_BYTES_MAX;
                uint64_t total_max = env ? EXEC_ENV_TOTAL_BYTES_MAX : EXEC_ARGS_TOTAL_BYTES_MAX;
                ExecRequest req = EXEC_REQUEST_INIT;
                char field[16];
                json_t *p;

                /* count */
                p = base_with(f, array_of(count_max, 8, env));
                EXPECT_OK_J(p, &req);
                CHECK(env ? req.n_env == count_max : req.n_args == count_max);
                exec_request_done(&req);
                json_decref(p);
                p = base_with(f, array_of(count_max + 1, 8, env));
                EXPECT_TOO_LARGE_J(p, f);
                json_decref(p);

                /* one entry */
                p = base_with(f, array_of(1, entry_max, env));
                EXPECT_OK_J(p, &req);
                exec_request_done(&req);
                json_decref(p);
                p = base_with(f, array_of(2, entry_max + 1, env));
                snprintf(field, sizeof field, "%s[0]", f);
                EXPECT_TOO_LARGE_J(p, field);
                json_decref(p);

                /* total: exactly at the cap, then one byte more in one more entry */
                CHECK(total_max % entry_max == 0);
                p = base_with(f, array_of(total_max / entry_max, entry_max, env));
                EXPECT_OK_J(p, &req);
                exec_request_done(&req);
                json_array_append_new(json_object_get(p, f),
                                      json_string(env ? "Z=" : "z")); /* 2 resp. 1 byte */
                if (env) {
                        /* "Z=" is 2 bytes: check total+1 exactly with a 1-byte-shorter entry */
                        json_t *a = json_object_get(p, f);
                        size_t last = json_array_size(a) - 2;
                        const char *s0 = json_string_value(json_array_get(a, last));
                        json_array_set_new(a, last, json_stringn(s0, entry_max - 1));
                }
                EXPECT_TOO_LARGE_J(p, f);
                json_decref(p);
        }

        /* a huge array is refused by its count, before anything is copied */
        {
                json_t *a = json_array(), *p;

                for (size_t i = 0; i < 200000; i++)
                        json_array_append_new(a, json_string(""));
                p = base_with("args", a);
                EXPECT_TOO_LARGE_J(p, "args");
                json_decref(p);
                a = json_array();
                for (size_t i = 0; i < 200000; i++)
                        json_array_append_new(a, json_integer(1));
                p = base_with("env", a);
                EXPECT_TOO_LARGE_J(p, "env");
                json_decref(p);
        }
        /* env object count */
        {
                json_t *env = json_object(), *p;
                char key[16];

                for (size_t i = 0; i <= EXEC_ENV_COUNT_MAX; i++) {
                        snprintf(key, sizeof key, "K%zu", i);
                        json_object_set_new(env, key, json_string("v"));
                }
                p = base_with("env", env);
                EXPECT_TOO_LARGE_J(p, "env");
                json_object_del(env, "K0");
                {
                        ExecRequest req = EXEC_REQUEST_INIT;

                        EXPECT_OK_J(p, &req);
                        exec_request_done(&req);
                }
                json_decref(p);
        }
}

/* ---- the struct path (sandboxd-vm run) ---------------------------------------------------- */

static void test_request_struct(void) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        ProtocolError e;

        CHECK(exec_request_validate(&req, &e) == -EOPNOTSUPP &&
              e.kind == EXEC_ERROR_UNSUPPORTED_LANGUAGE && strcmp(e.field, "language") == 0);
        req.language = exec_language_from_string("python3");
        CHECK(exec_request_validate(&req, &e) == -EINVAL && strcmp(e.field, "code") == 0);
        CHECK(exec_request_set_code(&req, "print(1)", 8) == 0);
        CHECK(exec_request_validate(&req, &e) == 0);

        CHECK(exec_request_set_code(&req, "a\0b", 3) == 0);
        CHECK(exec_request_validate(&req, &e) == -EINVAL && strcmp(e.field, "code") == 0 &&
              strstr(e.message, "NUL"));
        CHECK(exec_request_set_code(&req, "\xC3\x28", 2) == 0);
        CHECK(exec_request_validate(&req, &e) == -EINVAL && strstr(e.message, "UTF-8"));
        CHECK(exec_request_set_code(&req, "pass", 4) == 0);

        /* stdin may be any bytes on this path */
        CHECK(exec_request_set_stdin(&req, "\xFF\x00\xFE", 3) == 0);
        CHECK(exec_request_validate(&req, &e) == 0);

        CHECK(exec_request_add_arg(&req, "one") == 0);
        CHECK(exec_request_add_arg(&req, "\xFF") == 0);
        CHECK(exec_request_validate(&req, &e) == -EINVAL && strcmp(e.field, "args[1]") == 0);
        free(req.args[1]);
        req.args[1] = strdup("two");

        CHECK(exec_request_add_env(&req, "A=B", "x") == -EINVAL);
        CHECK(exec_request_add_env(&req, NULL, "x") == -EINVAL);
        CHECK(exec_request_add_env(&req, "PATH", "/bin:/usr/bin") == 0);
        CHECK(exec_request_add_env_assignment(&req, "LANG=C.UTF-8") == 0);
        CHECK(exec_request_validate(&req, &e) == 0);
        CHECK(exec_request_add_env(&req, "", "x") == 0);
        CHECK(exec_request_validate(&req, &e) == -EINVAL && strcmp(e.field, "env[2]") == 0);
        free(req.env[2]);
        req.env[2] = strdup("PATH=/x");
        CHECK(exec_request_validate(&req, &e) == -EINVAL && strcmp(e.field, "env[2]") == 0 &&
              strstr(e.message, "twice"));
        free(req.env[2]);
        req.env[2] = strdup("HOME=/x");

        CHECK(exec_request_set_cwd(&req, "relative") == 0);
        CHECK(exec_request_validate(&req, &e) == -EINVAL && strcmp(e.field, "cwd") == 0);
        CHECK(exec_request_set_cwd(&req, NULL) == 0 && req.cwd == NULL);
        CHECK(exec_request_validate(&req, &e) == 0);

        req.timeout_ms = 0;
        CHECK(exec_request_validate(&req, &e) == -EINVAL && strcmp(e.field, "timeout_ms") == 0);
        req.timeout_ms = UINT64_MAX;
        CHECK(exec_request_validate(&req, &e) == -EINVAL);
        req.timeout_ms = 1;
        req.memory_mb = 5000;
        CHECK(exec_request_validate(&req, &e) == -EINVAL && strcmp(e.field, "memory_mb") == 0);
        req.memory_mb = 32;
        req.max_output_bytes = EXEC_MAX_OUTPUT_BYTES_MAX + 1;
        CHECK(exec_request_validate(&req, &e) == -EINVAL &&
              strcmp(e.field, "max_output_bytes") == 0);
        req.max_output_bytes = 0;
        CHECK(exec_request_validate(&req, NULL) == 0);
        req.language = _EXEC_LANGUAGE_MAX;
        CHECK(exec_request_validate(&req, &e) == -EOPNOTSUPP);
        req.language = EXEC_LANGUAGE_PYTHON;

        /* json of a request whose stdin is not UTF-8: refused, not mangled */
        {
                json_t *j = NULL;

                CHECK(exec_request_to_json(&req, &j) == -EILSEQ && j == NULL);
        }

        exec_request_done(&req);
        CHECK(req.code.data == NULL && req.n_args == 0 && req.args == NULL &&
              req.language == _EXEC_LANGUAGE_INVALID);
        exec_request_done(&req); /* twice is fine */
        exec_request_done(NULL);
}

static void test_request_round_trip(void) {
        _cleanup_(exec_request_done) ExecRequest a = EXEC_REQUEST_INIT, b = EXEC_REQUEST_INIT;
        _cleanup_(json_decrefp) json_t *j =
                load("{\"language\":\"py\",\"code\":\"print('\\u00e9\\ud83d\\ude00')\","
                     "\"stdin\":\"in\\u0000put\",\"args\":[\"-v\",\"\\u2603\"],"
                     "\"env\":[\"A=1\",\"B=x=y\"],\"cwd\":\"/tmp\",\"timeout_ms\":300000,"
                     "\"memory_mb\":32,\"max_output_bytes\":0,\"stream\":true}");
        _cleanup_(json_decrefp) json_t *out = NULL, *back = NULL;
        _cleanup_free_ char *text = NULL;

        if (EXPECT_OK_J(j, &a) < 0)
                return;
        CHECK(exec_request_to_json(&a, &out) == 0);
        if (!out)
                return;
        text = json_dumps(out, JSON_COMPACT);
        CHECK(text);
        if (!text)
                return;
        back = load(text);
        if (EXPECT_OK_J(back, &b) < 0)
                return;
        CHECK(a.language == b.language);
        CHECK(a.code.size == b.code.size && memcmp(a.code.data, b.code.data, a.code.size) == 0);
        CHECK(a.stdin_buf.size == 6 && a.stdin_buf.size == b.stdin_buf.size &&
              memcmp(a.stdin_buf.data, b.stdin_buf.data, a.stdin_buf.size) == 0);
        CHECK(b.n_args == 2 && strcmp(b.args[1], "\xE2\x98\x83") == 0);
        CHECK(b.n_env == 2 && strcmp(b.env[0], "A=1") == 0 && strcmp(b.env[1], "B=x=y") == 0);
        CHECK(strcmp(b.cwd, "/tmp") == 0);
        CHECK(b.timeout_ms == 300000 && b.memory_mb == 32 && b.max_output_bytes == 0 && b.stream);

        /* defaults are left out */
        {
                _cleanup_(exec_request_done) ExecRequest c = EXEC_REQUEST_INIT;
                _cleanup_(json_decrefp) json_t *o = NULL;

                c.language = EXEC_LANGUAGE_PYTHON;
                CHECK(exec_request_set_code(&c, "", 0) == 0);
                CHECK(exec_request_to_json(&c, &o) == 0 && json_object_size(o) == 2);
        }
}

/* ---- UTF-8 -------------------------------------------------------------------------------- */

#define FFFD "\xEF\xBF\xBD"

typedef struct Utf8Case {
        const char *in;
        size_t in_len;
        const char *out;
        size_t out_len;
} Utf8Case;

#define U(i, o)                                                                                    \
        { i, sizeof(i) - 1, o, sizeof(o) - 1 }

static const Utf8Case utf8_cases[] = {
        /* well-formed, every length and the range edges */
        U("", ""),
        U("abc", "abc"),
        U("\x00", "\x00"),
        U("a\x00b\x00", "a\x00b\x00"),
        U("\x7F", "\x7F"),
        U("\xC2\x80", "\xC2\x80"),
        U("\xC3\xA9", "\xC3\xA9"),
        U("\xDF\xBF", "\xDF\xBF"),
        U("\xE0\xA0\x80", "\xE0\xA0\x80"),
        U("\xE2\x82\xAC", "\xE2\x82\xAC"),
        U("\xED\x9F\xBF", "\xED\x9F\xBF"), /* U+D7FF */
        U("\xEE\x80\x80", "\xEE\x80\x80"), /* U+E000 */
        U("\xEF\xBF\xBD", "\xEF\xBF\xBD"),
        U("\xEF\xBF\xBF", "\xEF\xBF\xBF"), /* U+FFFF: a noncharacter, still well-formed */
        U("\xF0\x90\x80\x80", "\xF0\x90\x80\x80"),
        U("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"),
        U("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"), /* U+10FFFF */
        /* lone continuation bytes and bytes that never start anything */
        U("\x80", FFFD),
        U("\xBF", FFFD),
        U("\x80\x80", FFFD FFFD),
        U("\xFE", FFFD),
        U("\xFF", FFFD),
        U("\xFF\xFE\xFD", FFFD FFFD FFFD),
        /* overlongs */
        U("\xC0\x80", FFFD FFFD), /* NUL */
        U("\xC0\xAF", FFFD FFFD), /* '/' */
        U("\xC1\xBF", FFFD FFFD),
        U("\xE0\x80\x80", FFFD FFFD FFFD),
        U("\xE0\x9F\xBF", FFFD FFFD FFFD),
        U("\xF0\x80\x80\x80", FFFD FFFD FFFD FFFD),
        U("\xF0\x8F\xBF\xBF", FFFD FFFD FFFD FFFD),
        U("\xF8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD), /* old 5-byte form */
        U("\xFC\x84\x80\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD FFFD),
        /* surrogates, alone and paired (CESU-8) */
        U("\xED\xA0\x80", FFFD FFFD FFFD),
        U("\xED\xBF\xBF", FFFD FFFD FFFD),
        U("\xED\xA0\xBD\xED\xB8\x80", FFFD FFFD FFFD FFFD FFFD FFFD),
        /* past U+10FFFF */
        U("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD),
        U("\xF4\xBF\xBF\xBF", FFFD FFFD FFFD FFFD),
        U("\xF5\x80\x80\x80", FFFD FFFD FFFD FFFD),
        U("\xF7\xBF\xBF\xBF", FFFD FFFD FFFD FFFD),
        /* truncated: one U+FFFD for the whole maximal subpart */
        U("\xC3", FFFD),
        U("\xE2\x82", FFFD),
        U("\xE2", FFFD),
        U("\xF0\x9F\x98", FFFD),
        U("\xF0\x9F", FFFD),
        U("\xF4\x8F\xBF", FFFD),
        U("\xC3"
          "a",
          FFFD "a"),
        U("\xE2\x82"
          "A",
          FFFD "A"),
        U("\xF0\x9F\x98"
          "A",
          FFFD "A"),
        U("\xE2\x28\xA1", FFFD "(" FFFD),
        U("\xF0\x9F\x98\x00", FFFD "\x00"),
        U("\xC3\xC3\xA9", FFFD "\xC3\xA9"),
        U("\xE2\x82\xF0\x9F\x98\x80", FFFD "\xF0\x9F\x98\x80"),
        /* Unicode 15 §3.9, table 3-8 (U+FFFD for maximal subparts) */
        U("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
          "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d"),
        /* mixed */
        U("ok\xC3\xA9\xFF\x00\xED\xA0\x80!", "ok\xC3\xA9" FFFD "\x00" FFFD FFFD FFFD "!"),
};

static void test_utf8_cases(void) {
        for (size_t i = 0; i < ELEMENTSOF(utf8_cases); i++) {
                const Utf8Case *c = &utf8_cases[i];
                bool valid = c->in_len == c->out_len && memcmp(c->in, c->out, c->in_len) == 0;
                _cleanup_free_ char *out = NULL;
                size_t out_len = 0;
                json_t *j;

                CHECK_AT(__FILE__, __LINE__, utf8_is_valid(c->in, c->in_len) == valid, "case %zu",
                         i);
                CHECK_AT(__FILE__, __LINE__, utf8_sanitize(c->in, c->in_len, &out, &out_len) == 0,
                         "case %zu", i);
                if (!out)
                        continue;
                CHECK_AT(__FILE__, __LINE__,
                         out_len == c->out_len && memcmp(out, c->out, out_len) == 0 &&
                                 out[out_len] == '\0',
                         "case %zu: sanitized to %zu bytes, expected %zu", i, out_len, c->out_len);
                CHECK_AT(__FILE__, __LINE__, utf8_is_valid(out, out_len), "case %zu", i);
                /* jansson's own validator agrees on the input and accepts the output */
                j = json_stringn(c->in, c->in_len);
                CHECK_AT(__FILE__, __LINE__, (j != NULL) == valid, "case %zu: jansson disagrees",
                         i);
                json_decref(j);
                j = json_stringn(out, out_len);
                CHECK_AT(__FILE__, __LINE__, j != NULL, "case %zu: jansson refuses output", i);
                json_decref(j);
        }
}

/* An independent reference: decode by the bit patterns, then refuse overlongs, surrogates and
 * values past U+10FFFF. */
static bool reference_valid(const uint8_t *s, size_t n) {
        size_t i = 0;

        while (i < n) {
                uint32_t cp, min;
                size_t len;

                if (s[i] < 0x80) {
                        i++;
                        continue;
                } else if ((s[i] & 0xE0) == 0xC0) {
                        len = 2, cp = s[i] & 0x1F, min = 0x80;
                } else if ((s[i] & 0xF0) == 0xE0) {
                        len = 3, cp = s[i] & 0x0F, min = 0x800;
                } else if ((s[i] & 0xF8) == 0xF0) {
                        len = 4, cp = s[i] & 0x07, min = 0x10000;
                } else
                        return false;
                if (i + len > n)
                        return false;
                for (size_t k = 1; k < len; k++) {
                        if ((s[i + k] & 0xC0) != 0x80)
                                return false;
                        cp = cp << 6 | (s[i + k] & 0x3F);
                }
                if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                        return false;
                i += len;
        }
        return true;
}

static void check_against_reference(const uint8_t *s, size_t n, unsigned *mismatches) {
        bool ref = reference_valid(s, n);
        _cleanup_free_ char *out = NULL;
        size_t out_len;

        if (utf8_is_valid((const char *)s, n) != ref) {
                if ((*mismatches)++ < 10)
                        fprintf(stderr,
                                "  utf8_is_valid mismatch on %zu bytes %02x %02x %02x %02x\n", n,
                                s[0], n > 1 ? s[1] : 0, n > 2 ? s[2] : 0, n > 3 ? s[3] : 0);
                return;
        }
        if (utf8_sanitize((const char *)s, n, &out, &out_len) < 0 ||
            !reference_valid((const uint8_t *)out, out_len) ||
            (ref && (out_len != n || memcmp(out, s, n) != 0))) {
                if ((*mismatches)++ < 10)
                        fprintf(stderr, "  utf8_sanitize bad on %zu bytes %02x %02x %02x %02x\n", n,
                                s[0], n > 1 ? s[1] : 0, n > 2 ? s[2] : 0, n > 3 ? s[3] : 0);
        }
}

static void test_utf8_exhaustive(void) {
        static const uint8_t tails[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F,
                                        0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF0, 0xFF};
        unsigned mismatches = 0;
        uint8_t s[4];

        /* every 1-, 2- and 3-byte string */
        for (unsigned a = 0; a < 256; a++) {
                s[0] = (uint8_t)a;
                check_against_reference(s, 1, &mismatches);
                for (unsigned b = 0; b < 256; b++) {
                        s[1] = (uint8_t)b;
                        check_against_reference(s, 2, &mismatches);
                        for (unsigned c = 0; c < 256; c++) {
                                s[2] = (uint8_t)c;
                                /* the sanitizer allocates: run it on the interesting third only */
                                if (a >= 0x80 || c >= 0x80) {
                                        bool ref = reference_valid(s, 3);
                                        if (utf8_is_valid((const char *)s, 3) != ref &&
                                            mismatches++ < 10)
                                                fprintf(stderr, "  mismatch %02x %02x %02x\n", a, b,
                                                        c);
                                }
                        }
                }
        }
        /* 4 bytes: every lead and second byte, boundary values for the rest */
        for (unsigned a = 0xC0; a < 256; a++)
                for (unsigned b = 0; b < 256; b++)
                        for (size_t c = 0; c < ELEMENTSOF(tails); c++)
                                for (size_t d = 0; d < ELEMENTSOF(tails); d++) {
                                        s[0] = (uint8_t)a, s[1] = (uint8_t)b;
                                        s[2] = tails[c], s[3] = tails[d];
                                        check_against_reference(s, 4, &mismatches);
                                }
        CHECK(mismatches == 0);

        /* the sanitizer of an all-invalid buffer grows it threefold, exactly */
        {
                _cleanup_free_ char *in = filled(100000, '\xFF'), *out = NULL;
                size_t out_len;

                CHECK(utf8_sanitize(in, 100000, &out, &out_len) == 0 && out_len == 300000);
        }
}

/* ---- result ------------------------------------------------------------------------------- */

static void test_signal_name(void) {
        CHECK(signal_name(0) == NULL);
        CHECK(signal_name(-1) == NULL);
        CHECK(signal_name(32) == NULL);
        CHECK(signal_name(64) == NULL);
        CHECK(strcmp(signal_name(1), "SIGHUP") == 0);
        CHECK(strcmp(signal_name(9), "SIGKILL") == 0);
        CHECK(strcmp(signal_name(11), "SIGSEGV") == 0);
        CHECK(strcmp(signal_name(31), "SIGSYS") == 0);
        for (int i = 1; i < 32; i++)
                CHECK(signal_name(i) && strncmp(signal_name(i), "SIG", 3) == 0);
#if defined(__x86_64__) && defined(__GLIBC__)
        /* On an x86-64 host the guest's numbering is the host's: cross-check with glibc. */
        for (int i = 1; i < 32; i++) {
                const char *abbrev = sigabbrev_np(i);

                /* glibc calls 29 by its System V alias POLL; the kernel and kill -l say IO */
                if (i == 29 && abbrev && strcmp(abbrev, "POLL") == 0)
                        abbrev = "IO";
                CHECK_AT(__FILE__, __LINE__, abbrev && strcmp(signal_name(i) + 3, abbrev) == 0,
                         "signal %d: %s vs %s", i, signal_name(i), abbrev ?: "(null)");
        }
#endif
}

static json_t *result_round_trip(const ExecResult *r) {
        _cleanup_(json_decrefp) json_t *j = exec_result_to_json(r);
        _cleanup_free_ char *text = NULL;

        CHECK(j);
        if (!j)
                return NULL;
        text = json_dumps(j, EXEC_JSON_DUMP_FLAGS);
        CHECK(text);
        if (!text)
                return NULL;
        return load(text);
}

static bool json_bytes_eq(const json_t *j, const char *s, size_t n) {
        return json_is_string(j) && json_string_length(j) == n &&
               memcmp(json_string_value(j), s, n) == 0;
}

static void test_result_encoding(void) {
        _cleanup_(exec_result_done) ExecResult r = EXEC_RESULT_INIT;
        _cleanup_(json_decrefp) json_t *j = NULL;
        json_t *t, *u;

        /* the empty result: every key present, nothing made up */
        j = result_round_trip(&r);
        if (!j)
                return;
        CHECK(json_object_size(j) == 11);
        CHECK(json_is_null(json_object_get(j, "language")));
        CHECK(json_is_null(json_object_get(j, "runtime_version")));
        CHECK(json_bytes_eq(json_object_get(j, "stdout"), "", 0));
        CHECK(json_bytes_eq(json_object_get(j, "stderr"), "", 0));
        CHECK(json_is_null(json_object_get(j, "exit_code")));
        CHECK(json_is_null(json_object_get(j, "signal")));
        CHECK(json_is_false(json_object_get(j, "timed_out")));
        CHECK(json_is_false(json_object_get(j, "memory_limit_hit")));
        CHECK(json_is_false(json_object_get(j, "truncated")));
        t = json_object_get(j, "timing");
        CHECK(json_object_size(t) == 4 && json_real_value(json_object_get(t, "queue_ms")) == 0 &&
              json_is_real(json_object_get(t, "restore_ms")) &&
              json_is_real(json_object_get(t, "run_ms")) &&
              json_is_real(json_object_get(t, "total_ms")));
        u = json_object_get(j, "usage");
        CHECK(json_object_size(u) == 6 && json_is_real(json_object_get(u, "cpu_ms")) &&
              json_is_integer(json_object_get(u, "peak_memory_bytes")) &&
              json_is_integer(json_object_get(u, "syscalls")) &&
              json_is_integer(json_object_get(u, "exits")) &&
              json_is_integer(json_object_get(u, "page_faults")) &&
              json_is_integer(json_object_get(u, "unimplemented_syscalls")));
        json_decref(TAKE_PTR(j));

        /* a full one, with hostile output */
        static const char out[] = "ok\n\x00\xFF\xC3\xA9\xED\xA0\x80\xF0\x9F\x98\x80\xE2\x82";
        static const char out_clean[] =
                "ok\n\x00" FFFD "\xC3\xA9" FFFD FFFD FFFD "\xF0\x9F\x98\x80" FFFD;
        static const char err[] = "Traceback\x00\x01\x1F\"\\\x7F";

        r.language = EXEC_LANGUAGE_PYTHON;
        r.runtime_version = strdup("3.11.2");
        CHECK(exec_result_append_output(&r, 1, out, sizeof out - 1, UINT64_MAX) == 0);
        CHECK(exec_result_append_output(&r, 2, err, sizeof err - 1, UINT64_MAX) == 0);
        r.exit_code = 1;
        r.memory_limit_hit = true;
        r.timing = (ExecTiming){.queue_ms = 0.25,
                                .restore_ms = 0.123,
                                .run_ms = 12.3456789,
                                .total_ms = 300000.0004};
        r.usage = (ExecUsage){.cpu_ms = 1.5,
                              .peak_memory_bytes = UINT64_C(5) << 30,
                              .syscalls = 378,
                              .exits = 400,
                              .unimplemented_syscalls = UINT64_MAX};
        j = result_round_trip(&r);
        if (!j)
                return;
        CHECK(json_bytes_eq(json_object_get(j, "language"), "python", 6));
        CHECK(json_bytes_eq(json_object_get(j, "runtime_version"), "3.11.2", 6));
        CHECK(json_bytes_eq(json_object_get(j, "stdout"), out_clean, sizeof out_clean - 1));
        CHECK(json_bytes_eq(json_object_get(j, "stderr"), err, sizeof err - 1));
        CHECK(json_integer_value(json_object_get(j, "exit_code")) == 1);
        CHECK(json_is_null(json_object_get(j, "signal")));
        CHECK(json_is_true(json_object_get(j, "memory_limit_hit")));
        t = json_object_get(j, "timing");
        CHECK(json_real_value(json_object_get(t, "queue_ms")) == 0.25);
        CHECK(json_real_value(json_object_get(t, "restore_ms")) == 0.123);
        CHECK(json_real_value(json_object_get(t, "run_ms")) == 12.346);
        CHECK(json_real_value(json_object_get(t, "total_ms")) == 300000.0);
        u = json_object_get(j, "usage");
        CHECK(json_integer_value(json_object_get(u, "peak_memory_bytes")) == (json_int_t)5 << 30);
        CHECK(json_integer_value(json_object_get(u, "syscalls")) == 378);
        CHECK(json_integer_value(json_object_get(u, "unimplemented_syscalls")) == INT64_MAX);
        json_decref(TAKE_PTR(j));

        /* the text itself: NUL travels as \u0000, timings print short */
        {
                _cleanup_(json_decrefp) json_t *o = exec_result_to_json(&r);
                _cleanup_free_ char *text = o ? json_dumps(o, EXEC_JSON_DUMP_FLAGS) : NULL;

                CHECK(text && strstr(text, "\"stdout\":\"ok\\n\\u0000\xEF\xBF\xBD"));
                CHECK(text && strstr(text, "\"restore_ms\":0.123,"));
                CHECK(text && strstr(text, "\"run_ms\":12.346,"));
                /* JSON_ENSURE_ASCII: the replacement comes out as \uFFFD */
                free(text);
                text = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
                CHECK(text &&
                      strstr(text, "\\u0000\\uFFFD\\u00E9\\uFFFD\\uFFFD\\uFFFD\\uD83D\\uDE00"
                                   "\\uFFFD\""));
        }

        /* killed by a signal; timed out; bogus clocks */
        r.exit_code = EXEC_EXIT_CODE_NONE;
        r.signal = 11;
        r.timed_out = true;
        r.timing.run_ms = -5;
        r.timing.total_ms = 1.0 / 0.0;
        r.usage.cpu_ms = 0.0 / 0.0;
        j = result_round_trip(&r);
        if (!j)
                return;
        CHECK(json_is_null(json_object_get(j, "exit_code")));
        CHECK(json_bytes_eq(json_object_get(j, "signal"), "SIGSEGV", 7));
        CHECK(json_is_true(json_object_get(j, "timed_out")));
        t = json_object_get(j, "timing");
        CHECK(json_real_value(json_object_get(t, "run_ms")) == 0);
        CHECK(json_real_value(json_object_get(t, "total_ms")) == 0);
        CHECK(json_real_value(json_object_get(json_object_get(j, "usage"), "cpu_ms")) == 0);
        json_decref(TAKE_PTR(j));

        r.signal = 40;
        j = result_round_trip(&r);
        if (j)
                CHECK(json_bytes_eq(json_object_get(j, "signal"), "SIG40", 5));
        json_decref(TAKE_PTR(j));

        exec_result_done(&r);
        CHECK(r.stdout_buf.data == NULL && r.runtime_version == NULL &&
              r.exit_code == EXEC_EXIT_CODE_NONE);
        exec_result_done(NULL);
}

static void test_result_output_cap(void) {
        _cleanup_(exec_result_done) ExecResult r = EXEC_RESULT_INIT;

        CHECK(exec_result_append_output(&r, 1, "123456", 6, 10) == 0 && !r.truncated);
        CHECK(exec_result_append_output(&r, 2, "abcdef", 6, 10) == 0 && r.truncated);
        CHECK(r.stdout_buf.size == 6 && r.stderr_buf.size == 4 &&
              memcmp(r.stderr_buf.data, "abcd", 4) == 0 && r.stderr_buf.data[4] == '\0');
        CHECK(exec_result_append_output(&r, 1, "x", 1, 10) == 0 && r.stdout_buf.size == 6);
        CHECK(exec_result_append_output(&r, 3, "x", 1, 10) == -EINVAL);
        CHECK(exec_result_append_output(&r, 1, "", 0, 10) == 0);
        exec_result_done(&r);

        CHECK(exec_result_append_output(&r, 1, "x", 1, 0) == 0 && r.truncated &&
              r.stdout_buf.size == 0);
        exec_result_done(&r);

        /* many small writes: amortized growth, bytes intact */
        for (int i = 0; i < 200000; i++)
                CHECK(exec_result_append_output(&r, 1 + (i & 1), "0123456789", 10,
                                                EXEC_MAX_OUTPUT_BYTES_DEFAULT) == 0);
        CHECK(r.stdout_buf.size + r.stderr_buf.size == EXEC_MAX_OUTPUT_BYTES_DEFAULT &&
              r.truncated);
        CHECK(memcmp(r.stdout_buf.data + 123450, "0123456789", 10) == 0);
}

static void test_error_json(void) {
        ExecRequest req = EXEC_REQUEST_INIT;
        ProtocolError e;
        _cleanup_(json_decrefp) json_t *p = base_with("timeout_ms", json_integer(0));
        _cleanup_(json_decrefp) json_t *j = NULL;

        CHECK(exec_request_from_json(p, &req, &e) == -EINVAL);
        j = protocol_error_to_json(&e);
        CHECK(j && json_integer_value(json_object_get(j, "code")) == -32602);
        CHECK(j && strstr(json_string_value(json_object_get(j, "message")), "timeout_ms"));
        CHECK(j && json_bytes_eq(json_object_get(json_object_get(j, "data"), "field"), "timeout_ms",
                                 10));
        CHECK(j && json_bytes_eq(json_object_get(json_object_get(j, "data"), "kind"),
                                 "invalid_params", 14));

        CHECK(exec_error_kind_to_jsonrpc_code(EXEC_ERROR_UNSUPPORTED_LANGUAGE) == -32001);
        CHECK(exec_error_kind_to_jsonrpc_code(EXEC_ERROR_TOO_LARGE) == -32002);
        CHECK(exec_error_kind_to_jsonrpc_code(EXEC_ERROR_NONE) == -32603);
        CHECK(exec_error_kind_to_string(EXEC_ERROR_NONE) == NULL);
        CHECK(strcmp(exec_error_kind_to_string(EXEC_ERROR_TOO_LARGE), "too_large") == 0);

        json_decref(TAKE_PTR(j));
        e = (ProtocolError){};
        j = protocol_error_to_json(&e);
        CHECK(j && json_integer_value(json_object_get(j, "code")) == -32603 &&
              json_object_get(json_object_get(j, "data"), "field") == NULL);
}

/* ---- result from JSON ---------------------------------------------------------------------- */

/* A full result, through exec_result_to_json(), a dump and a parse, and back: every field as it
 * was (text after its UTF-8 repair, timings rounded), and the second encoding byte-equal to the
 * first. */
static void test_result_decode_round_trip(void) {
        _cleanup_(exec_result_done) ExecResult r = EXEC_RESULT_INIT, back = EXEC_RESULT_INIT;
        _cleanup_(json_decrefp) json_t *o = NULL, *parsed = NULL, *again = NULL;
        _cleanup_free_ char *text = NULL, *text_again = NULL;
        static const char out[] = "a\x00\xFF"
                                  "b";
        static const char out_clean[] = "a\x00" FFFD "b";

        r.language = EXEC_LANGUAGE_JAVASCRIPT;
        r.runtime_version = strdup("20.20.2");
        CHECK(exec_result_append_output(&r, 1, out, sizeof out - 1, UINT64_MAX) == 0);
        CHECK(exec_result_append_output(&r, 2, "err\n", 4, UINT64_MAX) == 0);
        r.signal = 40;
        r.timed_out = true;
        r.truncated = true;
        r.timing =
                (ExecTiming){.queue_ms = 0.25, .restore_ms = 0.2, .run_ms = 1.0004, .total_ms = 3};
        r.usage = (ExecUsage){.cpu_ms = 0.5,
                              .peak_memory_bytes = 1 << 20,
                              .syscalls = 3,
                              .exits = 4,
                              .page_faults = 5,
                              .unimplemented_syscalls = 6};

        o = exec_result_to_json(&r);
        text = o ? json_dumps(o, EXEC_JSON_DUMP_FLAGS) : NULL;
        parsed = text ? load(text) : NULL;
        if (!parsed) {
                CHECK(parsed);
                return;
        }
        CHECK(exec_result_from_json(parsed, &back) == 0);
        CHECK(back.language == EXEC_LANGUAGE_JAVASCRIPT);
        CHECK(back.runtime_version && strcmp(back.runtime_version, "20.20.2") == 0);
        CHECK(back.stdout_buf.size == sizeof out_clean - 1 &&
              memcmp(back.stdout_buf.data, out_clean, sizeof out_clean - 1) == 0);
        CHECK(back.stderr_buf.size == 4 && memcmp(back.stderr_buf.data, "err\n", 4) == 0);
        CHECK(back.exit_code == EXEC_EXIT_CODE_NONE);
        CHECK(back.signal == 40);
        CHECK(back.timed_out && back.truncated && !back.memory_limit_hit);
        CHECK(back.timing.queue_ms == 0.25 && back.timing.restore_ms == 0.2 &&
              back.timing.run_ms == 1.0 && back.timing.total_ms == 3);
        CHECK(back.usage.cpu_ms == 0.5 && back.usage.peak_memory_bytes == 1 << 20 &&
              back.usage.syscalls == 3 && back.usage.exits == 4 && back.usage.page_faults == 5 &&
              back.usage.unimplemented_syscalls == 6);

        again = exec_result_to_json(&back);
        text_again = again ? json_dumps(again, EXEC_JSON_DUMP_FLAGS) : NULL;
        CHECK(text_again && strcmp(text, text_again) == 0);

        /* an exit code, a named signal, nulls */
        json_decref(TAKE_PTR(parsed));
        exec_result_done(&back);
        parsed = load("{\"language\":null,\"runtime_version\":null,\"stdout\":\"\",\"stderr\":\"\","
                      "\"exit_code\":255,\"signal\":\"SIGSEGV\",\"timed_out\":false,"
                      "\"memory_limit_hit\":true,\"truncated\":false,\"timing\":{\"queue_ms\":0,"
                      "\"restore_ms\":0,\"run_ms\":0,\"total_ms\":0},\"usage\":{\"cpu_ms\":0,"
                      "\"peak_memory_bytes\":9223372036854775807,\"syscalls\":0,\"exits\":0,"
                      "\"page_faults\":0,\"unimplemented_syscalls\":0},\"added_later\":[1]}");
        CHECK(parsed && exec_result_from_json(parsed, &back) == 0);
        CHECK(back.language == _EXEC_LANGUAGE_INVALID && !back.runtime_version);
        CHECK(back.exit_code == 255 && back.signal == 11 && back.memory_limit_hit);
        CHECK(back.usage.peak_memory_bytes == INT64_MAX);
}

/* Each of these breaks the contract in one place; the base is a valid result. */
static void test_result_decode_hostile(void) {
        static const char *const base =
                "{\"language\":\"python\",\"runtime_version\":\"3.11.2\",\"stdout\":\"x\","
                "\"stderr\":\"\",\"exit_code\":0,\"signal\":null,\"timed_out\":false,"
                "\"memory_limit_hit\":false,\"truncated\":false,\"timing\":{\"queue_ms\":0,"
                "\"restore_ms\":0.2,\"run_ms\":1,\"total_ms\":1.5},\"usage\":{\"cpu_ms\":1,"
                "\"peak_memory_bytes\":1,\"syscalls\":1,\"exits\":1,\"page_faults\":0,"
                "\"unimplemented_syscalls\":0}}";
        static const struct {
                const char *path;  /* "timing.run_ms": a member of a member */
                const char *value; /* NULL: removed */
        } cases[] = {
                {"stdout", NULL},
                {"stdout", "1"},
                {"stderr", "null"},
                {"exit_code", NULL},
                {"exit_code", "-1"},
                {"exit_code", "256"},
                {"exit_code", "1.0"},
                {"exit_code", "\"0\""},
                {"signal", NULL},
                {"signal", "11"},
                {"signal", "\"SEGV\""},
                {"signal", "\"SIGFOO\""},
                {"signal", "\"SIG\""},
                {"signal", "\"SIG0\""},
                {"signal", "\"SIG-1\""},
                {"signal", "\"SIG011\""},
                {"signal", "\"SIG 1\""},
                {"signal", "\"SIG1x\""},
                {"signal", "\"SIG99999999999999999999\""},
                {"timed_out", NULL},
                {"timed_out", "0"},
                {"memory_limit_hit", "\"false\""},
                {"truncated", "null"},
                {"language", NULL},
                {"language", "1"},
                {"runtime_version", NULL},
                {"runtime_version", "\"3.11\\u00002\""},
                {"timing", NULL},
                {"timing", "[]"},
                {"timing.queue_ms", NULL},
                {"timing.restore_ms", "-0.5"},
                {"timing.run_ms", "\"1\""},
                {"timing.total_ms", "null"},
                {"usage", NULL},
                {"usage", "{}"},
                {"usage.cpu_ms", "-1"},
                {"usage.peak_memory_bytes", "-1"},
                {"usage.syscalls", "1.5"},
                {"usage.exits", NULL},
                {"usage.page_faults", "true"},
                {"usage.unimplemented_syscalls", "\"0\""},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(exec_result_done) ExecResult r = EXEC_RESULT_INIT;
                _cleanup_(json_decrefp) json_t *o = load(base);
                const char *dot = strchr(cases[i].path, '.');
                json_t *target = o;
                const char *key = cases[i].path;
                char parent[32];

                if (!o)
                        return;
                if (dot) {
                        snprintf(parent, sizeof parent, "%.*s", (int)(dot - key), key);
                        target = json_object_get(o, parent);
                        key = dot + 1;
                }
                if (cases[i].value)
                        json_object_set_new(target, key, load(cases[i].value));
                else
                        json_object_del(target, key);
                CHECK_AT(__FILE__, __LINE__, exec_result_from_json(o, &r) == -EINVAL,
                         "case %zu (%s)", i, cases[i].path);
                CHECK_AT(__FILE__, __LINE__,
                         !r.stdout_buf.data && !r.runtime_version && r.exit_code == -1,
                         "case %zu left the result half filled", i);
        }

        /* not an object at all */
        {
                _cleanup_(exec_result_done) ExecResult r = EXEC_RESULT_INIT;
                _cleanup_(json_decrefp) json_t *a = load("[]");

                CHECK(exec_result_from_json(a, &r) == -EINVAL);
                CHECK(exec_result_from_json(NULL, &r) == -EINVAL);
        }
}

static void test_signal_from_name(void) {
        for (int sig = 1; sig < 32; sig++)
                CHECK(signal_from_name(signal_name(sig)) == sig);
        CHECK(signal_from_name("SIG40") == 40);
        CHECK(signal_from_name("SIG2147483647") == 2147483647);
        CHECK(signal_from_name("SIG2147483648") == -EINVAL);
        CHECK(signal_from_name("SIG+1") == -EINVAL);
        CHECK(signal_from_name("sigsegv") == -EINVAL);
        CHECK(signal_from_name(NULL) == -EINVAL);
}

/* ---- worker frames ------------------------------------------------------------------------- */

/* Encoded lines are counted, not NUL-terminated. */
static bool line_is(const char *line, size_t size, const char *expected) {
        return size == strlen(expected) && memcmp(line, expected, size) == 0;
}

static int parse_frame(const char *text, WorkerFrame *f) {
        return worker_frame_parse(text, strlen(text), f);
}

static void test_worker_frames(void) {
        _cleanup_(worker_frame_done) WorkerFrame f = WORKER_FRAME_INIT;
        _cleanup_(exec_result_done) ExecResult r = EXEC_RESULT_INIT;
        _cleanup_free_ char *line = NULL;
        ProtocolError e = {.kind = EXEC_ERROR_TOO_LARGE};
        size_t size;

        /* each encoder's line decodes to what it was given */
        CHECK(worker_frame_ready_format(0.2134567, true, &line, &size) == 0);
        CHECK(line && size > 0 && line[size - 1] == '\n');
        CHECK(line &&
              line_is(line, size,
                      "{\"ready\":true,\"version\":1,\"prepare_ms\":0.213,\"reset\":true}\n"));
        CHECK(worker_frame_parse(line, size, &f) == 0);
        CHECK(f.type == WORKER_FRAME_READY && f.prepare_ms == 0.213 && f.reset);
        worker_frame_done(&f);
        free(TAKE_PTR(line));

        CHECK(worker_frame_output_format(2, "a\0\xff", 3, &line, &size) == 0);
        CHECK(worker_frame_parse(line, size, &f) == 0);
        CHECK(f.type == WORKER_FRAME_OUTPUT && f.output_fd == 2 && f.output_size == 5 &&
              memcmp(f.output_data, "a\0" FFFD, 5) == 0);
        CHECK(worker_frame_output_format(3, "x", 1, &line, &size) == -EINVAL);
        worker_frame_done(&f);
        free(TAKE_PTR(line));

        strcpy(e.field, "code");
        strcpy(e.message, "too big");
        CHECK(worker_frame_error_format(&e, &line, &size) == 0);
        CHECK(worker_frame_parse(line, size, &f) == 0);
        CHECK(f.type == WORKER_FRAME_ERROR &&
              json_integer_value(json_object_get(f.error, "code")) == EXEC_JSONRPC_TOO_LARGE);
        worker_frame_done(&f);
        free(TAKE_PTR(line));

        r.language = EXEC_LANGUAGE_PYTHON;
        r.exit_code = 3;
        CHECK(worker_frame_result_format(&r, &line, &size) == 0);
        CHECK(worker_frame_parse(line, size, &f) == 0);
        CHECK(f.type == WORKER_FRAME_RESULT && f.result.exit_code == 3 &&
              f.result.language == EXEC_LANGUAGE_PYTHON);
        worker_frame_done(&f);
        CHECK(f.type == _WORKER_FRAME_TYPE_INVALID && !f.json && !f.error);

        /* what the daemon refuses from a worker */
        static const char *const refused[] = {
                "",
                "[]",
                "\"ready\"",
                "{}",
                "{\"ready\":true}",
                "{\"ready\":false,\"version\":1,\"prepare_ms\":1,\"reset\":false}",
                "{\"ready\":true,\"version\":1,\"prepare_ms\":-1,\"reset\":false}",
                "{\"ready\":true,\"version\":1,\"prepare_ms\":\"1\",\"reset\":false}",
                "{\"ready\":true,\"version\":1,\"prepare_ms\":1,\"reset\":0}",
                "{\"ready\":true,\"version\":1,\"prepare_ms\":1,\"reset\":false,\"x\":1}",
                "{\"ready\":true,\"restore_ms\":1,\"reset\":false}",
                "{\"output\":{\"stream\":\"stdin\",\"data\":\"\"}}",
                "{\"output\":{\"stream\":\"stdout\"}}",
                "{\"output\":{\"stream\":\"stdout\",\"data\":1}}",
                "{\"output\":{\"stream\":\"stdout\",\"data\":\"\",\"more\":1}}",
                "{\"output\":{\"stream\":\"stdout\",\"data\":\"\"},\"exit_code\":0}",
                "{\"output\":\"stdout\"}",
                "{\"error\":{\"code\":\"-32602\",\"message\":\"m\"}}",
                "{\"error\":{\"code\":-32602}}",
                "{\"error\":{\"code\":-32602,\"message\":\"m\",\"data\":[]}}",
                "{\"error\":{\"code\":-32602,\"message\":\"m\",\"extra\":1}}",
                "{\"error\":null}",
                "{\"exit_code\":0,\"stdout\":\"\",\"timing\":{}}",
                "{\"ready\":true,\"ready\":true,\"version\":1,\"prepare_ms\":1,\"reset\":false}",
        };
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                CHECK_AT(__FILE__, __LINE__, parse_frame(refused[i], &f) == -EINVAL, "case %zu: %s",
                         i, refused[i]);
                CHECK_AT(__FILE__, __LINE__, f.type == _WORKER_FRAME_TYPE_INVALID && !f.json,
                         "case %zu", i);
        }
        CHECK(parse_frame("{\"ready\":true,\"version\":2,\"prepare_ms\":1,\"reset\":false}", &f) ==
              -EPROTONOSUPPORT);
}

static void test_worker_requests(void) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(json_decrefp) json_t *params = load("{\"language\":\"js\",\"code\":\"1\"}");
        _cleanup_free_ char *line = NULL;
        ProtocolError e;
        size_t size;

        CHECK(params && worker_request_format(params, &line, &size) == 0);
        CHECK(line && line_is(line, size, "{\"language\":\"js\",\"code\":\"1\"}\n"));
        CHECK(line && worker_request_parse(line, size, &req, &e) == 0);
        CHECK(req.language == EXEC_LANGUAGE_JAVASCRIPT && strcmp(req.code.data, "1") == 0);

        /* not JSON: an invalid_params error whose message is printable whatever the bytes */
        CHECK(worker_request_parse("{\"code\":\"\x01\xff", 10, &req, &e) == -EINVAL);
        CHECK(e.kind == EXEC_ERROR_INVALID_PARAMS && strncmp(e.message, "malformed JSON", 14) == 0);
        for (const char *s = e.message; *s; s++)
                CHECK(*s >= 0x20 && *s < 0x7f);
        CHECK(req.language == _EXEC_LANGUAGE_INVALID && !req.code.data);
        /* a key twice */
        CHECK(worker_request_parse("{\"code\":\"1\",\"code\":\"2\",\"language\":\"py\"}", 39, &req,
                                   &e) == -EINVAL);
        /* valid JSON, invalid params: exec_request_from_json()'s verdict */
        CHECK(worker_request_parse("{\"language\":\"cobol\",\"code\":\"1\"}", 31, &req, &e) ==
              -EOPNOTSUPP);
        CHECK(e.kind == EXEC_ERROR_UNSUPPORTED_LANGUAGE && strcmp(e.field, "language") == 0);
}

int main(void) {
        test_languages();
        test_request_minimal();
        test_request_full();
        test_request_nulls_are_defaults();
        test_request_env_array();
        test_request_types();
        test_request_unknown_fields();
        test_request_language();
        test_request_nul();
        test_request_env_rules();
        test_limits();
        test_request_struct();
        test_request_round_trip();
        test_utf8_cases();
        test_utf8_exhaustive();
        test_signal_name();
        test_result_encoding();
        test_result_output_cap();
        test_error_json();
        test_result_decode_round_trip();
        test_result_decode_hostile();
        test_signal_from_name();
        test_worker_frames();
        test_worker_requests();

        printf("test-protocol: %u checks, %u failed\n", checks, failures);
        return failures == 0 ? 0 : 1;
}

/* SPDX-License-Identifier: MIT */
/* sandboxctl: the command-line client of sandboxd (DESIGN.md §3). One function per verb, found in
 * the verb table; main() only parses the global options and dispatches.
 *
 * Exit status (documented in sandboxctl.1; keep the two in step):
 *   exec: the program's own exit code, 124 timed out, 125 memory limit hit (and the program
 *         failed), 128+N killed by signal N, 126 the request was refused or failed, 127 no daemon;
 *   every verb: 2 bad usage (including input refused before sending), 126, 127 as above;
 *   health: 0 when the daemon says "ok", 1 when it is degraded or stopping.
 * Verbs return the exit status themselves: the helpers below return -errno and the verb, which
 * knows what failed, logs once and picks the status. */

#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <strings.h>
#include <unistd.h>

#include "client.h"
#include "exec-codec.h"
#include "jsonrpc.h"
#include "log.h"
#include "utf8.h"

#ifndef PROJECT_VERSION
#define PROJECT_VERSION "unknown"
#endif

enum {
        EXIT_USAGE = 2,         /* as most command-line tools do */
        EXIT_TIMED_OUT = 124,   /* as timeout(1) */
        EXIT_MEMORY = 125,      /* the program failed after an allocation was refused */
        EXIT_REQUEST = 126,     /* the daemon refused or failed the request, or we could not */
        EXIT_NO_DAEMON = 127,   /* nothing to talk to at the socket */
        EXIT_SIGNAL_BASE = 128, /* + N: killed by signal N, as shells report it */
};

static const char *arg_socket = NULL;
static bool arg_json = false;
static bool arg_quiet = false;

/* Options every verb accepts, before or after its name. */
enum {
        ARG_VERSION = 0x100,
        ARG_JSON,
        ARG_SOCKET,
        ARG_STDIN_FILE,
        ARG_ARG,
        ARG_ENV,
        ARG_CWD,
        ARG_TIMEOUT_MS,
        ARG_MEMORY_MB,
        ARG_MAX_OUTPUT_BYTES,
        ARG_STREAM,
};

/* clang-format off */
#define COMMON_LONG_OPTIONS                                     \
        {"help", no_argument, NULL, 'h'},                       \
        {"socket", required_argument, NULL, ARG_SOCKET},        \
        {"json", no_argument, NULL, ARG_JSON},                  \
        {"quiet", no_argument, NULL, 'q'}
/* clang-format on */

/* ---- helpers -------------------------------------------------------------------------------- */

static void usage(FILE *f) {
        fprintf(f,
                "Usage: sandboxctl [OPTIONS] VERB [VERB OPTIONS]\n"
                "\n"
                "Run code in sandboxd's micro-VMs and query the daemon.\n"
                "\n"
                "Verbs:\n"
                "  exec --lang LANG (--code CODE | --file FILE | -)\n"
                "                        Run a program and relay its output and exit status\n"
                "  languages             List the languages the daemon runs\n"
                "  stats                 Show the daemon's counters\n"
                "  health                Show whether the daemon is healthy\n"
                "\n"
                "Options (before or after the verb):\n"
                "  -s --socket PATH      Daemon socket (default: $" CLIENT_SOCKET_ENV
                ", else " CLIENT_DEFAULT_SOCKET ")\n"
                "     --json             Print the daemon's answer as one line of JSON\n"
                "  -q --quiet            No notes from sandboxctl itself on stderr\n"
                "  -h --help             Show this help\n"
                "     --version          Show the version\n"
                "\n"
                "exec options:\n"
                "  -l --lang LANG        Language name or alias (python, py, javascript, js, ...)\n"
                "  -c --code CODE        The program text\n"
                "  -f --file FILE        Read the program from FILE and run it as that script\n"
                "  -                     Read the program from standard input\n"
                "     --stdin-file FILE  Feed FILE (- for standard input) to the program's stdin\n"
                "                        (default with -c/-f: standard input unless a terminal)\n"
                "     --arg ARG          Append ARG to the program's arguments (repeatable)\n"
                "     --env KEY=VALUE    Set an environment variable (repeatable)\n"
                "     --cwd DIR          Working directory inside the sandbox\n"
                "     --timeout-ms N     Wall-clock limit (default %" PRIu64 ")\n"
                "     --memory-mb N      Guest memory limit (default %" PRIu64 ")\n"
                "     --max-output-bytes N\n"
                "                        Cap on stdout+stderr together (default %" PRIu64 ")\n"
                "     --stream           Print output as it arrives\n"
                "\n"
                "exec exits with the program's exit code; 124 timed out, 125 memory limit\n"
                "hit, 128+N killed by signal N. Every verb: 2 bad usage, 126 request\n"
                "refused or failed, 127 could not connect to the daemon. See sandboxctl(1).\n",
                EXEC_TIMEOUT_MS_DEFAULT, EXEC_MEMORY_MB_DEFAULT, EXEC_MAX_OUTPUT_BYTES_DEFAULT);
}

static int usage_error(const char *format, ...) _printf_(1, 2);
static int usage_error(const char *format, ...) {
        char buf[512];
        va_list ap;

        va_start(ap, format);
        vsnprintf(buf, sizeof buf, format, ap);
        va_end(ap);
        log_error("%s", buf);
        fputs("Try 'sandboxctl --help' for more information.\n", stderr);
        return EXIT_USAGE;
}

/* Handles an option every verb shares (but --help, which ends the run). Returns 1 if `c` was one,
 * 0 if not, -EINVAL after reporting a bad value. */
static int parse_common_option(int c, const char *value) {
        switch (c) {
        case 's':
        case ARG_SOCKET:
                if (!*value) {
                        usage_error("--socket needs a path");
                        return -EINVAL;
                }
                arg_socket = value;
                return 1;
        case ARG_JSON:
                arg_json = true;
                return 1;
        case 'q':
                arg_quiet = true;
                return 1;
        default:
                return 0;
        }
}

/* Reports getopt's '?' and ':' for argv[optind - 1]. */
static int getopt_error(int c, char *argv[]) {
        const char *opt = argv[optind - 1];

        if (c == ':')
                return usage_error("Option %s needs an argument", opt);
        if (optopt && optopt < 0x100)
                return usage_error("Unknown option -%c", optopt);
        return usage_error("Unknown option %s", opt);
}

static int parse_u64(const char *s, uint64_t *ret) {
        unsigned long long v;
        char *end;

        if (!s || *s < '0' || *s > '9') /* strtoull takes "-1" and " 1": we do not */
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (*end)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* Returns 0, or -EINVAL after reporting the usage error. */
static int parse_u64_option(const char *name, const char *value, uint64_t *ret) {
        if (parse_u64(value, ret) < 0) {
                usage_error("%s takes a non-negative integer, not '%s'", name, value);
                return -EINVAL;
        }
        return 0;
}

/* Reads all of fd, refusing more than `max` bytes with -EFBIG. *ret is NUL-terminated. */
static int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;

        for (;;) {
                ssize_t n;

                if (allocated - size < 2) {
                        size_t want = MAX(allocated * 2, (size_t)64 * 1024);
                        char *p;

                        /* One byte past `max` is enough to tell "too big". */
                        want = MIN(want, max + 2);
                        if (want <= allocated)
                                return -EFBIG;
                        p = realloc(buf, want);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        allocated = want;
                }
                n = read(fd, buf + size, allocated - size - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                size += (size_t)n;
                if (size > max)
                        return -EFBIG;
        }
        if (!buf) {
                buf = malloc(1);
                if (!buf)
                        return -ENOMEM;
        }
        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

/* Reads a whole file ("-" for stdin), logging what went wrong. Returns 0 or an exit status. */
static int read_input(const char *what, const char *path, size_t max, char **ret,
                      size_t *ret_size) {
        _cleanup_close_ int fd = -1;
        int r;

        if (strcmp(path, "-") != 0) {
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0) {
                        log_error_errno(errno, "Failed to open %s %s: %m", what, path);
                        return EXIT_USAGE;
                }
        }
        r = read_full_fd(fd >= 0 ? fd : STDIN_FILENO, max, ret, ret_size);
        if (r == -EFBIG) {
                log_error("The %s %s is larger than the limit of %zu bytes.", what,
                          fd >= 0 ? path : "from standard input", max);
                return EXIT_USAGE;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to read %s %s: %m", what,
                                fd >= 0 ? path : "from standard input");
                return EXIT_USAGE;
        }
        return 0;
}

static int write_all(int fd, const char *data, size_t size) {
        while (size > 0) {
                ssize_t n = write(fd, data, size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                data += n;
                size -= (size_t)n;
        }
        return 0;
}

/* Writes a JSON string's bytes (NULs included) to fd. Non-strings write nothing. */
static int write_json_string(int fd, const json_t *s) {
        if (!json_is_string(s))
                return 0;
        return write_all(fd, json_string_value(s), json_string_length(s));
}

/* One line of compact JSON on stdout. */
static int print_json_line(const json_t *v) {
        _cleanup_free_ char *text = json_dumps(v, JSON_ENCODE_ANY | EXEC_JSON_DUMP_FLAGS);
        size_t len;

        if (!text)
                return -ENOMEM;
        len = strlen(text);
        /* stdio would do, but output notifications go out with write(2): keep one path so the
         * two can't be reordered by a stdio buffer. */
        text[len] = '\n';
        return write_all(STDOUT_FILENO, text, len + 1);
}

/* With --json, an error is also one line on stdout, {"error": {"code", "message", "data"}}, for
 * scripts that read only that: the daemon's own error object, or one made here for a daemon that
 * could not be reached (code null: no JSON-RPC exchange took place). */
static void print_json_error(json_t *error) {
        json_auto_t *line = error ? json_pack("{sO}", "error", error) : NULL;

        if (line)
                (void)print_json_line(line);
}

static void print_json_local_error(const char *kind, const char *format, ...) _printf_(2, 3);
static void print_json_local_error(const char *kind, const char *format, ...) {
        char message[512];
        json_auto_t *error = NULL;
        va_list ap;

        if (!arg_json)
                return;
        va_start(ap, format);
        vsnprintf(message, sizeof message, format, ap);
        va_end(ap);
        error = json_pack("{s:n, s:s, s:{s:s}}", "code", "message", message, "data", "kind", kind);
        print_json_error(error);
}

static int connect_daemon(Client **ret) {
        const char *path = arg_socket ?: client_default_socket();
        int r = client_connect(path, ret);

        if (r < 0) {
                print_json_local_error("no_daemon", "Failed to connect to sandboxd at %s: %s", path,
                                       strerror(-r));
                return log_error_errno(r, "Failed to connect to sandboxd at %s: %m", path);
        }
        return 0;
}

/* Logs a JSON-RPC error object from the daemon. */
static void log_daemon_error(const char *method, const json_t *error) {
        json_t *data = json_object_get(error, "data");
        const char *kind = json_string_value(json_object_get(data, "kind"));
        const char *field = json_string_value(json_object_get(data, "field"));

        log_error("sandboxd refused %s: %s (error %d%s%s%s%s)", method, client_error_message(error),
                  client_error_code(error), kind ? ", " : "", kind ?: "", field ? ", field " : "",
                  field ?: "");
}

/* The call every verb makes: connect, send, wait. Returns 0 with *ret_result, or an exit status
 * (127 no daemon, 126 refused or failed), already logged. */
static int call_daemon(const char *method, json_t *params, ClientNotificationHandler handler,
                       void *userdata, json_t **ret_result) {
        _cleanup_(client_freep) Client *client = NULL;
        json_auto_t *error = NULL;
        int r;

        if (connect_daemon(&client) < 0)
                return EXIT_NO_DAEMON;

        r = client_call(client, method, params, handler, userdata, ret_result, &error);
        if (r == -ECONNRESET) {
                print_json_local_error("connection_closed",
                                       "sandboxd closed the connection before answering %s",
                                       method);
                log_error("sandboxd closed the connection before answering %s.", method);
                return EXIT_REQUEST;
        }
        if (r < 0) {
                print_json_local_error("call_failed", "Failed to call %s: %s", method,
                                       strerror(-r));
                log_error_errno(r, "Failed to call %s: %m", method);
                return EXIT_REQUEST;
        }
        if (error) {
                if (arg_json)
                        print_json_error(error);
                log_daemon_error(method, error);
                return EXIT_REQUEST;
        }
        return 0;
}

/* ---- human output for languages/stats/health ------------------------------------------------- */

/* A scalar as text: strings bare, the rest as JSON. */
static char *scalar_to_text(const json_t *v) {
        if (json_is_string(v))
                return strdup(json_string_value(v));
        return json_dumps(v, JSON_ENCODE_ANY | EXEC_JSON_DUMP_FLAGS);
}

static bool object_is_flat(const json_t *o) {
        const char *key;
        json_t *v;

        json_object_foreach((json_t *)o, key, v) {
                if (json_is_object(v) || json_is_array(v))
                        return false;
        }
        return true;
}

/* An object of scalars as one "- key=value key=value" line. */
static int print_flat_object(const json_t *o, unsigned indent) {
        const char *key;
        json_t *v;

        printf("%*s-", (int)indent, "");
        json_object_foreach((json_t *)o, key, v) {
                _cleanup_free_ char *t = scalar_to_text(v);

                if (!t)
                        return -ENOMEM;
                printf(" %s=%s", key, t);
        }
        putchar('\n');
        return 0;
}

/* An object as indented "key: value" lines, nested objects one level deeper. Arrays of scalars
 * are joined with ", ", arrays of flat objects (records) are one "- key=value ..." line per
 * record; anything else is shown as JSON. */
static int print_object(const json_t *o, unsigned indent) {
        const char *key;
        json_t *v;

        json_object_foreach((json_t *)o, key, v) {
                if (json_is_object(v)) {
                        printf("%*s%s:\n", (int)indent, "", key);
                        if (print_object(v, indent + 2) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (json_is_array(v)) {
                        size_t i;
                        json_t *e;
                        bool all_scalars = true, all_flat_objects = json_array_size(v) > 0;

                        json_array_foreach(v, i, e) {
                                if (json_is_object(e) || json_is_array(e))
                                        all_scalars = false;
                                if (!json_is_object(e) || !object_is_flat(e))
                                        all_flat_objects = false;
                        }
                        if (all_flat_objects) {
                                /* A list of records (a pool's workers): one line each. */
                                printf("%*s%s:\n", (int)indent, "", key);
                                json_array_foreach(v, i, e) {
                                        if (print_flat_object(e, indent + 2) < 0)
                                                return -ENOMEM;
                                }
                                continue;
                        }
                        printf("%*s%s:", (int)indent, "", key);
                        json_array_foreach(v, i, e) {
                                _cleanup_free_ char *t = all_scalars ? scalar_to_text(e)
                                                                     : json_dumps(e, JSON_COMPACT);
                                if (!t)
                                        return -ENOMEM;
                                printf("%s%s", i == 0 ? " " : all_scalars ? ", " : " ", t);
                        }
                        putchar('\n');
                        continue;
                }
                _cleanup_free_ char *t = scalar_to_text(v);
                if (!t)
                        return -ENOMEM;
                printf("%*s%s: %s\n", (int)indent, "", key, t);
        }
        return 0;
}

/* Prints a result: --json as one line, else through `human`. Returns an exit status. */
static int print_result(const json_t *result, int (*human)(const json_t *result)) {
        int r = arg_json || !human ? print_json_line(result) : human(result);

        if (r < 0) {
                log_error_errno(r, "Failed to print the answer: %m");
                return EXIT_REQUEST;
        }
        if (fflush(stdout) != 0) {
                log_error_errno(errno, "Failed to write to standard output: %m");
                return EXIT_REQUEST;
        }
        return EXIT_SUCCESS;
}

/* Parses a verb that takes only the common options. Returns -1 to go on, or an exit status. */
static int parse_simple_verb(int argc, char *argv[]) {
        static const struct option options[] = {COMMON_LONG_OPTIONS, {}};
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+:hs:q", options, NULL)) >= 0) {
                if (c == 'h') {
                        usage(stdout);
                        return EXIT_SUCCESS;
                }
                r = parse_common_option(c, optarg);
                if (r < 0)
                        return EXIT_USAGE;
                if (r == 0)
                        return getopt_error(c, argv);
        }
        if (optind < argc)
                return usage_error("%s takes no arguments, got '%s'", argv[0], argv[optind]);
        return -1;
}

/* ---- verbs ------------------------------------------------------------------------------------
 */

static int languages_print(const json_t *result) {
        json_t *list = json_object_get(result, "languages"), *lang;
        size_t i;

        if (!json_is_array(list)) {
                log_error("sandboxd's answer has no list of languages.");
                return -EBADMSG;
        }
        printf("%-12s %-10s %-6s %-20s %s\n", "LANGUAGE", "VERSION", "READY", "ALIASES", "POOL");
        json_array_foreach(list, i, lang) {
                const char *name = json_string_value(json_object_get(lang, "name"));
                const char *version = json_string_value(json_object_get(lang, "runtime_version"));
                json_t *ready = json_object_get(lang, "ready");
                json_t *aliases = json_object_get(lang, "aliases"), *a, *v;
                json_t *pool = json_object_get(lang, "pool");
                char alias_text[256] = "";
                const char *key;
                size_t j, used = 0;

                /* snprintf() counts what did not fit too: past the end, stop appending. */
                json_array_foreach(aliases, j, a) {
                        if (json_is_string(a) && used < sizeof alias_text)
                                used += (size_t)snprintf(alias_text + used,
                                                         sizeof alias_text - used, "%s%s",
                                                         j ? ", " : "", json_string_value(a));
                }
                printf("%-12s %-10s %-6s %-20s", name ?: "?", version ?: "-",
                       json_is_boolean(ready) ? (json_is_true(ready) ? "yes" : "no") : "-",
                       *alias_text ? alias_text : "-");
                /* The pool's figures on one line: a list (its workers) by its length, nested
                 * detail left to --json. */
                json_object_foreach(pool, key, v) {
                        _cleanup_free_ char *t = NULL;

                        if (json_is_array(v)) {
                                printf(" %s=%zu", key, json_array_size(v));
                                continue;
                        }
                        if (json_is_object(v))
                                continue;
                        t = scalar_to_text(v);
                        if (!t)
                                return -ENOMEM;
                        printf(" %s=%s", key, t);
                }
                putchar('\n');
        }
        return 0;
}

static int stats_print(const json_t *result) {
        return print_object(result, 0);
}

/* A verb that takes no arguments of its own: call `method`, print its result with `printer`.
 * The result is handed back (owned by the caller) for verbs that look into it. */
static int run_simple_verb(int argc, char *argv[], const char *method,
                           int (*printer)(const json_t *), json_t **ret_result) {
        json_auto_t *result = NULL;
        int r;

        r = parse_simple_verb(argc, argv);
        if (r >= 0)
                return r;
        r = call_daemon(method, NULL, NULL, NULL, &result);
        if (r > 0)
                return r;
        r = print_result(result, printer);
        if (ret_result)
                *ret_result = json_incref(result);
        return r;
}

static int verb_languages(int argc, char *argv[]) {
        return run_simple_verb(argc, argv, "languages", languages_print, NULL);
}

static int verb_stats(int argc, char *argv[]) {
        return run_simple_verb(argc, argv, "stats", stats_print, NULL);
}

static int verb_health(int argc, char *argv[]) {
        json_auto_t *result = NULL;
        const char *status;
        int r;

        r = run_simple_verb(argc, argv, "health", stats_print, &result);
        if (r != EXIT_SUCCESS || !result)
                return r;
        /* Like `systemctl is-active`: scripts can test the status without parsing it. */
        status = json_string_value(json_object_get(result, "status"));
        return status && strcmp(status, "ok") == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---- exec --------------------------------------------------------------------------------- */

typedef struct ExecOutput {
        bool streamed; /* at least one output notification arrived */
        int error;     /* first failure writing our own stdout/stderr */
} ExecOutput;

static int exec_on_notification(Client *client, const char *method, json_t *params,
                                void *userdata) {
        ExecOutput *out = userdata;
        const char *stream = json_string_value(json_object_get(params, "stream"));
        json_t *data = json_object_get(params, "data");
        int fd, r;

        /* One request is in flight on this connection, so every output notification is its. */
        if (strcmp(method, JSONRPC_OUTPUT_METHOD) != 0 || !stream || !json_is_string(data))
                return 0;
        if (strcmp(stream, "stdout") == 0)
                fd = STDOUT_FILENO;
        else if (strcmp(stream, "stderr") == 0)
                fd = STDERR_FILENO;
        else
                return 0;

        out->streamed = true;
        r = arg_json ? print_json_line(params) : write_json_string(fd, data);
        if (r < 0 && out->error == 0)
                out->error = r;
        return 0;
}

/* The exit status that stands for an execute result; notes what it means (log_notice: on stderr,
 * after the program's own output) unless --quiet or --json. */
static int exec_exit_status(const ExecResult *result, const ExecRequest *req) {
        bool notes = !arg_quiet && !arg_json;

        if (notes && result->truncated)
                log_notice("Output truncated at %" PRIu64 " bytes.", req->max_output_bytes);
        if (result->timed_out) {
                if (notes)
                        log_notice("Stopped at the time limit of %" PRIu64 " ms.", req->timeout_ms);
                return EXIT_TIMED_OUT;
        }
        /* A program that met a refused allocation and still exited 0 coped with it: its status
         * stands. One that failed most likely failed of it (PROTOCOL.md §3: MemoryError, exit 1).
         */
        if (result->memory_limit_hit && result->exit_code != 0) {
                if (notes)
                        log_notice("The program hit its memory limit of %" PRIu64 " MiB.",
                                   req->memory_mb);
                return EXIT_MEMORY;
        }
        if (result->signal > 0) {
                if (result->signal >= 128) {
                        log_error("sandboxd reported signal %d, which no exit status can carry.",
                                  result->signal);
                        return EXIT_REQUEST;
                }
                if (notes) {
                        const char *name = signal_name(result->signal);

                        if (name)
                                log_notice("The program was killed by %s.", name);
                        else
                                log_notice("The program was killed by SIG%d.", result->signal);
                }
                return EXIT_SIGNAL_BASE + result->signal;
        }
        if (result->exit_code < 0) {
                log_error("sandboxd's result has neither an exit code nor a signal.");
                return EXIT_REQUEST;
        }
        return result->exit_code;
}

/* The script name for -f PATH: its last component, when it makes a valid name (a path ending in
 * '/' or a name that isn't UTF-8 runs as -c/-e would). */
static int set_script_name(ExecRequest *req, const char *path) {
        const char *slash = strrchr(path, '/');
        const char *name = slash ? slash + 1 : path;
        size_t len = strlen(name);

        if (len == 0 || len > EXEC_SCRIPT_NAME_BYTES_MAX || !utf8_is_valid(name, len) ||
            strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return 0;
        return exec_request_set_script_name(req, name);
}

static int verb_exec(int argc, char *argv[]) {
        static const struct option options[] = {
                COMMON_LONG_OPTIONS,
                {"lang", required_argument, NULL, 'l'},
                {"language", required_argument, NULL, 'l'},
                {"code", required_argument, NULL, 'c'},
                {"file", required_argument, NULL, 'f'},
                {"stdin-file", required_argument, NULL, ARG_STDIN_FILE},
                {"arg", required_argument, NULL, ARG_ARG},
                {"env", required_argument, NULL, ARG_ENV},
                {"cwd", required_argument, NULL, ARG_CWD},
                {"timeout-ms", required_argument, NULL, ARG_TIMEOUT_MS},
                {"memory-mb", required_argument, NULL, ARG_MEMORY_MB},
                {"max-output-bytes", required_argument, NULL, ARG_MAX_OUTPUT_BYTES},
                {"stream", no_argument, NULL, ARG_STREAM},
                {},
        };
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(exec_result_done) ExecResult res = EXEC_RESULT_INIT;
        _cleanup_free_ char *code = NULL, *stdin_data = NULL;
        const char *lang = NULL, *code_arg = NULL, *file = NULL, *stdin_file = NULL;
        size_t code_size = 0, stdin_size = 0;
        json_auto_t *params = NULL, *result = NULL, *lang_json = NULL;
        ExecOutput out = {};
        ProtocolError perr = {};
        int c, r, sources, decoded;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":hs:ql:c:f:", options, NULL)) >= 0) {
                if (c == 'h') {
                        usage(stdout);
                        return EXIT_SUCCESS;
                }
                r = parse_common_option(c, optarg);
                if (r < 0)
                        return EXIT_USAGE;
                if (r > 0)
                        continue;

                switch (c) {
                case 'l':
                        lang = optarg;
                        break;
                case 'c':
                        code_arg = optarg;
                        break;
                case 'f':
                        file = optarg;
                        break;
                case ARG_STDIN_FILE:
                        stdin_file = optarg;
                        break;
                case ARG_ARG:
                        if (exec_request_add_arg(&req, optarg) < 0)
                                return log_oom(), EXIT_REQUEST;
                        break;
                case ARG_ENV:
                        /* The key's rules (no '=', non-empty) are checked by validation below;
                         * without any '=' there is no key at all. */
                        if (!strchr(optarg, '='))
                                return usage_error("--env takes KEY=VALUE, not '%s'", optarg);
                        if (exec_request_add_env_assignment(&req, optarg) < 0)
                                return log_oom(), EXIT_REQUEST;
                        break;
                case ARG_CWD:
                        if (exec_request_set_cwd(&req, optarg) < 0)
                                return log_oom(), EXIT_REQUEST;
                        break;
                case ARG_TIMEOUT_MS:
                        if (parse_u64_option("--timeout-ms", optarg, &req.timeout_ms) < 0)
                                return EXIT_USAGE;
                        break;
                case ARG_MEMORY_MB:
                        if (parse_u64_option("--memory-mb", optarg, &req.memory_mb) < 0)
                                return EXIT_USAGE;
                        break;
                case ARG_MAX_OUTPUT_BYTES:
                        if (parse_u64_option("--max-output-bytes", optarg, &req.max_output_bytes) <
                            0)
                                return EXIT_USAGE;
                        break;
                case ARG_STREAM:
                        req.stream = true;
                        break;
                default:
                        return getopt_error(c, argv);
                }
        }

        bool from_stdin = false;
        for (int i = optind; i < argc; i++) {
                if (strcmp(argv[i], "-") != 0 || from_stdin)
                        return usage_error("Unexpected argument '%s' (program arguments go in "
                                           "--arg)",
                                           argv[i]);
                from_stdin = true;
        }

        if (!lang)
                return usage_error("exec needs --lang");
        sources = !!code_arg + !!file + from_stdin;
        if (sources != 1)
                return usage_error(sources == 0
                                           ? "exec needs the program: --code CODE, --file FILE "
                                             "or - (standard input)"
                                           : "Give the program only once: --code, --file or -");
        if (from_stdin && stdin_file && strcmp(stdin_file, "-") == 0)
                return usage_error("Standard input can't be both the program and its input");
        /* As an interpreter gives its program the shell's stdin: `echo Bob | sandboxctl exec
         * -c 'print(input())'`. Not a terminal, which would wait for typing nobody expects,
         * nor when stdin is closed. */
        if (!stdin_file && !from_stdin && fcntl(STDIN_FILENO, F_GETFD) >= 0 &&
            !isatty(STDIN_FILENO))
                stdin_file = "-";

        if (code_arg) {
                r = exec_request_set_code(&req, code_arg, strlen(code_arg));
                if (r < 0)
                        return log_oom(), EXIT_REQUEST;
        } else {
                r = read_input("program", file ?: "-", EXEC_CODE_BYTES_MAX, &code, &code_size);
                if (r != 0)
                        return r;
                if (exec_request_set_code(&req, code, code_size) < 0)
                        return log_oom(), EXIT_REQUEST;
                /* `python3 script.py`, not `python3 -c`: the program sees its name. Only the
                 * name: the host's directories mean nothing in the sandbox. */
                if (file && strcmp(file, "-") != 0 && set_script_name(&req, file) < 0)
                        return log_oom(), EXIT_REQUEST;
        }
        if (stdin_file) {
                r = read_input("stdin file", stdin_file, EXEC_STDIN_BYTES_MAX, &stdin_data,
                               &stdin_size);
                if (r != 0)
                        return r;
                if (exec_request_set_stdin(&req, stdin_data, stdin_size) < 0)
                        return log_oom(), EXIT_REQUEST;
        }

        /* The daemon is the judge of language names: it may run languages this build has not
         * heard of. Everything else is checked here against the protocol's ceilings, which a
         * daemon may lower but never raise (PROTOCOL.md §3), so a request refused here would be
         * refused there too; validate with a stand-in when the name is not one we know. */
        req.language = exec_language_from_string(lang);
        if (req.language < 0)
                req.language = EXEC_LANGUAGE_PYTHON;
        r = exec_request_validate(&req, &perr);
        if (r < 0)
                return usage_error("%s", perr.message);

        r = exec_request_to_json(&req, &params);
        if (r == -EILSEQ)
                return usage_error("The program, its input, arguments and environment must be "
                                   "UTF-8: JSON can carry nothing else");
        if (r < 0)
                return log_error_errno(r, "Failed to encode the request: %m"), EXIT_REQUEST;
        lang_json = json_string(lang);
        if (!lang_json)
                return usage_error("--lang must be UTF-8");
        if (json_object_set(params, "language", lang_json) < 0)
                return log_oom(), EXIT_REQUEST;

        r = call_daemon("execute", params, req.stream ? exec_on_notification : NULL, &out, &result);
        if (r > 0)
                return r;
        decoded = exec_result_from_json(result, &res);

        if (arg_json)
                r = print_json_line(result);
        else if (out.streamed || decoded < 0)
                r = out.error;
        else {
                /* Without --stream (or from a daemon that ignored it) the output comes in the
                 * result: stdout first, then stderr, each exactly as the daemon sent it. */
                r = write_all(STDOUT_FILENO, res.stdout_buf.data ?: "", res.stdout_buf.size);
                if (r >= 0)
                        r = write_all(STDERR_FILENO, res.stderr_buf.data ?: "",
                                      res.stderr_buf.size);
        }
        if (r < 0) {
                log_error_errno(r, "Failed to write the program's output: %m");
                return EXIT_REQUEST;
        }
        if (decoded == -ENOMEM)
                return log_oom(), EXIT_REQUEST;
        if (decoded < 0) {
                log_error("sandboxd's result does not have the shape of PROTOCOL.md §4.");
                return EXIT_REQUEST;
        }

        return exec_exit_status(&res, &req);
}

/* ---- main ------------------------------------------------------------------------------------ */

typedef struct Verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
} Verb;

static const Verb verbs[] = {
        {"exec", verb_exec},
        {"languages", verb_languages},
        {"stats", verb_stats},
        {"health", verb_health},
};

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                COMMON_LONG_OPTIONS,
                {"version", no_argument, NULL, ARG_VERSION},
                {},
        };
        int c, r;

        log_set_program("sandboxctl");

        /* '+': stop at the verb; what follows is the verb's to parse. */
        while ((c = getopt_long(argc, argv, "+:hs:q", options, NULL)) >= 0) {
                if (c == 'h') {
                        usage(stdout);
                        return EXIT_SUCCESS;
                }
                r = parse_common_option(c, optarg);
                if (r < 0)
                        return EXIT_USAGE;
                if (r > 0)
                        continue;
                if (c == ARG_VERSION) {
                        printf("sandboxctl %s (protocol %d)\n", PROJECT_VERSION,
                               EXEC_PROTOCOL_VERSION);
                        return EXIT_SUCCESS;
                }
                return getopt_error(c, argv);
        }

        if (optind >= argc)
                return usage_error("Missing verb: exec, languages, stats or health");

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(verbs[i].name, argv[optind]) == 0)
                        return verbs[i].run(argc - optind, argv + optind);

        return usage_error("Unknown verb '%s': exec, languages, stats or health", argv[optind]);
}

/* SPDX-License-Identifier: MIT */
/* sandboxd-vm: the per-VM worker, one verb per function (the `verbs` table):
 *
 *   run       one request in a fresh VM (booted cold, or restored with --snapshot); prints the
 *             result as one JSON object (protocol/exec-codec.h)
 *   snapshot  boots the language's runner to its ready point and saves it (--out DIR)
 *   serve     the daemon's pool worker: a VM kept ready, requests and answers in the frames of
 *             protocol/worker-frame.h on stdin and stdout */
#include <fcntl.h>
#include <sched.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec-codec.h"
#include "image.h"
#include "log.h"
#include "macro.h"
#include "run.h"
#include "confine.h"
#include "snapshot.h"
#include "syscall.h"
#include "worker-frame.h"

static const char *arg_image;
static const char *arg_exec_host_file;
static const char *arg_snapshot;
static const char *arg_out;
static bool arg_force;
static bool arg_test_forbidden_syscall;
static bool arg_no_reset;

static void help(FILE *f) {
        fprintf(f, "Usage: sandboxd-vm run --language LANG (--code CODE | --code-file F) [OPTIONS]\n"
               "       sandboxd-vm snapshot --language LANG --out DIR [--force]\n"
               "       sandboxd-vm serve --snapshot DIR [--no-reset]\n"
               "\n"
               "run: runs code in a fresh KVM micro-VM and prints the result as one JSON object.\n"
               "snapshot: boots the language's runner to its ready point and saves it in DIR.\n"
               "serve: the daemon's pool worker, speaking protocol/worker-frame.h on stdin/stdout.\n"
               "\n"
               "  --language LANG          python (also: python3, py) or javascript (js, node)\n"
               "  --code CODE              the program text\n"
               "  --code-file F            read the program text from F\n"
               "  --stdin-file F           the program's standard input (default: empty)\n"
               "  --arg A                  append A to the program's arguments (repeatable)\n"
               "  --env K=V                set an environment variable (repeatable)\n"
               "  --cwd DIR                working directory (default /home/sandbox)\n"
               "  --timeout-ms N           wall-clock limit (default %" PRIu64 ", max %" PRIu64 ")\n"
               "  --memory-mb N            memory limit (default %" PRIu64 ", %" PRIu64 "..%" PRIu64 ")\n"
               "  --max-output-bytes N     stdout+stderr cap (default %" PRIu64 ", max %" PRIu64 ")\n"
               "  --snapshot DIR           restore from this snapshot instead of booting\n"
               "  --no-reset               serve: restore a new VM for every request instead of\n"
               "                           resetting the last one in place\n"
               "  --out DIR                where `snapshot` writes\n"
               "  --force                  snapshot: remake it even when DIR is up to date\n"
               "  --image PATH             the guest image (default: found next to the build or\n"
               "                           installed)\n"
               "  --debug                  log every unimplemented syscall and fault\n"
               "  --trace-syscalls         log every syscall served, with its result\n",
               EXEC_TIMEOUT_MS_DEFAULT, EXEC_TIMEOUT_MS_MAX, EXEC_MEMORY_MB_DEFAULT,
               EXEC_MEMORY_MB_MIN, EXEC_MEMORY_MB_MAX, EXEC_MAX_OUTPUT_BYTES_DEFAULT,
               EXEC_MAX_OUTPUT_BYTES_MAX);
}

static int read_file(const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *data = NULL;
        FILE *f = fopen(path, "re");
        size_t n = 0;

        if (!f)
                return log_error_errno(errno, "Failed to open %s: %m", path);
        data = malloc(max + 1);
        if (!data) {
                fclose(f);
                return -ENOMEM;
        }
        n = fread(data, 1, max + 1, f);
        if (ferror(f)) {
                fclose(f);
                return log_error_errno(EIO, "Failed to read %s", path);
        }
        fclose(f);
        if (n > max)
                return log_error_errno(E2BIG, "%s is larger than %zu bytes", path, max);
        *ret = TAKE_PTR(data);
        *ret_size = n;
        return 0;
}

static int parse_u64(const char *s, const char *name, uint64_t *ret) {
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-')
                return log_error_errno(EINVAL, "Invalid value for %s: %s", name, s);
        *ret = v;
        return 0;
}

/* The image: --image, else $SANDBOXD_IMAGE, else the build tree's when running from it, else
 * the installed one. */
static const char *find_image(void) {
        static char exe[4096];
        const char *e = getenv("SANDBOXD_IMAGE");
        ssize_t n;

        if (arg_image)
                return arg_image;
        if (e && *e)
                return e;
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0) {
                exe[n] = 0;
                if (strncmp(exe, SANDBOXD_BUILD_ROOT "/", strlen(SANDBOXD_BUILD_ROOT) + 1) == 0 &&
                    access(SANDBOXD_BUILD_IMAGE, R_OK) == 0)
                        return SANDBOXD_BUILD_IMAGE;
        }
        return SANDBOXD_INSTALLED_IMAGE;
}

enum {
        OPT_LANGUAGE = 0x100,
        OPT_CODE,
        OPT_CODE_FILE,
        OPT_STDIN_FILE,
        OPT_ARG,
        OPT_ENV,
        OPT_CWD,
        OPT_TIMEOUT_MS,
        OPT_MEMORY_MB,
        OPT_MAX_OUTPUT,
        OPT_IMAGE,
        OPT_EXEC_HOST_FILE,
        OPT_DEBUG,
        OPT_SNAPSHOT,
        OPT_OUT,
        OPT_FORCE,
        OPT_TEST_FORBIDDEN_SYSCALL,
        OPT_TRACE_SYSCALLS,
        OPT_NO_RESET,
};

/* The options every verb shares; what a verb requires of them is its own check. */
static int parse_args(int argc, char *argv[], ExecRequest *req, bool *ret_have_code) {
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"language", required_argument, NULL, OPT_LANGUAGE},
                {"code", required_argument, NULL, OPT_CODE},
                {"code-file", required_argument, NULL, OPT_CODE_FILE},
                {"stdin-file", required_argument, NULL, OPT_STDIN_FILE},
                {"arg", required_argument, NULL, OPT_ARG},
                {"env", required_argument, NULL, OPT_ENV},
                {"cwd", required_argument, NULL, OPT_CWD},
                {"timeout-ms", required_argument, NULL, OPT_TIMEOUT_MS},
                {"memory-mb", required_argument, NULL, OPT_MEMORY_MB},
                {"max-output-bytes", required_argument, NULL, OPT_MAX_OUTPUT},
                {"image", required_argument, NULL, OPT_IMAGE},
                /* Test-only: run a static host ELF in the VM instead of the interpreter. */
                {"exec-host-file", required_argument, NULL, OPT_EXEC_HOST_FILE},
                {"debug", no_argument, NULL, OPT_DEBUG},
                {"trace-syscalls", no_argument, NULL, OPT_TRACE_SYSCALLS},
                {"no-reset", no_argument, NULL, OPT_NO_RESET},
                {"snapshot", required_argument, NULL, OPT_SNAPSHOT},
                {"out", required_argument, NULL, OPT_OUT},
                {"force", no_argument, NULL, OPT_FORCE},
                /* Test-only: make a call the seccomp filter forbids, once it is in place. */
                {"test-forbidden-syscall", no_argument, NULL, OPT_TEST_FORBIDDEN_SYSCALL},
                {},
        };
        bool have_code = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                _cleanup_free_ char *data = NULL;
                size_t size;

                switch (c) {
                case 'h':
                        help(stdout);
                        exit(EXIT_SUCCESS);
                case OPT_LANGUAGE:
                        req->language = exec_language_from_string(optarg);
                        if (req->language < 0)
                                return log_error_errno(EINVAL, "Unsupported language: %s", optarg);
                        break;
                case OPT_CODE:
                        r = exec_request_set_code(req, optarg, strlen(optarg));
                        if (r < 0)
                                return r;
                        have_code = true;
                        break;
                case OPT_CODE_FILE:
                        r = read_file(optarg, EXEC_CODE_BYTES_MAX, &data, &size);
                        if (r < 0)
                                return r;
                        r = exec_request_set_code(req, data, size);
                        if (r < 0)
                                return r;
                        have_code = true;
                        break;
                case OPT_STDIN_FILE:
                        r = read_file(optarg, EXEC_STDIN_BYTES_MAX, &data, &size);
                        if (r < 0)
                                return r;
                        r = exec_request_set_stdin(req, data, size);
                        if (r < 0)
                                return r;
                        break;
                case OPT_ARG:
                        r = exec_request_add_arg(req, optarg);
                        if (r < 0)
                                return r;
                        break;
                case OPT_ENV:
                        if (!strchr(optarg, '='))
                                return log_error_errno(EINVAL, "--env wants KEY=VALUE, got: %s",
                                                       optarg);
                        r = exec_request_add_env_assignment(req, optarg);
                        if (r < 0)
                                return r;
                        break;
                case OPT_CWD:
                        r = exec_request_set_cwd(req, optarg);
                        if (r < 0)
                                return r;
                        break;
                case OPT_TIMEOUT_MS:
                        r = parse_u64(optarg, "--timeout-ms", &req->timeout_ms);
                        if (r < 0)
                                return r;
                        break;
                case OPT_MEMORY_MB:
                        r = parse_u64(optarg, "--memory-mb", &req->memory_mb);
                        if (r < 0)
                                return r;
                        break;
                case OPT_MAX_OUTPUT:
                        r = parse_u64(optarg, "--max-output-bytes", &req->max_output_bytes);
                        if (r < 0)
                                return r;
                        break;
                case OPT_IMAGE:
                        arg_image = optarg;
                        break;
                case OPT_EXEC_HOST_FILE:
                        arg_exec_host_file = optarg;
                        break;
                case OPT_DEBUG:
                        log_set_max_level(LOG_DEBUG);
                        break;
                case OPT_TRACE_SYSCALLS:
                        syscall_trace = true;
                        break;
                case OPT_NO_RESET:
                        arg_no_reset = true;
                        break;
                case OPT_SNAPSHOT:
                        arg_snapshot = optarg;
                        break;
                case OPT_OUT:
                        arg_out = optarg;
                        break;
                case OPT_FORCE:
                        arg_force = true;
                        break;
                case OPT_TEST_FORBIDDEN_SYSCALL:
                        arg_test_forbidden_syscall = true;
                        break;
                default:
                        return -EINVAL;
                }
        }
        if (optind < argc)
                return log_error_errno(EINVAL, "Unexpected argument: %s", argv[optind]);
        *ret_have_code = have_code;
        return 0;
}

static int open_image(Image **ret) {
        const char *path = find_image();
        int r = image_open(path, ret);
        if (r < 0)
                return log_error_errno(r, "Failed to open the guest image %s: %m", path);
        return 0;
}

/* Steals json. */
static int print_json(json_t *json) {
        _cleanup_(json_decrefp) json_t *o = json;
        _cleanup_free_ char *text = NULL;

        if (!o)
                return log_oom();
        text = json_dumps(o, EXEC_JSON_DUMP_FLAGS);
        if (!text)
                return log_oom();
        puts(text);
        return fflush(stdout) == 0 ? 0 : -EIO;
}

static int verb_run(int argc, char *argv[]) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(exec_result_done) ExecResult result = EXEC_RESULT_INIT;
        _cleanup_(snapshot_source_freep) SnapshotSource *snapshot = NULL;
        _cleanup_(image_freep) Image *image = NULL;
        _cleanup_(blob_unrefp) Blob *host_exec_blob = NULL;
        ProtocolError error = {};
        Prepared prepared;
        bool have_code;
        int r;

        r = parse_args(argc, argv, &req, &have_code);
        if (r < 0)
                return r;
        if (req.language < 0)
                return log_error_errno(EINVAL, "--language is required");
        if (arg_snapshot && arg_exec_host_file)
                return log_error_errno(EINVAL, "--snapshot and --exec-host-file exclude each other");
        if (!have_code) {
                if (!arg_exec_host_file)
                        return log_error_errno(EINVAL, "--code or --code-file is required");
                r = exec_request_set_code(&req, "", 0);
                if (r < 0)
                        return r;
        }
        r = exec_request_validate(&req, &error);
        if (r < 0)
                return log_error_errno(r, "Invalid request (%s): %s", error.field, error.message);
        r = open_image(&image);
        if (r < 0)
                return r;

        if (arg_snapshot) {
                r = snapshot_source_open(arg_snapshot, image, runtime_get(req.language)->name,
                                         &snapshot);
                if (r < 0)
                        return r;
        }
        if (arg_exec_host_file) {
                r = process_read_host_executable(arg_exec_host_file, &host_exec_blob);
                if (r < 0)
                        return r;
        }
        r = worker_confine();
        if (r < 0)
                return r;
        if (arg_test_forbidden_syscall) {
                /* The filter must kill us here; getting past it is the failure. */
                int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
                return log_error_errno(EPERM, "open() under the filter returned %d", fd);
        }
        RunOptions options = {
                .image = image,
                .runtime = runtime_get(req.language),
                .host_exec = arg_exec_host_file,
                .host_exec_blob = host_exec_blob,
                .snapshot = snapshot,
        };
        r = run_prepare(&options, req.memory_mb * 1024 * 1024, &prepared, &result);
        if (r >= 0)
                r = run_request(&options, &prepared, &req, &error);
        run_prepared_done(&prepared);
        if (r < 0 && error.kind != EXEC_ERROR_NONE)
                return log_error_errno(r, "Invalid request (%s): %s", error.field, error.message);
        if (r < 0)
                return r;
        return print_json(exec_result_to_json(&result));
}

static int verb_snapshot(int argc, char *argv[]) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(image_freep) Image *image = NULL;
        bool have_code;
        int r;

        r = parse_args(argc, argv, &req, &have_code);
        if (r < 0)
                return r;
        if (req.language < 0)
                return log_error_errno(EINVAL, "--language is required");
        if (!arg_out)
                return log_error_errno(EINVAL, "snapshot needs --out DIR");
        r = open_image(&image);
        if (r < 0)
                return r;
        if (!arg_force) {
                SnapshotHeader h;
                if (snapshot_read_header(arg_out, &h) >= 0 &&
                    memcmp(h.image_sha256, image_sha256(image), 32) == 0 &&
                    strcmp(h.language, runtime_get(req.language)->name) == 0) {
                        log_info("%s is up to date (image %.12s)", arg_out,
                                 image_sha256_hex(image));
                        return 0;
                }
        }
        RunOptions options = {.image = image, .runtime = runtime_get(req.language)};
        return run_make_snapshot(&options, req.memory_mb * 1024 * 1024, arg_out);
}

static int read_request_line(char **ret, size_t *ret_size) {
        _cleanup_free_ char *line = NULL;
        size_t allocated = 0;
        ssize_t n;

        errno = 0;
        n = getline(&line, &allocated, stdin);
        if (n < 0)
                return errno ? -errno : -ENODATA;
        if ((size_t)n > WORKER_REQUEST_LINE_MAX)
                return -E2BIG;
        *ret = TAKE_PTR(line);
        *ret_size = n;
        return 0;
}

/* One frame of protocol/worker-frame.h on stdout, from a *_format() call's r, line and size. */
static int print_frame(int r, char *line, size_t size) {
        _cleanup_free_ char *text = line;

        if (r < 0)
                return log_error_errno(r, "Failed to encode a frame: %m");
        if (fwrite(text, 1, size, stdout) != size)
                return -EIO;
        return fflush(stdout) == 0 ? 0 : -EIO;
}

/* serve's streamed output: one frame per piece, before the result frame. */
static void print_output_frame(int stream, const char *data, size_t size) {
        char *line = NULL;
        size_t line_size = 0;
        int r;

        r = worker_frame_output_format(stream, data, size, &line, &line_size);
        (void)print_frame(r, line, line_size);
}

/* One request of serve: read its line, run it on the prepared VM, print the result. Returns 0,
 * -ENODATA at end of input, or -errno. A malformed request is answered with an error object and
 * is not fatal to the worker. */
static int serve_one(const RunOptions *options, Prepared *prepared, ExecResult *result) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_free_ char *line = NULL;
        ProtocolError error = {};
        char *frame = NULL;
        size_t size = 0, frame_size = 0;
        int r;

        r = read_request_line(&line, &size);
        if (r < 0)
                return r == -ENODATA ? r : log_error_errno(r, "Failed to read the request: %m");
        r = worker_request_parse(line, size, &req, &error);
        if (r < 0) {
                if (error.kind == EXEC_ERROR_NONE)
                        return r;
                r = worker_frame_error_format(&error, &frame, &frame_size);
                return print_frame(r, frame, frame_size);
        }
        if (req.language != options->runtime->language) {
                /* A request for another language: answered, the worker serves on. */
                error = (ProtocolError){.kind = EXEC_ERROR_UNSUPPORTED_LANGUAGE};
                strcpy(error.field, "language");
                snprintf(error.message, sizeof(error.message), "this worker runs %s, not %s",
                         options->runtime->name, exec_language_to_string(req.language));
                r = worker_frame_error_format(&error, &frame, &frame_size);
                return print_frame(r, frame, frame_size);
        }
        if (req.memory_mb > prepared->memory_mb) {
                /* The ready VM's RAM slot is too small for this request: restore a bigger one
                 * (its cost shows in timing.restore_ms). */
                run_prepared_done(prepared);
                r = run_prepare(options, req.memory_mb * 1024 * 1024, prepared, result);
                if (r < 0)
                        return r;
        }
        if (req.stream)
                prepared->on_output = print_output_frame;
        r = run_request(options, prepared, &req, &error);
        if (r < 0 && error.kind != EXEC_ERROR_NONE) {
                /* Answered; the VM, which ran nothing, is reset for the next request. */
                r = worker_frame_error_format(&error, &frame, &frame_size);
                return print_frame(r, frame, frame_size);
        }
        if (r < 0)
                return r;
        r = worker_frame_result_format(result, &frame, &frame_size);
        return print_frame(r, frame, frame_size);
}

static int verb_serve(int argc, char *argv[]) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        const Runtime *runtime;
        _cleanup_(snapshot_source_freep) SnapshotSource *snapshot = NULL;
        _cleanup_(image_freep) Image *image = NULL;
        bool have_code;
        int r;

        r = parse_args(argc, argv, &req, &have_code);
        if (r < 0)
                return r;
        if (!arg_snapshot)
                return log_error_errno(EINVAL, "serve needs --snapshot DIR");
        r = open_image(&image);
        if (r < 0)
                return r;
        r = snapshot_source_open(arg_snapshot, image, NULL, &snapshot);
        if (r < 0)
                return r;
        runtime = runtime_by_name(snapshot_source_language(snapshot));
        if (!runtime)
                return log_error_errno(EINVAL, "%s holds a snapshot of %s, which this worker "
                                       "doesn't run",
                                       arg_snapshot, snapshot_source_language(snapshot));
        r = worker_confine();
        if (r < 0)
                return r;
        RunOptions options = {
                .image = image,
                .runtime = runtime,
                .snapshot = snapshot,
                .no_reset = arg_no_reset,
        };

        /* Each request gets a VM in its snapshot's state before it arrives: restored, or reset
         * in place after the last request (vmm/reset.h). Nothing of one request can reach
         * the next. Restored for the default memory limit: a larger RAM slot costs more to
         * set up (4 GiB: ~1.5 ms more), and a request asking for more than this is rare
         * enough to pay for a second restore (serve_one). */
        _cleanup_(exec_result_done) ExecResult result = EXEC_RESULT_INIT;
        Prepared prepared;

        r = run_prepare(&options, EXEC_MEMORY_MB_DEFAULT * 1024 * 1024, &prepared, &result);
        for (;;) {
                if (r < 0)
                        break;
                char *frame = NULL;
                size_t frame_size = 0;

                r = worker_frame_ready_format(prepared.prepare_ms, prepared.resets > 0, &frame,
                                              &frame_size);
                r = print_frame(r, frame, frame_size);
                if (r < 0)
                        break;
                r = serve_one(&options, &prepared, &result);
                if (r < 0)
                        break;
                /* The daemon, woken by the result, was most likely put on this CPU; the reset
                 * would keep it waiting for the scheduler to move it (~0.25 ms, measured). Let
                 * it run first. */
                (void)sched_yield();
                exec_result_done(&result);
                r = run_recycle(&options, &prepared, &result);
        }
        run_prepared_done(&prepared);
        return r == -ENODATA ? 0 : r;
}

typedef struct Verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
} Verb;

static const Verb verbs[] = {
        {"run", verb_run},
        {"snapshot", verb_snapshot},
        {"serve", verb_serve},
};

int main(int argc, char *argv[]) {
        int r;

        log_set_program("sandboxd-vm");
        if (argc < 2) {
                help(stderr);
                return EXIT_FAILURE;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                help(stdout);
                return EXIT_SUCCESS;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(argv[1], verbs[i].name) == 0) {
                        r = verbs[i].run(argc - 1, argv + 1);
                        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
                }
        log_error("Unknown verb: %s (try --help)", argv[1]);
        return EXIT_FAILURE;
}

/* SPDX-License-Identifier: MIT */
/* sandboxd-vm: the per-VM worker. `run` serves one request in a fresh VM and prints the result
 * as one JSON object (protocol/execute.h). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "execute.h"
#include "image.h"
#include "log.h"
#include "macro.h"
#include "run.h"

static const char *arg_image;
static const char *arg_exec_host_file;

static void help(FILE *f) {
        fprintf(f, "Usage: sandboxd-vm run --language LANG (--code CODE | --code-file F) [OPTIONS]\n"
               "\n"
               "Runs code in a fresh KVM micro-VM and prints the result as one JSON object.\n"
               "\n"
               "  --language LANG          python (also: python3, py)\n"
               "  --code CODE              the program text\n"
               "  --code-file F            read the program text from F\n"
               "  --stdin-file F           the program's standard input (default: empty)\n"
               "  --arg A                  append A to the program's arguments (repeatable)\n"
               "  --env K=V                set an environment variable (repeatable)\n"
               "  --cwd DIR                working directory (default /home/sandbox)\n"
               "  --timeout-ms N           wall-clock limit (default %" PRIu64 ", max %" PRIu64 ")\n"
               "  --memory-mb N            memory limit (default %" PRIu64 ", %" PRIu64 "..%" PRIu64 ")\n"
               "  --max-output-bytes N     stdout+stderr cap (default %" PRIu64 ", max %" PRIu64 ")\n"
               "  --image PATH             the guest image (default: found next to the build or\n"
               "                           installed)\n"
               "  --debug                  log every unimplemented syscall and fault\n",
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
};

static int parse_run_args(int argc, char *argv[], ExecRequest *req) {
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
                default:
                        return -EINVAL;
                }
        }
        if (optind < argc)
                return log_error_errno(EINVAL, "Unexpected argument: %s", argv[optind]);
        if (req->language < 0)
                return log_error_errno(EINVAL, "--language is required");
        if (!have_code) {
                if (!arg_exec_host_file)
                        return log_error_errno(EINVAL, "--code or --code-file is required");
                r = exec_request_set_code(req, "", 0);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int verb_run(int argc, char *argv[]) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(exec_result_done) ExecResult result = EXEC_RESULT_INIT;
        _cleanup_(image_freep) Image *image = NULL;
        ProtocolError error = {};
        const char *image_path;
        json_t *json;
        char *text;
        int r;

        r = parse_run_args(argc, argv, &req);
        if (r < 0)
                return r;
        r = exec_request_validate(&req, &error);
        if (r < 0)
                return log_error_errno(r, "Invalid request (%s): %s", error.field, error.message);

        image_path = find_image();
        r = image_open(image_path, &image);
        if (r < 0)
                return log_error_errno(r, "Failed to open the guest image %s: %m", image_path);

        RunOptions options = {
                .image = image,
                .runtime_version = SANDBOXD_PYTHON_VERSION,
                .host_exec = arg_exec_host_file,
        };
        r = run_request(&options, &req, &result);
        if (r < 0)
                return r;

        json = exec_result_to_json(&result);
        if (!json)
                return log_oom();
        text = json_dumps(json, EXEC_JSON_DUMP_FLAGS);
        json_decref(json);
        if (!text)
                return log_oom();
        puts(text);
        free(text);
        return fflush(stdout) == 0 ? 0 : -EIO;
}

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
        if (strcmp(argv[1], "run") != 0) {
                log_error("Unknown verb: %s (try --help)", argv[1]);
                return EXIT_FAILURE;
        }
        r = verb_run(argc - 1, argv + 1);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

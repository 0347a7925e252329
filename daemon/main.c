/* SPDX-License-Identifier: MIT */
/* sandboxd: runs untrusted code in KVM micro-VMs, answering JSON-RPC 2.0 on a Unix socket
 * (protocol/PROTOCOL.md). main() only wires: arguments → manager → READY=1 → loop → exit. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "jsonrpc.h"
#include "log.h"
#include "macro.h"
#include "manager.h"

#define DEFAULT_SOCKET    "/run/sandboxd/sandboxd.sock"
#define DEFAULT_STATE_DIR "/var/lib/sandboxd"

static const char *arg_socket = DEFAULT_SOCKET;
static mode_t arg_socket_mode = 0660;
static const char *arg_state_dir;
static const char *arg_worker;
static unsigned arg_pool_size = 2;
static bool arg_fresh_vms;
static unsigned arg_max_vms = 8;
static unsigned arg_max_queue = 64;

static void help(FILE *f) {
        fprintf(f,
                "Usage: sandboxd [OPTIONS]\n"
                "\n"
                "Runs untrusted code in KVM micro-VMs restored from warm snapshots and answers\n"
                "JSON-RPC 2.0 (protocol version %d) on a Unix socket, one JSON value per line.\n"
                "\n"
                "  --socket PATH       listen here when systemd passes no socket (default %s)\n"
                "  --socket-mode MODE  octal mode of a socket we create (default 0660)\n"
                "  --state-dir DIR     snapshots live in DIR/snapshots (default $STATE_DIRECTORY,\n"
                "                      else %s)\n"
                "  --pool-size N       warm VMs kept ready per language (default 2)\n"
                "  --max-vms N         worker VMs alive at once, all languages (default 8)\n"
                "  --max-queue N       requests waiting for a VM per language (default 64)\n"
                "  --fresh-vms         restore a new VM for every request instead of resetting\n"
                "                      the last one in place (slower; for tenants who must not\n"
                "                      share even the timing of a warm VM)\n"
                "  --worker PATH       the sandboxd-vm binary (default: the build tree's when run\n"
                "                      from it, else %s)\n"
                "  --log-level LEVEL   debug, info, notice, warning or err (default info)\n",
                JSONRPC_PROTOCOL_VERSION, DEFAULT_SOCKET, DEFAULT_STATE_DIR,
                SANDBOXD_INSTALLED_WORKER);
}

static int parse_unsigned(const char *s, const char *name, unsigned min, unsigned max,
                          unsigned *ret) {
        unsigned long v;
        char *end;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
                return log_error_errno(EINVAL, "Invalid %s '%s': expected %u…%u", name, s, min,
                                       max);
        *ret = (unsigned)v;
        return 0;
}

static int parse_log_level(const char *s) {
        static const struct {
                const char *name;
                int level;
        } levels[] = {
                {"debug", LOG_DEBUG},     {"info", LOG_INFO}, {"notice", LOG_NOTICE},
                {"warning", LOG_WARNING}, {"err", LOG_ERR},   {"error", LOG_ERR},
        };

        for (size_t i = 0; i < ELEMENTSOF(levels); i++)
                if (strcmp(s, levels[i].name) == 0) {
                        log_set_max_level(levels[i].level);
                        return 0;
                }
        return log_error_errno(EINVAL, "Unknown log level '%s'", s);
}

/* The worker binary: --worker, else the build tree's when we run from it (like sandboxd-vm
 * finds its image), else the installed one. */
static const char *find_worker(void) {
        static char exe[PATH_MAX];
        ssize_t n;

        if (arg_worker)
                return arg_worker;
        n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
                exe[n] = 0;
                if (strncmp(exe, SANDBOXD_BUILD_ROOT "/", strlen(SANDBOXD_BUILD_ROOT) + 1) == 0 &&
                    access(SANDBOXD_BUILD_WORKER, X_OK) == 0)
                        return SANDBOXD_BUILD_WORKER;
        }
        return SANDBOXD_INSTALLED_WORKER;
}

/* Returns 1 to run, 0 to exit successfully (--help), -errno on a bad argument. */
static int parse_argv(int argc, char *argv[]) {
        enum {
                OPT_SOCKET = 0x100,
                OPT_SOCKET_MODE,
                OPT_STATE_DIR,
                OPT_POOL_SIZE,
                OPT_MAX_VMS,
                OPT_MAX_QUEUE,
                OPT_WORKER,
                OPT_LOG_LEVEL,
                OPT_FRESH_VMS,
        };
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"socket", required_argument, NULL, OPT_SOCKET},
                {"socket-mode", required_argument, NULL, OPT_SOCKET_MODE},
                {"state-dir", required_argument, NULL, OPT_STATE_DIR},
                {"pool-size", required_argument, NULL, OPT_POOL_SIZE},
                {"max-vms", required_argument, NULL, OPT_MAX_VMS},
                {"max-queue", required_argument, NULL, OPT_MAX_QUEUE},
                {"worker", required_argument, NULL, OPT_WORKER},
                {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
                {"fresh-vms", no_argument, NULL, OPT_FRESH_VMS},
                {},
        };
        const char *e;
        char *end;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help(stdout);
                        return 0;
                case OPT_SOCKET:
                        arg_socket = optarg;
                        break;
                case OPT_SOCKET_MODE:
                        errno = 0;
                        arg_socket_mode = (mode_t)strtoul(optarg, &end, 8);
                        if (errno || *end || end == optarg || arg_socket_mode > 0777)
                                return log_error_errno(EINVAL, "Invalid --socket-mode '%s'",
                                                       optarg);
                        break;
                case OPT_STATE_DIR:
                        arg_state_dir = optarg;
                        break;
                case OPT_FRESH_VMS:
                        arg_fresh_vms = true;
                        break;
                case OPT_POOL_SIZE:
                        r = parse_unsigned(optarg, "--pool-size", 0, 256, &arg_pool_size);
                        if (r < 0)
                                return r;
                        break;
                case OPT_MAX_VMS:
                        r = parse_unsigned(optarg, "--max-vms", 1, 1024, &arg_max_vms);
                        if (r < 0)
                                return r;
                        break;
                case OPT_MAX_QUEUE:
                        r = parse_unsigned(optarg, "--max-queue", 0, 1000000, &arg_max_queue);
                        if (r < 0)
                                return r;
                        break;
                case OPT_WORKER:
                        arg_worker = optarg;
                        break;
                case OPT_LOG_LEVEL:
                        r = parse_log_level(optarg);
                        if (r < 0)
                                return r;
                        break;
                default:
                        return -EINVAL;
                }
        }
        if (optind < argc)
                return log_error_errno(EINVAL, "Unexpected argument '%s' (try --help)",
                                       argv[optind]);
        /* Every language's pool must fit, or the daemon would never be ready. */
        if (arg_pool_size * _EXEC_LANGUAGE_MAX > arg_max_vms)
                return log_error_errno(EINVAL, "--pool-size %u for each of %d languages is more "
                                       "than --max-vms %u",
                                       arg_pool_size, _EXEC_LANGUAGE_MAX, arg_max_vms);
        if (!arg_state_dir) {
                /* systemd's StateDirectory=; the first one if there are several. */
                e = getenv("STATE_DIRECTORY");
                arg_state_dir = e && *e ? strndup(e, strcspn(e, ":")) : DEFAULT_STATE_DIR;
                if (!arg_state_dir)
                        return log_oom();
        }
        return 1;
}

int main(int argc, char *argv[]) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        log_set_program("sandboxd");
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        ManagerConfig config = {
                .socket_path = arg_socket,
                .socket_mode = arg_socket_mode,
                .state_dir = arg_state_dir,
                .worker_path = find_worker(),
                .pool_size = arg_pool_size,
                .max_vms = arg_max_vms,
                .max_queue = arg_max_queue,
                .fresh_vms = arg_fresh_vms,
        };
        r = manager_new(&config, &m);
        if (r < 0) {
                log_error_errno(r, "Failed to set up the daemon: %m");
                return EXIT_FAILURE;
        }
        r = manager_start(m); /* logs its own failures */
        if (r < 0)
                return EXIT_FAILURE;
        if (!m->stopping)
                (void)sd_notify(false, "READY=1");

        r = manager_run(m);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
#include "run.h"

#include <signal.h>
#include <time.h>

#include "log.h"
#include "macro.h"
#include "layout.h"
#include "process.h"

#define PYTHON_PATH "/usr/bin/python3.11"
#define GUEST_HOME "/home/sandbox"

/* The environment every program starts with; the request's env entries override these. */
static const char *const default_env[] = {
        "PATH=/usr/local/bin:/usr/bin:/bin",
        "HOME=" GUEST_HOME,
        "LANG=C.UTF-8",
        "USER=sandbox",
        "LOGNAME=sandbox",
        "TMPDIR=/tmp",
        NULL,
};

typedef struct OutputCapture {
        ExecResult *result;
        uint64_t max_output_bytes;
} OutputCapture;

/* Output past the cap is accepted and dropped (truncated is set): the program runs on, as it
 * would with a reader that stopped looking, rather than failing on a write. */
static ssize_t capture_output(void *userdata, int stream, const void *buf, size_t len) {
        OutputCapture *c = userdata;
        int r = exec_result_append_output(c->result, stream, buf, len, c->max_output_bytes);
        return r < 0 ? r : (ssize_t)len;
}

static Vm *volatile interrupt_target;

static void on_deadline(int sig) {
        Vm *vm = interrupt_target;
        if (vm)
                vm_interrupt(vm);
}

static int deadline_timer_arm(timer_t *ret_timer, uint64_t deadline_ns) {
        struct sigaction sa = {.sa_handler = on_deadline};
        struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM};
        struct itimerspec its = {
                .it_value = {.tv_sec = deadline_ns / 1000000000ULL,
                             .tv_nsec = deadline_ns % 1000000000ULL},
                /* Re-fire in case the first one landed between the check and KVM_RUN. */
                .it_interval = {.tv_nsec = 10 * 1000000},
        };

        /* No SA_RESTART: the signal must break KVM_RUN and host sleeps out with EINTR. */
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGALRM, &sa, NULL) < 0)
                return -errno;
        if (timer_create(CLOCK_MONOTONIC, &sev, ret_timer) < 0)
                return -errno;
        if (timer_settime(*ret_timer, TIMER_ABSTIME, &its, NULL) < 0) {
                int r = -errno;
                timer_delete(*ret_timer);
                return r;
        }
        return 0;
}

/* argv/envp for the interpreter: `python3 -c CODE ARGS...`, env defaults then the request's. */
static int build_argv_envp(const ExecRequest *req, const char *host_exec, char ***ret_argv,
                           char ***ret_envp) {
        size_t n_default = ELEMENTSOF(default_env) - 1, n = 0;
        char **argv, **envp;

        argv = calloc(req->n_args + 4, sizeof(char *));
        envp = calloc(n_default + req->n_env + 1, sizeof(char *));
        if (!argv || !envp) {
                free(argv);
                free(envp);
                return -ENOMEM;
        }
        if (host_exec)
                argv[n++] = (char *)host_exec;
        else {
                argv[n++] = (char *)"python3";
                argv[n++] = (char *)"-c";
                argv[n++] = req->code.data;
        }
        for (size_t i = 0; i < req->n_args; i++)
                argv[n++] = req->args[i];

        n = 0;
        for (size_t i = 0; i < n_default; i++) {
                size_t key = strcspn(default_env[i], "=") + 1;
                bool overridden = false;
                for (size_t j = 0; j < req->n_env; j++)
                        if (strncmp(req->env[j], default_env[i], key) == 0)
                                overridden = true;
                if (!overridden)
                        envp[n++] = (char *)default_env[i];
        }
        for (size_t j = 0; j < req->n_env; j++)
                envp[n++] = req->env[j];
        *ret_argv = argv;
        *ret_envp = envp;
        return 0;
}

int run_request(const RunOptions *options, const ExecRequest *req, ExecResult *result) {
        _cleanup_(process_freep) Process *p = NULL;
        _cleanup_free_ char **argv = NULL, **envp = NULL;
        uint64_t start = now_ns(CLOCK_MONOTONIC), run_start, deadline;
        OutputCapture capture = {.result = result, .max_output_bytes = req->max_output_bytes};
        ProcessConfig config = {
                .memory_limit = req->memory_mb * 1024 * 1024,
                .image = options->image,
                .stdin_data = req->stdin_buf.data,
                .stdin_size = req->stdin_buf.size,
                .sink = capture_output,
                .sink_userdata = &capture,
        };
        timer_t timer;
        int r;

        result->language = req->language;
        if (options->runtime_version) {
                result->runtime_version = strdup(options->runtime_version);
                if (!result->runtime_version)
                        return -ENOMEM;
        }

        r = build_argv_envp(req, options->host_exec, &argv, &envp);
        if (r < 0)
                return r;
        r = process_new(&config, &p);
        if (r < 0)
                return log_error_errno(r, "Failed to create the sandbox: %m");
        r = process_exec(p, PYTHON_PATH, options->host_exec, argv, envp, req->cwd ?: GUEST_HOME);
        if (r < 0)
                return r;

        run_start = now_ns(CLOCK_MONOTONIC);
        deadline = run_start + req->timeout_ms * 1000000ULL;
        interrupt_target = p->vm;
        r = deadline_timer_arm(&timer, deadline);
        if (r < 0)
                return log_error_errno(r, "Failed to arm the deadline timer: %m");
        r = process_run(p, deadline);
        timer_delete(timer);
        interrupt_target = NULL;
        if (r < 0)
                return r;

        switch (p->state) {
        case PROCESS_EXITED:
                result->exit_code = p->exit_code;
                break;
        case PROCESS_SIGNALED:
                result->signal = p->term_signal;
                break;
        case PROCESS_TIMED_OUT:
                result->timed_out = true; /* exit_code and signal stay null */
                break;
        default:
                return log_error_errno(EIO, "The sandbox failed: %s", p->failure ?: "unknown");
        }
        result->memory_limit_hit = p->mm.limit_hit;
        result->timing.run_ms = (now_ns(CLOCK_MONOTONIC) - run_start) / 1e6;
        result->timing.total_ms = (now_ns(CLOCK_MONOTONIC) - start) / 1e6;
        result->usage.cpu_ms = p->cpu_ns / 1e6;
        result->usage.peak_memory_bytes = p->vm->data_pages_peak * PAGE_SIZE;
        result->usage.syscalls = p->syscalls;
        result->usage.exits = p->vm->exits;
        result->usage.unimplemented_syscalls = p->unimplemented;
        return 0;
}

/* SPDX-License-Identifier: MIT */
#include "run.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "snapshot.h"
#include "warmup.h"
#include "workdir.h"

#define GUEST_HOME "/home/sandbox"
#define SNAPSHOT_BOOT_TIMEOUT_NS (120ULL * 1000000000ULL)

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

/* Output past the cap is accepted and dropped (truncated is set): the program runs on, as it
 * would with a reader that stopped looking, rather than failing on a write. */
static ssize_t capture_output(void *userdata, int stream, const void *buf, size_t len) {
        Prepared *prepared = userdata;
        ExecBuffer *b = stream == 1 ? &prepared->result->stdout_buf : &prepared->result->stderr_buf;
        size_t before = b->size;
        int r = exec_result_append_output(prepared->result, stream, buf, len,
                                          prepared->max_output_bytes);
        if (r < 0)
                return r;
        if (prepared->on_output && b->size > before)
                prepared->on_output(stream, b->data + before, b->size - before);
        return (ssize_t)len;
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

/* Runs s until it ends or deadline_ns passes, with the host timer that enforces it. */
static int run_until(Sandbox *s, uint64_t deadline_ns) {
        timer_t timer;
        int r;

        interrupt_target = s->vm;
        r = deadline_timer_arm(&timer, deadline_ns);
        if (r < 0) {
                interrupt_target = NULL;
                return log_error_errno(r, "Failed to arm the deadline timer: %m");
        }
        r = sandbox_run(s, deadline_ns);
        timer_delete(timer);
        interrupt_target = NULL;
        return r;
}

/* The environment as the request wants it: the defaults, then the request's entries. */
static int build_env(const ExecRequest *req, char ***ret) {
        size_t n_default = ELEMENTSOF(default_env) - 1, n = 0;
        char **envp = calloc(n_default + req->n_env + 1, sizeof(char *));

        if (!envp)
                return -ENOMEM;
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
        *ret = envp;
        return 0;
}

/* What the runner reads at its ready point (protocol/runner-protocol.h): the length, then JSON. */
static int encode_runner_request(const ExecRequest *req, int pid, char **ret, size_t *ret_size) {
        _cleanup_free_ char **envp = NULL;
        _cleanup_(json_decrefp) json_t *o = NULL;
        _cleanup_free_ char *text = NULL, *out = NULL;
        json_t *args, *env;
        uint8_t seed[32];
        char seed_hex[65];
        size_t len;
        int r;

        r = build_env(req, &envp);
        if (r < 0)
                return r;
        o = json_object();
        if (!o)
                return -ENOMEM;
        /* Each set takes its value, even when it fails: none is skipped, so nothing leaks. */
        r = json_object_set_new(o, "code", json_stringn(req->code.data, req->code.size));
        r |= json_object_set_new(o, "args", args = json_array());
        r |= json_object_set_new(o, "env", env = json_object());
        if (r < 0)
                return -ENOMEM;
        for (size_t i = 0; i < req->n_args; i++)
                if (json_array_append_new(args, json_string(req->args[i])) < 0)
                        return -ENOMEM;
        for (size_t i = 0; envp[i]; i++) {
                const char *eq = strchr(envp[i], '=');

                if (json_object_setn_new(env, envp[i], eq - envp[i], json_string(eq + 1)) < 0)
                        return -ENOMEM;
        }
        /* The runner line-buffers a streamed program's output, as a terminal would. */
        if (req->stream && json_object_set_new(o, "stream", json_true()) < 0)
                return -ENOMEM;
        if (req->script_name &&
            json_object_set_new(o, "script_name", json_string(req->script_name)) < 0)
                return -ENOMEM;
        /* Fresh entropy for the interpreter's PRNGs, which the snapshot froze. */
        if (getrandom(seed, sizeof(seed), 0) != sizeof(seed))
                return -EIO;
        for (size_t i = 0; i < sizeof(seed); i++)
                snprintf(seed_hex + 2 * i, 3, "%02x", seed[i]);
        /* The restored process's own pid, for runtimes that cache it (node's process.pid). */
        if (json_object_set_new(o, "cwd", json_string(req->cwd ?: GUEST_HOME)) < 0 ||
            json_object_set_new(o, "pid", json_integer(pid)) < 0 ||
            json_object_set_new(o, "seed", json_string(seed_hex)) < 0)
                return -ENOMEM;

        text = json_dumps(o, JSON_COMPACT);
        if (!text)
                return -ENOMEM;
        len = strlen(text);
        out = malloc(RUNNER_REQUEST_LENGTH_SIZE + len);
        if (!out)
                return -ENOMEM;
        uint64_t le = htole64(len);
        _Static_assert(sizeof(le) == RUNNER_REQUEST_LENGTH_SIZE, "the length prefix is a u64");
        memcpy(out, &le, RUNNER_REQUEST_LENGTH_SIZE);
        memcpy(out + RUNNER_REQUEST_LENGTH_SIZE, text, len);
        *ret = TAKE_PTR(out);
        *ret_size = RUNNER_REQUEST_LENGTH_SIZE + len;
        return 0;
}

int run_prepare(const RunOptions *options, uint64_t memory_limit, Prepared *prepared,
                ExecResult *result) {
        uint64_t start = now_ns(CLOCK_MONOTONIC);
        SandboxConfig config = {
                .memory_limit = memory_limit,
                .image = options->image,
                .sink = capture_output,
                .sink_userdata = prepared,
        };
        int r;

        *prepared = (Prepared){.result = result, .memory_mb = memory_limit / (1024 * 1024)};
        if (!options->snapshot)
                return 0;
        r = snapshot_restore(&config, options->snapshot, &prepared->sandbox);
        if (r < 0)
                return r;
        prepared->prepare_ms = (now_ns(CLOCK_MONOTONIC) - start) / 1e6;
        return 0;
}

void run_prepared_done(Prepared *prepared) {
        prepared->sandbox = sandbox_free(prepared->sandbox);
}

static bool resettable(const Prepared *prepared) {
        const Sandbox *s = prepared->sandbox;

        if (!s || prepared->resets >= RUN_VM_RESETS_MAX || !vm_reset_available())
                return false;
        /* Not after a failure of the VM or the host: the vCPU's state is unknown. */
        return s->state == SANDBOX_EXITED || s->state == SANDBOX_SIGNALED ||
               s->state == SANDBOX_TIMED_OUT || s->state == SANDBOX_READY;
}

int run_recycle(const RunOptions *options, Prepared *prepared, ExecResult *result) {
        uint64_t start = now_ns(CLOCK_MONOTONIC);
        SandboxConfig config = {
                .memory_limit = prepared->memory_mb * 1024 * 1024,
                .image = options->image,
                .sink = capture_output,
                .sink_userdata = prepared,
        };
        unsigned resets = prepared->resets;
        int r;

        /* (A VM made bigger for a request stays so: each request's own limits apply to it,
         * start_restored.) */
        if (!options->snapshot || options->no_reset || !resettable(prepared)) {
                run_prepared_done(prepared);
                return run_prepare(options, config.memory_limit, prepared, result);
        }
        *prepared = (Prepared){
                .sandbox = prepared->sandbox,
                .result = result,
                .memory_mb = prepared->memory_mb,
                .resets = resets + 1,
        };
        r = snapshot_reset(&config, options->snapshot, &prepared->sandbox,
                           &prepared->reset_stats);
        if (r < 0) {
                if (r != -E2BIG)
                        log_warning_errno(r, "Resetting the VM failed, restoring a new one: %m");
                return run_prepare(options, config.memory_limit, prepared, result);
        }
        prepared->prepare_ms = (now_ns(CLOCK_MONOTONIC) - start) / 1e6;
        return 0;
}

static size_t strv_length(const char *const *strv) {
        size_t n = 0;
        while (strv[n])
                n++;
        return n;
}

/* argv for the cold path: `python3 -c CODE ARGS...` (`node -e CODE -- ARGS...`), or the test
 * ELF with ARGS. */
static int build_cold_argv(const Runtime *runtime, const ExecRequest *req, const char *host_exec,
                           char ***ret) {
        char **argv = calloc(req->n_args + strv_length(runtime->cold_argv) + 3, sizeof(char *));
        size_t n = 0;

        if (!argv)
                return -ENOMEM;
        if (host_exec)
                argv[n++] = (char *)host_exec;
        else {
                for (const char *const *a = runtime->cold_argv; *a; a++)
                        argv[n++] = (char *)*a;
                argv[n++] = req->code.data;
                if (runtime->cold_args_separator)
                        argv[n++] = (char *)runtime->cold_args_separator;
        }
        for (size_t i = 0; i < req->n_args; i++)
                argv[n++] = req->args[i];
        *ret = argv;
        return 0;
}

static int start_cold(const RunOptions *options, Prepared *prepared, const ExecRequest *req,
                      ProtocolError *ret_error) {
        _cleanup_free_ char **argv = NULL, **envp = NULL;
        SandboxConfig config = {
                .memory_limit = req->memory_mb * 1024 * 1024,
                .image = options->image,
                .stdin_data = req->stdin_buf.data,
                .stdin_size = req->stdin_buf.size,
                .sink = capture_output,
                .sink_userdata = prepared,
        };
        int r;

        r = build_cold_argv(options->runtime, req, options->host_exec, &argv);
        if (r >= 0)
                r = build_env(req, &envp);
        if (r < 0)
                return r;
        r = sandbox_new(&config, &prepared->sandbox);
        if (r < 0)
                return log_error_errno(r, "Failed to create the sandbox: %m");
        r = workdir_prepare(prepared->sandbox->vfs, prepared->sandbox->init->fs,
                            prepared->sandbox->init->fds, req->cwd ?: GUEST_HOME, ret_error);
        if (r < 0)
                return r;
        return process_exec(prepared->sandbox->init, options->host_exec ?: options->runtime->interpreter,
                            options->host_exec_blob, argv, envp, req->cwd ?: GUEST_HOME);
}

/* The restored sandbox gets this request's stdin and limits, then its runner's pending read
 * returns. */
static int start_restored(Prepared *prepared, const ExecRequest *req, ProtocolError *ret_error) {
        Sandbox *s = prepared->sandbox;
        _cleanup_free_ char *message = NULL;
        size_t size;
        int r;

        if (req->memory_mb * 1024 * 1024 < s->memory.committed)
                return log_error_errno(E2BIG, "memory_mb %" PRIu64 " is below what the "
                                       "interpreter already holds",
                                       req->memory_mb);
        s->memory.limit = req->memory_mb * 1024 * 1024;
        s->vm->data_page_limit = MIN(s->memory.limit, s->vm->ram_size) / PAGE_SIZE;
        /* The tmpfs counts against the request's limit too, not the VM's size. */
        vfs_set_limits(s->vfs, &(TmpfsLimits){.max_bytes = s->memory.limit,
                                              .max_inodes = VFS_DEFAULT_TMPFS_INODES,
                                              .max_file_size = s->memory.limit});
        /* The snapshot's own directory needs no look. */
        if (req->cwd) {
                r = workdir_prepare(s->vfs, s->init->fs, s->init->fds, req->cwd, ret_error);
                if (r < 0)
                        return r;
        }
        if (req->script_name)
                workdir_place_script(s->vfs, s->init->fs, s->init->fds, req->cwd ?: GUEST_HOME,
                                     req->script_name, req->code.data, req->code.size);
        r = vfs_install_stdio(s->vfs, s->init->fds, req->stdin_buf.data, req->stdin_buf.size,
                              capture_output, prepared);
        if (r < 0)
                return r;
        r = encode_runner_request(req, s->init->pid, &message, &size);
        if (r < 0)
                return r;
        return runner_channel_deliver(s, message, size);
}

int run_request(const RunOptions *options, Prepared *prepared, const ExecRequest *req,
                ProtocolError *ret_error) {
        ExecResult *result = prepared->result;
        uint64_t start = now_ns(CLOCK_MONOTONIC), run_start;
        Sandbox *s;
        int r;

        prepared->max_output_bytes = req->max_output_bytes;
        if (req->language != options->runtime->language)
                return log_error_errno(EINVAL, "This worker runs %s, not %s",
                                       options->runtime->name,
                                       exec_language_to_string(req->language));
        result->language = req->language;
        if (!result->runtime_version) {
                result->runtime_version = strdup(options->runtime->version);
                if (!result->runtime_version)
                        return -ENOMEM;
        }

        if (ret_error)
                *ret_error = (ProtocolError){};
        r = prepared->sandbox ? start_restored(prepared, req, ret_error)
                              : start_cold(options, prepared, req, ret_error);
        if (r < 0)
                return r;
        s = prepared->sandbox;

        uint64_t faults_before = s->init->mm.faults; /* a restored sandbox counts the runner's too */
        run_start = now_ns(CLOCK_MONOTONIC);
        r = run_until(s, run_start + req->timeout_ms * 1000000ULL);
        if (r < 0)
                return r;

        switch (s->state) {
        case SANDBOX_EXITED:
                result->exit_code = s->exit_code;
                break;
        case SANDBOX_SIGNALED:
                result->signal = s->term_signal;
                break;
        case SANDBOX_TIMED_OUT:
                result->timed_out = true; /* exit_code and signal stay null */
                break;
        case SANDBOX_READY:
                return log_error_errno(EPROTO, "The program asked for a second request");
        default:
                return log_error_errno(EIO, "The sandbox failed: %s", s->failure ?: "unknown");
        }
        result->memory_limit_hit = s->memory.limit_hit;
        result->timing.restore_ms = prepared->prepare_ms;
        result->timing.run_ms = (now_ns(CLOCK_MONOTONIC) - run_start) / 1e6;
        result->timing.total_ms = (now_ns(CLOCK_MONOTONIC) - start) / 1e6 + prepared->prepare_ms;
        result->usage.cpu_ms = sandbox_cpu_ns(s) / 1e6;
        result->usage.peak_memory_bytes = s->vm->data_pages_peak * PAGE_SIZE;
        result->usage.syscalls = s->syscalls;
        result->usage.exits = s->vm->exits;
        result->usage.page_faults = s->init->mm.faults - faults_before;
        result->usage.unimplemented_syscalls = s->unimplemented;
        return 0;
}

/* Restores the snapshot just written, serves the sample request with accessed/dirty bits
 * cleared beforehand, and records the list. */
static int record_warmup(const RunOptions *options, const char *dir) {
        _cleanup_(exec_request_done) ExecRequest req = EXEC_REQUEST_INIT;
        _cleanup_(snapshot_source_freep) SnapshotSource *src = NULL;
        ExecResult result = EXEC_RESULT_INIT;
        Prepared prepared;
        char path[PATH_MAX];
        int r;

        if (snprintf(path, sizeof(path), "%s/warmup", dir) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        (void)unlink(path); /* the old list would touch pages before the recording looks */
        r = snapshot_source_open(dir, options->image, options->runtime->name, &src);
        if (r < 0)
                return r;
        RunOptions o = *options;
        o.snapshot = src;
        req.language = options->runtime->language;
        r = exec_request_set_code(&req, options->runtime->warmup_code,
                                  strlen(options->runtime->warmup_code));
        if (r >= 0)
                r = run_prepare(&o, req.memory_mb * 1024 * 1024, &prepared, &result);
        if (r >= 0) {
                warmup_prepare_recording(prepared.sandbox);
                r = run_request(&o, &prepared, &req, NULL);
                if (r >= 0 && result.exit_code != 0)
                        r = log_error_errno(EPROTO, "The warm-up sample failed: %.*s",
                                            (int)result.stderr_buf.size,
                                            result.stderr_buf.data ?: "");
                if (r >= 0)
                        r = warmup_record(prepared.sandbox, dir);
                run_prepared_done(&prepared);
        }
        exec_result_done(&result);
        return r;
}

int run_make_snapshot(const RunOptions *options, uint64_t memory_limit, const char *dir) {
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        _cleanup_free_ char **envp = NULL;
        ExecRequest none = EXEC_REQUEST_INIT;
        ExecResult result = EXEC_RESULT_INIT;
        Prepared prepared = {.result = &result, .max_output_bytes = 64 * 1024};
        SandboxConfig config = {
                .memory_limit = memory_limit,
                .image = options->image,
                .sink = capture_output,
                .sink_userdata = &prepared,
        };
        uint64_t start = now_ns(CLOCK_MONOTONIC);
        int r;

        r = build_env(&none, &envp);
        if (r < 0)
                return r;
        r = sandbox_new(&config, &s);
        if (r < 0)
                return log_error_errno(r, "Failed to create the sandbox: %m");
        r = runner_channel_open(s, RUNNER_CHANNEL_FD, options->runtime->control_channel);
        if (r >= 0)
                r = process_exec(s->init, options->runtime->interpreter, NULL,
                                 (char *const *)options->runtime->runner_argv, envp, GUEST_HOME);
        if (r < 0)
                goto finish;
        log_info("Booting the %s runner to its ready point...", options->runtime->name);
        r = run_until(s, start + SNAPSHOT_BOOT_TIMEOUT_NS);
        if (r < 0)
                goto finish;
        if (s->state != SANDBOX_READY) {
                r = log_error_errno(EPROTO, "The runner ended before its ready point (state %d, "
                                    "exit %d, signal %d); its output: %.*s%.*s",
                                    s->state, s->exit_code, s->term_signal,
                                    (int)result.stdout_buf.size, result.stdout_buf.data ?: "",
                                    (int)result.stderr_buf.size, result.stderr_buf.data ?: "");
                goto finish;
        }
        log_info("Runner ready after %.1f ms, %" PRIu64 " syscalls, %" PRIu64
                 " MiB of memory; saving the snapshot to %s",
                 (now_ns(CLOCK_MONOTONIC) - start) / 1e6, s->syscalls,
                 s->vm->data_pages * PAGE_SIZE >> 20, dir);
        log_debug("The runner's output while booting: stdout %.*s, stderr %.*s",
                  (int)result.stdout_buf.size, result.stdout_buf.data ?: "",
                  (int)result.stderr_buf.size, result.stderr_buf.data ?: "");
        r = snapshot_save(s, dir, options->runtime->name);
        if (r >= 0)
                r = record_warmup(options, dir);
finish:
        exec_result_done(&result);
        return r;
}

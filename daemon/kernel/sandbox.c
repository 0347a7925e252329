/* SPDX-License-Identifier: MIT */
#include "sandbox.h"

#include <time.h>

#include "log.h"
#include "macro.h"
#include "process.h"
#include "scheduler.h"
#include "thread.h"
#include "vdso.h"

uint64_t now_ns(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t sandbox_cpu_ns(const Sandbox *s) {
        return s->cpu_base_ns ? now_ns(CLOCK_PROCESS_CPUTIME_ID) - s->cpu_base_ns : 0;
}

int sandbox_new_with_vm(const SandboxConfig *config, Vm *vm, Sandbox **ret) {
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        TmpfsLimits limits = {
                .max_bytes = config->memory_limit,
                .max_inodes = VFS_DEFAULT_TMPFS_INODES,
                .max_file_size = config->memory_limit,
        };
        Process *init;
        int r;

        s = calloc(1, sizeof(*s));
        if (!s) {
                vm_free(vm);
                return -ENOMEM;
        }
        s->vm = vm;
        s->image = config->image;
        s->memory.limit = config->memory_limit;
        s->sink = config->sink;
        s->sink_userdata = config->sink_userdata;
        s->channel.fd = -1;
        s->start_ns = now_ns(CLOCK_MONOTONIC);

        r = vfs_new(config->image, &limits, &s->vfs);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the filesystem: %m");
        vfs_set_sandbox(s->vfs, s);
        r = process_new(s, GUEST_PID, &init);
        if (r < 0)
                return r;
        s->init = init;
        r = threads_init(init);
        if (r < 0)
                return r;
        r = vfs_install_stdio(s->vfs, init->fds, config->stdin_data, config->stdin_size,
                              config->sink, config->sink_userdata);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the standard streams: %m");

        s->tmpfs_baseline = vfs_tmpfs_bytes_used(s->vfs);
        *ret = TAKE_PTR(s);
        return 0;
}

int sandbox_new(const SandboxConfig *config, Sandbox **ret) {
        Vm *vm;
        int r;

        r = vm_new(config->memory_limit, image_bytes(config->image), image_size(config->image),
                   &vm);
        if (r < 0)
                return r;
        return sandbox_new_with_vm(config, vm, ret);
}

Sandbox *sandbox_free(Sandbox *s) {
        if (!s)
                return NULL;
        threads_free(s);
        /* Processes first: their fds and cwds hold the Vfs's nodes. */
        while (s->n_processes > 0)
                process_free(s->processes[s->n_processes - 1]);
        free(s->processes);
        vfs_free(s->vfs);
        vm_free(s->vm);
        free(s);
        return NULL;
}

Vm *sandbox_take_vm(Sandbox *s) {
        Vm *vm = s->vm;

        s->vm = NULL;
        return vm;
}

Process *sandbox_find_process(const Sandbox *s, int pid) {
        for (size_t i = 0; i < s->n_processes; i++)
                if (s->processes[i]->pid == pid)
                        return s->processes[i];
        return NULL;
}

int sandbox_run(Sandbox *s, uint64_t deadline_ns) {
        int r;

        s->deadline_ns = deadline_ns;
        if (s->state == SANDBOX_READY)
                return -EBUSY; /* deliver a request first */
        s->state = SANDBOX_RUNNING;
        s->cpu_base_ns = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        r = vdso_calibrate(s);
        if (r < 0)
                log_debug_errno(r, "Failed to calibrate the vDSO clocks, ignoring: %m");
        r = sched_run(s);
        /* An alarm a program left behind must not interrupt the worker's own calls later
         * (writing the result, making the next VM). */
        for (size_t i = 0; i < s->n_processes; i++)
                process_disarm_itimer(s->processes[i]);
        return r;
}

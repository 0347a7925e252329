/* SPDX-License-Identifier: MIT */
#include "process.h"

#include <time.h>
#include <inttypes.h>

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "syscall.h"
#include "thread.h"
#include "vdso.h"

uint64_t now_ns(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t process_cpu_ns(const Process *p) {
        return p->cpu_base_ns ? now_ns(CLOCK_PROCESS_CPUTIME_ID) - p->cpu_base_ns : 0;
}

void process_set_name(Process *p, const char *name) {
        size_t n = strnlen(name, GUEST_COMM_SIZE - 1);
        memcpy(p->comm, name, n);
        p->comm[n] = '\0';
}

void process_get_name(const Process *p, char ret[static GUEST_COMM_SIZE]) {
        const char *name = p->comm;
        uint32_t length = 0;

        /* Linux names a program after the file it exec'd. */
        if (!name[0] && p->exe_entry != 0 && p->image)
                name = image_entry_name(p->image, p->exe_entry, &length);
        else
                length = (uint32_t)strlen(name);
        length = name ? MIN(length, (uint32_t)GUEST_COMM_SIZE - 1) : 0;
        if (length)
                memcpy(ret, name, length);
        ret[length] = '\0';
}

int process_new_with_vm(const ProcessConfig *config, Vm *vm, Process **ret) {
        _cleanup_(process_freep) Process *p = NULL;
        TmpfsLimits limits = {
                .max_bytes = config->memory_limit,
                .max_inodes = VFS_DEFAULT_TMPFS_INODES,
                .max_file_size = config->memory_limit,
        };
        int r;

        p = calloc(1, sizeof(*p));
        if (!p) {
                vm_free(vm);
                return -ENOMEM;
        }
        p->vm = vm;
        p->image = config->image;
        p->rlimit_stack = 8 * 1024 * 1024;
        p->request_fd = -1;
        p->pid = GUEST_PID;
        p->start_ns = now_ns(CLOCK_MONOTONIC);
        mm_init(&p->mm, p->vm, config->memory_limit);
        r = threads_init(p);
        if (r < 0)
                return r;

        r = vfs_new(config->image, &limits, &p->vfs);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the filesystem: %m");
        vfs_set_process(p->vfs, p);
        r = fdtable_new(&p->fds);
        if (r < 0)
                return r;
        r = vfs_install_stdio(p->vfs, p->fds, config->stdin_data, config->stdin_size,
                              config->sink, config->sink_userdata);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the standard streams: %m");

        p->tmpfs_baseline = vfs_tmpfs_bytes_used(p->vfs);
        *ret = TAKE_PTR(p);
        return 0;
}

int process_new(const ProcessConfig *config, Process **ret) {
        Vm *vm;
        int r;

        r = vm_new(config->memory_limit, image_bytes(config->image), image_size(config->image),
                   &vm);
        if (r < 0)
                return r;
        return process_new_with_vm(config, vm, ret);
}

int process_open_request_channel(Process *p, int request_fd) {
        _cleanup_(file_unrefp) OpenFile *f = NULL;
        int r;

        r = file_new_stdin(NULL, 0, &f);
        if (r < 0)
                return r;
        r = fdtable_install_at(p->fds, f, request_fd, false);
        if (r < 0)
                return r;
        p->request_fd = request_fd;
        p->awaiting_request = true;
        return 0;
}

int process_deliver_request(Process *p, const void *data, size_t size) {
        _cleanup_(file_unrefp) OpenFile *f = NULL;
        int r;

        if (p->state != PROCESS_READY || !p->awaiting_request || p->request_fd < 0)
                return -EBUSY;
        r = file_new_stdin(data, size, &f);
        if (r < 0)
                return r;
        r = fdtable_install_at(p->fds, f, p->request_fd, false);
        if (r < 0)
                return r;
        p->awaiting_request = false;
        p->state = PROCESS_RUNNING;
        /* The runner's read is still pending in its registers: serve it now. */
        syscall_dispatch(p);
        return 0;
}

void process_request_consumed(Process *p) {
        OpenFile *f;

        /* Once the runner has read the request whole, the channel goes away by itself: the
         * program never sees it, and the runner saves a close (a VM exit). */
        if (p->awaiting_request || p->request_control || p->request_fd < 0 ||
            fdtable_get(p->fds, p->request_fd, &f) < 0 || f->kind != FILE_STDIN ||
            f->pos < f->input_size)
                return;
        (void)fdtable_close(p->fds, p->request_fd);
        p->request_fd = -1;
}

bool process_control_write(Process *p, int fd, const void *data, size_t size) {
        OpenFile *f;
        int32_t status;

        if (!p->request_control || p->awaiting_request || fd != p->request_fd ||
            fdtable_get(p->fds, fd, &f) < 0 || f->kind != FILE_STDIN || size != sizeof(status))
                return false;
        memcpy(&status, data, sizeof(status));
        p->state = PROCESS_EXITED;
        p->exit_code = status & 0xff;
        return true;
}

Process *process_free(Process *p) {
        if (!p)
                return NULL;
        threads_free(p);
        if (p->itimer_host_created)
                timer_delete(p->itimer_host);
        for (unsigned i = 0; i < p->n_signal_fpu; i++)
                free(p->signal_fpu[i]);
        fdtable_free(p->fds);
        vfs_free(p->vfs);
        mm_done(&p->mm);
        vm_free(p->vm);
        free(p);
        return NULL;
}

Vm *process_take_vm(Process *p) {
        Vm *vm = p->vm;

        p->vm = NULL;
        return vm;
}

void process_kill(Process *p, int sig) {
        if (p->state != PROCESS_RUNNING)
                return;
        p->state = PROCESS_SIGNALED;
        p->term_signal = sig;
}

/* A fault the program caused: its signal, unless it can be served (demand paging). */
void process_exception(Process *p, const VmExit *e) {
        int sig, code = 0, r;

        switch (e->vector) {
        case 14: /* #PF */
                if (!e->stray) {
                        bool write = e->error_code & 2, exec = e->error_code & 16;
                        r = mm_fault(&p->mm, e->fault_address, write, exec);
                        if (r == 0)
                                return;
                        if (r == -ENOMEM) {
                                p->mm.limit_hit = true;
                                process_kill(p, SIGKILL);
                                return;
                        }
                        if (r == -EPERM)
                                log_debug("Fault at %#" PRIx64 " on a page mapped with fewer "
                                          "rights than its mapping now has",
                                          e->fault_address);
                }
                sig = SIGSEGV;
                code = mm_find(&p->mm, e->fault_address) ? SEGV_ACCERR : SEGV_MAPERR;
                break;
        case 0: /* #DE */
                sig = SIGFPE;
                code = FPE_INTDIV;
                break;
        case 16: /* #MF */
        case 19: /* #XM */
                sig = SIGFPE;
                break;
        case 1: /* #DB */
        case 3: /* #BP */
                sig = SIGTRAP;
                break;
        case 6: /* #UD */
                sig = SIGILL;
                code = ILL_ILLOPN;
                break;
        case 17: /* #AC */
                sig = SIGBUS;
                break;
        default: /* #GP, #SS, #NP, #OF, #BR, ... */
                sig = SIGSEGV;
                break;
        }
        log_debug("Program fault: vector %u error %#" PRIx64 " at rip %#" PRIx64
                  " address %#" PRIx64 ": %s",
                  e->vector, e->error_code, e->rip, e->fault_address, strsignal(sig));
        /* The program's handler runs if it has one (faulthandler, V8's WebAssembly traps);
         * without one, or if it can't run (no stack left), the fault is fatal. */
        if (process_deliver_fault(p, sig, code, e) < 0)
                process_kill(p, sig);
}

int process_run(Process *p, uint64_t deadline_ns) {
        int r;

        p->deadline_ns = deadline_ns;
        if (p->state == PROCESS_READY)
                return -EBUSY; /* deliver a request first */
        p->state = PROCESS_RUNNING;
        p->cpu_base_ns = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        r = vdso_calibrate(p);
        if (r < 0)
                log_debug_errno(r, "Failed to calibrate the vDSO clocks, ignoring: %m");
        r = threads_run(p);
        /* An alarm the program left behind must not interrupt the worker's own calls later
         * (writing the result, making the next VM). */
        if (p->itimer_host_created)
                (void)timer_settime(p->itimer_host, 0, &(struct itimerspec){}, NULL);
        return r;
}

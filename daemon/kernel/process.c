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

void process_set_name(Process *p, const char *name) {
        size_t n = strnlen(name, GUEST_COMM_SIZE - 1);
        memcpy(p->comm, name, n);
        p->comm[n] = '\0';
}

void process_get_name(const Process *p, char ret[static GUEST_COMM_SIZE]) {
        const char *name = p->comm;
        uint32_t length = 0;

        /* Linux names a program after the file it exec'd. */
        if (!name[0] && p->exe_entry != 0 && p->sandbox->image)
                name = image_entry_name(p->sandbox->image, p->exe_entry, &length);
        else
                length = (uint32_t)strlen(name);
        length = name ? MIN(length, (uint32_t)GUEST_COMM_SIZE - 1) : 0;
        if (length)
                memcpy(ret, name, length);
        ret[length] = '\0';
}

int process_new(Sandbox *s, int pid, Process **ret) {
        _cleanup_(process_freep) Process *p = NULL;
        Process **table;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->sandbox = s;
        p->pid = pid;
        p->rlimit_stack = 8 * 1024 * 1024;
        mm_init(&p->mm, s->vm, &s->memory);
        r = fdtable_new(&p->fds);
        if (r < 0)
                return r;
        r = fs_context_new(&p->fs);
        if (r < 0)
                return r;
        table = reallocarray(s->processes, s->n_processes + 1, sizeof(*table));
        if (!table)
                return -ENOMEM;
        s->processes = table;
        s->processes[s->n_processes++] = p;
        *ret = TAKE_PTR(p);
        return 0;
}

Process *process_free(Process *p) {
        Sandbox *s;

        if (!p)
                return NULL;
        s = p->sandbox;
        for (size_t i = 0; i < s->n_processes; i++)
                if (s->processes[i] == p) {
                        s->processes[i] = s->processes[--s->n_processes];
                        break;
                }
        if (s->init == p)
                s->init = NULL;
        if (p->itimer_host_created)
                timer_delete(p->itimer_host);
        for (unsigned i = 0; i < p->n_signal_fpu; i++)
                free(p->signal_fpu[i]);
        fdtable_free(p->fds);
        fs_context_unref(p->fs);
        mm_done(&p->mm);
        free(p);
        return NULL;
}

void process_disarm_itimer(Process *p) {
        if (p->itimer_host_created)
                (void)timer_settime(p->itimer_host, 0, &(struct itimerspec){}, NULL);
}

/* A process ends; the sandbox's fate is init's. */
static void process_end(Process *p, SandboxState how, int value) {
        Sandbox *s = p->sandbox;

        if (s->state != SANDBOX_RUNNING || p != s->init)
                return;
        if (s->timeout_warned) {
                /* Ending after the deadline's SIGXCPU: still a timeout. */
                s->state = SANDBOX_TIMED_OUT;
                return;
        }
        s->state = how;
        if (how == SANDBOX_EXITED)
                s->exit_code = value & 0xff;
        else
                s->term_signal = value;
}

int process_refuse_new_process(Process *p) {
        static const char message[] =
                "sandboxd: this sandbox runs a single process: fork, vfork, clone of a new "
                "process and execve are not available\n";
        Sandbox *s = p->sandbox;

        /* The errno alone reads like a transient failure (EAGAIN invites a retry): say it plainly,
         * once per run, on the result's stderr whatever the program did with its fd 2. */
        if (!s->refused_new_process && s->sink) {
                s->refused_new_process = true;
                (void)s->sink(s->sink_userdata, 2, message, sizeof(message) - 1);
        }
        return -ENOSYS;
}

void process_exit(Process *p, int code) {
        process_end(p, SANDBOX_EXITED, code);
}

void process_kill(Process *p, int sig) {
        process_end(p, SANDBOX_SIGNALED, sig);
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
                                p->sandbox->memory.limit_hit = true;
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

/* SPDX-License-Identifier: MIT */
#include "syscall.h"

#include <sys/syscall.h>
#include <time.h>

#include "log.h"
#include "macro.h"
#include "syscall-table.h"
#include "readiness.h"
#include "scheduler.h"
#include "thread.h"

bool syscall_trace;

void syscall_dispatch(Process *p) {
        struct kvm_regs *regs = vm_regs(p->sandbox->vm);
        uint64_t nr = regs->rax;
        SyscallArgs args = {{regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9}};
        const SyscallInfo *info = syscall_info(nr);
        int64_t r;

        p->sandbox->syscalls++;
        if (!info) {
                p->sandbox->unimplemented++;
                log_debug("Unimplemented syscall %" PRIu64 " (%s)", nr, syscall_name(nr) ?: "?");
                vm_syscall_return(p->sandbox->vm, (uint64_t)-ENOSYS);
                return;
        }
        r = info->handler(p, &args);
        if (syscall_trace)
                log_info("[%d] %s(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64
                         ") = %" PRId64,
                         p->sandbox->threads ? thread_current_tid(p) : 0, info->name, args.a[0],
                         args.a[1], args.a[2], args.a[3], r);
        if (r == SYSCALL_RESULT_SET)
                return; /* the handler set the registers itself (signal delivery, sigreturn) */
        vm_syscall_return(p->sandbox->vm, (uint64_t)r);
}

static uint64_t deadline_after(Process *p, uint64_t ns) {
        uint64_t until;

        if (__builtin_add_overflow(now_ns(CLOCK_MONOTONIC), ns, &until) ||
            until > p->sandbox->deadline_ns)
                until = p->sandbox->deadline_ns;
        return until;
}

int process_wait(Process *p, WaitSet *ws, uint64_t ns) {
        uint64_t until = deadline_after(p, ns);

        if (sched_threads_alive(p->sandbox) > 1) {
                /* A registration lost to a failed allocation: look again soon instead. */
                if (ws->incomplete)
                        until = MIN(until, now_ns(CLOCK_MONOTONIC) + 1000000);
                return thread_wait(p, until);
        }
        process_sleep(p, ns);
        return -ETIMEDOUT;
}

int process_wait_file(Process *p, OpenFile *f, uint64_t ns) {
        WaitSet ws;
        int r;

        wait_set_init(&ws, p);
        readiness_watch(f, &ws);
        r = process_wait(p, &ws, ns);
        wait_set_done(&ws);
        return r;
}

void process_sleep(Process *p, uint64_t ns) {
        uint64_t now = now_ns(CLOCK_MONOTONIC), until = deadline_after(p, ns);

        /* The interval timer's signal interrupts a sleep, as on Linux. */
        if (p->itimer_deadline && p->itimer_deadline < until)
                until = p->itimer_deadline;

        if (sched_threads_alive(p->sandbox) > 1) {
                /* Another thread runs meanwhile; only the deadline ends this wait. */
                while (p->sandbox->state == SANDBOX_RUNNING && now_ns(CLOCK_MONOTONIC) < until)
                        (void)thread_wait(p, until);
                return;
        }
        while (now < until) {
                struct timespec ts = {.tv_sec = (until - now) / 1000000000ULL,
                                      .tv_nsec = (until - now) % 1000000000ULL};
                /* The deadline timer's signal ends this early; the run loop then checks. */
                if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
                        break;
                now = now_ns(CLOCK_MONOTONIC);
        }
}

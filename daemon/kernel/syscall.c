/* SPDX-License-Identifier: MIT */
#include "syscall.h"

#include <sys/syscall.h>
#include <time.h>

#include "log.h"
#include "macro.h"

#define SYSCALL_MAX 512

static SyscallHandler table[SYSCALL_MAX];

static void table_fill(void) {
        static const SyscallEntry *const groups[] = {syscalls_fs,   syscalls_mm,
                                                     syscalls_net,  syscalls_poll,
                                                     syscalls_proc, syscalls_signal};

        for (size_t g = 0; g < ELEMENTSOF(groups); g++)
                for (const SyscallEntry *e = groups[g]; e->number >= 0; e++)
                        if (e->number < SYSCALL_MAX)
                                table[e->number] = e->handler;
}

void syscall_dispatch(Process *p) {
        struct kvm_regs *regs = vm_regs(p->vm);
        uint64_t nr = regs->rax;
        SyscallArgs args = {{regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9}};
        SyscallHandler h;
        int64_t r;

        if (!table[SYS_read])
                table_fill();
        p->syscalls++;

        h = nr < SYSCALL_MAX ? table[nr] : NULL;
        if (!h) {
                p->unimplemented++;
                log_debug("Unimplemented syscall %" PRIu64, nr);
                vm_syscall_return(p->vm, (uint64_t)-ENOSYS);
                return;
        }
        r = h(p, &args);
        if (r == SYSCALL_RESULT_SET)
                return; /* the handler set the registers itself (signal delivery, sigreturn) */
        vm_syscall_return(p->vm, (uint64_t)r);
}

void process_sleep(Process *p, uint64_t ns) {
        uint64_t now = now_ns(CLOCK_MONOTONIC), until;

        if (__builtin_add_overflow(now, ns, &until) || until > p->deadline_ns)
                until = p->deadline_ns;
        while (now < until) {
                struct timespec ts = {.tv_sec = (until - now) / 1000000000ULL,
                                      .tv_nsec = (until - now) % 1000000000ULL};
                /* The deadline timer's signal ends this early; the run loop then checks. */
                if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
                        break;
                now = now_ns(CLOCK_MONOTONIC);
        }
}

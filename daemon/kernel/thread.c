/* SPDX-License-Identifier: MIT */
#include "thread.h"

#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <ucontext.h>

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "syscall.h"
#include "scheduler.h"
#include "thread-internal.h"
#include "uaccess.h"

static void thread_free(Thread *t) {
        if (!t)
                return;
        if (t->wait_set)
                wait_set_done(t->wait_set); /* it lives on t's stack, freed below */
        free(t->xsave);
        free(t->stack);
        free(t);
}

int threads_init(Process *p) {
        Threads *ts = calloc(1, sizeof(*ts));
        Thread *t = calloc(1, sizeof(*t));

        if (!ts || !t) {
                free(ts);
                free(t);
                return -ENOMEM;
        }
        t->process = p;
        t->tid = p->pid;
        t->state = THREAD_RUNNABLE;
        ts->list[0] = t;
        ts->n = 1;
        ts->next_tid = GUEST_PID + 1;
        p->sandbox->threads = ts;
        return 0;
}

void threads_free(Sandbox *s) {
        Threads *ts = s->threads;

        if (!ts)
                return;
        if (ts->timer_armed)
                timer_delete(ts->timer);
        for (unsigned i = 0; i < ts->n; i++)
                thread_free(ts->list[i]);
        free(ts);
        s->threads = NULL;
}

unsigned threads_alive(const Process *p) {
        const Threads *ts = p->sandbox->threads;
        unsigned alive = 0;

        for (unsigned i = 0; i < ts->n; i++)
                alive += ts->list[i]->process == p && ts->list[i]->state != THREAD_DEAD;
        return alive;
}

int thread_current_tid(const Process *p) {
        return thread_current(p->sandbox)->tid;
}

bool thread_alive(const Process *p, int tid) {
        const Threads *ts = p->sandbox->threads;

        for (unsigned i = 0; i < ts->n; i++)
                if (ts->list[i]->process == p && ts->list[i]->tid == tid)
                        return ts->list[i]->state != THREAD_DEAD;
        return false;
}

void thread_set_clear_child_tid(Process *p, uint64_t addr) {
        thread_current(p->sandbox)->clear_child_tid = addr;
        if (thread_current(p->sandbox) == thread_main(p->sandbox))
                p->clear_child_tid = addr; /* what a snapshot keeps */
}

int thread_futex_wait(Process *p, uint64_t uaddr, uint32_t bitset, uint64_t deadline_ns) {
        Thread *self = thread_current(p->sandbox);
        int r;

        self->on_futex = true;
        self->futex_addr = uaddr;
        self->futex_bitset = bitset;
        r = thread_wait(p, deadline_ns);
        self->on_futex = false;
        return r;
}

/* Whether t waits on the futex word at uaddr in p's address space (a futex is keyed by its
 * address space and address). */
static bool waits_on(const Thread *t, const Process *p, uint64_t uaddr) {
        return t->state == THREAD_WAITING && t->on_futex && t->process == p &&
               t->futex_addr == uaddr;
}

int thread_futex_wake(Process *p, uint64_t uaddr, int count, uint32_t bitset) {
        const Threads *ts = p->sandbox->threads;
        int woken = 0;

        for (unsigned i = 0; i < ts->n && woken < count; i++) {
                Thread *t = ts->list[(ts->current + i) % ts->n];
                if (waits_on(t, p, uaddr) && (t->futex_bitset & bitset)) {
                        t->on_futex = false;
                        sched_wake(t);
                        woken++;
                }
        }
        return woken;
}

int thread_futex_requeue(Process *p, uint64_t uaddr, int wake, uint64_t uaddr2, int requeue) {
        const Threads *ts = p->sandbox->threads;
        int woken = 0, moved = 0;

        for (unsigned i = 0; i < ts->n; i++) {
                Thread *t = ts->list[(ts->current + i) % ts->n];
                if (!waits_on(t, p, uaddr))
                        continue;
                if (woken < wake) {
                        t->on_futex = false;
                        sched_wake(t);
                        woken++;
                } else if (moved < requeue) {
                        t->futex_addr = uaddr2;
                        moved++;
                } else
                        break;
        }
        return woken + moved;
}

void thread_exit(Process *p, int code) {
        Thread *self = thread_current(p->sandbox);

        if (self->clear_child_tid) {
                /* What pthread_join waits for: the tid cleared and a futex wake on it. */
                uint32_t zero = 0;
                if (copy_to_user(&p->mm, self->clear_child_tid, &zero, sizeof(zero)) >= 0)
                        (void)thread_futex_wake(p, self->clear_child_tid, 1,
                                                FUTEX_BITSET_MATCH_ANY);
        }
        self->state = THREAD_DEAD;
        if (threads_alive(p) == 0)
                process_exit(p, code);
        if (sched_threads_alive(p->sandbox) == 1)
                sched_disarm_preemption(
                        p->sandbox); /* one thread left: nothing to take turns with */
}

static int slot_for_new_thread(Process *p) {
        Threads *ts = p->sandbox->threads;

        if (ts->n < THREAD_MAX)
                return (int)ts->n++;
        /* Reuse an exited thread's slot; its coroutine stack is free once it isn't the one
         * running this code. */
        for (unsigned i = 1; i < ts->n; i++)
                if (ts->list[i]->state == THREAD_DEAD && i != ts->current) {
                        thread_free(ts->list[i]);
                        ts->list[i] = NULL;
                        return (int)i;
                }
        return -EAGAIN;
}

int thread_new(Process *p, Thread **ret) {
        Thread *t = calloc(1, sizeof(*t));

        if (!t)
                return -ENOMEM;
        t->xsave = malloc(sizeof(*t->xsave));
        t->stack = malloc(THREAD_STACK_SIZE);
        if (!t->xsave || !t->stack || getcontext(&t->ctx) < 0) {
                thread_free(t);
                return -ENOMEM;
        }
        t->process = p;
        t->state = THREAD_RUNNABLE;
        t->ctx.uc_stack.ss_sp = t->stack;
        t->ctx.uc_stack.ss_size = THREAD_STACK_SIZE;
        t->ctx.uc_link = NULL;
        makecontext(&t->ctx, sched_thread_entry, 0);
        *ret = t;
        return 0;
}

int thread_add(Process *p, Thread *t) {
        int slot;

        /* The main thread's FPU state is first saved when it is first switched away from. */
        if (!thread_main(p->sandbox)->xsave) {
                thread_main(p->sandbox)->xsave = malloc(sizeof(struct kvm_xsave));
                if (!thread_main(p->sandbox)->xsave) {
                        thread_free(t);
                        return -ENOMEM;
                }
        }
        slot = slot_for_new_thread(p);
        if (slot < 0) {
                thread_free(t);
                return slot;
        }
        p->sandbox->threads->list[slot] = t;
        return 0;
}

#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define CLONE_SUPPORTED_FLAGS                                                                      \
        (CLONE_THREAD_FLAGS | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |                 \
         CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED | 0xff /* exit signal */)

int64_t thread_clone(Process *p, uint64_t flags, uint64_t newsp, uint64_t parent_tid,
                     uint64_t child_tid, uint64_t tls) {
        struct kvm_regs *regs = vm_regs(p->sandbox->vm);
        Thread *t;
        int tid, r;

        /* copy_process()'s checks of the flags' consistency, before anything else. */
        if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
                return -EINVAL;
        if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
                return -EINVAL;
        if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS)
                return process_refuse_new_process(p); /* a new process */
        if (flags & ~(uint64_t)CLONE_SUPPORTED_FLAGS)
                return -EINVAL;
        if ((flags & CLONE_SETTLS) && tls >= USER_MAX)
                return -EPERM;
        if (!vm_syscall_returns_directly(p->sandbox->vm))
                return -EAGAIN; /* the child's return below assumes kvm_pvm's syscall path */

        tid = p->sandbox->threads->next_tid;
        if (tid >= THREAD_TID_MAX)
                return -EAGAIN;
        if ((flags & CLONE_PARENT_SETTID) &&
            copy_to_user(&p->mm, parent_tid, &tid, sizeof(tid)) < 0)
                return -EFAULT;
        if ((flags & CLONE_CHILD_SETTID) && copy_to_user(&p->mm, child_tid, &tid, sizeof(tid)) < 0)
                return -EFAULT;

        r = thread_new(p, &t);
        if (r < 0)
                return r;
        r = vm_get_xsave(p->sandbox->vm, t->xsave);
        if (r < 0) {
                thread_free(t);
                return r;
        }
        /* The child returns from this syscall with 0, on its own stack: where `syscall` would
         * have returned (RCX, flags in R11), as the parent will. */
        t->regs = *regs;
        t->regs.rax = 0;
        t->regs.rsp = newsp ? newsp : regs->rsp;
        t->regs.rip = regs->rcx;
        t->regs.rflags = regs->r11;
        t->fs_base = (flags & CLONE_SETTLS) ? tls : vm_get_fs_base(p->sandbox->vm);
        t->sigmask = p->sigmask; /* a new thread starts with its creator's signal mask */
        if (flags & CLONE_CHILD_CLEARTID)
                t->clear_child_tid = child_tid;
        t->tid = tid;
        r = thread_add(p, t);
        if (r < 0)
                return r;
        p->sandbox->threads->next_tid++;
        r = sched_arm_preemption(p->sandbox);
        if (r < 0)
                log_warning_errno(r, "Failed to arm the thread preemption timer, ignoring: %m");
        return tid;
}

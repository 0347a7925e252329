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
#include "uaccess.h"

typedef enum ThreadState {
        THREAD_RUNNABLE,
        THREAD_WAITING,
        THREAD_DEAD,
} ThreadState;

typedef struct Thread {
        int tid;
        ThreadState state;
        /* Off the vCPU, its state lives here. */
        struct kvm_regs regs;
        uint64_t fs_base;
        struct kvm_xsave *xsave;
        uint64_t sigmask; /* while it is off the vCPU; the running thread's is p->sigmask */
        uint64_t clear_child_tid;
        /* In a syscall that waits (from the start of the wait until its coroutine resumes):
         * its registers are those of the syscall exit, and a snapshot keeps it that way. */
        bool in_syscall;
        /* Restored from a snapshot in a syscall: serve it again when the thread first runs. */
        bool resume_syscall;
        /* THREAD_WAITING: */
        uint64_t deadline;
        bool io;
        bool woken;
        bool on_futex;
        uint64_t futex_addr;
        uint32_t futex_bitset;
        /* The host coroutine its exits are served on; the main thread uses the caller's. */
        ucontext_t ctx;
        void *stack;
} Thread;

struct Threads {
        Thread *list[THREAD_MAX];
        unsigned n;
        unsigned current;
        int next_tid;
        uint64_t slice_end;
        timer_t timer;
        bool timer_armed;
};

/* makecontext() passes ints only; the host side is single-threaded, so the process a new
 * coroutine serves is handed over here. */
static Process *starting_process;

static Thread *current(const Process *p) {
        return p->threads->list[p->threads->current];
}

static Thread *main_thread(const Process *p) {
        return p->threads->list[0];
}

static void disarm_preemption(Process *p);

static void thread_free(Thread *t) {
        if (!t)
                return;
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
        t->tid = GUEST_PID;
        t->state = THREAD_RUNNABLE;
        ts->list[0] = t;
        ts->n = 1;
        ts->next_tid = GUEST_PID + 1;
        p->threads = ts;
        return 0;
}

void threads_free(Process *p) {
        Threads *ts = p->threads;

        if (!ts)
                return;
        if (ts->timer_armed)
                timer_delete(ts->timer);
        for (unsigned i = 0; i < ts->n; i++)
                thread_free(ts->list[i]);
        free(ts);
        p->threads = NULL;
}

unsigned threads_alive(const Process *p) {
        unsigned alive = 0;
        for (unsigned i = 0; i < p->threads->n; i++)
                alive += p->threads->list[i]->state != THREAD_DEAD;
        return alive;
}

int thread_current_tid(const Process *p) {
        return current(p)->tid;
}

bool thread_alive(const Process *p, int tid) {
        for (unsigned i = 0; i < p->threads->n; i++)
                if (p->threads->list[i]->tid == tid)
                        return p->threads->list[i]->state != THREAD_DEAD;
        return false;
}

void thread_set_clear_child_tid(Process *p, uint64_t addr) {
        current(p)->clear_child_tid = addr;
        if (current(p) == main_thread(p))
                p->clear_child_tid = addr; /* what a snapshot keeps */
}

/* Puts `to` on the vCPU and continues its coroutine; returns when this one is switched back. */
static void switch_to(Process *p, Thread *to) {
        Threads *ts = p->threads;
        Thread *from = current(p);
        int r;

        if (from == to)
                return;
        if (from->state != THREAD_DEAD) {
                from->regs = *vm_regs(p->vm);
                from->fs_base = vm_get_fs_base(p->vm);
                from->sigmask = p->sigmask;
                r = vm_get_xsave(p->vm, from->xsave);
                if (r < 0)
                        log_warning_errno(r, "Failed to save thread %d's FPU state: %m", from->tid);
        }
        *vm_regs(p->vm) = to->regs;
        vm_regs_changed(p->vm);
        p->sigmask = to->sigmask;
        r = vm_set_xsave(p->vm, to->xsave);
        if (r < 0)
                log_warning_errno(r, "Failed to load thread %d's FPU state: %m", to->tid);
        if (to->fs_base != vm_get_fs_base(p->vm))
                (void)vm_set_fs_base(p->vm, to->fs_base);
        for (unsigned i = 0; i < ts->n; i++)
                if (ts->list[i] == to)
                        ts->current = i;
        ts->slice_end = now_ns(CLOCK_MONOTONIC) + THREAD_SLICE_NS;
        swapcontext(&from->ctx, &to->ctx);
}

/* Waits whose deadline has passed end now, even while other threads keep the vCPU busy (the
 * GIL's 5 ms timed waits are how Python's threads take turns). */
static void expire_waits(Process *p, uint64_t now) {
        for (unsigned i = 0; i < p->threads->n; i++) {
                Thread *t = p->threads->list[i];
                if (t->state == THREAD_WAITING && t->deadline <= now)
                        t->state = THREAD_RUNNABLE; /* woken stays false: timed out */
        }
}

static Thread *next_runnable(Process *p) {
        Threads *ts = p->threads;

        expire_waits(p, now_ns(CLOCK_MONOTONIC));

        for (unsigned i = 1; i <= ts->n; i++) {
                Thread *t = ts->list[(ts->current + i) % ts->n];
                if (t->state == THREAD_RUNNABLE)
                        return t;
        }
        return NULL;
}

/* The thread to run next: one that can run, else the first whose wait ends (sleeping until
 * then); the main thread once the process has ended, so process_run can return. */
static Thread *pick_next(Process *p) {
        for (;;) {
                uint64_t now, earliest;
                Thread *t;

                if (p->state != PROCESS_RUNNING)
                        return main_thread(p);
                t = next_runnable(p);
                if (t)
                        return t;

                now = now_ns(CLOCK_MONOTONIC);
                if (now >= p->deadline_ns) {
                        p->state = PROCESS_TIMED_OUT;
                        continue;
                }
                earliest = p->deadline_ns;
                if (p->itimer_deadline)
                        earliest = MIN(earliest, p->itimer_deadline);
                for (unsigned i = 0; i < p->threads->n; i++) {
                        t = p->threads->list[i];
                        if (t->state == THREAD_WAITING)
                                earliest = MIN(earliest, t->deadline);
                }
                if (earliest > now) {
                        struct timespec ts = {.tv_sec = (earliest - now) / 1000000000ULL,
                                              .tv_nsec = (earliest - now) % 1000000000ULL};
                        /* The deadline timer's signal ends this early; the loop checks. */
                        (void)nanosleep(&ts, NULL);
                        now = now_ns(CLOCK_MONOTONIC);
                }
                expire_waits(p, now);
        }
}

static void wake_thread(Thread *t) {
        if (t->state != THREAD_WAITING)
                return;
        t->state = THREAD_RUNNABLE;
        t->woken = true;
}

int thread_wait(Process *p, uint64_t deadline_ns, bool io) {
        Thread *self = current(p), *next;

        if (p->state != PROCESS_RUNNING)
                return -EINTR;
        self->state = THREAD_WAITING;
        self->deadline = deadline_ns;
        self->io = io;
        self->woken = false;
        self->in_syscall = true;
        next = pick_next(p);
        if (next != self)
                switch_to(p, next);
        self->in_syscall = false;
        if (self->state == THREAD_WAITING)
                self->state = THREAD_RUNNABLE; /* the process ended while it waited */
        if (p->state != PROCESS_RUNNING)
                return -EINTR;
        return self->woken ? 0 : -ETIMEDOUT;
}

void threads_wake_io(Process *p) {
        for (unsigned i = 0; i < p->threads->n; i++) {
                Thread *t = p->threads->list[i];
                if (t->state == THREAD_WAITING && t->io)
                        wake_thread(t);
        }
}

int thread_futex_wait(Process *p, uint64_t uaddr, uint32_t bitset, uint64_t deadline_ns) {
        Thread *self = current(p);
        int r;

        self->on_futex = true;
        self->futex_addr = uaddr;
        self->futex_bitset = bitset;
        r = thread_wait(p, deadline_ns, false);
        self->on_futex = false;
        return r;
}

int thread_futex_wake(Process *p, uint64_t uaddr, int count, uint32_t bitset) {
        int woken = 0;

        for (unsigned i = 0; i < p->threads->n && woken < count; i++) {
                Thread *t = p->threads->list[(p->threads->current + i) % p->threads->n];
                if (t->state == THREAD_WAITING && t->on_futex && t->futex_addr == uaddr &&
                    (t->futex_bitset & bitset)) {
                        t->on_futex = false;
                        wake_thread(t);
                        woken++;
                }
        }
        return woken;
}

int thread_futex_requeue(Process *p, uint64_t uaddr, int wake, uint64_t uaddr2, int requeue) {
        int woken = 0, moved = 0;

        for (unsigned i = 0; i < p->threads->n; i++) {
                Thread *t = p->threads->list[(p->threads->current + i) % p->threads->n];
                if (t->state != THREAD_WAITING || !t->on_futex || t->futex_addr != uaddr)
                        continue;
                if (woken < wake) {
                        t->on_futex = false;
                        wake_thread(t);
                        woken++;
                } else if (moved < requeue) {
                        t->futex_addr = uaddr2;
                        moved++;
                } else
                        break;
        }
        return woken + moved;
}

void thread_yield(Process *p) {
        Thread *next = next_runnable(p);
        if (next && next != current(p))
                switch_to(p, next);
}

void thread_exit(Process *p, int code) {
        Thread *self = current(p);

        if (self->clear_child_tid) {
                /* What pthread_join waits for: the tid cleared and a futex wake on it. */
                uint32_t zero = 0;
                if (copy_to_user(&p->mm, self->clear_child_tid, &zero, sizeof(zero)) >= 0)
                        (void)thread_futex_wake(p, self->clear_child_tid, 1, FUTEX_BITSET_MATCH_ANY);
        }
        self->state = THREAD_DEAD;
        if (threads_alive(p) == 0 && p->state == PROCESS_RUNNING) {
                p->state = PROCESS_EXITED;
                p->exit_code = code & 0xff;
        }
        if (threads_alive(p) == 1)
                disarm_preemption(p); /* one thread left: nothing to take turns with */
}

static void disarm_preemption(Process *p) {
        Threads *ts = p->threads;

        if (!ts->timer_armed)
                return;
        timer_delete(ts->timer);
        ts->timer_armed = false;
}

/* A thread that another one is waiting on never gets the vCPU long: every THREAD_SLICE_NS the
 * timer interrupts KVM_RUN and, at a point in the program's own code, the next one runs. */
static int arm_preemption(Process *p) {
        Threads *ts = p->threads;
        struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM};
        struct itimerspec its = {
                .it_value = {.tv_nsec = THREAD_SLICE_NS},
                .it_interval = {.tv_nsec = THREAD_SLICE_NS},
        };

        if (ts->timer_armed)
                return 0;
        if (timer_create(CLOCK_MONOTONIC, &sev, &ts->timer) < 0)
                return -errno;
        if (timer_settime(ts->timer, 0, &its, NULL) < 0) {
                int r = -errno;
                timer_delete(ts->timer);
                return r;
        }
        ts->timer_armed = true;
        return 0;
}

static void maybe_preempt(Process *p) {
        Thread *next;

        if (p->threads->n < 2 || now_ns(CLOCK_MONOTONIC) < p->threads->slice_end ||
            vm_in_guest_kernel(p->vm))
                return;
        next = next_runnable(p);
        if (next && next != current(p))
                switch_to(p, next);
}

/* After each exit served: signals now due run on the thread, unless it has just ended. */
static void deliver_due_signals(Process *p, const Thread *self) {
        if (self->state != THREAD_DEAD && (p->pending_signals || p->itimer_deadline))
                process_deliver_signals(p);
}

/* Serves the current thread's exits until it dies or the process ends. */
static int thread_loop(Process *p) {
        Thread *self = current(p);

        while (p->state == PROCESS_RUNNING && self->state != THREAD_DEAD) {
                VmExit e;
                int r;

                if (now_ns(CLOCK_MONOTONIC) >= p->deadline_ns) {
                        p->state = PROCESS_TIMED_OUT;
                        break;
                }
                r = vm_run(p->vm, &e);
                if (r < 0) {
                        p->state = PROCESS_FAILED;
                        p->failure = "KVM_RUN failed";
                        return log_error_errno(r, "KVM_RUN failed: %m");
                }
                switch (e.kind) {
                case VM_EXIT_SYSCALL:
                        syscall_dispatch(p);
                        if (p->mm.vm_failed && p->state == PROCESS_RUNNING) {
                                p->state = PROCESS_FAILED;
                                p->failure = "a page-table edit by the guest failed";
                        }
                        break;
                case VM_EXIT_EXCEPTION:
                        process_exception(p, &e);
                        break;
                case VM_EXIT_INTERRUPTED:
                        maybe_preempt(p); /* the deadline check above decides the rest */
                        break;
                case VM_EXIT_FAILED:
                        log_warning("VM failed: %s (%u) at rip %#llx", e.reason,
                                    e.kvm_exit_reason, vm_regs(p->vm)->rip);
                        /* Only the program can have driven its VM here (a triple fault from
                         * a wrecked stack, say): report it as a crash of the program. */
                        process_kill(p, SIGSEGV);
                        break;
                }
                deliver_due_signals(p, self);
        }
        return 0;
}

static void thread_entry(void) {
        Process *p = starting_process;
        Thread *self = current(p);

        if (self->resume_syscall) {
                /* Its registers are still those of the syscall exit it was saved in. */
                self->resume_syscall = false;
                syscall_dispatch(p);
                deliver_due_signals(p, self);
        }
        (void)thread_loop(p);
        /* This thread is done: on to another, for good. */
        switch_to(p, pick_next(p));
        abort(); /* nobody switches to a dead thread */
}

int threads_run(Process *p) {
        int r;

        if (threads_alive(p) > 1) {
                /* Threads restored from a snapshot: their timer starts with the run. */
                r = arm_preemption(p);
                if (r < 0)
                        log_warning_errno(r, "Failed to arm the thread preemption timer, "
                                          "ignoring: %m");
        }
        p->threads->slice_end = now_ns(CLOCK_MONOTONIC) + THREAD_SLICE_NS;
        r = thread_loop(p);
        /* The main thread exited on its own while others live: run them until the end. */
        while (r >= 0 && p->state == PROCESS_RUNNING)
                switch_to(p, pick_next(p));
        /* Stopped (at the ready point, say): its timer would go on interrupting whatever the
         * worker does next (making another VM: KVM_CREATE_VM fails with EINTR). */
        disarm_preemption(p);
        return r;
}

static int slot_for_new_thread(Process *p) {
        Threads *ts = p->threads;

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

/* A thread with its FPU buffer and host stack, runnable from thread_entry once started. */
static int thread_new(Process *p, Thread **ret) {
        Thread *t = calloc(1, sizeof(*t));

        if (!t)
                return -ENOMEM;
        t->xsave = malloc(sizeof(*t->xsave));
        t->stack = malloc(THREAD_STACK_SIZE);
        if (!t->xsave || !t->stack || getcontext(&t->ctx) < 0) {
                thread_free(t);
                return -ENOMEM;
        }
        t->state = THREAD_RUNNABLE;
        t->ctx.uc_stack.ss_sp = t->stack;
        t->ctx.uc_stack.ss_size = THREAD_STACK_SIZE;
        t->ctx.uc_link = NULL;
        makecontext(&t->ctx, thread_entry, 0);
        *ret = t;
        return 0;
}

/* Puts t in the table (freeing it on failure). */
static int thread_add(Process *p, Thread *t) {
        int slot;

        starting_process = p;
        /* The main thread's FPU state is first saved when it is first switched away from. */
        if (!main_thread(p)->xsave) {
                main_thread(p)->xsave = malloc(sizeof(struct kvm_xsave));
                if (!main_thread(p)->xsave) {
                        thread_free(t);
                        return -ENOMEM;
                }
        }
        slot = slot_for_new_thread(p);
        if (slot < 0) {
                thread_free(t);
                return slot;
        }
        p->threads->list[slot] = t;
        return 0;
}

int threads_export(const Process *p, ThreadImage **ret, size_t *ret_count) {
        const Threads *ts = p->threads;
        ThreadImage *images;
        size_t n = 0;

        if (current(p) != main_thread(p))
                return log_error_errno(EOPNOTSUPP, "The ready point was reached by thread %d, "
                                       "not the main thread",
                                       current(p)->tid);
        images = calloc(MAX(ts->n, 1u), sizeof(*images));
        if (!images)
                return -ENOMEM;
        for (unsigned i = 1; i < ts->n; i++) {
                const Thread *t = ts->list[i];
                if (t->state == THREAD_DEAD)
                        continue;
                images[n++] = (ThreadImage){
                        .tid = t->tid,
                        .in_syscall = t->in_syscall,
                        .fs_base = t->fs_base,
                        .sigmask = t->sigmask,
                        .clear_child_tid = t->clear_child_tid,
                        .regs = t->regs,
                        .xsave = *t->xsave,
                };
        }
        *ret = images;
        *ret_count = n;
        return 0;
}

int thread_import(Process *p, const ThreadImage *image) {
        Thread *t;
        int r;

        if (image->tid <= GUEST_PID || image->tid >= p->threads->next_tid ||
            thread_alive(p, image->tid))
                return -EINVAL;
        r = thread_new(p, &t);
        if (r < 0)
                return r;
        t->tid = image->tid;
        t->regs = image->regs;
        t->fs_base = image->fs_base;
        t->sigmask = image->sigmask;
        t->clear_child_tid = image->clear_child_tid;
        *t->xsave = image->xsave;
        t->resume_syscall = image->in_syscall;
        return thread_add(p, t);
}

int threads_next_tid(const Process *p) {
        return p->threads->next_tid;
}

int threads_set_next_tid(Process *p, int next_tid) {
        if (next_tid <= GUEST_PID || next_tid > THREAD_TID_MAX)
                return -EINVAL;
        p->threads->next_tid = next_tid;
        return 0;
}

#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define CLONE_SUPPORTED_FLAGS                                                                 \
        (CLONE_THREAD_FLAGS | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |            \
         CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED | 0xff /* exit signal */)

int64_t thread_clone(Process *p, uint64_t flags, uint64_t newsp, uint64_t parent_tid,
                     uint64_t child_tid, uint64_t tls) {
        struct kvm_regs *regs = vm_regs(p->vm);
        Thread *t;
        int tid, r;

        if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS)
                return -EAGAIN; /* a new process: one process per sandbox, for now */
        if (flags & ~(uint64_t)CLONE_SUPPORTED_FLAGS)
                return -EINVAL;
        if ((flags & CLONE_SETTLS) && tls >= USER_MAX)
                return -EPERM;
        if (!vm_syscall_returns_directly(p->vm))
                return -EAGAIN; /* the child's return below assumes kvm_pvm's syscall path */

        tid = p->threads->next_tid;
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
        r = vm_get_xsave(p->vm, t->xsave);
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
        t->fs_base = (flags & CLONE_SETTLS) ? tls : vm_get_fs_base(p->vm);
        t->sigmask = p->sigmask; /* a new thread starts with its creator's signal mask */
        if (flags & CLONE_CHILD_CLEARTID)
                t->clear_child_tid = child_tid;
        t->tid = tid;
        r = thread_add(p, t);
        if (r < 0)
                return r;
        p->threads->next_tid++;
        r = arm_preemption(p);
        if (r < 0)
                log_warning_errno(r, "Failed to arm the thread preemption timer, ignoring: %m");
        return tid;
}

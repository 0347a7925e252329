/* SPDX-License-Identifier: MIT */
#include "scheduler.h"

#include <signal.h>
#include <time.h>
#include <ucontext.h>

#include "log.h"
#include "macro.h"
#include "process.h"
#include "syscall.h"
#include "thread-internal.h"

/* makecontext() passes ints only, and the host side is single-threaded: the sandbox whose
 * threads run is kept here for a new thread's coroutine to find. */
static Sandbox *running;

/* Puts `to` on the vCPU and continues its coroutine; returns when this one is switched back. */
static void switch_to(Sandbox *s, Thread *to) {
        Threads *ts = s->threads;
        Thread *from = thread_current(s);
        int r;

        if (from == to)
                return;
        if (from->state != THREAD_DEAD) {
                from->regs = *vm_regs(s->vm);
                from->fs_base = vm_get_fs_base(s->vm);
                from->sigmask = from->process->sigmask;
                r = vm_get_xsave(s->vm, from->xsave);
                if (r < 0)
                        log_warning_errno(r, "Failed to save thread %d's FPU state: %m", from->tid);
        }
        /* A dead thread is only switched to to end the run on init's main thread's stack
         * (sched_run): it never runs guest code again, and has no state worth loading. */
        if (to->state != THREAD_DEAD) {
                *vm_regs(s->vm) = to->regs;
                vm_regs_changed(s->vm);
                to->process->sigmask = to->sigmask;
                r = vm_set_xsave(s->vm, to->xsave);
                if (r < 0)
                        log_warning_errno(r, "Failed to load thread %d's FPU state: %m", to->tid);
                if (to->fs_base != vm_get_fs_base(s->vm))
                        (void)vm_set_fs_base(s->vm, to->fs_base);
        }
        for (unsigned i = 0; i < ts->n; i++)
                if (ts->list[i] == to)
                        ts->current = i;
        ts->slice_end = now_ns(CLOCK_MONOTONIC) + THREAD_SLICE_NS;
        swapcontext(&from->ctx, &to->ctx);
}

/* The run's deadline has come. Like RLIMIT_CPU's soft limit, it first sends init SIGXCPU when
 * init handles it (the Python runner's handler flushes what the program printed and ends; a
 * program may handle it itself), and stops the sandbox SANDBOX_TIMEOUT_GRACE_NS later; without a
 * handler, or the second time, it stops it at once. Either way the result says timed out. */
static void deadline_reached(Sandbox *s) {
        Process *init = s->init;
        uint64_t handler = init ? init->actions[SIGXCPU].handler : 0;

        if (!s->timeout_warned && init && handler != (uint64_t)(uintptr_t)SIG_DFL &&
            handler != (uint64_t)(uintptr_t)SIG_IGN) {
                s->timeout_warned = true;
                s->deadline_ns = now_ns(CLOCK_MONOTONIC) + SANDBOX_TIMEOUT_GRACE_NS;
                init->pending_signals |= 1ULL << (SIGXCPU - 1);
                return;
        }
        s->state = SANDBOX_TIMED_OUT;
}

/* Waits whose deadline has passed end now, even while other threads keep the vCPU busy (the
 * GIL's 5 ms timed waits are how Python's threads take turns). */
static void expire_waits(Sandbox *s, uint64_t now) {
        for (unsigned i = 0; i < s->threads->n; i++) {
                Thread *t = s->threads->list[i];
                if (t->state == THREAD_WAITING && t->deadline <= now)
                        t->state = THREAD_RUNNABLE; /* woken stays false: timed out */
        }
}

static Thread *next_runnable(Sandbox *s) {
        Threads *ts = s->threads;

        expire_waits(s, now_ns(CLOCK_MONOTONIC));

        for (unsigned i = 1; i <= ts->n; i++) {
                Thread *t = ts->list[(ts->current + i) % ts->n];
                if (t->state == THREAD_RUNNABLE)
                        return t;
        }
        return NULL;
}

/* When the first thing a sleeping scheduler must wake for is due: the run's deadline, a wait's
 * end, or a process's interval timer. */
static uint64_t earliest_event(const Sandbox *s) {
        uint64_t earliest = s->deadline_ns;

        for (size_t i = 0; i < s->n_processes; i++)
                if (s->processes[i]->itimer_deadline)
                        earliest = MIN(earliest, s->processes[i]->itimer_deadline);
        for (unsigned i = 0; i < s->threads->n; i++) {
                const Thread *t = s->threads->list[i];
                if (t->state == THREAD_WAITING)
                        earliest = MIN(earliest, t->deadline);
        }
        return earliest;
}

/* The thread to run next: one that can run, else the first whose wait ends (sleeping until
 * then); init's main thread once the sandbox has ended, so sched_run can return. */
static Thread *pick_next(Sandbox *s) {
        for (;;) {
                uint64_t now, earliest;
                Thread *t;

                if (s->state != SANDBOX_RUNNING)
                        return thread_main(s);
                t = next_runnable(s);
                if (t)
                        return t;

                now = now_ns(CLOCK_MONOTONIC);
                if (now >= s->deadline_ns) {
                        deadline_reached(s);
                        continue;
                }
                earliest = earliest_event(s);
                if (earliest > now) {
                        struct timespec ts = {.tv_sec = (earliest - now) / 1000000000ULL,
                                              .tv_nsec = (earliest - now) % 1000000000ULL};
                        /* The deadline timer's signal ends this early; the loop checks. */
                        (void)nanosleep(&ts, NULL);
                        now = now_ns(CLOCK_MONOTONIC);
                }
                expire_waits(s, now);
        }
}

unsigned sched_threads_alive(const Sandbox *s) {
        unsigned alive = 0;

        for (unsigned i = 0; i < s->threads->n; i++)
                alive += s->threads->list[i]->state != THREAD_DEAD;
        return alive;
}

void sched_wake(Thread *t) {
        if (t->state != THREAD_WAITING)
                return;
        t->state = THREAD_RUNNABLE;
        t->woken = true;
}

int thread_wait(Process *p, uint64_t deadline_ns) {
        Sandbox *s = p->sandbox;
        Thread *self = thread_current(s), *next;

        if (s->state != SANDBOX_RUNNING)
                return -EINTR;
        self->state = THREAD_WAITING;
        self->deadline = deadline_ns;
        self->woken = false;
        self->in_syscall = true;
        next = pick_next(s);
        if (next != self)
                switch_to(s, next);
        self->in_syscall = false;
        if (self->state == THREAD_WAITING)
                self->state = THREAD_RUNNABLE; /* the sandbox ended while it waited */
        if (s->state != SANDBOX_RUNNING)
                return -EINTR;
        return self->woken ? 0 : -ETIMEDOUT;
}

void thread_yield(Process *p) {
        Thread *next = next_runnable(p->sandbox);
        if (next && next != thread_current(p->sandbox))
                switch_to(p->sandbox, next);
}

void sched_disarm_preemption(Sandbox *s) {
        Threads *ts = s->threads;

        if (!ts->timer_armed)
                return;
        timer_delete(ts->timer);
        ts->timer_armed = false;
}

/* A thread that another one is waiting on never gets the vCPU long: every THREAD_SLICE_NS the
 * timer interrupts KVM_RUN and, at a point in the program's own code, the next one runs. */
int sched_arm_preemption(Sandbox *s) {
        Threads *ts = s->threads;
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

static void maybe_preempt(Sandbox *s) {
        Thread *next;

        if (s->threads->n < 2 || now_ns(CLOCK_MONOTONIC) < s->threads->slice_end ||
            vm_in_guest_kernel(s->vm))
                return;
        next = next_runnable(s);
        if (next && next != thread_current(s))
                switch_to(s, next);
}

/* After each exit served: signals now due run on the thread, unless it has just ended. */
static void deliver_due_signals(Process *p, const Thread *self) {
        if (self->state != THREAD_DEAD && (p->pending_signals || p->itimer_deadline))
                process_deliver_signals(p);
}

/* Serves the exits of `self`, the thread on the vCPU, until it dies or the sandbox ends: the
 * exit loop. */
static int thread_loop(Sandbox *s, Thread *self) {
        Process *p = self->process;

        while (s->state == SANDBOX_RUNNING && self->state != THREAD_DEAD) {
                VmExit e;
                int r;

                if (now_ns(CLOCK_MONOTONIC) >= s->deadline_ns) {
                        deadline_reached(s);
                        continue;
                }
                r = vm_run(s->vm, &e);
                if (r < 0) {
                        s->state = SANDBOX_FAILED;
                        s->failure = "KVM_RUN failed";
                        return log_error_errno(r, "KVM_RUN failed: %m");
                }
                switch (e.kind) {
                case VM_EXIT_SYSCALL:
                        syscall_dispatch(p);
                        if (p->mm.vm_failed && s->state == SANDBOX_RUNNING) {
                                s->state = SANDBOX_FAILED;
                                s->failure = "a page-table edit by the guest failed";
                        }
                        break;
                case VM_EXIT_EXCEPTION:
                        process_exception(p, &e);
                        break;
                case VM_EXIT_INTERRUPTED:
                        maybe_preempt(s); /* the deadline check above decides the rest */
                        break;
                case VM_EXIT_FAILED:
                        log_warning("VM failed: %s (%u) at rip %#llx", e.reason, e.kvm_exit_reason,
                                    vm_regs(s->vm)->rip);
                        /* Only the program can have driven its VM here (a triple fault from
                         * a wrecked stack, say): report it as a crash of the program. */
                        process_kill(p, SIGSEGV);
                        break;
                }
                deliver_due_signals(p, self);
        }
        return 0;
}

void sched_thread_entry(void) {
        Sandbox *s = running;
        Thread *self = thread_current(s);

        if (self->resume_syscall) {
                /* Its registers are still those of the syscall exit it was saved in. */
                self->resume_syscall = false;
                syscall_dispatch(self->process);
                deliver_due_signals(self->process, self);
        }
        (void)thread_loop(s, self);
        /* This thread is done: on to another, for good. */
        switch_to(s, pick_next(s));
        abort(); /* nobody switches to a dead thread */
}

int sched_run(Sandbox *s) {
        int r;

        running = s;
        if (sched_threads_alive(s) > 1) {
                /* Threads restored from a snapshot: their timer starts with the run. */
                r = sched_arm_preemption(s);
                if (r < 0)
                        log_warning_errno(r, "Failed to arm the thread preemption timer, "
                                             "ignoring: %m");
        }
        s->threads->slice_end = now_ns(CLOCK_MONOTONIC) + THREAD_SLICE_NS;
        r = thread_loop(s, thread_main(s));
        /* init's main thread exited on its own while others live: run them until the end. */
        while (r >= 0 && s->state == SANDBOX_RUNNING)
                switch_to(s, pick_next(s));
        /* Stopped (at the ready point, say): its timer would go on interrupting whatever the
         * worker does next (making another VM: KVM_CREATE_VM fails with EINTR). */
        sched_disarm_preemption(s);
        running = NULL;
        return r;
}

/* SPDX-License-Identifier: MIT */
/* What thread.c (the threads themselves) and sched.c (running them on the one vCPU) share. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <ucontext.h>

#include "thread.h"
#include "wait-queue.h"

typedef enum ThreadState {
        THREAD_RUNNABLE,
        THREAD_WAITING,
        THREAD_DEAD,
} ThreadState;

typedef struct Thread {
        Process *process;
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
        /* The queues it is registered on (wait-queue.h), on its own stack, while it has any: a
         * thread the sandbox ends in a wait never returns to unregister itself. */
        WaitSet *wait_set;
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

static inline Thread *thread_current(const Sandbox *s) {
        return s->threads->list[s->threads->current];
}

/* init's main thread: the one the worker's own call of sched_run() runs on. */
static inline Thread *thread_main(const Sandbox *s) {
        return s->threads->list[0];
}

/* A thread of p with its FPU buffer and host stack, runnable from sched_thread_entry once
 * started (by clone, or restored from a snapshot: thread-persist.c). */
int thread_new(Process *p, Thread **ret);
/* Puts t in the table (freeing it on failure). */
int thread_add(Process *p, Thread *t);

/* sched.c: where a new thread's coroutine starts; makes t runnable for the scheduler. */
void sched_thread_entry(void);
/* sched.c: lets a thread that waits go on (a futex wake). */
void sched_wake(Thread *t);
/* sched.c: the preemption timer, armed once there is more than one thread. */
int sched_arm_preemption(Sandbox *s);
void sched_disarm_preemption(Sandbox *s);

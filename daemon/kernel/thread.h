/* SPDX-License-Identifier: MIT */
/* The program's threads, as green threads on the VM's one vCPU. Each guest thread has its
 * registers, FS base and FPU state, saved while it is off the vCPU, and its own host stack (a
 * ucontext coroutine) on which its exits are served: so a syscall handler that must wait (a
 * futex, a sleep, a read of an empty pipe) simply yields, and another thread runs until the
 * waiter is woken or its deadline passes. A host timer preempts a thread that runs on without
 * syscalls, every THREAD_SLICE_NS, once there is more than one.
 *
 * Each thread has its own signal mask (p->sigmask is the running thread's); signals are pending
 * for the process and delivered to whichever thread runs with them unblocked.
 *
 * With one thread nothing of this costs anything: waits sleep in place, as before. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "process.h"

#define THREAD_SLICE_NS (10ULL * 1000 * 1000)
#define THREAD_MAX 64
#define THREAD_STACK_SIZE (256u * 1024)
/* Linux's default pid_max: tids stay below it. */
#define THREAD_TID_MAX 4194304

/* Sets up the main thread (tid GUEST_PID), the one running now. */
int threads_init(Process *p);
void threads_free(Process *p);
/* Threads alive (not exited). */
unsigned threads_alive(const Process *p);
int thread_current_tid(const Process *p);
/* Whether tid names a thread that has not exited. */
bool thread_alive(const Process *p, int tid);

/* clone() with CLONE_VM|CLONE_THREAD: a new thread starting where the caller returns, with rax
 * 0, the stack newsp and (CLONE_SETTLS) FS base tls. Returns the tid or -errno. */
int64_t thread_clone(Process *p, uint64_t flags, uint64_t newsp, uint64_t parent_tid,
                     uint64_t child_tid, uint64_t tls);

/* exit() of the calling thread: clears and wakes its child_tid; the last thread's exit ends the
 * process with `code`. Returns only when the process has ended. */
void thread_exit(Process *p, int code);

/* Waits until woken (thread_wake*), `deadline_ns` (CLOCK_MONOTONIC; UINT64_MAX: none) or the end
 * of the process. `io`: an I/O wait, woken whenever another thread may have changed an fd.
 * Returns 0 when woken, -ETIMEDOUT at the deadline, -EINTR when the process ended. */
int thread_wait(Process *p, uint64_t deadline_ns, bool io);
/* After a syscall that may have changed what I/O waiters wait for. */
void threads_wake_io(Process *p);

/* futex WAIT and WAKE over the threads (bitset FUTEX_BITSET_MATCH_ANY for the plain ops). */
int thread_futex_wait(Process *p, uint64_t uaddr, uint32_t bitset, uint64_t deadline_ns);
int thread_futex_wake(Process *p, uint64_t uaddr, int count, uint32_t bitset);
/* FUTEX_(CMP_)REQUEUE: wakes up to `wake` waiters of uaddr and moves up to `requeue` more to wait
 * on uaddr2. Returns how many were woken or moved. */
int thread_futex_requeue(Process *p, uint64_t uaddr, int wake, uint64_t uaddr2, int requeue);

/* Runs the program's threads until the process ends (process_run's loop). */
int threads_run(Process *p);

/* A thread as a snapshot keeps it: registers, FS base, FPU state, and whether it is stopped in a
 * syscall it waits in (registers at the syscall exit; served again when it next runs, as a
 * futex or epoll wait that was interrupted may be). */
typedef struct ThreadImage {
        int32_t tid;
        uint32_t in_syscall;
        uint64_t fs_base;
        uint64_t sigmask;
        uint64_t clear_child_tid;
        struct kvm_regs regs;
        struct kvm_xsave xsave;
} ThreadImage;

/* The live threads other than the main one, which must be the one running (the vCPU holds its
 * state). *ret is malloc'd. */
int threads_export(const Process *p, ThreadImage **ret, size_t *ret_count);
/* Adds a saved thread, runnable; -EINVAL for a tid that is taken or out of range (set the next
 * tid first). */
int thread_import(Process *p, const ThreadImage *image);
int threads_next_tid(const Process *p);
int threads_set_next_tid(Process *p, int next_tid);

/* sched_yield(). */
void thread_yield(Process *p);

/* The calling thread's clear_child_tid (set_tid_address). */
void thread_set_clear_child_tid(Process *p, uint64_t addr);

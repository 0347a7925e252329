/* SPDX-License-Identifier: MIT */
/* Threads: each belongs to a process and lives in its sandbox's one table, which the scheduler
 * (scheduler.h) runs on the VM's one vCPU. This file is the threads themselves: clone, exit, futex
 * waits and wakes (what a snapshot keeps of them: thread-persist.h).
 *
 * Each thread has its own signal mask (p->sigmask is that of p's thread on the vCPU); signals
 * are pending for the process and delivered to whichever of its threads runs with them
 * unblocked. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "process.h"
#include "scheduler.h"

#define THREAD_MAX        64
#define THREAD_STACK_SIZE (256u * 1024)
/* Linux's default pid_max: tids stay below it. */
#define THREAD_TID_MAX 4194304

/* Sets up the sandbox's thread table with p's main thread (tid p->pid), the one running now. */
int threads_init(Process *p);
void threads_free(Sandbox *s);
/* p's threads alive (not exited). */
unsigned threads_alive(const Process *p);
int thread_current_tid(const Process *p);
/* Whether tid names a thread that has not exited. */
bool thread_alive(const Process *p, int tid);

/* clone() with CLONE_VM|CLONE_THREAD: a new thread starting where the caller returns, with rax
 * 0, the stack newsp and (CLONE_SETTLS) FS base tls. Returns the tid or -errno. */
int64_t thread_clone(Process *p, uint64_t flags, uint64_t newsp, uint64_t parent_tid,
                     uint64_t child_tid, uint64_t tls);

/* exit() of the calling thread: clears and wakes its child_tid; the last thread's exit ends the
 * process with `code`. */
void thread_exit(Process *p, int code);

/* futex WAIT and WAKE over the threads (bitset FUTEX_BITSET_MATCH_ANY for the plain ops). */
int thread_futex_wait(Process *p, uint64_t uaddr, uint32_t bitset, uint64_t deadline_ns);
int thread_futex_wake(Process *p, uint64_t uaddr, int count, uint32_t bitset);
/* FUTEX_(CMP_)REQUEUE: wakes up to `wake` waiters of uaddr and moves up to `requeue` more to wait
 * on uaddr2. Returns how many were woken or moved. */
int thread_futex_requeue(Process *p, uint64_t uaddr, int wake, uint64_t uaddr2, int requeue);

/* The calling thread's clear_child_tid (set_tid_address). */
void thread_set_clear_child_tid(Process *p, uint64_t addr);

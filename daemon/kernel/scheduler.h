/* SPDX-License-Identifier: MIT */
/* The scheduler and the exit loop: every thread of every process of a sandbox takes turns on
 * the VM's one vCPU as a green thread. Each has its registers, FS base and FPU state, saved
 * while it is off the vCPU, and its own host stack (a ucontext coroutine) on which its exits
 * are served: so a syscall handler that must wait (a futex, a sleep, a read of an empty pipe)
 * simply yields, and another thread runs until the waiter is woken or its deadline passes. A
 * host timer preempts a thread that runs on without syscalls, every THREAD_SLICE_NS, once there
 * is more than one. With one thread nothing of this costs anything: waits sleep in place. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sandbox.h"

#define THREAD_SLICE_NS (10ULL * 1000 * 1000)

typedef struct Process Process;

/* Runs the sandbox's threads, serving their exits, until init ends, the deadline passes or the
 * VM fails (sandbox_run's loop). Returns 0 or -errno for a host failure. */
int sched_run(Sandbox *s);

/* Threads alive in the whole sandbox. */
unsigned sched_threads_alive(const Sandbox *s);

/* Waits until woken (a futex wake, or a wait queue the thread registered on: wait-queue.h),
 * `deadline_ns` (CLOCK_MONOTONIC; UINT64_MAX: none) or the end of the sandbox. Returns 0 when
 * woken, -ETIMEDOUT at the deadline, -EINTR when the sandbox ended. */
int thread_wait(Process *p, uint64_t deadline_ns);
/* sched_yield(). */
void thread_yield(Process *p);

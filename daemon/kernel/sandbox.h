/* SPDX-License-Identifier: MIT */
/* A sandbox: one VM and one instance of our kernel, holding the processes that run in it. What
 * is the sandbox's is shared by all of them, as a Linux machine's kernel state is: the image and
 * the filesystem namespace (Vfs: tmpfs and mounts), one memory budget, the pid table, the
 * scheduler of every thread on the VM's one vCPU, where the standard streams go, the runner's
 * request channel (runner-channel.h), the run's deadline and fate, and the statistics the
 * result reports. What is a process's own (its address space, fds, cwd and umask, signal
 * actions) is in process.h.
 *
 * The sandbox's fate is its first process's: when init ends, the sandbox ends, as a pid
 * namespace does. sandbox_run() runs it until then. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "file.h"
#include "image.h"
#include "mm.h"
#include "runner-channel.h"
#include "vfs.h"
#include "vm.h"

typedef struct Process Process;
typedef struct Threads Threads;

/* How long init has, once sent SIGXCPU at the deadline, to flush its output and end. */
#define SANDBOX_TIMEOUT_GRACE_NS (250ULL * 1000 * 1000)

typedef struct SandboxConfig {
        uint64_t memory_limit; /* bytes of program memory (and tmpfs) */
        const Image *image;
        const void *stdin_data;
        size_t stdin_size;
        OutputSink sink;
        void *sink_userdata;
} SandboxConfig;

typedef enum SandboxState {
        SANDBOX_RUNNING,
        SANDBOX_EXITED,   /* exit_code */
        SANDBOX_SIGNALED, /* term_signal */
        SANDBOX_TIMED_OUT,
        SANDBOX_FAILED, /* the VM or the host failed: not the program's doing */
        SANDBOX_READY,  /* the runner is blocked reading its request: the snapshot point */
} SandboxState;

typedef struct Sandbox {
        Vm *vm;
        const Image *image;
        Vfs *vfs;
        MemoryBudget memory;
        uint64_t tmpfs_baseline; /* tmpfs bytes of a fresh sandbox: a snapshot needs no more */

        /* The pid table; init is the first process, the runner or the program itself. */
        Process **processes;
        size_t n_processes;
        Process *init;
        Threads *threads; /* every thread of every process: thread.h, scheduler.h */

        /* Where the standard streams of a process set up by the worker go. */
        OutputSink sink;
        void *sink_userdata;
        RunnerChannel channel;

        SandboxState state;
        int exit_code;
        int term_signal;
        const char *failure;
        uint64_t deadline_ns; /* CLOCK_MONOTONIC */
        bool timeout_warned; /* init was sent SIGXCPU at the deadline: the run has timed out */
        bool refused_new_process; /* said so on stderr (process_refuse_new_process) */

        uint64_t start_ns; /* CLOCK_MONOTONIC when this VM was made or restored: its boot */
        uint64_t syscalls;
        uint64_t unimplemented;
        uint64_t cpu_base_ns; /* this worker's CPU time when the run began */
} Sandbox;

/* A sandbox with a new VM and its init process (pid GUEST_PID, standard streams installed,
 * nothing loaded: see process_exec). */
int sandbox_new(const SandboxConfig *config, Sandbox **ret);
/* The same around an existing VM (a restored one), which the sandbox then owns. */
int sandbox_new_with_vm(const SandboxConfig *config, Vm *vm, Sandbox **ret);
Sandbox *sandbox_free(Sandbox *s);
static inline void sandbox_freep(Sandbox **s) {
        if (*s)
                sandbox_free(*s);
}
/* Takes the VM away from s (to reset it for another sandbox) before s is freed. */
Vm *sandbox_take_vm(Sandbox *s);

/* The live process with this pid, or NULL. */
Process *sandbox_find_process(const Sandbox *s, int pid);

/* Runs until init ends or deadline_ns (CLOCK_MONOTONIC) passes. Returns 0 (see state) or
 * -errno for a host failure. */
int sandbox_run(Sandbox *s, uint64_t deadline_ns);

/* CPU time the sandbox has used: the worker's own (guest time in KVM_RUN included) since
 * sandbox_run began; sleeps and waits don't count. */
uint64_t sandbox_cpu_ns(const Sandbox *s);

uint64_t now_ns(clockid_t clock);

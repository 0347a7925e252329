/* SPDX-License-Identifier: MIT */
/* A process in a sandbox, as our kernel sees it: what is its own and not the sandbox's
 * (sandbox.h) — its address space, fd table, filesystem context (cwd, umask), signal
 * dispositions and pending signals, its interval timer, and what exec started. Its threads are
 * scheduled with every other thread of the sandbox (thread.h, scheduler.h). */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "file.h"
#include "fs-context.h"
#include "image.h"
#include "mm.h"
#include "sandbox.h"
#include "vfs.h"
#include "vm.h"

/* The main thread's tid, and the pid of a program booted cold. A restored program gets a pid
 * of its own (snapshot_restore): identical memory, but getpid() differs, which is what makes
 * fork-safe PRNGs such as OpenSSL's reseed from fresh entropy. Threads keep their tids. */
#define GUEST_PID  2
#define GUEST_NSIG 64

/* Who the guest's kernel says it is: uname(2), /proc/version and /proc/sys/kernel agree. */
#define GUEST_UTS_SYSNAME  "Linux"
#define GUEST_UTS_NODENAME "sandbox"
#define GUEST_UTS_RELEASE  "6.1.0-sandboxd"
#define GUEST_UTS_VERSION  "#1 SMP sandboxd"
#define GUEST_UTS_MACHINE  "x86_64"

/* TASK_COMM_LEN: the program's name as prctl(PR_GET_NAME) and /proc show it, NUL included. */
#define GUEST_COMM_SIZE 16

typedef struct GuestSigaction {
        uint64_t handler;
        uint64_t flags;
        uint64_t restorer;
        uint64_t mask;
} GuestSigaction;

typedef struct Process {
        Sandbox *sandbox;
        int pid;
        Mm mm;
        FdTable *fds;
        FsContext *fs;

        /* What exec started, for /proc: the executable's image entry (0, the root directory,
         * means none: a host ELF of the tests), its name (PR_SET_NAME changes it; empty means
         * the executable's file name), and where in the program's memory the initial stack
         * holds the argument and environment strings, which /proc/self/cmdline and environ
         * read as Linux does (the program may have rewritten them). */
        uint32_t exe_entry;
        char comm[GUEST_COMM_SIZE];
        uint64_t arg_start, arg_end, env_start, env_end;

        GuestSigaction actions[GUEST_NSIG + 1];
        uint64_t sigmask;
        uint64_t altstack_sp, altstack_size, altstack_flags;
        uint64_t clear_child_tid;
        uint64_t robust_list;
        uint64_t rlimit_stack;

        /* Signals raised but not delivered yet (bit sig-1), and the real-time interval timer
         * (alarm, setitimer ITIMER_REAL) that raises SIGALRM: CLOCK_MONOTONIC ns, 0 = off. */
        uint64_t pending_signals;
        uint64_t itimer_deadline, itimer_interval;
        timer_t itimer_host;
        bool itimer_host_created;
        /* FPU states saved when a handler interrupted the program's code (not a syscall), each
         * with the address of its frame, restored by the rt_sigreturn of that frame. */
        struct kvm_xsave *signal_fpu[8];
        uint64_t signal_fpu_frame[8];
        unsigned n_signal_fpu;

} Process;

/* A new process with pid `pid` in s's pid table: an empty address space, no fds, a filesystem
 * context at the root. The sandbox owns it. -ENOMEM. */
int process_new(Sandbox *s, int pid, Process **ret);
/* Takes p out of its sandbox's pid table and frees it. */
Process *process_free(Process *p);
static inline void process_freep(Process **p) {
        if (*p)
                process_free(*p);
}

/* Loads the ELF at `path` in the image (or, for tests, the bytes of host_blob, a static ELF
 * read from the host and named `path`) with its interpreter, builds the initial stack from
 * argv/envp, and sets the cwd. */
int process_exec(Process *p, const char *path, Blob *host_blob, char *const argv[],
                 char *const envp[], const char *cwd);
/* Reads a host file for process_exec (tests' static guests), before any confinement. */
int process_read_host_executable(const char *path, Blob **ret);

/* Serves a fault of the running thread (demand paging) or ends the program with its signal. */
void process_exception(Process *p, const VmExit *e);

/* Raises SIGALRM if the interval timer expired, and delivers a pending, unblocked signal: its
 * handler runs from where the program is now (async), or its default action applies. Called
 * between exits, with the program's registers final. */
void process_deliver_signals(Process *p);

/* Runs the program's handler for a fault (sig, si_code): returns 0, or < 0 when it has none or
 * it can't run (the program is then killed by the caller). */
int process_deliver_fault(Process *p, int sig, int code, const VmExit *e);

/* Stops p's interval timer (ITIMER_REAL) on the host; what it was set to stays. */
void process_disarm_itimer(Process *p);

/* Ends the process with a signal (default action of a fatal signal); init's end is the
 * sandbox's. */
void process_kill(Process *p, int sig);
/* fork, vfork, execve and clone of a new process, which a sandbox doesn't run yet: -ENOSYS, and
 * a line on the result's stderr saying so (once per run). */
int process_refuse_new_process(Process *p);

/* Ends the process with an exit status (exit_group); init's end is the sandbox's. */
void process_exit(Process *p, int code);

/* The program's name (comm): NUL-terminated, at most GUEST_COMM_SIZE - 1 bytes. */
void process_get_name(const Process *p, char ret[static GUEST_COMM_SIZE]);
/* PR_SET_NAME: the first GUEST_COMM_SIZE - 1 bytes of name. */
void process_set_name(Process *p, const char *name);

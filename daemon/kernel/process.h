/* SPDX-License-Identifier: MIT */
/* The program running in a sandbox VM, as our kernel sees it: its VM, address space, files,
 * signal dispositions and fate. process_run() is the exit loop: it serves each syscall and each
 * fault until the program exits, is killed by a signal, runs out of time, or the VM fails. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "file.h"
#include "image.h"
#include "mm.h"
#include "vfs.h"
#include "vm.h"

/* The main thread's tid, and the pid of a program booted cold. A restored program gets a pid
 * of its own (snapshot_restore): identical memory, but getpid() differs, which is what makes
 * fork-safe PRNGs such as OpenSSL's reseed from fresh entropy. Threads keep their tids. */
#define GUEST_PID 2
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

typedef struct Threads Threads;

typedef struct ProcessConfig {
        uint64_t memory_limit; /* bytes of program memory (and tmpfs) */
        const Image *image;
        const void *stdin_data;
        size_t stdin_size;
        OutputSink sink;
        void *sink_userdata;
} ProcessConfig;

typedef enum ProcessState {
        PROCESS_RUNNING,
        PROCESS_EXITED,   /* exit_code */
        PROCESS_SIGNALED, /* term_signal */
        PROCESS_TIMED_OUT,
        PROCESS_FAILED, /* the VM or the host failed: not the program's doing */
        PROCESS_READY,  /* blocked reading its request: the snapshot point */
} ProcessState;

typedef struct Process {
        Vm *vm;
        Mm mm;
        const Image *image;
        Vfs *vfs;
        FdTable *fds;
        Threads *threads; /* thread.h */
        int pid;

        /* What exec started, for /proc: the executable's image entry (0, the root directory,
         * means none: a host ELF of the tests), its name (PR_SET_NAME changes it; empty means
         * the executable's file name), and where in the program's memory the initial stack
         * holds the argument and environment strings, which /proc/self/cmdline and environ
         * read as Linux does (the program may have rewritten them). */
        uint32_t exe_entry;
        char comm[GUEST_COMM_SIZE];
        uint64_t arg_start, arg_end, env_start, env_end;
        uint64_t start_ns; /* CLOCK_MONOTONIC when this VM was made or restored: its boot */

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

        ProcessState state;
        int exit_code;
        int term_signal;
        const char *failure;

        /* The request channel: the runner's read of request_fd while awaiting_request is the
         * ready point; the syscall is left pending (registers untouched) until a request is
         * delivered. */
        int request_fd;
        bool awaiting_request;
        /* The channel stays open once read, as the runner's control channel: writing a 4-byte
         * exit status to it ends the program at once, sparing the interpreter's teardown (a VM
         * is reset or discarded whole; node spends most of a short run's exits tearing down). */
        bool request_control;
        uint64_t tmpfs_baseline; /* tmpfs bytes of a fresh sandbox: a snapshot needs no more */

        uint64_t deadline_ns; /* CLOCK_MONOTONIC */
        uint64_t syscalls;
        uint64_t unimplemented;
        uint64_t cpu_base_ns; /* this worker's CPU time when the run began */
} Process;

int process_new(const ProcessConfig *config, Process **ret);
/* The same around an existing VM (a restored one), which the process then owns. */
int process_new_with_vm(const ProcessConfig *config, Vm *vm, Process **ret);
Process *process_free(Process *p);
/* Takes the VM away from p (to reset it for another process) before p is freed. */
Vm *process_take_vm(Process *p);
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

/* Runs until the program ends or deadline_ns (CLOCK_MONOTONIC) passes. Returns 0 (see state)
 * or -errno for a host failure. */
int process_run(Process *p, uint64_t deadline_ns);

/* Opens the request channel at request_fd (empty, awaiting). */
int process_open_request_channel(Process *p, int request_fd);
/* Completes the pending read of the request channel with `data`: the bytes the runner reads
 * next, then EOF. The process must be PROCESS_READY. */
int process_deliver_request(Process *p, const void *data, size_t size);

/* After a read of the request channel: closes it if the request has been read whole (unless it
 * is a control channel). */
void process_request_consumed(Process *p);
/* A write to fd: if it is the control channel, ends the program with the status written and
 * returns true. */
bool process_control_write(Process *p, int fd, const void *data, size_t size);

/* Serves a fault of the running thread (demand paging) or ends the program with its signal. */
void process_exception(Process *p, const VmExit *e);

/* Raises SIGALRM if the interval timer expired, and delivers a pending, unblocked signal: its
 * handler runs from where the program is now (async), or its default action applies. Called
 * between exits, with the program's registers final. */
void process_deliver_signals(Process *p);

/* Runs the program's handler for a fault (sig, si_code): returns 0, or < 0 when it has none or
 * it can't run (the program is then killed by the caller). */
int process_deliver_fault(Process *p, int sig, int code, const VmExit *e);

/* Ends the program with a signal (default action of a fatal signal). */
void process_kill(Process *p, int sig);

uint64_t now_ns(clockid_t clock);

/* CPU time the program has used: the worker's own (guest time in KVM_RUN included) since
 * process_run began; sleeps and waits don't count. */
uint64_t process_cpu_ns(const Process *p);

/* The program's name (comm): NUL-terminated, at most GUEST_COMM_SIZE - 1 bytes. */
void process_get_name(const Process *p, char ret[static GUEST_COMM_SIZE]);
/* PR_SET_NAME: the first GUEST_COMM_SIZE - 1 bytes of name. */
void process_set_name(Process *p, const char *name);

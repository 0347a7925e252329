/* SPDX-License-Identifier: MIT */
/* The syscall layer: one handler per Linux x86-64 syscall the sandbox serves, grouped by subject
 * in sys-*.c and listed, with names and how fully each is supported, in syscall-table.c. A
 * handler gets the six raw argument registers and returns the value for RAX (-errno on
 * failure). Every pointer argument is a guest address: go through uaccess.h. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "process.h"
#include "wait-queue.h"

typedef struct SyscallArgs {
        uint64_t a[6];
} SyscallArgs;

/* A handler's return meaning "the registers are already set, don't touch RAX/RIP". Outside the
 * -4095..-1 errno range and any address a syscall returns. */
#define SYSCALL_RESULT_SET INT64_MIN

typedef int64_t (*SyscallHandler)(Process *p, const SyscallArgs *args);

/* Serves the syscall in the program's registers and completes it. */
void syscall_dispatch(Process *p);
/* Log every syscall served, with its result (sandboxd-vm --trace-syscalls). */
extern bool syscall_trace;

/* Sleeps up to ns (UINT64_MAX: forever), never past the run's deadline; other threads run
 * meanwhile. */
void process_sleep(Process *p, uint64_t ns);
/* Waits up to ns for a change to what ws is registered on (readiness_watch): returns 0 when a
 * thread changed one of them (re-check), -ETIMEDOUT when the time is up, -EINTR when the sandbox
 * ended. With one thread nothing can change them: sleeps the whole time. */
int process_wait(Process *p, WaitSet *ws, uint64_t ns);
/* The same for a change to one file (a blocking read or write, send or recv). */
int process_wait_file(Process *p, OpenFile *f, uint64_t ns);

/* The backing for mapping an open file (its image bytes, or a copy of a tmpfs file) and, for
 * the ELF loader, a pointer to all of its bytes. Returns 0, -EACCES (not mappable), -ENODEV. */
int process_file_source(Process *p, OpenFile *f, MmSource *ret_source, const uint8_t **ret_data,
                        uint64_t *ret_size);

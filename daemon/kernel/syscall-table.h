/* SPDX-License-Identifier: MIT */
/* The one syscall table: what the sandbox serves of each Linux x86-64 system call (gVisor's
 * linux64.go is the model). */
#pragma once

#include <stdint.h>

#include "syscall.h"

/* Above the highest x86-64 syscall number (462 in Linux 6.10). */
#define SYSCALL_TABLE_SIZE 512

typedef enum SyscallSupport {
        SYSCALL_FULL,    /* as Linux, for every argument Linux accepts */
        SYSCALL_PARTIAL, /* the note says what differs */
} SyscallSupport;

typedef struct SyscallInfo {
        const char *name;
        SyscallHandler handler;
        SyscallSupport support;
        const char *note; /* PARTIAL: what differs from Linux */
} SyscallInfo;

/* The entry for nr, or NULL when the sandbox doesn't serve it (ENOSYS). */
const SyscallInfo *syscall_info(uint64_t nr);
/* Its name for logs (the table's, or the kernel headers' for a call not served), or NULL for a
 * number Linux doesn't have. */
const char *syscall_name(uint64_t nr);

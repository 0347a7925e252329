/* SPDX-License-Identifier: MIT */
/* The program's file descriptor table: fd numbers -> open files, with a close-on-exec bit per
 * fd. New fds take the lowest free number; at most `limit` fds (RLIMIT_NOFILE) exist, past it
 * -EMFILE. The fd-level system calls that need nothing but the table live here too; every fd
 * argument may be any int (-EBADF for anything not open). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "file.h"

#define FDTABLE_DEFAULT_LIMIT 1024u
/* RLIMIT_NOFILE can't be raised past this (Linux's default nr_open). */
#define FDTABLE_MAX_LIMIT 1048576u

typedef struct FdEntry {
        OpenFile *file; /* NULL: free */
        bool cloexec;
} FdEntry;

typedef struct FdTable {
        FdEntry *fds;
        size_t n_fds; /* allocated slots */
        unsigned limit;
} FdTable;

int fdtable_new(FdTable **ret);
/* Closes every fd. Must run before vfs_free() of the Vfs its files belong to. */
FdTable *fdtable_free(FdTable *t);
static inline void fdtable_freep(FdTable **p) {
        if (*p)
                fdtable_free(*p);
}

/* setrlimit(RLIMIT_NOFILE): fds already above the new limit stay open, as on Linux.
 * -EINVAL for 0, -EPERM past FDTABLE_MAX_LIMIT. */
int fdtable_set_limit(FdTable *t, unsigned limit);
unsigned fdtable_limit(const FdTable *t);

/* Installs f (taking a reference of its own) at the lowest free fd >= min_fd. Returns the fd,
 * -EMFILE, -EINVAL for min_fd out of range. */
int fdtable_install(FdTable *t, OpenFile *f, int min_fd, bool cloexec);
/* Installs f at exactly fd, closing what was there (dup2 semantics). -EBADF out of range. */
int fdtable_install_at(FdTable *t, OpenFile *f, int fd, bool cloexec);
/* Borrowed pointer: -EBADF. */
int fdtable_get(const FdTable *t, int fd, OpenFile **ret);

int fdtable_close(FdTable *t, int fd);
/* For execve: closes every close-on-exec fd. */
void fdtable_close_on_exec(FdTable *t);

int fdtable_dup(FdTable *t, int fd);
int fdtable_dup2(FdTable *t, int old_fd, int new_fd);
/* flags: 0 or O_CLOEXEC, else -EINVAL; old_fd == new_fd is -EINVAL. */
int fdtable_dup3(FdTable *t, int old_fd, int new_fd, int flags);

/* fcntl(2): F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL (O_APPEND|O_NONBLOCK),
 * F_GETPIPE_SZ/F_SETPIPE_SZ, and record locks, which succeed trivially: for F_GETLK the caller
 * stores F_UNLCK into the program's struct flock (one process, no conflicts). Others -EINVAL. */
int fdtable_fcntl(FdTable *t, int fd, int cmd, uint64_t arg);
/* ioctl(2): FIOCLEX/FIONCLEX here; the rest as file_ioctl() (FIONREAD -> *ret_value, which the
 * caller stores as an int; terminal requests -ENOTTY). */
int fdtable_ioctl(FdTable *t, int fd, unsigned long request, uint64_t *ret_value);

ssize_t fdtable_read(FdTable *t, int fd, void *buf, size_t length);
ssize_t fdtable_write(FdTable *t, int fd, const void *buf, size_t length);
ssize_t fdtable_pread(FdTable *t, int fd, void *buf, size_t length, int64_t offset);
ssize_t fdtable_pwrite(FdTable *t, int fd, const void *buf, size_t length, int64_t offset);
int64_t fdtable_lseek(FdTable *t, int fd, int64_t offset, int whence);
ssize_t fdtable_getdents64(FdTable *t, int fd, void *buf, size_t length);
int fdtable_fstat(FdTable *t, int fd, struct stat *ret);
int fdtable_ftruncate(FdTable *t, int fd, int64_t length);
/* fsync/fdatasync: nothing is ever dirty; -EBADF, -EINVAL for pipes and streams. */
int fdtable_fsync(FdTable *t, int fd);

/* SPDX-License-Identifier: MIT */
/* The sandbox's filesystem namespace and the path-based system calls.
 *
 * The read-only image is the root. A writable tmpfs (one instance, one byte budget) is mounted
 * at /tmp and at /home/sandbox, a synthesized /dev holds null, zero, full, random and urandom,
 * and /proc shows the sandbox's processes (procfs.h; empty until vfs_set_sandbox). No host file is
 * ever opened: everything is the image or memory. The program runs as uid/gid 1000
 * (VFS_UID/VFS_GID); image files belong to root.
 *
 * The syscall layer copies paths in (NUL-terminated, at most PATH_MAX) and buffers in and out;
 * every function here takes host pointers and returns -errno. dirfd is AT_FDCWD or any int.
 * The Vfs (namespace, tmpfs) is the sandbox's; the cwd and umask a relative path and a new
 * file start from are the calling process's FsContext, and its fds the FdTable: no globals.
 * Free the FdTable and the FsContext before the Vfs. */
#pragma once

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "fdtable.h"
#include "fs-context.h"
#include "file.h"
#include "image.h"
#include "tmpfs.h"

typedef struct Vfs Vfs;
typedef struct Sandbox Sandbox;

/* Limits for the tmpfs; the worker sets max_bytes to the sandbox's memory limit. */
#define VFS_DEFAULT_TMPFS_BYTES     (64ull * 1024 * 1024)
#define VFS_DEFAULT_TMPFS_INODES    16384ull
#define VFS_DEFAULT_TMPFS_FILE_SIZE (1ull << 30)

/* image must outlive the Vfs. limits NULL means the defaults above. The image needs a root
 * directory and /home (mount points themselves may be missing). -ENOMEM, -ENOENT. */
int vfs_new(const Image *image, const TmpfsLimits *limits, Vfs **ret);
Vfs *vfs_free(Vfs *v);
static inline void vfs_freep(Vfs **p) {
        if (*p)
                vfs_free(*p);
}

/* The sandbox whose processes /proc shows. The filesystem layer sits below the process layer and
 * never looks at it: it only hands the pointer to procfs.c, the one part of it that shows
 * processes (as Linux's procfs reads the tasks). NULL (the default) leaves /proc empty. */
void vfs_set_sandbox(Vfs *v, Sandbox *s);

void vfs_set_limits(Vfs *v, const TmpfsLimits *limits);
/* Bytes the tmpfs holds now (data, inodes, names): for the memory accounting. */
uint64_t vfs_tmpfs_bytes_used(const Vfs *v);

/* openat(2). Returns the new fd. O_CREAT creates with mode & ~umask (tmpfs only: -EROFS
 * elsewhere), O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW (-ELOOP on a final symlink),
 * O_PATH, O_CLOEXEC, O_NONBLOCK; O_TMPFILE is -EOPNOTSUPP. */
int vfs_openat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, int flags,
               mode_t mode);
/* The same without an fd: the open file for the caller (e.g. the ELF loader). */
int vfs_open_file(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, int flags,
                  mode_t mode, OpenFile **ret);

/* newfstatat(2)/stat/lstat: flags AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH (then the dirfd itself,
 * any kind of fd, or the cwd for AT_FDCWD), AT_NO_AUTOMOUNT (ignored). */
int vfs_fstatat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, int flags,
                struct stat *ret);
/* statx(2) on top of vfs_fstatat: fills every basic field (mask STATX_BASIC_STATS). */
int vfs_statx(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, int flags,
              struct statx *ret);
void vfs_stat_to_statx(const struct stat *st, struct statx *ret);

int vfs_mkdirat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, mode_t mode);
/* flags: 0 or AT_REMOVEDIR. */
int vfs_unlinkat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, int flags);
/* flags: 0 or RENAME_NOREPLACE (RENAME_EXCHANGE/WHITEOUT: -EINVAL). -EXDEV between the image,
 * the tmpfs and /dev. */
int vfs_renameat2(Vfs *v, FsContext *fs, FdTable *t, int old_dirfd, const char *old_path,
                  int new_dirfd, const char *new_path, unsigned flags);
/* Hard links within the tmpfs; flags: AT_SYMLINK_FOLLOW, AT_EMPTY_PATH. */
int vfs_linkat(Vfs *v, FsContext *fs, FdTable *t, int old_dirfd, const char *old_path,
               int new_dirfd, const char *new_path, int flags);
int vfs_symlinkat(Vfs *v, FsContext *fs, FdTable *t, const char *target, int new_dirfd,
                  const char *link_path);
/* Copies at most size bytes of the target, no NUL; returns the count. -EINVAL if not a link. */
ssize_t vfs_readlinkat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, char *buf,
                       size_t size);
/* faccessat2(2): mode F_OK or R_OK|W_OK|X_OK for uid 1000; flags AT_SYMLINK_NOFOLLOW,
 * AT_EACCESS (same thing here), AT_EMPTY_PATH. */
int vfs_faccessat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, int mode,
                  int flags);

int vfs_chdir(Vfs *v, FsContext *fs, FdTable *t, const char *path);
int vfs_fchdir(Vfs *v, FsContext *fs, FdTable *t, int fd);
/* getcwd(2): writes the NUL-terminated path, returns its length including the NUL; -ERANGE if
 * size is too small; -ENOENT if the cwd was removed. */
ssize_t vfs_getcwd(const Vfs *v, const FsContext *fs, char *buf, size_t size);

/* The absolute path of a node, as getcwd and /proc's links show it: writes it NUL-terminated,
 * returns its length without the NUL; -ERANGE if it needs more than size bytes, -ENAMETOOLONG
 * past PATH_MAX; -ENOENT for a removed tmpfs node (which no name reaches any more). */
ssize_t vfs_node_path(const Vfs *v, VNode n, char *buf, size_t size);

/* truncate(2) relative to the cwd. */
int vfs_truncate(Vfs *v, FsContext *fs, FdTable *t, const char *path, int64_t length);
/* fchmodat/fchmod: tmpfs only (-EROFS on the image, -EPERM on /dev). */
int vfs_fchmodat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, mode_t mode,
                 int flags);
int vfs_fchmod(Vfs *v, FdTable *t, int fd, mode_t mode);
/* utimensat(2); path NULL means dirfd itself. times NULL means now; UTIME_NOW/UTIME_OMIT work.
 * tmpfs only. */
int vfs_utimensat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path,
                  const struct timespec *times, int flags);

/* pipe2(2): flags O_CLOEXEC, O_NONBLOCK (others -EINVAL). */
int vfs_pipe2(Vfs *v, FdTable *t, int ret_fds[2], int flags);

/* Puts the program's standard streams at fds 0, 1 and 2 (replacing what is there): stdin reads
 * a copy of [stdin_data, +stdin_size) then EOF; stdout and stderr go to sink. */
int vfs_install_stdio(Vfs *v, FdTable *t, const void *stdin_data, size_t stdin_size,
                      OutputSink sink, void *userdata);

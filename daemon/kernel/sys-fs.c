/* SPDX-License-Identifier: MIT */
/* File and directory syscalls: copy the program's arguments in, call the VFS, copy results out. */
#include <fcntl.h>
#include <limits.h>
#include <linux/stat.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "syscall-handlers.h"
#include "uaccess.h"

#define IOV_MAX_COUNT 1024

/* A host buffer for one syscall's data, capped like the VFS caps each call. */
static void *scratch(size_t size) {
        static void *buf;
        static size_t allocated;

        if (size > allocated) {
                void *n = realloc(buf, size);
                if (!n)
                        return NULL;
                buf = n;
                allocated = size;
        }
        return buf ? buf : (buf = malloc(allocated = MAX(size, 4096u)));
}

static int get_path(Process *p, uint64_t user, char path[PATH_MAX]) {
        int64_t n = strncpy_from_user(&p->mm, path, user, PATH_MAX);
        return n < 0 ? (int)n : 0;
}

/* A path argument that may be NULL (utimensat). */
#define GET_PATH(p, user, path)                                                                    \
        do {                                                                                       \
                int _r = get_path((p), (user), (path));                                            \
                if (_r < 0)                                                                        \
                        return _r;                                                                 \
        } while (0)

/* A read or write that found nothing to read or no room on a blocking fd (a pipe or socket
 * end) waits until another thread changes that file (true: try again), as Linux blocks; with
 * one thread there is nobody to, so it waits until the deadline ends the program, as it would
 * hang on Linux. */
static bool should_wait(Process *p, int fd, ssize_t n) {
        OpenFile *f;

        return n == -EAGAIN && fdtable_get(p->fds, fd, &f) >= 0 && !(f->flags & O_NONBLOCK) &&
               process_wait_file(p, f, UINT64_MAX) == 0;
}

/* Before a read consumes data, the bytes it would return must have somewhere to go: a pipe,
 * socket or stdin keeps its data when the buffer is bad, as on Linux, rather than losing it to
 * a failed copy. */
static int check_destination(Process *p, int fd, uint64_t addr, size_t length) {
        uint64_t available;
        OpenFile *f;

        if (fdtable_get(p->fds, fd, &f) < 0)
                return 0; /* the read reports the bad fd */
        if (file_ioctl(f, FIONREAD, &available) == 0)
                length = MIN(length, available);
        return user_range_check(&p->mm, addr, length, true);
}

int64_t sys_read(Process *p, const SyscallArgs *a) {
        size_t length = MIN(a->a[2], (uint64_t)FILE_IO_MAX);
        void *buf = scratch(MAX(length, 1u));
        ssize_t n;
        int r;

        if (runner_channel_is_ready_point(p, (int)a->a[0])) {
                /* The ready point: stop here, leaving the read pending for the request. */
                p->sandbox->state = SANDBOX_READY;
                return SYSCALL_RESULT_SET;
        }
        if (!buf)
                return -ENOMEM;
        r = check_destination(p, (int)a->a[0], a->a[1], length);
        if (r < 0)
                return r;
        do
                n = fdtable_read(p->fds, (int)a->a[0], buf, length);
        while (should_wait(p, (int)a->a[0], n)); /* woken: another thread may have written */
        if (n <= 0)
                return n;
        r = copy_to_user(&p->mm, a->a[1], buf, n);
        if (r < 0)
                return r;
        runner_channel_consumed(p, (int)a->a[0]);
        return n;
}

static int64_t write_result(Process *p, ssize_t n) {
        /* Writing to a pipe nobody reads: SIGPIPE, whose default is to end the program. */
        if (n == -EPIPE && p->actions[SIGPIPE].handler == (uint64_t)(uintptr_t)SIG_DFL)
                process_kill(p, SIGPIPE);
        return n;
}

int64_t sys_write(Process *p, const SyscallArgs *a) {
        size_t length = MIN(a->a[2], (uint64_t)FILE_IO_MAX);
        void *buf = scratch(MAX(length, 1u));
        int r;

        if (!buf)
                return -ENOMEM;
        r = copy_from_user(&p->mm, buf, a->a[1], length);
        if (r < 0)
                return r;
        if (runner_channel_control_write(p, (int)a->a[0], buf, length))
                return (int64_t)length;
        ssize_t n;

        do
                n = fdtable_write(p->fds, (int)a->a[0], buf, length);
        while (should_wait(p, (int)a->a[0], n));
        return write_result(p, n);
}

/* sendfile(2) and copy_file_range(2): bytes from one open file to another through a host
 * buffer, at the files' positions or at the offsets *in_off / *out_off (guest pointers, 0 for
 * none: updated after). At most FILE_IO_MAX per call, in chunks; a short count is legal. Data
 * read but not taken by the output goes back to the input (its position, or *in_off). */
#define COPY_CHUNK (1u << 20)

static int64_t copy_between(Process *p, int in_fd, uint64_t in_off_addr, int out_fd,
                            uint64_t out_off_addr, uint64_t count) {
        int64_t in_off = -1, out_off = -1;
        size_t left = MIN(count, (uint64_t)FILE_IO_MAX), done = 0;
        void *buf = scratch(MAX(MIN(left, (size_t)COPY_CHUNK), 1u));
        int r;

        if (!buf)
                return -ENOMEM;
        if (in_off_addr && (r = copy_from_user(&p->mm, &in_off, in_off_addr, 8)) < 0)
                return r;
        if (out_off_addr && (r = copy_from_user(&p->mm, &out_off, out_off_addr, 8)) < 0)
                return r;
        if ((in_off_addr && in_off < 0) || (out_off_addr && out_off < 0))
                return -EINVAL;
        while (left > 0) {
                size_t chunk = MIN(left, (size_t)COPY_CHUNK);
                ssize_t n, w;

                n = in_off_addr ? fdtable_pread(p->fds, in_fd, buf, chunk, in_off)
                                : fdtable_read(p->fds, in_fd, buf, chunk);
                if (n <= 0) {
                        if (done == 0 && n < 0)
                                return n;
                        break;
                }
                w = out_off_addr ? fdtable_pwrite(p->fds, out_fd, buf, (size_t)n, out_off)
                                 : fdtable_write(p->fds, out_fd, buf, (size_t)n);
                if (w < 0) {
                        if (!in_off_addr)
                                (void)fdtable_lseek(p->fds, in_fd, -n, SEEK_CUR);
                        if (done == 0)
                                return write_result(p, w);
                        break;
                }
                if (in_off_addr)
                        in_off += w;
                else if (w < n)
                        (void)fdtable_lseek(p->fds, in_fd, w - n, SEEK_CUR);
                if (out_off_addr)
                        out_off += w;
                done += (size_t)w;
                left -= (size_t)w;
                if (w < n)
                        break;
        }
        if (in_off_addr && (r = copy_to_user(&p->mm, in_off_addr, &in_off, 8)) < 0)
                return r;
        if (out_off_addr && (r = copy_to_user(&p->mm, out_off_addr, &out_off, 8)) < 0)
                return r;
        return (int64_t)done;
}

int64_t sys_sendfile(Process *p, const SyscallArgs *a) {
        /* sendfile(out_fd, in_fd, *offset, count): the offset is the input's. */
        return copy_between(p, (int)a->a[1], a->a[2], (int)a->a[0], 0, a->a[3]);
}

int64_t sys_copy_file_range(Process *p, const SyscallArgs *a) {
        int in_fd = (int)a->a[0], out_fd = (int)a->a[2];
        struct stat in, out;

        if (a->a[5] != 0)
                return -EINVAL; /* no flags are defined */
        if (fdtable_fstat(p->fds, in_fd, &in) < 0 || fdtable_fstat(p->fds, out_fd, &out) < 0)
                return -EBADF;
        if (!S_ISREG(in.st_mode) || !S_ISREG(out.st_mode))
                return -EINVAL;
        return copy_between(p, in_fd, a->a[1], out_fd, a->a[3], a->a[4]);
}

int64_t sys_pread64(Process *p, const SyscallArgs *a) {
        size_t length = MIN(a->a[2], (uint64_t)FILE_IO_MAX);
        void *buf = scratch(MAX(length, 1u));
        ssize_t n;
        int r;

        if (!buf)
                return -ENOMEM;
        n = fdtable_pread(p->fds, (int)a->a[0], buf, length, (int64_t)a->a[3]);
        if (n <= 0)
                return n;
        r = copy_to_user(&p->mm, a->a[1], buf, n);
        return r < 0 ? r : n;
}

int64_t sys_pwrite64(Process *p, const SyscallArgs *a) {
        size_t length = MIN(a->a[2], (uint64_t)FILE_IO_MAX);
        void *buf = scratch(MAX(length, 1u));
        int r;

        if (!buf)
                return -ENOMEM;
        r = copy_from_user(&p->mm, buf, a->a[1], length);
        if (r < 0)
                return r;
        return write_result(p, fdtable_pwrite(p->fds, (int)a->a[0], buf, length, (int64_t)a->a[3]));
}

/* readv/writev/preadv/pwritev: one iovec at a time, stopping at the first short transfer. */
static int64_t do_vector_io(Process *p, const SyscallArgs *a, bool write, bool positioned) {
        int fd = (int)a->a[0];
        uint64_t iov_addr = a->a[1], count = a->a[2];
        int64_t offset = (int64_t)a->a[3], total = 0;

        if (count > IOV_MAX_COUNT)
                return -EINVAL;
        for (uint64_t i = 0; i < count; i++) {
                struct iovec iov;
                size_t length;
                void *buf;
                ssize_t n;
                int r;

                r = copy_from_user(&p->mm, &iov, iov_addr + i * sizeof(iov), sizeof(iov));
                if (r < 0)
                        return total ? total : r;
                length = MIN(iov.iov_len, (size_t)FILE_IO_MAX);
                if (length == 0)
                        continue;
                buf = scratch(length);
                if (!buf)
                        return total ? total : -ENOMEM;
                if (write) {
                        r = copy_from_user(&p->mm, buf, (uint64_t)(uintptr_t)iov.iov_base, length);
                        if (r < 0)
                                return total ? total : r;
                        n = positioned ? fdtable_pwrite(p->fds, fd, buf, length, offset + total)
                                       : fdtable_write(p->fds, fd, buf, length);
                        if (n < 0)
                                return total ? total : write_result(p, n);
                } else {
                        n = positioned ? fdtable_pread(p->fds, fd, buf, length, offset + total)
                                       : fdtable_read(p->fds, fd, buf, length);
                        if (n < 0)
                                return total ? total : n;
                        r = copy_to_user(&p->mm, (uint64_t)(uintptr_t)iov.iov_base, buf, n);
                        if (r < 0)
                                return total ? total : r;
                }
                total += n;
                if ((size_t)n < iov.iov_len)
                        break;
        }
        return total;
}

int64_t sys_readv(Process *p, const SyscallArgs *a) {
        return do_vector_io(p, a, false, false);
}
int64_t sys_writev(Process *p, const SyscallArgs *a) {
        return do_vector_io(p, a, true, false);
}
int64_t sys_preadv(Process *p, const SyscallArgs *a) {
        return do_vector_io(p, a, false, true);
}
int64_t sys_pwritev(Process *p, const SyscallArgs *a) {
        return do_vector_io(p, a, true, true);
}

int64_t sys_openat(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        GET_PATH(p, a->a[1], path);
        return vfs_openat(p->sandbox->vfs, p->fs, p->fds, (int)a->a[0], path, (int)a->a[2],
                          (mode_t)a->a[3]);
}

int64_t sys_open(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        GET_PATH(p, a->a[0], path);
        return vfs_openat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path, (int)a->a[1],
                          (mode_t)a->a[2]);
}

int64_t sys_creat(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        GET_PATH(p, a->a[0], path);
        return vfs_openat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path,
                          O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a->a[1]);
}

int64_t sys_close(Process *p, const SyscallArgs *a) {
        return fdtable_close(p->fds, (int)a->a[0]);
}

int64_t sys_close_range(Process *p, const SyscallArgs *a) {
        uint64_t first = a->a[0], last = MIN(a->a[1], (uint64_t)INT_MAX);

        if (first > last || (a->a[2] & ~(uint64_t)4 /* CLOSE_RANGE_CLOEXEC */))
                return -EINVAL;
        for (uint64_t fd = first; fd <= last && fd < p->fds->n_fds; fd++) {
                if (a->a[2])
                        (void)fdtable_fcntl(p->fds, (int)fd, F_SETFD, FD_CLOEXEC);
                else
                        (void)fdtable_close(p->fds, (int)fd);
        }
        return 0;
}

int64_t sys_lseek(Process *p, const SyscallArgs *a) {
        return fdtable_lseek(p->fds, (int)a->a[0], (int64_t)a->a[1], (int)a->a[2]);
}

static int64_t put_stat(Process *p, uint64_t user, int r, const struct stat *st) {
        if (r < 0)
                return r;
        return copy_to_user(&p->mm, user, st, sizeof(*st));
}

int64_t sys_fstat(Process *p, const SyscallArgs *a) {
        struct stat st;
        return put_stat(p, a->a[1], fdtable_fstat(p->fds, (int)a->a[0], &st), &st);
}

int64_t sys_newfstatat(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        struct stat st;
        GET_PATH(p, a->a[1], path);
        return put_stat(
                p, a->a[2],
                vfs_fstatat(p->sandbox->vfs, p->fs, p->fds, (int)a->a[0], path, (int)a->a[3], &st),
                &st);
}

int64_t sys_stat(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        struct stat st;
        GET_PATH(p, a->a[0], path);
        return put_stat(p, a->a[1],
                        vfs_fstatat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path, 0, &st), &st);
}

int64_t sys_lstat(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        struct stat st;
        GET_PATH(p, a->a[0], path);
        return put_stat(p, a->a[1],
                        vfs_fstatat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path,
                                    AT_SYMLINK_NOFOLLOW, &st),
                        &st);
}

int64_t sys_statx(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        struct statx stx;
        int r;

        GET_PATH(p, a->a[1], path);
        r = vfs_statx(p->sandbox->vfs, p->fs, p->fds, (int)a->a[0], path, (int)a->a[2], &stx);
        if (r < 0)
                return r;
        return copy_to_user(&p->mm, a->a[4], &stx, sizeof(stx));
}

int64_t sys_getdents64(Process *p, const SyscallArgs *a) {
        size_t length = MIN(a->a[2], (uint64_t)(1 << 20));
        void *buf = scratch(MAX(length, 1u));
        ssize_t n;
        int r;

        if (!buf)
                return -ENOMEM;
        n = fdtable_getdents64(p->fds, (int)a->a[0], buf, length);
        if (n <= 0)
                return n;
        r = copy_to_user(&p->mm, a->a[1], buf, n);
        return r < 0 ? r : n;
}

int64_t sys_mkdirat(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        GET_PATH(p, a->a[1], path);
        return vfs_mkdirat(p->sandbox->vfs, p->fs, p->fds, (int)a->a[0], path, (mode_t)a->a[2]);
}

int64_t sys_mkdir(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        GET_PATH(p, a->a[0], path);
        return vfs_mkdirat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path, (mode_t)a->a[1]);
}

int64_t sys_unlinkat(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        GET_PATH(p, a->a[1], path);
        return vfs_unlinkat(p->sandbox->vfs, p->fs, p->fds, (int)a->a[0], path, (int)a->a[2]);
}

int64_t sys_unlink(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        GET_PATH(p, a->a[0], path);
        return vfs_unlinkat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path, 0);
}

int64_t sys_rmdir(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        GET_PATH(p, a->a[0], path);
        return vfs_unlinkat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path, AT_REMOVEDIR);
}

int64_t sys_renameat2(Process *p, const SyscallArgs *a) {
        char from[PATH_MAX], to[PATH_MAX];
        GET_PATH(p, a->a[1], from);
        GET_PATH(p, a->a[3], to);
        return vfs_renameat2(p->sandbox->vfs, p->fs, p->fds, (int)a->a[0], from, (int)a->a[2], to,
                             (unsigned)a->a[4]);
}

int64_t sys_renameat(Process *p, const SyscallArgs *a) {
        SyscallArgs b = *a;
        b.a[4] = 0;
        return sys_renameat2(p, &b);
}

int64_t sys_rename(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {{AT_FDCWD, a->a[0], AT_FDCWD, a->a[1], 0, 0}};
        return sys_renameat2(p, &b);
}

int64_t sys_linkat(Process *p, const SyscallArgs *a) {
        char from[PATH_MAX], to[PATH_MAX];
        GET_PATH(p, a->a[1], from);
        GET_PATH(p, a->a[3], to);
        return vfs_linkat(p->sandbox->vfs, p->fs, p->fds, (int)a->a[0], from, (int)a->a[2], to,
                          (int)a->a[4]);
}

int64_t sys_link(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {{AT_FDCWD, a->a[0], AT_FDCWD, a->a[1], 0, 0}};
        return sys_linkat(p, &b);
}

int64_t sys_symlinkat(Process *p, const SyscallArgs *a) {
        char target[PATH_MAX], path[PATH_MAX];
        GET_PATH(p, a->a[0], target);
        GET_PATH(p, a->a[2], path);
        return vfs_symlinkat(p->sandbox->vfs, p->fs, p->fds, target, (int)a->a[1], path);
}

int64_t sys_symlink(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {{a->a[0], AT_FDCWD, a->a[1], 0, 0, 0}};
        return sys_symlinkat(p, &b);
}

int64_t sys_readlinkat(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX], target[PATH_MAX];
        ssize_t n;
        int r;

        GET_PATH(p, a->a[1], path);
        if ((int64_t)a->a[3] <= 0)
                return -EINVAL;
        n = vfs_readlinkat(p->sandbox->vfs, p->fs, p->fds, (int)a->a[0], path, target,
                           MIN(a->a[3], (uint64_t)sizeof(target)));
        if (n < 0)
                return n;
        r = copy_to_user(&p->mm, a->a[2], target, n);
        return r < 0 ? r : n;
}

int64_t sys_readlink(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {{AT_FDCWD, a->a[0], a->a[1], a->a[2], 0, 0}};
        return sys_readlinkat(p, &b);
}

int64_t sys_faccessat2(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        GET_PATH(p, a->a[1], path);
        return vfs_faccessat(p->sandbox->vfs, p->fs, p->fds, (int)a->a[0], path, (int)a->a[2],
                             (int)a->a[3]);
}

int64_t sys_faccessat(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {{a->a[0], a->a[1], a->a[2], 0, 0, 0}};
        return sys_faccessat2(p, &b);
}

int64_t sys_access(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {{AT_FDCWD, a->a[0], a->a[1], 0, 0, 0}};
        return sys_faccessat2(p, &b);
}

int64_t sys_chdir(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        GET_PATH(p, a->a[0], path);
        return vfs_chdir(p->sandbox->vfs, p->fs, p->fds, path);
}

int64_t sys_fchdir(Process *p, const SyscallArgs *a) {
        return vfs_fchdir(p->sandbox->vfs, p->fs, p->fds, (int)a->a[0]);
}

int64_t sys_getcwd(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        ssize_t n;
        int r;

        n = vfs_getcwd(p->sandbox->vfs, p->fs, path, MIN(a->a[1], (uint64_t)sizeof(path)));
        if (n < 0)
                return n;
        r = copy_to_user(&p->mm, a->a[0], path, n);
        return r < 0 ? r : n;
}

int64_t sys_dup(Process *p, const SyscallArgs *a) {
        return fdtable_dup(p->fds, (int)a->a[0]);
}

int64_t sys_dup2(Process *p, const SyscallArgs *a) {
        return fdtable_dup2(p->fds, (int)a->a[0], (int)a->a[1]);
}

int64_t sys_dup3(Process *p, const SyscallArgs *a) {
        return fdtable_dup3(p->fds, (int)a->a[0], (int)a->a[1], (int)a->a[2]);
}

int64_t sys_fcntl(Process *p, const SyscallArgs *a) {
        int cmd = (int)a->a[1];
        int r = fdtable_fcntl(p->fds, (int)a->a[0], cmd, a->a[2]);

        if (r >= 0 && (cmd == F_GETLK || cmd == F_OFD_GETLK)) {
                /* One process holds every lock there is: report none in the way. */
                short unlocked = F_UNLCK;
                int w = copy_to_user(&p->mm, a->a[2], &unlocked, sizeof(unlocked));
                if (w < 0)
                        return w;
        }
        return r;
}

/* FIONBIO sets or clears O_NONBLOCK from the int the argument points at; Python's
 * socket.setblocking() uses it. */
static int ioctl_fionbio(Process *p, int fd, uint64_t arg) {
        OpenFile *f;
        int on, r;

        r = fdtable_get(p->fds, fd, &f);
        if (r < 0)
                return r;
        if (f->flags & O_PATH)
                return -EBADF;
        r = copy_from_user(&p->mm, &on, arg, sizeof(on));
        if (r < 0)
                return r;
        file_set_status_flags(f, on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK);
        return 0;
}

int64_t sys_ioctl(Process *p, const SyscallArgs *a) {
        uint64_t value = 0;
        int r;

        if (a->a[1] == FIONBIO)
                return ioctl_fionbio(p, (int)a->a[0], a->a[2]);
        r = fdtable_ioctl(p->fds, (int)a->a[0], (unsigned long)a->a[1], &value);

        if (r >= 0 && a->a[1] == FIONREAD) {
                int v = (int)MIN(value, (uint64_t)INT_MAX);
                int w = copy_to_user(&p->mm, a->a[2], &v, sizeof(v));
                if (w < 0)
                        return w;
        }
        return r;
}

int64_t sys_pipe2(Process *p, const SyscallArgs *a) {
        int fds[2], r;

        r = vfs_pipe2(p->sandbox->vfs, p->fds, fds, (int)a->a[1]);
        if (r < 0)
                return r;
        r = copy_to_user(&p->mm, a->a[0], fds, sizeof(fds));
        if (r < 0) {
                fdtable_close(p->fds, fds[0]);
                fdtable_close(p->fds, fds[1]);
        }
        return r;
}

int64_t sys_pipe(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {{a->a[0], 0, 0, 0, 0, 0}};
        return sys_pipe2(p, &b);
}

int64_t sys_ftruncate(Process *p, const SyscallArgs *a) {
        return fdtable_ftruncate(p->fds, (int)a->a[0], (int64_t)a->a[1]);
}

int64_t sys_truncate(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        GET_PATH(p, a->a[0], path);
        return vfs_truncate(p->sandbox->vfs, p->fs, p->fds, path, (int64_t)a->a[1]);
}

int64_t sys_fsync(Process *p, const SyscallArgs *a) {
        return fdtable_fsync(p->fds, (int)a->a[0]);
}

int64_t sys_fchmod(Process *p, const SyscallArgs *a) {
        return vfs_fchmod(p->sandbox->vfs, p->fds, (int)a->a[0], (mode_t)a->a[1]);
}

int64_t sys_fchmodat(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        GET_PATH(p, a->a[1], path);
        return vfs_fchmodat(p->sandbox->vfs, p->fs, p->fds, (int)a->a[0], path, (mode_t)a->a[2], 0);
}

int64_t sys_chmod(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {{AT_FDCWD, a->a[0], a->a[1], 0, 0, 0}};
        return sys_fchmodat(p, &b);
}

int64_t sys_utimensat(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        struct timespec times[2];
        int r;

        if (a->a[1]) {
                GET_PATH(p, a->a[1], path);
        }
        if (a->a[2]) {
                r = copy_from_user(&p->mm, times, a->a[2], sizeof(times));
                if (r < 0)
                        return r;
        }
        return vfs_utimensat(p->sandbox->vfs, p->fs, p->fds, (int)a->a[0], a->a[1] ? path : NULL,
                             a->a[2] ? times : NULL, (int)a->a[3]);
}

int64_t sys_umask(Process *p, const SyscallArgs *a) {
        return fs_context_umask(p->fs, (mode_t)a->a[0]);
}

int64_t sys_chown(Process *p, const SyscallArgs *a) {
        return -EPERM; /* the sandbox user owns its files and may give them to no one */
}

int64_t sys_succeed(Process *p, const SyscallArgs *a) {
        return 0; /* fadvise, flock, sync: advice and durability mean nothing in memory */
}

static int64_t fill_statfs(Process *p, uint64_t user) {
        struct statfs st = {
                .f_type = 0x01021994, /* TMPFS_MAGIC */
                .f_bsize = PAGE_SIZE,
                .f_blocks = p->sandbox->memory.limit / PAGE_SIZE,
                .f_bfree = (p->sandbox->memory.limit -
                            MIN(p->sandbox->memory.limit, vfs_tmpfs_bytes_used(p->sandbox->vfs))) /
                           PAGE_SIZE,
                .f_files = VFS_DEFAULT_TMPFS_INODES,
                .f_ffree = VFS_DEFAULT_TMPFS_INODES,
                .f_namelen = 255,
                .f_frsize = PAGE_SIZE,
        };
        st.f_bavail = st.f_bfree;
        return copy_to_user(&p->mm, user, &st, sizeof(st));
}

int64_t sys_statfs(Process *p, const SyscallArgs *a) {
        char path[PATH_MAX];
        struct stat st;
        int r;

        GET_PATH(p, a->a[0], path);
        r = vfs_fstatat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path, 0, &st);
        return r < 0 ? r : fill_statfs(p, a->a[1]);
}

int64_t sys_fstatfs(Process *p, const SyscallArgs *a) {
        struct stat st;
        int r = fdtable_fstat(p->fds, (int)a->a[0], &st);
        return r < 0 ? r : fill_statfs(p, a->a[1]);
}

/* Extended attributes, as Linux 6.1's tmpfs gives them without a security module: no file has
 * any, so listing finds none and reading or naming one is EOPNOTSUPP. The file must exist
 * first: a missing path or a bad fd is reported as such. */
static int xattr_target(Process *p, uint64_t path_addr, bool follow) {
        char path[PATH_MAX];
        struct stat st;

        GET_PATH(p, path_addr, path);
        return vfs_fstatat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path,
                           follow ? 0 : AT_SYMLINK_NOFOLLOW, &st);
}

static int xattr_target_fd(Process *p, uint64_t fd) {
        struct stat st;
        return fdtable_fstat(p->fds, (int)fd, &st);
}

int64_t sys_getxattr(Process *p, const SyscallArgs *a) {
        int r = xattr_target(p, a->a[0], true);
        return r < 0 ? r : -EOPNOTSUPP;
}

int64_t sys_lgetxattr(Process *p, const SyscallArgs *a) {
        int r = xattr_target(p, a->a[0], false);
        return r < 0 ? r : -EOPNOTSUPP;
}

int64_t sys_fgetxattr(Process *p, const SyscallArgs *a) {
        int r = xattr_target_fd(p, a->a[0]);
        return r < 0 ? r : -EOPNOTSUPP;
}

int64_t sys_listxattr(Process *p, const SyscallArgs *a) {
        return xattr_target(p, a->a[0], true); /* 0: an empty list */
}

int64_t sys_llistxattr(Process *p, const SyscallArgs *a) {
        return xattr_target(p, a->a[0], false);
}

int64_t sys_flistxattr(Process *p, const SyscallArgs *a) {
        return xattr_target_fd(p, a->a[0]);
}

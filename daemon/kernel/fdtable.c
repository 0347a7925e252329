/* SPDX-License-Identifier: MIT */
#include "fdtable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "macro.h"

int fdtable_new(FdTable **ret) {
        FdTable *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->limit = FDTABLE_DEFAULT_LIMIT;
        *ret = t;
        return 0;
}

FdTable *fdtable_free(FdTable *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_fds; i++)
                file_unref(t->fds[i].file);
        free(t->fds);
        free(t);
        return NULL;
}

int fdtable_set_limit(FdTable *t, unsigned limit) {
        if (limit == 0)
                return -EINVAL;
        if (limit > FDTABLE_MAX_LIMIT)
                return -EPERM;
        t->limit = limit;
        return 0;
}

unsigned fdtable_limit(const FdTable *t) {
        return t->limit;
}

static int ensure_slots(FdTable *t, size_t count) {
        if (count <= t->n_fds)
                return 0;
        size_t n = MAX(count, MIN(t->n_fds * 2, (size_t)t->limit));
        n = MAX(n, (size_t)16);
        FdEntry *fds = reallocarray(t->fds, n, sizeof(FdEntry));
        if (!fds)
                return -ENOMEM;
        for (size_t i = t->n_fds; i < n; i++)
                fds[i] = (FdEntry){};
        t->fds = fds;
        t->n_fds = n;
        return 0;
}

int fdtable_install(FdTable *t, OpenFile *f, int min_fd, bool cloexec) {
        if (min_fd < 0 || (unsigned)min_fd >= t->limit)
                return -EINVAL;
        for (size_t fd = (size_t)min_fd; fd < t->limit; fd++) {
                if (fd < t->n_fds && t->fds[fd].file)
                        continue;
                int r = ensure_slots(t, fd + 1);
                if (r < 0)
                        return r;
                t->fds[fd] = (FdEntry){.file = file_ref(f), .cloexec = cloexec};
                return (int)fd;
        }
        return -EMFILE;
}

int fdtable_install_at(FdTable *t, OpenFile *f, int fd, bool cloexec) {
        if (fd < 0 || (unsigned)fd >= t->limit)
                return -EBADF;
        int r = ensure_slots(t, (size_t)fd + 1);
        if (r < 0)
                return r;
        OpenFile *old = t->fds[fd].file;
        t->fds[fd] = (FdEntry){.file = file_ref(f), .cloexec = cloexec};
        file_unref(old);
        return fd;
}

static FdEntry *entry(const FdTable *t, int fd) {
        if (fd < 0 || (size_t)fd >= t->n_fds || !t->fds[fd].file)
                return NULL;
        return &t->fds[fd];
}

int fdtable_get(const FdTable *t, int fd, OpenFile **ret) {
        FdEntry *e = entry(t, fd);
        if (!e)
                return -EBADF;
        *ret = e->file;
        return 0;
}

int fdtable_close(FdTable *t, int fd) {
        FdEntry *e = entry(t, fd);
        if (!e)
                return -EBADF;
        OpenFile *f = e->file;
        *e = (FdEntry){};
        file_unref(f);
        return 0;
}

void fdtable_close_on_exec(FdTable *t) {
        for (size_t i = 0; i < t->n_fds; i++)
                if (t->fds[i].file && t->fds[i].cloexec)
                        fdtable_close(t, (int)i);
}

int fdtable_dup(FdTable *t, int fd) {
        FdEntry *e = entry(t, fd);
        if (!e)
                return -EBADF;
        return fdtable_install(t, e->file, 0, false);
}

int fdtable_dup3(FdTable *t, int old_fd, int new_fd, int flags) {
        if (flags & ~O_CLOEXEC)
                return -EINVAL;
        if (old_fd == new_fd)
                return -EINVAL;
        FdEntry *e = entry(t, old_fd);
        if (!e)
                return -EBADF;
        return fdtable_install_at(t, e->file, new_fd, flags & O_CLOEXEC);
}

int fdtable_dup2(FdTable *t, int old_fd, int new_fd) {
        if (old_fd == new_fd)
                return entry(t, old_fd) ? new_fd : -EBADF;
        return fdtable_dup3(t, old_fd, new_fd, 0);
}

int fdtable_fcntl(FdTable *t, int fd, int cmd, uint64_t arg) {
        FdEntry *e = entry(t, fd);
        if (!e)
                return -EBADF;

        switch (cmd) {
        case F_DUPFD:
        case F_DUPFD_CLOEXEC:
                /* The guest passes an int in a 64-bit register: only the low half counts. */
                if ((int)arg < 0 || (unsigned)(int)arg >= t->limit)
                        return -EINVAL;
                return fdtable_install(t, e->file, (int)arg, cmd == F_DUPFD_CLOEXEC);
        case F_GETFD:
                return e->cloexec ? FD_CLOEXEC : 0;
        case F_SETFD:
                e->cloexec = arg & FD_CLOEXEC;
                return 0;
        case F_GETFL:
                return e->file->flags;
        case F_SETFL:
                if (e->file->flags & O_PATH)
                        return -EBADF;
                file_set_status_flags(e->file, (int)arg);
                return 0;
        case F_GETLK:
        case F_SETLK:
        case F_SETLKW:
        case F_OFD_GETLK:
        case F_OFD_SETLK:
        case F_OFD_SETLKW:
                if (e->file->flags & O_PATH)
                        return -EBADF;
                return 0;
        case F_GETPIPE_SZ:
        case F_SETPIPE_SZ:
                if (e->file->kind != FILE_PIPE_READ && e->file->kind != FILE_PIPE_WRITE)
                        return -EBADF;
                /* The capacity is fixed; asking for more than it gets -EPERM like an
                 * unprivileged process past pipe-max-size. */
                if (cmd == F_SETPIPE_SZ && (unsigned)arg > PIPE_CAPACITY)
                        return -EPERM;
                return PIPE_CAPACITY;
        default:
                return -EINVAL;
        }
}

int fdtable_ioctl(FdTable *t, int fd, unsigned long request, uint64_t *ret_value) {
        FdEntry *e = entry(t, fd);
        if (!e)
                return -EBADF;
        switch (request) {
        case FIOCLEX:
                e->cloexec = true;
                return 0;
        case FIONCLEX:
                e->cloexec = false;
                return 0;
        default:
                return file_ioctl(e->file, request, ret_value);
        }
}

#define WITH_FILE(t, fd, f)                                                                        \
        OpenFile *f;                                                                               \
        int _r_ = fdtable_get((t), (fd), &f);                                                      \
        if (_r_ < 0)                                                                               \
        return _r_

ssize_t fdtable_read(FdTable *t, int fd, void *buf, size_t length) {
        WITH_FILE(t, fd, f);
        return file_read(f, buf, length);
}

ssize_t fdtable_write(FdTable *t, int fd, const void *buf, size_t length) {
        WITH_FILE(t, fd, f);
        return file_write(f, buf, length);
}

ssize_t fdtable_pread(FdTable *t, int fd, void *buf, size_t length, int64_t offset) {
        WITH_FILE(t, fd, f);
        return file_pread(f, buf, length, offset);
}

ssize_t fdtable_pwrite(FdTable *t, int fd, const void *buf, size_t length, int64_t offset) {
        WITH_FILE(t, fd, f);
        return file_pwrite(f, buf, length, offset);
}

int64_t fdtable_lseek(FdTable *t, int fd, int64_t offset, int whence) {
        WITH_FILE(t, fd, f);
        return file_lseek(f, offset, whence);
}

ssize_t fdtable_getdents64(FdTable *t, int fd, void *buf, size_t length) {
        WITH_FILE(t, fd, f);
        return file_getdents64(f, buf, length);
}

int fdtable_fstat(FdTable *t, int fd, struct stat *ret) {
        WITH_FILE(t, fd, f);
        file_stat(f, ret);
        return 0;
}

int fdtable_ftruncate(FdTable *t, int fd, int64_t length) {
        WITH_FILE(t, fd, f);
        return file_truncate(f, length);
}

int fdtable_fsync(FdTable *t, int fd) {
        WITH_FILE(t, fd, f);
        if (f->flags & O_PATH)
                return -EBADF;
        return f->kind == FILE_NODE ? 0 : -EINVAL;
}

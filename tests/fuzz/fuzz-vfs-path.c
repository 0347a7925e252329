/* SPDX-License-Identifier: MIT */
/* The guest's path-based system calls with hostile paths: a fresh Vfs over a tiny image (the
 * one in fuzz.h: symlinks relative, absolute, looping, climbing past the root) with its tmpfs
 * at /tmp and /home/sandbox and the synthesized /dev, then a script of calls. Input: records
 * separated by NUL bytes, each [op][path...]; ops taking two paths use the next record whole
 * as the second. At most FUZZ_VFS_OPS calls per input; paths are cut at PATH_MAX - 1 bytes,
 * as the syscall layer's copy-in would refuse longer ones.
 *
 *   op bits 0-3  the call (see run_op; 15 is openat, as a NUL byte ends a record)
 *        4-5  dirfd: AT_FDCWD, the last fd opened, the fd of "/", or a bad number
 *        6-7  a variant of the call's flags
 *
 * Checks what vfs.h promises: -errno or a sane value (fds in the table, stat modes of a known
 * type, readlink counts within the buffer, getcwd an absolute NUL-terminated path), and no
 * leaks or stray accesses once the table and the Vfs are freed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/stat.h>

#include "fdtable.h"
#include "file.h"
#include "fuzz.h"
#include "fuzz-image-tree.h"
#include "image.h"
#include "vfs.h"

#define FUZZ_VFS_MAX (64u * 1024)
#define FUZZ_VFS_OPS 64

static Image *image;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        uint64_t size;
        void *data;

        fuzz_setup_logging();
        data = fuzz_build_image(&size);
        FUZZ_ASSERT(data);
        FUZZ_ASSERT(image_parse(data, size, &image) == 0);
        /* data and image live as long as the process. */
        return 0;
}

typedef struct Script {
        const uint8_t *p;
        size_t left;
} Script;

/* The next record as a C string in buf (PATH_MAX bytes); false at the end of the input. */
static bool next_record(Script *s, char *buf) {
        const uint8_t *end;
        size_t len;

        if (s->left == 0)
                return false;
        end = memchr(s->p, 0, s->left);
        len = end ? (size_t)(end - s->p) : s->left;
        memcpy(buf, s->p, MIN(len, (size_t)PATH_MAX - 1));
        buf[MIN(len, (size_t)PATH_MAX - 1)] = '\0';
        s->p += end ? len + 1 : len;
        s->left -= end ? len + 1 : len;
        return true;
}

/* by_path: found by an absolute lookup, so linked somewhere (an fd, or "." in a removed cwd,
 * may name an unlinked file: nlink 0). */
static void check_stat(int r, const struct stat *st, bool by_path) {
        if (r < 0)
                return;
        FUZZ_ASSERT(r == 0);
        FUZZ_ASSERT(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode) || S_ISLNK(st->st_mode) ||
                    S_ISCHR(st->st_mode) || S_ISFIFO(st->st_mode));
        FUZZ_ASSERT(!by_path || st->st_nlink >= 1);
}

static void check_cwd(Vfs *v, FsContext *fs) {
        char cwd[PATH_MAX];
        ssize_t n = vfs_getcwd(v, fs, cwd, sizeof(cwd));

        if (n == -ENOENT || n == -ERANGE)
                return;
        FUZZ_ASSERT(n >= 2 && (size_t)n <= sizeof(cwd));
        FUZZ_ASSERT(cwd[0] == '/' && cwd[n - 1] == '\0' && strlen(cwd) == (size_t)n - 1);
}

static void check_fd(FdTable *t, int fd) {
        OpenFile *f;

        if (fd < 0) {
                FUZZ_ASSERT(fd >= -4095);
                return;
        }
        FUZZ_ASSERT(fdtable_get(t, fd, &f) == 0);
}

static const int open_flags[4] = {
        O_RDONLY,
        O_RDWR | O_CREAT,
        O_RDONLY | O_DIRECTORY | O_NOFOLLOW,
        O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_APPEND,
};

static void run_op(Vfs *v, FsContext *fs, FdTable *t, Script *s, uint8_t op, const char *path, int *last_fd,
                   int root_fd) {
        static const int bad_fds[] = {-1, 1000, INT_MAX, -100 /* AT_FDCWD */};
        int dirfd, variant = op >> 6, r;
        char second[PATH_MAX];
        struct stat st;

        switch ((op >> 4) & 3) {
        case 0:
                dirfd = AT_FDCWD;
                break;
        case 1:
                dirfd = *last_fd;
                break;
        case 2:
                dirfd = root_fd;
                break;
        default:
                dirfd = bad_fds[variant];
                break;
        }

        switch (op & 15) {
        case 15:
                r = vfs_openat(v, fs, t, dirfd, path, open_flags[variant], 0644);
                check_fd(t, r);
                if (r >= 0) {
                        (void)fdtable_write(t, r, path, strlen(path));
                        *last_fd = r;
                }
                break;
        case 1: {
                static const int flags[4] = {0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
                                             AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH};
                r = vfs_fstatat(v, fs, t, dirfd, path, flags[variant], &st);
                check_stat(r, &st, path[0] == '/');
                break;
        }
        case 2:
                (void)vfs_mkdirat(v, fs, t, dirfd, path, variant == 3 ? 0 : 0755);
                break;
        case 3: {
                static const unsigned flags[4] = {0, RENAME_NOREPLACE, RENAME_EXCHANGE, 0};
                if (!next_record(s, second))
                        return;
                r = vfs_renameat2(v, fs, t, dirfd, path, variant == 3 ? root_fd : AT_FDCWD, second,
                                  flags[variant]);
                FUZZ_ASSERT(r <= 0);
                FUZZ_ASSERT(flags[variant] != RENAME_EXCHANGE || r == -EINVAL);
                break;
        }
        case 4:
                (void)vfs_unlinkat(v, fs, t, dirfd, path, (variant & 1) ? AT_REMOVEDIR : 0);
                break;
        case 5:
                if (!next_record(s, second))
                        return;
                FUZZ_ASSERT(vfs_symlinkat(v, fs, t, second, dirfd, path) <= 0);
                break;
        case 6: {
                char buf[PATH_MAX];
                size_t size = variant == 0 ? 1 : sizeof(buf);
                ssize_t n = vfs_readlinkat(v, fs, t, dirfd, path, buf, size);

                FUZZ_ASSERT(n < 0 || (size_t)n <= size);
                break;
        }
        case 7: {
                static const int modes[4] = {F_OK, R_OK, W_OK | X_OK, R_OK | W_OK | X_OK};
                FUZZ_ASSERT(vfs_faccessat(v, fs, t, dirfd, path, modes[variant],
                                          variant == 3 ? AT_SYMLINK_NOFOLLOW : 0) <= 0);
                break;
        }
        case 8:
                FUZZ_ASSERT(vfs_chdir(v, fs, t, path) <= 0);
                break;
        case 9:
                if (!next_record(s, second))
                        return;
                FUZZ_ASSERT(vfs_linkat(v, fs, t, dirfd, path, AT_FDCWD, second,
                                       (variant & 1) ? AT_SYMLINK_FOLLOW : 0) <= 0);
                break;
        case 10: {
                struct statx stx;
                r = vfs_statx(v, fs, t, dirfd, path, (variant & 1) ? AT_SYMLINK_NOFOLLOW : 0, &stx);
                FUZZ_ASSERT(r <= 0);
                break;
        }
        case 11:
                FUZZ_ASSERT(vfs_truncate(v, fs, t, path, variant == 3 ? -1 : variant * 5000) <= 0);
                break;
        case 12:
                FUZZ_ASSERT(vfs_fchmodat(v, fs, t, dirfd, path, variant == 3 ? 07777 : 0600, 0) <= 0);
                break;
        case 13:
                FUZZ_ASSERT(vfs_utimensat(v, fs, t, dirfd, path, NULL, 0) <= 0);
                break;
        case 14: {
                _cleanup_(file_unrefp) OpenFile *f = NULL;
                r = vfs_open_file(v, fs, t, dirfd, path, open_flags[variant], 0600, &f);
                FUZZ_ASSERT((r < 0) == !f);
                break;
        }
        default: { /* 0: the last fd's directory entries and stat; variant 3 closes it */
                uint8_t buf[1024];
                ssize_t n;

                n = fdtable_getdents64(t, *last_fd, buf, sizeof(buf));
                FUZZ_ASSERT(n < 0 || (size_t)n <= sizeof(buf));
                r = fdtable_fstat(t, *last_fd, &st);
                check_stat(r, &st, false);
                if (variant == 3 && *last_fd != root_fd) {
                        (void)fdtable_close(t, *last_fd);
                        *last_fd = root_fd;
                }
                break;
        }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const TmpfsLimits limits = {
                .max_bytes = 1024 * 1024, .max_inodes = 64, .max_file_size = 64 * 1024};
        _cleanup_(vfs_freep) Vfs *v = NULL;
        FsContext *fs = NULL;
        FdTable *t = NULL;
        Script s = {.p = data, .left = size};
        char path[PATH_MAX];
        int root_fd, last_fd;

        if (size > FUZZ_VFS_MAX)
                return 0;
        FUZZ_ASSERT(vfs_new(image, &limits, &v) == 0);
        FUZZ_ASSERT(fs_context_new(&fs) == 0);
        FUZZ_ASSERT(fdtable_new(&t) == 0);

        root_fd = vfs_openat(v, fs, t, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY, 0);
        FUZZ_ASSERT(root_fd >= 0);
        last_fd = root_fd;

        for (unsigned n = 0; n < FUZZ_VFS_OPS && next_record(&s, path); n++) {
                uint8_t op = (uint8_t)path[0];

                if (op == 0)
                        continue;
                run_op(v, fs, t, &s, op, path + 1, &last_fd, root_fd);
                check_cwd(v, fs);
        }

        /* "Free the FdTable and the FsContext before the Vfs." */
        fdtable_free(t);
        fs_context_unref(fs);
        return 0;
}

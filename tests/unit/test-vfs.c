/* SPDX-License-Identifier: MIT */
/* Unit tests of the sandbox filesystem: path resolution, the image and tmpfs, /dev, open files,
 * the fd table, pipes and the standard streams, with hostile arguments throughout. The image is
 * built in memory in the documented format (image.h) and parsed with image_parse(). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "fdtable.h"
#include "image.h"
#include "macro.h"
#include "pipe.h"
#include "tmpfs.h"
#include "vfs.h"
#include "vnode.h"

#include "test-helpers.h"

/* ---- a tiny image writer (the layout of image.h) ---- */

typedef struct Spec {
        const char *path; /* without leading '/' */
        mode_t mode;
        const char *data; /* file content or symlink target */
} Spec;

static const Spec image_spec[] = {
        {"bin", S_IFLNK | 0777, "usr/bin"},
        {"dev", S_IFDIR | 0755, NULL},
        {"etc", S_IFDIR | 0755, NULL},
        {"etc/abs", S_IFLNK | 0777, "/etc/passwd"},
        {"etc/dirlink", S_IFLNK | 0777, "/usr"},
        {"etc/hostname", S_IFREG | 0644, "sandbox\n"},
        {"etc/loop1", S_IFLNK | 0777, "loop2"},
        {"etc/loop2", S_IFLNK | 0777, "loop1"},
        {"etc/passwd", S_IFREG | 0644, "root:x:0:0:root:/root:/bin/sh\n"},
        {"etc/rel", S_IFLNK | 0777, "passwd"},
        {"etc/secret", S_IFREG | 0600, "top secret\n"},
        {"etc/tmplink", S_IFLNK | 0777, "/tmp/target"},
        {"home", S_IFDIR | 0755, NULL},
        {"root", S_IFDIR | 0700, NULL},
        {"root/hidden", S_IFREG | 0644, "x"},
        {"tmp", S_IFDIR | 01777, NULL},
        {"usr", S_IFDIR | 0755, NULL},
        {"usr/bin", S_IFDIR | 0755, NULL},
        {"usr/bin/python3", S_IFREG | 0755, "\177ELF fake python"},
        {"usr/lib", S_IFDIR | 0755, NULL},
};

typedef struct BNode {
        const char *name;
        size_t name_length;
        const Spec *spec;
        int parent;
        int children[32];
        int n_children;
        uint32_t idx;
} BNode;

static int cmp_child_names(const void *a, const void *b, void *userdata) {
        const BNode *nodes = userdata;
        const BNode *x = &nodes[*(const int *)a], *y = &nodes[*(const int *)b];
        int r = memcmp(x->name, y->name, MIN(x->name_length, y->name_length));
        return r ? r : (x->name_length > y->name_length) - (x->name_length < y->name_length);
}

static void *build_image(uint64_t *ret_size) {
        BNode nodes[64] = {};
        int n = 1, order[64], n_order = 0;

        nodes[0] = (BNode){.name = "", .parent = 0};
        for (size_t i = 0; i < ELEMENTSOF(image_spec); i++) {
                const char *path = image_spec[i].path, *slash = strrchr(path, '/');
                int parent = 0;
                if (slash) /* the parent was listed earlier */
                        for (int j = 1; j < n; j++)
                                if (nodes[j].spec &&
                                    strlen(nodes[j].spec->path) == (size_t)(slash - path) &&
                                    strncmp(nodes[j].spec->path, path, (size_t)(slash - path)) == 0)
                                        parent = j;
                nodes[n] = (BNode){
                        .name = slash ? slash + 1 : path, .spec = &image_spec[i], .parent = parent};
                nodes[n].name_length = strlen(nodes[n].name);
                nodes[parent].children[nodes[parent].n_children++] = n;
                n++;
        }
        /* Breadth first: each directory's children get consecutive indices after it. */
        order[n_order++] = 0;
        nodes[0].idx = 0;
        for (int k = 0; k < n_order; k++) {
                BNode *d = &nodes[order[k]];
                qsort_r(d->children, (size_t)d->n_children, sizeof(int), cmp_child_names, nodes);
                for (int c = 0; c < d->n_children; c++) {
                        nodes[d->children[c]].idx = (uint32_t)n_order;
                        order[n_order++] = d->children[c];
                }
        }

        uint64_t entries_offset = 4096,
                 names_offset = entries_offset + (uint64_t)n * sizeof(ImageEntry);
        uint64_t names_size = 0;
        for (int i = 0; i < n; i++)
                names_size += nodes[i].name_length;
        uint64_t data_offset = ALIGN_UP(names_offset + names_size, 4096ull), total = data_offset;
        for (int i = 1; i < n; i++)
                if (!S_ISDIR(nodes[i].spec->mode))
                        total += ALIGN_UP((uint64_t)strlen(nodes[i].spec->data), 4096ull);

        uint8_t *buf = aligned_alloc(4096, total);
        memset(buf, 0, total);
        ImageHeader *h = (ImageHeader *)buf;
        memcpy(h->magic, IMAGE_MAGIC, 8);
        h->version = IMAGE_FORMAT_VERSION;
        h->entry_count = (uint32_t)n;
        h->entries_offset = entries_offset;
        h->names_offset = names_offset;
        h->names_size = names_size;
        h->data_offset = data_offset;
        h->total_size = total;

        ImageEntry *entries = (ImageEntry *)(buf + entries_offset);
        uint64_t name_pos = 0, data_pos = data_offset;
        for (int k = 0; k < n_order; k++) {
                BNode *b = &nodes[order[k]];
                ImageEntry *e = &entries[b->idx];
                e->name_offset = (uint32_t)name_pos;
                e->name_length = (uint32_t)b->name_length;
                memcpy(buf + names_offset + name_pos, b->name, b->name_length);
                name_pos += b->name_length;
                e->parent = nodes[b->parent].idx;
                e->mode = b->spec ? b->spec->mode : (S_IFDIR | 0755);
                e->mtime = 1700000000;
                if (S_ISDIR(e->mode)) {
                        e->child_count = (uint32_t)b->n_children;
                        e->first_child = b->n_children ? nodes[b->children[0]].idx : 0;
                } else {
                        size_t len = strlen(b->spec->data);
                        e->size = len;
                        e->data_offset = data_pos;
                        memcpy(buf + data_pos, b->spec->data, len);
                        data_pos += ALIGN_UP((uint64_t)len, 4096ull);
                }
        }
        *ret_size = total;
        return buf;
}

/* ---- output sink ---- */

typedef struct Captured {
        char out[4096], err[4096];
        size_t n_out, n_err;
        size_t limit; /* accept at most this per call; 0 = all */
} Captured;

static ssize_t capture(void *userdata, int stream, const void *buf, size_t len) {
        Captured *c = userdata;
        char *dst = stream == 1 ? c->out : c->err;
        size_t *n = stream == 1 ? &c->n_out : &c->n_err;
        if (c->limit && len > c->limit)
                len = c->limit;
        len = MIN(len, sizeof(c->out) - *n);
        if (len == 0)
                return -EPIPE;
        memcpy(dst + *n, buf, len);
        *n += len;
        return (ssize_t)len;
}

/* ---- fixture ---- */

static Image *image;
static Vfs *vfs;
static FsContext *fs;
static FdTable *fdt;

static void setup(const TmpfsLimits *limits) {
        CHECK_EQ(vfs_new(image, limits, &vfs), 0);
        CHECK_EQ(fs_context_new(&fs), 0);
        CHECK_EQ(fdtable_new(&fdt), 0);
}

static void teardown(void) {
        fdt = fdtable_free(fdt);
        fs = fs_context_unref(fs);
        vfs = vfs_free(vfs);
}

static int open_(const char *path, int flags) {
        return vfs_openat(vfs, fs, fdt, AT_FDCWD, path, flags, 0666);
}

static ssize_t read_all(int fd, char *buf, size_t size) {
        ssize_t n = fdtable_read(fdt, fd, buf, size - 1);
        if (n >= 0)
                buf[n] = '\0';
        return n;
}

static int write_file(const char *path, const char *content) {
        int fd = open_(path, O_WRONLY | O_CREAT | O_TRUNC);
        if (fd < 0)
                return fd;
        ssize_t n = fdtable_write(fdt, fd, content, strlen(content));
        fdtable_close(fdt, fd);
        return n < 0 ? (int)n : 0;
}

static mode_t stat_mode(const char *path, int flags) {
        struct stat st;
        int r = vfs_fstatat(vfs, fs, fdt, AT_FDCWD, path, flags, &st);
        return r < 0 ? 0 : st.st_mode;
}

/* Collects getdents64 names of an open directory into "a,b,c," (sorted by order of return). */
static int list_dir(int fd, char *out, size_t out_size, size_t bufsize) {
        uint8_t buf[8192];
        size_t pos = 0;
        out[0] = '\0';
        for (;;) {
                ssize_t n = fdtable_getdents64(fdt, fd, buf, MIN(bufsize, sizeof(buf)));
                if (n < 0)
                        return (int)n;
                if (n == 0)
                        return 0;
                for (ssize_t off = 0; off < n;) {
                        uint16_t reclen;
                        memcpy(&reclen, buf + off + 16, 2);
                        const char *name = (const char *)buf + off + 19;
                        pos += (size_t)snprintf(out + pos, out_size - pos, "%s,", name);
                        off += reclen;
                }
        }
}

/* ---- tests ---- */

static void test_image_read(void) {
        char buf[256];
        struct stat st;
        int fd;

        setup(NULL);
        fd = open_("/etc/passwd", O_RDONLY);
        CHECK(fd >= 0);
        CHECK_EQ(fd, 0); /* lowest free */
        CHECK_EQ(read_all(fd, buf, sizeof(buf)), 30);
        CHECK(strncmp(buf, "root:x:0", 8) == 0);
        CHECK_EQ(fdtable_read(fdt, fd, buf, sizeof(buf)), 0);
        CHECK_EQ(fdtable_pread(fdt, fd, buf, 4, 5), 4);
        CHECK(memcmp(buf, "x:0:", 4) == 0);
        CHECK_EQ(fdtable_pread(fdt, fd, buf, 4, -1), -EINVAL);
        CHECK_EQ(fdtable_pread(fdt, fd, buf, 4, INT64_MAX), 0);
        CHECK_EQ(fdtable_pread(fdt, fd, buf, SIZE_MAX, 0), 30);
        CHECK_EQ(fdtable_write(fdt, fd, "x", 1), -EBADF);
        CHECK_EQ(fdtable_fstat(fdt, fd, &st), 0);
        CHECK_EQ(st.st_size, 30);
        CHECK_EQ(st.st_uid, 0);
        CHECK_EQ(st.st_dev, VFS_DEV_IMAGE);
        CHECK(S_ISREG(st.st_mode));
        CHECK_EQ(st.st_blksize, 4096);
        CHECK_EQ(st.st_blocks, 8);
        CHECK_EQ(st.st_mtim.tv_sec, 1700000000);
        CHECK_EQ(st.st_nlink, 1);

        /* lseek */
        CHECK_EQ(fdtable_lseek(fdt, fd, 0, SEEK_SET), 0);
        CHECK_EQ(fdtable_lseek(fdt, fd, -1, SEEK_SET), -EINVAL);
        CHECK_EQ(fdtable_lseek(fdt, fd, 5, SEEK_CUR), 5);
        CHECK_EQ(fdtable_lseek(fdt, fd, INT64_MAX, SEEK_CUR), -EINVAL);
        CHECK_EQ(fdtable_lseek(fdt, fd, -2, SEEK_END), 28);
        CHECK_EQ(fdtable_lseek(fdt, fd, INT64_MIN, SEEK_END), -EINVAL);
        CHECK_EQ(fdtable_lseek(fdt, fd, 0, 42), -EINVAL);
        CHECK_EQ(fdtable_lseek(fdt, fd, 3, SEEK_DATA), 3);
        CHECK_EQ(fdtable_lseek(fdt, fd, 3, SEEK_HOLE), 30);
        CHECK_EQ(fdtable_lseek(fdt, fd, 30, SEEK_DATA), -ENXIO);
        CHECK_EQ(fdtable_lseek(fdt, fd, 100, SEEK_SET), 100);
        CHECK_EQ(fdtable_read(fdt, fd, buf, 10), 0);
        uint64_t v = 0;
        CHECK_EQ(fdtable_lseek(fdt, fd, 25, SEEK_SET), 25);
        CHECK_EQ(fdtable_ioctl(fdt, fd, FIONREAD, &v), 0);
        CHECK_EQ(v, 5);
        CHECK_EQ(fdtable_ioctl(fdt, fd, TCGETS, &v), -ENOTTY);
        CHECK_EQ(fdtable_ioctl(fdt, fd, TIOCGWINSZ, &v), -ENOTTY);
        CHECK_EQ(fdtable_close(fdt, fd), 0);
        CHECK_EQ(fdtable_close(fdt, fd), -EBADF);

        /* the read-only image */
        CHECK_EQ(open_("/etc/passwd", O_WRONLY), -EROFS);
        CHECK_EQ(open_("/etc/passwd", O_RDONLY | O_TRUNC), -EROFS);
        CHECK_EQ(open_("/etc/new", O_WRONLY | O_CREAT), -EROFS);
        CHECK_EQ(open_("/etc/passwd", O_RDONLY | O_CREAT | O_EXCL), -EEXIST);
        fd = open_("/etc/passwd", O_RDONLY | O_CREAT);
        CHECK(fd >= 0);
        fdtable_close(fdt, fd);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "/etc/d", 0755), -EROFS);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "/etc", 0755), -EEXIST);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "/", 0755), -EEXIST);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd", 0), -EROFS);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/etc/nothing", 0), -EROFS);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp", AT_REMOVEDIR), -EROFS);
        CHECK_EQ(vfs_symlinkat(vfs, fs, fdt, "x", AT_FDCWD, "/etc/l"), -EROFS);
        CHECK_EQ(vfs_fchmodat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd", 0777, 0), -EROFS);
        CHECK_EQ(vfs_truncate(vfs, fs, fdt, "/etc/passwd", 0), -EROFS);
        CHECK_EQ(vfs_utimensat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd", NULL, 0), -EROFS);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/etc/passwd", AT_FDCWD, "/etc/p2", 0), -EROFS);

        /* permissions as uid 1000 */
        CHECK_EQ(open_("/etc/secret", O_RDONLY), -EACCES);
        CHECK_EQ(open_("/root/hidden", O_RDONLY), -EACCES);
        CHECK_EQ(vfs_faccessat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd", R_OK, 0), 0);
        CHECK_EQ(vfs_faccessat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd", W_OK, 0), -EROFS);
        CHECK_EQ(vfs_faccessat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd", X_OK, 0), -EACCES);
        CHECK_EQ(vfs_faccessat(vfs, fs, fdt, AT_FDCWD, "/usr/bin/python3", X_OK | R_OK, 0), 0);
        CHECK_EQ(vfs_faccessat(vfs, fs, fdt, AT_FDCWD, "/etc/secret", F_OK, 0), 0);
        CHECK_EQ(vfs_faccessat(vfs, fs, fdt, AT_FDCWD, "/etc/secret", R_OK, 0), -EACCES);
        CHECK_EQ(vfs_faccessat(vfs, fs, fdt, AT_FDCWD, "/nope", F_OK, 0), -ENOENT);
        CHECK_EQ(vfs_faccessat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd", 8, 0), -EINVAL);
        CHECK_EQ(vfs_faccessat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd", R_OK, 0x40000000), -EINVAL);
        CHECK_EQ(vfs_faccessat(vfs, fs, fdt, AT_FDCWD, "/tmp", W_OK | X_OK, 0), 0);

        /* directories */
        CHECK_EQ(open_("/etc", O_WRONLY), -EISDIR);
        CHECK_EQ(open_("/etc/passwd", O_RDONLY | O_DIRECTORY), -ENOTDIR);
        CHECK_EQ(open_("/etc", O_RDONLY | O_CREAT), -EISDIR);
        CHECK_EQ(open_("/etc", O_RDONLY | O_CREAT | O_DIRECTORY), -EINVAL);
        CHECK_EQ(open_("/tmp/x", O_RDWR | O_TMPFILE), -EOPNOTSUPP);
        fd = open_("/etc", O_RDONLY | O_DIRECTORY);
        CHECK(fd >= 0);
        CHECK_EQ(fdtable_read(fdt, fd, buf, 10), -EISDIR);
        CHECK_EQ(fdtable_fstat(fdt, fd, &st), 0);
        CHECK(S_ISDIR(st.st_mode));
        CHECK_EQ(st.st_nlink, 2);
        fdtable_close(fdt, fd);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/", 0, &st), 0);
        CHECK_EQ(st.st_ino, 1);
        CHECK_EQ(st.st_nlink, 2 + 6); /* dev etc home root tmp usr */
        teardown();
}

static void test_paths(void) {
        char buf[256], path[PATH_MAX + 1];
        struct stat st, st2;
        int fd;

        setup(NULL);
        /* `..` never leaves the image */
        fd = open_("/tmp/../../../etc/passwd", O_RDONLY);
        CHECK(fd >= 0);
        CHECK_EQ(read_all(fd, buf, sizeof(buf)), 30);
        fdtable_close(fdt, fd);
        CHECK(open_("/../../../../etc/hostname", O_RDONLY) >= 0);
        fdtable_close(fdt, 0);
        CHECK(open_("/home/sandbox/../../etc/hostname", O_RDONLY) >= 0);
        fdtable_close(fdt, 0);
        CHECK_EQ(open_("/tmp/../../../etc/shadow", O_RDONLY), -ENOENT);
        CHECK_EQ(open_("/proc/self/status", O_RDONLY), -ENOENT);
        CHECK_EQ(open_("/proc/1/root/etc/passwd", O_RDONLY), -ENOENT);
        CHECK(S_ISDIR(stat_mode("/proc", 0)));
        CHECK(S_ISDIR(stat_mode("/proc/.", 0)));
        CHECK(S_ISDIR(stat_mode("/proc/..", 0)));

        /* `.`, repeated and trailing slashes */
        CHECK(S_ISREG(stat_mode("//etc/./passwd", 0)));
        CHECK(S_ISREG(stat_mode("/etc//.//passwd", 0)));
        CHECK(S_ISDIR(stat_mode("/etc/", 0)));
        CHECK(S_ISDIR(stat_mode("/etc/.", 0)));
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd/", 0, &st), -ENOTDIR);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd/.", 0, &st), -ENOTDIR);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd/x", 0, &st), -ENOTDIR);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "", 0, &st), -ENOENT);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/nonexistent/x", 0, &st), -ENOENT);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/etc", 0x12345678, &st), -EINVAL);

        /* symlinks */
        CHECK(S_ISREG(stat_mode("/etc/abs", 0)));
        CHECK(S_ISLNK(stat_mode("/etc/abs", AT_SYMLINK_NOFOLLOW)));
        CHECK(S_ISREG(stat_mode("/etc/rel", 0)));
        CHECK(S_ISREG(stat_mode("/bin/python3", 0)));
        CHECK(S_ISDIR(stat_mode("/etc/dirlink/", AT_SYMLINK_NOFOLLOW))); /* '/' follows */
        CHECK(S_ISREG(stat_mode("/etc/dirlink/bin/python3", 0)));
        CHECK(S_ISDIR(stat_mode("/etc/dirlink/..", 0))); /* .. of /usr is / */
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/etc/loop1", 0, &st), -ELOOP);
        CHECK(S_ISLNK(stat_mode("/etc/loop1", AT_SYMLINK_NOFOLLOW)));
        CHECK_EQ(open_("/etc/loop1", O_RDONLY), -ELOOP);
        CHECK_EQ(open_("/etc/loop1/x", O_RDONLY), -ELOOP);
        CHECK_EQ(open_("/etc/abs", O_RDONLY | O_NOFOLLOW), -ELOOP);
        fd = open_("/etc/abs", O_PATH | O_NOFOLLOW);
        CHECK(fd >= 0);
        CHECK_EQ(fdtable_fstat(fdt, fd, &st), 0);
        CHECK(S_ISLNK(st.st_mode));
        CHECK_EQ(fdtable_read(fdt, fd, buf, 1), -EBADF);
        CHECK_EQ(vfs_readlinkat(vfs, fs, fdt, fd, "", buf, sizeof(buf)), 11);
        fdtable_close(fdt, fd);
        CHECK_EQ(vfs_readlinkat(vfs, fs, fdt, AT_FDCWD, "/etc/abs", buf, sizeof(buf)), 11);
        CHECK(memcmp(buf, "/etc/passwd", 11) == 0);
        CHECK_EQ(vfs_readlinkat(vfs, fs, fdt, AT_FDCWD, "/etc/abs", buf, 4), 4);
        CHECK_EQ(vfs_readlinkat(vfs, fs, fdt, AT_FDCWD, "/etc/abs", buf, 0), -EINVAL);
        CHECK_EQ(vfs_readlinkat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd", buf, 10), -EINVAL);
        CHECK_EQ(vfs_readlinkat(vfs, fs, fdt, AT_FDCWD, "/nope", buf, 10), -ENOENT);

        /* a chain of 40 links resolves, 41 does not */
        CHECK_EQ(vfs_symlinkat(vfs, fs, fdt, "/etc/passwd", AT_FDCWD, "/tmp/l0"), 0);
        for (int i = 1; i <= 40; i++) {
                char target[32], name[32];
                snprintf(target, sizeof(target), "l%d", i - 1);
                snprintf(name, sizeof(name), "/tmp/l%d", i);
                CHECK_EQ(vfs_symlinkat(vfs, fs, fdt, target, AT_FDCWD, name), 0);
        }
        CHECK(S_ISREG(stat_mode("/tmp/l39", 0)));
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/tmp/l40", 0, &st), -ELOOP);
        CHECK_EQ(vfs_symlinkat(vfs, fs, fdt, "", AT_FDCWD, "/tmp/empty"), -ENOENT);
        CHECK_EQ(vfs_symlinkat(vfs, fs, fdt, "x", AT_FDCWD, "/tmp/l0"), -EEXIST);

        /* a symlink from the image into the tmpfs, O_CREAT through a dangling link */
        CHECK_EQ(open_("/etc/tmplink", O_RDONLY), -ENOENT);
        fd = open_("/etc/tmplink", O_WRONLY | O_CREAT);
        CHECK(fd >= 0);
        fdtable_close(fdt, fd);
        CHECK(S_ISREG(stat_mode("/tmp/target", 0)));
        CHECK_EQ(open_("/etc/tmplink", O_WRONLY | O_CREAT | O_EXCL), -EEXIST);

        /* names: 255 is fine, 256 is too long, anywhere in the path */
        memset(path, 'a', sizeof(path));
        memcpy(path, "/tmp/", 5);
        path[5 + 255] = '\0';
        fd = open_(path, O_WRONLY | O_CREAT);
        CHECK(fd >= 0);
        fdtable_close(fdt, fd);
        path[5 + 255] = 'a';
        path[5 + 256] = '\0';
        CHECK_EQ(open_(path, O_WRONLY | O_CREAT), -ENAMETOOLONG);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, path, 0, &st), -ENAMETOOLONG);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, path, 0755), -ENAMETOOLONG);
        path[5 + 256] = '/';
        strcpy(path + 5 + 257, "x");
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, path, 0, &st), -ENAMETOOLONG);

        /* 5000 components: "/./././..." and "a/../a/../..." */
        static char deep[5000 * 2 + 32];
        size_t p = 0;
        for (int i = 0; i < 5000; i++) {
                deep[p++] = '/';
                deep[p++] = '.';
        }
        strcpy(deep + p, "/etc/passwd");
        CHECK(S_ISREG(stat_mode(deep, 0)));
        p = 0;
        for (int i = 0; i < 2500; i++) {
                memcpy(deep + p, "../", 3);
                p += 3;
        }
        strcpy(deep + p, "etc/passwd");
        CHECK(S_ISREG(stat_mode(deep, 0)));
        p = 0;
        for (int i = 0; i < 5000; i++)
                deep[p++] = '/';
        deep[p] = '\0';
        CHECK(S_ISDIR(stat_mode(deep, 0)));

        /* hostile bytes in names */
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/etc/\xff\xfe", 0, &st), -ENOENT);
        fd = open_("/tmp/\x01\xff\n name", O_WRONLY | O_CREAT);
        CHECK(fd >= 0);
        fdtable_close(fdt, fd);

        /* dirfds */
        int dfd = open_("/etc", O_RDONLY | O_DIRECTORY);
        CHECK(dfd >= 0);
        CHECK(vfs_fstatat(vfs, fs, fdt, dfd, "passwd", 0, &st) == 0 && S_ISREG(st.st_mode));
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, dfd, "../etc/passwd", 0, &st2), 0);
        CHECK_EQ(st.st_ino, st2.st_ino);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, dfd, "", AT_EMPTY_PATH, &st), 0);
        CHECK(S_ISDIR(st.st_mode));
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, -1, "passwd", 0, &st), -EBADF);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, 1 << 30, "passwd", 0, &st), -EBADF);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, INT_MIN, "passwd", 0, &st), -EBADF);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, -1, "/etc/passwd", 0, &st), 0); /* absolute ignores it */
        int ffd = open_("/etc/passwd", O_RDONLY);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, ffd, "x", 0, &st), -ENOTDIR);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, ffd, "", AT_EMPTY_PATH, &st), 0);
        CHECK(S_ISREG(st.st_mode));
        CHECK_EQ(vfs_openat(vfs, fs, fdt, ffd, "x", O_RDONLY, 0), -ENOTDIR);
        fdtable_close(fdt, ffd);
        fdtable_close(fdt, dfd);

        /* statx */
        struct statx stx;
        CHECK_EQ(vfs_statx(vfs, fs, fdt, AT_FDCWD, "/dev/null", 0, &stx), 0);
        CHECK(S_ISCHR(stx.stx_mode));
        CHECK_EQ(stx.stx_rdev_major, 1);
        CHECK_EQ(stx.stx_rdev_minor, 3);
        CHECK_EQ(stx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
        teardown();
}

static void test_cwd(void) {
        char buf[PATH_MAX];
        struct stat st;

        setup(NULL);
        CHECK_EQ(vfs_getcwd(vfs, fs, buf, sizeof(buf)), 2);
        CHECK(strcmp(buf, "/") == 0);
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, "/home/sandbox"), 0);
        CHECK_EQ(vfs_getcwd(vfs, fs, buf, sizeof(buf)), 14);
        CHECK(strcmp(buf, "/home/sandbox") == 0);
        CHECK_EQ(vfs_getcwd(vfs, fs, buf, 13), -ERANGE);
        CHECK_EQ(vfs_getcwd(vfs, fs, buf, 0), -ERANGE);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "a", 0755), 0);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "a/b", 0755), 0);
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, "a/b"), 0);
        CHECK_EQ(vfs_getcwd(vfs, fs, buf, sizeof(buf)), 18);
        CHECK(strcmp(buf, "/home/sandbox/a/b") == 0);
        CHECK_EQ(write_file("f", "hello"), 0);
        CHECK(S_ISREG(stat_mode("/home/sandbox/a/b/f", 0)));
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, "../../.."), 0);
        CHECK_EQ(vfs_getcwd(vfs, fs, buf, sizeof(buf)), 6);
        CHECK(strcmp(buf, "/home") == 0);
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, "/etc/passwd"), -ENOTDIR);
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, "/root"), -EACCES);
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, "/nonexistent"), -ENOENT);
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, ""), -ENOENT);
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, "/dev"), 0);
        CHECK_EQ(vfs_getcwd(vfs, fs, buf, sizeof(buf)), 5);
        CHECK(strcmp(buf, "/dev") == 0);
        int fd = open_("/etc", O_RDONLY | O_DIRECTORY);
        CHECK_EQ(vfs_fchdir(vfs, fs, fdt, fd), 0);
        fdtable_close(fdt, fd);
        CHECK(S_ISREG(stat_mode("passwd", 0)));
        CHECK_EQ(vfs_fchdir(vfs, fs, fdt, 77), -EBADF);
        fd = open_("/etc/passwd", O_RDONLY);
        CHECK_EQ(vfs_fchdir(vfs, fs, fdt, fd), -ENOTDIR);
        fdtable_close(fdt, fd);

        /* a removed cwd */
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "/tmp/gone", 0755), 0);
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, "/tmp/gone"), 0);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/gone", AT_REMOVEDIR), 0);
        CHECK_EQ(vfs_getcwd(vfs, fs, buf, sizeof(buf)), -ENOENT);
        CHECK_EQ(open_("x", O_WRONLY | O_CREAT), -ENOENT);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "", AT_EMPTY_PATH, &st), 0);
        CHECK_EQ(st.st_nlink, 0);
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, "/tmp"), 0);

        /* umask */
        CHECK_EQ(fs_context_umask(fs, 077), 022);
        CHECK_EQ(write_file("/tmp/m", "x"), 0);
        CHECK_EQ(stat_mode("/tmp/m", 0) & 0777, 0600);
        CHECK_EQ(fs_context_umask(fs, 0xffffffff), 077);
        CHECK_EQ(fs_context_umask(fs, 022), 0777);
        teardown();
}

static void test_tmpfs(void) {
        char buf[8192], names[4096];
        struct stat st;
        int fd, fd2;

        setup(NULL);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/tmp", 0, &st), 0);
        CHECK_EQ(st.st_mode, S_IFDIR | 01777);
        CHECK_EQ(st.st_dev, VFS_DEV_TMPFS);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/home/sandbox", 0, &st), 0);
        CHECK_EQ(st.st_uid, 1000);

        fd = open_("/tmp/f", O_RDWR | O_CREAT | O_EXCL);
        CHECK(fd >= 0);
        CHECK_EQ(open_("/tmp/f", O_RDWR | O_CREAT | O_EXCL), -EEXIST);
        CHECK_EQ(fdtable_write(fdt, fd, "hello world", 11), 11);
        CHECK_EQ(fdtable_fstat(fdt, fd, &st), 0);
        CHECK_EQ(st.st_size, 11);
        CHECK_EQ(st.st_uid, 1000);
        CHECK_EQ(st.st_gid, 1000);
        CHECK_EQ(st.st_mode, S_IFREG | 0644);
        CHECK_EQ(st.st_dev, VFS_DEV_TMPFS);
        CHECK(st.st_ino >= VFS_TMPFS_FIRST_INO);
        CHECK(st.st_mtim.tv_sec > 1700000000);
        CHECK_EQ(st.st_blocks, 8);
        CHECK_EQ(fdtable_lseek(fdt, fd, 0, SEEK_SET), 0);
        CHECK_EQ(read_all(fd, buf, sizeof(buf)), 11);
        CHECK(strcmp(buf, "hello world") == 0);
        CHECK_EQ(fdtable_pwrite(fdt, fd, "J", 1, 6), 1);
        CHECK_EQ(fdtable_pread(fdt, fd, buf, 11, 0), 11);
        CHECK(memcmp(buf, "hello Jorld", 11) == 0);
        CHECK_EQ(fdtable_pwrite(fdt, fd, "J", 1, -5), -EINVAL);

        /* sparse: write far away, the hole reads zeros */
        CHECK_EQ(fdtable_pwrite(fdt, fd, "end", 3, 100000), 3);
        CHECK_EQ(fdtable_fstat(fdt, fd, &st), 0);
        CHECK_EQ(st.st_size, 100003);
        CHECK_EQ(st.st_blocks, 16);
        CHECK_EQ(fdtable_pread(fdt, fd, buf, 10, 50000), 10);
        CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0\0\0", 10) == 0);
        CHECK_EQ(fdtable_lseek(fdt, fd, 0, SEEK_HOLE), 4096);
        CHECK_EQ(fdtable_lseek(fdt, fd, 5000, SEEK_DATA), 98304);
        CHECK_EQ(fdtable_lseek(fdt, fd, 0, SEEK_END), 100003);
        CHECK_EQ(fdtable_lseek(fdt, fd, 100002, SEEK_DATA), 100002);
        CHECK_EQ(fdtable_lseek(fdt, fd, 100002, SEEK_HOLE), 100003);
        CHECK_EQ(fdtable_lseek(fdt, fd, 100003, SEEK_HOLE), -ENXIO);
        CHECK_EQ(fdtable_lseek(fdt, fd, -1, SEEK_DATA), -ENXIO);
        /* a huge sparse file: seeking past its few pages is immediate */
        CHECK_EQ(fdtable_ftruncate(fdt, fd, 1ll << 29), 0);
        CHECK_EQ(fdtable_lseek(fdt, fd, 200000, SEEK_DATA), -ENXIO);
        CHECK_EQ(fdtable_lseek(fdt, fd, 100002, SEEK_HOLE), 102400);
        CHECK_EQ(fdtable_pread(fdt, fd, buf, 10, (1ll << 29) - 4), 4);
        CHECK_EQ(fdtable_ftruncate(fdt, fd, 100003), 0);

        /* truncate */
        CHECK_EQ(fdtable_ftruncate(fdt, fd, 5), 0);
        CHECK_EQ(fdtable_pread(fdt, fd, buf, 100, 0), 5);
        CHECK_EQ(fdtable_ftruncate(fdt, fd, 10), 0);
        CHECK_EQ(fdtable_pread(fdt, fd, buf, 100, 0), 10);
        CHECK(memcmp(buf, "hello\0\0\0\0\0", 10) == 0);
        CHECK_EQ(fdtable_ftruncate(fdt, fd, -1), -EINVAL);
        CHECK_EQ(fdtable_ftruncate(fdt, fd, INT64_MAX), -EFBIG);
        CHECK_EQ(vfs_truncate(vfs, fs, fdt, "/tmp/f", 3), 0);
        CHECK_EQ(vfs_truncate(vfs, fs, fdt, "/tmp", 3), -EISDIR);
        CHECK_EQ(fdtable_fstat(fdt, fd, &st), 0);
        CHECK_EQ(st.st_size, 3);
        CHECK_EQ(fdtable_fsync(fdt, fd), 0);
        fdtable_close(fdt, fd);

        /* O_TRUNC, O_APPEND */
        fd = open_("/tmp/f", O_WRONLY | O_TRUNC);
        CHECK(fd >= 0);
        CHECK_EQ(fdtable_fstat(fdt, fd, &st), 0);
        CHECK_EQ(st.st_size, 0);
        fdtable_close(fdt, fd);
        fd = open_("/tmp/f", O_WRONLY | O_APPEND);
        fd2 = open_("/tmp/f", O_WRONLY);
        CHECK_EQ(fdtable_write(fdt, fd2, "AAAA", 4), 4);
        CHECK_EQ(fdtable_write(fdt, fd, "BB", 2), 2);
        CHECK_EQ(fdtable_pwrite(fdt, fd, "C", 1, 0), 1); /* appends anyway */
        CHECK_EQ(fdtable_read(fdt, fd, buf, 1), -EBADF);
        fdtable_close(fdt, fd);
        fdtable_close(fdt, fd2);
        fd = open_("/tmp/f", O_RDONLY);
        CHECK_EQ(read_all(fd, buf, sizeof(buf)), 7);
        CHECK(strcmp(buf, "AAAABBC") == 0);
        CHECK_EQ(fdtable_write(fdt, fd, "x", 1), -EBADF);
        CHECK_EQ(fdtable_ftruncate(fdt, fd, 0), -EINVAL);
        fdtable_close(fdt, fd);

        /* one tmpfs at two mount points; rename across the image boundary is EXDEV */
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/f", AT_FDCWD, "/home/sandbox/g", 0), 0);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/g", AT_FDCWD, "/etc/g", 0),
                 -EXDEV);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/etc/passwd", AT_FDCWD, "/tmp/p", 0), -EXDEV);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/g", AT_FDCWD, "/dev/g", 0),
                 -EXDEV);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/nothing", AT_FDCWD, "/tmp/x", 0), -ENOENT);

        /* rename semantics */
        CHECK_EQ(write_file("/tmp/a", "A"), 0);
        CHECK_EQ(write_file("/tmp/b", "B"), 0);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/a", AT_FDCWD, "/tmp/b", RENAME_NOREPLACE),
                 -EEXIST);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/a", AT_FDCWD, "/tmp/b", RENAME_EXCHANGE),
                 -EINVAL);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/a", AT_FDCWD, "/tmp/b", 0x80000000u),
                 -EINVAL);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/a", AT_FDCWD, "/tmp/b", 0), 0);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/tmp/a", 0, &st), -ENOENT);
        fd = open_("/tmp/b", O_RDONLY);
        CHECK_EQ(read_all(fd, buf, sizeof(buf)), 1);
        CHECK(strcmp(buf, "A") == 0);
        fdtable_close(fdt, fd);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/b", AT_FDCWD, "/tmp/b", 0), 0);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "/tmp/d1", 0755), 0);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "/tmp/d2", 0755), 0);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "/tmp/d1", 0755), -EEXIST);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "/tmp/d1/sub/", 0755), 0);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/b", AT_FDCWD, "/tmp/d2", 0), -EISDIR);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/d2", AT_FDCWD, "/tmp/b", 0), -ENOTDIR);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/d2", AT_FDCWD, "/tmp/d1", 0), -ENOTEMPTY);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/d1", AT_FDCWD, "/tmp/d1/sub/x", 0),
                 -EINVAL);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/d1", AT_FDCWD, "/tmp/d1/sub", 0), -EINVAL);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/b/", AT_FDCWD, "/tmp/c", 0), -ENOTDIR);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/.", AT_FDCWD, "/tmp/c", 0), -EBUSY);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/d1/sub", AT_FDCWD, "/tmp/d2", 0), 0);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/tmp/d2/..", 0, &st), 0);
        CHECK_EQ(st.st_dev, VFS_DEV_TMPFS); /* d2's parent is /tmp */
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/d2", AT_FDCWD, "/tmp/d1/moved", 0), 0);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/tmp/d1", 0, &st), 0);
        CHECK_EQ(st.st_nlink, 3);
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, "/tmp/d1/moved"), 0);
        CHECK_EQ(vfs_getcwd(vfs, fs, buf, sizeof(buf)), 14);
        CHECK(strcmp(buf, "/tmp/d1/moved") == 0);
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, "/"), 0);

        /* unlink / rmdir */
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/d1", 0), -EISDIR);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/d1", AT_REMOVEDIR), -ENOTEMPTY);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/b", AT_REMOVEDIR), -ENOTDIR);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/b/", 0), -ENOTDIR);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/d1/.", AT_REMOVEDIR), -EINVAL);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/d1/..", AT_REMOVEDIR), -ENOTEMPTY);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/zz", 0), -ENOENT);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/b", 0x1234), -EINVAL);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/d1/moved/", AT_REMOVEDIR), 0);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/d1", AT_REMOVEDIR), 0);

        /* unlinked while open stays readable */
        CHECK_EQ(write_file("/tmp/u", "still here"), 0);
        fd = open_("/tmp/u", O_RDWR);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/u", 0), 0);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/tmp/u", 0, &st), -ENOENT);
        CHECK_EQ(read_all(fd, buf, sizeof(buf)), 10);
        CHECK(strcmp(buf, "still here") == 0);
        CHECK_EQ(fdtable_fstat(fdt, fd, &st), 0);
        CHECK_EQ(st.st_nlink, 0);
        CHECK_EQ(fdtable_write(fdt, fd, "!", 1), 1);
        fdtable_close(fdt, fd);

        /* hard links */
        CHECK_EQ(write_file("/tmp/h1", "link"), 0);
        CHECK_EQ(vfs_linkat(vfs, fs, fdt, AT_FDCWD, "/tmp/h1", AT_FDCWD, "/home/sandbox/h2", 0), 0);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/tmp/h1", 0, &st), 0);
        CHECK_EQ(st.st_nlink, 2);
        CHECK_EQ(vfs_linkat(vfs, fs, fdt, AT_FDCWD, "/tmp/h1", AT_FDCWD, "/tmp/h1", 0), -EEXIST);
        CHECK_EQ(vfs_linkat(vfs, fs, fdt, AT_FDCWD, "/tmp", AT_FDCWD, "/tmp/dl", 0), -EPERM);
        CHECK_EQ(vfs_linkat(vfs, fs, fdt, AT_FDCWD, "/etc/passwd", AT_FDCWD, "/tmp/pl", 0), -EXDEV);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, AT_FDCWD, "/tmp/h1", AT_FDCWD, "/home/sandbox/h2", 0), 0);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/tmp/h1", 0, &st), 0); /* same inode: no-op */
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/h1", 0), 0);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/h2", 0, &st), 0);
        CHECK_EQ(st.st_nlink, 1);

        /* symlinks in the tmpfs */
        CHECK_EQ(vfs_symlinkat(vfs, fs, fdt, "h2", AT_FDCWD, "/home/sandbox/sl"), 0);
        CHECK_EQ(vfs_readlinkat(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/sl", buf, sizeof(buf)), 2);
        fd = open_("/home/sandbox/sl", O_RDONLY);
        CHECK_EQ(read_all(fd, buf, sizeof(buf)), 4);
        CHECK(strcmp(buf, "link") == 0);
        fdtable_close(fdt, fd);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/sl", AT_SYMLINK_NOFOLLOW, &st), 0);
        CHECK_EQ(st.st_size, 2);
        CHECK_EQ(vfs_symlinkat(vfs, fs, fdt, "self", AT_FDCWD, "/tmp/self"), 0);
        CHECK_EQ(open_("/tmp/self", O_RDONLY), -ELOOP);
        CHECK_EQ(open_("/tmp/self", O_RDWR | O_CREAT), -ELOOP);

        /* chmod, utimensat, access */
        CHECK_EQ(vfs_fchmodat(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/h2", 0400, 0), 0);
        CHECK_EQ(stat_mode("/home/sandbox/h2", 0), S_IFREG | 0400);
        CHECK_EQ(open_("/home/sandbox/h2", O_WRONLY), -EACCES);
        CHECK_EQ(vfs_faccessat(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/h2", W_OK, 0), -EACCES);
        CHECK_EQ(vfs_fchmodat(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/h2", 0644, AT_SYMLINK_NOFOLLOW),
                 -EOPNOTSUPP);
        fd = open_("/home/sandbox/h2", O_RDONLY);
        CHECK_EQ(vfs_fchmod(vfs, fdt, fd, 0755), 0);
        CHECK_EQ(vfs_fchmod(vfs, fdt, 999, 0755), -EBADF);
        fdtable_close(fdt, fd);
        CHECK_EQ(vfs_fchmodat(vfs, fs, fdt, AT_FDCWD, "/tmp", 0777, 0), -EPERM); /* root's /tmp */
        CHECK_EQ(vfs_fchmodat(vfs, fs, fdt, AT_FDCWD, "/dev/null", 0777, 0), -EPERM);
        struct timespec ts[2] = {{.tv_sec = 1000, .tv_nsec = 5},
                                 {.tv_sec = 2000, .tv_nsec = UTIME_OMIT}};
        CHECK_EQ(vfs_utimensat(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/h2", ts, 0), 0);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/h2", 0, &st), 0);
        CHECK_EQ(st.st_atim.tv_sec, 1000);
        CHECK(st.st_mtim.tv_sec > 2000);
        ts[1].tv_nsec = 1000000000;
        CHECK_EQ(vfs_utimensat(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/h2", ts, 0), -EINVAL);
        CHECK_EQ(vfs_utimensat(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/h2", NULL, 0), 0);
        CHECK_EQ(vfs_utimensat(vfs, fs, fdt, AT_FDCWD, "/home/sandbox/h2", NULL, 0x999), -EINVAL);

        /* getdents: ".", "..", entries; resumable with a small buffer; rewind */
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "/tmp/dd", 0755), 0);
        for (int i = 0; i < 50; i++) {
                char name[64];
                snprintf(name, sizeof(name), "/tmp/dd/file-%02d", i);
                CHECK_EQ(write_file(name, "x"), 0);
        }
        fd = open_("/tmp/dd", O_RDONLY | O_DIRECTORY);
        CHECK_EQ(list_dir(fd, names, sizeof(names), 4096), 0);
        CHECK(strncmp(names, ".,..,file-00,file-01,", 21) == 0);
        CHECK(strstr(names, "file-49,") != NULL);
        CHECK_EQ(fdtable_lseek(fdt, fd, 0, SEEK_SET), 0);
        char names2[4096];
        CHECK_EQ(list_dir(fd, names2, sizeof(names2), 40), 0); /* one record per call */
        CHECK(strcmp(names, names2) == 0);
        CHECK_EQ(fdtable_lseek(fdt, fd, 0, SEEK_SET), 0);
        CHECK_EQ(fdtable_getdents64(fdt, fd, buf, 10), -EINVAL);
        CHECK_EQ(fdtable_getdents64(fdt, fd, buf, 0), -EINVAL);
        /* removing entries between calls neither repeats nor skips the rest */
        CHECK_EQ(fdtable_getdents64(fdt, fd, buf, 24 + 24 + 32 + 8),
                 24 + 24 + 32); /* ., .., file-00 */
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/dd/file-00", 0), 0);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/dd/file-01", 0), 0);
        CHECK_EQ(list_dir(fd, names, sizeof(names), 4096), 0);
        CHECK(strncmp(names, "file-02,file-03,", 16) == 0);
        CHECK_EQ(fdtable_getdents64(fdt, fd, buf, sizeof(buf)), 0);
        fdtable_close(fdt, fd);
        fd = open_("/tmp/f-not-dir", O_RDWR | O_CREAT);
        CHECK_EQ(fdtable_getdents64(fdt, fd, buf, sizeof(buf)), -ENOTDIR);
        fdtable_close(fdt, fd);

        /* d_type */
        fd = open_("/etc", O_RDONLY | O_DIRECTORY);
        ssize_t n = fdtable_getdents64(fdt, fd, buf, sizeof(buf));
        CHECK(n > 0);
        int seen = 0;
        for (ssize_t off = 0; off < n;) {
                uint16_t reclen;
                memcpy(&reclen, buf + off + 16, 2);
                const char *name = buf + off + 19;
                unsigned char type = (unsigned char)buf[off + 18];
                if (strcmp(name, "passwd") == 0)
                        seen += type == DT_REG;
                if (strcmp(name, "abs") == 0)
                        seen += type == DT_LNK;
                if (strcmp(name, "..") == 0)
                        seen += type == DT_DIR;
                CHECK(reclen % 8 == 0);
                off += reclen;
        }
        CHECK_EQ(seen, 3);
        fdtable_close(fdt, fd);

        /* mount points the image lacks are listed; present ones not twice */
        fd = open_("/", O_RDONLY | O_DIRECTORY);
        CHECK_EQ(list_dir(fd, names, sizeof(names), 4096), 0);
        CHECK(strcmp(names, ".,..,bin,dev,etc,home,root,tmp,usr,proc,") == 0);
        fdtable_close(fdt, fd);
        fd = open_("/home", O_RDONLY | O_DIRECTORY);
        CHECK_EQ(list_dir(fd, names, sizeof(names), 4096), 0);
        CHECK(strcmp(names, ".,..,sandbox,") == 0);
        fdtable_close(fdt, fd);
        teardown();
}

static void test_devices(void) {
        char buf[4096], names[512];
        struct stat st;
        int fd;

        setup(NULL);
        fd = open_("/dev/null", O_RDWR);
        CHECK(fd >= 0);
        CHECK_EQ(fdtable_read(fdt, fd, buf, sizeof(buf)), 0);
        CHECK_EQ(fdtable_write(fdt, fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
        CHECK_EQ(fdtable_write(fdt, fd, buf, SIZE_MAX), FILE_IO_MAX); /* capped, never read */
        CHECK_EQ(fdtable_lseek(fdt, fd, 1234, SEEK_SET), 0);
        CHECK_EQ(fdtable_fstat(fdt, fd, &st), 0);
        CHECK(S_ISCHR(st.st_mode));
        CHECK_EQ(st.st_rdev, makedev(1, 3));
        fdtable_close(fdt, fd);

        fd = open_("/dev/zero", O_RDONLY);
        memset(buf, 1, sizeof(buf));
        CHECK_EQ(fdtable_read(fdt, fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
        CHECK(buf[0] == 0 && buf[4095] == 0);
        fdtable_close(fdt, fd);

        fd = open_("/dev/full", O_WRONLY);
        CHECK_EQ(fdtable_write(fdt, fd, "x", 1), -ENOSPC);
        fdtable_close(fdt, fd);

        char a[32], b[32];
        fd = open_("/dev/urandom", O_RDONLY);
        CHECK_EQ(fdtable_read(fdt, fd, a, sizeof(a)), 32);
        CHECK_EQ(fdtable_read(fdt, fd, b, sizeof(b)), 32);
        CHECK(memcmp(a, b, sizeof(a)) != 0);
        fdtable_close(fdt, fd);
        fd = open_("/dev/random", O_RDONLY);
        CHECK_EQ(fdtable_read(fdt, fd, a, sizeof(a)), 32);
        fdtable_close(fdt, fd);

        CHECK_EQ(open_("/dev/sda", O_RDONLY), -ENOENT);
        CHECK_EQ(open_("/dev/shm/x", O_RDWR | O_CREAT), -ENOENT);
        CHECK_EQ(open_("/dev/newfile", O_RDWR | O_CREAT), -EACCES);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "/dev/shm", 0777), -EACCES);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/dev/null", 0), -EACCES);
        CHECK_EQ(open_("/dev/null/x", O_RDONLY), -ENOTDIR);
        fd = open_("/dev/null", O_WRONLY | O_TRUNC);
        CHECK(fd >= 0);
        fdtable_close(fdt, fd);
        CHECK(S_ISDIR(stat_mode("/dev/..", 0)));
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/dev/../etc/passwd", 0, &st), 0);

        fd = open_("/dev", O_RDONLY | O_DIRECTORY);
        CHECK_EQ(list_dir(fd, names, sizeof(names), 4096), 0);
        CHECK(strcmp(names, ".,..,null,zero,full,random,urandom,") == 0);
        fdtable_close(fdt, fd);
        teardown();
}

static void test_fds(void) {
        struct stat st;
        char buf[64];
        int fd, fd2, r;

        setup(NULL);
        fd = open_("/etc/hostname", O_RDONLY);
        CHECK_EQ(fd, 0);
        fd2 = fdtable_dup(fdt, fd);
        CHECK_EQ(fd2, 1);
        CHECK_EQ(fdtable_read(fdt, fd, buf, 3), 3);
        CHECK_EQ(fdtable_read(fdt, fd2, buf, 3), 3); /* shared offset */
        CHECK(memcmp(buf, "dbo", 3) == 0);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_GETFD, 0), 0);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_SETFD, FD_CLOEXEC), 0);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_GETFD, 0), FD_CLOEXEC);
        CHECK_EQ(fdtable_fcntl(fdt, fd2, F_GETFD, 0), 0); /* cloexec is per fd */
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_SETFL, O_NONBLOCK | O_APPEND | O_RDWR), 0);
        r = fdtable_fcntl(fdt, fd2, F_GETFL, 0);
        CHECK_EQ(r & (O_NONBLOCK | O_APPEND | O_ACCMODE), O_NONBLOCK | O_APPEND | O_RDONLY);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_DUPFD, 10), 10);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_DUPFD, 10), 11);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_DUPFD_CLOEXEC, 5), 5);
        CHECK_EQ(fdtable_fcntl(fdt, 5, F_GETFD, 0), FD_CLOEXEC);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_DUPFD, 0), 2);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_DUPFD, (uint64_t)-1), -EINVAL);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_DUPFD, 1 << 30), -EINVAL);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_SETLK, 0), 0);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_GETLK, 0), 0);
        CHECK_EQ(fdtable_fcntl(fdt, fd, 0x7fff, 0), -EINVAL);
        CHECK_EQ(fdtable_fcntl(fdt, -1, F_GETFD, 0), -EBADF);
        CHECK_EQ(fdtable_fcntl(fdt, 1 << 30, F_GETFD, 0), -EBADF);
        CHECK_EQ(fdtable_ioctl(fdt, fd2, FIOCLEX, NULL), 0);
        CHECK_EQ(fdtable_fcntl(fdt, fd2, F_GETFD, 0), FD_CLOEXEC);
        CHECK_EQ(fdtable_ioctl(fdt, fd2, FIONCLEX, NULL), 0);
        CHECK_EQ(fdtable_fcntl(fdt, fd2, F_GETFD, 0), 0);

        /* dup2 / dup3 */
        CHECK_EQ(fdtable_dup2(fdt, fd, 100), 100);
        CHECK_EQ(fdtable_dup2(fdt, fd, 100), 100);
        CHECK_EQ(fdtable_dup2(fdt, 100, 100), 100);
        CHECK_EQ(fdtable_dup2(fdt, 55, 55), -EBADF);
        CHECK_EQ(fdtable_dup2(fdt, fd, -1), -EBADF);
        CHECK_EQ(fdtable_dup2(fdt, fd, 1 << 30), -EBADF);
        CHECK_EQ(fdtable_dup2(fdt, -1, 5), -EBADF);
        CHECK_EQ(fdtable_dup3(fdt, fd, 100, 0), 100);
        CHECK_EQ(fdtable_dup3(fdt, fd, fd, 0), -EINVAL);
        CHECK_EQ(fdtable_dup3(fdt, fd, 101, O_CLOEXEC), 101);
        CHECK_EQ(fdtable_fcntl(fdt, 101, F_GETFD, 0), FD_CLOEXEC);
        CHECK_EQ(fdtable_dup3(fdt, fd, 102, 0x4000000), -EINVAL);
        fdtable_close_on_exec(fdt);
        CHECK_EQ(fdtable_fcntl(fdt, 101, F_GETFD, 0), -EBADF);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_GETFD, 0), -EBADF);
        CHECK_EQ(fdtable_fcntl(fdt, fd2, F_GETFD, 0), 0);

        /* hostile fds everywhere */
        int bad[] = {-1, -101, INT_MIN, INT_MAX, 1 << 30, 1023, 1024, 5000};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                uint64_t v;
                CHECK_EQ(fdtable_read(fdt, bad[i], buf, 1), -EBADF);
                CHECK_EQ(fdtable_write(fdt, bad[i], buf, 1), -EBADF);
                CHECK_EQ(fdtable_pread(fdt, bad[i], buf, 1, 0), -EBADF);
                CHECK_EQ(fdtable_lseek(fdt, bad[i], 0, SEEK_SET), -EBADF);
                CHECK_EQ(fdtable_fstat(fdt, bad[i], &st), -EBADF);
                CHECK_EQ(fdtable_close(fdt, bad[i]), -EBADF);
                CHECK_EQ(fdtable_dup(fdt, bad[i]), -EBADF);
                CHECK_EQ(fdtable_getdents64(fdt, bad[i], buf, sizeof(buf)), -EBADF);
                CHECK_EQ(fdtable_ioctl(fdt, bad[i], FIONREAD, &v), -EBADF);
                CHECK_EQ(fdtable_ftruncate(fdt, bad[i], 0), -EBADF);
                CHECK_EQ(fdtable_fsync(fdt, bad[i]), -EBADF);
                CHECK_EQ(vfs_openat(vfs, fs, fdt, bad[i], "x", O_RDONLY, 0), -EBADF);
                CHECK_EQ(vfs_fchdir(vfs, fs, fdt, bad[i]), -EBADF);
        }

        /* RLIMIT_NOFILE */
        CHECK_EQ(fdtable_set_limit(fdt, 0), -EINVAL);
        CHECK_EQ(fdtable_set_limit(fdt, UINT32_MAX), -EPERM);
        CHECK_EQ(fdtable_set_limit(fdt, 64), 0);
        int last = -1;
        for (;;) {
                r = open_("/etc/hostname", O_RDONLY);
                if (r < 0)
                        break;
                last = r;
        }
        CHECK_EQ(r, -EMFILE);
        CHECK_EQ(last, 63);
        CHECK_EQ(fdtable_dup(fdt, 5), -EMFILE);
        CHECK_EQ(fdtable_close(fdt, 7), 0);
        CHECK_EQ(open_("/etc/hostname", O_RDONLY), 7);
        CHECK_EQ(fdtable_dup2(fdt, 5, 64), -EBADF);
        int pfds[2] = {-1, -1};
        CHECK_EQ(vfs_pipe2(vfs, fdt, pfds, 0), -EMFILE);
        CHECK_EQ(fdtable_close(fdt, 9), 0);
        CHECK_EQ(vfs_pipe2(vfs, fdt, pfds, 0), -EMFILE); /* needs two: the first is undone */
        CHECK_EQ(open_("/etc/hostname", O_RDONLY), 9);

        /* O_PATH fds */
        fdtable_free(fdt);
        CHECK_EQ(fdtable_new(&fdt), 0);
        fd = open_("/etc", O_PATH);
        CHECK(fd >= 0);
        CHECK_EQ(fdtable_getdents64(fdt, fd, buf, sizeof(buf)), -EBADF);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, fd, "passwd", 0, &st), 0);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_GETFL, 0) & O_PATH, O_PATH);
        fdtable_close(fdt, fd);
        fd = open_("/etc/secret", O_PATH); /* no permission needed */
        CHECK(fd >= 0);
        CHECK_EQ(fdtable_read(fdt, fd, buf, 1), -EBADF);
        fdtable_close(fdt, fd);
        teardown();
}

static void test_pipes(void) {
        static char big[PIPE_CAPACITY + 100];
        char buf[256];
        struct stat st;
        int p[2];
        uint64_t v;

        setup(NULL);
        CHECK_EQ(vfs_pipe2(vfs, fdt, p, 0x12345), -EINVAL);
        CHECK_EQ(vfs_pipe2(vfs, fdt, p, O_CLOEXEC | O_NONBLOCK), 0);
        CHECK_EQ(p[0], 0);
        CHECK_EQ(p[1], 1);
        CHECK_EQ(fdtable_fcntl(fdt, p[0], F_GETFD, 0), FD_CLOEXEC);
        CHECK(fdtable_fcntl(fdt, p[1], F_GETFL, 0) & O_NONBLOCK);
        CHECK_EQ(fdtable_fcntl(fdt, p[1], F_GETFL, 0) & O_ACCMODE, O_WRONLY);
        CHECK_EQ(fdtable_fstat(fdt, p[0], &st), 0);
        CHECK(S_ISFIFO(st.st_mode));
        CHECK_EQ(fdtable_read(fdt, p[0], buf, sizeof(buf)), -EAGAIN);
        CHECK_EQ(fdtable_write(fdt, p[1], "ping", 4), 4);
        CHECK_EQ(fdtable_ioctl(fdt, p[0], FIONREAD, &v), 0);
        CHECK_EQ(v, 4);
        CHECK_EQ(fdtable_read(fdt, p[0], buf, 2), 2);
        CHECK_EQ(fdtable_read(fdt, p[0], buf + 2, sizeof(buf)), 2);
        CHECK(memcmp(buf, "ping", 4) == 0);
        CHECK_EQ(fdtable_lseek(fdt, p[0], 0, SEEK_SET), -ESPIPE);
        CHECK_EQ(fdtable_pread(fdt, p[0], buf, 1, 0), -ESPIPE);
        CHECK_EQ(fdtable_pwrite(fdt, p[1], buf, 1, 0), -ESPIPE);
        CHECK_EQ(fdtable_write(fdt, p[0], "x", 1), -EBADF);
        CHECK_EQ(fdtable_read(fdt, p[1], buf, 1), -EBADF);
        CHECK_EQ(fdtable_ioctl(fdt, p[0], TCGETS, &v), -ENOTTY);
        CHECK_EQ(fdtable_fcntl(fdt, p[0], F_GETPIPE_SZ, 0), PIPE_CAPACITY);

        /* full: partial write, then -EAGAIN; small writes are atomic */
        memset(big, 'z', sizeof(big));
        CHECK_EQ(fdtable_write(fdt, p[1], big, 100), 100);
        CHECK_EQ(fdtable_write(fdt, p[1], big, sizeof(big)), PIPE_CAPACITY - 100);
        CHECK_EQ(fdtable_write(fdt, p[1], big, 1), -EAGAIN);
        CHECK_EQ(fdtable_read(fdt, p[0], buf, 10), 10);
        CHECK_EQ(fdtable_write(fdt, p[1], big, 20), -EAGAIN); /* 20 <= PIPE_BUF: all or nothing */
        CHECK_EQ(fdtable_write(fdt, p[1], big, 10), 10);
        /* wrap-around keeps order */
        size_t total = 0;
        ssize_t n;
        while ((n = fdtable_read(fdt, p[0], big, sizeof(big))) > 0)
                total += (size_t)n;
        CHECK_EQ(n, -EAGAIN);
        CHECK_EQ(total, PIPE_CAPACITY);
        CHECK_EQ(fdtable_write(fdt, p[1], "abcdefgh", 8), 8);
        CHECK_EQ(fdtable_read(fdt, p[0], buf, 8), 8);
        CHECK(memcmp(buf, "abcdefgh", 8) == 0);

        /* dup'd write end: EOF only after the last writer closes */
        int w2 = fdtable_dup(fdt, p[1]);
        CHECK_EQ(fdtable_write(fdt, w2, "tail", 4), 4);
        CHECK_EQ(fdtable_close(fdt, p[1]), 0);
        CHECK_EQ(fdtable_read(fdt, p[0], buf, sizeof(buf)), 4);
        CHECK_EQ(fdtable_read(fdt, p[0], buf, sizeof(buf)), -EAGAIN);
        CHECK_EQ(fdtable_close(fdt, w2), 0);
        CHECK_EQ(fdtable_read(fdt, p[0], buf, sizeof(buf)), 0);
        CHECK_EQ(fdtable_close(fdt, p[0]), 0);

        /* broken pipe */
        CHECK_EQ(vfs_pipe2(vfs, fdt, p, 0), 0);
        CHECK_EQ(fdtable_write(fdt, p[1], "data", 4), 4);
        CHECK_EQ(fdtable_close(fdt, p[0]), 0);
        CHECK_EQ(fdtable_write(fdt, p[1], "x", 1), -EPIPE);
        CHECK_EQ(fdtable_close(fdt, p[1]), 0);
        CHECK_EQ(fdtable_write(fdt, p[1], "x", 1), -EBADF);

        /* a pipe as dirfd, with AT_EMPTY_PATH */
        CHECK_EQ(vfs_pipe2(vfs, fdt, p, 0), 0);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, p[0], "x", 0, &st), -ENOTDIR);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, p[0], "", AT_EMPTY_PATH, &st), 0);
        CHECK(S_ISFIFO(st.st_mode));
        CHECK_EQ(fdtable_getdents64(fdt, p[0], buf, sizeof(buf)), -ENOTDIR);
        CHECK_EQ(fdtable_ftruncate(fdt, p[1], 0), -EINVAL);
        CHECK_EQ(fdtable_fsync(fdt, p[1]), -EINVAL);
        /* left open: fdtable_free releases them */
        teardown();
}

static void test_stdio(void) {
        Captured cap = {};
        struct stat st;
        char buf[64];
        uint64_t v;

        setup(NULL);
        CHECK_EQ(vfs_install_stdio(vfs, fdt, "line1\nline2\n", 12, capture, &cap), 0);
        CHECK_EQ(fdtable_fstat(fdt, 0, &st), 0);
        CHECK(S_ISFIFO(st.st_mode));
        CHECK_EQ(fdtable_fstat(fdt, 1, &st), 0);
        CHECK(S_ISFIFO(st.st_mode));
        CHECK_EQ(fdtable_ioctl(fdt, 0, FIONREAD, &v), 0);
        CHECK_EQ(v, 12);
        CHECK_EQ(fdtable_ioctl(fdt, 1, TCGETS, &v), -ENOTTY);
        CHECK_EQ(fdtable_read(fdt, 0, buf, 6), 6);
        CHECK_EQ(fdtable_lseek(fdt, 0, 0, SEEK_SET), -ESPIPE);
        CHECK_EQ(fdtable_read(fdt, 0, buf, sizeof(buf)), 6);
        CHECK_EQ(fdtable_read(fdt, 0, buf, sizeof(buf)), 0);
        CHECK_EQ(fdtable_write(fdt, 0, "x", 1), -EBADF);
        CHECK_EQ(fdtable_write(fdt, 1, "out", 3), 3);
        CHECK_EQ(fdtable_write(fdt, 2, "err", 3), 3);
        CHECK_EQ(fdtable_read(fdt, 1, buf, 1), -EBADF);
        CHECK_EQ(fdtable_lseek(fdt, 1, 0, SEEK_CUR), -ESPIPE);
        CHECK_EQ(fdtable_pwrite(fdt, 1, "x", 1, 0), -ESPIPE);
        CHECK(cap.n_out == 3 && memcmp(cap.out, "out", 3) == 0);
        CHECK(cap.n_err == 3 && memcmp(cap.err, "err", 3) == 0);
        /* dup2 onto stdout, as shells do */
        CHECK_EQ(fdtable_dup2(fdt, 2, 1), 1);
        CHECK_EQ(fdtable_write(fdt, 1, "E", 1), 1);
        CHECK_EQ(cap.n_err, 4);
        /* a sink taking less: short writes; a full sink: -EPIPE */
        cap.limit = 2;
        CHECK_EQ(fdtable_write(fdt, 2, "abcdef", 6), 2);
        cap.limit = 0;
        static char lots[8192];
        CHECK(fdtable_write(fdt, 2, lots, sizeof(lots)) > 0);
        CHECK_EQ(fdtable_write(fdt, 2, lots, 1), -EPIPE);
        /* reinstalling replaces */
        CHECK_EQ(vfs_install_stdio(vfs, fdt, NULL, 0, capture, &cap), 0);
        CHECK_EQ(fdtable_read(fdt, 0, buf, sizeof(buf)), 0);
        teardown();
}

static void test_limits(void) {
        static char chunk[65536];
        TmpfsLimits limits = {
                .max_bytes = 1024 * 1024,
                .max_inodes = 100,
                .max_file_size = 512 * 1024,
        };
        char name[64];
        struct stat st;
        ssize_t n;
        int fd;

        setup(&limits);
        uint64_t base = vfs_tmpfs_bytes_used(vfs);
        CHECK(base > 0 && base < 4096);

        /* max file size: -EFBIG at the limit, short write across it */
        fd = open_("/tmp/big", O_RDWR | O_CREAT);
        CHECK_EQ(fdtable_pwrite(fdt, fd, "x", 1, 512 * 1024), -EFBIG);
        CHECK_EQ(fdtable_pwrite(fdt, fd, "xyz", 3, 512 * 1024 - 1), 1);
        CHECK_EQ(fdtable_pwrite(fdt, fd, "x", 1, INT64_MAX), -EFBIG);
        CHECK_EQ(fdtable_ftruncate(fdt, fd, 512 * 1024 + 1), -EFBIG);
        CHECK_EQ(fdtable_ftruncate(fdt, fd, 0), 0);
        fdtable_close(fdt, fd);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/big", 0), 0);
        CHECK_EQ(vfs_tmpfs_bytes_used(vfs), base);

        /* fill to the byte limit over several files: -ENOSPC, with a partial write first */
        size_t written = 0;
        int files = 0;
        for (;;) {
                snprintf(name, sizeof(name), "/tmp/fill%d", files++);
                fd = open_(name, O_WRONLY | O_CREAT);
                if (fd < 0) {
                        CHECK_EQ(fd, -ENOSPC);
                        break;
                }
                size_t in_file = 0;
                while (in_file < 300 * 1024) {
                        n = fdtable_write(fdt, fd, chunk, sizeof(chunk) - 1);
                        if (n < 0)
                                break;
                        in_file += (size_t)n;
                }
                written += in_file;
                fdtable_close(fdt, fd);
                if (n < 0) {
                        CHECK_EQ(n, -ENOSPC);
                        break;
                }
        }
        CHECK(vfs_tmpfs_bytes_used(vfs) <= limits.max_bytes);
        CHECK(vfs_tmpfs_bytes_used(vfs) > limits.max_bytes - 3 * 4096);
        CHECK(written > 900 * 1024);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, "/tmp/dir", 0755) == -ENOSPC ||
                         vfs_tmpfs_bytes_used(vfs) <= limits.max_bytes,
                 1);
        /* free it all: the budget comes back */
        for (int i = 0; i < files; i++) {
                snprintf(name, sizeof(name), "/tmp/fill%d", i);
                vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, name, 0);
        }
        vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/dir", AT_REMOVEDIR);
        CHECK_EQ(vfs_tmpfs_bytes_used(vfs), base);

        /* an open unlinked file keeps its bytes until the last close */
        fd = open_("/tmp/held", O_RDWR | O_CREAT);
        CHECK_EQ(fdtable_write(fdt, fd, chunk, 8192), 8192);
        int fd2 = fdtable_dup(fdt, fd);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, "/tmp/held", 0), 0);
        CHECK(vfs_tmpfs_bytes_used(vfs) >= base + 8192);
        fdtable_close(fdt, fd);
        CHECK(vfs_tmpfs_bytes_used(vfs) >= base + 8192);
        fdtable_close(fdt, fd2);
        CHECK_EQ(vfs_tmpfs_bytes_used(vfs), base);

        /* inode limit */
        int made = 0;
        for (int i = 0; i < 200; i++) {
                snprintf(name, sizeof(name), "/home/sandbox/i%d", i);
                int r = vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, name, 0755);
                if (r < 0) {
                        CHECK_EQ(r, -ENOSPC);
                        break;
                }
                made++;
        }
        CHECK_EQ(made, 100 - 2); /* the two roots count */
        CHECK_EQ(vfs_symlinkat(vfs, fs, fdt, "x", AT_FDCWD, "/tmp/sl"), -ENOSPC);
        CHECK_EQ(open_("/tmp/new", O_RDWR | O_CREAT), -ENOSPC);

        /* limits can change at run time */
        limits.max_inodes = 1000;
        vfs_set_limits(vfs, &limits);
        fd = open_("/tmp/new", O_RDWR | O_CREAT);
        CHECK(fd >= 0);
        /* huge lengths are capped, not trusted */
        CHECK_EQ(fdtable_read(fdt, fd, chunk, SIZE_MAX), 0);
        CHECK_EQ(fdtable_fstat(fdt, fd, &st), 0);
        fdtable_close(fdt, fd);
        teardown();
}

static void test_dirfd_ops(void) {
        char buf[64];
        struct stat st;
        int dfd;

        setup(NULL);
        dfd = open_("/home/sandbox", O_RDONLY | O_DIRECTORY);
        CHECK(dfd >= 0);
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, dfd, "proj", 0700), 0);
        int fd = vfs_openat(vfs, fs, fdt, dfd, "proj/main.py", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        CHECK_EQ(fdtable_fcntl(fdt, fd, F_GETFD, 0), FD_CLOEXEC);
        CHECK_EQ(fdtable_write(fdt, fd, "print(1)\n", 9), 9);
        fdtable_close(fdt, fd);
        CHECK_EQ(vfs_renameat2(vfs, fs, fdt, dfd, "proj/main.py", AT_FDCWD, "/tmp/main.py", 0), 0);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, dfd, "../sandbox/proj", 0, &st), 0);
        CHECK_EQ(st.st_mode, S_IFDIR | 0700);
        CHECK_EQ(vfs_symlinkat(vfs, fs, fdt, "/tmp/main.py", dfd, "proj/link"), 0);
        CHECK_EQ(vfs_readlinkat(vfs, fs, fdt, dfd, "proj/link", buf, sizeof(buf)), 12);
        CHECK_EQ(vfs_linkat(vfs, fs, fdt, dfd, "proj/link", dfd, "proj/hard", AT_SYMLINK_FOLLOW), 0);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, AT_FDCWD, "/tmp/main.py", 0, &st), 0);
        CHECK_EQ(st.st_nlink, 2);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, dfd, "proj/link", 0), 0);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, dfd, "proj/hard", 0), 0);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, dfd, "proj", AT_REMOVEDIR), 0);
        /* the dir fd of a removed directory */
        CHECK_EQ(vfs_mkdirat(vfs, fs, fdt, dfd, "gone", 0700), 0);
        int gfd = vfs_openat(vfs, fs, fdt, dfd, "gone", O_RDONLY | O_DIRECTORY, 0);
        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, dfd, "gone", AT_REMOVEDIR), 0);
        CHECK_EQ(vfs_openat(vfs, fs, fdt, gfd, "x", O_RDWR | O_CREAT, 0600), -ENOENT);
        CHECK_EQ(vfs_fstatat(vfs, fs, fdt, gfd, "..", 0, &st), -ENOENT);
        CHECK_EQ(fdtable_getdents64(fdt, gfd, buf, sizeof(buf)), -ENOENT);
        fdtable_close(fdt, gfd);
        fdtable_close(fdt, dfd);
        teardown();
}

/* Removes everything below path (a tmpfs directory) through the public API. */
static void remove_tree(const char *path) {
        uint8_t buf[4096];
        int fd = open_(path, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return;
        for (;;) {
                ssize_t n = fdtable_getdents64(fdt, fd, buf, sizeof(buf));
                if (n <= 0)
                        break;
                for (ssize_t off = 0; off < n;) {
                        uint16_t reclen;
                        memcpy(&reclen, buf + off + 16, 2);
                        const char *name = (const char *)buf + off + 19;
                        char child[PATH_MAX];
                        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
                                snprintf(child, sizeof(child), "%s/%s", path, name);
                                if (buf[off + 18] == DT_DIR) {
                                        remove_tree(child);
                                        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, child,
                                                              AT_REMOVEDIR),
                                                 0);
                                } else
                                        CHECK_EQ(vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, child, 0), 0);
                        }
                        off += reclen;
                }
        }
        fdtable_close(fdt, fd);
}

/* Random operations on a small namespace: nothing crashes or leaks (ASan), the budget is
 * respected throughout and comes back whole once everything is removed. */
static void test_random_ops(void) {
        static const char *names[] = {"a", "b", "c", "a/b", "a/c", "b/a", "a/b/c", "c/c/c"};
        static char data[20000];
        TmpfsLimits limits = {.max_bytes = 256 * 1024, .max_inodes = 64, .max_file_size = 100000};
        unsigned seed = 12345;
        char p1[64], p2[64];

        setup(&limits);
        uint64_t base = vfs_tmpfs_bytes_used(vfs);
        for (int i = 0; i < 20000; i++) {
                seed = seed * 1103515245u + 12345u;
                unsigned op = (seed >> 16) % 10, x = (seed >> 8) % ELEMENTSOF(names),
                         y = (seed >> 20) % ELEMENTSOF(names);
                snprintf(p1, sizeof(p1), "/tmp/%s", names[x]);
                snprintf(p2, sizeof(p2), "%s/%s", (seed & 1) ? "/tmp" : "/home/sandbox", names[y]);
                switch (op) {
                case 0:
                        vfs_mkdirat(vfs, fs, fdt, AT_FDCWD, p1, 0755);
                        break;
                case 1: {
                        int fd = open_(p1, O_RDWR | O_CREAT | ((seed & 2) ? O_APPEND : 0));
                        if (fd >= 0) {
                                fdtable_pwrite(fdt, fd, data, (seed >> 4) % sizeof(data),
                                               (seed >> 3) % 90000);
                                fdtable_close(fdt, fd);
                        }
                        break;
                }
                case 2:
                        vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, p1, 0);
                        break;
                case 3:
                        vfs_unlinkat(vfs, fs, fdt, AT_FDCWD, p1, AT_REMOVEDIR);
                        break;
                case 4:
                        vfs_renameat2(vfs, fs, fdt, AT_FDCWD, p1, AT_FDCWD, p2,
                                      seed & 4 ? RENAME_NOREPLACE : 0);
                        break;
                case 5:
                        vfs_symlinkat(vfs, fs, fdt, names[y], AT_FDCWD, p1);
                        break;
                case 6:
                        vfs_linkat(vfs, fs, fdt, AT_FDCWD, p1, AT_FDCWD, p2, 0);
                        break;
                case 7:
                        vfs_truncate(vfs, fs, fdt, p1, (seed >> 5) % 120000);
                        break;
                case 8: {
                        char list[4096];
                        int fd = open_(p1, O_RDONLY | O_DIRECTORY);
                        if (fd >= 0) {
                                list_dir(fd, list, sizeof(list), 64);
                                fdtable_close(fdt, fd);
                        }
                        break;
                }
                case 9:
                        if (vfs_chdir(vfs, fs, fdt, p1) == 0) {
                                char cwd[PATH_MAX];
                                CHECK(vfs_getcwd(vfs, fs, cwd, sizeof(cwd)) > 0 || true);
                        }
                        break;
                }
                CHECK(vfs_tmpfs_bytes_used(vfs) <= limits.max_bytes);
        }
        CHECK_EQ(vfs_chdir(vfs, fs, fdt, "/"), 0);
        remove_tree("/tmp");
        remove_tree("/home/sandbox");
        CHECK_EQ(vfs_tmpfs_bytes_used(vfs), base);
        teardown();
}

int main(void) {
        uint64_t size;
        void *data = build_image(&size);

        if (image_parse(data, size, &image) < 0) {
                fprintf(stderr, "FAILED: test image does not parse\n");
                return 1;
        }
        test_image_read();
        test_paths();
        test_cwd();
        test_tmpfs();
        test_devices();
        test_fds();
        test_pipes();
        test_stdio();
        test_limits();
        test_dirfd_ops();
        test_random_ops();

        image_free(image);
        free(data);
        return checks_report("test-vfs");
}

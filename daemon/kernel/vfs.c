/* SPDX-License-Identifier: MIT */
#include "vfs.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/sysmacros.h>

#include "devfs.h"
#include "log.h"
#include "macro.h"
#include "procfs.h"
#include "vfs-internal.h"

/* Linux's MAXSYMLINKS: symlinks followed in one path lookup. */
#define MAX_SYMLINK_HOPS 40
#define NAME_MAX_LENGTH  255u

static const VNode root_node = {.fs = FS_IMAGE, .idx = 0};

/* ---- setup ---- */

static int add_mount(Vfs *v, const char *path, VNode root) {
        const char *slash = strrchr(path, '/');
        uint32_t parent = 0;
        int r;

        if (v->n_mounts >= VFS_MAX_MOUNTS)
                return -ENOSPC;
        /* The mount point's parent must be an image directory (mounts are only grafted onto the
         * image). */
        for (const char *p = path + 1; p < slash;) {
                const char *end = memchr(p, '/', (size_t)(slash - p));
                if (!end)
                        end = slash;
                r = image_lookup(v->image, parent, p, (size_t)(end - p), &parent);
                if (r < 0)
                        return r;
                p = end + 1;
        }
        if (!S_ISDIR(image_entry(v->image, parent)->mode))
                return -ENOTDIR;

        Mount *m = &v->mounts[v->n_mounts++];
        m->parent_entry = parent;
        m->name_length = strlen(slash + 1);
        memcpy(m->name, slash + 1, m->name_length + 1);
        m->root = root;
        return 0;
}

int vfs_new(const Image *image, const TmpfsLimits *limits, Vfs **ret) {
        static const TmpfsLimits defaults = {
                .max_bytes = VFS_DEFAULT_TMPFS_BYTES,
                .max_inodes = VFS_DEFAULT_TMPFS_INODES,
                .max_file_size = VFS_DEFAULT_TMPFS_FILE_SIZE,
        };
        _cleanup_(vfs_freep) Vfs *v = NULL;
        TmpfsNode *tmp, *home;
        int r;

        if (image_entry_count(image) == 0 || !S_ISDIR(image_entry(image, 0)->mode))
                return log_error_errno(EBADMSG, "Image has no root directory");

        v = calloc(1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        v->image = image;
        v->next_pipe_ino = 1000;

        r = tmpfs_new(limits ?: &defaults, VFS_TMPFS_FIRST_INO, &v->tmpfs);
        if (r < 0)
                return r;
        /* Like a real system: /tmp is root's with the sticky bit, the home is the user's. */
        r = tmpfs_new_root(v->tmpfs, 01777, 0, 0, 0, &tmp);
        if (r < 0)
                return log_error_errno(r, "Failed to make the /tmp root: %m");
        r = tmpfs_new_root(v->tmpfs, 0755, VFS_UID, VFS_GID, 1, &home);
        if (r < 0)
                return log_error_errno(r, "Failed to make the /home/sandbox root: %m");

        const struct {
                const char *path;
                VNode root;
        } mounts[] = {
                {"/dev", {.fs = FS_DEV, .idx = DEV_ROOT}},
                {"/proc", {.fs = FS_PROC}},
                {"/tmp", {.fs = FS_TMPFS, .tnode = tmp}},
                {"/home/sandbox", {.fs = FS_TMPFS, .tnode = home}},
        };
        for (size_t i = 0; i < ELEMENTSOF(mounts); i++) {
                r = add_mount(v, mounts[i].path, mounts[i].root);
                if (r < 0)
                        return log_error_errno(r, "Failed to mount %s over the image: %m",
                                               mounts[i].path);
        }

        *ret = TAKE_PTR(v);
        return 0;
}

Vfs *vfs_free(Vfs *v) {
        if (!v)
                return NULL;
        procfs_vfs_done(v);
        tmpfs_free(v->tmpfs);
        free(v);
        return NULL;
}

void vfs_set_sandbox(Vfs *v, Sandbox *s) {
        v->sandbox = s;
}

void vfs_set_limits(Vfs *v, const TmpfsLimits *limits) {
        tmpfs_set_limits(v->tmpfs, limits);
}

uint64_t vfs_tmpfs_bytes_used(const Vfs *v) {
        return tmpfs_bytes_used(v->tmpfs);
}

/* ---- path resolution ---- */

static bool is_dot_or_dotdot(const char *name, size_t length) {
        return (length == 1 && name[0] == '.') || (length == 2 && name[0] == '.' && name[1] == '.');
}

static bool is_dir(const Vfs *v, VNode n) {
        return S_ISDIR(vnode_mode(v, n));
}

/* Where a relative path starts: the cwd or the directory open at dirfd. */
static int start_dir(const Vfs *v, const FsContext *fs, const FdTable *t, int dirfd,
                     const char *path, VNode *ret) {
        OpenFile *f;
        int r;

        if (path && path[0] == '/') {
                *ret = root_node;
                return 0;
        }
        if (dirfd == AT_FDCWD) {
                *ret = fs->cwd;
                return 0;
        }
        r = fdtable_get(t, dirfd, &f);
        if (r < 0)
                return r;
        if (f->kind != FILE_NODE || !is_dir(v, f->node))
                return -ENOTDIR;
        *ret = f->node;
        return 0;
}

static int follow_link(const Vfs *v, VNode dir, VNode link, unsigned *hops, VNode *ret);

/* Resolves path[0, length) from start. A final symlink is followed if follow_last or the path
 * ends in '/', which also demands a directory. Returns borrowed nodes: valid until the tree
 * changes. */
static int walk(const Vfs *v, VNode start, const char *path, size_t length, bool follow_last,
                unsigned *hops, VNode *ret) {
        VNode cur = length > 0 && path[0] == '/' ? root_node : start;
        size_t i = 0;
        int r;

        if (length == 0)
                return -ENOENT;

        for (;;) {
                while (i < length && path[i] == '/')
                        i++;
                if (i >= length)
                        break;
                size_t j = i;
                while (j < length && path[j] != '/')
                        j++;
                const char *name = path + i;
                size_t name_length = j - i;
                bool last = j == length, trailing_slash = false;
                if (!last) {
                        size_t k = j;
                        while (k < length && path[k] == '/')
                                k++;
                        if (k == length)
                                last = trailing_slash = true;
                }
                i = j;

                if (name_length > NAME_MAX_LENGTH)
                        return -ENAMETOOLONG;
                if (!is_dir(v, cur))
                        return -ENOTDIR;
                r = vnode_permission(v, cur, X_OK);
                if (r < 0)
                        return r;

                if (name_length == 1 && name[0] == '.')
                        continue;
                if (name_length == 2 && name[0] == '.' && name[1] == '.') {
                        r = vnode_parent(v, cur, &cur);
                        if (r < 0)
                                return r;
                        continue;
                }

                VNode next;
                r = vnode_lookup(v, cur, name, name_length, &next);
                if (r < 0)
                        return r;
                if (S_ISLNK(vnode_mode(v, next)) && (!last || follow_last || trailing_slash)) {
                        r = follow_link(v, cur, next, hops, &next);
                        if (r < 0)
                                return r;
                }
                cur = next;
        }

        if (length > 0 && path[length - 1] == '/' && !is_dir(v, cur))
                return -ENOTDIR;
        *ret = cur;
        return 0;
}

static int follow_link(const Vfs *v, VNode dir, VNode link, unsigned *hops, VNode *ret) {
        const char *target;
        size_t target_length;
        int r;

        if (++*hops > MAX_SYMLINK_HOPS)
                return -ELOOP;
        if (link.fs == FS_PROC)
                return procfs_follow(v, link.idx, ret);
        r = vnode_readlink(v, link, &target, &target_length);
        if (r < 0)
                return r;
        return walk(v, dir, target, target_length, true, hops, ret);
}

/* Resolves all but the last component of path[0, length): the directory that holds it and its
 * name (not NUL-terminated, pointing into path). A path without a last component ("/") gives
 * ".". trailing_slash tells whether the name was followed by '/'. */
static int walk_parent(const Vfs *v, VNode start, const char *path, size_t length, unsigned *hops,
                       VNode *ret_dir, const char **ret_name, size_t *ret_name_length,
                       bool *ret_trailing_slash) {
        size_t end = length, begin;
        VNode dir = start;
        int r;

        if (length == 0)
                return -ENOENT;
        while (end > 0 && path[end - 1] == '/')
                end--;
        if (end == 0) {
                *ret_dir = root_node;
                *ret_name = ".";
                *ret_name_length = 1;
                *ret_trailing_slash = false;
                return 0;
        }
        begin = end;
        while (begin > 0 && path[begin - 1] != '/')
                begin--;
        if (begin > 0) {
                /* The prefix keeps its '/', so walk() insists on a directory. */
                r = walk(v, start, path, begin, true, hops, &dir);
                if (r < 0)
                        return r;
        } else if (!is_dir(v, dir))
                return -ENOTDIR;
        if (end - begin > NAME_MAX_LENGTH)
                return -ENAMETOOLONG;
        r = vnode_permission(v, dir, X_OK);
        if (r < 0)
                return r;

        *ret_dir = dir;
        *ret_name = path + begin;
        *ret_name_length = end - begin;
        *ret_trailing_slash = end < length;
        return 0;
}

/* Resolves (dirfd, path) to a node, with AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW as in *at()
 * calls. Works for any fd with AT_EMPTY_PATH when ret_file is given (pipes have no node). */
static int resolve_at(const Vfs *v, const FsContext *fs, const FdTable *t, int dirfd,
                      const char *path, int flags, VNode *ret, OpenFile **ret_file) {
        unsigned hops = 0;
        VNode start;
        int r;

        if (ret_file)
                *ret_file = NULL;
        if (!path || path[0] == '\0') {
                if (!(flags & AT_EMPTY_PATH))
                        return -ENOENT;
                if (dirfd == AT_FDCWD) {
                        *ret = fs->cwd;
                        return 0;
                }
                OpenFile *f;
                r = fdtable_get(t, dirfd, &f);
                if (r < 0)
                        return r;
                if (f->kind != FILE_NODE) {
                        if (!ret_file)
                                return -EINVAL;
                        *ret_file = f;
                        return 0;
                }
                *ret = f->node;
                return 0;
        }
        r = start_dir(v, fs, t, dirfd, path, &start);
        if (r < 0)
                return r;
        return walk(v, start, path, strlen(path), !(flags & AT_SYMLINK_NOFOLLOW), &hops, ret);
}

static int resolve_parent_at(const Vfs *v, const FsContext *fs, const FdTable *t, int dirfd,
                             const char *path, VNode *ret_dir, const char **ret_name,
                             size_t *ret_length, bool *ret_trailing_slash) {
        unsigned hops = 0;
        VNode start;
        int r;

        if (!path || path[0] == '\0')
                return -ENOENT;
        r = start_dir(v, fs, t, dirfd, path, &start);
        if (r < 0)
                return r;
        return walk_parent(v, start, path, strlen(path), &hops, ret_dir, ret_name, ret_length,
                           ret_trailing_slash);
}

/* May the sandbox user add or remove names in dir? -EROFS on the image, -EACCES on /dev and
 * /proc or a tmpfs directory without write permission. */
static int may_modify(const Vfs *v, VNode dir) {
        int r = vnode_permission(v, dir, W_OK | X_OK);
        if (r < 0)
                return r;
        if (dir.fs != FS_TMPFS)
                return -EACCES;
        return 0;
}

/* ---- open ---- */

static int access_mask(int flags) {
        switch (flags & O_ACCMODE) {
        case O_RDONLY:
                return R_OK | ((flags & O_TRUNC) ? W_OK : 0);
        case O_WRONLY:
                return W_OK;
        default:
                return R_OK | W_OK;
        }
}

/* The O_CREAT part of open: finds or creates the final component (with `mode`, the umask
 * applied), following symlinks to a
 * target that may not exist yet (which open then creates, as Linux does). */
static int open_create(Vfs *v, VNode start, const char *path, int flags, mode_t mode, VNode *ret,
                       bool *ret_created) {
        unsigned hops = 0;
        size_t length = strlen(path);
        int r;

        for (;;) {
                const char *name;
                size_t name_length;
                bool trailing_slash;
                VNode dir, node;

                r = walk_parent(v, start, path, length, &hops, &dir, &name, &name_length,
                                &trailing_slash);
                if (r < 0)
                        return r;
                if (trailing_slash || is_dot_or_dotdot(name, name_length))
                        return -EISDIR;

                r = vnode_lookup(v, dir, name, name_length, &node);
                if (r == -ENOENT) {
                        TmpfsNode *created;
                        r = may_modify(v, dir);
                        if (r < 0)
                                return r;
                        r = tmpfs_create(dir.tnode, name, name_length, S_IFREG | (mode & 07777),
                                         VFS_UID, VFS_GID, &created);
                        if (r < 0)
                                return r;
                        *ret = (VNode){.fs = FS_TMPFS, .tnode = created};
                        *ret_created = true;
                        return 0;
                }
                if (r < 0)
                        return r;
                if (flags & O_EXCL)
                        return -EEXIST;
                if (S_ISLNK(vnode_mode(v, node))) {
                        if (flags & O_NOFOLLOW)
                                return -ELOOP;
                        if (++hops > MAX_SYMLINK_HOPS)
                                return -ELOOP;
                        if (node.fs == FS_PROC) {
                                /* /proc/self/fd/N leads to a file that exists (or nowhere). */
                                r = procfs_follow(v, node.idx, &node);
                                if (r < 0)
                                        return r;
                                if (is_dir(v, node))
                                        return -EISDIR;
                                *ret = node;
                                *ret_created = false;
                                return 0;
                        }
                        r = vnode_readlink(v, node, &path, &length);
                        if (r < 0)
                                return r;
                        if (length == 0)
                                return -ENOENT;
                        start = dir;
                        continue;
                }
                if (is_dir(v, node))
                        return -EISDIR;
                *ret = node;
                *ret_created = false;
                return 0;
        }
}

int vfs_open_file(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, int flags,
                  mode_t mode, OpenFile **ret) {
        bool created = false;
        VNode start, node;
        mode_t type;
        int r;

        /* O_TMPFILE carries O_DIRECTORY's bit; test its own bit. */
        if (flags & (O_TMPFILE & ~O_DIRECTORY))
                return -EOPNOTSUPP;
        if (flags & O_PATH)
                flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        if ((flags & O_CREAT) && (flags & O_DIRECTORY))
                return -EINVAL;
        if (!path || path[0] == '\0')
                return -ENOENT;
        r = start_dir(v, fs, t, dirfd, path, &start);
        if (r < 0)
                return r;

        if (flags & O_CREAT) {
                r = open_create(v, start, path, flags, mode & ~fs->umask, &node, &created);
                if (r < 0)
                        return r;
        } else {
                unsigned hops = 0;
                r = walk(v, start, path, strlen(path), !(flags & O_NOFOLLOW), &hops, &node);
                if (r < 0)
                        return r;
        }

        type = vnode_mode(v, node) & S_IFMT;
        if ((flags & O_DIRECTORY) && type != S_IFDIR)
                return -ENOTDIR;
        if (!(flags & O_PATH)) {
                if (type == S_IFLNK)
                        return -ELOOP; /* O_NOFOLLOW met a symlink */
                if (type == S_IFDIR && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
                        return -EISDIR;
                if (!created) {
                        r = vnode_permission(v, node, access_mask(flags));
                        if (r < 0)
                                return r;
                }
                if ((flags & O_TRUNC) && type == S_IFREG) {
                        r = vnode_truncate(v, node, 0);
                        if (r < 0)
                                return r;
                }
        }
        r = file_new_node(v, node, flags, ret);
        if (r < 0)
                return r;
        if (node.fs == FS_PROC && type == S_IFREG && !(flags & O_PATH)) {
                /* A /proc file's contents are those of the moment it is opened. */
                r = procfs_open(v, *ret);
                if (r < 0) {
                        *ret = file_unref(*ret);
                        return r;
                }
        }
        return 0;
}

int vfs_openat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, int flags,
               mode_t mode) {
        _cleanup_(file_unrefp) OpenFile *f = NULL;
        int r = vfs_open_file(v, fs, t, dirfd, path, flags, mode, &f);
        if (r < 0)
                return r;
        return fdtable_install(t, f, 0, flags & O_CLOEXEC);
}

/* ---- stat ---- */

int vfs_fstatat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, int flags,
                struct stat *ret) {
        OpenFile *f;
        VNode node;
        int r;

        if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
                return -EINVAL;
        r = resolve_at(v, fs, t, dirfd, path, flags, &node, &f);
        if (r < 0)
                return r;
        if (f)
                file_stat(f, ret);
        else
                vnode_stat(v, node, ret);
        return 0;
}

void vfs_stat_to_statx(const struct stat *st, struct statx *ret) {
        *ret = (struct statx){
                .stx_mask = STATX_BASIC_STATS,
                .stx_blksize = (uint32_t)st->st_blksize,
                .stx_nlink = (uint32_t)st->st_nlink,
                .stx_uid = st->st_uid,
                .stx_gid = st->st_gid,
                .stx_mode = (uint16_t)st->st_mode,
                .stx_ino = st->st_ino,
                .stx_size = (uint64_t)st->st_size,
                .stx_blocks = (uint64_t)st->st_blocks,
                .stx_atime = {.tv_sec = st->st_atim.tv_sec,
                              .tv_nsec = (uint32_t)st->st_atim.tv_nsec},
                .stx_mtime = {.tv_sec = st->st_mtim.tv_sec,
                              .tv_nsec = (uint32_t)st->st_mtim.tv_nsec},
                .stx_ctime = {.tv_sec = st->st_ctim.tv_sec,
                              .tv_nsec = (uint32_t)st->st_ctim.tv_nsec},
                .stx_rdev_major = major(st->st_rdev),
                .stx_rdev_minor = minor(st->st_rdev),
                .stx_dev_major = major(st->st_dev),
                .stx_dev_minor = minor(st->st_dev),
        };
}

int vfs_statx(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, int flags,
              struct statx *ret) {
        struct stat st;
        int r = vfs_fstatat(v, fs, t, dirfd, path, flags, &st);
        if (r < 0)
                return r;
        vfs_stat_to_statx(&st, ret);
        return 0;
}

/* ---- names ---- */

int vfs_mkdirat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, mode_t mode) {
        const char *name;
        size_t length;
        bool trailing_slash;
        VNode dir, existing;
        TmpfsNode *created;
        int r;

        r = resolve_parent_at(v, fs, t, dirfd, path, &dir, &name, &length, &trailing_slash);
        if (r < 0)
                return r;
        /* An existing name wins over a read-only filesystem, as on Linux. */
        if (is_dot_or_dotdot(name, length) || vnode_lookup(v, dir, name, length, &existing) >= 0)
                return -EEXIST;
        r = may_modify(v, dir);
        if (r < 0)
                return r;
        return tmpfs_create(dir.tnode, name, length, S_IFDIR | (mode & 07777 & ~fs->umask), VFS_UID,
                            VFS_GID, &created);
}

int vfs_unlinkat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, int flags) {
        bool rmdir = flags & AT_REMOVEDIR, trailing_slash;
        const char *name;
        size_t length;
        VNode dir, node;
        int r;

        if (flags & ~AT_REMOVEDIR)
                return -EINVAL;
        r = resolve_parent_at(v, fs, t, dirfd, path, &dir, &name, &length, &trailing_slash);
        if (r < 0)
                return r;
        if (is_dot_or_dotdot(name, length)) {
                if (!rmdir)
                        return -EISDIR;
                return length == 1 ? -EINVAL : -ENOTEMPTY;
        }
        if (dir.fs == FS_IMAGE)
                return -EROFS; /* before the lookup: Linux says EROFS even for missing names */
        r = vnode_lookup(v, dir, name, length, &node);
        if (r < 0)
                return r;
        if (!rmdir && trailing_slash)
                return is_dir(v, node) ? -EISDIR : -ENOTDIR;
        r = may_modify(v, dir);
        if (r < 0)
                return r;
        return tmpfs_unlink(dir.tnode, name, length, rmdir);
}

int vfs_renameat2(Vfs *v, FsContext *fs, FdTable *t, int old_dirfd, const char *old_path,
                  int new_dirfd, const char *new_path, unsigned flags) {
        const char *old_name, *new_name;
        size_t old_length, new_length;
        bool old_slash, new_slash;
        VNode old_dir, new_dir, node;
        int r;

        if (flags & ~(unsigned)RENAME_NOREPLACE)
                return -EINVAL;
        r = resolve_parent_at(v, fs, t, old_dirfd, old_path, &old_dir, &old_name, &old_length,
                              &old_slash);
        if (r < 0)
                return r;
        r = resolve_parent_at(v, fs, t, new_dirfd, new_path, &new_dir, &new_name, &new_length,
                              &new_slash);
        if (r < 0)
                return r;
        if (is_dot_or_dotdot(old_name, old_length) || is_dot_or_dotdot(new_name, new_length))
                return -EBUSY;
        if (old_dir.fs != new_dir.fs)
                return -EXDEV;
        if (old_dir.fs == FS_IMAGE)
                return -EROFS;
        r = vnode_lookup(v, old_dir, old_name, old_length, &node);
        if (r < 0)
                return r;
        if ((old_slash || new_slash) && !is_dir(v, node))
                return -ENOTDIR;
        r = may_modify(v, old_dir);
        if (r < 0)
                return r;
        r = may_modify(v, new_dir);
        if (r < 0)
                return r;
        return tmpfs_rename(old_dir.tnode, old_name, old_length, new_dir.tnode, new_name,
                            new_length, flags & RENAME_NOREPLACE);
}

int vfs_linkat(Vfs *v, FsContext *fs, FdTable *t, int old_dirfd, const char *old_path,
               int new_dirfd, const char *new_path, int flags) {
        const char *name;
        size_t length;
        bool trailing_slash;
        VNode node, dir, existing;
        int r;

        if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
                return -EINVAL;
        r = resolve_at(v, fs, t, old_dirfd, old_path,
                       (flags & AT_EMPTY_PATH) |
                               ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW),
                       &node, NULL);
        if (r < 0)
                return r;
        if (is_dir(v, node))
                return -EPERM;
        r = resolve_parent_at(v, fs, t, new_dirfd, new_path, &dir, &name, &length, &trailing_slash);
        if (r < 0)
                return r;
        if (is_dot_or_dotdot(name, length) || vnode_lookup(v, dir, name, length, &existing) >= 0)
                return -EEXIST;
        if (trailing_slash)
                return -ENOENT;
        if (node.fs != dir.fs)
                return -EXDEV;
        r = may_modify(v, dir);
        if (r < 0)
                return r;
        return tmpfs_link(dir.tnode, name, length, node.tnode);
}

int vfs_symlinkat(Vfs *v, FsContext *fs, FdTable *t, const char *target, int new_dirfd,
                  const char *link_path) {
        const char *name;
        size_t length, target_length;
        bool trailing_slash;
        VNode dir, existing;
        int r;

        if (!target || target[0] == '\0')
                return -ENOENT;
        target_length = strlen(target);
        if (target_length >= PATH_MAX)
                return -ENAMETOOLONG;
        r = resolve_parent_at(v, fs, t, new_dirfd, link_path, &dir, &name, &length,
                              &trailing_slash);
        if (r < 0)
                return r;
        if (is_dot_or_dotdot(name, length) || vnode_lookup(v, dir, name, length, &existing) >= 0)
                return -EEXIST;
        if (trailing_slash)
                return -ENOENT;
        r = may_modify(v, dir);
        if (r < 0)
                return r;
        return tmpfs_symlink(dir.tnode, name, length, target, target_length, VFS_UID, VFS_GID);
}

ssize_t vfs_readlinkat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, char *buf,
                       size_t size) {
        const char *target;
        size_t length;
        VNode node;
        int r;

        /* readlink(2)'s bufsiz is an int: 0 or negative is -EINVAL. */
        if (size == 0 || size > (size_t)INT_MAX)
                return -EINVAL;
        /* An empty path reads the symlink an O_PATH|O_NOFOLLOW fd points at. */
        r = resolve_at(v, fs, t, dirfd, path, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &node, NULL);
        if (r < 0)
                return r == -EINVAL ? -ENOENT : r;
        if (node.fs == FS_PROC && S_ISLNK(vnode_mode(v, node)))
                return procfs_readlink(v, node.idx, buf, size);
        r = vnode_readlink(v, node, &target, &length);
        if (r < 0)
                return (!path || !path[0]) ? -ENOENT : r;
        length = MIN(length, size);
        memcpy(buf, target, length);
        return (ssize_t)length;
}

int vfs_faccessat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, int mode,
                  int flags) {
        OpenFile *f;
        VNode node;
        int r;

        if (mode & ~(R_OK | W_OK | X_OK))
                return -EINVAL;
        if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
                return -EINVAL;
        r = resolve_at(v, fs, t, dirfd, path, flags, &node, &f);
        if (r < 0)
                return r;
        if (f || mode == F_OK)
                return 0;
        return vnode_permission(v, node, mode);
}

/* ---- cwd ---- */

static int set_cwd(Vfs *v, FsContext *fs, VNode node) {
        if (!is_dir(v, node))
                return -ENOTDIR;
        int r = vnode_permission(v, node, X_OK);
        if (r < 0)
                return r;
        VNode old = fs->cwd;
        fs->cwd = vnode_ref(node);
        vnode_unref(old);
        return 0;
}

int vfs_chdir(Vfs *v, FsContext *fs, FdTable *t, const char *path) {
        VNode node;
        int r = resolve_at(v, fs, t, AT_FDCWD, path, 0, &node, NULL);
        if (r < 0)
                return r;
        return set_cwd(v, fs, node);
}

int vfs_fchdir(Vfs *v, FsContext *fs, FdTable *t, int fd) {
        OpenFile *f;
        int r = fdtable_get(t, fd, &f);
        if (r < 0)
                return r;
        if (f->kind != FILE_NODE)
                return -ENOTDIR;
        return set_cwd(v, fs, f->node);
}

/* Puts name in front of the path being built backwards from the end of path[]. */
static int prepend(char *path, size_t *start, const char *name, size_t length) {
        if (length + 1 > *start)
                return -ENAMETOOLONG;
        *start -= length;
        memcpy(path + *start, name, length);
        path[--*start] = '/';
        return 0;
}

ssize_t vfs_node_path(const Vfs *v, VNode n, char *buf, size_t size) {
        /* Linux's d_path gives up past one page too. */
        char path[PATH_MAX];
        size_t start = sizeof(path) - 1, length;
        const char *name;
        int r;

        if (n.fs == FS_TMPFS && n.tnode->nlink == 0)
                return -ENOENT;
        path[start] = '\0';
        if (n.fs == FS_TMPFS && !S_ISDIR(n.tnode->mode)) {
                TmpfsNode *dir;
                r = tmpfs_find_name(n.tnode, &dir, &name, &length);
                if (r < 0)
                        return r;
                r = prepend(path, &start, name, length);
                if (r < 0)
                        return r;
                n = (VNode){.fs = FS_TMPFS, .tnode = dir};
        }
        /* Each step takes at least the '/' off the room left: this ends. */
        while (!vnode_equal(n, root_node)) {
                char name_buf[VNODE_NAME_BUF];
                r = vnode_name(v, n, name_buf, &name, &length);
                if (r < 0)
                        return r;
                r = prepend(path, &start, name, length);
                if (r < 0)
                        return r;
                r = vnode_parent(v, n, &n);
                if (r < 0)
                        return r;
        }
        if (start == sizeof(path) - 1)
                path[--start] = '/';

        length = sizeof(path) - 1 - start;
        if (length + 1 > size)
                return -ERANGE;
        memcpy(buf, path + start, length + 1);
        return (ssize_t)length;
}

ssize_t vfs_getcwd(const Vfs *v, const FsContext *fs, char *buf, size_t size) {
        ssize_t n = vfs_node_path(v, fs->cwd, buf, size);
        return n < 0 ? n : n + 1;
}

/* ---- attributes ---- */

int vfs_truncate(Vfs *v, FsContext *fs, FdTable *t, const char *path, int64_t length) {
        VNode node;
        int r;

        if (length < 0)
                return -EINVAL;
        r = resolve_at(v, fs, t, AT_FDCWD, path, 0, &node, NULL);
        if (r < 0)
                return r;
        if (is_dir(v, node))
                return -EISDIR;
        if (!S_ISREG(vnode_mode(v, node)) && node.fs != FS_DEV)
                return -EINVAL;
        r = vnode_permission(v, node, W_OK);
        if (r < 0)
                return r;
        return vnode_truncate(v, node, (uint64_t)length);
}

static int chmod_node(Vfs *v, VNode node, mode_t mode) {
        if (node.fs == FS_IMAGE)
                return -EROFS;
        if (node.fs != FS_TMPFS || node.tnode->uid != VFS_UID)
                return -EPERM;
        node.tnode->mode = (node.tnode->mode & S_IFMT) | (mode & 07777);
        tmpfs_touch(node.tnode, false);
        return 0;
}

int vfs_fchmodat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path, mode_t mode,
                 int flags) {
        VNode node;
        int r;

        if (flags & AT_SYMLINK_NOFOLLOW)
                return -EOPNOTSUPP; /* Linux: symlinks have no mode to change */
        if (flags & ~AT_EMPTY_PATH)
                return -EINVAL;
        r = resolve_at(v, fs, t, dirfd, path, flags, &node, NULL);
        if (r < 0)
                return r;
        return chmod_node(v, node, mode);
}

int vfs_fchmod(Vfs *v, FdTable *t, int fd, mode_t mode) {
        OpenFile *f;
        int r = fdtable_get(t, fd, &f);
        if (r < 0)
                return r;
        if (f->flags & O_PATH)
                return -EBADF;
        if (f->kind != FILE_NODE)
                return 0; /* pipes and streams: nothing anyone can see changes */
        return chmod_node(v, f->node, mode);
}

static int check_timespec(const struct timespec *ts) {
        if (ts->tv_nsec == UTIME_NOW || ts->tv_nsec == UTIME_OMIT)
                return 0;
        return ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000 ? 0 : -EINVAL;
}

int vfs_utimensat(Vfs *v, FsContext *fs, FdTable *t, int dirfd, const char *path,
                  const struct timespec *times, int flags) {
        struct timespec now;
        OpenFile *f;
        VNode node;
        int r;

        if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
                return -EINVAL;
        if (times && (check_timespec(&times[0]) < 0 || check_timespec(&times[1]) < 0))
                return -EINVAL;
        /* utimensat(fd, NULL, ...) is futimens(fd). */
        r = resolve_at(v, fs, t, dirfd, path, path ? flags : (flags | AT_EMPTY_PATH), &node, &f);
        if (r < 0)
                return r;
        if (f)
                return 0;
        if (node.fs == FS_IMAGE)
                return -EROFS;
        if (node.fs != FS_TMPFS)
                return 0;
        if (clock_gettime(CLOCK_REALTIME, &now) < 0)
                now = (struct timespec){};
        TmpfsNode *n = node.tnode;
        if (times && n->uid != VFS_UID &&
            !(times[0].tv_nsec == UTIME_NOW && times[1].tv_nsec == UTIME_NOW))
                return -EPERM;
        for (int i = 0; i < 2; i++) {
                struct timespec *dst = i == 0 ? &n->atime : &n->mtime;
                if (!times || times[i].tv_nsec == UTIME_NOW)
                        *dst = now;
                else if (times[i].tv_nsec != UTIME_OMIT)
                        *dst = times[i];
        }
        n->ctime = now;
        return 0;
}

/* ---- pipes and standard streams ---- */

int vfs_pipe2(Vfs *v, FdTable *t, int ret_fds[2], int flags) {
        _cleanup_(file_unrefp) OpenFile *rf = NULL, *wf = NULL;
        Pipe *p;
        int r, rfd, wfd;

        if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
                return -EINVAL;
        r = pipe_new(v->next_pipe_ino++, &p);
        if (r < 0)
                return r;
        r = file_new_pipe(p, false, flags & O_NONBLOCK, &rf);
        if (r >= 0)
                r = file_new_pipe(p, true, flags & O_NONBLOCK, &wf);
        pipe_unref(p); /* the files hold it now */
        if (r < 0)
                return r;

        rfd = fdtable_install(t, rf, 0, flags & O_CLOEXEC);
        if (rfd < 0)
                return rfd;
        wfd = fdtable_install(t, wf, 0, flags & O_CLOEXEC);
        if (wfd < 0) {
                fdtable_close(t, rfd);
                return wfd;
        }
        ret_fds[0] = rfd;
        ret_fds[1] = wfd;
        return 0;
}

int vfs_install_stdio(Vfs *v, FdTable *t, const void *stdin_data, size_t stdin_size,
                      OutputSink sink, void *userdata) {
        _cleanup_(file_unrefp) OpenFile *in = NULL, *out = NULL, *err = NULL;
        int r;

        r = file_new_stdin(stdin_data, stdin_size, &in);
        if (r < 0)
                return r;
        r = file_new_output(sink, userdata, 1, &out);
        if (r < 0)
                return r;
        r = file_new_output(sink, userdata, 2, &err);
        if (r < 0)
                return r;
        r = fdtable_install_at(t, in, 0, false);
        if (r >= 0)
                r = fdtable_install_at(t, out, 1, false);
        if (r >= 0)
                r = fdtable_install_at(t, err, 2, false);
        return r < 0 ? r : 0;
}

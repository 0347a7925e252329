/* SPDX-License-Identifier: MIT */
#include "vnode.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "devfs.h"
#include "macro.h"
#include "procfs.h"
#include "vfs-internal.h"

VNode vnode_ref(VNode n) {
        if (n.fs == FS_TMPFS)
                tmpfs_node_ref(n.tnode);
        return n;
}

void vnode_unref(VNode n) {
        if (n.fs == FS_TMPFS)
                tmpfs_node_unref(n.tnode);
}

bool vnode_equal(VNode a, VNode b) {
        if (a.fs != b.fs)
                return false;
        return a.fs == FS_TMPFS ? a.tnode == b.tnode : a.idx == b.idx;
}

const Mount *vfs_mount_of_root(const Vfs *v, VNode root) {
        for (size_t i = 0; i < v->n_mounts; i++)
                if (vnode_equal(v->mounts[i].root, root))
                        return &v->mounts[i];
        return NULL;
}

static unsigned char mode_to_dtype(mode_t mode) {
        return (unsigned char)IFTODT(mode);
}

mode_t vnode_mode(const Vfs *v, VNode n) {
        switch (n.fs) {
        case FS_IMAGE:
                return image_entry(v->image, n.idx)->mode;
        case FS_TMPFS:
                return n.tnode->mode;
        case FS_DEV:
                return devfs_mode(n.idx);
        case FS_PROC:
                return procfs_mode(v, n.idx);
        }
        return 0;
}

uint64_t vnode_size(const Vfs *v, VNode n) {
        switch (n.fs) {
        case FS_IMAGE:
                return image_entry(v->image, n.idx)->size;
        case FS_TMPFS:
                return n.tnode->size;
        default:
                return 0;
        }
}

static unsigned image_subdirs(const Image *image, const ImageEntry *e) {
        unsigned count = 0;
        for (uint32_t i = 0; i < e->child_count; i++) {
                const ImageEntry *c = image_entry(image, e->first_child + i);
                if (c && S_ISDIR(c->mode))
                        count++;
        }
        return count;
}

void vnode_stat(const Vfs *v, VNode n, struct stat *ret) {
        struct stat st = {
                .st_blksize = 4096,
                .st_nlink = 1,
        };

        switch (n.fs) {
        case FS_IMAGE: {
                const ImageEntry *e = image_entry(v->image, n.idx);
                st.st_dev = VFS_DEV_IMAGE;
                st.st_ino = (ino_t)n.idx + 1;
                st.st_mode = e->mode;
                if (S_ISDIR(e->mode)) {
                        st.st_nlink = 2 + image_subdirs(v->image, e);
                        st.st_size = 4096;
                } else
                        st.st_size = (off_t)e->size;
                st.st_blocks = (blkcnt_t)(ALIGN_UP((uint64_t)st.st_size, 4096ull) / 512);
                st.st_mtim.tv_sec = st.st_atim.tv_sec = st.st_ctim.tv_sec = (time_t)e->mtime;
                break;
        }
        case FS_TMPFS: {
                TmpfsNode *t = n.tnode;
                st.st_dev = VFS_DEV_TMPFS;
                st.st_ino = t->ino;
                st.st_mode = t->mode;
                st.st_uid = t->uid;
                st.st_gid = t->gid;
                if (S_ISDIR(t->mode)) {
                        st.st_nlink = t->nlink > 0 ? 2 + t->n_subdirs : 0;
                        /* What Linux's tmpfs reports: 20 bytes per entry plus "." and "..". */
                        st.st_size = (off_t)(t->n_entries + 2) * 20;
                } else {
                        st.st_nlink = t->nlink;
                        st.st_size = (off_t)t->size;
                }
                st.st_blocks = (blkcnt_t)t->n_data_pages * (TMPFS_PAGE_SIZE / 512);
                st.st_atim = t->atime;
                st.st_mtim = t->mtime;
                st.st_ctim = t->ctime;
                break;
        }
        case FS_DEV:
                st.st_dev = VFS_DEV_DEVFS;
                st.st_ino = (ino_t)n.idx + 1;
                st.st_mode = devfs_mode(n.idx);
                st.st_rdev = devfs_rdev(n.idx);
                if (n.idx == DEV_ROOT)
                        st.st_nlink = 2;
                break;
        case FS_PROC:
                procfs_stat(v, n.idx, &st);
                break;
        }
        *ret = st;
}

int vnode_permission(const Vfs *v, VNode n, int mask) {
        struct stat st;
        mode_t granted;

        mask &= R_OK | W_OK | X_OK;
        if (mask & W_OK) {
                mode_t mode = vnode_mode(v, n);
                /* A read-only filesystem says so before permission bits are looked at, as Linux
                 * does for files, directories and symlinks (devices stay writable). */
                if (n.fs == FS_IMAGE && (S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode)))
                        return -EROFS;
        }
        vnode_stat(v, n, &st);
        if (st.st_uid == VFS_UID)
                granted = (st.st_mode >> 6) & 7;
        else if (st.st_gid == VFS_GID)
                granted = (st.st_mode >> 3) & 7;
        else
                granted = st.st_mode & 7;
        return ((mode_t)mask & ~granted) ? -EACCES : 0;
}

int vnode_lookup(const Vfs *v, VNode dir, const char *name, size_t name_length, VNode *ret) {
        int r;

        switch (dir.fs) {
        case FS_IMAGE: {
                uint32_t idx;
                if (!S_ISDIR(image_entry(v->image, dir.idx)->mode))
                        return -ENOTDIR;
                for (size_t i = 0; i < v->n_mounts; i++) {
                        const Mount *m = &v->mounts[i];
                        if (m->parent_entry == dir.idx && m->name_length == name_length &&
                            memcmp(m->name, name, name_length) == 0) {
                                *ret = m->root;
                                return 0;
                        }
                }
                r = image_lookup(v->image, dir.idx, name, name_length, &idx);
                if (r < 0)
                        return r;
                *ret = (VNode){.fs = FS_IMAGE, .idx = idx};
                return 0;
        }
        case FS_TMPFS: {
                TmpfsNode *t;
                r = tmpfs_lookup(dir.tnode, name, name_length, &t);
                if (r < 0)
                        return r;
                *ret = (VNode){.fs = FS_TMPFS, .tnode = t};
                return 0;
        }
        case FS_DEV: {
                uint32_t idx;
                if (dir.idx != DEV_ROOT)
                        return -ENOTDIR;
                r = devfs_lookup(name, name_length, &idx);
                if (r < 0)
                        return r;
                *ret = (VNode){.fs = FS_DEV, .idx = idx};
                return 0;
        }
        case FS_PROC: {
                uint32_t idx;
                r = procfs_lookup(v, dir.idx, name, name_length, &idx);
                if (r < 0)
                        return r;
                *ret = (VNode){.fs = FS_PROC, .idx = idx};
                return 0;
        }
        }
        return -ENOENT;
}

int vnode_parent(const Vfs *v, VNode dir, VNode *ret) {
        const Mount *m;

        if (dir.fs == FS_IMAGE) {
                *ret = (VNode){.fs = FS_IMAGE, .idx = image_entry(v->image, dir.idx)->parent};
                return 0;
        }
        if (dir.fs == FS_TMPFS && dir.tnode->parent) {
                *ret = (VNode){.fs = FS_TMPFS, .tnode = dir.tnode->parent};
                return 0;
        }
        if (dir.fs == FS_PROC && dir.idx != PROC_ROOT) {
                *ret = (VNode){.fs = FS_PROC, .idx = procfs_parent(dir.idx)};
                return 0;
        }
        m = vfs_mount_of_root(v, dir);
        if (m) {
                *ret = (VNode){.fs = FS_IMAGE, .idx = m->parent_entry};
                return 0;
        }
        if (dir.fs == FS_DEV) {
                *ret = (VNode){.fs = FS_DEV, .idx = DEV_ROOT};
                return 0;
        }
        return -ENOENT; /* a removed tmpfs directory */
}

int vnode_name(const Vfs *v, VNode n, char buf[static VNODE_NAME_BUF], const char **ret_name,
               size_t *ret_length) {
        const Mount *m = vfs_mount_of_root(v, n);

        if (m) {
                *ret_name = m->name;
                *ret_length = m->name_length;
                return 0;
        }
        switch (n.fs) {
        case FS_IMAGE: {
                uint32_t length;
                *ret_name = image_entry_name(v->image, n.idx, &length);
                *ret_length = length;
                return 0;
        }
        case FS_TMPFS: {
                TmpfsNode *parent = n.tnode->parent;
                if (!parent)
                        return -ENOENT;
                for (size_t i = 0; i < parent->n_entries; i++)
                        if (parent->entries[i].node == n.tnode) {
                                *ret_name = parent->entries[i].name;
                                *ret_length = parent->entries[i].name_length;
                                return 0;
                        }
                return -ENOENT;
        }
        case FS_DEV:
                *ret_name = devfs_name(n.idx);
                *ret_length = strlen(*ret_name);
                return 0;
        case FS_PROC:
                return procfs_name(v, n.idx, buf, ret_name, ret_length);
        }
        return -ENOENT;
}

int vnode_readlink(const Vfs *v, VNode n, const char **ret_target, size_t *ret_length) {
        if (n.fs == FS_PROC || !S_ISLNK(vnode_mode(v, n)))
                return -EINVAL;
        if (n.fs == FS_IMAGE) {
                *ret_target = image_entry_data(v->image, n.idx);
                *ret_length = (size_t)image_entry(v->image, n.idx)->size;
        } else {
                *ret_target = n.tnode->target;
                *ret_length = n.tnode->target_length;
        }
        return 0;
}

static int image_readdir(const Vfs *v, VNode dir, uint64_t k, VDirent *ret) {
        const ImageEntry *e = image_entry(v->image, dir.idx);

        if (k < e->child_count) {
                uint32_t idx = e->first_child + (uint32_t)k;
                uint32_t length;
                ret->name = image_entry_name(v->image, idx, &length);
                ret->name_length = length;
                ret->ino = (uint64_t)idx + 1;
                ret->type = mode_to_dtype(image_entry(v->image, idx)->mode);
                ret->next = k + 3;
                return 1;
        }
        /* Then mount points the image has no directory for. */
        for (uint64_t j = k - e->child_count; j < v->n_mounts; j++) {
                const Mount *m = &v->mounts[j];
                uint32_t ignored;
                struct stat st;
                if (m->parent_entry != dir.idx ||
                    image_lookup(v->image, dir.idx, m->name, m->name_length, &ignored) == 0)
                        continue;
                vnode_stat(v, m->root, &st);
                ret->name = m->name;
                ret->name_length = m->name_length;
                ret->ino = st.st_ino;
                ret->type = DT_DIR;
                ret->next = e->child_count + j + 3;
                return 1;
        }
        return 0;
}

static int tmpfs_readdir(VNode dir, uint64_t cookie, VDirent *ret) {
        TmpfsNode *t = dir.tnode;
        size_t lo = 0, hi = t->n_entries;

        /* Entries are in cookie order: find the first cookie >= the position's. */
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (t->entries[mid].cookie < cookie)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo >= t->n_entries)
                return 0;
        const TmpfsDirent *e = &t->entries[lo];
        ret->name = e->name;
        ret->name_length = e->name_length;
        ret->ino = e->node->ino;
        ret->type = mode_to_dtype(e->node->mode);
        ret->next = e->cookie + 3;
        return 1;
}

int vnode_readdir(const Vfs *v, VNode dir, uint64_t pos, VDirent *ret) {
        if (!S_ISDIR(vnode_mode(v, dir)))
                return -ENOTDIR;
        if (pos < 2)
                pos = 2;
        uint64_t k = pos - 2;

        switch (dir.fs) {
        case FS_IMAGE:
                return image_readdir(v, dir, k, ret);
        case FS_TMPFS:
                return tmpfs_readdir(dir, k, ret);
        case FS_DEV:
                if (k + 1 >= _DEV_MAX)
                        return 0;
                ret->name = devfs_name((uint32_t)k + 1);
                ret->name_length = strlen(ret->name);
                ret->ino = k + 2;
                ret->type = DT_CHR;
                ret->next = k + 3;
                return 1;
        case FS_PROC:
                return procfs_readdir(v, dir.idx, k, ret);
        }
        return 0;
}

ssize_t vnode_read(const Vfs *v, VNode n, void *buf, size_t length, uint64_t offset) {
        mode_t mode = vnode_mode(v, n);

        if (S_ISDIR(mode))
                return -EISDIR;
        switch (n.fs) {
        case FS_IMAGE: {
                uint64_t size = image_entry(v->image, n.idx)->size;
                if (!S_ISREG(mode))
                        return -EINVAL;
                if (offset >= size)
                        return 0;
                length = (size_t)MIN((uint64_t)length, size - offset);
                memcpy(buf, (const uint8_t *)image_entry_data(v->image, n.idx) + offset, length);
                return (ssize_t)length;
        }
        case FS_TMPFS:
                return tmpfs_read(n.tnode, buf, length, offset);
        case FS_DEV:
                return devfs_read(n.idx, buf, length);
        default:
                return -EINVAL;
        }
}

ssize_t vnode_write(Vfs *v, VNode n, const void *buf, size_t length, uint64_t offset) {
        mode_t mode = vnode_mode(v, n);

        if (S_ISDIR(mode))
                return -EISDIR;
        switch (n.fs) {
        case FS_TMPFS:
                return tmpfs_write(n.tnode, buf, length, offset);
        case FS_DEV:
                return devfs_write(n.idx, buf, length);
        case FS_IMAGE:
                return -EROFS;
        default:
                return -EINVAL;
        }
}

int vnode_truncate(Vfs *v, VNode n, uint64_t size) {
        mode_t mode = vnode_mode(v, n);

        if (S_ISDIR(mode))
                return -EISDIR;
        if (n.fs == FS_IMAGE)
                return -EROFS;
        if (n.fs == FS_DEV)
                return 0; /* O_TRUNC on /dev/null is accepted and means nothing */
        if (n.fs == FS_PROC)
                return -EACCES;
        if (!S_ISREG(mode))
                return -EINVAL;
        return tmpfs_truncate(n.tnode, size);
}

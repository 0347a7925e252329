/* SPDX-License-Identifier: MIT */
/* The sandbox's writable in-memory filesystem: a tree of directories, regular files (sparse, in
 * 4 KiB pages) and symlinks, with a byte budget that covers file data and per-inode overhead.
 *
 * Lifetime: a node lives while a directory entry names it (nlink) or an open file or cwd holds
 * it (n_ref). Every node, linked or orphaned, is on the Tmpfs's node list, so tmpfs_free() frees
 * everything and a snapshot can walk all of them. Roots are pinned and never freed before the
 * Tmpfs. Nothing here checks permissions or path syntax: vfs.c does that; names given here are
 * 1..255 bytes without '/' and not "." or "..". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#define TMPFS_PAGE_SIZE 4096u
/* What one inode costs against the budget besides its data: the node and its bookkeeping. */
#define TMPFS_INODE_COST 256u

typedef struct Tmpfs Tmpfs;
typedef struct TmpfsNode TmpfsNode;

typedef struct TmpfsLimits {
        uint64_t max_bytes; /* data pages + TMPFS_INODE_COST per inode + names */
        uint64_t max_inodes;
        uint64_t max_file_size;
} TmpfsLimits;

typedef struct TmpfsDirent {
        char *name;
        size_t name_length;
        uint64_t cookie; /* increasing within a directory: a stable getdents position */
        TmpfsNode *node;
} TmpfsDirent;

struct TmpfsNode {
        Tmpfs *fs;
        TmpfsNode *all_prev, *all_next; /* the Tmpfs's list of every node */
        uint64_t ino;
        mode_t mode; /* type and permission bits */
        uid_t uid;
        gid_t gid;
        unsigned nlink; /* directory entries naming it (for a root: 1, pinned) */
        unsigned n_ref; /* open files, cwd */
        struct timespec atime, mtime, ctime;

        /* S_IFDIR */
        TmpfsNode *parent;    /* NULL for a root or a removed directory */
        unsigned mount_id;    /* roots only: which mount this root belongs to */
        TmpfsDirent *entries; /* in cookie order */
        size_t n_entries, n_entries_allocated;
        uint64_t next_cookie;
        unsigned n_subdirs;

        /* S_IFREG: pages[i] NULL is a hole; pages beyond n_pages are holes too */
        uint64_t size;
        uint8_t **pages;
        size_t n_pages;      /* slots in pages[] */
        size_t n_data_pages; /* slots holding a page */

        /* S_IFLNK */
        char *target;
        size_t target_length;
};

int tmpfs_new(const TmpfsLimits *limits, uint64_t first_ino, Tmpfs **ret);
/* Frees every node, linked or not. Open files still pointing at nodes must be gone. */
Tmpfs *tmpfs_free(Tmpfs *fs);
static inline void tmpfs_freep(Tmpfs **p) {
        if (*p)
                tmpfs_free(*p);
}

void tmpfs_set_limits(Tmpfs *fs, const TmpfsLimits *limits);
uint64_t tmpfs_bytes_used(const Tmpfs *fs);
uint64_t tmpfs_inodes_used(const Tmpfs *fs);
const TmpfsLimits *tmpfs_limits(const Tmpfs *fs);

/* A new root directory for a mount; the Tmpfs owns it. -ENOSPC, -ENOMEM. */
int tmpfs_new_root(Tmpfs *fs, mode_t perm, uid_t uid, gid_t gid, unsigned mount_id,
                   TmpfsNode **ret);

TmpfsNode *tmpfs_node_ref(TmpfsNode *n);
/* Drops an open-file/cwd reference; frees the node when it is also unlinked. */
void tmpfs_node_unref(TmpfsNode *n);

/* -ENOENT, -ENOTDIR. Borrowed pointer. */
int tmpfs_lookup(TmpfsNode *dir, const char *name, size_t name_length, TmpfsNode **ret);

/* A directory entry naming n, for its path (a file may have several names, and only
 * directories know their parent): the first found. Costs a walk over every directory. -ENOENT
 * when no name is left. Borrowed pointers. */
int tmpfs_find_name(TmpfsNode *n, TmpfsNode **ret_dir, const char **ret_name, size_t *ret_length);

/* Creates a regular file or directory (type from mode). -EEXIST, -ENOSPC, -ENOENT when dir was
 * removed. Borrowed pointer. */
int tmpfs_create(TmpfsNode *dir, const char *name, size_t name_length, mode_t mode, uid_t uid,
                 gid_t gid, TmpfsNode **ret);
int tmpfs_symlink(TmpfsNode *dir, const char *name, size_t name_length, const char *target,
                  size_t target_length, uid_t uid, gid_t gid);
/* A hard link to a non-directory. -EEXIST, -EPERM for directories, -ENOSPC. */
int tmpfs_link(TmpfsNode *dir, const char *name, size_t name_length, TmpfsNode *node);
/* rmdir: true removes only empty directories (-ENOTDIR, -ENOTEMPTY); false only
 * non-directories (-EISDIR). */
int tmpfs_unlink(TmpfsNode *dir, const char *name, size_t name_length, bool rmdir);
/* renameat2 semantics within one Tmpfs; noreplace is RENAME_NOREPLACE. -ENOENT, -EEXIST,
 * -ENOTDIR, -EISDIR, -ENOTEMPTY, -EINVAL (directory into its own subtree). */
int tmpfs_rename(TmpfsNode *old_dir, const char *old_name, size_t old_length, TmpfsNode *new_dir,
                 const char *new_name, size_t new_length, bool noreplace);

/* Regular files. read returns bytes (0 at or past EOF); write returns bytes written, possibly
 * short when the budget runs out, or -ENOSPC / -EFBIG when nothing fits. */
ssize_t tmpfs_read(TmpfsNode *n, void *buf, size_t length, uint64_t offset);
ssize_t tmpfs_write(TmpfsNode *n, const void *buf, size_t length, uint64_t offset);
/* -EFBIG past max_file_size; shrinking frees pages. */
int tmpfs_truncate(TmpfsNode *n, uint64_t size);
/* Offset of the next data (or hole) at or after offset: SEEK_DATA/SEEK_HOLE. -ENXIO past EOF. */
int tmpfs_seek_data(TmpfsNode *n, uint64_t offset, bool hole, uint64_t *ret);

void tmpfs_touch(TmpfsNode *n, bool modified);

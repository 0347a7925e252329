/* SPDX-License-Identifier: MIT */
/* A VNode names one file in the sandbox's namespace, whichever filesystem holds it: an image
 * entry, a tmpfs node, a /dev node or a /proc node (procfs.h). The functions here dispatch one
 * operation on one node to its filesystem; vfs.c walks paths over them, file.c serves open files
 * with them. A VNode copied into a long-lived place (an open file, the cwd) must hold a reference
 * (vnode_ref), which pins a tmpfs node after it is unlinked. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "tmpfs.h"

typedef struct Vfs Vfs;

typedef enum FsKind {
        FS_IMAGE,
        FS_TMPFS,
        FS_DEV,
        FS_PROC,
} FsKind;

typedef struct VNode {
        FsKind fs;
        uint32_t idx;     /* FS_IMAGE: entry index; FS_DEV: DevNode; FS_PROC: procfs.h */
        TmpfsNode *tnode; /* FS_TMPFS */
} VNode;

/* st_dev of each filesystem (anonymous-device style numbers, all distinct). */
#define VFS_DEV_IMAGE  0x1eu
#define VFS_DEV_TMPFS  0x1fu
#define VFS_DEV_DEVFS  0x5u
#define VFS_DEV_PROC   0x16u
#define VFS_DEV_PIPEFS 0xcu

/* The one user the sandbox runs as. */
#define VFS_UID 1000u
#define VFS_GID 1000u

/* Inode numbers of tmpfs nodes start here, away from the image's entry+1 numbers. */
#define VFS_TMPFS_FIRST_INO 0x10000000u

/* Room for a name made up on the spot (a number in /proc). */
#define VNODE_NAME_BUF 24

typedef struct VDirent {
        const char *name;
        size_t name_length;
        uint64_t ino;
        unsigned char type; /* DT_* */
        uint64_t next;      /* position after this entry */
        char name_buf[VNODE_NAME_BUF]; /* where a made-up name (a number in /proc) is kept */
} VDirent;

VNode vnode_ref(VNode n);
void vnode_unref(VNode n);
bool vnode_equal(VNode a, VNode b);

mode_t vnode_mode(const Vfs *v, VNode n);
uint64_t vnode_size(const Vfs *v, VNode n);
void vnode_stat(const Vfs *v, VNode n, struct stat *ret);

/* R_OK|W_OK|X_OK for the sandbox user: 0, -EACCES, or -EROFS for W_OK on the image. */
int vnode_permission(const Vfs *v, VNode n, int mask);

/* One name in a directory, crossing into whatever is mounted there. -ENOTDIR, -ENOENT. */
int vnode_lookup(const Vfs *v, VNode dir, const char *name, size_t name_length, VNode *ret);
/* "..": the parent directory, leaving a mount through its mount point; the root is its own
 * parent. -ENOENT for a removed tmpfs directory. */
int vnode_parent(const Vfs *v, VNode dir, VNode *ret);
/* The name of `n` inside its directory (for paths). Not NUL-terminated; may point into buf. A
 * tmpfs non-directory has no directory of its own (it may have several names): -ENOENT. */
int vnode_name(const Vfs *v, VNode n, char buf[static VNODE_NAME_BUF], const char **ret_name,
               size_t *ret_length);

/* The target of a symlink, not NUL-terminated, valid until the link changes. -EINVAL if `n` is
 * not a symlink, or is one of /proc's, which are made up when read (procfs_readlink) and lead
 * straight to what they name (procfs_follow). */
int vnode_readlink(const Vfs *v, VNode n, const char **ret_target, size_t *ret_length);

/* Directory entries other than "." and "..", from position pos >= 2 (positions 0 and 1 are
 * "." and ".."). Returns 1 and fills ret, 0 at the end, -ENOTDIR. */
int vnode_readdir(const Vfs *v, VNode dir, uint64_t pos, VDirent *ret);

ssize_t vnode_read(const Vfs *v, VNode n, void *buf, size_t length, uint64_t offset);
ssize_t vnode_write(Vfs *v, VNode n, const void *buf, size_t length, uint64_t offset);
int vnode_truncate(Vfs *v, VNode n, uint64_t size);

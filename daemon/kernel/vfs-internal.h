/* SPDX-License-Identifier: MIT */
/* The Vfs object's state, shared by the files that make up the filesystem layer (vfs.c, vnode.c,
 * file.c). Everything the sandbox's filesystem is lives here or is reachable from here, so a
 * snapshot can save and restore it. */
#pragma once

#include "image.h"
#include "tmpfs.h"
#include "vfs.h"
#include "vnode.h"

#define VFS_MAX_MOUNTS 8

/* A filesystem root grafted onto the image at parent_entry/name (the image may or may not have
 * a directory of that name; the mount hides it either way). */
typedef struct Mount {
        uint32_t parent_entry;
        char name[256];
        size_t name_length;
        VNode root;
} Mount;

struct Vfs {
        const Image *image; /* borrowed: the worker maps it */
        Tmpfs *tmpfs;
        Mount mounts[VFS_MAX_MOUNTS];
        size_t n_mounts;
        uint64_t next_pipe_ino;

        /* /proc (procfs.c): the sandbox it shows (borrowed; NULL: an empty /proc), the bytes its
         * open files hold, and the image's regular files by data offset, to name file mappings
         * in maps (made on first use). */
        Sandbox *sandbox;
        uint64_t procfs_bytes;
        uint32_t *image_files_by_data;
        uint32_t n_image_files_by_data;
};

/* The mount whose root is `root`, or NULL. */
const Mount *vfs_mount_of_root(const Vfs *v, VNode root);

/* SPDX-License-Identifier: MIT */
/* A process's view of the filesystem: its working directory and umask (Linux's fs_struct,
 * gVisor's FSContext). The namespace itself, image, tmpfs and mounts, is the sandbox's Vfs,
 * shared by every process; each process has a context of its own (fork copies it, CLONE_FS
 * threads share it). Free every context before the Vfs its cwd belongs to. */
#pragma once

#include <sys/types.h>

#include "vnode.h"

typedef struct FsContext {
        unsigned n_ref;
        VNode cwd; /* holds a reference */
        mode_t umask;
} FsContext;

/* A context at the root with umask 022. -ENOMEM. */
int fs_context_new(FsContext **ret);
/* A copy (fork without CLONE_FS): same cwd, same umask. -ENOMEM. */
int fs_context_copy(const FsContext *fs, FsContext **ret);
FsContext *fs_context_ref(FsContext *fs);
FsContext *fs_context_unref(FsContext *fs);
static inline void fs_context_unrefp(FsContext **fs) {
        fs_context_unref(*fs);
}

/* umask(2): sets the mask (& 0777), returns the old one. */
mode_t fs_context_umask(FsContext *fs, mode_t mask);

/* SPDX-License-Identifier: MIT */
#include "fs-context.h"

#include <errno.h>
#include <stdlib.h>

int fs_context_new(FsContext **ret) {
        FsContext *fs = calloc(1, sizeof(*fs));

        if (!fs)
                return -ENOMEM;
        fs->n_ref = 1;
        fs->cwd = (VNode){.fs = FS_IMAGE, .idx = 0}; /* the image's root directory */
        fs->umask = 022;
        *ret = fs;
        return 0;
}

int fs_context_copy(const FsContext *fs, FsContext **ret) {
        FsContext *copy = malloc(sizeof(*copy));

        if (!copy)
                return -ENOMEM;
        *copy = (FsContext){.n_ref = 1, .cwd = vnode_ref(fs->cwd), .umask = fs->umask};
        *ret = copy;
        return 0;
}

FsContext *fs_context_ref(FsContext *fs) {
        fs->n_ref++;
        return fs;
}

FsContext *fs_context_unref(FsContext *fs) {
        if (!fs || --fs->n_ref > 0)
                return NULL;
        vnode_unref(fs->cwd);
        free(fs);
        return NULL;
}

mode_t fs_context_umask(FsContext *fs, mode_t mask) {
        mode_t old = fs->umask;
        fs->umask = mask & 0777;
        return old;
}

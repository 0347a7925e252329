/* SPDX-License-Identifier: MIT */
#include "fs-context-persist.h"

#include <limits.h>

#include "log.h"

/* The section: VfsSaved, then the cwd's cwd_length bytes (no NUL). */
typedef struct VfsSaved {
        uint32_t umask;
        uint32_t cwd_length;
} VfsSaved;

int fs_context_persist_save(const Process *p, Buffer *out) {
        char cwd[PATH_MAX];
        ssize_t n = vfs_getcwd(p->sandbox->vfs, p->fs, cwd, sizeof(cwd));
        VfsSaved s;

        if (n <= 0)
                return log_error_errno(n < 0 ? (int)n : EIO, "Failed to read the cwd: %m");
        s = (VfsSaved){.umask = p->fs->umask, .cwd_length = (uint32_t)(n - 1)};
        buffer_put(out, &s, sizeof(s));
        buffer_put(out, cwd, n - 1);
        return out->error;
}

int fs_context_persist_restore(Process *p, Cursor *c) {
        char cwd[PATH_MAX];
        VfsSaved s;

        if (take(c, &s, sizeof(s)) < 0 || s.cwd_length == 0 || s.cwd_length >= sizeof(cwd) ||
            s.cwd_length != c->left || (s.umask & ~0777u))
                return -EBADMSG;
        (void)take(c, cwd, s.cwd_length);
        cwd[s.cwd_length] = 0;
        if (strlen(cwd) != s.cwd_length || cwd[0] != '/')
                return -EBADMSG;
        fs_context_umask(p->fs, s.umask);
        return vfs_chdir(p->sandbox->vfs, p->fs, p->fds, cwd) < 0 ? -EBADMSG : 0;
}

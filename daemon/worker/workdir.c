/* SPDX-License-Identifier: MIT */
#include "workdir.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "file.h"
#include "log.h"
#include "macro.h"

/* Where the program may write: the tmpfs mounts (vfs.h). A missing directory elsewhere can't be
 * made anyway (the image is read-only), and saying so is clearer than EROFS. */
static const char *const writable_roots[] = {"/tmp", "/home/sandbox"};

static bool under_writable_root(const char *path) {
        for (size_t i = 0; i < ELEMENTSOF(writable_roots); i++) {
                size_t n = strlen(writable_roots[i]);

                if (strncmp(path, writable_roots[i], n) == 0 && (path[n] == '/' || !path[n]))
                        return true;
        }
        return false;
}

_printf_(3, 4) static int cwd_error(ProtocolError *e, const char *path, const char *format, ...) {
        char shown[81], reason[160];
        size_t i;
        va_list ap;

        /* ProtocolError holds printable ASCII only (execute.h): the path is the client's. */
        for (i = 0; path[i] && i + 1 < sizeof shown; i++)
                shown[i] = path[i] >= 0x20 && path[i] < 0x7f ? path[i] : '?';
        shown[i] = '\0';
        va_start(ap, format);
        vsnprintf(reason, sizeof reason, format, ap);
        va_end(ap);
        if (e) {
                *e = (ProtocolError){.kind = EXEC_ERROR_INVALID_PARAMS};
                strcpy(e->field, "cwd");
                snprintf(e->message, sizeof e->message, "cwd '%s%s' %s", shown,
                         path[i] ? "..." : "", reason);
        }
        return -EINVAL;
}

/* mkdir -p: each missing component in turn, an existing one left as it is. */
static int make_parents(Vfs *vfs, FsContext *fs, FdTable *fds, const char *path) {
        char partial[PATH_MAX];
        size_t len = strlen(path);
        int r;

        if (len >= sizeof partial)
                return -ENAMETOOLONG;
        for (size_t i = 1; i <= len; i++) {
                if (path[i] != '/' && path[i] != '\0')
                        continue;
                memcpy(partial, path, i);
                partial[i] = '\0';
                r = vfs_mkdirat(vfs, fs, fds, AT_FDCWD, partial, 0777);
                if (r < 0 && r != -EEXIST)
                        return r;
        }
        return 0;
}

int workdir_prepare(Vfs *vfs, FsContext *fs, FdTable *fds, const char *path,
                    ProtocolError *ret_error) {
        struct stat st;
        int r;

        r = vfs_fstatat(vfs, fs, fds, AT_FDCWD, path, 0, &st);
        if (r == -ENOENT) {
                if (!under_writable_root(path))
                        return cwd_error(ret_error, path,
                                         "does not exist (only directories under /tmp and "
                                         "/home/sandbox are created)");
                r = make_parents(vfs, fs, fds, path);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return cwd_error(ret_error, path, "can't be created: %s", strerror(-r));
                r = vfs_fstatat(vfs, fs, fds, AT_FDCWD, path, 0, &st);
        }
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return cwd_error(ret_error, path, "can't be used: %s", strerror(-r));
        if (!S_ISDIR(st.st_mode))
                return cwd_error(ret_error, path, "is not a directory");
        r = vfs_faccessat(vfs, fs, fds, AT_FDCWD, path, X_OK, 0);
        if (r < 0)
                return cwd_error(ret_error, path, "can't be entered: %s", strerror(-r));
        return 0;
}

void workdir_place_script(Vfs *vfs, FsContext *fs, FdTable *fds, const char *dir, const char *name,
                          const char *code, size_t size) {
        _cleanup_free_ char *path = NULL;
        OpenFile *f = NULL;
        int r;

        if (asprintf(&path, "%s/%s", dir, name) < 0) {
                path = NULL;
                return;
        }
        r = vfs_open_file(vfs, fs, fds, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0644, &f);
        if (r < 0) {
                log_debug("Not placing the script at %s: %s", path, strerror(-r));
                return;
        }
        for (size_t done = 0; done < size;) {
                ssize_t n = file_write(f, code + done, size - done);

                if (n <= 0) {
                        log_debug("Writing the script to %s failed: %s", path,
                                  strerror(n < 0 ? (int)-n : EIO));
                        break;
                }
                done += (size_t)n;
        }
        file_unref(f);
}

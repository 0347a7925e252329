/* SPDX-License-Identifier: MIT */
/* The request's working directory, made ready before the program starts (PROTOCOL.md §2, cwd). */
#pragma once

#include "exec-codec.h"
#include "vfs.h"

/* Makes `path` (absolute) usable as the program's working directory in the sandbox's filesystem:
 * a directory that exists is taken as it is; a missing one under the tmpfs (/tmp or
 * /home/sandbox) is created with its parents, as `mkdir -p` with the program's umask would. A
 * path that can't be used (missing elsewhere, a file, not searchable, not creatable) is the
 * request's fault: -EINVAL with *ret_error saying why, for field "cwd". Other errors: -ENOMEM. */
int workdir_prepare(Vfs *vfs, FsContext *fs, FdTable *fds, const char *path,
                    ProtocolError *ret_error);

/* Writes the program's text to DIR/NAME, as the file `python3 NAME` or `node NAME` would have
 * run: the interpreter's tracebacks read their source lines from it, and the program can open
 * its own __file__. Best effort: a read-only directory (or a full tmpfs) leaves no file, and the
 * program runs all the same. */
void workdir_place_script(Vfs *vfs, FsContext *fs, FdTable *fds, const char *dir, const char *name,
                          const char *code, size_t size);

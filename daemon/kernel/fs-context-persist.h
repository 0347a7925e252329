/* SPDX-License-Identifier: MIT */
/* What a snapshot keeps of a process's filesystem context (SECTION_VFS, snapshot-format.h: the
 * section's name is older than FsContext): its umask and its cwd as a path, looked up again on
 * restore. The namespace it is in (the image, an empty tmpfs, /dev, /proc) is remade, not
 * saved: a snapshot is refused while the tmpfs holds anything (snapshot_save). */
#pragma once

#include "process.h"
#include "snapshot-codec.h"

int fs_context_persist_save(const Process *p, Buffer *out);
/* Sets p's umask and cwd from the section (the whole of c); -EBADMSG if malformed or the cwd
 * is no directory of p's namespace. */
int fs_context_persist_restore(Process *p, Cursor *c);

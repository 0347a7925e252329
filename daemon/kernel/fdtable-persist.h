/* SPDX-License-Identifier: MIT */
/* What a snapshot keeps of a process's fd table (SECTION_FDS, snapshot-format.h): the open
 * files behind the fds (image and /dev files, pipes with what they buffer, eventfds, epolls with
 * their watches), each saved once however many fds share it. The standard streams and the
 * request channel are left out: every request gets its own. */
#pragma once

#include "process.h"
#include "snapshot-codec.h"

/* Appends the section's payload; -EOPNOTSUPP (logged) for a file the format can't hold. */
int fdtable_persist_save(const Process *p, Buffer *out);
/* Rebuilds the fd table from the section's payload (the whole of c), leaving the request
 * channel's fd (process-persist.h) free; -EBADMSG if malformed. */
int fdtable_persist_restore(Process *p, Cursor *c);

/* SPDX-License-Identifier: MIT */
/* The fd table in a snapshot: the open files behind the fds (image and /dev files, pipes with
 * what they buffer, eventfds, epolls with their watches), each saved once however many fds
 * share it. The standard streams and the request channel are left out: every request gets its
 * own. */
#pragma once

#include "process.h"
#include "snapshot-codec.h"

/* Appends the section's payload; -EOPNOTSUPP (logged) for a file the format can't hold. */
int snapshot_save_files(Process *p, Buffer *out);
/* Rebuilds the fd table from the section's payload (the whole of c); -EBADMSG if malformed. */
int snapshot_load_files(Process *p, Cursor *c);

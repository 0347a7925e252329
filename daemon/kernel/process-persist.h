/* SPDX-License-Identifier: MIT */
/* What a snapshot keeps of a process beyond its address space, fds, cwd and threads
 * (SECTION_PROCESS, snapshot-format.h): its signal actions, mask and alternate stack, its
 * limits, what exec started (/proc's exe, comm, cmdline and environ), and the sandbox's request
 * channel, whose fd is the process's. Not its pending signals or interval timer: a snapshot is
 * refused while it has any (snapshot_save). */
#pragma once

#include "process.h"
#include "snapshot-codec.h"

int process_persist_save(const Process *p, Buffer *out);
/* Sets p, the sandbox's fresh init, and its sandbox's channel (not open yet: its fd comes with
 * the fd table) from the section (the whole of c); -EBADMSG if malformed. */
int process_persist_restore(Process *p, Cursor *c);

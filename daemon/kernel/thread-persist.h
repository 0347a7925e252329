/* SPDX-License-Identifier: MIT */
/* What a snapshot keeps of a sandbox's threads (SECTION_THREADS, snapshot-format.h): the next
 * tid, init's pid as saved, and every live thread other than the main one (whose state is the
 * vCPU's, SECTION_CPU): its registers, FS base, FPU state, signal mask, clear_child_tid, and
 * whether it is stopped in a syscall it waits in (registers at the syscall exit; served again
 * when it next runs, as a futex or epoll wait that was interrupted may be). */
#pragma once

#include "process.h"
#include "snapshot-codec.h"

/* -EOPNOTSUPP (logged) unless the main thread is the one on the vCPU. */
int threads_persist_save(const Process *p, Buffer *out);
/* Adds the saved threads to p's sandbox, runnable, and sets p->pid; -EBADMSG if malformed (a
 * tid taken or out of range, registers a snapshot can't stop at). */
int threads_persist_restore(Process *p, Cursor *c);

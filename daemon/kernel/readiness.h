/* SPDX-License-Identifier: MIT */
/* What an open file is ready for now: the one rule behind poll, select and epoll, computed from
 * the file's state on each call; and what a thread that waits for a change of it registers on
 * (readiness_watch), so that the thread (or process) that changes it wakes the waiter. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "file.h"
#include "wait-queue.h"

/* The poll(2) bits (POLLIN, POLLOUT, POLLHUP, POLLERR, POLLRDHUP, POLLRDNORM...) that hold for f
 * now, unmasked; the caller keeps what was asked for plus POLLERR and POLLHUP. Files of the
 * namespace are always readable and writable (Linux's DEFAULT_POLLMASK). */
uint32_t readiness_poll(OpenFile *f);
/* The same from inside an epoll that is `depth` levels down a chain of nested epolls. */
uint32_t readiness_poll_nested(OpenFile *f, unsigned depth);

/* Registers ws on the wait queues of what may change f's readiness: a pipe, a socket, an eventfd,
 * an epoll and (recursively) what it watches. Files whose readiness never changes (namespace
 * files, stdin, the output streams) have none. */
void readiness_watch(OpenFile *f, WaitSet *ws);

/* A counter that moves whenever f's readiness may have changed, for EPOLLET; 0 when the kind
 * of file keeps none (then edge-triggered watches behave as level-triggered ones). */
uint64_t readiness_generation(const OpenFile *f);

/* Whether epoll may watch f: not for regular files, directories and devices, whose poll Linux
 * doesn't implement (epoll_ctl gives -EPERM). */
bool readiness_epoll_can_watch(const OpenFile *f);

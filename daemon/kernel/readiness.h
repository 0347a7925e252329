/* SPDX-License-Identifier: MIT */
/* What an open file is ready for now: the one rule behind poll, select and epoll. The program is
 * the only party that can change any file's state (pipes, sockets and eventfds connect it to
 * itself), so readiness is computed from the state on each call, never tracked by wakeups. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "file.h"

/* The poll(2) bits (POLLIN, POLLOUT, POLLHUP, POLLERR, POLLRDHUP, POLLRDNORM...) that hold for f
 * now, unmasked; the caller keeps what was asked for plus POLLERR and POLLHUP. Files of the
 * namespace are always readable and writable (Linux's DEFAULT_POLLMASK). */
uint32_t readiness_poll(OpenFile *f);
/* The same from inside an epoll that is `depth` levels down a chain of nested epolls. */
uint32_t readiness_poll_nested(OpenFile *f, unsigned depth);

/* A counter that moves whenever f's readiness may have changed, for EPOLLET; 0 when the kind
 * of file keeps none (then edge-triggered watches behave as level-triggered ones). */
uint64_t readiness_generation(const OpenFile *f);

/* Whether epoll may watch f: not for regular files, directories and devices, whose poll Linux
 * doesn't implement (epoll_ctl gives -EPERM). */
bool readiness_epoll_can_watch(const OpenFile *f);

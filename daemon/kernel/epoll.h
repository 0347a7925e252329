/* SPDX-License-Identifier: MIT */
/* epoll instances. A watch is keyed by (fd, open file), as on Linux: closing the fd alone keeps
 * the watch while a dup of it keeps the open file alive, and the watch goes away when the open
 * file itself is released (eventpoll_file_released(), called by file_unref()). A watch holds no
 * reference, so watching never keeps a pipe or socket end open.
 *
 * Readiness is computed on each wait (readiness.h). Level-triggered watches report while their
 * condition holds; reported entries move to the back so a small maxevents still sees every
 * entry in turn, as Linux's ready list does. EPOLLONESHOT is exact: after one report the watch
 * reports nothing until EPOLL_CTL_MOD. EPOLLET is approximated: a watch reports when armed by
 * ADD/MOD or when its file's activity counter moved since it last reported (sockets and eventfds
 * keep one, so a wait never misses data that arrived, but may report again after a partial read);
 * for files without a counter (pipes, the standard streams, nested epolls) it is level-triggered.
 * EPOLLEXCLUSIVE and EPOLLWAKEUP are accepted and mean nothing with one waiter. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "file.h"
#include "wait-queue.h"

/* Linux's EP_MAX_NESTS: how deep epolls may watch epolls. */
#define EVENTPOLL_MAX_NESTS 4
/* Watches per instance (Linux bounds them by max_user_watches): past it, -ENOSPC. */
#define EVENTPOLL_MAX_WATCHES 65536u
/* epoll_wait's maxevents bound, Linux's EP_MAX_EVENTS. */
#define EVENTPOLL_MAX_EVENTS ((int)(INT_MAX / sizeof(struct epoll_event)))

_Static_assert(sizeof(struct epoll_event) == 12, "struct epoll_event is packed on x86-64");

typedef struct EventPollEntry EventPollEntry;
struct EventPollEntry {
        int fd;
        OpenFile *file;  /* not a reference: dropped by eventpoll_file_released() */
        uint32_t events; /* as given, plus EPOLLERR|EPOLLHUP; a fired oneshot keeps flags only */
        uint64_t data;
        bool armed;               /* EPOLLET: report the current state once */
        uint64_t seen_generation; /* EPOLLET: the file's activity counter at the last report */
        EventPollEntry *prev, *next;
};

typedef struct EventPoll EventPoll;
struct EventPoll {
        EventPollEntry *first, *last;
        size_t n_entries;
        EventPoll *prev_instance, *next_instance; /* all live instances, for file release */
        WaitQueue waiters;                        /* woken when a watch is added or changed */
};

int eventpoll_new(EventPoll **ret);
EventPoll *eventpoll_free(EventPoll *ep);

/* epoll_ctl(2): self is the instance's own open file, target the file at fd (both already looked
 * up; -EBADF is the caller's). event is ignored for EPOLL_CTL_DEL. Returns 0 or -EPERM (target
 * can't be watched), -EINVAL (target is self, bad op, EPOLLEXCLUSIVE misuse), -EBADF (O_PATH),
 * -ELOOP (a cycle of epolls, or nesting deeper than EVENTPOLL_MAX_NESTS), -EEXIST (ADD twice),
 * -ENOENT (MOD/DEL of no watch), -ENOSPC, -ENOMEM. */
int eventpoll_ctl(EventPoll *ep, OpenFile *self, int op, int fd, OpenFile *target,
                  const struct epoll_event *event);

/* Stores the events of up to max (> 0) ready watches into ret and returns how many; firing
 * oneshot and edge-triggered watches as it reports them. */
int eventpoll_collect(EventPoll *ep, struct epoll_event *ret, int max);

/* The instance's own poll bits (POLLIN when a wait would report something), without firing
 * anything; depth counts the epolls above it. */
uint32_t eventpoll_poll(EventPoll *ep, unsigned depth);

/* Drops every watch of f in every instance: f is being freed. */
void eventpoll_file_released(OpenFile *f);

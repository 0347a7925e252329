/* SPDX-License-Identifier: MIT */
#include "epoll.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>

#include "macro.h"
#include "readiness.h"

/* Flags that stay on a watch whose oneshot has fired (Linux's EP_PRIVATE_BITS). */
#define EVENTPOLL_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
/* What EPOLLEXCLUSIVE may be combined with. */
#define EVENTPOLL_EXCLUSIVE_OK_BITS                                                                \
        (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)

/* Every live instance, so releasing a file can drop its watches wherever they are. The worker
 * serves one program on one thread; nothing else walks this list. */
static EventPoll *instances;

int eventpoll_new(EventPoll **ret) {
        EventPoll *ep = calloc(1, sizeof(*ep));
        if (!ep)
                return -ENOMEM;
        ep->next_instance = instances;
        if (instances)
                instances->prev_instance = ep;
        instances = ep;
        *ret = ep;
        return 0;
}

static void entry_unlink(EventPoll *ep, EventPollEntry *e) {
        if (e->prev)
                e->prev->next = e->next;
        else
                ep->first = e->next;
        if (e->next)
                e->next->prev = e->prev;
        else
                ep->last = e->prev;
        e->prev = e->next = NULL;
}

static void entry_append(EventPoll *ep, EventPollEntry *e) {
        e->prev = ep->last;
        e->next = NULL;
        if (ep->last)
                ep->last->next = e;
        else
                ep->first = e;
        ep->last = e;
}

static void entry_remove(EventPoll *ep, EventPollEntry *e) {
        entry_unlink(ep, e);
        ep->n_entries--;
        free(e);
}

EventPoll *eventpoll_free(EventPoll *ep) {
        if (!ep)
                return NULL;
        while (ep->first)
                entry_remove(ep, ep->first);
        if (ep->prev_instance)
                ep->prev_instance->next_instance = ep->next_instance;
        else if (instances == ep)
                instances = ep->next_instance;
        if (ep->next_instance)
                ep->next_instance->prev_instance = ep->prev_instance;
        wait_queue_release(&ep->waiters);
        free(ep);
        return NULL;
}

void eventpoll_file_released(OpenFile *f) {
        for (EventPoll *ep = instances; ep; ep = ep->next_instance)
                for (EventPollEntry *e = ep->first, *next; e; e = next) {
                        next = e->next;
                        if (e->file == f)
                                entry_remove(ep, e);
                }
}

static EventPollEntry *entry_find(EventPoll *ep, int fd, const OpenFile *f) {
        for (EventPollEntry *e = ep->first; e; e = e->next)
                if (e->fd == fd && e->file == f)
                        return e;
        return NULL;
}

/* The longest chain of epolls below `from` (0: it watches none), or past the limit when `to`
 * is among them: adding `from` into `to` would close a cycle. */
static unsigned depth_below(const EventPoll *from, const EventPoll *to, unsigned depth) {
        unsigned deepest = depth;

        if (depth > EVENTPOLL_MAX_NESTS)
                return depth;
        for (const EventPollEntry *e = from->first; e; e = e->next) {
                if (e->file->kind != FILE_EPOLL)
                        continue;
                if (e->file->epoll == to)
                        return EVENTPOLL_MAX_NESTS + 1;
                deepest = MAX(deepest, depth_below(e->file->epoll, to, depth + 1));
                if (deepest > EVENTPOLL_MAX_NESTS)
                        break;
        }
        return deepest;
}

/* The longest chain of epolls above `ep` (0: no epoll watches it). */
static unsigned depth_above(const EventPoll *ep, unsigned depth) {
        unsigned deepest = depth;

        if (depth > EVENTPOLL_MAX_NESTS)
                return depth;
        for (const EventPoll *up = instances; up; up = up->next_instance)
                for (const EventPollEntry *e = up->first; e; e = e->next)
                        if (e->file->kind == FILE_EPOLL && e->file->epoll == ep) {
                                deepest = MAX(deepest, depth_above(up, depth + 1));
                                break;
                        }
        return deepest;
}

static int check_nesting(EventPoll *ep, EventPoll *target) {
        unsigned below = depth_below(target, ep, 0);
        if (below > EVENTPOLL_MAX_NESTS)
                return -ELOOP;
        if (below + 1 + depth_above(ep, 0) > EVENTPOLL_MAX_NESTS)
                return -ELOOP;
        return 0;
}

int eventpoll_ctl(EventPoll *ep, OpenFile *self, int op, int fd, OpenFile *target,
                  const struct epoll_event *event) {
        uint32_t events = 0;
        EventPollEntry *e;
        int r;

        /* The checks in the order of Linux's do_epoll_ctl(), so each mistake gets its errno. */
        if ((self->flags & O_PATH) || (target->flags & O_PATH))
                return -EBADF;
        if (!readiness_epoll_can_watch(target))
                return -EPERM;
        if (target == self || self->kind != FILE_EPOLL)
                return -EINVAL;
        if (op != EPOLL_CTL_DEL) {
                events = event->events;
                if (events & EPOLLEXCLUSIVE) {
                        if (op == EPOLL_CTL_MOD)
                                return -EINVAL;
                        if (op == EPOLL_CTL_ADD &&
                            (target->kind == FILE_EPOLL || (events & ~EVENTPOLL_EXCLUSIVE_OK_BITS)))
                                return -EINVAL;
                }
                events |= EPOLLERR | EPOLLHUP;
        }

        e = entry_find(ep, fd, target);
        switch (op) {
        case EPOLL_CTL_ADD:
                if (target->kind == FILE_EPOLL) {
                        r = check_nesting(ep, target->epoll);
                        if (r < 0)
                                return r;
                }
                if (e)
                        return -EEXIST;
                if (ep->n_entries >= EVENTPOLL_MAX_WATCHES)
                        return -ENOSPC;
                e = calloc(1, sizeof(*e));
                if (!e)
                        return -ENOMEM;
                *e = (EventPollEntry){.fd = fd,
                                      .file = target,
                                      .events = events,
                                      .data = event->data.u64,
                                      .armed = true};
                entry_append(ep, e);
                ep->n_entries++;
                wait_queue_wake(&ep->waiters); /* a waiter must watch the new file too */
                return 0;
        case EPOLL_CTL_MOD:
                if (!e)
                        return -ENOENT;
                /* Linux refuses to change an exclusive watch. */
                if (e->events & EPOLLEXCLUSIVE)
                        return -EINVAL;
                e->events = events;
                e->data = event->data.u64;
                e->armed = true;
                wait_queue_wake(&ep->waiters);
                return 0;
        case EPOLL_CTL_DEL:
                if (!e)
                        return -ENOENT;
                entry_remove(ep, e);
                return 0;
        default:
                return -EINVAL;
        }
}

/* The events entry e would report now (0: none); `fire` applies what reporting them means. */
static uint32_t entry_check(EventPollEntry *e, unsigned depth, bool fire) {
        uint32_t ready;

        if (!(e->events & ~EVENTPOLL_PRIVATE_BITS))
                return 0; /* a oneshot that has fired */
        ready = readiness_poll_nested(e->file, depth) & e->events;
        if (!ready)
                return 0;
        if (e->events & EPOLLET) {
                uint64_t generation = readiness_generation(e->file);
                if (generation != 0 && !e->armed && generation == e->seen_generation)
                        return 0;
                if (fire) {
                        e->seen_generation = generation;
                        e->armed = false;
                }
        }
        if (fire && (e->events & EPOLLONESHOT))
                e->events &= EVENTPOLL_PRIVATE_BITS;
        return ready;
}

int eventpoll_collect(EventPoll *ep, struct epoll_event *ret, int max) {
        EventPollEntry *reported = NULL, *reported_last = NULL;
        int n = 0;

        for (EventPollEntry *e = ep->first, *next; e && n < max; e = next) {
                uint32_t ready;

                next = e->next;
                ready = entry_check(e, 0, true);
                if (!ready)
                        continue;
                ret[n++] = (struct epoll_event){.events = ready, .data.u64 = e->data};
                /* Gather reported entries on a side list; they go to the back below. */
                entry_unlink(ep, e);
                e->prev = reported_last;
                if (reported_last)
                        reported_last->next = e;
                else
                        reported = e;
                reported_last = e;
        }
        for (EventPollEntry *e = reported, *next; e; e = next) {
                next = e->next;
                entry_append(ep, e);
        }
        return n;
}

uint32_t eventpoll_poll(EventPoll *ep, unsigned depth) {
        if (depth > EVENTPOLL_MAX_NESTS)
                return 0;
        for (EventPollEntry *e = ep->first; e; e = e->next)
                if (entry_check(e, depth + 1, false))
                        return POLLIN | POLLRDNORM;
        return 0;
}

/* SPDX-License-Identifier: MIT */
#include "readiness.h"

#include <poll.h>

#include "epoll.h"
#include "eventfd.h"
#include "socket.h"

uint32_t readiness_poll_nested(OpenFile *f, unsigned depth) {
        uint32_t mask = 0;

        switch (f->kind) {
        case FILE_NODE:
                return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
        case FILE_PIPE_READ:
                /* pipe_poll(): data and a hang-up can both hold. */
                if (pipe_bytes_available(f->pipe) > 0)
                        mask |= POLLIN | POLLRDNORM;
                if (f->pipe->n_writers == 0)
                        mask |= POLLHUP;
                return mask;
        case FILE_PIPE_WRITE:
                if (pipe_bytes_available(f->pipe) < PIPE_CAPACITY)
                        mask |= POLLOUT | POLLWRNORM;
                if (f->pipe->n_readers == 0)
                        mask |= POLLERR;
                return mask;
        case FILE_STDIN:
                /* The worker hands stdin over whole: a pipe whose writer has already closed. */
                if (f->pos < f->input_size)
                        mask |= POLLIN | POLLRDNORM;
                return mask | POLLHUP;
        case FILE_OUTPUT:
                return POLLOUT | POLLWRNORM; /* a pipe the worker always drains */
        case FILE_SOCKET:
                return socket_poll(f->socket);
        case FILE_EVENTFD:
                return event_counter_poll(f->counter);
        case FILE_EPOLL:
                return eventpoll_poll(f->epoll, depth);
        }
        return 0;
}

static void watch_nested(OpenFile *f, WaitSet *ws, unsigned depth) {
        switch (f->kind) {
        case FILE_PIPE_READ:
        case FILE_PIPE_WRITE:
                wait_set_add(ws, &f->pipe->waiters);
                return;
        case FILE_SOCKET:
                wait_set_add(ws, &f->socket->waiters);
                return;
        case FILE_EVENTFD:
                wait_set_add(ws, &f->counter->waiters);
                return;
        case FILE_EPOLL:
                wait_set_add(ws, &f->epoll->waiters);
                /* Nesting is bounded by epoll_ctl (EVENTPOLL_MAX_NESTS, no cycles). */
                if (depth <= EVENTPOLL_MAX_NESTS)
                        for (EventPollEntry *e = f->epoll->first; e; e = e->next)
                                watch_nested(e->file, ws, depth + 1);
                return;
        case FILE_NODE:
        case FILE_STDIN:
        case FILE_OUTPUT:
                return;
        }
}

void readiness_watch(OpenFile *f, WaitSet *ws) {
        watch_nested(f, ws, 0);
}

uint32_t readiness_poll(OpenFile *f) {
        return readiness_poll_nested(f, 0);
}

uint64_t readiness_generation(const OpenFile *f) {
        /* Counters start at 0 and only move up; +1 keeps "0 = no counter" apart. */
        switch (f->kind) {
        case FILE_SOCKET:
                return f->socket->generation + 1;
        case FILE_EVENTFD:
                return f->counter->generation + 1;
        default:
                return 0;
        }
}

bool readiness_epoll_can_watch(const OpenFile *f) {
        return f->kind != FILE_NODE;
}

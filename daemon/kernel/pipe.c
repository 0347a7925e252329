/* SPDX-License-Identifier: MIT */
#include "pipe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

int pipe_new(uint64_t ino, Pipe **ret) {
        Pipe *p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->n_ref = 1;
        p->ino = ino;
        *ret = p;
        return 0;
}

Pipe *pipe_ref(Pipe *p) {
        p->n_ref++;
        return p;
}

Pipe *pipe_unref(Pipe *p) {
        if (!p || --p->n_ref > 0)
                return NULL;
        wait_queue_release(&p->waiters);
        free(p->ring);
        free(p);
        return NULL;
}

void pipe_open_end(Pipe *p, bool write_end) {
        if (write_end)
                p->n_writers++;
        else
                p->n_readers++;
}

void pipe_close_end(Pipe *p, bool write_end) {
        unsigned *n = write_end ? &p->n_writers : &p->n_readers;
        if (*n > 0)
                (*n)--;
        wait_queue_wake(&p->waiters); /* EOF for readers, EPIPE for writers */
        if (p->n_readers == 0) {
                /* Nobody can read what is buffered: give the memory back now. */
                free(p->ring);
                p->ring = NULL;
                p->head = p->used = 0;
        }
}

size_t pipe_bytes_available(const Pipe *p) {
        return p->used;
}

ssize_t pipe_read(Pipe *p, void *buf, size_t length) {
        if (length == 0)
                return 0;
        if (p->used == 0)
                return p->n_writers > 0 ? -EAGAIN : 0;

        size_t n = MIN(length, p->used);
        size_t first = MIN(n, (size_t)PIPE_CAPACITY - p->head);
        memcpy(buf, p->ring + p->head, first);
        memcpy((uint8_t *)buf + first, p->ring, n - first);
        p->head = (p->head + n) % PIPE_CAPACITY;
        p->used -= n;
        if (p->used == 0)
                p->head = 0;
        wait_queue_wake(&p->waiters); /* room for writers */
        return (ssize_t)n;
}

ssize_t pipe_write(Pipe *p, const void *buf, size_t length) {
        if (p->n_readers == 0)
                return -EPIPE;
        if (length == 0)
                return 0;
        size_t space = PIPE_CAPACITY - p->used;
        if (space == 0 || (length <= PIPE_ATOMIC_MAX && length > space))
                return -EAGAIN;
        if (!p->ring) {
                p->ring = malloc(PIPE_CAPACITY);
                if (!p->ring)
                        return -ENOMEM;
        }

        size_t n = MIN(length, space);
        size_t tail = (p->head + p->used) % PIPE_CAPACITY;
        size_t first = MIN(n, (size_t)PIPE_CAPACITY - tail);
        memcpy(p->ring + tail, buf, first);
        memcpy(p->ring, (const uint8_t *)buf + first, n - first);
        p->used += n;
        wait_queue_wake(&p->waiters); /* data for readers */
        return (ssize_t)n;
}

/* SPDX-License-Identifier: MIT */
/* A pipe: a bounded byte ring shared by one read end and one write end (each an open file that
 * may be dup'd; the ends count their open files). Never blocks: an empty pipe with writers gives
 * -EAGAIN and a full one -EAGAIN, and the syscall layer decides whether to block the thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wait-queue.h"

/* Linux's default pipe capacity (16 pages). */
#define PIPE_CAPACITY 65536u
/* Writes of at most this many bytes are atomic: all or -EAGAIN (POSIX PIPE_BUF). */
#define PIPE_ATOMIC_MAX 4096u

typedef struct Pipe {
        unsigned n_ref;     /* open files of either end */
        unsigned n_readers; /* open files of the read end */
        unsigned n_writers;
        uint64_t ino;
        uint8_t *ring; /* allocated on first write */
        size_t head;   /* next byte to read */
        size_t used;
        WaitQueue waiters; /* woken when data, room or an end comes or goes */
} Pipe;

int pipe_new(uint64_t ino, Pipe **ret);
Pipe *pipe_ref(Pipe *p);
Pipe *pipe_unref(Pipe *p);

void pipe_open_end(Pipe *p, bool write_end);
void pipe_close_end(Pipe *p, bool write_end);

/* Bytes read; 0 at EOF (empty, no writers); -EAGAIN when empty with writers. */
ssize_t pipe_read(Pipe *p, void *buf, size_t length);
/* Bytes written (possibly fewer than asked when the ring fills); -EAGAIN when nothing fits;
 * -EPIPE when no reader is left (the caller raises SIGPIPE). */
ssize_t pipe_write(Pipe *p, const void *buf, size_t length);
size_t pipe_bytes_available(const Pipe *p);

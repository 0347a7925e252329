/* SPDX-License-Identifier: MIT */
/* eventfd(2) objects: a 64-bit counter read and written 8 bytes at a time. A write adds its
 * value; a read returns the counter and zeroes it, or with EFD_SEMAPHORE returns 1 and
 * decrements it. Nothing here blocks: a read of 0 and a write that would overflow give -EAGAIN,
 * and the syscall layer decides. Owned by one open file. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wait-queue.h"

/* The counter's ceiling: a write may bring it up to here, never to UINT64_MAX. */
#define EVENT_COUNTER_MAX UINT64_C(0xfffffffffffffffe)

typedef struct EventCounter {
        uint64_t count;
        bool semaphore;
        uint64_t generation; /* moves on every read and write */
        WaitQueue waiters;   /* woken with it */
} EventCounter;

int event_counter_new(uint64_t initial, bool semaphore, EventCounter **ret);
EventCounter *event_counter_free(EventCounter *c);

/* 8 bytes read into buf; -EINVAL when length < 8; -EAGAIN when the counter is 0. */
ssize_t event_counter_read(EventCounter *c, void *buf, size_t length);
/* 8 bytes taken from buf; -EINVAL when length < 8 or for the value UINT64_MAX; -EAGAIN when
 * the counter would pass EVENT_COUNTER_MAX. */
ssize_t event_counter_write(EventCounter *c, const void *buf, size_t length);
/* poll(2) bits: POLLIN when nonzero, POLLOUT while 1 more fits. */
uint32_t event_counter_poll(const EventCounter *c);

/* SPDX-License-Identifier: MIT */
/* Waiting on what is waited for. Each object whose state another thread can change (a pipe, a
 * socket, an eventfd, an epoll) has a WaitQueue; a thread about to block registers on the queues
 * of everything it waits for (its WaitSet: one file for a read, every polled file for poll and
 * select, an epoll and what it watches for epoll_wait), and a change to an object wakes the
 * threads on its queue, which then look again (Linux's wait queues and poll tables). Futexes
 * are keyed by address instead (thread.c). */
#pragma once

#include <stdbool.h>

typedef struct Process Process;
typedef struct Thread Thread;
typedef struct WaitQueue WaitQueue;

typedef struct Waiter {
        WaitQueue *queue; /* NULL once the queue's object went away */
        struct Waiter *prev, *next;
        struct Waiter *next_in_set;
        Thread *thread;
} Waiter;

struct WaitQueue {
        Waiter *first;
};

typedef struct WaitSet {
        Thread *thread;
        Waiter *first;
        /* A registration failed for memory: the wait must not rely on being woken. */
        bool incomplete;
} WaitSet;

/* Wakes every thread waiting on q; they re-check what they wait for. */
void wait_queue_wake(WaitQueue *q);
/* q's object goes away: wakes its waiters and forgets them (their sets no longer point at q). */
void wait_queue_release(WaitQueue *q);

/* A set for p's thread on the vCPU, the one about to wait. */
void wait_set_init(WaitSet *ws, Process *p);
/* Registers the set's thread on q (once per call; a queue may be added twice harmlessly). */
void wait_set_add(WaitSet *ws, WaitQueue *q);
/* Unregisters from every queue and frees the registrations. */
void wait_set_done(WaitSet *ws);

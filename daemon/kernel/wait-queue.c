/* SPDX-License-Identifier: MIT */
#include "wait-queue.h"

#include <stdlib.h>

#include "process.h"
#include "thread-internal.h"

void wait_queue_wake(WaitQueue *q) {
        for (Waiter *w = q->first; w; w = w->next)
                sched_wake(w->thread);
}

void wait_queue_release(WaitQueue *q) {
        Waiter *w = q->first;

        while (w) {
                Waiter *next = w->next;
                sched_wake(w->thread);
                w->queue = NULL;
                w->prev = w->next = NULL;
                w = next;
        }
        q->first = NULL;
}

void wait_set_init(WaitSet *ws, Process *p) {
        *ws = (WaitSet){.thread = thread_current(p->sandbox)};
        ws->thread->wait_set = ws;
}

void wait_set_add(WaitSet *ws, WaitQueue *q) {
        Waiter *w = calloc(1, sizeof(*w));

        if (!w) {
                ws->incomplete = true;
                return;
        }
        w->thread = ws->thread;
        w->queue = q;
        w->next = q->first;
        if (q->first)
                q->first->prev = w;
        q->first = w;
        w->next_in_set = ws->first;
        ws->first = w;
}

void wait_set_done(WaitSet *ws) {
        Waiter *w = ws->first;

        while (w) {
                Waiter *next = w->next_in_set;
                if (w->queue) {
                        if (w->prev)
                                w->prev->next = w->next;
                        else
                                w->queue->first = w->next;
                        if (w->next)
                                w->next->prev = w->prev;
                }
                free(w);
                w = next;
        }
        ws->first = NULL;
        if (ws->thread->wait_set == ws)
                ws->thread->wait_set = NULL;
}

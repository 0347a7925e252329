/* SPDX-License-Identifier: MIT */
/* Waiting is registration on what is waited for: a change to one object wakes the threads
 * registered on it and no other; an object that goes away, or a thread freed in its wait, leaves
 * no dangling registration. */
#include <errno.h>
#include <string.h>

#include "eventfd.h"
#include "file.h"
#include "pipe.h"
#include "process.h"
#include "readiness.h"
#include "thread-internal.h"
#include "wait-queue.h"
#include "test-helpers.h"

static Thread *waiting(Sandbox *s) {
        Thread *t = thread_main(s);
        t->state = THREAD_WAITING;
        t->woken = false;
        return t;
}

int main(void) {
        Sandbox s = {0};
        Process p = {.sandbox = &s, .pid = 2};
        WaitQueue a = {0}, b = {0}, other = {0};
        WaitSet ws;
        Thread *t;

        CHECK_EQ(threads_init(&p), 0);

        /* Woken by what it waits on, not by anything else. */
        t = waiting(&s);
        wait_set_init(&ws, &p);
        wait_set_add(&ws, &a);
        wait_set_add(&ws, &b);
        CHECK(t->wait_set == &ws);
        wait_queue_wake(&other);
        CHECK_EQ(t->state, THREAD_WAITING);
        wait_queue_wake(&b);
        CHECK_EQ(t->state, THREAD_RUNNABLE);
        CHECK(t->woken);
        wait_set_done(&ws);
        CHECK(a.first == NULL && b.first == NULL);
        CHECK(t->wait_set == NULL);

        /* A queue whose object goes away while registered: the waiter is woken and forgotten,
         * and the set's end touches the queue no more. */
        t = waiting(&s);
        wait_set_init(&ws, &p);
        wait_set_add(&ws, &a);
        wait_set_add(&ws, &b);
        wait_queue_release(&a);
        CHECK_EQ(t->state, THREAD_RUNNABLE);
        CHECK(a.first == NULL);
        memset(&a, 0xa5, sizeof(a)); /* "freed": wait_set_done must not write here */
        wait_set_done(&ws);
        CHECK(b.first == NULL);
        a = (WaitQueue){0};

        /* A pipe wakes the readers registered through readiness_watch when data comes, and its
         * reader's registration is not woken by an eventfd it doesn't watch. */
        Pipe *pipe;
        OpenFile *rd, *wr, *ev;
        EventCounter *c;
        uint64_t one = 1;
        CHECK_EQ(pipe_new(1, &pipe), 0);
        CHECK_EQ(file_new_pipe(pipe, false, 0, &rd), 0);
        CHECK_EQ(file_new_pipe(pipe, true, 0, &wr), 0);
        CHECK_EQ(event_counter_new(0, false, &c), 0);
        CHECK_EQ(file_new_eventfd(c, 0, &ev), 0);
        t = waiting(&s);
        wait_set_init(&ws, &p);
        readiness_watch(rd, &ws);
        CHECK_EQ(file_write(ev, &one, sizeof(one)), (ssize_t)sizeof(one));
        CHECK_EQ(t->state, THREAD_WAITING);
        CHECK_EQ(file_write(wr, "x", 1), 1);
        CHECK_EQ(t->state, THREAD_RUNNABLE);
        wait_set_done(&ws);

        /* The last end closed while a thread waits on the pipe: woken, then unregistered by the
         * pipe itself. */
        t = waiting(&s);
        wait_set_init(&ws, &p);
        readiness_watch(rd, &ws);
        file_unref(wr);
        CHECK_EQ(t->state, THREAD_RUNNABLE);
        file_unref(rd); /* frees the pipe */
        wait_set_done(&ws);
        file_unref(ev);

        /* A thread the sandbox ends in its wait never returns to unregister: freeing it does. */
        t = waiting(&s);
        wait_set_init(&ws, &p);
        wait_set_add(&ws, &b);
        threads_free(&s);
        CHECK(b.first == NULL);
        return checks_report("test-wait-queue");
}

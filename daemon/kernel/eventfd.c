/* SPDX-License-Identifier: MIT */
#include "eventfd.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

int event_counter_new(uint64_t initial, bool semaphore, EventCounter **ret) {
        EventCounter *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->count = initial;
        c->semaphore = semaphore;
        *ret = c;
        return 0;
}

EventCounter *event_counter_free(EventCounter *c) {
        if (c)
                wait_queue_release(&c->waiters);
        free(c);
        return NULL;
}

ssize_t event_counter_read(EventCounter *c, void *buf, size_t length) {
        uint64_t value;

        if (length < sizeof(value))
                return -EINVAL;
        if (c->count == 0)
                return -EAGAIN;
        value = c->semaphore ? 1 : c->count;
        c->count -= value;
        c->generation++;
        wait_queue_wake(&c->waiters);
        memcpy(buf, &value, sizeof(value));
        return sizeof(value);
}

ssize_t event_counter_write(EventCounter *c, const void *buf, size_t length) {
        uint64_t value;

        if (length < sizeof(value))
                return -EINVAL;
        memcpy(&value, buf, sizeof(value));
        if (value == UINT64_MAX)
                return -EINVAL;
        if (value > EVENT_COUNTER_MAX - c->count)
                return -EAGAIN;
        c->count += value;
        c->generation++;
        wait_queue_wake(&c->waiters);
        return sizeof(value);
}

uint32_t event_counter_poll(const EventCounter *c) {
        uint32_t mask = 0;

        /* eventfd_poll() sets neither POLLRDNORM nor POLLWRNORM. */
        if (c->count > 0)
                mask |= POLLIN;
        if (c->count < EVENT_COUNTER_MAX)
                mask |= POLLOUT;
        return mask;
}

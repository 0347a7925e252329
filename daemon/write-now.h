/* SPDX-License-Identifier: MIT */
/* Writes on a bufferevent go out on the next turn of the event loop, after epoll has said the
 * socket is writable, which it nearly always is: an epoll_ctl and an epoll_wait more on every
 * hop of a request (client → daemon → worker → daemon → client). When nothing else is queued,
 * write at once; what doesn't fit stays queued for the bufferevent as before. */
#pragma once

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdbool.h>

static inline int bufferevent_write_now(struct bufferevent *bev, const void *data, size_t size) {
        struct evbuffer *out = bufferevent_get_output(bev);
        bool was_empty = evbuffer_get_length(out) == 0;

        if (bufferevent_write(bev, data, size) < 0)
                return -1;
        if (was_empty)
                (void)evbuffer_write(out, bufferevent_getfd(bev));
        return 0;
}

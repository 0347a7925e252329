/* SPDX-License-Identifier: MIT */
/* Writes on a bufferevent go out on the next turn of the event loop, after epoll has said the
 * socket is writable, which it nearly always is: an epoll_ctl and an epoll_wait more on every
 * hop of a request (client → daemon → worker → daemon → client). When nothing is queued, write
 * to the fd at once and queue only what didn't fit. (Not through evbuffer_write(): a socket
 * bufferevent freezes the front of its output buffer, so that call always fails.) */
#pragma once

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <unistd.h>

static inline int bufferevent_write_now(struct bufferevent *bev, const void *data, size_t size) {
        const char *p = data;

        if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
                ssize_t n;

                do
                        n = write(bufferevent_getfd(bev), p, size);
                while (n < 0 && errno == EINTR);
                /* The fd is non-blocking: EAGAIN leaves it all for the bufferevent, and a real
                 * error is the bufferevent's to find and report when it writes. */
                if (n > 0) {
                        p += n;
                        size -= (size_t)n;
                }
                if (size == 0)
                        return 0;
        }
        return bufferevent_write(bev, p, size);
}

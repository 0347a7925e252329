/* SPDX-License-Identifier: MIT */
/* Unit tests of the objects behind poll, select and epoll, on the host: AF_UNIX socket pairs,
 * eventfd counters, readiness of every kind of open file, and epoll instances (watch keys, level,
 * edge and oneshot reporting, nesting limits, watches dropped when their file goes). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "epoll.h"
#include "eventfd.h"
#include "file.h"
#include "macro.h"
#include "pipe.h"
#include "readiness.h"
#include "socket.h"

#include "test-helpers.h"

static void socket_files(OpenFile *ret[2]) {
        Socket *pair[2];
        CHECK_EQ(socket_new_pair(SOCK_STREAM, 100, 101, pair), 0);
        CHECK_EQ(file_new_socket(pair[0], 0, &ret[0]), 0);
        CHECK_EQ(file_new_socket(pair[1], O_NONBLOCK, &ret[1]), 0);
}

static OpenFile *epoll_file(void) {
        EventPoll *ep;
        OpenFile *f;
        CHECK_EQ(eventpoll_new(&ep), 0);
        CHECK_EQ(file_new_epoll(ep, &f), 0);
        return f;
}

static OpenFile *eventfd_file(uint64_t initial, bool semaphore) {
        EventCounter *c;
        OpenFile *f;
        CHECK_EQ(event_counter_new(initial, semaphore, &c), 0);
        CHECK_EQ(file_new_eventfd(c, 0, &f), 0);
        return f;
}

static int ctl(OpenFile *ep, int op, int fd, OpenFile *target, uint32_t events, uint64_t data) {
        struct epoll_event ev = {.events = events, .data.u64 = data};
        return eventpoll_ctl(ep->epoll, ep, op, fd, target, &ev);
}

static int collect(OpenFile *ep, struct epoll_event *events, int max) {
        return eventpoll_collect(ep->epoll, events, max);
}

static void test_socketpair(void) {
        OpenFile *s[2];
        char buf[64];
        struct stat st;

        socket_files(s);
        CHECK_EQ(s[0]->flags, O_RDWR);
        CHECK_EQ(s[1]->flags, O_RDWR | O_NONBLOCK);
        file_stat(s[0], &st);
        CHECK(S_ISSOCK(st.st_mode));
        CHECK_EQ(st.st_ino, 100);

        CHECK_EQ(file_read(s[1], buf, sizeof(buf)), -EAGAIN);
        CHECK_EQ(readiness_poll(s[1]), POLLOUT | POLLWRNORM | POLLWRBAND);
        CHECK_EQ(file_write(s[0], "hello", 5), 5);
        CHECK_EQ(readiness_poll(s[1]) & POLLIN, POLLIN);
        CHECK_EQ(socket_recv(s[1]->socket, buf, 2, MSG_PEEK), 2);
        CHECK(memcmp(buf, "he", 2) == 0);
        CHECK_EQ(socket_bytes_available(s[1]->socket), 5);
        CHECK_EQ(file_read(s[1], buf, sizeof(buf)), 5);
        CHECK(memcmp(buf, "hello", 5) == 0);
        CHECK_EQ(readiness_poll(s[1]) & POLLIN, 0);

        /* Both directions. */
        CHECK_EQ(file_write(s[1], "back", 4), 4);
        CHECK_EQ(file_read(s[0], buf, sizeof(buf)), 4);

        /* SHUT_WR: the peer drains, then reads EOF; this end can't send any more. */
        CHECK_EQ(file_write(s[0], "xy", 2), 2);
        CHECK_EQ(socket_shutdown(s[0]->socket, SHUT_WR), 0);
        CHECK_EQ(file_write(s[0], "z", 1), -EPIPE);
        CHECK_EQ(readiness_poll(s[1]) & (POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
        CHECK_EQ(file_read(s[1], buf, sizeof(buf)), 2);
        CHECK_EQ(file_read(s[1], buf, sizeof(buf)), 0);
        CHECK_EQ(file_write(s[1], "ok", 2), 2); /* the other direction still works */
        CHECK_EQ(socket_shutdown(s[0]->socket, 7), -EINVAL);

        /* Closing an end with unread data: the peer gets ECONNRESET once, then EOF. */
        CHECK_EQ(file_write(s[1], "lost", 4), 4);
        file_unref(s[0]);
        CHECK_EQ(readiness_poll(s[1]) & (POLLERR | POLLHUP | POLLIN), POLLERR | POLLHUP | POLLIN);
        CHECK_EQ(file_read(s[1], buf, sizeof(buf)), -ECONNRESET);
        CHECK_EQ(file_read(s[1], buf, sizeof(buf)), 0);
        CHECK_EQ(file_write(s[1], "x", 1), -EPIPE);
        file_unref(s[1]);
}

static void test_socket_buffer(void) {
        OpenFile *s[2];
        static uint8_t big[SOCKET_BUFFER_DEFAULT + 1000];
        static uint8_t got[sizeof(big)];
        size_t total = 0;
        ssize_t n;

        for (size_t i = 0; i < sizeof(big); i++)
                big[i] = (uint8_t)(i * 7);
        socket_files(s);
        n = file_write(s[0], big, sizeof(big));
        CHECK_EQ(n, SOCKET_BUFFER_DEFAULT); /* a short write at the send buffer's size */
        CHECK_EQ(file_write(s[0], big, 1), -EAGAIN);
        CHECK_EQ(readiness_poll(s[0]) & POLLOUT, 0);
        while ((n = file_read(s[1], got + total, 1000)) > 0)
                total += (size_t)n;
        CHECK_EQ(total, SOCKET_BUFFER_DEFAULT);
        CHECK(memcmp(got, big, total) == 0);
        CHECK_EQ(readiness_poll(s[0]) & POLLOUT, POLLOUT);

        /* SO_SNDBUF doubles what is asked, with Linux's floor; it bounds what is in flight. */
        int v = 1000;
        size_t len = sizeof(v);
        CHECK_EQ(socket_setsockopt(s[0]->socket, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0);
        CHECK_EQ(socket_getsockopt(s[0]->socket, SOL_SOCKET, SO_SNDBUF, &v, &len), 0);
        CHECK_EQ(v, SOCKET_SNDBUF_MIN);
        CHECK_EQ(file_write(s[0], big, sizeof(big)), SOCKET_SNDBUF_MIN);
        v = 1;
        CHECK_EQ(socket_setsockopt(s[0]->socket, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), 0);
        CHECK_EQ(socket_getsockopt(s[0]->socket, SOL_SOCKET, SO_REUSEADDR, &v, &len), 0);
        CHECK_EQ(v, 1);
        CHECK_EQ(socket_getsockopt(s[0]->socket, SOL_SOCKET, SO_TYPE, &v, &len), 0);
        CHECK_EQ(v, SOCK_STREAM);
        CHECK_EQ(socket_getsockopt(s[0]->socket, SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
        CHECK_EQ(v, AF_UNIX);
        CHECK_EQ(socket_getsockopt(s[0]->socket, SOL_SOCKET, 9999, &v, &len), -ENOPROTOOPT);
        CHECK_EQ(socket_setsockopt(s[0]->socket, SOL_SOCKET, SO_SNDBUF, &v, 2), -EINVAL);
        CHECK_EQ(socket_setsockopt(s[0]->socket, 6 /* IPPROTO_TCP */, 1, &v, sizeof(v)),
                 -EOPNOTSUPP);
        /* A short optlen gets a short value. */
        len = 1;
        CHECK_EQ(socket_getsockopt(s[0]->socket, SOL_SOCKET, SO_TYPE, &v, &len), 0);
        CHECK_EQ(len, 1);
        file_unref(s[0]);
        file_unref(s[1]);
}

static void test_unconnected(void) {
        Socket *s;
        char c = 0;

        CHECK_EQ(socket_new_unconnected(SOCK_STREAM, 7, &s), 0);
        CHECK_EQ(socket_send(s, &c, 1), -ENOTCONN);
        CHECK_EQ(socket_recv(s, &c, 1, 0), -EINVAL);
        CHECK_EQ(socket_poll(s) & POLLHUP, POLLHUP);
        CHECK_EQ(socket_shutdown(s, SHUT_RDWR), 0);
        socket_free(s);
        CHECK_EQ(socket_new_unconnected(SOCK_DGRAM, 7, &s), -EOPNOTSUPP);
}

static void test_eventfd(void) {
        OpenFile *f = eventfd_file(3, false), *sem = eventfd_file(2, true);
        uint64_t v;
        struct stat st;

        file_stat(f, &st);
        CHECK_EQ(st.st_mode, 0600);
        CHECK_EQ(readiness_poll(f), POLLIN | POLLOUT);
        CHECK_EQ(file_read(f, &v, 4), -EINVAL);
        CHECK_EQ(file_read(f, &v, 8), 8);
        CHECK_EQ(v, 3);
        CHECK_EQ(file_read(f, &v, 8), -EAGAIN);
        CHECK_EQ(readiness_poll(f), POLLOUT);
        v = UINT64_MAX;
        CHECK_EQ(file_write(f, &v, 8), -EINVAL);
        v = EVENT_COUNTER_MAX;
        CHECK_EQ(file_write(f, &v, 8), 8);
        CHECK_EQ(readiness_poll(f), POLLIN);
        v = 1;
        CHECK_EQ(file_write(f, &v, 8), -EAGAIN);
        CHECK_EQ(file_write(f, &v, 7), -EINVAL);

        CHECK_EQ(file_read(sem, &v, 8), 8);
        CHECK_EQ(v, 1);
        CHECK_EQ(file_read(sem, &v, 8), 8);
        CHECK_EQ(v, 1);
        CHECK_EQ(file_read(sem, &v, 8), -EAGAIN);
        file_unref(f);
        file_unref(sem);
}

static void test_readiness_of_pipes(void) {
        Pipe *p;
        OpenFile *r, *w;
        char buf[8];

        CHECK_EQ(pipe_new(5, &p), 0);
        CHECK_EQ(file_new_pipe(p, false, 0, &r), 0);
        CHECK_EQ(file_new_pipe(p, true, 0, &w), 0);
        pipe_unref(p);
        CHECK_EQ(readiness_poll(r), 0);
        CHECK_EQ(readiness_poll(w), POLLOUT | POLLWRNORM);
        CHECK_EQ(file_write(w, "a", 1), 1);
        CHECK_EQ(readiness_poll(r), POLLIN | POLLRDNORM);
        file_unref(w);
        CHECK_EQ(readiness_poll(r), POLLIN | POLLRDNORM | POLLHUP);
        CHECK_EQ(file_read(r, buf, sizeof(buf)), 1);
        CHECK_EQ(readiness_poll(r), POLLHUP);
        file_unref(r);

        OpenFile *in;
        CHECK_EQ(file_new_stdin("x", 1, &in), 0);
        CHECK_EQ(readiness_poll(in), POLLIN | POLLRDNORM | POLLHUP);
        CHECK_EQ(file_read(in, buf, sizeof(buf)), 1);
        CHECK_EQ(readiness_poll(in), POLLHUP);
        file_unref(in);
}

static void test_epoll_ctl(void) {
        OpenFile *ep = epoll_file(), *other = epoll_file(), *s[2];
        OpenFile *efd = eventfd_file(0, false);

        socket_files(s);
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 3, s[0], EPOLLIN, 1), 0);
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 3, s[0], EPOLLIN, 1), -EEXIST);
        /* The key is (fd, file): the same file under another fd is another watch. */
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 9, s[0], EPOLLIN, 1), 0);
        CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, 9, s[0], 0, 0), 0);
        CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, 9, s[0], 0, 0), -ENOENT);
        CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, 4, s[1], EPOLLIN, 1), -ENOENT);
        CHECK_EQ(ctl(ep, 99, 3, s[0], EPOLLIN, 1), -EINVAL);
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 5, ep, EPOLLIN, 1), -EINVAL);    /* itself */
        CHECK_EQ(ctl(s[0], EPOLL_CTL_ADD, 6, efd, EPOLLIN, 1), -EINVAL); /* not an epoll */
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 7, efd, EPOLLIN | EPOLLEXCLUSIVE, 1), 0);
        CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, 7, efd, EPOLLIN, 1), -EINVAL);
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 8, other, EPOLLIN | EPOLLEXCLUSIVE, 1), -EINVAL);

        /* A cycle of epolls is refused. */
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 8, other, EPOLLIN, 1), 0);
        CHECK_EQ(ctl(other, EPOLL_CTL_ADD, 10, ep, EPOLLIN, 1), -ELOOP);

        file_unref(efd);
        file_unref(s[0]);
        file_unref(s[1]);
        file_unref(ep);
        file_unref(other);
}

static void test_epoll_nesting(void) {
        OpenFile *chain[EVENTPOLL_MAX_NESTS + 2];
        OpenFile *efd = eventfd_file(1, false);
        uint64_t v;

        for (size_t i = 0; i < ELEMENTSOF(chain); i++)
                chain[i] = epoll_file();
        CHECK_EQ(ctl(chain[0], EPOLL_CTL_ADD, 3, efd, EPOLLIN, 1), 0);
        /* chain[i+1] watches chain[i]: EVENTPOLL_MAX_NESTS levels of epolls over epolls. */
        for (size_t i = 0; i + 1 < ELEMENTSOF(chain); i++) {
                int r = ctl(chain[i + 1], EPOLL_CTL_ADD, 4, chain[i], EPOLLIN, i);
                CHECK_EQ(r, i + 1 <= EVENTPOLL_MAX_NESTS ? 0 : -ELOOP);
        }
        CHECK_EQ(readiness_poll(chain[EVENTPOLL_MAX_NESTS]), POLLIN | POLLRDNORM);
        CHECK_EQ(file_read(efd, &v, 8), 8);
        CHECK_EQ(readiness_poll(chain[EVENTPOLL_MAX_NESTS]), 0);
        for (size_t i = 0; i < ELEMENTSOF(chain); i++)
                file_unref(chain[i]);
        file_unref(efd);
}

static void test_epoll_reporting(void) {
        OpenFile *ep = epoll_file(), *s[2];
        OpenFile *a = eventfd_file(0, false), *b = eventfd_file(0, false);
        struct epoll_event ev[4];
        uint64_t v = 1;
        char buf[16];

        socket_files(s);
        CHECK_EQ(collect(ep, ev, 4), 0);

        /* Level-triggered: reported while it holds; data comes back as given. */
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 10, a, EPOLLIN, 0xdeadbeefcafeULL), 0);
        CHECK_EQ(collect(ep, ev, 4), 0);
        CHECK_EQ(file_write(a, &v, 8), 8);
        CHECK_EQ(collect(ep, ev, 4), 1);
        CHECK_EQ(ev[0].events, EPOLLIN);
        CHECK_EQ(ev[0].data.u64, 0xdeadbeefcafeULL);
        CHECK_EQ(collect(ep, ev, 4), 1);

        /* Round robin with a small maxevents. */
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 11, b, EPOLLIN, 2), 0);
        CHECK_EQ(file_write(b, &v, 8), 8);
        CHECK_EQ(collect(ep, ev, 1), 1);
        CHECK_EQ(ev[0].data.u64, 0xdeadbeefcafeULL);
        CHECK_EQ(collect(ep, ev, 1), 1);
        CHECK_EQ(ev[0].data.u64, 2);
        CHECK_EQ(collect(ep, ev, 1), 1);
        CHECK_EQ(ev[0].data.u64, 0xdeadbeefcafeULL);

        /* Oneshot: once, then nothing until MOD. */
        CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, 11, b, EPOLLIN | EPOLLONESHOT, 3), 0);
        CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, 10, a, 0, 0), 0);
        CHECK_EQ(collect(ep, ev, 4), 1);
        CHECK_EQ(collect(ep, ev, 4), 0);
        CHECK_EQ(ctl(ep, EPOLL_CTL_MOD, 11, b, EPOLLIN | EPOLLONESHOT, 4), 0);
        CHECK_EQ(collect(ep, ev, 4), 1);
        CHECK_EQ(ev[0].data.u64, 4);
        CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, 11, b, 0, 0), 0);

        /* Edge-triggered on a socket: once per arrival, never a missed arrival. */
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 12, s[1], EPOLLIN | EPOLLET, 5), 0);
        CHECK_EQ(collect(ep, ev, 4), 0);
        CHECK_EQ(file_write(s[0], "a", 1), 1);
        CHECK_EQ(collect(ep, ev, 4), 1);
        CHECK_EQ(collect(ep, ev, 4), 0);
        CHECK_EQ(file_read(s[1], buf, sizeof(buf)), 1);
        CHECK_EQ(file_write(s[0], "b", 1), 1);
        CHECK_EQ(collect(ep, ev, 4), 1);
        CHECK_EQ(file_write(s[0], "c", 1), 1);
        CHECK_EQ(collect(ep, ev, 4), 1);
        CHECK_EQ(ctl(ep, EPOLL_CTL_DEL, 12, s[1], 0, 0), 0);

        /* The peer hanging up: EPOLLHUP and EPOLLRDHUP (when asked) without asking for them. */
        CHECK_EQ(ctl(ep, EPOLL_CTL_ADD, 12, s[1], EPOLLRDHUP, 6), 0);
        CHECK_EQ(collect(ep, ev, 4), 0);
        file_unref(s[0]);
        CHECK_EQ(collect(ep, ev, 4), 1);
        CHECK_EQ(ev[0].events, EPOLLHUP | EPOLLRDHUP);

        /* The last reference going drops the watch; a dup keeps it. */
        file_ref(s[1]);
        file_unref(s[1]);
        CHECK_EQ(ep->epoll->n_entries, 1);
        file_unref(s[1]);
        CHECK_EQ(ep->epoll->n_entries, 0);
        CHECK_EQ(collect(ep, ev, 4), 0);

        file_unref(a);
        file_unref(b);
        file_unref(ep);
}

int main(void) {
        test_socketpair();
        test_socket_buffer();
        test_unconnected();
        test_eventfd();
        test_readiness_of_pipes();
        test_epoll_ctl();
        test_epoll_nesting();
        test_epoll_reporting();

        return checks_report("test-epoll");
}

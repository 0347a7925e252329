/* SPDX-License-Identifier: MIT */
#include "socket.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "macro.h"
#include "process.h"
#include "vnode.h"

/* A drained queue bigger than this gives its memory back. */
#define SOCKET_QUEUE_KEEP 65536u

static int socket_alloc(int type, uint64_t ino, Socket **ret) {
        Socket *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->type = type;
        s->ino = ino;
        s->sndbuf = SOCKET_BUFFER_DEFAULT;
        s->rcvbuf = SOCKET_BUFFER_DEFAULT;
        *ret = s;
        return 0;
}

int socket_new_pair(int type, uint64_t ino0, uint64_t ino1, Socket *ret[2]) {
        Socket *a, *b;
        int r;

        if (type != SOCK_STREAM)
                return -EOPNOTSUPP;
        r = socket_alloc(type, ino0, &a);
        if (r < 0)
                return r;
        r = socket_alloc(type, ino1, &b);
        if (r < 0) {
                free(a);
                return r;
        }
        a->peer = b;
        b->peer = a;
        a->connected = b->connected = true;
        ret[0] = a;
        ret[1] = b;
        return 0;
}

int socket_new_unconnected(int type, uint64_t ino, Socket **ret) {
        if (type != SOCK_STREAM)
                return -EOPNOTSUPP;
        return socket_alloc(type, ino, ret);
}

Socket *socket_free(Socket *s) {
        if (!s)
                return NULL;
        if (s->peer) {
                Socket *peer = s->peer;
                peer->peer = NULL;
                peer->shutdown = SOCKET_RCV_SHUTDOWN | SOCKET_SEND_SHUTDOWN;
                /* unix_release_sock(): unread data thrown away resets the connection. */
                if (s->used > 0)
                        peer->error = ECONNRESET;
                peer->generation++;
                wait_queue_wake(&peer->waiters);
        }
        wait_queue_release(&s->waiters);
        free(s->queue);
        free(s);
        return NULL;
}

static void changed(Socket *s) {
        s->generation++;
        wait_queue_wake(&s->waiters);
        if (s->peer) {
                s->peer->generation++;
                wait_queue_wake(&s->peer->waiters);
        }
}

size_t socket_bytes_available(const Socket *s) {
        return s->used;
}

bool socket_recv_would_block(const Socket *s) {
        return s->connected && s->used == 0 && s->error == 0 &&
               !(s->shutdown & SOCKET_RCV_SHUTDOWN);
}

ssize_t socket_recv(Socket *s, void *buf, size_t length, int flags) {
        if (!s->connected)
                return -EINVAL;
        if (s->used == 0) {
                if (s->error) {
                        int e = s->error;
                        s->error = 0;
                        changed(s);
                        return -e;
                }
                return (s->shutdown & SOCKET_RCV_SHUTDOWN) ? 0 : -EAGAIN;
        }

        size_t n = MIN(length, s->used);
        memcpy(buf, s->queue + s->head, n);
        if (flags & MSG_PEEK)
                return (ssize_t)n;
        s->head += n;
        s->used -= n;
        if (s->used == 0) {
                s->head = 0;
                if (s->allocated > SOCKET_QUEUE_KEEP) {
                        free(s->queue);
                        s->queue = NULL;
                        s->allocated = 0;
                }
        }
        changed(s);
        return (ssize_t)n;
}

/* Makes room for `extra` more bytes after the queued ones. */
static int queue_reserve(Socket *s, size_t extra) {
        if (s->head + s->used + extra <= s->allocated)
                return 0;
        if (s->head > 0) {
                memmove(s->queue, s->queue + s->head, s->used);
                s->head = 0;
                if (s->used + extra <= s->allocated)
                        return 0;
        }
        size_t size = MAX(MAX(s->allocated * 2, s->used + extra), (size_t)4096);
        uint8_t *q = realloc(s->queue, size);
        if (!q)
                return -ENOMEM;
        s->queue = q;
        s->allocated = size;
        return 0;
}

ssize_t socket_send(Socket *s, const void *buf, size_t length) {
        Socket *peer = s->peer;
        size_t space, n;
        int r;

        if (!s->connected)
                return -ENOTCONN;
        if ((s->shutdown & SOCKET_SEND_SHUTDOWN) || !peer)
                return -EPIPE;
        if (length == 0)
                return 0;
        /* What this end has in flight is bounded by its send buffer, as sk_wmem_alloc is. */
        space = peer->used < (size_t)s->sndbuf ? (size_t)s->sndbuf - peer->used : 0;
        if (space == 0)
                return -EAGAIN;
        n = MIN(length, space);
        r = queue_reserve(peer, n);
        if (r < 0)
                return r;
        memcpy(peer->queue + peer->head + peer->used, buf, n);
        peer->used += n;
        changed(s);
        return (ssize_t)n;
}

int socket_shutdown(Socket *s, int how) {
        unsigned mode, peer_mode = 0;

        if (how < SHUT_RD || how > SHUT_RDWR)
                return -EINVAL;
        /* SHUT_RD -> RCV, SHUT_WR -> SEND, SHUT_RDWR -> both, as unix_shutdown() maps them. */
        mode = (unsigned)how + 1;
        s->shutdown |= mode;
        if (s->peer) {
                if (mode & SOCKET_RCV_SHUTDOWN)
                        peer_mode |= SOCKET_SEND_SHUTDOWN;
                if (mode & SOCKET_SEND_SHUTDOWN)
                        peer_mode |= SOCKET_RCV_SHUTDOWN;
                s->peer->shutdown |= peer_mode;
        }
        changed(s);
        return 0;
}

uint32_t socket_poll(const Socket *s) {
        uint32_t mask = 0;
        size_t in_flight = s->peer ? s->peer->used : 0;

        if (s->error)
                mask |= POLLERR;
        if (s->shutdown == (SOCKET_RCV_SHUTDOWN | SOCKET_SEND_SHUTDOWN))
                mask |= POLLHUP;
        if (s->shutdown & SOCKET_RCV_SHUTDOWN)
                mask |= POLLRDHUP | POLLIN | POLLRDNORM;
        if (s->used > 0)
                mask |= POLLIN | POLLRDNORM;
        if (!s->connected)
                mask |= POLLHUP; /* a stream socket in TCP_CLOSE state */
        /* unix_writable(): room while a quarter of the send buffer or less is in flight. */
        if (in_flight * 4 <= (size_t)s->sndbuf)
                mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
        return mask;
}

static uint64_t timeval_to_ns(const struct timeval *tv) {
        if (tv->tv_sec < 0)
                return 1; /* Linux: a negative timeout doesn't wait at all */
        if (tv->tv_sec == 0 && tv->tv_usec == 0)
                return 0;
        if ((uint64_t)tv->tv_sec > UINT64_MAX / 1000000000ULL - 1)
                return 0;
        return (uint64_t)tv->tv_sec * 1000000000ULL + (uint64_t)tv->tv_usec * 1000ULL;
}

static struct timeval ns_to_timeval(uint64_t ns) {
        return (struct timeval){.tv_sec = (time_t)(ns / 1000000000ULL),
                                .tv_usec = (suseconds_t)(ns % 1000000000ULL / 1000)};
}

static unsigned flag_of_option(int name) {
        switch (name) {
        case SO_REUSEADDR:
                return SOCKET_FLAG_REUSEADDR;
        case SO_KEEPALIVE:
                return SOCKET_FLAG_KEEPALIVE;
        case SO_BROADCAST:
                return SOCKET_FLAG_BROADCAST;
        case SO_OOBINLINE:
                return SOCKET_FLAG_OOBINLINE;
        case SO_PASSCRED:
                return SOCKET_FLAG_PASSCRED;
        case SO_REUSEPORT:
                return SOCKET_FLAG_REUSEPORT;
        case SO_DEBUG:
                return SOCKET_FLAG_DEBUG;
        default:
                return 0;
        }
}

int socket_getsockopt(Socket *s, int level, int name, void *ret_value, size_t *length) {
        union {
                int i;
                struct linger linger;
                struct ucred cred;
                struct timeval tv;
        } v = {};
        size_t size = sizeof(int);
        unsigned flag;

        if (level != SOL_SOCKET)
                return -EOPNOTSUPP; /* AF_UNIX has no protocol-level options */

        switch (name) {
        case SO_TYPE:
                v.i = s->type;
                break;
        case SO_ERROR:
                v.i = s->error;
                if (s->error) {
                        s->error = 0;
                        changed(s);
                }
                break;
        case SO_DOMAIN:
                v.i = AF_UNIX;
                break;
        case SO_PROTOCOL:
        case SO_ACCEPTCONN:
        case SO_PRIORITY:
                v.i = 0;
                break;
        case SO_RCVLOWAT:
        case SO_SNDLOWAT:
                v.i = 1;
                break;
        case SO_SNDBUF:
                v.i = s->sndbuf;
                break;
        case SO_RCVBUF:
                v.i = s->rcvbuf;
                break;
        case SO_LINGER:
                v.linger = s->linger;
                size = sizeof(v.linger);
                break;
        case SO_PEERCRED:
                /* The peer of a socketpair is this same program; an unconnected socket has
                 * no peer credentials (Linux reports pid 0 and the overflow ids). */
                v.cred = s->connected ? (struct ucred){GUEST_PID, VFS_UID, VFS_GID}
                                      : (struct ucred){0, 65534, 65534};
                size = sizeof(v.cred);
                break;
        case SO_RCVTIMEO:
        case SO_SNDTIMEO:
                v.tv = ns_to_timeval(name == SO_RCVTIMEO ? s->rcvtimeo_ns : s->sndtimeo_ns);
                size = sizeof(v.tv);
                break;
        default:
                flag = flag_of_option(name);
                if (!flag)
                        return -ENOPROTOOPT;
                v.i = !!(s->flags & flag);
                break;
        }
        *length = MIN(*length, size);
        memcpy(ret_value, &v, *length);
        return 0;
}

/* Linux stores twice what is asked for buffer sizes (to cover its bookkeeping), clamped. */
static int buffer_size(int value, int floor) {
        uint32_t v = MIN((uint32_t)value, (uint32_t)SOCKET_BUFFER_MAX);
        return MAX((int)(v * 2), floor);
}

int socket_setsockopt(Socket *s, int level, int name, const void *value, size_t length) {
        struct timeval tv;
        unsigned flag;
        int v;

        if (level != SOL_SOCKET)
                return -EOPNOTSUPP;
        if (length < sizeof(int))
                return -EINVAL;
        memcpy(&v, value, sizeof(v));

        switch (name) {
        case SO_SNDBUF:
                s->sndbuf = buffer_size(v, SOCKET_SNDBUF_MIN);
                changed(s);
                return 0;
        case SO_RCVBUF:
                s->rcvbuf = buffer_size(v, SOCKET_RCVBUF_MIN);
                return 0;
        case SO_LINGER:
                if (length < sizeof(struct linger))
                        return -EINVAL;
                memcpy(&s->linger, value, sizeof(s->linger));
                s->linger.l_onoff = !!s->linger.l_onoff;
                return 0;
        case SO_RCVTIMEO:
        case SO_SNDTIMEO:
                if (length < sizeof(tv))
                        return -EINVAL;
                memcpy(&tv, value, sizeof(tv));
                if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
                        return -EDOM;
                *(name == SO_RCVTIMEO ? &s->rcvtimeo_ns : &s->sndtimeo_ns) = timeval_to_ns(&tv);
                return 0;
        case SO_PRIORITY:
        case SO_RCVLOWAT:
                return 0; /* accepted; nothing here depends on them */
        default:
                flag = flag_of_option(name);
                if (!flag)
                        return -ENOPROTOOPT;
                if (v)
                        s->flags |= flag;
                else
                        s->flags &= ~flag;
                return 0;
        }
}

/* SPDX-License-Identifier: MIT */
/* Local stream sockets (AF_UNIX, SOCK_STREAM): IPC inside the sandbox, never a network.
 * socketpair() makes two connected endpoints; each owns the byte queue of what its peer sent it.
 * socket() alone makes an endpoint that can never be connected: no filesystem or abstract
 * socket can be bound (bind -EACCES) and none exists to connect to (connect -ECONNREFUSED).
 *
 * Each Socket belongs to one open file (dup'd fds share it); closing it disconnects the peer, which
 * then reads what is queued and then EOF, and gets -EPIPE on writes (Linux also gives the peer
 * ECONNRESET once if unread data was thrown away). Nothing here blocks: an operation that would
 * wait returns -EAGAIN and the syscall layer decides. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "wait-queue.h"

/* Linux's defaults (net.core.wmem_default / rmem_default) and what setsockopt may ask for
 * (wmem_max / rmem_max on Debian; the kernel doubles the request, and has a floor). */
#define SOCKET_BUFFER_DEFAULT 212992
#define SOCKET_BUFFER_MAX     212992
#define SOCKET_SNDBUF_MIN     4608
#define SOCKET_RCVBUF_MIN     2304

/* sk_shutdown bits, as Linux keeps them: what this end may no longer do. */
#define SOCKET_RCV_SHUTDOWN  1u
#define SOCKET_SEND_SHUTDOWN 2u

/* Boolean SOL_SOCKET options a program may set and read back; they change nothing here. */
typedef enum SocketFlag {
        SOCKET_FLAG_REUSEADDR = 1u << 0,
        SOCKET_FLAG_KEEPALIVE = 1u << 1,
        SOCKET_FLAG_BROADCAST = 1u << 2,
        SOCKET_FLAG_OOBINLINE = 1u << 3,
        SOCKET_FLAG_PASSCRED = 1u << 4,
        SOCKET_FLAG_REUSEPORT = 1u << 5,
        SOCKET_FLAG_DEBUG = 1u << 6,
} SocketFlag;

typedef struct Socket Socket;
struct Socket {
        int type;       /* SOCK_STREAM */
        bool connected; /* made by socketpair(); stays set after the peer is closed */
        Socket *peer;   /* NULL once the peer is closed, or for an unconnected socket */
        unsigned shutdown;
        int error; /* pending SO_ERROR (positive errno), cleared when reported */
        uint64_t ino;
        uint64_t generation; /* moves whenever this end's readiness may have changed */
        WaitQueue waiters;   /* woken with it */

        /* What the peer sent and this end has not read: queue[head, head + used). */
        uint8_t *queue;
        size_t allocated, head, used;

        int sndbuf, rcvbuf;
        unsigned flags; /* SocketFlag */
        struct linger linger;
        uint64_t rcvtimeo_ns, sndtimeo_ns; /* SO_RCVTIMEO/SO_SNDTIMEO; 0: wait forever */
};

int socket_new_pair(int type, uint64_t ino0, uint64_t ino1, Socket *ret[2]);
int socket_new_unconnected(int type, uint64_t ino, Socket **ret);
/* Disconnects the peer (see above). Accepts NULL. */
Socket *socket_free(Socket *s);

/* Bytes received, copied into buf (flags: MSG_PEEK leaves them queued); 0 at EOF (peer closed or
 * shut down its sending side, or this end shut down receiving); -EAGAIN when empty and the peer
 * could still send; a pending -ECONNRESET once; -EINVAL for an unconnected socket. */
ssize_t socket_recv(Socket *s, void *buf, size_t length, int flags);
/* Bytes queued at the peer (possibly fewer than asked, bounded by this end's SO_SNDBUF);
 * -EAGAIN when nothing fits; -EPIPE after a shutdown or once the peer is closed (the caller
 * raises SIGPIPE unless MSG_NOSIGNAL); -ENOTCONN for an unconnected socket. */
ssize_t socket_send(Socket *s, const void *buf, size_t length);
/* how: SHUT_RD, SHUT_WR, SHUT_RDWR, else -EINVAL. Tells the peer (its SHUT_WR is our EOF). As
 * on Linux, an AF_UNIX socket need not be connected to be shut down. */
int socket_shutdown(Socket *s, int how);
/* True when a receive would return -EAGAIN (nothing queued, nothing ends the wait). */
bool socket_recv_would_block(const Socket *s);
size_t socket_bytes_available(const Socket *s);

/* getsockopt(2)/setsockopt(2) at SOL_SOCKET with an int-sized or struct value. getsockopt
 * stores at most *length bytes and sets *length to the option's size; both return
 * -ENOPROTOOPT for options sockets here don't have, -EOPNOTSUPP for other levels, -EINVAL for
 * a short value. */
int socket_getsockopt(Socket *s, int level, int name, void *ret_value, size_t *length);
int socket_setsockopt(Socket *s, int level, int name, const void *value, size_t length);

/* poll(2) bits of this end now, as Linux's unix_poll() computes them. */
uint32_t socket_poll(const Socket *s);

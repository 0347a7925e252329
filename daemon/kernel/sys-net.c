/* SPDX-License-Identifier: MIT */
/* Socket syscalls. No network exists (DESIGN.md §7): every family but AF_UNIX is refused with
 * EACCES. AF_UNIX stream sockets are IPC inside the sandbox: socketpair() works (asyncio's
 * self-pipe, multiprocessing.Pipe); a lone socket() exists but can't bind (EACCES: the sandbox
 * makes no endpoints) or connect (ECONNREFUSED: nothing listens), so listen/accept give EINVAL.
 * Only SOCK_STREAM is served (others -EOPNOTSUPP); no control messages (SCM_RIGHTS...). */
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "macro.h"
#include "socket.h"
#include "syscall-handlers.h"
#include "uaccess.h"
#include "vfs-internal.h"

/* A send or receive moves at most a full queue (twice the largest SO_SNDBUF) per call. */
#define SOCKET_IO_MAX (2u * SOCKET_BUFFER_MAX)
/* Linux's UIO_MAXIOV, and its struct sockaddr_storage size. */
#define SOCKET_IOV_MAX 1024u
#define SOCKADDR_MAX   128u
/* The valid socket types are below SOCK_MAX; the bits above the type are flags. */
#define SOCKET_TYPE_MASK  0xf
#define SOCKET_TYPE_LIMIT 11

/* The socket at fd: -EBADF, or -ENOTSOCK for any other file. */
static int get_socket(Process *p, int fd, OpenFile **ret_file) {
        OpenFile *f;
        int r = fdtable_get(p->fds, fd, &f);
        if (r < 0)
                return r;
        if (f->flags & O_PATH)
                return -EBADF;
        if (f->kind != FILE_SOCKET)
                return -ENOTSOCK;
        *ret_file = f;
        return 0;
}

#define GET_SOCKET(p, fd, f)                                                                       \
        OpenFile *f;                                                                               \
        do {                                                                                       \
                int _r = get_socket((p), (int)(fd), &(f));                                         \
                if (_r < 0)                                                                        \
                        return _r;                                                                 \
        } while (0)

static bool nonblocking(const OpenFile *f, int flags) {
        return (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
}

/* A blocking socket call that can't progress waits, as Linux blocks, until another thread
 * changes the socket or SO_RCVTIMEO / SO_SNDTIMEO passes (with one thread nobody can: it sleeps,
 * without a timeout until the run's deadline). */
static void wait_blocked(Process *p, OpenFile *f, uint64_t timeout_ns) {
        (void)process_wait_file(p, f, timeout_ns ? timeout_ns : UINT64_MAX);
}

/* Checks the domain, type and protocol of socket()/socketpair(); stores the SOCK_* flags. */
static int check_socket_args(uint64_t domain, uint64_t type_arg, uint64_t protocol,
                             int *ret_flags) {
        int type = (int)type_arg & SOCKET_TYPE_MASK, flags = (int)type_arg & ~SOCKET_TYPE_MASK;

        if ((int)domain != AF_UNIX)
                return -EACCES; /* the network: see the top of this file */
        if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
                return -EINVAL;
        if (type <= 0 || type >= SOCKET_TYPE_LIMIT)
                return -EINVAL;
        if ((int)protocol != 0 && (int)protocol != PF_UNIX)
                return -EPROTONOSUPPORT;
        if (type != SOCK_STREAM)
                return -EOPNOTSUPP;
        *ret_flags = flags;
        return 0;
}

static int install_socket(Process *p, Socket *s, int flags) {
        _cleanup_(file_unrefp) OpenFile *f = NULL;
        int r = file_new_socket(s, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0, &f);
        if (r < 0) {
                socket_free(s);
                return r;
        }
        return fdtable_install(p->fds, f, 0, flags & SOCK_CLOEXEC);
}

int64_t sys_socket(Process *p, const SyscallArgs *a) {
        Socket *s;
        int flags, r;

        r = check_socket_args(a->a[0], a->a[1], a->a[2], &flags);
        if (r < 0)
                return r;
        r = socket_new_unconnected(SOCK_STREAM, p->sandbox->vfs->next_pipe_ino++, &s);
        if (r < 0)
                return r;
        return install_socket(p, s, flags);
}

int64_t sys_socketpair(Process *p, const SyscallArgs *a) {
        Socket *pair[2];
        int fds[2], flags, r;

        r = check_socket_args(a->a[0], a->a[1], a->a[2], &flags);
        if (r < 0)
                return r;
        /* Linux draws socket and pipe inode numbers from one counter. */
        r = socket_new_pair(SOCK_STREAM, p->sandbox->vfs->next_pipe_ino,
                            p->sandbox->vfs->next_pipe_ino + 1, pair);
        if (r < 0)
                return r;
        p->sandbox->vfs->next_pipe_ino += 2;
        fds[0] = install_socket(p, pair[0], flags);
        if (fds[0] < 0) {
                socket_free(pair[1]);
                return fds[0];
        }
        fds[1] = install_socket(p, pair[1], flags);
        if (fds[1] < 0) {
                fdtable_close(p->fds, fds[0]);
                return fds[1];
        }
        r = copy_to_user(&p->mm, a->a[3], fds, sizeof(fds));
        if (r < 0) {
                fdtable_close(p->fds, fds[0]);
                fdtable_close(p->fds, fds[1]);
        }
        return r;
}

/* unix_validate_addr(): a family and at least one byte of path, at most a sockaddr_un. */
static int check_unix_address(Process *p, uint64_t addr, uint64_t length) {
        sa_family_t family;
        int r;

        if ((int)length <= (int)offsetof(struct sockaddr_un, sun_path) ||
            (int)length > (int)sizeof(struct sockaddr_un))
                return -EINVAL;
        r = copy_from_user(&p->mm, &family, addr, sizeof(family));
        if (r < 0)
                return r;
        return family == AF_UNIX ? 0 : -EINVAL;
}

int64_t sys_connect(Process *p, const SyscallArgs *a) {
        GET_SOCKET(p, a->a[0], f);
        int r = check_unix_address(p, a->a[1], a->a[2]);
        if (r < 0)
                return r;
        if (f->socket->connected)
                return -EISCONN;
        return -ECONNREFUSED; /* no socket in the sandbox is listening */
}

int64_t sys_bind(Process *p, const SyscallArgs *a) {
        GET_SOCKET(p, a->a[0], f);
        /* sa_family alone asks for an autobound abstract name: refused all the same. */
        if ((int)a->a[2] == (int)sizeof(sa_family_t))
                return -EACCES;
        int r = check_unix_address(p, a->a[1], a->a[2]);
        return r < 0 ? r : -EACCES;
}

int64_t sys_listen(Process *p, const SyscallArgs *a) {
        GET_SOCKET(p, a->a[0], f);
        return -EINVAL; /* never bound */
}

int64_t sys_accept4(Process *p, const SyscallArgs *a) {
        if ((int)a->a[3] & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
                return -EINVAL;
        GET_SOCKET(p, a->a[0], f);
        return -EINVAL; /* never listening */
}

int64_t sys_accept(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {{a->a[0], a->a[1], a->a[2], 0, 0, 0}};
        return sys_accept4(p, &b);
}

/* move_addr_to_user(): stores at most *ulen bytes of the address and sets *ulen to its full
 * length. */
static int put_address(Process *p, const void *addr, uint32_t length, uint64_t uaddr,
                       uint64_t ulen_addr) {
        int ulen, r;

        r = copy_from_user(&p->mm, &ulen, ulen_addr, sizeof(ulen));
        if (r < 0)
                return r;
        if (ulen < 0)
                return -EINVAL;
        if (ulen > 0 && length > 0) {
                r = copy_to_user(&p->mm, uaddr, addr, MIN((uint32_t)ulen, length));
                if (r < 0)
                        return r;
        }
        return copy_to_user(&p->mm, ulen_addr, &length, sizeof(length));
}

/* Every socket here is unnamed: the address is the family alone. */
static int64_t do_getname(Process *p, const SyscallArgs *a, bool peer) {
        static const sa_family_t unnamed = AF_UNIX;

        GET_SOCKET(p, a->a[0], f);
        if (peer && !f->socket->connected)
                return -ENOTCONN;
        return put_address(p, &unnamed, sizeof(unnamed), a->a[1], a->a[2]);
}

int64_t sys_getsockname(Process *p, const SyscallArgs *a) {
        return do_getname(p, a, false);
}

int64_t sys_getpeername(Process *p, const SyscallArgs *a) {
        return do_getname(p, a, true);
}

int64_t sys_shutdown(Process *p, const SyscallArgs *a) {
        GET_SOCKET(p, a->a[0], f);
        return socket_shutdown(f->socket, (int)a->a[1]);
}

int64_t sys_getsockopt(Process *p, const SyscallArgs *a) {
        uint8_t value[64];
        size_t length;
        int ulen, r;

        GET_SOCKET(p, a->a[0], f);
        r = copy_from_user(&p->mm, &ulen, a->a[4], sizeof(ulen));
        if (r < 0)
                return r;
        if (ulen < 0)
                return -EINVAL;
        length = MIN((size_t)ulen, sizeof(value));
        r = socket_getsockopt(f->socket, (int)a->a[1], (int)a->a[2], value, &length);
        if (r < 0)
                return r;
        r = copy_to_user(&p->mm, a->a[3], value, length);
        if (r < 0)
                return r;
        ulen = (int)length;
        return copy_to_user(&p->mm, a->a[4], &ulen, sizeof(ulen));
}

int64_t sys_setsockopt(Process *p, const SyscallArgs *a) {
        uint8_t value[64];
        int length = (int)a->a[4], r;

        GET_SOCKET(p, a->a[0], f);
        if (length < 0)
                return -EINVAL;
        length = MIN(length, (int)sizeof(value));
        r = copy_from_user(&p->mm, value, a->a[3], (size_t)length);
        if (r < 0)
                return r;
        return socket_setsockopt(f->socket, (int)a->a[1], (int)a->a[2], value, (size_t)length);
}

/* Sends length bytes of buf, waiting like Linux's blocking send when they don't all fit;
 * -EPIPE raises SIGPIPE unless MSG_NOSIGNAL. */
static int64_t do_send(Process *p, OpenFile *f, const void *buf, size_t length, int flags) {
        ssize_t n;

        if (flags & MSG_OOB)
                return -EOPNOTSUPP;
        n = socket_send(f->socket, buf, length);
        if ((n == -EAGAIN || (n >= 0 && (size_t)n < length)) && !nonblocking(f, flags)) {
                wait_blocked(p, f, f->socket->sndtimeo_ns);
                if (n == -EAGAIN)
                        n = socket_send(f->socket, buf, length);
        }
        /* As write(2) does in sys-fs.c: the default action of SIGPIPE ends the program. */
        if (n == -EPIPE && !(flags & MSG_NOSIGNAL) &&
            p->actions[SIGPIPE].handler == (uint64_t)(uintptr_t)SIG_DFL)
                process_kill(p, SIGPIPE);
        return n;
}

static int64_t do_recv(Process *p, OpenFile *f, void *buf, size_t length, int flags) {
        ssize_t n;

        if (flags & MSG_OOB)
                return -EOPNOTSUPP;
        n = socket_recv(f->socket, buf, length, flags);
        if (nonblocking(f, flags))
                return n;
        if (n == -EAGAIN) {
                /* Until the data comes (another thread sends it) or SO_RCVTIMEO/the deadline. */
                uint64_t timeout = f->socket->rcvtimeo_ns ? f->socket->rcvtimeo_ns : UINT64_MAX;
                uint64_t deadline =
                        timeout == UINT64_MAX ? UINT64_MAX : now_ns(CLOCK_MONOTONIC) + timeout;
                for (;;) {
                        uint64_t now = now_ns(CLOCK_MONOTONIC);
                        int w = now >= deadline ? -ETIMEDOUT
                                                : process_wait_file(p, f,
                                                                    deadline == UINT64_MAX
                                                                            ? UINT64_MAX
                                                                            : deadline - now);
                        n = socket_recv(f->socket, buf, length, flags);
                        if (n != -EAGAIN || w != 0)
                                break;
                }
        } else if ((flags & MSG_WAITALL) && !(flags & MSG_PEEK) && n > 0 && (size_t)n < length &&
                   socket_recv_would_block(f->socket))
                wait_blocked(p, f, f->socket->rcvtimeo_ns);
        return n;
}

/* The destination of sendto/sendmsg: none may be given to a stream socket. */
static int check_destination(Process *p, OpenFile *f, uint64_t addr, int length) {
        uint8_t scratch[SOCKADDR_MAX];
        int r;

        if (!addr)
                return 0;
        if (length < 0 || length > (int)SOCKADDR_MAX)
                return -EINVAL;
        if (length == 0)
                return 0;
        r = copy_from_user(&p->mm, scratch, addr, (size_t)length);
        if (r < 0)
                return r;
        return f->socket->connected ? -EISCONN : -EOPNOTSUPP;
}

int64_t sys_sendto(Process *p, const SyscallArgs *a) {
        _cleanup_free_ void *buf = NULL;
        size_t length = MIN(a->a[2], (uint64_t)SOCKET_IO_MAX);
        int r;

        GET_SOCKET(p, a->a[0], f);
        r = check_destination(p, f, a->a[4], (int)a->a[5]);
        if (r < 0)
                return r;
        buf = malloc(MAX(length, 1u));
        if (!buf)
                return -ENOMEM;
        r = copy_from_user(&p->mm, buf, a->a[1], length);
        if (r < 0)
                return r;
        return do_send(p, f, buf, length, (int)a->a[3]);
}

int64_t sys_recvfrom(Process *p, const SyscallArgs *a) {
        _cleanup_free_ void *buf = NULL;
        size_t length = MIN(a->a[2], (uint64_t)SOCKET_IO_MAX);
        int64_t n;
        int r;

        GET_SOCKET(p, a->a[0], f);
        buf = malloc(MAX(length, 1u));
        if (!buf)
                return -ENOMEM;
        n = do_recv(p, f, buf, length, (int)a->a[3]);
        if (n < 0)
                return n;
        r = copy_to_user(&p->mm, a->a[1], buf, (size_t)n);
        if (r < 0)
                return r;
        /* The sender is unnamed: Linux reports an address length of 0. */
        if (a->a[4]) {
                r = put_address(p, NULL, 0, a->a[4], a->a[5]);
                if (r < 0)
                        return r;
        }
        return n;
}

/* The iovec array of a msghdr, and the bytes it spans (capped at SOCKET_IO_MAX). */
static int get_iovecs(Process *p, const struct msghdr *msg, struct iovec **ret_iov,
                      size_t *ret_total) {
        _cleanup_free_ struct iovec *iov = NULL;
        size_t total = 0;
        int r;

        if (msg->msg_iovlen > SOCKET_IOV_MAX)
                return -EMSGSIZE;
        iov = calloc(MAX(msg->msg_iovlen, (size_t)1), sizeof(*iov));
        if (!iov)
                return -ENOMEM;
        r = copy_from_user(&p->mm, iov, (uint64_t)(uintptr_t)msg->msg_iov,
                           msg->msg_iovlen * sizeof(*iov));
        if (r < 0)
                return r;
        for (size_t i = 0; i < msg->msg_iovlen; i++) {
                if ((ssize_t)iov[i].iov_len < 0 ||
                    __builtin_add_overflow(total, iov[i].iov_len, &total) || (ssize_t)total < 0)
                        return -EINVAL;
        }
        *ret_iov = TAKE_PTR(iov);
        *ret_total = MIN(total, (size_t)SOCKET_IO_MAX);
        return 0;
}

int64_t sys_sendmsg(Process *p, const SyscallArgs *a) {
        _cleanup_free_ struct iovec *iov = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        struct msghdr msg;
        size_t total, done = 0;
        int r;

        GET_SOCKET(p, a->a[0], f);
        r = copy_from_user(&p->mm, &msg, a->a[1], sizeof(msg));
        if (r < 0)
                return r;
        if (msg.msg_controllen > 0)
                return -EOPNOTSUPP; /* no SCM_RIGHTS or credentials passing here */
        r = check_destination(p, f, (uint64_t)(uintptr_t)msg.msg_name, (int)msg.msg_namelen);
        if (r < 0)
                return r;
        r = get_iovecs(p, &msg, &iov, &total);
        if (r < 0)
                return r;
        buf = malloc(MAX(total, (size_t)1));
        if (!buf)
                return -ENOMEM;
        for (size_t i = 0; i < msg.msg_iovlen && done < total; i++) {
                size_t n = MIN(iov[i].iov_len, total - done);
                r = copy_from_user(&p->mm, buf + done, (uint64_t)(uintptr_t)iov[i].iov_base, n);
                if (r < 0)
                        return r;
                done += n;
        }
        return do_send(p, f, buf, total, (int)a->a[2]);
}

int64_t sys_recvmsg(Process *p, const SyscallArgs *a) {
        _cleanup_free_ struct iovec *iov = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        struct msghdr msg;
        size_t total, done = 0;
        int64_t n;
        int r;

        GET_SOCKET(p, a->a[0], f);
        r = copy_from_user(&p->mm, &msg, a->a[1], sizeof(msg));
        if (r < 0)
                return r;
        if ((int)msg.msg_namelen < 0)
                return -EINVAL;
        r = get_iovecs(p, &msg, &iov, &total);
        if (r < 0)
                return r;
        buf = malloc(MAX(total, (size_t)1));
        if (!buf)
                return -ENOMEM;
        n = do_recv(p, f, buf, total, (int)a->a[2]);
        if (n < 0)
                return n;
        for (size_t i = 0; i < msg.msg_iovlen && done < (size_t)n; i++) {
                size_t chunk = MIN(iov[i].iov_len, (size_t)n - done);
                r = copy_to_user(&p->mm, (uint64_t)(uintptr_t)iov[i].iov_base, buf + done, chunk);
                if (r < 0)
                        return r;
                done += chunk;
        }
        /* No sender address, no control data, no flags to report. */
        msg.msg_namelen = msg.msg_name ? 0 : msg.msg_namelen;
        msg.msg_controllen = 0;
        msg.msg_flags = 0;
        r = copy_to_user(&p->mm, a->a[1], &msg, sizeof(msg));
        return r < 0 ? r : n;
}

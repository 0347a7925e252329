/* SPDX-License-Identifier: MIT */
#include "server.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "clock.h"
#include "jsonrpc.h"
#include "line-reader.h"
#include "log.h"
#include "macro.h"
#include "write-now.h"

/* Past this many open connections, accepting pauses until one closes (the kernel's backlog holds
 * the rest): fds stay available for workers. */
#define SERVER_CONNECTIONS_MAX 4096
/* A client that sends requests but does not read its answers: once this much output waits for
 * it, its requests are no longer read, until the output is below the low mark. */
#define CONNECTION_OUTPUT_HIGH (16 * 1024 * 1024)
#define CONNECTION_OUTPUT_LOW  (1024 * 1024)
/* After accept() fails (EMFILE, ENFILE, ENOMEM) try again after this long, not in a busy loop. */
#define ACCEPT_RETRY_USEC (100 * USEC_PER_MSEC)

struct Connection {
        Server *server;
        struct bufferevent *bev;
        uint64_t id;
        LineReader reader;
        LIST_HEAD(, ConnectionTask) tasks;
        bool read_eof;       /* the peer shut down its writing side */
        bool closing;        /* close once the output is written */
        bool output_blocked; /* not reading: too much output waits for the peer */
        LIST_ENTRY(Connection) link;
};

struct Server {
        struct event_base *base;
        struct evconnlistener *listener;
        struct event *accept_retry;
        bool accept_paused;
        LIST_HEAD(, Connection) connections;
        unsigned n_connections;
        uint64_t n_connections_total;
        ServerHandler handler;
        void *userdata;
};

static void connection_free(Connection *c);
static void on_read(struct bufferevent *bev, void *userdata);

int server_listen_unix(const char *path, mode_t mode, int *ret_fd) {
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        struct stat st;
        mode_t old_umask;
        int r;

        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;

        if (lstat(path, &st) == 0) {
                _cleanup_close_ int probe = -1;

                if (!S_ISSOCK(st.st_mode))
                        return -EEXIST;
                /* A socket file outlives its server; only a refused connect proves it stale. */
                probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (probe < 0)
                        return -errno;
                if (connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0)
                        return -EADDRINUSE;
                if (errno != ECONNREFUSED && errno != ENOENT)
                        return -errno;
                if (unlink(path) < 0 && errno != ENOENT)
                        return -errno;
        }

        /* The mode is the socket's access control: set it at bind, with no window where the
         * socket exists with a looser one. */
        old_umask = umask(~mode & 0777);
        r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
        umask(old_umask);
        if (r < 0)
                return -errno;
        if (listen(fd, SOMAXCONN) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

unsigned server_n_connections(const Server *s) {
        return s->n_connections;
}

uint64_t server_n_connections_total(const Server *s) {
        return s->n_connections_total;
}

bool server_is_flushed(const Server *s) {
        Connection *c;

        LIST_FOREACH(c, &s->connections, link)
        if (evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
                return false;
        return true;
}

uint64_t connection_get_id(const Connection *c) {
        return c->id;
}

static void server_changed(Server *s) {
        if (s->handler.changed)
                s->handler.changed(s->userdata);
}

static bool output_pending(Connection *c) {
        return evbuffer_get_length(bufferevent_get_output(c->bev)) > 0;
}

/* Frees the connection if it has nothing left to do. Returns true when it did. */
static bool connection_maybe_close(Connection *c) {
        if (output_pending(c))
                return false;
        if (c->closing || (c->read_eof && LIST_EMPTY(&c->tasks) &&
                           evbuffer_get_length(bufferevent_get_input(c->bev)) == 0)) {
                connection_free(c);
                return true;
        }
        return false;
}

/* Runs on_write soon, from the loop: whoever asks may still be using the connection, so it is
 * never freed under them. */
static void connection_schedule_close_check(Connection *c) {
        bufferevent_trigger(c->bev, EV_WRITE,
                            BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
}

int connection_send(Connection *c, const json_t *message) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        if (c->closing)
                return 0;
        r = jsonrpc_dump_line(message, &text, &size);
        if (r < 0)
                return r;
        if (bufferevent_write_now(c->bev, text, size) < 0)
                return -ENOMEM;
        if (!c->output_blocked &&
            evbuffer_get_length(bufferevent_get_output(c->bev)) > CONNECTION_OUTPUT_HIGH) {
                c->output_blocked = true;
                bufferevent_disable(c->bev, EV_READ);
        }
        return 0;
}

void connection_add_task(Connection *c, ConnectionTask *task) {
        task->connection = c;
        LIST_INSERT_HEAD(&c->tasks, task, link);
}

void connection_remove_task(ConnectionTask *task) {
        Connection *c = task->connection;

        if (!c)
                return;
        LIST_REMOVE(task, link);
        task->connection = NULL;
        if (c->read_eof)
                connection_schedule_close_check(c);
}

/* Refuses a line longer than the limit: one error, then the connection is closed. What was
 * buffered is dropped at once, so a 100 MB line costs at most the limit. */
static void connection_refuse_line(Connection *c) {
        _cleanup_(json_decrefp) json_t *response = NULL;
        char message[128];

        snprintf(message, sizeof message,
                 "Request line longer than %" PRIu64 " bytes; closing the connection",
                 (uint64_t)JSONRPC_LINE_MAX);
        response = jsonrpc_error_response_new(
                NULL, jsonrpc_error_new(EXEC_JSONRPC_TOO_LARGE, "too_large", message));
        if (response)
                (void)jsonrpc_error_set_data(json_object_get(response, "error"), "limit",
                                             json_integer((json_int_t)JSONRPC_LINE_MAX));
        log_debug("Connection %" PRIu64 ": line longer than %" PRIu64 " bytes, closing", c->id,
                  (uint64_t)JSONRPC_LINE_MAX);
        if (response)
                (void)connection_send(c, response);
        c->closing = true;
        bufferevent_disable(c->bev, EV_READ);
        evbuffer_drain(bufferevent_get_input(c->bev),
                       evbuffer_get_length(bufferevent_get_input(c->bev)));
        bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
        connection_schedule_close_check(c);
}

static bool line_is_blank(struct evbuffer *in, size_t len) {
        unsigned char buf[2];

        if (len > sizeof buf)
                return false;
        if (evbuffer_copyout(in, buf, len) != (ev_ssize_t)len)
                return false;
        for (size_t i = 0; i < len; i++)
                if (buf[i] != '\r' && buf[i] != ' ' && buf[i] != '\t')
                        return false;
        return true;
}

static void on_read(struct bufferevent *bev, void *userdata) {
        Connection *c = userdata;
        Server *s = c->server;
        struct evbuffer *in = bufferevent_get_input(bev);

        while (!c->closing && !c->output_blocked) {
                _cleanup_(json_decrefp) json_t *message = NULL;
                json_error_t error = {};
                size_t len;
                int r;

                r = line_reader_next(&c->reader, in, &len);
                if (r == 0) {
                        /* The peer is done sending: a last line without its `\n` counts. */
                        len = evbuffer_get_length(in);
                        if (!c->read_eof || len == 0)
                                return;
                }
                if (r < 0) {
                        connection_refuse_line(c);
                        return;
                }
                if (line_is_blank(in, len)) {
                        line_reader_consume(&c->reader, in, len);
                        continue;
                }
                message = line_reader_parse(in, len, JSONRPC_PARSE_FLAGS, &error);
                line_reader_consume(&c->reader, in, len);
                s->handler.message(c, message, &error, s->userdata);
        }
}

static void on_write(struct bufferevent *bev, void *userdata) {
        Connection *c = userdata;
        Server *s = c->server;

        if (c->output_blocked &&
            evbuffer_get_length(bufferevent_get_output(bev)) <= CONNECTION_OUTPUT_LOW) {
                c->output_blocked = false;
                if (!c->read_eof)
                        bufferevent_enable(bev, EV_READ);
                on_read(bev, c); /* lines already buffered */
        }
        if (connection_maybe_close(c)) {
                server_changed(s);
                return;
        }
        if (!output_pending(c))
                server_changed(s);
}

/* Whether the peer has closed both directions (POLLHUP) rather than only its writing side. */
static bool peer_gone(Connection *c) {
        struct pollfd p = {.fd = bufferevent_getfd(c->bev), .events = POLLIN};

        return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR));
}

static void on_event(struct bufferevent *bev, short what, void *userdata) {
        Connection *c = userdata;
        Server *s = c->server;

        if (what & BEV_EVENT_ERROR) {
                connection_free(c);
                server_changed(s);
                return;
        }
        if (!(what & BEV_EVENT_EOF))
                return;
        if (peer_gone(c)) {
                connection_free(c);
                server_changed(s);
                return;
        }
        /* Half-closed: what was sent in full is still served. */
        c->read_eof = true;
        bufferevent_disable(bev, EV_READ);
        on_read(bev, c);
        /* Answers still to come need to know when the output is empty. */
        bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
        connection_schedule_close_check(c);
}

static void connection_free(Connection *c) {
        Server *s = c->server;
        ConnectionTask *t;

        /* Nothing may answer to this connection any more. */
        c->closing = true;
        while ((t = LIST_FIRST(&c->tasks))) {
                LIST_REMOVE(t, link);
                t->connection = NULL;
                t->cancel(t);
        }
        LIST_REMOVE(c, link);
        s->n_connections--;
        bufferevent_free(c->bev);
        log_debug("Connection %" PRIu64 " closed", c->id);
        free(c);

        if (s->accept_paused && s->listener && s->n_connections < SERVER_CONNECTIONS_MAX) {
                s->accept_paused = false;
                evconnlistener_enable(s->listener);
        }
}

static void on_accept(struct evconnlistener *listener, evutil_socket_t fd, struct sockaddr *sa,
                      int socklen, void *userdata) {
        Server *s = userdata;
        Connection *c;

        c = calloc(1, sizeof *c);
        if (!c) {
                close(fd);
                return;
        }
        c->server = s;
        c->id = ++s->n_connections_total;
        c->reader.max = JSONRPC_LINE_MAX;
        LIST_INIT(&c->tasks);
        c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
        if (!c->bev) {
                close(fd);
                free(c);
                return;
        }
        bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
        /* Reading stops when a line reaches the limit without its newline: never more than
         * JSONRPC_LINE_MAX bytes are held for one client. */
        bufferevent_setwatermark(c->bev, EV_READ, 0, JSONRPC_LINE_MAX);
        bufferevent_setwatermark(c->bev, EV_WRITE, CONNECTION_OUTPUT_LOW, 0);
        if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) < 0) {
                bufferevent_free(c->bev);
                free(c);
                return;
        }
        LIST_INSERT_HEAD(&s->connections, c, link);
        s->n_connections++;
        log_debug("Connection %" PRIu64 " accepted", c->id);

        if (s->n_connections >= SERVER_CONNECTIONS_MAX) {
                s->accept_paused = true;
                evconnlistener_disable(listener);
        }
        server_changed(s);
}

static void on_accept_retry(evutil_socket_t fd, short what, void *userdata) {
        Server *s = userdata;

        if (s->listener && !s->accept_paused)
                evconnlistener_enable(s->listener);
}

static void on_accept_error(struct evconnlistener *listener, void *userdata) {
        Server *s = userdata;
        struct timeval tv = timeval_from_usec(ACCEPT_RETRY_USEC);

        log_warning_errno(errno, "Failed to accept a connection, pausing: %m");
        evconnlistener_disable(listener);
        evtimer_add(s->accept_retry, &tv);
}

int server_new(struct event_base *base, int listen_fd, const ServerHandler *handler, void *userdata,
               Server **ret) {
        _cleanup_close_ int fd = listen_fd;
        Server *s;

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->base = base;
        s->handler = *handler;
        s->userdata = userdata;
        LIST_INIT(&s->connections);
        if (evutil_make_socket_nonblocking(fd) < 0 || evutil_make_socket_closeonexec(fd) < 0) {
                free(s);
                return -errno;
        }
        s->accept_retry = evtimer_new(base, on_accept_retry, s);
        /* Backlog 0: the socket is listening already (ours, or systemd's). */
        s->listener = evconnlistener_new(base, on_accept, s,
                                         LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
        if (!s->listener || !s->accept_retry) {
                server_free(s);
                return -ENOMEM;
        }
        TAKE_FD(fd);
        evconnlistener_set_error_cb(s->listener, on_accept_error);
        *ret = s;
        return 0;
}

void server_stop_listening(Server *s) {
        if (s->listener) {
                evconnlistener_free(s->listener);
                s->listener = NULL;
        }
        if (s->accept_retry)
                evtimer_del(s->accept_retry);
}

Server *server_free(Server *s) {
        Connection *c;

        if (!s)
                return NULL;
        server_stop_listening(s);
        while ((c = LIST_FIRST(&s->connections)))
                connection_free(c);
        if (s->accept_retry)
                event_free(s->accept_retry);
        free(s);
        return NULL;
}

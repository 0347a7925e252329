/* SPDX-License-Identifier: MIT */
/* The listening socket and the client connections: accepting, line framing (one JSON value per
 * `\n`-terminated line, at most JSONRPC_LINE_MAX bytes, refused without being buffered whole),
 * writing answers, back-pressure, and closing. What a line means is the dispatcher's business.
 *
 * A connection whose peer closes both directions is freed at once, cancelling what it had in
 * flight (its ConnectionTasks). A peer that only shuts down its writing side (`nc -N`, a client
 * that sent everything) still gets every answer; the connection closes after the last one. */
#pragma once

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

typedef struct Server Server;
typedef struct Connection Connection;
typedef struct ConnectionTask ConnectionTask;

/* Work in flight for a connection (a request waiting for its answer). */
struct ConnectionTask {
        Connection *connection; /* NULL once detached */
        /* The connection is gone: drop the work and free it. The task is already detached. */
        void (*cancel)(ConnectionTask *task);
        LIST_ENTRY(ConnectionTask) link;
};

typedef struct ServerHandler {
        /* One line: `message` parsed (borrowed), or NULL with `error` when it is not JSON. */
        void (*message)(Connection *c, json_t *message, const json_error_t *error, void *userdata);
        /* A connection came or went, or finished writing (for the shutdown check). */
        void (*changed)(void *userdata);
} ServerHandler;

/* Creates, binds and listens on a Unix stream socket at path with the given mode; a stale socket
 * there (nobody accepting) is replaced. Returns 0 with *ret_fd, -EADDRINUSE when another server
 * answers on it, -EEXIST when path is something other than a socket, or -errno. */
int server_listen_unix(const char *path, mode_t mode, int *ret_fd);

/* Serves on a listening socket (ours, or from socket activation); takes the fd. */
int server_new(struct event_base *base, int listen_fd, const ServerHandler *handler, void *userdata,
               Server **ret);
/* Closes every connection (cancelling their tasks) and the listening socket. NULL-safe. */
Server *server_free(Server *s);

/* Closes the listening socket: new connections are refused, existing ones go on. */
void server_stop_listening(Server *s);
unsigned server_n_connections(const Server *s);
uint64_t server_n_connections_total(const Server *s);
/* Every connection has written all its output. */
bool server_is_flushed(const Server *s);

/* Queues a message (one line) for the peer; dropped when the connection is closing. 0 or
 * -ENOMEM. */
int connection_send(Connection *c, const json_t *message);
uint64_t connection_get_id(const Connection *c);

void connection_add_task(Connection *c, ConnectionTask *task);
/* Detaches a finished task. NULL-safe on a detached one. May close a half-closed connection
 * that has nothing left to do. */
void connection_remove_task(ConnectionTask *task);

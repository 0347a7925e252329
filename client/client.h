/* SPDX-License-Identifier: MIT */
/* A small client of sandboxd's JSON-RPC 2.0 socket (PROTOCOL.md §1): connect to the Unix stream
 * socket, send one request per line, read lines back, hand `output` notifications (and any other
 * notification) to a callback and return the response whose id matches the request.
 *
 * One request at a time per Client: client_call() blocks until its response arrives. That is all
 * sandboxctl needs; an agent that wants several requests in flight opens several connections.
 *
 * No logging at error level here: functions return -errno and the caller decides what to say.
 * Lines are parsed with JSON_ALLOW_NUL (stdout/stderr may carry "\u0000") and
 * JSON_REJECT_DUPLICATES, as PROTOCOL.md asks of every peer. */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "macro.h"

/* The socket systemd's sandboxd.socket listens on; $SANDBOXD_SOCKET overrides it. */
#define CLIENT_DEFAULT_SOCKET "/run/sandboxd/sandboxd.sock"
#define CLIENT_SOCKET_ENV     "SANDBOXD_SOCKET"

typedef struct Client Client;

/* Called for every notification (a message without an id) that arrives while client_call()
 * waits: `method` is its method, `params` its params (borrowed; may be NULL). Return 0 to keep
 * waiting, a negative errno to abandon the call (client_call() then returns it). */
typedef int (*ClientNotificationHandler)(Client *client, const char *method, json_t *params,
                                         void *userdata);

/* $SANDBOXD_SOCKET if set and non-empty, else CLIENT_DEFAULT_SOCKET. */
const char *client_default_socket(void);

/* Connects to the socket at `path`. Returns 0 and *ret, or -ENAMETOOLONG (path does not fit a
 * sockaddr_un), -ENOENT / -ECONNREFUSED / -EACCES (nobody listens there, or not for us), or
 * another -errno from socket()/connect(). */
int client_connect(const char *path, Client **ret);

/* Closes the connection. NULL-safe; returns NULL. */
Client *client_free(Client *client);
static inline void client_freep(Client **client) {
        client_free(*client);
}

/* Sends {"jsonrpc":"2.0","id":N,"method":method,"params":params} (params borrowed; NULL sends
 * none) and waits for the response with the same id, passing notifications to `handler` (may be
 * NULL) on the way.
 *
 * Returns 0 with exactly one of *ret_result (the `result` member) or *ret_error (the `error`
 * object, which has at least an integer `code` and a string `message`) set; the caller owns it.
 * Returns -ECONNRESET when the daemon closed the connection before answering, -EBADMSG when it
 * sent a line that is not a JSON-RPC 2.0 message, -EMSGSIZE when a line is longer than any
 * response can be, a handler's negative return, or another -errno from the socket. */
int client_call(Client *client, const char *method, json_t *params,
                ClientNotificationHandler handler, void *userdata, json_t **ret_result,
                json_t **ret_error);

/* The `code` of an error object (0 if it has none), and its `message` ("" if none). */
int client_error_code(const json_t *error);
const char *client_error_message(const json_t *error);

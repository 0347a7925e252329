/* SPDX-License-Identifier: MIT */
/* The JSON-RPC methods (PROTOCOL.md §7): decoding a line's request(s), batches, answering by id.
 * `execute` goes to its language's pool and is answered when the worker is done; `languages`,
 * `stats` and `health` are answered at once. */
#pragma once

#include <jansson.h>

#include "manager.h"
#include "server.h"

/* One line from a connection: a request, a notification, a batch, or (message NULL) something
 * that isn't JSON. Every answer goes back through the connection. */
void dispatch_message(Manager *m, Connection *c, json_t *message, const json_error_t *error);

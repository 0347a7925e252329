/* SPDX-License-Identifier: MIT */
#include "client.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "exec-limits.h"
#include "jsonrpc.h"
#include "log.h"

/* The longest line a daemon can owe us: an execute result whose stdout and stderr together hold
 * max_output_bytes (ceiling 64 MiB) of output, which UTF-8 repair and JSON escaping can grow up to
 * 6 times (PROTOCOL.md §4.1), plus the small fixed part of the result. A longer line is not a
 * response, and the cap keeps a broken peer from growing our buffer without end. */
#define CLIENT_LINE_MAX   (6 * EXEC_MAX_OUTPUT_BYTES_MAX + EXEC_MIB)
#define CLIENT_READ_CHUNK (64 * 1024)

struct Client {
        int fd;
        uint64_t next_id;
        char *buf; /* bytes received and not yet consumed: [0, size) */
        size_t size;
        size_t allocated;
        size_t scanned; /* [0, scanned) of buf holds no '\n': where the next search starts */
};

const char *client_default_socket(void) {
        const char *e = getenv(CLIENT_SOCKET_ENV);

        return e && *e ? e : CLIENT_DEFAULT_SOCKET;
}

int client_connect(const char *path, Client **ret) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        _cleanup_close_ int fd = -1;
        size_t len = strlen(path);
        Client *c;

        /* The path needs no terminator in sun_path, but a path that fills it completely is an
         * unportable edge; refuse it like most tools do. */
        if (len == 0)
                return -EINVAL;
        if (len >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, len);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (const struct sockaddr *)&sa,
                    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1)) < 0)
                return -errno;

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->fd = TAKE_FD(fd);
        c->next_id = 1;
        *ret = c;
        return 0;
}

Client *client_free(Client *client) {
        if (!client)
                return NULL;
        safe_close(client->fd);
        free(client->buf);
        free(client);
        return NULL;
}

int client_error_code(const json_t *error) {
        json_t *code = json_object_get(error, "code");

        return json_is_integer(code) ? (int)json_integer_value(code) : 0;
}

const char *client_error_message(const json_t *error) {
        const char *message = json_string_value(json_object_get(error, "message"));

        return message ?: "";
}

static int client_send_all(Client *c, const char *data, size_t size) {
        while (size > 0) {
                /* MSG_NOSIGNAL: a daemon that went away is an error to report, not a SIGPIPE. */
                ssize_t n = send(c->fd, data, size, MSG_NOSIGNAL);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                data += n;
                size -= (size_t)n;
        }
        return 0;
}

static int client_send_request(Client *c, uint64_t id, const char *method, json_t *params) {
        json_auto_t *msg = NULL, *id_json = NULL;
        _cleanup_free_ char *line = NULL;
        size_t size;
        int r;

        id_json = json_integer((json_int_t)id);
        if (!id_json)
                return -ENOMEM;
        msg = jsonrpc_request_new(id_json, method, json_incref(params));
        if (!msg)
                return -ENOMEM;
        r = jsonrpc_dump_line(msg, &line, &size);
        if (r < 0)
                return r;
        return client_send_all(c, line, size);
}

/* Reads until buf holds a complete line. Returns the line's length (without '\n'), or -errno. */
static ssize_t client_fill_line(Client *c) {
        for (;;) {
                char *nl = memchr(c->buf + c->scanned, '\n', c->size - c->scanned);
                ssize_t n;

                if (nl)
                        return nl - c->buf;
                c->scanned = c->size;
                if (c->size > CLIENT_LINE_MAX)
                        return -EMSGSIZE;

                if (c->allocated - c->size < CLIENT_READ_CHUNK) {
                        size_t want = MAX(c->allocated * 2, (size_t)4 * CLIENT_READ_CHUNK);
                        char *p = realloc(c->buf, want);

                        if (!p)
                                return -ENOMEM;
                        c->buf = p;
                        c->allocated = want;
                }

                n = read(c->fd, c->buf + c->size, c->allocated - c->size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -ECONNRESET;
                c->size += (size_t)n;
        }
}

/* Reads and parses the next line. Returns 0 and *ret (an object), or -errno. */
static int client_read_message(Client *c, json_t **ret) {
        _cleanup_(json_decrefp) json_t *msg = NULL;
        json_error_t error;
        const char *version;
        ssize_t len = client_fill_line(c);

        if (len < 0)
                return (int)len;

        msg = jsonrpc_parse_line(c->buf, (size_t)len, &error);

        /* Consume the line whether it parsed or not. */
        memmove(c->buf, c->buf + len + 1, c->size - (size_t)len - 1);
        c->size -= (size_t)len + 1;
        c->scanned = 0;

        if (!msg) {
                log_debug("Daemon sent a line that is not JSON: %s", error.text);
                return -EBADMSG;
        }
        version = json_string_value(json_object_get(msg, "jsonrpc"));
        if (!json_is_object(msg) || !version || strcmp(version, "2.0") != 0)
                return -EBADMSG;
        *ret = TAKE_PTR(msg);
        return 0;
}

int client_call(Client *c, const char *method, json_t *params, ClientNotificationHandler handler,
                void *userdata, json_t **ret_result, json_t **ret_error) {
        uint64_t id = c->next_id++;
        int r;

        r = client_send_request(c, id, method, params);
        if (r < 0)
                return r;

        for (;;) {
                json_auto_t *msg = NULL;
                json_t *msg_id, *result, *error;
                bool ours;

                r = client_read_message(c, &msg);
                if (r < 0)
                        return r;

                if (jsonrpc_is_notification(msg)) {
                        const char *m = json_string_value(json_object_get(msg, "method"));

                        if (!m)
                                return -EBADMSG;
                        if (handler) {
                                r = handler(c, m, json_object_get(msg, "params"), userdata);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }

                msg_id = json_object_get(msg, "id");
                result = json_object_get(msg, "result");
                error = json_object_get(msg, "error");

                /* With one request in flight, an error with id null (the daemon could not read
                 * our id: a parse error) is about this request too. */
                ours = (json_is_integer(msg_id) && (uint64_t)json_integer_value(msg_id) == id) ||
                       (json_is_null(msg_id) && error);
                if (!ours) {
                        log_debug("Ignoring a message that is not our response.");
                        continue;
                }
                if (!!result == !!error)
                        return -EBADMSG;

                if (error) {
                        if (!json_is_object(error) ||
                            !json_is_integer(json_object_get(error, "code")))
                                return -EBADMSG;
                        *ret_error = json_incref(error);
                        *ret_result = NULL;
                } else {
                        *ret_result = json_incref(result);
                        *ret_error = NULL;
                }
                return 0;
        }
}

/* SPDX-License-Identifier: MIT */
#include "jsonrpc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

json_t *jsonrpc_error_new(int code, const char *kind, const char *message) {
        return json_pack("{si ss s{ss}}", "code", code, "message", message, "data", "kind", kind);
}

int jsonrpc_error_set_data(json_t *error, const char *key, json_t *value) {
        json_t *data = json_object_get(error, "data");

        if (!value)
                return -ENOMEM;
        if (!json_is_object(data)) {
                json_decref(value);
                return -EINVAL;
        }
        return json_object_set_new(data, key, value) < 0 ? -ENOMEM : 0;
}

static json_t *invalid_request(const char *message, const char *field) {
        json_t *e = jsonrpc_error_new(JSONRPC_ERROR_INVALID_REQUEST, "invalid_request", message);

        if (e && field && jsonrpc_error_set_data(e, "field", json_string(field)) < 0) {
                json_decref(e);
                return NULL;
        }
        return e;
}

/* Client-supplied names are echoed as printable ASCII only, truncated (PROTOCOL.md §5). */
static void printable_copy(char *buf, size_t size, const char *s) {
        size_t i;

        for (i = 0; i + 1 < size && s[i]; i++)
                buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
        buf[i] = '\0';
}

static int fail(json_t **ret_error, json_t *error) {
        if (ret_error)
                *ret_error = error;
        else
                json_decref(error);
        return -EINVAL;
}

int jsonrpc_request_parse(json_t *message, JsonrpcRequest *ret, json_t **ret_error) {
        const char *key;
        json_t *value, *id;

        *ret = (JsonrpcRequest){};
        if (!json_is_object(message))
                return fail(ret_error, invalid_request("a request must be a JSON object", NULL));

        /* The id first: every later complaint can then be answered to the right id. A
         * fractional or huge number is allowed (JSON-RPC says "SHOULD NOT", not "MUST NOT")
         * and echoed as parsed. */
        id = json_object_get(message, "id");
        if (id) {
                if (!json_is_string(id) && !json_is_number(id) && !json_is_null(id))
                        return fail(ret_error,
                                    invalid_request("id must be a string, a number or null", "id"));
                ret->id = id;
        }

        /* Unknown members are refused like unknown params: a misspelled "parmas" would
         * otherwise silently run a method without its params. */
        json_object_foreach(message, key, value) {
                if (strcmp(key, "jsonrpc") != 0 && strcmp(key, "method") != 0 &&
                    strcmp(key, "params") != 0 && strcmp(key, "id") != 0) {
                        char name[33];
                        printable_copy(name, sizeof name, key);
                        return fail(ret_error,
                                    invalid_request("unknown member in the request", name));
                }
        }

        value = json_object_get(message, "jsonrpc");
        if (!json_is_string(value) || strcmp(json_string_value(value), "2.0") != 0)
                return fail(ret_error, invalid_request("jsonrpc must be \"2.0\"", "jsonrpc"));

        value = json_object_get(message, "method");
        if (!json_is_string(value))
                return fail(ret_error, invalid_request("method must be a string", "method"));
        if (strlen(json_string_value(value)) != json_string_length(value))
                return fail(ret_error, invalid_request("method must not contain NUL", "method"));
        ret->method = json_string_value(value);

        value = json_object_get(message, "params");
        if (value && !json_is_null(value)) {
                if (!json_is_object(value) && !json_is_array(value))
                        return fail(
                                ret_error,
                                invalid_request("params must be an object or an array", "params"));
                ret->params = value;
        }
        return 0;
}

json_t *jsonrpc_response_new(json_t *id, json_t *result) {
        if (!result)
                return NULL;
        return json_pack("{ss sO so}", "jsonrpc", "2.0", "id", id ?: json_null(), "result", result);
}

json_t *jsonrpc_error_response_new(json_t *id, json_t *error) {
        if (!error)
                return NULL;
        return json_pack("{ss sO so}", "jsonrpc", "2.0", "id", id ?: json_null(), "error", error);
}

json_t *jsonrpc_notification_new(const char *method, json_t *params) {
        if (!params)
                return NULL;
        return json_pack("{ss ss so}", "jsonrpc", "2.0", "method", method, "params", params);
}

json_t *jsonrpc_request_new(json_t *id, const char *method, json_t *params) {
        json_t *m = json_pack("{ss ss}", "jsonrpc", "2.0", "method", method);

        if (!m) {
                json_decref(params);
                return NULL;
        }
        if ((id && json_object_set(m, "id", id) < 0) ||
            (params && json_object_set_new(m, "params", params) < 0)) {
                json_decref(m);
                return NULL;
        }
        return m;
}

int jsonrpc_dump_line(const json_t *message, char **ret, size_t *ret_size) {
        size_t size = json_dumpb(message, NULL, 0, JSONRPC_DUMP_FLAGS);
        char *text;

        if (size == 0)
                return -ENOMEM;
        text = malloc(size + 1);
        if (!text)
                return -ENOMEM;
        if (json_dumpb(message, text, size, JSONRPC_DUMP_FLAGS) != size) {
                free(text);
                return -ENOMEM;
        }
        text[size] = '\n';
        *ret = text;
        *ret_size = size + 1;
        return 0;
}

json_t *jsonrpc_parse_line(const char *line, size_t size, json_error_t *error) {
        return json_loadb(line, size, JSONRPC_PARSE_FLAGS, error);
}

bool jsonrpc_is_response(const json_t *message) {
        return json_is_object(message) &&
               (json_object_get(message, "result") || json_object_get(message, "error"));
}

bool jsonrpc_is_notification(const json_t *message) {
        return json_is_object(message) && json_object_get(message, "method") &&
               !json_object_get(message, "id");
}

/* SPDX-License-Identifier: MIT */
#include "line-reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

int line_reader_next(LineReader *r, struct evbuffer *buf, size_t *ret_len) {
        size_t length = evbuffer_get_length(buf);
        struct evbuffer_ptr start, found;

        if (r->scan_offset < length) {
                if (evbuffer_ptr_set(buf, &start, r->scan_offset, EVBUFFER_PTR_SET) < 0)
                        return -EIO;
                found = evbuffer_search(buf, "\n", 1, &start);
                if (found.pos >= 0) {
                        if ((size_t)found.pos + 1 > r->max)
                                return -E2BIG;
                        *ret_len = (size_t)found.pos;
                        return 1;
                }
                r->scan_offset = length;
        }
        return length >= r->max ? -E2BIG : 0;
}

typedef struct ChunkCursor {
        struct evbuffer_iovec *vec;
        int n_vec, index;
        size_t offset;    /* into vec[index] */
        size_t remaining; /* bytes of the line still to hand out */
} ChunkCursor;

static size_t chunk_read(void *out, size_t size, void *userdata) {
        ChunkCursor *c = userdata;
        size_t done = 0;

        while (done < size && c->remaining > 0 && c->index < c->n_vec) {
                struct evbuffer_iovec *v = &c->vec[c->index];
                size_t n = MIN(MIN(size - done, v->iov_len - c->offset), c->remaining);

                memcpy((char *)out + done, (char *)v->iov_base + c->offset, n);
                done += n;
                c->offset += n;
                c->remaining -= n;
                if (c->offset == v->iov_len) {
                        c->index++;
                        c->offset = 0;
                }
        }
        return done;
}

json_t *line_reader_parse(struct evbuffer *buf, size_t len, size_t flags, json_error_t *error) {
        _cleanup_free_ struct evbuffer_iovec *vec = NULL;
        struct evbuffer_iovec one;
        ChunkCursor c = {.remaining = len};
        int n;

        /* Most lines sit in one chain: no allocation then. */
        n = evbuffer_peek(buf, (ev_ssize_t)len, NULL, &one, 1);
        if (n <= 1) {
                if (n == 1 && one.iov_len >= len)
                        return json_loadb(one.iov_base, len, flags, error);
                if (len == 0)
                        return json_loadb("", 0, flags, error);
        }
        vec = calloc((size_t)n, sizeof(*vec));
        if (!vec) {
                if (error)
                        snprintf(error->text, sizeof error->text, "out of memory");
                return NULL;
        }
        c.vec = vec;
        c.n_vec = evbuffer_peek(buf, (ev_ssize_t)len, NULL, vec, n);
        return json_load_callback(chunk_read, &c, flags, error);
}

void line_reader_consume(LineReader *r, struct evbuffer *buf, size_t len) {
        evbuffer_drain(buf, len + 1);
        r->scan_offset = 0;
}

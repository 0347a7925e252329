/* SPDX-License-Identifier: MIT */
/* Newline-delimited JSON read out of a libevent evbuffer, shared by the client connections and the
 * worker pipes: finds the next line without rescanning what was already searched (a line arrives
 * in many small reads), refuses a line past a cap, and parses a line in place, without first
 * copying it into one contiguous block. */
#pragma once

#include <event2/buffer.h>
#include <jansson.h>
#include <stddef.h>

typedef struct LineReader {
        size_t max;         /* longest line, `\n` included */
        size_t scan_offset; /* bytes at the head of the buffer known to hold no `\n` */
} LineReader;

/* Looks for the next complete line. Returns 1 with *ret_len its length without the `\n`, 0 when
 * the line is not complete yet, -E2BIG when it is (or would be) longer than r->max. */
int line_reader_next(LineReader *r, struct evbuffer *buf, size_t *ret_len);

/* Parses the first len bytes of buf as one JSON value with `flags`; buf is unchanged. NULL with
 * *error filled when it is not valid JSON. */
json_t *line_reader_parse(struct evbuffer *buf, size_t len, size_t flags, json_error_t *error);

/* Drops the line (and its `\n`) found by line_reader_next(). */
void line_reader_consume(LineReader *r, struct evbuffer *buf, size_t len);

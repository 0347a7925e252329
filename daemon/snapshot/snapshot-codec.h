/* SPDX-License-Identifier: MIT */
/* The snapshot state's byte codec: a growing buffer the sections are written into, capped at
 * SNAPSHOT_STATE_MAX (the first failure sticks, checked once at the end), and a cursor that
 * reads them back without ever passing the end. Every component's save/restore pair
 * (*-persist.h) writes into a Buffer and reads from a Cursor over its own section only. */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "snapshot-format.h"

typedef struct Buffer {
        uint8_t *data;
        size_t size, allocated;
        int error;
} Buffer;

static inline void buffer_put(Buffer *b, const void *data, size_t size) {
        if (b->error)
                return;
        if (size > SNAPSHOT_STATE_MAX || b->size + size > SNAPSHOT_STATE_MAX) {
                b->error = -E2BIG;
                return;
        }
        if (b->size + size > b->allocated) {
                size_t n = MAX(b->allocated * 2, b->size + size + 4096);
                uint8_t *d = realloc(b->data, n);
                if (!d) {
                        b->error = -ENOMEM;
                        return;
                }
                b->data = d;
                b->allocated = n;
        }
        memcpy(b->data + b->size, data, size);
        b->size += size;
}

typedef struct SectionHeader {
        uint32_t tag;
        uint32_t reserved;
        uint64_t length;
} SectionHeader;

/* Starts a section whose payload is what is put next; returns where its header is, for
 * buffer_section_end() to fill in its length. */
static inline size_t buffer_section_begin(Buffer *b, uint32_t tag) {
        SectionHeader h = {.tag = tag};
        size_t at = b->size;
        buffer_put(b, &h, sizeof(h));
        return at;
}

static inline void buffer_section_end(Buffer *b, size_t at) {
        uint64_t length = b->size - at - sizeof(SectionHeader);
        if (b->error)
                return;
        /* memcpy: a section after one of odd length starts unaligned. */
        memcpy(b->data + at + offsetof(SectionHeader, length), &length, sizeof(length));
}

typedef struct Cursor {
        const uint8_t *p;
        size_t left;
} Cursor;

static inline int take(Cursor *c, void *dst, size_t size) {
        if (size > c->left)
                return -EBADMSG;
        memcpy(dst, c->p, size);
        c->p += size;
        c->left -= size;
        return 0;
}

/* The next `size` bytes in place, or NULL past the end. */
static inline const uint8_t *take_bytes(Cursor *c, size_t size) {
        const uint8_t *p = c->p;
        if (size > c->left)
                return NULL;
        c->p += size;
        c->left -= size;
        return p;
}

/* SPDX-License-Identifier: MIT */
/* A tiny valid guest image built in memory in the layout of daemon/kernel/image.h, for the
 * targets that need a filesystem (tests/fuzz/make-corpus.py writes the same one as a seed). */
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image.h"
#include "macro.h"

typedef struct FuzzImageSpec {
        const char *name;
        uint32_t parent;
        uint32_t mode;
        const char *data; /* file content or symlink target */
} FuzzImageSpec;

/* Breadth-first, each directory's children consecutive and sorted bytewise (image.h's rules). */
static const FuzzImageSpec fuzz_image_spec[] = {
        /*  0 */ {"", 0, S_IFDIR | 0755, NULL},
        /*  1 */ {"bin", 0, S_IFLNK | 0777, "usr/bin"},
        /*  2 */ {"dev", 0, S_IFDIR | 0755, NULL},
        /*  3 */ {"etc", 0, S_IFDIR | 0755, NULL},
        /*  4 */ {"home", 0, S_IFDIR | 0755, NULL},
        /*  5 */ {"proc", 0, S_IFDIR | 0555, NULL},
        /*  6 */ {"tmp", 0, S_IFDIR | 01777, NULL},
        /*  7 */ {"usr", 0, S_IFDIR | 0755, NULL},
        /*  8 */ {"abs", 3, S_IFLNK | 0777, "/etc/passwd"},
        /*  9 */ {"loop", 3, S_IFLNK | 0777, "loop"},
        /* 10 */ {"passwd", 3, S_IFREG | 0644, "root:x:0:0:root:/root:/bin/sh\n"},
        /* 11 */ {"rel", 3, S_IFLNK | 0777, "passwd"},
        /* 12 */ {"up", 3, S_IFLNK | 0777, "../../.."},
        /* 13 */ {"sandbox", 4, S_IFDIR | 0755, NULL},
        /* 14 */ {"bin", 7, S_IFDIR | 0755, NULL},
        /* 15 */ {"lib", 7, S_IFDIR | 0755, NULL},
        /* 16 */ {"python3", 14, S_IFREG | 0755, "\177ELF not really"},
};

/* malloc'd (page-aligned), *ret_size bytes; the header's sha256 is left zero (image_verify is
 * not what the users of this image test). NULL on OOM. */
static inline void *fuzz_build_image(uint64_t *ret_size) {
        const uint32_t n = ELEMENTSOF(fuzz_image_spec);
        const uint64_t entries_offset = ALIGN_UP((uint64_t)sizeof(ImageHeader), 8ull);
        const uint64_t names_offset = entries_offset + n * sizeof(ImageEntry);
        uint64_t names_size = 0, data_pos, total;
        ImageHeader *h;
        ImageEntry *e;
        uint8_t *buf;

        for (uint32_t i = 0; i < n; i++)
                names_size += strlen(fuzz_image_spec[i].name);
        data_pos = ALIGN_UP(names_offset + names_size, (uint64_t)IMAGE_PAGE_SIZE);
        total = data_pos;
        for (uint32_t i = 0; i < n; i++)
                if (fuzz_image_spec[i].data)
                        total += ALIGN_UP((uint64_t)strlen(fuzz_image_spec[i].data) + 1,
                                          (uint64_t)IMAGE_PAGE_SIZE);

        buf = aligned_alloc(IMAGE_PAGE_SIZE, total);
        if (!buf)
                return NULL;
        memset(buf, 0, total);
        h = (ImageHeader *)buf;
        memcpy(h->magic, IMAGE_MAGIC, sizeof(h->magic));
        h->version = IMAGE_FORMAT_VERSION;
        h->entry_count = n;
        h->entries_offset = entries_offset;
        h->names_offset = names_offset;
        h->names_size = names_size;
        h->data_offset = data_pos;
        h->total_size = total;

        e = (ImageEntry *)(buf + entries_offset);
        for (uint32_t i = 0, name_pos = 0; i < n; i++) {
                const FuzzImageSpec *s = &fuzz_image_spec[i];
                size_t len = strlen(s->name);

                e[i] = (ImageEntry){
                        .name_offset = name_pos,
                        .name_length = (uint32_t)len,
                        .parent = s->parent,
                        .mode = s->mode,
                        .mtime = 1700000000,
                };
                memcpy(buf + names_offset + name_pos, s->name, len);
                name_pos += (uint32_t)len;
                if (S_ISDIR(s->mode)) {
                        for (uint32_t c = i + 1; c < n; c++)
                                if (fuzz_image_spec[c].parent == i && c != 0) {
                                        if (e[i].child_count == 0)
                                                e[i].first_child = c;
                                        e[i].child_count++;
                                }
                } else {
                        e[i].size = strlen(s->data);
                        e[i].data_offset = data_pos;
                        memcpy(buf + data_pos, s->data, e[i].size);
                        data_pos += ALIGN_UP(e[i].size + 1, (uint64_t)IMAGE_PAGE_SIZE);
                }
        }
        *ret_size = total;
        return buf;
}

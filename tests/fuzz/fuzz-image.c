/* SPDX-License-Identifier: MIT */
/* image_parse() over hostile bytes (the image file is installed by root, but the parser is the
 * one thing between a corrupt or replaced file and every worker). The input is parsed as given
 * and, when its size is not a page multiple, once more zero-padded to one, so the fuzzer gets
 * past the size check without having to grow inputs to 4 KiB multiples. An image that parses
 * is then walked the way the VFS walks it, checking what image.h promises: names without '/'
 * and NUL, parents that lead to the root, children found by image_lookup() where they are. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "image.h"

#define FUZZ_IMAGE_MAX FUZZ_INPUT_MAX

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        fuzz_setup_logging();
        return 0;
}

static void walk(const Image *image) {
        uint32_t n = image_entry_count(image);

        FUZZ_ASSERT(n > 0);
        FUZZ_ASSERT(image_entry(image, n) == NULL);
        FUZZ_ASSERT(image_entry_name(image, n, &(uint32_t){0}) == NULL);
        FUZZ_ASSERT(S_ISDIR(image_entry(image, 0)->mode));

        for (uint32_t i = 0; i < n; i++) {
                const ImageEntry *e = image_entry(image, i);
                uint32_t name_length, idx = i, steps = 0;
                const char *name = image_entry_name(image, i, &name_length);
                const uint8_t *bytes = image_bytes(image);

                FUZZ_ASSERT(e && name);
                FUZZ_ASSERT(name_length <= IMAGE_NAME_MAX);
                FUZZ_ASSERT(!memchr(name, '/', name_length) && !memchr(name, 0, name_length));
                FUZZ_ASSERT((i == 0) == (name_length == 0));

                /* "walking up parents always ends at the root" */
                while (idx != 0) {
                        idx = image_entry(image, idx)->parent;
                        FUZZ_ASSERT(idx < n);
                        FUZZ_ASSERT(++steps <= n);
                }

                if (S_ISDIR(e->mode)) {
                        FUZZ_ASSERT(image_entry_data(image, i) == NULL);
                        for (uint32_t c = 0; c < e->child_count; c++) {
                                uint32_t child = e->first_child + c, found, child_length;
                                const char *child_name =
                                        image_entry_name(image, child, &child_length);

                                FUZZ_ASSERT(child_name);
                                FUZZ_ASSERT(image_entry(image, child)->parent == i);
                                FUZZ_ASSERT(image_lookup(image, i, child_name, child_length,
                                                         &found) == 0);
                                FUZZ_ASSERT(found == child);
                        }
                        FUZZ_ASSERT(image_lookup(image, i, "\xff\xff", 2, &(uint32_t){0}) ==
                                            -ENOENT ||
                                    e->child_count > 0);
                } else {
                        const uint8_t *data = image_entry_data(image, i);

                        FUZZ_ASSERT(data);
                        FUZZ_ASSERT(data >= bytes && (uint64_t)(data - bytes) <= image_size(image));
                        FUZZ_ASSERT(e->size <= image_size(image) - (uint64_t)(data - bytes));
                        FUZZ_ASSERT(image_lookup(image, i, "x", 1, &(uint32_t){0}) == -ENOTDIR);
                        /* Touch the first and last byte: ASan catches a range past the buffer. */
                        if (e->size > 0) {
                                volatile uint8_t sink;
                                sink = data[0];
                                sink = data[e->size - 1];
                                (void)sink;
                        }
                }
        }
        FUZZ_ASSERT(image_lookup(image, n, "x", 1, &(uint32_t){0}) == -EINVAL);
        FUZZ_ASSERT(strlen(image_sha256_hex(image)) == 64);
        (void)image_verify(image);
}

static void parse_one(const uint8_t *data, size_t size, size_t allocated) {
        _cleanup_(image_freep) Image *image = NULL;
        uint8_t *copy;

        /* image_parse reads entries in place and wants them 8-byte aligned: malloc gives that. */
        copy = malloc(MAX(allocated, (size_t)1));
        if (!copy)
                return;
        memcpy(copy, data, size);
        memset(copy + size, 0, allocated - size);
        if (image_parse(copy, allocated, &image) == 0) {
                FUZZ_ASSERT(image_size(image) == allocated);
                FUZZ_ASSERT(image_fd(image) == -1);
                walk(image);
        }
        image = image_free(image);
        free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > FUZZ_IMAGE_MAX)
                return 0;
        parse_one(data, size, size);
        if (!IS_ALIGNED(size, (size_t)IMAGE_PAGE_SIZE))
                parse_one(data, size, ALIGN_UP(size, (size_t)IMAGE_PAGE_SIZE));
        return 0;
}

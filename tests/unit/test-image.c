/* SPDX-License-Identifier: MIT */
/* Tests for the guest image reader (daemon/kernel/image.c) and common/sha256.c.
 *
 *   test-image [IMAGE [SHA256-HEX]]
 *
 * Always: SHA-256 test vectors, a small image built here in memory (lookups, then every field
 * corrupted in turn, every truncation, random mutations: each must fail with -EBADMSG or parse
 * cleanly, never crash — run it under ASan/UBSan too). With IMAGE (the built guest.img): parse
 * and verify it, compare files against the host's, mutate its metadata. With SHA256-HEX (computed
 * independently, e.g. by Python's hashlib over the file with bytes 56..87 zeroed): compare.
 * Exits 0 on success; prints each failed check. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

#include "image.h"
#include "log.h"
#include "macro.h"
#include "sha256.h"

static unsigned checks, failures;

#define check(expr)                                                                                \
        do {                                                                                       \
                checks++;                                                                          \
                if (!(expr)) {                                                                     \
                        failures++;                                                                \
                        fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #expr);            \
                }                                                                                  \
        } while (0)

#define check_eq(a, b)                                                                             \
        do {                                                                                       \
                long long _a = (long long)(a), _b = (long long)(b);                                \
                checks++;                                                                          \
                if (_a != _b) {                                                                    \
                        failures++;                                                                \
                        fprintf(stderr, "FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__,         \
                                __LINE__, #a, #b, _a, _b);                                         \
                }                                                                                  \
        } while (0)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void) {
        /* xorshift64*: deterministic, so a failure can be replayed. */
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * 0x2545f4914f6cdd1dull;
}

/* --- SHA-256 --------------------------------------------------------------------------------- */

static bool digest_is(const uint8_t d[SHA256_DIGEST_SIZE], const char *hex) {
        char h[SHA256_DIGEST_SIZE * 2 + 1];

        sha256_to_hex(d, h);
        if (strcmp(h, hex) == 0)
                return true;
        fprintf(stderr, "  got      %s\n  expected %s\n", h, hex);
        return false;
}

static void test_sha256(void) {
        static const char abc448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        uint8_t d[SHA256_DIGEST_SIZE], d2[SHA256_DIGEST_SIZE];
        _cleanup_free_ uint8_t *million = malloc(1000000);
        Sha256 s;

        sha256_buffer("", 0, d);
        check(digest_is(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        sha256_buffer("abc", 3, d);
        check(digest_is(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        sha256_buffer(abc448, strlen(abc448), d);
        check(digest_is(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));

        check(million);
        if (!million)
                return;
        memset(million, 'a', 1000000);
        sha256_buffer(million, 1000000, d);
        check(digest_is(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));

        /* Fed in odd pieces: the buffering must not change the result. */
        sha256_init(&s);
        for (size_t off = 0, n = 1; off < 1000000; off += n, n = n * 7 % 1000 + 1)
                sha256_update(&s, million + off, MIN(n, 1000000 - off));
        sha256_final(&s, d2);
        check(memcmp(d, d2, sizeof d) == 0);

        /* Lengths around the padding boundary (55, 56, 63, 64 bytes). */
        sha256_buffer(million, 55, d);
        check(digest_is(d, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"));
        sha256_buffer(million, 56, d);
        check(digest_is(d, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"));
        sha256_buffer(million, 64, d);
        check(digest_is(d, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"));
}

/* --- a small image built in memory ------------------------------------------------------------
 *
 *   /        dir   entry 0, children 1..3
 *   /a       dir   entry 1, child 4
 *   /c       file  entry 2, "hello\n"
 *   /l       link  entry 3, -> "c"
 *   /a/b     file  entry 4, "bee"
 */

enum { SMALL_ENTRIES = 5 };
#define SMALL_ENTRIES_OFFSET 4096u
#define SMALL_NAMES_OFFSET   (SMALL_ENTRIES_OFFSET + SMALL_ENTRIES * sizeof(ImageEntry))
#define SMALL_DATA_OFFSET    8192u
#define SMALL_SIZE           (SMALL_DATA_OFFSET + 3 * IMAGE_PAGE_SIZE)

static ImageHeader *small_header(uint8_t *buf) {
        return (ImageHeader *)buf;
}

static ImageEntry *small_entry(uint8_t *buf, unsigned idx) {
        return (ImageEntry *)(buf + SMALL_ENTRIES_OFFSET) + idx;
}

static char *small_names(uint8_t *buf) {
        return (char *)buf + SMALL_NAMES_OFFSET;
}

static void small_rehash(uint8_t *buf, size_t size) {
        ImageHeader *h = small_header(buf);

        memset(h->sha256, 0, sizeof h->sha256);
        sha256_buffer(buf, size, h->sha256);
}

static uint8_t *small_build(void) {
        uint8_t *buf = calloc(1, SMALL_SIZE);
        ImageHeader *h = small_header(buf);

        if (!buf)
                abort();
        memcpy(h->magic, IMAGE_MAGIC, sizeof h->magic);
        h->version = IMAGE_FORMAT_VERSION;
        h->entry_count = SMALL_ENTRIES;
        h->entries_offset = SMALL_ENTRIES_OFFSET;
        h->names_offset = SMALL_NAMES_OFFSET;
        h->names_size = 4;
        h->data_offset = SMALL_DATA_OFFSET;
        h->total_size = SMALL_SIZE;
        memcpy(small_names(buf), "aclb", 4);

        *small_entry(buf, 0) =
                (ImageEntry){.mode = S_IFDIR | 0755, .first_child = 1, .child_count = 3};
        *small_entry(buf, 1) = (ImageEntry){.name_offset = 0,
                                            .name_length = 1,
                                            .parent = 0,
                                            .mode = S_IFDIR | 0755,
                                            .first_child = 4,
                                            .child_count = 1};
        *small_entry(buf, 2) = (ImageEntry){.name_offset = 1,
                                            .name_length = 1,
                                            .parent = 0,
                                            .mode = S_IFREG | 0644,
                                            .size = 6,
                                            .data_offset = SMALL_DATA_OFFSET};
        *small_entry(buf, 3) = (ImageEntry){.name_offset = 2,
                                            .name_length = 1,
                                            .parent = 0,
                                            .mode = S_IFLNK | 0777,
                                            .size = 1,
                                            .data_offset = SMALL_DATA_OFFSET + 4096};
        *small_entry(buf, 4) = (ImageEntry){.name_offset = 3,
                                            .name_length = 1,
                                            .parent = 1,
                                            .mode = S_IFREG | 0755,
                                            .size = 3,
                                            .data_offset = SMALL_DATA_OFFSET + 8192};
        memcpy(buf + SMALL_DATA_OFFSET, "hello\n", 6);
        memcpy(buf + SMALL_DATA_OFFSET + 4096, "c", 1);
        memcpy(buf + SMALL_DATA_OFFSET + 8192, "bee", 3);
        small_rehash(buf, SMALL_SIZE);
        return buf;
}

/* Touches everything a parsed image exposes, so ASan sees any out-of-range pointer. */
static unsigned long exercise(const Image *image) {
        unsigned long sum = 0;

        for (uint32_t i = 0; i < image_entry_count(image); i++) {
                const ImageEntry *e = image_entry(image, i);
                uint32_t len, found;
                const char *name = image_entry_name(image, i, &len);
                const uint8_t *data = image_entry_data(image, i);

                for (uint32_t k = 0; k < len; k++)
                        sum += (uint8_t)name[k];
                if (data)
                        for (uint64_t k = 0; k < e->size; k++)
                                sum += data[k];
                if (i > 0 && image_lookup(image, e->parent, name, len, &found) == 0)
                        sum += found;
                (void)image_lookup(image, i, "x", 1, &found);
        }
        return sum;
}

static void test_small_lookups(void) {
        _cleanup_free_ uint8_t *buf = small_build();
        _cleanup_(image_freep) Image *image = NULL;
        uint32_t idx = 0, len = 0;
        char longname[300];

        check_eq(image_parse(buf, SMALL_SIZE, &image), 0);
        if (!image)
                return;
        check_eq(image_verify(image), 0);
        check_eq(image_fd(image), -1);
        check_eq(image_size(image), SMALL_SIZE);
        check(image_bytes(image) == buf);
        check_eq(strlen(image_sha256_hex(image)), 64);
        check_eq(image_entry_count(image), SMALL_ENTRIES);

        check_eq(image_lookup(image, 0, "a", 1, &idx), 0);
        check_eq(idx, 1);
        check_eq(image_lookup(image, 0, "c", 1, &idx), 0);
        check_eq(idx, 2);
        check_eq(image_lookup(image, 0, "l", 1, &idx), 0);
        check_eq(idx, 3);
        check_eq(image_lookup(image, 1, "b", 1, &idx), 0);
        check_eq(idx, 4);
        check_eq(image_lookup(image, 0, "b", 1, &idx), -ENOENT);
        check_eq(image_lookup(image, 0, "aa", 2, &idx), -ENOENT);
        check_eq(image_lookup(image, 0, "0", 1, &idx), -ENOENT);
        check_eq(image_lookup(image, 0, "z", 1, &idx), -ENOENT);
        check_eq(image_lookup(image, 0, "", 0, &idx), -ENOENT);
        check_eq(image_lookup(image, 2, "x", 1, &idx), -ENOTDIR);
        check_eq(image_lookup(image, 3, "x", 1, &idx), -ENOTDIR);
        check_eq(image_lookup(image, SMALL_ENTRIES, "a", 1, &idx), -EINVAL);
        memset(longname, 'a', sizeof longname);
        check_eq(image_lookup(image, 0, longname, 256, &idx), -ENAMETOOLONG);

        check(memcmp(image_entry_data(image, 2), "hello\n", 6) == 0);
        check(memcmp(image_entry_data(image, 3), "c", 1) == 0);
        check(image_entry_data(image, 1) == NULL);
        check(memcmp(image_entry_name(image, 4, &len), "b", 1) == 0 && len == 1);
        check(image_entry(image, SMALL_ENTRIES) == NULL);
        check(image_entry_name(image, SMALL_ENTRIES, &len) == NULL);

        /* A change to file bytes parses (data is not checked at open) but fails verification. */
        buf[SMALL_DATA_OFFSET] ^= 1;
        check_eq(image_verify(image), -EBADMSG);
}

/* One corruption of the small image; returns the size to parse. */
typedef struct Corruption {
        const char *what;
        void (*apply)(uint8_t *buf, size_t *size);
} Corruption;

#define H    (small_header(buf))
#define E(i) (small_entry(buf, (i)))
#define CORRUPTION(name, body)                                                                     \
        static void corrupt_##name(uint8_t *buf, _unused_ size_t *size) {                          \
                body;                                                                              \
        }

CORRUPTION(magic, H->magic[0] = 'X')
CORRUPTION(version, H->version = IMAGE_FORMAT_VERSION + 1)
CORRUPTION(entry_count_huge, H->entry_count = UINT32_MAX)
CORRUPTION(entry_count_zero, H->entry_count = 0)
CORRUPTION(entry_count_more, H->entry_count = SMALL_ENTRIES + 1)
CORRUPTION(entries_past_end, H->entries_offset = SMALL_SIZE)
CORRUPTION(entries_huge, H->entries_offset = UINT64_MAX - 7)
CORRUPTION(entries_unaligned, H->entries_offset = SMALL_ENTRIES_OFFSET + 4)
CORRUPTION(entries_over_header, H->entries_offset = 0)
CORRUPTION(names_overflow, H->names_size = UINT64_MAX)
CORRUPTION(names_offset_overflow, H->names_offset = UINT64_MAX - 1)
CORRUPTION(names_in_data, H->names_offset = SMALL_DATA_OFFSET)
CORRUPTION(names_over_entries, H->names_offset = SMALL_ENTRIES_OFFSET)
CORRUPTION(data_unaligned, H->data_offset = SMALL_DATA_OFFSET + 1)
CORRUPTION(data_past_end, H->data_offset = SMALL_SIZE + IMAGE_PAGE_SIZE)
CORRUPTION(total_size_larger, H->total_size = SMALL_SIZE + IMAGE_PAGE_SIZE)
CORRUPTION(total_size_smaller, H->total_size = SMALL_SIZE - IMAGE_PAGE_SIZE)
CORRUPTION(truncated_page, *size = SMALL_SIZE - IMAGE_PAGE_SIZE)
CORRUPTION(truncated_byte, *size = SMALL_SIZE - 1)
CORRUPTION(truncated_header, *size = sizeof(ImageHeader) - 1)
CORRUPTION(truncated_empty, *size = 0)
CORRUPTION(name_length_zero, E(2)->name_length = 0)
CORRUPTION(name_length_256, E(2)->name_length = 256)
CORRUPTION(name_length_huge, E(2)->name_length = UINT32_MAX)
CORRUPTION(name_past_table, E(2)->name_offset = 4)
CORRUPTION(name_offset_overflow, E(2)->name_offset = UINT32_MAX)
CORRUPTION(name_slash, small_names(buf)[1] = '/')
CORRUPTION(name_nul, small_names(buf)[1] = '\0')
CORRUPTION(name_dot, small_names(buf)[0] = '.')
CORRUPTION(name_dotdot, E(3)->name_length = 2; small_names(buf)[2] = '.'; small_names(buf)[3] = '.')
CORRUPTION(parent_out_of_range, E(4)->parent = SMALL_ENTRIES)
CORRUPTION(parent_huge, E(4)->parent = UINT32_MAX)
CORRUPTION(parent_wrong, E(4)->parent = 0)
CORRUPTION(child_range_overflow, E(0)->first_child = UINT32_MAX; E(0)->child_count = 2)
CORRUPTION(child_range_past_end, E(1)->child_count = 2)
CORRUPTION(child_count_huge, E(0)->child_count = UINT32_MAX)
CORRUPTION(children_include_self, E(0)->first_child = 0; E(0)->child_count = 4)
CORRUPTION(children_before_dir, E(1)->first_child = 1)
CORRUPTION(cycle, E(1)->first_child = 0; E(1)->child_count = 0; E(4)->parent = 4;
           E(4)->mode = S_IFDIR | 0755; E(4)->size = 0; E(4)->data_offset = 0;
           E(4)->first_child = 4; E(4)->child_count = 1)
CORRUPTION(orphan, E(0)->child_count = 2)
CORRUPTION(claimed_twice, E(0)->child_count = 4)
CORRUPTION(unsorted, small_names(buf)[0] = 'd')
CORRUPTION(duplicate, small_names(buf)[1] = 'a')
CORRUPTION(empty_dir_first_child, E(1)->child_count = 0; E(4)->parent = 0)
CORRUPTION(data_offset_unaligned, E(2)->data_offset = SMALL_DATA_OFFSET + 1)
CORRUPTION(data_offset_past_end, E(2)->data_offset = SMALL_SIZE + IMAGE_PAGE_SIZE)
CORRUPTION(data_size_past_end, E(2)->size = 3 * IMAGE_PAGE_SIZE + 1)
CORRUPTION(data_overflow, E(2)->size = UINT64_MAX)
CORRUPTION(data_offset_overflow, E(2)->data_offset = UINT64_MAX & ~(uint64_t)4095)
CORRUPTION(data_in_metadata, E(2)->data_offset = 0)
CORRUPTION(data_in_entries, E(2)->data_offset = SMALL_ENTRIES_OFFSET)
CORRUPTION(symlink_empty, E(3)->size = 0)
CORRUPTION(symlink_too_long, E(3)->size = 4096)
CORRUPTION(symlink_nul, E(3)->size = 2)
CORRUPTION(mode_chardev, E(2)->mode = S_IFCHR | 0644)
CORRUPTION(mode_fifo, E(2)->mode = S_IFIFO | 0644)
CORRUPTION(mode_none, E(2)->mode = 0644)
CORRUPTION(mode_extra_bits, E(2)->mode = S_IFREG | 0644 | 0x10000000)
CORRUPTION(root_not_dir, E(0)->mode = S_IFREG | 0644)
CORRUPTION(root_named, E(0)->name_length = 1)
CORRUPTION(root_parent, E(0)->parent = 1)
CORRUPTION(dir_with_data, E(1)->size = 1)
CORRUPTION(dir_with_data_offset, E(1)->data_offset = SMALL_DATA_OFFSET)
CORRUPTION(file_with_children, E(2)->child_count = 1; E(2)->first_child = 4)
CORRUPTION(file_is_parent, E(4)->parent = 2; E(1)->child_count = 0; E(1)->first_child = 0)

#undef H
#undef E

static const Corruption corruptions[] = {
#define C(name)                                                                                    \
        { #name, corrupt_##name }
        C(magic),
        C(version),
        C(entry_count_huge),
        C(entry_count_zero),
        C(entry_count_more),
        C(entries_past_end),
        C(entries_huge),
        C(entries_unaligned),
        C(entries_over_header),
        C(names_overflow),
        C(names_offset_overflow),
        C(names_in_data),
        C(names_over_entries),
        C(data_unaligned),
        C(data_past_end),
        C(total_size_larger),
        C(total_size_smaller),
        C(truncated_page),
        C(truncated_byte),
        C(truncated_header),
        C(truncated_empty),
        C(name_length_zero),
        C(name_length_256),
        C(name_length_huge),
        C(name_past_table),
        C(name_offset_overflow),
        C(name_slash),
        C(name_nul),
        C(name_dot),
        C(name_dotdot),
        C(parent_out_of_range),
        C(parent_huge),
        C(parent_wrong),
        C(child_range_overflow),
        C(child_range_past_end),
        C(child_count_huge),
        C(children_include_self),
        C(children_before_dir),
        C(cycle),
        C(orphan),
        C(claimed_twice),
        C(unsorted),
        C(duplicate),
        C(empty_dir_first_child),
        C(data_offset_unaligned),
        C(data_offset_past_end),
        C(data_size_past_end),
        C(data_overflow),
        C(data_offset_overflow),
        C(data_in_metadata),
        C(data_in_entries),
        C(symlink_empty),
        C(symlink_too_long),
        C(symlink_nul),
        C(mode_chardev),
        C(mode_fifo),
        C(mode_none),
        C(mode_extra_bits),
        C(root_not_dir),
        C(root_named),
        C(root_parent),
        C(dir_with_data),
        C(dir_with_data_offset),
        C(file_with_children),
        C(file_is_parent),
#undef C
};

static void test_small_corruptions(void) {
        for (size_t i = 0; i < ELEMENTSOF(corruptions); i++) {
                _cleanup_free_ uint8_t *orig = small_build();
                _cleanup_(image_freep) Image *image = NULL;
                size_t size = SMALL_SIZE;
                uint8_t *copy;
                int r;

                corruptions[i].apply(orig, &size);
                /* An exact-size copy, so ASan flags any read past the end. */
                copy = malloc(MAX(size, 1u));
                if (!copy)
                        abort();
                memcpy(copy, orig, size);
                fprintf(stderr, "  %-24s ", corruptions[i].what);
                fflush(stderr);
                r = image_parse(copy, size, &image);
                if (r != -EBADMSG) {
                        failures++;
                        fprintf(stderr, "FAIL: image_parse() = %d, expected -EBADMSG\n", r);
                }
                checks++;
                free(copy);
        }
}

static void test_small_truncations(void) {
        _cleanup_free_ uint8_t *orig = small_build();
        int saved = log_get_max_level();

        log_set_max_level(LOG_CRIT);
        for (size_t size = 0; size < SMALL_SIZE; size++) {
                _cleanup_(image_freep) Image *image = NULL;
                _cleanup_free_ uint8_t *copy = malloc(MAX(size, 1u));

                if (!copy)
                        abort();
                memcpy(copy, orig, size);
                check_eq(image_parse(copy, size, &image), -EBADMSG);
        }
        log_set_max_level(saved);
}

/* Random byte changes to the metadata: the result is a clean error or a usable image. */
static void test_small_mutations(unsigned rounds) {
        _cleanup_free_ uint8_t *orig = small_build();
        _cleanup_free_ uint8_t *buf = malloc(SMALL_SIZE);
        unsigned parsed = 0;
        int saved = log_get_max_level();

        if (!buf)
                abort();
        log_set_max_level(LOG_CRIT);
        for (unsigned round = 0; round < rounds; round++) {
                _cleanup_(image_freep) Image *image = NULL;
                unsigned n = 1 + rng() % 4;
                int r;

                memcpy(buf, orig, SMALL_SIZE);
                for (unsigned k = 0; k < n; k++) {
                        /* Mostly the header, entries and names; sometimes a whole field. */
                        size_t at =
                                rng() % 3 == 0
                                        ? rng() % sizeof(ImageHeader)
                                        : SMALL_ENTRIES_OFFSET +
                                                  rng() % (SMALL_ENTRIES * sizeof(ImageEntry) + 4);
                        if (rng() % 4 == 0 && at + 4 <= SMALL_SIZE) {
                                uint32_t v = (uint32_t)rng();
                                if (rng() % 2)
                                        v %= 8;
                                memcpy(buf + at, &v, sizeof v);
                        } else
                                buf[at] = (uint8_t)rng();
                }
                r = image_parse(buf, SMALL_SIZE, &image);
                checks++;
                if (r != 0 && r != -EBADMSG) {
                        failures++;
                        fprintf(stderr, "FAIL: mutation round %u: image_parse() = %d\n", round, r);
                }
                if (r == 0) {
                        parsed++;
                        (void)exercise(image);
                }
        }
        log_set_max_level(saved);
        fprintf(stderr, "  %u random mutations of the small image, %u still parsed\n", rounds,
                parsed);
}

/* --- the real image -------------------------------------------------------------------------- */

/* The absolute path of directory `idx`, "" for the root. */
static void entry_path(const Image *image, uint32_t idx, char *buf, size_t size) {
        uint32_t chain[256];
        size_t depth = 0, used = 0;

        for (uint32_t d = idx; d != 0 && depth < ELEMENTSOF(chain);
             d = image_entry(image, d)->parent)
                chain[depth++] = d;
        buf[0] = '\0';
        while (depth > 0) {
                uint32_t len;
                const char *name = image_entry_name(image, chain[--depth], &len);
                int n = snprintf(buf + used, size - used, "/%.*s", (int)len, name);
                if (n < 0 || (size_t)n >= size - used)
                        break;
                used += (size_t)n;
        }
}

/* Resolves an absolute path in the image, following symlinks (like the guest's VFS will). */
static int resolve(const Image *image, const char *path, bool follow_last, uint32_t *ret,
                   unsigned depth) {
        uint32_t cur = 0;
        const char *p = path;

        if (depth > 40)
                return -ELOOP;
        if (*p != '/')
                return -EINVAL;
        while (*p) {
                const char *name, *target;
                size_t len;
                uint32_t next;
                const ImageEntry *e;
                char dir[4096], joined[8192];
                int r;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                name = p;
                len = strcspn(p, "/");
                p += len;

                if (len == 1 && name[0] == '.')
                        continue;
                if (len == 2 && name[0] == '.' && name[1] == '.') {
                        cur = image_entry(image, cur)->parent;
                        continue;
                }
                r = image_lookup(image, cur, name, len, &next);
                if (r < 0)
                        return r;
                e = image_entry(image, next);
                if ((e->mode & S_IFMT) != S_IFLNK || (!*p && !follow_last)) {
                        cur = next;
                        continue;
                }
                /* A relative target is relative to the link's directory. */
                target = image_entry_data(image, next);
                if (target[0] == '/')
                        dir[0] = '\0';
                else
                        entry_path(image, cur, dir, sizeof dir);
                snprintf(joined, sizeof joined, "%s/%.*s%s", dir, (int)e->size, target, p);
                return resolve(image, joined, follow_last, ret, depth + 1);
        }
        *ret = cur;
        return 0;
}

static void check_host_file(const Image *image, const char *path) {
        _cleanup_free_ uint8_t *host = NULL;
        _cleanup_close_ int fd = -1;
        const ImageEntry *e;
        const uint8_t *data;
        struct stat st;
        uint32_t idx;
        int r;

        r = resolve(image, path, true, &idx, 0);
        if (r < 0) {
                failures++;
                fprintf(stderr, "FAIL: %s not found in the image: %s\n", path, strerror(-r));
                return;
        }
        e = image_entry(image, idx);
        check_eq(e->mode & S_IFMT, S_IFREG);

        fd = open(path, O_RDONLY | O_CLOEXEC);
        check(fd >= 0 && fstat(fd, &st) == 0);
        if (fd < 0)
                return;
        if ((uint64_t)st.st_size != e->size) {
                failures++;
                fprintf(stderr,
                        "FAIL: %s: %" PRIu64 " bytes in the image, %" PRIu64 " on the host\n", path,
                        e->size, (uint64_t)st.st_size);
                return;
        }
        host = malloc(st.st_size + 1);
        check(host && read(fd, host, st.st_size + 1) == st.st_size);
        data = image_entry_data(image, idx);
        check(data && memcmp(data, host, st.st_size) == 0);
        /* Zero-padded to the page end. */
        for (uint64_t k = e->size; k < ALIGN_UP(e->size, (uint64_t)IMAGE_PAGE_SIZE); k++)
                if (data[k] != 0) {
                        failures++;
                        fprintf(stderr, "FAIL: %s: padding byte %" PRIu64 " not zero\n", path, k);
                        break;
                }
        checks++;
        fprintf(stderr, "  %-60s %9" PRIu64 " bytes, matches the host\n", path, e->size);
}

static void check_absent(const Image *image, const char *path) {
        uint32_t idx;
        int r = resolve(image, path, true, &idx, 0);

        checks++;
        if (r != -ENOENT) {
                failures++;
                fprintf(stderr, "FAIL: %s should not be in the image (%d)\n", path, r);
        }
}

static void check_kind(const Image *image, const char *path, uint32_t type) {
        uint32_t idx;
        int r = resolve(image, path, false, &idx, 0);

        check_eq(r, 0);
        if (r == 0)
                check_eq(image_entry(image, idx)->mode & S_IFMT, type);
}

static void test_real_image(const char *path, const char *expected_hex) {
        _cleanup_(image_freep) Image *image = NULL;
        int r;

        r = image_open(path, &image);
        if (r < 0) {
                failures++;
                fprintf(stderr, "FAIL: image_open(%s): %s\n", path, strerror(-r));
                return;
        }
        fprintf(stderr, "  %s: %u entries, %" PRIu64 " bytes, sha256 %s\n", path,
                image_entry_count(image), image_size(image), image_sha256_hex(image));
        check(image_fd(image) >= 0);
        check_eq(image_verify(image), 0);
        {
                Image *other = NULL;
                check_eq(image_open("/nonexistent/guest.img", &other), -ENOENT);
                check_eq(image_open("/usr", &other), -EISDIR);
                check_eq(image_open("/dev/null", &other), -EINVAL);
                check(other == NULL);
        }
        if (expected_hex)
                check(strcmp(image_sha256_hex(image), expected_hex) == 0);

        check_host_file(image, "/usr/bin/python3.11");
        check_host_file(image, "/usr/bin/python3");
        check_host_file(image, "/lib64/ld-linux-x86-64.so.2");
        check_host_file(image, "/lib/x86_64-linux-gnu/libc.so.6");
        check_host_file(image, "/lib/x86_64-linux-gnu/libz.so.1");
        check_host_file(image, "/lib/x86_64-linux-gnu/libcrypto.so.3");
        check_host_file(image, "/usr/lib/python3.11/json/__init__.py");
        check_host_file(image, "/usr/lib/python3.11/os.py");
        check_host_file(image, "/usr/lib/python3.11/_sysconfigdata__x86_64-linux-gnu.py");
        check_host_file(image,
                        "/usr/lib/python3.11/lib-dynload/_hashlib.cpython-311-x86_64-linux-gnu.so");
        check_host_file(image,
                        "/usr/lib/python3.11/lib-dynload/_sqlite3.cpython-311-x86_64-linux-gnu.so");
        check_host_file(image, "/usr/lib/python3.11/encodings/utf_8.py");
        check_host_file(image, "/usr/lib/locale/C.utf8/LC_CTYPE");

        check_kind(image, "/usr/bin/python3", S_IFLNK);
        check_kind(image, "/lib64/ld-linux-x86-64.so.2", S_IFLNK);
        check_kind(image, "/tmp", S_IFDIR);
        check_kind(image, "/home/sandbox", S_IFDIR);
        check_kind(image, "/dev", S_IFDIR);
        check_kind(image, "/proc", S_IFDIR);
        check_kind(image, "/usr/lib/sandboxd", S_IFDIR);
        check_kind(image, "/usr/lib/python3.11/lib-dynload", S_IFDIR);
        check_kind(image, "/etc/passwd", S_IFREG);

        check_absent(image, "/usr/lib/python3.11/test");
        check_absent(image, "/usr/lib/python3.11/idlelib");
        check_absent(image, "/usr/lib/python3.11/ensurepip");
        check_absent(image, "/usr/lib/python3.11/lib2to3");
        check_absent(image, "/usr/lib/python3.11/__pycache__");
        check_absent(image, "/usr/lib/python3.11/json/__pycache__");
        check_absent(image, "/usr/lib/python3.11/unittest/test");
        check_absent(image,
                     "/usr/lib/python3.11/lib-dynload/_testcapi.cpython-311-x86_64-linux-gnu.so");
        check_absent(image, "/etc/shadow");

        /* Every entry is found again by looking its name up in its parent. */
        {
                uint32_t n = image_entry_count(image), bad = 0;
                for (uint32_t i = 1; i < n; i++) {
                        uint32_t len, found;
                        const char *name = image_entry_name(image, i, &len);
                        if (image_lookup(image, image_entry(image, i)->parent, name, len, &found) !=
                                    0 ||
                            found != i)
                                bad++;
                }
                check_eq(bad, 0);
        }
}

/* Mutates a private copy of the real image's metadata: bigger tables, same promise. */
static void test_real_mutations(const char *path, unsigned rounds) {
        _cleanup_(image_freep) Image *image = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        ImageHeader h;
        uint64_t size;
        unsigned parsed = 0;
        int saved = log_get_max_level();

        if (image_open(path, &image) < 0)
                return;
        size = image_size(image);
        memcpy(&h, image_bytes(image), sizeof h);
        buf = malloc(size);
        if (!buf)
                abort();
        memcpy(buf, image_bytes(image), size);

        log_set_max_level(LOG_CRIT);
        for (unsigned round = 0; round < rounds; round++) {
                _cleanup_(image_freep) Image *m = NULL;
                size_t at = rng() % h.data_offset;
                uint8_t old = buf[at];
                int r;

                buf[at] = (uint8_t)rng();
                r = image_parse(buf, size, &m);
                checks++;
                if (r != 0 && r != -EBADMSG) {
                        failures++;
                        fprintf(stderr, "FAIL: real mutation %u: image_parse() = %d\n", round, r);
                }
                if (r == 0)
                        parsed++;
                buf[at] = old;
        }
        log_set_max_level(saved);
        fprintf(stderr, "  %u random byte changes to the real image's metadata, %u still parsed\n",
                rounds, parsed);
}

int main(int argc, char **argv) {
        log_set_program("test-image");

        fprintf(stderr, "sha256 vectors\n");
        test_sha256();
        fprintf(stderr, "small image: lookups\n");
        test_small_lookups();
        fprintf(stderr, "small image: corruptions (each must be rejected)\n");
        test_small_corruptions();
        fprintf(stderr, "small image: every truncation\n");
        test_small_truncations();
        fprintf(stderr, "small image: random mutations\n");
        test_small_mutations(200000);

        if (argc > 1) {
                fprintf(stderr, "real image\n");
                test_real_image(argv[1], argc > 2 ? argv[2] : NULL);
                test_real_mutations(argv[1], 3000);
        } else
                fprintf(stderr, "real image: skipped, no path given\n");

        fprintf(stderr, "%u checks, %u failed\n", checks, failures);
        return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

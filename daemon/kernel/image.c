/* SPDX-License-Identifier: MIT */
#include "image.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "log.h"
#include "macro.h"
#include "sha256.h"

/* The structs are the on-disk layout: no padding, and read in place on a little-endian host. */
_Static_assert(sizeof(ImageHeader) == 88, "ImageHeader layout");
_Static_assert(offsetof(ImageHeader, sha256) == 56, "ImageHeader layout");
_Static_assert(sizeof(ImageEntry) == 48, "ImageEntry layout");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the image is little-endian");
_Static_assert(sizeof(IMAGE_MAGIC) - 1 == sizeof(((ImageHeader *)0)->magic), "magic size");

#define IMAGE_SYMLINK_MAX 4095u /* PATH_MAX - 1: what readlink() can return */

struct Image {
        const uint8_t *data;
        uint64_t size;
        void *map; /* set when image_open() mapped the file */
        int fd;
        ImageHeader header; /* validated copy */
        const ImageEntry *entries;
        const char *names;
        char sha256_hex[SHA256_DIGEST_SIZE * 2 + 1];
};

#define log_bad(...) log_error_errno(EBADMSG, "Malformed image: " __VA_ARGS__)

static int compare_names(const char *a, uint32_t a_length, const char *b, uint32_t b_length) {
        int r = memcmp(a, b, MIN(a_length, b_length));
        if (r != 0)
                return r;
        return a_length < b_length ? -1 : a_length > b_length;
}

static int image_check_header(const ImageHeader *h, uint64_t size) {
        uint64_t entries_size, entries_end;

        if (memcmp(h->magic, IMAGE_MAGIC, sizeof h->magic) != 0)
                return log_bad("bad magic");
        if (h->version != IMAGE_FORMAT_VERSION)
                return log_bad("format version %u, expected %u", h->version, IMAGE_FORMAT_VERSION);
        if (h->total_size != size)
                return log_bad("header says %" PRIu64 " bytes, file has %" PRIu64, h->total_size,
                               size);
        if (!IS_ALIGNED(h->total_size, IMAGE_PAGE_SIZE))
                return log_bad("size %" PRIu64 " is not page-aligned", h->total_size);
        if (h->entry_count == 0)
                return log_bad("no entries");
        if (h->entries_offset < sizeof(ImageHeader) || !IS_ALIGNED(h->entries_offset, 8))
                return log_bad("entries offset %" PRIu64 " overlaps the header or is unaligned",
                               h->entries_offset);
        if (!IS_ALIGNED(h->data_offset, IMAGE_PAGE_SIZE) || h->data_offset > h->total_size)
                return log_bad("data offset %" PRIu64 " unaligned or past the end", h->data_offset);

        /* entry_count < 2^32 and sizeof(ImageEntry) is 48: this cannot overflow 64 bits. */
        entries_size = (uint64_t)h->entry_count * sizeof(ImageEntry);
        if (!range_within(h->entries_offset, entries_size, h->data_offset))
                return log_bad("%u entries at %" PRIu64 " do not fit before the data at %" PRIu64,
                               h->entry_count, h->entries_offset, h->data_offset);
        entries_end = h->entries_offset + entries_size;
        if (h->names_offset < entries_end ||
            !range_within(h->names_offset, h->names_size, h->data_offset))
                return log_bad("name table [%" PRIu64 ", +%" PRIu64 ") not between the entries "
                               "and the data",
                               h->names_offset, h->names_size);
        return 0;
}

/* Everything about one entry that does not involve other entries. */
static int image_check_entry(const Image *image, uint32_t idx) {
        const ImageHeader *h = &image->header;
        const ImageEntry e = image->entries[idx]; /* one copy, then only that is looked at */
        uint32_t type = e.mode & S_IFMT;

        if ((e.mode & ~(uint32_t)S_IFMT) & ~(uint32_t)07777)
                return log_bad("entry %u: mode %o", idx, e.mode);

        if (idx == 0) {
                if (type != S_IFDIR || e.name_length != 0 || e.parent != 0)
                        return log_bad("entry 0 is not a root directory");
        } else {
                const char *name;

                if (e.name_length == 0 || e.name_length > IMAGE_NAME_MAX)
                        return log_bad("entry %u: name length %u", idx, e.name_length);
                if (!range_within(e.name_offset, e.name_length, h->names_size))
                        return log_bad("entry %u: name outside the name table", idx);
                name = image->names + e.name_offset;
                if (memchr(name, '/', e.name_length) || memchr(name, '\0', e.name_length))
                        return log_bad("entry %u: name contains '/' or NUL", idx);
                if ((e.name_length == 1 && name[0] == '.') ||
                    (e.name_length == 2 && name[0] == '.' && name[1] == '.'))
                        return log_bad("entry %u: name is \".\" or \"..\"", idx);
                if (e.parent >= h->entry_count)
                        return log_bad("entry %u: parent %u out of range", idx, e.parent);
        }

        switch (type) {
        case S_IFDIR:
                if (e.size != 0 || e.data_offset != 0)
                        return log_bad("entry %u: directory with data", idx);
                if (e.child_count == 0) {
                        if (e.first_child != 0)
                                return log_bad("entry %u: empty directory with first child %u", idx,
                                               e.first_child);
                        break;
                }
                /* Children after their directory: parents always lead back to the root. */
                if (e.first_child <= idx ||
                    !range_within(e.first_child, e.child_count, h->entry_count))
                        return log_bad("entry %u: children [%u, +%u) out of range", idx,
                                       e.first_child, e.child_count);
                break;

        case S_IFREG:
        case S_IFLNK:
                if (e.first_child != 0 || e.child_count != 0)
                        return log_bad("entry %u: non-directory with children", idx);
                if (!IS_ALIGNED(e.data_offset, IMAGE_PAGE_SIZE) || e.data_offset < h->data_offset ||
                    !range_within(e.data_offset, e.size, h->total_size))
                        return log_bad("entry %u: data [%" PRIu64 ", +%" PRIu64 ") unaligned or "
                                       "outside the data area",
                                       idx, e.data_offset, e.size);
                if (type == S_IFLNK) {
                        if (e.size == 0 || e.size > IMAGE_SYMLINK_MAX)
                                return log_bad("entry %u: symlink target of %" PRIu64 " bytes", idx,
                                               e.size);
                        if (memchr(image->data + e.data_offset, '\0', e.size))
                                return log_bad("entry %u: symlink target contains NUL", idx);
                }
                break;

        default:
                return log_bad("entry %u: mode %o is not a file, directory or symlink", idx,
                               e.mode);
        }
        return 0;
}

/* The entries form one tree: each non-root entry is the child of exactly one directory, which is
 * its parent, and siblings are sorted strictly by name. A directory only claims children whose
 * parent field names it, so nothing is claimed twice; if the claims add up to every entry but
 * the root, each is claimed exactly once. */
static int image_check_tree(const Image *image) {
        uint32_t count = image->header.entry_count;
        uint64_t claimed = 0;

        for (uint32_t d = 0; d < count; d++) {
                const ImageEntry *dir = &image->entries[d];
                uint32_t first = dir->first_child, n = dir->child_count;

                if ((dir->mode & S_IFMT) != S_IFDIR || n == 0)
                        continue;
                claimed += n;
                for (uint32_t c = first; c < first + n; c++) {
                        const ImageEntry *e = &image->entries[c];

                        if (e->parent != d)
                                return log_bad("entry %u is in directory %u's children but has "
                                               "parent %u",
                                               c, d, e->parent);
                        if (c > first) {
                                const ImageEntry *prev = &image->entries[c - 1];
                                if (compare_names(image->names + prev->name_offset,
                                                  prev->name_length, image->names + e->name_offset,
                                                  e->name_length) >= 0)
                                        return log_bad("directory %u: children %u and %u not "
                                                       "sorted or not unique",
                                                       d, c - 1, c);
                        }
                }
        }
        if (claimed != (uint64_t)count - 1)
                return log_bad("%" PRIu64 " entries are some directory's children, expected %u",
                               claimed, count - 1);
        return 0;
}

int image_parse(const void *data, uint64_t size, Image **ret) {
        _cleanup_free_ Image *image = NULL;
        int r;

        if (!data || !ret)
                return -EINVAL;
        /* Entries are read in place; mmap() and malloc() both give this. */
        if (!IS_ALIGNED((uintptr_t)data, _Alignof(ImageEntry)))
                return -EINVAL;
        if (size < sizeof(ImageHeader))
                return log_bad("%" PRIu64 " bytes is too small for the header", size);

        image = calloc(1, sizeof(Image));
        if (!image)
                return -ENOMEM;
        image->data = data;
        image->size = size;
        image->fd = -1;
        memcpy(&image->header, data, sizeof(ImageHeader));

        r = image_check_header(&image->header, size);
        if (r < 0)
                return r;
        image->entries = (const ImageEntry *)(image->data + image->header.entries_offset);
        image->names = (const char *)(image->data + image->header.names_offset);

        for (uint32_t i = 0; i < image->header.entry_count; i++) {
                r = image_check_entry(image, i);
                if (r < 0)
                        return r;
        }
        r = image_check_tree(image);
        if (r < 0)
                return r;

        sha256_to_hex(image->header.sha256, image->sha256_hex);
        *ret = TAKE_PTR(image);
        return 0;
}

int image_open(const char *path, Image **ret) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        Image *image;
        void *map;
        int r;

        if (!path || !ret)
                return -EINVAL;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((uint64_t)st.st_size < sizeof(ImageHeader))
                return log_bad("%s: %" PRIu64 " bytes is too small for the header", path,
                               (uint64_t)st.st_size);

        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED)
                return -errno;

        r = image_parse(map, (uint64_t)st.st_size, &image);
        if (r < 0) {
                munmap(map, (size_t)st.st_size);
                return r;
        }
        image->map = map;
        image->fd = TAKE_FD(fd);
        *ret = image;
        return 0;
}

Image *image_free(Image *image) {
        if (!image)
                return NULL;
        if (image->map)
                munmap(image->map, (size_t)image->size);
        safe_close(image->fd);
        free(image);
        return NULL;
}

int image_verify(const Image *image) {
        static const uint8_t zeros[SHA256_DIGEST_SIZE];
        const size_t at = offsetof(ImageHeader, sha256);
        uint8_t digest[SHA256_DIGEST_SIZE];
        char hex[SHA256_DIGEST_SIZE * 2 + 1];
        Sha256 s;

        if (!image)
                return -EINVAL;

        /* The digest covers the whole file with its own field zeroed. Hash the mapping, not the
         * saved header copy, so a file changed after image_open() is noticed too. */
        sha256_init(&s);
        sha256_update(&s, image->data, at);
        sha256_update(&s, zeros, sizeof zeros);
        sha256_update(&s, image->data + at + sizeof zeros, image->size - at - sizeof zeros);
        sha256_final(&s, digest);

        if (memcmp(digest, image->header.sha256, sizeof digest) != 0) {
                sha256_to_hex(digest, hex);
                return log_bad("content hashes to %s, header says %s", hex, image->sha256_hex);
        }
        return 0;
}

const uint8_t *image_sha256(const Image *image) {
        return image->header.sha256;
}

const char *image_sha256_hex(const Image *image) {
        return image->sha256_hex;
}

const void *image_bytes(const Image *image) {
        return image->data;
}

uint64_t image_size(const Image *image) {
        return image->size;
}

int image_fd(const Image *image) {
        return image->fd;
}

uint32_t image_entry_count(const Image *image) {
        return image->header.entry_count;
}

const ImageEntry *image_entry(const Image *image, uint32_t idx) {
        if (idx >= image->header.entry_count)
                return NULL;
        return &image->entries[idx];
}

const char *image_entry_name(const Image *image, uint32_t idx, uint32_t *ret_length) {
        const ImageEntry *e = image_entry(image, idx);

        if (!e)
                return NULL;
        if (ret_length)
                *ret_length = e->name_length;
        return image->names + e->name_offset;
}

const void *image_entry_data(const Image *image, uint32_t idx) {
        const ImageEntry *e = image_entry(image, idx);

        if (!e || (e->mode & S_IFMT) == S_IFDIR)
                return NULL;
        return image->data + e->data_offset;
}

int image_lookup(const Image *image, uint32_t dir, const char *name, size_t name_length,
                 uint32_t *ret_idx) {
        const ImageEntry *d = image_entry(image, dir);
        uint32_t lo, hi;

        if (!d)
                return -EINVAL;
        if ((d->mode & S_IFMT) != S_IFDIR)
                return -ENOTDIR;
        if (name_length > IMAGE_NAME_MAX)
                return -ENAMETOOLONG;
        if (name_length == 0)
                return -ENOENT;

        /* Children [first_child, first_child + child_count), sorted by name: search [lo, hi). */
        lo = d->first_child;
        hi = d->first_child + d->child_count;
        while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                const ImageEntry *e = &image->entries[mid];
                int c = compare_names(image->names + e->name_offset, e->name_length, name,
                                      (uint32_t)name_length);

                if (c == 0) {
                        if (ret_idx)
                                *ret_idx = mid;
                        return 0;
                }
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -ENOENT;
}

/* SPDX-License-Identifier: MIT */
/* The guest filesystem image: one read-only file built by guest/mkimage.py, mapped by every
 * worker. Layout (all integers little-endian):
 *
 *   0      ImageHeader (struct below), the rest of the first 4 KiB page zero
 *   ...    ImageEntry[entry_count] at entries_offset
 *   ...    names: the entries' names, not NUL-terminated, at names_offset
 *   ...    file data: each regular file's bytes start on a 4 KiB boundary and are zero-padded to
 *          the next one, so the VMM can map them into the guest as they lie in the file;
 *          symlink targets are stored the same way.
 *
 * Entry 0 is the root directory. A directory's children are entries
 * [first_child, first_child + child_count), sorted by name (bytewise), so a lookup is a binary
 * search. Inode numbers are entry index + 1. The header's sha256 is the SHA-256 of the whole
 * file with the sha256 field zeroed; it names the image (and later the snapshots made from it).
 *
 * Rules image_parse() enforces beyond the layout (mkimage.py numbers entries breadth-first, which
 * satisfies them; they make the entries one tree, so walking up parents always ends at the root):
 *   - entries_offset is 8-byte aligned; header < entries table, names < data_offset <= total_size;
 *     total_size is page-aligned and equals the file's size;
 *   - every entry except the root lies in exactly one directory's child range, whose first_child
 *     is greater than that directory's index, and its parent is that directory;
 *   - names are 1..IMAGE_NAME_MAX bytes without '/' or NUL and are never "." or ".."; the root's
 *     name is empty and it is its own parent;
 *   - a regular file's or symlink's data lies in [data_offset, total_size), page-aligned (empty
 *     files too); identical contents may share data; a symlink target is 1..4095 bytes, no NUL;
 *   - directories have size 0 and data_offset 0, an empty one first_child 0 too; files and
 *     symlinks have no children; permission bits are within 07777.
 *
 * Bump IMAGE_FORMAT_VERSION whenever this layout changes. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#define IMAGE_MAGIC          "SBXIMG\0\0"
#define IMAGE_FORMAT_VERSION 1
#define IMAGE_PAGE_SIZE      4096u
#define IMAGE_NAME_MAX       255u

typedef struct ImageHeader {
        char magic[8];
        uint32_t version;
        uint32_t entry_count;
        uint64_t entries_offset;
        uint64_t names_offset;
        uint64_t names_size;
        uint64_t data_offset; /* first byte of file data, page-aligned */
        uint64_t total_size;  /* size of the whole file */
        uint8_t sha256[32];
} ImageHeader;

typedef struct ImageEntry {
        uint32_t name_offset; /* into names */
        uint32_t name_length; /* 0 only for the root */
        uint32_t parent;      /* entry index; the root is its own parent */
        uint32_t mode;        /* S_IFREG, S_IFDIR or S_IFLNK | permission bits */
        uint32_t first_child; /* directories only */
        uint32_t child_count; /* directories only */
        uint64_t size;        /* file bytes, or symlink target length; 0 for directories */
        uint64_t data_offset; /* absolute file offset, page-aligned; 0 for directories */
        uint64_t mtime;       /* seconds since the epoch, fixed for reproducibility */
} ImageEntry;

typedef struct Image Image;

/* Maps the image read-only (MAP_SHARED, so every worker shares the page cache) and validates the
 * header and every entry (offsets and sizes within the file, names within the name table and free
 * of '/' and NUL, parents and child ranges in range, children sorted and unique, data
 * page-aligned). Returns 0, or -errno (-EBADMSG for a malformed image, with a log line saying what
 * is wrong). The file must not change while it is mapped (install it read-only, owned by root):
 * what was validated is read again later. */
int image_open(const char *path, Image **ret);
Image *image_free(Image *image);
static inline void image_freep(Image **p) {
        if (*p)
                image_free(*p);
}

/* Parses an image already in memory (the unit tests and fuzzers use this; image_open maps the
 * file and calls it). The memory must outlive the Image. */
int image_parse(const void *data, uint64_t size, Image **ret);

/* Recomputes the SHA-256 of the whole image (about 0.1 s for 30 MiB: not done by image_open) and
 * compares it with the header's. Returns 0, or -EBADMSG with a log line if they differ. */
int image_verify(const Image *image);

const uint8_t *image_sha256(const Image *image);  /* 32 bytes */
const char *image_sha256_hex(const Image *image); /* 64 hex digits + NUL */
const void *image_bytes(const Image *image);      /* the whole mapped file */
uint64_t image_size(const Image *image);
int image_fd(const Image *image); /* -1 when parsed from memory */
uint32_t image_entry_count(const Image *image);

/* idx < image_entry_count(), else NULL. */
const ImageEntry *image_entry(const Image *image, uint32_t idx);
/* The entry's name (not NUL-terminated) and its length; NULL if idx is out of range. */
const char *image_entry_name(const Image *image, uint32_t idx, uint32_t *ret_length);
/* Pointer to the entry's data (file bytes or symlink target, not NUL-terminated) inside the
 * mapping; NULL for a directory or an idx out of range. */
const void *image_entry_data(const Image *image, uint32_t idx);

/* Looks `name` (length name_length, no '/') up among the children of directory `dir`; "." and
 * ".." are the caller's to handle (the image never stores them). Returns 0 and the child's index,
 * -ENOTDIR if dir is not a directory, -ENAMETOOLONG, -ENOENT, -EINVAL if dir is out of range. */
int image_lookup(const Image *image, uint32_t dir, const char *name, size_t name_length,
                 uint32_t *ret_idx);

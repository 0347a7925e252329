/* SPDX-License-Identifier: MIT */
#include "snapshot-io.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "layout.h"
#include "log.h"
#include "macro.h"
#include "sha256.h"

/* ---- writing ---------------------------------------------------------------------------- */

static bool page_is_zero(const uint8_t *p) {
        const uint64_t *w = (const uint64_t *)p;
        for (size_t i = 0; i < PAGE_SIZE / 8; i++)
                if (w[i])
                        return false;
        return true;
}

static int write_all(int fd, const void *data, size_t size, off_t offset) {
        const uint8_t *d = data;
        while (size > 0) {
                ssize_t n = pwrite(fd, d, size, offset);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                d += n;
                size -= n;
                offset += n;
        }
        return 0;
}

/* Writes path atomically: a temporary file in the same directory, renamed over it. */
static int write_file_atomic(const char *dir, const char *name, int (*fill)(int fd, void *userdata),
                             void *userdata) {
        char tmp[PATH_MAX], final[PATH_MAX];
        _cleanup_close_ int fd = -1;
        int r;

        if (snprintf(final, sizeof(final), "%s/%s", dir, name) >= (int)sizeof(final) ||
            snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >= (int)sizeof(tmp))
                return -ENAMETOOLONG;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = fill(fd, userdata);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && fchmod(fd, 0644) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, final) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

typedef struct MemoryFile {
        const uint8_t *ram;
        uint64_t size;
        uint32_t crc;
} MemoryFile;

static int fill_memory(int fd, void *userdata) {
        MemoryFile *m = userdata;

        if (ftruncate(fd, (off_t)m->size) < 0)
                return -errno;
        m->crc = crc32c(0, m->ram, m->size);
        /* Only pages holding data are written; the rest stay holes and read back as zero. */
        for (uint64_t gpa = 0; gpa < m->size; gpa += PAGE_SIZE) {
                const uint8_t *page = m->ram + gpa;
                int r;
                if (page_is_zero(page))
                        continue;
                r = write_all(fd, page, PAGE_SIZE, (off_t)gpa);
                if (r < 0)
                        return r;
        }
        return 0;
}

int snapshot_write_memory(const char *dir, const uint8_t *ram, uint64_t size, uint32_t *ret_crc) {
        MemoryFile m = {.ram = ram, .size = size};
        int r;

        r = write_file_atomic(dir, "memory", fill_memory, &m);
        *ret_crc = m.crc;
        return r;
}

typedef struct StateFile {
        const SnapshotHeader *header;
        const void *payload;
        size_t size;
} StateFile;

static int fill_state(int fd, void *userdata) {
        const StateFile *s = userdata;
        int r = write_all(fd, s->header, sizeof(*s->header), 0);
        if (r < 0)
                return r;
        return write_all(fd, s->payload, s->size, sizeof(*s->header));
}

int snapshot_write_state(const char *dir, const SnapshotHeader *header, const void *payload,
                         size_t size) {
        return write_file_atomic(dir, "state", fill_state,
                                 &(StateFile){.header = header, .payload = payload, .size = size});
}

/* ---- reading ---------------------------------------------------------------------------- */

int snapshot_read_state(const char *dir, SnapshotHeader *ret_header, uint8_t **ret_payload) {
        char path[PATH_MAX];
        _cleanup_close_ int fd = -1;
        _cleanup_free_ uint8_t *payload = NULL;
        struct stat st;
        uint8_t digest[32];

        if (snprintf(path, sizeof(path), "%s/state", dir) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                /* Only reading the header is asking whether there is a snapshot at all. */
                if (errno == ENOENT && !ret_payload)
                        return -ENOENT;
                return log_error_errno(errno, "Failed to open %s: %m", path);
        }
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(SnapshotHeader) ||
            st.st_size > (off_t)(sizeof(SnapshotHeader) + SNAPSHOT_STATE_MAX))
                return log_error_errno(EBADMSG, "%s: not a snapshot state file (size %jd)", path,
                                       (intmax_t)st.st_size);
        if (pread(fd, ret_header, sizeof(*ret_header), 0) != sizeof(*ret_header))
                return log_error_errno(EBADMSG, "%s: truncated header", path);
        if (memcmp(ret_header->magic, SNAPSHOT_MAGIC, 8) != 0)
                return log_error_errno(EBADMSG, "%s: bad magic, not a sandboxd snapshot", path);
        if (ret_header->version != SNAPSHOT_FORMAT_VERSION ||
            ret_header->header_size != sizeof(SnapshotHeader))
                return log_error_errno(EPROTO,
                                       "%s: snapshot format version %u, this build reads %u", path,
                                       ret_header->version, SNAPSHOT_FORMAT_VERSION);
        if (ret_header->payload_size != (uint64_t)st.st_size - sizeof(SnapshotHeader))
                return log_error_errno(EBADMSG,
                                       "%s: truncated (payload %" PRIu64 " bytes, file "
                                       "holds %jd)",
                                       path, ret_header->payload_size,
                                       (intmax_t)(st.st_size - (off_t)sizeof(SnapshotHeader)));
        if (memchr(ret_header->language, 0, SNAPSHOT_LANGUAGE_MAX) == NULL)
                return log_error_errno(EBADMSG, "%s: bad language field", path);
        if (!ret_payload)
                return 0;

        payload = malloc(MAX(ret_header->payload_size, 1u));
        if (!payload)
                return -ENOMEM;
        if (pread(fd, payload, ret_header->payload_size, sizeof(SnapshotHeader)) !=
            (ssize_t)ret_header->payload_size)
                return log_error_errno(EBADMSG, "%s: short read", path);
        sha256_buffer(payload, ret_header->payload_size, digest);
        if (memcmp(digest, ret_header->payload_sha256, 32) != 0)
                return log_error_errno(EBADMSG, "%s: checksum mismatch, the snapshot is corrupt",
                                       path);
        *ret_payload = TAKE_PTR(payload);
        return 0;
}

static int check_memory_file(int fd, uint64_t size, uint32_t expected) {
        _cleanup_free_ uint8_t *buf = malloc(1024 * 1024);
        uint32_t crc = 0;

        if (!buf)
                return -ENOMEM;
        for (uint64_t off = 0; off < size;) {
                ssize_t n = pread(fd, buf, MIN(size - off, (uint64_t)1024 * 1024), (off_t)off);
                if (n <= 0)
                        return n < 0 ? -errno : -EBADMSG;
                crc = crc32c(crc, buf, (size_t)n);
                off += (uint64_t)n;
        }
        return crc == expected ? 0 : -EBADMSG;
}

int snapshot_map_memory(const char *dir, const SnapshotHeader *header, int *ret_fd,
                        const uint8_t **ret_memory) {
        char path[PATH_MAX];
        _cleanup_close_ int fd = -1;
        struct stat st;
        void *memory;
        int r;

        if (snprintf(path, sizeof(path), "%s/memory", dir) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open %s: %m", path);
        if (fstat(fd, &st) < 0)
                return -errno;
        if ((uint64_t)st.st_size != header->memory_size ||
            !IS_ALIGNED(header->memory_size, PAGE_SIZE) || header->memory_size < GPA_FIRST_FREE)
                return log_error_errno(EBADMSG,
                                       "%s: %jd bytes, the state says %" PRIu64
                                       " (truncated or replaced)",
                                       path, (intmax_t)st.st_size, header->memory_size);

        r = check_memory_file(fd, header->memory_size, header->memory_crc32c);
        if (r < 0)
                return log_error_errno(r,
                                       "%s: checksum mismatch, the snapshot's memory is "
                                       "corrupt",
                                       path);

        memory = mmap(NULL, header->memory_size, PROT_READ, MAP_SHARED, fd, 0);
        if (memory == MAP_FAILED)
                return log_error_errno(errno, "Failed to map %s: %m", path);
        *ret_fd = TAKE_FD(fd);
        *ret_memory = memory;
        return 0;
}

/* SPDX-License-Identifier: MIT */
#include "warmup.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "paging.h"
#include "prefault.h"
#include "sha256.h"

void warmup_prepare_recording(Sandbox *s) {
        for (uint64_t va = paging_next_present(s->vm, USER_MIN, USER_MAX); va < USER_MAX;
             va = paging_next_present(s->vm, va + PAGE_SIZE, USER_MAX))
                paging_clear_accessed(s->vm, va);
}

int warmup_record(Sandbox *s, const char *dir) {
        _cleanup_free_ uint64_t *list = NULL;
        _cleanup_close_ int fd = -1;
        Vm *vm = s->vm;
        size_t count = 0, writes = 0;
        char path[PATH_MAX], tmp[PATH_MAX];
        WarmupHeader h = {.magic = WARMUP_MAGIC, .version = WARMUP_FORMAT_VERSION};
        int r;

        list = calloc(WARMUP_MAX_ENTRIES, sizeof(uint64_t));
        if (!list)
                return -ENOMEM;
        for (uint64_t va = paging_next_present(vm, USER_MIN, USER_MAX);
             va < USER_MAX && count < WARMUP_MAX_ENTRIES;
             va = paging_next_present(vm, va + PAGE_SIZE, USER_MAX)) {
                uint64_t pte = paging_lookup(vm, va);

                /* Set again by KVM's walker only for pages the guest touched (it prefetches
                 * no entry whose accessed bit is clear). */
                if (!(pte & PTE_A))
                        continue;
                bool written = (pte & PTE_D) && (pte & PTE_W);
                list[count++] = va | (written ? PREFAULT_WRITE : 0);
                writes += written;
        }

        h.count = count;
        sha256_buffer(list, count * sizeof(uint64_t), h.sha256);
        if (snprintf(path, sizeof(path), "%s/warmup", dir) >= (int)sizeof(path) ||
            snprintf(tmp, sizeof(tmp), "%s/.warmup.tmp", dir) >= (int)sizeof(tmp))
                return -ENAMETOOLONG;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return log_error_errno(errno, "Failed to create %s: %m", tmp);
        if (write(fd, &h, sizeof(h)) != sizeof(h) ||
            write(fd, list, count * sizeof(uint64_t)) != (ssize_t)(count * sizeof(uint64_t)) ||
            fsync(fd) < 0 || rename(tmp, path) < 0) {
                r = -errno ?: -EIO;
                unlink(tmp);
                return log_error_errno(r, "Failed to write %s: %m", path);
        }
        log_info("Warm-up list: %zu pages touched by a sample request, %zu of them written",
                 count, writes);
        return 0;
}

int warmup_load(const char *dir, uint64_t **ret_list, size_t *ret_count) {
        _cleanup_free_ uint64_t *list = NULL;
        _cleanup_close_ int fd = -1;
        char path[PATH_MAX];
        uint8_t digest[32];
        WarmupHeader h;
        struct stat st;

        *ret_list = NULL;
        *ret_count = 0;
        if (snprintf(path, sizeof(path), "%s/warmup", dir) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (pread(fd, &h, sizeof(h), 0) != sizeof(h) || memcmp(h.magic, WARMUP_MAGIC, 8) != 0 ||
            h.version != WARMUP_FORMAT_VERSION || h.count > WARMUP_MAX_ENTRIES ||
            (uint64_t)st.st_size != sizeof(h) + (uint64_t)h.count * sizeof(uint64_t))
                return log_debug_errno(EBADMSG, "%s is not a warm-up list", path);
        list = malloc(MAX(h.count, 1u) * sizeof(uint64_t));
        if (!list)
                return -ENOMEM;
        if (pread(fd, list, h.count * sizeof(uint64_t), sizeof(h)) !=
            (ssize_t)(h.count * sizeof(uint64_t)))
                return -EIO;
        sha256_buffer(list, h.count * sizeof(uint64_t), digest);
        if (memcmp(digest, h.sha256, 32) != 0)
                return log_debug_errno(EBADMSG, "%s: checksum mismatch", path);
        *ret_list = TAKE_PTR(list);
        *ret_count = h.count;
        return 0;
}

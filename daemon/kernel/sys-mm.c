/* SPDX-License-Identifier: MIT */
/* Memory syscalls over mm.h, and the file backing for mmap. */
#include <sys/mman.h>
#include <sys/syscall.h>

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "syscall-handlers.h"
#include "uaccess.h"

int process_file_source(Process *p, OpenFile *f, MmSource *ret_source, const uint8_t **ret_data,
                        uint64_t *ret_size) {
        uint64_t size;

        if (f->kind != FILE_NODE || !S_ISREG(vnode_mode(p->sandbox->vfs, f->node)))
                return -EACCES;
        size = vnode_size(p->sandbox->vfs, f->node);

        if (f->node.fs == FS_IMAGE) {
                const ImageEntry *e = image_entry(p->sandbox->image, f->node.idx);
                if (!e)
                        return -EACCES;
                *ret_source = (MmSource){
                        .backing = VMA_IMAGE,
                        .file_size = e->size,
                        .image_base = e->data_offset,
                };
                if (ret_data)
                        *ret_data = (const uint8_t *)image_bytes(p->sandbox->image) + e->data_offset;
                if (ret_size)
                        *ret_size = e->size;
                return 0;
        }
        if (f->node.fs != FS_TMPFS)
                return -ENODEV;

        /* A tmpfs file is copied: MAP_PRIVATE semantics, which is what programs map files
         * for; its size was already paid for by the tmpfs budget, the copy by the commit. */
        if (size > p->sandbox->memory.limit)
                return -ENOMEM;
        _cleanup_free_ uint8_t *data = malloc(MAX(size, 1u));
        if (!data)
                return -ENOMEM;
        for (uint64_t done = 0; done < size;) {
                ssize_t n = file_pread(f, data + done, size - done, (int64_t)done);
                if (n <= 0) {
                        size = done;
                        break;
                }
                done += n;
        }
        Blob *blob = blob_new(data, size);
        if (!blob)
                return -ENOMEM;
        *ret_source = (MmSource){.backing = VMA_COPY, .file_size = size, .blob = blob};
        if (ret_data)
                *ret_data = blob_data(blob);
        if (ret_size)
                *ret_size = size;
        return 0;
}

#define MAP_KNOWN_FLAGS                                                                         \
        (MAP_SHARED | MAP_PRIVATE | MAP_SHARED_VALIDATE | MAP_FIXED | MAP_ANONYMOUS |           \
         MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE |          \
         MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_FIXED_NOREPLACE)

int64_t sys_mmap(Process *p, const SyscallArgs *a) {
        uint64_t addr = a->a[0], length = a->a[1], offset = a->a[5];
        int prot = (int)a->a[2], flags = (int)a->a[3], fd = (int)a->a[4];
        int type = flags & MAP_SHARED_VALIDATE;
        bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
        MmSource source = {}, *src = NULL;
        OpenFile *f;
        int64_t r;

        if (length == 0 || length > USER_MAX || !IS_ALIGNED(offset, PAGE_SIZE) ||
            (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
                return -EINVAL;
        if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
                return -EINVAL;
        if (type == MAP_SHARED_VALIDATE && (flags & ~MAP_KNOWN_FLAGS))
                return -EOPNOTSUPP;
        if (flags & MAP_HUGETLB)
                return -EINVAL;
        if (fixed && (!IS_ALIGNED(addr, PAGE_SIZE) || addr < USER_MIN))
                return -EINVAL;
        if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED)) {
                for (uint64_t a2 = addr; a2 < addr + ALIGN_UP(length, PAGE_SIZE); a2 += PAGE_SIZE)
                        if (mm_find(&p->mm, a2))
                                return -EEXIST;
        }

        if (!(flags & MAP_ANONYMOUS)) {
                r = fdtable_get(p->fds, fd, &f);
                if (r < 0)
                        return r;
                if (!file_readable(f))
                        return -EACCES;
                if (type != MAP_PRIVATE && (prot & PROT_WRITE)) {
                        /* Writes through a shared mapping would have to reach the file: only
                         * the read-only image and private copies exist here. */
                        if (!file_writable(f))
                                return -EACCES;
                        return -ENODEV;
                }
                r = process_file_source(p, f, &source, NULL, NULL);
                if (r < 0)
                        return r;
                source.file_offset = offset;
                src = &source;
        }
        r = mm_map(&p->mm, addr, length, prot,
                   (type == MAP_PRIVATE ? MAP_PRIVATE : MAP_SHARED) | (flags & MAP_GROWSDOWN),
                   fixed, src);
        if (src)
                blob_unref(source.blob);
        return r;
}

int64_t sys_munmap(Process *p, const SyscallArgs *a) {
        return mm_unmap(&p->mm, a->a[0], a->a[1]);
}

int64_t sys_mprotect(Process *p, const SyscallArgs *a) {
        if ((int)a->a[2] & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
                return -EINVAL;
        return mm_protect(&p->mm, a->a[0], a->a[1], (int)a->a[2] & 7);
}

int64_t sys_brk(Process *p, const SyscallArgs *a) {
        return mm_brk(&p->mm, a->a[0]);
}

int64_t sys_madvise(Process *p, const SyscallArgs *a) {
        switch ((int)a->a[2]) {
        case MADV_DONTNEED:
        case MADV_FREE:
        case MADV_REMOVE:
                return mm_discard(&p->mm, a->a[0], a->a[1]);
        case MADV_NORMAL:
        case MADV_RANDOM:
        case MADV_SEQUENTIAL:
        case MADV_WILLNEED:
        case MADV_DONTFORK:
        case MADV_DOFORK:
        case MADV_MERGEABLE:
        case MADV_UNMERGEABLE:
        case MADV_HUGEPAGE:
        case MADV_NOHUGEPAGE:
        case MADV_DONTDUMP:
        case MADV_DODUMP:
        case MADV_WIPEONFORK:
        case MADV_KEEPONFORK:
        case MADV_COLD:
        case MADV_PAGEOUT:
                /* Advice about paging, hugepages, forking, merging: nothing to act on. */
                if (!IS_ALIGNED(a->a[0], PAGE_SIZE))
                        return -EINVAL;
                return 0;
        default:
                return -EINVAL;
        }
}

int64_t sys_mremap(Process *p, const SyscallArgs *a) {
        return mm_remap(&p->mm, a->a[0], a->a[1], a->a[2], (int)a->a[3], a->a[4]);
}

int64_t sys_mlock(Process *p, const SyscallArgs *a) {
        return 0; /* guest memory never leaves RAM anyway */
}

int64_t sys_msync(Process *p, const SyscallArgs *a) {
        if (!IS_ALIGNED(a->a[0], PAGE_SIZE))
                return -EINVAL;
        return 0;
}

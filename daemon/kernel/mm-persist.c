/* SPDX-License-Identifier: MIT */
#include "mm-persist.h"

#include <inttypes.h>

#include "layout.h"
#include "log.h"
#include "macro.h"

/* The section: MmSaved, then vma_count x VmaSaved in address order. */
typedef struct MmSaved {
        uint64_t mmap_next, mmap_floor, brk_start, brk, brk_max, stack_top, stack_limit;
        uint64_t committed, faults, vma_count;
        uint64_t mapped, mapped_peak;
} MmSaved;

typedef struct VmaSaved {
        uint64_t start, end, file_offset, file_length, image_base;
        int32_t prot, flags;
        uint32_t backing, committed;
} VmaSaved;

int mm_persist_save(const Mm *mm, Buffer *out) {
        MmSaved s = {mm->mmap_next, mm->mmap_floor, mm->brk_start,   mm->brk,
                     mm->brk_max,   mm->stack_top,  mm->stack_limit, mm->budget->committed,
                     mm->faults,    mm->count,      mm->mapped,      mm->mapped_peak};

        buffer_put(out, &s, sizeof(s));
        for (size_t i = 0; i < mm->count; i++) {
                const Vma *v = &mm->vmas[i];
                VmaSaved vs = {v->start, v->end,   v->file_offset, v->file_length, v->image_base,
                               v->prot,  v->flags, v->backing,     v->committed};
                if (v->backing == VMA_COPY)
                        return log_error_errno(EOPNOTSUPP, "A mapping of a tmpfs or host file "
                                                           "can't be kept in a snapshot");
                buffer_put(out, &vs, sizeof(vs));
        }
        return out->error;
}

int mm_persist_restore(Mm *mm, Cursor *c, const Image *image) {
        uint64_t prev_end = 0;
        MmSaved s;

        if (take(c, &s, sizeof(s)) < 0 || s.vma_count > 1u << 20 ||
            s.vma_count * sizeof(VmaSaved) != c->left)
                return -EBADMSG;
        if (s.brk_start > s.brk || s.brk > s.brk_max || s.stack_limit > s.stack_top ||
            s.stack_top > USER_MAX || s.mmap_next > USER_MAX)
                return -EBADMSG;
        if (s.committed > mm->budget->limit)
                return log_error_errno(E2BIG,
                                       "The snapshot commits %" PRIu64 " MiB, more than "
                                       "the memory limit",
                                       s.committed >> 20);
        mm->vmas = calloc(MAX(s.vma_count, 1u), sizeof(Vma));
        if (!mm->vmas)
                return -ENOMEM;
        mm->capacity = MAX(s.vma_count, 1u);
        for (uint64_t i = 0; i < s.vma_count; i++) {
                VmaSaved v;
                (void)take(c, &v, sizeof(v));
                if (v.start >= v.end || v.start < prev_end || v.end > USER_MAX ||
                    !IS_ALIGNED(v.start, PAGE_SIZE) || !IS_ALIGNED(v.end, PAGE_SIZE) ||
                    (v.prot & ~7) || (v.backing != VMA_ANON && v.backing != VMA_IMAGE))
                        return -EBADMSG;
                if (v.backing == VMA_IMAGE &&
                    !range_within(v.image_base, v.file_offset, image_size(image)))
                        return -EBADMSG;
                mm->vmas[mm->count++] = (Vma){
                        .start = v.start,
                        .end = v.end,
                        .prot = v.prot,
                        .flags = v.flags,
                        .backing = v.backing,
                        .file_offset = v.file_offset,
                        .file_length = v.file_length,
                        .image_base = v.image_base,
                        .committed = v.committed != 0,
                };
                prev_end = v.end;
        }
        mm->mmap_next = s.mmap_next;
        mm->mmap_floor = s.mmap_floor;
        mm->brk_start = s.brk_start;
        mm->brk = s.brk;
        mm->brk_max = s.brk_max;
        mm->stack_top = s.stack_top;
        mm->stack_limit = s.stack_limit;
        mm->budget->committed = s.committed;
        mm->faults = s.faults;
        mm->mapped = s.mapped;
        mm->mapped_peak = MAX(s.mapped_peak, s.mapped);
        return 0;
}

/* SPDX-License-Identifier: MIT */
#include "mm.h"

#include <sys/mman.h>
#include <inttypes.h>

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "paging.h"

/* How many pages a fault maps at once: every fault is an exit (~27 µs under kvm_pvm), and
 * read-only image pages cost no memory to map, so those get a wide window. */
#define FAULT_AROUND_IMAGE 256
#define FAULT_AROUND_ANON 32

struct Blob {
        unsigned refs;
        uint64_t size;
        uint8_t data[];
};

Blob *blob_new(const void *data, uint64_t size) {
        Blob *b;

        if (size > (1ULL << 32))
                return NULL;
        b = malloc(sizeof(*b) + size);
        if (!b)
                return NULL;
        b->refs = 1;
        b->size = size;
        if (size)
                memcpy(b->data, data, size);
        return b;
}

Blob *blob_ref(Blob *b) {
        if (b)
                b->refs++;
        return b;
}

const void *blob_data(const Blob *b) {
        return b->data;
}

uint64_t blob_size(const Blob *b) {
        return b->size;
}

Blob *blob_unref(Blob *b) {
        if (b && --b->refs == 0)
                free(b);
        return NULL;
}

void mm_init(Mm *mm, Vm *vm, MemoryBudget *budget) {
        *mm = (Mm){
                .vm = vm,
                .budget = budget,
        };
}

void mm_done(Mm *mm) {
        for (size_t i = 0; i < mm->count; i++)
                blob_unref(mm->vmas[i].blob);
        free(mm->vmas);
        mm->vmas = NULL;
        mm->count = mm->capacity = 0;
}

static bool vma_needs_commit(int prot, int flags) {
        return (prot & PROT_WRITE) != 0;
}

static size_t mm_index_after(Mm *mm, uint64_t addr) {
        /* First VMA whose end > addr. */
        size_t lo = 0, hi = mm->count;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (mm->vmas[mid].end <= addr)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

Vma *mm_find(Mm *mm, uint64_t addr) {
        size_t i = mm_index_after(mm, addr);
        if (i < mm->count && mm->vmas[i].start <= addr)
                return &mm->vmas[i];
        return NULL;
}

static int mm_insert_at(Mm *mm, size_t i, const Vma *vma) {
        if (mm->count == mm->capacity) {
                size_t n = MAX(mm->capacity * 2, 64u);
                Vma *v = reallocarray(mm->vmas, n, sizeof(*v));
                if (!v)
                        return -ENOMEM;
                mm->vmas = v;
                mm->capacity = n;
        }
        memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->count - i) * sizeof(Vma));
        mm->vmas[i] = *vma;
        mm->count++;
        return 0;
}

static void mm_remove_at(Mm *mm, size_t i) {
        memmove(&mm->vmas[i], &mm->vmas[i + 1], (mm->count - i - 1) * sizeof(Vma));
        mm->count--;
}

/* The part of `vma` from `at` on, as its own VMA (file offsets moved along). */
static Vma vma_tail(const Vma *vma, uint64_t at) {
        Vma t = *vma;
        uint64_t skip = at - vma->start;

        t.start = at;
        if (t.backing != VMA_ANON) {
                t.file_offset += skip;
                t.file_length = t.file_length > skip ? t.file_length - skip : 0;
        }
        return t;
}

static void mm_mapped_add(Mm *mm, uint64_t bytes) {
        mm->mapped += bytes;
        mm->mapped_peak = MAX(mm->mapped_peak, mm->mapped);
}

static void mm_uncommit(Mm *mm, const Vma *vma, uint64_t bytes) {
        if (vma->committed)
                mm->budget->committed -= MIN(bytes, mm->budget->committed);
}

/* Splits so that no VMA straddles addr. */
static int mm_split_at(Mm *mm, uint64_t addr) {
        size_t i = mm_index_after(mm, addr);
        Vma *v, tail;

        if (i >= mm->count)
                return 0;
        v = &mm->vmas[i];
        if (v->start >= addr)
                return 0;
        tail = vma_tail(v, addr);
        blob_ref(tail.blob);
        v->end = addr;
        return mm_insert_at(mm, i + 1, &tail);
}

/* Removes every VMA in [start, end). */
static int mm_carve(Mm *mm, uint64_t start, uint64_t end) {
        int r;
        size_t i;

        r = mm_split_at(mm, start);
        if (r < 0)
                return r;
        r = mm_split_at(mm, end);
        if (r < 0)
                return r;
        i = mm_index_after(mm, start);
        while (i < mm->count && mm->vmas[i].start < end) {
                Vma *v = &mm->vmas[i];
                mm_uncommit(mm, v, v->end - v->start);
                mm->mapped -= MIN(mm->mapped, v->end - v->start);
                blob_unref(v->blob);
                mm_remove_at(mm, i);
        }
        return 0;
}

static bool mm_range_free(Mm *mm, uint64_t start, uint64_t end) {
        size_t i = mm_index_after(mm, start);
        return i >= mm->count || mm->vmas[i].start >= end;
}

/* Fills a RAM page with what `vma` holds at page address `page`. */
static void vma_fill_page(Mm *mm, const Vma *vma, uint64_t page, uint8_t *dst) {
        uint64_t off = page - vma->start, n = 0;
        const uint8_t *src = NULL;

        if (vma->backing != VMA_ANON && off < vma->file_length) {
                n = MIN(PAGE_SIZE, vma->file_length - off);
                if (vma->backing == VMA_IMAGE) {
                        uint64_t at = vma->image_base + vma->file_offset + off;
                        if (range_within(at, n, mm->vm->image_size))
                                src = mm->vm->image + at;
                } else if (vma->blob && range_within(vma->file_offset + off, n, vma->blob->size))
                        src = vma->blob->data + vma->file_offset + off;
                if (!src)
                        n = 0;
        }
        if (n)
                memcpy(dst, src, n);
        memset(dst + n, 0, PAGE_SIZE - n);
}

/* Pages already present in a range being mapped anew (MAP_FIXED, brk regrowth, a range reused
 * after munmap) keep their frame and rights; give them the new mapping's contents. */
static void mm_refill_present(Mm *mm, uint64_t start, uint64_t end) {
        for (uint64_t page = paging_next_present(mm->vm, start, end); page < end;
             page = paging_next_present(mm->vm, page + PAGE_SIZE, end)) {
                uint64_t pte = paging_lookup(mm->vm, page);
                uint8_t *dst;
                Vma *vma;

                vma = mm_find(mm, page);
                dst = vm_ram(mm->vm, pte & PTE_ADDR_MASK, PAGE_SIZE);
                if (!vma || !dst) {
                        log_debug("Page %#" PRIx64 " is present in the image slot and can't be "
                                  "remapped, ignoring",
                                  page);
                        continue;
                }
                vma_fill_page(mm, vma, page, dst);
        }
}

static uint64_t mm_pick_address(Mm *mm, uint64_t length) {
        uint64_t addr = mm->mmap_next;

        for (;;) {
                size_t i;
                if (addr < length || addr - length < mm->mmap_floor)
                        return 0;
                addr -= length;
                i = mm_index_after(mm, addr);
                if (i >= mm->count || mm->vmas[i].start >= addr + length)
                        return addr;
                addr = mm->vmas[i].start; /* skip below the VMA in the way */
        }
}

int64_t mm_map(Mm *mm, uint64_t addr, uint64_t length, int prot, int flags, bool fixed,
               const MmSource *source) {
        bool commit = vma_needs_commit(prot, flags);
        Vma vma;
        int r;

        if (length == 0 || length > USER_MAX)
                return -EINVAL;
        length = ALIGN_UP(length, PAGE_SIZE);

        if (commit && mm->budget->committed + length > mm->budget->limit) {
                mm->budget->limit_hit = true;
                return -ENOMEM;
        }

        if (fixed) {
                if (!IS_ALIGNED(addr, PAGE_SIZE) || addr < USER_MIN || addr > USER_MAX ||
                    length > USER_MAX - addr)
                        return -EINVAL;
                r = mm_carve(mm, addr, addr + length);
                if (r < 0)
                        return r;
        } else {
                addr = mm_pick_address(mm, length);
                if (!addr)
                        return -ENOMEM;
                mm->mmap_next = addr;
        }

        vma = (Vma){
                .start = addr,
                .end = addr + length,
                .prot = prot,
                .flags = flags,
                .backing = VMA_ANON,
                .committed = commit,
        };
        if (source) {
                vma.backing = source->backing;
                vma.file_offset = source->file_offset;
                vma.file_length = source->file_size > source->file_offset
                                          ? source->file_size - source->file_offset
                                          : 0;
                vma.image_base = source->image_base;
                vma.blob = blob_ref(source->blob);
        }
        r = mm_insert_at(mm, mm_index_after(mm, addr), &vma);
        if (r < 0) {
                blob_unref(vma.blob);
                return r;
        }
        if (commit)
                mm->budget->committed += length;
        mm_mapped_add(mm, length);
        mm_refill_present(mm, addr, addr + length);
        return (int64_t)addr;
}

int mm_unmap(Mm *mm, uint64_t addr, uint64_t length) {
        uint64_t end;
        int64_t n;
        int r;

        if (!IS_ALIGNED(addr, PAGE_SIZE) || length == 0 || addr > USER_MAX ||
            length > USER_MAX - addr)
                return -EINVAL;
        end = addr + ALIGN_UP(length, PAGE_SIZE);
        r = mm_carve(mm, addr, end);
        if (r < 0)
                return r;
        /* The pages go, and their memory with them (the guest clears the entries: a host edit
         * of a present one would not be seen). */
        n = paging_unmap(mm->vm, addr, end);
        if (n < 0) {
                mm->vm_failed = true;
                return log_error_errno((int)n, "Unmapping guest pages failed: %m");
        }
        return 0;
}

int mm_protect(Mm *mm, uint64_t addr, uint64_t length, int prot) {
        uint64_t end;
        int r;

        if (!IS_ALIGNED(addr, PAGE_SIZE) || addr > USER_MAX || length > USER_MAX - addr)
                return -EINVAL;
        end = addr + ALIGN_UP(length, PAGE_SIZE);
        for (uint64_t a = addr; a < end;) {
                Vma *v = mm_find(mm, a);
                if (!v)
                        return -ENOMEM;
                a = v->end;
        }
        r = mm_split_at(mm, addr);
        if (r < 0)
                return r;
        r = mm_split_at(mm, end);
        if (r < 0)
                return r;
        for (size_t i = mm_index_after(mm, addr); i < mm->count && mm->vmas[i].start < end; i++) {
                Vma *v = &mm->vmas[i];
                bool commit = vma_needs_commit(prot, v->flags);
                uint64_t size = v->end - v->start;

                if (commit && !v->committed) {
                        if (mm->budget->committed + size > mm->budget->limit) {
                                mm->budget->limit_hit = true;
                                return -ENOMEM;
                        }
                        mm->budget->committed += size;
                } else if (!commit && v->committed)
                        mm_uncommit(mm, v, size);
                v->committed = commit;
                /* Present pages keep the rights they were mapped with (§5): fine for the common
                 * case of taking rights away (RELRO), a fault later for adding them. */
                v->prot = prot;
        }
        return 0;
}

int mm_discard(Mm *mm, uint64_t addr, uint64_t length) {
        uint64_t end;

        if (!IS_ALIGNED(addr, PAGE_SIZE) || addr > USER_MAX || length > USER_MAX - addr)
                return -EINVAL;
        end = addr + ALIGN_UP(length, PAGE_SIZE);
        for (uint64_t page = addr; page < end; page += PAGE_SIZE) {
                Vma *v = mm_find(mm, page);
                uint64_t pte;
                uint8_t *dst;

                if (!v || (v->flags & MAP_SHARED))
                        continue;
                pte = paging_lookup(mm->vm, page);
                dst = pte ? vm_ram(mm->vm, pte & PTE_ADDR_MASK, PAGE_SIZE) : NULL;
                if (!dst)
                        continue;
                if (v->backing == VMA_ANON)
                        vm_page_zero(mm->vm, pte & PTE_ADDR_MASK);
                else
                        vma_fill_page(mm, v, page, dst);
        }
        return 0;
}

int64_t mm_brk(Mm *mm, uint64_t new_brk) {
        uint64_t old_end = ALIGN_UP(mm->brk, PAGE_SIZE), new_end;

        if (new_brk < mm->brk_start || new_brk > mm->brk_max)
                return (int64_t)mm->brk;
        new_end = ALIGN_UP(new_brk, PAGE_SIZE);
        if (new_end > old_end) {
                if (!mm_range_free(mm, old_end, new_end))
                        return (int64_t)mm->brk;
                if (mm_map(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, true, NULL) < 0)
                        return (int64_t)mm->brk;
        } else if (new_end < old_end)
                (void)mm_unmap(mm, new_end, old_end - new_end);
        mm->brk = new_brk;
        return (int64_t)new_brk;
}

/* Copies whatever is present in [from, from+len) to the same offsets at `to`. */
static int mm_copy_pages(Mm *mm, uint64_t from, uint64_t to, uint64_t len) {
        for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
                uint64_t spte = paging_lookup(mm->vm, from + off);
                const uint8_t *src;
                uint8_t *dst;
                uint64_t dpte;
                int r;

                uint64_t gpa = spte & PTE_ADDR_MASK;

                if (!spte)
                        continue;
                if (gpa >= GPA_IMAGE)
                        src = range_within(gpa - GPA_IMAGE, PAGE_SIZE, mm->vm->image_size)
                                      ? mm->vm->image + (gpa - GPA_IMAGE)
                                      : NULL;
                else
                        src = vm_ram(mm->vm, gpa, PAGE_SIZE);
                r = mm_fault(mm, to + off, true, false);
                if (r < 0)
                        return r;
                dpte = paging_lookup(mm->vm, to + off);
                dst = dpte ? vm_ram(mm->vm, dpte & PTE_ADDR_MASK, PAGE_SIZE) : NULL;
                if (!src || !dst)
                        return -EFAULT;
                memcpy(dst, src, PAGE_SIZE);
        }
        return 0;
}

int64_t mm_remap(Mm *mm, uint64_t old_addr, uint64_t old_size, uint64_t new_size, int flags,
                 uint64_t new_addr) {
        Vma *v, copy;
        int64_t r;

        if (!IS_ALIGNED(old_addr, PAGE_SIZE) || new_size == 0 || old_size > USER_MAX ||
            new_size > USER_MAX || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)))
                return -EINVAL;
        if (flags & MREMAP_FIXED)
                return -EINVAL; /* nothing we run uses it */
        old_size = ALIGN_UP(old_size, PAGE_SIZE);
        new_size = ALIGN_UP(new_size, PAGE_SIZE);
        v = mm_find(mm, old_addr);
        if (!v || old_size == 0 || old_addr + old_size > v->end)
                return -EFAULT;
        if (new_size <= old_size) {
                if (new_size < old_size)
                        (void)mm_unmap(mm, old_addr + new_size, old_size - new_size);
                return (int64_t)old_addr;
        }
        copy = *v;

        /* Grow in place when the pages after it are free and never used. */
        if (old_addr + old_size == v->end && v->backing == VMA_ANON &&
            mm_range_free(mm, v->end, old_addr + new_size) && old_addr + new_size <= USER_MAX) {
                r = mm_map(mm, v->end, new_size - old_size, copy.prot, copy.flags, true, NULL);
                if (r >= 0)
                        return (int64_t)old_addr;
        }
        if (!(flags & MREMAP_MAYMOVE))
                return -ENOMEM;

        MmSource source = {
                .backing = copy.backing,
                .file_offset = copy.file_offset + (old_addr - copy.start),
                .file_size = copy.file_offset + copy.file_length,
                .image_base = copy.image_base,
                .blob = copy.blob,
        };
        r = mm_map(mm, 0, new_size, copy.prot | PROT_WRITE, copy.flags, false,
                   copy.backing == VMA_ANON ? NULL : &source);
        if (r < 0)
                return r;
        new_addr = (uint64_t)r;
        r = mm_copy_pages(mm, old_addr, new_addr, old_size);
        if (r < 0)
                return r;
        if (!(copy.prot & PROT_WRITE))
                (void)mm_protect(mm, new_addr, new_size, copy.prot);
        (void)mm_unmap(mm, old_addr, old_size);
        return (int64_t)new_addr;
}

static bool vma_allows(const Vma *v, bool write, bool exec) {
        if (write)
                return v->prot & PROT_WRITE;
        if (exec)
                return v->prot & PROT_EXEC;
        return v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
}

static int mm_grow_stack(Mm *mm, uint64_t addr) {
        size_t i = mm_index_after(mm, addr);
        Vma *stack;
        uint64_t new_start, grow;

        if (i >= mm->count)
                return -EFAULT;
        stack = &mm->vmas[i];
        if (!(stack->flags & MAP_GROWSDOWN) || addr < mm->stack_limit)
                return -EFAULT;
        new_start = ALIGN_DOWN(addr, PAGE_SIZE);
        if (i > 0 && mm->vmas[i - 1].end > new_start)
                return -EFAULT;
        grow = stack->start - new_start;
        if (mm->budget->committed + grow > mm->budget->limit) {
                mm->budget->limit_hit = true;
                return -ENOMEM;
        }
        mm->budget->committed += grow;
        mm_mapped_add(mm, grow);
        stack->start = new_start;
        return 0;
}

int mm_fault(Mm *mm, uint64_t addr, bool write, bool exec) {
        uint64_t page = ALIGN_DOWN(addr, PAGE_SIZE), pte, window, first, last;
        Vma *v;
        int r;

        if (addr >= USER_MAX)
                return -EFAULT;
        v = mm_find(mm, addr);
        if (!v) {
                r = mm_grow_stack(mm, addr);
                if (r < 0)
                        return r;
                v = mm_find(mm, addr);
                if (!v)
                        return -EFAULT;
        }
        if (!vma_allows(v, write, exec))
                return -EFAULT;

        pte = paging_lookup(mm->vm, page);
        if (pte) {
                if ((write && !(pte & PTE_W)) || (exec && (pte & PTE_NX)))
                        return -EPERM;
                return 0;
        }

        mm->faults++;
        bool direct = v->backing == VMA_IMAGE && !(v->prot & PROT_WRITE);
        window = direct ? FAULT_AROUND_IMAGE : FAULT_AROUND_ANON;
        /* The window starts at the faulting page and runs forward (programs mostly walk memory
         * upwards), except on a grows-down stack, which is touched downwards. */
        if (v->flags & MAP_GROWSDOWN) {
                first = page >= v->start + (window - 1) * PAGE_SIZE
                                ? page - (window - 1) * PAGE_SIZE
                                : v->start;
                last = page + PAGE_SIZE;
        } else {
                first = page;
                last = MIN(v->end, page + window * PAGE_SIZE);
        }

        for (uint64_t p = first; p < last; p += PAGE_SIZE) {
                uint64_t flags = PTE_U, gpa = 0, off = p - v->start;
                bool mapped_direct = false;

                if (p != page && paging_lookup(mm->vm, p))
                        continue;
                if (!(v->prot & PROT_EXEC))
                        flags |= PTE_NX;
                if (direct && off < v->file_length) {
                        uint64_t at = v->image_base + v->file_offset + off;
                        if (IS_ALIGNED(at, PAGE_SIZE) && range_within(at, PAGE_SIZE, mm->vm->image_size)) {
                                gpa = GPA_IMAGE + at;
                                mapped_direct = true;
                        }
                }
                if (!mapped_direct) {
                        gpa = vm_page_alloc(mm->vm, false);
                        if (!gpa) {
                                if (p == page) {
                                        mm->budget->limit_hit = true;
                                        return -ENOMEM;
                                }
                                break;
                        }
                        if (v->backing != VMA_ANON)
                                vma_fill_page(mm, v, p, vm_ram(mm->vm, gpa, PAGE_SIZE));
                        if (v->prot & PROT_WRITE)
                                flags |= PTE_W;
                }
                r = paging_map(mm->vm, p, gpa, flags);
                if (r < 0) {
                        if (!mapped_direct)
                                vm_page_release(mm->vm, gpa, false);
                        if (p == page)
                                return r == -ENOMEM ? -ENOMEM : -EFAULT;
                        break;
                }
        }
        return 0;
}

int mm_setup_stack(Mm *mm, uint64_t top, uint64_t max_size) {
        int64_t r;
        uint64_t initial = 128 * 1024;

        mm->stack_top = top;
        mm->stack_limit = top - max_size;
        r = mm_map(mm, top - initial, initial, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, true, NULL);
        return r < 0 ? (int)r : 0;
}

/* SPDX-License-Identifier: MIT */
/* The program's address space: a sorted array of VMAs over the page tables of paging.h, with
 * demand paging. What shadow paging allows (DESIGN.md §5) shapes the rules:
 *  - a page becomes present on first touch (a #PF exit, or a syscall touching the buffer) and
 *    then stays present with the same frame and permissions for the life of the VM;
 *  - so munmap'ed and mprotect'ed-down ranges are never handed out again by mmap, and a MAP_FIXED
 *    over present pages rewrites their contents in place;
 *  - memory is committed (counted against the limit) when mapped writable and private, and a
 *    mapping past the limit fails with ENOMEM, which the program sees and the result reports. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "vm.h"

typedef enum VmaBacking {
        VMA_ANON,  /* zero-filled */
        VMA_IMAGE, /* file bytes lying in the image slot: read-only pages map them directly */
        VMA_COPY,  /* file bytes held in a host buffer (tmpfs files, a host ELF for tests) */
} VmaBacking;

typedef struct Blob Blob; /* refcounted host bytes behind VMA_COPY */

typedef struct Vma {
        uint64_t start, end; /* page-aligned, end exclusive */
        int prot;            /* PROT_READ | PROT_WRITE | PROT_EXEC */
        int flags;           /* MAP_PRIVATE / MAP_SHARED, MAP_GROWSDOWN */
        VmaBacking backing;
        /* File-backed: the bytes at `start` are the file's bytes at file_offset; only
         * file_length of them exist, the rest of the range reads as zero (bss). */
        uint64_t file_offset;
        uint64_t file_length;
        uint64_t image_base; /* VMA_IMAGE: offset of the file's first byte in the image */
        Blob *blob;          /* VMA_COPY */
        bool committed;      /* counted in the MemoryBudget */
} Vma;

/* The sandbox's one memory budget, which every process's address space (and the tmpfs, through
 * its limits) draws on: bytes committed, the limit, and whether an allocation was refused. */
typedef struct MemoryBudget {
        uint64_t committed, limit;
        bool limit_hit; /* an allocation was refused because of the memory limit */
} MemoryBudget;

typedef struct Mm {
        Vm *vm;
        Vma *vmas;
        size_t count, capacity;
        uint64_t mmap_next; /* top-down; an unmapped range is not picked again (MAP_FIXED may) */
        uint64_t mmap_floor;
        uint64_t brk_start, brk, brk_max;
        uint64_t stack_top, stack_limit; /* the stack may grow down to stack_limit */
        MemoryBudget *budget;            /* the sandbox's */
        /* Bytes mapped (the VMAs' total) and the most ever, for /proc's VmSize and VmPeak. */
        uint64_t mapped, mapped_peak;
        bool vm_failed; /* the guest's own page-table edit failed: the VM can't go on */
        uint64_t faults;
} Mm;

Blob *blob_new(const void *data, uint64_t size);
Blob *blob_ref(Blob *b);
Blob *blob_unref(Blob *b);
static inline void blob_unrefp(Blob **b) {
        blob_unref(*b);
}
const void *blob_data(const Blob *b);
uint64_t blob_size(const Blob *b);

void mm_init(Mm *mm, Vm *vm, MemoryBudget *budget);
void mm_done(Mm *mm);

/* The VMA containing addr, or NULL. */
Vma *mm_find(Mm *mm, uint64_t addr);

/* Maps [addr, addr+length) (addr chosen top-down when !fixed). `source` describes file backing
 * (NULL for anonymous). Returns the address or -errno. */
typedef struct MmSource {
        VmaBacking backing;
        uint64_t file_offset; /* in the file */
        uint64_t file_size;   /* the file's size */
        uint64_t image_base;  /* VMA_IMAGE: where the file's byte 0 is in the image */
        Blob *blob;           /* VMA_COPY: the file's bytes */
} MmSource;
int64_t mm_map(Mm *mm, uint64_t addr, uint64_t length, int prot, int flags, bool fixed,
               const MmSource *source);
int mm_unmap(Mm *mm, uint64_t addr, uint64_t length);
int mm_protect(Mm *mm, uint64_t addr, uint64_t length, int prot);
/* madvise(MADV_DONTNEED) and friends: anonymous private pages read back as zero. */
int mm_discard(Mm *mm, uint64_t addr, uint64_t length);
int64_t mm_brk(Mm *mm, uint64_t new_brk);
int64_t mm_remap(Mm *mm, uint64_t old_addr, uint64_t old_size, uint64_t new_size, int flags,
                 uint64_t new_addr);

/* Makes the page at addr present for an access of the given kind, as the #PF handler and the
 * user-copy code need. Returns 0, -EFAULT (no mapping or not allowed: SIGSEGV), -ENOMEM (out of
 * memory: the program is killed and the result says memory_limit_hit), -EPERM (present but with
 * fewer rights than now allowed: can't be fixed under shadow paging). */
int mm_fault(Mm *mm, uint64_t addr, bool write, bool exec);

/* Sets up the main thread's stack VMA: [top - max_size, top), initially `initial` bytes. */
int mm_setup_stack(Mm *mm, uint64_t top, uint64_t max_size);

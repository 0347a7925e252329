/* SPDX-License-Identifier: MIT */
/* Resetting a used VM to its snapshot in place (DESIGN.md §6: "fresh VM, or reset in place plus
 * whatever flush shadow paging needs"). A VM restored anew costs ~5 ms and starts cold: KVM has
 * no shadow page-table entry yet, so every page a request touches first costs a fault. A reset
 * VM keeps them, and its host pages, and is put back in well under a millisecond.
 *
 * What makes it clean:
 *  - Page tables: every entry of a snapshot table that differs from the snapshot's (added by
 *    the request, or cleared or replaced by its munmap and mmap) is written back by the guest
 *    itself (table-write.h), the way KVM's shadow paging sees. Tables the request created are
 *    cut loose by clearing the entry that linked them; KVM may keep a shadow of them, so their
 *    pages are retired, never used again. Afterwards the tables must equal the snapshot's byte
 *    for byte, or the VM is discarded.
 *  - RAM: every snapshot page with a private copy (found through /proc/self/pagemap) is
 *    compared with the snapshot and put back if it differs; a host write to guest RAM is seen
 *    by the guest at once (it is the same host page). RAM past the snapshot is dropped.
 *  - The vCPU: an access KVM was still completing for the last program (which the next run
 *    would finish with that program's registers) is completed first without entering the guest,
 *    and its pending events are cleared; the routine's exits are checked (trap, RIP, RAX). The
 *    registers are then loaded from the snapshot, as is the kernel's state, as a restore does.
 *    (The guest's TSC is the host's under kvm_pvm, in a restored VM too: it tells nothing.) */
#pragma once

#include <linux/fs.h>

#include "vm.h"

/* PAGEMAP_SCAN (Linux 6.7) finds the private pages of a range in one call; older headers lack
 * it, older kernels refuse it (then /proc/self/pagemap is read entry by entry). */
#ifndef PAGEMAP_SCAN
struct page_region {
        __u64 start, end, categories;
};
struct pm_scan_arg {
        __u64 size, flags, start, end, walk_end, vec, vec_len, max_pages;
        __u64 category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_FILE (1 << 2)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_SWAPPED (1 << 4)
#endif

/* Past this many retired page tables, a fresh VM is cheaper than the RAM they pin. */
#define VM_RETIRED_TABLES_MAX 256

typedef struct VmResetStats {
        unsigned entries_rewritten; /* page-table entries the guest wrote back (table-write.h) */
        unsigned tables_retired;
        uint64_t pages_private; /* snapshot pages with a private copy, each compared */
        uint64_t pages_copied;  /* of those, the ones put back */
} VmResetStats;

/* Opens /proc/self/pagemap once per process (before a seccomp filter forbids it). */
int vm_reset_open(void);
/* Whether it is open: without it no VM can be reset. */
bool vm_reset_available(void);

/* Puts vm's page tables and RAM back to `baseline`, the snapshot's RAM [0, baseline_size) as
 * mapped read-only from its file, and its page allocator to where the snapshot left it (the
 * caller then loads the snapshot's allocator state, registers and kernel state). The VM must
 * be stopped (its program finished, killed or timed out). Returns 0; -E2BIG when the request
 * changed more than a reset undoes cheaply (too many tables to rewrite or retire); another
 * -errno when the VM is not usable any more. In every failure case the caller throws the VM
 * away and restores a fresh one. */
int vm_reset(Vm *vm, const uint8_t *baseline, uint64_t baseline_size, VmResetStats *stats);

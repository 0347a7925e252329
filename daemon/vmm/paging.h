/* SPDX-License-Identifier: MIT */
/* The guest's 4-level page tables, kept by the host in guest RAM. The program never writes them.
 *
 * Shadow paging (DESIGN.md §5) sees a host edit from not-present to present at once but never a
 * change to, or removal of, a present entry. So the host itself only maps pages that are not
 * present (paging_map); taking pages away (paging_unmap) is done by the guest, through
 * table-write.h, at the cost of two short runs of the VM. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "vm.h"

#define PTE_P (1ULL << 0)
#define PTE_W (1ULL << 1)
#define PTE_U (1ULL << 2)
#define PTE_A (1ULL << 5)
#define PTE_D (1ULL << 6)
#define PTE_NX (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* Maps the page at `va` to `gpa` with `flags` (PTE_W, PTE_U, PTE_NX; P, A and D are added: set
 * up front so the guest's walks never write them, each of which would be an exit). Returns 0,
 * -EEXIST if the page is already present, -ENOMEM if no page-table page is left, -EINVAL for a
 * non-canonical or unaligned address. */
int paging_map(Vm *vm, uint64_t va, uint64_t gpa, uint64_t flags);

/* Unmaps the present pages of [start, end): the guest clears their entries (table-write.h), the
 * RAM pages go back to the allocator, pages of the image slot are just unmapped. The vCPU's
 * registers are kept. Returns the number of pages unmapped, or -errno with the VM unusable. */
int64_t paging_unmap(Vm *vm, uint64_t start, uint64_t end);

/* The present leaf entry for `va`, or 0. */
uint64_t paging_lookup(Vm *vm, uint64_t va);

/* The first address in [start, end) whose page is present, or `end`. Skips absent tables
 * whole, so scanning a fresh range costs a few lookups however large it is. */
uint64_t paging_next_present(Vm *vm, uint64_t start, uint64_t end);

/* Clears the accessed and dirty bits of the present leaf entry for `va`, so the CPU (or KVM's
 * shadow walker) sets them again on the next access: how a warm-up recording learns which pages
 * a run touches. Only for a VM that has not run since it was created (its shadow tables are
 * empty), as this is an edit of a present entry. */
void paging_clear_accessed(Vm *vm, uint64_t va);

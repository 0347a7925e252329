/* SPDX-License-Identifier: MIT */
/* Changing or clearing a page-table entry the guest may have used. Shadow paging sees a host edit
 * from not-present to present at once, but never a change to a present entry (DESIGN.md §5), so
 * such an edit is made by the guest: the VMM maps the tables to edit into a window that is
 * user-writable only while its routine runs (guest/stubs.S, guest_reset_tables), the routine
 * writes the entries and clears the window (its own table last), and CPL0 code reloads CR3
 * (guest_flush_tlb): the architecture's protocol for changing page tables, which KVM must honour.
 * (KVM lets a guest write a leaf table without a trap and resynchronises it on the reload: 256
 * entries take ~66 µs this way, ~2.6 ms from CPL0, where each instruction is emulated.)
 *
 * The window is in the stub table's entries from VA_PREFAULT_LIST on (layout.h), which the
 * routine leaves clear: the warm-up's list, the write list and the window. */
#pragma once

#include "vm.h"

typedef struct TableWrite {
        uint64_t table; /* GPA of the page table */
        unsigned index; /* of its entry, 0..511 */
        uint64_t value;
} TableWrite;

/* Entries one call can write: its list's capacity (layout.h: RESET_LIST_MAX_PAGES). */
#define TABLE_WRITES_MAX (RESET_LIST_MAX_PAGES * PAGE_SIZE / 16)

/* Has the guest write the entries, over at most RESET_WINDOW_PAGES - 1 tables besides the stub
 * table (-E2BIG past that or past TABLE_WRITES_MAX). With keep_state, the vCPU's registers and
 * segment state are put back afterwards (a program waiting in a syscall goes on as it was);
 * without, they are left to the caller to load. Returns 0, or -errno with the VM not usable. */
int vm_write_tables(Vm *vm, const TableWrite *writes, size_t n, bool keep_state);

/* The GPA of the stub table (the one that maps VA_SYSCALL_STUB) in vm's tables, or 0. */
uint64_t vm_stub_table(Vm *vm);

/* First entry of the stub table that is the routine's scratch. */
#define STUB_TABLE_FIRST_SCRATCH ((VA_PREFAULT_LIST >> PAGE_SHIFT) & 511)

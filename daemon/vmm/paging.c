/* SPDX-License-Identifier: MIT */
#include "paging.h"

#include "layout.h"
#include "macro.h"
#include "table-write.h"

#define TABLE_FLAGS (PTE_P | PTE_W | PTE_U | PTE_A)

static bool va_is_canonical(uint64_t va) {
        uint64_t top = va >> 47;
        return top == 0 || top == 0x1ffff;
}

static uint64_t *table_at(Vm *vm, uint64_t gpa) {
        return vm_ram(vm, gpa & PTE_ADDR_MASK, PAGE_SIZE);
}

/* Walks to the leaf table for va, creating missing levels when `create`. */
static uint64_t *leaf_entry(Vm *vm, uint64_t va, bool create) {
        uint64_t *table = table_at(vm, GPA_PML4);

        for (int level = 3; level >= 1; level--) {
                unsigned index = (va >> (PAGE_SHIFT + 9 * level)) & 511;
                uint64_t entry = table[index];

                if (!(entry & PTE_P)) {
                        uint64_t gpa;
                        if (!create)
                                return NULL;
                        gpa = vm_page_alloc(vm, true);
                        if (!gpa)
                                return NULL;
                        /* Upper levels are permissive; the leaf decides. */
                        table[index] = gpa | TABLE_FLAGS;
                        entry = table[index];
                }
                table = table_at(vm, entry);
                if (!table)
                        return NULL;
        }
        return &table[(va >> PAGE_SHIFT) & 511];
}

int paging_map(Vm *vm, uint64_t va, uint64_t gpa, uint64_t flags) {
        uint64_t *pte;

        if (!va_is_canonical(va) || !IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(gpa, PAGE_SIZE))
                return -EINVAL;
        pte = leaf_entry(vm, va, true);
        if (!pte)
                return -ENOMEM;
        if (*pte & PTE_P)
                return -EEXIST;
        *pte = gpa | (flags & (PTE_W | PTE_U | PTE_NX)) | PTE_P | PTE_A | PTE_D;
        return 0;
}

/* Batches of entries to clear: at most TABLE_WRITES_MAX entries over the tables one window
 * holds besides the stub table. */
#define UNMAP_TABLES_MAX (RESET_WINDOW_PAGES - 1)

static int unmap_batch(Vm *vm, const TableWrite *writes, uint64_t *frames, size_t n) {
        size_t ram = 0;
        int r = vm_write_tables(vm, writes, n, true);
        if (r < 0)
                return r;
        /* The RAM pages go back to the allocator; the image's are not ours to give. */
        for (size_t i = 0; i < n; i++)
                if (frames[i] < vm->ram_size)
                        frames[ram++] = frames[i];
        vm_pages_release(vm, frames, ram);
        return 0;
}

int64_t paging_unmap(Vm *vm, uint64_t start, uint64_t end) {
        _cleanup_free_ TableWrite *writes = NULL;
        _cleanup_free_ uint64_t *frames = NULL;
        uint64_t last_table = 0;
        size_t n = 0, tables = 0;
        int64_t unmapped = 0;
        int r;

        for (uint64_t va = paging_next_present(vm, start, end); va < end;
             va = paging_next_present(vm, va + PAGE_SIZE, end)) {
                uint64_t *pte = leaf_entry(vm, va, false);
                uint64_t table = (uint64_t)((uint8_t *)pte - vm->ram) & ~(PAGE_SIZE - 1);

                if (!writes) {
                        writes = calloc(TABLE_WRITES_MAX, sizeof(TableWrite));
                        frames = calloc(TABLE_WRITES_MAX, sizeof(uint64_t));
                        if (!writes || !frames)
                                return -ENOMEM;
                }
                if (table != last_table && tables == UNMAP_TABLES_MAX) {
                        r = unmap_batch(vm, writes, frames, n);
                        if (r < 0)
                                return r;
                        n = tables = 0;
                }
                tables += table != last_table;
                last_table = table;
                writes[n] = (TableWrite){.table = table, .index = (va >> PAGE_SHIFT) & 511};
                frames[n++] = *pte & PTE_ADDR_MASK;
                unmapped++;
                if (n == TABLE_WRITES_MAX) {
                        r = unmap_batch(vm, writes, frames, n);
                        if (r < 0)
                                return r;
                        n = tables = 0;
                        last_table = 0;
                }
        }
        if (n > 0) {
                r = unmap_batch(vm, writes, frames, n);
                if (r < 0)
                        return r;
        }
        return unmapped;
}

uint64_t paging_lookup(Vm *vm, uint64_t va) {
        uint64_t *pte;

        if (!va_is_canonical(va))
                return 0;
        pte = leaf_entry(vm, va, false);
        if (!pte || !(*pte & PTE_P))
                return 0;
        return *pte;
}

uint64_t paging_next_present(Vm *vm, uint64_t start, uint64_t end) {
        uint64_t va = ALIGN_DOWN(start, PAGE_SIZE);

        while (va < end) {
                uint64_t *table = table_at(vm, GPA_PML4);
                uint64_t span = 0;
                bool present = true;

                if (!va_is_canonical(va))
                        return end;
                for (int level = 3; level >= 0; level--) {
                        unsigned shift = PAGE_SHIFT + 9 * level;
                        uint64_t entry = table[(va >> shift) & 511];
                        if (!(entry & PTE_P)) {
                                span = 1ULL << shift;
                                present = false;
                                break;
                        }
                        if (level > 0) {
                                table = table_at(vm, entry);
                                if (!table)
                                        return end;
                        }
                }
                if (present)
                        return va;
                va = ALIGN_DOWN(va, span) + span;
        }
        return end;
}

void paging_clear_accessed(Vm *vm, uint64_t va) {
        uint64_t *pte = va_is_canonical(va) ? leaf_entry(vm, va, false) : NULL;

        if (pte && (*pte & PTE_P))
                *pte &= ~(PTE_A | PTE_D);
}

/* SPDX-License-Identifier: MIT */
#include "paging.h"

#include "layout.h"
#include "macro.h"

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

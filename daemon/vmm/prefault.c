/* SPDX-License-Identifier: MIT */
#include "prefault.h"

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "paging.h"

extern const uint64_t guest_prefault_offset;

#define ENTRIES_PER_PAGE (PAGE_SIZE / sizeof(uint64_t))

int vm_prefault(Vm *vm, const uint64_t *entries, size_t count) {
        struct kvm_regs saved = *vm_regs(vm), *regs;
        _cleanup_free_ uint64_t *list = NULL;
        size_t kept = 0;
        VmExit e = {};
        int r;

        /* Keep only entries the guest can touch without faulting, at most what the list pages
         * hold. */
        count = MIN(count, (size_t)PREFAULT_LIST_MAX_PAGES * ENTRIES_PER_PAGE);
        list = malloc(MAX(count, 1u) * sizeof(uint64_t));
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < count; i++) {
                uint64_t va = entries[i] & ~(PAGE_SIZE - 1);
                bool write = entries[i] & PREFAULT_WRITE;
                uint64_t pte = va < USER_MAX ? paging_lookup(vm, va) : 0;

                if (!pte || !(pte & PTE_U) || (write && !(pte & PTE_W)))
                        continue;
                list[kept++] = va | (write ? PREFAULT_WRITE : 0);
        }
        if (kept == 0)
                return 0;

        /* The list goes into pages mapped read-only for the guest, which don't count against
         * the program's memory. */
        for (size_t done = 0, page = 0; done < kept; done += ENTRIES_PER_PAGE, page++) {
                uint64_t gpa = vm_page_alloc(vm, true);
                void *p = gpa ? vm_ram(vm, gpa, PAGE_SIZE) : NULL;
                if (!p)
                        return -ENOMEM;
                memcpy(p, list + done, MIN(kept - done, ENTRIES_PER_PAGE) * sizeof(uint64_t));
                r = paging_map(vm, VA_PREFAULT_LIST + page * PAGE_SIZE, gpa, PTE_U | PTE_NX);
                if (r < 0)
                        return r;
        }

        regs = vm_regs(vm);
        *regs = (struct kvm_regs){
                .rip = VA_SYSCALL_STUB + guest_prefault_offset,
                .rdi = VA_PREFAULT_LIST,
                .rsi = kept,
                .rflags = 0x2,
                .rsp = saved.rsp,
        };
        vm_regs_changed(vm);
        r = vm_run(vm, &e);
        if (r >= 0 && (e.kind != VM_EXIT_SYSCALL || vm_regs(vm)->rax != PREFAULT_DONE))
                r = -EIO;
        /* Back to exactly where the program was, its pending syscall included. */
        *vm_regs(vm) = saved;
        vm_regs_changed(vm);
        if (r < 0)
                return log_debug_errno(r, "Warm-up of %zu pages failed (exit kind %d), ignoring",
                                       kept, (int)e.kind);
        return (int)kept;
}

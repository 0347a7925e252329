/* SPDX-License-Identifier: MIT */
#include "table-write.h"

#include <sys/ioctl.h>

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "paging.h"

#define ENTRIES_PER_TABLE 512u
#define STUB_TABLE_SLOT (RESET_WINDOW_PAGES - 1)
#define PAIRS_PER_PAGE (PAGE_SIZE / 16)

extern const uint64_t guest_reset_tables_offset, guest_flush_tlb_offset,
        guest_flush_tlb_trapped_offset;

uint64_t vm_stub_table(Vm *vm) {
        const uint64_t *t = vm_ram(vm, GPA_PML4, PAGE_SIZE);

        for (int level = 3; t && level >= 1; level--) {
                uint64_t e = t[(VA_SYSCALL_STUB >> (PAGE_SHIFT + 9 * level)) & 511];
                if (!(e & PTE_P))
                        return 0;
                t = vm_ram(vm, e & PTE_ADDR_MASK, PAGE_SIZE);
                if (level == 1)
                        return t ? e & PTE_ADDR_MASK : 0;
        }
        return 0;
}

/* Runs one of the stubs' routines from its first instruction to its trap at `trapped` (the RIP
 * after the trapping store), with sregs. */
static int run_routine(Vm *vm, const struct kvm_sregs *sregs, const struct kvm_regs *regs,
                       uint64_t trapped) {
        struct kvm_run *run = vm->run;

        if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, sregs) < 0)
                return -errno;
        run->s.regs.regs = *regs;
        run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
        for (unsigned tries = 0;; tries++) {
                if (ioctl(vm->vcpu_fd, KVM_RUN, 0) >= 0)
                        break;
                /* A timer's signal (the deadline, thread preemption). Before the guest ran,
                 * KVM applied nothing (the dirty bit is still set) and stored the vCPU's old
                 * registers over ours: put them back. Once it ran, the routine resumes where
                 * it was. */
                if ((errno != EINTR && errno != EAGAIN) || tries >= 8)
                        return -errno;
                run->immediate_exit = 0;
                if (run->kvm_dirty_regs & KVM_SYNC_X86_REGS)
                        run->s.regs.regs = *regs;
        }
        run->kvm_dirty_regs = 0;
        if (run->exit_reason != KVM_EXIT_MMIO || run->mmio.phys_addr != GPA_TRAP ||
            !run->mmio.is_write || run->s.regs.regs.rax != RESET_TABLES_DONE ||
            run->s.regs.regs.rip != trapped)
                return log_debug_errno(EIO, "The page-table routine ended badly (exit %u)",
                                       run->exit_reason);
        return 0;
}

/* The window page for `table`, given one if it has none. */
static int window_slot(uint64_t window[static RESET_WINDOW_PAGES], unsigned *used,
                       uint64_t stub_table, uint64_t table, unsigned *ret) {
        if (table == stub_table) {
                *ret = STUB_TABLE_SLOT;
                return 0;
        }
        for (unsigned i = 0; i < *used; i++)
                if (window[i] == table) {
                        *ret = i;
                        return 0;
                }
        if (*used == STUB_TABLE_SLOT)
                return -E2BIG;
        window[*used] = table;
        *ret = (*used)++;
        return 0;
}

/* Maps the window and the list for the routine (not-present to present edits, which KVM sees);
 * the list's pages are list_pages[0..DIV_ROUND_UP(n, PAIRS_PER_PAGE)). */
static int prepare(Vm *vm, const TableWrite *writes, size_t n, uint64_t stub_table,
                   uint64_t list_pages[static RESET_LIST_MAX_PAGES]) {
        uint64_t window[RESET_WINDOW_PAGES] = {};
        unsigned used = 0;
        int r;

        for (size_t page = 0; page < DIV_ROUND_UP(n, PAIRS_PER_PAGE); page++) {
                uint64_t gpa = vm_page_alloc(vm, true);
                if (!gpa)
                        return -ENOMEM;
                list_pages[page] = gpa;
                r = paging_map(vm, VA_RESET_LIST + page * PAGE_SIZE, gpa, PTE_U | PTE_NX);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n; i++) {
                uint64_t *pair = vm_ram(vm, list_pages[i / PAIRS_PER_PAGE], PAGE_SIZE);
                unsigned slot;

                if (writes[i].index >= ENTRIES_PER_TABLE || !vm_ram(vm, writes[i].table, PAGE_SIZE))
                        return -EINVAL;
                r = window_slot(window, &used, stub_table, writes[i].table, &slot);
                if (r < 0)
                        return r;
                pair += 2 * (i % PAIRS_PER_PAGE);
                pair[0] = VA_RESET_WINDOW + slot * PAGE_SIZE + writes[i].index * 8;
                pair[1] = writes[i].value;
        }
        for (unsigned i = 0; i < used; i++) {
                r = paging_map(vm, VA_RESET_WINDOW + i * PAGE_SIZE, window[i],
                               PTE_U | PTE_W | PTE_NX);
                if (r < 0)
                        return r;
        }
        return paging_map(vm, VA_RESET_WINDOW + STUB_TABLE_SLOT * PAGE_SIZE, stub_table,
                          PTE_U | PTE_W | PTE_NX);
}

int vm_write_tables(Vm *vm, const TableWrite *writes, size_t n, bool keep_state) {
        uint64_t stub_table = vm_stub_table(vm), list_pages[RESET_LIST_MAX_PAGES] = {};
        struct kvm_sregs saved_sregs, kernel;
        struct kvm_regs saved_regs = vm->run->s.regs.regs;
        uint64_t saved_exits = vm->exits;
        int r;

        if (!stub_table)
                return -EIO;
        if (n > TABLE_WRITES_MAX)
                return -E2BIG;
        if (keep_state && ioctl(vm->vcpu_fd, KVM_GET_SREGS, &saved_sregs) < 0)
                return -errno;
        r = prepare(vm, writes, n, stub_table, list_pages);
        if (r < 0)
                return r;

        r = run_routine(vm, &vm->boot_sregs,
                        &(struct kvm_regs){
                                .rip = VA_SYSCALL_STUB + guest_reset_tables_offset,
                                .rdi = VA_RESET_LIST,
                                .rsi = n,
                                .rdx = VA_RESET_WINDOW + STUB_TABLE_SLOT * PAGE_SIZE +
                                       STUB_TABLE_FIRST_SCRATCH * 8,
                                .rcx = ENTRIES_PER_TABLE - STUB_TABLE_FIRST_SCRATCH,
                                .rflags = 0x2,
                        },
                        VA_SYSCALL_STUB + TRAP_STORE_INSN_LEN);
        if (r < 0)
                return r;
        kernel = vm->boot_sregs;
        kernel.cs.selector = SEL_KERNEL_CS;
        kernel.cs.dpl = 0;
        kernel.ss.selector = SEL_KERNEL_DS;
        kernel.ss.dpl = 0;
        r = run_routine(vm, &kernel,
                        &(struct kvm_regs){
                                .rip = VA_EXCEPTION_STUBS + guest_flush_tlb_offset,
                                .rsp = VA_KERNEL_STACK_TOP,
                                .rflags = 0x2,
                        },
                        VA_EXCEPTION_STUBS + guest_flush_tlb_trapped_offset);
        if (r < 0)
                return r;

        /* Nothing maps the list's pages any more: they go back to the allocator. */
        for (size_t page = 0; page < DIV_ROUND_UP(n, PAIRS_PER_PAGE); page++)
                vm_page_release(vm, list_pages[page], true);

        if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, keep_state ? &saved_sregs : &vm->boot_sregs) < 0)
                return -errno;
        if (keep_state) {
                vm->run->s.regs.regs = saved_regs;
                vm->run->s.regs.sregs = saved_sregs;
                vm_regs_changed(vm);
        }
        vm->exits = saved_exits; /* the program's count, not ours */
        return 0;
}

/* SPDX-License-Identifier: MIT */
#include "vm-persist.h"

#include <inttypes.h>

#include "layout.h"
#include "log.h"
#include "macro.h"

/* The VM section: VmSaved, then free_count x the GPA of a free page. */
typedef struct VmSaved {
        uint64_t ram_next, data_pages, data_pages_peak, table_pages, free_count;
} VmSaved;

int vcpu_persist_save(Vm *vm, Buffer *out) {
        VmCpuState cpu;
        int r;

        r = vm_save_cpu(vm, &cpu);
        if (r < 0)
                return log_error_errno(r, "Failed to read the vCPU state: %m");
        buffer_put(out, &cpu, sizeof(cpu));
        return out->error;
}

bool vcpu_persist_registers_ok(const struct kvm_regs *regs) {
        return regs->rip < USER_MAX ||
               (regs->rip >= VA_SYSCALL_STUB && regs->rip < VA_SYSCALL_STUB + PAGE_SIZE);
}

int vcpu_persist_restore(Vm *vm, Cursor *c) {
        VmCpuState cpu;
        int r;

        if (c->left != sizeof(cpu) || take(c, &cpu, sizeof(cpu)) < 0)
                return -EBADMSG;
        /* The program runs at CPL3 in our segments, stopped in a syscall or in its own code,
         * whatever the file says. */
        if ((cpu.sregs.cs.selector & 3) != 3 || !vcpu_persist_registers_ok(&cpu.regs))
                return -EBADMSG;
        r = vm_load_cpu(vm, &cpu);
        if (r < 0)
                return log_error_errno(r, "Failed to load the vCPU state: %m");
        return 0;
}

uint64_t vm_persist_memory(const Vm *vm, const uint8_t **ret_ram) {
        *ret_ram = vm->ram;
        return vm->ram_next;
}

int vm_persist_save(const Vm *vm, Buffer *out) {
        VmSaved s = {vm->ram_next, vm->data_pages, vm->data_pages_peak, vm->table_pages,
                     vm->free_count};

        buffer_put(out, &s, sizeof(s));
        buffer_put(out, vm->free_pages, vm->free_count * sizeof(uint64_t));
        return out->error;
}

int vm_persist_restore(Vm *vm, Cursor *c, uint64_t memory_size) {
        VmSaved s;

        if (take(c, &s, sizeof(s)) < 0)
                return -EBADMSG;
        if (s.ram_next != memory_size || s.free_count > s.ram_next / PAGE_SIZE ||
            s.data_pages > s.ram_next / PAGE_SIZE || s.table_pages > s.ram_next / PAGE_SIZE ||
            s.free_count * sizeof(uint64_t) != c->left)
                return -EBADMSG;
        if (s.data_pages > vm->data_page_limit)
                return log_error_errno(E2BIG,
                                       "The snapshot holds %" PRIu64 " MiB, more than the "
                                       "memory limit",
                                       s.data_pages * PAGE_SIZE >> 20);
        vm->data_pages = s.data_pages;
        vm->data_pages_peak = s.data_pages;
        vm->table_pages = s.table_pages;
        vm->free_count = 0;
        if (s.free_count) {
                /* A reset VM has the array of its last request. */
                if (vm->free_capacity < s.free_count) {
                        uint64_t *f = reallocarray(vm->free_pages, s.free_count, sizeof(uint64_t));
                        if (!f)
                                return -ENOMEM;
                        vm->free_pages = f;
                        vm->free_capacity = s.free_count;
                }
                for (uint64_t i = 0; i < s.free_count; i++) {
                        uint64_t gpa = 0;
                        (void)take(c, &gpa, sizeof(gpa));
                        if (!IS_ALIGNED(gpa, PAGE_SIZE) || gpa < GPA_FIRST_FREE ||
                            gpa >= s.ram_next)
                                return -EBADMSG;
                        vm->free_pages[vm->free_count++] = gpa;
                }
        }
        return 0;
}

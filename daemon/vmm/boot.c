/* SPDX-License-Identifier: MIT */
#include "boot.h"

#include <sys/ioctl.h>

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "paging.h"

/* From guest/stubs.S. */
extern const uint8_t guest_syscall_stub_start[], guest_syscall_stub_end[];
extern const uint8_t guest_exception_stubs_start[], guest_exception_stubs_end[];
#define EXCEPTION_STUB_STRIDE 16

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_OSXSAVE (1u << 18)
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

/* RFLAGS bits cleared on syscall entry, as Linux does: TF, DF, IF, IOPL, NT, AC. */
#define SYSCALL_RFLAGS_MASK 0x47700

/* x87, SSE, AVX, and AVX-512's three components: what glibc's string functions may use. */
#define XCR0_WANTED 0xe7ULL

static void gdt_fill(uint64_t *gdt) {
        gdt[0] = 0;
        gdt[SEL_KERNEL_CS >> 3] = 0x00209b0000000000ULL; /* 64-bit code, DPL0, accessed */
        gdt[SEL_KERNEL_DS >> 3] = 0x0000930000000000ULL; /* data, DPL0, accessed */
        gdt[SEL_USER_CS32 >> 3] = 0x00cffb000000ffffULL; /* 32-bit code, DPL3 (STAR needs it) */
        gdt[SEL_USER_DS >> 3] = 0x0000f30000000000ULL;   /* data, DPL3, accessed */
        gdt[SEL_USER_CS >> 3] = 0x0020fb0000000000ULL;   /* 64-bit code, DPL3, accessed */

        /* 16-byte 64-bit TSS descriptor, type 0xb (busy): TR is loaded through sregs, not ltr. */
        uint64_t base = VA_TSS, limit = 0x67;
        gdt[SEL_TSS >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x8bULL << 40) |
                            (((base >> 24) & 0xff) << 56);
        gdt[(SEL_TSS >> 3) + 1] = base >> 32;
}

static void tss_fill(uint8_t *tss) {
        uint64_t rsp0 = VA_KERNEL_STACK_TOP;
        memcpy(tss + 4, &rsp0, 8);
        uint16_t iomap_base = 0x68; /* no I/O bitmap: every port access from CPL3 faults */
        memcpy(tss + 0x66, &iomap_base, 2);
}

static void idt_fill(uint64_t *idt) {
        for (unsigned v = 0; v < 32; v++) {
                uint64_t handler = VA_EXCEPTION_STUBS + v * EXCEPTION_STUB_STRIDE;
                /* Interrupt gate, present; DPL3 only for #BP and #OF so int3/into from the
                 * program arrive as themselves rather than as #GP. */
                unsigned dpl = (v == 3 || v == 4) ? 3 : 0;
                uint64_t attr = 0x8e | (dpl << 5);
                idt[2 * v] = (handler & 0xffff) | ((uint64_t)SEL_KERNEL_CS << 16) |
                             (attr << 40) | (((handler >> 16) & 0xffff) << 48);
                idt[2 * v + 1] = handler >> 32;
        }
}

static int map_fixed_pages(Vm *vm) {
        static const struct {
                uint64_t va, gpa, flags;
        } pages[] = {
                {VA_GDT, GPA_GDT, PTE_W | PTE_NX},
                {VA_IDT, GPA_IDT, PTE_NX},
                {VA_EXCEPTION_STUBS, GPA_EXCEPTION_STUBS, 0},
                {VA_TRAP_EXCEPTION, GPA_TRAP_EXCEPTION, PTE_W | PTE_NX},
                {VA_SYSCALL_STUB, GPA_SYSCALL_STUB, PTE_U},
                {VA_TRAP_SYSCALL, GPA_TRAP, PTE_U | PTE_W | PTE_NX},
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(pages); i++) {
                r = paging_map(vm, pages[i].va, pages[i].gpa, pages[i].flags);
                if (r < 0)
                        return r;
        }
        for (unsigned i = 0; i < KERNEL_STACK_PAGES; i++) {
                r = paging_map(vm, VA_KERNEL_STACK + i * PAGE_SIZE,
                               GPA_KERNEL_STACK + i * PAGE_SIZE, PTE_W | PTE_NX);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void segment_set(struct kvm_segment *s, uint16_t selector, uint8_t type, uint8_t dpl,
                        bool code64) {
        *s = (struct kvm_segment){
                .base = 0,
                .limit = 0xffffffff,
                .selector = selector,
                .type = type,
                .present = 1,
                .dpl = dpl,
                .db = code64 ? 0 : 1,
                .s = 1,
                .l = code64,
                .g = 1,
        };
}

static int set_sregs(Vm *vm) {
        struct kvm_sregs sregs;

        if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
                return log_error_errno(errno, "KVM_GET_SREGS failed: %m");

        sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
        sregs.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
        sregs.cr3 = GPA_PML4;
        sregs.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;

        /* The program starts at CPL3 directly: there is no kernel to drop privilege. */
        segment_set(&sregs.cs, SEL_USER_CS, 0xb, 3, true);
        segment_set(&sregs.ss, SEL_USER_DS, 0x3, 3, false);
        segment_set(&sregs.ds, SEL_USER_DS, 0x3, 3, false);
        segment_set(&sregs.es, SEL_USER_DS, 0x3, 3, false);
        segment_set(&sregs.fs, 0, 0x3, 3, false);
        segment_set(&sregs.gs, 0, 0x3, 3, false);

        sregs.tr = (struct kvm_segment){
                .base = VA_TSS, .limit = 0x67, .selector = SEL_TSS, .type = 0xb, .present = 1};
        sregs.ldt = (struct kvm_segment){.selector = 0, .type = 0x2, .present = 1, .limit = 0xffff};
        sregs.gdt.base = VA_GDT;
        sregs.gdt.limit = 8 * 8 - 1;
        sregs.idt.base = VA_IDT;
        sregs.idt.limit = 32 * 16 - 1;

        if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
                return log_error_errno(errno, "KVM_SET_SREGS failed: %m");
        vm->boot_sregs = sregs;
        return 0;
}

static int set_msrs(Vm *vm) {
        static const uint32_t index[] = {MSR_STAR,           MSR_LSTAR,   MSR_CSTAR,
                                         MSR_SYSCALL_MASK,   MSR_FS_BASE, MSR_GS_BASE,
                                         MSR_KERNEL_GS_BASE};
        const uint64_t value[] = {((uint64_t)SEL_USER_CS32 << 48) | ((uint64_t)SEL_KERNEL_CS << 32),
                                  VA_SYSCALL_STUB,
                                  VA_SYSCALL_STUB,
                                  SYSCALL_RFLAGS_MASK,
                                  0,
                                  0,
                                  0};
        struct {
                struct kvm_msrs header;
                struct kvm_msr_entry entries[ELEMENTSOF(index)];
        } msrs = {.header.nmsrs = ELEMENTSOF(index)};

        for (size_t i = 0; i < ELEMENTSOF(index); i++)
                msrs.entries[i] = (struct kvm_msr_entry){.index = index[i], .data = value[i]};
        if (ioctl(vm->vcpu_fd, KVM_SET_MSRS, &msrs) != (int)ELEMENTSOF(index))
                return log_error_errno(EIO, "KVM_SET_MSRS failed");
        return 0;
}

static int set_xcr0(Vm *vm) {
        struct kvm_xcrs xcrs = {.nr_xcrs = 1};

        xcrs.xcrs[0].xcr = 0;
        xcrs.xcrs[0].value = (vm_supported_xcr0() & XCR0_WANTED) | 0x3;
        /* AVX-512 state is all three components or none. */
        if ((xcrs.xcrs[0].value & 0xe0) != 0xe0)
                xcrs.xcrs[0].value &= ~0xe0ULL;
        if (ioctl(vm->vcpu_fd, KVM_SET_XCRS, &xcrs) < 0)
                return log_error_errno(errno, "KVM_SET_XCRS failed: %m");
        return 0;
}

static int set_fpu(Vm *vm) {
        struct kvm_fpu fpu = {
                .fcw = 0x37f,    /* the x87 default control word, as after finit */
                .mxcsr = 0x1f80, /* all SSE exceptions masked */
        };
        if (ioctl(vm->vcpu_fd, KVM_SET_FPU, &fpu) < 0)
                return log_error_errno(errno, "KVM_SET_FPU failed: %m");
        return 0;
}

void boot_write_fixed_pages(Vm *vm) {
        size_t syscall_len = guest_syscall_stub_end - guest_syscall_stub_start;
        size_t exception_len = guest_exception_stubs_end - guest_exception_stubs_start;

        gdt_fill(vm_ram(vm, GPA_GDT, PAGE_SIZE));
        tss_fill(vm_ram(vm, GPA_GDT + TSS_OFFSET, 0x68));
        idt_fill(vm_ram(vm, GPA_IDT, PAGE_SIZE));
        memcpy(vm_ram(vm, GPA_SYSCALL_STUB, PAGE_SIZE), guest_syscall_stub_start, syscall_len);
        memcpy(vm_ram(vm, GPA_EXCEPTION_STUBS, PAGE_SIZE), guest_exception_stubs_start,
               exception_len);
}

int boot_setup(Vm *vm, bool restoring) {
        struct kvm_regs regs = {.rflags = 0x2};
        int r;

        boot_write_fixed_pages(vm);
        /* A restored VM's page tables already map them (and its copies of the pages above are
         * rewritten all the same, so the stubs always match this binary). */
        if (!restoring) {
                r = map_fixed_pages(vm);
                if (r < 0)
                        return log_error_errno(r, "Failed to map the VM's fixed pages: %m");
        }
        r = set_sregs(vm);
        if (r < 0)
                return r;
        r = set_msrs(vm);
        if (r < 0)
                return r;
        r = set_xcr0(vm);
        if (r < 0)
                return r;
        r = set_fpu(vm);
        if (r < 0)
                return r;
        if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
                return log_error_errno(errno, "KVM_SET_REGS failed: %m");
        return 0;
}

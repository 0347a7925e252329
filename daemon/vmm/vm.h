/* SPDX-License-Identifier: MIT */
/* One KVM VM with one vCPU, set up to run a Linux program at CPL3 with no guest kernel: every
 * syscall and every exception leaves the VM through the trap stubs (guest/stubs.S) and is
 * returned to the caller of vm_run() as a VmExit. The kernel (daemon/kernel/) uses a Vm only
 * through this header: registers, guest-physical memory and the page-table calls of paging.h. */
#pragma once

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Vm {
        int kvm_fd; /* borrowed: /dev/kvm, open for the life of the process */
        int vm_fd;
        int vcpu_fd;
        struct kvm_run *run;
        size_t run_size;

        /* RAM: one slot at GPA 0, mapped MAP_NORESERVE so untouched guest pages cost nothing. */
        uint8_t *ram;
        uint64_t ram_size;
        uint64_t ram_next; /* next never-used page */
        uint64_t *free_pages; /* pages given back, reused before ram_next moves */
        size_t free_count, free_capacity;
        uint64_t data_pages;      /* pages now held for program memory */
        uint64_t data_pages_peak;
        uint64_t memory_limit;    /* what the VM was made for */
        uint64_t data_page_limit; /* the memory limit, in pages (a request may lower it) */
        uint64_t table_pages;     /* page-table pages, which don't count against the limit */
        /* RAM below this comes copy-on-write from a snapshot's memory file: MADV_DONTNEED
         * there brings the file's bytes back, not zeros. */
        uint64_t file_size;
        /* Pages that were page tables of a request and were cut loose by a reset: KVM may still
         * hold a shadow of them, so they are never handed out again (reset.h). One bit per RAM
         * page; NULL until the first. */
        uint64_t *retired;
        uint64_t retired_count;

        /* The image, mapped read-only into a second slot at GPA_IMAGE. */
        const uint8_t *image;
        uint64_t image_size;

        uint64_t exits;
        struct kvm_sregs boot_sregs; /* CPL3 in our segments, as boot_setup() left them */
} Vm;

typedef enum VmExitKind {
        VM_EXIT_SYSCALL,     /* regs: rax = number, rdi.. args; finish with vm_syscall_return() */
        VM_EXIT_EXCEPTION,   /* vector, error_code, fault_address, the frame of the program */
        VM_EXIT_INTERRUPTED, /* a signal (the timer) interrupted KVM_RUN */
        VM_EXIT_FAILED,      /* the VM can't go on: shutdown, internal error, bad trap */
} VmExitKind;

typedef struct VmExit {
        VmExitKind kind;
        /* VM_EXIT_EXCEPTION: */
        unsigned vector;
        uint64_t error_code;
        uint64_t fault_address; /* CR2 for #PF */
        uint64_t rip, rsp, rflags; /* where the program was */
        bool stray; /* a stray access to the trap page: not resumable, only fatal */
        /* VM_EXIT_FAILED: */
        const char *reason;
        uint32_t kvm_exit_reason;
} VmExit;

/* Opens /dev/kvm once per process and checks what the VMM needs of it. vm_new() calls it; call
 * it early where nothing may be opened later (under the worker's seccomp filter). */
int vm_kvm_open(void);
/* XCR0 bits KVM supports, from the CPUID read by vm_kvm_open(). */
uint64_t vm_supported_xcr0(void);
/* What the CPUID instruction returns in every VM for leaf `function` (sub-leaf `index`, where
 * the leaf has them): eax, ebx, ecx, edx. false if the VMs have no such leaf. */
bool vm_cpuid(uint32_t function, uint32_t index, uint32_t ret[4]);

/* Creates the VM: RAM for `memory_limit` bytes of program memory plus page tables, the image slot
 * (image may be NULL), CPUID, long mode, GDT/IDT/TSS, trap stubs. Returns 0 or -errno. */
int vm_new(uint64_t memory_limit, const void *image, uint64_t image_size, Vm **ret);
/* The same over snapshot memory: memory_fd's first memory_size bytes become RAM [0, size),
 * copy-on-write; ram_next is where the snapshot's page allocator stood. */
int vm_new_restored(uint64_t memory_limit, const void *image, uint64_t image_size, int memory_fd,
                    uint64_t memory_size, uint64_t ram_next, Vm **ret);
Vm *vm_free(Vm *vm);
static inline void vm_freep(Vm **p) {
        if (*p)
                vm_free(*p);
}

/* The vCPU state a snapshot keeps: what the program can change or has set (general and segment
 * registers, FPU/SSE/AVX state, XCR0, its FS/GS bases). */
typedef struct VmCpuState {
        struct kvm_regs regs;
        struct kvm_sregs sregs;
        struct kvm_xsave xsave;
        struct kvm_xcrs xcrs;
        uint64_t fs_base, gs_base, kernel_gs_base;
} VmCpuState;

int vm_save_cpu(Vm *vm, VmCpuState *ret);
/* The FPU/SSE/AVX state alone, for switching between the program's threads. */
int vm_get_xsave(Vm *vm, struct kvm_xsave *ret);
int vm_set_xsave(Vm *vm, const struct kvm_xsave *state);
/* Whether the last exit left the vCPU inside our CPL0 stubs (not a point to switch threads). */
bool vm_in_guest_kernel(Vm *vm);
int vm_load_cpu(Vm *vm, const VmCpuState *state);

/* Runs until the next trap. Returns 0 with *ret filled, or -errno if KVM_RUN itself fails. */
int vm_run(Vm *vm, VmExit *ret);

/* The program's general registers, valid after vm_run() returns. Call vm_regs_changed() after
 * editing them so the next vm_run() loads them. */
struct kvm_regs *vm_regs(Vm *vm);
void vm_regs_changed(Vm *vm);

/* Completes a VM_EXIT_SYSCALL: rax = result, and back to the instruction after `syscall`. */
void vm_syscall_return(Vm *vm, uint64_t result);

/* Whether vm_syscall_return() sets RIP/RFLAGS itself (kvm_pvm: `syscall` stayed at CPL3) rather
 * than leaving it to the stub's sysretq (hardware KVM). */
bool vm_syscall_returns_directly(Vm *vm);

/* Rewrites where an exception returns to (signal delivery); regs are the program's. */
int vm_exception_set_return(Vm *vm, uint64_t rip, uint64_t rsp, uint64_t rflags);

/* Sets the program's FS base (arch_prctl(ARCH_SET_FS)). */
int vm_set_fs_base(Vm *vm, uint64_t base);
uint64_t vm_get_fs_base(Vm *vm);

/* The guest's TSC now (its offset from the host's is KVM's business) and its rate in kHz. */
int vm_guest_tsc(Vm *vm, uint64_t *ret);
int vm_tsc_khz(Vm *vm);

/* Asks a running or about-to-run vm_run() to return VM_EXIT_INTERRUPTED; async-signal-safe. */
void vm_interrupt(Vm *vm);

/* Guest-physical RAM access. Returns the host address of [gpa, gpa+len) or NULL if not in RAM. */
static inline void *vm_ram(Vm *vm, uint64_t gpa, uint64_t len) {
        uint64_t end;
        if (__builtin_add_overflow(gpa, len, &end) || end > vm->ram_size)
                return NULL;
        return vm->ram + gpa;
}

/* Page allocator over RAM. vm_page_alloc() returns a zeroed page's GPA, or 0 when RAM or the
 * data-page limit is exhausted. Page 0 is never handed out. */
uint64_t vm_page_alloc(Vm *vm, bool is_page_table);
/* Gives a page back (is_page_table as it was handed out): nothing may map it any more. */
void vm_page_release(Vm *vm, uint64_t gpa, bool is_page_table);
/* The same for many data pages at once, zeroed in place (the host memory stays, for the pages'
 * next use; a reset gives it back). */
void vm_pages_release(Vm *vm, const uint64_t *gpas, size_t n);
/* Makes the RAM page at gpa read as zeros, returning its host memory where that gives zeros. */
void vm_page_zero(Vm *vm, uint64_t gpa);

/* SPDX-License-Identifier: MIT */
#include "vm.h"

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "boot.h"
#include "layout.h"
#include "log.h"
#include "macro.h"
#include "paging.h"

#define SLOT_RAM 0
#define SLOT_IMAGE 1

/* Room for page tables on top of the program's own memory: one table page maps 2 MiB, and a
 * sparse address space (ld.so, the stack, mmap) needs a few dozen more. */
static uint64_t ram_size_for(uint64_t memory_limit) {
        uint64_t tables = memory_limit / 256 + 8 * 1024 * 1024;
        return ALIGN_UP(memory_limit + tables + GPA_FIRST_FREE, 2 * 1024 * 1024UL);
}

/* /dev/kvm and what it says about this machine, opened and asked once per process: a worker
 * restores VM after VM, and once its seccomp filter is in place it may open nothing. */
static struct {
        int fd;
        struct kvm_cpuid2 *cpuid;
} kvm = {.fd = -1};

#define CPUID_MAX_ENTRIES 256

int vm_kvm_open(void) {
        _cleanup_close_ int fd = -1;
        struct kvm_cpuid2 *cpuid;
        int r;

        if (kvm.fd >= 0)
                return 0;
        fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open /dev/kvm: %m");
        r = ioctl(fd, KVM_GET_API_VERSION, 0);
        if (r != KVM_API_VERSION)
                return log_error_errno(EINVAL, "Unsupported KVM API version %d", r);
        if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) <= 0)
                return log_error_errno(EOPNOTSUPP, "KVM lacks KVM_CAP_SYNC_REGS");
        if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) <= 0)
                return log_error_errno(EOPNOTSUPP, "KVM lacks KVM_CAP_XCRS");

        cpuid = calloc(1, sizeof(*cpuid) + CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2));
        if (!cpuid)
                return -ENOMEM;
        cpuid->nent = CPUID_MAX_ENTRIES;
        if (ioctl(fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
                free(cpuid);
                return log_error_errno(errno, "KVM_GET_SUPPORTED_CPUID failed: %m");
        }
        for (uint32_t i = 0; i < cpuid->nent; i++)
                if (cpuid->entries[i].function == 1)
                        /* OSXSAVE must say what CR4 says, so glibc trusts XGETBV. */
                        cpuid->entries[i].ecx |= 1u << 27;
        kvm.cpuid = cpuid;
        kvm.fd = TAKE_FD(fd);
        return 0;
}

uint64_t vm_supported_xcr0(void) {
        for (uint32_t i = 0; kvm.cpuid && i < kvm.cpuid->nent; i++)
                if (kvm.cpuid->entries[i].function == 0xd && kvm.cpuid->entries[i].index == 0)
                        return kvm.cpuid->entries[i].eax |
                               ((uint64_t)kvm.cpuid->entries[i].edx << 32);
        return 0x3;
}

bool vm_cpuid(uint32_t function, uint32_t index, uint32_t ret[4]) {
        for (uint32_t i = 0; kvm.cpuid && i < kvm.cpuid->nent; i++) {
                const struct kvm_cpuid_entry2 *e = &kvm.cpuid->entries[i];
                if (e->function != function ||
                    ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index))
                        continue;
                ret[0] = e->eax;
                ret[1] = e->ebx;
                ret[2] = e->ecx;
                ret[3] = e->edx;
                return true;
        }
        return false;
}

static int vm_set_cpuid(Vm *vm) {
        if (ioctl(vm->vcpu_fd, KVM_SET_CPUID2, kvm.cpuid) < 0)
                return log_error_errno(errno, "KVM_SET_CPUID2 failed: %m");
        return 0;
}

static int vm_add_slot(Vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, const void *host,
                       uint32_t flags) {
        struct kvm_userspace_memory_region region = {
                .slot = slot,
                .flags = flags,
                .guest_phys_addr = gpa,
                .memory_size = size,
                .userspace_addr = (uint64_t)(uintptr_t)host,
        };
        if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
                return log_error_errno(errno, "KVM_SET_USER_MEMORY_REGION(slot %u) failed: %m",
                                       slot);
        return 0;
}

/* RAM is anonymous (memory_fd < 0) or, when restoring, the snapshot's memory file mapped
 * copy-on-write over its first memory_size bytes: every VM restored from it shares those pages
 * in the page cache until it writes them. */
static int vm_create(uint64_t memory_limit, const void *image, uint64_t image_size,
                     int memory_fd, uint64_t memory_size, uint64_t ram_next, Vm **ret) {
        _cleanup_(vm_freep) Vm *vm = NULL;
        int r, run_size;

        vm = calloc(1, sizeof(*vm));
        if (!vm)
                return -ENOMEM;
        vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;

        r = vm_kvm_open();
        if (r < 0)
                return r;
        vm->kvm_fd = kvm.fd; /* borrowed */

        /* A timer's signal (the request deadline, thread preemption) may land here. */
        do
                vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
        while (vm->vm_fd < 0 && errno == EINTR);
        if (vm->vm_fd < 0)
                return log_error_errno(errno, "KVM_CREATE_VM failed: %m");

        vm->ram_size = ram_size_for(memory_limit);
        vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (vm->ram == MAP_FAILED) {
                vm->ram = NULL;
                return log_error_errno(errno, "Failed to map %" PRIu64 " bytes of guest RAM: %m",
                                       vm->ram_size);
        }
        if (memory_fd >= 0) {
                if (memory_size > vm->ram_size || ram_next > vm->ram_size ||
                    !IS_ALIGNED(memory_size, PAGE_SIZE))
                        return log_error_errno(E2BIG, "Snapshot memory of %" PRIu64
                                               " bytes does not fit a %" PRIu64 " byte VM",
                                               memory_size, vm->ram_size);
                if (memory_size > 0 &&
                    mmap(vm->ram, memory_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
                         memory_fd, 0) == MAP_FAILED)
                        return log_error_errno(errno, "Failed to map snapshot memory: %m");
                vm->ram_next = ram_next;
                vm->file_size = memory_size;
        } else
                vm->ram_next = GPA_FIRST_FREE;
        vm->memory_limit = memory_limit;
        vm->data_page_limit = memory_limit / PAGE_SIZE;
        r = vm_add_slot(vm, SLOT_RAM, GPA_RAM, vm->ram_size, vm->ram, 0);
        if (r < 0)
                return r;

        if (image) {
                if (image_size == 0 || image_size > GPA_IMAGE_MAX_SIZE)
                        return log_error_errno(EFBIG, "Image of %" PRIu64 " bytes can't be mapped",
                                               image_size);
                vm->image = image;
                vm->image_size = image_size;
                r = vm_add_slot(vm, SLOT_IMAGE, GPA_IMAGE, ALIGN_UP(image_size, PAGE_SIZE), image,
                                KVM_MEM_READONLY);
                if (r < 0)
                        return r;
        }

        vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
        if (vm->vcpu_fd < 0)
                return log_error_errno(errno, "KVM_CREATE_VCPU failed: %m");
        run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
        if (run_size <= 0)
                return log_error_errno(errno, "KVM_GET_VCPU_MMAP_SIZE failed: %m");
        vm->run_size = run_size;
        vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
        if (vm->run == MAP_FAILED) {
                vm->run = NULL;
                return log_error_errno(errno, "Failed to map kvm_run: %m");
        }

        r = vm_set_cpuid(vm);
        if (r < 0)
                return r;
        r = boot_setup(vm, memory_fd >= 0);
        if (r < 0)
                return r;

        /* Every exit brings the registers along, so serving a syscall costs no register ioctl. */
        vm->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
        *ret = TAKE_PTR(vm);
        return 0;
}

int vm_new(uint64_t memory_limit, const void *image, uint64_t image_size, Vm **ret) {
        return vm_create(memory_limit, image, image_size, -1, 0, 0, ret);
}

int vm_new_restored(uint64_t memory_limit, const void *image, uint64_t image_size, int memory_fd,
                    uint64_t memory_size, uint64_t ram_next, Vm **ret) {
        return vm_create(memory_limit, image, image_size, memory_fd, memory_size, ram_next, ret);
}

Vm *vm_free(Vm *vm) {
        if (!vm)
                return NULL;
        if (vm->run)
                munmap(vm->run, vm->run_size);
        safe_close(vm->vcpu_fd);
        safe_close(vm->vm_fd);
        if (vm->ram)
                munmap(vm->ram, vm->ram_size);
        free(vm->free_pages);
        free(vm->retired);
        free(vm);
        return NULL;
}

static bool page_retired(const Vm *vm, uint64_t gpa) {
        uint64_t n = gpa / PAGE_SIZE;
        return vm->retired && (vm->retired[n / 64] & (1ULL << (n % 64)));
}

uint64_t vm_page_alloc(Vm *vm, bool is_page_table) {
        uint64_t gpa;

        if (!is_page_table && vm->data_pages >= vm->data_page_limit)
                return 0;
        do {
                if (vm->free_count > 0)
                        gpa = vm->free_pages[--vm->free_count];
                else {
                        if (vm->ram_next + PAGE_SIZE > vm->ram_size)
                                return 0;
                        gpa = vm->ram_next;
                        vm->ram_next += PAGE_SIZE;
                }
        } while (page_retired(vm, gpa));
        if (is_page_table)
                vm->table_pages++;
        else {
                vm->data_pages++;
                vm->data_pages_peak = MAX(vm->data_pages_peak, vm->data_pages);
        }
        return gpa;
}

/* Room for n more pages on the free list; false if there is none to be had (the pages are then
 * just not reused). */
static bool free_list_reserve(Vm *vm, size_t n) {
        if (vm->free_count + n > vm->free_capacity) {
                size_t c = MAX(vm->free_capacity * 2, MAX(vm->free_count + n, (size_t)256));
                uint64_t *f = reallocarray(vm->free_pages, c, sizeof(*f));
                if (!f)
                        return false;
                vm->free_pages = f;
                vm->free_capacity = c;
        }
        return true;
}

void vm_page_release(Vm *vm, uint64_t gpa, bool is_page_table) {
        void *p = vm_ram(vm, gpa, PAGE_SIZE);

        if (!p || gpa < GPA_FIRST_FREE || !free_list_reserve(vm, 1))
                return;
        vm_page_zero(vm, gpa); /* handed out pages must read as zeros */
        vm->free_pages[vm->free_count++] = gpa;
        if (is_page_table && vm->table_pages > 0)
                vm->table_pages--;
        else if (!is_page_table && vm->data_pages > 0)
                vm->data_pages--;
}

void vm_pages_release(Vm *vm, const uint64_t *gpas, size_t n) {
        size_t kept = 0;

        if (!free_list_reserve(vm, n))
                return;
        for (size_t i = 0; i < n;) {
                size_t run = 1;

                if (gpas[i] < GPA_FIRST_FREE || !vm_ram(vm, gpas[i], PAGE_SIZE)) {
                        i++;
                        continue;
                }
                while (i + run < n && gpas[i + run] == gpas[i] + run * PAGE_SIZE &&
                       vm_ram(vm, gpas[i + run], PAGE_SIZE))
                        run++;
                /* Handed out pages must read as zeros. Zeroed in place, not given back to the
                 * host: the program most likely maps as much again soon, and a host page fault
                 * per page costs more than the memset (an mmap/munmap loop of 10 MiB: 3x). A
                 * reset gives the memory back. */
                memset(vm->ram + gpas[i], 0, run * PAGE_SIZE);
                for (size_t k = 0; k < run; k++)
                        vm->free_pages[vm->free_count++] = gpas[i + k];
                kept += run;
                i += run;
        }
        vm->data_pages -= MIN(vm->data_pages, kept);
}

void vm_page_zero(Vm *vm, uint64_t gpa) {
        void *p = vm_ram(vm, gpa, PAGE_SIZE);

        if (!p)
                return;
        /* Anonymous RAM: MADV_DONTNEED gives zeros back without a memset and returns the
         * host memory. Snapshot RAM would give the snapshot's bytes back instead. */
        if (gpa < vm->file_size || madvise(p, PAGE_SIZE, MADV_DONTNEED) < 0)
                memset(p, 0, PAGE_SIZE);
}

struct kvm_regs *vm_regs(Vm *vm) {
        return &vm->run->s.regs.regs;
}

void vm_regs_changed(Vm *vm) {
        vm->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}

bool vm_syscall_returns_directly(Vm *vm) {
        return (vm->run->s.regs.sregs.cs.selector & 3) == 3;
}

void vm_syscall_return(Vm *vm, uint64_t result) {
        struct kvm_regs *regs = vm_regs(vm);

        regs->rax = result;
        /* Under kvm_pvm `syscall` stayed at CPL3 and sysretq would fault: return by hand. On
         * hardware KVM we are at CPL0 and the stub's sysretq does it. */
        if (vm_syscall_returns_directly(vm)) {
                regs->rip = regs->rcx;
                regs->rflags = regs->r11;
        }
        vm_regs_changed(vm);
}

void vm_interrupt(Vm *vm) {
        vm->run->immediate_exit = 1;
}

static int vm_set_msr(Vm *vm, uint32_t index, uint64_t value) {
        struct {
                struct kvm_msrs header;
                struct kvm_msr_entry entry;
        } msrs = {.header.nmsrs = 1, .entry = {.index = index, .data = value}};

        if (ioctl(vm->vcpu_fd, KVM_SET_MSRS, &msrs) != 1)
                return -EIO;
        return 0;
}

#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

int vm_set_fs_base(Vm *vm, uint64_t base) {
        /* The sregs in kvm_run are stale until the next exit; keep the copy we hand out true. */
        vm->run->s.regs.sregs.fs.base = base;
        return vm_set_msr(vm, MSR_FS_BASE, base);
}

uint64_t vm_get_fs_base(Vm *vm) {
        return vm->run->s.regs.sregs.fs.base;
}

/* The exception stub pushed [vector, error] on top of the CPU's frame; read them from the kernel
 * stack, whose RSP must lie inside it (the program can't move it, but never trust it). */
static uint64_t *exception_frame(Vm *vm) {
        uint64_t rsp = vm->run->s.regs.regs.rsp;

        if (rsp < VA_KERNEL_STACK || rsp + 7 * 8 > VA_KERNEL_STACK_TOP || !IS_ALIGNED(rsp, 8))
                return NULL;
        return vm_ram(vm, GPA_KERNEL_STACK + (rsp - VA_KERNEL_STACK), 7 * 8);
}

int vm_exception_set_return(Vm *vm, uint64_t rip, uint64_t rsp, uint64_t rflags) {
        uint64_t *frame = exception_frame(vm);

        if (!frame)
                return -EFAULT;
        frame[2] = rip;
        frame[4] = rflags;
        frame[5] = rsp;
        return 0;
}

int vm_run(Vm *vm, VmExit *ret) {
        struct kvm_run *run = vm->run;
        uint64_t *frame;

        bool regs_pending = run->kvm_dirty_regs & KVM_SYNC_X86_REGS;
        struct kvm_regs pending;

        *ret = (VmExit){};
        if (regs_pending)
                pending = run->s.regs.regs;
        if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
                if (errno == EINTR || errno == EAGAIN) {
                        /* Interrupted before entering the guest, KVM applied no register edit
                         * (the dirty bit is still set) and then stored the vCPU's old registers
                         * over ours: put them back, to be applied on the next run. */
                        if (regs_pending && (run->kvm_dirty_regs & KVM_SYNC_X86_REGS))
                                run->s.regs.regs = pending;
                        run->immediate_exit = 0;
                        ret->kind = VM_EXIT_INTERRUPTED;
                        return 0;
                }
                run->kvm_dirty_regs = 0;
                return -errno;
        }
        run->kvm_dirty_regs = 0;
        vm->exits++;

        switch (run->exit_reason) {
        case KVM_EXIT_MMIO:
                if (run->mmio.phys_addr == GPA_TRAP && run->mmio.is_write &&
                    run->s.regs.regs.rip == VA_SYSCALL_STUB + TRAP_STORE_INSN_LEN) {
                        ret->kind = VM_EXIT_SYSCALL;
                        return 0;
                }
                if (run->mmio.phys_addr == GPA_TRAP) {
                        /* The program touched the trap page itself rather than through the
                         * stub: that is a bad memory access, as on Linux for an unmapped page. */
                        ret->kind = VM_EXIT_EXCEPTION;
                        ret->vector = 14;
                        ret->error_code = run->mmio.is_write ? 0x7 : 0x5;
                        ret->fault_address = VA_TRAP_SYSCALL;
                        ret->rip = run->s.regs.regs.rip;
                        ret->rsp = run->s.regs.regs.rsp;
                        ret->rflags = run->s.regs.regs.rflags;
                        ret->stray = true;
                        return 0;
                }
                if (!run->mmio.is_write)
                        break;
                if (run->mmio.phys_addr == GPA_TRAP_EXCEPTION) {
                        frame = exception_frame(vm);
                        if (!frame || frame[0] > 31)
                                break;
                        ret->kind = VM_EXIT_EXCEPTION;
                        ret->vector = frame[0];
                        ret->error_code = frame[1];
                        ret->rip = frame[2];
                        ret->rflags = frame[4];
                        ret->rsp = frame[5];
                        ret->fault_address = run->s.regs.sregs.cr2;
                        return 0;
                }
                break;
        case KVM_EXIT_INTR:
                ret->kind = VM_EXIT_INTERRUPTED;
                return 0;
        case KVM_EXIT_SHUTDOWN:
                ret->kind = VM_EXIT_FAILED;
                ret->reason = "shutdown (triple fault)";
                return 0;
        case KVM_EXIT_INTERNAL_ERROR:
                ret->kind = VM_EXIT_FAILED;
                ret->reason = "KVM internal error";
                ret->kvm_exit_reason = run->internal.suberror;
                return 0;
        default:
                break;
        }
        ret->kind = VM_EXIT_FAILED;
        ret->reason = "unexpected exit";
        ret->kvm_exit_reason = run->exit_reason;
        return 0;
}

int vm_get_xsave(Vm *vm, struct kvm_xsave *ret) {
        return ioctl(vm->vcpu_fd, KVM_GET_XSAVE, ret) < 0 ? -errno : 0;
}

int vm_set_xsave(Vm *vm, const struct kvm_xsave *state) {
        return ioctl(vm->vcpu_fd, KVM_SET_XSAVE, state) < 0 ? -errno : 0;
}

bool vm_in_guest_kernel(Vm *vm) {
        return (vm->run->s.regs.sregs.cs.selector & 3) == 0 &&
               vm->run->s.regs.regs.rip >= KERNEL_VA;
}

int vm_save_cpu(Vm *vm, VmCpuState *ret) {
        struct {
                struct kvm_msrs header;
                struct kvm_msr_entry entries[3];
        } msrs = {.header.nmsrs = 3,
                  .entries = {{.index = MSR_FS_BASE}, {.index = MSR_GS_BASE},
                              {.index = MSR_KERNEL_GS_BASE}}};

        memset(ret, 0, sizeof(*ret));
        /* The general registers as of the last exit, including edits not yet loaded. */
        ret->regs = vm->run->s.regs.regs;
        if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &ret->sregs) < 0 ||
            ioctl(vm->vcpu_fd, KVM_GET_XSAVE, &ret->xsave) < 0 ||
            ioctl(vm->vcpu_fd, KVM_GET_XCRS, &ret->xcrs) < 0)
                return -errno;
        if (ioctl(vm->vcpu_fd, KVM_GET_MSRS, &msrs) != 3)
                return -EIO;
        ret->fs_base = msrs.entries[0].data;
        ret->gs_base = msrs.entries[1].data;
        ret->kernel_gs_base = msrs.entries[2].data;
        return 0;
}

int vm_load_cpu(Vm *vm, const VmCpuState *state) {
        struct {
                struct kvm_msrs header;
                struct kvm_msr_entry entries[3];
        } msrs = {.header.nmsrs = 3,
                  .entries = {{.index = MSR_FS_BASE, .data = state->fs_base},
                              {.index = MSR_GS_BASE, .data = state->gs_base},
                              {.index = MSR_KERNEL_GS_BASE, .data = state->kernel_gs_base}}};

        if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &state->sregs) < 0 ||
            ioctl(vm->vcpu_fd, KVM_SET_XSAVE, &state->xsave) < 0 ||
            ioctl(vm->vcpu_fd, KVM_SET_XCRS, &state->xcrs) < 0)
                return -errno;
        if (ioctl(vm->vcpu_fd, KVM_SET_MSRS, &msrs) != 3)
                return -EIO;
        /* The registers travel with the next KVM_RUN through the sync area. */
        vm->run->s.regs.regs = state->regs;
        vm->run->s.regs.sregs = state->sregs;
        vm_regs_changed(vm);
        return 0;
}

#define MSR_IA32_TSC 0x10

int vm_guest_tsc(Vm *vm, uint64_t *ret) {
        struct {
                struct kvm_msrs header;
                struct kvm_msr_entry entry;
        } msrs = {.header.nmsrs = 1, .entry = {.index = MSR_IA32_TSC}};

        if (ioctl(vm->vcpu_fd, KVM_GET_MSRS, &msrs) != 1)
                return -EIO;
        *ret = msrs.entry.data;
        return 0;
}

int vm_tsc_khz(Vm *vm) {
        int khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
        return khz > 0 ? khz : -errno;
}

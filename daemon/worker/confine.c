/* SPDX-License-Identifier: MIT */
#include "confine.h"

#include <jansson.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>

#include "log.h"
#include "macro.h"
#include "reset.h"
#include "vm.h"

typedef struct AllowedSyscall {
        int nr;
        const char *why;
} AllowedSyscall;

/* Everything the worker calls after confinement, and who calls it. */
static const AllowedSyscall allowed[] = {
        {SCMP_SYS(read), "requests from the daemon on stdin"},
        {SCMP_SYS(pread64), "/proc/self/pagemap, where PAGEMAP_SCAN is missing (vmm/reset.c)"},
        {SCMP_SYS(write), "results and output frames on stdout, logs on stderr"},
        {SCMP_SYS(close), "the VM and vCPU fds of each discarded VM"},
        {SCMP_SYS(fstat), "stdio, before its first buffered write"},
        {SCMP_SYS(newfstatat), "stdio, before its first buffered write"},
        {SCMP_SYS(munmap), "guest RAM, kvm_run, malloc"},
        {SCMP_SYS(mremap), "realloc of large buffers"},
        {SCMP_SYS(madvise), "returning freed guest pages (MADV_DONTNEED)"},
        {SCMP_SYS(brk), "malloc"},
        {SCMP_SYS(rt_sigaction), "the deadline timer's handler"},
        {SCMP_SYS(rt_sigprocmask), "signal handling in libc"},
        {SCMP_SYS(rt_sigreturn), "returning from the deadline timer's handler"},
        {SCMP_SYS(timer_create), "the per-request deadline timer"},
        {SCMP_SYS(timer_settime), "the per-request deadline timer"},
        {SCMP_SYS(timer_delete), "the per-request deadline timer"},
        {SCMP_SYS(clock_gettime), "timing, the guest's clocks"},
        {SCMP_SYS(clock_nanosleep), "the guest's sleeps (nanosleep, poll and futex timeouts)"},
        {SCMP_SYS(nanosleep), "the guest's sleeps"},
        {SCMP_SYS(getrandom), "the guest's entropy (getrandom, /dev/urandom, AT_RANDOM, seeds)"},
        {SCMP_SYS(futex), "libc's internal locks"},
        {SCMP_SYS(sched_yield), "letting the daemon read a result before the next restore"},
        {SCMP_SYS(exit), "leaving"},
        {SCMP_SYS(exit_group), "leaving"},
};

/* The ioctls the VMM makes on /dev/kvm, VM and vCPU fds after setup. */
static const unsigned long allowed_ioctls[] = {
        KVM_GET_API_VERSION,
        KVM_CHECK_EXTENSION,
        KVM_CREATE_VM,
        KVM_GET_VCPU_MMAP_SIZE,
        KVM_SET_USER_MEMORY_REGION,
        KVM_CREATE_VCPU,
        KVM_SET_CPUID2,
        KVM_GET_SREGS,
        KVM_SET_SREGS,
        KVM_SET_REGS,
        KVM_GET_MSRS,
        KVM_SET_MSRS,
        KVM_SET_FPU,
        KVM_GET_XCRS,
        KVM_SET_XCRS,
        KVM_GET_XSAVE,
        KVM_SET_XSAVE,
        KVM_GET_TSC_KHZ,
        KVM_RUN,
        KVM_SET_VCPU_EVENTS, /* clearing a used VM's events (vmm/reset.c) */
        TCGETS, /* isatty() by stdio when a person runs the worker on a terminal */
        PAGEMAP_SCAN, /* the private pages of a VM being reset (vmm/reset.c) */
};

static void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

int worker_confine(void) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        r = vm_kvm_open();
        if (r < 0)
                return r;
        /* Without it VMs are restored afresh for every request instead of reset: slower. */
        r = vm_reset_open();
        if (r < 0)
                log_warning_errno(r, "Failed to open /proc/self/pagemap, VMs won't be reset: %m");
        /* jansson seeds its hash tables from /dev/urandom on first use: do it while we may. */
        json_object_seed(0);

        ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
        if (!ctx)
                return log_oom();
        /* Only this architecture's syscalls: x32 and i386 numbers are another table. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                return log_error_errno(r, "Failed to set the filter's bad-arch action: %m");

        for (size_t i = 0; i < ELEMENTSOF(allowed); i++) {
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i].nr, 0);
                if (r < 0)
                        return log_error_errno(r, "Failed to allow syscall %d: %m", allowed[i].nr);
        }
        for (size_t i = 0; i < ELEMENTSOF(allowed_ioctls); i++) {
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                                     SCMP_A1(SCMP_CMP_EQ, allowed_ioctls[i]));
                if (r < 0)
                        return log_error_errno(r, "Failed to allow ioctl %#lx: %m",
                                               allowed_ioctls[i]);
        }
        /* Memory for guest RAM and malloc, never executable in the host: the guest's code
         * runs in the VM, not here. */
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                             SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                                     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
        if (r < 0)
                return log_error_errno(r, "Failed to allow mmap/mprotect: %m");

        r = seccomp_load(ctx);
        if (r < 0)
                return log_error_errno(r, "Failed to load the seccomp filter: %m");
        return 0;
}

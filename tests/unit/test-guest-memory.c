/* SPDX-License-Identifier: MIT */
/* Syscall arguments and guest pointers: the syscall layer is driven directly (registers set by
 * hand, no guest code) with hostile pointers and lengths, and must answer each with an errno,
 * never crash, and keep serving. Needs /dev/kvm and the image (argv[1]). */
#include <fcntl.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "layout.h"
#include "macro.h"
#include "process.h"
#include "syscall.h"
#include "test-helpers.h"
#include "uaccess.h"

static size_t output_bytes;

static ssize_t sink(void *userdata, int stream, const void *buf, size_t len) {
        output_bytes += len;
        return (ssize_t)len;
}

static int64_t call(Process *p, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                    uint64_t a4, uint64_t a5) {
        struct kvm_regs *regs = vm_regs(p->sandbox->vm);
        regs->rax = nr;
        regs->rdi = a0, regs->rsi = a1, regs->rdx = a2, regs->r10 = a3, regs->r8 = a4,
        regs->r9 = a5;
        syscall_dispatch(p);
        return (int64_t)regs->rax;
}
#define SYS(p, nr, ...) call(p, nr, __VA_ARGS__)

static const uint64_t hostile_pointers[] = {
        0,
        1,
        4095,
        USER_MIN - 1,
        USER_MAX,
        USER_MAX - 1,
        VA_SYSCALL_STUB,
        VA_TRAP_SYSCALL,
        0x0000800000000000ULL, /* non-canonical */
        0xffff800000000000ULL,
        KERNEL_VA,
        VA_GDT,
        VA_KERNEL_STACK,
        UINT64_MAX,
        UINT64_MAX - 4095,
};

int main(int argc, char *argv[]) {
        Image *image = NULL;
        Sandbox *sandbox = NULL;
        Process *p;
        uint64_t buf, ro;
        int r;

        if (access("/dev/kvm", R_OK | W_OK) < 0) {
                fprintf(stderr, "test-guest-memory: /dev/kvm is not usable, skipping\n");
                return 77;
        }
        if (argc < 2) {
                fprintf(stderr, "usage: test-guest-memory IMAGE\n");
                return EXIT_FAILURE;
        }
        r = image_open(argv[1], &image);
        CHECK_EQ(r, 0);
        if (r < 0)
                return checks_report("test-guest-memory");

        SandboxConfig config = {
                .memory_limit = 64 << 20,
                .image = image,
                .sink = sink,
        };
        r = sandbox_new(&config, &sandbox);
        CHECK_EQ(r, 0);
        if (r < 0)
                return checks_report("test-guest-memory");
        p = sandbox->init;
        p->mm.mmap_next = 0x7f0000000000ULL;
        p->mm.mmap_floor = USER_MIN;
        sandbox->deadline_ns = UINT64_MAX;

        /* A writable page and a read-only one to aim at. */
        buf = (uint64_t)SYS(p, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(buf >= USER_MIN && buf < USER_MAX);
        ro = (uint64_t)SYS(p, SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(ro >= USER_MIN && ro < USER_MAX);
        CHECK_EQ(copy_to_user(&p->mm, buf, "hello\n", 6), 0);

        for (size_t i = 0; i < ELEMENTSOF(hostile_pointers); i++) {
                uint64_t bad = hostile_pointers[i];
                CHECK_EQ(SYS(p, SYS_write, 1, bad, 16, 0, 0, 0), -EFAULT);
                CHECK_EQ(SYS(p, SYS_read, 0, bad, 16, 0, 0, 0), 0); /* empty stdin: EOF first */
                CHECK_EQ(SYS(p, SYS_openat, AT_FDCWD, bad, O_RDONLY, 0, 0, 0), -EFAULT);
                CHECK_EQ(SYS(p, SYS_newfstatat, AT_FDCWD, buf, bad, 0, 0, 0), -ENOENT);
                CHECK_EQ(SYS(p, SYS_fstat, 1, bad, 0, 0, 0, 0), -EFAULT);
                CHECK_EQ(SYS(p, SYS_uname, bad, 0, 0, 0, 0, 0), -EFAULT);
                CHECK_EQ(SYS(p, SYS_getrandom, bad, 16, 0, 0, 0, 0), -EFAULT);
                CHECK_EQ(SYS(p, SYS_clock_gettime, CLOCK_REALTIME, bad, 0, 0, 0, 0), -EFAULT);
                CHECK_EQ(SYS(p, SYS_pipe2, bad, 0, 0, 0, 0, 0), -EFAULT);
                CHECK_EQ(SYS(p, SYS_getcwd, bad, 4096, 0, 0, 0, 0), -EFAULT);
                CHECK_EQ(SYS(p, SYS_writev, 1, bad, 1, 0, 0, 0), -EFAULT);
                /* For these NULL means "not wanted". */
                CHECK_EQ(SYS(p, SYS_rt_sigaction, SIGUSR1, bad, 0, 8, 0, 0), bad ? -EFAULT : 0);
                CHECK_EQ(SYS(p, SYS_rt_sigprocmask, SIG_BLOCK, bad, 0, 8, 0, 0),
                         bad ? -EFAULT : 0);
                CHECK_EQ(SYS(p, SYS_prlimit64, 0, RLIMIT_NOFILE, 0, bad, 0, 0), bad ? -EFAULT : 0);
                /* get_futex_key() checks the word's alignment before reading it. */
                CHECK_EQ(SYS(p, SYS_futex, bad, 0 /* FUTEX_WAIT */, 0, 0, 0, 0),
                         (bad & 3) ? -EINVAL : -EFAULT);
                CHECK_EQ(SYS(p, SYS_nanosleep, bad, 0, 0, 0, 0, 0), -EFAULT);
        }

        /* Lengths: huge counts from a valid one-page buffer fault or get capped. */
        CHECK_EQ(SYS(p, SYS_write, 1, buf, UINT64_MAX, 0, 0, 0), -EFAULT);
        CHECK_EQ(SYS(p, SYS_write, 1, buf, 4097, 0, 0, 0), -EFAULT);
        CHECK_EQ(SYS(p, SYS_write, 1, buf + 4090, 16, 0, 0, 0), -EFAULT);
        CHECK_EQ(SYS(p, SYS_getrandom, buf, UINT64_MAX, 0, 0, 0, 0), 4096);
        CHECK_EQ(SYS(p, SYS_getrandom, buf, 16, 0xff, 0, 0, 0), -EINVAL);
        CHECK_EQ(SYS(p, SYS_writev, 1, buf, 1ULL << 40, 0, 0, 0), -EINVAL);
        CHECK_EQ(SYS(p, SYS_poll, buf, 1ULL << 40, 0, 0, 0, 0), -EINVAL);

        /* Writing into read-only memory is a fault, not a write through. */
        CHECK_EQ(SYS(p, SYS_getrandom, ro, 16, 0, 0, 0, 0), -EFAULT);
        CHECK_EQ(SYS(p, SYS_clock_gettime, CLOCK_REALTIME, ro, 0, 0, 0, 0), -EFAULT);

        /* Paths: unterminated at the end of the mapping, and longer than PATH_MAX. */
        {
                uint64_t big = (uint64_t)SYS(p, SYS_mmap, 0, 3 * 4096, PROT_READ | PROT_WRITE,
                                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                /* The page after the string is unmapped (after being touched, so present in
                 * the page tables but no longer the program's). */
                CHECK_EQ(clear_user(&p->mm, big + 8192, 4096), 0);
                CHECK_EQ(SYS(p, SYS_munmap, big + 8192, 4096, 0, 0, 0, 0), 0);
                static char as[8192];
                memset(as, 'a', sizeof(as));
                CHECK_EQ(copy_to_user(&p->mm, big, as, sizeof(as)), 0);
                CHECK_EQ(SYS(p, SYS_openat, AT_FDCWD, big + 8192 - 10, O_RDONLY, 0, 0, 0),
                         -EFAULT);
                CHECK_EQ(SYS(p, SYS_openat, AT_FDCWD, big, O_RDONLY, 0, 0, 0), -ENAMETOOLONG);
        }

        /* Memory management arguments. */
        CHECK_EQ(SYS(p, SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -EINVAL);
        CHECK_EQ(SYS(p, SYS_mmap, 0, UINT64_MAX, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                 -EINVAL);
        CHECK_EQ(SYS(p, SYS_mmap, 0, 4096, 0xff, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -EINVAL);
        CHECK_EQ(SYS(p, SYS_mmap, 0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0), -EINVAL);
        CHECK_EQ(SYS(p, SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, 12345, 0), -EBADF);
        CHECK_EQ(SYS(p, SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, 1, 0), -EACCES);
        CHECK_EQ(SYS(p, SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1), -EINVAL);
        for (size_t i = 0; i < ELEMENTSOF(hostile_pointers); i++) {
                uint64_t bad = hostile_pointers[i];
                if (bad >= USER_MIN && bad < USER_MAX && IS_ALIGNED(bad, PAGE_SIZE))
                        continue; /* a legal MAP_FIXED address */
                CHECK(SYS(p, SYS_mmap, bad, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                          -1, 0) == -EINVAL);
                CHECK(SYS(p, SYS_munmap, bad, 4096, 0, 0, 0, 0) == -EINVAL ||
                      IS_ALIGNED(bad, PAGE_SIZE));
                CHECK(SYS(p, SYS_mprotect, bad, 4096, PROT_READ, 0, 0, 0) < 0);
        }
        CHECK(SYS(p, SYS_mmap, USER_MAX - 4096, 8192, PROT_READ,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == -EINVAL);
        CHECK_EQ(SYS(p, SYS_munmap, buf, UINT64_MAX, 0, 0, 0, 0), -EINVAL);
        CHECK_EQ(SYS(p, SYS_mremap, buf, 4096, UINT64_MAX, 1, 0, 0), -EINVAL);
        /* Past the memory limit: ENOMEM, and the result will say so. */
        CHECK_EQ(SYS(p, SYS_mmap, 0, 1ULL << 30, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                 -ENOMEM);
        CHECK(sandbox->memory.limit_hit);

        /* Signals and misc. */
        CHECK_EQ(SYS(p, SYS_rt_sigaction, 0, 0, 0, 8, 0, 0), -EINVAL);
        CHECK_EQ(SYS(p, SYS_rt_sigaction, 65, 0, 0, 8, 0, 0), -EINVAL);
        CHECK_EQ(SYS(p, SYS_rt_sigaction, SIGKILL, buf, 0, 8, 0, 0), -EINVAL);
        CHECK_EQ(SYS(p, SYS_rt_sigaction, SIGUSR1, 0, 0, 1 << 20, 0, 0), -EINVAL);
        CHECK_EQ(SYS(p, SYS_arch_prctl, 0x1002 /* ARCH_SET_FS */, KERNEL_VA, 0, 0, 0, 0), -EPERM);
        CHECK_EQ(SYS(p, SYS_kill, 12345, SIGKILL, 0, 0, 0, 0), -ESRCH);
        CHECK_EQ(SYS(p, SYS_kill, GUEST_PID, 1000, 0, 0, 0, 0), -EINVAL);
        CHECK_EQ(SYS(p, 100000, 0, 0, 0, 0, 0, 0), -ENOSYS);
        CHECK_EQ(SYS(p, UINT64_MAX, 0, 0, 0, 0, 0, 0), -ENOSYS);
        CHECK(sandbox->unimplemented >= 2);
        CHECK_EQ(SYS(p, SYS_socket, 2 /* AF_INET */, 1, 0, 0, 0, 0), -EACCES);

        /* Still serving: a good write reaches the sink. */
        output_bytes = 0;
        CHECK_EQ(SYS(p, SYS_write, 1, buf, 6, 0, 0, 0), 6);
        CHECK_EQ(output_bytes, 6);
        CHECK_EQ(sandbox->state, SANDBOX_RUNNING);

        sandbox_free(sandbox);
        image_free(image);
        return checks_report("test-guest-memory");
}

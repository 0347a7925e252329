/* SPDX-License-Identifier: MIT */
/* Hands the kernel hostile arguments through raw syscall(2): NULL, 1, -1, kernel-half and
 * non-canonical addresses, read-only memory as an output buffer, strings that run into an
 * unmapped page, SIZE_MAX lengths, bad fds and flags. Every call here fails on Linux; the
 * program prints one line "name=errno" per call (0 would mean the call succeeded) as soon as it
 * returns, so a crash shows where it happened, then "done", and exits 0.
 *
 * The test checks that the program survives, that every value is a positive errno, and that the
 * names are the ones a native run prints. Which errno (EFAULT, EINVAL, ...) is informational. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define KERNEL_ADDR       0xffff800000000000UL
#define NONCANONICAL_ADDR 0x0000800000000000UL
#define PAGE              4096UL

static void report(const char *name, long ret)
{
        int err = ret == -1 ? errno : 0;
        dprintf(STDOUT_FILENO, "%s=%d\n", name, err);
}

#define CHECK(name, ...)                                                                           \
        do {                                                                                       \
                errno = 0;                                                                         \
                long r_ = syscall(__VA_ARGS__);                                                    \
                report(name, r_);                                                                  \
        } while (0)

int main(void)
{
        static const char text_buf[64] = "read-only data lives in .rodata";
        static char path_long[8192];
        char buf[256];
        struct stat st;
        int pfd[2];

        /* A pipe holding data, so that a read has something to copy and must fault. */
        if (pipe(pfd) < 0 || write(pfd[1], "0123456789abcdef0123456789abcdef", 32) != 32)
                return 1;

        /* One readable page filled with 'a' and no NUL, followed by an unmapped page. */
        char *pages = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                           -1, 0);
        if (pages == MAP_FAILED || munmap(pages + PAGE, PAGE) < 0)
                return 1;
        memset(pages, 'a', PAGE);
        const char *unterminated = pages + 100;

        memset(path_long, 'a', sizeof(path_long) - 1);

        /* write(2) */
        CHECK("write_null", SYS_write, 1, NULL, 16);
        CHECK("write_one", SYS_write, 1, 1UL, 16);
        CHECK("write_minus1", SYS_write, 1, -1L, 16);
        CHECK("write_kernel", SYS_write, 1, KERNEL_ADDR, 16);
        CHECK("write_noncanonical", SYS_write, 1, NONCANONICAL_ADDR, 16);
        CHECK("write_null_sizemax", SYS_write, 1, NULL, SIZE_MAX);
        CHECK("write_low_sizemax", SYS_write, 1, 0x1000UL, SIZE_MAX);
        CHECK("write_kernel_sizemax", SYS_write, 1, KERNEL_ADDR, SIZE_MAX);
        CHECK("write_badfd", SYS_write, -1, buf, 1);
        CHECK("write_bigfd", SYS_write, 100000, buf, 1);

        /* read(2) from the pipe that has data */
        CHECK("read_null", SYS_read, pfd[0], NULL, 16);
        CHECK("read_one", SYS_read, pfd[0], 1UL, 16);
        CHECK("read_minus1", SYS_read, pfd[0], -1L, 16);
        CHECK("read_kernel", SYS_read, pfd[0], KERNEL_ADDR, 16);
        CHECK("read_noncanonical", SYS_read, pfd[0], NONCANONICAL_ADDR, 16);
        CHECK("read_into_rodata", SYS_read, pfd[0], text_buf, 16);
        CHECK("read_into_text", SYS_read, pfd[0], (void *)main, 16);
        CHECK("read_null_sizemax", SYS_read, pfd[0], NULL, SIZE_MAX);
        CHECK("read_low_sizemax", SYS_read, pfd[0], 0x1000UL, SIZE_MAX);
        CHECK("read_badfd", SYS_read, -1, buf, 16);
        CHECK("read_from_write_end", SYS_read, pfd[1], buf, 16);

        /* openat(2) */
        CHECK("openat_null", SYS_openat, AT_FDCWD, NULL, O_RDONLY);
        CHECK("openat_one", SYS_openat, AT_FDCWD, 1UL, O_RDONLY);
        CHECK("openat_minus1", SYS_openat, AT_FDCWD, -1L, O_RDONLY);
        CHECK("openat_kernel", SYS_openat, AT_FDCWD, KERNEL_ADDR, O_RDONLY);
        CHECK("openat_noncanonical", SYS_openat, AT_FDCWD, NONCANONICAL_ADDR, O_RDONLY);
        CHECK("openat_unterminated", SYS_openat, AT_FDCWD, unterminated, O_RDONLY);
        CHECK("openat_toolong", SYS_openat, AT_FDCWD, path_long, O_RDONLY);
        CHECK("openat_baddirfd", SYS_openat, 12345, "relative", O_RDONLY);
        CHECK("openat_missing", SYS_openat, AT_FDCWD, "/no/such/file/here", O_RDONLY);

        /* stat(2) family */
        CHECK("stat_null_path", SYS_stat, NULL, &st);
        CHECK("stat_kernel_path", SYS_stat, KERNEL_ADDR, &st);
        CHECK("stat_unterminated", SYS_stat, unterminated, &st);
        CHECK("stat_null_buf", SYS_stat, "/", NULL);
        CHECK("stat_one_buf", SYS_stat, "/", 1UL);
        CHECK("stat_kernel_buf", SYS_stat, "/", KERNEL_ADDR);
        CHECK("stat_rodata_buf", SYS_stat, "/", text_buf);
        CHECK("lstat_null_buf", SYS_lstat, "/", NULL);
        CHECK("newfstatat_null_path", SYS_newfstatat, AT_FDCWD, NULL, &st, 0);
        CHECK("newfstatat_null_buf", SYS_newfstatat, AT_FDCWD, "/", NULL, 0);
        CHECK("fstat_null_buf", SYS_fstat, 0, NULL);
        CHECK("fstat_kernel_buf", SYS_fstat, 0, KERNEL_ADDR);
        CHECK("fstat_badfd", SYS_fstat, -1, &st);

        /* vectors, strings and small structs */
        struct iovec iov_bad = {.iov_base = NULL, .iov_len = 16};
        struct iovec iov_ok = {.iov_base = buf, .iov_len = 1};
        CHECK("writev_null_iov", SYS_writev, 1, NULL, 1);
        CHECK("writev_kernel_iov", SYS_writev, 1, KERNEL_ADDR, 1);
        CHECK("writev_null_base", SYS_writev, 1, &iov_bad, 1);
        CHECK("writev_iovcnt_huge", SYS_writev, 1, &iov_ok, 100000);
        CHECK("writev_iovcnt_negative", SYS_writev, 1, &iov_ok, -1);
        CHECK("readv_null_base", SYS_readv, pfd[0], &iov_bad, 1);
        CHECK("getcwd_null", SYS_getcwd, NULL, 4096);
        CHECK("getcwd_kernel", SYS_getcwd, KERNEL_ADDR, 4096);
        CHECK("getcwd_size1", SYS_getcwd, buf, 1);
        CHECK("uname_null", SYS_uname, NULL);
        CHECK("uname_kernel", SYS_uname, KERNEL_ADDR);
        CHECK("clock_gettime_null", SYS_clock_gettime, CLOCK_MONOTONIC, NULL);
        CHECK("clock_gettime_kernel", SYS_clock_gettime, CLOCK_REALTIME, KERNEL_ADDR);
        CHECK("clock_gettime_badclock", SYS_clock_gettime, 12345, buf);
        CHECK("getrandom_null", SYS_getrandom, NULL, 16, 0);
        CHECK("getrandom_kernel", SYS_getrandom, KERNEL_ADDR, 16, 0);
        CHECK("getrandom_badflags", SYS_getrandom, buf, 16, 0xffff);
        CHECK("pipe2_null", SYS_pipe2, NULL, 0);
        CHECK("pipe2_badflags", SYS_pipe2, pfd, 0x7fffffff);
        CHECK("readlink_null_path", SYS_readlink, NULL, buf, sizeof(buf));
        CHECK("readlink_not_link", SYS_readlink, "/", buf, sizeof(buf));
        CHECK("chdir_null", SYS_chdir, NULL);
        CHECK("mkdir_kernel", SYS_mkdir, KERNEL_ADDR, 0755);
        CHECK("unlink_null", SYS_unlink, NULL);
        CHECK("rename_null", SYS_rename, NULL, NULL);
        CHECK("nanosleep_null", SYS_nanosleep, NULL, NULL);
        struct timespec bad_ts = {.tv_sec = 0, .tv_nsec = 2000000000L};
        CHECK("nanosleep_bad_nsec", SYS_nanosleep, &bad_ts, NULL);
        CHECK("futex_null", SYS_futex, NULL, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0);
        CHECK("futex_kernel", SYS_futex, KERNEL_ADDR, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0);
        CHECK("ioctl_tcgets_pipe", SYS_ioctl, pfd[0], TCGETS, buf);
        CHECK("lseek_pipe", SYS_lseek, pfd[0], 0, SEEK_SET);
        CHECK("fcntl_badcmd", SYS_fcntl, 0, 99999);
        CHECK("dup2_badfd", SYS_dup2, 99999, 50);
        CHECK("dup3_same", SYS_dup3, 1, 1, 0);
        CHECK("close_badfd", SYS_close, -1);
        CHECK("rt_sigaction_sigkill", SYS_rt_sigaction, SIGKILL, buf, NULL, 8);
        CHECK("rt_sigaction_kernel_act", SYS_rt_sigaction, SIGUSR1, KERNEL_ADDR, NULL, 8);
        CHECK("rt_sigaction_badsize", SYS_rt_sigaction, SIGUSR1, NULL, NULL, 3);
        CHECK("rt_sigprocmask_kernel", SYS_rt_sigprocmask, SIG_BLOCK, KERNEL_ADDR, NULL, 8);
        CHECK("prlimit_badresource", SYS_prlimit64, 0, 9999, NULL, buf);

        /* memory management */
        CHECK("mmap_zero_len", SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK("mmap_huge_len", SYS_mmap, NULL, SIZE_MAX & ~(PAGE - 1), PROT_READ,
              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK("mmap_fixed_kernel", SYS_mmap, KERNEL_ADDR, PAGE, PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        CHECK("mmap_fixed_unaligned", SYS_mmap, 0x10000001UL, PAGE, PROT_READ,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        CHECK("mmap_badfd", SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, 99999, 0);
        CHECK("mmap_no_type", SYS_mmap, NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0);
        CHECK("munmap_unaligned", SYS_munmap, 1UL, PAGE);
        CHECK("munmap_zero_len", SYS_munmap, pages, 0);
        CHECK("mprotect_unaligned", SYS_mprotect, 1UL, PAGE, PROT_READ);
        CHECK("mremap_unaligned", SYS_mremap, 1UL, PAGE, 2 * PAGE, 0, NULL);
        CHECK("madvise_badadvice", SYS_madvise, pages, PAGE, 12345);

        /* numbers that name no system call */
        CHECK("syscall_1000", 1000);
        CHECK("syscall_minus1", -1L);
        CHECK("syscall_huge", 0x7fffffffL);

        /* Last, since a host that accepted it would leave this program without TLS. */
        CHECK("arch_prctl_badcode", SYS_arch_prctl, 0x9999, 0);
        CHECK("arch_prctl_get_fs_null", SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, NULL);

        dprintf(STDOUT_FILENO, "done\n");
        return 0;
}

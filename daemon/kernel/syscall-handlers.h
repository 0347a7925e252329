/* SPDX-License-Identifier: MIT */
/* The syscall handlers, one per Linux call or family, defined in the sys-*.c file of their
 * subject; syscall-table.c maps numbers to them. Each gets the six raw argument registers and
 * returns the value for RAX (-errno on failure) or SYSCALL_RESULT_SET. */
#pragma once

#include "syscall.h"

/* sys-fs.c */
int64_t sys_read(Process *p, const SyscallArgs *a);
int64_t sys_write(Process *p, const SyscallArgs *a);
int64_t sys_sendfile(Process *p, const SyscallArgs *a);
int64_t sys_copy_file_range(Process *p, const SyscallArgs *a);
int64_t sys_pread64(Process *p, const SyscallArgs *a);
int64_t sys_pwrite64(Process *p, const SyscallArgs *a);
int64_t sys_readv(Process *p, const SyscallArgs *a);
int64_t sys_writev(Process *p, const SyscallArgs *a);
int64_t sys_preadv(Process *p, const SyscallArgs *a);
int64_t sys_pwritev(Process *p, const SyscallArgs *a);
int64_t sys_openat(Process *p, const SyscallArgs *a);
int64_t sys_open(Process *p, const SyscallArgs *a);
int64_t sys_creat(Process *p, const SyscallArgs *a);
int64_t sys_close(Process *p, const SyscallArgs *a);
int64_t sys_close_range(Process *p, const SyscallArgs *a);
int64_t sys_lseek(Process *p, const SyscallArgs *a);
int64_t sys_fstat(Process *p, const SyscallArgs *a);
int64_t sys_newfstatat(Process *p, const SyscallArgs *a);
int64_t sys_stat(Process *p, const SyscallArgs *a);
int64_t sys_lstat(Process *p, const SyscallArgs *a);
int64_t sys_statx(Process *p, const SyscallArgs *a);
int64_t sys_getdents64(Process *p, const SyscallArgs *a);
int64_t sys_mkdirat(Process *p, const SyscallArgs *a);
int64_t sys_mkdir(Process *p, const SyscallArgs *a);
int64_t sys_unlinkat(Process *p, const SyscallArgs *a);
int64_t sys_unlink(Process *p, const SyscallArgs *a);
int64_t sys_rmdir(Process *p, const SyscallArgs *a);
int64_t sys_renameat2(Process *p, const SyscallArgs *a);
int64_t sys_renameat(Process *p, const SyscallArgs *a);
int64_t sys_rename(Process *p, const SyscallArgs *a);
int64_t sys_linkat(Process *p, const SyscallArgs *a);
int64_t sys_link(Process *p, const SyscallArgs *a);
int64_t sys_symlinkat(Process *p, const SyscallArgs *a);
int64_t sys_symlink(Process *p, const SyscallArgs *a);
int64_t sys_readlinkat(Process *p, const SyscallArgs *a);
int64_t sys_readlink(Process *p, const SyscallArgs *a);
int64_t sys_faccessat2(Process *p, const SyscallArgs *a);
int64_t sys_faccessat(Process *p, const SyscallArgs *a);
int64_t sys_access(Process *p, const SyscallArgs *a);
int64_t sys_chdir(Process *p, const SyscallArgs *a);
int64_t sys_fchdir(Process *p, const SyscallArgs *a);
int64_t sys_getcwd(Process *p, const SyscallArgs *a);
int64_t sys_dup(Process *p, const SyscallArgs *a);
int64_t sys_dup2(Process *p, const SyscallArgs *a);
int64_t sys_dup3(Process *p, const SyscallArgs *a);
int64_t sys_fcntl(Process *p, const SyscallArgs *a);
int64_t sys_ioctl(Process *p, const SyscallArgs *a);
int64_t sys_pipe2(Process *p, const SyscallArgs *a);
int64_t sys_pipe(Process *p, const SyscallArgs *a);
int64_t sys_ftruncate(Process *p, const SyscallArgs *a);
int64_t sys_truncate(Process *p, const SyscallArgs *a);
int64_t sys_fsync(Process *p, const SyscallArgs *a);
int64_t sys_fchmod(Process *p, const SyscallArgs *a);
int64_t sys_fchmodat(Process *p, const SyscallArgs *a);
int64_t sys_chmod(Process *p, const SyscallArgs *a);
int64_t sys_utimensat(Process *p, const SyscallArgs *a);
int64_t sys_umask(Process *p, const SyscallArgs *a);
int64_t sys_chown(Process *p, const SyscallArgs *a);
int64_t sys_succeed(Process *p, const SyscallArgs *a);
int64_t sys_statfs(Process *p, const SyscallArgs *a);
int64_t sys_fstatfs(Process *p, const SyscallArgs *a);
int64_t sys_getxattr(Process *p, const SyscallArgs *a);
int64_t sys_lgetxattr(Process *p, const SyscallArgs *a);
int64_t sys_fgetxattr(Process *p, const SyscallArgs *a);
int64_t sys_listxattr(Process *p, const SyscallArgs *a);
int64_t sys_llistxattr(Process *p, const SyscallArgs *a);
int64_t sys_flistxattr(Process *p, const SyscallArgs *a);

/* sys-mm.c */
int64_t sys_mmap(Process *p, const SyscallArgs *a);
int64_t sys_munmap(Process *p, const SyscallArgs *a);
int64_t sys_mprotect(Process *p, const SyscallArgs *a);
int64_t sys_brk(Process *p, const SyscallArgs *a);
int64_t sys_madvise(Process *p, const SyscallArgs *a);
int64_t sys_mremap(Process *p, const SyscallArgs *a);
int64_t sys_mlock(Process *p, const SyscallArgs *a);
int64_t sys_msync(Process *p, const SyscallArgs *a);

/* sys-net.c */
int64_t sys_socket(Process *p, const SyscallArgs *a);
int64_t sys_socketpair(Process *p, const SyscallArgs *a);
int64_t sys_connect(Process *p, const SyscallArgs *a);
int64_t sys_bind(Process *p, const SyscallArgs *a);
int64_t sys_listen(Process *p, const SyscallArgs *a);
int64_t sys_accept4(Process *p, const SyscallArgs *a);
int64_t sys_accept(Process *p, const SyscallArgs *a);
int64_t sys_getsockname(Process *p, const SyscallArgs *a);
int64_t sys_getpeername(Process *p, const SyscallArgs *a);
int64_t sys_shutdown(Process *p, const SyscallArgs *a);
int64_t sys_getsockopt(Process *p, const SyscallArgs *a);
int64_t sys_setsockopt(Process *p, const SyscallArgs *a);
int64_t sys_sendto(Process *p, const SyscallArgs *a);
int64_t sys_recvfrom(Process *p, const SyscallArgs *a);
int64_t sys_sendmsg(Process *p, const SyscallArgs *a);
int64_t sys_recvmsg(Process *p, const SyscallArgs *a);

/* sys-poll.c */
int64_t sys_poll(Process *p, const SyscallArgs *a);
int64_t sys_ppoll(Process *p, const SyscallArgs *a);
int64_t sys_select(Process *p, const SyscallArgs *a);
int64_t sys_pselect6(Process *p, const SyscallArgs *a);
int64_t sys_eventfd2(Process *p, const SyscallArgs *a);
int64_t sys_eventfd(Process *p, const SyscallArgs *a);
int64_t sys_epoll_create1(Process *p, const SyscallArgs *a);
int64_t sys_epoll_create(Process *p, const SyscallArgs *a);
int64_t sys_epoll_ctl(Process *p, const SyscallArgs *a);
int64_t sys_epoll_wait(Process *p, const SyscallArgs *a);
int64_t sys_epoll_pwait(Process *p, const SyscallArgs *a);
int64_t sys_epoll_pwait2(Process *p, const SyscallArgs *a);

/* sys-proc.c */
int64_t sys_exit_group(Process *p, const SyscallArgs *a);
int64_t sys_getpid(Process *p, const SyscallArgs *a);
int64_t sys_getppid(Process *p, const SyscallArgs *a);
int64_t sys_getuid(Process *p, const SyscallArgs *a);
int64_t sys_getgid(Process *p, const SyscallArgs *a);
int64_t sys_getresuid(Process *p, const SyscallArgs *a);
int64_t sys_setid(Process *p, const SyscallArgs *a);
int64_t sys_getgroups(Process *p, const SyscallArgs *a);
int64_t sys_getpgid(Process *p, const SyscallArgs *a);
int64_t sys_uname(Process *p, const SyscallArgs *a);
int64_t sys_sysinfo(Process *p, const SyscallArgs *a);
int64_t sys_prlimit64(Process *p, const SyscallArgs *a);
int64_t sys_getrlimit(Process *p, const SyscallArgs *a);
int64_t sys_setrlimit(Process *p, const SyscallArgs *a);
int64_t sys_getrusage(Process *p, const SyscallArgs *a);
int64_t sys_times(Process *p, const SyscallArgs *a);
int64_t sys_arch_prctl(Process *p, const SyscallArgs *a);
int64_t sys_set_tid_address(Process *p, const SyscallArgs *a);
int64_t sys_set_robust_list(Process *p, const SyscallArgs *a);
int64_t sys_sched_getaffinity(Process *p, const SyscallArgs *a);
int64_t sys_zero(Process *p, const SyscallArgs *a);
int64_t sys_getcpu(Process *p, const SyscallArgs *a);
int64_t sys_getrandom(Process *p, const SyscallArgs *a);
int64_t sys_clock_gettime(Process *p, const SyscallArgs *a);
int64_t sys_clock_getres(Process *p, const SyscallArgs *a);
int64_t sys_gettimeofday(Process *p, const SyscallArgs *a);
int64_t sys_time(Process *p, const SyscallArgs *a);
int64_t sys_nanosleep(Process *p, const SyscallArgs *a);
int64_t sys_clock_nanosleep(Process *p, const SyscallArgs *a);
int64_t sys_futex(Process *p, const SyscallArgs *a);
int64_t sys_clone(Process *p, const SyscallArgs *a);
int64_t sys_exit(Process *p, const SyscallArgs *a);
int64_t sys_gettid(Process *p, const SyscallArgs *a);
int64_t sys_sched_yield(Process *p, const SyscallArgs *a);
int64_t sys_no_process(Process *p, const SyscallArgs *a);
int64_t sys_wait4(Process *p, const SyscallArgs *a);
int64_t sys_enosys(Process *p, const SyscallArgs *a);
int64_t sys_capget(Process *p, const SyscallArgs *a);
int64_t sys_prctl(Process *p, const SyscallArgs *a);

/* sys-signal.c */
int64_t sys_setitimer(Process *p, const SyscallArgs *a);
int64_t sys_getitimer(Process *p, const SyscallArgs *a);
int64_t sys_alarm(Process *p, const SyscallArgs *a);
int64_t sys_kill(Process *p, const SyscallArgs *a);
int64_t sys_tgkill(Process *p, const SyscallArgs *a);
int64_t sys_tkill(Process *p, const SyscallArgs *a);
int64_t sys_rt_sigreturn(Process *p, const SyscallArgs *a);
int64_t sys_rt_sigaction(Process *p, const SyscallArgs *a);
int64_t sys_rt_sigprocmask(Process *p, const SyscallArgs *a);
int64_t sys_rt_sigpending(Process *p, const SyscallArgs *a);
int64_t sys_sigaltstack(Process *p, const SyscallArgs *a);
int64_t sys_pause(Process *p, const SyscallArgs *a);

/* SPDX-License-Identifier: MIT */
/* Process-wide syscalls: exit, identity, limits, time, randomness, futex, and the refusals
 * (network, new processes) that make the sandbox what it is. */
#include <linux/futex.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "syscall-handlers.h"
#include "thread.h"
#include "uaccess.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

int64_t sys_exit_group(Process *p, const SyscallArgs *a) {
        process_exit(p, (int)a->a[0]);
        return 0;
}

int64_t sys_getpid(Process *p, const SyscallArgs *a) {
        return p->pid;
}

int64_t sys_getppid(Process *p, const SyscallArgs *a) {
        return 1;
}

int64_t sys_getuid(Process *p, const SyscallArgs *a) {
        return VFS_UID;
}

int64_t sys_getgid(Process *p, const SyscallArgs *a) {
        return VFS_GID;
}

int64_t sys_getresuid(Process *p, const SyscallArgs *a) {
        uint32_t id = VFS_UID;
        for (int i = 0; i < 3; i++) {
                int r = copy_to_user(&p->mm, a->a[i], &id, sizeof(id));
                if (r < 0)
                        return r;
        }
        return 0;
}

int64_t sys_setid(Process *p, const SyscallArgs *a) {
        /* Becoming who you already are is allowed; anything else needs privilege. */
        for (int i = 0; i < 3; i++)
                if ((uint32_t)a->a[i] != VFS_UID && (uint32_t)a->a[i] != (uint32_t)-1)
                        return -EPERM;
        return 0;
}

int64_t sys_getgroups(Process *p, const SyscallArgs *a) {
        if ((int)a->a[0] < 0)
                return -EINVAL;
        return 0;
}

int64_t sys_getpgid(Process *p, const SyscallArgs *a) {
        return p->pid;
}

int64_t sys_uname(Process *p, const SyscallArgs *a) {
        struct utsname u = {};
        strcpy(u.sysname, GUEST_UTS_SYSNAME);
        strcpy(u.nodename, GUEST_UTS_NODENAME);
        strcpy(u.release, GUEST_UTS_RELEASE);
        strcpy(u.version, GUEST_UTS_VERSION);
        strcpy(u.machine, GUEST_UTS_MACHINE);
        strcpy(u.domainname, "(none)");
        return copy_to_user(&p->mm, a->a[0], &u, sizeof(u));
}

int64_t sys_sysinfo(Process *p, const SyscallArgs *a) {
        struct sysinfo si = {
                /* The VM's, as /proc/uptime says: the host's is none of the program's business. */
                .uptime = (long)((now_ns(CLOCK_MONOTONIC) - p->sandbox->start_ns) / 1000000000ULL),
                .totalram = p->sandbox->memory.limit,
                .freeram = p->sandbox->memory.limit - MIN(p->sandbox->memory.committed, p->sandbox->memory.limit),
                .procs = 1,
                .mem_unit = 1,
        };
        return copy_to_user(&p->mm, a->a[0], &si, sizeof(si));
}

static bool rlimit_get(Process *p, int resource, struct rlimit *ret) {
        switch (resource) {
        case RLIMIT_NOFILE:
                *ret = (struct rlimit){fdtable_limit(p->fds), FDTABLE_MAX_LIMIT};
                return true;
        case RLIMIT_STACK:
                *ret = (struct rlimit){p->rlimit_stack, RLIM_INFINITY};
                return true;
        case RLIMIT_AS:
        case RLIMIT_DATA:
                *ret = (struct rlimit){p->sandbox->memory.limit, p->sandbox->memory.limit};
                return true;
        case RLIMIT_NPROC:
                *ret = (struct rlimit){1, 1};
                return true;
        case RLIMIT_CORE:
        case RLIMIT_MEMLOCK:
        case RLIMIT_MSGQUEUE:
        case RLIMIT_NICE:
        case RLIMIT_RTPRIO:
                *ret = (struct rlimit){0, 0};
                return true;
        case RLIMIT_CPU:
        case RLIMIT_FSIZE:
        case RLIMIT_LOCKS:
        case RLIMIT_SIGPENDING:
        case RLIMIT_RSS:
        case RLIMIT_RTTIME:
                *ret = (struct rlimit){RLIM_INFINITY, RLIM_INFINITY};
                return true;
        default:
                return false;
        }
}

static int rlimit_set(Process *p, int resource, const struct rlimit *l) {
        struct rlimit cur;

        if (!rlimit_get(p, resource, &cur))
                return -EINVAL;
        if (l->rlim_cur > l->rlim_max)
                return -EINVAL;
        switch (resource) {
        case RLIMIT_NOFILE:
                return fdtable_set_limit(p->fds, (unsigned)MIN(l->rlim_cur, (rlim_t)UINT32_MAX));
        case RLIMIT_STACK:
                p->rlimit_stack = l->rlim_cur;
                return 0;
        default:
                /* Lowering is allowed and remembered nowhere: the host's limits stay the
                 * real ones. Raising past the hard limit needs privilege. */
                return l->rlim_max > cur.rlim_max ? -EPERM : 0;
        }
}

int64_t sys_prlimit64(Process *p, const SyscallArgs *a) {
        struct rlimit old, new;
        int r;

        if (a->a[0] != 0 && a->a[0] != (uint64_t)p->pid)
                return -ESRCH;
        if (!rlimit_get(p, (int)a->a[1], &old))
                return -EINVAL;
        if (a->a[2]) {
                r = copy_from_user(&p->mm, &new, a->a[2], sizeof(new));
                if (r < 0)
                        return r;
                r = rlimit_set(p, (int)a->a[1], &new);
                if (r < 0)
                        return r;
        }
        if (a->a[3])
                return copy_to_user(&p->mm, a->a[3], &old, sizeof(old));
        return 0;
}

int64_t sys_getrlimit(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {{0, a->a[0], 0, a->a[1], 0, 0}};
        return sys_prlimit64(p, &b);
}

int64_t sys_setrlimit(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {{0, a->a[0], a->a[1], 0, 0, 0}};
        return sys_prlimit64(p, &b);
}

static struct timeval ns_to_timeval(uint64_t ns) {
        return (struct timeval){.tv_sec = ns / 1000000000ULL, .tv_usec = (ns % 1000000000ULL) / 1000};
}

int64_t sys_getrusage(Process *p, const SyscallArgs *a) {
        struct rusage ru = {
                .ru_utime = ns_to_timeval(sandbox_cpu_ns(p->sandbox)),
                .ru_maxrss = (long)(p->sandbox->vm->data_pages_peak * PAGE_SIZE / 1024),
                .ru_minflt = (long)p->mm.faults,
        };
        if ((int)a->a[0] != RUSAGE_SELF && (int)a->a[0] != RUSAGE_THREAD &&
            (int)a->a[0] != RUSAGE_CHILDREN)
                return -EINVAL;
        if ((int)a->a[0] == RUSAGE_CHILDREN)
                ru = (struct rusage){};
        return copy_to_user(&p->mm, a->a[1], &ru, sizeof(ru));
}

int64_t sys_times(Process *p, const SyscallArgs *a) {
        struct tms t = {.tms_utime = (clock_t)(sandbox_cpu_ns(p->sandbox) / 10000000ULL)};
        if (a->a[0]) {
                int r = copy_to_user(&p->mm, a->a[0], &t, sizeof(t));
                if (r < 0)
                        return r;
        }
        return (int64_t)(now_ns(CLOCK_MONOTONIC) / 10000000ULL);
}

int64_t sys_arch_prctl(Process *p, const SyscallArgs *a) {
        uint64_t base;

        switch ((int)a->a[0]) {
        case ARCH_SET_FS:
                if (a->a[1] >= USER_MAX)
                        return -EPERM;
                return vm_set_fs_base(p->sandbox->vm, a->a[1]);
        case ARCH_GET_FS:
                base = vm_get_fs_base(p->sandbox->vm);
                return copy_to_user(&p->mm, a->a[1], &base, sizeof(base));
        default:
                return -EINVAL;
        }
}

int64_t sys_set_tid_address(Process *p, const SyscallArgs *a) {
        thread_set_clear_child_tid(p, a->a[0]);
        return thread_current_tid(p);
}

int64_t sys_set_robust_list(Process *p, const SyscallArgs *a) {
        if (a->a[1] != 24) /* sizeof(struct robust_list_head) */
                return -EINVAL;
        p->robust_list = a->a[0];
        return 0;
}

int64_t sys_sched_getaffinity(Process *p, const SyscallArgs *a) {
        uint64_t mask = 1; /* one vCPU */
        size_t size = a->a[1];

        if (size < sizeof(mask) || (size & (sizeof(long) - 1)))
                return -EINVAL;
        int r = clear_user(&p->mm, a->a[2], MIN(size, (size_t)128));
        if (r < 0)
                return r;
        r = copy_to_user(&p->mm, a->a[2], &mask, sizeof(mask));
        return r < 0 ? r : (int64_t)sizeof(mask);
}

int64_t sys_zero(Process *p, const SyscallArgs *a) {
        return 0; /* sched_yield, sched_setaffinity, setpriority...: one thread, one CPU */
}

int64_t sys_getcpu(Process *p, const SyscallArgs *a) {
        unsigned zero = 0;
        for (int i = 0; i < 2; i++)
                if (a->a[i]) {
                        int r = copy_to_user(&p->mm, a->a[i], &zero, sizeof(zero));
                        if (r < 0)
                                return r;
                }
        return 0;
}

int64_t sys_getrandom(Process *p, const SyscallArgs *a) {
        uint8_t buf[256];
        size_t length = MIN(a->a[1], (uint64_t)(32 * 1024 * 1024)), done = 0;

        if (a->a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
                return -EINVAL;
        while (done < length) {
                size_t chunk = MIN(length - done, sizeof(buf));
                if (getrandom(buf, chunk, 0) != (ssize_t)chunk)
                        return done ? (int64_t)done : -EIO;
                int r = copy_to_user(&p->mm, a->a[0] + done, buf, chunk);
                if (r < 0)
                        return done ? (int64_t)done : r;
                done += chunk;
        }
        return (int64_t)done;
}

/* The clocks the program sees: the host's, except the CPU-time clocks, which count the
 * program's own time. */
static int guest_clock(Process *p, clockid_t clock, struct timespec *ret) {
        uint64_t ns;

        switch (clock) {
        case CLOCK_REALTIME:
        case CLOCK_REALTIME_COARSE:
        case CLOCK_MONOTONIC:
        case CLOCK_MONOTONIC_COARSE:
        case CLOCK_MONOTONIC_RAW:
        case CLOCK_BOOTTIME:
        case CLOCK_TAI:
                return clock_gettime(clock, ret) < 0 ? -EINVAL : 0;
        case CLOCK_PROCESS_CPUTIME_ID:
        case CLOCK_THREAD_CPUTIME_ID:
                ns = sandbox_cpu_ns(p->sandbox);
                *ret = (struct timespec){.tv_sec = ns / 1000000000ULL,
                                         .tv_nsec = ns % 1000000000ULL};
                return 0;
        default:
                return -EINVAL;
        }
}

int64_t sys_clock_gettime(Process *p, const SyscallArgs *a) {
        struct timespec ts;
        int r = guest_clock(p, (clockid_t)a->a[0], &ts);
        return r < 0 ? r : copy_to_user(&p->mm, a->a[1], &ts, sizeof(ts));
}

int64_t sys_clock_getres(Process *p, const SyscallArgs *a) {
        struct timespec ts = {.tv_nsec = 1};
        if (guest_clock(p, (clockid_t)a->a[0], &(struct timespec){}) < 0)
                return -EINVAL;
        return a->a[1] ? copy_to_user(&p->mm, a->a[1], &ts, sizeof(ts)) : 0;
}

int64_t sys_gettimeofday(Process *p, const SyscallArgs *a) {
        struct timeval tv = ns_to_timeval(now_ns(CLOCK_REALTIME));
        if (a->a[0]) {
                int r = copy_to_user(&p->mm, a->a[0], &tv, sizeof(tv));
                if (r < 0)
                        return r;
        }
        if (a->a[1])
                return clear_user(&p->mm, a->a[1], 8); /* struct timezone: UTC */
        return 0;
}

int64_t sys_time(Process *p, const SyscallArgs *a) {
        int64_t t = (int64_t)(now_ns(CLOCK_REALTIME) / 1000000000ULL);
        if (a->a[0]) {
                int r = copy_to_user(&p->mm, a->a[0], &t, sizeof(t));
                if (r < 0)
                        return r;
        }
        return t;
}

/* rem_addr: where nanosleep/clock_nanosleep store the time left when interrupted (0: none;
 * never for an absolute sleep, as on Linux). */
static int64_t do_sleep(Process *p, clockid_t clock, bool absolute, uint64_t req_addr,
                        uint64_t rem_addr) {
        struct timespec ts;
        uint64_t ns;
        int r;

        r = copy_from_user(&p->mm, &ts, req_addr, sizeof(ts));
        if (r < 0)
                return r;
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
                return -EINVAL;
        ns = (uint64_t)MIN(ts.tv_sec, (int64_t)1 << 33) * 1000000000ULL + ts.tv_nsec;
        if (absolute) {
                struct timespec now;
                r = guest_clock(p, clock, &now);
                if (r < 0)
                        return r;
                uint64_t now_abs = (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec;
                ns = ns > now_abs ? ns - now_abs : 0;
        }
        uint64_t start = now_ns(CLOCK_MONOTONIC);
        process_sleep(p, ns);
        uint64_t slept = now_ns(CLOCK_MONOTONIC) - start;
        if (p->itimer_deadline && slept < ns && now_ns(CLOCK_MONOTONIC) >= p->itimer_deadline) {
                /* The timer's SIGALRM is due: its handler runs, then a retry with what is left. */
                if (rem_addr && !absolute) {
                        uint64_t left = ns - slept;
                        struct timespec rem = {.tv_sec = (time_t)(left / 1000000000ULL),
                                               .tv_nsec = (long)(left % 1000000000ULL)};
                        r = copy_to_user(&p->mm, rem_addr, &rem, sizeof(rem));
                        if (r < 0)
                                return r;
                }
                return -EINTR;
        }
        return 0;
}

int64_t sys_nanosleep(Process *p, const SyscallArgs *a) {
        return do_sleep(p, CLOCK_MONOTONIC, false, a->a[0], a->a[1]);
}

int64_t sys_clock_nanosleep(Process *p, const SyscallArgs *a) {
        clockid_t clock = (clockid_t)a->a[0];
        if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
            clock != CLOCK_TAI)
                return -EINVAL;
        return do_sleep(p, clock, a->a[1] & TIMER_ABSTIME, a->a[2], a->a[3]);
}

/* FUTEX_WAKE_OP: *uaddr2 = *uaddr2 OP oparg, then wake up to nr_wake waiters of uaddr and, if
 * the old value passes the comparison, up to nr_wake2 of uaddr2. The program's threads are
 * stopped while the host serves it, so the update is atomic. */
static int64_t futex_wake_op(Process *p, uint64_t uaddr, int nr_wake, uint64_t uaddr2, int nr_wake2,
                             uint32_t encoded) {
        int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
        int32_t oparg = (int32_t)(encoded << 8) >> 20, cmparg = (int32_t)(encoded << 20) >> 20;
        uint32_t old, new;
        bool pass;
        int r, woken;

        if (encoded & (FUTEX_OP_OPARG_SHIFT << 28)) {
                if (oparg < 0 || oparg > 31)
                        return -EINVAL;
                oparg = (int32_t)(1u << oparg);
        }
        r = copy_from_user(&p->mm, &old, uaddr2, sizeof(old));
        if (r < 0)
                return r;
        switch (op) {
        case FUTEX_OP_SET:  new = (uint32_t)oparg; break;
        case FUTEX_OP_ADD:  new = old + (uint32_t)oparg; break;
        case FUTEX_OP_OR:   new = old | (uint32_t)oparg; break;
        case FUTEX_OP_ANDN: new = old & ~(uint32_t)oparg; break;
        case FUTEX_OP_XOR:  new = old ^ (uint32_t)oparg; break;
        default: return -ENOSYS;
        }
        switch (cmp) {
        case FUTEX_OP_CMP_EQ: pass = (int32_t)old == cmparg; break;
        case FUTEX_OP_CMP_NE: pass = (int32_t)old != cmparg; break;
        case FUTEX_OP_CMP_LT: pass = (int32_t)old < cmparg; break;
        case FUTEX_OP_CMP_LE: pass = (int32_t)old <= cmparg; break;
        case FUTEX_OP_CMP_GT: pass = (int32_t)old > cmparg; break;
        case FUTEX_OP_CMP_GE: pass = (int32_t)old >= cmparg; break;
        default: return -ENOSYS;
        }
        r = copy_to_user(&p->mm, uaddr2, &new, sizeof(new));
        if (r < 0)
                return r;
        woken = thread_futex_wake(p, uaddr, nr_wake, FUTEX_BITSET_MATCH_ANY);
        if (pass)
                woken += thread_futex_wake(p, uaddr2, nr_wake2, FUTEX_BITSET_MATCH_ANY);
        return woken;
}

/* futex over the program's threads (thread.c). With one thread a wait can only time out. */
int64_t sys_futex(Process *p, const SyscallArgs *a) {
        int op = (int)a->a[1] & FUTEX_CMD_MASK;
        uint32_t value, bitset = FUTEX_BITSET_MATCH_ANY;
        int r;

        /* get_futex_key(): a futex word is 4-byte aligned. */
        if (a->a[0] & 3)
                return -EINVAL;

        switch (op) {
        case FUTEX_WAKE_BITSET:
                bitset = (uint32_t)a->a[5];
                if (bitset == 0)
                        return -EINVAL;
                _fallthrough_;
        case FUTEX_WAKE:
                return thread_futex_wake(p, a->a[0], (int)MIN(a->a[2], (uint64_t)INT32_MAX),
                                         bitset);
        case FUTEX_CMP_REQUEUE:
                r = copy_from_user(&p->mm, &value, a->a[0], sizeof(value));
                if (r < 0)
                        return r;
                if (value != (uint32_t)a->a[5])
                        return -EAGAIN;
                _fallthrough_;
        case FUTEX_REQUEUE:
                /* val2, the most to move, comes in the timeout's register. */
                if ((int)a->a[2] < 0 || (int)a->a[3] < 0 || (a->a[0] & 3) || (a->a[4] & 3))
                        return -EINVAL;
                return thread_futex_requeue(p, a->a[0], (int)a->a[2], a->a[4], (int)a->a[3]);
        case FUTEX_WAKE_OP:
                if ((int)a->a[2] < 0 || (int)a->a[3] < 0 || (a->a[4] & 3))
                        return -EINVAL;
                return futex_wake_op(p, a->a[0], (int)a->a[2], a->a[4], (int)a->a[3],
                                     (uint32_t)a->a[5]);
        case FUTEX_WAIT_BITSET:
                bitset = (uint32_t)a->a[5];
                if (bitset == 0)
                        return -EINVAL;
                _fallthrough_;
        case FUTEX_WAIT: {
                struct timespec ts;
                uint64_t deadline = UINT64_MAX;

                r = copy_from_user(&p->mm, &value, a->a[0], sizeof(value));
                if (r < 0)
                        return r;
                if (value != (uint32_t)a->a[2])
                        return -EAGAIN;
                if (a->a[3]) {
                        uint64_t ns, now = now_ns(CLOCK_MONOTONIC);
                        r = copy_from_user(&p->mm, &ts, a->a[3], sizeof(ts));
                        if (r < 0)
                                return r;
                        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
                                return -EINVAL;
                        ns = (uint64_t)MIN(ts.tv_sec, (int64_t)1 << 33) * 1000000000ULL + ts.tv_nsec;
                        if (op == FUTEX_WAIT_BITSET) {
                                /* An absolute time on the futex's clock. */
                                uint64_t clock_now = now_ns((a->a[1] & FUTEX_CLOCK_REALTIME)
                                                                    ? CLOCK_REALTIME
                                                                    : CLOCK_MONOTONIC);
                                ns = ns > clock_now ? ns - clock_now : 0;
                        }
                        deadline = now + ns;
                }
                r = thread_futex_wait(p, a->a[0], bitset, deadline);
                return r == -EINTR ? -EINTR : r;
        }
        default:
                return -ENOSYS;
        }
}

int64_t sys_clone(Process *p, const SyscallArgs *a) {
        return thread_clone(p, a->a[0], a->a[1], a->a[2], a->a[3], a->a[4]);
}

int64_t sys_exit(Process *p, const SyscallArgs *a) {
        thread_exit(p, (int)a->a[0]);
        return 0;
}

int64_t sys_gettid(Process *p, const SyscallArgs *a) {
        return thread_current_tid(p);
}

int64_t sys_sched_yield(Process *p, const SyscallArgs *a) {
        thread_yield(p);
        return 0;
}

int64_t sys_no_process(Process *p, const SyscallArgs *a) {
        return process_refuse_new_process(p);
}

int64_t sys_wait4(Process *p, const SyscallArgs *a) {
        return -ECHILD;
}

/* Calls answered ENOSYS on purpose, as an older kernel would, because their callers fall back:
 * glibc from clone3 to clone and without rseq, V8 without memory protection keys. Not counted
 * as unimplemented. */
int64_t sys_enosys(Process *p, const SyscallArgs *a) {
        return -ENOSYS;
}

/* capget: the sandbox user holds no capability. */
int64_t sys_capget(Process *p, const SyscallArgs *a) {
        struct {
                uint32_t version;
                int pid;
        } header;
        uint32_t data[6] = {};
        int r;

        r = copy_from_user(&p->mm, &header, a->a[0], sizeof(header));
        if (r < 0)
                return r;
        if (header.version != 0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */) {
                header.version = 0x20080522;
                (void)copy_to_user(&p->mm, a->a[0], &header, sizeof(header));
                return a->a[1] ? -EINVAL : 0;
        }
        return a->a[1] ? copy_to_user(&p->mm, a->a[1], data, sizeof(data)) : 0;
}

int64_t sys_prctl(Process *p, const SyscallArgs *a) {
        switch ((int)a->a[0]) {
        case 15: { /* PR_SET_NAME: the first 15 bytes */
                char name[GUEST_COMM_SIZE] = {};
                int64_t n = strncpy_from_user(&p->mm, name, a->a[1], sizeof(name) - 1);
                if (n < 0 && n != -ENAMETOOLONG)
                        return n;
                process_set_name(p, name);
                return 0;
        }
        case 38: /* PR_SET_NO_NEW_PRIVS */
        case 4:  /* PR_SET_DUMPABLE */
                return 0;
        case 16: { /* PR_GET_NAME */
                char name[GUEST_COMM_SIZE] = {};
                process_get_name(p, name);
                return copy_to_user(&p->mm, a->a[1], name, sizeof(name));
        }
        case 3: /* PR_GET_DUMPABLE */
                return 0;
        default:
                return -EINVAL;
        }
}

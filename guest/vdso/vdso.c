/* SPDX-License-Identifier: MIT */
/* The sandbox's vDSO: clock_gettime, gettimeofday and time without leaving the VM, which is
 * what most of a program's syscalls are when every syscall is a VM exit (~27 µs here). The
 * clocks are the host's: the host writes its clocks and the guest's TSC at one instant into the
 * vvar page just below this image, and the guest extrapolates with the TSC. Clocks it doesn't
 * know (CPU time) and a vvar page not filled yet go to the real syscall. Built freestanding. */
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "vvar.h"

struct timezone;

/* Placed by vdso.lds one page below the image. */
extern const volatile Vvar vvar __attribute__((visibility("hidden")));

static long syscall2(long nr, long a, long b) {
        long ret;
        __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
        return ret;
}

static uint64_t rdtsc(void) {
        uint32_t lo, hi;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        return ((uint64_t)hi << 32) | lo;
}

/* ns of `clock` now, or -1 when the syscall must answer. */
static int64_t clock_ns(clockid_t clock) {
        uint64_t base, delta;

        if (vvar.version != VVAR_VERSION)
                return -1;
        switch (clock) {
        case CLOCK_REALTIME:
        case CLOCK_REALTIME_COARSE:
                base = vvar.realtime_ns;
                break;
        case CLOCK_MONOTONIC:
        case CLOCK_MONOTONIC_COARSE:
        case CLOCK_MONOTONIC_RAW:
        case CLOCK_BOOTTIME:
                base = vvar.monotonic_ns;
                break;
        default:
                return -1;
        }
        delta = rdtsc() - vvar.tsc_base;
        return (int64_t)(base + (uint64_t)(((unsigned __int128)delta * vvar.mult) >> vvar.shift));
}

int __vdso_clock_gettime(clockid_t clock, struct timespec *ts) {
        int64_t ns = clock_ns(clock);

        if (ns < 0)
                return (int)syscall2(228 /* clock_gettime */, clock, (long)ts);
        ts->tv_sec = ns / 1000000000;
        ts->tv_nsec = ns % 1000000000;
        return 0;
}

int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz) {
        int64_t ns = clock_ns(CLOCK_REALTIME);

        if (ns < 0)
                return (int)syscall2(96 /* gettimeofday */, (long)tv, (long)tz);
        if (tv) {
                tv->tv_sec = ns / 1000000000;
                tv->tv_usec = (ns % 1000000000) / 1000;
        }
        if (tz)
                *(uint64_t *)tz = 0; /* UTC, no DST */
        return 0;
}

time_t __vdso_time(time_t *t) {
        int64_t ns = clock_ns(CLOCK_REALTIME);
        time_t now;

        if (ns < 0)
                return (time_t)syscall2(201 /* time */, (long)t, 0);
        now = ns / 1000000000;
        if (t)
                *t = now;
        return now;
}

int __vdso_clock_getres(clockid_t clock, struct timespec *res) {
        if (clock_ns(clock) < 0)
                return (int)syscall2(229 /* clock_getres */, clock, (long)res);
        if (res) {
                res->tv_sec = 0;
                res->tv_nsec = 1;
        }
        return 0;
}

int __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused) {
        if (cpu)
                *cpu = 0;
        if (node)
                *node = 0;
        return 0;
}

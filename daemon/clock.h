/* SPDX-License-Identifier: MIT */
/* The daemon's one clock: CLOCK_MONOTONIC in microseconds, for timings and timeouts. */
#pragma once

#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC  UINT64_C(1000000)

static inline uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static inline struct timeval timeval_from_usec(uint64_t usec) {
        return (struct timeval){.tv_sec = usec / USEC_PER_SEC, .tv_usec = usec % USEC_PER_SEC};
}

static inline double usec_to_ms(uint64_t usec) {
        return (double)usec / 1000.0;
}

/* SPDX-License-Identifier: MIT */
/* What an idle CPU costs on this machine: the same small piece of work (read every cache line of
 * 2 MiB, then a little arithmetic; ~40 µs warm), timed back to back and after sleeping 1, 5 and
 * 30 ms. On the nested machines here it takes ~3x longer after a few ms of idle: the caches
 * come back cold. A request paced by an agent's think time meets the same, in sandboxd as in a
 * bare interpreter. A benchmark: prints figures, asserts nothing.
 *
 *     build/tests/idle-penalty [RUNS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUFFER_SIZE (2u << 20)

static double now_us(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int compare(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static uint64_t work(const volatile uint8_t *buffer) {
        uint64_t sum = 0;
        for (size_t i = 0; i < BUFFER_SIZE; i += 64)
                sum += buffer[i];
        for (unsigned i = 0; i < 20000; i++)
                sum = sum * 31 + i;
        return sum;
}

int main(int argc, char *argv[]) {
        static const unsigned gaps_ms[] = {0, 1, 5, 30};
        int runs = argc > 1 ? atoi(argv[1]) : 200;
        uint8_t *buffer = malloc(BUFFER_SIZE);
        double *times = calloc(runs > 0 ? runs : 1, sizeof(double)), base = 0;
        uint64_t sink = 0;

        if (!buffer || !times || runs <= 0)
                return EXIT_FAILURE;
        memset(buffer, 1, BUFFER_SIZE);
        for (size_t g = 0; g < sizeof(gaps_ms) / sizeof(gaps_ms[0]); g++) {
                for (int i = 0; i < runs; i++) {
                        if (gaps_ms[g])
                                usleep(gaps_ms[g] * 1000);
                        double start = now_us();
                        sink += work(buffer);
                        times[i] = now_us() - start;
                }
                qsort(times, runs, sizeof(double), compare);
                if (!base)
                        base = times[runs / 2];
                printf("after %2u ms idle: p50 %6.1f us  p99 %6.1f us  (%.1fx)\n", gaps_ms[g],
                       times[runs / 2], times[runs * 99 / 100], times[runs / 2] / base);
        }
        return sink == 42 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
/* A minimal check harness for the C unit tests: each failed check prints file:line and the
 * expression, and the test exits non-zero if any failed (77 means skipped, for meson). */
#pragma once

#include <stdio.h>
#include <stdlib.h>

static unsigned checks_run, checks_failed;

#define CHECK(expr)                                                                        \
        do {                                                                               \
                checks_run++;                                                              \
                if (!(expr)) {                                                             \
                        checks_failed++;                                                   \
                        fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #expr); \
                }                                                                          \
        } while (0)

#define CHECK_EQ(a, b)                                                                     \
        do {                                                                               \
                long long _a = (long long)(a), _b = (long long)(b);                        \
                checks_run++;                                                              \
                if (_a != _b) {                                                            \
                        checks_failed++;                                                   \
                        fprintf(stderr, "%s:%d: FAILED: %s == %s (%lld != %lld)\n",       \
                                __FILE__, __LINE__, #a, #b, _a, _b);                       \
                }                                                                          \
        } while (0)

static inline int checks_report(const char *name) {
        printf("%s: %u checks, %u failed\n", name, checks_run, checks_failed);
        return checks_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

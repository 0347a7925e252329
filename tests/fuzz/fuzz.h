/* SPDX-License-Identifier: MIT */
/* What every fuzz target shares: the libFuzzer entry points (also called by fuzz-main.c, the
 * standalone driver of the gcc build), quiet logging, a size cap, an assertion. A target aborts
 * only on a broken contract (a header comment's promise); -errno is normal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Inputs past a target's cap are skipped: the parsers' own caps are tested by unit tests, and
 * megabytes of input only slow the fuzzer down. */
#define FUZZ_INPUT_MAX (1u << 20)

/* A broken promise: print where and abort, so libFuzzer (or the driver) keeps the input. */
#define FUZZ_ASSERT(cond)                                                                          \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: fuzz assertion failed: %s\n", __FILE__, __LINE__,  \
                                #cond);                                                            \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

/* Parsers log why they refuse an input; a million refusals a minute help nobody. Set
 * SANDBOXD_FUZZ_LOG=1 to see them when reproducing one input. */
static inline void fuzz_setup_logging(void) {
        if (!getenv("SANDBOXD_FUZZ_LOG"))
                log_set_max_level(LOG_CRIT);
}

/* Printable ASCII and NUL-terminated within size: what ProtocolError promises its clients. */
static inline bool fuzz_is_printable_string(const char *s, size_t size) {
        const char *end = memchr(s, 0, size);

        if (!end)
                return false;
        for (; s < end; s++)
                if (*s < 0x20 || *s > 0x7e)
                        return false;
        return true;
}

/* SPDX-License-Identifier: MIT */
/* What the comparison guest programs (signals.c, threads.c) share: output whose bytes must equal
 * their native run's, and running the subtest named on the command line. say() writes each line
 * with one write(2), not stdio, so the output depends on no buffer flushed at exit (several
 * threads print, and some subtests end without exit()). */
#pragma once

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
        char buf[1024];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n > (int)sizeof(buf) - 1)
                n = sizeof(buf) - 1;
        if (write(STDOUT_FILENO, buf, n) != n)
                _exit(100);
}

static const char *err_name(int e) {
        return strerrorname_np(e) ?: "E?";
}

typedef struct Subtest {
        const char *name;
        int (*run)(void);
} Subtest;

/* main(): runs the subtest argv[1] names and returns its status; 2 with a usage line if none. */
static int run_subtest(const Subtest *subtests, size_t n, int argc, char **argv) {
        if (argc == 2)
                for (size_t i = 0; i < n; i++)
                        if (strcmp(argv[1], subtests[i].name) == 0)
                                return subtests[i].run();
        say("usage: %s SUBTEST\n", argv[0]);
        return 2;
}

/* SPDX-License-Identifier: MIT */
/* Output for the comparison guest programs (signals.c, threads.c), whose stdout must equal their
 * native run's byte for byte: each line is one write(2), not stdio, so the output depends on no
 * buffer flushed at exit (several threads print, and some subtests end without exit()). */
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

/* SPDX-License-Identifier: MIT */
/* Writes 10 MiB of 'x' to stdout in 64 KiB write(2) calls, then "\n". A failed write (EPIPE,
 * or whatever the host does once the output cap is reached) ends the program with status 2;
 * success exits 0. */
#include <string.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define TOTAL (10 * 1024 * 1024)

int main(void)
{
        static char buf[CHUNK];
        memset(buf, 'x', sizeof(buf));
        for (size_t done = 0; done < TOTAL;) {
                ssize_t n = write(STDOUT_FILENO, buf, sizeof(buf));
                if (n <= 0)
                        return 2;
                done += (size_t)n;
        }
        if (write(STDOUT_FILENO, "\n", 1) != 1)
                return 2;
        return 0;
}

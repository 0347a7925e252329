/* SPDX-License-Identifier: MIT */
/* Writes "hello\n" with a bare write(2) and exits 7: the smallest well-behaved guest. */
#include <unistd.h>

int main(void)
{
        static const char msg[] = "hello\n";
        if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) != (ssize_t)(sizeof(msg) - 1))
                return 1;
        return 7;
}

/* SPDX-License-Identifier: MIT */
/* Leaves through a raw exit_group(2), bypassing atexit and stdio: "bye\n" was written with
 * write(2), "lost" sits unflushed in stdio's buffer and must not appear. Exit status 3. */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
        static const char msg[] = "bye\n";
        if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) != (ssize_t)(sizeof(msg) - 1))
                return 1;
        setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
        fputs("lost\n", stdout);
        syscall(SYS_exit_group, 3);
        return 1; /* not reached */
}

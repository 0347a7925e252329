/* SPDX-License-Identifier: MIT */
/* abort(): glibc raises SIGABRT at itself (rt_sigprocmask, getpid/gettid, tgkill), so the guest
 * must die of SIGABRT. */
#include <stdlib.h>

int main(void)
{
        abort();
}

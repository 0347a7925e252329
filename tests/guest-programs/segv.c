/* SPDX-License-Identifier: MIT */
/* Stores through a NULL pointer: the guest must die of SIGSEGV. Both the pointer and what it
 * points to are volatile, so the compiler can neither prove it NULL (and emit ud2 instead) nor
 * drop the store as dead (gcc -O1 does drop it when only the pointer is volatile). */
#include <stddef.h>

int main(void)
{
        volatile int *volatile p = NULL;
        *p = 1;
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* Unbounded recursion with a live local array in each frame: the stack runs into unmapped memory
 * and the guest must die of SIGSEGV. The limit is volatile and huge so the compiler sees neither
 * an infinite recursion (warning) nor a loop it could turn the recursion into; the addition
 * after the call keeps it from being a tail call. */
#include <limits.h>

static volatile long depth_limit = LONG_MAX;

static long recurse(long depth)
{
        volatile char frame[512];
        frame[0] = (char)depth;
        frame[sizeof(frame) - 1] = (char)depth;
        if (depth >= depth_limit)
                return frame[0];
        return recurse(depth + 1) + frame[sizeof(frame) - 1];
}

int main(void)
{
        return (int)recurse(0);
}

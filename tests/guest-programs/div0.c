/* SPDX-License-Identifier: MIT */
/* Integer division by zero (#DE): the guest must die of SIGFPE. The operands are volatile so the
 * division is done at run time, and its result is returned so it is not dropped. */
int main(void)
{
        volatile int numerator = 1;
        volatile int denominator = 0;
        return numerator / denominator;
}

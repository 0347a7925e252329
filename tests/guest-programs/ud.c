/* SPDX-License-Identifier: MIT */
/* Executes ud2 (#UD): the guest must die of SIGILL. */
int main(void)
{
        __asm__ volatile("ud2");
        return 0;
}

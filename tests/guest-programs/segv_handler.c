/* SPDX-License-Identifier: MIT */
/* Faults reach the program's handlers: a SIGSEGV handler on an alternate stack learns the
 * faulting address and leaves with siglongjmp, three times over; a SIGFPE and a SIGILL handler
 * likewise. Prints what it saw and exits 0. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sigjmp_buf env;
static volatile uintptr_t seen_addr;
static volatile int seen_sig, seen_code;

static void handler(int sig, siginfo_t *info, void *uc) {
        seen_sig = sig;
        seen_code = info->si_code;
        seen_addr = (uintptr_t)info->si_addr;
        siglongjmp(env, 1);
}

int main(void) {
        static char altstack[64 * 1024];
        stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
        struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_ONSTACK};
        volatile int zero = 0;

        sigemptyset(&sa.sa_mask);
        if (sigaltstack(&ss, NULL) < 0 || sigaction(SIGSEGV, &sa, NULL) < 0 ||
            sigaction(SIGFPE, &sa, NULL) < 0 || sigaction(SIGILL, &sa, NULL) < 0)
                return 1;

        for (int i = 0; i < 3; i++) {
                if (sigsetjmp(env, 1) == 0)
                        *(volatile int *)(uintptr_t)(0x1000 * (i + 1)) = 1;
                printf("SIGSEGV %d at %#lx code %d\n", seen_sig == SIGSEGV, (unsigned long)seen_addr,
                       seen_code);
        }
        if (sigsetjmp(env, 1) == 0)
                printf("%d\n", 7 / zero);
        printf("SIGFPE %d code %d\n", seen_sig == SIGFPE, seen_code);
        if (sigsetjmp(env, 1) == 0)
                __asm__ volatile("ud2");
        printf("SIGILL %d code %d\n", seen_sig == SIGILL, seen_code);
        return 0;
}

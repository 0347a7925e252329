/* SPDX-License-Identifier: MIT */
/* Signals as Linux delivers them, one subtest per run: `guest-signals SUBTEST`. What a subtest
 * prints must equal a native run of the same static binary on the host, byte for byte
 * (tests/integration/python/test_signals.py), so nothing printed depends on pids, addresses or
 * timing: only on what Linux promises. Handlers record into globals; main prints. A subtest that
 * shows a known gap of the sandbox is apart from the others, so that the rest stays checked
 * (tests/meson.build, known_failures). */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "say.h"


/* What the last handler saw, and the order in which handlers ran. */
static volatile sig_atomic_t hits[NSIG];
static volatile int seen_signo, seen_code, seen_sender_is_self, seen_blocked_self;
static volatile uintptr_t seen_addr;
static char order[256];
static volatile size_t order_len;

static void note(const char *what) {
        size_t n = strlen(what);

        if (order_len + n + 1 < sizeof(order)) {
                memcpy(order + order_len, what, n);
                order[order_len + n] = ' ';
                order_len += n + 1;
                order[order_len] = '\0';
        }
}

static void order_reset(void) {
        order_len = 0;
        order[0] = '\0';
}

static bool is_blocked(int sig) {
        sigset_t cur;

        sigprocmask(SIG_BLOCK, NULL, &cur);
        return sigismember(&cur, sig);
}

static void on_info(int sig, siginfo_t *si, void *uc) {
        char what[16];

        (void)uc;
        hits[sig]++;
        seen_signo = si->si_signo;
        seen_code = si->si_code;
        seen_sender_is_self = si->si_pid == getpid() && si->si_uid == getuid();
        seen_blocked_self = is_blocked(sig);
        snprintf(what, sizeof(what), "%d", sig);
        note(what);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags,
                    const int *mask_sigs) {
        struct sigaction sa = {.sa_sigaction = fn, .sa_flags = SA_SIGINFO | flags};

        sigemptyset(&sa.sa_mask);
        for (; mask_sigs && *mask_sigs; mask_sigs++)
                sigaddset(&sa.sa_mask, *mask_sigs);
        if (sigaction(sig, &sa, NULL) < 0) {
                say("sigaction(%d): %s\n", sig, err_name(errno));
                exit(2);
        }
}

static void unblock_all(void) {
        sigset_t none;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
}

static void block(int sig) {
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_BLOCK, &set, NULL);
}

static void unblock(int sig) {
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static int pending(int sig) {
        sigset_t set;

        sigpending(&set);
        return sigismember(&set, sig);
}

static void report(const char *what, int sig) {
        say("%s: hits %d signo %d code %d from self %d blocked inside %d\n", what, (int)hits[sig],
            seen_signo, seen_code, seen_sender_is_self, seen_blocked_self);
        hits[sig] = 0;
}

/* --- sigaction flags, and the three ways to signal oneself ---------------------------------------
 */

static volatile int depth;

static void on_nested(int sig, siginfo_t *si, void *uc) {
        char what[16];
        int d = ++depth;

        (void)si, (void)uc;
        snprintf(what, sizeof(what), "in%d", d);
        note(what);
        if (d < 3)
                raise(sig);
        snprintf(what, sizeof(what), "out%d", d);
        note(what);
}

static void on_usr1_raising_usr2(int sig, siginfo_t *si, void *uc) {
        (void)si, (void)uc;
        note("usr1-in");
        raise(SIGUSR2);
        note(is_blocked(SIGUSR2) ? "usr2-blocked" : "usr2-open");
        note("usr1-out");
        hits[sig]++;
}

static int subtest_actions(void) {
        struct sigaction old;
        const int usr2[] = {SIGUSR2, 0};

        install(SIGUSR1, on_info, 0, NULL);
        syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
        report("tgkill", SIGUSR1);
        syscall(SYS_tkill, gettid(), SIGUSR1);
        report("tkill", SIGUSR1);
        raise(SIGUSR1);
        report("raise", SIGUSR1);

        /* SA_RESETHAND: the handler runs once, then the action is SIG_DFL again. */
        install(SIGUSR2, on_info, SA_RESETHAND, NULL);
        raise(SIGUSR2);
        report("resethand", SIGUSR2);
        sigaction(SIGUSR2, NULL, &old);
        say("resethand: then %s, flags keep SA_SIGINFO %d\n",
            old.sa_handler == SIG_DFL ? "SIG_DFL" : "the handler", !!(old.sa_flags & SA_SIGINFO));

        /* A handler's own signal is blocked while it runs, unless SA_NODEFER: raised again from
         * inside, it nests at once with SA_NODEFER and waits for the return without. */
        install(SIGUSR1, on_nested, 0, NULL);
        depth = 0;
        order_reset();
        raise(SIGUSR1);
        say("deferred: %s\n", order);
        install(SIGUSR1, on_nested, SA_NODEFER, NULL);
        depth = 0;
        order_reset();
        raise(SIGUSR1);
        say("nodefer: %s\n", order);
        install(SIGUSR1, on_info, SA_NODEFER, NULL);
        raise(SIGUSR1);
        report("nodefer", SIGUSR1);

        /* sa_mask blocks more signals while the handler runs. */
        install(SIGUSR2, on_info, 0, NULL);
        install(SIGUSR1, on_usr1_raising_usr2, 0, usr2);
        order_reset();
        raise(SIGUSR1);
        say("sa_mask: %s\n", order);
        say("mask restored after the handler: usr1 %d usr2 %d\n", is_blocked(SIGUSR1),
            is_blocked(SIGUSR2));

        /* SIG_IGN drops the signal. */
        hits[SIGUSR1] = 0;
        signal(SIGUSR1, SIG_IGN);
        raise(SIGUSR1);
        install(SIGUSR1, on_info, 0, NULL);
        say("ignored: hits %d\n", (int)hits[SIGUSR1]);

        /* Invalid requests. */
        errno = 0;
        say("sigaction(SIGKILL): %s\n",
            sigaction(SIGKILL, &old, NULL) < 0 ? err_name(errno) : "ok");
        errno = 0;
        say("sigaction(SIGSTOP): %s\n",
            sigaction(SIGSTOP, &old, NULL) < 0 ? err_name(errno) : "ok");
        errno = 0;
        say("sigaction(65): %s\n",
            syscall(SYS_rt_sigaction, 65, NULL, &old, 8) < 0 ? err_name(errno) : "ok");
        errno = 0;
        say("sigaction(0): %s\n",
            syscall(SYS_rt_sigaction, 0, NULL, &old, 8) < 0 ? err_name(errno) : "ok");
        errno = 0;
        say("sigsetsize 4: %s\n",
            syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4) < 0 ? err_name(errno) : "ok");
        return 0;
}

/* kill(2) to oneself: si_code SI_USER (tgkill's and raise's is SI_TKILL), and its errors. */
static int subtest_kill(void) {
        install(SIGUSR1, on_info, 0, NULL);
        kill(getpid(), SIGUSR1);
        report("kill", SIGUSR1);
        errno = 0;
        say("kill(self, 0): %s\n", kill(getpid(), 0) < 0 ? err_name(errno) : "ok");
        errno = 0;
        say("kill(self, 99): %s\n", kill(getpid(), 99) < 0 ? err_name(errno) : "ok");
        errno = 0;
        say("tgkill(self, tid 0): %s\n",
            syscall(SYS_tgkill, getpid(), 0, SIGUSR1) < 0 ? err_name(errno) : "ok");
        errno = 0;
        say("tgkill(self, tid -1): %s\n",
            syscall(SYS_tgkill, getpid(), -1, SIGUSR1) < 0 ? err_name(errno) : "ok");
        return 0;
}

/* sigpending(2) shows a blocked signal raised; setting SIG_IGN discards it. */
static int subtest_pending(void) {
        install(SIGUSR1, on_info, 0, NULL);
        block(SIGUSR1);
        raise(SIGUSR1);
        say("blocked and raised: pending %d\n", pending(SIGUSR1));
        unblock(SIGUSR1);
        say("unblocked: hits %d pending %d\n", (int)hits[SIGUSR1], pending(SIGUSR1));
        hits[SIGUSR1] = 0;
        block(SIGUSR1);
        raise(SIGUSR1);
        signal(SIGUSR1, SIG_IGN);
        say("ignored while pending: pending %d\n", pending(SIGUSR1));
        install(SIGUSR1, on_info, 0, NULL);
        unblock(SIGUSR1);
        say("handler back, unblocked: hits %d\n", (int)hits[SIGUSR1]);
        return 0;
}

/* --- the mask: pending signals are delivered when unblocked ------------------------------------
 */

static int subtest_mask(void) {
        sigset_t all, old, got;
        const int sigs[] = {SIGUSR1, SIGUSR2, SIGTERM, 0};

        install(SIGUSR1, on_info, 0, NULL);
        install(SIGUSR2, on_info, 0, NULL);
        install(SIGTERM, on_info, 0, NULL);

        block(SIGUSR1);
        raise(SIGUSR1);
        raise(SIGUSR1);
        say("blocked: hits %d\n", (int)hits[SIGUSR1]);
        unblock(SIGUSR1);
        say("unblocked: hits %d (one: a standard signal does not queue)\n", (int)hits[SIGUSR1]);
        hits[SIGUSR1] = 0;

        /* Three pending at once: which runs first is Linux's choice, and the yardstick. */
        for (const int *s = sigs; *s; s++)
                block(*s);
        raise(SIGTERM);
        raise(SIGUSR2);
        raise(SIGUSR1);
        order_reset();
        sigprocmask(SIG_BLOCK, NULL, &old);
        sigemptyset(&got);
        sigprocmask(SIG_SETMASK, &got, &old);
        say("unblocked three: handlers ran %s, hits %d %d %d\n", order, (int)hits[SIGUSR1],
            (int)hits[SIGUSR2], (int)hits[SIGTERM]);
        say("old mask had usr1 %d usr2 %d term %d int %d\n", sigismember(&old, SIGUSR1),
            sigismember(&old, SIGUSR2), sigismember(&old, SIGTERM), sigismember(&old, SIGINT));

        /* SIGKILL and SIGSTOP can't be blocked; the rest can. */
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        sigprocmask(SIG_BLOCK, NULL, &got);
        say("fill: kill %d stop %d usr1 %d term %d rtmax %d\n", sigismember(&got, SIGKILL),
            sigismember(&got, SIGSTOP), sigismember(&got, SIGUSR1), sigismember(&got, SIGTERM),
            sigismember(&got, SIGRTMAX));
        unblock_all();

        errno = 0;
        say("how 7: %s\n",
            syscall(SYS_rt_sigprocmask, 7, &all, NULL, 8) < 0 ? err_name(errno) : "ok");
        errno = 0;
        say("sigsetsize 16: %s\n",
            syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, 16) < 0 ? err_name(errno) : "ok");
        errno = 0;
        say("bad pointer: %s\n", syscall(SYS_rt_sigprocmask, SIG_BLOCK, (void *)16, NULL, 8) < 0
                                         ? err_name(errno)
                                         : "ok");
        errno = 0;
        say("sigpending bad pointer: %s\n",
            syscall(SYS_rt_sigpending, (void *)16, 8) < 0 ? err_name(errno) : "ok");
        sigemptyset(&got);
        say("sigpending with nothing: %d ", sigpending(&got));
        say("%d\n", sigismember(&got, SIGUSR1));
        return 0;
}

/* A real-time signal raised three times while blocked is delivered three times. */
static int subtest_rt_queue(void) {
        int rt = SIGRTMIN + 2;

        install(rt, on_info, 0, NULL);
        install(SIGUSR1, on_info, 0, NULL);
        block(rt);
        block(SIGUSR1);
        for (int i = 0; i < 3; i++)
                raise(rt);
        raise(SIGUSR1);
        order_reset();
        unblock_all();
        say("rt raised 3 times while blocked: hits %d, usr1 hits %d\n", (int)hits[rt],
            (int)hits[SIGUSR1]);
        return 0;
}

/* --- the alternate stack -----------------------------------------------------------------------
 */

static char altstack[64 * 1024];
static volatile int on_alt, alt_flags, alt_change_errno;

static void on_altstack(int sig, siginfo_t *si, void *uc) {
        char here;
        stack_t cur, other = {.ss_sp = altstack, .ss_size = sizeof(altstack)};

        (void)si, (void)uc;
        hits[sig]++;
        on_alt = &here >= altstack && &here < altstack + sizeof(altstack);
        sigaltstack(NULL, &cur);
        alt_flags = cur.ss_flags;
        alt_change_errno = sigaltstack(&other, NULL) < 0 ? errno : 0;
}

static int subtest_altstack(void) {
        stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)}, cur,
                tiny = {.ss_sp = altstack, .ss_size = 512};

        sigaltstack(NULL, &cur);
        say("initially: flags %d\n", cur.ss_flags);
        errno = 0;
        say("too small: %s\n", sigaltstack(&tiny, NULL) < 0 ? err_name(errno) : "ok");
        if (sigaltstack(&ss, NULL) < 0)
                return 2;
        sigaltstack(NULL, &cur);
        say("set: flags %d size ok %d sp ok %d\n", cur.ss_flags, cur.ss_size == sizeof(altstack),
            cur.ss_sp == altstack);

        install(SIGUSR1, on_altstack, SA_ONSTACK, NULL);
        raise(SIGUSR1);
        say("SA_ONSTACK: hits %d on the alternate stack %d\n", (int)hits[SIGUSR1], on_alt);
        sigaltstack(NULL, &cur);
        say("after: flags %d\n", cur.ss_flags);

        install(SIGUSR1, on_altstack, 0, NULL);
        raise(SIGUSR1);
        say("without SA_ONSTACK: on the alternate stack %d flags inside %d\n", on_alt, alt_flags);

        ss.ss_flags = SS_DISABLE;
        sigaltstack(&ss, NULL);
        install(SIGUSR1, on_altstack, SA_ONSTACK, NULL);
        raise(SIGUSR1);
        say("disabled: on the alternate stack %d\n", on_alt);
        return 0;
}

/* What sigaltstack(2) says: SS_ONSTACK in a handler running on it (where it can't be changed:
 * EPERM), SS_DISABLE once disabled; unknown flags are EINVAL. */
static int subtest_altstack_flags(void) {
        stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)}, cur, bad = ss;

        bad.ss_flags = 0x42;
        errno = 0;
        say("bad flags: %s\n", sigaltstack(&bad, NULL) < 0 ? err_name(errno) : "ok");
        sigaltstack(&ss, NULL);
        install(SIGUSR1, on_altstack, SA_ONSTACK, NULL);
        raise(SIGUSR1);
        say("inside: flags %d, changing it %s\n", alt_flags,
            alt_change_errno ? err_name(alt_change_errno) : "ok");
        ss.ss_flags = SS_DISABLE;
        sigaltstack(&ss, NULL);
        sigaltstack(NULL, &cur);
        say("disabled: flags %d\n", cur.ss_flags);
        return 0;
}

/* --- faults: si_code and si_addr, and a handler that repairs the cause -------------------------
 */

static sigjmp_buf fault_env;
static char *repair_page;

static void on_fault_jump(int sig, siginfo_t *si, void *uc) {
        (void)uc;
        seen_signo = sig;
        seen_code = si->si_code;
        seen_addr = (uintptr_t)si->si_addr;
        siglongjmp(fault_env, 1);
}

static void on_fault_repair(int sig, siginfo_t *si, void *uc) {
        (void)uc;
        hits[sig]++;
        seen_code = si->si_code;
        seen_addr = (uintptr_t)si->si_addr;
        /* Make the page writable and return: the faulting store runs again and succeeds. */
        if (mprotect(repair_page, 4096, PROT_READ | PROT_WRITE) < 0)
                _exit(3);
}

static const char *segv_code(int code) {
        switch (code) {
        case SEGV_MAPERR:
                return "SEGV_MAPERR";
        case SEGV_ACCERR:
                return "SEGV_ACCERR";
        case SI_KERNEL:
                return "SI_KERNEL";
        default:
                return "other";
        }
}

#define FAULT(what, base, stmt)                                                                    \
        do {                                                                                       \
                seen_signo = 0;                                                                    \
                if (sigsetjmp(fault_env, 1) == 0) {                                                \
                        stmt;                                                                      \
                        say("%s: no fault\n", what);                                               \
                } else                                                                             \
                        say("%s: signal %d %s at base+%#lx\n", what, seen_signo,                   \
                            segv_code(seen_code), (unsigned long)(seen_addr - (uintptr_t)(base))); \
        } while (0)

static int subtest_fault(void) {
        char *gone, *ro, *none;

        install(SIGSEGV, on_fault_jump, SA_NODEFER, NULL);

        gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (gone == MAP_FAILED || ro == MAP_FAILED || none == MAP_FAILED)
                return 2;
        gone[0] = 1;
        munmap(gone, 4096);

        FAULT("null page", 0, *(volatile int *)(uintptr_t)0x18 = 1);
        FAULT("unmapped page", gone, *(volatile char *)(gone + 123) = 1);
        FAULT("read of an unmapped page", gone, (void)*(volatile char *)(gone + 5));
        FAULT("read-only page", ro, *(volatile char *)(ro + 7) = 1);
        say("read-only page reads %d\n", *(volatile char *)(ro + 7));
        FAULT("write after read", ro, *(volatile char *)(ro + 8) = 1);
        FAULT("PROT_NONE page", none, (void)*(volatile char *)(none + 9));

        /* The handler repairs the mapping; the store is retried (the rt_sigreturn resumes it). */
        repair_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        install(SIGSEGV, on_fault_repair, 0, NULL);
        *(volatile char *)(repair_page + 100) = 42;
        say("repaired: hits %d %s at base+%#lx, value %d\n", (int)hits[SIGSEGV],
            segv_code(seen_code), (unsigned long)(seen_addr - (uintptr_t)repair_page),
            repair_page[100]);
        return 0;
}

/* --- rt_sigreturn restores every register and the FPU state ------------------------------------
 */

/* Globals the assembly reads and writes by name (RIP-relative). */
uint64_t sr_gpr_in[5], sr_gpr_out[5];
uint8_t sr_xmm_in[16 * 16] __attribute__((aligned(16))),
        sr_xmm_out[16 * 16] __attribute__((aligned(16)));
uint32_t sr_mxcsr_in, sr_mxcsr_out;
uint16_t sr_fcw_in, sr_fcw_out;
uint64_t sr_pid, sr_tid, sr_loops;
volatile int sr_ticks;

/* A handler that leaves every register it can reach different: the interrupted code must not
 * notice. */
static void on_clobber(int sig, siginfo_t *si, void *uc) {
        volatile double x = 1.0;
        uint32_t mxcsr = 0x1f80;

        (void)si, (void)uc;
        hits[sig]++;
        sr_ticks++;
        for (int i = 0; i < 100; i++)
                x = x / 3.0 + 0.1;
        __asm__ volatile(
                "pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\tpxor %%xmm2, %%xmm2\n\t"
                "pxor %%xmm3, %%xmm3\n\tpxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
                "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\tpxor %%xmm8, %%xmm8\n\t"
                "pxor %%xmm9, %%xmm9\n\tpxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
                "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\tpxor %%xmm14, %%xmm14\n\t"
                "pxor %%xmm15, %%xmm15\n\tfninit\n\tldmxcsr %0\n\t"
                "xor %%ebx, %%ebx\n\txor %%r12d, %%r12d\n\txor %%r13d, %%r13d\n\t"
                "xor %%r14d, %%r14d\n\txor %%r15d, %%r15d\n\t"
                :
                : "m"(mxcsr)
                : "rbx", "r12", "r13", "r14", "r15", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
                  "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
                  "xmm15", "memory");
}

#define LOAD_STATE                                                                                 \
        "ldmxcsr sr_mxcsr_in(%%rip)\n\tfldcw sr_fcw_in(%%rip)\n\t"                                 \
        "movdqa sr_xmm_in+0(%%rip), %%xmm0\n\tmovdqa sr_xmm_in+16(%%rip), %%xmm1\n\t"              \
        "movdqa sr_xmm_in+32(%%rip), %%xmm2\n\tmovdqa sr_xmm_in+48(%%rip), %%xmm3\n\t"             \
        "movdqa sr_xmm_in+64(%%rip), %%xmm4\n\tmovdqa sr_xmm_in+80(%%rip), %%xmm5\n\t"             \
        "movdqa sr_xmm_in+96(%%rip), %%xmm6\n\tmovdqa sr_xmm_in+112(%%rip), %%xmm7\n\t"            \
        "movdqa sr_xmm_in+128(%%rip), %%xmm8\n\tmovdqa sr_xmm_in+144(%%rip), %%xmm9\n\t"           \
        "movdqa sr_xmm_in+160(%%rip), %%xmm10\n\tmovdqa sr_xmm_in+176(%%rip), %%xmm11\n\t"         \
        "movdqa sr_xmm_in+192(%%rip), %%xmm12\n\tmovdqa sr_xmm_in+208(%%rip), %%xmm13\n\t"         \
        "movdqa sr_xmm_in+224(%%rip), %%xmm14\n\tmovdqa sr_xmm_in+240(%%rip), %%xmm15\n\t"         \
        "mov sr_gpr_in+0(%%rip), %%rbx\n\tmov sr_gpr_in+8(%%rip), %%r12\n\t"                       \
        "mov sr_gpr_in+16(%%rip), %%r13\n\tmov sr_gpr_in+24(%%rip), %%r14\n\t"                     \
        "mov sr_gpr_in+32(%%rip), %%r15\n\t"

#define STORE_STATE                                                                                \
        "stmxcsr sr_mxcsr_out(%%rip)\n\tfnstcw sr_fcw_out(%%rip)\n\t"                              \
        "movdqa %%xmm0, sr_xmm_out+0(%%rip)\n\tmovdqa %%xmm1, sr_xmm_out+16(%%rip)\n\t"            \
        "movdqa %%xmm2, sr_xmm_out+32(%%rip)\n\tmovdqa %%xmm3, sr_xmm_out+48(%%rip)\n\t"           \
        "movdqa %%xmm4, sr_xmm_out+64(%%rip)\n\tmovdqa %%xmm5, sr_xmm_out+80(%%rip)\n\t"           \
        "movdqa %%xmm6, sr_xmm_out+96(%%rip)\n\tmovdqa %%xmm7, sr_xmm_out+112(%%rip)\n\t"          \
        "movdqa %%xmm8, sr_xmm_out+128(%%rip)\n\tmovdqa %%xmm9, sr_xmm_out+144(%%rip)\n\t"         \
        "movdqa %%xmm10, sr_xmm_out+160(%%rip)\n\tmovdqa %%xmm11, sr_xmm_out+176(%%rip)\n\t"       \
        "movdqa %%xmm12, sr_xmm_out+192(%%rip)\n\tmovdqa %%xmm13, sr_xmm_out+208(%%rip)\n\t"       \
        "movdqa %%xmm14, sr_xmm_out+224(%%rip)\n\tmovdqa %%xmm15, sr_xmm_out+240(%%rip)\n\t"       \
        "mov %%rbx, sr_gpr_out+0(%%rip)\n\tmov %%r12, sr_gpr_out+8(%%rip)\n\t"                     \
        "mov %%r13, sr_gpr_out+16(%%rip)\n\tmov %%r14, sr_gpr_out+24(%%rip)\n\t"                   \
        "mov %%r15, sr_gpr_out+32(%%rip)\n\t"

#define STATE_CLOBBERS                                                                             \
        "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14",   \
                "r15", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",     \
                "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory", "cc"

static void state_prepare(void) {
        for (int i = 0; i < 5; i++)
                sr_gpr_in[i] = 0x1111111111111111ull * (i + 1) ^ 0x0123456789abcdefull;
        for (int i = 0; i < (int)sizeof(sr_xmm_in); i++)
                sr_xmm_in[i] = (uint8_t)(i * 7 + 3);
        sr_mxcsr_in = 0x7f80; /* all exceptions masked, round toward zero */
        sr_fcw_in = 0x0c7f;   /* x87: round toward zero, 64-bit precision */
        memset(sr_gpr_out, 0, sizeof(sr_gpr_out));
        memset(sr_xmm_out, 0, sizeof(sr_xmm_out));
        sr_mxcsr_out = 0;
        sr_fcw_out = 0;
}

static void state_report(const char *what) {
        say("%s: general registers kept %d, xmm0-15 kept %d, mxcsr kept %d, x87 control word kept "
            "%d\n",
            what, !memcmp(sr_gpr_in, sr_gpr_out, sizeof(sr_gpr_in)),
            !memcmp(sr_xmm_in, sr_xmm_out, sizeof(sr_xmm_in)), sr_mxcsr_in == sr_mxcsr_out,
            sr_fcw_in == sr_fcw_out);
}

static void restore_default_fpu(void) {
        uint32_t mxcsr = 0x1f80;
        uint16_t fcw = 0x037f;

        __asm__ volatile("ldmxcsr %0\n\tfldcw %1" : : "m"(mxcsr), "m"(fcw));
}

static int subtest_sigreturn(void) {
        struct itimerval tick = {.it_interval = {0, 5000}, .it_value = {0, 5000}}, off = {};

        install(SIGUSR1, on_clobber, 0, NULL);
        install(SIGALRM, on_clobber, 0, NULL);

        /* A signal sent by a syscall is delivered as the syscall returns: every register but rax,
         * rcx and r11 (the syscall's own) must come back from the handler as it was. */
        state_prepare();
        sr_pid = getpid();
        sr_tid = gettid();
        __asm__ volatile(
                LOAD_STATE
                "mov $%c[nr], %%eax\n\tmov sr_pid(%%rip), %%rdi\n\t"
                "mov sr_tid(%%rip), %%rsi\n\tmov $%c[sig], %%edx\n\tsyscall\n\t" STORE_STATE
                :
                : [nr] "i"(SYS_tgkill), [sig] "i"(SIGUSR1)
                : STATE_CLOBBERS);
        restore_default_fpu();
        state_report("signal at a syscall");
        say("handler ran %d\n", (int)hits[SIGUSR1]);

        /* A timer's signal interrupts the program between any two instructions: a loop keeping
         * its state in registers counts until three ticks have run their handler. r14 and r15
         * count in step and xmm0's low quadword with them; the rest must be as loaded. */
        state_prepare();
        sr_ticks = 0;
        setitimer(ITIMER_REAL, &tick, NULL);
        __asm__ volatile(
                LOAD_STATE
                "xor %%r14d, %%r14d\n\txor %%r15d, %%r15d\n\tpxor %%xmm0, %%xmm0\n\t"
                "mov $1, %%eax\n\tmovq %%rax, %%xmm1\n\t"
                "1:\n\tinc %%r14\n\tinc %%r15\n\tpaddq %%xmm1, %%xmm0\n\t"
                "cmpl $3, sr_ticks(%%rip)\n\tjb 1b\n\t"
                "mov %%r14, sr_loops(%%rip)\n\t"
                "movq %%xmm0, %%rax\n\t"
                "cmp %%rax, %%r14\n\tjne 2f\n\tcmp %%r14, %%r15\n\tjne 2f\n\t"
                /* counters agree: put back what was loaded, then compare all */
                "movdqa sr_xmm_in+0(%%rip), %%xmm0\n\tmovdqa sr_xmm_in+16(%%rip), %%xmm1\n\t"
                "mov sr_gpr_in+24(%%rip), %%r14\n\tmov sr_gpr_in+32(%%rip), %%r15\n\t"
                "2:\n\t" STORE_STATE
                :
                :
                : STATE_CLOBBERS);
        setitimer(ITIMER_REAL, &off, NULL);
        restore_default_fpu();
        state_report("signal between two instructions");
        say("ticks %d, looped %d\n", sr_ticks >= 3, sr_loops > 0);
        return 0;
}

/* --- timers interrupting sleeps and reads: EINTR, and SA_RESTART
 * ---------------------------------- */

static int tick_pipe[2];

static void on_tick_write(int sig, siginfo_t *si, void *uc) {
        (void)si, (void)uc;
        /* The third tick gives the read something to return. */
        if (++hits[sig] == 3 && write(tick_pipe[1], "x", 1) != 1)
                _exit(4);
}

static int subtest_timers(void) {
        struct itimerval once = {.it_value = {0, 50000}},
                         every = {.it_interval = {0, 20000}, .it_value = {0, 20000}}, off = {}, got;
        struct timespec two_s = {2, 0}, rem = {};
        struct timespec start, now;
        int r;

        say("alarm(0) first: %u\n", alarm(0));
        alarm(5);
        say("alarm(0) after alarm(5): %u\n", alarm(0));
        getitimer(ITIMER_REAL, &got);
        say("getitimer when off: %ld %ld\n", (long)got.it_value.tv_sec, (long)got.it_value.tv_usec);

        /* nanosleep is interrupted with EINTR and says how long was left, SA_RESTART or not
         * (signal(7): it is never restarted). */
        for (int restart = 0; restart <= 1; restart++) {
                install(SIGALRM, on_info, restart ? SA_RESTART : 0, NULL);
                setitimer(ITIMER_REAL, &once, NULL);
                errno = 0;
                r = nanosleep(&two_s, &rem);
                say("nanosleep%s: %d %s, hits %d code %d\n", restart ? " SA_RESTART" : "", r,
                    err_name(errno), (int)hits[SIGALRM], seen_code);
                hits[SIGALRM] = 0;
        }

        /* An interval timer ticks every 20 ms: 5 ticks in 110 ms, or fewer on a loaded host (the
         * ticks of a process that does not run meanwhile merge into one pending SIGALRM). */
        install(SIGALRM, on_info, 0, NULL);
        setitimer(ITIMER_REAL, &every, NULL);
        clock_gettime(CLOCK_MONOTONIC, &start);
        do
                clock_gettime(CLOCK_MONOTONIC, &now);
        while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) <
               110000000L);
        getitimer(ITIMER_REAL, &got);
        setitimer(ITIMER_REAL, &off, NULL);
        say("interval: 2 to 6 ticks %d, interval kept %ld us, value within it %d\n",
            hits[SIGALRM] >= 2 && hits[SIGALRM] <= 6, (long)got.it_interval.tv_usec,
            got.it_value.tv_sec == 0 && got.it_value.tv_usec <= 20000);
        getitimer(ITIMER_REAL, &got);
        say("after setting it off: %ld %ld\n", (long)got.it_value.tv_sec,
            (long)got.it_value.tv_usec);

        errno = 0;
        say("setitimer(which 7): %s\n", setitimer(7, &off, NULL) < 0 ? err_name(errno) : "ok");
        once.it_value.tv_usec = 1000000;
        errno = 0;
        say("setitimer(usec 1000000): %s\n",
            setitimer(ITIMER_REAL, &once, NULL) < 0 ? err_name(errno) : "ok");
        return 0;
}

/* An interrupted nanosleep says how long was left. */
static int subtest_nanosleep_remaining(void) {
        struct itimerval once = {.it_value = {0, 50000}};
        struct timespec two_s = {2, 0}, rem = {};
        int r;

        install(SIGALRM, on_info, 0, NULL);
        setitimer(ITIMER_REAL, &once, NULL);
        errno = 0;
        r = nanosleep(&two_s, &rem);
        say("nanosleep: %d %s, left between 1 and 2 s %d\n", r, err_name(errno),
            rem.tv_sec == 1 && rem.tv_nsec > 0);
        return 0;
}

/* A read blocked on an empty pipe: EINTR at the first tick without SA_RESTART; restarted with
 * it, until the third tick's handler writes a byte. */
static int subtest_read_eintr(void) {
        struct itimerval every = {.it_interval = {0, 20000}, .it_value = {0, 20000}}, off = {};
        char c;
        ssize_t n;
        int r;

        if (pipe(tick_pipe) < 0)
                return 2;
        for (int restart = 0; restart <= 1; restart++) {
                hits[SIGALRM] = 0;
                install(SIGALRM, on_tick_write, restart ? SA_RESTART : 0, NULL);
                setitimer(ITIMER_REAL, &every, NULL);
                errno = 0;
                n = read(tick_pipe[0], &c, 1);
                r = errno;
                setitimer(ITIMER_REAL, &off, NULL);
                say("read%s: %zd %s, after %s\n", restart ? " SA_RESTART" : "", n,
                    n < 0 ? err_name(r) : "",
                    hits[SIGALRM] >= 3   ? "the third tick"
                    : hits[SIGALRM] >= 1 ? "a tick"
                                         : "no tick");
        }
        return 0;
}

/* The CPU-time interval timers: kept by Linux, refused by the sandbox (README, known gaps). */
static int subtest_cpu_timers(void) {
        struct itimerval t = {.it_value = {10, 0}}, off = {};

        errno = 0;
        say("ITIMER_VIRTUAL: %s\n",
            setitimer(ITIMER_VIRTUAL, &t, NULL) < 0 ? err_name(errno) : "ok");
        setitimer(ITIMER_VIRTUAL, &off, NULL);
        errno = 0;
        say("ITIMER_PROF: %s\n", setitimer(ITIMER_PROF, &t, NULL) < 0 ? err_name(errno) : "ok");
        setitimer(ITIMER_PROF, &off, NULL);
        return 0;
}

/* --- waiting for signals
 * -------------------------------------------------------------------------- */

static int subtest_sigsuspend(void) {
        struct itimerval once = {.it_value = {0, 30000}};
        sigset_t mask;
        int r;

        /* SIGALRM unblocked: sigsuspend returns EINTR once its handler ran. */
        install(SIGALRM, on_info, 0, NULL);
        sigprocmask(SIG_BLOCK, NULL, &mask);
        setitimer(ITIMER_REAL, &once, NULL);
        errno = 0;
        r = sigsuspend(&mask);
        say("sigsuspend: %d %s hits %d\n", r, err_name(errno), (int)hits[SIGALRM]);
        return 0;
}

/* sigsuspend's mask replaces the thread's while it waits: the classic race-free wait for a
 * signal kept blocked otherwise. */
static int subtest_sigsuspend_mask(void) {
        struct itimerval once = {.it_value = {0, 30000}};
        sigset_t open_mask;
        int r;

        install(SIGALRM, on_info, 0, NULL);
        install(SIGUSR1, on_info, 0, NULL);
        block(SIGALRM);
        block(SIGUSR1);
        sigemptyset(&open_mask);

        /* Already pending: returns at once. */
        raise(SIGUSR1);
        errno = 0;
        r = sigsuspend(&open_mask);
        say("pending before: %d %s hits %d, blocked again %d\n", r, err_name(errno),
            (int)hits[SIGUSR1], is_blocked(SIGUSR1));

        /* Arrives while waiting. */
        setitimer(ITIMER_REAL, &once, NULL);
        errno = 0;
        r = sigsuspend(&open_mask);
        say("arriving: %d %s hits %d, blocked again %d\n", r, err_name(errno), (int)hits[SIGALRM],
            is_blocked(SIGALRM));
        return 0;
}

static int subtest_sigtimedwait(void) {
        struct itimerval once = {.it_value = {0, 30000}};
        struct timespec zero = {0, 0}, short_wait = {0, 30000000};
        siginfo_t si;
        sigset_t set;
        int r;

        install(SIGUSR1, on_info, 0, NULL);
        block(SIGUSR1);
        block(SIGALRM);
        raise(SIGUSR1);
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        r = sigtimedwait(&set, &si, &zero);
        say("pending: %d code %d, handler hits %d, still pending %d\n", r, r > 0 ? si.si_code : 0,
            (int)hits[SIGUSR1], pending(SIGUSR1));
        errno = 0;
        r = sigtimedwait(&set, &si, &short_wait);
        say("none: %d %s\n", r, err_name(errno));
        sigemptyset(&set);
        sigaddset(&set, SIGALRM);
        setitimer(ITIMER_REAL, &once, NULL);
        r = sigwaitinfo(&set, &si);
        say("timer: %d code %d\n", r, r > 0 ? si.si_code : 0);
        return 0;
}

static int subtest_signalfd(void) {
        struct signalfd_siginfo ssi;
        sigset_t set;
        ssize_t n;
        int fd;

        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        sigprocmask(SIG_BLOCK, &set, NULL);
        fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (fd < 0) {
                say("signalfd: %s\n", err_name(errno));
                return 0;
        }
        errno = 0;
        n = read(fd, &ssi, sizeof(ssi));
        say("empty: %zd %s\n", n, err_name(errno));
        raise(SIGUSR1);
        n = read(fd, &ssi, sizeof(ssi));
        say("read %d: signo %u code %d, still pending %d\n", n == (ssize_t)sizeof(ssi),
            ssi.ssi_signo, ssi.ssi_code, pending(SIGUSR1));
        return 0;
}

static const Subtest subtests[] = {
        {"actions", subtest_actions},
        {"kill", subtest_kill},
        {"pending", subtest_pending},
        {"mask", subtest_mask},
        {"rt_queue", subtest_rt_queue},
        {"altstack", subtest_altstack},
        {"altstack_flags", subtest_altstack_flags},
        {"fault", subtest_fault},
        {"sigreturn", subtest_sigreturn},
        {"timers", subtest_timers},
        {"nanosleep_remaining", subtest_nanosleep_remaining},
        {"read_eintr", subtest_read_eintr},
        {"cpu_timers", subtest_cpu_timers},
        {"sigsuspend", subtest_sigsuspend},
        {"sigsuspend_mask", subtest_sigsuspend_mask},
        {"sigtimedwait", subtest_sigtimedwait},
        {"signalfd", subtest_signalfd},
};

int main(int argc, char **argv) {
        return run_subtest(subtests, sizeof(subtests) / sizeof(subtests[0]), argc, argv);
}

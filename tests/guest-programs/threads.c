/* SPDX-License-Identifier: MIT */
/* Threads as Linux runs them, one subtest per run: `guest-threads SUBTEST`. What a subtest prints
 * must equal a native run of the same static binary on the host, byte for byte
 * (tests/integration/python/test_threads.py), except for `cap`, whose limit is the sandbox's own.
 * Threads are glibc's pthreads (clone with CLONE_VM|CLONE_THREAD|CLONE_SETTLS|...), and one
 * subtest makes its thread with a raw clone; futexes are called raw. Nothing printed depends on
 * tids, addresses or timing. A subtest that shows a known gap of the sandbox is apart from the
 * others, so that the rest stays checked (tests/meson.build, known_failures). */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "say.h"


static long futex(atomic_int *uaddr, int op, int val, const struct timespec *timeout,
                  atomic_int *uaddr2, int val3) {
        return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

static void sleep_ms(long ms) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static double now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* --- create and join ----------------------------------------------------------------------------
 */

#define N_JOIN 60

static pid_t tids[N_JOIN];

static void *join_worker(void *arg) {
        intptr_t i = (intptr_t)arg;

        tids[i] = gettid();
        return (void *)(i * 2 + 1);
}

static int subtest_create_join(void) {
        pthread_t threads[N_JOIN];
        pthread_attr_t attr;
        long sum = 0, expected = 0;
        int distinct = 1, not_main = 1, pid_is_main = 1;

        /* Stacks of 256 KiB, not glibc's 8 MiB: 60 of those would pass the sandbox's default
         * memory limit, which counts what is mapped. */
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 256 * 1024);
        for (intptr_t i = 0; i < N_JOIN; i++) {
                int r = pthread_create(&threads[i], &attr, join_worker, (void *)i);
                if (r != 0) {
                        say("pthread_create %ld: %s\n", (long)i, err_name(r));
                        return 1;
                }
        }
        for (int i = 0; i < N_JOIN; i++) {
                void *ret;
                pthread_join(threads[i], &ret);
                sum += (intptr_t)ret;
                expected += i * 2 + 1;
        }
        for (int i = 0; i < N_JOIN; i++) {
                not_main &= tids[i] != getpid();
                for (int j = 0; j < i; j++)
                        distinct &= tids[i] != tids[j];
        }
        pid_is_main = gettid() == getpid();
        say("%d threads joined, results sum right %d, tids distinct %d and not the main thread's "
            "%d, "
            "main tid is the pid %d\n",
            N_JOIN, sum == expected, distinct, not_main, pid_is_main);

        /* Again: the threads that ended made room. */
        for (intptr_t i = 0; i < N_JOIN; i++)
                pthread_create(&threads[i], &attr, join_worker, (void *)i);
        for (int i = 0; i < N_JOIN; i++)
                pthread_join(threads[i], NULL);
        say("a second round of %d joined\n", N_JOIN);
        return 0;
}

/* --- the thread cap: the sandbox's 64 threads (README), not Linux's ------------------------------
 */

static atomic_int cap_release;

static void *cap_worker(void *arg) {
        (void)arg;
        while (!atomic_load(&cap_release))
                futex(&cap_release, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        return NULL;
}

static int subtest_cap(void) {
        pthread_t threads[100];
        pthread_attr_t attr;
        int n = 0, r = 0;

        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        for (; n < 100; n++) {
                r = pthread_create(&threads[n], &attr, cap_worker, NULL);
                if (r != 0)
                        break;
        }
        say("created %d, then %s\n", n, r ? err_name(r) : "none refused");
        atomic_store(&cap_release, 1);
        futex(&cap_release, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
        for (int i = 0; i < n; i++)
                pthread_join(threads[i], NULL);
        r = pthread_create(&threads[0], &attr, cap_worker, NULL);
        if (r == 0)
                pthread_join(threads[0], NULL);
        say("after joining them, a new thread: %s\n", r ? err_name(r) : "ok");
        return 0;
}

/* --- futexes ------------------------------------------------------------------------------------
 */

static atomic_int word1, word2, waiting, woken_count;

static void *futex_waiter(void *arg) {
        atomic_int *word = arg;

        atomic_fetch_add(&waiting, 1);
        while (atomic_load(word) == 0)
                futex(word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        atomic_fetch_add(&woken_count, 1);
        return NULL;
}

/* Waits until `n` threads said they wait, then long enough for them to be in FUTEX_WAIT (on
 * a loaded host too). */
static void wait_for_waiters(int n) {
        while (atomic_load(&waiting) < n)
                sleep_ms(1);
        sleep_ms(100);
}

static int subtest_futex(void) {
        struct timespec short_wait = {0, 20000000};
        pthread_t t[3];
        atomic_int value = 5;
        double start;
        long r;

        errno = 0;
        r = futex(&value, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0);
        say("wait on a changed value: %ld %s\n", r, err_name(errno));
        errno = 0;
        start = now_ms();
        r = futex(&value, FUTEX_WAIT_PRIVATE, 5, &short_wait, NULL, 0);
        say("wait with a 20 ms timeout: %ld %s, waited long enough %d\n", r, err_name(errno),
            now_ms() - start >= 19);
        say("wake with no waiter: %ld\n", futex(&value, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
        errno = 0;
        r = futex((atomic_int *)(uintptr_t)4096, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        say("unmapped: %ld %s\n", r, err_name(errno));
        errno = 0;
        r = futex(&value, 99, 0, NULL, NULL, 0);
        say("unknown op: %ld %s\n", r, err_name(errno));

        /* One waiter, woken by FUTEX_WAKE. */
        pthread_create(&t[0], NULL, futex_waiter, &word1);
        wait_for_waiters(1);
        atomic_store(&word1, 1);
        say("wake one waiter: %ld\n", futex(&word1, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
        pthread_join(t[0], NULL);
        say("woken: %d\n", atomic_load(&woken_count));

        /* Three waiters on word1; requeue: wake one, move the other two to word2, then wake them
         * there. */
        atomic_store(&word1, 0);
        atomic_store(&waiting, 0);
        atomic_store(&woken_count, 0);
        for (int i = 0; i < 3; i++)
                pthread_create(&t[i], NULL, futex_waiter, &word1);
        wait_for_waiters(3);
        errno = 0;
        r = futex(&word1, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)(uintptr_t)INT32_MAX, &word2, 7);
        say("cmp_requeue with a stale value: %ld %s\n", r, err_name(errno));
        /* The woken one sees word1 still 0 and waits again: let it see 1 but keep the two
         * requeued ones asleep until word2's wake (they check word1, which is then 1). */
        atomic_store(&word1, 1);
        r = futex(&word1, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)(uintptr_t)INT32_MAX, &word2, 1);
        say("cmp_requeue: %ld (one woken, two moved)\n", r);
        sleep_ms(50);
        say("woken after the requeue: %d\n", atomic_load(&woken_count));
        say("wake on the old word: %ld\n",
            futex(&word1, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0));
        say("wake on the new word: %ld\n",
            futex(&word2, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0));
        for (int i = 0; i < 3; i++)
                pthread_join(t[i], NULL);
        say("woken in all: %d\n", atomic_load(&woken_count));

        /* FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC deadline in the past. */
        struct timespec past = {0, 1};
        errno = 0;
        r = futex(&value, FUTEX_WAIT_BITSET_PRIVATE, 5, &past, NULL, FUTEX_BITSET_MATCH_ANY);
        say("wait_bitset with a past deadline: %ld %s\n", r, err_name(errno));
        return 0;
}

/* --- preemption: a thread that never blocks does not stop the others
 * ------------------------------ */

static atomic_int spin_stop;
static atomic_long spun[2];

static void *spinner(void *arg) {
        intptr_t i = (intptr_t)arg;

        while (!atomic_load_explicit(&spin_stop, memory_order_relaxed))
                atomic_fetch_add_explicit(&spun[i], 1, memory_order_relaxed);
        return NULL;
}

static int subtest_preempt(void) {
        pthread_t t[2];
        long before, after;
        double start;
        int steps = 0;

        pthread_create(&t[0], NULL, spinner, (void *)0);
        /* The main thread sleeps and computes beside a spinner that never yields. */
        start = now_ms();
        for (int i = 0; i < 5; i++) {
                sleep_ms(10);
                steps++;
        }
        before = atomic_load(&spun[0]);
        sleep_ms(30);
        after = atomic_load(&spun[0]);
        say("main thread made %d steps beside a spinner, within 2 s %d; the spinner advanced %d\n",
            steps, now_ms() - start<2000, after> before);

        /* Two spinners and the main thread spinning too: all three advance. */
        pthread_create(&t[1], NULL, spinner, (void *)1);
        long a0 = atomic_load(&spun[0]), a1 = atomic_load(&spun[1]), mine = 0;
        start = now_ms();
        while (now_ms() - start < 100)
                mine++;
        say("three spinning: first advanced %d, second advanced %d, main advanced %d\n",
            atomic_load(&spun[0]) > a0, atomic_load(&spun[1]) > a1, mine > 0);
        atomic_store(&spin_stop, 1);
        pthread_join(t[0], NULL);
        pthread_join(t[1], NULL);
        say("joined the spinners\n");
        return 0;
}

/* --- per-thread signal masks ------------------------------------------------------------------ */

static _Thread_local int is_worker;
static atomic_int handled_in_worker, handled_in_main, worker_stage, main_stage;
static pid_t worker_tid;

static void on_usr(int sig) {
        (void)sig;
        if (is_worker)
                atomic_fetch_add(&handled_in_worker, 1);
        else
                atomic_fetch_add(&handled_in_main, 1);
}

static void wait_stage(atomic_int *stage, int value) {
        while (atomic_load(stage) < value)
                sleep_ms(1);
}

static void handle_usr_signals(void) {
        struct sigaction sa = {.sa_handler = on_usr};

        sigemptyset(&sa.sa_mask);
        sigaction(SIGUSR1, &sa, NULL);
        sigaction(SIGUSR2, &sa, NULL);
}

static void block_in_this_thread(int sig, int how) {
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, sig);
        pthread_sigmask(how, &set, NULL);
}

static int blocked_in_this_thread(int sig) {
        sigset_t cur;

        pthread_sigmask(SIG_BLOCK, NULL, &cur);
        return sigismember(&cur, sig);
}

static void *mask_worker(void *arg) {
        (void)arg;
        is_worker = 1;
        worker_tid = gettid();
        say("worker: starts with the creator's mask, SIGUSR2 blocked %d\n",
            blocked_in_this_thread(SIGUSR2));
        block_in_this_thread(SIGUSR2, SIG_UNBLOCK);
        atomic_store(&worker_stage, 1);
        wait_stage(&main_stage, 1); /* main sent SIGUSR2 to the process */
        return NULL;
}

/* Each thread has its own mask; a signal sent to the process goes to a thread that does not
 * block it, or waits for one to unblock it. */
static int subtest_sigmask(void) {
        pthread_t t;

        handle_usr_signals();
        block_in_this_thread(SIGUSR2, SIG_BLOCK);
        pthread_create(&t, NULL, mask_worker, NULL);
        wait_stage(&worker_stage, 1);
        say("main: SIGUSR2 still blocked here %d\n", blocked_in_this_thread(SIGUSR2));
        kill(getpid(), SIGUSR2);
        for (int i = 0; i < 2000 && !atomic_load(&handled_in_worker); i++)
                sleep_ms(1);
        say("main: SIGUSR2 to the process, handled in the worker %d, in main %d\n",
            atomic_load(&handled_in_worker), atomic_load(&handled_in_main));
        atomic_store(&main_stage, 1);
        pthread_join(t, NULL);

        /* Blocked in every thread there is: it waits until main unblocks it. */
        kill(getpid(), SIGUSR2);
        sleep_ms(20);
        say("main: blocked everywhere, handled %d\n", atomic_load(&handled_in_main));
        block_in_this_thread(SIGUSR2, SIG_UNBLOCK);
        say("main: unblocked, handled in main %d\n", atomic_load(&handled_in_main));
        return 0;
}

static void *tgkill_worker(void *arg) {
        (void)arg;
        is_worker = 1;
        worker_tid = gettid();
        block_in_this_thread(SIGUSR1, SIG_BLOCK);
        atomic_store(&worker_stage, 1);
        wait_stage(&main_stage, 1); /* main sent SIGUSR1 to this thread */
        say("worker: handled here %d before unblocking\n", atomic_load(&handled_in_worker));
        block_in_this_thread(SIGUSR1, SIG_UNBLOCK);
        say("worker: unblocked, handled here %d, in main %d\n", atomic_load(&handled_in_worker),
            atomic_load(&handled_in_main));
        return NULL;
}

/* A signal sent to one thread (tgkill) is that thread's: it waits while that thread blocks it,
 * though another thread would take it. */
static int subtest_tgkill_blocked(void) {
        pthread_t t;

        handle_usr_signals();
        pthread_create(&t, NULL, tgkill_worker, NULL);
        wait_stage(&worker_stage, 1);
        syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1);
        sleep_ms(20);
        say("main: after tgkill to the worker, handled in main %d\n",
            atomic_load(&handled_in_main));
        atomic_store(&main_stage, 1);
        pthread_join(t, NULL);
        return 0;
}

/* --- CLONE_CHILD_CLEARTID: the kernel clears the word and wakes its futex at exit ------------ */

#define STRINGIFY(x) #x
#define NUMBER(x)    STRINGIFY(x)

/* clone(flags, stack, NULL, ctid, 0), the child calling fn(arg) on its stack and then exit(2).
 * No CLONE_SETTLS: the child shares the parent's TLS, so fn uses raw syscalls only. */
long raw_clone_thread(unsigned long flags, void *stack_top, atomic_int *ctid, int (*fn)(void *),
                      void *arg);
/* clang-format off */
__asm__(".text\n"
        ".globl raw_clone_thread\n"
        "raw_clone_thread:\n\t"
        "sub $16, %rsi\n\t"           /* fn and arg on top of the child's stack */
        "mov %rcx, 0(%rsi)\n\t"
        "mov %r8, 8(%rsi)\n\t"
        "mov %rdx, %r10\n\t"          /* child_tid */
        "xor %edx, %edx\n\t"          /* parent_tid */
        "xor %r8d, %r8d\n\t"          /* tls */
        "mov $" NUMBER(SYS_clone) ", %eax\n\t"
        "syscall\n\t"
        "test %rax, %rax\n\t"
        "jnz 1f\n\t"
        "xor %ebp, %ebp\n\t"          /* the child: fn(arg), then exit with its value */
        "pop %rax\n\t"
        "pop %rdi\n\t"
        "call *%rax\n\t"
        "mov %eax, %edi\n\t"
        "mov $" NUMBER(SYS_exit) ", %eax\n\t"
        "syscall\n\t"
        "ud2\n"
        "1:\n\t"
        "ret\n");
/* clang-format on */

static atomic_int child_tid_word = -1, child_ran;

static int cleartid_child(void *arg) {
        struct timespec ts = {0, 200000000};

        (void)arg;
        atomic_store(&child_ran, 1);
        syscall(SYS_nanosleep, &ts, NULL); /* long enough for the parent to wait on the word */
        return 0;
}

static int subtest_cleartid(void) {
        static char stack[64 * 1024] __attribute__((aligned(16)));
        const unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                                    CLONE_THREAD | CLONE_SYSVSEM | CLONE_CHILD_CLEARTID;
        struct timespec five_s = {5, 0};
        int v, waits = 0, timed_out = 0;
        long r;

        r = raw_clone_thread(flags, stack + sizeof(stack), &child_tid_word, cleartid_child, NULL);
        if (r < 0) {
                say("clone: %s\n", err_name((int)-r));
                return 1;
        }
        while ((v = atomic_load(&child_tid_word)) != 0) {
                waits++;
                if (futex(&child_tid_word, FUTEX_WAIT, v, &five_s, NULL, 0) < 0 &&
                    errno == ETIMEDOUT) {
                        timed_out = 1;
                        break;
                }
        }
        say("clone: a tid, not the pid %d; the child ran %d; the word cleared %d, waited for it "
            "%d, "
            "woken before the 5 s timeout %d\n",
            r > 0 && r != getpid(), atomic_load(&child_ran), atomic_load(&child_tid_word) == 0,
            waits > 0, !timed_out);
        return 0;
}

/* Which errno Linux gives bad futex and clone requests. */
static int subtest_errors(void) {
        long r;

        errno = 0;
        r = futex((atomic_int *)(uintptr_t)2, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        say("futex on an unaligned word: %ld %s\n", r, err_name(errno));
        errno = 0;
        r = syscall(SYS_clone, CLONE_VM | CLONE_THREAD, NULL, NULL, NULL, 0);
        say("CLONE_THREAD without CLONE_SIGHAND: %ld %s\n", r, err_name(errno));
        return 0;
}

/* --- how a threaded program ends ----------------------------------------------------------------
 */

static void *outliving_worker(void *arg) {
        (void)arg;
        sleep_ms(100);
        say("worker: still running after the main thread exited\n");
        exit(5);
}

/* The main thread exits alone (SYS_exit, as pthread_exit does): the process lives on with its
 * other thread, whose exit(5) is the program's status. */
static int subtest_main_exit(void) {
        pthread_t t;

        pthread_create(&t, NULL, outliving_worker, NULL);
        say("main: exiting alone\n");
        syscall(SYS_exit, 0);
        say("main: not reached\n");
        return 1;
}

static void *exit_group_worker(void *arg) {
        (void)arg;
        sleep_ms(50);
        say("worker: ending the whole program\n");
        syscall(SYS_exit_group, 9);
        return NULL;
}

static void *blocked_worker(void *arg) {
        (void)arg;
        for (;;)
                pause();
        return NULL;
}

/* exit_group from a thread ends every thread at once, the main one blocked in a join. */
static int subtest_exit_group(void) {
        pthread_t t, other;

        pthread_create(&other, NULL, blocked_worker, NULL);
        pthread_create(&t, NULL, exit_group_worker, NULL);
        pthread_join(other, NULL);
        say("main: not reached\n");
        return 1;
}

static const Subtest subtests[] = {
        {"create_join", subtest_create_join},
        {"cap", subtest_cap},
        {"futex", subtest_futex},
        {"preempt", subtest_preempt},
        {"sigmask", subtest_sigmask},
        {"tgkill_blocked", subtest_tgkill_blocked},
        {"cleartid", subtest_cleartid},
        {"main_exit", subtest_main_exit},
        {"exit_group", subtest_exit_group},
        {"errors", subtest_errors},
};

int main(int argc, char **argv) {
        return run_subtest(subtests, sizeof(subtests) / sizeof(subtests[0]), argc, argv);
}

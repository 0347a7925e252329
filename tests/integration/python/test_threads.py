#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Threads in a sandbox: the 64-thread cap fails a start cleanly and the program goes on, and the
static program guest-threads (tests/guest-programs/threads.c: pthreads, a raw clone, raw
futexes) gets what Linux gives it: its output in the sandbox must equal its output run natively
on the host, one exec_threads_SUBTEST case per subtest. Where the sandbox differs from Linux on
purpose (README, "Decisions and known gaps") the case asserts the documented behaviour instead; a
subtest that shows a gap is registered as an expected failure (tests/meson.build, known_failures).

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_threads.py --list
    python/test_threads.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --guest-dir is where the static
guest programs (tests/guest-programs/*.c, built as guest-NAME) are. --snapshot DIR runs every
Python program of the case restored from that snapshot instead of booting cold; static guest
programs can't be (--snapshot excludes --exec-host-file), so their cases are "cold".
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm, or a guest program could not be built).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, run_vm  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case()
def threads_limit(ctx):
    """A program may run 63 threads beside its main one; the next start fails cleanly with
    RuntimeError ("can't start new thread"), and the program goes on."""
    code = (
        "import threading\n"
        "stop = threading.Event()\n"
        "started = []\n"
        "try:\n"
        "    for i in range(100):\n"
        "        t = threading.Thread(target=stop.wait); t.start(); started.append(t)\n"
        "except RuntimeError as e:\n"
        "    print('refused after', len(started), type(e).__name__)\n"
        "stop.set()\n"
        "[t.join() for t in started]\n"
        "t = threading.Thread(target=print, args=('a thread after the others ended',))\n"
        "t.start(); t.join()\n"
    )
    run = run_vm(ctx.vm, code, timeout_ms=20000, memory_mb=1024)
    check(run.exit_code == 0, "the program failed", run)
    check(run.stdout == "refused after 63 RuntimeError\na thread after the others ended\n",
          "unexpected output", run)


# --- guest-threads, natively and in the sandbox ---------------------------------------------------

THREADS_SUBTESTS = {
    "create_join": "60 threads created and joined, twice: each one's result comes back, each has a "
                   "tid of its own, the main thread's tid is the pid.",
    "futex": "FUTEX_WAIT on a changed value (EAGAIN), with a timeout (ETIMEDOUT), on a bad address; "
             "FUTEX_WAKE of one waiter; FUTEX_CMP_REQUEUE waking one of three waiters and moving "
             "two to another word (EAGAIN with a stale value); FUTEX_WAIT_BITSET's absolute deadline.",
    "preempt": "A thread spinning without a syscall does not stop the others: the main thread "
               "sleeps and steps beside it, and two spinners and the main thread all advance (the "
               "sandbox preempts every 10 ms).",
    "sigmask": "Each thread has its own mask, a new thread starts with its creator's; a signal to "
               "the process goes to a thread that does not block it, or waits until one unblocks it.",
    "cleartid": "A raw clone with CLONE_CHILD_CLEARTID: at the child's exit the word is cleared and "
                "the parent waiting on it with FUTEX_WAIT is woken.",
    "main_exit": "The main thread exits alone (SYS_exit): the other thread goes on, and its "
                 "exit(5) is the program's status.",
    "exit_group": "exit_group from a thread ends every thread at once, the main one blocked in a "
                  "join and another in pause(): status 9, nothing more printed.",
    "errors": "The errno of bad requests: FUTEX_WAIT on an unaligned word is EINVAL, CLONE_THREAD "
              "without CLONE_SIGHAND is EINVAL.",
}


CASES.like_native("threads", THREADS_SUBTESTS, timeout_ms=10000)


@case(cold_only=True)
def exec_threads_cap(ctx):
    """The sandbox's cap of 64 threads (README, "What a program sees"; Linux has none this low):
    the 64th pthread_create beside the main thread fails with EAGAIN, and once the others are
    joined a new one starts."""
    run = run_vm(ctx.vm, exec_host_file=ctx.guest_program("threads"), args=["cap"], timeout_ms=10000)
    check(run.exit_code == 0 and run.stdout == "created 63, then EAGAIN\nafter joining them, a new thread: ok\n",
          "the thread cap is not 64 threads, refused with EAGAIN", run)


@case(cold_only=True)
def exec_threads_tgkill_blocked(ctx):
    """A signal sent to one thread (tgkill) while it blocks it: Linux keeps it pending for that
    thread until it unblocks it. The sandbox hands a pending signal to whichever thread runs with
    it unblocked (README, "Decisions and known gaps"), here the main thread, at once."""
    path = ctx.guest_program("threads")
    native = sandbox.run_native(path, ["tgkill_blocked"])
    check(native.returncode == 0 and native.stdout == (
        b"main: after tgkill to the worker, handled in main 0\n"
        b"worker: handled here 0 before unblocking\n"
        b"worker: unblocked, handled here 1, in main 0\n"), f"the native run is not Linux's: {native!r}")
    run = run_vm(ctx.vm, exec_host_file=path, args=["tgkill_blocked"], timeout_ms=10000)
    check(run.exit_code == 0 and run.stdout == (
        "main: after tgkill to the worker, handled in main 1\n"
        "worker: handled here 0 before unblocking\n"
        "worker: unblocked, handled here 0, in main 1\n"), "not the documented delivery", run)


@case(cold_only=True)
def exec_threads_main_exit_quiet(ctx):
    """When the main thread exits alone and the other thread ends the run, the scheduler goes
    back to the dead main thread's stack without loading its (never saved) FPU state: sandboxd-vm
    logs no "Failed to load thread 2's FPU state" (daemon/kernel/scheduler.c, switch_to)."""
    run = run_vm(ctx.vm, exec_host_file=ctx.guest_program("threads"), args=["main_exit"], timeout_ms=10000)
    check(run.exit_code == 5, "the program did not end with its other thread's exit(5)", run)
    stderr = run.raw_stderr.decode("utf-8", "replace")
    check(stderr == "", f"sandboxd-vm logged {stderr!r}", run)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

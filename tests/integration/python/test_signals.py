#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Signals in a sandbox: SIGALRM from alarm/setitimer interrupts code and sleeps, faults reach the
program's handlers (faulthandler's traceback, a static program's siglongjmp), and the static
program guest-signals (tests/guest-programs/signals.c) gets from each signal call what Linux
gives it: its output in the sandbox must equal its output run natively on the host, one
exec_signals_SUBTEST case per subtest. Where the sandbox differs from Linux on purpose (README,
"Decisions and known gaps") the case asserts the documented behaviour instead; a subtest that
shows a gap is registered as an expected failure (tests/meson.build, known_failures).

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_signals.py --list
    python/test_signals.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --guest-dir is where the static
guest programs (tests/guest-programs/*.c, built as guest-NAME) are. --snapshot DIR runs every
Python program of the case restored from that snapshot instead of booting cold; static guest
programs can't be (--snapshot excludes --exec-host-file), so their cases are "cold".
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm, or a guest program could not be built).
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, run_vm  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case(serial=True)
def alarm_signals(ctx):
    """signal.alarm/setitimer raise SIGALRM from the host's timer: the handler interrupts a busy
    loop (run between two instructions of the program's own code) and a sleep, an interval
    timer ticks, the FPU state of the interrupted code survives a handler doing float work, and
    without a handler SIGALRM ends the program."""
    handler = "import signal\ndef h(*a): raise TimeoutError('alarm')\nsignal.signal(signal.SIGALRM, h)\n"
    cases = [
        ("busy loop", handler + "signal.alarm(1)\nn = 0\nwhile True: n += 1\n",
         lambda r: r.exit_code == 1 and r.stderr.endswith("TimeoutError: alarm\n")),
        ("sleep", handler + "import time\nsignal.alarm(1)\ntime.sleep(5)\n",
         lambda r: r.exit_code == 1 and r.stderr.endswith("TimeoutError: alarm\n")),
        ("interval",
         "import signal, time\nticks = []\nsignal.signal(signal.SIGALRM, lambda *a: ticks.append(1))\n"
         "signal.setitimer(signal.ITIMER_REAL, 0.1, 0.1)\nt0 = time.monotonic()\n"
         "while time.monotonic() - t0 < 0.55: pass\nsignal.setitimer(signal.ITIMER_REAL, 0)\n"
         "print(4 <= len(ticks) <= 6, signal.getitimer(signal.ITIMER_REAL))\n",
         lambda r: r.exit_code == 0 and r.stdout == "True (0.0, 0.0)\n"),
        ("fpu preserved",
         "import signal, math\nacc = []\n"
         "signal.signal(signal.SIGALRM, lambda *a: acc.append(sum(math.sqrt(i) for i in range(1000))))\n"
         "signal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)\nx = 0.0\n"
         "for i in range(2_000_000): x += i * 0.5\nsignal.setitimer(signal.ITIMER_REAL, 0)\n"
         "print(x == sum(i * 0.5 for i in range(2_000_000)), len(acc) > 3, len(set(acc)) == 1)\n",
         lambda r: r.exit_code == 0 and r.stdout == "True True True\n"),
        ("default action", "import signal, time\nsignal.alarm(1)\ntime.sleep(5)\n",
         lambda r: r.signal == "SIGALRM" and r.exit_code is None),
    ]
    for name, code, good in cases:
        start = time.monotonic()
        run = run_vm(ctx.vm, code, timeout_ms=5000, deadline_s=30)
        wall = time.monotonic() - start
        check(good(run), f"{name}: unexpected result", run)
        check(wall < 4.0, f"{name}: took {wall:.2f} s; the alarm did not interrupt it", run)


@case(cold_only=True)
def exec_segv_handler(ctx):
    """Faults reach the program's handlers (on an alternate stack, with si_addr and si_code) and
    a handler may leave with siglongjmp, repeatedly: the same output as the program natively."""
    path = ctx.guest_program("segv_handler")
    native = subprocess.run([path], capture_output=True, text=True, timeout=30)
    check(native.returncode == 0, f"the program fails natively: {native!r}")
    run = run_vm(ctx.vm, exec_host_file=path)
    check(run.exit_code == 0 and run.signal is None, "the program did not exit 0", run)
    check(run.stdout == native.stdout, f"differs from the native run {native.stdout!r}", run)
    sandbox.healthy(ctx.vm)


@case()
def faulthandler_traceback(ctx):
    """Python's faulthandler runs on a segmentation fault: its handler prints the Python stack,
    then the program ends with SIGSEGV."""
    run = run_vm(ctx.vm, "import faulthandler, ctypes\nfaulthandler.enable()\nctypes.string_at(0)\n")
    check(run.signal == "SIGSEGV", "the program did not end with SIGSEGV", run)
    check("Fatal Python error: Segmentation fault" in run.stderr and "string_at" in run.stderr,
          "faulthandler printed no Python stack", run)


# --- guest-signals, natively and in the sandbox ---------------------------------------------------

# Each SUBTEST of guest-signals is a case exec_signals_SUBTEST whose output must be the native
# run's. A sandbox stuck where Linux would go on ends at the 5 s timeout (every subtest takes
# well under a second).
SIGNALS_SUBTESTS = {
    "actions": "sigaction with SA_SIGINFO (si_signo, si_code, si_pid, si_uid of tgkill, tkill and "
               "raise), SA_RESETHAND, SA_NODEFER (nested at once, or deferred to the return), sa_mask, "
               "SIG_IGN, and sigaction's errors.",
    "kill": "kill() to oneself: si_code SI_USER with the sender's pid and uid, and the errors of "
            "kill and tgkill (EINVAL for tid 0 or -1).",
    "pending": "sigpending() shows a raised, blocked signal; SIG_IGN discards it. Known gap: the "
               "sandbox's rt_sigpending shows nothing, and setting SIG_IGN keeps the signal pending.",
    "mask": "sigprocmask: a blocked signal is delivered when unblocked, once (standard signals do "
            "not queue), three pending signals in Linux's order, SIGKILL/SIGSTOP never blocked, and "
            "the errors.",
    "rt_queue": "A real-time signal raised three times while blocked runs its handler three times. "
                "Known gap: the sandbox keeps one.",
    "altstack": "sigaltstack: a handler with SA_ONSTACK runs on the alternate stack, one without or "
                "with the stack disabled does not; too small a stack is ENOMEM.",
    "altstack_flags": "What sigaltstack reports: SS_ONSTACK inside the handler (where changing it is "
                      "EPERM), SS_DISABLE once disabled, EINVAL for unknown flags. Known gap: the "
                      "sandbox reports 0, lets it change, accepts any flags.",
    "fault": "SIGSEGV's si_code (SEGV_MAPERR, SEGV_ACCERR) and si_addr for null, unmapped, read-only "
             "and PROT_NONE pages; a handler that mprotects the page and returns has the store run "
             "again.",
    "sigreturn": "rt_sigreturn gives back every general register, xmm0-15, MXCSR and the x87 control "
                 "word, after a handler that clobbers them all: for a signal sent by a syscall, and "
                 "for a timer's signal between two instructions of a loop kept in registers.",
    "timers": "alarm's return value, setitimer(ITIMER_REAL) interrupting nanosleep with EINTR with "
              "or without SA_RESTART (never restarted, signal(7)), si_code SI_KERNEL, an interval "
              "timer's ticks, getitimer, and setitimer's errors.",
    "nanosleep_remaining": "An interrupted nanosleep writes the time left.",
    "read_eintr": "A read blocked on an empty pipe: EINTR when a handler without SA_RESTART runs, "
                  "restarted with SA_RESTART. Known gap: the sandbox's read returns EAGAIN on a "
                  "blocking pipe when a timer's handler runs.",
    "sigsuspend": "sigsuspend returns EINTR once a handler ran.",
    "sigsuspend_mask": "sigsuspend's mask replaces the thread's while it waits. Known gap: the "
                       "sandbox does not apply it (daemon/kernel's syscall table: 'the mask argument "
                       "is not applied'), so the wait for a blocked signal never ends.",
    "sigtimedwait": "rt_sigtimedwait takes a pending blocked signal without running its handler, "
                    "times out with EAGAIN, waits for a timer's. Known gap: ENOSYS in the sandbox.",
}


CASES.like_native("signals", SIGNALS_SUBTESTS, timeout_ms=5000)


@case(cold_only=True)
def exec_signals_cpu_timers(ctx):
    """The CPU-time interval timers (ITIMER_VIRTUAL, ITIMER_PROF) are not kept: EINVAL, as the
    README says under "Decisions and known gaps" (Linux keeps them)."""
    path = ctx.guest_program("signals")
    native = sandbox.run_native(path, ["cpu_timers"])
    check(native.returncode == 0 and native.stdout == b"ITIMER_VIRTUAL: ok\nITIMER_PROF: ok\n",
          f"the native run is not Linux's: {native!r}")
    run = run_vm(ctx.vm, exec_host_file=path, args=["cpu_timers"], timeout_ms=5000)
    check(run.exit_code == 0 and run.stdout == "ITIMER_VIRTUAL: EINVAL\nITIMER_PROF: EINVAL\n",
          "the CPU-time timers are not refused with EINVAL as documented", run)


@case(cold_only=True)
def exec_signals_signalfd(ctx):
    """signalfd reads a blocked signal as Linux does, or, while the sandbox lacks it, fails the way
    the sandbox fails every call it does not implement: ENOSYS, counted in
    usage.unimplemented_syscalls (README, security layers)."""
    path = ctx.guest_program("signals")
    native = sandbox.run_native(path, ["signalfd"])
    check(native.returncode == 0 and native.stdout.startswith(b"empty: -1 EAGAIN\n"),
          f"the native run is not Linux's: {native!r}")
    run = run_vm(ctx.vm, exec_host_file=path, args=["signalfd"], timeout_ms=5000)
    check(run.exit_code == 0, "the program failed", run)
    if run.stdout != sandbox.as_guest_text(native.stdout):
        check(run.stdout == "signalfd: ENOSYS\n" and run.usage.get("unimplemented_syscalls", 0) >= 1,
              f"neither the native run's output {native.stdout!r} nor a counted ENOSYS", run)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

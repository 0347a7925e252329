#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Signals in a Python sandbox: SIGALRM from alarm/setitimer interrupts code and sleeps, faults reach
the program's handlers (faulthandler's traceback, a static program's siglongjmp).

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


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

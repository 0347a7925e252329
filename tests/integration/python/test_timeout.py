#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The time limit of a Python sandbox: a busy loop, a sleep, spinning or deadlocked threads all end
at the deadline with the output written before; a program within it is not cut off.

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_timeout.py --list
    python/test_timeout.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --guest-dir is where the static
guest programs (tests/guest-programs/*.c, built as guest-NAME) are. --snapshot DIR runs every
Python program of the case restored from that snapshot instead of booting cold; static guest
programs can't be (--snapshot excludes --exec-host-file), so their cases are "cold".
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm, or a guest program could not be built).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, run_vm  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case(serial=True)
def timeout_busy_loop(ctx):
    """The issue's bound: `while True: pass` with a 1 s timeout ends the whole sandboxd-vm run in
    under 2 s (start-up included), says timed_out, and keeps what was written before the loop."""
    start = time.monotonic()
    run = run_vm(ctx.vm, "print('before the loop', flush=True)\nwhile True:\n    pass\n", timeout_ms=1000, deadline_s=30)
    wall = time.monotonic() - start
    check(run.timed_out is True, "timed_out is not true", run)
    check(wall < 2.0, f"the run took {wall:.2f} s, expected < 2 s", run)
    check(run.stdout == "before the loop\n", "the output written before the loop was lost", run)
    check(run.exit_code != 0, "a timed-out program reports exit code 0", run)
    sandbox.healthy(ctx.vm)


@case(serial=True, restored_only=True)
def timeout_keeps_buffered_output(ctx):
    """What a program printed without flushing reaches the result when it times out: the host
    sends the runner SIGXCPU at the deadline and the runner flushes Python's buffers, spinning,
    sleeping, or with its own handler that ignores the warning (the hard stop then follows)."""
    programs = {
        "spinning": "print('x')\nwhile True:\n    pass\n",
        "sleeping": "import sys, time\nprint('out')\nprint('err', file=sys.stderr)\ntime.sleep(600)\n",
        "many lines": "for i in range(1000):\n    print(i)\nwhile True:\n    pass\n",
    }
    expected = {
        "spinning": ("x\n", ""),
        "sleeping": ("out\n", "err\n"),
        "many lines": ("".join(f"{i}\n" for i in range(1000)), ""),
    }
    for name, code in programs.items():
        run = run_vm(ctx.vm, code, timeout_ms=500, deadline_s=30)
        check(run.timed_out is True, f"{name}: timed_out is not true", run)
        check((run.stdout, run.stderr) == expected[name], f"{name}: the buffered output was lost", run)
        check(run.exit_code is None and run.signal is None, f"{name}: a timeout has an exit status", run)
    # A program that handles SIGXCPU itself and goes on is stopped all the same.
    start = time.monotonic()
    run = run_vm(ctx.vm, "import signal\nsignal.signal(signal.SIGXCPU, lambda *a: print('warned', flush=True))\n"
                 "while True:\n    pass\n", timeout_ms=500, deadline_s=30)
    check(run.timed_out is True and run.stdout == "warned\n", "its own handler did not run once", run)
    check(time.monotonic() - start < 2.0, "the hard stop did not follow the warning", run)


@case(serial=True)
def timeout_blocked_sleep(ctx):
    """A guest blocked in a sleep (not spinning) is stopped by the timeout too."""
    start = time.monotonic()
    run = run_vm(ctx.vm, "import time\nprint('sleeping', flush=True)\ntime.sleep(600)\n", timeout_ms=1000, deadline_s=30)
    wall = time.monotonic() - start
    check(run.timed_out is True, "timed_out is not true", run)
    check(wall < 2.0, f"the run took {wall:.2f} s, expected < 2 s", run)
    check(run.stdout == "sleeping\n", "the output written before the sleep was lost", run)


@case(serial=True)
def timeout_with_threads(ctx):
    """Threads don't escape the timeout: a thread spinning forever while the main thread waits
    for it, and two threads deadlocked on each other's locks, both end at the deadline, from the
    host, with what was written before."""
    programs = {
        "spinning thread": (
            "import threading\n"
            "def spin():\n"
            "    while True: pass\n"
            "t = threading.Thread(target=spin); t.start()\n"
            "print('started', flush=True)\n"
            "t.join()\n"),
        "deadlock": (
            "import threading, time\n"
            "a, b = threading.Lock(), threading.Lock()\n"
            "def one():\n"
            "    with a:\n"
            "        time.sleep(0.05)\n"
            "        with b: pass\n"
            "def two():\n"
            "    with b:\n"
            "        time.sleep(0.05)\n"
            "        with a: pass\n"
            "ts = [threading.Thread(target=f) for f in (one, two)]\n"
            "[t.start() for t in ts]\n"
            "print('started', flush=True)\n"
            "[t.join() for t in ts]\n"),
    }
    for name, code in programs.items():
        start = time.monotonic()
        run = run_vm(ctx.vm, code, timeout_ms=1000, deadline_s=30)
        wall = time.monotonic() - start
        check(run.timed_out is True, f"{name}: timed_out is not true", run)
        check(wall < 2.0, f"{name}: the run took {wall:.2f} s, expected < 2 s", run)
        check(run.stdout == "started\n", f"{name}: the output before the wait was lost", run)
    sandbox.healthy(ctx.vm)


@case(serial=True)
def timeout_not_hit(ctx):
    run = run_vm(ctx.vm, "import time\ntime.sleep(0.2)\nprint('done')", timeout_ms=5000)
    check(run.stdout == "done\n" and run.exit_code == 0 and run.timed_out is False, "a short program was cut off", run)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

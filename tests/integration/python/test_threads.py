#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Threads in a Python sandbox: the 64-thread cap fails a start cleanly and the program goes on.

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


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Processes in a Python sandbox: until a sandbox runs more than one, spawning one fails plainly.

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_processes.py --list
    python/test_processes.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

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
def subprocess_refused_plainly(ctx):
    """Until a sandbox runs processes, fork/spawn fails with ENOSYS (not EAGAIN, which invites a
    retry) and stderr says why, once, whatever the program does with its fd 2."""
    code = (
        "import errno, os, subprocess, sys\n"
        "print(os.system('ls'))\n"
        "try:\n"
        "    subprocess.run(['true'])\n"
        "except OSError as e:\n"
        "    print(errno.errorcode[e.errno])\n"
        "try:\n"
        "    os.fork()\n"
        "except OSError as e:\n"
        "    print(errno.errorcode[e.errno])\n"
    )
    run = run_vm(ctx.vm, code)
    check(run.exit_code == 0, "the program failed", run)
    check(run.stdout == "32512\nENOSYS\nENOSYS\n", "not ENOSYS from every spawn", run)
    check(run.stderr == "sandboxd: this sandbox runs a single process: fork, vfork, clone of a new "
          "process and execve are not available\n", "stderr does not say it once, plainly", run)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

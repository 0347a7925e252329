#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The memory limit of a Python sandbox: a large allocation or a gradual one ends in MemoryError or
memory_limit_hit, never past the limit; unmapped memory is the program's again.

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_memory.py --list
    python/test_memory.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

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


def _memory_outcome(run, limit_mb):
    raised = run.exit_code == 1 and "MemoryError" in run.stderr
    check(raised or run.memory_limit_hit, "neither a MemoryError (exit 1) nor memory_limit_hit", run)
    check("survived" not in run.stdout, "the program got more memory than its limit", run)
    peak = run.usage.get("peak_memory_bytes")
    check(isinstance(peak, int) and peak <= limit_mb << 20,
          f"usage.peak_memory_bytes {peak} exceeds the {limit_mb} MiB limit", run)


@case(serial=True, timeout=120)
def memory_1g_bytearray(ctx):
    """bytearray(1 GiB) under a 256 MiB limit. The pages are touched too, so a host that only
    refuses memory when it is used, not when it is mapped, is held to the limit as well."""
    code = "b = bytearray(1 << 30)\nfor i in range(0, len(b), 4096):\n    b[i] = 1\nprint('survived')\n"
    run = run_vm(ctx.vm, code, memory_mb=256, timeout_ms=60000, deadline_s=100)
    _memory_outcome(run, 256)
    sandbox.healthy(ctx.vm)


@case(serial=True, timeout=120)
def memory_gradual(ctx):
    """Growing a list of filled 1 MiB blocks until MemoryError: the program may catch it and go
    on (prints 'caught', exit 0), or the host stops it (memory_limit_hit)."""
    code = (
        "blocks = []\n"
        "try:\n"
        "    while True:\n"
        "        blocks.append(b'\\x01' * (1 << 20))\n"
        "        if len(blocks) > 2048:\n"
        "            print('survived')\n"
        "            break\n"
        "except MemoryError:\n"
        "    n = len(blocks)\n"
        "    del blocks\n"
        "    print('caught', n >= 64)\n"
    )
    run = run_vm(ctx.vm, code, memory_mb=256, timeout_ms=60000, deadline_s=100)
    check("survived" not in run.stdout, "the program got more memory than its limit", run)
    caught = run.exit_code == 0 and run.stdout == "caught True\n"
    check(caught or run.memory_limit_hit, "neither a caught MemoryError nor memory_limit_hit", run)
    sandbox.healthy(ctx.vm)


@case(serial=True, timeout=120)
def munmap_gives_memory_back(ctx):
    """Memory a program unmaps is its own again: 40 rounds of mmap, fill and munmap of 16 MiB
    (640 MiB in all) fit in 128 MiB, as on Linux; an unmapped page is gone (SIGSEGV), and a
    new mapping reads as zeros though it is made of the pages just unmapped."""
    code = (
        "import ctypes, mmap\n"
        "for i in range(40):\n"
        "    m = mmap.mmap(-1, 16 << 20)\n"
        "    m.write(bytes([i + 1]) * (16 << 20))\n"
        "    m.close()\n"
        "m = mmap.mmap(-1, 16 << 20)\n"
        "print('fresh', m[:] == bytes(16 << 20))\n"
        "address = ctypes.addressof(ctypes.c_char.from_buffer(m))\n"
        "m.close()\n"
        "print('unmapped', flush=True)\n"
        "print(ctypes.string_at(address, 1))\n"
    )
    run = run_vm(ctx.vm, code, memory_mb=128, timeout_ms=60000, deadline_s=100)
    check(not run.memory_limit_hit, "unmapped memory still counts against the limit", run)
    check(run.stdout == "fresh True\nunmapped\n", "a new mapping is not all zeros, or the program "
          "did not get that far", run)
    check(run.signal == "SIGSEGV", "reading an unmapped page did not fault", run)
    sandbox.healthy(ctx.vm)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

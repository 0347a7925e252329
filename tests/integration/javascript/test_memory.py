#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The memory limit of a JavaScript sandbox: buffers, the V8 heap and ArrayBuffers past it end in a
catchable error or memory_limit_hit, never past the limit.

One case per invocation, each its own meson test (tests/meson.build registers every case as
js-NAME, and again restored as js-snap-NAME unless it is cold_only):

    javascript/test_memory.py --list
    javascript/test_memory.py [--vm PATH] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --snapshot DIR restores
every run of the case from that (JavaScript) snapshot instead of booting node cold.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
from sandbox import check  # noqa: E402

CASES = cases.Cases()
case = CASES.case


def _memory_outcome(r, limit_mb):
    """memory_limit_hit, or the process died of it (a signal, or a non-zero exit) and said so."""
    check("survived" not in r.stdout, "the program got more memory than its limit", r)
    died = r.signal is not None or (r.exit_code not in (0, None))
    check(r.memory_limit_hit or died, "neither memory_limit_hit nor a process that died", r)
    check(not r.timed_out, "the memory hog ran into the timeout instead of the memory limit", r)
    peak = r.usage.get("peak_memory_bytes")
    check(isinstance(peak, int) and peak <= limit_mb << 20,
          f"usage.peak_memory_bytes {peak} exceeds the {limit_mb} MiB limit", r)


@case(serial=True, timeout=120)
def memory_hog_buffers(ctx):
    """Filled 16 MiB Buffers (outside V8's heap) kept until failure, under --memory-mb 128."""
    code = ("const keep = [];\n"
            "for (let i = 0; i < 4096; i++) keep.push(Buffer.alloc(16 << 20, 1));\n"
            "console.log('survived');\n")
    r = ctx.run(code, memory_mb=128, timeout_ms=60000, deadline_s=100)
    _memory_outcome(r, 128)
    ctx.healthy()


@case(serial=True, timeout=120)
def memory_hog_heap(ctx):
    """Small objects on V8's heap until failure, under --memory-mb 128."""
    code = ("const keep = [];\n"
            "for (let i = 0; i < 1e9; i++) keep.push({ i, s: 'x'.repeat(64) + i });\n"
            "console.log('survived');\n")
    r = ctx.run(code, memory_mb=128, timeout_ms=60000, deadline_s=100)
    _memory_outcome(r, 128)
    ctx.healthy()


@case(serial=True, timeout=120)
def memory_array_buffer_caught(ctx):
    """ArrayBuffer allocations beyond the limit fail with a RangeError the program can catch."""
    code = ("const keep = [];\n"
            "try { for (let i = 0; i < 4096; i++) keep.push(new Uint8Array(16 << 20).fill(1)); console.log('survived'); }\n"
            "catch (e) { const n = keep.length; keep.length = 0; console.log('caught', e.name, n >= 2); }\n")
    r = ctx.run(code, memory_mb=128, timeout_ms=60000, deadline_s=100)
    caught = r.stdout == "caught RangeError true\n" and r.exit_code == 0
    if not caught:  # or the host stopped it first
        _memory_outcome(r, 128)
    ctx.healthy()


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "javascript"))

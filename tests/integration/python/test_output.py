#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The output cap of a Python sandbox: output past it is dropped (truncated: true) without growing
the worker's memory, it counts both streams, and output under it arrives whole.

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_output.py --list
    python/test_output.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

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


def _baseline_rss_kib(ctx):
    return run_vm(ctx.vm, "print(1)").maxrss_kib


@case(serial=True, timeout=180)
def output_100mb_chunks(ctx):
    """100 MiB written as 100 writes of one 1 MiB string, with --max-output-bytes 1 MiB: the
    result keeps exactly the first 1 MiB and says truncated. What this bounds: the guest itself
    needs only a few MiB here, so if the worker kept (or JSON-encoded) the whole output its peak
    RSS would grow by >= 100 MiB over a print(1) run; we allow 64 MiB of growth."""
    code = "import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(100):\n    sys.stdout.write(chunk)\nsys.stdout.flush()\n"
    baseline = _baseline_rss_kib(ctx)
    run = run_vm(ctx.vm, code, max_output_bytes=1 << 20, timeout_ms=60000, deadline_s=150)
    check(run.truncated is True, "truncated is not true", run)
    check(run.stdout == "x" * (1 << 20), f"stdout is {len(run.stdout)} chars, expected exactly the first 1 MiB", run)
    check(len(run.stdout) + len(run.stderr) <= 1 << 20, "more than --max-output-bytes kept", run)
    growth = run.maxrss_kib - baseline
    print(f"worker peak RSS: print(1) {baseline} KiB, this run {run.maxrss_kib} KiB")
    check(growth < 64 << 10, f"worker peak RSS grew by {growth} KiB over a print(1) run ({baseline} KiB)", run)
    sandbox.healthy(ctx.vm)


@case(serial=True, timeout=180)
def output_100mb_single_write(ctx):
    """The issue's literal case: sys.stdout.write('x' * (100 << 20)) under --memory-mb 512 and
    --max-output-bytes 1 MiB. The 100 MiB string and its encoded copy live in guest memory, which
    is the worker's own memory, so RSS here is dominated by the guest (bounded by --memory-mb);
    the bound below (baseline + 512 MiB + 64 MiB) only catches an output buffer that grows on
    top of that. output_100mb_chunks is the sharp test of the output cap."""
    baseline = _baseline_rss_kib(ctx)
    run = run_vm(ctx.vm, "import sys; sys.stdout.write('x' * (100 << 20))", memory_mb=512,
                 max_output_bytes=1 << 20, timeout_ms=60000, deadline_s=150)
    check(run.truncated is True, "truncated is not true", run)
    check(run.stdout == "x" * (1 << 20), f"stdout is {len(run.stdout)} chars, expected exactly the first 1 MiB", run)
    growth = run.maxrss_kib - baseline
    print(f"worker peak RSS: print(1) {baseline} KiB, this run {run.maxrss_kib} KiB")
    check(growth < (512 + 64) << 10, f"worker peak RSS grew by {growth} KiB over a print(1) run", run)
    sandbox.healthy(ctx.vm)


@case()
def output_under_limit(ctx):
    """3 MiB of output under a 4 MiB cap arrives whole, not truncated."""
    code = "import sys\nfor i in range(3 * 1024):\n    sys.stdout.write(format(i, '08d') * 128)\n"
    run = run_vm(ctx.vm, code, max_output_bytes=4 << 20)
    expected = "".join(format(i, "08d") * 128 for i in range(3 * 1024))
    check(run.truncated is False, "truncated is true under the cap", run)
    check(run.stdout == expected, f"stdout is {len(run.stdout)} chars, expected {len(expected)}", run)


@case()
def output_cap_counts_both_streams(ctx):
    """The cap counts stdout and stderr together (protocol/limits.h)."""
    code = "import sys\nsys.stdout.write('o' * 6000); sys.stdout.flush()\nsys.stderr.write('e' * 6000)\n"
    run = run_vm(ctx.vm, code, max_output_bytes=10000)
    check(run.truncated is True, "truncated is not true", run)
    check(len(run.stdout) + len(run.stderr) <= 10000, "more than the cap kept in total", run)
    check(run.stdout == "o" * 6000, "stdout, written first, was not kept whole", run)


@case()
def output_zero_limit(ctx):
    """--max-output-bytes 0 keeps nothing but still says there was output."""
    run = run_vm(ctx.vm, "print('something')", max_output_bytes=0)
    check(run.stdout == "" and run.stderr == "", "output kept despite a cap of 0", run)
    check(run.truncated is True, "truncated is not true", run)
    check(run.exit_code == 0, "the program did not finish normally", run)


@case(serial=True, cold_only=True)
def exec_bigwrite(ctx):
    """10 MiB through write(2) under a 1 MiB cap."""
    run = run_vm(ctx.vm, exec_host_file=ctx.guest_program("bigwrite"), max_output_bytes=1 << 20)
    check(run.truncated is True, "truncated is not true", run)
    check(run.stdout == "x" * (1 << 20), f"stdout is {len(run.stdout)} chars, expected exactly 1 MiB of 'x'", run)
    check(run.exit_code in (0, 2) or run.signal in ("SIGPIPE", "SIGKILL"), "unexpected end of the program", run)
    sandbox.healthy(ctx.vm)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Guests and callers that misbehave: crashing static programs end with their signal, hostile
syscall arguments fail with an errno, bad command lines are refused, and the worker stays healthy
after each.

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_misbehaving.py --list
    python/test_misbehaving.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --guest-dir is where the static
guest programs (tests/guest-programs/*.c, built as guest-NAME) are. --snapshot DIR runs every
Python program of the case restored from that snapshot instead of booting cold; static guest
programs can't be (--snapshot excludes --exec-host-file), so their cases are "cold".
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm, or a guest program could not be built).
"""

import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, run_vm  # noqa: E402

CASES = cases.Cases()
case = CASES.case


def signal_number(name):
    return int(getattr(signal, name))


def _crash_case(name, signal_name):
    def run_crash(ctx):
        run = run_vm(ctx.vm, exec_host_file=ctx.guest_program(name))
        check(run.signal == signal_name, f"signal is {run.signal!r}, expected {signal_name!r}", run)
        n = signal_number(signal_name)
        check(run.exit_code in (None, 128 + n), f"exit_code is {run.exit_code!r}, expected null or {128 + n}", run)
        check(run.timed_out is False, "a crash was reported as a timeout", run)
        sandbox.healthy(ctx.vm)

    run_crash.__name__ = f"exec_{name}"
    case(cold_only=True)(run_crash)


_crash_case("segv", "SIGSEGV")


_crash_case("ud", "SIGILL")


_crash_case("div0", "SIGFPE")


_crash_case("abort", "SIGABRT")


_crash_case("stack_overflow", "SIGSEGV")


@case(cold_only=True)
def exec_badptr(ctx):
    """Hostile syscall arguments: the guest survives, every call fails with an errno, the worker
    answers. The list of calls must match a native run of the same binary; differences in which
    errno are printed for information only."""
    program = ctx.guest_program("badptr")
    native = subprocess.run([program], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    check(native.returncode == 0 and native.stdout.endswith("done\n"), f"the native run failed: {native!r}")
    native_lines = dict(line.split("=") for line in native.stdout.splitlines()[:-1])
    run = run_vm(ctx.vm, exec_host_file=program)
    check(run.exit_code == 0 and run.signal is None, "the guest did not exit 0", run)
    lines = run.stdout.splitlines()
    check(lines and lines[-1] == "done", "the guest did not get to the end", run)
    seen = {}
    for line in lines[:-1]:
        name, _, value = line.partition("=")
        check(value.isdigit(), f"malformed line {line!r}", run)
        seen[name] = int(value)
    check(list(seen) == list(native_lines), "the guest's calls differ from the native run's", run)
    succeeded = [name for name, err in seen.items() if err == 0]
    check(not succeeded, f"calls that must fail succeeded in the guest: {succeeded}", run)
    differ = [f"{n}: guest {seen[n]} native {native_lines[n]}" for n in seen if str(seen[n]) != native_lines[n]]
    if differ:
        print(f"note: {len(differ)} calls fail with another errno than natively:\n  " + "\n  ".join(differ))
    sandbox.healthy(ctx.vm)


@case()
def bad_invocations(ctx):
    """sandboxd-vm's own errors: non-zero exit status and a message on stderr, no crash."""
    bad = [
        ["run", "--language", "cobol", "--code", "x"],
        ["run", "--language", "python"],
        ["run", "--language", "python", "--code", "print(1)", "--timeout-ms", "abc"],
        ["run", "--language", "python", "--code", "print(1)", "--timeout-ms", "0"],
        ["run", "--language", "python", "--code", "print(1)", "--memory-mb", "1"],
        ["run", "--language", "python", "--code", "print(1)", "--max-output-bytes", "-5"],
        ["run", "--language", "python", "--code", "print(1)", "--env", "NOEQUALS"],
        ["run", "--language", "python", "--code", "print(1)", "--stdin-file", "/nonexistent/stdin"],
        ["run", "--language", "python", "--code", "print(1)", "--bogus-flag"],
        ["frobnicate"],
        [],
    ]
    if ctx.snapshot:
        # The same mistakes on the restore path, plus one of its own.
        bad = [argv + ["--snapshot", ctx.snapshot] if argv[:1] == ["run"] else argv for argv in bad]
        bad.append(["run", "--language", "python", "--code", "print(1)", "--snapshot", ctx.snapshot,
                    "--exec-host-file", "/bin/true"])
    for argv in bad:
        proc = subprocess.run([ctx.vm] + argv, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
        check(proc.returncode > 0, f"{argv}: exit status {proc.returncode}, expected a failure (> 0, not a signal)"
              f"\n  stdout {proc.stdout[:300]!r}\n  stderr {proc.stderr[:300]!r}")
        check(proc.stderr.strip(), f"{argv}: no message on stderr")
    sandbox.healthy(ctx.vm)


@case(timeout=120)
def healthy_after_misbehaviour(ctx):
    """A sequence of bad guests, each followed by a normal one, in one test."""
    bad = [
        ("import os; os.kill(os.getpid(), 9)", {}),
        ("import ctypes; ctypes.string_at(0)", {}),
        ("raise SystemExit(255)", {}),
        ("import sys; sys.setrecursionlimit(10**6)\ndef f(n): return f(n + 1)\nf(0)", {}),
        ("x = [0] * (1 << 40)", {"memory_mb": 64}),
        ("import os; os.close(1); os.close(2); print('gone')", {}),
    ]
    for code, limits in bad:
        run = run_vm(ctx.vm, code, timeout_ms=10000, **limits)
        check(run.exit_code != 0 or run.signal is not None or run.memory_limit_hit,
              f"the misbehaving program {code!r} reported success", run)
        sandbox.healthy(ctx.vm)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What a Python sandbox answers: stdout, stderr and the exit status, kept apart and intact; the
result object's fields; exit codes, uncaught exceptions, output that is not valid UTF-8.

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_results.py --list
    python/test_results.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --guest-dir is where the static
guest programs (tests/guest-programs/*.c, built as guest-NAME) are. --snapshot DIR runs every
Python program of the case restored from that snapshot instead of booting cold; static guest
programs can't be (--snapshot excludes --exec-host-file), so their cases are "cold".
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm, or a guest program could not be built).
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, run_host, run_vm  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case()
def print_42(ctx):
    run = run_vm(ctx.vm, "print(6*7)")
    check(run.stdout == "42\n", "stdout is not '42\\n'", run)
    check(run.stderr == "", "stderr is not empty", run)
    check(run.exit_code == 0 and run.signal is None, "exit is not a clean 0", run)
    check(not run.timed_out and not run.memory_limit_hit and not run.truncated, "a limit flag is set", run)


@case()
def result_fields(ctx):
    """All documented fields, with sane values; runtime_version is the image's python3.11, which
    is the host's (the image is built from the host's packages)."""
    run = run_vm(ctx.vm, "import sys; print('%d.%d.%d' % sys.version_info[:3])")
    host_version = subprocess.run(
        [sandbox.HOST_PYTHON, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    check(run.language == "python", "result.language is not 'python'", run)
    check(run.runtime_version == host_version, f"runtime_version is not {host_version}", run)
    check(run.stdout.strip() == run.runtime_version, "runtime_version differs from the guest's sys.version_info", run)
    timing, usage = run.timing, run.usage
    for key in ("total_ms", "run_ms"):
        check(isinstance(timing.get(key), (int, float)) and not isinstance(timing.get(key), bool),
              f"timing.{key} is missing or not a number", run)
        check(timing[key] >= 0, f"timing.{key} is negative", run)
    check(timing["run_ms"] <= timing["total_ms"] + 1e-3, "timing.run_ms > timing.total_ms", run)
    check(timing["total_ms"] <= run.wall_s * 1000 + 50, "timing.total_ms exceeds the measured wall time", run)
    check(isinstance(usage.get("cpu_ms"), (int, float)) and usage["cpu_ms"] >= 0, "usage.cpu_ms is missing or negative", run)
    peak = usage.get("peak_memory_bytes")
    check(isinstance(peak, int) and not isinstance(peak, bool) and peak > 0,
          "usage.peak_memory_bytes is missing or not a positive integer", run)


@case()
def exit_code_3(ctx):
    run = run_vm(ctx.vm, "import sys; sys.exit(3)")
    check(run.exit_code == 3 and run.signal is None, "exit code is not 3", run)
    check(run.stdout == "" and run.stderr == "", "unexpected output", run)


@case()
def uncaught_exception(ctx):
    """Exit 1, the traceback on stderr exactly as `python3.11 -c` prints it, streams kept apart."""
    code = "import sys\nprint('to stdout')\nprint('to stderr', file=sys.stderr)\nraise ValueError('boom')\n"
    run = run_vm(ctx.vm, code)
    host = run_host(code)
    check(run.exit_code == 1, "exit code is not 1", run)
    check(run.stdout == "to stdout\n", "stdout is not exactly the printed line", run)
    check(run.stderr.startswith("to stderr\nTraceback (most recent call last):\n"), "stderr does not start with the line and a traceback", run)
    check('File "<string>", line 4, in <module>' in run.stderr, "the traceback does not name <string> line 4", run)
    check(run.stderr.endswith("ValueError: boom\n"), "stderr does not end with the exception", run)
    check(run.stderr == sandbox.as_guest_text(host.stderr), f"stderr differs from the host's {host.stderr!r}", run)


@case()
def streams_separate(ctx):
    """Interleaved writes to both streams land each in its own field, in order."""
    code = (
        "import os, sys\n"
        "for i in range(50):\n"
        "    print(f'out {i}', flush=True)\n"
        "    print(f'err {i}', file=sys.stderr, flush=True)\n"
        "os.write(1, b'fd1\\n'); os.write(2, b'fd2\\n')\n"
    )
    run = run_vm(ctx.vm, code)
    check(run.stdout == "".join(f"out {i}\n" for i in range(50)) + "fd1\n", "stdout is wrong", run)
    check(run.stderr == "".join(f"err {i}\n" for i in range(50)) + "fd2\n", "stderr is wrong", run)


@case()
def non_utf8_output(ctx):
    """Output that is not valid UTF-8 arrives as a string with U+FFFD in place of each maximal
    invalid subsequence, exactly as Python's bytes.decode('utf-8', 'replace') does (which is also
    what test_python_compare assumes of every program's output)."""
    raw_out = b"ok \xff\xfe\xc3 end \xe2\x82 x \xf0\x9f\x98\x80 \xed\xa0\x80 \xc0\xaf z\n"
    raw_err = b"\x80err\xf4\x90\x80\x80\n"
    code = f"import sys; sys.stdout.buffer.write({raw_out!r}); sys.stderr.buffer.write({raw_err!r})"
    run = run_vm(ctx.vm, code)
    check(run.stdout == raw_out.decode("utf-8", "replace"), f"stdout is not {raw_out.decode('utf-8', 'replace')!r}", run)
    check(run.stderr == raw_err.decode("utf-8", "replace"), f"stderr is not {raw_err.decode('utf-8', 'replace')!r}", run)


@case()
def utf8_split_across_writes(ctx):
    """A character whose bytes arrive in separate write(2) calls, interleaved with the other
    stream, is still one character."""
    code = "import os\nos.write(1, b'\\xe2'); os.write(2, b'\\xf0\\x9f'); os.write(1, b'\\x82\\xac\\n'); os.write(2, b'\\x98\\x80\\n')\n"
    run = run_vm(ctx.vm, code)
    check(run.stdout == "\u20ac\n" and run.stderr == "\U0001f600\n", "a split character was not put back together", run)


@case(cold_only=True)
def exec_hello(ctx):
    run = run_vm(ctx.vm, exec_host_file=ctx.guest_program("hello"))
    check(run.stdout == "hello\n" and run.exit_code == 7 and run.signal is None, "expected 'hello\\n' and exit 7", run)


@case(cold_only=True)
def exec_exit_group(ctx):
    run = run_vm(ctx.vm, exec_host_file=ctx.guest_program("exit_group"))
    check(run.stdout == "bye\n", "stdout is not exactly 'bye\\n' (stdio's unflushed buffer must be lost)", run)
    check(run.exit_code == 3 and run.signal is None, "exit code is not 3", run)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`python3 -c` semantics that a runner (the restore path) must reproduce: the __main__ module, the
frame stack, and exit status 120 when stdout can't be flushed, as on the host.

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_like_python_c.py --list
    python/test_like_python_c.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --guest-dir is where the static
guest programs (tests/guest-programs/*.c, built as guest-NAME) are. --snapshot DIR runs every
Python program of the case restored from that snapshot instead of booting cold; static guest
programs can't be (--snapshot excludes --exec-host-file), so their cases are "cold".
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm, or a guest program could not be built).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, run_host, run_vm, last_json_line  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case()
def main_module_like_python_c(ctx):
    """The program's __main__ looks as under `python3.11 -c` on the host: the same globals
    (__annotations__, __loader__ included) and sys.orig_argv[1:] == ['-c', CODE, *ARGS].
    Harmless introspection, so the host runs it too."""
    code = (
        "import sys, json\n"
        "print(json.dumps({\n"
        "    'globals': sorted(globals()),\n"
        "    '__loader__': repr(__loader__), '__spec__': repr(__spec__), '__name__': __name__,\n"
        "    '__doc__': __doc__, '__builtins__': type(__builtins__).__name__,\n"
        "    'orig_argv[1:]': sys.orig_argv[1:],\n"
        "    'argv': sys.argv, 'path[0]': sys.path[0],\n"
        "    'main module': sys.modules['__main__'].__dict__ is globals(),\n"
        "}, indent=1, sort_keys=True))\n"
    )
    compare_with_host(ctx, code, ["one", "two"])


@case()
def stack_like_python_c(ctx):
    """No frame below the program's, as under `python3.11 -c`: traceback.format_stack() and
    sys._getframe().f_back show nothing of a runner. Restored runs don't hold this yet (the
    runner's frames are below the program's; see README, known gaps), so the snapshot variant
    is registered as an expected failure: it turns into a failure when fixed."""
    code = (
        "import sys, json, traceback\n"
        "print(json.dumps({\n"
        "    'f_back is None': sys._getframe().f_back is None,\n"
        "    'format_stack frames': len(traceback.format_stack()),\n"
        "}, sort_keys=True))\n"
    )
    compare_with_host(ctx, code, [])


def compare_with_host(ctx, code, args):
    host = run_host(code, args=args)
    check(host.returncode == 0, f"the host run failed: {host!r}")
    run = run_vm(ctx.vm, code, args=args)
    check(run.exit_code == 0, "the program failed", run)
    expected, seen = json.loads(host.stdout), last_json_line_or_all(run)
    differ = [f"  {k}: host {expected[k]!r:.300}, guest {seen.get(k)!r:.300}" for k in expected if seen.get(k) != expected[k]]
    check(not differ, "differs from `python3.11 -c` on the host:\n" + "\n".join(differ), run)


@case()
def stdout_closed_like_python_c(ctx):
    """When flushing stdout fails at exit, `python3 -c` prints "Exception ignored in: <stdout
    ...>" and exits 120, whatever the program's own status; so must every guest. The programs
    only close their own fds, so the host runs them too."""
    programs = [
        "import os; os.close(1); print('gone')",
        "import os; os.close(1); os.close(2); print('gone')",
        "import os, sys; os.close(1); print('gone'); sys.exit(3)",
        "import os; print('kept', flush=True); os.close(1); print('lost')",
    ]
    for code in programs:
        host = run_host(code)
        run = run_vm(ctx.vm, code)
        check(run.signal is None and run.exit_code == host.returncode,
              f"{code!r}: exit code {run.exit_code}, python3.11 -c on the host exits {host.returncode}", run)
        check(run.stdout == sandbox.as_guest_text(host.stdout) and run.stderr == sandbox.as_guest_text(host.stderr),
              f"{code!r}: output differs from the host's stdout {host.stdout!r} stderr {host.stderr!r}", run)


def last_json_line_or_all(run):
    """The whole stdout as JSON (for indented output), else its last line."""
    try:
        return json.loads(run.stdout)
    except json.JSONDecodeError:
        return last_json_line(run)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

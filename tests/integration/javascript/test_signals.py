#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Signals in a JavaScript sandbox: those a program sends itself end it as on Linux (node's own
re-raising handlers included), and its handlers run instead when it installs some.

One case per invocation, each its own meson test (tests/meson.build registers every case as
js-NAME, and again restored as js-snap-NAME unless it is cold_only):

    javascript/test_signals.py --list
    javascript/test_signals.py [--vm PATH] [--snapshot DIR] CASE

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


def _ends_with_signal(ctx, code, sig):
    r = ctx.run(code + "\nsetTimeout(() => console.log('still alive'), 200);\n")
    check(r.signal == sig and "still alive" not in r.stdout, f"{code!r}: signal is {r.signal!r}, expected {sig!r}", r)


@case()
def self_signals(ctx):
    """Signals a program sends itself, for which node keeps the default action, end it as on
    Linux; process.abort() is SIGABRT."""
    for sig in ("SIGKILL", "SIGHUP", "SIGUSR2", "SIGALRM"):
        _ends_with_signal(ctx, f"process.kill(process.pid, '{sig}');", sig)
    _ends_with_signal(ctx, "process.abort();", "SIGABRT")
    ctx.healthy()


@case()
def self_signals_reraised(ctx):
    """SIGTERM and SIGINT end the program with that signal, as on Linux. node handles both itself
    (a handler installed with SA_RESETHAND that restores the terminal and raises the signal again
    from inside the handler, where it is blocked until the handler returns)."""
    for sig in ("SIGTERM", "SIGINT"):
        _ends_with_signal(ctx, f"process.kill(process.pid, '{sig}');", sig)
    ctx.healthy()


@case()
def signal_handler_runs(ctx):
    """A handler the program installs runs instead of the default action, as often as signalled."""
    r = ctx.run("let n = 0;\nprocess.on('SIGTERM', (s) => { console.log('handled', s, ++n); process.exitCode = 4; });\n"
                "process.on('SIGUSR2', (s) => console.log('handled', s));\n"
                "process.kill(process.pid, 'SIGTERM');\nsetTimeout(() => { process.kill(process.pid, 'SIGTERM'); "
                "process.kill(process.pid, 'SIGUSR2'); }, 20);\nsetTimeout(() => console.log('after'), 100);\n")
    check(r.stdout == "handled SIGTERM 1\nhandled SIGTERM 2\nhandled SIGUSR2\nafter\n" and r.exit_code == 4
          and r.signal is None, "the program's own signal handlers did not run as expected", r)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "javascript"))

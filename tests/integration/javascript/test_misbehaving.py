#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""JavaScript guests that misbehave (infinite loops, memory hogs, crashes): each fails its own run
only, and the worker stays healthy after each.

One case per invocation, each its own meson test (tests/meson.build registers every case as
js-NAME, and again restored as js-snap-NAME unless it is cold_only):

    javascript/test_misbehaving.py --list
    javascript/test_misbehaving.py [--vm PATH] [--snapshot DIR] CASE

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


@case(timeout=180)
def healthy_after_misbehaviour(ctx):
    """A sequence of bad guests, each followed by a normal one."""
    bad = [
        ("process.kill(process.pid, 'SIGKILL')", {}),
        ("process.abort()", {}),
        ("process.exit(255)", {}),
        ("function f(n) { return f(n + 1) + 1; } f(0);", {}),
        ("const a = []; for (;;) a.push(new Array(1e6).fill(1));", {"memory_mb": 64}),
        ("while (true) {}", {"timeout_ms": 500}),
    ]
    for code, limits in bad:
        limits.setdefault("timeout_ms", 15000)
        r = ctx.run(code, **limits)
        check(r.exit_code != 0 or r.signal is not None or r.memory_limit_hit or r.timed_out,
              f"the misbehaving program {code!r} reported success", r)
        ctx.healthy()


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "javascript"))

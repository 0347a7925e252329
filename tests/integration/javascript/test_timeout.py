#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The time limit of a JavaScript sandbox: a busy loop and pending work end at the deadline with the
output written before; a program within it is not cut off.

One case per invocation, each its own meson test (tests/meson.build registers every case as
js-NAME, and again restored as js-snap-NAME unless it is cold_only):

    javascript/test_timeout.py --list
    javascript/test_timeout.py [--vm PATH] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --snapshot DIR restores
every run of the case from that (JavaScript) snapshot instead of booting node cold.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
from sandbox import check  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case(serial=True)
def timeout_busy_loop(ctx):
    """while(true){} with a 1 s timeout: timed_out, the output before the loop kept, and the whole
    run ends well before the harness's own deadline."""
    start = time.monotonic()
    r = ctx.run("console.log('before the loop');\nwhile (true) {}\n", timeout_ms=1000, deadline_s=30)
    wall = time.monotonic() - start
    check(r.timed_out is True, "timed_out is not true", r)
    check(wall < 5.0, f"the run took {wall:.2f} s for a 1 s timeout", r)
    check(r.stdout == "before the loop\n", "the output written before the loop was lost", r)
    check(r.exit_code != 0, "a timed-out program reports exit code 0", r)
    ctx.healthy()


@case(serial=True)
def timeout_pending_work(ctx):
    """The timeout also ends a program that is idle but never done (an interval keeps the event
    loop alive), and one whose Worker spins forever."""
    programs = {
        "interval": "console.log('started'); setInterval(() => {}, 1000);",
        "spinning worker": ("const { Worker } = require('worker_threads');\n"
                            "new Worker('while (true) {}', { eval: true }).on('online', () => console.log('started'));\n"),
        "async loop": "console.log('started'); (async () => { for (;;) await null; })();",
    }
    for name, code in programs.items():
        start = time.monotonic()
        r = ctx.run(code, timeout_ms=1500, deadline_s=30)
        wall = time.monotonic() - start
        check(r.timed_out is True, f"{name}: timed_out is not true", r)
        check(wall < 5.0, f"{name}: the run took {wall:.2f} s for a 1.5 s timeout", r)
        check(r.stdout == "started\n", f"{name}: the output before the wait was lost", r)
    ctx.healthy()


@case(serial=True)
def timeout_not_hit(ctx):
    r = ctx.run("setTimeout(() => console.log('done'), 200);", timeout_ms=5000)
    check(r.stdout == "done\n" and r.exit_code == 0 and r.timed_out is False, "a short program was cut off", r)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "javascript"))

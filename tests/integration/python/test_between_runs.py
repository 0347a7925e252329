#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Python sandboxes apart from each other: files of one run are not in the next, no two runs draw
the same random values, and every run reads the host's clock.

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_between_runs.py --list
    python/test_between_runs.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --guest-dir is where the static
guest programs (tests/guest-programs/*.c, built as guest-NAME) are. --snapshot DIR runs every
Python program of the case restored from that snapshot instead of booting cold; static guest
programs can't be (--snapshot excludes --exec-host-file), so their cases are "cold".
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm, or a guest program could not be built).
"""

import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
from sandbox import check, run_vm, last_json_line  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case()
def tmp_not_shared_between_runs(ctx):
    """Each sandbox gets its own /tmp and home: what one run writes, the next run does not see."""
    name = f"persist-{uuid.uuid4()}"
    first = run_vm(ctx.vm, f"open('/tmp/{name}', 'w').write('x'); open('/home/sandbox/{name}', 'w').write('x'); print('written')")
    check(first.stdout == "written\n", "the first run could not write its files", first)
    second = run_vm(ctx.vm, f"import os; print(os.path.exists('/tmp/{name}'), os.path.exists('/home/sandbox/{name}'), '{name}' in os.listdir('/tmp'))")
    check(second.stdout == "False False False\n", "a file written by an earlier sandbox is visible", second)


@case()
def entropy_differs(ctx):
    """Every sandbox starts from the same memory but must not repeat random values (DESIGN §6)."""
    code = (
        "import os, random, uuid, tempfile, json\n"
        "print(json.dumps([os.urandom(16).hex(), random.getrandbits(64), str(uuid.uuid4()),\n"
        "                  os.path.basename(tempfile.NamedTemporaryFile().name)]))\n"
    )
    # Not checked: hash('abc'). Python fixes its str hash secret at start-up, before the
    # snapshot, so restored sandboxes may share it.
    first = last_json_line(run_vm(ctx.vm, code))
    second = last_json_line(run_vm(ctx.vm, code))
    for label, a, b in zip(["urandom", "random", "uuid4", "tempfile"], first, second):
        check(a != b, f"two sandboxes produced the same {label}: {a!r}")


@case()
def clock_is_host(ctx):
    before = time.time()
    run = run_vm(ctx.vm, "import time, json; print(json.dumps([time.time(), time.monotonic() >= 0]))")
    after = time.time()
    guest_time, ok = last_json_line(run)
    check(ok is True, "time.monotonic() is negative", run)
    check(before - 1 <= guest_time <= after + 1, f"guest time {guest_time} not within the host's [{before}, {after}]", run)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

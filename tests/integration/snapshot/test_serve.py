#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`sandboxd-vm serve`, the pool's worker: it doesn't leak over many requests of every kind, and it
refuses a request in another language than its snapshot's and goes on.

One case per invocation, each its own meson test (tests/meson.build registers every case by its
name, in the suite 'snapshot'):

    snapshot/test_serve.py --list
    snapshot/test_serve.py [--vm PATH] --snapshot DIR CASE

--list prints "NAME serial|parallel TIMEOUT_S" per case. DIR is the python_snapshot target; cases
that damage or edit a snapshot work on copies in a temporary directory.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check  # noqa: E402

# The snapshot (--snapshot, required) is what the cases test: no twins, no default for run_vm.
CASES = cases.Cases(twins=False)
case = CASES.case


def _worker_usage(pid):
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/status") as f:
        status = f.read()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    check(match, f"no VmRSS in /proc/{pid}/status")
    return fds, int(match.group(1))


LEAK_REQUESTS = 1000


def _leak_request(i):
    """Request number i (1-based) of the leak test, and a check of its answer."""
    if i % 50 == 7:
        return b'{"language": "python", "code": ', "malformed"
    if i % 50 == 17:
        return {"language": "python", "code": "print(1)", "timout_ms": 5}, "unknown field"
    if i % 25 == 3:
        return {"code": "while True:\n    pass\n", "timeout_ms": 1}, "timeout"
    if i % 25 == 11:
        return {"code": "import sys\nsys.stdout.write('y' * (3 << 20))\n", "max_output_bytes": 1 << 20}, "big"
    if i % 25 == 19:
        return {"code": "raise KeyError('boom')"}, "exception"
    if i % 25 == 23:
        return {"code": "import os\nfds = [os.open('/tmp/f%d' % n, os.O_CREAT | os.O_WRONLY) for n in range(40)]\n"
                        "b = bytearray(20 << 20)\nprint(len(fds))\n"}, "fds"
    return {"code": "print(1)"}, "print"


@case(serial=True, timeout=180)
def serve_no_leaks(ctx):
    """1000 requests through one `serve` process (print(1), malformed lines, unknown fields,
    1 ms timeouts, 3 MiB outputs cut to 1 MiB, exceptions, 40 open files and 20 MB each): every
    answer is right, and the worker's fd count and RSS after request 1000 match those after
    request 50 (fds equal, RSS grown < 16 MiB). Measured while the worker waits for the next
    request, so the VM it holds ready is in the same state each time."""
    start = time.monotonic()
    samples = {}
    kinds = {}
    with sandbox.ServeWorker(ctx.vm, ctx.snapshot, deadline_s=30) as worker:
        for i in range(1, LEAK_REQUESTS + 1):
            params, kind = _leak_request(i)
            kinds[kind] = kinds.get(kind, 0) + 1
            if isinstance(params, bytes):
                answer = worker.send_line(params)
                check(isinstance(answer, dict) and "error" in answer,
                      f"request {i}: a malformed line was not answered with an error: {answer!r}")
                continue
            if kind == "unknown field":
                answer = worker.request(params, expect_ok=False)
                check(isinstance(answer, dict) and "error" in answer and "timout_ms" in json.dumps(answer),
                      f"request {i}: an unknown field was not refused naming it: {answer!r}")
                continue
            run = worker.request(params)
            if kind == "print":
                ok = run.stdout == "1\n" and run.exit_code == 0
            elif kind == "timeout":
                ok = run.timed_out is True and run.exit_code is None
            elif kind == "big":
                ok = run.truncated is True and run.stdout == "y" * (1 << 20)
            elif kind == "exception":
                ok = run.exit_code == 1 and run.stderr.endswith("KeyError: 'boom'\n")
            else:
                ok = run.stdout == "40\n" and run.exit_code == 0
            check(ok, f"request {i} ({kind}): wrong answer", run)
            if i in (50, 500, LEAK_REQUESTS):
                samples[i] = _worker_usage(worker.pid)
                print(f"after request {i}: {samples[i][0]} fds, VmRSS {samples[i][1]} KiB, "
                      f"{time.monotonic() - start:.1f} s")
    fds_50, rss_50 = samples[50]
    fds_end, rss_end = samples[LEAK_REQUESTS]
    print(f"requests by kind: {kinds}")
    check(fds_end == fds_50, f"the worker's fds grew from {fds_50} (request 50) to {fds_end} (request {LEAK_REQUESTS})")
    growth = rss_end - rss_50
    check(growth < 16 << 10, f"the worker's RSS grew by {growth} KiB between request 50 ({rss_50} KiB) and "
          f"request {LEAK_REQUESTS} ({rss_end} KiB)")
    print(f"ok: {LEAK_REQUESTS} requests in {time.monotonic() - start:.1f} s; RSS growth {growth} KiB")


@case()
def serve_other_language(ctx):
    """A `serve` worker of the Python snapshot asked to run JavaScript answers with the
    unsupported-language error and goes on serving."""
    with sandbox.ServeWorker(ctx.vm, ctx.snapshot, deadline_s=30) as worker:
        answer = worker.request({"language": "javascript", "code": "console.log(1)"}, expect_ok=False)
        error = answer.get("error", {}) if isinstance(answer, dict) else {}
        check(error.get("code") == -32001 and error.get("data", {}).get("kind") == "unsupported_language"
              and error.get("data", {}).get("field") == "language",
              f"a JavaScript request was not refused as another language: {answer!r}")
        run = worker.request({"code": "print(2)"})
        check(run.stdout == "2\n" and run.exit_code == 0, "the next request failed", run)


if __name__ == "__main__":
    sys.exit(cases.snapshot_main(CASES, __doc__))

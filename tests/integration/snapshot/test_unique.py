#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Restored sandboxes are unique (DESIGN.md §6): every run restored from the same snapshot draws its
own random values, UUIDs and temporary names, and reads the host's clock.

One case per invocation, each its own meson test (tests/meson.build registers every case by its
name, in the suite 'snapshot'):

    snapshot/test_unique.py --list
    snapshot/test_unique.py [--vm PATH] --snapshot DIR CASE

--list prints "NAME serial|parallel TIMEOUT_S" per case. DIR is the python_snapshot target; cases
that damage or edit a snapshot work on copies in a temporary directory.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, clean_exit, run_vm, last_json_line  # noqa: E402

# The snapshot (--snapshot, required) is what the cases test: no twins, no default for run_vm.
CASES = cases.Cases(twins=False)
case = CASES.case


UNIQUE_CODE = r"""
import json, os, random, secrets, tempfile, time, uuid
t0 = time.monotonic()
time.sleep(0.2)
slept = time.monotonic() - t0
print(json.dumps({
    'random': random.random(),
    'urandom': os.urandom(16).hex(),
    'uuid4': str(uuid.uuid4()),
    'token_hex': secrets.token_hex(),
    'mktemp': tempfile.mktemp(),
    'time': time.time(),
    'slept': slept,
}))
"""

UNIQUE_KEYS = ["random", "urandom", "uuid4", "token_hex", "mktemp"]


def _check_unique_sample(sample, before, after, what, run):
    check(set(sample) == set(UNIQUE_KEYS) | {"time", "slept"}, f"{what}: unexpected keys {sorted(sample)}", run)
    check(before - 2 <= sample["time"] <= after + 2,
          f"{what}: guest time.time() {sample['time']:.3f} is not within 2 s of the host's "
          f"[{before:.3f}, {after:.3f}] (the snapshot's clock?)", run)
    check(0.2 <= sample["slept"] < 1.0,
          f"{what}: time.sleep(0.2) took {sample['slept']:.4f} s by the guest's time.monotonic(), "
          f"expected >= 0.2 and < 1", run)


@case(serial=True)
def unique_restores(ctx):
    """Four sandboxes restored from one snapshot (two `run --snapshot`, two requests of one
    `serve`) draw different random numbers, urandom bytes, UUIDs, secrets and temp names, and
    read the host's current clock, not the one frozen in the snapshot. The snapshot is made at
    least 5 s old first, so a restored clock would be off by more than the 2 s allowed."""
    age = time.time() - os.stat(os.path.join(ctx.snapshot, "state")).st_mtime
    if age < 5:
        time.sleep(5 - age)
    samples = []
    for i in range(2):
        before = time.time()
        run = run_vm(ctx.vm, UNIQUE_CODE, snapshot=ctx.snapshot, timeout_ms=10000)
        after = time.time()
        clean_exit(run, f"run --snapshot #{i + 1}")
        sample = last_json_line(run)
        _check_unique_sample(sample, before, after, f"run --snapshot #{i + 1}", run)
        samples.append((f"run --snapshot #{i + 1}", sample))
    with sandbox.ServeWorker(ctx.vm, ctx.snapshot) as worker:
        for i in range(2):
            before = time.time()
            run = worker.request({"code": UNIQUE_CODE, "timeout_ms": 10000})
            after = time.time()
            clean_exit(run, f"serve request #{i + 1}")
            sample = last_json_line(run)
            _check_unique_sample(sample, before, after, f"serve request #{i + 1}", run)
            samples.append((f"serve request #{i + 1}", sample))
    for key in UNIQUE_KEYS:
        values = [(label, s[key]) for label, s in samples]
        seen = {}
        for label, value in values:
            check(value not in seen, f"{label} and {seen.get(value)} produced the same {key}: {value!r}\n"
                  f"  all samples: {json.dumps(samples, indent=1)}")
            seen[value] = label
    print("ok: " + ", ".join(f"{k}: {len(samples)} distinct" for k in UNIQUE_KEYS))


if __name__ == "__main__":
    sys.exit(cases.snapshot_main(CASES, __doc__))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Snapshot-path benchmark (issue: snapshots). Measures, in one run:

  - restore: a new VM restored from the snapshot and warmed up (the first of each of a few
    `serve` workers), and the reset in place of a used VM (every later one), as `serve` reports
    them (the ready frame's prepare_ms): the pool's work before a request arrives;
  - run: for print(1) (console.log(1) with --language javascript), the time from handing a
    ready VM its request to having the result (measured by this client over the pipe), and the
    worker's own run_ms;
  - exits per run, and the private memory (not shared with the page cache) of a worker holding
    one ready VM;
  - bare `/usr/bin/python3.11 -c 'print(1)'` (or `/usr/bin/node -e 'console.log(1)'`)
    subprocesses, alternating, as the baseline.

A benchmark: it prints figures and asserts nothing about clocks.

    tests/bench/snapshot_run.py [--vm build/daemon/worker/sandboxd-vm] [--runs 300]
                                [--language python|javascript] [--snapshot DIR]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import DEFAULT_VM, LANGUAGES, percentile


def private_kib(pid):
    """Memory the worker holds for itself: dirty private pages (its heap, the VM's copy-on-write
    copies and page tables). Clean file pages are the page cache (image, snapshot memory),
    shared by every worker mapping the same files, so they are not counted."""
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Private_Dirty:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vm", default=DEFAULT_VM)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--language", choices=LANGUAGES, default="python")
    parser.add_argument("--snapshot", help="use this snapshot (of --language) instead of making one")
    args = parser.parse_args()
    language = LANGUAGES[args.language]

    tmp = tempfile.TemporaryDirectory()
    snapshot = args.snapshot
    if not snapshot:
        snapshot = os.path.join(tmp.name, args.language)
        start = time.perf_counter()
        subprocess.run([args.vm, "snapshot", "--language", args.language, "--out", snapshot],
                       check=True, stderr=subprocess.DEVNULL)
        print(f"snapshot made in {(time.perf_counter() - start) * 1000:.0f} ms")

    def start_worker():
        return subprocess.Popen([args.vm, "serve", "--snapshot", snapshot], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, bufsize=1)

    fresh = []
    for i in range(12):  # the first few warm the page cache
        w = start_worker()
        ready = json.loads(w.stdout.readline())
        if i >= 2:
            fresh.append(ready["prepare_ms"])
        w.stdin.close()
        w.wait()

    worker = start_worker()
    request = json.dumps({"language": args.language, "code": language.code}) + "\n"
    restore, client, run_ms, exits, private, host = [], [], [], [], [], []
    for i in range(args.runs + 10):
        ready = json.loads(worker.stdout.readline())
        if i >= 10:  # the first few warm the page cache
            if not ready.get("reset"):
                sys.exit(f"the worker restored a new VM instead of resetting its own: {ready!r}")
            restore.append(ready["prepare_ms"])
            if i % 10 == 0:
                private.append(private_kib(worker.pid))
        start = time.perf_counter()
        worker.stdin.write(request)
        result = json.loads(worker.stdout.readline())
        elapsed = (time.perf_counter() - start) * 1000
        if result.get("stdout") != "1\n":
            sys.exit(f"unexpected result: {result!r}")
        if i >= 10:
            client.append(elapsed)
            run_ms.append(result["timing"]["run_ms"])
            exits.append(result["usage"]["exits"])
            host.append(language.baseline())
    worker.stdin.close()
    worker.wait()

    def row(name, values, unit="ms"):
        print(f"{name:52s} median {statistics.median(values):8.3f} {unit}   "
              f"p99 {percentile(values, 99):8.3f} {unit}")

    print(f"{language.code}, {args.runs} runs, one `serve` worker, its VM reset after each")
    row(f"host: {' '.join(language.host)} '{language.code}' (wall)", host)
    row("restore + warm-up of a new VM (prepare_ms)", fresh)
    row("reset of the used VM in place (prepare_ms)", restore)
    row("request -> result from a ready VM (client, wall)", client)
    row("guest run_ms (worker)", run_ms)
    print(f"{'exits per run':52s} median {statistics.median(exits):8.0f}")
    print(f"{'private (dirty) memory of a worker with a ready VM':52s} median "
          f"{statistics.median(private) / 1024:8.1f} MiB")
    ratio = statistics.median(host) / statistics.median(client)
    label = f"host {language.bare} {language.host[1]} / request on a ready VM"
    print(f"{label:52s} {ratio:8.1f}x")


if __name__ == "__main__":
    main()

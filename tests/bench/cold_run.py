#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cold-path benchmark: `sandboxd-vm run` of print(1) against a bare host python3.11 -c, in the
same run, alternating so both see the same machine state. Prints medians and p99 in ms, and the
guest's exits and syscalls per run. A benchmark, never a test: it prints figures, it asserts
nothing about clocks.

    tests/bench/cold_run.py [--vm build/daemon/worker/sandboxd-vm] [--runs 50]
"""
import argparse
import json
import statistics
import sys

from benchlib import DEFAULT_VM, percentile, time_command as timed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vm", default=DEFAULT_VM)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--code", default="print(1)")
    args = parser.parse_args()

    host, guest, guest_run, exits, syscalls = [], [], [], [], []
    for _ in range(3):  # warm the page cache and the image mapping
        timed([args.vm, "run", "--language", "python", "--code", args.code])
        timed(["/usr/bin/python3.11", "-c", args.code])
    for _ in range(args.runs):
        ms, _ = timed(["/usr/bin/python3.11", "-c", args.code])
        host.append(ms)
        ms, out = timed([args.vm, "run", "--language", "python", "--code", args.code])
        result = json.loads(out)
        if result["stdout"] != "1\n" and args.code == "print(1)":
            sys.exit(f"unexpected guest output: {result!r}")
        guest.append(ms)
        guest_run.append(result["timing"]["run_ms"])
        exits.append(result["usage"]["exits"])
        syscalls.append(result["usage"]["syscalls"])

    def row(name, values):
        print(f"{name:44s} median {statistics.median(values):8.2f} ms   p99 {percentile(values, 99):8.2f} ms")

    print(f"cold run of {args.code!r}, {args.runs} runs each, alternating")
    row("host: /usr/bin/python3.11 -c (wall)", host)
    row("guest: sandboxd-vm run (wall, whole process)", guest)
    row("guest: run_ms (boot ld.so + python + code)", guest_run)
    print(f"{'guest exits per run':44s} median {statistics.median(exits):8.0f}")
    print(f"{'guest syscalls per run':44s} median {statistics.median(syscalls):8.0f}")
    print(f"{'ratio guest wall / host wall':44s} {statistics.median(guest) / statistics.median(host):8.2f}x")


if __name__ == "__main__":
    main()

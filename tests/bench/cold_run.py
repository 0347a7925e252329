#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cold-path benchmark: `sandboxd-vm run` of print(1) against a bare host python3.11 -c (with
--language javascript: console.log(1) against a bare host node -e), in the same run, alternating
so both see the same machine state. Prints medians and p99 in ms, and the guest's exits,
syscalls and page faults per run. A benchmark, never a test: it prints figures, it asserts
nothing about clocks.

    tests/bench/cold_run.py [--vm build/daemon/worker/sandboxd-vm] [--runs 50]
                            [--language python|javascript] [--code CODE]
"""
import argparse
import json
import statistics
import sys

from benchlib import DEFAULT_VM, LANGUAGES, percentile, time_command as timed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vm", default=DEFAULT_VM)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--language", choices=LANGUAGES, default="python")
    parser.add_argument("--code", help="default: print(1), or console.log(1) for javascript")
    args = parser.parse_args()
    language = LANGUAGES[args.language]
    code = args.code if args.code is not None else language.code
    host_argv = language.host + [code]
    guest_argv = [args.vm, "run", "--language", args.language, "--code", code]

    host, guest, guest_run, exits, syscalls, faults = [], [], [], [], [], []
    for _ in range(3):  # warm the page cache and the image mapping
        timed(guest_argv)
        timed(host_argv)
    for _ in range(args.runs):
        ms, _ = timed(host_argv)
        host.append(ms)
        ms, out = timed(guest_argv)
        result = json.loads(out)
        if result["stdout"] != "1\n" and code == language.code:
            sys.exit(f"unexpected guest output: {result!r}")
        guest.append(ms)
        guest_run.append(result["timing"]["run_ms"])
        exits.append(result["usage"]["exits"])
        syscalls.append(result["usage"]["syscalls"])
        faults.append(result["usage"]["page_faults"])

    def row(name, values):
        print(f"{name:44s} median {statistics.median(values):8.2f} ms   p99 {percentile(values, 99):8.2f} ms")

    print(f"cold run of {code!r}, {args.runs} runs each, alternating")
    row(f"host: {' '.join(language.host)} (wall)", host)
    row("guest: sandboxd-vm run (wall, whole process)", guest)
    row(f"guest: run_ms (boot ld.so + {language.interpreter} + code)", guest_run)
    print(f"{'guest exits per run':44s} median {statistics.median(exits):8.0f}")
    print(f"{'guest syscalls per run':44s} median {statistics.median(syscalls):8.0f}")
    print(f"{'guest page faults served per run':44s} median {statistics.median(faults):8.0f}")
    print(f"{'ratio guest wall / host wall':44s} {statistics.median(guest) / statistics.median(host):8.2f}x")


if __name__ == "__main__":
    main()

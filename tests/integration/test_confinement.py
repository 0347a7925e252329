#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The worker's seccomp filter: what the worker does under it works, and a call outside it kills
the worker at once (SIGSYS). Every `run` and `serve` of the other suites also runs under it.

    test_confinement.py --vm PATH --snapshot DIR CASE
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


@case
def forbidden_syscall_kills(args):
    """Past confinement the worker opens a host file on purpose: the filter must kill it."""
    proc = subprocess.run([args.vm, "run", "--language", "python", "--code", "print(1)",
                           "--test-forbidden-syscall"], capture_output=True, timeout=30,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != -signal.SIGSYS:
        fail(f"expected death by SIGSYS, got status {proc.returncode}; stderr {proc.stderr[-300:]!r}")


@case
def serve_is_confined(args):
    """A serving worker runs under the filter (Seccomp: 2 in /proc/PID/status) and serves
    requests that use every path: output, streaming, timeouts, memory limits, files."""
    worker = subprocess.Popen([args.vm, "serve", "--snapshot", args.snapshot],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(worker.stdout.readline())
        if not ready.get("ready"):
            fail(f"no ready line: {ready!r}")
        with open(f"/proc/{worker.pid}/status") as f:
            mode = [line.split()[1] for line in f if line.startswith("Seccomp:")]
        if mode != ["2"]:
            fail(f"the worker is not under a seccomp filter: Seccomp {mode}")
        requests = [
            ({"code": "print(6*7)"}, lambda r: r.get("stdout") == "42\n"),
            ({"code": "import sys; print('x', file=sys.stderr); sys.exit(3)", "stream": True},
             lambda r: r.get("exit_code") == 3 and r.get("stderr") == "x\n"),
            ({"code": "while True: pass", "timeout_ms": 300}, lambda r: r.get("timed_out") is True),
            ({"code": "b = bytearray(1 << 30)", "memory_mb": 256},
             lambda r: r.get("memory_limit_hit") or "MemoryError" in r.get("stderr", "")),
            ({"code": "open('/tmp/f', 'w').write('y' * 100000); print(len(open('/tmp/f').read()))"},
             lambda r: r.get("stdout") == "100000\n"),
            ({"code": "import time; time.sleep(0.05); print(round(time.time()) > 0)"},
             lambda r: r.get("stdout") == "True\n"),
        ]
        for params, good in requests:
            params["language"] = "python"
            worker.stdin.write(json.dumps(params) + "\n")
            worker.stdin.flush()
            while True:
                line = json.loads(worker.stdout.readline())
                if "output" not in line:
                    break
            if not good(line):
                fail(f"request {params!r} gave {line!r}")
            if not json.loads(worker.stdout.readline()).get("ready"):
                fail("the worker did not restore its next VM")
        worker.stdin.close()
        if worker.wait(timeout=30) != 0:
            fail(f"the worker exited with {worker.returncode}")
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vm")
    parser.add_argument("--snapshot")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("case", nargs="?")
    args = parser.parse_args()
    if args.list:
        print("\n".join(CASES))
        return
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP: /dev/kvm is not usable")
        sys.exit(77)
    CASES[args.case](args)
    print("ok")


if __name__ == "__main__":
    main()

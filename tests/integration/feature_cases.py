# SPDX-License-Identifier: MIT
"""What the per-feature integration tests share (test_streams.py, test_cwd.py, test_script_name.py,
test_piped_stdin.py, test_client_output.py, test_rough_edges.py): case registration, the command
line meson calls them with, and the ways a case reaches the sandbox: a real sandboxd on a private
socket (test_daemon.Daemon), sandboxctl against it, `sandboxd-vm run` cold or from the build's
snapshots, and the host's interpreters to compare with.

    test_FEATURE.py --list
    test_FEATURE.py --daemon PATH --sandboxctl PATH --vm PATH --snapshot-dir DIR CASE

--list prints "NAME serial|parallel TIMEOUT_S" per case for tests/meson.build. --snapshot-dir
holds python-snapshot and javascript-snapshot (the build's snapshot targets).

Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm; CI counts a skip as a failure).
"""

import argparse
import json
import os
import subprocess
import sys
import time
import traceback

import test_daemon
from sandbox import GUEST_ENV, HOST_NODE, HOST_PYTHON

EXIT_SKIP = 77
Failure = test_daemon.Failure
check = test_daemon.check


def case(cases, timeout=90, serial=False):
    def register(func):
        cases[func.__name__] = (func, timeout, serial)
        return func

    return register


class Context:
    def __init__(self, opts):
        self.daemon = opts.daemon
        self.sandboxctl = opts.sandboxctl
        self.vm = opts.vm
        self.snapshot_dir = opts.snapshot_dir

    def snapshot(self, language):
        return os.path.join(self.snapshot_dir, f"{language}-snapshot")

    def with_daemon(self, func, args=()):
        """Runs func(daemon) against a fresh sandboxd (one worker per language), stopped after."""
        test_daemon.with_daemon(func, self, args=args, pool_size=1)

    def ctl(self, daemon, *args, stdin=b"", timeout=60):
        """sandboxctl against `daemon` (None: no --socket). stdin: bytes piped in, or a file
        object (a terminal) given as is."""
        argv = [self.sandboxctl] + (["--socket", daemon.socket] if daemon else []) + list(args)
        env = dict(os.environ)
        env.pop("SANDBOXD_SOCKET", None)
        if isinstance(stdin, bytes):
            return subprocess.run(argv, input=stdin, capture_output=True, env=env, timeout=timeout)
        return subprocess.run(argv, stdin=stdin, capture_output=True, env=env, timeout=timeout)

    def vm_run(self, language, code, *extra, snapshot=True):
        """`sandboxd-vm run` (from the build's snapshot, or cold): the CompletedProcess."""
        argv = [self.vm, "run", "--language", language, "--code", code, *extra]
        if snapshot:
            argv += ["--snapshot", self.snapshot(language)]
        return subprocess.run(argv, capture_output=True, timeout=120)


def host_run(argv, cwd, env=None, stdin=b""):
    """A host interpreter the way the guest runs programs: the guest's environment, in cwd."""
    full_env = dict(GUEST_ENV)
    full_env.update(env or {})
    return subprocess.run(argv, input=stdin, capture_output=True, env=full_env, cwd=cwd,
                          timeout=60)


def host_interpreter(language):
    return HOST_PYTHON if language == "python" else HOST_NODE


def execute(client, language, code, **params):
    """One execute over a test_daemon.Client: the whole response and the notifications before
    it, each with the time it arrived (seconds after the request was sent)."""
    start = time.monotonic()
    client.request("execute", dict(language=language, code=code, **params))
    timed = []
    while True:
        message = client.read_line()
        at = time.monotonic() - start
        if isinstance(message, dict) and "method" in message and "id" not in message:
            timed.append((at, message))
            continue
        return message, timed, at


def main(cases):
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--daemon")
    parser.add_argument("--sandboxctl")
    parser.add_argument("--vm")
    parser.add_argument("--snapshot-dir")
    parser.add_argument("case", nargs="?")
    opts = parser.parse_args()
    if opts.list:
        for name, (_, timeout, serial) in cases.items():
            print(name, "serial" if serial else "parallel", timeout)
        return 0
    if opts.case not in cases:
        parser.error(f"unknown case {opts.case!r}")
    for what in ("daemon", "sandboxctl", "vm"):
        path = getattr(opts, what)
        if not path or not os.access(path, os.X_OK):
            print(f"{what} not found at {path!r}", file=sys.stderr)
            return 1
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP: /dev/kvm is not usable here")
        return EXIT_SKIP
    try:
        cases[opts.case][0](Context(opts))
    except Failure as e:
        print(f"FAIL {opts.case}: {e}", file=sys.stderr)
        return 1
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        return 1
    print(f"PASS {opts.case}")
    return 0


def dumps(value):
    return json.dumps(value)[:3000]

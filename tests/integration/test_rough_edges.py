#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The rough edges a new user met first (issue 11, item 8), through the real daemon: integer
fields take integral JSON reals (1000.0, what many encoders send) and refuse others, an env
variable set twice is named, the socket file goes away when the daemon stops, and the README's
Python helper works with stream=True. Run with --list or a case name (feature_cases.py)."""

import os
import re
import sys

import test_daemon
from feature_cases import case, check, dumps, execute, main

CASES = {}
README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")


@case(CASES)
def integral_reals_and_named_env(ctx):
    def run(d):
        c = d.connect()
        r, _, _ = execute(c, "python", "print(1)", timeout_ms=1000.0, memory_mb=64.0,
                          max_output_bytes=1e3)
        check(r.get("result", {}).get("stdout") == "1\n", "integral reals refused", dumps(r))
        for field, value in (("timeout_ms", 1000.5), ("memory_mb", 64.25),
                             ("max_output_bytes", -1.0), ("timeout_ms", 0.0)):
            r, _, _ = execute(c, "python", "print(1)", **{field: value})
            check(r.get("error", {}).get("code") == -32602
                  and r["error"]["data"].get("field") == field, f"{field}: {value} accepted",
                  dumps(r))
        r, _, _ = execute(c, "python", "", env=["A=1", "DEBUG=1", "DEBUG=2"])
        check(r.get("error", {}).get("message") == "environment variable DEBUG set twice"
              and r["error"]["data"] == {"kind": "invalid_params", "field": "env[2]"},
              "the variable set twice is not named", dumps(r))

    ctx.with_daemon(run)


@case(CASES)
def socket_removed_at_stop(ctx):
    d = test_daemon.Daemon(ctx.daemon, pool_size=1)
    try:
        d.wait_ready()
        check(os.path.exists(d.socket), "no socket file while running")
        d.stop()
        check(not os.path.exists(d.socket), "the socket file stayed after a clean stop",
              d.log_text())
    finally:
        d.cleanup()


@case(CASES)
def readme_helper_with_stream(ctx):
    """The README's helper, as printed there, with stream=True: the answer, not a notification."""
    with open(README) as f:
        text = f.read()
    block = re.search(r"### From an agent, in Python.*?```python\n(.*?)```", text, re.S)
    check(block, "the README has no Python helper")
    # The definitions, without the example call at the end (it uses the installed socket).
    source = block.group(1).split("\nr = execute(")[0]
    namespace = {}
    exec(compile(source, "README.md", "exec"), namespace)

    def run(d):
        code = "import sys\nprint('out')\nprint('err', file=sys.stderr)\nprint('more')"
        r = namespace["execute"](code, sock_path=d.socket, stream=True)
        check(r["stdout"] == "out\nmore\n" and r["stderr"] == "err\n" and r["exit_code"] == 0,
              "the helper's answer with stream=True", r)
        r = namespace["execute"]("print(6*7)", sock_path=d.socket)
        check(r["stdout"] == "42\n", "the helper without stream", r)

    ctx.with_daemon(run)


if __name__ == "__main__":
    sys.exit(main(CASES))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A Python sandbox's inputs: stdin, arguments, environment and working directory arrive as given,
and their defaults are the documented ones.

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_inputs.py --list
    python/test_inputs.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --guest-dir is where the static
guest programs (tests/guest-programs/*.c, built as guest-NAME) are. --snapshot DIR runs every
Python program of the case restored from that snapshot instead of booting cold; static guest
programs can't be (--snapshot excludes --exec-host-file), so their cases are "cold".
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm, or a guest program could not be built).
"""

import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, run_vm, last_json_line  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case()
def stdin_arrives(ctx):
    data = ("line one\nzweite Zeile ünï\n" + "x" * 100000 + "\n").encode() + bytes(range(256))
    code = (
        "import sys, hashlib, json\n"
        "data = sys.stdin.buffer.read()\n"
        "print(json.dumps({'len': len(data), 'sha256': hashlib.sha256(data).hexdigest(), 'again': len(sys.stdin.buffer.read())}))\n"
    )
    run = run_vm(ctx.vm, code, stdin=data)
    seen = last_json_line(run)
    import hashlib
    check(seen == {"len": len(data), "sha256": hashlib.sha256(data).hexdigest(), "again": 0},
          f"stdin did not arrive intact: {seen}", run)


@case()
def stdin_default_empty(ctx):
    """Without --stdin-file, stdin is at end of file at once (not a hang, not an error)."""
    run = run_vm(ctx.vm, "import sys; print(repr(sys.stdin.read()))", timeout_ms=5000)
    check(not run.timed_out, "reading stdin blocked until the timeout", run)
    check(run.stdout == "''\n" and run.exit_code == 0, "stdin is not empty", run)


@case()
def args_arrive(ctx):
    args = ["plain", "with space", "", "ünïcödé ✓", "--flag=1", "-c", "a\nb", "$HOME", "*"]
    run = run_vm(ctx.vm, "import sys, json; print(json.dumps(sys.argv))", args=args)
    check(last_json_line(run) == ["-c"] + args, "sys.argv is not ['-c'] + the args", run)


@case()
def env_arrives(ctx):
    env = {"FOO": "bar", "EMPTY": "", "WITH_EQUALS": "a=b=c", "UNICODE": "grüße ✓", "PATH": "/usr/local/bin:/usr/bin:/bin"}
    run = run_vm(ctx.vm, "import os, json; print(json.dumps(dict(os.environ)))", env=env)
    seen = last_json_line(run)
    for key, value in env.items():
        check(seen.get(key) == value, f"environment variable {key} is {seen.get(key)!r}, expected {value!r}", run)
    check(seen.get("HOME") == sandbox.GUEST_HOME and seen.get("LANG") == "C.UTF-8", "defaults lost when --env is given", run)


@case()
def env_default(ctx):
    """The guest's environment is exactly the documented default: nothing of the worker's own
    environment (here a canary variable) leaks in."""
    canary = f"canary-{uuid.uuid4()}"
    run = run_vm(ctx.vm, "import os, json; print(json.dumps(dict(os.environ)))",
                 worker_env={"SANDBOXD_TEST_CANARY": canary})
    check(canary not in run.stdout, "the worker's environment leaked into the guest", run)
    check(last_json_line(run) == sandbox.GUEST_ENV, f"the environment is not exactly {sandbox.GUEST_ENV}", run)


@case()
def cwd_arrives(ctx):
    code = (
        "import os, json\n"
        "open('rel.txt', 'w').write('x')\n"
        "print(json.dumps([os.getcwd(), os.path.exists('/tmp/rel.txt')]))\n"
    )
    run = run_vm(ctx.vm, code, cwd="/tmp")
    check(last_json_line(run) == ["/tmp", True], "the cwd is not /tmp, or relative paths do not resolve there", run)


@case()
def cwd_default(ctx):
    code = (
        "import os, json\n"
        "open('notes.txt', 'w').write('hello')\n"
        "print(json.dumps([os.getcwd(), os.environ.get('HOME'), os.path.expanduser('~'),\n"
        "                  open('/home/sandbox/notes.txt').read(), os.path.isdir('/home/sandbox')]))\n"
    )
    run = run_vm(ctx.vm, code)
    expected = [sandbox.GUEST_HOME, sandbox.GUEST_HOME, sandbox.GUEST_HOME, "hello", True]
    check(last_json_line(run) == expected, f"expected {expected}", run)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

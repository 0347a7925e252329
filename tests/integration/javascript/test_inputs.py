#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A JavaScript sandbox's inputs: stdin, arguments, environment and working directory arrive as
given, and their defaults are the documented ones.

One case per invocation, each its own meson test (tests/meson.build registers every case as
js-NAME, and again restored as js-snap-NAME unless it is cold_only):

    javascript/test_inputs.py --list
    javascript/test_inputs.py [--vm PATH] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --snapshot DIR restores
every run of the case from that (JavaScript) snapshot instead of booting node cold.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import hashlib
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, last_json_line  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case()
def stdin_arrives(ctx):
    """Binary stdin arrives intact, through fs.readFileSync(0) and through process.stdin events."""
    data = ("line one\nzweite Zeile ünï\n" + "x" * 100000 + "\n").encode() + bytes(range(256))
    expected = {"len": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    code = (
        "const crypto = require('crypto');\n"
        "const data = require('fs').readFileSync(0);\n"
        "console.log(JSON.stringify({len: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex')}));\n"
    )
    check(last_json_line(ctx.run(code, stdin=data)) == expected, "fs.readFileSync(0) did not get stdin intact")
    code = (
        "const crypto = require('crypto'); const h = crypto.createHash('sha256'); let len = 0;\n"
        "process.stdin.on('data', (c) => { len += c.length; h.update(c); });\n"
        "process.stdin.on('end', () => console.log(JSON.stringify({len, sha256: h.digest('hex')})));\n"
    )
    check(last_json_line(ctx.run(code, stdin=data)) == expected, "process.stdin events did not get stdin intact")


@case()
def stdin_default_empty(ctx):
    """Without --stdin-file, stdin is at end of file at once (not a hang, not an error)."""
    code = (
        "const s = require('fs').readFileSync(0, 'utf8');\n"
        "process.stdin.resume(); process.stdin.on('end', () => console.log(JSON.stringify(s)));\n"
    )
    r = ctx.run(code, timeout_ms=5000)
    check(not r.timed_out, "reading stdin blocked until the timeout", r)
    check(r.stdout == '""\n' and r.exit_code == 0, "stdin is not empty", r)


@case()
def args_arrive(ctx):
    """Arguments arrive as process.argv.slice(1), none taken as node options (not even ones that
    look like them: --inspect must not start an inspector, -e must not be code)."""
    args = ["plain", "with space", "", "ünïcödé ✓", "--flag=1", "-e", "process.exit(9)", "--", "a\nb", "$HOME", "*",
            "--inspect", "--require=/nonexistent"]
    r = ctx.run("console.log(JSON.stringify(process.argv.slice(1)))", args=args)
    check(r.exit_code == 0, "the program did not exit 0", r)
    check(last_json_line(r) == args, "process.argv.slice(1) is not the args", r)


@case()
def env_arrives(ctx):
    env = {"FOO": "bar", "EMPTY": "", "WITH_EQUALS": "a=b=c", "UNICODE": "grüße ✓", "NODE_DEBUG_NOT": "x"}
    r = ctx.run("console.log(JSON.stringify(process.env))", env=env)
    seen = last_json_line(r)
    for key, value in env.items():
        check(seen.get(key) == value, f"environment variable {key} is {seen.get(key)!r}, expected {value!r}", r)
    check(seen.get("HOME") == sandbox.GUEST_HOME and seen.get("LANG") == "C.UTF-8", "defaults lost when --env is given", r)


@case()
def env_default(ctx):
    """The environment is exactly the documented default: nothing of the worker's own environment
    (here a canary variable) leaks in."""
    canary = f"canary-{uuid.uuid4()}"
    r = ctx.run("console.log(JSON.stringify(process.env))", worker_env={"SANDBOXD_TEST_CANARY": canary})
    check(canary not in r.stdout, "the worker's environment leaked into the guest", r)
    check(last_json_line(r) == sandbox.GUEST_ENV, f"process.env is not exactly {sandbox.GUEST_ENV}", r)


@case()
def cwd_arrives(ctx):
    code = (
        "const fs = require('fs');\n"
        "fs.writeFileSync('rel.txt', 'x');\n"
        "console.log(JSON.stringify([process.cwd(), fs.existsSync('/tmp/rel.txt'), require('path').resolve('a')]));\n"
    )
    r = ctx.run(code, cwd="/tmp")
    check(last_json_line(r) == ["/tmp", True, "/tmp/a"], "process.cwd() is not /tmp, or relative paths do not resolve there", r)


@case()
def cwd_default(ctx):
    code = (
        "const fs = require('fs'), os = require('os');\n"
        "fs.writeFileSync('notes.txt', 'hello');\n"
        "console.log(JSON.stringify([process.cwd(), os.homedir(), os.tmpdir(), fs.readFileSync('/home/sandbox/notes.txt', 'utf8')]));\n"
    )
    r = ctx.run(code)
    expected = [sandbox.GUEST_HOME, sandbox.GUEST_HOME, "/tmp", "hello"]
    check(last_json_line(r) == expected, f"expected {expected}", r)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "javascript"))

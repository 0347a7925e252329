#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Streamed output arrives as the program writes it (issue 11, item 2): with `stream: true` a
Python program's stdout is line-buffered as on a terminal, PYTHONUNBUFFERED in the request's env
gives `python3 -u`'s streams, and node's writes reach the client before the program ends. Run
with --list or a case name (feature_cases.py)."""

import sys

from feature_cases import case, check, dumps, execute, host_run, main, HOST_PYTHON

CASES = {}

# The program waits between its two lines: the first must reach the client that long before the
# answer. 1.5 s of wait, 1 s of it required, leaves room for a loaded machine.
WAIT_S = 1.5
EARLY_S = 1.0


def first_arrives_early(response, timed, answered_at, stream, first):
    check("result" in response, "execute failed", response)
    check(timed, "no output notification came", response)
    at, message = timed[0]
    params = message["params"]
    check(params["stream"] == stream and params["data"].startswith(first),
          f"the first notification is not {first!r} on {stream}", timed)
    check(answered_at - at >= EARLY_S,
          f"the first line came {answered_at - at:.3f} s before the answer, not as it was written",
          [(t, m["params"]) for t, m in timed], response["result"])


@case(CASES)
def python_stream_line_buffered(ctx):
    code = f"import sys, time\nprint('first')\ntime.sleep({WAIT_S})\nprint('second')\n"
    code_err = f"import sys, time\nprint('oops', file=sys.stderr)\ntime.sleep({WAIT_S})\nprint('x')\n"

    def run(d):
        c = d.connect()
        first_arrives_early(*execute(c, "python", code, stream=True), "stdout", "first\n")
        first_arrives_early(*execute(c, "python", code_err, stream=True), "stderr", "oops\n")
        # A terminal's settings, no more: a line-buffered stdout, a buffered binary layer.
        r, _, _ = execute(c, "python", "import sys\nprint(sys.stdout.line_buffering, "
                          "sys.stdout.write_through, type(sys.stdout.buffer).__name__)",
                          stream=True)
        check(r["result"]["stdout"] == "True False BufferedWriter\n", "streams under stream", r)
        # Without stream, a pipe's block buffering stays (nothing is paid for what isn't asked).
        r, _, _ = execute(c, "python", "import sys\nprint(sys.stdout.line_buffering)")
        check(r["result"]["stdout"] == "False\n", "stdout line-buffered without stream", r)

    ctx.with_daemon(run)


@case(CASES)
def python_unbuffered_env(ctx):
    code = ("import sys\n"
            "print(sys.stdout, sys.stdout.buffer, sys.stdout.write_through,"
            " sys.stdout.line_buffering, sys.stdout.errors)\n"
            "print(sys.stderr, sys.stderr.buffer, sys.stderr.write_through,"
            " sys.stderr.line_buffering, sys.stderr.errors)\n"
            "print(sys.__stdout__ is sys.stdout, sys.__stderr__ is sys.stderr)\n"
            "sys.stdout.write('no newline')\n")
    partial = f"import sys, time\nsys.stdout.write('partial')\ntime.sleep({WAIT_S})\nprint('!')\n"

    def run(d):
        c = d.connect()
        env = {"PYTHONUNBUFFERED": "1"}
        host = host_run([HOST_PYTHON, "-c", code], "/tmp", env=env)
        for stream in (False, True):
            r, _, _ = execute(c, "python", code, env=env, stream=stream)
            check("result" in r, "execute failed", r)
            result = r["result"]
            check(result["stdout"].encode() == host.stdout and result["exit_code"] == 0,
                  f"PYTHONUNBUFFERED=1 (stream {stream}): the streams differ from the host's "
                  f"python3.11 with it", dumps(result), host.stdout)
        # -u: even a write without a newline goes out at once.
        first_arrives_early(*execute(c, "python", partial, env=env, stream=True), "stdout",
                            "partial")
        # Empty is not set (the interpreter's rule).
        r, _, _ = execute(c, "python", "import sys\nprint(type(sys.stdout.buffer).__name__)",
                          env={"PYTHONUNBUFFERED": ""})
        check(r["result"]["stdout"] == "BufferedWriter\n", "PYTHONUNBUFFERED='' unbuffered", r)

    ctx.with_daemon(run)


@case(CASES)
def javascript_stream_first_line_early(ctx):
    # node writes to a pipe synchronously: checked, not assumed, both for a busy program and for
    # one waiting in its event loop.
    busy = (f"console.log('first');\nconst end = Date.now() + {WAIT_S * 1000};\n"
            "while (Date.now() < end);\nconsole.log('second');\n")
    waiting = (f"console.error('first');\nsetTimeout(() => console.log('second'), "
               f"{WAIT_S * 1000});\n")

    def run(d):
        c = d.connect()
        first_arrives_early(*execute(c, "javascript", busy, stream=True), "stdout", "first\n")
        first_arrives_early(*execute(c, "javascript", waiting, stream=True), "stderr", "first\n")

    ctx.with_daemon(run)


if __name__ == "__main__":
    sys.exit(main(CASES))

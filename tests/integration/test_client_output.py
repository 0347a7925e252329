#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What sandboxctl prints for people and for scripts (issue 11, item 8): with --json an error is
one JSON error object on stdout (the exit status as without --json), and the human-readable
`stats` shows each worker as a line of its own, not raw JSON. Run with --list or a case name
(feature_cases.py)."""

import json
import re
import sys

from feature_cases import case, check, main

CASES = {}


def one_json_line(p):
    lines = p.stdout.decode().splitlines()
    check(len(lines) == 1, "not one line of JSON on stdout", p)
    return json.loads(lines[0])


@case(CASES)
def json_errors_on_stdout(ctx):
    def run(d):
        # Refused by the daemon: its error object, under "error".
        p = ctx.ctl(d, "--json", "exec", "-l", "python", "-c", "print(1)", "--cwd", "/nonexistent")
        check(p.returncode == 126, "exit status of a refused request", p)
        error = one_json_line(p)["error"]
        check(error["code"] == -32602 and error["data"] == {"kind": "invalid_params",
                                                            "field": "cwd"}
              and "does not exist" in error["message"], "the daemon's error object", error)
        p = ctx.ctl(d, "--json", "exec", "-l", "cobol", "-c", "x")
        check(p.returncode == 126 and one_json_line(p)["error"]["code"] == -32001,
              "unknown language", p)
        # A result stays a result.
        p = ctx.ctl(d, "--json", "exec", "-l", "python", "-c", "print(1)")
        check(p.returncode == 0 and one_json_line(p)["stdout"] == "1\n", "a result", p)

    ctx.with_daemon(run)
    # No daemon: made by sandboxctl, code null (no JSON-RPC exchange took place).
    for verb in (["health"], ["exec", "-l", "python", "-c", "1"]):
        p = ctx.ctl(None, "--json", "--socket", "/nonexistent/sandboxd.sock", *verb)
        check(p.returncode == 127, "exit status without a daemon", p)
        error = one_json_line(p)["error"]
        check(error["code"] is None and error["data"] == {"kind": "no_daemon"}
              and "/nonexistent/sandboxd.sock" in error["message"], "no daemon", error)


@case(CASES)
def stats_workers_readable(ctx):
    def run(d):
        d.wait_settled(workers=1)
        p = ctx.ctl(d, "stats")
        check(p.returncode == 0, "stats failed", p)
        text = p.stdout.decode()
        check("{" not in text and "[" not in text, "stats prints raw JSON", text)
        workers = re.findall(r"^      - pid=(\d+) state=(\w+)$", text, re.M)
        check(len(workers) == 2 and all(state == "ready" for _, state in workers),
              "each worker on a line of its own under its pool", text)
        pids = {w["pid"] for pool in d.stats()["pools"].values() for w in pool["workers"]}
        check({int(pid) for pid, _ in workers} == pids, "the workers' pids", text, pids)

    ctx.with_daemon(run)


if __name__ == "__main__":
    sys.exit(main(CASES))

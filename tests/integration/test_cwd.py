#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The request's `cwd` (issue 11, item 3): a missing directory under the tmpfs (/tmp,
/home/sandbox) is created with its parents, for both languages, through the daemon and
`sandboxd-vm run` (cold and restored); a cwd that can't be used is a -32602 error naming the
field, never the runner's traceback, and the worker serves on. Run with --list or a case name
(feature_cases.py)."""

import json
import sys

from feature_cases import case, check, dumps, execute, main

CASES = {}
LANGUAGES = ("python", "javascript")

SHOW_CWD = {
    "python": "import os\nst = os.stat('.')\nprint(os.getcwd(), oct(st.st_mode & 0o777), st.st_uid)",
    "javascript": "const st = require('fs').statSync('.');\n"
                  "console.log(process.cwd(), '0o' + (st.mode & 0o777).toString(8), st.uid)",
}

# Each refused with a reason; none may reach the runner.
UNUSABLE = {
    "/nonexistent/dir": "does not exist",
    "/etc/passwd": "is not a directory",
    "/etc/passwd/sub": "can't be used",
    "/tmp/../usr/new": "can't be created",
    "/usr/bin/python3.11/x": "can't be used",
}


@case(CASES)
def daemon_creates_missing_cwd(ctx):
    def run(d):
        c = d.connect()
        for language in LANGUAGES:
            for cwd in ("/tmp/a/b/c", "/home/sandbox/project/src", "/tmp/trailing/"):
                r, _, _ = execute(c, language, SHOW_CWD[language], cwd=cwd)
                check("result" in r, f"{language} cwd {cwd}: execute failed", r)
                # Made as `mkdir -p` with umask 022 would, owned by the sandbox user.
                expected = f"{cwd.rstrip('/')} 0o755 1000\n"
                check(r["result"]["stdout"] == expected and r["result"]["exit_code"] == 0,
                      f"{language} cwd {cwd}", dumps(r["result"]))
            # An existing directory is used as it is, the image's too.
            r, _, _ = execute(c, language, SHOW_CWD[language], cwd="/usr")
            check(r["result"]["stdout"].startswith("/usr 0o755 0"), f"{language} cwd /usr",
                  dumps(r))

    ctx.with_daemon(run)


@case(CASES)
def daemon_refuses_unusable_cwd(ctx):
    def run(d):
        c = d.connect()
        for language in LANGUAGES:
            for cwd, reason in UNUSABLE.items():
                r, _, _ = execute(c, language, SHOW_CWD[language], cwd=cwd)
                check("error" in r, f"{language} cwd {cwd}: not refused", dumps(r))
                e = r["error"]
                check(e["code"] == -32602 and e["data"] == {"kind": "invalid_params",
                                                            "field": "cwd"},
                      f"{language} cwd {cwd}: not a params error naming cwd", e)
                check(cwd in e["message"] and reason in e["message"],
                      f"{language} cwd {cwd}: the message does not say '{reason}'", e)
            # The worker that refused serves the next request, from a clean VM.
            r, _, _ = execute(c, language, SHOW_CWD[language], cwd="/tmp")
            check(r.get("result", {}).get("stdout", "").startswith("/tmp "),
                  f"{language}: no answer after the refusals", dumps(r))
        stats = d.stats()
        check(stats["workers"]["crashed"] == 0, "a worker died", stats)

    ctx.with_daemon(run)


@case(CASES)
def vm_run_cwd(ctx):
    for language in LANGUAGES:
        for snapshot in (False, True):
            what = f"{language} {'restored' if snapshot else 'cold'}"
            p = ctx.vm_run(language, SHOW_CWD[language], "--cwd", "/tmp/x/y", snapshot=snapshot)
            check(p.returncode == 0, f"{what}: sandboxd-vm run failed", p.stderr[-2000:])
            result = json.loads(p.stdout)
            check(result["stdout"] == "/tmp/x/y 0o755 1000\n" and result["exit_code"] == 0,
                  f"{what}: cwd not made", dumps(result))
            p = ctx.vm_run(language, SHOW_CWD[language], "--cwd", "/nonexistent",
                           snapshot=snapshot)
            err = p.stderr.decode(errors="replace")
            check(p.returncode == 1 and p.stdout == b"", f"{what}: a missing cwd ran", p)
            check("Invalid request (cwd)" in err and "does not exist" in err
                  and "Traceback" not in err and "node_runner" not in err,
                  f"{what}: not refused as a request error", err)


if __name__ == "__main__":
    sys.exit(main(CASES))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`sandboxctl exec -f script.py` runs as `python3 script.py` (`node script.js`), not as -c/-e
(issue 11, item 5): the request's script_name gives sys.argv[0] and __file__ (process.argv[1],
__filename, __dirname, require.main), tracebacks show the script's lines, and the output equals
the host interpreter's running the same file in the same directory, byte for byte. Run with --list
or a case name (feature_cases.py)."""

import os
import shutil
import sys
import tempfile

from feature_cases import (case, check, dumps, execute, host_interpreter, host_run, main)

CASES = {}

PROGRAMS = {
    "python": ("report.py",
               "import os, sys\n"
               "print(sys.argv, __file__, __name__, __cached__, sys.path[0])\n"
               "print(type(__loader__).__name__, __loader__.name, __loader__.path)\n"
               "print(open(__file__).read().count('\\n'), sorted(os.listdir('.')))\n"
               "def fail(x):\n"
               "    raise ValueError(f'bad {x}')\n"
               "fail(sys.argv[1])\n"),
    "javascript": ("report.js",
                   "const fs = require('fs');\n"
                   "console.log(process.argv.slice(1), __filename, __dirname);\n"
                   "console.log(require.main === module, module.id, module.filename, "
                   "process.execArgv);\n"
                   "console.log(fs.readFileSync(__filename, 'utf8').split('\\n').length, "
                   "fs.readdirSync('.'));\n"
                   "process.exitCode = 3;\n"),
}


def compare_with_host(ctx, d, language):
    name, code = PROGRAMS[language]
    # The same absolute directory on both sides: __file__ is absolute.
    tmp = tempfile.mkdtemp(prefix="sandboxd-script-", dir="/tmp")
    try:
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(code)
        host = host_run([host_interpreter(language), name, "arg1"], tmp)
        guest = ctx.ctl(d, "exec", "--lang", language, "-f", path, "--cwd", tmp, "--arg", "arg1")
        for field in ("stdout", "stderr", "returncode"):
            check(getattr(guest, field) == getattr(host, field),
                  f"{language} -f {name}: {field} differs from the host's "
                  f"`{os.path.basename(host_interpreter(language))} {name}`",
                  getattr(guest, field), getattr(host, field))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@case(CASES)
def python_file_runs_as_script(ctx):
    ctx.with_daemon(lambda d: compare_with_host(ctx, d, "python"))


@case(CASES)
def javascript_file_runs_as_script(ctx):
    ctx.with_daemon(lambda d: compare_with_host(ctx, d, "javascript"))


@case(CASES)
def script_name_in_the_protocol(ctx):
    def run(d):
        c = d.connect()
        # In the default directory, and -c stays -c without it.
        r, _, _ = execute(c, "python", "import sys\nprint(sys.argv, __file__)",
                          script_name="main.py", args=["x"])
        check(r["result"]["stdout"] == "['main.py', 'x'] /home/sandbox/main.py\n", "python", r)
        r, _, _ = execute(c, "python", "import sys\nprint(sys.argv, '__file__' in globals())")
        check(r["result"]["stdout"] == "['-c'] False\n", "python -c", r)
        r, _, _ = execute(c, "javascript", "console.log(process.argv.slice(1), __filename)",
                          script_name="main.js")
        check(r["result"]["stdout"] == "[ '/home/sandbox/main.js' ] /home/sandbox/main.js\n",
              "javascript", r)
        # A directory the program can't write to: no file, the names all the same.
        r, _, _ = execute(c, "python", "import os\nprint(__file__, os.path.exists(__file__))",
                          script_name="s.py", cwd="/usr")
        check(r["result"]["stdout"] == "/usr/s.py False\n", "python in /usr", r)
        for bad in ("", "a/b.py", "/abs.py", ".", ".."):
            r, _, _ = execute(c, "python", "", script_name=bad)
            check(r.get("error", {}).get("data", {}).get("field") == "script_name"
                  and r["error"]["code"] == -32602, f"script_name {bad!r} accepted", dumps(r))

    ctx.with_daemon(run)


if __name__ == "__main__":
    sys.exit(main(CASES))

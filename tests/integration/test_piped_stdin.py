#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`echo Bob | sandboxctl exec -l python -c 'print(input())'` prints Bob (issue 11, item 4): with
the program from -c or -f, a stdin that is not a terminal goes to the program, as an interpreter
gives its program the shell's stdin; --stdin-file still wins, `-` (the program from stdin) leaves
the program's stdin empty, and a terminal is never read. Run with --list or a case name
(feature_cases.py)."""

import os
import pty
import sys
import tempfile

from feature_cases import case, check, main

CASES = {}

GREET = {"python": "print('Hello', input())",
         "javascript": "console.log('Hello', require('fs').readFileSync(0, 'utf8').trim())"}


@case(CASES)
def piped_stdin_reaches_the_program(ctx):
    def run(d):
        with tempfile.TemporaryDirectory() as tmp:
            for language, code in GREET.items():
                p = ctx.ctl(d, "exec", "-l", language, "-c", code, stdin=b"Bob\n")
                check(p.returncode == 0 and p.stdout == b"Hello Bob\n",
                      f"{language} -c with piped stdin", p)
                path = os.path.join(tmp, "greet.py" if language == "python" else "greet.js")
                with open(path, "w") as f:
                    f.write(code)
                p = ctx.ctl(d, "exec", "-l", language, "-f", path, stdin=b"Ann\n")
                check(p.returncode == 0 and p.stdout == b"Hello Ann\n",
                      f"{language} -f with piped stdin", p)
            # --stdin-file wins over the pipe.
            given = os.path.join(tmp, "input")
            with open(given, "w") as f:
                f.write("File\n")
            p = ctx.ctl(d, "exec", "-l", "python", "-c", GREET["python"], "--stdin-file", given,
                        stdin=b"Pipe\n")
            check(p.stdout == b"Hello File\n", "--stdin-file lost to the pipe", p)
            # The program from stdin: its own stdin is empty.
            p = ctx.ctl(d, "exec", "-l", "python", "-",
                        stdin=b"import sys\nprint(repr(sys.stdin.read()))\n")
            check(p.returncode == 0 and p.stdout == b"''\n", "- gave the program stdin", p)
            # Bytes as they are, NULs included.
            p = ctx.ctl(d, "exec", "-l", "python", "-c",
                        "import sys\nprint(sys.stdin.buffer.read())", stdin=b"a\x00b\n")
            check(p.stdout == b"b'a\\x00b\\n'\n", "stdin bytes changed", p)
        # A terminal would wait for typing nobody expects: left alone (so this returns at once).
        main_fd, terminal_fd = pty.openpty()
        try:
            with os.fdopen(terminal_fd, "rb", closefd=False) as terminal:
                p = ctx.ctl(d, "exec", "-l", "python", "-c",
                            "import sys\nprint(repr(sys.stdin.read()))", stdin=terminal,
                            timeout=30)
            check(p.returncode == 0 and p.stdout == b"''\n", "a terminal was read", p)
        finally:
            os.close(main_fd)
            os.close(terminal_fd)

    ctx.with_daemon(run)


if __name__ == "__main__":
    sys.exit(main(CASES))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The output cap of a JavaScript sandbox: output past it is dropped (truncated: true), output under
it arrives whole.

One case per invocation, each its own meson test (tests/meson.build registers every case as
js-NAME, and again restored as js-snap-NAME unless it is cold_only):

    javascript/test_output.py --list
    javascript/test_output.py [--vm PATH] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --snapshot DIR restores
every run of the case from that (JavaScript) snapshot instead of booting node cold.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
from sandbox import check  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case()
def output_cap(ctx):
    """10 MB of output under --max-output-bytes 1000: truncated, at most 1000 bytes kept, and what
    is kept is the start of the output."""
    code = "const s = 'y'.repeat(1 << 20) + '\\n';\nfor (let i = 0; i < 10; i++) process.stdout.write(s);\nconsole.error('done');\n"
    r = ctx.run(code, max_output_bytes=1000)
    check(r.truncated is True, "truncated is not true", r)
    check(len(r.stdout.encode()) + len(r.stderr.encode()) <= 1000, "more than the cap kept", r)
    check(r.stdout == "y" * len(r.stdout) and len(r.stdout) > 0, "what is kept is not the start of the output", r)
    check(r.exit_code == 0, "the program did not finish normally", r)


@case()
def output_under_limit(ctx):
    """3 MiB of output under a 4 MiB cap arrives whole, not truncated."""
    code = "for (let i = 0; i < 3 * 1024; i++) process.stdout.write(String(i).padStart(8, '0').repeat(128));\n"
    r = ctx.run(code, max_output_bytes=4 << 20)
    expected = "".join(format(i, "08d") * 128 for i in range(3 * 1024))
    check(r.truncated is False, "truncated is true under the cap", r)
    check(r.stdout == expected, f"stdout is {len(r.stdout)} chars, expected {len(expected)}", r)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "javascript"))

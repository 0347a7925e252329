#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Files in a Python sandbox: the tmpfs at /tmp and the home directory works like a file system; the
image is read-only.

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_files.py --list
    python/test_files.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --guest-dir is where the static
guest programs (tests/guest-programs/*.c, built as guest-NAME) are. --snapshot DIR runs every
Python program of the case restored from that snapshot instead of booting cold; static guest
programs can't be (--snapshot excludes --exec-host-file), so their cases are "cold".
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm, or a guest program could not be built).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
from sandbox import check, run_vm, last_json_line  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case()
def tmp_files(ctx):
    code = r"""
import json, os
steps = []
os.makedirs('/tmp/work/sub', exist_ok=True)
with open('/tmp/work/a.txt', 'w') as f:
    f.write('alpha\n' * 1000)
with open('/tmp/work/b.bin', 'wb') as f:
    f.write(bytes(range(256)) * 64)
steps.append(open('/tmp/work/a.txt').read() == 'alpha\n' * 1000)
steps.append(open('/tmp/work/b.bin', 'rb').read() == bytes(range(256)) * 64)
steps.append(sorted(os.listdir('/tmp/work')))
with open('/tmp/work/a.txt', 'a') as f:
    f.write('appended\n')
steps.append(os.path.getsize('/tmp/work/a.txt'))
os.rename('/tmp/work/a.txt', '/tmp/work/sub/renamed.txt')
steps.append([os.path.exists('/tmp/work/a.txt'), os.listdir('/tmp/work/sub')])
steps.append(open('/tmp/work/sub/renamed.txt').read().splitlines()[-1])
os.remove('/tmp/work/sub/renamed.txt')
os.remove('/tmp/work/b.bin')
os.rmdir('/tmp/work/sub')
steps.append(os.listdir('/tmp/work'))
os.rmdir('/tmp/work')
steps.append(os.path.exists('/tmp/work'))
try:
    open('/tmp/work/gone.txt')
except FileNotFoundError:
    steps.append('FileNotFoundError')
print(json.dumps(steps))
"""
    run = run_vm(ctx.vm, code)
    expected = [True, True, ["a.txt", "b.bin", "sub"], 6009, [False, ["renamed.txt"]], "appended", [], False,
                "FileNotFoundError"]
    check(run.exit_code == 0, "the program failed", run)
    check(last_json_line(run) == expected, f"expected {expected}", run)


@case()
def image_read_only(ctx):
    code = r"""
import os
ops = {
    'append to stdlib file': lambda: open('/usr/lib/python3.11/os.py', 'a'),
    'create in /usr/bin': lambda: open('/usr/bin/new-tool', 'w'),
    'remove interpreter': lambda: os.remove('/usr/bin/python3.11'),
    'mkdir in /etc': lambda: os.mkdir('/etc/newdir'),
    'rename stdlib file': lambda: os.rename('/usr/lib/python3.11/json/__init__.py', '/usr/lib/python3.11/json/x.py'),
    'chmod interpreter': lambda: os.chmod('/usr/bin/python3.11', 0o777),
}
for name, op in ops.items():
    try:
        op()
        print(name, 'SUCCEEDED')
    except OSError as e:
        print(name, 'refused', type(e).__name__)
import json
print(json.dumps(len(open('/usr/lib/python3.11/os.py').read()) > 1000))
"""
    run = run_vm(ctx.vm, code)
    check("SUCCEEDED" not in run.stdout, "a write to the read-only image succeeded", run)
    check(run.stdout.count("refused") == 6 and run.exit_code == 0, "not every write was refused with OSError", run)
    check(last_json_line(run) is True, "the image's files are not readable", run)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

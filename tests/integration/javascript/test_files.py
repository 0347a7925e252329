#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Files in a JavaScript sandbox: the tmpfs works like a file system; the image is read-only.

One case per invocation, each its own meson test (tests/meson.build registers every case as
js-NAME, and again restored as js-snap-NAME unless it is cold_only):

    javascript/test_files.py --list
    javascript/test_files.py [--vm PATH] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --snapshot DIR restores
every run of the case from that (JavaScript) snapshot instead of booting node cold.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
from sandbox import check, last_json_line  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case()
def tmp_files(ctx):
    code = r"""
const fs = require('fs');
const steps = [];
fs.mkdirSync('/tmp/work/sub', { recursive: true });
fs.writeFileSync('/tmp/work/a.txt', 'alpha\n'.repeat(1000));
fs.writeFileSync('/home/sandbox/b.bin', Buffer.alloc(16384, 7));
steps.push(fs.readFileSync('/tmp/work/a.txt', 'utf8') === 'alpha\n'.repeat(1000));
steps.push(fs.readFileSync('/home/sandbox/b.bin').equals(Buffer.alloc(16384, 7)));
steps.push(fs.readdirSync('/tmp/work').sort());
fs.appendFileSync('/tmp/work/a.txt', 'appended\n');
steps.push(fs.statSync('/tmp/work/a.txt').size);
fs.renameSync('/tmp/work/a.txt', '/tmp/work/sub/renamed.txt');
steps.push([fs.existsSync('/tmp/work/a.txt'), fs.readdirSync('/tmp/work/sub')]);
fs.rmSync('/tmp/work', { recursive: true });
steps.push(fs.existsSync('/tmp/work'));
try { fs.readFileSync('/tmp/work/gone.txt'); } catch (e) { steps.push(e.code); }
console.log(JSON.stringify(steps));
"""
    r = ctx.run(code)
    expected = [True, True, ["a.txt", "sub"], 6009, [False, ["renamed.txt"]], False, "ENOENT"]
    check(r.exit_code == 0, "the program failed", r)
    check(last_json_line(r) == expected, f"expected {expected}", r)


@case()
def image_read_only(ctx):
    """The image is read-only: writes to node, its libraries and /etc fail with an error code."""
    code = r"""
const fs = require('fs');
const ops = {
  'append to node': () => fs.appendFileSync('/usr/bin/node', 'x'),
  'create in /usr/bin': () => fs.writeFileSync('/usr/bin/new-tool', 'x'),
  'remove node': () => fs.unlinkSync('/usr/bin/node'),
  'mkdir in /etc': () => fs.mkdirSync('/etc/newdir'),
  'overwrite /etc/hostname': () => fs.writeFileSync('/etc/hostname', 'pwned'),
  'chmod node': () => fs.chmodSync('/usr/bin/node', 0o777),
  'rename /etc/passwd': () => fs.renameSync('/etc/passwd', '/etc/passwd2'),
};
const out = {};
for (const [name, op] of Object.entries(ops)) {
  try { op(); out[name] = 'SUCCEEDED'; } catch (e) { out[name] = e.code || e.name; }
}
out.readable = fs.statSync('/usr/bin/node').size > 1000000;
console.log(JSON.stringify(out));
"""
    r = ctx.run(code)
    seen = last_json_line(r)
    check(seen.pop("readable") is True, "/usr/bin/node is not readable", r)
    for name, outcome in seen.items():
        check(outcome != "SUCCEEDED", f"{name}: a write to the read-only image succeeded", r)
        check(outcome in ("EROFS", "EACCES", "EPERM", "ENOENT", "EBUSY", "ETXTBSY"),
              f"{name}: failed with {outcome}, expected an errno code", r)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "javascript"))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""JavaScript sandboxes apart from each other: no two runs draw the same random values, every run
reads the host's clock, and nothing of one request (files, globals, state) is in the next, also
through one worker whose VM is reset in place.

One case per invocation, each its own meson test (tests/meson.build registers every case as
js-NAME, and again restored as js-snap-NAME unless it is cold_only):

    javascript/test_between_runs.py --list
    javascript/test_between_runs.py [--vm PATH] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --snapshot DIR restores
every run of the case from that (JavaScript) snapshot instead of booting node cold.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, last_json_line  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case()
def entropy_differs(ctx):
    """Every sandbox (restored ones start from the same memory) has its own random values."""
    code = (
        "const crypto = require('crypto'), fs = require('fs'), os = require('os'), path = require('path');\n"
        "const d = fs.mkdtempSync(path.join(os.tmpdir(), 'x-'));\n"
        "console.log(JSON.stringify([Math.random(), crypto.randomUUID(), crypto.randomBytes(16).toString('hex'),\n"
        "  Array.from(crypto.getRandomValues(new Uint32Array(4))).join(','), path.basename(d)]));\n"
    )
    first = last_json_line(ctx.run(code))
    second = last_json_line(ctx.run(code))
    for label, a, b in zip(["Math.random()", "crypto.randomUUID()", "crypto.randomBytes(16)", "getRandomValues", "mkdtemp"],
                           first, second):
        check(a != b, f"two sandboxes produced the same {label}: {a!r}")


@case()
def clock_is_host(ctx):
    before = time.time()
    r = ctx.run("console.log(JSON.stringify([Date.now(), performance.now() >= 0, process.hrtime.bigint() > 0n]))")
    after = time.time()
    guest_ms, perf_ok, hr_ok = last_json_line(r)
    check(perf_ok is True and hr_ok is True, "performance.now() or process.hrtime is broken", r)
    check((before - 2) * 1000 <= guest_ms <= (after + 2) * 1000,
          f"guest Date.now() {guest_ms} not within the host's [{before * 1000:.0f}, {after * 1000:.0f}]", r)


@case()
def files_not_shared_between_runs(ctx):
    """What one sandbox writes to /tmp and the home directory, the next does not see."""
    name = f"persist-{uuid.uuid4()}"
    first = ctx.run(f"const fs = require('fs');\nfs.writeFileSync('/tmp/{name}', 'x');\n"
                    f"fs.writeFileSync('/home/sandbox/{name}', 'x');\nfs.mkdirSync('/tmp/{name}-dir');\nconsole.log('written');\n")
    check(first.stdout == "written\n", "the first run could not write its files", first)
    second = ctx.run("const fs = require('fs');\n"
                     f"console.log(JSON.stringify([fs.existsSync('/tmp/{name}'), fs.existsSync('/home/sandbox/{name}'),\n"
                     f"  fs.existsSync('/tmp/{name}-dir'), fs.readdirSync('/tmp').filter((n) => n.startsWith('persist-')),\n"
                     "  fs.readdirSync('/home/sandbox').filter((n) => n.startsWith('persist-'))]));\n")
    check(last_json_line(second) == [False, False, False, [], []], "a file written by an earlier sandbox is visible", second)


@case()
def globals_not_shared_between_runs(ctx):
    """Nothing a program changes in its JavaScript world carries over to the next sandbox: a global,
    a patched built-in prototype and module, the environment, a cached module, a pending timer.
    (Meaningful for restored runs, which all start from one snapshot's memory.)"""
    first = ctx.run(r"""
globalThis.leak = 1;
Array.prototype.leakyMethod = () => 'leaked';
JSON.stringify = () => 'patched';
require('fs').readFileSync = () => 'patched';
require('path').leak = true;
process.env.LEAKED_VAR = 'yes';
process.title = 'leaky';
const t = setTimeout(() => console.log('timer from an earlier run'), 300);
t.unref();
console.log('dirty');
""")
    check(first.stdout == "dirty\n", "the first run failed", first)
    second = ctx.run(r"""
const seen = {
  global: typeof globalThis.leak, proto: typeof [].leakyMethod, json: JSON.stringify({ a: 1 }),
  fs: typeof require('fs').readFileSync('/etc/hostname', 'utf8'), path: require('path').leak === undefined,
  env: process.env.LEAKED_VAR === undefined, title: process.title !== 'leaky',
};
setTimeout(() => console.log(JSON.stringify(seen)), 600);
""")
    check("timer from an earlier run" not in second.stdout, "a timer of the earlier run fired in this one", second)
    expected = {"global": "undefined", "proto": "undefined", "json": '{"a":1}', "fs": "string", "path": True,
                "env": True, "title": True}
    check(last_json_line(second) == expected, f"state of an earlier sandbox is visible: expected {expected}", second)


@case(timeout=120, restored_only=True)
def reset_keeps_requests_apart(ctx):
    """Through ONE `serve` worker, whose VM is reset in place after each request (vmm/reset.h):
    a request leaves a worker thread running, 32 MB of a token, patched built-ins, globals, an
    environment variable and a file; the next one finds none of it (Buffer.allocUnsafe of as
    much memory holds no token), starts worker threads of its own, and the VM is reset after a
    timeout and an abort too."""
    token = f"canary-{uuid.uuid4().hex}"
    with sandbox.ServeWorker(ctx.vm, ctx.snapshot, deadline_s=60) as worker:
        def request(code, expect_reset=True, **params):
            r = worker.request(dict(params, language="javascript", code=code))
            # The dirty request must be followed by a reset (a restored VM would prove
            # nothing); later, worker threads may tip the VM's retired tables over the limit.
            check(not expect_reset or worker.last_ready.get("reset") is True,
                  f"the VM was not reset after this request ({worker.last_ready})", r)
            return r

        dirty = request(f"""
const fs = require('fs');
const {{ Worker }} = require('worker_threads');
globalThis.leak = '{token}';
Array.prototype.leakyMethod = () => 'leaked';
JSON.stringify = () => 'patched';
process.env.LEAKED_VAR = '{token}';
fs.writeFileSync('/tmp/leak', '{token}');
globalThis.keep = Buffer.alloc(32 << 20, '{token}');
const w = new Worker("require('worker_threads').parentPort.postMessage('up'); setInterval(() => {{}}, 1000);",
                     {{ eval: true }});
w.on('message', () => {{ console.log('dirty'); process.exit(0); }});
""", timeout_ms=20000, memory_mb=256)
        check(dirty.stdout == "dirty\n" and dirty.exit_code == 0, "the dirty request failed", dirty)
        after = request(f"""
const fs = require('fs');
const unsafe = Buffer.allocUnsafe(32 << 20);
console.log(JSON.stringify({{
  global: typeof globalThis.leak, proto: typeof [].leakyMethod, json: JSON.stringify({{ a: 1 }}),
  env: process.env.LEAKED_VAR === undefined, file: fs.existsSync('/tmp/leak'),
  token_in_unsafe: unsafe.includes('{token}'), keep: typeof globalThis.keep,
}}));
""", timeout_ms=20000, memory_mb=256)
        check(token not in after.stdout and token not in after.stderr, "the token came back", after)
        expected = {"global": "undefined", "proto": "undefined", "json": '{"a":1}', "env": True, "file": False,
                    "token_in_unsafe": False, "keep": "undefined"}
        check(last_json_line(after) == expected, f"the dirty request's state survives: expected {expected}", after)
        threads = request("""
const { Worker } = require('worker_threads');
const w = new Worker("require('worker_threads').parentPort.postMessage(6 * 7);", { eval: true });
w.on('message', (m) => console.log(m));
""", expect_reset=False, timeout_ms=20000)
        check(threads.stdout == "42\n" and threads.exit_code == 0, "a worker thread after a reset", threads)
        looped = request("while (true) {}", timeout_ms=300)
        check(looped.timed_out, "the loop did not time out", looped)
        aborted = request("process.abort()")
        check(aborted.signal == "SIGABRT", "process.abort() did not end with SIGABRT", aborted)
        fine = request("console.log(6 * 7)")
        check(fine.stdout == "42\n" and fine.exit_code == 0, "a plain request after all that", fine)
    print(f"ok: {worker.requests} requests through one worker, each after a reset")


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "javascript"))

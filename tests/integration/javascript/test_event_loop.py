#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""node's event loop in a sandbox: it runs until nothing is pending (timers, promises, I/O, worker
threads), as node does.

One case per invocation, each its own meson test (tests/meson.build registers every case as
js-NAME, and again restored as js-snap-NAME unless it is cold_only):

    javascript/test_event_loop.py --list
    javascript/test_event_loop.py [--vm PATH] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --snapshot DIR restores
every run of the case from that (JavaScript) snapshot instead of booting node cold.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
from sandbox import check, last_json_line  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case(serial=True)
def event_loop_drained(ctx):
    """Timers, nextTicks, microtasks, immediates and async/await run in node's order, and the
    program ends only when the event loop is empty: a 200 ms timer still prints, and the run
    really took at least 200 ms (on the guest's clock and on the host's)."""
    code = r"""
const { setTimeout: sleep } = require('timers/promises');
const log = [];
const t0 = Date.now();
setTimeout(() => { log.push('timeout 200'); console.log(log.join(',')); console.log(JSON.stringify({ elapsed: Date.now() - t0 })); }, 200);
setTimeout(() => log.push('timeout 50'), 50);
process.nextTick(() => log.push('tick'));
Promise.resolve().then(() => log.push('micro'));
queueMicrotask(() => log.push('queued'));
require('fs').stat('/', () => { setImmediate(() => log.push('immediate')); setTimeout(() => log.push('io timeout'), 0); });
(async () => { log.push('async start'); await sleep(100); log.push('after 100'); await null; log.push('after await'); })();
log.push('sync end');
"""
    start = time.monotonic()
    r = ctx.run(code, timeout_ms=10000)
    wall = time.monotonic() - start
    check(r.exit_code == 0, "the program failed", r)
    lines = r.stdout.splitlines()
    check(len(lines) == 2, "expected two lines of output", r)
    order = lines[0].split(",")
    # When the fs.stat callback runs relative to the timers depends on the thread pool; inside
    # it, setImmediate always runs before a 0 ms timeout.
    check(sorted(order) == sorted(["async start", "sync end", "tick", "micro", "queued", "immediate", "io timeout",
                                   "timeout 50", "after 100", "after await", "timeout 200"]),
          "not every callback ran exactly once", r)
    check(order.index("immediate") < order.index("io timeout"), "setImmediate did not run before the 0 ms timeout "
          "scheduled with it in an I/O callback", r)
    expected = ["async start", "sync end", "tick", "micro", "queued", "timeout 50", "after 100", "after await",
                "timeout 200"]
    main_order = [x for x in order if x not in ("immediate", "io timeout")]
    check(main_order == expected, f"the callbacks ran in another order than node's: expected {expected}", r)
    elapsed = json.loads(lines[1])["elapsed"]
    check(elapsed >= 199, f"the 200 ms timer fired after {elapsed} ms by the guest's clock", r)
    check(wall >= 0.2 and r.timing["run_ms"] >= 195, f"the run took {wall:.3f} s wall, run_ms {r.timing['run_ms']}: "
          "the 200 ms timer did not really wait", r)


@case()
def promises_chain(ctx):
    """Promise combinators and an async chain settle with the right values in order."""
    code = r"""
const sleep = (ms, v) => new Promise((r) => setTimeout(() => r(v), ms));
(async () => {
  const order = [];
  await Promise.all([30, 10, 20].map(async (ms) => { await sleep(ms); order.push(ms); }));
  const settled = await Promise.allSettled([sleep(5, 'a'), Promise.reject(new Error('b'))]);
  const first = await Promise.race([sleep(50, 'slow'), sleep(5, 'fast')]);
  const any = await Promise.any([Promise.reject(1), sleep(5, 'any')]);
  let v = 1; for (let i = 0; i < 100; i++) v = await Promise.resolve(v + 1);
  console.log(JSON.stringify({ order, settled: settled.map((s) => s.status), first, any, v }));
})();
"""
    r = ctx.run(code)
    check(last_json_line(r) == {"order": [10, 20, 30], "settled": ["fulfilled", "rejected"], "first": "fast",
                                "any": "any", "v": 101}, "unexpected results", r)


@case()
def worker_threads_run(ctx):
    """A Worker from eval code computes and posts its result; the program then ends on its own."""
    code = r"""
const { Worker } = require('worker_threads');
const w = new Worker(`
  const { parentPort, workerData } = require('worker_threads');
  let s = 0; for (let i = 0; i <= workerData; i++) s += i;
  parentPort.postMessage(s);
`, { eval: true, workerData: 1000 });
w.on('message', (m) => console.log('sum', m));
w.on('exit', (c) => console.log('exit', c));
"""
    r = ctx.run(code, timeout_ms=20000)
    check(r.stdout == "sum 500500\nexit 0\n" and r.exit_code == 0, "unexpected output", r)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "javascript"))

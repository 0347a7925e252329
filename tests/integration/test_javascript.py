#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Behaviour of one JavaScript sandbox as a user of `sandboxd-vm run --language javascript` sees
it: results, streams, inputs, the event loop, isolation from the host, no network, limits (time,
memory, output), uniqueness and cleanliness between runs, and a worker that stays healthy. One case
per invocation, so each is its own meson test (tests/meson.build registers them as js-NAME):

    test_javascript.py --list
    test_javascript.py [--vm PATH] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both" per case for tests/meson.build: "both"
cases are registered twice, cold and as js-snap-NAME. --snapshot DIR restores every run of the
case from that (JavaScript) snapshot instead of booting node cold.

The guest code of these cases (infinite loops, memory hogs, file and network probes) only ever
runs in the guest. The host's /usr/bin/node runs only the harmless introspection of
main_module_like_node_e, and `node --version`.

Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check  # noqa: E402

LANGUAGE = "javascript"
CASES = cases.Cases()  # cold_only: no js-snap- twin
case = CASES.case


class Context:
    def __init__(self, vm, snapshot=None):
        self.vm = vm
        self.snapshot = snapshot  # also the default of every run (sandbox.set_default_snapshot)


def run(ctx, code, **kwargs):
    """One JavaScript sandbox (sandbox.run_vm with --language javascript)."""
    return sandbox.run_vm(ctx.vm, code, language=LANGUAGE, **kwargs)


def healthy(ctx):
    sandbox.healthy(ctx.vm, LANGUAGE)


def last_json_line(run_):
    """The guest programs below end by printing one JSON line with what they observed."""
    lines = run_.stdout.strip().splitlines()
    check(lines, "the guest printed nothing", run_)
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError:
        raise sandbox.TestFailure(f"the guest's last line is not JSON\n{run_.describe()}")


def host_node_version():
    """The host's node version (the image's node is the host's), or None without one."""
    if not os.access(sandbox.HOST_NODE, os.X_OK):
        return None
    out = subprocess.run([sandbox.HOST_NODE, "--version"], capture_output=True, text=True, timeout=30, check=True)
    return out.stdout.strip().lstrip("v")


def image_top_level(vm):
    """The top-level names of the guest image, from the listing the image build writes beside it
    (build/guest/guest.img.txt, the build directory found from the worker's path); None if not
    found."""
    build_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(vm))))
    listing = os.path.join(build_root, "guest", "guest.img.txt")
    try:
        with open(listing, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    names = set()
    for line in lines[1:]:
        fields = line.split()
        if len(fields) >= 2 and fields[1].startswith("/"):
            parts = [p for p in fields[1].split("/") if p]
            if len(parts) == 1:
                names.add(parts[0])
    return names or None


# --- results and streams ------------------------------------------------------------------------


@case()
def print_42(ctx):
    r = run(ctx, "console.log(6*7)")
    check(r.stdout == "42\n", "stdout is not '42\\n'", r)
    check(r.stderr == "", "stderr is not empty", r)
    check(r.exit_code == 0 and r.signal is None, "exit is not a clean 0", r)
    check(not r.timed_out and not r.memory_limit_hit and not r.truncated, "a limit flag is set", r)


@case()
def syscalls_of_a_print(ctx):
    """What console.log(1) costs in syscalls, the VM's currency. Restored: read the request,
    write the output, end through the control channel; nothing of node's start or teardown, no
    garbage collection after the program (V8's memory reducer once ran one on every request).
    Cold: node's whole start, within bounds."""
    r = run(ctx, "console.log(1)")
    check(r.stdout == "1\n" and r.exit_code == 0, "console.log(1) failed", r)
    syscalls = r.usage.get("syscalls")
    if ctx.snapshot:
        check(syscalls <= 6, f"a restored console.log(1) made {syscalls} syscalls (3 expected)", r)
    else:
        check(100 <= syscalls <= 2000, f"a cold console.log(1) made {syscalls} syscalls", r)
    check(r.usage.get("unimplemented_syscalls") == 0, "unimplemented syscalls", r)
    faults = r.usage.get("page_faults")
    check(isinstance(faults, int) and faults + syscalls <= r.usage.get("exits"),
          "usage.page_faults is missing or more than the exits leave room for", r)


@case()
def result_fields(ctx):
    """language is javascript; runtime_version is the guest's node version (the host's, when the
    host has node: the image is built from the host's packages); timing and usage are sane."""
    r = run(ctx, "console.log(process.versions.node)")
    check(r.language == "javascript", "result.language is not 'javascript'", r)
    check(r.stdout.strip() == r.runtime_version, "runtime_version differs from the guest's process.versions.node", r)
    host = host_node_version()
    if host is not None:
        check(r.runtime_version == host, f"runtime_version is not the host's node {host}", r)
    timing, usage = r.timing, r.usage
    for key in ("total_ms", "run_ms"):
        check(isinstance(timing.get(key), (int, float)) and not isinstance(timing.get(key), bool) and timing[key] >= 0,
              f"timing.{key} is missing, not a number or negative", r)
    check(timing["run_ms"] <= timing["total_ms"] + 1e-3, "timing.run_ms > timing.total_ms", r)
    check(isinstance(usage.get("cpu_ms"), (int, float)) and usage["cpu_ms"] >= 0, "usage.cpu_ms is missing or negative", r)
    peak = usage.get("peak_memory_bytes")
    check(isinstance(peak, int) and not isinstance(peak, bool) and peak > 0,
          "usage.peak_memory_bytes is missing or not a positive integer", r)


@case()
def exit_code_3(ctx):
    r = run(ctx, "process.exit(3)")
    check(r.exit_code == 3 and r.signal is None, "exit code is not 3", r)
    check(r.stdout == "" and r.stderr == "", "unexpected output", r)


@case()
def exit_code_set_then_drained(ctx):
    """process.exitCode set, then the event loop drains: that code, with everything printed."""
    r = run(ctx, "process.exitCode = 7; setTimeout(() => console.log('late'), 20);")
    check(r.exit_code == 7 and r.stdout == "late\n", "expected 'late' and exit code 7", r)


@case()
def uncaught_error_stderr(ctx):
    """A thrown Error: exit 1, the output before it kept, stderr as node -e prints it: the source
    position [eval]:1, the line, the message and the stack frames. Only the top of the stack is
    checked: restored runs have runner frames below the program's."""
    r = run(ctx, "throw new Error('boom ' + 6 * 7)")
    check(r.exit_code == 1 and r.signal is None, "exit code is not 1", r)
    check(r.stdout == "", "unexpected stdout", r)
    check(r.stderr.startswith("[eval]:1\n"), "stderr does not start with '[eval]:1'", r)
    check("throw new Error('boom ' + 6 * 7)\n" in r.stderr, "stderr does not show the source line", r)
    check("\nError: boom 42\n    at " in r.stderr, "stderr does not show the message followed by stack frames", r)
    check("    at [eval]:1:7" in r.stderr, "the first frame is not [eval]:1:7", r)
    check(f"Node.js v{r.runtime_version}" in r.stderr, "stderr does not end with node's version line", r)

    r = run(ctx, "console.log('to stdout');\nconsole.error('to stderr');\nfunction f() { throw new TypeError('deep'); }\nf();\n")
    check(r.exit_code == 1, "exit code is not 1", r)
    check(r.stdout == "to stdout\n", "stdout is not exactly the printed line", r)
    check(r.stderr.startswith("to stderr\n[eval]:3\n"), "stderr does not start with the line and '[eval]:3'", r)
    check("TypeError: deep\n    at f ([eval]:3:22)\n    at [eval]:4:1\n" in r.stderr, "the stack does not start at f, [eval]:4", r)


@case()
def unhandled_rejection_exit(ctx):
    """Unhandled rejections end the program with exit 1 (node 20's default), after the
    synchronous code; a rejection handled in time does not."""
    r = run(ctx, "console.log('sync');\nPromise.reject(new Error('nope'));\nsetTimeout(() => console.log('never'), 100);\n")
    check(r.exit_code == 1 and r.signal is None, "exit code is not 1", r)
    check(r.stdout == "sync\n", "stdout is not exactly 'sync'", r)
    check("Error: nope" in r.stderr and "    at " in r.stderr, "stderr does not show the rejection's error and stack", r)
    r = run(ctx, "(async () => { await null; throw new RangeError('async fail'); })();")
    check(r.exit_code == 1 and "RangeError: async fail" in r.stderr, "an async function's rejection did not end the program", r)
    r = run(ctx, "const p = Promise.reject(new Error('x'));\np.catch(e => console.log('caught', e.message));\n")
    check(r.exit_code == 0 and r.stdout == "caught x\n" and r.stderr == "", "a handled rejection was treated as unhandled", r)


@case()
def streams_separate(ctx):
    """Interleaved writes to both streams land each in its own field, in order."""
    code = (
        "for (let i = 0; i < 50; i++) { console.log(`out ${i}`); console.error(`err ${i}`); }\n"
        "require('fs').writeSync(1, 'fd1\\n'); require('fs').writeSync(2, 'fd2\\n');\n"
    )
    r = run(ctx, code)
    check(r.stdout == "".join(f"out {i}\n" for i in range(50)) + "fd1\n", "stdout is wrong", r)
    check(r.stderr == "".join(f"err {i}\n" for i in range(50)) + "fd2\n", "stderr is wrong", r)


@case()
def stdin_arrives(ctx):
    """Binary stdin arrives intact, through fs.readFileSync(0) and through process.stdin events."""
    data = ("line one\nzweite Zeile ünï\n" + "x" * 100000 + "\n").encode() + bytes(range(256))
    expected = {"len": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    code = (
        "const crypto = require('crypto');\n"
        "const data = require('fs').readFileSync(0);\n"
        "console.log(JSON.stringify({len: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex')}));\n"
    )
    check(last_json_line(run(ctx, code, stdin=data)) == expected, "fs.readFileSync(0) did not get stdin intact")
    code = (
        "const crypto = require('crypto'); const h = crypto.createHash('sha256'); let len = 0;\n"
        "process.stdin.on('data', (c) => { len += c.length; h.update(c); });\n"
        "process.stdin.on('end', () => console.log(JSON.stringify({len, sha256: h.digest('hex')})));\n"
    )
    check(last_json_line(run(ctx, code, stdin=data)) == expected, "process.stdin events did not get stdin intact")


@case()
def stdin_default_empty(ctx):
    """Without --stdin-file, stdin is at end of file at once (not a hang, not an error)."""
    code = (
        "const s = require('fs').readFileSync(0, 'utf8');\n"
        "process.stdin.resume(); process.stdin.on('end', () => console.log(JSON.stringify(s)));\n"
    )
    r = run(ctx, code, timeout_ms=5000)
    check(not r.timed_out, "reading stdin blocked until the timeout", r)
    check(r.stdout == '""\n' and r.exit_code == 0, "stdin is not empty", r)


@case()
def args_arrive(ctx):
    """Arguments arrive as process.argv.slice(1), none taken as node options (not even ones that
    look like them: --inspect must not start an inspector, -e must not be code)."""
    args = ["plain", "with space", "", "ünïcödé ✓", "--flag=1", "-e", "process.exit(9)", "--", "a\nb", "$HOME", "*",
            "--inspect", "--require=/nonexistent"]
    r = run(ctx, "console.log(JSON.stringify(process.argv.slice(1)))", args=args)
    check(r.exit_code == 0, "the program did not exit 0", r)
    check(last_json_line(r) == args, "process.argv.slice(1) is not the args", r)


@case()
def env_arrives(ctx):
    env = {"FOO": "bar", "EMPTY": "", "WITH_EQUALS": "a=b=c", "UNICODE": "grüße ✓", "NODE_DEBUG_NOT": "x"}
    r = run(ctx, "console.log(JSON.stringify(process.env))", env=env)
    seen = last_json_line(r)
    for key, value in env.items():
        check(seen.get(key) == value, f"environment variable {key} is {seen.get(key)!r}, expected {value!r}", r)
    check(seen.get("HOME") == sandbox.GUEST_HOME and seen.get("LANG") == "C.UTF-8", "defaults lost when --env is given", r)


@case()
def env_default(ctx):
    """The environment is exactly the documented default: nothing of the worker's own environment
    (here a canary variable) leaks in."""
    canary = f"canary-{uuid.uuid4()}"
    r = run(ctx, "console.log(JSON.stringify(process.env))", worker_env={"SANDBOXD_TEST_CANARY": canary})
    check(canary not in r.stdout, "the worker's environment leaked into the guest", r)
    check(last_json_line(r) == sandbox.GUEST_ENV, f"process.env is not exactly {sandbox.GUEST_ENV}", r)


@case()
def cwd_arrives(ctx):
    code = (
        "const fs = require('fs');\n"
        "fs.writeFileSync('rel.txt', 'x');\n"
        "console.log(JSON.stringify([process.cwd(), fs.existsSync('/tmp/rel.txt'), require('path').resolve('a')]));\n"
    )
    r = run(ctx, code, cwd="/tmp")
    check(last_json_line(r) == ["/tmp", True, "/tmp/a"], "process.cwd() is not /tmp, or relative paths do not resolve there", r)


@case()
def cwd_default(ctx):
    code = (
        "const fs = require('fs'), os = require('os');\n"
        "fs.writeFileSync('notes.txt', 'hello');\n"
        "console.log(JSON.stringify([process.cwd(), os.homedir(), os.tmpdir(), fs.readFileSync('/home/sandbox/notes.txt', 'utf8')]));\n"
    )
    r = run(ctx, code)
    expected = [sandbox.GUEST_HOME, sandbox.GUEST_HOME, "/tmp", "hello"]
    check(last_json_line(r) == expected, f"expected {expected}", r)


@case()
def main_module_like_node_e(ctx):
    """The program's module looks as under `node -e` on the host: the same module id, file and
    directory names, globals and execArgv. Harmless introspection, so the host runs it too."""
    code = (
        "console.log(JSON.stringify({\n"
        "  id: module.id, filename: __filename, dirname: __dirname, main: typeof require.main,\n"
        "  globals: Object.keys(globalThis).sort(), execArgv: process.execArgv,\n"
        "  argv: process.argv.slice(1), this_is_exports: this === module.exports,\n"
        "  strict: (function () { return this === undefined; })(),\n"
        "}, null, 1));\n"
    )
    if not os.access(sandbox.HOST_NODE, os.X_OK):
        sandbox.skip(f"{sandbox.HOST_NODE} is not installed on the host")
    host = sandbox.run_host(code, args=["one", "two"], language=LANGUAGE)
    check(host.returncode == 0, f"the host run failed: {host!r}")
    r = run(ctx, code, args=["one", "two"])
    check(r.exit_code == 0, "the program failed", r)
    expected = json.loads(host.stdout)
    try:
        seen = json.loads(r.stdout)
    except json.JSONDecodeError:
        raise sandbox.TestFailure(f"the guest's output is not JSON\n{r.describe()}")
    differ = [f"  {k}: host {expected[k]!r:.300}, guest {seen.get(k)!r:.300}" for k in expected if seen.get(k) != expected[k]]
    check(not differ, "differs from `node -e` on the host:\n" + "\n".join(differ), r)


@case()
def exec_path_like_node(ctx):
    """process.execPath is the interpreter's absolute path, and process.argv[0] is execPath, as
    for any `node` started from PATH (node finds its path through /proc/self/exe)."""
    r = run(ctx, "console.log(JSON.stringify([process.execPath, process.argv[0]]))")
    check(last_json_line(r) == ["/usr/bin/node", "/usr/bin/node"],
          "process.execPath / process.argv[0] are not /usr/bin/node", r)


# --- the event loop -------------------------------------------------------------------------------


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
    r = run(ctx, code, timeout_ms=10000)
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
    r = run(ctx, code)
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
    r = run(ctx, code, timeout_ms=20000)
    check(r.stdout == "sum 500500\nexit 0\n" and r.exit_code == 0, "unexpected output", r)


# --- files and isolation from the host ----------------------------------------------------------------


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
    r = run(ctx, code)
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
    r = run(ctx, code)
    seen = last_json_line(r)
    check(seen.pop("readable") is True, "/usr/bin/node is not readable", r)
    for name, outcome in seen.items():
        check(outcome != "SUCCEEDED", f"{name}: a write to the read-only image succeeded", r)
        check(outcome in ("EROFS", "EACCES", "EPERM", "ENOENT", "EBUSY", "ETXTBSY"),
              f"{name}: failed with {outcome}, expected an errno code", r)


@case()
def host_files_invisible(ctx):
    """The guest's root holds only the image's directories; host files (one made just now in the
    host's /tmp, /work, /root, this test's own path and the worker binary) don't exist for it;
    /etc/hostname is the sandbox's."""
    tag = str(uuid.uuid4())
    host_tmp = f"/tmp/hostfile-{tag}"
    with open(host_tmp, "w") as f:
        f.write(f"host-secret-{tag}")
    try:
        probe = [host_tmp, "/work", "/root", os.path.abspath(__file__), ctx.vm, os.getcwd(), "/etc/shadow"]
        code = (
            "const fs = require('fs'), os = require('os');\n"
            f"const paths = {json.dumps(probe)};\n"
            "const seen = {};\n"
            "for (const p of paths) {\n"
            "  let opened;\n"
            "  try { fs.readFileSync(p); opened = 'opened'; } catch (e) { opened = e.code; }\n"
            "  seen[p] = [fs.existsSync(p), opened];\n"
            "}\n"
            "seen.root = fs.readdirSync('/').sort();\n"
            f"seen.listed = fs.readdirSync('/tmp').some((n) => n.includes('{tag}'));\n"
            "seen.hostname = fs.readFileSync('/etc/hostname', 'utf8');\n"
            "seen.nodename = os.hostname();\n"
            "console.log(JSON.stringify(seen));\n"
        )
        r = run(ctx, code)
        seen = last_json_line(r)
    finally:
        os.unlink(host_tmp)
    check(f"host-secret-{tag}" not in r.stdout, "host file content reached the guest", r)
    check(seen["listed"] is False, "the host's /tmp file is listed in the guest's /tmp", r)
    for path in probe:
        exists, opened = seen[path]
        check(exists is False, f"{path} exists in the guest", r)
        check(opened in ("ENOENT", "EACCES", "ENOTDIR"), f"opening {path} gave {opened}, expected ENOENT", r)
    image = image_top_level(ctx.vm)
    root = set(seen["root"])
    if image is not None:
        check(root == image, f"the guest's / lists {sorted(root)}, the image has {sorted(image)}", r)
    else:
        allowed = {"bin", "dev", "etc", "home", "lib", "lib32", "lib64", "proc", "sbin", "sys", "tmp", "usr", "var", "run"}
        check(root <= allowed, f"the guest's / has entries no image has: {sorted(root - allowed)}", r)
    check(not root & {"work", "root", "boot", "srv", "mnt", "opt", "media"} - (image or set()),
          "host directories are visible in the guest's /", r)
    host_hostname = None
    try:
        with open("/etc/hostname") as f:
            host_hostname = f.read()
    except OSError:
        pass
    check(seen["hostname"].strip() == seen["nodename"], "/etc/hostname is not os.hostname()", r)
    if host_hostname is not None and host_hostname.strip() != seen["nodename"]:
        check(seen["hostname"] != host_hostname, "the guest reads the host's /etc/hostname", r)


@case()
def host_secrets_unreachable(ctx):
    """/dev/kvm can't be opened; nothing the guest reads under /proc carries the worker's identity
    (its name, or a canary in its environment)."""
    canary = f"canary-{uuid.uuid4()}"
    paths = ["/dev/kvm", "/proc/self/environ", "/proc/self/cmdline", "/proc/self/status", "/proc/self/maps",
             "/proc/1/environ", "/proc/1/cmdline", "/proc/net/tcp", "/sys/class/net", "/etc/machine-id"]
    # The list travels base64-encoded: the code may show up in the guest's /proc/self/cmdline,
    # which must not then look like it names /dev/kvm.
    encoded = base64.b64encode(json.dumps(paths).encode()).decode()
    code = (
        "const fs = require('fs');\n"
        f"const paths = JSON.parse(Buffer.from('{encoded}', 'base64').toString());\n"
        "const seen = {};\n"
        "for (const p of paths) {\n"
        "  try { seen[p] = fs.readFileSync(p).subarray(0, 1 << 20).toString('base64'); } catch (e) { seen[p] = 'error:' + e.code; }\n"
        "}\n"
        "console.log(JSON.stringify(seen));\n"
    )
    r = run(ctx, code, worker_env={"SANDBOXD_TEST_CANARY": canary})
    seen = last_json_line(r)
    check(seen["/dev/kvm"].startswith("error:"), "the guest opened /dev/kvm", r)
    worker_name = os.path.basename(ctx.vm).encode()
    for path, value in seen.items():
        if value.startswith("error:"):
            continue
        content = base64.b64decode(value)
        check(canary.encode() not in content, f"the worker's environment is visible in the guest's {path}", r)
        check(worker_name not in content and b"/dev/kvm" not in content,
              f"the guest's {path} shows the host worker", r)


@case(timeout=90)
def no_network(ctx):
    """No network, and every attempt fails at once with an error code rather than hanging: TCP to
    127.0.0.1, ::1 and a public address, UDP, listening, http.get, fetch, dns.lookup and
    dns.resolve."""
    code = r"""
const net = require('net'), http = require('http'), dns = require('dns'), dgram = require('dgram');
const results = {};
const attempt = (name, start) => new Promise((resolve) => {
  const timer = setTimeout(() => { results[name] = 'HANG'; resolve(); }, 8000);
  const done = (err, ok) => { clearTimeout(timer); if (!(name in results)) results[name] = err ? String(err.code || err.name) : `ok ${ok}`; resolve(); };
  try { start(done); } catch (e) { done(e); }
});
const tcp = (port, host) => (cb) => { const s = net.connect(port, host); s.on('connect', () => { s.destroy(); cb(null, 'connected'); }); s.on('error', cb); };
Promise.all([
  attempt('tcp_local', tcp(1, '127.0.0.1')),
  attempt('tcp_v6_local', tcp(1, '::1')),
  attempt('tcp_public', tcp(80, '1.1.1.1')),
  attempt('tcp_public_dns', tcp(53, '8.8.8.8')),
  attempt('udp', (cb) => { const s = dgram.createSocket('udp4'); s.on('error', (e) => { s.close(); cb(e); });
    s.send('x', 53, '8.8.8.8', (e) => { if (e) { s.close(); cb(e); return; }
      s.on('message', () => { s.close(); cb(null, 'answer'); }); setTimeout(() => { s.close(); cb({ code: 'NO_ANSWER' }); }, 2000); }); }),
  attempt('listen', (cb) => { const srv = net.createServer(); srv.on('error', cb); srv.listen(0, '127.0.0.1', () => { srv.close(); cb(null, 'listening'); }); }),
  attempt('http_get', (cb) => http.get('http://example.com/', (res) => cb(null, res.statusCode)).on('error', cb)),
  attempt('http_get_ip', (cb) => http.get('http://1.1.1.1/', (res) => cb(null, res.statusCode)).on('error', cb)),
  attempt('fetch', (cb) => fetch('http://example.com/').then((res) => cb(null, res.status), (e) => cb(e.cause || e))),
  attempt('dns_lookup', (cb) => dns.lookup('example.com', cb)),
  attempt('dns_resolve', (cb) => dns.resolve('example.com', cb)),
  attempt('dns_resolve4_promises', (cb) => dns.promises.resolve4('example.com').then((a) => cb(null, a), cb)),
]).then(() => console.log(JSON.stringify(results)));
"""
    start = time.monotonic()
    r = run(ctx, code, timeout_ms=30000, deadline_s=60)
    wall = time.monotonic() - start
    check(r.exit_code == 0 and not r.timed_out, "the program did not finish normally", r)
    seen = last_json_line(r)
    for name, outcome in sorted(seen.items()):
        check(not outcome.startswith("ok"), f"{name} succeeded ({outcome}): there is a network", r)
        check(outcome != "HANG", f"{name} hung instead of failing", r)
        check(outcome.isupper() and outcome.replace("_", "").isalnum(), f"{name} failed without an error code: {outcome}", r)
    check(len(seen) == 12, "not every attempt reported", r)
    print(f"outcomes: {seen}; wall {wall:.2f} s")


# --- limits ------------------------------------------------------------------------------------------


@case(serial=True)
def timeout_busy_loop(ctx):
    """while(true){} with a 1 s timeout: timed_out, the output before the loop kept, and the whole
    run ends well before the harness's own deadline."""
    start = time.monotonic()
    r = run(ctx, "console.log('before the loop');\nwhile (true) {}\n", timeout_ms=1000, deadline_s=30)
    wall = time.monotonic() - start
    check(r.timed_out is True, "timed_out is not true", r)
    check(wall < 5.0, f"the run took {wall:.2f} s for a 1 s timeout", r)
    check(r.stdout == "before the loop\n", "the output written before the loop was lost", r)
    check(r.exit_code != 0, "a timed-out program reports exit code 0", r)
    healthy(ctx)


@case(serial=True)
def timeout_pending_work(ctx):
    """The timeout also ends a program that is idle but never done (an interval keeps the event
    loop alive), and one whose Worker spins forever."""
    programs = {
        "interval": "console.log('started'); setInterval(() => {}, 1000);",
        "spinning worker": ("const { Worker } = require('worker_threads');\n"
                            "new Worker('while (true) {}', { eval: true }).on('online', () => console.log('started'));\n"),
        "async loop": "console.log('started'); (async () => { for (;;) await null; })();",
    }
    for name, code in programs.items():
        start = time.monotonic()
        r = run(ctx, code, timeout_ms=1500, deadline_s=30)
        wall = time.monotonic() - start
        check(r.timed_out is True, f"{name}: timed_out is not true", r)
        check(wall < 5.0, f"{name}: the run took {wall:.2f} s for a 1.5 s timeout", r)
        check(r.stdout == "started\n", f"{name}: the output before the wait was lost", r)
    healthy(ctx)


@case(serial=True)
def timeout_not_hit(ctx):
    r = run(ctx, "setTimeout(() => console.log('done'), 200);", timeout_ms=5000)
    check(r.stdout == "done\n" and r.exit_code == 0 and r.timed_out is False, "a short program was cut off", r)


def _memory_outcome(r, limit_mb):
    """memory_limit_hit, or the process died of it (a signal, or a non-zero exit) and said so."""
    check("survived" not in r.stdout, "the program got more memory than its limit", r)
    died = r.signal is not None or (r.exit_code not in (0, None))
    check(r.memory_limit_hit or died, "neither memory_limit_hit nor a process that died", r)
    check(not r.timed_out, "the memory hog ran into the timeout instead of the memory limit", r)
    peak = r.usage.get("peak_memory_bytes")
    check(isinstance(peak, int) and peak <= limit_mb << 20,
          f"usage.peak_memory_bytes {peak} exceeds the {limit_mb} MiB limit", r)


@case(serial=True, timeout=120)
def memory_hog_buffers(ctx):
    """Filled 16 MiB Buffers (outside V8's heap) kept until failure, under --memory-mb 128."""
    code = ("const keep = [];\n"
            "for (let i = 0; i < 4096; i++) keep.push(Buffer.alloc(16 << 20, 1));\n"
            "console.log('survived');\n")
    r = run(ctx, code, memory_mb=128, timeout_ms=60000, deadline_s=100)
    _memory_outcome(r, 128)
    healthy(ctx)


@case(serial=True, timeout=120)
def memory_hog_heap(ctx):
    """Small objects on V8's heap until failure, under --memory-mb 128."""
    code = ("const keep = [];\n"
            "for (let i = 0; i < 1e9; i++) keep.push({ i, s: 'x'.repeat(64) + i });\n"
            "console.log('survived');\n")
    r = run(ctx, code, memory_mb=128, timeout_ms=60000, deadline_s=100)
    _memory_outcome(r, 128)
    healthy(ctx)


@case(serial=True, timeout=120)
def memory_array_buffer_caught(ctx):
    """ArrayBuffer allocations beyond the limit fail with a RangeError the program can catch."""
    code = ("const keep = [];\n"
            "try { for (let i = 0; i < 4096; i++) keep.push(new Uint8Array(16 << 20).fill(1)); console.log('survived'); }\n"
            "catch (e) { const n = keep.length; keep.length = 0; console.log('caught', e.name, n >= 2); }\n")
    r = run(ctx, code, memory_mb=128, timeout_ms=60000, deadline_s=100)
    caught = r.stdout == "caught RangeError true\n" and r.exit_code == 0
    if not caught:  # or the host stopped it first
        _memory_outcome(r, 128)
    healthy(ctx)


@case()
def output_cap(ctx):
    """10 MB of output under --max-output-bytes 1000: truncated, at most 1000 bytes kept, and what
    is kept is the start of the output."""
    code = "const s = 'y'.repeat(1 << 20) + '\\n';\nfor (let i = 0; i < 10; i++) process.stdout.write(s);\nconsole.error('done');\n"
    r = run(ctx, code, max_output_bytes=1000)
    check(r.truncated is True, "truncated is not true", r)
    check(len(r.stdout.encode()) + len(r.stderr.encode()) <= 1000, "more than the cap kept", r)
    check(r.stdout == "y" * len(r.stdout) and len(r.stdout) > 0, "what is kept is not the start of the output", r)
    check(r.exit_code == 0, "the program did not finish normally", r)


@case()
def output_under_limit(ctx):
    """3 MiB of output under a 4 MiB cap arrives whole, not truncated."""
    code = "for (let i = 0; i < 3 * 1024; i++) process.stdout.write(String(i).padStart(8, '0').repeat(128));\n"
    r = run(ctx, code, max_output_bytes=4 << 20)
    expected = "".join(format(i, "08d") * 128 for i in range(3 * 1024))
    check(r.truncated is False, "truncated is true under the cap", r)
    check(r.stdout == expected, f"stdout is {len(r.stdout)} chars, expected {len(expected)}", r)


# --- signals --------------------------------------------------------------------------------------


def _ends_with_signal(ctx, code, sig):
    r = run(ctx, code + "\nsetTimeout(() => console.log('still alive'), 200);\n")
    check(r.signal == sig and "still alive" not in r.stdout, f"{code!r}: signal is {r.signal!r}, expected {sig!r}", r)


@case()
def self_signals(ctx):
    """Signals a program sends itself, for which node keeps the default action, end it as on
    Linux; process.abort() is SIGABRT."""
    for sig in ("SIGKILL", "SIGHUP", "SIGUSR2", "SIGALRM"):
        _ends_with_signal(ctx, f"process.kill(process.pid, '{sig}');", sig)
    _ends_with_signal(ctx, "process.abort();", "SIGABRT")
    healthy(ctx)


@case()
def self_signals_reraised(ctx):
    """SIGTERM and SIGINT end the program with that signal, as on Linux. node handles both itself
    (a handler installed with SA_RESETHAND that restores the terminal and raises the signal again
    from inside the handler, where it is blocked until the handler returns)."""
    for sig in ("SIGTERM", "SIGINT"):
        _ends_with_signal(ctx, f"process.kill(process.pid, '{sig}');", sig)
    healthy(ctx)


@case()
def signal_handler_runs(ctx):
    """A handler the program installs runs instead of the default action, as often as signalled."""
    r = run(ctx, "let n = 0;\nprocess.on('SIGTERM', (s) => { console.log('handled', s, ++n); process.exitCode = 4; });\n"
                 "process.on('SIGUSR2', (s) => console.log('handled', s));\n"
                 "process.kill(process.pid, 'SIGTERM');\nsetTimeout(() => { process.kill(process.pid, 'SIGTERM'); "
                 "process.kill(process.pid, 'SIGUSR2'); }, 20);\nsetTimeout(() => console.log('after'), 100);\n")
    check(r.stdout == "handled SIGTERM 1\nhandled SIGTERM 2\nhandled SIGUSR2\nafter\n" and r.exit_code == 4
          and r.signal is None, "the program's own signal handlers did not run as expected", r)


# --- uniqueness and cleanliness between runs -----------------------------------------------------------


@case()
def entropy_differs(ctx):
    """Every sandbox (restored ones start from the same memory) has its own random values."""
    code = (
        "const crypto = require('crypto'), fs = require('fs'), os = require('os'), path = require('path');\n"
        "const d = fs.mkdtempSync(path.join(os.tmpdir(), 'x-'));\n"
        "console.log(JSON.stringify([Math.random(), crypto.randomUUID(), crypto.randomBytes(16).toString('hex'),\n"
        "  Array.from(crypto.getRandomValues(new Uint32Array(4))).join(','), path.basename(d)]));\n"
    )
    first = last_json_line(run(ctx, code))
    second = last_json_line(run(ctx, code))
    for label, a, b in zip(["Math.random()", "crypto.randomUUID()", "crypto.randomBytes(16)", "getRandomValues", "mkdtemp"],
                           first, second):
        check(a != b, f"two sandboxes produced the same {label}: {a!r}")


@case()
def clock_is_host(ctx):
    before = time.time()
    r = run(ctx, "console.log(JSON.stringify([Date.now(), performance.now() >= 0, process.hrtime.bigint() > 0n]))")
    after = time.time()
    guest_ms, perf_ok, hr_ok = last_json_line(r)
    check(perf_ok is True and hr_ok is True, "performance.now() or process.hrtime is broken", r)
    check((before - 2) * 1000 <= guest_ms <= (after + 2) * 1000,
          f"guest Date.now() {guest_ms} not within the host's [{before * 1000:.0f}, {after * 1000:.0f}]", r)


@case()
def files_not_shared_between_runs(ctx):
    """What one sandbox writes to /tmp and the home directory, the next does not see."""
    name = f"persist-{uuid.uuid4()}"
    first = run(ctx, f"const fs = require('fs');\nfs.writeFileSync('/tmp/{name}', 'x');\n"
                     f"fs.writeFileSync('/home/sandbox/{name}', 'x');\nfs.mkdirSync('/tmp/{name}-dir');\nconsole.log('written');\n")
    check(first.stdout == "written\n", "the first run could not write its files", first)
    second = run(ctx, "const fs = require('fs');\n"
                      f"console.log(JSON.stringify([fs.existsSync('/tmp/{name}'), fs.existsSync('/home/sandbox/{name}'),\n"
                      f"  fs.existsSync('/tmp/{name}-dir'), fs.readdirSync('/tmp').filter((n) => n.startsWith('persist-')),\n"
                      "  fs.readdirSync('/home/sandbox').filter((n) => n.startsWith('persist-'))]));\n")
    check(last_json_line(second) == [False, False, False, [], []], "a file written by an earlier sandbox is visible", second)


@case()
def globals_not_shared_between_runs(ctx):
    """Nothing a program changes in its JavaScript world carries over to the next sandbox: a global,
    a patched built-in prototype and module, the environment, a cached module, a pending timer.
    (Meaningful for restored runs, which all start from one snapshot's memory.)"""
    first = run(ctx, r"""
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
    second = run(ctx, r"""
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


# --- the worker itself -------------------------------------------------------------------------------


@case(timeout=180)
def healthy_after_misbehaviour(ctx):
    """A sequence of bad guests, each followed by a normal one."""
    bad = [
        ("process.kill(process.pid, 'SIGKILL')", {}),
        ("process.abort()", {}),
        ("process.exit(255)", {}),
        ("function f(n) { return f(n + 1) + 1; } f(0);", {}),
        ("const a = []; for (;;) a.push(new Array(1e6).fill(1));", {"memory_mb": 64}),
        ("while (true) {}", {"timeout_ms": 500}),
    ]
    for code, limits in bad:
        limits.setdefault("timeout_ms", 15000)
        r = run(ctx, code, **limits)
        check(r.exit_code != 0 or r.signal is not None or r.memory_limit_hit or r.timed_out,
              f"the misbehaving program {code!r} reported success", r)
        healthy(ctx)


def main():
    return CASES.main(
        __doc__,
        snapshot_help="restore every run from this JavaScript snapshot",
        cold_only_error="runs cold only",
        context=lambda opts, vm, snapshot: Context(vm, snapshot),
    )


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What a JavaScript sandbox answers: stdout, stderr, the exit status (process.exitCode, uncaught
errors, unhandled rejections), the result object's fields and the syscalls a print costs; the
module a program runs in and process.execPath, as under `node -e` (the host's node runs only that
harmless introspection, and `node --version`).

One case per invocation, each its own meson test (tests/meson.build registers every case as
js-NAME, and again restored as js-snap-NAME unless it is cold_only):

    javascript/test_results.py --list
    javascript/test_results.py [--vm PATH] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --snapshot DIR restores
every run of the case from that (JavaScript) snapshot instead of booting node cold.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, last_json_line  # noqa: E402

CASES = cases.Cases()
case = CASES.case


@case()
def print_42(ctx):
    r = ctx.run("console.log(6*7)")
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
    r = ctx.run("console.log(1)")
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


def host_node_version():
    """The host's node version (the image's node is the host's), or None without one."""
    if not os.access(sandbox.HOST_NODE, os.X_OK):
        return None
    out = subprocess.run([sandbox.HOST_NODE, "--version"], capture_output=True, text=True, timeout=30, check=True)
    return out.stdout.strip().lstrip("v")


@case()
def result_fields(ctx):
    """language is javascript; runtime_version is the guest's node version (the host's, when the
    host has node: the image is built from the host's packages); timing and usage are sane."""
    r = ctx.run("console.log(process.versions.node)")
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
    r = ctx.run("process.exit(3)")
    check(r.exit_code == 3 and r.signal is None, "exit code is not 3", r)
    check(r.stdout == "" and r.stderr == "", "unexpected output", r)


@case()
def exit_code_set_then_drained(ctx):
    """process.exitCode set, then the event loop drains: that code, with everything printed."""
    r = ctx.run("process.exitCode = 7; setTimeout(() => console.log('late'), 20);")
    check(r.exit_code == 7 and r.stdout == "late\n", "expected 'late' and exit code 7", r)


@case()
def uncaught_error_stderr(ctx):
    """A thrown Error: exit 1, the output before it kept, stderr as node -e prints it: the source
    position [eval]:1, the line, the message and the stack frames. Only the top of the stack is
    checked: restored runs have runner frames below the program's."""
    r = ctx.run("throw new Error('boom ' + 6 * 7)")
    check(r.exit_code == 1 and r.signal is None, "exit code is not 1", r)
    check(r.stdout == "", "unexpected stdout", r)
    check(r.stderr.startswith("[eval]:1\n"), "stderr does not start with '[eval]:1'", r)
    check("throw new Error('boom ' + 6 * 7)\n" in r.stderr, "stderr does not show the source line", r)
    check("\nError: boom 42\n    at " in r.stderr, "stderr does not show the message followed by stack frames", r)
    check("    at [eval]:1:7" in r.stderr, "the first frame is not [eval]:1:7", r)
    check(f"Node.js v{r.runtime_version}" in r.stderr, "stderr does not end with node's version line", r)

    r = ctx.run("console.log('to stdout');\nconsole.error('to stderr');\nfunction f() { throw new TypeError('deep'); }\nf();\n")
    check(r.exit_code == 1, "exit code is not 1", r)
    check(r.stdout == "to stdout\n", "stdout is not exactly the printed line", r)
    check(r.stderr.startswith("to stderr\n[eval]:3\n"), "stderr does not start with the line and '[eval]:3'", r)
    check("TypeError: deep\n    at f ([eval]:3:22)\n    at [eval]:4:1\n" in r.stderr, "the stack does not start at f, [eval]:4", r)


@case()
def unhandled_rejection_exit(ctx):
    """Unhandled rejections end the program with exit 1 (node 20's default), after the
    synchronous code; a rejection handled in time does not."""
    r = ctx.run("console.log('sync');\nPromise.reject(new Error('nope'));\nsetTimeout(() => console.log('never'), 100);\n")
    check(r.exit_code == 1 and r.signal is None, "exit code is not 1", r)
    check(r.stdout == "sync\n", "stdout is not exactly 'sync'", r)
    check("Error: nope" in r.stderr and "    at " in r.stderr, "stderr does not show the rejection's error and stack", r)
    r = ctx.run("(async () => { await null; throw new RangeError('async fail'); })();")
    check(r.exit_code == 1 and "RangeError: async fail" in r.stderr, "an async function's rejection did not end the program", r)
    r = ctx.run("const p = Promise.reject(new Error('x'));\np.catch(e => console.log('caught', e.message));\n")
    check(r.exit_code == 0 and r.stdout == "caught x\n" and r.stderr == "", "a handled rejection was treated as unhandled", r)


@case()
def streams_separate(ctx):
    """Interleaved writes to both streams land each in its own field, in order."""
    code = (
        "for (let i = 0; i < 50; i++) { console.log(`out ${i}`); console.error(`err ${i}`); }\n"
        "require('fs').writeSync(1, 'fd1\\n'); require('fs').writeSync(2, 'fd2\\n');\n"
    )
    r = ctx.run(code)
    check(r.stdout == "".join(f"out {i}\n" for i in range(50)) + "fd1\n", "stdout is wrong", r)
    check(r.stderr == "".join(f"err {i}\n" for i in range(50)) + "fd2\n", "stderr is wrong", r)


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
    host = sandbox.run_host(code, args=["one", "two"], language=ctx.language)
    check(host.returncode == 0, f"the host run failed: {host!r}")
    r = ctx.run(code, args=["one", "two"])
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
    r = ctx.run("console.log(JSON.stringify([process.execPath, process.argv[0]]))")
    check(last_json_line(r) == ["/usr/bin/node", "/usr/bin/node"],
          "process.execPath / process.argv[0] are not /usr/bin/node", r)


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "javascript"))

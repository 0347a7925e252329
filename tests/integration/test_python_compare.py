#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run one program of tests/programs/python/ or tests/programs/javascript/ in a sandboxd-vm guest
and on the host, with the same argv, environment and stdin, and compare stdout, stderr and the
exit code byte for byte (the guest's output arrives as JSON strings, so the host's bytes are
decoded the same way: UTF-8, invalid sequences replaced).

    test_python_compare.py [--vm PATH] [--snapshot DIR] PROGRAM.py|PROGRAM.js...
    test_python_compare.py [--vm PATH] --snapshot DIR --serve PROGRAM.py|PROGRAM.js...
    test_python_compare.py --check-registered DIR [--language python|javascript] NAME...

The extension picks the language: PROGRAM.py runs as `sandboxd-vm run --language python` and on
the host as `/usr/bin/python3.11 -c CODE ARGS...`; PROGRAM.js as `sandboxd-vm run --language
javascript` and on the host as `/usr/bin/node -e CODE -- ARGS...` (process.argv is then
[execPath, ...ARGS]: programs print process.argv.slice(1)). --language, if given, must agree.

Beside PROGRAM.py (PROGRAM.js), optional files give the run its inputs:
    PROGRAM.stdin   bytes for stdin (else stdin is empty)
    PROGRAM.args    one argument per line, UTF-8 (sys.argv[1:], process.argv.slice(1))
    PROGRAM.env     KEY=VALUE per line, added to the guest's default environment

With --snapshot DIR the guest is restored from that snapshot (`sandboxd-vm run --snapshot DIR`,
a pre-warmed runner: DESIGN.md §6) instead of booting cold; the output must be the same.

With --serve as well, every program goes through ONE `sandboxd-vm serve` worker, as the daemon's
pool sends them: its VM is reset in place between requests (vmm/reset.h), so each program runs
where another just ran. All of them in order, then in reverse order (each after another
neighbour), each compared with the host. A program whose stdin is not UTF-8 can't travel in a
JSON request and is left to the one-program tests.

The program runs twice on the host first: if those two runs differ, the program is not
deterministic and the test fails as the program's fault, before the guest runs.

A .js program whose first line is "// input-type: module" is an ES module: the host runs it with
`node --input-type=module -e`; the guest's runner recognizes module syntax by itself (restored
runs only: the cold path is plain `node -e`, so tests/meson.build registers those programs only
as js-snap-NAME).

--check-registered checks that the programs in DIR (*.py, or *.js with --language javascript) are
exactly the NAMEs registered in tests/meson.build, so a new program cannot be forgotten there.
"""

import argparse
import difflib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sandbox  # noqa: E402

# Limits generous enough for every program here, so a difference means a behaviour difference.
TIMEOUT_MS = 60000
MEMORY_MB = 512
MAX_OUTPUT_BYTES = 8 << 20

EXTENSIONS = {"python": ".py", "javascript": ".js"}


def read_inputs(program):
    base = os.path.splitext(program)[0]
    stdin = None
    args = []
    env = {}
    if os.path.exists(base + ".stdin"):
        with open(base + ".stdin", "rb") as f:
            stdin = f.read()
    if os.path.exists(base + ".args"):
        with open(base + ".args", encoding="utf-8") as f:
            args = f.read().splitlines()
    if os.path.exists(base + ".env"):
        with open(base + ".env", encoding="utf-8") as f:
            for line in f.read().splitlines():
                key, _, value = line.partition("=")
                env[key] = value
    return stdin, args, env


def diff(label, expected, actual, sides=("host", "guest")):
    if expected == actual:
        return None
    lines = list(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{label} ({sides[0]})",
            tofile=f"{label} ({sides[1]})",
            n=2,
        )
    )
    shown = "".join(line if line.endswith("\n") else line + "\\ no newline\n" for line in lines[:80])
    if len(lines) > 80:
        shown += f"... {len(lines) - 80} more diff lines\n"
    if not lines:  # differ only in something splitlines hides
        shown = f"{sides[0]} {expected[:200]!r}\n{sides[1]} {actual[:200]!r}\n"
    return f"{label} differs ({sides[0]} {len(expected)} chars, {sides[1]} {len(actual)} chars):\n{shown}"


def host_expected(program, language):
    """The program's code and inputs, and what the host makes of them (checked deterministic)."""
    with open(program, encoding="utf-8") as f:
        code = f.read()
    stdin, args, env = read_inputs(program)

    first = sandbox.run_host(code, args=args, env=env, stdin=stdin, language=language)
    second = sandbox.run_host(code, args=args, env=env, stdin=stdin, language=language)
    if (first.returncode, first.stdout, first.stderr) != (second.returncode, second.stdout, second.stderr):
        runs = ("host run 1", "host run 2")
        raise sandbox.TestFailure(
            "the program is not deterministic on the host (two runs differ): fix the program\n"
            + (diff("stdout", sandbox.as_guest_text(first.stdout), sandbox.as_guest_text(second.stdout), runs) or "")
            + (diff("stderr", sandbox.as_guest_text(first.stderr), sandbox.as_guest_text(second.stderr), runs) or "")
            + f"exit codes {first.returncode} / {second.returncode}"
        )
    sandbox.check(first.returncode >= 0, f"the program died of signal {-first.returncode} on the host")
    return code, stdin, args, env, first


def guest_problems(run, host):
    """How the guest's run differs from the host's."""
    problems = []
    for flag in ("timed_out", "memory_limit_hit", "truncated"):
        if run.result[flag]:
            problems.append(f"result.{flag} is true")
    if run.signal is not None:
        problems.append(f"the guest died of {run.signal}")
    if run.exit_code != host.returncode:
        problems.append(f"exit code: host {host.returncode}, guest {run.exit_code}")
    for label, host_bytes, guest_text in (
        ("stdout", host.stdout, run.stdout),
        ("stderr", host.stderr, run.stderr),
    ):
        d = diff(label, sandbox.as_guest_text(host_bytes), guest_text)
        if d:
            problems.append(d)
    return problems


def compare(vm, program, snapshot=None, language=None):
    language = language or sandbox.language_of(program)
    code, stdin, args, env, first = host_expected(program, language)
    run = sandbox.run_vm(
        vm,
        code,
        args=args,
        env=env,
        stdin=stdin,
        timeout_ms=TIMEOUT_MS,
        memory_mb=MEMORY_MB,
        max_output_bytes=MAX_OUTPUT_BYTES,
        snapshot=snapshot or False,
        language=language,
    )
    problems = guest_problems(run, first)
    if problems:
        summary = (
            f"guest ({'restored from ' + snapshot if snapshot else 'cold'}): "
            f"exit_code={run.exit_code} signal={run.signal} timed_out={run.timed_out} "
            f"memory_limit_hit={run.memory_limit_hit} truncated={run.truncated}"
        )
        raise sandbox.TestFailure("\n".join(problems) + "\n" + summary)
    print(
        f"ok: stdout {len(first.stdout)} bytes, stderr {len(first.stderr)} bytes, exit {first.returncode}; "
        f"guest {'restored' if snapshot else 'cold'} run {run.result.get('timing', {}).get('run_ms')} ms, "
        f"restore {run.result.get('timing', {}).get('restore_ms')} ms, wall {run.wall_s:.3f} s"
    )


def compare_through_one_worker(vm, programs, snapshot, languages):
    expected = {}
    for program in programs:
        code, stdin, args, env, host = host_expected(program, languages[program])
        try:
            text = stdin.decode("utf-8") if stdin is not None else None
        except UnicodeDecodeError:
            print(f"# {os.path.basename(program)}: stdin is not UTF-8, left to its own test")
            continue
        params = {"language": languages[program], "code": code, "args": args, "env": env,
                  "timeout_ms": TIMEOUT_MS, "memory_mb": MEMORY_MB, "max_output_bytes": MAX_OUTPUT_BYTES}
        if text is not None:
            params["stdin"] = text
        expected[program] = (params, host)
    order = list(expected) + list(reversed(expected))
    resets = 0
    with sandbox.ServeWorker(vm, snapshot, deadline_s=TIMEOUT_MS / 1000 + 30) as worker:
        for i, program in enumerate(order):
            params, host = expected[program]
            run = worker.request(params)
            problems = guest_problems(run, host)
            sandbox.check(not problems, f"{os.path.basename(program)} (request {i + 1} of one worker, after "
                          f"{os.path.basename(order[i - 1]) if i else 'none'}):\n" + "\n".join(problems))
            resets += worker.last_ready.get("reset") is True
        failures = worker.stderr_text().count("Resetting the VM failed")
    # A reset may give way to a restore when a program leaves many page tables (worker_threads),
    # quietly; one that fails is a warning on the worker's stderr, which is a bug.
    sandbox.check(failures == 0, f"{failures} resets failed (see the worker's stderr)")
    sandbox.check(resets >= len(order) * 9 // 10, f"only {resets} of {len(order)} VMs were reset in place")
    print(f"ok: {len(order)} requests of {len(expected)} programs through one worker, "
          f"{resets} of its VMs reset in place, {len(order) - resets} restored")


def check_registered(directory, names, language="python"):
    ext = EXTENSIONS[language]
    present = sorted(f[: -len(ext)] for f in os.listdir(directory) if f.endswith(ext))
    registered = sorted(names)
    missing = sorted(set(present) - set(registered))
    extra = sorted(set(registered) - set(present))
    sandbox.check(not missing, f"programs not registered in tests/meson.build: {missing}")
    sandbox.check(not extra, f"registered in tests/meson.build but missing: {extra}")
    sidecars = [
        f for f in os.listdir(directory)
        if not f.endswith(ext) and f.rsplit(".", 1)[0] not in present
    ]
    sandbox.check(not sidecars, f"input files without a program: {sorted(sidecars)}")
    print(f"ok: {len(present)} programs registered")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vm", help="path of sandboxd-vm (default: $SANDBOXD_VM)")
    parser.add_argument("--snapshot", metavar="DIR", help="restore the guest from this snapshot")
    parser.add_argument("--serve", action="store_true", help="all programs through one serve worker")
    parser.add_argument("--check-registered", metavar="DIR")
    parser.add_argument("--language", choices=sandbox.LANGUAGES,
                        help="the programs' language (default: by extension; python for --check-registered)")
    parser.add_argument("programs", nargs="+")
    opts = parser.parse_args()
    try:
        if opts.check_registered:
            check_registered(opts.check_registered, opts.programs, opts.language or "python")
            return 0
        languages = {}
        for program in opts.programs:
            languages[program] = sandbox.language_of(program)
            if opts.language and languages[program] != opts.language:
                parser.error(f"{program} is not a {opts.language} program")
        sandbox.require_kvm()
        for language in sorted(set(languages.values())):
            sandbox.require_host_runtime(language)
        vm = sandbox.find_vm(opts.vm)
        snapshot = sandbox.find_snapshot(opts.snapshot) if opts.snapshot else None
        if opts.serve:
            if not snapshot:
                parser.error("--serve needs --snapshot DIR")
            compare_through_one_worker(vm, opts.programs, snapshot, languages)
            return 0
        for program in opts.programs:
            print(f"# {os.path.basename(program)}" + (f" (restored from {snapshot})" if snapshot else ""))
            compare(vm, program, snapshot, languages[program])
    except sandbox.TestFailure as e:
        print(f"FAIL: {e}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sandboxctl as its users see it: exit statuses, output relayed byte for byte, every exec option,
streaming, the query verbs, and what happens without a daemon. One case per invocation, so each is
its own meson test:

    test_sandboxctl.py --list
    test_sandboxctl.py --sandboxctl PATH --daemon PATH CASE
    test_sandboxctl.py --sandboxctl PATH --fake CASE

Each case starts its own sandboxd (--daemon) on a private socket and state directory in a fresh
temporary directory, waits until `health` answers, runs the case and stops the daemon, all within
a time bound. --fake runs the cases against a small stand-in server defined below, which speaks the
same JSON-RPC contract (PROTOCOL.md) and runs the code with the host's python3: it exists to test
the client while the daemon is being written, and is never what meson runs.

--list prints "NAME serial|parallel TIMEOUT_S" per case for tests/meson.build.

Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm: the real daemon can't run; CI has /dev/kvm
and counts a skip as a failure).
"""

import argparse
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

CASES = {}
SKIP = 77
DAEMON_START_TIMEOUT = 120  # the daemon may build its templates' snapshots on first start
RUN_TIMEOUT = 60  # any one sandboxctl invocation


class TestFailure(Exception):
    pass


def case(timeout=120, serial=False, daemon=True):
    """Register a case. serial: it measures time or loads the machine. daemon=False: it tests the
    client alone and runs without starting sandboxd."""

    def register(func):
        CASES[func.__name__] = (func, timeout, serial, daemon)
        return func

    return register


class Run:
    def __init__(self, argv, proc_result):
        self.argv = argv
        self.returncode = proc_result.returncode
        self.stdout = proc_result.stdout
        self.stderr = proc_result.stderr

    def text(self, stream):
        return getattr(self, stream).decode("utf-8", "replace")

    def describe(self):
        return (f"command: {self.argv}\nexit status: {self.returncode}\n"
                f"stdout: {self.stdout[:2000]!r}\nstderr: {self.stderr[:2000]!r}")


def check(cond, message, run=None):
    if not cond:
        raise TestFailure(message + ("\n" + run.describe() if run else ""))


class Context:
    def __init__(self, sandboxctl, socket_path, tmpdir):
        self.sandboxctl = sandboxctl
        self.socket = socket_path
        self.tmpdir = tmpdir

    def ctl(self, *args, stdin=b"", env=None, socket_option=True, timeout=RUN_TIMEOUT):
        argv = [self.sandboxctl] + (["--socket", self.socket] if socket_option else []) + list(args)
        full_env = dict(os.environ)
        full_env.pop("SANDBOXD_SOCKET", None)
        full_env.update(env or {})
        r = subprocess.run(argv, input=stdin, capture_output=True, env=full_env, timeout=timeout)
        return Run(argv, r)

    def exec(self, *args, **kwargs):
        return self.ctl("exec", "--lang", "python", *args, **kwargs)

    def path(self, name, content=None):
        p = os.path.join(self.tmpdir, name)
        if content is not None:
            with open(p, "wb") as f:
                f.write(content)
        return p


def expect(run, status, stdout=None, stderr=None):
    check(run.returncode == status, f"expected exit status {status}", run)
    if stdout is not None:
        check(run.stdout == stdout, f"expected stdout {stdout!r}", run)
    if stderr is not None:
        check(run.stderr == stderr, f"expected stderr {stderr!r}", run)


# ---- cases ---------------------------------------------------------------------------------------


@case()
def exec_print(ctx):
    expect(ctx.exec("--code", "print('hello')"), 0, stdout=b"hello\n", stderr=b"")


@case()
def exec_exit_code(ctx):
    expect(ctx.exec("--code", "import sys; print('out'); sys.exit(3)"), 3, stdout=b"out\n")


@case()
def exec_exception(ctx):
    run = ctx.exec("--code", "def f():\n    raise ValueError('boom')\nf()\n")
    expect(run, 1, stdout=b"")
    check(b"Traceback (most recent call last)" in run.stderr, "no traceback on stderr", run)
    check(b"ValueError: boom" in run.stderr, "the exception is not on stderr", run)


@case()
def exec_stderr_and_stdout(ctx):
    run = ctx.exec("--code", "import sys; print('o'); print('e', file=sys.stderr)")
    expect(run, 0, stdout=b"o\n", stderr=b"e\n")


@case()
def exec_binary_output(ctx):
    # Valid UTF-8 and NUL bytes come through byte for byte (PROTOCOL.md §4.1).
    run = ctx.exec("--code", "import sys; sys.stdout.buffer.write(b'a\\x00b\\xc3\\xa9\\xe2\\x82\\xac\\n')")
    expect(run, 0, stdout=b"a\x00b\xc3\xa9\xe2\x82\xac\n")


@case()
def exec_file(ctx):
    p = ctx.path("prog.py", b"import sys\nprint('from file', len(sys.argv))\n")
    expect(ctx.exec("--file", p), 0, stdout=b"from file 1\n")
    expect(ctx.exec("-f", p), 0, stdout=b"from file 1\n")


@case()
def exec_code_from_stdin(ctx):
    # With `-` the program comes from stdin, and the program's own stdin is empty.
    run = ctx.exec("-", stdin=b"import sys\nprint('stdin code', repr(sys.stdin.read()))\n")
    expect(run, 0, stdout=b"stdin code ''\n")


@case()
def exec_stdin_file(ctx):
    p = ctx.path("input.txt", b"line one\nline two\n")
    run = ctx.exec("--stdin-file", p, "--code", "import sys; d = sys.stdin.read(); print(len(d), d.upper(), end='')")
    expect(run, 0, stdout=b"18 LINE ONE\nLINE TWO\n")
    # Code from stdin and input from a file, together.
    run = ctx.exec("--stdin-file", p, "-", stdin=b"import sys\nprint(sys.stdin.readline().strip())\n")
    expect(run, 0, stdout=b"line one\n")
    # --stdin-file - forwards sandboxctl's own stdin.
    run = ctx.exec("--stdin-file", "-", "--code", "import sys; print(sys.stdin.read()[::-1])", stdin=b"abc")
    expect(run, 0, stdout=b"cba\n")


@case()
def exec_args(ctx):
    run = ctx.exec("--arg", "one", "--arg", "two words", "--arg", "", "--arg", "--not-an-option",
                   "--code", "import sys, json; print(json.dumps(sys.argv[1:]))")
    expect(run, 0)
    check(json.loads(run.stdout) == ["one", "two words", "", "--not-an-option"], "wrong argv", run)


@case()
def exec_env(ctx):
    run = ctx.exec("--env", "FOO=bar=baz", "--env", "EMPTY=", "--env", "HOME=/elsewhere",
                   "--code", "import os; print(os.environ['FOO'], repr(os.environ['EMPTY']), os.environ['HOME'])")
    expect(run, 0, stdout=b"bar=baz '' /elsewhere\n")


@case()
def exec_cwd(ctx):
    run = ctx.exec("--cwd", "/tmp", "--code", "import os; print(os.getcwd())")
    expect(run, 0, stdout=b"/tmp\n")


@case(timeout=120, serial=True)
def exec_timeout(ctx):
    start = time.monotonic()
    run = ctx.exec("--timeout-ms", "500", "--code", "print('started', flush=True)\nwhile True:\n    pass\n")
    elapsed = time.monotonic() - start
    expect(run, 124)
    check(run.stdout == b"started\n", "output before the deadline is lost", run)
    check(b"time limit" in run.stderr, "no note about the time limit", run)
    check(elapsed < 30, f"a 500 ms timeout took {elapsed:.1f} s", run)
    run = ctx.exec("--quiet", "--timeout-ms", "300", "--code", "while True: pass")
    expect(run, 124, stderr=b"")


@case(timeout=120, serial=True)
def exec_memory_limit(ctx):
    # PROTOCOL.md §3: past memory_mb allocations fail, Python raises MemoryError and exits 1, and
    # the result says memory_limit_hit; sandboxctl maps a failure with memory_limit_hit to 125.
    run = ctx.exec("--memory-mb", "64", "--code", "x = bytearray(1 << 30)\nprint('allocated')")
    expect(run, 125, stdout=b"")
    check(b"MemoryError" in run.stderr, "no MemoryError on stderr", run)
    run = ctx.exec("--json", "--memory-mb", "64", "--code", "x = bytearray(1 << 30)")
    expect(run, 125)
    result = json.loads(run.stdout)
    check(result["memory_limit_hit"] is True and result["exit_code"] == 1,
          "memory_limit_hit/exit_code wrong", run)
    # A program that copes with the refusal and exits 0 keeps its status.
    run = ctx.exec("--memory-mb", "64", "--code",
                   "try:\n    x = bytearray(1 << 30)\nexcept MemoryError:\n    print('coped')\n")
    expect(run, 0, stdout=b"coped\n")


@case()
def exec_signal(ctx):
    run = ctx.exec("--code", "import os; os.abort()")
    expect(run, 128 + signal.SIGABRT)
    check(b"SIGABRT" in run.stderr, "no note naming the signal", run)


@case()
def exec_truncated(ctx):
    run = ctx.exec("--max-output-bytes", "10", "--code", "print('x' * 100)")
    expect(run, 0, stdout=b"x" * 10)
    check(b"truncated" in run.stderr, "no note about truncation", run)


@case()
def exec_json(ctx):
    run = ctx.exec("--json", "--code", "import sys; print('hi'); sys.exit(4)")
    expect(run, 4)
    check(run.stdout.endswith(b"\n") and run.stdout.count(b"\n") == 1, "not one line of JSON", run)
    result = json.loads(run.stdout)
    for key in ["stdout", "stderr", "exit_code", "signal", "timed_out", "memory_limit_hit",
                "truncated", "timing", "usage", "language", "runtime_version"]:
        check(key in result, f"the result has no {key!r}", run)
    check(result["stdout"] == "hi\n" and result["exit_code"] == 4 and result["language"] == "python",
          "wrong result fields", run)
    check(run.stderr == b"", "--json printed notes on stderr", run)


@case(timeout=120, serial=True)
def exec_stream(ctx):
    # The first line must reach us while the program is still sleeping.
    argv = [ctx.sandboxctl, "--socket", ctx.socket, "exec", "--lang", "python", "--stream", "--code",
            "import sys, time\nprint('first', flush=True)\nprint('err', file=sys.stderr, flush=True)\n"
            "time.sleep(3)\nprint('second')\n"]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        timer = threading.Timer(RUN_TIMEOUT, proc.kill)
        timer.start()
        first = proc.stdout.readline()
        still_running = proc.poll() is None
        rest, err = proc.communicate(timeout=RUN_TIMEOUT)
        timer.cancel()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    check(first == b"first\n", f"first line {first!r}")
    check(still_running, "the output came only after the program ended")
    check(rest == b"second\n" and err == b"err\n", f"rest {rest!r}, stderr {err!r}")
    check(proc.returncode == 0, f"exit status {proc.returncode}")

    # --stream --json: the output notifications as lines, then the result.
    run = ctx.exec("--stream", "--json", "--code", "print('a', flush=True)\nprint('b')")
    expect(run, 0)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    check(len(lines) >= 2, "expected notification lines and a result", run)
    streamed = "".join(x["data"] for x in lines[:-1] if x.get("stream") == "stdout")
    check(streamed == "a\nb\n" and lines[-1]["stdout"] == "a\nb\n", "streamed output differs", run)


@case()
def exec_unknown_language(ctx):
    run = ctx.ctl("exec", "--lang", "cobol", "--code", "DISPLAY 'HI'")
    expect(run, 126, stdout=b"")
    check(b"-32001" in run.stderr and b"cobol" in run.stderr.lower(),
          "the message does not give the error", run)


@case()
def exec_language_alias(ctx):
    # Names are the daemon's to judge, case-insensitively (PROTOCOL.md §2.1).
    expect(ctx.ctl("exec", "--lang", "PY", "--code", "print(2)"), 0, stdout=b"2\n")


@case(timeout=60, daemon=False)
def no_daemon(ctx):
    missing = os.path.join(ctx.tmpdir, "missing.sock")
    run = ctx.ctl("--socket", missing, "exec", "--lang", "python", "--code", "print(1)",
                  socket_option=False)
    expect(run, 127, stdout=b"")
    check(missing.encode() in run.stderr, "the message does not name the socket", run)
    # A socket file nobody listens on any more.
    dead = os.path.join(ctx.tmpdir, "dead.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(dead)
    s.close()
    for verb in (["health"], ["stats"], ["languages"], ["exec", "-l", "py", "-c", "1"]):
        expect(ctx.ctl("--socket", dead, *verb, socket_option=False), 127)


@case(timeout=60, daemon=False)
def bad_usage(ctx):
    for args in ([], ["frobnicate"], ["exec"], ["exec", "--lang", "python"],
                 ["exec", "--code", "1"], ["exec", "--lang", "python", "--code", "1", "-"],
                 ["exec", "--lang", "python", "--code", "1", "--timeout-ms", "soon"],
                 ["exec", "--lang", "python", "--code", "1", "--timeout-ms", "0"],
                 ["exec", "--lang", "python", "--code", "1", "--memory-mb", "999999"],
                 ["exec", "--lang", "python", "--code", "1", "--env", "NOEQUALS"],
                 ["exec", "--lang", "python", "--code", "1", "--cwd", "relative"],
                 ["exec", "--lang", "python", "--code", "1", "stray"],
                 ["exec", "--lang", "python", "--file", os.path.join(ctx.tmpdir, "nope.py")],
                 ["exec", "--lang"], ["--no-such-option", "health"], ["health", "extra"],
                 ["stats", "--code", "1"]):
        run = ctx.ctl(*args)
        expect(run, 2, stdout=b"")
        check(run.stderr.startswith(b"sandboxctl: "), "no message", run)


@case(timeout=60, daemon=False)
def help_version(ctx):
    run = ctx.ctl("--help")
    expect(run, 0)
    check(b"Usage: sandboxctl" in run.stdout and b"exec" in run.stdout, "no usage", run)
    expect(ctx.ctl("exec", "--help"), 0)
    run = ctx.ctl("--version")
    expect(run, 0)
    check(run.stdout.startswith(b"sandboxctl "), "no version", run)


@case()
def languages(ctx):
    run = ctx.ctl("languages")
    expect(run, 0)
    check(b"python" in run.stdout and b"3.11" in run.stdout, "python is not listed", run)
    run = ctx.ctl("languages", "--json")
    expect(run, 0)
    result = json.loads(run.stdout)
    names = [x["name"] for x in result["languages"]]
    check("python" in names, "python is not in the JSON", run)


@case()
def stats(ctx):
    expect(ctx.exec("--code", "print(1)"), 0)
    run = ctx.ctl("stats")
    expect(run, 0)
    check(len(run.stdout.splitlines()) >= 1 and b":" in run.stdout, "nothing sensible printed", run)
    run = ctx.ctl("--json", "stats")
    expect(run, 0)
    check(isinstance(json.loads(run.stdout), dict), "stats --json is not an object", run)


@case()
def health(ctx):
    run = ctx.ctl("health")
    expect(run, 0)
    check(b"status: ok" in run.stdout, "health is not ok", run)
    run = ctx.ctl("health", "--json")
    expect(run, 0)
    check(json.loads(run.stdout)["status"] == "ok", "health --json is not ok", run)


@case()
def socket_env(ctx):
    run = ctx.ctl("exec", "--lang", "python", "--code", "print('env')",
                  env={"SANDBOXD_SOCKET": ctx.socket}, socket_option=False)
    expect(run, 0, stdout=b"env\n")
    # --socket wins over the environment.
    run = ctx.ctl("--socket", ctx.socket, "health", env={"SANDBOXD_SOCKET": "/nonexistent.sock"},
                  socket_option=False)
    expect(run, 0)
    run = ctx.ctl("health", env={"SANDBOXD_SOCKET": os.path.join(ctx.tmpdir, "nope.sock")},
                  socket_option=False)
    expect(run, 127)
    check(b"nope.sock" in run.stderr, "the environment's socket was not used", run)


@case()
def raw_socket(ctx):
    # The README's example for agents: one request line, one response line.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(RUN_TIMEOUT)
        s.connect(ctx.socket)
        s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "execute",
                              "params": {"language": "python", "code": "print(6 * 7)"}}).encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            check(chunk, "the daemon closed the connection")
            buf += chunk
    response = json.loads(buf)
    check(response["id"] == 1 and response["result"]["stdout"] == "42\n", f"response {response!r}")


def scripted_server(path, script):
    """A one-connection server that reads the request line and answers with `script(request)`'s
    bytes, then closes. For the client's handling of a daemon that misbehaves."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)

    def serve():
        conn, _ = srv.accept()
        with conn:
            f = conn.makefile("rb")
            request = json.loads(f.readline())
            conn.sendall(script(request))
        srv.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return t


@case(timeout=60, daemon=False)
def daemon_misbehaves(ctx):
    def line(obj):
        return json.dumps(obj).encode() + b"\n"

    def result(request):
        return {"jsonrpc": "2.0", "id": request["id"], "result": {"status": "ok"}}

    scripts = [
        # (what the server sends, expected exit status, text expected on stderr)
        (lambda r: b"", 126, b"closed the connection"),
        (lambda r: b"this is not json\n", 126, b"health"),
        (lambda r: line({"jsonrpc": "2.0", "id": r["id"], "result": {"status": "ok"}})[:-1], 126, b"closed"),
        (lambda r: line({"jsonrpc": "2.0", "id": None,
                         "error": {"code": -32700, "message": "parse error"}}), 126, b"-32700"),
        (lambda r: line({"jsonrpc": "2.0", "id": r["id"],
                         "error": {"code": -32003, "message": "busy", "data": {"kind": "busy"}}}),
         126, b"busy"),
        # Notifications and a response to someone else first, then ours.
        (lambda r: line({"jsonrpc": "2.0", "method": "log", "params": {}})
         + line({"jsonrpc": "2.0", "id": 999, "result": {"status": "stopping"}})
         + line(result(r)), 0, b""),
        (lambda r: line({"jsonrpc": "2.0", "id": r["id"], "result": {"status": "degraded"}}), 1, b""),
    ]
    for i, (script, status, text) in enumerate(scripts):
        path = os.path.join(ctx.tmpdir, f"scripted{i}.sock")
        t = scripted_server(path, script)
        run = ctx.ctl("--socket", path, "health", socket_option=False)
        t.join(timeout=10)
        expect(run, status)
        check(text in run.stderr, f"stderr lacks {text!r}", run)

    # An execute result whose output holds NUL and non-ASCII, relayed byte for byte.
    path = os.path.join(ctx.tmpdir, "exec.sock")
    exec_result = {
        "language": "python", "runtime_version": "3.11.2",
        "stdout": "a\u0000\u00e9", "stderr": "\u20ac\n", "exit_code": 7, "signal": None,
        "timed_out": False, "memory_limit_hit": False, "truncated": False,
        "timing": {"queue_ms": 0, "restore_ms": 0, "run_ms": 1.0, "total_ms": 1.0},
        "usage": {"cpu_ms": 1.0, "peak_memory_bytes": 0, "syscalls": 0, "exits": 0,
                  "page_faults": 0, "unimplemented_syscalls": 0}}
    t = scripted_server(path, lambda r: line({"jsonrpc": "2.0", "id": r["id"],
                                              "result": exec_result}))
    run = ctx.ctl("--socket", path, "exec", "-l", "python", "-c", "x", socket_option=False)
    t.join(timeout=10)
    expect(run, 7, stdout=b"a\x00\xc3\xa9", stderr=b"\xe2\x82\xac\n")

    # A result without the fields PROTOCOL.md §4 says are always there is refused, not guessed
    # at: no output is relayed from it.
    path = os.path.join(ctx.tmpdir, "exec-short.sock")
    short = {k: v for k, v in exec_result.items() if k != "usage"}
    t = scripted_server(path, lambda r: line({"jsonrpc": "2.0", "id": r["id"], "result": short}))
    run = ctx.ctl("--socket", path, "exec", "-l", "python", "-c", "x", socket_option=False)
    t.join(timeout=10)
    expect(run, 126, stdout=b"")
    check(b"PROTOCOL.md" in run.stderr, "no word of the result's shape", run)


# ---- daemons -------------------------------------------------------------------------------------


def wait_for_socket(path, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise TestFailure(f"the daemon exited with status {proc.returncode} before listening")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(5)
                s.connect(path)
                s.sendall(b'{"jsonrpc":"2.0","id":0,"method":"health"}\n')
                if s.recv(65536):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TestFailure(f"the daemon did not answer on {path} within {timeout} s")


def start_real_daemon(daemon, socket_path, state_dir, log):
    proc = subprocess.Popen([daemon, "--socket", socket_path, "--state-dir", state_dir],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    return proc


def stop_daemon(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---- the stand-in server (--fake) ----------------------------------------------------------------
# Speaks the contract of PROTOCOL.md and the brief's methods, running code with the host's python3.
# Good enough to exercise the client; the real daemon is what meson tests.

FAKE_LANGUAGES = {"python": "python", "python3": "python", "py": "python"}


def fake_error(code, kind, message, field=None):
    data = {"kind": kind}
    if field:
        data["field"] = field
    return {"code": code, "message": message, "data": data}


def fake_execute(params, send_notification):
    if not isinstance(params, dict):
        return None, fake_error(-32602, "invalid_params", "params must be an object")
    allowed = {"language", "code", "stdin", "args", "env", "cwd", "timeout_ms", "memory_mb",
               "max_output_bytes", "stream"}
    for key in params:
        if key not in allowed:
            return None, fake_error(-32602, "invalid_params", f"unknown field '{key}'", key)
    lang = FAKE_LANGUAGES.get(str(params.get("language", "")).lower())
    if not lang:
        return None, fake_error(-32001, "unsupported_language",
                                f"unsupported language '{params.get('language')}'", "language")
    timeout = params.get("timeout_ms", 10000) / 1000
    memory = params.get("memory_mb", 256)
    cap = params.get("max_output_bytes", 1 << 20)
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/home/sandbox"}
    env.update(params.get("env", {}))
    cwd = params.get("cwd") or tempfile.gettempdir()

    def limit():
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (memory << 20, memory << 20))

    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", params["code"]] + params.get("args", []),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, cwd=cwd, preexec_fn=limit)
    proc.stdin.write(params.get("stdin", "").encode())
    proc.stdin.close()
    out = {"stdout": b"", "stderr": b""}
    kept = 0
    truncated = False
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "stdout")
    sel.register(proc.stderr, selectors.EVENT_READ, "stderr")
    timed_out = False
    while sel.get_map():
        left = start + timeout - time.monotonic()
        if left <= 0:
            timed_out = True
            proc.kill()
            break
        for key, _ in sel.select(left):
            data = os.read(key.fileobj.fileno(), 65536)
            if not data:
                sel.unregister(key.fileobj)
                continue
            take = data[:max(0, cap - kept)]
            truncated |= len(take) < len(data)
            kept += len(take)
            out[key.data] += take
            if take and params.get("stream"):
                send_notification({"stream": key.data, "data": take.decode("utf-8", "replace")})
    proc.wait()
    status = proc.returncode
    memory_hit = b"MemoryError" in out["stderr"]
    return {
        "language": lang, "runtime_version": "%d.%d.%d" % sys.version_info[:3],
        "stdout": out["stdout"].decode("utf-8", "replace"),
        "stderr": out["stderr"].decode("utf-8", "replace"),
        "exit_code": None if timed_out or status < 0 else status,
        "signal": None if timed_out or status >= 0 else signal.Signals(-status).name,
        "timed_out": timed_out, "memory_limit_hit": memory_hit, "truncated": truncated,
        "timing": {"queue_ms": 0, "restore_ms": 0, "run_ms": 1.0, "total_ms": 1.0},
        "usage": {"cpu_ms": 1.0, "peak_memory_bytes": 0, "syscalls": 0, "exits": 0,
                  "page_faults": 0, "unimplemented_syscalls": 0},
    }, None


def fake_serve_connection(conn):
    f = conn.makefile("rwb")

    def send(obj):
        f.write(json.dumps(obj).encode() + b"\n")
        f.flush()

    for line in f:
        try:
            msg = json.loads(line)
        except ValueError:
            send({"jsonrpc": "2.0", "id": None, "error": fake_error(-32700, "parse_error", "bad JSON")})
            continue
        rid, method, params = msg.get("id"), msg.get("method"), msg.get("params")
        result, error = None, None
        if method == "execute":
            result, error = fake_execute(params, lambda p: send(
                {"jsonrpc": "2.0", "method": "output", "params": dict(id=rid, **p)}))
        elif method == "languages":
            result = {"languages": [{"name": "python", "aliases": ["python3", "py"],
                                     "runtime_version": "3.11.2", "ready": True,
                                     "pool": {"idle": 2, "target": 2}}]}
        elif method == "stats":
            result = {"requests": {"total": 1, "errors": 0}, "pool": {"python": 2}}
        elif method == "health":
            result = {"status": "ok", "uptime_s": 1.5}
        else:
            error = fake_error(-32601, "method_not_found", f"no method {method!r}")
        if error:
            send({"jsonrpc": "2.0", "id": rid, "error": error})
        else:
            send({"jsonrpc": "2.0", "id": rid, "result": result})
    conn.close()


def start_fake_daemon(socket_path):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(socket_path)
    srv.listen(16)

    def accept_loop():
        while True:
            conn, _ = srv.accept()
            threading.Thread(target=fake_serve_connection, args=(conn,), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()


# ---- main ----------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the cases for tests/meson.build")
    parser.add_argument("--sandboxctl", help="path of sandboxctl")
    parser.add_argument("--daemon", help="path of sandboxd")
    parser.add_argument("--fake", action="store_true", help="test against the stand-in server")
    parser.add_argument("case", nargs="?")
    opts = parser.parse_args()
    if opts.list:
        for name, (_, timeout, serial, _daemon) in CASES.items():
            print(name, "serial" if serial else "parallel", timeout)
        return 0
    if opts.case not in CASES or not opts.sandboxctl or not (opts.daemon or opts.fake):
        parser.error("need --sandboxctl, --daemon or --fake, and a CASE (--list shows them)")
    func, timeout, _, needs_daemon = CASES[opts.case]

    if not opts.fake and needs_daemon:
        if not os.path.exists(opts.daemon):
            print(f"FAIL: {opts.daemon} does not exist (is sandboxd built?)")
            return 1
        if not os.access("/dev/kvm", os.R_OK | os.W_OK):
            print("SKIP: /dev/kvm is not usable here; the real daemon needs it")
            return SKIP

    # A short path: sun_path holds 108 bytes, build directories can be deep.
    tmpdir = tempfile.mkdtemp(prefix="sbxctl-")
    socket_path = os.path.join(tmpdir, "sandboxd.sock")
    proc = None
    log_path = os.path.join(tmpdir, "daemon.log")
    status = 1
    try:
        with open(log_path, "wb") as log:
            if not needs_daemon:
                pass
            elif opts.fake:
                start_fake_daemon(socket_path)
            else:
                proc = start_real_daemon(opts.daemon, socket_path, os.path.join(tmpdir, "state"), log)
                wait_for_socket(socket_path, proc, DAEMON_START_TIMEOUT)
            func(Context(os.path.abspath(opts.sandboxctl), socket_path, tmpdir))
        print(f"PASS: {opts.case}")
        status = 0
    except (TestFailure, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {opts.case}: {e}")
    finally:
        if proc:
            stop_daemon(proc)
            if status != 0 or proc.returncode not in (0, -signal.SIGTERM):
                with open(log_path, "rb") as f:
                    tail = f.read()[-4000:]
                print(f"daemon exited with {proc.returncode}; its log ends:\n"
                      + tail.decode("utf-8", "replace"))
        shutil.rmtree(tmpdir, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())

# SPDX-License-Identifier: MIT
"""Helpers for the integration tests of sandboxd-vm (the per-VM worker, run alone).

run_vm() runs `sandboxd-vm run ...`, parses the one JSON object it prints and measures the wall
time and the peak RSS of the worker (and any process it waits for). run_host() runs the host's
/usr/bin/python3.11 -c (language="python") or /usr/bin/node -e (language="javascript") the way
the guest runs it: `env -i` plus the guest's default environment, the same argv, stdin and limits,
in a fresh temporary directory, so outputs can be compared byte for byte.

Exit statuses follow meson's `exitcode` protocol: 0 pass, 77 skip, anything else fail. A missing
/dev/kvm is a skip (and a failure in CI, see .ci/run); a missing sandboxd-vm binary is a failure.
Standard library only.
"""

import dataclasses
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time

EXIT_SKIP = 77

HOST_PYTHON = "/usr/bin/python3.11"
HOST_NODE = "/usr/bin/node"

# The languages of `sandboxd-vm run --language`, and how the host runs the same code the way the
# guest's cold path does (daemon/worker/runtime.c): `python3 -c CODE ARGS...` and
# `node -e CODE -- ARGS...` (so with node, process.argv is [execPath, ...ARGS]).
LANGUAGES = ("python", "javascript")


# A JavaScript program starting with this line is an ES module: the host runs it as one
# (`node --input-type=module -e`), as the guest's runner does on its own for module syntax.
ES_MODULE_MARK = "// input-type: module"


def host_argv(language, code, args=()):
    if language == "python":
        return [HOST_PYTHON, "-c", code, *args]
    if language == "javascript":
        module = ["--input-type=module"] if code.startswith(ES_MODULE_MARK) else []
        return [HOST_NODE, *module, "-e", code, "--", *args]
    raise ValueError(f"unknown language {language!r}")


def language_of(path):
    """The language of a program file, by its extension: .py python, .js javascript."""
    if path.endswith(".py"):
        return "python"
    if path.endswith(".js"):
        return "javascript"
    raise TestFailure(f"{path}: not a .py or .js program")


def require_host_runtime(language):
    """Skip (exit 77) when the host lacks the interpreter that the comparison runs need."""
    path = HOST_PYTHON if language == "python" else HOST_NODE
    if not os.access(path, os.X_OK):
        skip(f"{path} is not installed on the host: nothing to compare the guest with")


# The environment every guest program starts with when the request sets no env: the worker's
# default_env in daemon/worker/run.c. Pinned here on purpose, so a change to it is deliberate
# (and the host runs of test_python_compare get the same).
GUEST_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/home/sandbox",
    "LANG": "C.UTF-8",
    "USER": "sandbox",
    "LOGNAME": "sandbox",
    "TMPDIR": "/tmp",
}
GUEST_HOME = "/home/sandbox"

# The fields of sandboxd-vm's JSON result and the types each may have.
RESULT_FIELDS = {
    "language": (str,),
    "runtime_version": (str,),
    "stdout": (str,),
    "stderr": (str,),
    "exit_code": (int, type(None)),
    "signal": (str, type(None)),
    "timed_out": (bool,),
    "memory_limit_hit": (bool,),
    "truncated": (bool,),
    "timing": (dict,),
    "usage": (dict,),
}


class TestFailure(Exception):
    """A check failed; the message says which and shows what was seen."""


def last_json_line(run, what="the guest"):
    """The guest programs of the integration tests end by printing one JSON line with what they
    observed: that line, parsed."""
    lines = run.stdout.strip().splitlines()
    check(lines, f"{what} printed nothing", run)
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError:
        raise TestFailure(f"{what}'s last line is not JSON\n{run.describe()}")


def clean_exit(run, what):
    """The run ended by itself with status 0."""
    check(run.exit_code == 0 and run.signal is None and not run.timed_out, f"{what} did not exit 0", run)


def flip_byte(path, offset):
    """Damages the file at path: the byte at offset, XORed with 0x5A."""
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0x5A]))


def check(condition, message, run=None):
    if not condition:
        if run is not None:
            message = f"{message}\n{run.describe()}"
        raise TestFailure(message)


def skip(reason):
    print(f"SKIP: {reason}", flush=True)
    sys.exit(EXIT_SKIP)


def require_kvm():
    """Skip (exit 77) when this machine cannot run VMs."""
    if not os.path.exists("/dev/kvm"):
        skip("/dev/kvm does not exist: this machine cannot run KVM guests")
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        skip(f"/dev/kvm is not readable and writable by uid {os.getuid()}")


def find_vm(path=None):
    """The sandboxd-vm binary: `path` (from --vm), else $SANDBOXD_VM. Not finding it fails."""
    path = path or os.environ.get("SANDBOXD_VM")
    if not path:
        raise TestFailure("no sandboxd-vm given: pass --vm PATH or set SANDBOXD_VM")
    if not os.access(path, os.X_OK):
        raise TestFailure(f"sandboxd-vm not found or not executable at {path} (not built yet?)")
    return os.path.abspath(path)


def _shorten(text, limit=2000):
    if text is None:
        return "None"
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} chars in all)"


@dataclasses.dataclass
class VmRun:
    argv: list
    returncode: int  # sandboxd-vm's own exit status (negative: killed by that signal)
    raw_stdout: bytes
    raw_stderr: bytes
    wall_s: float
    maxrss_kib: int  # peak RSS of sandboxd-vm and the children it waited for
    result: dict = None  # the parsed JSON, when there was one

    def __getattr__(self, name):
        # run.stdout, run.exit_code, ... read the JSON result's fields.
        result = self.__dict__.get("result")
        if result is not None and name in RESULT_FIELDS:
            return result.get(name)
        raise AttributeError(name)

    def describe(self):
        argv = [a if len(a) < 200 else a[:200] + "..." for a in self.argv]
        lines = [
            f"  command: {argv}",
            f"  sandboxd-vm exit status: {self.returncode}, wall {self.wall_s:.3f} s, "
            f"max RSS {self.maxrss_kib} KiB",
            f"  sandboxd-vm stderr: {_shorten(self.raw_stderr.decode('utf-8', 'replace'))}",
        ]
        if self.result is None:
            lines.append(f"  sandboxd-vm stdout: {_shorten(self.raw_stdout.decode('utf-8', 'replace'))}")
        else:
            for key, value in self.result.items():
                if isinstance(value, str):
                    value = _shorten(value)
                lines.append(f"  result.{key}: {value}")
        return "\n".join(lines)


def _run_measured(argv, env, stdin_path, deadline_s):
    """Run argv with stdout/stderr captured in files; returns (status, out, err, wall, maxrss).

    The child is waited for with waitid(WNOWAIT) first, so the watchdog can never kill a pid that
    was already reaped and reused, then reaped with wait4() for its rusage (whose ru_maxrss covers
    the worker and the descendants it waited for)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        start = time.monotonic()
        try:
            proc = subprocess.Popen(argv, stdin=stdin, stdout=out, stderr=err, env=env)
        finally:
            if stdin is not subprocess.DEVNULL:
                stdin.close()
        lock = threading.Lock()
        state = {"exited": False, "killed": False}

        def watchdog():
            with lock:
                if not state["exited"]:
                    state["killed"] = True
                    os.kill(proc.pid, 9)

        timer = threading.Timer(deadline_s, watchdog)
        timer.start()
        try:
            os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
            with lock:
                state["exited"] = True
        finally:
            timer.cancel()
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        raw_out, raw_err = out.read(), err.read()
    if state["killed"]:
        raise TestFailure(
            f"sandboxd-vm did not finish within {deadline_s} s and was killed\n  command: {argv[:6]}...\n"
            f"  stderr: {_shorten(raw_err.decode('utf-8', 'replace'))}"
        )
    return proc.returncode, raw_out, raw_err, wall, rusage.ru_maxrss


# Where run_vm restores code runs from when the caller passes no snapshot= (None: boot cold).
# A behaviour driver's --snapshot sets it (cases.behaviour_main), so every run of the case in its
# language is restored (a snapshot is of one language: a Python case's node runs stay cold).
_default_snapshot = None


def set_default_snapshot(path):
    """From now on, run_vm restores code runs from the snapshot at path (None: cold).
    Runs of --exec-host-file binaries stay cold: sandboxd-vm refuses both together."""
    global _default_snapshot
    _default_snapshot = os.path.abspath(path) if path else None


def default_snapshot():
    return _default_snapshot


def find_snapshot(path):
    """A snapshot directory given with --snapshot: it must exist with its state and memory."""
    for name in ("state", "memory"):
        if not os.path.isfile(os.path.join(path, name)):
            raise TestFailure(f"{path} is not a snapshot directory (no {name}; was its snapshot "
                              f"target, python_snapshot or javascript_snapshot, built?)")
    return os.path.abspath(path)


def run_vm(
    vm,
    code=None,
    *,
    args=(),
    env=None,
    stdin=None,
    cwd=None,
    timeout_ms=None,
    memory_mb=None,
    max_output_bytes=None,
    exec_host_file=None,
    extra_argv=(),
    worker_env=None,
    deadline_s=120,
    expect_ok=True,
    snapshot=None,
    language="python",
):
    """Run one sandbox of `language` (--language). `env` is a dict of --env values, `stdin` bytes
    (passed with --stdin-file). With expect_ok, sandboxd-vm must exit 0 with one well-formed JSON object.
    snapshot: a snapshot directory to restore from (--snapshot); None: the default set with
    set_default_snapshot(); False: boot cold whatever the default. A restored run must say so
    (timing.restore_ms > 0), so a worker that silently booted cold fails the test."""
    if snapshot is None and exec_host_file is None:
        snapshot = _default_snapshot
    argv = [vm, "run", "--language", language]
    if snapshot:
        argv += ["--snapshot", snapshot]
    if code is not None:
        argv += ["--code", code]
    if exec_host_file is not None:
        argv += ["--exec-host-file", exec_host_file]
    for arg in args:
        argv += ["--arg", arg]
    for key, value in (env or {}).items():
        argv += ["--env", f"{key}={value}"]
    if cwd is not None:
        argv += ["--cwd", cwd]
    if timeout_ms is not None:
        argv += ["--timeout-ms", str(timeout_ms)]
    if memory_mb is not None:
        argv += ["--memory-mb", str(memory_mb)]
    if max_output_bytes is not None:
        argv += ["--max-output-bytes", str(max_output_bytes)]
    argv += list(extra_argv)

    process_env = dict(os.environ)
    process_env.update(worker_env or {})
    with tempfile.TemporaryDirectory(prefix="sandboxd-test-") as tmp:
        stdin_path = None
        if stdin is not None:
            stdin_path = os.path.join(tmp, "stdin")
            with open(stdin_path, "wb") as f:
                f.write(stdin)
            argv += ["--stdin-file", stdin_path]
        status, raw_out, raw_err, wall, maxrss = _run_measured(argv, process_env, stdin_path, deadline_s)

    run = VmRun(argv, status, raw_out, raw_err, wall, maxrss)
    if status == 0:
        try:
            run.result = json.loads(raw_out.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise TestFailure(f"sandboxd-vm printed no valid JSON ({e})\n{run.describe()}")
    if expect_ok:
        check(status == 0, "sandboxd-vm failed (exit status != 0)", run)
        check_result_shape(run)
        if snapshot:
            restore_ms = run.result["timing"].get("restore_ms")
            check(isinstance(restore_ms, (int, float)) and restore_ms > 0,
                  f"run with --snapshot but timing.restore_ms is {restore_ms!r}: not restored?", run)
    return run


def check_result_shape(run):
    """Every field present with its type; fails the test otherwise."""
    result = run.result
    check(isinstance(result, dict), "the JSON result is not an object", run)
    for key, types in RESULT_FIELDS.items():
        check(key in result, f"the JSON result has no {key!r}", run)
        # bool is an int in Python: don't let true pass as an exit code.
        value = result[key]
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        check(ok, f"result.{key} is {type(value).__name__}, expected {types}", run)


@dataclasses.dataclass
class HostRun:
    returncode: int
    stdout: bytes
    stderr: bytes


def run_host(code, *, args=(), env=None, stdin=None, timeout_s=120, language="python"):
    """Run /usr/bin/python3.11 -c CODE ARGS... (or /usr/bin/node -e CODE -- ARGS...) as the guest
    would: only the guest's default environment plus `env`, stdin from bytes (else /dev/null for
    Python; for node an empty pipe, as in the guest, where fds 0-2 are pipes and node picks its
    stream types by that), in an empty temporary directory."""
    process_env = dict(GUEST_ENV)
    process_env.update(env or {})
    if stdin is None and language == "javascript":
        stdin = b""
    with tempfile.TemporaryDirectory(prefix="sandboxd-host-") as cwd:
        proc = subprocess.run(
            host_argv(language, code, args),
            input=stdin if stdin is not None else None,
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            env=process_env,
            cwd=cwd,
            timeout=timeout_s,
        )
    return HostRun(proc.returncode, proc.stdout, proc.stderr)


def run_native(path, args=(), timeout_s=60):
    """Run a static guest program natively on the host, the yardstick of its run in a sandbox:
    the guest's default environment, stdin from /dev/null, stdout and stderr pipes (as in the
    guest, so stdio buffers the same way)."""
    with tempfile.TemporaryDirectory(prefix="sandboxd-host-") as cwd:
        proc = subprocess.run([os.path.abspath(path), *args], stdin=subprocess.DEVNULL, capture_output=True, env=dict(GUEST_ENV),
                              cwd=cwd, timeout=timeout_s)
    return HostRun(proc.returncode, proc.stdout, proc.stderr)


def check_like_native(vm, path, args=(), **run_options):
    """Runs the static guest program at path natively and in a sandbox (run_vm's options): the
    sandbox's stdout, stderr and exit status must be the native run's, byte for byte. Returns
    the sandbox's run."""
    native = run_native(path, args)
    check(native.returncode >= 0, f"{os.path.basename(path)} {' '.join(args)} dies of signal {-native.returncode} "
          f"natively: stdout {native.stdout!r} stderr {native.stderr!r}")
    run = run_vm(vm, exec_host_file=path, args=args, **run_options)
    check(run.signal is None and run.exit_code == native.returncode, f"exit status {run.exit_code} (signal "
          f"{run.signal}), natively {native.returncode}; native stdout {native.stdout!r}", run)
    check(run.stdout == as_guest_text(native.stdout), f"stdout differs from the native run's {native.stdout!r}", run)
    check(run.stderr == as_guest_text(native.stderr), f"stderr differs from the native run's {native.stderr!r}", run)
    return run


def as_guest_text(data):
    """Host bytes as sandboxd-vm reports output: a string, invalid UTF-8 replaced."""
    return data.decode("utf-8", "replace")


class ServeWorker:
    """One `sandboxd-vm serve --snapshot DIR` process, the pool's worker: it prints a ready line
    ({"ready":true,"version":1,"prepare_ms":X,"reset":B}, protocol/worker-frame.h) for each VM
    made ready (restored, or reset in place when B; kept in last_ready), then answers one request
    line with one result line. request() sends a dict (the execute params of PROTOCOL.md) and returns
    the parsed answer; every read has a deadline, and the worker's stderr is kept in a file for
    the failure message. Use as a context manager: leaving closes stdin and waits for exit 0."""

    def __init__(self, vm, snapshot, deadline_s=30, worker_env=None):
        self.argv = [vm, "serve", "--snapshot", snapshot]
        self.deadline_s = deadline_s
        self.stderr_file = tempfile.TemporaryFile()
        env = dict(os.environ)
        env.update(worker_env or {})
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr_file, env=env)
        self.pid = self.proc.pid
        self._buffer = b""
        self.requests = 0
        self.last_ready = None
        try:
            self.last_ready = self._ready()
        except BaseException:
            self.kill()
            raise

    def stderr_text(self):
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode("utf-8", "replace")

    def describe(self, extra=""):
        status = self.proc.poll()
        return (f"  worker: {self.argv}, pid {self.pid}, requests sent {self.requests}, "
                f"exit status {status if status is not None else '(running)'}\n"
                f"  worker stderr: {_shorten(self.stderr_text())}" + (f"\n{extra}" if extra else ""))

    def fail(self, message, extra=""):
        raise TestFailure(f"{message}\n{self.describe(extra)}")

    def _line(self, what):
        deadline = time.monotonic() + self.deadline_s
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                self.fail(f"no {what} line from the worker within {self.deadline_s} s",
                          f"  partial stdout: {_shorten(self._buffer.decode('utf-8', 'replace'))}")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                self.proc.wait(timeout=10)
                self.fail(f"the worker's stdout ended while waiting for a {what} line",
                          f"  partial stdout: {_shorten(self._buffer.decode('utf-8', 'replace'))}")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            return json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            self.fail(f"the worker's {what} line is not JSON ({e})", f"  line: {_shorten(line.decode('utf-8', 'replace'))}")

    def _ready(self):
        ready = self._line("ready")
        if not (isinstance(ready, dict) and ready.get("ready") is True
                and isinstance(ready.get("prepare_ms"), (int, float)) and ready["prepare_ms"] > 0):
            self.fail(f"expected a ready line with prepare_ms > 0, got {ready!r}")
        return ready

    def send_line(self, line):
        """Sends one raw request line (bytes, without the newline); returns the answer and
        waits for the next ready line."""
        self.requests += 1
        try:
            self.proc.stdin.write(line + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.fail("the worker closed its stdin")
        answer = self._line("result")
        self.last_ready = self._ready()
        return answer

    def request(self, params, expect_ok=True):
        params = dict(params)
        params.setdefault("language", "python")
        answer = self.send_line(json.dumps(params).encode())
        if expect_ok:
            if not isinstance(answer, dict) or "error" in answer:
                self.fail(f"request {self.requests} was answered with an error: {_shorten(json.dumps(answer))}")
            run = VmRun(self.argv + [f"(request {self.requests})", json.dumps(params)], 0, b"", b"", 0.0, 0, answer)
            check_result_shape(run)
            restore_ms = answer["timing"].get("restore_ms")
            check(isinstance(restore_ms, (int, float)) and restore_ms > 0,
                  f"timing.restore_ms is {restore_ms!r} for a request served by `serve`", run)
            return run
        return answer

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def close(self):
        """EOF on stdin: the worker must exit 0 promptly."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            status = self.proc.wait(timeout=self.deadline_s)
        except subprocess.TimeoutExpired:
            self.kill()
            self.fail(f"the worker did not exit within {self.deadline_s} s of EOF on stdin")
        if status != 0:
            self.fail(f"the worker exited with status {status} at EOF, expected 0")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.kill()
        self.proc.stdout.close()
        self.stderr_file.close()
        return False


HEALTHY_CODE = {"python": "print(6*7)", "javascript": "console.log(6*7)"}


def healthy(vm, language="python"):
    """After a misbehaving guest, a plain run must still work."""
    run = run_vm(vm, HEALTHY_CODE[language], timeout_ms=10000, language=language)
    check(run.stdout == "42\n" and run.exit_code == 0, "a plain run after the previous one failed", run)

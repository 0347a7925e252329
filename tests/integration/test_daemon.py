#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sandboxd end to end: the real daemon on a private socket and state directory, real VMs, raw
JSON-RPC lines over the socket (protocol/PROTOCOL.md). One case per invocation, so each is its own
meson test:

    test_daemon.py --list
    test_daemon.py --daemon PATH CASE

--list prints "NAME serial|parallel TIMEOUT_S" per case for tests/meson.build. Every case starts
its own daemon (which makes its own snapshot in its temporary state directory) and stops it with
SIGTERM, expecting exit status 0.

Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

EXIT_SKIP = 77
CASES = {}


class Failure(Exception):
    pass


def check(cond, message, *context):
    if not cond:
        raise Failure(message + "".join("\n  " + repr(c)[:2000] for c in context))


def case(timeout=60, serial=False):
    def register(func):
        CASES[func.__name__] = (func, timeout, serial)
        return func

    return register


# ---- talking to the daemon ----------------------------------------------------------------------


class Client:
    """One connection: raw lines out, parsed lines in; notifications are kept aside."""

    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.notifications = []
        self.next_id = 1

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, message):
        self.send_raw(json.dumps(message).encode() + b"\n")

    def read_line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise EOFError("the daemon closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def read_response(self):
        """The next response (or batch array), keeping notifications in self.notifications."""
        while True:
            message = self.read_line()
            if isinstance(message, dict) and "method" in message and "id" not in message:
                self.notifications.append(message)
                continue
            return message

    def request(self, method, params=None, id=None):
        if id is None:
            id = self.next_id
            self.next_id += 1
        message = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return id

    def call(self, method, params=None):
        id = self.request(method, params)
        response = self.read_response()
        check(response.get("id") == id, f"answer to {id} expected", response)
        return response

    def execute(self, code, **params):
        response = self.call("execute", dict(language="python", code=code, **params))
        check("result" in response, "execute failed", response)
        return response["result"]


def proc_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def rss_kib(pid, key="VmRSS"):
    return int(proc_status(pid)[key].split()[0])


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def zombies(pid):
    out = []
    for child in children(pid):
        try:
            if proc_status(child)["State"].startswith("Z"):
                out.append(child)
        except FileNotFoundError:
            pass
    return out


class Daemon:
    def __init__(self, binary, args=(), env=None, pool_size=2, wrap=None):
        self.tmp = tempfile.mkdtemp(prefix="sandboxd-test-")
        self.socket = os.path.join(self.tmp, "sandboxd.sock")
        self.state = os.path.join(self.tmp, "state")
        self.log_path = os.path.join(self.tmp, "daemon.log")
        self.pool_size = pool_size
        command = [binary, "--state-dir", self.state, "--pool-size", str(pool_size)] + list(args)
        # A daemon built elsewhere (sanitizers) finds no build-tree worker next to itself.
        if os.environ.get("SANDBOXD_TEST_WORKER") and "--worker" not in args:
            command += ["--worker", os.environ["SANDBOXD_TEST_WORKER"]]
        if wrap:
            command = wrap(self.socket) + command
        else:
            command[1:1] = ["--socket", self.socket]
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env)
        self.pid = self.proc.pid

    def wait_ready(self, timeout=60):
        """Until `health` says ok with the whole pool ready."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            check(self.proc.poll() is None, f"the daemon exited with {self.proc.returncode}",
                  self.log_text())
            try:
                c = Client(self.socket, timeout=10)
                try:
                    health = c.call("health")["result"]
                    langs = c.call("languages")["result"]["languages"]
                finally:
                    c.close()
                if health["status"] == "ok" and all(l["ready"] for l in langs):
                    return
            except (FileNotFoundError, ConnectionRefusedError, EOFError, socket.timeout):
                pass
            time.sleep(0.05)
        raise Failure("the daemon did not become ready\n" + self.log_text())

    def connect(self, timeout=30):
        return Client(self.socket, timeout)

    def stats(self):
        c = self.connect()
        try:
            return c.call("stats")["result"]
        finally:
            c.close()

    def wait_settled(self, timeout=30, workers=None):
        """Until nothing runs or waits and every language's pool holds exactly its target of
        ready workers (`workers`, default the pool size); returns the Python pool."""
        workers = self.pool_size if workers is None else workers
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pools = self.stats()["pools"]
            if (all(pool["busy"] == 0 and pool["queued"] == 0 and pool["starting"] == 0
                    and pool["ready"] == workers and len(pool["workers"]) == workers
                    for pool in pools.values())
                    and len(children(self.pid)) == workers * len(pools)):
                return pools["python"]
            time.sleep(0.1)
        raise Failure("the pool did not settle", self.stats(), children(self.pid))

    def log_text(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")[-6000:]

    def stop(self, expect_status=0, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure("the daemon did not exit after SIGTERM\n" + self.log_text())
        check(status == expect_status, f"the daemon exited with {status}", self.log_text())
        return status

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def with_daemon(func, ctx, args=(), pool_size=2, stop=True):
    d = Daemon(ctx.daemon, args, pool_size=pool_size)
    try:
        d.wait_ready()
        func(d)
        check(not zombies(d.pid), "zombie workers", zombies(d.pid))
        if stop:
            d.stop()
    except Exception:
        sys.stderr.write("--- daemon log ---\n" + d.log_text() + "\n")
        raise
    finally:
        d.cleanup()


def error_code(response):
    check("error" in response, "an error was expected", response)
    check(isinstance(response["error"].get("data"), dict), "error without data", response)
    check("kind" in response["error"]["data"], "error data without kind", response)
    return response["error"]["code"]


# ---- execute ------------------------------------------------------------------------------------


@case()
def execute_print(ctx):
    def run(d):
        c = d.connect()
        r = c.execute("print(6*7)")
        check(r["stdout"] == "42\n" and r["exit_code"] == 0 and r["stderr"] == "", "6*7", r)
        check(r["language"] == "python" and r["signal"] is None and not r["timed_out"], "fields", r)
        t = r["timing"]
        for key in ("queue_ms", "restore_ms", "run_ms", "total_ms"):
            check(isinstance(t[key], (int, float)) and t[key] >= 0, f"timing.{key}", r)
        check(t["queue_ms"] <= t["total_ms"], "queue_ms within total_ms", r)
        check(set(r["usage"]) >= {"cpu_ms", "peak_memory_bytes", "syscalls", "exits"}, "usage", r)
        # Reused workers: each request in a fresh VM, nothing survives.
        for i in range(5):
            r = c.execute(f"import os\nprint(os.path.exists('/tmp/marker'))\nopen('/tmp/marker','w').write('x')")
            check(r["stdout"] == "False\n", f"run {i} saw the previous request's file", r)

    with_daemon(run, ctx)


@case()
def execute_exit_code(ctx):
    def run(d):
        r = d.connect().execute("import sys\nprint('bye')\nsys.exit(3)")
        check(r["exit_code"] == 3 and r["stdout"] == "bye\n", "sys.exit(3)", r)

    with_daemon(run, ctx)


@case()
def execute_exception(ctx):
    def run(d):
        r = d.connect().execute("def f():\n    raise ValueError('boom')\nf()\n")
        check(r["exit_code"] == 1, "an uncaught exception exits 1", r)
        check("Traceback (most recent call last)" in r["stderr"] and "ValueError: boom" in r["stderr"],
              "traceback on stderr", r)

    with_daemon(run, ctx)


@case()
def execute_inputs(ctx):
    def run(d):
        code = ("import os, sys\n"
                "data = sys.stdin.read()\n"
                "print(repr(data))\n"
                "print(sys.argv[1:])\n"
                "print(os.environ['GREETING'], os.environ.get('OTHER'))\n"
                "print(os.getcwd())\n")
        r = d.connect().execute(code, stdin="line one\nline two\n", args=["a", "b c"],
                                env={"GREETING": "hello", "OTHER": "x=y"}, cwd="/tmp")
        check(r["exit_code"] == 0, "ran", r)
        check(r["stdout"] == "'line one\\nline two\\n'\n['a', 'b c']\nhello x=y\n/tmp\n", "inputs", r)

    with_daemon(run, ctx)


@case()
def execute_timeout(ctx):
    def run(d):
        c = d.connect()
        start = time.monotonic()
        r = c.execute("print('started', flush=True)\nwhile True:\n    pass\n", timeout_ms=500)
        elapsed = time.monotonic() - start
        check(r["timed_out"] and r["exit_code"] is None and r["signal"] is None, "timed out", r)
        check("started" in r["stdout"], "output before the deadline is kept", r)
        check(elapsed < 5, f"answered in {elapsed:.1f} s", r)
        r = c.execute("print('after')")
        check(r["stdout"] == "after\n", "the pool serves on", r)
        stats = d.stats()
        check(stats["requests"]["timeouts"] >= 1, "stats count the timeout", stats)

    with_daemon(run, ctx)


@case()
def execute_memory_limit(ctx):
    def run(d):
        r = d.connect().execute("b = bytearray(200 * 1024 * 1024)\nprint('allocated')\n", memory_mb=64)
        check(r["memory_limit_hit"], "memory_limit_hit", r)
        check("MemoryError" in r["stderr"] and r["exit_code"] == 1, "MemoryError, exit 1", r)

    with_daemon(run, ctx)


@case()
def execute_output_cap(ctx):
    def run(d):
        r = d.connect().execute("import sys\nfor i in range(10000):\n    print('x' * 99)\nprint('done', file=sys.stderr)\n",
                                max_output_bytes=1000)
        check(r["truncated"], "truncated", r)
        check(len(r["stdout"].encode()) + len(r["stderr"].encode()) <= 1000, "within the cap", r)
        check(r["exit_code"] == 0, "the program ran to its end", r)

    with_daemon(run, ctx)


@case()
def stream_notifications(ctx):
    def run(d):
        c = d.connect()
        code = ("import sys, time\n"
                "for i in range(3):\n"
                "    print('out', i, flush=True)\n"
                "    time.sleep(0.05)\n"
                "print('err', file=sys.stderr, flush=True)\n")
        c.request("execute", {"language": "python", "code": code, "stream": True}, id="s-1")
        seen = []
        while True:
            m = c.read_line()
            if "method" in m:
                check(m["method"] == "output" and m["jsonrpc"] == "2.0" and "id" not in m,
                      "an output notification", m)
                check(m["params"]["id"] == "s-1", "the notification names the request", m)
                seen.append(m["params"])
                continue
            check(m.get("id") == "s-1", "then the response", m)
            break
        r = m["result"]
        out = "".join(p["data"] for p in seen if p["stream"] == "stdout")
        err = "".join(p["data"] for p in seen if p["stream"] == "stderr")
        check(out == r["stdout"] == "out 0\nout 1\nout 2\n", "streamed stdout", seen, r)
        check(err == r["stderr"] == "err\n", "streamed stderr", seen, r)
        check(len(seen) >= 4, "several chunks", seen)
        # Without stream: no notification.
        c.notifications.clear()
        c.execute("print(1)")
        check(not c.notifications, "no notification without stream", c.notifications)

    with_daemon(run, ctx)


# ---- framing and errors -------------------------------------------------------------------------


@case(serial=True)
def pipelining(ctx):
    def run(d):
        c = d.connect()
        ids = []
        for i in range(20):
            ids.append(c.request("execute", {"language": "python",
                                              "code": f"import time\ntime.sleep({(19 - i) % 4} * 0.01)\nprint({i} * {i})"},
                                 id=f"p{i}"))
        answers = {}
        order = []
        for _ in range(20):
            m = c.read_response()
            answers[m["id"]] = m
            order.append(m["id"])
        check(sorted(answers) == sorted(ids), "every id answered once", order)
        for i in range(20):
            r = answers[f"p{i}"]["result"]
            check(r["stdout"] == f"{i * i}\n", f"request p{i} got its own output", r)

    with_daemon(run, ctx)


@case()
def batch(ctx):
    def run(d):
        c = d.connect()
        c.send([
            {"jsonrpc": "2.0", "id": 1, "method": "execute", "params": {"language": "python", "code": "print('b1')"}},
            {"jsonrpc": "2.0", "id": 2, "method": "languages"},
            {"jsonrpc": "2.0", "method": "health"},  # a notification: no answer
            1,
            {"jsonrpc": "2.0", "id": 3, "method": "nope"},
        ])
        m = c.read_response()
        check(isinstance(m, list), "a batch is answered with an array", m)
        check(len(m) == 4, "one answer per request, none for the notification", m)
        by_id = {}
        for r in m:
            by_id.setdefault(json.dumps(r["id"]), []).append(r)
        check(by_id["1"][0]["result"]["stdout"] == "b1\n", "execute in a batch", m)
        check("languages" in by_id["2"][0]["result"], "languages in a batch", m)
        check(error_code(by_id["3"][0]) == -32601, "unknown method in a batch", m)
        check(error_code(by_id["null"][0]) == -32600, "a non-object element is invalid", m)
        # Empty batch.
        c.send_raw(b"[]\n")
        m = c.read_response()
        check(error_code(m) == -32600 and m["id"] is None, "an empty batch is -32600", m)
        # A batch of notifications only: nothing comes back; the next answer is the next request's.
        c.send([{"jsonrpc": "2.0", "method": "health"}, {"jsonrpc": "2.0", "method": "stats"}])
        m = c.call("health")
        check(m["result"]["status"] == "ok", "no answer to notifications", m)

    with_daemon(run, ctx)


@case()
def malformed_json(ctx):
    def run(d):
        c = d.connect()
        for bad in [b"{bad", b'{"jsonrpc": "2.0", "id": 1, "method": "health"', b"\xff\xfe", b'"unterminated']:
            c.send_raw(bad + b"\n")
            m = c.read_response()
            check(error_code(m) == -32700 and m["id"] is None, f"{bad!r} is -32700", m)
        r = c.execute("print('still here')")
        check(r["stdout"] == "still here\n", "the connection stays usable", r)
        # Invalid requests, each with the right answer.
        c.send_raw(b'{"jsonrpc": "1.0", "id": 5, "method": "health"}\n')
        m = c.read_response()
        check(error_code(m) == -32600 and m["id"] == 5, "jsonrpc 1.0 is -32600", m)
        c.send_raw(b'{"jsonrpc": "2.0", "id": {"a": 1}, "method": "health"}\n')
        m = c.read_response()
        check(error_code(m) == -32600 and m["id"] is None, "an object id is -32600", m)
        c.send_raw(b'{"jsonrpc": "2.0", "id": 6, "method": 7}\n')
        m = c.read_response()
        check(error_code(m) == -32600 and m["id"] == 6, "a number method is -32600", m)
        c.send_raw(b'{"jsonrpc": "2.0", "id": 7, "method": "health", "parmas": {}}\n')
        m = c.read_response()
        check(error_code(m) == -32600 and m["id"] == 7, "an unknown member is -32600", m)
        # Blank lines are skipped.
        c.send_raw(b"\n\r\n")
        check(c.call("health")["result"]["status"] == "ok", "blank lines skipped", None)

    with_daemon(run, ctx)


@case()
def half_close(ctx):
    """A client that sends everything and shuts down its writing side still gets every answer,
    a last line without its newline included; then the daemon closes."""
    def run(d):
        c = d.connect()
        c.send_raw(b'{"jsonrpc":"2.0","id":1,"method":"execute","params":{"language":"python","code":"print(5)"}}\n'
                   b'{"jsonrpc":"2.0","id":2,"method":"health"}')
        c.sock.shutdown(socket.SHUT_WR)
        answers = {}
        for _ in range(2):
            m = c.read_response()
            answers[m["id"]] = m
        check(answers[1]["result"]["stdout"] == "5\n" and answers[2]["result"]["status"] == "ok", "both answered", answers)
        try:
            extra = c.read_line()
            raise Failure(f"more than expected: {extra}")
        except EOFError:
            pass

    with_daemon(run, ctx)


@case()
def unknown_method(ctx):
    def run(d):
        c = d.connect()
        m = c.call("frobnicate", {})
        check(error_code(m) == -32601 and m["error"]["data"]["kind"] == "method_not_found", "-32601", m)
        m = c.call("stats", {"verbose": True})
        check(error_code(m) == -32602, "params to a method that takes none", m)

    with_daemon(run, ctx)


@case()
def wrong_types(ctx):
    def run(d):
        c = d.connect()
        cases = [
            ({"language": "python", "code": "print(1)", "timeout_ms": "100"}, "timeout_ms"),
            ({"language": "python", "code": 5}, "code"),
            ({"language": "python", "code": "x", "args": "a"}, "args"),
            ({"language": "python", "code": "x", "stream": 1}, "stream"),
            ({"language": "python", "code": "x", "timout_ms": 5}, "timout_ms"),
            ({"language": "python", "code": "x", "timeout_ms": 0}, "timeout_ms"),
        ]
        for params, field in cases:
            m = c.call("execute", params)
            check(error_code(m) == -32602, f"{params} is -32602", m)
            check(m["error"]["data"].get("field") == field, f"data.field is {field}", m)
        for params in (["python", "print(1)"], None):
            m = c.call("execute", params)
            check(error_code(m) == -32602, f"params {params!r} is -32602", m)

    with_daemon(run, ctx)


@case()
def unknown_language(ctx):
    def run(d):
        m = d.connect().call("execute", {"language": "cobol", "code": "DISPLAY 'HI'."})
        check(error_code(m) == -32001 and m["error"]["data"]["kind"] == "unsupported_language", "-32001", m)

    with_daemon(run, ctx)


@case()
def oversize_code(ctx):
    def run(d):
        c = d.connect()
        m = c.call("execute", {"language": "python", "code": "#" * (1024 * 1024 + 1)})
        check(error_code(m) == -32002 and m["error"]["data"]["kind"] == "too_large", "-32002", m)
        r = c.execute("print('ok')")
        check(r["stdout"] == "ok\n", "the connection goes on", r)

    with_daemon(run, ctx)


@case(timeout=120, serial=True)
def huge_line(ctx):
    def run(d):
        before = rss_kib(d.pid)
        c = d.connect(timeout=60)
        chunk = b"x" * (1 << 20)
        sent = 0
        error = None
        c.send_raw(b'{"jsonrpc": "2.0", "id": 1, "method": "execute", "params": {"language": "python", "code": "')
        try:
            while sent < 100 * (1 << 20):
                c.send_raw(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError) as e:
            error = e
        check(error is not None, f"the daemon read all {sent} bytes instead of closing")
        m = c.read_response()
        check(error_code(m) == -32002 and m["id"] is None, "a line past the limit is -32002", m)
        check(m["error"]["data"].get("limit", 0) > 0, "data.limit says the limit", m)
        try:
            extra = c.read_line()
            raise Failure(f"the connection stayed open: {extra}")
        except (EOFError, ConnectionResetError):
            pass
        peak = rss_kib(d.pid, "VmHWM")
        growth = (peak - before) / 1024
        print(f"RSS before {before / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB (+{growth:.1f} MiB), "
              f"{sent >> 20} MiB sent before the close")
        check(growth <= 32, f"the daemon grew by {growth:.1f} MiB")
        r = d.connect().execute("print('others still served')")
        check(r["stdout"] == "others still served\n", "served on", r)

    with_daemon(run, ctx)


@case(timeout=120, serial=True)
def busy_limits(ctx):
    def run(d):
        c = d.connect()
        code = "import time\ntime.sleep(0.5)\nprint('slept')"
        for i in range(3):
            c.request("execute", {"language": "python", "code": code}, id=i)
        answers = {}
        for _ in range(3):
            m = c.read_response()
            answers[m["id"]] = m
        check(answers[0]["result"]["stdout"] == "slept\n", "the first runs", answers)
        check(answers[1]["result"]["stdout"] == "slept\n", "the second waits in the queue", answers)
        check(answers[1]["result"]["timing"]["queue_ms"] > 200, "and says it waited", answers[1])
        check(error_code(answers[2]) == -32003, "the third is refused: busy", answers)
        data = answers[2]["error"]["data"]
        check(data["kind"] == "busy" and data["max_queue"] == 1 and data["max_vms"] == 2, "busy data", data)

    # One VM per language: the JavaScript pool holds the other, so Python runs one at a time.
    with_daemon(run, ctx, args=["--max-vms", "2", "--max-queue", "1"], pool_size=1)


@case(timeout=120, serial=True)
def pools_share_max_vms(ctx):
    """--max-vms is shared by the languages: after a Python burst, its idle extra workers (which
    linger 2 s) give their places to a JavaScript request at once. With --pool-size 0 that request
    has no worker of its own: it would wait for good if nothing gave it room."""
    def run(d):
        code = "import time\ntime.sleep(0.3)\nprint('p')"
        clients = [d.connect(), d.connect()]
        for i, c in enumerate(clients):
            c.request("execute", {"language": "python", "code": code}, id=i)
        for c in clients:
            m = c.read_response()
            check(m.get("result", {}).get("stdout") == "p\n", "a Python request of the burst", m)
        stats = d.stats()
        check(len(stats["pools"]["python"]["workers"]) == 2 and stats["pool"]["vms"] == 2,
              "the burst's two Python workers hold both places", stats["pools"])
        start = time.monotonic()
        r = d.connect(timeout=60).call("execute", {"language": "javascript", "code": "console.log('js')"})
        check(r.get("result", {}).get("stdout") == "js\n", "the JavaScript request", r)
        print(f"the JavaScript request was answered after {time.monotonic() - start:.2f} s; "
              f"pools now {d.stats()['pool']}")

    with_daemon(run, ctx, args=["--max-vms", "2"], pool_size=0)


@case(timeout=120)
def fresh_vms(ctx):
    """--fresh-vms: every request in a VM restored anew, none reset (stats say so), results
    the same."""
    def run(d):
        c = d.connect()
        for i in range(5):
            r = c.execute(f"print({i} * 2)")
            check(r["stdout"] == f"{i * 2}\n", "a request under --fresh-vms", r)
        stats = d.stats()
        check(stats["vms"]["reset"] == 0 and stats["vms"]["restored"] >= 5 + 2,
              "VMs were reset in place under --fresh-vms", stats["vms"])

    with_daemon(run, ctx, args=["--fresh-vms"])


# ---- robustness ---------------------------------------------------------------------------------


@case(timeout=150, serial=True)
def disconnects(ctx):
    def run(d):
        monitor = d.connect()
        d.wait_settled()
        time.sleep(0.2)
        fds0, rss0, kids0 = fd_count(d.pid), rss_kib(d.pid), len(children(d.pid))
        start = time.monotonic()
        errors = []
        running = []

        def client(first):
            try:
                for i in range(first, 1000, 8):
                    c = Client(d.socket)
                    mode = i % 3
                    code = "print('a', flush=True)\nimport time\ntime.sleep(0.02)\nprint('b')"
                    c.request("execute", {"language": "python", "code": code, "stream": mode == 2}, id=i)
                    if mode == 1:
                        time.sleep(0.002)
                    elif mode == 2:
                        m = c.read_line()  # the first output (it runs), or busy
                        if m.get("method") == "output":
                            running.append(i)
                    c.close()
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(not errors, "clients failed", errors[:5])
        elapsed = time.monotonic() - start
        d.wait_settled(timeout=60)
        time.sleep(0.2)
        fds1, rss1, kids1 = fd_count(d.pid), rss_kib(d.pid), len(children(d.pid))
        stats = monitor.call("stats")["result"]
        print(f"1000 disconnects in {elapsed:.1f} s; fds {fds0} -> {fds1}, children {kids0} -> {kids1}, "
              f"RSS {rss0 / 1024:.1f} -> {rss1 / 1024:.1f} MiB; connections {stats['connections']}; "
              f"requests {stats['requests']}; workers {stats['workers']}")
        print(f"{len(running)} clients left while their request was running; "
              f"{stats['requests']['cancelled']} requests cancelled")
        check(len(running) > 50, "clients did leave while their request ran", len(running))
        check(stats["requests"]["cancelled"] >= len(running), "counted as cancelled", stats["requests"])
        check(fds1 == fds0, f"fds {fds0} -> {fds1}", os.listdir(f"/proc/{d.pid}/fd"))
        check(kids1 == kids0, f"children {kids0} -> {kids1}")
        check(stats["connections"]["current"] == 1, "only the monitor is connected", stats["connections"])
        check(rss1 - rss0 < 16 * 1024, f"RSS grew {(rss1 - rss0) / 1024:.1f} MiB")
        r = monitor.execute("print('fine')")
        check(r["stdout"] == "fine\n", "served on", r)

    with_daemon(run, ctx)


@case(timeout=120, serial=True)
def concurrent_clients(ctx):
    def run(d):
        results = {}
        errors = []

        def client(i):
            try:
                c = d.connect(timeout=60)
                r = c.execute(f"import sys\nprint('client', {i}, {i} ** 3)\nsys.exit({i % 7})")
                results[i] = r
                c.close()
            except Exception as e:  # noqa: BLE001
                errors.append((i, repr(e)))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(not errors, "clients failed", errors[:5])
        for i in range(50):
            r = results[i]
            check(r["stdout"] == f"client {i} {i ** 3}\n" and r["exit_code"] == i % 7, f"client {i}", r)
        stats = d.stats()
        check(stats["requests"]["by_language"]["python"]["ok"] >= 50, "counted", stats)
        # Each worker's first VM is restored; after that the workers reset theirs in place.
        check(stats["vms"]["restored"] >= 1 and stats["vms"]["reset"] >= 50 - 8,
              "the workers' VMs are reset in place between requests", stats)
        print("workers started:", stats["workers"]["started"], "VMs:", stats["vms"], "latency:", stats["latency_ms"])

    with_daemon(run, ctx)


@case(timeout=120, serial=True)
def worker_killed(ctx):
    def run(d):
        victim = d.connect()
        victim.request("execute", {"language": "python", "code": "import time\ntime.sleep(5)\nprint('late')"}, id="v")
        deadline = time.monotonic() + 10
        pid = None
        while pid is None and time.monotonic() < deadline:
            for w in d.stats()["pools"]["python"]["workers"]:
                if w["state"] == "busy":
                    pid = w["pid"]
            time.sleep(0.02)
        check(pid is not None, "a busy worker shows in stats")
        check(pid in children(d.pid), "the busy worker is the daemon's child", pid, children(d.pid))

        results, errors = {}, []

        def others(k):
            try:
                c = d.connect()
                for j in range(5):
                    r = c.execute(f"print({k}, {j})")
                    check(r["stdout"] == f"{k} {j}\n", "other request", r)
                results[k] = True
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        threads = [threading.Thread(target=others, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        os.kill(pid, signal.SIGKILL)
        m = victim.read_response()
        for t in threads:
            t.join()
        check(error_code(m) == -32004 and m["id"] == "v", "the request of the killed worker is -32004", m)
        data = m["error"]["data"]
        check(data["kind"] == "sandbox_failed" and data["reason"] == "crashed" and "SIGKILL" in data["detail"],
              "data says what happened", data)
        check(not errors and len(results) == 6, "all other requests succeeded", errors)
        d.wait_settled(timeout=30)
        langs = victim.call("languages")["result"]["languages"]
        check(langs[0]["ready"] and langs[0]["pool"]["ready"] == langs[0]["pool"]["target"], "the pool recovered", langs)
        stats = victim.call("stats")["result"]
        check(stats["workers"]["crashed"] >= 1, "stats count the crash", stats["workers"])
        check(not zombies(d.pid), "reaped")
        r = victim.execute("print('again')")
        check(r["stdout"] == "again\n", "the connection goes on", r)

    with_daemon(run, ctx)


FAKE_WORKER = r"""
import json, sys, time
if sys.argv[1] == "snapshot":
    sys.exit(0)
while True:
    print(json.dumps({"ready": True, "version": 1, "prepare_ms": 0.1, "reset": False}), flush=True)
    line = sys.stdin.readline()
    if not line:
        sys.exit(0)
    code = json.loads(line)["code"]
    if code == "GARBAGE":
        print("this is not JSON", flush=True)
    elif code == "READY":
        print(json.dumps({"ready": True}), flush=True)
    elif code == "LONGLINE":
        sys.stdout.write("x" * (2 << 20))
        sys.stdout.flush()
    elif code == "HANG":
        pass
    elif code == "EXIT":
        sys.exit(1)
    else:
        print(json.dumps({"language": "python", "runtime_version": None, "stdout": code,
                          "stderr": "", "exit_code": 0, "signal": None, "timed_out": False,
                          "memory_limit_hit": False, "truncated": False,
                          "timing": {"queue_ms": 0, "restore_ms": 0.1, "run_ms": 0.1,
                                     "total_ms": 0.2},
                          "usage": {"cpu_ms": 0.1, "peak_memory_bytes": 0, "syscalls": 0,
                                    "exits": 0, "page_faults": 0,
                                    "unimplemented_syscalls": 0}}), flush=True)
        continue
    time.sleep(600)
"""


@case(timeout=90, serial=True)
def worker_misbehaves(ctx):
    """A worker that prints garbage, an unexpected line, a line past its cap, hangs or exits: its
    request gets -32004 saying what, the worker is replaced, everyone else is served."""
    tmp = tempfile.mkdtemp(prefix="sandboxd-fake-")
    fake = os.path.join(tmp, "fake-worker")
    with open(fake, "w") as f:
        f.write(f"#!{sys.executable}\n" + FAKE_WORKER)
    os.chmod(fake, 0o755)

    def run(d):
        c = d.connect()
        check(c.execute("hello")["stdout"] == "hello", "the fake worker answers", None)
        for code, reason, extra in [("GARBAGE", "protocol", {}), ("READY", "protocol", {}),
                                    ("LONGLINE", "protocol", {"max_output_bytes": 1000}),
                                    ("EXIT", "exited", {}), ("HANG", "timeout", {"timeout_ms": 100})]:
            start = time.monotonic()
            m = c.call("execute", dict(language="python", code=code, **extra))
            elapsed = time.monotonic() - start
            check(error_code(m) == -32004, f"{code}: -32004", m)
            data = m["error"]["data"]
            check(data["kind"] == "sandbox_failed" and data["reason"] == reason and data["detail"],
                  f"{code}: reason {reason}", data)
            check(elapsed < 10, f"{code}: answered in {elapsed:.1f} s", m)
            r = c.execute("next")
            check(r["stdout"] == "next", f"{code}: served on after", r)
        d.wait_settled()
        stats = d.stats()
        check(stats["workers"]["crashed"] == 5, "five workers failed", stats["workers"])

    try:
        with_daemon(run, ctx, args=["--worker", fake])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@case(timeout=60)
def sigterm_drain(ctx):
    d = Daemon(ctx.daemon)
    try:
        d.wait_ready()
        inflight = d.connect()
        other = d.connect()
        inflight.request("execute", {"language": "python", "code": "import time\ntime.sleep(1)\nprint('finished')"}, id="slow")
        time.sleep(0.3)
        d.proc.send_signal(signal.SIGTERM)
        time.sleep(0.1)
        m = other.call("execute", {"language": "python", "code": "print('new')"})
        check(error_code(m) == -32005 and m["error"]["data"]["kind"] == "shutting_down", "new requests get -32005", m)
        m = other.call("health")
        check(m["result"]["status"] == "stopping", "health says stopping", m)
        m = inflight.read_response()
        check(m.get("id") == "slow" and m["result"]["stdout"] == "finished\n", "the request in flight finished", m)
        status = d.proc.wait(20)
        check(status == 0, f"exit status {status}", d.log_text())
        try:
            Client(d.socket, timeout=2)
            raise Failure("a new connection was accepted after the exit")
        except (ConnectionRefusedError, FileNotFoundError):
            pass
    except Exception:
        sys.stderr.write("--- daemon log ---\n" + d.log_text() + "\n")
        raise
    finally:
        d.cleanup()


@case(timeout=90)
def socket_activation(ctx):
    activate = shutil.which("systemd-socket-activate")
    if not activate:
        print("SKIP: systemd-socket-activate is not installed (package systemd)")
        sys.exit(EXIT_SKIP)
    d = Daemon(ctx.daemon, wrap=lambda path: [activate, "-l", path])
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(d.socket) and time.monotonic() < deadline:
            time.sleep(0.02)
        # The first connection starts the daemon (systemd-socket-activate execs it in place).
        c = d.connect(timeout=60)
        r = c.execute("print('activated')")
        check(r["stdout"] == "activated\n", "served on the passed socket", r)
        check("Using the socket passed by systemd" in d.log_text(), "it used the passed socket", d.log_text())
        d.stop()
    except Exception:
        sys.stderr.write("--- daemon log ---\n" + d.log_text() + "\n")
        raise
    finally:
        d.cleanup()


@case(timeout=60)
def notify(ctx):
    tmp = tempfile.mkdtemp(prefix="sandboxd-notify-")
    path = os.path.join(tmp, "notify.sock")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(path)
    ns.settimeout(30)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    d = Daemon(ctx.daemon, env=env)
    try:
        messages = []
        stats_at_ready = None
        while stats_at_ready is None:
            data = ns.recv(4096).decode()
            messages.append(data)
            if "READY=1" in data.split("\n"):
                stats_at_ready = d.stats()
        pool = stats_at_ready["pools"]["python"]
        check(pool["ready"] + pool["busy"] >= pool["target"] == 2, "READY=1 came with the pool warm", pool)
        check(any(m.startswith("STATUS=") for m in messages), "STATUS= before READY", messages)
        d.connect().execute("print(1)")
        d.proc.send_signal(signal.SIGTERM)
        stopping = False
        while not stopping:
            data = ns.recv(4096).decode()
            messages.append(data)
            stopping = "STOPPING=1" in data.split("\n")
        check(d.proc.wait(20) == 0, "exit 0", d.log_text())
        status = [m for m in messages if m.startswith("STATUS=")]
        check(any("ready" in m for m in status), "STATUS= shows pool figures", status)
        print("notifications:", messages)
    except Exception:
        sys.stderr.write("--- daemon log ---\n" + d.log_text() + "\n")
        raise
    finally:
        d.cleanup()
        ns.close()
        shutil.rmtree(tmp, ignore_errors=True)


@case()
def info_methods(ctx):
    def run(d):
        c = d.connect()
        langs = c.call("languages")["result"]["languages"]
        check([(l["name"], l["aliases"]) for l in langs] ==
              [("python", ["python3", "py"]), ("javascript", ["js", "node", "nodejs"])], "languages", langs)
        check(langs[0]["runtime_version"].startswith("3.11") and langs[0]["ready"], "runtime, ready", langs)
        node_version = subprocess.run(["/usr/bin/node", "-p", "process.versions.node"], capture_output=True,
                                      text=True, check=True).stdout.strip()
        check(langs[1]["runtime_version"] == node_version and langs[1]["ready"], "node's version, ready", langs)
        c.execute("print(1)")
        c.execute("print(2)")
        m = c.call("execute", {"language": "js", "code": "console.log(6 * 7)"})
        check(m["result"]["stdout"] == "42\n" and m["result"]["language"] == "javascript", "javascript by alias", m)
        s = c.call("stats")["result"]
        for key in ("requests", "latency_ms", "pool", "pools", "workers", "uptime_s", "connections"):
            check(key in s, f"stats.{key}", s)
        check(s["requests"]["by_language"]["python"]["ok"] == 2, "by language", s)
        check(s["requests"]["by_language"]["javascript"]["ok"] == 1, "by language: javascript", s)
        check(s["latency_ms"]["window"] == 3 and s["latency_ms"]["p50"] > 0, "latency", s)
        check({"ready", "starting", "busy", "queued"} <= set(s["pool"]), "pool sizes", s)
        h = c.call("health")["result"]
        check(h["status"] == "ok", "health", h)
        # String ids, a null id.
        c.send_raw(b'{"jsonrpc": "2.0", "id": null, "method": "health"}\n')
        m = c.read_response()
        check(m["id"] is None and m["result"]["status"] == "ok", "id null is a request", m)

    with_daemon(run, ctx)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--daemon", help="path of sandboxd")
    parser.add_argument("case", nargs="?")
    opts = parser.parse_args()
    if opts.list:
        for name, (_, timeout, serial) in CASES.items():
            print(name, "serial" if serial else "parallel", timeout)
        return 0
    if opts.case not in CASES:
        parser.error(f"unknown case {opts.case!r}")
    if not opts.daemon or not os.access(opts.daemon, os.X_OK):
        print(f"sandboxd not found at {opts.daemon!r}", file=sys.stderr)
        return 1
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP: /dev/kvm is not usable here")
        return EXIT_SKIP

    class Ctx:
        daemon = opts.daemon

    try:
        CASES[opts.case][0](Ctx)
    except Failure as e:
        print(f"FAIL {opts.case}: {e}", file=sys.stderr)
        return 1
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        return 1
    print(f"PASS {opts.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Behaviour of one sandbox as a user of sandboxd-vm sees it: results, streams, inputs, files,
isolation from the host, no network, limits (time, memory, output), guests that crash, and a worker
that stays healthy afterwards. One case per invocation, so each is its own meson test:

    test_behaviour.py --list
    test_behaviour.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both" per case for tests/meson.build: "both"
cases are registered twice, cold and as snap-NAME. --guest-dir is where the static guest programs
(tests/guest-programs/*.c, built as guest-NAME) are. --snapshot DIR runs every Python program of
the case restored from that snapshot (sandboxd-vm run --snapshot DIR) instead of booting cold; the
static guest programs can't be (--snapshot excludes --exec-host-file), so their cases are "cold".

Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm, or a guest program could not be built).
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, run_host, run_vm  # noqa: E402

# cold_only: the case runs static guest programs (or JavaScript), which can't be restored from
# the Python snapshot, so it has no snap- twin.
CASES = cases.Cases()
case = CASES.case


class Context:
    def __init__(self, vm, guest_dir, snapshot=None):
        self.vm = vm
        self.guest_dir = guest_dir
        self.snapshot = snapshot  # also the default of every run_vm (sandbox.set_default_snapshot)

    def guest_program(self, name):
        if not self.guest_dir:
            raise sandbox.TestFailure("no --guest-dir given for the static guest programs")
        path = os.path.join(self.guest_dir, f"guest-{name}")
        if not os.path.exists(path):
            sandbox.skip(f"{path} was not built (no static libc? see tests/meson.build)")
        return path


def last_json_line(run):
    """The guest programs below end by printing one JSON line with what they observed."""
    lines = run.stdout.strip().splitlines()
    check(lines, "the guest printed nothing", run)
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError:
        raise sandbox.TestFailure(f"the guest's last line is not JSON\n{run.describe()}")


def signal_number(name):
    return int(getattr(signal, name))


# --- results and streams ------------------------------------------------------------------------


@case()
def print_42(ctx):
    run = run_vm(ctx.vm, "print(6*7)")
    check(run.stdout == "42\n", "stdout is not '42\\n'", run)
    check(run.stderr == "", "stderr is not empty", run)
    check(run.exit_code == 0 and run.signal is None, "exit is not a clean 0", run)
    check(not run.timed_out and not run.memory_limit_hit and not run.truncated, "a limit flag is set", run)


@case()
def result_fields(ctx):
    """All documented fields, with sane values; runtime_version is the image's python3.11, which
    is the host's (the image is built from the host's packages)."""
    run = run_vm(ctx.vm, "import sys; print('%d.%d.%d' % sys.version_info[:3])")
    host_version = subprocess.run(
        [sandbox.HOST_PYTHON, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    check(run.language == "python", "result.language is not 'python'", run)
    check(run.runtime_version == host_version, f"runtime_version is not {host_version}", run)
    check(run.stdout.strip() == run.runtime_version, "runtime_version differs from the guest's sys.version_info", run)
    timing, usage = run.timing, run.usage
    for key in ("total_ms", "run_ms"):
        check(isinstance(timing.get(key), (int, float)) and not isinstance(timing.get(key), bool),
              f"timing.{key} is missing or not a number", run)
        check(timing[key] >= 0, f"timing.{key} is negative", run)
    check(timing["run_ms"] <= timing["total_ms"] + 1e-3, "timing.run_ms > timing.total_ms", run)
    check(timing["total_ms"] <= run.wall_s * 1000 + 50, "timing.total_ms exceeds the measured wall time", run)
    check(isinstance(usage.get("cpu_ms"), (int, float)) and usage["cpu_ms"] >= 0, "usage.cpu_ms is missing or negative", run)
    peak = usage.get("peak_memory_bytes")
    check(isinstance(peak, int) and not isinstance(peak, bool) and peak > 0,
          "usage.peak_memory_bytes is missing or not a positive integer", run)


@case()
def exit_code_3(ctx):
    run = run_vm(ctx.vm, "import sys; sys.exit(3)")
    check(run.exit_code == 3 and run.signal is None, "exit code is not 3", run)
    check(run.stdout == "" and run.stderr == "", "unexpected output", run)


@case()
def uncaught_exception(ctx):
    """Exit 1, the traceback on stderr exactly as `python3.11 -c` prints it, streams kept apart."""
    code = "import sys\nprint('to stdout')\nprint('to stderr', file=sys.stderr)\nraise ValueError('boom')\n"
    run = run_vm(ctx.vm, code)
    host = run_host(code)
    check(run.exit_code == 1, "exit code is not 1", run)
    check(run.stdout == "to stdout\n", "stdout is not exactly the printed line", run)
    check(run.stderr.startswith("to stderr\nTraceback (most recent call last):\n"), "stderr does not start with the line and a traceback", run)
    check('File "<string>", line 4, in <module>' in run.stderr, "the traceback does not name <string> line 4", run)
    check(run.stderr.endswith("ValueError: boom\n"), "stderr does not end with the exception", run)
    check(run.stderr == sandbox.as_guest_text(host.stderr), f"stderr differs from the host's {host.stderr!r}", run)


@case()
def streams_separate(ctx):
    """Interleaved writes to both streams land each in its own field, in order."""
    code = (
        "import os, sys\n"
        "for i in range(50):\n"
        "    print(f'out {i}', flush=True)\n"
        "    print(f'err {i}', file=sys.stderr, flush=True)\n"
        "os.write(1, b'fd1\\n'); os.write(2, b'fd2\\n')\n"
    )
    run = run_vm(ctx.vm, code)
    check(run.stdout == "".join(f"out {i}\n" for i in range(50)) + "fd1\n", "stdout is wrong", run)
    check(run.stderr == "".join(f"err {i}\n" for i in range(50)) + "fd2\n", "stderr is wrong", run)


@case()
def stdin_arrives(ctx):
    data = ("line one\nzweite Zeile ünï\n" + "x" * 100000 + "\n").encode() + bytes(range(256))
    code = (
        "import sys, hashlib, json\n"
        "data = sys.stdin.buffer.read()\n"
        "print(json.dumps({'len': len(data), 'sha256': hashlib.sha256(data).hexdigest(), 'again': len(sys.stdin.buffer.read())}))\n"
    )
    run = run_vm(ctx.vm, code, stdin=data)
    seen = last_json_line(run)
    import hashlib
    check(seen == {"len": len(data), "sha256": hashlib.sha256(data).hexdigest(), "again": 0},
          f"stdin did not arrive intact: {seen}", run)


@case()
def stdin_default_empty(ctx):
    """Without --stdin-file, stdin is at end of file at once (not a hang, not an error)."""
    run = run_vm(ctx.vm, "import sys; print(repr(sys.stdin.read()))", timeout_ms=5000)
    check(not run.timed_out, "reading stdin blocked until the timeout", run)
    check(run.stdout == "''\n" and run.exit_code == 0, "stdin is not empty", run)


@case()
def args_arrive(ctx):
    args = ["plain", "with space", "", "ünïcödé ✓", "--flag=1", "-c", "a\nb", "$HOME", "*"]
    run = run_vm(ctx.vm, "import sys, json; print(json.dumps(sys.argv))", args=args)
    check(last_json_line(run) == ["-c"] + args, "sys.argv is not ['-c'] + the args", run)


@case()
def env_arrives(ctx):
    env = {"FOO": "bar", "EMPTY": "", "WITH_EQUALS": "a=b=c", "UNICODE": "grüße ✓", "PATH": "/usr/local/bin:/usr/bin:/bin"}
    run = run_vm(ctx.vm, "import os, json; print(json.dumps(dict(os.environ)))", env=env)
    seen = last_json_line(run)
    for key, value in env.items():
        check(seen.get(key) == value, f"environment variable {key} is {seen.get(key)!r}, expected {value!r}", run)
    check(seen.get("HOME") == sandbox.GUEST_HOME and seen.get("LANG") == "C.UTF-8", "defaults lost when --env is given", run)


@case()
def env_default(ctx):
    """The guest's environment is exactly the documented default: nothing of the worker's own
    environment (here a canary variable) leaks in."""
    canary = f"canary-{uuid.uuid4()}"
    run = run_vm(ctx.vm, "import os, json; print(json.dumps(dict(os.environ)))",
                 worker_env={"SANDBOXD_TEST_CANARY": canary})
    check(canary not in run.stdout, "the worker's environment leaked into the guest", run)
    check(last_json_line(run) == sandbox.GUEST_ENV, f"the environment is not exactly {sandbox.GUEST_ENV}", run)


@case()
def cwd_arrives(ctx):
    code = (
        "import os, json\n"
        "open('rel.txt', 'w').write('x')\n"
        "print(json.dumps([os.getcwd(), os.path.exists('/tmp/rel.txt')]))\n"
    )
    run = run_vm(ctx.vm, code, cwd="/tmp")
    check(last_json_line(run) == ["/tmp", True], "the cwd is not /tmp, or relative paths do not resolve there", run)


@case()
def cwd_default(ctx):
    code = (
        "import os, json\n"
        "open('notes.txt', 'w').write('hello')\n"
        "print(json.dumps([os.getcwd(), os.environ.get('HOME'), os.path.expanduser('~'),\n"
        "                  open('/home/sandbox/notes.txt').read(), os.path.isdir('/home/sandbox')]))\n"
    )
    run = run_vm(ctx.vm, code)
    expected = [sandbox.GUEST_HOME, sandbox.GUEST_HOME, sandbox.GUEST_HOME, "hello", True]
    check(last_json_line(run) == expected, f"expected {expected}", run)


@case()
def non_utf8_output(ctx):
    """Output that is not valid UTF-8 arrives as a string with U+FFFD in place of each maximal
    invalid subsequence, exactly as Python's bytes.decode('utf-8', 'replace') does (which is also
    what test_python_compare assumes of every program's output)."""
    raw_out = b"ok \xff\xfe\xc3 end \xe2\x82 x \xf0\x9f\x98\x80 \xed\xa0\x80 \xc0\xaf z\n"
    raw_err = b"\x80err\xf4\x90\x80\x80\n"
    code = f"import sys; sys.stdout.buffer.write({raw_out!r}); sys.stderr.buffer.write({raw_err!r})"
    run = run_vm(ctx.vm, code)
    check(run.stdout == raw_out.decode("utf-8", "replace"), f"stdout is not {raw_out.decode('utf-8', 'replace')!r}", run)
    check(run.stderr == raw_err.decode("utf-8", "replace"), f"stderr is not {raw_err.decode('utf-8', 'replace')!r}", run)


@case()
def utf8_split_across_writes(ctx):
    """A character whose bytes arrive in separate write(2) calls, interleaved with the other
    stream, is still one character."""
    code = "import os\nos.write(1, b'\\xe2'); os.write(2, b'\\xf0\\x9f'); os.write(1, b'\\x82\\xac\\n'); os.write(2, b'\\x98\\x80\\n')\n"
    run = run_vm(ctx.vm, code)
    check(run.stdout == "\u20ac\n" and run.stderr == "\U0001f600\n", "a split character was not put back together", run)


# --- files ---------------------------------------------------------------------------------------


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
def tmp_not_shared_between_runs(ctx):
    """Each sandbox gets its own /tmp and home: what one run writes, the next run does not see."""
    name = f"persist-{uuid.uuid4()}"
    first = run_vm(ctx.vm, f"open('/tmp/{name}', 'w').write('x'); open('/home/sandbox/{name}', 'w').write('x'); print('written')")
    check(first.stdout == "written\n", "the first run could not write its files", first)
    second = run_vm(ctx.vm, f"import os; print(os.path.exists('/tmp/{name}'), os.path.exists('/home/sandbox/{name}'), '{name}' in os.listdir('/tmp'))")
    check(second.stdout == "False False False\n", "a file written by an earlier sandbox is visible", second)


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


# --- isolation from the host ---------------------------------------------------------------------


@case()
def host_files_invisible(ctx):
    """Files made on the host just now, with unguessable names, in places the guest also has
    (/tmp) or might have (/root), do not exist for the guest; nor does this test's own path or
    the worker binary's."""
    tag = str(uuid.uuid4())
    secret = f"host-secret-{tag}"
    host_paths = [f"/tmp/hostfile-{tag}", f"/root/sandboxd-test-{tag}"]
    made = []
    try:
        for path in host_paths:
            try:
                with open(path, "w") as f:
                    f.write(secret)
                made.append(path)
            except OSError:
                pass  # e.g. /root not writable when not root: nothing to hide then
        check(made, "could not create any host file to look for")
        probe = list(made) + [os.path.abspath(__file__), ctx.vm, os.getcwd()]
        code = (
            "import json, os\n"
            f"paths = {probe!r}\n"
            "seen = {}\n"
            "for p in paths:\n"
            "    try:\n"
            "        open(p).read()\n"
            "        opened = 'opened'\n"
            "    except OSError as e:\n"
            "        opened = type(e).__name__\n"
            "    seen[p] = [os.path.exists(p), opened]\n"
            f"seen['listed'] = any('{tag}' in n for n in os.listdir('/tmp'))\n"
            "print(json.dumps(seen))\n"
        )
        run = run_vm(ctx.vm, code)
        seen = last_json_line(run)
        check(secret not in run.stdout, "host file content reached the guest", run)
        check(seen["listed"] is False, "the host's /tmp file is listed in the guest's /tmp", run)
        for path in probe:
            exists, opened = seen[path]
            check(exists is False, f"{path} exists in the guest", run)
            check(opened in ("FileNotFoundError", "PermissionError", "NotADirectoryError"),
                  f"opening {path} gave {opened}, expected FileNotFoundError", run)
        check(seen[made[0]][1] == "FileNotFoundError", f"{made[0]}: expected FileNotFoundError", run)
    finally:
        for path in made:
            os.unlink(path)


def _host_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


@case()
def host_secrets_unreachable(ctx):
    """/dev/kvm can't be opened; /etc/shadow, /etc/machine-id, /etc/hostname and /proc/self/*
    either don't exist in the guest or hold something else than on the host; nothing the guest
    reads carries the worker's identity (its name, or a canary in its environment)."""
    canary = f"canary-{uuid.uuid4()}"
    paths = ["/dev/kvm", "/etc/shadow", "/etc/machine-id", "/etc/hostname", "/proc/self/status",
             "/proc/self/environ", "/proc/self/cmdline", "/proc/self/maps", "/proc/1/cmdline", "/proc/1/environ",
             "/sys/class/net", "/proc/net/tcp", "/var/lib/dbus/machine-id"]
    # The list travels base64-encoded: the code may show up in the guest's /proc/self/cmdline,
    # which must not then look like it names /dev/kvm.
    import base64
    encoded = base64.b64encode(json.dumps(paths).encode()).decode()
    code = (
        "import json, os, base64\n"
        f"paths = json.loads(base64.b64decode('{encoded}'))\n"
        "seen = {}\n"
        "for p in paths:\n"
        "    try:\n"
        "        with open(p, 'rb') as f:\n"
        "            seen[p] = base64.b64encode(f.read(1 << 20)).decode()\n"
        "    except OSError as e:\n"
        "        seen[p] = 'error:' + type(e).__name__\n"
        "seen['nodename'] = os.uname().nodename\n"
        "print(json.dumps(seen))\n"
    )
    run = run_vm(ctx.vm, code, worker_env={"SANDBOXD_TEST_CANARY": canary})
    seen = last_json_line(run)
    check(seen["/dev/kvm"].startswith("error:"), "the guest opened /dev/kvm", run)
    guest = {p: None if v.startswith("error:") else base64.b64decode(v) for p, v in seen.items() if p != "nodename"}
    for path in ("/etc/shadow", "/etc/machine-id", "/var/lib/dbus/machine-id"):
        host = _host_bytes(path)
        check(guest[path] is None or host is None or guest[path] != host, f"the guest reads the host's {path}", run)
    host_hostname = _host_bytes("/etc/hostname")
    if guest["/etc/hostname"] is not None and host_hostname and guest["/etc/hostname"] == host_hostname:
        # Equal by chance only if the host is named like the guest.
        check(host_hostname.strip().decode(errors="replace") == seen["nodename"],
              "the guest reads the host's /etc/hostname", run)
    worker_name = os.path.basename(ctx.vm).encode()
    for path, content in guest.items():
        if content is None:
            continue
        check(canary.encode() not in content, f"the worker's environment is visible in the guest's {path}", run)
        check(worker_name not in content and b"/dev/kvm" not in content and b"anon_inode:kvm" not in content,
              f"the guest's {path} shows the host worker", run)


@case()
def no_network(ctx):
    code = r"""
import socket
results = {}
def attempt(name, fn):
    try:
        fn()
        results[name] = 'ok'
    except OSError as e:
        results[name] = type(e).__name__
def tcp_connect():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect(('127.0.0.1', 1))
def tcp_connect_remote():
    socket.create_connection(('192.0.2.1', 80), timeout=3)
def udp_send():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b'x', ('8.8.8.8', 53))
    s.settimeout(1)
    s.recvfrom(10)
def v6_connect():
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect(('::1', 1))
attempt('connect', tcp_connect)
attempt('connect_remote', tcp_connect_remote)
attempt('udp', udp_send)
attempt('connect_v6', v6_connect)
attempt('getaddrinfo', lambda: socket.getaddrinfo('example.com', 80))
attempt('gethostbyname', lambda: socket.gethostbyname('example.com'))
for name in sorted(results):
    print(name, results[name])
"""
    run = run_vm(ctx.vm, code, timeout_ms=30000)
    check(run.exit_code == 0, "the program did not catch the failures as OSError", run)
    lines = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    for name in ("connect", "connect_remote", "udp", "connect_v6", "getaddrinfo", "gethostbyname"):
        check(lines.get(name, "ok") != "ok", f"{name} succeeded: there is a network", run)
    check(lines["getaddrinfo"] == "gaierror", "getaddrinfo did not fail with socket.gaierror", run)


# --- limits ------------------------------------------------------------------------------------


@case(serial=True)
def timeout_busy_loop(ctx):
    """The issue's bound: `while True: pass` with a 1 s timeout ends the whole sandboxd-vm run in
    under 2 s (start-up included), says timed_out, and keeps what was written before the loop."""
    start = time.monotonic()
    run = run_vm(ctx.vm, "print('before the loop', flush=True)\nwhile True:\n    pass\n", timeout_ms=1000, deadline_s=30)
    wall = time.monotonic() - start
    check(run.timed_out is True, "timed_out is not true", run)
    check(wall < 2.0, f"the run took {wall:.2f} s, expected < 2 s", run)
    check(run.stdout == "before the loop\n", "the output written before the loop was lost", run)
    check(run.exit_code != 0, "a timed-out program reports exit code 0", run)
    sandbox.healthy(ctx.vm)

@case(serial=True, restored_only=True)
def timeout_keeps_buffered_output(ctx):
    """What a program printed without flushing reaches the result when it times out: the host
    sends the runner SIGXCPU at the deadline and the runner flushes Python's buffers, spinning,
    sleeping, or with its own handler that ignores the warning (the hard stop then follows)."""
    programs = {
        "spinning": "print('x')\nwhile True:\n    pass\n",
        "sleeping": "import sys, time\nprint('out')\nprint('err', file=sys.stderr)\ntime.sleep(600)\n",
        "many lines": "for i in range(1000):\n    print(i)\nwhile True:\n    pass\n",
    }
    expected = {
        "spinning": ("x\n", ""),
        "sleeping": ("out\n", "err\n"),
        "many lines": ("".join(f"{i}\n" for i in range(1000)), ""),
    }
    for name, code in programs.items():
        run = run_vm(ctx.vm, code, timeout_ms=500, deadline_s=30)
        check(run.timed_out is True, f"{name}: timed_out is not true", run)
        check((run.stdout, run.stderr) == expected[name], f"{name}: the buffered output was lost", run)
        check(run.exit_code is None and run.signal is None, f"{name}: a timeout has an exit status", run)
    # A program that handles SIGXCPU itself and goes on is stopped all the same.
    start = time.monotonic()
    run = run_vm(ctx.vm, "import signal\nsignal.signal(signal.SIGXCPU, lambda *a: print('warned', flush=True))\n"
                 "while True:\n    pass\n", timeout_ms=500, deadline_s=30)
    check(run.timed_out is True and run.stdout == "warned\n", "its own handler did not run once", run)
    check(time.monotonic() - start < 2.0, "the hard stop did not follow the warning", run)



@case(serial=True)
def timeout_blocked_sleep(ctx):
    """A guest blocked in a sleep (not spinning) is stopped by the timeout too."""
    start = time.monotonic()
    run = run_vm(ctx.vm, "import time\nprint('sleeping', flush=True)\ntime.sleep(600)\n", timeout_ms=1000, deadline_s=30)
    wall = time.monotonic() - start
    check(run.timed_out is True, "timed_out is not true", run)
    check(wall < 2.0, f"the run took {wall:.2f} s, expected < 2 s", run)
    check(run.stdout == "sleeping\n", "the output written before the sleep was lost", run)


@case(serial=True)
def timeout_with_threads(ctx):
    """Threads don't escape the timeout: a thread spinning forever while the main thread waits
    for it, and two threads deadlocked on each other's locks, both end at the deadline, from the
    host, with what was written before."""
    programs = {
        "spinning thread": (
            "import threading\n"
            "def spin():\n"
            "    while True: pass\n"
            "t = threading.Thread(target=spin); t.start()\n"
            "print('started', flush=True)\n"
            "t.join()\n"),
        "deadlock": (
            "import threading, time\n"
            "a, b = threading.Lock(), threading.Lock()\n"
            "def one():\n"
            "    with a:\n"
            "        time.sleep(0.05)\n"
            "        with b: pass\n"
            "def two():\n"
            "    with b:\n"
            "        time.sleep(0.05)\n"
            "        with a: pass\n"
            "ts = [threading.Thread(target=f) for f in (one, two)]\n"
            "[t.start() for t in ts]\n"
            "print('started', flush=True)\n"
            "[t.join() for t in ts]\n"),
    }
    for name, code in programs.items():
        start = time.monotonic()
        run = run_vm(ctx.vm, code, timeout_ms=1000, deadline_s=30)
        wall = time.monotonic() - start
        check(run.timed_out is True, f"{name}: timed_out is not true", run)
        check(wall < 2.0, f"{name}: the run took {wall:.2f} s, expected < 2 s", run)
        check(run.stdout == "started\n", f"{name}: the output before the wait was lost", run)
    sandbox.healthy(ctx.vm)


@case()
def threads_limit(ctx):
    """A program may run 63 threads beside its main one; the next start fails cleanly with
    RuntimeError ("can't start new thread"), and the program goes on."""
    code = (
        "import threading\n"
        "stop = threading.Event()\n"
        "started = []\n"
        "try:\n"
        "    for i in range(100):\n"
        "        t = threading.Thread(target=stop.wait); t.start(); started.append(t)\n"
        "except RuntimeError as e:\n"
        "    print('refused after', len(started), type(e).__name__)\n"
        "stop.set()\n"
        "[t.join() for t in started]\n"
        "t = threading.Thread(target=print, args=('a thread after the others ended',))\n"
        "t.start(); t.join()\n"
    )
    run = run_vm(ctx.vm, code, timeout_ms=20000, memory_mb=1024)
    check(run.exit_code == 0, "the program failed", run)
    check(run.stdout == "refused after 63 RuntimeError\na thread after the others ended\n",
          "unexpected output", run)


@case(serial=True)
def alarm_signals(ctx):
    """signal.alarm/setitimer raise SIGALRM from the host's timer: the handler interrupts a busy
    loop (run between two instructions of the program's own code) and a sleep, an interval
    timer ticks, the FPU state of the interrupted code survives a handler doing float work, and
    without a handler SIGALRM ends the program."""
    handler = "import signal\ndef h(*a): raise TimeoutError('alarm')\nsignal.signal(signal.SIGALRM, h)\n"
    cases = [
        ("busy loop", handler + "signal.alarm(1)\nn = 0\nwhile True: n += 1\n",
         lambda r: r.exit_code == 1 and r.stderr.endswith("TimeoutError: alarm\n")),
        ("sleep", handler + "import time\nsignal.alarm(1)\ntime.sleep(5)\n",
         lambda r: r.exit_code == 1 and r.stderr.endswith("TimeoutError: alarm\n")),
        ("interval",
         "import signal, time\nticks = []\nsignal.signal(signal.SIGALRM, lambda *a: ticks.append(1))\n"
         "signal.setitimer(signal.ITIMER_REAL, 0.1, 0.1)\nt0 = time.monotonic()\n"
         "while time.monotonic() - t0 < 0.55: pass\nsignal.setitimer(signal.ITIMER_REAL, 0)\n"
         "print(4 <= len(ticks) <= 6, signal.getitimer(signal.ITIMER_REAL))\n",
         lambda r: r.exit_code == 0 and r.stdout == "True (0.0, 0.0)\n"),
        ("fpu preserved",
         "import signal, math\nacc = []\n"
         "signal.signal(signal.SIGALRM, lambda *a: acc.append(sum(math.sqrt(i) for i in range(1000))))\n"
         "signal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)\nx = 0.0\n"
         "for i in range(2_000_000): x += i * 0.5\nsignal.setitimer(signal.ITIMER_REAL, 0)\n"
         "print(x == sum(i * 0.5 for i in range(2_000_000)), len(acc) > 3, len(set(acc)) == 1)\n",
         lambda r: r.exit_code == 0 and r.stdout == "True True True\n"),
        ("default action", "import signal, time\nsignal.alarm(1)\ntime.sleep(5)\n",
         lambda r: r.signal == "SIGALRM" and r.exit_code is None),
    ]
    for name, code, good in cases:
        start = time.monotonic()
        run = run_vm(ctx.vm, code, timeout_ms=5000, deadline_s=30)
        wall = time.monotonic() - start
        check(good(run), f"{name}: unexpected result", run)
        check(wall < 4.0, f"{name}: took {wall:.2f} s; the alarm did not interrupt it", run)


@case(serial=True)
def timeout_not_hit(ctx):
    run = run_vm(ctx.vm, "import time\ntime.sleep(0.2)\nprint('done')", timeout_ms=5000)
    check(run.stdout == "done\n" and run.exit_code == 0 and run.timed_out is False, "a short program was cut off", run)


def _memory_outcome(run, limit_mb):
    raised = run.exit_code == 1 and "MemoryError" in run.stderr
    check(raised or run.memory_limit_hit, "neither a MemoryError (exit 1) nor memory_limit_hit", run)
    check("survived" not in run.stdout, "the program got more memory than its limit", run)
    peak = run.usage.get("peak_memory_bytes")
    check(isinstance(peak, int) and peak <= limit_mb << 20,
          f"usage.peak_memory_bytes {peak} exceeds the {limit_mb} MiB limit", run)


@case(serial=True, timeout=120)
def memory_1g_bytearray(ctx):
    """bytearray(1 GiB) under a 256 MiB limit. The pages are touched too, so a host that only
    refuses memory when it is used, not when it is mapped, is held to the limit as well."""
    code = "b = bytearray(1 << 30)\nfor i in range(0, len(b), 4096):\n    b[i] = 1\nprint('survived')\n"
    run = run_vm(ctx.vm, code, memory_mb=256, timeout_ms=60000, deadline_s=100)
    _memory_outcome(run, 256)
    sandbox.healthy(ctx.vm)


@case(serial=True, timeout=120)
def memory_gradual(ctx):
    """Growing a list of filled 1 MiB blocks until MemoryError: the program may catch it and go
    on (prints 'caught', exit 0), or the host stops it (memory_limit_hit)."""
    code = (
        "blocks = []\n"
        "try:\n"
        "    while True:\n"
        "        blocks.append(b'\\x01' * (1 << 20))\n"
        "        if len(blocks) > 2048:\n"
        "            print('survived')\n"
        "            break\n"
        "except MemoryError:\n"
        "    n = len(blocks)\n"
        "    del blocks\n"
        "    print('caught', n >= 64)\n"
    )
    run = run_vm(ctx.vm, code, memory_mb=256, timeout_ms=60000, deadline_s=100)
    check("survived" not in run.stdout, "the program got more memory than its limit", run)
    caught = run.exit_code == 0 and run.stdout == "caught True\n"
    check(caught or run.memory_limit_hit, "neither a caught MemoryError nor memory_limit_hit", run)
    sandbox.healthy(ctx.vm)


@case(serial=True, timeout=120)
def munmap_gives_memory_back(ctx):
    """Memory a program unmaps is its own again: 40 rounds of mmap, fill and munmap of 16 MiB
    (640 MiB in all) fit in 128 MiB, as on Linux; an unmapped page is gone (SIGSEGV), and a
    new mapping reads as zeros though it is made of the pages just unmapped."""
    code = (
        "import ctypes, mmap\n"
        "for i in range(40):\n"
        "    m = mmap.mmap(-1, 16 << 20)\n"
        "    m.write(bytes([i + 1]) * (16 << 20))\n"
        "    m.close()\n"
        "m = mmap.mmap(-1, 16 << 20)\n"
        "print('fresh', m[:] == bytes(16 << 20))\n"
        "address = ctypes.addressof(ctypes.c_char.from_buffer(m))\n"
        "m.close()\n"
        "print('unmapped', flush=True)\n"
        "print(ctypes.string_at(address, 1))\n"
    )
    run = run_vm(ctx.vm, code, memory_mb=128, timeout_ms=60000, deadline_s=100)
    check(not run.memory_limit_hit, "unmapped memory still counts against the limit", run)
    check(run.stdout == "fresh True\nunmapped\n", "a new mapping is not all zeros, or the program "
          "did not get that far", run)
    check(run.signal == "SIGSEGV", "reading an unmapped page did not fault", run)
    sandbox.healthy(ctx.vm)


def _baseline_rss_kib(ctx):
    return run_vm(ctx.vm, "print(1)").maxrss_kib


@case(serial=True, timeout=180)
def output_100mb_chunks(ctx):
    """100 MiB written as 100 writes of one 1 MiB string, with --max-output-bytes 1 MiB: the
    result keeps exactly the first 1 MiB and says truncated. What this bounds: the guest itself
    needs only a few MiB here, so if the worker kept (or JSON-encoded) the whole output its peak
    RSS would grow by >= 100 MiB over a print(1) run; we allow 64 MiB of growth."""
    code = "import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(100):\n    sys.stdout.write(chunk)\nsys.stdout.flush()\n"
    baseline = _baseline_rss_kib(ctx)
    run = run_vm(ctx.vm, code, max_output_bytes=1 << 20, timeout_ms=60000, deadline_s=150)
    check(run.truncated is True, "truncated is not true", run)
    check(run.stdout == "x" * (1 << 20), f"stdout is {len(run.stdout)} chars, expected exactly the first 1 MiB", run)
    check(len(run.stdout) + len(run.stderr) <= 1 << 20, "more than --max-output-bytes kept", run)
    growth = run.maxrss_kib - baseline
    print(f"worker peak RSS: print(1) {baseline} KiB, this run {run.maxrss_kib} KiB")
    check(growth < 64 << 10, f"worker peak RSS grew by {growth} KiB over a print(1) run ({baseline} KiB)", run)
    sandbox.healthy(ctx.vm)


@case(serial=True, timeout=180)
def output_100mb_single_write(ctx):
    """The issue's literal case: sys.stdout.write('x' * (100 << 20)) under --memory-mb 512 and
    --max-output-bytes 1 MiB. The 100 MiB string and its encoded copy live in guest memory, which
    is the worker's own memory, so RSS here is dominated by the guest (bounded by --memory-mb);
    the bound below (baseline + 512 MiB + 64 MiB) only catches an output buffer that grows on
    top of that. output_100mb_chunks is the sharp test of the output cap."""
    baseline = _baseline_rss_kib(ctx)
    run = run_vm(ctx.vm, "import sys; sys.stdout.write('x' * (100 << 20))", memory_mb=512,
                 max_output_bytes=1 << 20, timeout_ms=60000, deadline_s=150)
    check(run.truncated is True, "truncated is not true", run)
    check(run.stdout == "x" * (1 << 20), f"stdout is {len(run.stdout)} chars, expected exactly the first 1 MiB", run)
    growth = run.maxrss_kib - baseline
    print(f"worker peak RSS: print(1) {baseline} KiB, this run {run.maxrss_kib} KiB")
    check(growth < (512 + 64) << 10, f"worker peak RSS grew by {growth} KiB over a print(1) run", run)
    sandbox.healthy(ctx.vm)


@case()
def output_under_limit(ctx):
    """3 MiB of output under a 4 MiB cap arrives whole, not truncated."""
    code = "import sys\nfor i in range(3 * 1024):\n    sys.stdout.write(format(i, '08d') * 128)\n"
    run = run_vm(ctx.vm, code, max_output_bytes=4 << 20)
    expected = "".join(format(i, "08d") * 128 for i in range(3 * 1024))
    check(run.truncated is False, "truncated is true under the cap", run)
    check(run.stdout == expected, f"stdout is {len(run.stdout)} chars, expected {len(expected)}", run)


@case()
def output_cap_counts_both_streams(ctx):
    """The cap counts stdout and stderr together (protocol/limits.h)."""
    code = "import sys\nsys.stdout.write('o' * 6000); sys.stdout.flush()\nsys.stderr.write('e' * 6000)\n"
    run = run_vm(ctx.vm, code, max_output_bytes=10000)
    check(run.truncated is True, "truncated is not true", run)
    check(len(run.stdout) + len(run.stderr) <= 10000, "more than the cap kept in total", run)
    check(run.stdout == "o" * 6000, "stdout, written first, was not kept whole", run)


@case()
def output_zero_limit(ctx):
    """--max-output-bytes 0 keeps nothing but still says there was output."""
    run = run_vm(ctx.vm, "print('something')", max_output_bytes=0)
    check(run.stdout == "" and run.stderr == "", "output kept despite a cap of 0", run)
    check(run.truncated is True, "truncated is not true", run)
    check(run.exit_code == 0, "the program did not finish normally", run)


# --- static guest programs ----------------------------------------------------------------------


def _crash_case(name, signal_name):
    def run_crash(ctx):
        run = run_vm(ctx.vm, exec_host_file=ctx.guest_program(name))
        check(run.signal == signal_name, f"signal is {run.signal!r}, expected {signal_name!r}", run)
        n = signal_number(signal_name)
        check(run.exit_code in (None, 128 + n), f"exit_code is {run.exit_code!r}, expected null or {128 + n}", run)
        check(run.timed_out is False, "a crash was reported as a timeout", run)
        sandbox.healthy(ctx.vm)

    run_crash.__name__ = f"exec_{name}"
    case(cold_only=True)(run_crash)


_crash_case("segv", "SIGSEGV")
_crash_case("ud", "SIGILL")
_crash_case("div0", "SIGFPE")
_crash_case("abort", "SIGABRT")
_crash_case("stack_overflow", "SIGSEGV")


@case(cold_only=True)
def exec_segv_handler(ctx):
    """Faults reach the program's handlers (on an alternate stack, with si_addr and si_code) and
    a handler may leave with siglongjmp, repeatedly: the same output as the program natively."""
    path = ctx.guest_program("segv_handler")
    native = subprocess.run([path], capture_output=True, text=True, timeout=30)
    check(native.returncode == 0, f"the program fails natively: {native!r}")
    run = run_vm(ctx.vm, exec_host_file=path)
    check(run.exit_code == 0 and run.signal is None, "the program did not exit 0", run)
    check(run.stdout == native.stdout, f"differs from the native run {native.stdout!r}", run)
    sandbox.healthy(ctx.vm)


@case()
def faulthandler_traceback(ctx):
    """Python's faulthandler runs on a segmentation fault: its handler prints the Python stack,
    then the program ends with SIGSEGV."""
    run = run_vm(ctx.vm, "import faulthandler, ctypes\nfaulthandler.enable()\nctypes.string_at(0)\n")
    check(run.signal == "SIGSEGV", "the program did not end with SIGSEGV", run)
    check("Fatal Python error: Segmentation fault" in run.stderr and "string_at" in run.stderr,
          "faulthandler printed no Python stack", run)


@case(cold_only=True)
def exec_hello(ctx):
    run = run_vm(ctx.vm, exec_host_file=ctx.guest_program("hello"))
    check(run.stdout == "hello\n" and run.exit_code == 7 and run.signal is None, "expected 'hello\\n' and exit 7", run)


@case(cold_only=True)
def exec_exit_group(ctx):
    run = run_vm(ctx.vm, exec_host_file=ctx.guest_program("exit_group"))
    check(run.stdout == "bye\n", "stdout is not exactly 'bye\\n' (stdio's unflushed buffer must be lost)", run)
    check(run.exit_code == 3 and run.signal is None, "exit code is not 3", run)


@case(serial=True, cold_only=True)
def exec_bigwrite(ctx):
    """10 MiB through write(2) under a 1 MiB cap."""
    run = run_vm(ctx.vm, exec_host_file=ctx.guest_program("bigwrite"), max_output_bytes=1 << 20)
    check(run.truncated is True, "truncated is not true", run)
    check(run.stdout == "x" * (1 << 20), f"stdout is {len(run.stdout)} chars, expected exactly 1 MiB of 'x'", run)
    check(run.exit_code in (0, 2) or run.signal in ("SIGPIPE", "SIGKILL"), "unexpected end of the program", run)
    sandbox.healthy(ctx.vm)


@case(cold_only=True)
def exec_badptr(ctx):
    """Hostile syscall arguments: the guest survives, every call fails with an errno, the worker
    answers. The list of calls must match a native run of the same binary; differences in which
    errno are printed for information only."""
    program = ctx.guest_program("badptr")
    native = subprocess.run([program], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    check(native.returncode == 0 and native.stdout.endswith("done\n"), f"the native run failed: {native!r}")
    native_lines = dict(line.split("=") for line in native.stdout.splitlines()[:-1])
    run = run_vm(ctx.vm, exec_host_file=program)
    check(run.exit_code == 0 and run.signal is None, "the guest did not exit 0", run)
    lines = run.stdout.splitlines()
    check(lines and lines[-1] == "done", "the guest did not get to the end", run)
    seen = {}
    for line in lines[:-1]:
        name, _, value = line.partition("=")
        check(value.isdigit(), f"malformed line {line!r}", run)
        seen[name] = int(value)
    check(list(seen) == list(native_lines), "the guest's calls differ from the native run's", run)
    succeeded = [name for name, err in seen.items() if err == 0]
    check(not succeeded, f"calls that must fail succeeded in the guest: {succeeded}", run)
    differ = [f"{n}: guest {seen[n]} native {native_lines[n]}" for n in seen if str(seen[n]) != native_lines[n]]
    if differ:
        print(f"note: {len(differ)} calls fail with another errno than natively:\n  " + "\n  ".join(differ))
    sandbox.healthy(ctx.vm)


# --- `python3 -c` semantics that a runner (the restore path) must reproduce ------------------------


@case()
def main_module_like_python_c(ctx):
    """The program's __main__ looks as under `python3.11 -c` on the host: the same globals
    (__annotations__, __loader__ included) and sys.orig_argv[1:] == ['-c', CODE, *ARGS].
    Harmless introspection, so the host runs it too."""
    code = (
        "import sys, json\n"
        "print(json.dumps({\n"
        "    'globals': sorted(globals()),\n"
        "    '__loader__': repr(__loader__), '__spec__': repr(__spec__), '__name__': __name__,\n"
        "    '__doc__': __doc__, '__builtins__': type(__builtins__).__name__,\n"
        "    'orig_argv[1:]': sys.orig_argv[1:],\n"
        "    'argv': sys.argv, 'path[0]': sys.path[0],\n"
        "    'main module': sys.modules['__main__'].__dict__ is globals(),\n"
        "}, indent=1, sort_keys=True))\n"
    )
    compare_with_host(ctx, code, ["one", "two"])


@case()
def stack_like_python_c(ctx):
    """No frame below the program's, as under `python3.11 -c`: traceback.format_stack() and
    sys._getframe().f_back show nothing of a runner. Restored runs don't hold this yet (the
    runner's frames are below the program's; see README, known gaps), so the snapshot variant
    is registered as an expected failure: it turns into a failure when fixed."""
    code = (
        "import sys, json, traceback\n"
        "print(json.dumps({\n"
        "    'f_back is None': sys._getframe().f_back is None,\n"
        "    'format_stack frames': len(traceback.format_stack()),\n"
        "}, sort_keys=True))\n"
    )
    compare_with_host(ctx, code, [])


def compare_with_host(ctx, code, args):
    host = run_host(code, args=args)
    check(host.returncode == 0, f"the host run failed: {host!r}")
    run = run_vm(ctx.vm, code, args=args)
    check(run.exit_code == 0, "the program failed", run)
    expected, seen = json.loads(host.stdout), last_json_line_or_all(run)
    differ = [f"  {k}: host {expected[k]!r:.300}, guest {seen.get(k)!r:.300}" for k in expected if seen.get(k) != expected[k]]
    check(not differ, "differs from `python3.11 -c` on the host:\n" + "\n".join(differ), run)


@case()
def stdout_closed_like_python_c(ctx):
    """When flushing stdout fails at exit, `python3 -c` prints "Exception ignored in: <stdout
    ...>" and exits 120, whatever the program's own status; so must every guest. The programs
    only close their own fds, so the host runs them too."""
    programs = [
        "import os; os.close(1); print('gone')",
        "import os; os.close(1); os.close(2); print('gone')",
        "import os, sys; os.close(1); print('gone'); sys.exit(3)",
        "import os; print('kept', flush=True); os.close(1); print('lost')",
    ]
    for code in programs:
        host = run_host(code)
        run = run_vm(ctx.vm, code)
        check(run.signal is None and run.exit_code == host.returncode,
              f"{code!r}: exit code {run.exit_code}, python3.11 -c on the host exits {host.returncode}", run)
        check(run.stdout == sandbox.as_guest_text(host.stdout) and run.stderr == sandbox.as_guest_text(host.stderr),
              f"{code!r}: output differs from the host's stdout {host.stdout!r} stderr {host.stderr!r}", run)


def last_json_line_or_all(run):
    """The whole stdout as JSON (for indented output), else its last line."""
    try:
        return json.loads(run.stdout)
    except json.JSONDecodeError:
        return last_json_line(run)


# --- the worker itself ---------------------------------------------------------------------------


@case()
def bad_invocations(ctx):
    """sandboxd-vm's own errors: non-zero exit status and a message on stderr, no crash."""
    bad = [
        ["run", "--language", "cobol", "--code", "x"],
        ["run", "--language", "python"],
        ["run", "--language", "python", "--code", "print(1)", "--timeout-ms", "abc"],
        ["run", "--language", "python", "--code", "print(1)", "--timeout-ms", "0"],
        ["run", "--language", "python", "--code", "print(1)", "--memory-mb", "1"],
        ["run", "--language", "python", "--code", "print(1)", "--max-output-bytes", "-5"],
        ["run", "--language", "python", "--code", "print(1)", "--env", "NOEQUALS"],
        ["run", "--language", "python", "--code", "print(1)", "--stdin-file", "/nonexistent/stdin"],
        ["run", "--language", "python", "--code", "print(1)", "--bogus-flag"],
        ["frobnicate"],
        [],
    ]
    if ctx.snapshot:
        # The same mistakes on the restore path, plus one of its own.
        bad = [argv + ["--snapshot", ctx.snapshot] if argv[:1] == ["run"] else argv for argv in bad]
        bad.append(["run", "--language", "python", "--code", "print(1)", "--snapshot", ctx.snapshot,
                    "--exec-host-file", "/bin/true"])
    for argv in bad:
        proc = subprocess.run([ctx.vm] + argv, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
        check(proc.returncode > 0, f"{argv}: exit status {proc.returncode}, expected a failure (> 0, not a signal)"
              f"\n  stdout {proc.stdout[:300]!r}\n  stderr {proc.stderr[:300]!r}")
        check(proc.stderr.strip(), f"{argv}: no message on stderr")
    sandbox.healthy(ctx.vm)


@case()
def entropy_differs(ctx):
    """Every sandbox starts from the same memory but must not repeat random values (DESIGN §6)."""
    code = (
        "import os, random, uuid, tempfile, json\n"
        "print(json.dumps([os.urandom(16).hex(), random.getrandbits(64), str(uuid.uuid4()),\n"
        "                  os.path.basename(tempfile.NamedTemporaryFile().name)]))\n"
    )
    # Not checked: hash('abc'). Python fixes its str hash secret at start-up, before the
    # snapshot, so restored sandboxes may share it.
    first = last_json_line(run_vm(ctx.vm, code))
    second = last_json_line(run_vm(ctx.vm, code))
    for label, a, b in zip(["urandom", "random", "uuid4", "tempfile"], first, second):
        check(a != b, f"two sandboxes produced the same {label}: {a!r}")


@case()
def clock_is_host(ctx):
    before = time.time()
    run = run_vm(ctx.vm, "import time, json; print(json.dumps([time.time(), time.monotonic() >= 0]))")
    after = time.time()
    guest_time, ok = last_json_line(run)
    check(ok is True, "time.monotonic() is negative", run)
    check(before - 1 <= guest_time <= after + 1, f"guest time {guest_time} not within the host's [{before}, {after}]", run)


@case(timeout=120)
def healthy_after_misbehaviour(ctx):
    """A sequence of bad guests, each followed by a normal one, in one test."""
    bad = [
        ("import os; os.kill(os.getpid(), 9)", {}),
        ("import ctypes; ctypes.string_at(0)", {}),
        ("raise SystemExit(255)", {}),
        ("import sys; sys.setrecursionlimit(10**6)\ndef f(n): return f(n + 1)\nf(0)", {}),
        ("x = [0] * (1 << 40)", {"memory_mb": 64}),
        ("import os; os.close(1); os.close(2); print('gone')", {}),
    ]
    for code, limits in bad:
        run = run_vm(ctx.vm, code, timeout_ms=10000, **limits)
        check(run.exit_code != 0 or run.signal is not None or run.memory_limit_hit,
              f"the misbehaving program {code!r} reported success", run)
        sandbox.healthy(ctx.vm)



# --- /proc ----------------------------------------------------------------------------------------


PROC_SELF_CODE = r"""
import json, os, sys
def read(path):
    with open(path, 'rb') as f:
        return f.read()
status = dict(line.split(':', 1) for line in read('/proc/self/status').decode().splitlines())
meminfo = {line.split(':')[0]: int(line.split()[1]) for line in read('/proc/meminfo').decode().splitlines()}
fds = sorted(os.listdir('/proc/self/fd'), key=int)
print(json.dumps({
    'self': os.readlink('/proc/self'), 'pid': os.getpid(),
    'exe': os.readlink('/proc/self/exe'), 'cwd': os.readlink('/proc/self/cwd'), 'getcwd': os.getcwd(),
    'cmdline': read('/proc/self/cmdline').decode().split('\0'),
    'environ': read('/proc/self/environ').decode().split('\0'),
    'status': {k: v.split() for k, v in status.items()},
    'memtotal_kb': meminfo['MemTotal'], 'memavailable_kb': meminfo['MemAvailable'],
    'maps': read('/proc/self/maps').decode().splitlines(),
    'stat': read('/proc/self/stat').decode(),
    'cpu': read('/proc/stat').decode().splitlines()[:2],
    'fds': fds, 'fd_links': {fd: os.readlink('/proc/self/fd/' + fd) for fd in fds[:3]},
    'uptime': read('/proc/uptime').decode().split(),
    'loadavg': os.getloadavg(), 'cpu_count': os.cpu_count(),
    'version': read('/proc/version').decode(), 'uname': list(os.uname()),
}))
"""


@case()
def proc_self(ctx):
    """/proc shows the program itself, as Linux would: its pid, executable, arguments, cwd, fds,
    memory (the limit, never the host's) and address space."""
    run = run_vm(ctx.vm, PROC_SELF_CODE, memory_mb=192, env={"CANARY": "proc-environ"})
    seen = last_json_line(run)
    pid = seen["pid"]
    check(seen["self"] == str(pid), f"/proc/self -> {seen['self']!r}, getpid() is {pid}", run)
    status = seen["status"]
    check(status["Pid"] == [str(pid)] and status["Tgid"] == [str(pid)] and status["PPid"] == ["1"],
          f"status Pid/Tgid/PPid are {status['Pid']}/{status['Tgid']}/{status['PPid']}", run)
    check(status["Uid"] == ["1000"] * 4 and status["Gid"] == ["1000"] * 4, "status Uid/Gid are not 1000", run)
    check(status["Threads"] == ["1"] and status["State"][0] == "R", "status Threads/State are wrong", run)
    check(int(status["VmRSS"][0]) > 0 and int(status["VmPeak"][0]) >= int(status["VmSize"][0]) > 0,
          "status VmRSS/VmSize/VmPeak are not sane", run)
    check(seen["exe"] == "/usr/bin/python3.11", f"/proc/self/exe -> {seen['exe']!r}", run)
    check(status["Name"] == ["python3.11"], f"status Name is {status['Name']}", run)
    check(seen["cwd"] == seen["getcwd"] == sandbox.GUEST_HOME, f"/proc/self/cwd -> {seen['cwd']!r}", run)
    cmdline = seen["cmdline"]
    check(cmdline[0] == "python3" and cmdline[-1] == "", f"cmdline is {cmdline[:2]}...", run)
    if ctx.snapshot:
        check(cmdline[1].endswith("python_runner.py"), f"cmdline is not the runner's: {cmdline}", run)
    else:
        check(cmdline[1:] == ["-c", PROC_SELF_CODE, ""], f"cmdline is not python3 -c CODE: {cmdline[:2]}", run)
        check("CANARY=proc-environ" in seen["environ"], "environ lacks the --env variable", run)
    check(seen["environ"][-1] == "" and all("=" in e for e in seen["environ"][:-1]), "environ is malformed", run)
    check(seen["memtotal_kb"] == 192 * 1024, f"MemTotal is {seen['memtotal_kb']} kB, not the 192 MiB limit", run)
    check(0 < seen["memavailable_kb"] <= seen["memtotal_kb"], "MemAvailable is not within MemTotal", run)

    maps, last_end, names = seen["maps"], 0, set()
    check(len(maps) > 10, "maps has almost nothing", run)
    for line in maps:
        fields = line.split(None, 5)
        start, end = (int(x, 16) for x in fields[0].split("-"))
        check(last_end <= start < end and len(fields[1]) == 4, f"maps line out of order or malformed: {line!r}", run)
        last_end = end
        if len(fields) == 6:
            names.add(fields[5])
    check({"/usr/bin/python3.11", "[stack]", "[heap]", "[vdso]"} <= names, f"maps names: {sorted(names)}", run)
    check(all(n.startswith(("/usr/", "/lib/", "[")) for n in names), f"maps names a host file: {sorted(names)}", run)

    stat = seen["stat"]
    fields = stat[stat.rindex(")") + 2:].split()
    check(stat.startswith(f"{pid} (python3.11) R ") and len(fields) + 2 == 52,
          f"/proc/self/stat is malformed: {stat!r}", run)
    check(int(fields[24 - 3]) > 0, "stat rss is 0", run)
    cpu = seen["cpu"]
    check(cpu[0].split()[0] == "cpu" and cpu[1].split()[0] == "cpu0"
          and all(x.isdigit() for x in cpu[0].split()[1:]) and len(cpu[0].split()) >= 8,
          f"/proc/stat cpu lines are malformed: {cpu}", run)
    check({"0", "1", "2"} <= set(seen["fds"]), f"/proc/self/fd lists {seen['fds']}", run)
    check(all(t.startswith("pipe:[") for t in seen["fd_links"].values()), f"stdio links are {seen['fd_links']}", run)
    check(len(seen["uptime"]) == 2 and all(float(x) >= 0 for x in seen["uptime"]), f"uptime is {seen['uptime']}", run)
    check(seen["loadavg"] == [0.0, 0.0, 0.0] and seen["cpu_count"] == 1, "loadavg or cpu_count is the host's", run)
    release = seen["uname"][2]
    check(seen["version"].startswith(f"Linux version {release} "), f"/proc/version {seen['version']!r} is not uname's", run)


@case()
def proc_refusals(ctx):
    """/proc can't be written, created in or removed from; other pids don't exist; its files
    read like Linux's (size 0, any offset) and reopening a file through /proc/self/fd works."""
    code = r"""
import errno, json, os
out = {}
def attempt(name, fn):
    try:
        fn()
        out[name] = 'ok'
    except OSError as e:
        out[name] = errno.errorcode[e.errno]
attempt('write', lambda: open('/proc/meminfo', 'w'))
attempt('append', lambda: open('/proc/self/status', 'a'))
attempt('create', lambda: open('/proc/new', 'w'))
attempt('mkdir', lambda: os.mkdir('/proc/dir'))
attempt('unlink', lambda: os.unlink('/proc/meminfo'))
attempt('other_pid', lambda: os.stat('/proc/1'))
attempt('missing', lambda: os.stat('/proc/self/nothing'))
attempt('seek_end', lambda: os.lseek(os.open('/proc/meminfo', os.O_RDONLY), 0, os.SEEK_END))
fd = os.open('/proc/self/maps', os.O_RDONLY)
whole = b''.join(iter(lambda: os.read(fd, 100), b''))
out['pread_far'] = len(os.pread(fd, 100, 1 << 62))
out['pread_mid'] = os.pread(fd, 10, 5) == whole[5:15]
out['size'] = os.fstat(fd).st_size
for i in range(3000):
    with open('/proc/self/status') as f:
        f.read()
with open('/tmp/reopen.txt', 'w') as f:
    f.write('through fd')
    f.flush()
    out['link'] = os.readlink(f'/proc/self/fd/{f.fileno()}')
    with open(f'/proc/self/fd/{f.fileno()}') as g:
        out['reopened'] = g.read()
out['listing'] = sorted(os.listdir('/proc'))
out['islink'] = os.path.islink('/proc/self') and os.path.isdir('/proc/self')
print(json.dumps(out))
"""
    run = run_vm(ctx.vm, code)
    seen = last_json_line(run)
    expected = {"write": "EACCES", "append": "EACCES", "create": "EACCES", "mkdir": "EACCES",
                "unlink": "EACCES", "other_pid": "ENOENT", "missing": "ENOENT", "seek_end": "EINVAL"}
    for key, value in expected.items():
        check(seen[key] == value, f"{key}: {seen[key]}, expected {value}", run)
    check(seen["pread_far"] == 0 and seen["pread_mid"] is True and seen["size"] == 0,
          "reads of /proc/self/maps are wrong", run)
    check(seen["link"] == "/tmp/reopen.txt" and seen["reopened"] == "through fd",
          f"/proc/self/fd link {seen['link']!r} or its reopening is wrong", run)
    pid = seen["listing"][0]
    check(pid.isdigit() and seen["listing"][1:] == sorted(["self", "cpuinfo", "loadavg", "meminfo", "stat", "sys", "uptime", "version"]),
          f"/proc lists {seen['listing']}", run)
    check(seen["islink"] is True, "/proc/self is not a link to a directory", run)


@case(cold_only=True)
def proc_node(ctx):
    """What node reads of /proc: execPath, memoryUsage, cpus, totalmem, uptime. A JavaScript run
    (the --snapshot given to this file is Python's), so always cold."""
    code = (
        "const os = require('os'), fs = require('fs');\n"
        "console.log(JSON.stringify({execPath: process.execPath, argv0: process.argv[0],\n"
        "  rss: process.memoryUsage().rss, cpus: os.cpus().length, model: os.cpus()[0].model,\n"
        "  totalmem: os.totalmem(), freemem: os.freemem(), uptime: os.uptime(),\n"
        "  pid: process.pid, self: fs.readlinkSync('/proc/self'), loadavg: os.loadavg()}));\n"
    )
    run = run_vm(ctx.vm, code, language="javascript", snapshot=False, memory_mb=256)
    seen = last_json_line(run)
    check(seen["execPath"] == "/usr/bin/node" and seen["argv0"] == "/usr/bin/node",
          f"execPath {seen['execPath']!r}, argv[0] {seen['argv0']!r}", run)
    check(seen["rss"] > 0, "process.memoryUsage().rss is not positive", run)
    check(seen["cpus"] >= 1 and seen["model"], "os.cpus() is empty", run)
    check(seen["totalmem"] == 256 * 1024 * 1024, f"os.totalmem() is {seen['totalmem']}, not the limit", run)
    check(0 < seen["freemem"] <= seen["totalmem"], f"os.freemem() is {seen['freemem']}", run)
    check(seen["uptime"] > 0, f"os.uptime() is {seen['uptime']}", run)
    check(seen["self"] == str(seen["pid"]), "/proc/self is not process.pid", run)
    check(seen["loadavg"] == [0, 0, 0], f"os.loadavg() is {seen['loadavg']}", run)


@case()
def subprocess_refused_plainly(ctx):
    """Until a sandbox runs processes, fork/spawn fails with ENOSYS (not EAGAIN, which invites a
    retry) and stderr says why, once, whatever the program does with its fd 2."""
    code = (
        "import errno, os, subprocess, sys\n"
        "print(os.system('ls'))\n"
        "try:\n"
        "    subprocess.run(['true'])\n"
        "except OSError as e:\n"
        "    print(errno.errorcode[e.errno])\n"
        "try:\n"
        "    os.fork()\n"
        "except OSError as e:\n"
        "    print(errno.errorcode[e.errno])\n"
    )
    run = run_vm(ctx.vm, code)
    check(run.exit_code == 0, "the program failed", run)
    check(run.stdout == "32512\nENOSYS\nENOSYS\n", "not ENOSYS from every spawn", run)
    check(run.stderr == "sandboxd: this sandbox runs a single process: fork, vfork, clone of a new "
          "process and execve are not available\n", "stderr does not say it once, plainly", run)


def main():
    return CASES.main(
        __doc__,
        add_options=lambda parser: parser.add_argument("--guest-dir", default=os.environ.get("SANDBOXD_GUEST_DIR")),
        snapshot_help="restore every Python run from this snapshot",
        cold_only_error="runs static guest programs, which --snapshot excludes",
        context=lambda opts, vm, snapshot: Context(vm, opts.guest_dir, snapshot),
    )


if __name__ == "__main__":
    sys.exit(main())

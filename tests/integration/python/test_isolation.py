#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Isolation of a Python sandbox from the host: no host file, secret or identity is visible, and
there is no network.

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_isolation.py --list
    python/test_isolation.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --guest-dir is where the static
guest programs (tests/guest-programs/*.c, built as guest-NAME) are. --snapshot DIR runs every
Python program of the case restored from that snapshot instead of booting cold; static guest
programs can't be (--snapshot excludes --exec-host-file), so their cases are "cold".
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm, or a guest program could not be built).
"""

import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
from sandbox import check, run_vm, last_json_line  # noqa: E402

CASES = cases.Cases()
case = CASES.case


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


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

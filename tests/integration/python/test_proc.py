#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""/proc as a Python (and a node) program sees it: itself only, like Linux, never the host; its
files can't be written.

One case per invocation, each its own meson test (tests/meson.build registers every case as NAME,
and again restored as snap-NAME unless it is cold_only):

    python/test_proc.py --list
    python/test_proc.py [--vm PATH] [--guest-dir DIR] [--snapshot DIR] CASE

--list prints "NAME serial|parallel TIMEOUT_S cold|both|restored" per case. --guest-dir is where the static
guest programs (tests/guest-programs/*.c, built as guest-NAME) are. --snapshot DIR runs every
Python program of the case restored from that snapshot instead of booting cold; static guest
programs can't be (--snapshot excludes --exec-host-file), so their cases are "cold".
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm, or a guest program could not be built).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, run_vm, last_json_line  # noqa: E402

CASES = cases.Cases()
case = CASES.case


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


if __name__ == "__main__":
    sys.exit(cases.behaviour_main(CASES, __doc__, "python"))

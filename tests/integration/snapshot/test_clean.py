#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Restored sandboxes are clean: nothing of an earlier, dirty request (files, memory, mappings,
globals, fds, threads, handlers, environment) survives in the worker that served it, whose VM is
reset to its snapshot in place (daemon/vmm/reset.h) between requests.

One case per invocation, each its own meson test (tests/meson.build registers every case by its
name, in the suite 'snapshot'):

    snapshot/test_clean.py --list
    snapshot/test_clean.py [--vm PATH] --snapshot DIR CASE

--list prints "NAME serial|parallel TIMEOUT_S" per case. DIR is the python_snapshot target; cases
that damage or edit a snapshot work on copies in a temporary directory.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import hashlib
import os
import re
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, clean_exit, last_json_line  # noqa: E402

# The snapshot (--snapshot, required) is what the cases test: no twins, no default for run_vm.
CASES = cases.Cases(twins=False)
case = CASES.case


BUFFER_BYTES = 50 << 20

# Request "pollute": leaves every trace it can of TOKEN in the VM that ran it. Prints one JSON
# line (before it patches json.dumps and print) with the addresses of its filled buffers.
POLLUTE_CODE = r"""
import atexit, builtins, ctypes, json, os, random, signal, sys, types
T = __TOKEN__
N = __N__
pat = T.encode()
report = {'files': [], 'file_errors': {}, 'errors': {}}
for d in ['/tmp', '/home/sandbox', '/tmp/canary-dir-' + T + '/sub', '/var/tmp', '/dev/shm']:
    try:
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, 'canary-' + T), 'w') as f:
            f.write(T)
        with open(os.path.join(d, 'innocent-name.txt'), 'w') as f:
            f.write('content: ' + T)
        report['files'].append(d)
    except OSError as e:
        report['file_errors'][d] = type(e).__name__

# Memory: a kept buffer, a freed one (its pages go back to the allocator), an anonymous mapping.
fill = (pat * (N // len(pat) + 1))[:N]
kept = bytearray(N)
kept[:] = fill
report['kept_addr'] = ctypes.addressof((ctypes.c_char * N).from_buffer(kept))
report['kept_id'] = id(kept)
freed = bytearray(N)
freed[:] = fill
report['freed_addr'] = ctypes.addressof((ctypes.c_char * N).from_buffer(freed))
del freed
import mmap
mapped = mmap.mmap(-1, N)
mapped.write(fill)
report['mapped_addr'] = ctypes.addressof(ctypes.c_char.from_buffer(mapped))
del fill

# Interpreter and process state.
json.CANARY = T
random.CANARY = T
mod = types.ModuleType('canary_mod')
mod.value = T
sys.modules['canary_mod'] = mod
os.environ['CANARY'] = T
os.putenv('CANARY_PUTENV', T)
builtins.CANARY = T
sys.path.insert(0, '/tmp/canary-dir-' + T)
sys.setrecursionlimit(4321)
os.umask(0o077)
random.seed(T)
def hook(*args):
    sys.stderr.write('CANARY HOOK ' + T + '\n')
sys.excepthook = hook
sys.displayhook = hook
for name in ('SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGINT', 'SIGALRM'):
    try:
        signal.signal(getattr(signal, name), lambda *a: None)
    except (OSError, ValueError, RuntimeError) as e:
        report['errors']['signal ' + name] = type(e).__name__
for what, action in (('alarm', lambda: signal.alarm(1000)),
                     ('itimer', lambda: signal.setitimer(signal.ITIMER_REAL, 1000)),
                     ('sigmask', lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2}))):
    try:
        action()
    except (OSError, ValueError, AttributeError) as e:
        report['errors'][what] = type(e).__name__
os.chdir('/tmp/canary-dir-' + T)
keep = [open('/tmp/canary-' + T), open('/tmp/canary-' + T, 'a')]
r, w = os.pipe()
os.write(w, pat)
keep += [r, w, os.dup(1), os.dup2(r, 40)]
fds = []
for fd in range(3, 51):
    try:
        os.fstat(fd)
        fds.append(fd)
    except OSError:
        pass
report['open_fds'] = fds
atexit.register(lambda: None)
sys.stdout.write(json.dumps(report) + '\n')
sys.stdout.flush()
# Last: patch what the next request would use to print its findings.
json.dumps = lambda *a, **k: T
builtins.print = lambda *a, **k: sys.stdout.write(T + '\n')
"""

# Request "state": what a fresh sandbox looks like, compared between a baseline request (before
# any pollution) and one after: modules, globals of common modules, builtins, env, cwd, umask,
# limits, hooks, signal dispositions and mask, timers, open fds, and the files in the writable
# directories. Then it allocates fresh memory, which must read as zeros, and ends with an uncaught
# exception, which the default excepthook must print. TOKEN and N are only used for the searches.
STATE_CODE = r"""
import sys
modules = sorted(sys.modules)
import builtins, collections, ctypes, json, math, os, random, re, signal, mmap
T = __TOKEN__
N = __N__
state = {'modules': modules}
def attempt(name, fn):
    try:
        state[name] = fn()
    except Exception as e:
        state[name] = 'error: ' + type(e).__name__
for m in (builtins, collections, json, math, os, random, re, sys):
    state['names.' + m.__name__] = sorted(vars(m))
attempt('env', lambda: dict(os.environ))
def getenv_putenv():
    getenv = ctypes.CDLL(None).getenv
    getenv.restype = ctypes.c_char_p
    value = getenv(b'CANARY_PUTENV')
    return None if value is None else value.decode('utf-8', 'replace')
attempt('getenv_putenv', getenv_putenv)
attempt('cwd', os.getcwd)
attempt('umask', lambda: (lambda m: (os.umask(m), m)[1])(os.umask(0o022)))
attempt('recursionlimit', sys.getrecursionlimit)
attempt('path', lambda: list(sys.path))
attempt('excepthook_default', lambda: sys.excepthook is sys.__excepthook__)
attempt('displayhook_default', lambda: sys.displayhook is sys.__displayhook__)
for name in ('SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGINT', 'SIGALRM', 'SIGPIPE', 'SIGCHLD'):
    attempt('signal.' + name, lambda: repr(signal.getsignal(getattr(signal, name))))
attempt('sigmask', lambda: sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])))
attempt('itimer', lambda: signal.getitimer(signal.ITIMER_REAL))
attempt('alarm', lambda: signal.alarm(0))
fds = []
for fd in range(3, 51):
    try:
        os.fstat(fd)
        fds.append(fd)
    except OSError:
        pass
state['open_fds'] = fds
attempt('proc_self_fd', lambda: sorted(os.listdir('/proc/self/fd')))
listing = []
found = []
for top in ('/tmp', '/home/sandbox', '/var/tmp', '/dev/shm'):
    for root, dirs, files in os.walk(top):
        for name in sorted(dirs) + sorted(files):
            path = os.path.join(root, name)
            listing.append(path)
            if T in path:
                found.append(path)
            elif name in files:
                try:
                    with open(path, 'rb') as f:
                        if T.encode() in f.read(1 << 20):
                            found.append(path + ' (content)')
                except OSError:
                    pass
state['listing'] = sorted(listing)
state['files_with_token'] = found
state['token_in_globals'] = [k for k, v in (('json.CANARY', getattr(json, 'CANARY', None)),
                                            ('random.CANARY', getattr(random, 'CANARY', None)),
                                            ('builtins.CANARY', getattr(builtins, 'CANARY', None)),
                                            ('sys.modules canary_mod', sys.modules.get('canary_mod')),
                                            ('os.environ CANARY', os.environ.get('CANARY'))) if v is not None]
# Fresh memory reads as zeros: an anonymous mapping and a malloc too big for the heap (mmap'd).
m = mmap.mmap(-1, N)
data = m.read(N)
state['mmap_nonzero'] = len(data) - data.count(0)
m.close()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
p = libc.malloc(N)
data = ctypes.string_at(p, N) if p else b''
state['malloc_nonzero'] = len(data) - data.count(0) if p else 'malloc failed'
b = bytearray(N)
state['bytearray_nonzero'] = len(b) - b.count(0)
del data, b
sys.stdout.write(json.dumps(state) + '\n')
sys.stdout.flush()
raise RuntimeError('end of the state probe')
"""

# Request "probe": reads the memory at an address where an earlier request had a buffer filled
# with TOKEN, without ever holding TOKEN itself (only its SHA-256 and length), so that its own
# objects can't be mistaken for a leak. An unmapped address kills it with SIGSEGV: not found.
PROBE_CODE = r"""
import ctypes, hashlib, json, mmap, sys
H = __SHA__
L = __LEN__
addr = __ADDR__
N = __N__
REALLOCATE = __REALLOCATE__
mine = []
if REALLOCATE:
    # The same allocations as the polluting request, untouched: in a VM restored from the same
    # snapshot they land at the same addresses, so the old address is mapped again, and must
    # read as fresh memory.
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    maps = []
    for i in range(8):
        if i % 2 == 0:
            mine.append(libc.malloc(N))
        else:
            maps.append(mmap.mmap(-1, N))
            mine.append(ctypes.addressof(ctypes.c_char.from_buffer(maps[-1])))
        if any(a and max(addr, a) + N // 2 <= min(addr + N, a + N) for a in mine):
            break
sys.stdout.write('probing %#x\n' % addr)
sys.stdout.flush()
data = ctypes.string_at(addr, N)
hits = sum(1 for off in range(0, N - L, L * 4099) if hashlib.sha256(data[off:off + L]).hexdigest() == H)
# Of the bytes read, those inside this request's own untouched allocations must be zeros (the
# rest may be allocator headers or other memory of this request).
overlap = fresh_nonzero = 0
for a in mine:
    lo, hi = max(addr, a), min(addr + N, a + N)
    if a and lo < hi:
        overlap += hi - lo
        fresh_nonzero += (hi - lo) - data[lo - addr:hi - addr].count(0)
sys.stdout.write(json.dumps({'readable': True, 'hits': hits, 'nonzero': len(data) - data.count(0),
                             'first_bytes_sha_match': hashlib.sha256(data[:L]).hexdigest() == H,
                             'reallocated_at': [hex(a) for a in mine if a], 'overlap': overlap,
                             'fresh_nonzero': fresh_nonzero}) + '\n')
"""


def _code(template, **values):
    code = template
    for key, value in values.items():
        code = code.replace(f"__{key}__", repr(value))
    leftover = re.findall(r"__(TOKEN|N|SHA|LEN|ADDR|REALLOCATE|SIZE|STRIDE)__", code)
    check(not leftover, f"unsubstituted template fields {leftover}")
    return code


def _no_token(run, token, what):
    for field in ("stdout", "stderr"):
        text = getattr(run, field)
        check(token not in text, f"{what}: the earlier request's token appears in {field}", run)


def _state(worker, token, what):
    run = worker.request({"code": _code(STATE_CODE, TOKEN=token, N=BUFFER_BYTES), "timeout_ms": 30000,
                          "memory_mb": 512})
    _no_token(run, token, what)
    check(run.exit_code == 1 and run.signal is None, f"{what}: expected exit 1 from the final uncaught exception", run)
    check(run.stderr.startswith("Traceback (most recent call last):\n")
          and run.stderr.endswith("RuntimeError: end of the state probe\n"),
          f"{what}: the uncaught exception was not printed by the default excepthook", run)
    return last_json_line(run, what), run


def _probe(worker, token, addr, what, reallocate=False):
    code = _code(PROBE_CODE, SHA=hashlib.sha256(token.encode()).hexdigest(), LEN=len(token), ADDR=addr,
                 N=BUFFER_BYTES, REALLOCATE=reallocate)
    check(token not in code, "the probe's code contains the token itself")
    run = worker.request({"code": code, "timeout_ms": 30000, "memory_mb": 512})
    _no_token(run, token, what)
    check(run.stdout.startswith(f"probing {addr:#x}\n"), f"{what}: the probe did not start", run)
    if run.signal == "SIGSEGV":
        print(f"{what}: {addr:#x} is not mapped (SIGSEGV): nothing to find")
        return
    check(run.exit_code == 0 and run.signal is None, f"{what}: the probe neither read the memory nor got SIGSEGV", run)
    seen = last_json_line(run, what)
    check(seen["hits"] == 0 and not seen["first_bytes_sha_match"],
          f"{what}: the earlier request's buffer is readable at {addr:#x} with its token ({seen})", run)
    if reallocate:
        check(seen["fresh_nonzero"] == 0, f"{what}: around {addr:#x}, this request's untouched "
              f"allocations are not zero ({seen})", run)
    print(f"{what}: {addr:#x} is mapped and holds no token ({seen['nonzero']} non-zero bytes; this "
          f"request's allocations at {seen['reallocated_at']} cover {seen['overlap']} bytes of the old "
          f"buffer, all zero)")
    return seen


def _pollute(worker, token, what):
    run = worker.request({"code": _code(POLLUTE_CODE, TOKEN=token, N=BUFFER_BYTES), "timeout_ms": 30000,
                          "memory_mb": 512})
    clean_exit(run, what)
    report = last_json_line(run, what)
    check("/tmp" in report["files"] and "/home/sandbox" in report["files"],
          f"{what}: could not write its canary files", run)
    check(len(report["open_fds"]) >= 5, f"{what}: could not leave fds open: {report['open_fds']}", run)
    for key in ("kept_addr", "freed_addr", "mapped_addr"):
        check(isinstance(report[key], int) and report[key] > 0, f"{what}: no {key}", run)
    print(f"{what}: canary files in {report['files']} (not writable: {report['file_errors']}), open fds "
          f"{report['open_fds']}, buffers at {report['kept_addr']:#x} (kept), {report['freed_addr']:#x} (freed), "
          f"{report['mapped_addr']:#x} (mmap); could not set: {report['errors']}")
    return report


def _compare_state(baseline, after, what, run):
    problems = []
    for key in sorted(set(baseline) | set(after)):
        if baseline.get(key) != after.get(key):
            a, b = baseline.get(key), after.get(key)
            if isinstance(a, list) and isinstance(b, list):
                detail = f"added {sorted(set(map(str, b)) - set(map(str, a)))[:20]}, " \
                         f"removed {sorted(set(map(str, a)) - set(map(str, b)))[:20]}"
                if detail == "added [], removed []":
                    detail = f"{a!r:.300} -> {b!r:.300}"
            else:
                detail = f"{a!r:.300} -> {b!r:.300}"
            problems.append(f"  {key}: {detail}")
    check(not problems, f"{what}: the sandbox differs from a fresh one (baseline -> now):\n" + "\n".join(problems), run)


@case(timeout=120)
def clean_after_dirty_request(ctx):
    """Adversarial, through ONE `serve` process (the pool's way: same worker, a fresh VM per
    request): a request leaves canaries everywhere (files in /tmp, home, /var/tmp, /dev/shm;
    50 MB buffers, kept, freed and mmap'd; module globals, sys.modules, os.environ, putenv,
    builtins, sys.path, recursion limit, umask, PRNG seed, excepthook, displayhook, signal
    handlers, mask and timers; cwd; open fds and a pipe with data in it; json.dumps and print
    monkeypatched). The following requests find none of it: their whole observable state equals
    a baseline request's, fresh allocations read as zeros, and the old buffers' addresses are
    either unmapped (SIGSEGV) or hold no token."""
    tokens = [f"canary-{uuid.uuid4().hex}", f"canary-{uuid.uuid4().hex}"]
    with sandbox.ServeWorker(ctx.vm, ctx.snapshot, deadline_s=60) as worker:
        baseline, _ = _state(worker, tokens[0], "baseline request")
        check(baseline["files_with_token"] == [] and baseline["token_in_globals"] == [],
              f"the baseline request already finds the token: {baseline['files_with_token']} "
              f"{baseline['token_in_globals']}")
        for key in ("mmap_nonzero", "malloc_nonzero", "bytearray_nonzero"):
            check(baseline[key] == 0, f"baseline request: fresh memory is not zero: {key} = {baseline[key]}")

        # Round 1: pollute, then look at everything, then at the old addresses.
        report = _pollute(worker, tokens[0], "request 2 (pollute)")
        after, run = _state(worker, tokens[0], "request 3 (state after pollution)")
        check(after["files_with_token"] == [], f"files of the earlier request survive: {after['files_with_token']}", run)
        check(after["token_in_globals"] == [], f"globals of the earlier request survive: {after['token_in_globals']}", run)
        for key in ("mmap_nonzero", "malloc_nonzero", "bytearray_nonzero"):
            check(after[key] == 0, f"fresh memory after a dirty request is not zero: {key} = {after[key]}", run)
        _compare_state(baseline, after, "request 3", run)
        n = 4
        for key in ("kept_addr", "freed_addr", "mapped_addr"):
            _probe(worker, tokens[0], report[key], f"request {n} (probe {key})")
            _probe(worker, tokens[0], report[key], f"request {n + 1} (probe {key} after allocating)", True)
            n += 2

        # Round 2: the probes directly after the pollution, then the state.
        mapped_again = 0
        for key in ("kept_addr", "freed_addr", "mapped_addr"):
            report = _pollute(worker, tokens[1], f"request {n} (pollute again)")
            seen = _probe(worker, tokens[1], report[key], f"request {n + 1} (probe {key} right after, "
                          f"after allocating)", True)
            mapped_again += seen is not None and seen["overlap"] > 0
            n += 2
        after, run = _state(worker, tokens[1], f"request {n} (state)")
        check(after["files_with_token"] == [] and after["token_in_globals"] == [],
              f"request 7's traces survive: {after['files_with_token']} {after['token_in_globals']}", run)
        _compare_state(baseline, after, f"request {n}", run)
    # The re-allocating probes are the sharp ones: they only prove something if the old
    # addresses were mapped again (else every probe was a SIGSEGV and the test saw nothing).
    check(mapped_again == 3, f"only {mapped_again} of the 3 re-allocating probes right after a pollution found "
          "the old buffer's address mapped again: the others checked nothing (did the allocator's layout "
          "change? see the addresses above)")
    print(f"ok: {worker.requests} requests through one worker, nothing of a dirty request found "
          f"({mapped_again} of 3 old addresses mapped again and read as zeros)")


# ctypes' mmap, to put memory where the snapshot has no page tables at all (a new top-level
# entry: the reset must cut the request's tables loose) and to read it back.
MAP_CODE = r"""
import ctypes, json, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
ADDR, SIZE, STRIDE, TOKEN = __ADDR__, __SIZE__, __STRIDE__, __TOKEN__
PROT = 3 if TOKEN else 1
p = libc.mmap(ADDR, SIZE, PROT, 0x32, -1, 0)  # MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED
if p != ADDR:
    sys.exit(f"mmap at {ADDR:#x}: {p} errno {ctypes.get_errno()}")
nonzero = 0
for off in range(0, SIZE, STRIDE):
    nonzero += ctypes.string_at(ADDR + off, 64).count(0) != 64
    if TOKEN:
        ctypes.memmove(ADDR + off, TOKEN.encode(), len(TOKEN))
print(json.dumps({'touched': SIZE // STRIDE, 'nonzero_before': nonzero}))
"""

TMPFS_FILL_CODE = r"""
import errno
written = 0
try:
    with open('/tmp/fill', 'wb') as f:
        while written < 96 << 20:
            f.write(b'x' * (1 << 20))
            written += 1 << 20
            f.flush()
    print('wrote', written >> 20)
except OSError as e:
    print('refused after', written >> 20, errno.errorcode.get(e.errno))
"""

PEEK_CODE = r"""
import ctypes
print('peeking', flush=True)
print(ctypes.string_at(__ADDR__, 64))
"""


def _map(worker, addr, size, stride, token, what):
    run = worker.request({"code": _code(MAP_CODE, ADDR=addr, SIZE=size, STRIDE=stride, TOKEN=token),
                          "timeout_ms": 30000})
    clean_exit(run, what)
    return last_json_line(run, what)


def _expect_reset(worker, expected, what):
    check(worker.last_ready.get("reset") is expected,
          f"after {what}: the next VM was {'reset' if worker.last_ready.get('reset') else 'restored'}, "
          f"expected it {'reset in place' if expected else 'restored anew'} ({worker.last_ready})")


@case(timeout=120)
def serve_resets_in_place(ctx):
    """`serve` resets its VM in place after each request (vmm/reset.h) and still gives every
    request a clean one: memory mapped where the snapshot had no page table at all (new tables
    at every level) holds a token, then the address is unmapped for the next request (SIGSEGV)
    and reads as zeros once mapped again; after a timeout, a signal, the memory limit and an
    exit code, and a read of the trap page (an access KVM would complete with that program's
    registers) the VM is reset and serves on; a request that leaves more page tables behind than a
    reset retires gets a freshly restored VM instead, and the one after it is reset again."""
    token = f"canary-{uuid.uuid4().hex}"
    far = 0x200000000000  # its own top-level entry, far from anything the snapshot maps
    with sandbox.ServeWorker(ctx.vm, ctx.snapshot, deadline_s=60) as worker:
        check(worker.last_ready.get("reset") is False, f"the first VM was not restored: {worker.last_ready}")
        run = worker.request({"code": "print(1)"})
        clean_exit(run, "request 1")
        _expect_reset(worker, True, "print(1)")

        seen = _map(worker, far, 1 << 20, 4096, token, "request 2 (map far away, write a token)")
        check(seen["nonzero_before"] == 0, f"request 2: fresh memory at {far:#x} is not zero: {seen}")
        _expect_reset(worker, True, "a request with new page tables")

        run = worker.request({"code": _code(PEEK_CODE, ADDR=far), "timeout_ms": 30000})
        _no_token(run, token, "request 3 (peek)")
        check(run.stdout == "peeking\n" and run.signal == "SIGSEGV",
              f"request 3: the earlier request's mapping at {far:#x} is still there", run)
        _expect_reset(worker, True, "a SIGSEGV")
        # The reset that followed request 2 mapped the page tables it rewrote, and its list,
        # for its routine: none of that may stay reachable (layout.h: VA_RESET_LIST, the
        # window, whose last page maps a page table itself).
        for addr, name in ((0x7FFFFF140000, "the reset's list"), (0x7FFFFF180000, "the window's first page"),
                           (0x7FFFFF180000 + 127 * 4096, "the window onto its own table")):
            seen = _map(worker, far, 1 << 20, 4096, token, f"a request with new page tables (before {name})")
            run = worker.request({"code": _code(PEEK_CODE, ADDR=addr), "timeout_ms": 30000})
            check(run.stdout == "peeking\n" and run.signal == "SIGSEGV",
                  f"{name} at {addr:#x} is readable by the next request", run)

        seen = _map(worker, far, 1 << 20, 4096, "", "request 4 (map the same range again, read it)")
        check(seen["nonzero_before"] == 0, f"request 4: the range mapped again at {far:#x} is not all "
              f"zeros: the earlier request's pages came back ({seen})")

        run = worker.request({"code": "while True: pass", "timeout_ms": 300})
        check(run.timed_out, "request 5 did not time out", run)
        _expect_reset(worker, True, "a timeout")
        run = worker.request({"code": "x = bytearray(200 << 20)", "memory_mb": 64})
        check(run.memory_limit_hit, "request 6 did not hit the memory limit", run)
        _expect_reset(worker, True, "the memory limit")
        run = worker.request({"code": "import sys; print(2); sys.exit(3)"})
        check(run.exit_code == 3 and run.stdout == "2\n", "request 7", run)
        _expect_reset(worker, True, "exit code 3")
        # A read of the trap page is an access KVM completes on the next run of the vCPU, with
        # this program's registers: the reset must finish it off before anything else runs.
        run = worker.request({"code": _code(PEEK_CODE, ADDR=0x7FFFFF001000), "timeout_ms": 30000})
        check(run.signal == "SIGSEGV", "a read of the trap page did not end with SIGSEGV", run)
        _expect_reset(worker, True, "a read of the trap page")
        run = worker.request({"code": "print(4)"})
        check(run.stdout == "4\n" and run.exit_code == 0, "the request after a read of the trap page", run)

        # A request's memory limit is its own, the tmpfs's included, also in a VM made bigger
        # for an earlier request.
        run = worker.request({"code": "print(5)", "memory_mb": 1024})
        check(run.stdout == "5\n", "a request with a large limit", run)
        _expect_reset(worker, True, "a request that needed a bigger VM")
        run = worker.request({"code": TMPFS_FILL_CODE, "memory_mb": 64, "timeout_ms": 30000})
        check(run.stdout.startswith("refused after ") or run.memory_limit_hit,
              "a 64 MiB request wrote 96 MiB into /tmp", run)
        _expect_reset(worker, True, "a request under a small limit")

        # One page in each of 300 2-MiB ranges: 300 new page tables, past what a VM retires.
        seen = _map(worker, far, 300 << 21, 1 << 21, "", "request 8 (300 page tables)")
        check(seen["touched"] == 300 and seen["nonzero_before"] == 0, f"request 8: {seen}")
        _expect_reset(worker, False, "a request with 300 page tables")
        run = worker.request({"code": "print(3)"})
        check(run.stdout == "3\n" and run.exit_code == 0, "request 9", run)
        _expect_reset(worker, True, "print(3) in a restored VM")
    print(f"ok: {worker.requests} requests through one worker")


if __name__ == "__main__":
    sys.exit(cases.snapshot_main(CASES, __doc__))

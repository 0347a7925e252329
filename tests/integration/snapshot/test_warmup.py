#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The warm-up list beside a snapshot is only advice: present, missing or corrupt, every restored
run still runs correctly.

One case per invocation, each its own meson test (tests/meson.build registers every case by its
name, in the suite 'snapshot'):

    snapshot/test_warmup.py --list
    snapshot/test_warmup.py [--vm PATH] --snapshot DIR CASE

--list prints "NAME serial|parallel TIMEOUT_S" per case. DIR is the python_snapshot target; cases
that damage or edit a snapshot work on copies in a temporary directory.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import hashlib
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
import sandbox  # noqa: E402
from sandbox import check, clean_exit, flip_byte, run_vm, last_json_line  # noqa: E402

# The snapshot (--snapshot, required) is what the cases test: no twins, no default for run_vm.
CASES = cases.Cases(twins=False)
case = CASES.case


# daemon/kernel/warmup.h: WarmupHeader, then count u64 entries (page address | PREFAULT_WRITE).
WARMUP_HEADER = struct.Struct("<8sII32s")
PREFAULT_WRITE = 1
USER_MAX = 0x7FFFFE000000


# Exercises what the warm-up list prefaults (json, math, print) and a bit more.
WARMUP_CHECK_CODE = r"""
import json, math, hashlib, sys
values = [math.sqrt(i) for i in range(1000)]
print(json.dumps({'n': len(values), 'sum': round(sum(values), 3),
                  'sha': hashlib.sha256(b'abc').hexdigest()[:16], 'argv': sys.argv}))
"""
WARMUP_EXPECTED = {"n": 1000, "sum": 21065.833, "sha": "ba7816bf8f01cfea", "argv": ["-c", "x"]}


def _runs_correctly(ctx, snap, what, serve_requests=3):
    run = run_vm(ctx.vm, WARMUP_CHECK_CODE, args=["x"], snapshot=snap, timeout_ms=10000)
    clean_exit(run, what)
    check(last_json_line(run) == WARMUP_EXPECTED, f"{what}: wrong output, expected {WARMUP_EXPECTED}", run)
    check(run.stderr == "", f"{what}: unexpected stderr", run)
    with sandbox.ServeWorker(ctx.vm, snap) as worker:
        for i in range(serve_requests):
            run = worker.request({"code": WARMUP_CHECK_CODE, "args": ["x"]})
            clean_exit(run, f"{what}, serve request {i + 1}")
            check(last_json_line(run) == WARMUP_EXPECTED, f"{what}, serve request {i + 1}: wrong output", run)
    return run


@case()
def warmup_list_present(ctx):
    """The snapshot has a well-formed warm-up list: magic, version, a count within the maximum,
    the size that count implies, a matching SHA-256, and entries that are user page addresses."""
    path = os.path.join(ctx.snapshot, "warmup")
    check(os.path.isfile(path), f"{path} does not exist")
    with open(path, "rb") as f:
        data = f.read()
    check(len(data) >= WARMUP_HEADER.size, f"{path} is {len(data)} bytes, shorter than its header")
    magic, version, count, digest = WARMUP_HEADER.unpack_from(data)
    check(magic == b"SBXWARM\0", f"{path}: magic {magic!r}")
    check(version == 1, f"{path}: version {version}")
    check(0 < count <= 32768, f"{path}: {count} entries")
    check(len(data) == WARMUP_HEADER.size + 8 * count, f"{path}: {len(data)} bytes for {count} entries")
    entries = data[WARMUP_HEADER.size:]
    check(hashlib.sha256(entries).digest() == digest, f"{path}: the SHA-256 does not match the entries")
    pages = [e for (e,) in struct.iter_unpack("<Q", entries)]
    bad = [hex(e) for e in pages if not (0x10000 <= (e & ~4095) < USER_MAX) or (e & 4095) & ~PREFAULT_WRITE]
    check(not bad, f"{path}: entries that are not user pages: {bad[:10]}")
    writes = sum(e & PREFAULT_WRITE for e in pages)
    print(f"ok: {count} pages, {writes} of them written")
    _runs_correctly(ctx, ctx.snapshot, "with the warm-up list")


@case()
def warmup_list_missing(ctx):
    """Without DIR/warmup, restored runs are still correct (only slower)."""
    with tempfile.TemporaryDirectory(prefix="sandboxd-snap-") as tmp:
        snap = ctx.copy_snapshot(tmp)
        os.unlink(os.path.join(snap, "warmup"))
        _runs_correctly(ctx, snap, "without a warm-up list")


def _write_warmup(path, entries, *, magic=b"SBXWARM\0", version=1, count=None, digest=None):
    body = b"".join(struct.pack("<Q", e) for e in entries)
    header = WARMUP_HEADER.pack(magic, version, len(entries) if count is None else count,
                                hashlib.sha256(body).digest() if digest is None else digest)
    with open(path, "wb") as f:
        f.write(header + body)


@case(timeout=120)
def warmup_list_corrupt(ctx):
    """A bad warm-up list is ignored and runs stay correct: flipped entry (checksum mismatch),
    truncated, garbage, wrong magic, wrong version, a count above the maximum, and lists with a
    VALID checksum whose entries are hostile (kernel addresses, address 0, non-canonical and
    unmapped addresses, the write flag on every page including read-only ones, duplicates,
    32768 entries)."""
    with open(os.path.join(ctx.snapshot, "warmup"), "rb") as f:
        original = f.read()
    _, _, count, _ = WARMUP_HEADER.unpack_from(original)
    real = [e for (e,) in struct.iter_unpack("<Q", original[WARMUP_HEADER.size:])]
    hostile = ([0, 1, 4096 | 1, 0xFFFFFFFF80000000, 0xFFFFFFFFFFFFF000 | 1, 0x800000000000, USER_MAX, USER_MAX - 4096 | 1,
                0x7FFFFFFFF000 | 1, 0xDEADBEEF000 | 1]
               + [(e & ~4095) | PREFAULT_WRITE for e in real]
               + [e for e in real] * 2)
    hostile = (hostile * (32768 // len(hostile) + 1))[:32768]
    variants = {
        "flipped entry": lambda p: (open(p, "wb").write(original), flip_byte(p, WARMUP_HEADER.size + 8 * (count // 2))),
        "truncated": lambda p: open(p, "wb").write(original[: len(original) - 13]),
        "header only": lambda p: open(p, "wb").write(original[: WARMUP_HEADER.size]),
        "empty": lambda p: open(p, "wb").write(b""),
        "garbage": lambda p: open(p, "wb").write(os.urandom(len(original))),
        "wrong magic": lambda p: _write_warmup(p, real, magic=b"XXXXXXX\0"),
        "wrong version": lambda p: _write_warmup(p, real, version=2),
        "count above maximum": lambda p: _write_warmup(p, real, count=1 << 31),
        "valid checksum, hostile entries": lambda p: _write_warmup(p, hostile),
        "valid checksum, write flag everywhere": lambda p: _write_warmup(p, [(e & ~4095) | 1 for e in real]),
        "a directory": lambda p: os.mkdir(p),
    }
    with tempfile.TemporaryDirectory(prefix="sandboxd-snap-") as tmp:
        for i, (name, make) in enumerate(variants.items()):
            snap = ctx.copy_snapshot(tmp, f"snap{i}")
            path = os.path.join(snap, "warmup")
            os.unlink(path)
            make(path)
            run = _runs_correctly(ctx, snap, f"warm-up list: {name}", serve_requests=2)
            print(f"{name}: ok (restore {run.timing.get('restore_ms')} ms)")


if __name__ == "__main__":
    sys.exit(cases.snapshot_main(CASES, __doc__))

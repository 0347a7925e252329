#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Bad snapshots are refused with a message that says why (a flipped or truncated byte, a wrong
version, magic, image or language, missing or misplaced files), and the good one still works.

One case per invocation, each its own meson test (tests/meson.build registers every case by its
name, in the suite 'snapshot'):

    snapshot/test_refusal.py --list
    snapshot/test_refusal.py [--vm PATH] --snapshot DIR CASE

--list prints "NAME serial|parallel TIMEOUT_S" per case. DIR is the python_snapshot target; cases
that damage or edit a snapshot work on copies in a temporary directory.
Exit status: 0 pass, 1 fail, 77 skip (no /dev/kvm).
"""

import os
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cases  # noqa: E402
from sandbox import check, flip_byte, run_vm  # noqa: E402

# The snapshot (--snapshot, required) is what the cases test: no twins, no default for run_vm.
CASES = cases.Cases(twins=False)
case = CASES.case


# daemon/snapshot/snapshot-format.h: SnapshotHeader, little-endian, no padding.
HEADER = struct.Struct("<8sII32s32sQQQ16sII")
HEADER_VERSION_OFFSET = 8
HEADER_IMAGE_SHA_OFFSET = 16  # bytes 16..48
HEADER_LANGUAGE_OFFSET = 8 + 4 + 4 + 32 + 32 + 8 + 8 + 8


def _patch(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def _truncate(path, size):
    os.truncate(path, size)


def _state_header(path):
    with open(path, "rb") as f:
        return HEADER.unpack(f.read(HEADER.size))


def _refused(ctx, snap, pattern, what):
    """run --snapshot snap must fail cleanly with a message matching pattern; serve too; and
    the good snapshot must still work."""
    for verb_argv in (["run", "--language", "python", "--code", "print('must not run')", "--snapshot", snap],
                      ["serve", "--snapshot", snap]):
        proc = subprocess.run([ctx.vm] + verb_argv, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
        detail = (f"\n  command: {[ctx.vm] + verb_argv}\n  exit status {proc.returncode}\n"
                  f"  stdout {proc.stdout[:500]!r}\n  stderr {proc.stderr[:1000]!r}")
        check(proc.returncode > 0, f"{what}: `{verb_argv[0]}` exit status {proc.returncode}, expected a failure "
              f"(> 0; < 0 means it crashed)" + detail)
        check(b"must not run" not in proc.stdout and b'"ready"' not in proc.stdout,
              f"{what}: `{verb_argv[0]}` ran code or announced a VM from a bad snapshot" + detail)
        err = proc.stderr.decode("utf-8", "replace")
        check(re.search(pattern, err, re.IGNORECASE),
              f"{what}: `{verb_argv[0]}`'s message does not name the problem (expected /{pattern}/)" + detail)
        check("Sanitizer" not in err and "Assertion" not in err, f"{what}: a crash report on stderr" + detail)
        print(f"{what}: {verb_argv[0]}: {err.strip().splitlines()[-1]}")
    good = run_vm(ctx.vm, "print(6*7)", snapshot=ctx.snapshot, timeout_ms=10000)
    check(good.stdout == "42\n" and good.exit_code == 0, f"after {what}, the good snapshot no longer works", good)


def _refusal_case(name, pattern, damage, doc):
    def refuse(ctx):
        with tempfile.TemporaryDirectory(prefix="sandboxd-snap-") as tmp:
            snap = ctx.copy_snapshot(tmp)
            # The copy works before it is damaged, so the refusal is the damage's doing.
            ok = run_vm(ctx.vm, "print('copy ok')", snapshot=snap, timeout_ms=10000)
            check(ok.stdout == "copy ok\n", "the undamaged copy of the snapshot does not work", ok)
            damage(snap)
            _refused(ctx, snap, pattern, name)

    refuse.__name__ = name
    refuse.__doc__ = doc
    case()(refuse)


def _flip_payload(snap):
    path = os.path.join(snap, "state")
    size = os.path.getsize(path)
    check(size > HEADER.size + 64, f"{path} has no payload to damage ({size} bytes)")
    flip_byte(path, HEADER.size + (size - HEADER.size) // 2)


def _flip_payload_last(snap):
    path = os.path.join(snap, "state")
    flip_byte(path, os.path.getsize(path) - 1)


def _truncate_state(snap):
    path = os.path.join(snap, "state")
    _truncate(path, os.path.getsize(path) - 100)


def _truncate_state_header(snap):
    _truncate(os.path.join(snap, "state"), HEADER.size // 2)


def _empty_state(snap):
    _truncate(os.path.join(snap, "state"), 0)


def _truncate_memory(snap):
    path = os.path.join(snap, "memory")
    _truncate(path, (os.path.getsize(path) // 2) & ~4095)


def _extend_memory(snap):
    path = os.path.join(snap, "memory")
    _truncate(path, os.path.getsize(path) + (1 << 20))


def _bad_version(snap):
    path = os.path.join(snap, "state")
    version = _state_header(path)[1]
    _patch(path, HEADER_VERSION_OFFSET, struct.pack("<I", version + 1000))


def _bad_magic(snap):
    _patch(os.path.join(snap, "state"), 0, b"NOTSNAP\0")


def _other_image(snap):
    path = os.path.join(snap, "state")
    image_sha = _state_header(path)[3]
    _patch(path, HEADER_IMAGE_SHA_OFFSET, bytes(b ^ 0xFF for b in image_sha))


def _other_language(snap):
    _patch(os.path.join(snap, "state"), HEADER_LANGUAGE_OFFSET, b"ruby".ljust(16, b"\0"))


def _huge_payload_size(snap):
    _patch(os.path.join(snap, "state"), 8 + 4 + 4 + 32 + 32, struct.pack("<Q", 1 << 62))


def _flip_memory_byte(snap):
    # A byte in a page that holds data (a hole would be written by the flip, which is fine too:
    # any change must be caught).
    path = os.path.join(snap, "memory")
    flip_byte(path, os.path.getsize(path) // 2 + 123)


def _missing_memory(snap):
    os.unlink(os.path.join(snap, "memory"))


def _missing_state(snap):
    os.unlink(os.path.join(snap, "state"))


def _state_is_directory(snap):
    os.unlink(os.path.join(snap, "state"))
    os.mkdir(os.path.join(snap, "state"))


_refusal_case("refuse_flipped_payload_byte", r"checksum|corrupt", _flip_payload,
              "One byte flipped in the middle of state's payload: the checksum catches it.")
_refusal_case("refuse_flipped_last_byte", r"checksum|corrupt", _flip_payload_last,
              "The last byte of state flipped.")
_refusal_case("refuse_truncated_state", r"truncated", _truncate_state,
              "state cut short by 100 bytes.")
_refusal_case("refuse_truncated_header", r"truncated|not a snapshot", _truncate_state_header,
              "state cut in the middle of its header.")
_refusal_case("refuse_empty_state", r"truncated|not a snapshot", _empty_state, "state is empty.")
_refusal_case("refuse_truncated_memory", r"memory.*(truncated|bytes)", _truncate_memory,
              "memory cut to half its size.")
_refusal_case("refuse_extended_memory", r"memory.*(size|bytes)", _extend_memory,
              "memory 1 MiB longer than the state says.")
_refusal_case("refuse_flipped_memory_byte", r"memory.*(checksum|corrupt)", _flip_memory_byte,
              "One byte flipped in the memory file: its CRC-32C in the header catches it.")
_refusal_case("refuse_wrong_version", r"version", _bad_version, "The header's version field changed.")
_refusal_case("refuse_wrong_magic", r"magic|not a (sandboxd )?snapshot", _bad_magic, "The header's magic changed.")
_refusal_case("refuse_other_image", r"another image|image", _other_image,
              "The header's image hash (bytes 16..48) changed: a snapshot of another image.")
_refusal_case("refuse_other_language", r"ruby|language", _other_language,
              "The header's language field says ruby.")
_refusal_case("refuse_huge_payload_size", r"truncated|size", _huge_payload_size,
              "The header's payload_size is 2^62: the size limit catches it before any allocation.")
_refusal_case("refuse_missing_memory", r"memory.*(no such file|not found|missing)", _missing_memory,
              "No memory file.")
_refusal_case("refuse_missing_state", r"state.*(no such file|not found|missing)", _missing_state,
              "No state file.")
_refusal_case("refuse_state_is_directory", r"state|not a snapshot", _state_is_directory,
              "state is a directory.")


@case()
def refuse_missing_directory(ctx):
    """--snapshot names a directory that doesn't exist."""
    with tempfile.TemporaryDirectory(prefix="sandboxd-snap-") as tmp:
        _refused(ctx, os.path.join(tmp, "does-not-exist"), r"does-not-exist.*(no such file|not found|missing)",
                 "refuse_missing_directory")


if __name__ == "__main__":
    sys.exit(cases.snapshot_main(CASES, __doc__))

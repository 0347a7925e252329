# SPDX-License-Identifier: MIT
"""sandboxd's Python runner: the program every Python snapshot is taken inside.

It imports what users commonly need, then blocks reading its request from fd 3. That read is
the ready point: the worker snapshots the VM there, and every restored copy finishes the read
with a different request. The request is 8 bytes of little-endian length, then a JSON object (the
channel closes itself once read whole, sparing the program an fd and the runner a syscall; the
format is protocol/runner-protocol.h's):
{"code": str, "args": [str], "env": {str: str}, "cwd": str, "pid": int, "seed": hex str, and
optionally "stream": true and "script_name": str}. stdin, stdout and stderr are the worker's to set
up (fds 0-2) before the read returns; the cwd is the worker's to have made (it exists).

The code then runs with the semantics of `python3 -c CODE ARGS...`: a fresh __main__,
sys.argv == ['-c', *ARGS], an uncaught exception printed by sys.excepthook (without this
file's frame) and exit status 1, SystemExit codes as the interpreter maps them, atexit
handlers, flushed streams.
"""
import os
import sys

# What users commonly import, so the snapshot has it loaded and a request doesn't pay for it.
import atexit
import base64
import builtins
import bisect
import collections
import csv
import dataclasses
import datetime
import decimal
import enum
import fractions
import functools
import hashlib
import heapq
import importlib.machinery
import io
import itertools
import json
import linecache
import math
import pathlib
import random
import re
import signal
import statistics
import string
import struct
import tempfile
import textwrap
import time
import traceback
import types
import typing
import uuid

REQUEST_FD = 3  # RUNNER_CHANNEL_FD, protocol/runner-protocol.h
# Where the snapshot was taken: a request for the same directory costs no chdir, and one with the
# same environment no rebuilding of os.environ. (A plain dict: comparing with os.environ itself
# decodes every entry, ~0.1 ms.)
START_CWD = os.getcwd()
START_ENV = dict(os.environ)


def read_request():
    # One read serves a typical request whole: every syscall is a VM exit (~27 µs).
    # (64 KiB stays below malloc's mmap threshold: a bigger buffer costs mmap/mremap/munmap.)
    data = os.read(REQUEST_FD, 65536)  # the ready point
    if len(data) < 8:
        raise EOFError("request channel closed")
    size = int.from_bytes(data[:8], "little")
    chunks, have = [data[8:]], len(data) - 8
    while have < size:
        chunk = os.read(REQUEST_FD, size - have)
        if not chunk:
            raise EOFError("request channel closed")
        chunks.append(chunk)
        have += len(chunk)
    return json.loads(b"".join(chunks))


def reseed(seed):
    # Every restored VM starts from the same memory: fresh host entropy, brought by the
    # request, goes into every PRNG the standard library keeps, so no two sandboxes repeat a
    # value. (os.urandom, uuid4 and secrets ask the host each time anyway.)
    random.seed(int(seed, 16))
    tempfile._name_sequence = None


def apply_environment(request):
    env = request.get("env", {})
    if env != START_ENV:  # most requests keep the defaults the runner started with
        os.environ.clear()
        os.environ.update(env)
    cwd = request.get("cwd", START_CWD)
    if cwd != START_CWD:
        os.chdir(cwd)
    args = list(request.get("args", []))
    script = request.get("script_name")
    if script is None:
        sys.argv = ["-c"] + args
        sys.orig_argv = ["python3", "-c", request["code"]] + args
        # `python3 -c` puts the working directory first on the import path, not the script's.
        sys.path[0] = ""
    else:
        # `python3 NAME`: argv[0] as given, the script's directory (the cwd) first on the path.
        sys.argv = [script] + args
        sys.orig_argv = ["python3", script] + args
        sys.path[0] = os.getcwd()
    configure_streams(request)


# The interpreter's own streams, kept alive when replaced: a dropped TextIOWrapper would close
# nothing (closefd=False) but its finalizer still flushes at a time of its choosing.
START_STREAMS = (sys.stdout, sys.stderr)


def unbuffered_stream(fd, name, model):
    # What the interpreter builds for `-u` (create_stdio in pylifecycle.c): the raw FileIO as the
    # binary layer, a write_through text layer, no line buffering.
    raw = io.open(fd, "wb", 0, closefd=False)
    raw.name = name
    stream = io.TextIOWrapper(raw, model.encoding, model.errors, "\n", False, True)
    stream.mode = "w"
    return stream


def configure_streams(request):
    # PYTHONUNBUFFERED is read by the interpreter at start, which was when the snapshot was
    # made: honoured here, as `-u`. Without it, a streamed request gets what a terminal gives:
    # stdout flushed at each line (stderr always is).
    if os.environ.get("PYTHONUNBUFFERED"):
        sys.stdout = sys.__stdout__ = unbuffered_stream(1, "<stdout>", START_STREAMS[0])
        sys.stderr = sys.__stderr__ = unbuffered_stream(2, "<stderr>", START_STREAMS[1])
    elif request.get("stream"):
        sys.stdout.reconfigure(line_buffering=True)


def exit_code_of(exc):
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except Exception:
        pass
    return 1


def run(code, script_name=None):
    # A __main__ as `python3 -c` makes it, or `python3 NAME` for a named script.
    main = types.ModuleType("__main__")
    main.__dict__.update({
        "__annotations__": {},
        "__builtins__": builtins,
        "__loader__": importlib.machinery.BuiltinImporter,
        "__spec__": None,
        "__package__": None,
    })
    filename = "<string>"
    if script_name is not None:
        # The interpreter makes a script's path absolute (3.9+). The file isn't in the
        # sandbox: its text goes into linecache (no mtime: never checked against a file), so
        # tracebacks show the source lines as they would for the file.
        filename = os.path.join(os.getcwd(), script_name)
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        main.__dict__.update({
            "__file__": filename,
            "__cached__": None,
            "__loader__": importlib.machinery.SourceFileLoader("__main__", filename),
        })
    sys.modules["__main__"] = main
    try:
        compiled = compile(code, filename, "exec")
        exec(compiled, main.__dict__)
        return 0
    except SystemExit as exc:
        return exit_code_of(exc)
    except BaseException as exc:
        tb = exc.__traceback__
        # Drop this file's frame, as `python3 -c` shows only the program's.
        if tb is not None and tb.tb_frame.f_code is run.__code__:
            tb = tb.tb_next
        # The display uses the exception's own traceback when it has one.
        exc.__traceback__ = tb
        try:
            sys.excepthook(type(exc), exc, tb)
        except BaseException:
            pass
        return 1


def flush_failed(stream):
    try:
        if stream is not None and not stream.closed:
            stream.flush()
        return False
    except Exception:
        return True


def finish(status):
    # What the interpreter's finalization does, in its order: atexit handlers, then the
    # standard streams; a stream that can't be flushed makes the exit status 120, and for
    # stdout the error is reported as unraisable (no traceback: no Python frame was running).
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    try:
        if sys.stdout is not None and not sys.stdout.closed:
            sys.stdout.flush()
    except Exception as exc:
        status = 120
        try:
            # sys.__unraisablehook__'s format; its argument type can't be made from Python.
            sys.stderr.write("Exception ignored in: %r\n" % (sys.stdout,))
            sys.stderr.write("".join(traceback.format_exception_only(type(exc), exc)))
        except BaseException:
            pass
    if flush_failed(sys.stderr):
        status = 120
    os._exit(status)


def on_timeout(signum, frame):
    # The host's timeout: like RLIMIT_CPU's soft limit it sends SIGXCPU first and stops the VM a
    # moment later (daemon/kernel/scheduler.c). What the program printed is still in Python's
    # buffers: flush it so the result has it, and end. The result says timed out either way.
    flush_failed(sys.stdout)
    flush_failed(sys.stderr)
    os._exit(1)


def main():
    request = read_request()  # the VMM closes the channel once it is read whole
    reseed(request["seed"])
    apply_environment(request)
    finish(run(request["code"], request.get("script_name")))


# Before the ready point, so a request pays nothing for it.
signal.signal(signal.SIGXCPU, on_timeout)
main()

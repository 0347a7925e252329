# SPDX-License-Identifier: MIT
"""The case registry and command line of the drivers that run sandboxd-vm themselves, one case
per invocation (python/, javascript/ and snapshot/test_*.py, one file per feature):

    DRIVER --list
    DRIVER [--vm PATH] [DRIVER'S OPTIONS] [--snapshot DIR] CASE

A driver makes one Cases, registers its cases with its case() decorator and ends with
`sys.exit(CASES.main(__doc__, ...))`, giving only what is its own: its extra options, how it
builds the context its cases get, and what --snapshot means to it.

--list prints one line per case, in registration order, that tests/meson.build parses:
"NAME serial|parallel TIMEOUT_S cold|both|restored" when the driver's cases have snapshot twins (a
"both" case is registered again, restored from a snapshot; a "restored" one only restored),
"NAME serial|parallel TIMEOUT_S" otherwise.

Running a case: 0 and "ok" when it passes, 1 and "FAIL: ..." when a check fails (TestFailure),
77 when it skips (no /dev/kvm, see sandbox.require_kvm), 2 for a bad command line.
"""

import argparse
import dataclasses
import os
import subprocess

import sandbox


@dataclasses.dataclass
class Case:
    func: object
    timeout: int
    serial: bool
    cold_only: bool = False
    restored_only: bool = False


class Cases:
    """A driver's cases by name. twins: its cases are also run restored from a snapshot given with
    --snapshot, which becomes the default of every run_vm (sandbox.set_default_snapshot), unless
    they are cold_only; --list then says which. Without twins the driver's --snapshot is required
    and is only handed to its context (the snapshot is what its cases test)."""

    def __init__(self, twins=True):
        self.twins = twins
        self._cases = {}

    def case(self, timeout=60, serial=False, cold_only=False, restored_only=False):
        """Register a case. serial: it measures time or memory, or loads the machine, so meson
        must not run it beside other tests. cold_only: it has no snapshot twin. restored_only: it
        is only its snapshot twin (it tests what restored sandboxes do)."""
        if (cold_only or restored_only) and not self.twins:
            raise ValueError("cold_only and restored_only are for drivers whose cases have snapshot twins")
        if cold_only and restored_only:
            raise ValueError("a case can't be both cold_only and restored_only")

        def register(func):
            self._cases[func.__name__] = Case(func, timeout, serial, cold_only, restored_only)
            return func

        return register

    def like_native(self, program, subtests, timeout_ms):
        """Registers one cold-only case per subtest of the static guest program `program`
        (tests/guest-programs/PROGRAM.c, run with the subtest's name as its argument), named
        exec_PROGRAM_SUBTEST with the subtest's description as its docstring: the sandbox's
        stdout, stderr and exit status must be the native run's (sandbox.check_like_native)."""
        for subtest, doc in subtests.items():
            def like_native(ctx, subtest=subtest):
                sandbox.check_like_native(ctx.vm, ctx.guest_program(program), [subtest],
                                          timeout_ms=timeout_ms, deadline_s=60)

            like_native.__name__ = f"exec_{program}_{subtest}"
            like_native.__doc__ = doc
            self.case(cold_only=True)(like_native)

    def __contains__(self, name):
        return name in self._cases

    def __getitem__(self, name):
        return self._cases[name]

    def list_lines(self):
        for name, c in self._cases.items():
            fields = [name, "serial" if c.serial else "parallel", str(c.timeout)]
            if self.twins:
                fields.append("cold" if c.cold_only else "restored" if c.restored_only else "both")
            yield " ".join(fields)

    def main(self, doc, *, context, snapshot_help, add_options=None, cold_only_error=None):
        """The driver's main(); returns its exit status.

        doc: the driver's docstring (its first line is the --help description).
        context(opts, vm, snapshot): the object every case function is called with; vm is the
            sandboxd-vm path, snapshot the --snapshot directory checked (None if not given).
        snapshot_help: the help text of --snapshot.
        add_options(parser): adds the driver's own options (they come between --vm and --snapshot).
        cold_only_error: with twins, the end of the usage error for --snapshot with a cold_only
            case ("NAME <cold_only_error>")."""
        parser = argparse.ArgumentParser(description=doc.splitlines()[0])
        parser.add_argument("--list", action="store_true", help="list the cases for tests/meson.build")
        parser.add_argument("--vm", help="path of sandboxd-vm (default: $SANDBOXD_VM)")
        if add_options:
            add_options(parser)
        parser.add_argument("--snapshot", metavar="DIR", help=snapshot_help)
        parser.add_argument("case", nargs="?")
        opts = parser.parse_args()
        if opts.list:
            for line in self.list_lines():
                print(line)
            return 0
        if opts.case not in self:
            parser.error(f"unknown case {opts.case!r}; --list shows them")
        if not self.twins and not opts.snapshot:
            parser.error("--snapshot DIR is required")
        try:
            sandbox.require_kvm()
            if self.twins:
                snapshot = None
                if opts.snapshot and self[opts.case].cold_only:
                    parser.error(f"{opts.case} {cold_only_error}")
                if not opts.snapshot and self[opts.case].restored_only:
                    parser.error(f"{opts.case} tests restored sandboxes: it needs --snapshot DIR")
                if opts.snapshot:
                    snapshot = sandbox.find_snapshot(opts.snapshot)
                    sandbox.set_default_snapshot(snapshot)
                vm = sandbox.find_vm(opts.vm)
            else:
                vm = sandbox.find_vm(opts.vm)
                snapshot = sandbox.find_snapshot(opts.snapshot)
            self[opts.case].func(context(opts, vm, snapshot))
        except sandbox.TestFailure as e:
            print(f"FAIL: {e}", flush=True)
            return 1
        print("ok")
        return 0


# --- the behaviour drivers: python/test_*.py, javascript/test_*.py ----------------------------------

# A behaviour driver's --snapshot: what it restores, and why its cold_only cases refuse one.
_SNAPSHOT_HELP = {
    "python": "restore every Python run from this snapshot",
    "javascript": "restore every run from this JavaScript snapshot",
}
_COLD_ONLY_ERROR = {
    "python": "runs static guest programs (or node), which --snapshot excludes",
    "javascript": "runs cold only",
}


class Context:
    """What a behaviour case is called with: the worker, the language of its runs, the directory
    of the static guest programs (tests/guest-programs/*.c, built as guest-NAME) and the snapshot
    its runs are restored from (None: cold; it is also the default of every sandbox.run_vm)."""

    def __init__(self, vm, language, guest_dir=None, snapshot=None):
        self.vm = vm
        self.language = language
        self.guest_dir = guest_dir
        self.snapshot = snapshot

    def run(self, code=None, **kwargs):
        """One sandbox of the driver's language (sandbox.run_vm)."""
        return sandbox.run_vm(self.vm, code, language=self.language, **kwargs)

    def healthy(self):
        sandbox.healthy(self.vm, self.language)

    def guest_program(self, name):
        """The path of the static guest program NAME; skips the case when it was not built."""
        if not self.guest_dir:
            raise sandbox.TestFailure("no --guest-dir given for the static guest programs")
        path = os.path.abspath(os.path.join(self.guest_dir, f"guest-{name}"))
        if not os.path.exists(path):
            sandbox.skip(f"{path} was not built (no static libc? see tests/meson.build)")
        return path


def behaviour_main(cases, doc, language):
    """main() of a behaviour driver of `language`: Cases.main with --guest-dir (default
    $SANDBOXD_GUEST_DIR) and a Context."""
    return cases.main(
        doc,
        add_options=lambda parser: parser.add_argument("--guest-dir", default=os.environ.get("SANDBOXD_GUEST_DIR")),
        snapshot_help=_SNAPSHOT_HELP[language],
        cold_only_error=_COLD_ONLY_ERROR[language],
        context=lambda opts, vm, snapshot: Context(vm, language, opts.guest_dir, snapshot),
    )


# --- the snapshot drivers: snapshot/test_*.py --------------------------------------------------------


class SnapshotContext:
    """What a snapshot case is called with: the worker and the snapshot under test (--snapshot,
    required: it is what the cases test, so it is no default of run_vm)."""

    def __init__(self, vm, snapshot):
        self.vm = vm
        self.snapshot = snapshot

    def copy_snapshot(self, tmp, name="snap"):
        """A private copy of the snapshot (memory stays sparse) to damage or edit."""
        dest = os.path.join(tmp, name)
        os.mkdir(dest)
        for entry in os.listdir(self.snapshot):
            src = os.path.join(self.snapshot, entry)
            if os.path.isfile(src):
                subprocess.run(["cp", "--sparse=always", src, os.path.join(dest, entry)], check=True)
        return dest


def snapshot_main(cases, doc):
    """main() of a snapshot driver (its Cases without twins)."""
    return cases.main(
        doc,
        snapshot_help="the python snapshot (the python_snapshot target)",
        context=lambda opts, vm, snapshot: SnapshotContext(vm, snapshot),
    )

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build the guest filesystem image (format: daemon/kernel/image.h) from the Debian packages
installed on this machine: python3.11, its trimmed standard library, node (the nodejs package:
Debian's or NodeSource's, whichever is installed), the shared libraries they and Python's
extension modules need, the C.UTF-8 locale, time zone data, a few synthesized /etc files and
the language runners.

    mkimage.py --output OUT.img --runner-dir DIR [--list OUT.txt] [--depfile OUT.d]

The output is reproducible: entries sorted, one fixed mtime (SOURCE_DATE_EPOCH, else 0),
permissions normalized (0755 directories and executables, 0644 other files, 0777 symlinks), no
owners. Same inputs give a byte-identical image. Standard library only: the host's python3 runs
this at build time.
"""

import argparse
import hashlib
import os
import re
import stat
import struct
import sys
import tempfile

# --- the on-disk format; keep in sync with daemon/kernel/image.h -------------------------------

IMAGE_MAGIC = b"SBXIMG\0\0"
IMAGE_FORMAT_VERSION = 1
PAGE = 4096
NAME_MAX = 255
SYMLINK_MAX = 4095
# magic, version, entry_count, entries_offset, names_offset, names_size, data_offset,
# total_size, sha256
HEADER = struct.Struct("<8sIIQQQQQ32s")
SHA256_OFFSET = HEADER.size - 32
# name_offset, name_length, parent, mode, first_child, child_count, size, data_offset, mtime
ENTRY = struct.Struct("<IIIIIIQQQ")
assert HEADER.size == 88 and ENTRY.size == 48

# --- what goes in ------------------------------------------------------------------------------

PYTHON = "/usr/bin/python3.11"
NODE = "/usr/bin/node"
STDLIB = "/usr/lib/python3.11"
LIB_DIRS = ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu")
LOADER_DIR = "/lib/x86_64-linux-gnu"
LOADER = "ld-linux-x86-64.so.2"

# Standard-library entries left out, by name at the top of /usr/lib/python3.11:
STDLIB_DROP_TOP = {
    "test",  # the regression-test support package (libregrtest, test.support)
    "idlelib", "tkinter", "turtledemo", "turtle.py",  # GUI: no Tk in the guest
    "ensurepip",  # bundles pip wheels; nothing may be installed in the guest
    "lib2to3",  # Python 2 conversion, deprecated
    "pydoc_data",  # help() topics, 1.2 MiB
    # Debian points this at /etc/python3.11/sitecustomize.py, which only tries to import the
    # apport crash hook; without it site.py's `import sitecustomize` fails just as quietly.
    "sitecustomize.py",
}
# ... by name anywhere below it:
STDLIB_DROP_ANYWHERE = {"test", "tests", "idle_test", "__pycache__"}
# ... and config-3.11-<triplet>/ (libpython3.11.a, Makefile: for building C extensions, 25 MiB;
# sysconfig reads _sysconfigdata__*.py, which are kept).

# lib-dynload extension modules left out:
DYNLOAD_DROP_RE = re.compile(r"^(_test|_xxtestfuzz|xxlimited|_ctypes_test)")
DYNLOAD_DROP = {
    # Terminal UI: useless on the guest's pipes, and they would need the terminfo database too.
    # cmd, pdb, code and site import readline inside try/except ImportError.
    "_curses", "_curses_panel", "readline",
    # NIS pulls in the whole Kerberos/GSSAPI stack for an obsolete service (gone in 3.13).
    "nis",
    # Berkeley DB (libdb-5.3, 1.8 MiB) for dbm.ndbm only; dbm and shelve fall back to dbm.dumb.
    "_dbm",
}
# Loaded by glibc with dlopen, not DT_NEEDED: pthread_exit/pthread_cancel unwind through it.
DLOPENED_LIBS = ("libgcc_s.so.1",)

ZONEINFO = "/usr/share/zoneinfo"
# right/ and posix/ duplicate the zones (leap-second and plain variants); the rest is tables
# no Python code reads.
ZONEINFO_DROP_TOP = {"right", "posix", "tzdata.zi", "leapseconds", "leap-seconds.list"}

LOCALE = "/usr/lib/locale/C.utf8"  # PEP 538 locale coercion setlocale()s C.UTF-8

ETC_PASSWD = b"root:x:0:0:root:/root:/bin/sh\nsandbox:x:1000:1000:sandbox:/home/sandbox:/bin/sh\n"
ETC_GROUP = b"root:x:0:\nsandbox:x:1000:\n"
ETC_HOSTNAME = b"sandbox\n"
ETC_HOSTS = b"127.0.0.1\tlocalhost\n::1\tlocalhost\n"
ETC_NSSWITCH = b"passwd: files\ngroup: files\nhosts: files\n"

EMPTY_DIRS = ("/tmp", "/home", "/home/sandbox", "/dev", "/proc",
              "/usr/lib/python3.11/lib-dynload", "/usr/lib/sandboxd")
RUNNER_IMAGE_DIR = "/usr/lib/sandboxd"


class BuildError(Exception):
    pass


# --- the tree being built ----------------------------------------------------------------------

class Node:
    __slots__ = ("kind", "mode", "source", "content", "children", "index", "data_offset")

    def __init__(self, kind, mode, source=None, content=None):
        self.kind = kind  # stat.S_IFDIR, S_IFREG or S_IFLNK
        self.mode = mode
        self.source = source  # host file to copy (regular files)
        self.content = content  # bytes (synthesized files, symlink targets)
        self.children = {} if kind == stat.S_IFDIR else None  # bytes name -> Node
        self.index = None
        self.data_offset = 0

    def size(self):
        if self.kind == stat.S_IFDIR:
            return 0
        if self.content is not None:
            return len(self.content)
        return os.stat(self.source).st_size

    def read(self):
        if self.content is not None:
            return self.content
        with open(self.source, "rb") as f:
            return f.read()


class Tree:
    def __init__(self):
        self.root = Node(stat.S_IFDIR, 0o755)
        self.depends = set()  # host paths the image was made from, for the depfile

    @staticmethod
    def _split(path):
        if not path.startswith("/"):
            raise BuildError(f"image path {path!r} is not absolute")
        parts = [os.fsencode(p) for p in path.split("/") if p]
        for p in parts:
            if p in (b".", b"..") or len(p) > NAME_MAX or b"\0" in p:
                raise BuildError(f"image path {path!r} has a bad component {p!r}")
        return parts

    def mkdir(self, path):
        node = self.root
        for part in self._split(path):
            child = node.children.get(part)
            if child is None:
                child = node.children[part] = Node(stat.S_IFDIR, 0o755)
            elif child.kind != stat.S_IFDIR:
                raise BuildError(f"{path}: {part.decode()} is not a directory in the image")
            node = child
        return node

    def _add(self, path, node):
        parts = self._split(path)
        if not parts:
            raise BuildError("cannot replace the root directory")
        parent = self.mkdir("/" + "/".join(p.decode() for p in parts[:-1]))
        old = parent.children.get(parts[-1])
        if old is not None:
            same = (old.kind == node.kind and old.source == node.source
                    and old.content == node.content)
            if not same:
                raise BuildError(f"{path} added twice with different contents")
            return
        parent.children[parts[-1]] = node

    def add_file(self, path, source):
        st = os.stat(source)
        if not stat.S_ISREG(st.st_mode):
            raise BuildError(f"{source} is not a regular file")
        self.depends.add(source)
        self._add(path, Node(stat.S_IFREG, 0o755 if st.st_mode & 0o111 else 0o644, source=source))

    def add_bytes(self, path, content, mode=0o644):
        self._add(path, Node(stat.S_IFREG, mode, content=content))

    def add_symlink(self, path, target):
        t = os.fsencode(target)
        if not 1 <= len(t) <= SYMLINK_MAX or b"\0" in t:
            raise BuildError(f"{path}: bad symlink target {target!r}")
        self._add(path, Node(stat.S_IFLNK, 0o777, content=t))

    def add_tree(self, source, path, skip=lambda rel, name, is_dir: False):
        """Copy host directory `source` to `path`: files, directories and symlinks (verbatim);
        `skip(rel_dir, name, is_dir)` leaves entries out."""
        self.mkdir(path)
        self.depends.add(source)
        for dirpath, dirnames, filenames in os.walk(source):
            rel = os.path.relpath(dirpath, source)
            rel = "" if rel == "." else rel
            dest = path.rstrip("/") + ("/" + rel if rel else "")
            kept = []
            for name in sorted(dirnames):
                host = os.path.join(dirpath, name)
                if skip(rel, name, True):
                    continue
                if os.path.islink(host):  # os.walk lists symlinks to directories here
                    self.add_symlink(dest + "/" + name, os.readlink(host))
                    continue
                kept.append(name)
                self.mkdir(dest + "/" + name)
                self.depends.add(host)
            dirnames[:] = kept
            for name in sorted(filenames):
                if skip(rel, name, False):
                    continue
                host = os.path.join(dirpath, name)
                st = os.lstat(host)
                if stat.S_ISLNK(st.st_mode):
                    self.add_symlink(dest + "/" + name, os.readlink(host))
                elif stat.S_ISREG(st.st_mode):
                    self.add_file(dest + "/" + name, host)
                else:
                    print(f"mkimage: skipping {host}: not a file, directory or symlink",
                          file=sys.stderr)


# --- shared libraries --------------------------------------------------------------------------

def elf_needed(path):
    """DT_NEEDED sonames of an x86-64 ELF file, read from its dynamic section (we do not run
    ldd: that executes the host's loader and depends on its environment)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise BuildError(f"{path}: not a little-endian ELF64 file")
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    loads, dynamic = [], None
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == 1:  # PT_LOAD
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == 2:  # PT_DYNAMIC
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        return []
    needed, strtab = [], None
    for off in range(dynamic[0], dynamic[0] + dynamic[1], 16):
        tag, val = struct.unpack_from("<qQ", data, off)
        if tag == 0:  # DT_NULL
            break
        if tag == 1:  # DT_NEEDED
            needed.append(val)
        elif tag == 5:  # DT_STRTAB, a virtual address
            strtab = val
    if not needed:
        return []
    for vaddr, offset, filesz in loads:
        if strtab is not None and vaddr <= strtab < vaddr + filesz:
            strtab_off = strtab - vaddr + offset
            break
    else:
        raise BuildError(f"{path}: DT_STRTAB not in any PT_LOAD segment")
    names = []
    for v in needed:
        start = strtab_off + v
        names.append(data[start:data.index(b"\0", start)].decode())
    return names


def add_libraries(tree, roots):
    """Add every library `roots` (host ELF files) need, transitively, to the image directory
    the library was found in on the host, as soname symlink -> real file like the host has
    them; the loader finds them in its default search path (no ld.so.cache in the guest)."""
    seen = set()
    work = list(roots)
    while work:
        elf = work.pop()
        for soname in elf_needed(elf):
            if soname in seen:
                continue
            seen.add(soname)
            for d in LIB_DIRS:
                if os.path.exists(os.path.join(d, soname)):
                    break
            else:
                raise BuildError(f"{elf} needs {soname}, found in none of {', '.join(LIB_DIRS)}")
            work.append(add_library(tree, d, soname))


def add_library(tree, directory, name):
    """Adds directory/name, following same-directory symlink chains; returns the real file."""
    host = os.path.join(directory, name)
    for _ in range(16):
        if not os.path.islink(host):
            tree.add_file(os.path.join(directory, name), host)
            return host
        target = os.readlink(host)
        if "/" in target:  # leaves the directory: store the real file under this name
            real = os.path.realpath(host)
            tree.add_file(os.path.join(directory, name), real)
            return real
        tree.add_symlink(os.path.join(directory, name), target)
        tree.depends.add(host)
        name, host = target, os.path.join(directory, target)
    raise BuildError(f"{host}: too many levels of symbolic links")


# --- contents ----------------------------------------------------------------------------------

def stdlib_skip(rel, name, is_dir):
    if rel == "" and (name in STDLIB_DROP_TOP or name.startswith("config-")):
        return True
    if is_dir and name in STDLIB_DROP_ANYWHERE:
        return True
    if name.endswith((".pyc", ".pyo")):
        return True
    if rel == "lib-dynload" and not is_dir:
        module = name.split(".", 1)[0]
        return bool(DYNLOAD_DROP_RE.match(module)) or module in DYNLOAD_DROP
    return False


def build_tree(runner_dir):
    tree = Tree()

    tree.add_file(PYTHON, PYTHON)
    tree.add_symlink("/usr/bin/python3", "python3.11")

    # The ELF interpreter named in PT_INTERP, as Debian lays it out.
    tree.add_file(f"{LOADER_DIR}/{LOADER}", f"{LOADER_DIR}/{LOADER}")
    tree.add_symlink(f"/lib64/{LOADER}", f"{LOADER_DIR}/{LOADER}")

    tree.add_tree(STDLIB, STDLIB, stdlib_skip)
    for required in ("os.py", "encodings/__init__.py", "_sysconfigdata__x86_64-linux-gnu.py",
                     "lib-dynload/_hashlib.cpython-311-x86_64-linux-gnu.so",
                     "lib-dynload/_sqlite3.cpython-311-x86_64-linux-gnu.so"):
        if not os.path.exists(os.path.join(STDLIB, required)):
            raise BuildError(f"{STDLIB}/{required} is missing on the host")

    dynload = os.path.join(STDLIB, "lib-dynload")
    modules = [os.path.join(dynload, n) for n in sorted(os.listdir(dynload))
               if n.endswith(".so") and not stdlib_skip("lib-dynload", n, False)]
    # node carries its JavaScript standard library inside the binary; the image maps it lazily
    # like any other file, so its ~100 MB cost only the pages a program touches.
    if not os.path.exists(NODE):
        raise BuildError(f"{NODE} is missing (package nodejs)")
    tree.add_file(NODE, os.path.realpath(NODE))
    tree.add_symlink("/usr/bin/nodejs", "node")
    add_libraries(tree, [PYTHON, os.path.realpath(NODE)] + modules)
    for lib in DLOPENED_LIBS:
        d = next((d for d in LIB_DIRS if os.path.exists(os.path.join(d, lib))), None)
        if d is None:
            raise BuildError(f"{lib} not found in {', '.join(LIB_DIRS)}")
        add_libraries(tree, [add_library(tree, d, lib)])

    if not os.path.isdir(LOCALE):
        raise BuildError(f"{LOCALE} is missing (package libc-bin)")
    tree.add_tree(LOCALE, LOCALE)

    if os.path.isdir(ZONEINFO):
        tree.add_tree(ZONEINFO, ZONEINFO,
                      lambda rel, name, is_dir: rel == "" and name in ZONEINFO_DROP_TOP)

    tree.add_bytes("/etc/passwd", ETC_PASSWD)
    tree.add_bytes("/etc/group", ETC_GROUP)
    tree.add_bytes("/etc/hostname", ETC_HOSTNAME)
    tree.add_bytes("/etc/hosts", ETC_HOSTS)
    tree.add_bytes("/etc/nsswitch.conf", ETC_NSSWITCH)
    utc = os.path.join(ZONEINFO, "UTC")
    if os.path.exists(utc):
        tree.add_file("/etc/localtime", os.path.realpath(utc))
    for os_release in ("/etc/os-release", "/usr/lib/os-release"):
        if os.path.exists(os_release):
            tree.add_file("/etc/os-release", os.path.realpath(os_release))
            break

    for d in EMPTY_DIRS:
        tree.mkdir(d)

    if runner_dir and os.path.isdir(runner_dir):
        tree.add_tree(runner_dir, RUNNER_IMAGE_DIR,
                      lambda rel, name, is_dir: name == "__pycache__" or name.endswith(".pyc"))
    elif runner_dir:
        tree.depends.add(os.path.dirname(os.path.abspath(runner_dir)))

    return tree


# --- layout and output -------------------------------------------------------------------------

def align(n):
    return (n + PAGE - 1) // PAGE * PAGE


def layout(tree):
    """Numbers the entries breadth-first, so a directory's children are contiguous, sorted by
    name, and come after it. Returns [(name, node, parent_index)]."""
    entries = [(b"", tree.root, 0)]
    tree.root.index = 0
    i = 0
    while i < len(entries):
        _, node, _ = entries[i]
        if node.kind == stat.S_IFDIR:
            for name in sorted(node.children):
                child = node.children[name]
                child.index = len(entries)
                entries.append((name, child, i))
        i += 1
    return entries


def write_image(tree, output, mtime):
    entries = layout(tree)
    if len(entries) >= 2**32:
        raise BuildError("too many entries")

    names = bytearray()
    name_offsets = []
    for name, _, _ in entries:
        name_offsets.append(len(names))
        names += name
    entries_offset = PAGE
    names_offset = entries_offset + len(entries) * ENTRY.size
    data_offset = align(names_offset + len(names))

    # File data in entry order, identical contents stored once (zone aliases, duplicate
    # symlink targets). Two entries sharing bytes is fine: the image is read-only.
    blobs = []  # (offset, bytes)
    by_digest = {}
    pos = data_offset
    for _, node, _ in entries:
        if node.kind == stat.S_IFDIR:
            continue
        content = node.read()
        digest = hashlib.sha256(content).digest()
        if digest in by_digest:
            node.data_offset = by_digest[digest]
            continue
        node.data_offset = by_digest[digest] = pos
        blobs.append((pos, content))
        pos = align(pos + len(content))
    total_size = pos

    table = bytearray()
    for (name, node, parent), name_off in zip(entries, name_offsets):
        if node.kind == stat.S_IFDIR:
            kids = sorted(node.children)
            first = node.children[kids[0]].index if kids else 0
            table += ENTRY.pack(name_off, len(name), parent, stat.S_IFDIR | node.mode,
                                first, len(kids), 0, 0, mtime)
        else:
            size = node.size() if node.content is None else len(node.content)
            table += ENTRY.pack(name_off, len(name), parent, node.kind | node.mode,
                                0, 0, size, node.data_offset, mtime)

    def header(digest):
        return HEADER.pack(IMAGE_MAGIC, IMAGE_FORMAT_VERSION, len(entries), entries_offset,
                           names_offset, len(names), data_offset, total_size, digest)

    meta = bytearray(data_offset)
    meta[0:HEADER.size] = header(b"\0" * 32)
    meta[entries_offset:entries_offset + len(table)] = table
    meta[names_offset:names_offset + len(names)] = names

    h = hashlib.sha256(meta)
    directory = os.path.dirname(os.path.abspath(output))
    fd, tmp = tempfile.mkstemp(prefix=".mkimage-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(meta)
            for offset, content in blobs:
                assert f.tell() == offset
                pad = align(len(content)) - len(content)
                f.write(content)
                f.write(b"\0" * pad)
                h.update(content)
                h.update(b"\0" * pad)
            assert f.tell() == total_size
            digest = h.digest()
            f.seek(0)
            f.write(header(digest))
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the daemon's user must read it
        os.replace(tmp, output)
    except BaseException:
        os.unlink(tmp)
        raise
    return entries, total_size, digest


def write_atomically(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".mkimage-", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def listing(entries, digest):
    paths = {0: ""}
    lines = []
    for i, (name, node, parent) in enumerate(entries):
        if i:
            paths[i] = paths[parent] + "/" + os.fsdecode(name)
        path = paths[i] or "/"
        if node.kind == stat.S_IFDIR:
            lines.append((path, f"{'-':>10}  {path}{'/' if i else ''}"))
        elif node.kind == stat.S_IFLNK:
            lines.append((path, f"{'-':>10}  {path} -> {os.fsdecode(node.content)}"))
        else:
            lines.append((path, f"{node.size():>10}  {path}"))
    lines.sort()
    return f"# sha256 {digest.hex()}\n" + "".join(text + "\n" for _, text in lines)


def depfile_text(output, depends):
    def esc(p):
        return p.replace("\\", "\\\\").replace(" ", "\\ ").replace("#", "\\#").replace("$", "$$")
    deps = sorted({os.path.abspath(p) for p in depends})
    return esc(output) + ": " + " \\\n  ".join(esc(p) for p in deps) + "\n"


def main():
    parser = argparse.ArgumentParser(description="Build the sandboxd guest filesystem image.")
    parser.add_argument("--output", required=True, help="image file to write")
    parser.add_argument("--runner-dir", required=True,
                        help="directory copied to /usr/lib/sandboxd (may be missing)")
    parser.add_argument("--list", help="also write a sorted listing (size, path)")
    parser.add_argument("--depfile", help="also write a Makefile-style dependency file")
    args = parser.parse_args()

    try:
        mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
        if mtime < 0:
            raise ValueError
    except ValueError:
        print("mkimage: SOURCE_DATE_EPOCH must be a non-negative integer", file=sys.stderr)
        return 1

    try:
        tree = build_tree(args.runner_dir)
        entries, total_size, digest = write_image(tree, args.output, mtime)
        if args.list:
            write_atomically(args.list, listing(entries, digest))
        if args.depfile:
            tree.depends.add(os.path.abspath(__file__))
            write_atomically(args.depfile, depfile_text(args.output, tree.depends))
    except (BuildError, OSError) as e:
        print(f"mkimage: {e}", file=sys.stderr)
        return 1

    print(f"mkimage: {args.output}: {len(entries)} entries, {total_size / 2**20:.1f} MiB, "
          f"sha256 {digest.hex()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

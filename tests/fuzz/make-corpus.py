#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora under tests/fuzz/corpus/<target>/ (a few small files each).

    tests/fuzz/make-corpus.py [--real-state build/tests/python-snapshot/state]

Everything is synthesized from the formats' headers (image.h, snapshot.c's sections, elf.h,
PROTOCOL.md). --real-state adds two snapshot seeds from a snapshot the build made: the state
file as is, and its sections rewrapped for the tiny image (image-backed mappings made
anonymous, the vCPU section moved last). Rerun after a format change and commit the result.
"""
import argparse
import hashlib
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = 4096


def write(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def align(x, a):
    return (x + a - 1) // a * a


# ---- image (image.h; the same tree as fuzz.h's fuzz_image_spec) ----------------------------
S_IFDIR, S_IFREG, S_IFLNK = 0o040000, 0o100000, 0o120000
IMAGE_SPEC = [
    ('', 0, S_IFDIR | 0o755, None),
    ('bin', 0, S_IFLNK | 0o777, b'usr/bin'),
    ('dev', 0, S_IFDIR | 0o755, None),
    ('etc', 0, S_IFDIR | 0o755, None),
    ('home', 0, S_IFDIR | 0o755, None),
    ('proc', 0, S_IFDIR | 0o555, None),
    ('tmp', 0, S_IFDIR | 0o1777, None),
    ('usr', 0, S_IFDIR | 0o755, None),
    ('abs', 3, S_IFLNK | 0o777, b'/etc/passwd'),
    ('loop', 3, S_IFLNK | 0o777, b'loop'),
    ('passwd', 3, S_IFREG | 0o644, b'root:x:0:0:root:/root:/bin/sh\n'),
    ('rel', 3, S_IFLNK | 0o777, b'passwd'),
    ('up', 3, S_IFLNK | 0o777, b'../../..'),
    ('sandbox', 4, S_IFDIR | 0o755, None),
    ('bin', 7, S_IFDIR | 0o755, None),
    ('lib', 7, S_IFDIR | 0o755, None),
    ('python3', 14, S_IFREG | 0o755, b'\x7fELF not really'),
]


def build_image(spec):
    n = len(spec)
    entries_offset = align(88, 8)
    names_offset = entries_offset + 48 * n
    names = b''.join(s[0].encode() for s in spec)
    data_offset = align(names_offset + len(names), PAGE)
    total = data_offset + sum(align(len(s[3]) + 1, PAGE) for s in spec if s[3] is not None)
    buf = bytearray(total)
    struct.pack_into('<8sIIQQQQQ', buf, 0, b'SBXIMG\0\0', 1, n, entries_offset, names_offset,
                     len(names), data_offset, total)
    name_pos, data_pos = 0, data_offset
    for i, (name, parent, mode, data) in enumerate(spec):
        first = count = size = offset = 0
        if data is None:
            children = [c for c in range(i + 1, n) if spec[c][1] == i]
            if children:
                first, count = children[0], len(children)
        else:
            size, offset = len(data), data_pos
            buf[data_pos:data_pos + size] = data
            data_pos += align(size + 1, PAGE)
        struct.pack_into('<IIIIIIQQQ', buf, entries_offset + 48 * i, name_pos, len(name), parent,
                         mode, first, count, size, offset, 1700000000)
        buf[names_offset + name_pos:names_offset + name_pos + len(name)] = name.encode()
        name_pos += len(name)
    struct.pack_into('<32s', buf, 56, hashlib.sha256(bytes(buf)).digest())
    return bytes(buf)


def image_seeds():
    tiny = build_image(IMAGE_SPEC)
    write('image', 'tiny.img', tiny)
    write('image', 'root-only.img', build_image([IMAGE_SPEC[0]]))
    # Not page-sized: the target pads it, so only total_size has to be learnt.
    write('image', 'header-only', tiny[:200])
    return tiny


# ---- ELF (elf.h) ------------------------------------------------------------------------------
PT_LOAD, PT_INTERP, PT_PHDR, PT_GNU_STACK = 1, 3, 6, 0x6474e551


def elf(e_type, phdrs, tail=b'', entry=0x401000):
    ehdr = struct.pack('<16sHHIQQQIHHHHHH', b'\x7fELF\x02\x01\x01' + b'\0' * 9, e_type, 62, 1,
                       entry, 64, 0, 0, 64, 56, len(phdrs), 64, 0, 0)
    ph = b''.join(struct.pack('<IIQQQQQQ', *p) for p in phdrs)
    return ehdr + ph + tail


def elf_seeds():
    code = b'\x48\x31\xff\xb8\x3c\x00\x00\x00\x0f\x05'  # exit(0)
    # Static ET_EXEC: the headers and code in one R+X segment at 0x400000, a stack note.
    write('elf', 'static-exec', elf(2, [
        (PT_LOAD, 5, 0, 0x400000, 0x400000, 0x200, 0x200, PAGE),
        (PT_GNU_STACK, 6, 0, 0, 0, 0, 0, 16),
    ], b'\0' * (0x100 - 64 - 2 * 56) + code + b'\0' * (0x100 - len(code)), entry=0x400100))
    # ET_DYN with PT_PHDR, PT_INTERP and two PT_LOADs (text, data with bss).
    interp = b'/lib64/ld-linux-x86-64.so.2\0'
    phoff_end = 64 + 4 * 56
    write('elf', 'dyn-interp', elf(3, [
        (PT_PHDR, 4, 64, 64, 64, 4 * 56, 4 * 56, 8),
        (PT_INTERP, 4, phoff_end, phoff_end, phoff_end, len(interp), len(interp), 1),
        (PT_LOAD, 5, 0, 0, 0, 0x400, 0x400, PAGE),
        (PT_LOAD, 6, 0x400, 0x1400, 0x1400, 0x40, 0x3000, PAGE),
    ], interp + b'\0' * (0x440 - phoff_end - len(interp)), entry=0x300))
    write('elf', 'bad-phnum', elf(2, [(PT_LOAD, 5, 0, 0x400000, 0x400000, 0x78, 0x78, PAGE)] * 3))


# ---- execute params (PROTOCOL.md) -------------------------------------------------------------
def execute_seeds():
    write('execute-params', 'minimal.json', '{"language":"python","code":"print(6*7)"}')
    write('execute-params', 'full.json', json.dumps({
        'language': 'py', 'code': 'import sys\nprint(sys.argv)', 'stdin': 'a\u0000b\n\u00e9',
        'args': ['x', '--y=\u2603'], 'env': {'A': '1', 'LANG': 'C.UTF-8'}, 'cwd': '/home/sandbox',
        'timeout_ms': 5000, 'memory_mb': 128, 'max_output_bytes': 65536, 'stream': True},
        ensure_ascii=False))
    write('execute-params', 'env-array.json',
          '{"language":"Python3","code":"x","env":["K=V","EMPTY="],"timeout_ms":null,'
          '"args":[],"stdin":""}')
    write('execute-params', 'refused.json',
          '{"language":"cobol","code":"","parmas":1,"timeout_ms":1.5,"env":{"A=B":"x"}}')
    write('execute-params', 'nul-in-code.json', '{"language":"python","code":"a\\u0000b",'
          '"cwd":"relative/../x","args":["\\u0000"]}')


# ---- the result of a run (fuzz-exec-result.c's layout) ----------------------------------------
def result(max_output, exit_code, signal, flags, ms, version, chunks):
    out = struct.pack('<QiiB5dH', max_output, exit_code, signal, flags, *ms, len(version))
    out += version
    for fd, data in chunks:
        assert len(data) % 7 == 0 and len(data) // 7 < 64
        out += bytes([(0x80 if fd == 2 else 0) | len(data) // 7]) + data
    return out


def exec_result_seeds():
    write('exec-result', 'utf8', result(1 << 16, 0, 0, 1, [0, 1.5, 2.25, 3.125, 0.001], b'3.11.2',
                                        [(1, 'h\u00e9llo \u2603\n'.encode() + b'\0' * 3),
                                         (2, b'Traceback' + b'\n' * 5)]))
    write('exec-result', 'invalid-utf8', result(40, -1, 9, 7,
                                                [float('nan'), float('inf'), -1.0, 1e300, -0.0],
                                                b'\xff\xfe3.11',
                                                [(1, b'\xc0\xaf\xed\xa0\x80\xf4\x90'),
                                                 (2, b'\xe2\x82' + b'\xf0\x9f\x98' + b'ab'),
                                                 (1, b'x' * 63)]))
    write('exec-result', 'signal-rt', result(0, 255, 40, 2, [0] * 5, b'', [(1, b'lost...')]))


# ---- JSON-RPC lines (PROTOCOL.md examples) ----------------------------------------------------
def jsonrpc_seeds():
    lines = [
        '{"jsonrpc":"2.0","id":1,"method":"execute","params":{"language":"python","code":"print(6*7)"}}',
        '{"jsonrpc":"2.0","id":"s-1","method":"execute","params":{"language":"python",'
        '"code":"print(1)","stream":true}}',
        '{"jsonrpc":"2.0","id":2,"method":"languages"}',
        '{"jsonrpc":"2.0","id":5,"method":"health","parmas":{}}',
        '{"jsonrpc":"2.0","method":"stats"}',
        '[{"jsonrpc":"2.0","id":3,"method":"stats"},{"jsonrpc":"2.0","id":[1],"method":"x"},1,[]]',
        '[]',
        'not json',
        '{"jsonrpc":"2.0","id":1e400,"method":"execute","params":{"language":"python","code":"x","timeout_ms":"100"}}',
    ]
    write('jsonrpc', 'examples', b'\x05' + '\n'.join(lines).encode() + b'\n')
    write('jsonrpc', 'one-piece', b'\x80' + '\n'.join(lines[:3]).encode() + b'\n')
    write('jsonrpc', 'too-long', b'\x47' + lines[0].encode() + b'\n' + b'{"a":"' + b'x' * 300)
    write('jsonrpc', 'nul-and-utf8', b'\x13{"jsonrpc":"2.0","id":"\xc3\xa9","method":"exe\\u0000cute",'
          b'"params":{"language":"python","code":"x","stdin":"\\u0000\\ud83d\\ude00"}}\n\n'
          b'{"jsonrpc":"2.0","id":7,"method":"execute","params":{"language":"python","code":"\xff"}}\n')


# ---- snapshots (snapshot.h; sections as snapshot.c writes them) -------------------------------
SECTION_CPU, SECTION_VM, SECTION_MM, SECTION_PROCESS, SECTION_FDS, SECTION_VFS = range(1, 7)
CPU_STATE_SIZE = 4968      # sizeof(VmCpuState): kvm_regs, kvm_sregs, kvm_xsave, kvm_xcrs, 3 u64
PROCESS_SAVED_SIZE = 2144  # sizeof(ProcessSaved)
GPA_FIRST_FREE = 10 * PAGE


def section(tag, body):
    return struct.pack('<IIQ', tag, 0, len(body)) + body


def state_file(image_sha, payload, memory_size, checksum=True):
    digest = hashlib.sha256(payload).digest() if checksum else b'\0' * 32
    return struct.pack('<8sII32s32sQQQ16s', b'SBXSNAP\0', 1, 120, image_sha, digest, len(payload),
                       memory_size, 256 << 20, b'python') + payload


def synth_payload(tiny, memory_size):
    cpu = bytearray(CPU_STATE_SIZE)
    struct.pack_into('<Q', cpu, 128, 0x400100)   # regs.rip
    struct.pack_into('<H', cpu, 144 + 12, 0x33)  # sregs.cs.selector: CPL 3
    vm = struct.pack('<5Q', memory_size, 20, 20, 5, 2) + struct.pack('<2Q', GPA_FIRST_FREE,
                                                                        GPA_FIRST_FREE + PAGE)
    vmas = [
        (0x400000, 0x401000, 0, 0, 0, 5, 0x22, 0, 1),          # anonymous, r-x
        (0x600000, 0x602000, 0, 0, 0, 3, 0x22, 0, 1),          # anonymous, rw-
        (0x700000, 0x701000, 0, 30, PAGE * 2, 1, 0x02, 1, 0),  # image-backed, r--
    ]
    mm = struct.pack('<10Q', 0x7f0000000000, 0x10000, 0x600000, 0x602000, 0x10600000,
                     0x7ffffd000000, 0x7ffffc800000, 3 * PAGE, 7, len(vmas))
    mm += b''.join(struct.pack('<5QiiII', *v) for v in vmas)
    process = bytearray(PROCESS_SAVED_SIZE)
    struct.pack_into('<iI', process, PROCESS_SAVED_SIZE - 8, 3, 1)  # request_fd 3, awaiting
    fds = [(0, 3, 0, 0, 0, 0, 0), (1, 4, 0, 0, 0, 1, 0), (2, 4, 0, 0, 0, 1, 0),
           (3, 3, 0, 0, 0, 0, 0),
           (4, 0, 1, 0, 10, 0, 5),      # /etc/passwd, FILE_NODE on FS_IMAGE, at offset 5
           (5, 0, 0, 2, 1, 2, 0)]       # /dev/null, FS_DEV
    fd_section = struct.pack('<II', 1024, len(fds)) + b''.join(
        struct.pack('<iIIIIiQ', *f) for f in fds)
    cwd = b'/home/sandbox'
    vfs = struct.pack('<II', 0o22, len(cwd)) + cwd
    return (section(SECTION_VM, vm) + section(SECTION_MM, mm) +
            section(SECTION_PROCESS, bytes(process)) + section(SECTION_FDS, fd_section) +
            section(SECTION_VFS, vfs) + section(SECTION_CPU, bytes(cpu)))


def split_sections(payload):
    out, off = {}, 0
    while off < len(payload):
        tag, _, length = struct.unpack_from('<IIQ', payload, off)
        out[tag] = payload[off + 16:off + 16 + length]
        off += 16 + length
    return out


def snapshot_seeds(tiny, real_state):
    image_sha = tiny[56:88]
    memory_size = 64 * PAGE
    payload = synth_payload(tiny, memory_size)
    write('snapshot', 'wrapped-synth', b'\x07' + struct.pack('<Q', memory_size) + payload)
    write('snapshot', 'wrapped-no-warmup', b'\x01' + struct.pack('<Q', memory_size) + payload[:-5000])
    write('snapshot', 'raw-synth', b'\x00' + state_file(image_sha, payload, memory_size))
    write('snapshot', 'raw-bad-checksum',
          b'\x00' + state_file(image_sha, payload[:300], memory_size, checksum=False))
    if not real_state:
        return
    with open(real_state, 'rb') as f:
        real = f.read()
    write('snapshot', 'raw-real', b'\x00' + real)
    memory_size = struct.unpack_from('<Q', real, 88)[0]
    secs = split_sections(real[120:])
    mm = bytearray(secs[SECTION_MM])
    for off in range(80, len(mm), 56):  # image-backed mappings of the real image: anonymous
        struct.pack_into('<I', mm, off + 48, 0)
    secs[SECTION_MM] = bytes(mm)
    order = [SECTION_VM, SECTION_MM, SECTION_PROCESS, SECTION_FDS, SECTION_VFS, SECTION_CPU]
    write('snapshot', 'wrapped-real', b'\x03' + struct.pack('<Q', memory_size) +
          b''.join(section(t, secs[t]) for t in order))


# ---- paths (fuzz-vfs-path.c's records) --------------------------------------------------------
OPENAT, FD, MKDIR, RENAME, UNLINK, SYMLINK, READLINK, ACCESS, CHDIR, LINK, STATX, TRUNCATE, \
    CHMOD, UTIMENS = 15, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
FSTATAT = 1


def op(call, dirfd=0, variant=0):
    return bytes([call | dirfd << 4 | variant << 6])


def records(*recs):
    return b'\0'.join(recs)


def vfs_seeds():
    write('vfs-path', 'image-walk', records(
        op(OPENAT) + b'/etc/passwd', op(FSTATAT) + b'/etc/rel', op(READLINK, 0, 1) + b'/etc/loop',
        op(FSTATAT) + b'/etc/loop', op(CHDIR) + b'/usr/bin', op(FSTATAT) + b'../../etc/up/etc/abs',
        op(FSTATAT, 0, 1) + b'/bin', op(OPENAT) + b'/bin/python3', op(ACCESS, 0, 3) + b'python3',
        op(CHDIR) + b'/etc/up/../up', op(OPENAT, 0, 2) + b'/usr', op(FD) + b'',
        op(FSTATAT, 1) + b'bin/python3', op(OPENAT, 2) + b'etc', op(FD, 0, 3) + b''))
    write('vfs-path', 'tmpfs', records(
        op(MKDIR) + b'/tmp/a', op(OPENAT, 0, 1) + b'/tmp/a/f', op(RENAME) + b'/tmp/a/f', b'/tmp/b',
        op(SYMLINK) + b'/tmp/l', b'../etc/passwd', op(LINK) + b'/tmp/b', b'/tmp/c',
        op(UNLINK) + b'/tmp/c', op(TRUNCATE, 0, 2) + b'/tmp/b', op(CHMOD, 0, 3) + b'/tmp/b',
        op(UTIMENS) + b'/tmp/b', op(CHDIR) + b'/tmp/a', op(UNLINK, 0, 1) + b'/tmp/a',
        op(OPENAT, 0, 1) + b'x', op(MKDIR) + b'/home/sandbox/d', op(RENAME, 0, 1) +
        b'/home/sandbox/d', b'/tmp/d', op(RENAME, 0, 2) + b'/tmp/b', b'/tmp/l',
        op(STATX, 0, 1) + b'/tmp/l', op(OPENAT, 0, 3) + b'/tmp/new'))
    write('vfs-path', 'hostile', records(
        op(FSTATAT) + b'////', op(FSTATAT) + b'/..', op(OPENAT) + b'/etc/passwd/',
        op(FSTATAT) + b'a' * 300, op(OPENAT, 0, 1) + b'/dev/null', op(FSTATAT) + b'/proc/self',
        op(FSTATAT) + b'a/' * 2000, op(FSTATAT) + b'/etc/loop/x', op(FSTATAT, 0, 2) + b'',
        op(FSTATAT, 3, 0) + b'x', op(OPENAT, 3, 1) + b'x', op(MKDIR) + b'/etc/x',
        op(CHDIR) + b'/dev', op(FSTATAT) + b'../' * 1300 + b'tmp', op(READLINK) + b'/etc/up',
        op(SYMLINK) + b'/tmp/' + b'l' * 255, b'/' * 4000, op(UNLINK) + b'/',
        op(RENAME, 0, 3) + b'/tmp', b'/tmp/tmp'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--real-state', help='a snapshot state file made by this build')
    args = parser.parse_args()
    tiny = image_seeds()
    elf_seeds()
    execute_seeds()
    exec_result_seeds()
    jsonrpc_seeds()
    snapshot_seeds(tiny, args.real_state)
    vfs_seeds()


if __name__ == '__main__':
    main()

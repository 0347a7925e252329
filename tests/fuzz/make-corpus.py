#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora under tests/fuzz/corpus/<target>/ (a few small files each).

    tests/fuzz/make-corpus.py [--real-state build/tests/python-snapshot/state]
                              [--real-state build/tests/javascript-snapshot/state]

Everything is synthesized from the formats' headers (image.h, snapshot-format.h and the
sections of the *-persist.c files, elf.h, PROTOCOL.md). Each --real-state (repeatable; `ninja -C build`
makes both snapshots) adds two snapshot seeds named after the snapshot's language: the state
file as is, and its sections rewrapped for the tiny image (image-backed mappings made
anonymous, the executable and image files moved to tiny entries, a 1 MiB memory file, the vCPU
section moved last). --check-sizes first compares the snapshot struct layouts here with the C
headers' (compiling a small program with $CC or cc). Rerun after a format change and commit the
result.
"""
import argparse
import hashlib
import json
import os
import re
import struct
import subprocess
import tempfile

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


# ---- daemon <-> worker frames (fuzz-worker-frame.c's layout) ----------------------------------
def worker_frame_seeds():
    result = ('{"language":"python","runtime_version":"3.11.2","stdout":"42\\n","stderr":"",'
              '"exit_code":0,"signal":null,"timed_out":false,"memory_limit_hit":false,'
              '"truncated":false,"timing":{"queue_ms":0,"restore_ms":0.213,"run_ms":0.423,'
              '"total_ms":0.55},"usage":{"cpu_ms":0.417,"peak_memory_bytes":17215488,'
              '"syscalls":3,"exits":2,"page_faults":0,"unimplemented_syscalls":0}}')
    write('worker-frame', 'ready', b'\x00{"ready":true,"version":1,"prepare_ms":0.213,"reset":true}\n')
    write('worker-frame', 'ready-other-version',
          b'\x00{"ready":true,"version":2,"prepare_ms":1,"reset":false}')
    write('worker-frame', 'output',
          b'\x00{"output":{"stream":"stderr","data":"a\\u0000\xc3\xa9\\n"}}\n')
    write('worker-frame', 'result', b'\x00' + result.encode() + b'\n')
    write('worker-frame', 'result-signal',
          b'\x00' + result.replace('"exit_code":0,"signal":null', '"exit_code":null,'
                                   '"signal":"SIG40"').encode())
    write('worker-frame', 'error',
          b'\x00{"error":{"code":-32602,"message":"bad","data":{"kind":"invalid_params",'
          b'"field":"timeout_ms"}}}\n')
    write('worker-frame', 'request', b'\x01{"language":"python","code":"print(6*7)",'
          b'"args":["a"],"env":{"K":"V"},"stream":true}\n')
    write('worker-frame', 'request-broken', b'\x01{"language":"python","code":"\x01\xff')
    write('worker-frame', 'encoders', b'\x02' + struct.pack('<dB', 0.2134567, 3)
          + b'out\xff\xc3put\x00')


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


# ---- snapshots (snapshot-format.h; sections as the *-persist.c pairs write them) --------------
# Format 3. Each saved struct is spelt out below field by field, in order, as struct codes
# without padding, so it packs to sizeof() of the C struct on x86-64. --check-sizes compiles a
# program against the headers (and the private typedefs of the *-persist.c files) and
# compares every sizeof, offsetof and constant used here: run it after a format change.
SNAPSHOT_FORMAT_VERSION = 3
SECTION_CPU, SECTION_VM, SECTION_MM, SECTION_PROCESS, SECTION_FDS, SECTION_VFS, \
    SECTION_THREADS = range(1, 8)
GUEST_NSIG = 64
KVM_REGS_NAMES = 'rax rbx rcx rdx rsi rdi rsp rbp r8 r9 r10 r11 r12 r13 r14 r15 rip rflags'.split()
LAYOUTS = {
    'SnapshotHeader': [('magic', '8s'), ('version', 'I'), ('header_size', 'I'),
                       ('image_sha256', '32s'), ('payload_sha256', '32s'), ('payload_size', 'Q'),
                       ('memory_size', 'Q'), ('memory_limit', 'Q'), ('language', '16s'),
                       ('memory_crc32c', 'I'), ('reserved', 'I')],
    'SectionHeader': [('tag', 'I'), ('reserved', 'I'), ('length', 'Q')],
    'struct kvm_regs': [(r, 'Q') for r in KVM_REGS_NAMES],
    'VmSaved': [(f, 'Q') for f in ('ram_next', 'data_pages', 'data_pages_peak', 'table_pages',
                                   'free_count')],  # then free_count x u64
    'MmSaved': [(f, 'Q') for f in ('mmap_next', 'mmap_floor', 'brk_start', 'brk', 'brk_max',
                                   'stack_top', 'stack_limit', 'committed', 'faults',
                                   'vma_count', 'mapped', 'mapped_peak')],  # then VmaSaved each
    'VmaSaved': [('start', 'Q'), ('end', 'Q'), ('file_offset', 'Q'), ('file_length', 'Q'),
                 ('image_base', 'Q'), ('prot', 'i'), ('flags', 'i'), ('backing', 'I'),
                 ('committed', 'I')],
    'GuestSigaction': [('handler', 'Q'), ('flags', 'Q'), ('restorer', 'Q'), ('mask', 'Q')],
    'ProcessSaved': [('actions', '%ds' % (32 * (GUEST_NSIG + 1))), ('sigmask', 'Q'),
                     ('altstack_sp', 'Q'), ('altstack_size', 'Q'), ('altstack_flags', 'Q'),
                     ('clear_child_tid', 'Q'), ('robust_list', 'Q'), ('rlimit_stack', 'Q'),
                     ('request_fd', 'i'), ('awaiting_request', 'I'), ('request_control', 'I'),
                     ('exe_entry', 'I'), ('comm', '16s'), ('arg_start', 'Q'), ('arg_end', 'Q'),
                     ('env_start', 'Q'), ('env_end', 'Q')],
    'VfsSaved': [('umask', 'I'), ('cwd_length', 'I')],  # then the cwd
    'ThreadsSaved': [('count', 'I'), ('next_tid', 'i'), ('pid', 'i'), ('reserved', 'I')],
    'ThreadImage': [('tid', 'i'), ('in_syscall', 'I'), ('fs_base', 'Q'), ('sigmask', 'Q'),
                    ('clear_child_tid', 'Q'), ('regs', '144s'), ('xsave', '4096s')],
    # The FDS section: FilesHeader, n_pipes x (PipeSaved + its bytes), n_files x (FileSaved +
    # n_watches x WatchSaved), n_fds x FdSlotSaved.
    'FilesHeader': [('limit', 'I'), ('n_pipes', 'I'), ('n_files', 'I'), ('n_fds', 'I')],
    'PipeSaved': [('ino', 'Q'), ('used', 'I'), ('reserved', 'I')],
    'FileSaved': [('kind', 'I'), ('flags', 'i'), ('pos', 'Q'), ('fs', 'I'), ('idx', 'I'),
                  ('pipe', 'I'), ('semaphore', 'I'), ('count', 'Q'), ('generation', 'Q'),
                  ('n_watches', 'I'), ('reserved', 'I')],
    'WatchSaved': [('fd', 'i'), ('file', 'I'), ('events', 'I'), ('armed', 'I'), ('data', 'Q'),
                   ('seen_generation', 'Q')],
    'FdSlotSaved': [('fd', 'i'), ('file', 'I'), ('cloexec', 'I'), ('reserved', 'I')],
}


def fmt(name):
    return '<' + ''.join(code for _, code in LAYOUTS[name])


def size(name):
    return struct.calcsize(fmt(name))


def offset(name, field):
    fields = LAYOUTS[name]
    i = [f for f, _ in fields].index(field)
    return struct.calcsize('<' + ''.join(code for _, code in fields[:i]))


CPU_STATE_SIZE = 4968        # VmCpuState: kvm_regs, kvm_sregs, kvm_xsave, kvm_xcrs, 3 u64
SREGS_CS_SELECTOR = 156      # offsetof(VmCpuState, sregs.cs.selector)
XSAVE_SIZE = 4096
VMA_ANON, VMA_IMAGE = 0, 1
FILE_NODE, FILE_PIPE_READ, FILE_PIPE_WRITE, FILE_EVENTFD, FILE_EPOLL = 0, 1, 2, 6, 7
FS_IMAGE, FS_DEV = 0, 2
DEV_NULL, DEV_URANDOM = 1, 5
O_RDONLY, O_WRONLY, O_RDWR, O_NONBLOCK = 0, 1, 2, 0o4000
EPOLLIN, EPOLLERR, EPOLLHUP, EPOLLET = 0x1, 0x8, 0x10, 0x80000000
GPA_FIRST_FREE = 10 * PAGE
VA_SYSCALL_STUB = 0x7fffff000000  # layout.h; a thread in a syscall stops after its 9-byte store
SYSCALL_EXIT_RIP = VA_SYSCALL_STUB + 9
SEL_USER_CS = 0x2b
GUEST_PID = 2
MEMORY_LIMIT = 256 << 20          # fuzz-snapshot.c's FUZZ_SNAPSHOT_MEMORY_LIMIT
TINY_PYTHON3 = len(IMAGE_SPEC) - 1  # the tiny image's /usr/bin/python3 entry

# What --check-sizes asks the compiler: a C expression, and the value assumed here.
C_FACTS = {'SNAPSHOT_FORMAT_VERSION': SNAPSHOT_FORMAT_VERSION,
           'sizeof(VmCpuState)': CPU_STATE_SIZE, 'offsetof(VmCpuState, regs)': 0,
           'offsetof(VmCpuState, sregs.cs.selector)': SREGS_CS_SELECTOR,
           'sizeof(struct kvm_xsave)': XSAVE_SIZE, 'GUEST_NSIG': GUEST_NSIG,
           'sizeof(((ThreadImage *)0)->regs)': size('struct kvm_regs'),
           'sizeof(((ProcessSaved *)0)->actions)': size('GuestSigaction') * (GUEST_NSIG + 1),
           'GUEST_COMM_SIZE': 16, 'VMA_ANON': VMA_ANON, 'VMA_IMAGE': VMA_IMAGE,
           'FILE_NODE': FILE_NODE, 'FILE_PIPE_READ': FILE_PIPE_READ,
           'FILE_PIPE_WRITE': FILE_PIPE_WRITE, 'FILE_EVENTFD': FILE_EVENTFD,
           'FILE_EPOLL': FILE_EPOLL, 'FS_IMAGE': FS_IMAGE, 'FS_DEV': FS_DEV,
           'DEV_NULL': DEV_NULL, 'DEV_URANDOM': DEV_URANDOM, 'O_WRONLY': O_WRONLY,
           'O_RDWR': O_RDWR, 'O_NONBLOCK': O_NONBLOCK, 'EPOLLIN': EPOLLIN, 'EPOLLERR': EPOLLERR,
           'EPOLLHUP': EPOLLHUP, 'EPOLLET': EPOLLET, 'GPA_FIRST_FREE': GPA_FIRST_FREE,
           'VA_SYSCALL_STUB': VA_SYSCALL_STUB, 'SEL_USER_CS': SEL_USER_CS,
           'GUEST_PID': GUEST_PID}
for _name, _fields in LAYOUTS.items():
    C_FACTS['sizeof(%s)' % _name] = size(_name)
    for _field, _ in _fields:
        C_FACTS['offsetof(%s, %s)' % (_name, _field)] = offset(_name, _field)


def check_sizes():
    """Compiles and runs a program printing every C_FACTS expression; exits on a mismatch."""
    root = os.path.dirname(os.path.dirname(HERE))
    src = ['#include <stddef.h>', '#include <stdio.h>', '#include <sys/epoll.h>'] + [
        '#include "%s"' % h for h in ('snapshot-format.h', 'snapshot-codec.h', 'process.h', 'vm.h',
                                      'layout.h', 'mm.h', 'file.h', 'vnode.h', 'devfs.h')]
    private = set(LAYOUTS)
    for path in ('daemon/vmm/vm-persist.c', 'daemon/kernel/mm-persist.c',
                 'daemon/kernel/process-persist.c', 'daemon/kernel/fdtable-persist.c',
                 'daemon/kernel/fs-context-persist.c', 'daemon/kernel/thread-persist.c'):
        with open(os.path.join(root, path)) as f:
            for m in re.finditer(r'^typedef struct (\w+) \{.*?^\} \1;', f.read(), re.S | re.M):
                if m.group(1) in private:
                    src.append(m.group(0))
    src.append('int main(void) {')
    src += ['printf("%%llu\\n", (unsigned long long)(%s));' % e for e in C_FACTS]
    src.append('return 0; }')
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, 'sizes.c'), 'w') as f:
            f.write('\n'.join(src) + '\n')
        subprocess.run([os.environ.get('CC', 'cc'), '-std=gnu11', '-D_GNU_SOURCE'] +
                       ['-I' + os.path.join(root, d) for d in ('daemon/snapshot', 'daemon/kernel',
                                                               'daemon/vmm', 'common',
                                                               'protocol')] +
                       ['-o', os.path.join(tmp, 'sizes'), os.path.join(tmp, 'sizes.c')],
                       check=True)
        out = subprocess.run([os.path.join(tmp, 'sizes')], check=True, capture_output=True,
                             text=True).stdout.split()
    wrong = [(e, int(v), want) for (e, want), v in zip(C_FACTS.items(), out) if int(v) != want]
    for e, got, want in wrong:
        print('%s is %d in C, %d here' % (e, got, want))
    if wrong or len(out) != len(C_FACTS):
        raise SystemExit('make-corpus.py: the snapshot layouts here are out of date')
    print('%d snapshot sizes, offsets and constants match the C headers' % len(C_FACTS))


def pack(name, **values):
    """The struct `name` with the given fields, the others zero."""
    fields = LAYOUTS[name]
    assert set(values) <= {f for f, _ in fields}, (name, values)
    return struct.pack(fmt(name), *(values.get(f, b'' if code.endswith('s') else 0)
                                    for f, code in fields))


def unpack(name, data, off=0):
    return dict(zip((f for f, _ in LAYOUTS[name]), struct.unpack_from(fmt(name), data, off)))


def crc32c(data, crc=0):
    """common/crc32c.c: CRC-32C (Castagnoli, reflected), crc32c(0, data, size)."""
    table = crc32c.table
    crc ^= 0xffffffff
    for b in data:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xff]
    return crc ^ 0xffffffff


crc32c.table = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ (0x82f63b78 if _c & 1 else 0)
    crc32c.table.append(_c)
assert crc32c(b'123456789') == 0xe3069283


def section(tag, body):
    return pack('SectionHeader', tag=tag, length=len(body)) + body


def state_file(image_sha, payload, memory_size, checksum=True, version=SNAPSHOT_FORMAT_VERSION):
    """A state file whose memory file is the zeros fuzz-snapshot.c makes (the CRC of those)."""
    return pack('SnapshotHeader', magic=b'SBXSNAP\0', version=version,
                header_size=size('SnapshotHeader'), image_sha256=image_sha,
                payload_sha256=hashlib.sha256(payload).digest() if checksum else b'',
                payload_size=len(payload), memory_size=memory_size, memory_limit=MEMORY_LIMIT,
                language=b'python', memory_crc32c=crc32c(bytes(memory_size))) + payload


def regs(**values):
    return pack('struct kvm_regs', **values)


def xsave():
    x = bytearray(XSAVE_SIZE)
    struct.pack_into('<H', x, 0, 0x37f)    # FCW
    struct.pack_into('<I', x, 24, 0x1f80)  # MXCSR
    struct.pack_into('<Q', x, 512, 3)      # XSTATE_BV: x87, SSE
    return bytes(x)


def synth_payload(memory_size):
    """Every section as a runner stopped at its ready point could have it: the main thread in
    read(request_fd) in the syscall stub, a second thread in futex_wait there too, a third in its
    own code; a pipe holding bytes with both ends open, an eventfd, an epoll watching both, a
    dup'd image file, a directory, /dev files. Each passes the parser's checks, so the fuzzer
    starts from a payload the parser takes, up to the vCPU section."""
    cpu = bytearray(CPU_STATE_SIZE)
    cpu[0:size('struct kvm_regs')] = regs(rax=0, rdi=3, rsi=0x600100, rdx=0x10000, rcx=0x400105,
                                          r11=0x246, rsp=0x7ffffcfffe00, rip=SYSCALL_EXIT_RIP,
                                          rflags=0x46)
    struct.pack_into('<H', cpu, SREGS_CS_SELECTOR, SEL_USER_CS)  # CPL 3
    vm = pack('VmSaved', ram_next=memory_size, data_pages=20, data_pages_peak=20, table_pages=5,
              free_count=2) + struct.pack('<2Q', GPA_FIRST_FREE, GPA_FIRST_FREE + PAGE)
    vmas = [
        dict(start=0x400000, end=0x401000, prot=5, flags=0x22, committed=1),        # r-x
        dict(start=0x600000, end=0x602000, prot=3, flags=0x22, committed=1),        # the brk
        dict(start=0x700000, end=0x701000, file_length=30, image_base=2 * PAGE, prot=1,
             flags=0x02, backing=VMA_IMAGE),                                        # image, r--
        dict(start=0x7f0000000000, end=0x7f0000010000, prot=3, flags=0x22,
             committed=1),                                                    # threads' stacks
        dict(start=0x7ffffcfe0000, end=0x7ffffd000000, prot=3, flags=0x122,
             committed=1),                                                    # the main stack
    ]
    mapped = sum(v['end'] - v['start'] for v in vmas)
    mm = pack('MmSaved', mmap_next=0x7f0000000000, mmap_floor=0x10000, brk_start=0x600000,
              brk=0x602000, brk_max=0x10600000, stack_top=0x7ffffd000000,
              stack_limit=0x7ffffc800000,
              committed=sum(v['end'] - v['start'] for v in vmas if v.get('committed')),
              faults=7, vma_count=len(vmas), mapped=mapped, mapped_peak=mapped + 4 * PAGE)
    mm += b''.join(pack('VmaSaved', **v) for v in vmas)
    actions = [pack('GuestSigaction')] * (GUEST_NSIG + 1)
    actions[2] = pack('GuestSigaction', handler=0x400080, flags=0x04000000,  # SA_RESTORER
                      restorer=0x400090)
    actions[13] = pack('GuestSigaction', handler=1, flags=0x04000000, restorer=0x400090)  # IGN
    process = pack('ProcessSaved', actions=b''.join(actions), altstack_sp=0x7f0000008000,
                   altstack_size=0x2000, clear_child_tid=0x7f0000000990,
                   robust_list=0x7f00000009a0, rlimit_stack=8 << 20,
                   request_fd=3, awaiting_request=1, request_control=1,
                   exe_entry=TINY_PYTHON3, comm=b'python3',
                   arg_start=0x7ffffcfff000, arg_end=0x7ffffcfff020, env_start=0x7ffffcfff020,
                   env_end=0x7ffffcfff060)

    # The fd table; fds 0-2 and the request channel (3) are streams, never saved.
    pipe_bytes = b'hi!\n\0'
    files = [
        # The epoll first: its watches name files saved after it.
        (dict(kind=FILE_EPOLL, flags=O_RDWR), [
            dict(fd=4, file=1, events=EPOLLIN | EPOLLERR | EPOLLHUP, data=4),  # the pipe's read end
            dict(fd=6, file=3, events=EPOLLIN | EPOLLET | EPOLLERR | EPOLLHUP, armed=1,
                 data=0x1234, seen_generation=4),                                # the eventfd
        ]),
        (dict(kind=FILE_PIPE_READ, flags=O_RDONLY, pipe=0), []),
        (dict(kind=FILE_PIPE_WRITE, flags=O_WRONLY | O_NONBLOCK, pipe=0), []),
        (dict(kind=FILE_EVENTFD, flags=O_RDWR | O_NONBLOCK, count=3, generation=4), []),
        (dict(kind=FILE_NODE, flags=O_RDONLY, pos=5, fs=FS_IMAGE, idx=10), []),  # /etc/passwd
        (dict(kind=FILE_NODE, flags=O_RDONLY, pos=2, fs=FS_IMAGE, idx=14), []),  # /usr/bin
        (dict(kind=FILE_NODE, flags=O_RDWR, fs=FS_DEV, idx=DEV_NULL), []),
        (dict(kind=FILE_NODE, flags=O_RDONLY, fs=FS_DEV, idx=DEV_URANDOM), []),
    ]
    fds = [(4, 1, 1), (5, 2, 1), (6, 3, 1), (7, 0, 1),
           (8, 4, 0), (9, 4, 0),  # a dup: one open file, one offset
           (10, 6, 0), (11, 7, 1), (12, 5, 1)]
    fd_section = pack('FilesHeader', limit=1024, n_pipes=1, n_files=len(files), n_fds=len(fds))
    fd_section += pack('PipeSaved', ino=1000, used=len(pipe_bytes)) + pipe_bytes
    for f, watches in files:
        fd_section += pack('FileSaved', n_watches=len(watches), **f)
        fd_section += b''.join(pack('WatchSaved', **w) for w in watches)
    fd_section += b''.join(pack('FdSlotSaved', fd=fd, file=file, cloexec=cloexec)
                           for fd, file, cloexec in fds)

    threads = pack('ThreadsSaved', count=2, next_tid=5, pid=GUEST_PID)
    # tid 3: in futex_wait(0x600200, FUTEX_WAIT_PRIVATE, 0), served again when it next runs.
    threads += pack('ThreadImage', tid=3, in_syscall=1, fs_base=0x7f0000007f00,
                    clear_child_tid=0x7f0000007fd0, xsave=xsave(),
                    regs=regs(rax=202, rdi=0x600200, rsi=0x80, rcx=0x400108, r11=0x246,
                              rsp=0x7f0000007e00, rip=SYSCALL_EXIT_RIP, rflags=0x46))
    # tid 4: preempted in its own code, SIGINT blocked.
    threads += pack('ThreadImage', tid=4, fs_base=0x7f000000ff00, sigmask=1 << 1,
                    clear_child_tid=0x7f000000ffd0, xsave=xsave(),
                    regs=regs(rax=1, rsp=0x7f000000fe00, rip=0x400110, rflags=0x202))

    cwd = b'/home/sandbox'
    vfs = pack('VfsSaved', umask=0o22, cwd_length=len(cwd)) + cwd
    # The vCPU section last: without KVM it fails, after everything else is parsed.
    return (section(SECTION_VM, vm) + section(SECTION_MM, mm) +
            section(SECTION_PROCESS, process) + section(SECTION_FDS, fd_section) +
            section(SECTION_THREADS, threads) + section(SECTION_VFS, vfs) +
            section(SECTION_CPU, bytes(cpu)))


def split_sections(payload):
    out, off = {}, 0
    while off < len(payload):
        h = unpack('SectionHeader', payload, off)
        off += size('SectionHeader')
        out[h['tag']] = payload[off:off + h['length']]
        off += h['length']
    assert off == len(payload)
    return out


def retarget_files(fds):
    """A real FDS section with its image files moved to the tiny image's /etc/passwd."""
    fds = bytearray(fds)
    h = unpack('FilesHeader', fds)
    off = size('FilesHeader')
    for _ in range(h['n_pipes']):
        off += size('PipeSaved') + unpack('PipeSaved', fds, off)['used']
    for _ in range(h['n_files']):
        f = unpack('FileSaved', fds, off)
        if f['kind'] == FILE_NODE and f['fs'] == FS_IMAGE and f['idx'] >= len(IMAGE_SPEC):
            struct.pack_into('<I', fds, off + offset('FileSaved', 'idx'), 10)
        off += size('FileSaved')
        if f['kind'] == FILE_EPOLL:
            off += f['n_watches'] * size('WatchSaved')
    assert off + h['n_fds'] * size('FdSlotSaved') == len(fds)
    return bytes(fds)


def real_seeds(path):
    """Two seeds from a state file the build made: the file as is (its header names the real
    image, so it is refused there), and its sections rewrapped for the tiny image: image-backed
    mappings made anonymous, the executable and image files moved to tiny entries, the RAM
    allocator's counts cut down to a 1 MiB memory file (the target checksums the whole file for
    every input), the vCPU section moved last."""
    with open(path, 'rb') as f:
        real = f.read()
    h = unpack('SnapshotHeader', real)
    if (h['magic'] != b'SBXSNAP\0' or h['version'] != SNAPSHOT_FORMAT_VERSION or
            h['header_size'] != size('SnapshotHeader')):
        raise SystemExit('%s: not a format %d snapshot; rebuild it (ninja -C build)'
                         % (path, SNAPSHOT_FORMAT_VERSION))
    language = h['language'].rstrip(b'\0').decode()
    write('snapshot', 'raw-real-' + language, b'\x00' + real)
    secs = split_sections(real[size('SnapshotHeader'):])
    memory_size = 256 * PAGE
    vm = unpack('VmSaved', secs[SECTION_VM])
    free = [gpa for gpa in struct.unpack_from('<%dQ' % vm['free_count'], secs[SECTION_VM],
                                              size('VmSaved')) if gpa < memory_size]
    secs[SECTION_VM] = pack('VmSaved', ram_next=memory_size,
                            data_pages=min(vm['data_pages'], 200),
                            data_pages_peak=min(vm['data_pages_peak'], 200),
                            table_pages=min(vm['table_pages'], 40),
                            free_count=len(free)) + struct.pack('<%dQ' % len(free), *free)
    mm = bytearray(secs[SECTION_MM])
    assert (len(mm) - size('MmSaved')) % size('VmaSaved') == 0
    for off in range(size('MmSaved'), len(mm), size('VmaSaved')):
        struct.pack_into('<I', mm, off + offset('VmaSaved', 'backing'), VMA_ANON)
    secs[SECTION_MM] = bytes(mm)
    process = bytearray(secs[SECTION_PROCESS])
    struct.pack_into('<I', process, offset('ProcessSaved', 'exe_entry'), TINY_PYTHON3)
    secs[SECTION_PROCESS] = bytes(process)
    secs[SECTION_FDS] = retarget_files(secs[SECTION_FDS])
    assert (len(secs[SECTION_THREADS]) - size('ThreadsSaved')) % size('ThreadImage') == 0
    order = [SECTION_VM, SECTION_MM, SECTION_PROCESS, SECTION_FDS, SECTION_THREADS, SECTION_VFS,
             SECTION_CPU]
    assert sorted(order) == sorted(secs)
    write('snapshot', 'wrapped-real-' + language, b'\x03' + struct.pack('<Q', memory_size) +
          b''.join(section(t, secs[t]) for t in order))


def snapshot_seeds(real_states):
    # fuzz-snapshot.c's image leaves its header's sha256 zero, and so names snapshots with it.
    image_sha = b'\0' * 32
    memory_size = 64 * PAGE
    payload = synth_payload(memory_size)
    secs = split_sections(payload)
    without_cpu = payload[:-(size('SectionHeader') + CPU_STATE_SIZE)]
    assert SECTION_CPU not in split_sections(without_cpu)
    # Parsed up to the vCPU section (KVM_SET_SREGS fails without KVM); a valid warm-up list.
    write('snapshot', 'wrapped-synth', b'\x07' + struct.pack('<Q', memory_size) + payload)
    # Every section parsed and applied, then refused for want of a vCPU section.
    write('snapshot', 'wrapped-no-cpu', b'\x01' + struct.pack('<Q', memory_size) + without_cpu)
    # The fd table alone (after the process section it needs); a warm-up list of junk.
    write('snapshot', 'wrapped-fds', b'\x03' + struct.pack('<Q', memory_size) +
          section(SECTION_PROCESS, secs[SECTION_PROCESS]) + section(SECTION_FDS, secs[SECTION_FDS]))
    # Accepted by snapshot_source_open() whole: header, checksums, this image, language.
    write('snapshot', 'raw-synth', b'\x00' + state_file(image_sha, payload, memory_size))
    write('snapshot', 'raw-bad-checksum',
          b'\x00' + state_file(image_sha, payload[:300], memory_size, checksum=False))
    write('snapshot', 'raw-old-version',
          b'\x00' + state_file(image_sha, payload[:300], memory_size, version=2))
    for path in real_states or []:
        real_seeds(path)


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
    parser.add_argument('--real-state', action='append', metavar='STATE',
                        help='a snapshot state file made by this build (repeatable)')
    parser.add_argument('--check-sizes', action='store_true',
                        help="first compare the snapshot layouts here with the C headers' (cc)")
    args = parser.parse_args()
    if args.check_sizes:
        check_sizes()
    image_seeds()
    elf_seeds()
    execute_seeds()
    exec_result_seeds()
    worker_frame_seeds()
    jsonrpc_seeds()
    snapshot_seeds(args.real_state)
    vfs_seeds()


if __name__ == '__main__':
    main()

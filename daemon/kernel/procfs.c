/* SPDX-License-Identifier: MIT */
#include "procfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "file.h"
#include "layout.h"
#include "macro.h"
#include "paging.h"
#include "process.h"
#include "thread.h"
#include "uaccess.h"
#include "vdso.h"
#include "vfs-internal.h"

/* The process /proc shows as self and as its one pid directory: init, the only process a
 * sandbox has so far. (Nodes do not carry a pid yet; they will once a sandbox runs several.) */
static Process *procfs_process(const Vfs *v) {
        return v->sandbox ? v->sandbox->init : NULL;
}

/* USER_HZ, the tick /proc counts time in (AT_CLKTCK says the same). */
#define USER_HZ     100u
#define NS_PER_TICK ((uint64_t)(1000000000u / USER_HZ))

/* The directory tree: each node's name, directory and type with rights. Directories list their
 * children in this order. */
static const struct {
        const char *name; /* NULL: a number (the pid, an fd) */
        ProcNode parent;
        mode_t mode;
} nodes[_PROC_NODE_MAX] = {
        [PROC_ROOT] = {"", PROC_ROOT, S_IFDIR | 0555},
        [PROC_SELF] = {"self", PROC_ROOT, S_IFLNK | 0777},
        [PROC_CPUINFO] = {"cpuinfo", PROC_ROOT, S_IFREG | 0444},
        [PROC_LOADAVG] = {"loadavg", PROC_ROOT, S_IFREG | 0444},
        [PROC_MEMINFO] = {"meminfo", PROC_ROOT, S_IFREG | 0444},
        [PROC_STAT] = {"stat", PROC_ROOT, S_IFREG | 0444},
        [PROC_SYS] = {"sys", PROC_ROOT, S_IFDIR | 0555},
        [PROC_UPTIME] = {"uptime", PROC_ROOT, S_IFREG | 0444},
        [PROC_VERSION] = {"version", PROC_ROOT, S_IFREG | 0444},
        [PROC_PID] = {NULL, PROC_ROOT, S_IFDIR | 0555},
        [PROC_SYS_KERNEL] = {"kernel", PROC_SYS, S_IFDIR | 0555},
        [PROC_SYS_KERNEL_HOSTNAME] = {"hostname", PROC_SYS_KERNEL, S_IFREG | 0444},
        [PROC_SYS_KERNEL_OSRELEASE] = {"osrelease", PROC_SYS_KERNEL, S_IFREG | 0444},
        [PROC_SYS_KERNEL_OSTYPE] = {"ostype", PROC_SYS_KERNEL, S_IFREG | 0444},
        [PROC_PID_CGROUP] = {"cgroup", PROC_PID, S_IFREG | 0444},
        [PROC_PID_CMDLINE] = {"cmdline", PROC_PID, S_IFREG | 0444},
        [PROC_PID_COMM] = {"comm", PROC_PID, S_IFREG | 0444},
        [PROC_PID_CWD] = {"cwd", PROC_PID, S_IFLNK | 0777},
        [PROC_PID_ENVIRON] = {"environ", PROC_PID, S_IFREG | 0400},
        [PROC_PID_EXE] = {"exe", PROC_PID, S_IFLNK | 0777},
        [PROC_PID_FD] = {"fd", PROC_PID, S_IFDIR | 0500},
        [PROC_PID_MAPS] = {"maps", PROC_PID, S_IFREG | 0444},
        [PROC_PID_STAT] = {"stat", PROC_PID, S_IFREG | 0444},
        [PROC_PID_STATM] = {"statm", PROC_PID, S_IFREG | 0444},
        [PROC_PID_STATUS] = {"status", PROC_PID, S_IFREG | 0444},
        [PROC_PID_FD_LINK] = {NULL, PROC_PID_FD, S_IFLNK}, /* rights: the fd's access mode */
};

static ProcNode kind_of(uint32_t node) {
        ProcNode k = PROC_NODE_KIND(node);
        return k < _PROC_NODE_MAX ? k : PROC_ROOT;
}

/* /proc/<pid> and what it holds belong to the program's user, the rest to root. */
static bool owned_by_process(ProcNode k) {
        return k == PROC_PID || nodes[k].parent == PROC_PID || nodes[k].parent == PROC_PID_FD;
}

static OpenFile *fd_file(const Vfs *v, int fd) {
        OpenFile *f;
        if (!procfs_process(v) || fd < 0 || fdtable_get(procfs_process(v)->fds, fd, &f) < 0)
                return NULL;
        return f;
}

/* A name made of digits, as Linux's name_to_int() takes it: no sign, no leading zero. */
static int parse_number(const char *name, size_t length, int *ret) {
        unsigned long n = 0;

        if (length == 0 || length > 10 || (name[0] == '0' && length > 1))
                return -EINVAL;
        for (size_t i = 0; i < length; i++) {
                if (name[i] < '0' || name[i] > '9')
                        return -EINVAL;
                n = n * 10 + (unsigned long)(name[i] - '0');
        }
        if (n > INT_MAX)
                return -EINVAL;
        *ret = (int)n;
        return 0;
}

/* ---- the tree ---- */

mode_t procfs_mode(const Vfs *v, uint32_t node) {
        ProcNode k = kind_of(node);
        OpenFile *f;
        mode_t mode;

        if (k != PROC_PID_FD_LINK)
                return nodes[k].mode;
        /* As Linux: r-x for reading, -wx for writing, nothing for an O_PATH fd. */
        mode = S_IFLNK;
        f = fd_file(v, PROC_NODE_FD(node));
        if (f && file_readable(f))
                mode |= S_IRUSR | S_IXUSR;
        if (f && file_writable(f))
                mode |= S_IWUSR | S_IXUSR;
        return mode;
}

static unsigned subdirectories(const Vfs *v, ProcNode dir) {
        unsigned n = 0;

        if (!procfs_process(v))
                return 0;
        for (size_t k = 1; k < _PROC_NODE_MAX; k++)
                n += nodes[k].parent == dir && S_ISDIR(nodes[k].mode);
        return n;
}

static uint64_t uptime_ns(const Process *p) {
        uint64_t now = now_ns(CLOCK_MONOTONIC);
        return now > p->sandbox->start_ns ? now - p->sandbox->start_ns : 0;
}

void procfs_stat(const Vfs *v, uint32_t node, struct stat *ret) {
        ProcNode k = kind_of(node);
        Process *p = procfs_process(v);
        struct stat st = {
                .st_dev = VFS_DEV_PROC,
                .st_ino = (ino_t)node + 1,
                .st_mode = procfs_mode(v, node),
                .st_nlink = 1,
                .st_blksize = 1024,
        };

        if (S_ISDIR(st.st_mode))
                st.st_nlink = 2 + subdirectories(v, k);
        if (owned_by_process(k)) {
                st.st_uid = VFS_UID;
                st.st_gid = VFS_GID;
        }
        if (p) {
                /* Made when the VM booted, as far as the program can tell. */
                uint64_t boot = now_ns(CLOCK_REALTIME) - MIN(uptime_ns(p), now_ns(CLOCK_REALTIME));
                st.st_mtim = (struct timespec){.tv_sec = (time_t)(boot / 1000000000ULL),
                                               .tv_nsec = (long)(boot % 1000000000ULL)};
                st.st_atim = st.st_ctim = st.st_mtim;
        }
        *ret = st;
}

int procfs_lookup(const Vfs *v, uint32_t dir, const char *name, size_t name_length, uint32_t *ret) {
        ProcNode d = kind_of(dir);
        int number;

        if (!S_ISDIR(procfs_mode(v, dir)))
                return -ENOTDIR;
        if (!procfs_process(v))
                return -ENOENT;
        if (d == PROC_PID_FD) {
                if (parse_number(name, name_length, &number) < 0 || !fd_file(v, number))
                        return -ENOENT;
                *ret = PROC_NODE(PROC_PID_FD_LINK, number);
                return 0;
        }
        for (size_t k = 1; k < _PROC_NODE_MAX; k++) {
                if (nodes[k].parent != d)
                        continue;
                if (nodes[k].name
                            ? strlen(nodes[k].name) == name_length &&
                                      memcmp(nodes[k].name, name, name_length) == 0
                            : k == PROC_PID && parse_number(name, name_length, &number) == 0 &&
                                      number == procfs_process(v)->pid) {
                        *ret = PROC_NODE(k, 0);
                        return 0;
                }
        }
        return -ENOENT;
}

uint32_t procfs_parent(uint32_t node) {
        return PROC_NODE(nodes[kind_of(node)].parent, 0);
}

int procfs_name(const Vfs *v, uint32_t node, char buf[static VNODE_NAME_BUF], const char **ret_name,
                size_t *ret_length) {
        ProcNode k = kind_of(node);
        int n;

        if (nodes[k].name) {
                *ret_name = nodes[k].name;
                *ret_length = strlen(nodes[k].name);
                return 0;
        }
        if (k == PROC_PID && !procfs_process(v))
                return -ENOENT;
        n = snprintf(buf, VNODE_NAME_BUF, "%d",
                     k == PROC_PID ? procfs_process(v)->pid : PROC_NODE_FD(node));
        *ret_name = buf;
        *ret_length = (size_t)n;
        return 0;
}

int procfs_readdir(const Vfs *v, uint32_t dir, uint64_t k, VDirent *ret) {
        ProcNode d = kind_of(dir);
        Process *p = procfs_process(v);

        if (!p)
                return 0;
        if (d == PROC_PID_FD) {
                /* Positions are fd numbers. */
                for (uint64_t fd = k; fd < p->fds->n_fds && fd < FDTABLE_MAX_LIMIT; fd++) {
                        if (!p->fds->fds[fd].file)
                                continue;
                        ret->name_length = (size_t)snprintf(ret->name_buf, sizeof(ret->name_buf),
                                                            "%" PRIu64, fd);
                        ret->name = ret->name_buf;
                        ret->ino = (uint64_t)PROC_NODE(PROC_PID_FD_LINK, fd) + 1;
                        ret->type = DT_LNK;
                        ret->next = fd + 3;
                        return 1;
                }
                return 0;
        }
        /* Positions are indexes in nodes[]. */
        for (uint64_t i = MAX(k, (uint64_t)1); i < _PROC_NODE_MAX; i++) {
                if (nodes[i].parent != d || i == PROC_PID_FD_LINK)
                        continue;
                if (nodes[i].name) {
                        ret->name = nodes[i].name;
                        ret->name_length = strlen(nodes[i].name);
                } else {
                        ret->name_length = (size_t)snprintf(ret->name_buf, sizeof(ret->name_buf),
                                                            "%d", p->pid);
                        ret->name = ret->name_buf;
                }
                ret->ino = i + 1;
                ret->type = (unsigned char)IFTODT(nodes[i].mode);
                ret->next = i + 3;
                return 1;
        }
        return 0;
}

/* ---- links ---- */

/* A removed tmpfs node has lost its name: Linux would say "/old/path (deleted)"; the inode
 * number is what is left to tell which it was. */
static ssize_t node_path(const Vfs *v, VNode n, char *buf, size_t size) {
        ssize_t r = vfs_node_path(v, n, buf, size);
        if (r == -ENOENT && n.fs == FS_TMPFS) {
                int k = snprintf(buf, size, "/#%" PRIu64 " (deleted)", n.tnode->ino);
                return k >= 0 && (size_t)k < size ? k : -ENAMETOOLONG;
        }
        return r;
}

static ssize_t fd_target(const Vfs *v, OpenFile *f, char *buf, size_t size) {
        struct stat st;
        int n;

        switch (f->kind) {
        case FILE_NODE:
                return node_path(v, f->node, buf, size);
        case FILE_SOCKET:
                file_stat(f, &st);
                n = snprintf(buf, size, "socket:[%" PRIu64 "]", (uint64_t)st.st_ino);
                break;
        case FILE_EVENTFD:
                n = snprintf(buf, size, "anon_inode:[eventfd]");
                break;
        case FILE_EPOLL:
                n = snprintf(buf, size, "anon_inode:[eventpoll]");
                break;
        default:
                /* Pipes, and the standard streams, which are pipes to the program. */
                file_stat(f, &st);
                n = snprintf(buf, size, "pipe:[%" PRIu64 "]", (uint64_t)st.st_ino);
                break;
        }
        return n >= 0 && (size_t)n < size ? n : -ENAMETOOLONG;
}

static ssize_t link_target(const Vfs *v, uint32_t node, char *buf, size_t size) {
        Process *p = procfs_process(v);
        OpenFile *f;
        int n;

        if (!p)
                return -ENOENT;
        switch (kind_of(node)) {
        case PROC_SELF:
                n = snprintf(buf, size, "%d", p->pid);
                return n >= 0 && (size_t)n < size ? n : -ENAMETOOLONG;
        case PROC_PID_CWD:
                return node_path(v, p->fs->cwd, buf, size);
        case PROC_PID_EXE:
                if (p->exe_entry == 0)
                        return -ENOENT;
                return node_path(v, (VNode){.fs = FS_IMAGE, .idx = p->exe_entry}, buf, size);
        case PROC_PID_FD_LINK:
                f = fd_file(v, PROC_NODE_FD(node));
                if (!f)
                        return -ENOENT;
                return fd_target(v, f, buf, size);
        default:
                return -EINVAL;
        }
}

ssize_t procfs_readlink(const Vfs *v, uint32_t node, char *buf, size_t size) {
        char target[PATH_MAX];
        ssize_t n = link_target(v, node, target, sizeof(target));

        if (n < 0)
                return n;
        n = (ssize_t)MIN((size_t)n, size);
        memcpy(buf, target, (size_t)n);
        return n;
}

int procfs_follow(const Vfs *v, uint32_t node, VNode *ret) {
        Process *p = procfs_process(v);
        OpenFile *f;

        if (!p)
                return -ENOENT;
        switch (kind_of(node)) {
        case PROC_SELF:
                *ret = (VNode){.fs = FS_PROC, .idx = PROC_NODE(PROC_PID, 0)};
                return 0;
        case PROC_PID_CWD:
                *ret = p->fs->cwd;
                return 0;
        case PROC_PID_EXE:
                if (p->exe_entry == 0)
                        return -ENOENT;
                *ret = (VNode){.fs = FS_IMAGE, .idx = p->exe_entry};
                return 0;
        case PROC_PID_FD_LINK:
                f = fd_file(v, PROC_NODE_FD(node));
                if (!f)
                        return -ENOENT;
                if (f->kind != FILE_NODE)
                        return -ENXIO;
                *ret = f->node;
                return 0;
        default:
                return -EINVAL;
        }
}

/* ---- contents ---- */

/* What a file is made into: whole printf()s only, so that a file cut at PROCFS_FILE_MAX ends at
 * a line's end. */
typedef struct Text {
        char *data;
        size_t size, allocated;
        bool full;
        int error;
} Text;

static bool text_reserve(Text *t, size_t n) {
        size_t want;

        if (t->error || t->full)
                return false;
        if (n > PROCFS_FILE_MAX - t->size) {
                t->full = true;
                return false;
        }
        want = t->size + n;
        if (want > t->allocated) {
                size_t a = MIN(MAX(want, MAX(t->allocated * 2, (size_t)1024)),
                               (size_t)PROCFS_FILE_MAX);
                char *d = realloc(t->data, a);
                if (!d) {
                        t->error = -ENOMEM;
                        return false;
                }
                t->data = d;
                t->allocated = a;
        }
        return true;
}

_printf_(2, 3) static void text_printf(Text *t, const char *format, ...) {
        va_list ap;
        int n;

        va_start(ap, format);
        n = vsnprintf(NULL, 0, format, ap);
        va_end(ap);
        if (n < 0) {
                t->error = -EINVAL;
                return;
        }
        /* vsnprintf writes a NUL after the text: room for it too, not counted. */
        if (!text_reserve(t, (size_t)n + 1))
                return;
        va_start(ap, format);
        vsnprintf(t->data + t->size, (size_t)n + 1, format, ap);
        va_end(ap);
        t->size += (size_t)n;
}

/* Bytes in kB, as /proc counts them. */
static uint64_t kb(uint64_t bytes) {
        return bytes / 1024;
}

static void gen_meminfo(Process *p, Text *t) {
        uint64_t total = p->sandbox->memory.limit, used = MIN(p->sandbox->memory.committed, total);
        uint64_t rss = p->sandbox->vm->data_pages * PAGE_SIZE;
        uint64_t shmem = MIN(vfs_tmpfs_bytes_used(p->sandbox->vfs), total);
        const struct {
                const char *name;
                uint64_t bytes;
        } lines[] = {
                {"MemTotal:", total},
                {"MemFree:", total - used},
                {"MemAvailable:", total - used},
                {"Buffers:", 0},
                {"Cached:", 0},
                {"SwapCached:", 0},
                {"Active:", rss},
                {"Inactive:", 0},
                {"Active(anon):", rss},
                {"Inactive(anon):", 0},
                {"Active(file):", 0},
                {"Inactive(file):", 0},
                {"Unevictable:", 0},
                {"Mlocked:", 0},
                {"SwapTotal:", 0},
                {"SwapFree:", 0},
                {"Dirty:", 0},
                {"Writeback:", 0},
                {"AnonPages:", rss},
                {"Mapped:", 0},
                {"Shmem:", shmem},
                {"KReclaimable:", 0},
                {"Slab:", 0},
                {"SReclaimable:", 0},
                {"SUnreclaim:", 0},
                {"KernelStack:", 0},
                {"PageTables:", p->sandbox->vm->table_pages * PAGE_SIZE},
                {"NFS_Unstable:", 0},
                {"Bounce:", 0},
                {"WritebackTmp:", 0},
                {"CommitLimit:", total},
                {"Committed_AS:", used},
                {"VmallocTotal:", 34359738367ULL * 1024},
                {"VmallocUsed:", 0},
                {"VmallocChunk:", 0},
                {"Percpu:", 0},
                {"HardwareCorrupted:", 0},
                {"AnonHugePages:", 0},
                {"ShmemHugePages:", 0},
                {"ShmemPmdMapped:", 0},
                {"FileHugePages:", 0},
                {"FilePmdMapped:", 0},
        };

        for (size_t i = 0; i < ELEMENTSOF(lines); i++)
                text_printf(t, "%-16s%8" PRIu64 " kB\n", lines[i].name, kb(lines[i].bytes));
        text_printf(t, "HugePages_Total:       0\nHugePages_Free:        0\n"
                       "HugePages_Rsvd:        0\nHugePages_Surp:        0\n"
                       "Hugepagesize:       2048 kB\nHugetlb:               0 kB\n");
        text_printf(t, "%-16s%8" PRIu64 " kB\n", "DirectMap4k:", kb(total));
}

/* The CPUID bits /proc/cpuinfo names, as Linux names them. */
typedef struct CpuFlag {
        uint32_t function, index;
        uint8_t reg; /* 0 eax, 1 ebx, 2 ecx, 3 edx */
        uint8_t bit;
        const char *name;
} CpuFlag;

static const CpuFlag cpu_flags[] = {
        {1, 0, 3, 0, "fpu"},
        {1, 0, 3, 1, "vme"},
        {1, 0, 3, 2, "de"},
        {1, 0, 3, 3, "pse"},
        {1, 0, 3, 4, "tsc"},
        {1, 0, 3, 5, "msr"},
        {1, 0, 3, 6, "pae"},
        {1, 0, 3, 7, "mce"},
        {1, 0, 3, 8, "cx8"},
        {1, 0, 3, 9, "apic"},
        {1, 0, 3, 11, "sep"},
        {1, 0, 3, 12, "mtrr"},
        {1, 0, 3, 13, "pge"},
        {1, 0, 3, 14, "mca"},
        {1, 0, 3, 15, "cmov"},
        {1, 0, 3, 16, "pat"},
        {1, 0, 3, 17, "pse36"},
        {1, 0, 3, 19, "clflush"},
        {1, 0, 3, 21, "dts"},
        {1, 0, 3, 22, "acpi"},
        {1, 0, 3, 23, "mmx"},
        {1, 0, 3, 24, "fxsr"},
        {1, 0, 3, 25, "sse"},
        {1, 0, 3, 26, "sse2"},
        {1, 0, 3, 27, "ss"},
        {1, 0, 3, 28, "ht"},
        {1, 0, 3, 29, "tm"},
        {1, 0, 3, 31, "pbe"},
        {0x80000001, 0, 3, 11, "syscall"},
        {0x80000001, 0, 3, 20, "nx"},
        {0x80000001, 0, 3, 22, "mmxext"},
        {0x80000001, 0, 3, 25, "fxsr_opt"},
        {0x80000001, 0, 3, 26, "pdpe1gb"},
        {0x80000001, 0, 3, 27, "rdtscp"},
        {0x80000001, 0, 3, 29, "lm"},
        {1, 0, 2, 0, "pni"},
        {1, 0, 2, 1, "pclmulqdq"},
        {1, 0, 2, 2, "dtes64"},
        {1, 0, 2, 3, "monitor"},
        {1, 0, 2, 4, "ds_cpl"},
        {1, 0, 2, 5, "vmx"},
        {1, 0, 2, 6, "smx"},
        {1, 0, 2, 7, "est"},
        {1, 0, 2, 8, "tm2"},
        {1, 0, 2, 9, "ssse3"},
        {1, 0, 2, 11, "sdbg"},
        {1, 0, 2, 12, "fma"},
        {1, 0, 2, 13, "cx16"},
        {1, 0, 2, 14, "xtpr"},
        {1, 0, 2, 15, "pdcm"},
        {1, 0, 2, 17, "pcid"},
        {1, 0, 2, 18, "dca"},
        {1, 0, 2, 19, "sse4_1"},
        {1, 0, 2, 20, "sse4_2"},
        {1, 0, 2, 21, "x2apic"},
        {1, 0, 2, 22, "movbe"},
        {1, 0, 2, 23, "popcnt"},
        {1, 0, 2, 24, "tsc_deadline_timer"},
        {1, 0, 2, 25, "aes"},
        {1, 0, 2, 26, "xsave"},
        {1, 0, 2, 28, "avx"},
        {1, 0, 2, 29, "f16c"},
        {1, 0, 2, 30, "rdrand"},
        {1, 0, 2, 31, "hypervisor"},
        {0x80000001, 0, 2, 0, "lahf_lm"},
        {0x80000001, 0, 2, 1, "cmp_legacy"},
        {0x80000001, 0, 2, 2, "svm"},
        {0x80000001, 0, 2, 3, "extapic"},
        {0x80000001, 0, 2, 4, "cr8_legacy"},
        {0x80000001, 0, 2, 5, "abm"},
        {0x80000001, 0, 2, 6, "sse4a"},
        {0x80000001, 0, 2, 7, "misalignsse"},
        {0x80000001, 0, 2, 8, "3dnowprefetch"},
        {0x80000001, 0, 2, 9, "osvw"},
        {0x80000001, 0, 2, 11, "xop"},
        {0x80000001, 0, 2, 16, "fma4"},
        {0x80000001, 0, 2, 21, "tbm"},
        {0x80000001, 0, 2, 22, "topoext"},
        {7, 0, 1, 0, "fsgsbase"},
        {7, 0, 1, 1, "tsc_adjust"},
        {7, 0, 1, 3, "bmi1"},
        {7, 0, 1, 4, "hle"},
        {7, 0, 1, 5, "avx2"},
        {7, 0, 1, 7, "smep"},
        {7, 0, 1, 8, "bmi2"},
        {7, 0, 1, 9, "erms"},
        {7, 0, 1, 10, "invpcid"},
        {7, 0, 1, 11, "rtm"},
        {7, 0, 1, 14, "mpx"},
        {7, 0, 1, 16, "avx512f"},
        {7, 0, 1, 17, "avx512dq"},
        {7, 0, 1, 18, "rdseed"},
        {7, 0, 1, 19, "adx"},
        {7, 0, 1, 20, "smap"},
        {7, 0, 1, 21, "avx512ifma"},
        {7, 0, 1, 23, "clflushopt"},
        {7, 0, 1, 24, "clwb"},
        {7, 0, 1, 26, "avx512pf"},
        {7, 0, 1, 27, "avx512er"},
        {7, 0, 1, 28, "avx512cd"},
        {7, 0, 1, 29, "sha_ni"},
        {7, 0, 1, 30, "avx512bw"},
        {7, 0, 1, 31, "avx512vl"},
        {0xd, 1, 0, 0, "xsaveopt"},
        {0xd, 1, 0, 1, "xsavec"},
        {0xd, 1, 0, 2, "xgetbv1"},
        {0xd, 1, 0, 3, "xsaves"},
        {7, 1, 0, 4, "avx_vnni"},
        {7, 1, 0, 5, "avx512_bf16"},
        {7, 0, 2, 1, "avx512vbmi"},
        {7, 0, 2, 2, "umip"},
        {7, 0, 2, 3, "pku"},
        {7, 0, 2, 4, "ospke"},
        {7, 0, 2, 5, "waitpkg"},
        {7, 0, 2, 6, "avx512_vbmi2"},
        {7, 0, 2, 8, "gfni"},
        {7, 0, 2, 9, "vaes"},
        {7, 0, 2, 10, "vpclmulqdq"},
        {7, 0, 2, 11, "avx512_vnni"},
        {7, 0, 2, 12, "avx512_bitalg"},
        {7, 0, 2, 14, "avx512_vpopcntdq"},
        {7, 0, 2, 16, "la57"},
        {7, 0, 2, 22, "rdpid"},
        {7, 0, 2, 25, "cldemote"},
        {7, 0, 2, 27, "movdiri"},
        {7, 0, 2, 28, "movdir64b"},
        {7, 0, 3, 4, "fsrm"},
        {7, 0, 3, 8, "avx512_vp2intersect"},
        {7, 0, 3, 10, "md_clear"},
        {7, 0, 3, 14, "serialize"},
        {7, 0, 3, 22, "amx_bf16"},
        {7, 0, 3, 23, "avx512_fp16"},
        {7, 0, 3, 24, "amx_tile"},
        {7, 0, 3, 25, "amx_int8"},
        {7, 0, 3, 28, "flush_l1d"},
        {7, 0, 3, 29, "arch_capabilities"},
};

static bool cpuid_leaf(uint32_t function, uint32_t index, uint32_t ret[4]) {
        uint32_t top[4];

        /* A leaf past the top one its range reports does not exist. */
        if (!vm_cpuid(function & 0x80000000u, 0, top) || function > top[0])
                return false;
        return vm_cpuid(function, index, ret);
}

static void gen_cpuinfo(Process *p, Text *t) {
        uint32_t r[4] = {}, leaf1[4] = {}, brand[12] = {};
        char vendor[13] = "Unknown", model_name[49] = "";
        unsigned family, model, stepping, phys_bits = 36, virt_bits = 48;
        int khz = vm_tsc_khz(p->sandbox->vm);
        uint64_t mhz_milli = khz > 0 ? (uint64_t)khz : 0;

        if (cpuid_leaf(0, 0, r)) {
                memcpy(vendor, &r[1], 4);
                memcpy(vendor + 4, &r[3], 4);
                memcpy(vendor + 8, &r[2], 4);
                vendor[12] = '\0';
        }
        uint32_t max_leaf = r[0];
        (void)cpuid_leaf(1, 0, leaf1);
        family = (leaf1[0] >> 8) & 0xf;
        model = (leaf1[0] >> 4) & 0xf;
        stepping = leaf1[0] & 0xf;
        if (family == 0xf)
                family += (leaf1[0] >> 20) & 0xff;
        if (family >= 6)
                model += ((leaf1[0] >> 16) & 0xf) << 4;
        for (uint32_t i = 0; i < 3; i++)
                if (!cpuid_leaf(0x80000002u + i, 0, brand + 4 * i))
                        memset(brand + 4 * i, 0, 16);
        memcpy(model_name, brand, 48);
        model_name[48] = '\0';
        {
                /* Linux drops the padding Intel puts around the brand string. */
                char *s = model_name + strspn(model_name, " ");
                size_t n = strlen(s);
                while (n > 0 && s[n - 1] == ' ')
                        n--;
                memmove(model_name, s, n);
                model_name[n] = '\0';
                if (n == 0)
                        snprintf(model_name, sizeof(model_name), "Virtual CPU");
        }
        if (cpuid_leaf(0x80000008u, 0, r)) {
                phys_bits = r[0] & 0xff;
                virt_bits = (r[0] >> 8) & 0xff;
        }

        text_printf(t,
                    "processor\t: 0\n"
                    "vendor_id\t: %s\n"
                    "cpu family\t: %u\n"
                    "model\t\t: %u\n"
                    "model name\t: %s\n"
                    "stepping\t: %u\n"
                    "cpu MHz\t\t: %" PRIu64 ".%03" PRIu64 "\n"
                    "physical id\t: 0\n"
                    "siblings\t: 1\n"
                    "core id\t\t: 0\n"
                    "cpu cores\t: 1\n"
                    "apicid\t\t: 0\n"
                    "initial apicid\t: 0\n"
                    "fpu\t\t: yes\n"
                    "fpu_exception\t: yes\n"
                    "cpuid level\t: %u\n"
                    "wp\t\t: yes\n"
                    "flags\t\t:",
                    vendor, family, model, model_name, stepping, mhz_milli / 1000, mhz_milli % 1000,
                    max_leaf);
        for (size_t i = 0; i < ELEMENTSOF(cpu_flags); i++) {
                const CpuFlag *f = &cpu_flags[i];
                if (cpuid_leaf(f->function, f->index, r) && (r[f->reg] >> f->bit) & 1)
                        text_printf(t, " %s", f->name);
        }
        text_printf(t,
                    "\n"
                    "bugs\t\t:\n"
                    "bogomips\t: %" PRIu64 ".%02" PRIu64 "\n"
                    "clflush size\t: %u\n"
                    "cache_alignment\t: 64\n"
                    "address sizes\t: %u bits physical, %u bits virtual\n"
                    "power management:\n"
                    "\n",
                    mhz_milli * 2 / 1000, mhz_milli * 2 % 1000 / 10,
                    ((leaf1[1] >> 8) & 0xff) ? ((leaf1[1] >> 8) & 0xff) * 8 : 64, phys_bits,
                    virt_bits);
}

static void gen_stat(Process *p, Text *t) {
        uint64_t up = uptime_ns(p) / NS_PER_TICK, user = sandbox_cpu_ns(p->sandbox) / NS_PER_TICK;
        uint64_t idle = up > user ? up - user : 0;
        uint64_t boot = (now_ns(CLOCK_REALTIME) - MIN(uptime_ns(p), now_ns(CLOCK_REALTIME))) /
                        1000000000ULL;

        /* One CPU: the total and cpu0 are the same line. */
        for (int i = 0; i < 2; i++)
                text_printf(t, "cpu%s %" PRIu64 " 0 0 %" PRIu64 " 0 0 0 0 0 0\n",
                            i == 0 ? " " : "0", user, idle);
        text_printf(t,
                    "intr 0\n"
                    "ctxt 0\n"
                    "btime %" PRIu64 "\n"
                    "processes 1\n"
                    "procs_running 1\n"
                    "procs_blocked 0\n"
                    "softirq 0 0 0 0 0 0 0 0 0 0 0\n",
                    boot);
}

static void gen_uptime(Process *p, Text *t) {
        uint64_t up = uptime_ns(p) / 10000000ULL, cpu = sandbox_cpu_ns(p->sandbox) / 10000000ULL;
        uint64_t idle = up > cpu ? up - cpu : 0;

        /* Hundredths of a second, as Linux prints them. */
        text_printf(t, "%" PRIu64 ".%02" PRIu64 " %" PRIu64 ".%02" PRIu64 "\n", up / 100, up % 100,
                    idle / 100, idle % 100);
}

/* What the address space holds, by kind, as status, stat and statm count it. */
typedef struct MemSummary {
        uint64_t size, data, stack, exe, lib;
        uint64_t start_code, end_code, start_data, end_data;
} MemSummary;

static void mem_summary(Process *p, MemSummary *ret) {
        const ImageEntry *e = p->exe_entry ? image_entry(p->sandbox->image, p->exe_entry) : NULL;
        MemSummary s = {};

        for (size_t i = 0; i < p->mm.count; i++) {
                const Vma *v = &p->mm.vmas[i];
                uint64_t length = v->end - v->start;
                bool exe = e && v->backing == VMA_IMAGE && v->image_base == e->data_offset;

                s.size += length;
                if (v->flags & MAP_GROWSDOWN)
                        s.stack += length;
                else if ((v->prot & PROT_WRITE) && !(v->flags & MAP_SHARED))
                        s.data += length;
                if (v->backing != VMA_ANON && (v->prot & PROT_EXEC)) {
                        if (exe) {
                                s.exe += length;
                                s.start_code =
                                        s.start_code ? MIN(s.start_code, v->start) : v->start;
                                s.end_code = MAX(s.end_code, v->end);
                        } else
                                s.lib += length;
                }
                if (exe && (v->prot & PROT_WRITE)) {
                        s.start_data = s.start_data ? MIN(s.start_data, v->start) : v->start;
                        s.end_data = MAX(s.end_data, v->end);
                }
        }
        *ret = s;
}

static void signal_sets(const Process *p, uint64_t *ret_ignored, uint64_t *ret_caught) {
        *ret_ignored = *ret_caught = 0;
        for (int sig = 1; sig <= GUEST_NSIG; sig++) {
                uint64_t handler = p->actions[sig].handler, bit = 1ULL << (sig - 1);
                if (handler == (uint64_t)(uintptr_t)SIG_IGN)
                        *ret_ignored |= bit;
                else if (handler != (uint64_t)(uintptr_t)SIG_DFL)
                        *ret_caught |= bit;
        }
}

static void gen_pid_stat(Process *p, Text *t) {
        char comm[GUEST_COMM_SIZE];
        uint64_t ignored, caught;
        MemSummary m;

        process_get_name(p, comm);
        mem_summary(p, &m);
        signal_sets(p, &ignored, &caught);
        text_printf(t,
                    "%d (%s) R 1 %d %d 0 -1 4194304 %" PRIu64 " 0 0 0 %" PRIu64 " 0 0 0 20 0 %u 0 "
                    "0 %" PRIu64 " %" PRIu64 " 18446744073709551615 %" PRIu64 " %" PRIu64
                    " %" PRIu64 " 0 0 %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                    " 0 0 0 17 0 0 0 0 0 0 %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                    " %" PRIu64 " %" PRIu64 " 0\n",
                    p->pid, comm, p->pid, p->pid, p->mm.faults,
                    sandbox_cpu_ns(p->sandbox) / NS_PER_TICK, threads_alive(p), m.size,
                    p->sandbox->vm->data_pages, m.start_code, m.end_code, p->mm.stack_top,
                    p->pending_signals, p->sigmask, ignored, caught, m.start_data, m.end_data,
                    p->mm.brk_start, p->arg_start, p->arg_end, p->env_start, p->env_end);
}

static void gen_statm(Process *p, Text *t) {
        MemSummary m;

        mem_summary(p, &m);
        text_printf(t, "%" PRIu64 " %" PRIu64 " 0 %" PRIu64 " 0 %" PRIu64 " 0\n",
                    m.size / PAGE_SIZE, p->sandbox->vm->data_pages, m.exe / PAGE_SIZE,
                    (m.data + m.stack) / PAGE_SIZE);
}

static void gen_status(Process *p, Text *t) {
        char comm[GUEST_COMM_SIZE];
        uint64_t ignored, caught;
        MemSummary m;

        process_get_name(p, comm);
        mem_summary(p, &m);
        signal_sets(p, &ignored, &caught);
        text_printf(t,
                    "Name:\t%s\n"
                    "Umask:\t%04o\n"
                    "State:\tR (running)\n"
                    "Tgid:\t%d\n"
                    "Ngid:\t0\n"
                    "Pid:\t%d\n"
                    "PPid:\t1\n"
                    "TracerPid:\t0\n"
                    "Uid:\t%u\t%u\t%u\t%u\n"
                    "Gid:\t%u\t%u\t%u\t%u\n"
                    "FDSize:\t%zu\n"
                    "Groups:\t\n"
                    "NStgid:\t%d\n"
                    "NSpid:\t%d\n"
                    "NSpgid:\t%d\n"
                    "NSsid:\t%d\n",
                    comm, (unsigned)p->fs->umask, p->pid, p->pid, VFS_UID, VFS_UID, VFS_UID,
                    VFS_UID, VFS_GID, VFS_GID, VFS_GID, VFS_GID, MAX(p->fds->n_fds, (size_t)64),
                    p->pid, p->pid, p->pid, p->pid);
        text_printf(t,
                    "VmPeak:\t%8" PRIu64 " kB\n"
                    "VmSize:\t%8" PRIu64 " kB\n"
                    "VmLck:\t       0 kB\n"
                    "VmPin:\t       0 kB\n"
                    "VmHWM:\t%8" PRIu64 " kB\n"
                    "VmRSS:\t%8" PRIu64 " kB\n"
                    "RssAnon:\t%8" PRIu64 " kB\n"
                    "RssFile:\t       0 kB\n"
                    "RssShmem:\t       0 kB\n"
                    "VmData:\t%8" PRIu64 " kB\n"
                    "VmStk:\t%8" PRIu64 " kB\n"
                    "VmExe:\t%8" PRIu64 " kB\n"
                    "VmLib:\t%8" PRIu64 " kB\n"
                    "VmPTE:\t%8" PRIu64 " kB\n"
                    "VmSwap:\t       0 kB\n",
                    kb(MAX(p->mm.mapped_peak, m.size)), kb(m.size),
                    kb(p->sandbox->vm->data_pages_peak * PAGE_SIZE),
                    kb(p->sandbox->vm->data_pages * PAGE_SIZE),
                    kb(p->sandbox->vm->data_pages * PAGE_SIZE), kb(m.data), kb(m.stack), kb(m.exe),
                    kb(m.lib), kb(p->sandbox->vm->table_pages * PAGE_SIZE));
        text_printf(t,
                    "Threads:\t%u\n"
                    "SigQ:\t0/%u\n"
                    "SigPnd:\t0000000000000000\n"
                    "ShdPnd:\t%016" PRIx64 "\n"
                    "SigBlk:\t%016" PRIx64 "\n"
                    "SigIgn:\t%016" PRIx64 "\n"
                    "SigCgt:\t%016" PRIx64 "\n"
                    "CapInh:\t0000000000000000\n"
                    "CapPrm:\t0000000000000000\n"
                    "CapEff:\t0000000000000000\n"
                    "CapBnd:\t0000000000000000\n"
                    "CapAmb:\t0000000000000000\n"
                    "NoNewPrivs:\t0\n"
                    "Seccomp:\t0\n"
                    "Seccomp_filters:\t0\n"
                    "Cpus_allowed:\t1\n"
                    "Cpus_allowed_list:\t0\n"
                    "Mems_allowed:\t1\n"
                    "Mems_allowed_list:\t0\n"
                    "voluntary_ctxt_switches:\t0\n"
                    "nonvoluntary_ctxt_switches:\t0\n",
                    threads_alive(p), THREAD_MAX, p->pending_signals, p->sigmask, ignored, caught);
}

static bool image_file_before(const Image *image, uint32_t x, uint32_t y) {
        uint64_t ox = image_entry(image, x)->data_offset, oy = image_entry(image, y)->data_offset;
        return ox != oy ? ox < oy : x < y;
}

static void sift_down(const Image *image, uint32_t *a, size_t i, size_t n) {
        for (;;) {
                size_t child = 2 * i + 1, largest = i;
                if (child < n && image_file_before(image, a[largest], a[child]))
                        largest = child;
                if (child + 1 < n && image_file_before(image, a[largest], a[child + 1]))
                        largest = child + 1;
                if (largest == i)
                        return;
                uint32_t tmp = a[i];
                a[i] = a[largest];
                a[largest] = tmp;
                i = largest;
        }
}

/* A heapsort, not qsort(): glibc's asks the host's sysinfo() how much memory it may use, which
 * the worker's seccomp filter rightly refuses. */
static void sort_image_files(const Image *image, uint32_t *a, size_t n) {
        for (size_t i = n / 2; i-- > 0;)
                sift_down(image, a, i, n);
        for (size_t end = n; end-- > 1;) {
                uint32_t tmp = a[0];
                a[0] = a[end];
                a[end] = tmp;
                sift_down(image, a, 0, end);
        }
}

/* The index of the image's regular files by where their bytes lie, made once. */
static int image_files_index(Vfs *v) {
        uint32_t count = image_entry_count(v->image), n = 0;

        if (v->image_files_by_data)
                return 0;
        uint32_t *index = calloc(MAX(count, 1u), sizeof(uint32_t));
        if (!index)
                return -ENOMEM;
        for (uint32_t i = 0; i < count; i++) {
                const ImageEntry *e = image_entry(v->image, i);
                /* Empty files may share an offset with the next file's bytes. */
                if (S_ISREG(e->mode) && e->size > 0)
                        index[n++] = i;
        }
        sort_image_files(v->image, index, n);
        v->image_files_by_data = index;
        v->n_image_files_by_data = n;
        return 0;
}

/* The image file whose bytes start at data_offset (the first of several identical ones), or
 * 0. */
static uint32_t image_file_at(const Vfs *v, uint64_t data_offset) {
        uint32_t lo = 0, hi = v->n_image_files_by_data;

        while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (image_entry(v->image, v->image_files_by_data[mid])->data_offset < data_offset)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo < v->n_image_files_by_data &&
            image_entry(v->image, v->image_files_by_data[lo])->data_offset == data_offset)
                return v->image_files_by_data[lo];
        return 0;
}

static void maps_line(Text *t, uint64_t start, uint64_t end, int prot, bool shared, uint64_t offset,
                      unsigned dev, uint64_t ino, const char *name) {
        char prefix[128];
        int n;

        n = snprintf(prefix, sizeof(prefix),
                     "%08" PRIx64 "-%08" PRIx64 " %c%c%c%c %08" PRIx64 " %02x:%02x %" PRIu64 " ",
                     start, end, prot & PROT_READ ? 'r' : '-', prot & PROT_WRITE ? 'w' : '-',
                     prot & PROT_EXEC ? 'x' : '-', shared ? 's' : 'p', offset, dev >> 8, dev & 0xff,
                     ino);
        if (n < 0 || (size_t)n >= sizeof(prefix))
                return;
        /* Linux pads a name out to 72 columns (25 + 6 * sizeof(void *) - 1), then a space. */
        if (name)
                text_printf(t, "%s%*s %s\n", prefix, MAX(72 - n, 0), "", name);
        else
                text_printf(t, "%s\n", prefix);
}

/* What maps calls an anonymous mapping: the heap, the main thread's stack, or nothing. */
static const char *anon_name(const Mm *mm, const Vma *v) {
        if (v->start < ALIGN_UP(mm->brk, PAGE_SIZE) && v->end > mm->brk_start)
                return "[heap]";
        if (mm->stack_top > 0 && v->start < mm->stack_top && v->end >= mm->stack_top)
                return "[stack]";
        return NULL;
}

/* Linux merges neighbouring VMAs that differ only in where they were split (each brk or stack
 * extension, an mprotect undone): so does the listing, where ours stay apart. */
static bool maps_mergeable(const Mm *mm, const Vma *a, const Vma *b) {
        if (a->end != b->start || a->prot != b->prot || a->flags != b->flags ||
            a->backing != b->backing)
                return false;
        if (a->backing == VMA_IMAGE)
                return a->image_base == b->image_base &&
                       a->file_offset + (a->end - a->start) == b->file_offset;
        return a->backing == VMA_ANON && anon_name(mm, a) == anon_name(mm, b);
}

static void gen_maps(Process *p, Text *t) {
        const Mm *mm = &p->mm;
        char path[PATH_MAX];

        for (size_t i = 0; i < mm->count && !t->full && !t->error; i++) {
                const Vma *v = &mm->vmas[i];
                const char *name = NULL;
                uint64_t offset = 0, ino = 0, start = v->start;
                unsigned dev = 0;

                while (i + 1 < mm->count && maps_mergeable(mm, &mm->vmas[i], &mm->vmas[i + 1]))
                        i++;
                if (v->backing == VMA_IMAGE) {
                        uint32_t entry = image_file_at(p->sandbox->vfs, v->image_base);
                        offset = v->file_offset;
                        dev = VFS_DEV_IMAGE;
                        if (entry) {
                                ino = (uint64_t)entry + 1;
                                if (vfs_node_path(p->sandbox->vfs,
                                                  (VNode){.fs = FS_IMAGE, .idx = entry}, path,
                                                  sizeof(path)) >= 0)
                                        name = path;
                        }
                } else if (v->backing == VMA_ANON)
                        name = anon_name(mm, v);
                /* A tmpfs file's copy (VMA_COPY) has no name left to show: it lists as
                 * anonymous. */
                maps_line(t, start, mm->vmas[i].end, v->prot, v->flags & MAP_SHARED, offset, dev,
                          ino, name);
        }
        if (paging_lookup(p->sandbox->vm, VA_VVAR)) {
                maps_line(t, VA_VVAR, VA_VVAR + PAGE_SIZE, PROT_READ, false, 0, 0, 0, "[vvar]");
                maps_line(t, VA_VDSO, VA_VDSO + vdso_size(), PROT_READ | PROT_EXEC, false, 0, 0, 0,
                          "[vdso]");
        }
}

/* cmdline and environ: the bytes as they are in the program's memory now. */
static void gen_user_bytes(Process *p, Text *t, uint64_t start, uint64_t end) {
        uint64_t length;

        if (end <= start)
                return;
        length = MIN(end - start, (uint64_t)PROCFS_FILE_MAX);
        if (!text_reserve(t, length))
                return;
        if (copy_from_user(&p->mm, t->data + t->size, start, length) < 0)
                return; /* unmapped by the program: nothing to show, as Linux shows */
        t->size += length;
}

static int generate(Vfs *v, ProcNode k, Text *t) {
        Process *p = procfs_process(v);
        char comm[GUEST_COMM_SIZE];
        int r;

        switch (k) {
        case PROC_CPUINFO:
                gen_cpuinfo(p, t);
                break;
        case PROC_LOADAVG:
                /* Nothing else runs in the VM: no load, running/total threads, the last pid. */
                text_printf(t, "0.00 0.00 0.00 1/%u %d\n", threads_alive(p), p->pid);
                break;
        case PROC_MEMINFO:
                gen_meminfo(p, t);
                break;
        case PROC_STAT:
                gen_stat(p, t);
                break;
        case PROC_UPTIME:
                gen_uptime(p, t);
                break;
        case PROC_VERSION:
                text_printf(t, GUEST_UTS_SYSNAME " version " GUEST_UTS_RELEASE
                                                 " (sandboxd@" GUEST_UTS_NODENAME
                                                 ") (sandboxd) " GUEST_UTS_VERSION "\n");
                break;
        case PROC_SYS_KERNEL_HOSTNAME:
                text_printf(t, GUEST_UTS_NODENAME "\n");
                break;
        case PROC_SYS_KERNEL_OSRELEASE:
                text_printf(t, GUEST_UTS_RELEASE "\n");
                break;
        case PROC_SYS_KERNEL_OSTYPE:
                text_printf(t, GUEST_UTS_SYSNAME "\n");
                break;
        case PROC_PID_CGROUP:
                text_printf(t, "0::/\n");
                break;
        case PROC_PID_CMDLINE:
                gen_user_bytes(p, t, p->arg_start, p->arg_end);
                break;
        case PROC_PID_COMM:
                process_get_name(p, comm);
                text_printf(t, "%s\n", comm);
                break;
        case PROC_PID_ENVIRON:
                gen_user_bytes(p, t, p->env_start, p->env_end);
                break;
        case PROC_PID_MAPS:
                r = image_files_index(v);
                if (r < 0)
                        return r;
                gen_maps(p, t);
                break;
        case PROC_PID_STAT:
                gen_pid_stat(p, t);
                break;
        case PROC_PID_STATM:
                gen_statm(p, t);
                break;
        case PROC_PID_STATUS:
                gen_status(p, t);
                break;
        default:
                return -EINVAL;
        }
        return t->error;
}

int procfs_open(Vfs *v, OpenFile *f) {
        Text t = {};
        int r;

        if (!procfs_process(v))
                return -ENOENT;
        if (v->procfs_bytes >= PROCFS_TOTAL_MAX)
                return -ENOMEM;
        r = generate(v, kind_of(f->node.idx), &t);
        if (r < 0) {
                free(t.data);
                return r;
        }
        if (t.size > PROCFS_TOTAL_MAX - v->procfs_bytes) {
                free(t.data);
                return -ENOMEM;
        }
        /* Keep only what was written. */
        if (t.size < t.allocated) {
                char *d = realloc(t.data, MAX(t.size, (size_t)1));
                if (d)
                        t.data = d;
        }
        f->proc_data = t.data;
        f->proc_size = t.size;
        v->procfs_bytes += t.size;
        return 0;
}

void procfs_release(OpenFile *f) {
        if (f->vfs)
                f->vfs->procfs_bytes -= MIN(f->vfs->procfs_bytes, (uint64_t)f->proc_size);
        free(f->proc_data);
        f->proc_data = NULL;
        f->proc_size = 0;
}

void procfs_vfs_done(Vfs *v) {
        free(v->image_files_by_data);
        v->image_files_by_data = NULL;
        v->n_image_files_by_data = 0;
}

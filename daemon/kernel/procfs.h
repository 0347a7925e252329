/* SPDX-License-Identifier: MIT */
/* /proc: what Linux's procfs shows of the processes of the sandbox a Vfs belongs to
 * (vfs_set_sandbox). vnode.c dispatches FS_PROC nodes here; VNode.idx is a ProcNode, and for an
 * fd's link also the fd number (PROC_NODE()).
 *
 *   /proc/{cpuinfo,loadavg,meminfo,stat,uptime,version}, /proc/sys/kernel/{hostname,osrelease,
 *   ostype}, /proc/self -> <pid>, and /proc/<pid>/ with cgroup, cmdline, comm, cwd, environ,
 *   exe, fd/ (one link per open fd), maps, stat, statm and status.
 *
 * Only init's pid exists so far (nodes carry no pid yet); every other number is -ENOENT. Nothing here shows the host:
 * memory is the program's limit and use, time is the VM's since it was made, the CPU is the one
 * the VM's CPUID describes.
 *
 * A file's contents are made when it is opened (a snapshot of that moment, like Linux's
 * seq_file) and kept in the open file until it is closed; fstat says size 0, as on Linux. Each
 * file is at most PROCFS_FILE_MAX bytes (maps stops at a line's end) and all of a process's open
 * ones at most PROCFS_TOTAL_MAX together (-ENOMEM past it), so a program that opens them in a
 * loop costs bounded host memory. Nothing under /proc can be written, created or removed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "vnode.h"

typedef struct OpenFile OpenFile;

#define PROCFS_FILE_MAX  (4u * 1024 * 1024)
#define PROCFS_TOTAL_MAX (64u * 1024 * 1024)

typedef enum ProcNode {
        PROC_ROOT, /* the mount's root: idx 0 */
        PROC_SELF,
        PROC_CPUINFO,
        PROC_LOADAVG,
        PROC_MEMINFO,
        PROC_STAT,
        PROC_SYS,
        PROC_UPTIME,
        PROC_VERSION,
        PROC_PID, /* /proc/<pid>: listed after the files, as on Linux */
        PROC_SYS_KERNEL,
        PROC_SYS_KERNEL_HOSTNAME,
        PROC_SYS_KERNEL_OSRELEASE,
        PROC_SYS_KERNEL_OSTYPE,
        PROC_PID_CGROUP,
        PROC_PID_CMDLINE,
        PROC_PID_COMM,
        PROC_PID_CWD,
        PROC_PID_ENVIRON,
        PROC_PID_EXE,
        PROC_PID_FD,
        PROC_PID_MAPS,
        PROC_PID_STAT,
        PROC_PID_STATM,
        PROC_PID_STATUS,
        PROC_PID_FD_LINK, /* /proc/<pid>/fd/<n> */
        _PROC_NODE_MAX,
} ProcNode;

/* VNode.idx of a /proc node: the kind in the low byte, the fd number above it (fds stay below
 * FDTABLE_MAX_LIMIT, 2^20, so it fits). */
#define PROC_NODE(kind, fd)  ((uint32_t)(kind) | ((uint32_t)(fd) << 8))
#define PROC_NODE_KIND(idx)  ((ProcNode)((idx) & 0xffu))
#define PROC_NODE_FD(idx)    ((int)((idx) >> 8))

mode_t procfs_mode(const Vfs *v, uint32_t node);
void procfs_stat(const Vfs *v, uint32_t node, struct stat *ret);
/* -ENOENT (other pids, closed fds, anything else), -ENOTDIR. */
int procfs_lookup(const Vfs *v, uint32_t dir, const char *name, size_t name_length,
                  uint32_t *ret);
/* The directory holding a node other than the root. */
uint32_t procfs_parent(uint32_t node);
int procfs_name(const Vfs *v, uint32_t node, char buf[static VNODE_NAME_BUF],
                const char **ret_name, size_t *ret_length);
/* As vnode_readdir, k counting from 0. */
int procfs_readdir(const Vfs *v, uint32_t dir, uint64_t k, VDirent *ret);

/* readlink(2) of a /proc link: copies at most size bytes of the target, returns the count.
 * -EINVAL for a non-link, -ENOENT if what it named is gone. */
ssize_t procfs_readlink(const Vfs *v, uint32_t node, char *buf, size_t size);
/* Where a /proc link leads when a path goes through it: straight to the node it names, as
 * Linux's "magic" links do (so /proc/self/fd/N reaches a removed file too). Borrowed. -ENOENT;
 * -ENXIO for an fd that is no file of the namespace (a pipe, a socket, a stream). */
int procfs_follow(const Vfs *v, uint32_t node, VNode *ret);

/* Makes the contents of the regular /proc file `f` is open on (f->proc_data). -ENOMEM. */
int procfs_open(Vfs *v, OpenFile *f);
/* Drops them: for file_unref. */
void procfs_release(OpenFile *f);

/* The file mappings index (made by procfs_open for maps), freed with the Vfs. */
void procfs_vfs_done(Vfs *v);

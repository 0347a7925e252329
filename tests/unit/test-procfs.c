/* SPDX-License-Identifier: MIT */
/* /proc as the program sees it: a process made from the real image (argv[1]) and exec'd up to
 * its first instruction (python3.11, never run), its /proc read through the VFS and the
 * syscalls, with hostile offsets, lengths and loops. Needs /dev/kvm. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "layout.h"
#include "macro.h"
#include "procfs.h"
#include "process.h"
#include "syscall.h"
#include "test-helpers.h"
#include "uaccess.h"
#include "vfs-internal.h"

#define MEMORY_LIMIT (64ull << 20)

static Process *p;

static ssize_t sink(void *userdata, int stream, const void *buf, size_t len) {
        return (ssize_t)len;
}

static int64_t call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
        struct kvm_regs *regs = vm_regs(p->sandbox->vm);
        regs->rax = nr;
        regs->rdi = a0, regs->rsi = a1, regs->rdx = a2, regs->r10 = a3, regs->r8 = 0, regs->r9 = 0;
        syscall_dispatch(p);
        return (int64_t)regs->rax;
}

static int open_(const char *path, int flags) {
        return vfs_openat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path, flags, 0644);
}

/* The whole file, read in odd-sized pieces, NUL-terminated; NULL if it can't be opened. */
static char *slurp(const char *path, size_t *ret_size) {
        int fd = open_(path, O_RDONLY);
        size_t size = 0, allocated = 0;
        char *data = NULL;

        if (fd < 0)
                return NULL;
        for (;;) {
                if (allocated - size < 1000) {
                        allocated = allocated * 2 + 4096;
                        data = realloc(data, allocated);
                        if (!data)
                                abort();
                }
                ssize_t n = fdtable_read(p->fds, fd, data + size, 777);
                CHECK(n >= 0);
                if (n <= 0)
                        break;
                size += (size_t)n;
        }
        fdtable_close(p->fds, fd);
        data[size] = '\0';
        if (ret_size)
                *ret_size = size;
        return data;
}

static const char *readlink_(const char *path) {
        static char buf[PATH_MAX + 1];
        ssize_t n = vfs_readlinkat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path, buf, PATH_MAX);
        if (n < 0)
                snprintf(buf, sizeof(buf), "error %zd", n);
        else
                buf[n] = '\0';
        return buf;
}

static int stat_(const char *path, int flags, struct stat *st) {
        return vfs_fstatat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path, flags, st);
}

/* "name,name,..." of a directory, without "." and "..", read a few entries at a time. */
static char *list_dir(const char *path) {
        static char names[8192];
        uint8_t buf[100];
        int fd = open_(path, O_RDONLY | O_DIRECTORY);
        ssize_t n;

        names[0] = '\0';
        if (fd < 0) {
                snprintf(names, sizeof(names), "error %d", fd);
                return names;
        }
        while ((n = fdtable_getdents64(p->fds, fd, buf, sizeof(buf))) > 0)
                for (ssize_t off = 0; off < n;) {
                        uint16_t reclen;
                        memcpy(&reclen, buf + off + 16, 2);
                        const char *name = (const char *)buf + off + 19;
                        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
                                strncat(names, name, sizeof(names) - strlen(names) - 2);
                                strcat(names, ",");
                        }
                        off += reclen;
                }
        CHECK_EQ(n, 0);
        fdtable_close(p->fds, fd);
        return names;
}

static bool has_line(const char *text, const char *line) {
        size_t n = strlen(line);
        for (const char *s = text; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
                if (strncmp(s, line, n) == 0 && (s[n] == '\n' || s[n] == '\0'))
                        return true;
        return false;
}

/* The number after "name" at the start of a line ("MemTotal:", "Pid:"...). */
static long long field(const char *text, const char *name) {
        size_t n = strlen(name);
        for (const char *s = text; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
                if (strncmp(s, name, n) == 0)
                        return strtoll(s + n, NULL, 10);
        return -1;
}

static void test_tree(void) {
        struct stat st;

        CHECK(strcmp(list_dir("/proc"), "self,cpuinfo,loadavg,meminfo,stat,sys,uptime,version,2,") ==
              0);
        CHECK(strcmp(list_dir("/proc/self"), "cgroup,cmdline,comm,cwd,environ,exe,fd,maps,stat,"
                                             "statm,status,") == 0);
        CHECK(strcmp(list_dir("/proc/sys/kernel"), "hostname,osrelease,ostype,") == 0);
        CHECK(strcmp(readlink_("/proc/self"), "2") == 0);

        CHECK_EQ(stat_("/proc", 0, &st), 0);
        CHECK(S_ISDIR(st.st_mode) && st.st_nlink == 4 && st.st_dev == VFS_DEV_PROC);
        CHECK_EQ(stat_("/proc/self", AT_SYMLINK_NOFOLLOW, &st), 0);
        CHECK(S_ISLNK(st.st_mode));
        CHECK_EQ(stat_("/proc/self", 0, &st), 0);
        CHECK(S_ISDIR(st.st_mode) && st.st_uid == VFS_UID);
        CHECK_EQ(stat_("/proc/self/status", 0, &st), 0);
        CHECK(S_ISREG(st.st_mode) && st.st_size == 0 && (st.st_mode & 0777) == 0444);
        CHECK_EQ(stat_("/proc/self/fd", 0, &st), 0);
        CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0500);
        CHECK_EQ(stat_("/proc/self/..", 0, &st), 0);
        CHECK(S_ISDIR(st.st_mode) && st.st_ino == 1);
        CHECK_EQ(stat_("/proc/self/fd/../../self/./status", 0, &st), 0);

        /* Only the process's own pid, spelled as Linux spells numbers. */
        CHECK_EQ(stat_("/proc/1", 0, &st), -ENOENT);
        CHECK_EQ(stat_("/proc/3/status", 0, &st), -ENOENT);
        CHECK_EQ(stat_("/proc/02", 0, &st), -ENOENT);
        CHECK_EQ(stat_("/proc/+2", 0, &st), -ENOENT);
        CHECK_EQ(stat_("/proc/99999999999999999999", 0, &st), -ENOENT);
        CHECK_EQ(stat_("/proc/self/nothing", 0, &st), -ENOENT);
        CHECK_EQ(stat_("/proc/nothing", 0, &st), -ENOENT);
        CHECK_EQ(stat_("/proc/self/fd/999", 0, &st), -ENOENT);
        CHECK_EQ(stat_("/proc/self/fd/-1", 0, &st), -ENOENT);
        CHECK_EQ(stat_("/proc/meminfo/x", 0, &st), -ENOTDIR);
        CHECK_EQ(open_("/proc/thread-self", O_RDONLY), -ENOENT);
}

static void test_links(void) {
        char buf[16];

        CHECK(strcmp(readlink_("/proc/self/exe"), "/usr/bin/python3.11") == 0);
        CHECK(strcmp(readlink_("/proc/2/exe"), "/usr/bin/python3.11") == 0);
        CHECK(strcmp(readlink_("/proc/self/cwd"), "/home/sandbox") == 0);
        CHECK_EQ(vfs_chdir(p->sandbox->vfs, p->fs, p->fds, "/tmp"), 0);
        CHECK(strcmp(readlink_("/proc/self/cwd"), "/tmp") == 0);
        CHECK_EQ(vfs_chdir(p->sandbox->vfs, p->fs, p->fds, "/proc/self/cwd"), 0); /* a link to a directory */
        CHECK(strcmp(readlink_("/proc/self/cwd"), "/tmp") == 0);
        /* readlink's truncation, and what is no link. */
        CHECK_EQ(vfs_readlinkat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/self/exe", buf, 5), 5);
        CHECK(memcmp(buf, "/usr/", 5) == 0);
        CHECK_EQ(vfs_readlinkat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/self/exe", buf, 0), -EINVAL);
        CHECK_EQ(vfs_readlinkat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/meminfo", buf, 16), -EINVAL);
        CHECK_EQ(vfs_readlinkat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/self/fd", buf, 16), -EINVAL);
        CHECK_EQ(vfs_readlinkat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/self/fd/77", buf, 16), -ENOENT);

        /* exe leads to the file: its ELF header. */
        int fd = open_("/proc/self/exe", O_RDONLY);
        CHECK(fd >= 0);
        CHECK_EQ(fdtable_read(p->fds, fd, buf, 4), 4);
        CHECK(memcmp(buf, "\177ELF", 4) == 0);
        fdtable_close(p->fds, fd);

        /* A directory reached through /proc has a path through /proc. */
        CHECK_EQ(vfs_chdir(p->sandbox->vfs, p->fs, p->fds, "/proc/self/fd"), 0);
        char cwd[PATH_MAX];
        CHECK_EQ(vfs_getcwd(p->sandbox->vfs, p->fs, cwd, sizeof(cwd)), 11);
        CHECK(strcmp(cwd, "/proc/2/fd") == 0);
        CHECK_EQ(vfs_chdir(p->sandbox->vfs, p->fs, p->fds, "/home/sandbox"), 0);
}

static void test_fds(void) {
        char expected[64], data[16];
        struct stat st;
        int pipe_fds[2];

        CHECK(strncmp(list_dir("/proc/self/fd"), "0,1,2,", 6) == 0);
        CHECK(strcmp(readlink_("/proc/self/fd/0"), "pipe:[1]") == 0);
        CHECK(strcmp(readlink_("/proc/self/fd/1"), "pipe:[2]") == 0);
        CHECK(strcmp(readlink_("/proc/self/fd/2"), "pipe:[3]") == 0);

        CHECK_EQ(vfs_pipe2(p->sandbox->vfs, p->fds, pipe_fds, 0), 0);
        CHECK_EQ(fdtable_fstat(p->fds, pipe_fds[0], &st), 0);
        snprintf(expected, sizeof(expected), "pipe:[%" PRIu64 "]", (uint64_t)st.st_ino);
        snprintf(data, sizeof(data), "/proc/self/fd/%d", pipe_fds[1]);
        CHECK(strcmp(readlink_(data), expected) == 0);
        CHECK_EQ(stat_(data, AT_SYMLINK_NOFOLLOW, &st), 0);
        CHECK(S_ISLNK(st.st_mode) && (st.st_mode & 0777) == 0300); /* write end: -wx */
        CHECK_EQ(open_(data, O_WRONLY), -ENXIO); /* a pipe is no file of the namespace */
        fdtable_close(p->fds, pipe_fds[0]);
        fdtable_close(p->fds, pipe_fds[1]);

        /* A tmpfs file: its path; through the link, the file itself, even once removed. */
        int fd = vfs_openat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/tmp/data.txt", O_CREAT | O_RDWR, 0600);
        CHECK(fd >= 0);
        CHECK_EQ(fdtable_write(p->fds, fd, "hello", 5), 5);
        snprintf(data, sizeof(data), "/proc/self/fd/%d", fd);
        CHECK(strcmp(readlink_(data), "/tmp/data.txt") == 0);
        CHECK_EQ(stat_(data, AT_SYMLINK_NOFOLLOW, &st), 0);
        CHECK((st.st_mode & 0777) == 0700);
        CHECK_EQ(vfs_mkdirat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/tmp/sub", 0755), 0);
        CHECK_EQ(vfs_renameat2(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/tmp/data.txt", AT_FDCWD,
                               "/tmp/sub/moved", 0),
                 0);
        CHECK(strcmp(readlink_(data), "/tmp/sub/moved") == 0);
        CHECK_EQ(vfs_unlinkat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/tmp/sub/moved", 0), 0);
        CHECK(strstr(readlink_(data), " (deleted)") != NULL);
        int again = open_(data, O_RDONLY);
        CHECK(again >= 0);
        char back[8] = {};
        CHECK_EQ(fdtable_read(p->fds, again, back, sizeof(back)), 5);
        CHECK(memcmp(back, "hello", 5) == 0);
        CHECK_EQ(stat_(data, 0, &st), 0);
        CHECK(S_ISREG(st.st_mode) && st.st_size == 5 && st.st_nlink == 0);
        fdtable_close(p->fds, again);
        fdtable_close(p->fds, fd);
        CHECK_EQ(stat_(data, 0, &st), -ENOENT);

        /* An O_PATH fd: a link with no rights; a /proc file open at an fd names itself. */
        fd = open_("/etc", O_PATH);
        CHECK(fd >= 0);
        snprintf(data, sizeof(data), "/proc/self/fd/%d", fd);
        CHECK(strcmp(readlink_(data), "/etc") == 0);
        CHECK_EQ(stat_(data, AT_SYMLINK_NOFOLLOW, &st), 0);
        CHECK((st.st_mode & 0777) == 0);
        fdtable_close(p->fds, fd);
        fd = open_("/proc/self/status", O_RDONLY);
        snprintf(data, sizeof(data), "/proc/self/fd/%d", fd);
        CHECK(strcmp(readlink_(data), "/proc/2/status") == 0);
        fdtable_close(p->fds, fd);
}

static void test_contents(void) {
        size_t size;
        char *s;

        s = slurp("/proc/self/cmdline", &size);
        CHECK(s && size == 16 && memcmp(s, "python3\0-c\0pass\0", 16) == 0);
        free(s);
        s = slurp("/proc/self/environ", &size);
        CHECK(s && size == 14 && memcmp(s, "A=1\0EMPTY=\0Z=\0", 14) == 0);
        free(s);

        s = slurp("/proc/self/status", NULL);
        CHECK(s && has_line(s, "Name:\tpython3.11") && has_line(s, "Pid:\t2") &&
              has_line(s, "Tgid:\t2") && has_line(s, "PPid:\t1") &&
              has_line(s, "Uid:\t1000\t1000\t1000\t1000") && has_line(s, "Threads:\t1") &&
              has_line(s, "State:\tR (running)"));
        CHECK(field(s, "VmSize:") > 1000 && field(s, "VmPeak:") >= field(s, "VmSize:"));
        CHECK_EQ(field(s, "VmRSS:"), (long long)(p->sandbox->vm->data_pages * 4));
        CHECK(field(s, "VmStk:") >= 128 && field(s, "VmExe:") > 0 && field(s, "VmLib:") > 0);
        free(s);

        /* stat: 52 fields; rss (24) in pages, as libuv reads it. */
        s = slurp("/proc/self/stat", NULL);
        CHECK(s && strncmp(s, "2 (python3.11) R 1 2 2 ", 23) == 0);
        if (s) {
                const char *rest = strrchr(s, ')') + 2;
                unsigned long long values[60];
                int n = 0;
                for (char *end; n < 60 && *rest && *rest != '\n'; rest = end, n++) {
                        if (n == 0) { /* the state letter */
                                end = (char *)rest + 1;
                                values[n] = 0;
                        } else
                                values[n] = strtoull(rest, &end, 10);
                        while (*end == ' ')
                                end++;
                }
                CHECK_EQ(n + 2, 52);
                CHECK_EQ(values[24 - 3], p->sandbox->vm->data_pages);
                CHECK_EQ(values[48 - 3], p->arg_start);
                CHECK_EQ(values[51 - 3], p->env_end);
        }
        free(s);
        s = slurp("/proc/self/statm", NULL);
        unsigned long long statm[7] = {};
        CHECK(s && sscanf(s, "%llu %llu %llu %llu %llu %llu %llu", &statm[0], &statm[1], &statm[2],
                          &statm[3], &statm[4], &statm[5], &statm[6]) == 7);
        CHECK_EQ(statm[1], p->sandbox->vm->data_pages);
        free(s);

        /* maps: sorted, disjoint, named like Linux's. */
        s = slurp("/proc/self/maps", NULL);
        CHECK(s && strstr(s, " /usr/bin/python3.11\n") && strstr(s, "[stack]\n") &&
              strstr(s, "[vdso]\n") && strstr(s, "[vvar]\n") &&
              strstr(s, "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"));
        uint64_t last_end = 0;
        int lines = 0;
        for (char *line = s; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                uint64_t start, end, offset;
                char perms[5];
                unsigned major, minor;
                unsigned long long ino;
                CHECK_EQ(sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %llu", &start,
                                &end, perms, &offset, &major, &minor, &ino),
                         7);
                CHECK(start < end && start >= last_end && start % 4096 == 0 && end % 4096 == 0);
                last_end = end;
                lines++;
                const char *nl = strchr(line, '\n');
                if (nl && nl - line > 73)
                        CHECK(line[72] == ' ' && line[73] != ' '); /* names at column 73 */
        }
        CHECK(lines > 5);
        free(s);

        s = slurp("/proc/meminfo", NULL);
        CHECK(s && field(s, "MemTotal:") == (long long)(MEMORY_LIMIT / 1024));
        CHECK(field(s, "MemAvailable:") > 0 && field(s, "MemAvailable:") <= field(s, "MemTotal:"));
        CHECK_EQ(field(s, "MemFree:"), (long long)((MEMORY_LIMIT - p->sandbox->memory.committed) / 1024));
        free(s);

        s = slurp("/proc/stat", NULL);
        unsigned long long user, nice, sys, idle;
        CHECK(s && sscanf(s, "cpu  %llu %llu %llu %llu", &user, &nice, &sys, &idle) == 4);
        CHECK(s && strstr(s, "\ncpu0 ") && strstr(s, "\nbtime ") && !strstr(s, "cpu1"));
        free(s);

        s = slurp("/proc/uptime", NULL);
        double up = -1, idle_s = -1;
        CHECK(s && sscanf(s, "%lf %lf", &up, &idle_s) == 2 && up >= 0 && idle_s >= 0);
        free(s);
        s = slurp("/proc/loadavg", NULL);
        CHECK(s && strcmp(s, "0.00 0.00 0.00 1/1 2\n") == 0);
        free(s);
        s = slurp("/proc/version", NULL);
        CHECK(s && strncmp(s, "Linux version " GUEST_UTS_RELEASE " ", 20) == 0);
        free(s);
        s = slurp("/proc/sys/kernel/osrelease", NULL);
        CHECK(s && strcmp(s, GUEST_UTS_RELEASE "\n") == 0);
        free(s);
        s = slurp("/proc/sys/kernel/hostname", NULL);
        CHECK(s && strcmp(s, "sandbox\n") == 0);
        free(s);
        s = slurp("/proc/self/cgroup", NULL);
        CHECK(s && strcmp(s, "0::/\n") == 0);
        free(s);
        s = slurp("/proc/cpuinfo", NULL);
        CHECK(s && has_line(s, "processor\t: 0") && strstr(s, "\nmodel name\t: ") &&
              strstr(s, "\ncpu MHz\t\t: ") && strstr(s, "\nflags\t\t:") && !strstr(s, "processor\t: 1"));
        free(s);
        s = slurp("/proc/self/comm", NULL);
        CHECK(s && strcmp(s, "python3.11\n") == 0);
        free(s);
}

static void test_refusals(void) {
        CHECK_EQ(open_("/proc/meminfo", O_WRONLY), -EACCES);
        CHECK_EQ(open_("/proc/meminfo", O_RDWR), -EACCES);
        CHECK_EQ(open_("/proc/meminfo", O_RDONLY | O_TRUNC), -EACCES);
        CHECK_EQ(open_("/proc/self/status", O_WRONLY | O_APPEND), -EACCES);
        CHECK_EQ(open_("/proc/new", O_CREAT | O_WRONLY), -EACCES);
        CHECK_EQ(open_("/proc/self/new", O_CREAT | O_RDONLY), -EACCES);
        CHECK_EQ(open_("/proc/meminfo", O_CREAT | O_EXCL | O_WRONLY), -EEXIST);
        CHECK_EQ(open_("/proc/self", O_WRONLY), -EISDIR);
        CHECK_EQ(open_("/proc/meminfo", O_RDONLY | O_DIRECTORY), -ENOTDIR);
        CHECK_EQ(open_("/proc/self", O_RDONLY | O_NOFOLLOW), -ELOOP);
        CHECK_EQ(vfs_mkdirat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/dir", 0755), -EACCES);
        CHECK_EQ(vfs_mkdirat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/self", 0755), -EEXIST);
        CHECK_EQ(vfs_unlinkat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/meminfo", 0), -EACCES);
        CHECK_EQ(vfs_unlinkat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/self/fd", AT_REMOVEDIR), -EACCES);
        CHECK_EQ(vfs_symlinkat(p->sandbox->vfs, p->fs, p->fds, "x", AT_FDCWD, "/proc/link"), -EACCES);
        CHECK_EQ(vfs_renameat2(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/meminfo", AT_FDCWD, "/proc/m", 0),
                 -EACCES);
        CHECK_EQ(vfs_renameat2(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/meminfo", AT_FDCWD, "/tmp/m", 0),
                 -EXDEV);
        CHECK_EQ(vfs_truncate(p->sandbox->vfs, p->fs, p->fds, "/proc/meminfo", 0), -EACCES);
        CHECK_EQ(vfs_fchmodat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/meminfo", 0666, 0), -EPERM);
        CHECK_EQ(vfs_linkat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/meminfo", AT_FDCWD, "/tmp/l", 0),
                 -EXDEV);
        CHECK_EQ(vfs_faccessat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/meminfo", W_OK, 0), -EACCES);
        CHECK_EQ(vfs_faccessat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, "/proc/self/environ", R_OK, 0), 0);

        int fd = open_("/proc/meminfo", O_RDONLY);
        CHECK(fd >= 0);
        CHECK_EQ(fdtable_write(p->fds, fd, "x", 1), -EBADF);
        CHECK_EQ(fdtable_ftruncate(p->fds, fd, 0), -EINVAL);
        uint8_t dirents[256];
        CHECK_EQ(fdtable_getdents64(p->fds, fd, dirents, sizeof(dirents)), -ENOTDIR);
        /* Not mappable, as Linux's seq_files are not. */
        MmSource source;
        OpenFile *f;
        CHECK_EQ(fdtable_get(p->fds, fd, &f), 0);
        CHECK_EQ(process_file_source(p, f, &source, NULL, NULL), -ENODEV);
        fdtable_close(p->fds, fd);
}

static void test_reads(void) {
        size_t size;
        char *whole = slurp("/proc/self/maps", &size), buf[4096];
        struct stat st;
        int fd;

        CHECK(whole && size > 100);
        fd = open_("/proc/self/maps", O_RDONLY);
        CHECK(fd >= 0);
        CHECK_EQ(fdtable_fstat(p->fds, fd, &st), 0);
        CHECK(S_ISREG(st.st_mode) && st.st_size == 0);
        /* Any offset, any length. */
        CHECK_EQ(fdtable_pread(p->fds, fd, buf, sizeof(buf), (int64_t)size), 0);
        CHECK_EQ(fdtable_pread(p->fds, fd, buf, sizeof(buf), INT64_MAX), 0);
        CHECK_EQ(fdtable_pread(p->fds, fd, buf, sizeof(buf), -1), -EINVAL);
        CHECK_EQ(fdtable_pread(p->fds, fd, buf, 0, 0), 0);
        CHECK_EQ(fdtable_pread(p->fds, fd, buf, 10, (int64_t)size - 3), 3);
        CHECK(memcmp(buf, whole + size - 3, 3) == 0);
        CHECK_EQ(fdtable_pread(p->fds, fd, buf, 10, 7), 10);
        CHECK(memcmp(buf, whole + 7, 10) == 0);
        CHECK_EQ(fdtable_lseek(p->fds, fd, 0, SEEK_END), -EINVAL);
        CHECK_EQ(fdtable_lseek(p->fds, fd, 0, SEEK_DATA), -EINVAL);
        CHECK_EQ(fdtable_lseek(p->fds, fd, -1, SEEK_SET), -EINVAL);
        CHECK_EQ(fdtable_lseek(p->fds, fd, INT64_MAX, SEEK_SET), INT64_MAX);
        CHECK_EQ(fdtable_read(p->fds, fd, buf, sizeof(buf)), 0);
        CHECK_EQ(fdtable_lseek(p->fds, fd, 5, SEEK_SET), 5);
        CHECK_EQ(fdtable_lseek(p->fds, fd, 5, SEEK_CUR), 10);
        CHECK_EQ(fdtable_read(p->fds, fd, buf, 1), 1);
        CHECK_EQ(buf[0], whole[10]);
        /* Byte by byte, the same file. */
        CHECK_EQ(fdtable_lseek(p->fds, fd, 0, SEEK_SET), 0);
        size_t got = 0;
        bool same = true;
        for (ssize_t n; (n = fdtable_read(p->fds, fd, buf, 1)) == 1; got++)
                same = same && got < size && buf[0] == whole[got];
        CHECK(same && got == size);
        fdtable_close(p->fds, fd);
        free(whole);

        /* Through the syscalls, into hostile buffers: -EFAULT, nothing breaks. */
        fd = open_("/proc/self/status", O_RDONLY);
        CHECK_EQ(call(SYS_read, (uint64_t)fd, 0, 100, 0), -EFAULT);
        CHECK_EQ(call(SYS_read, (uint64_t)fd, KERNEL_VA, 100, 0), -EFAULT);
        CHECK_EQ(call(SYS_pread64, (uint64_t)fd, USER_MAX - 8, 100, 0), -EFAULT);
        CHECK_EQ(call(SYS_readlink, 0, 0, 100, 0), -EFAULT);
        fdtable_close(p->fds, fd);
}

static void test_snapshot_at_open(void) {
        int fd = open_("/proc/meminfo", O_RDONLY);
        char before[4096] = {}, after[4096] = {};
        char *fresh;

        CHECK(fd >= 0);
        CHECK(call(SYS_mmap, 0, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS) > 0);
        CHECK(fdtable_read(p->fds, fd, before, sizeof(before) - 1) > 0);
        fresh = slurp("/proc/meminfo", NULL);
        CHECK_EQ(fdtable_lseek(p->fds, fd, 0, SEEK_SET), 0);
        CHECK(fdtable_read(p->fds, fd, after, sizeof(after) - 1) > 0);
        /* The open file keeps the moment it was opened; a new open sees the mapping. */
        CHECK(strcmp(before, after) == 0);
        CHECK(fresh && field(fresh, "MemFree:") + 8 * 1024 == field(before, "MemFree:"));
        free(fresh);
        fdtable_close(p->fds, fd);
}

static void test_bounds(void) {
        static int fds[60000];
        size_t n = 0;
        int r = 0;

        /* Open and close in a loop: nothing is kept. */
        CHECK_EQ(p->sandbox->vfs->procfs_bytes, 0);
        for (int i = 0; i < 3000; i++) {
                int fd = open_(i % 2 ? "/proc/self/maps" : "/proc/self/status", O_RDONLY);
                CHECK(fd >= 0);
                fdtable_close(p->fds, fd);
        }
        CHECK_EQ(p->sandbox->vfs->procfs_bytes, 0);

        /* Held open: bounded by the byte budget, never by the host. */
        CHECK_EQ(fdtable_set_limit(p->fds, 65536), 0);
        while (n < ELEMENTSOF(fds) && (r = open_("/proc/self/maps", O_RDONLY)) >= 0)
                fds[n++] = r;
        CHECK_EQ(r, -ENOMEM);
        CHECK(n > 1000 && p->sandbox->vfs->procfs_bytes <= PROCFS_TOTAL_MAX);
        /* What needs no contents still opens. */
        r = open_("/proc/self/fd", O_RDONLY | O_DIRECTORY);
        CHECK(r >= 0);
        fdtable_close(p->fds, r);
        while (n > 0)
                fdtable_close(p->fds, fds[--n]);
        CHECK_EQ(p->sandbox->vfs->procfs_bytes, 0);

        /* An O_PATH open makes nothing. */
        r = open_("/proc/self/maps", O_PATH);
        CHECK(r >= 0);
        CHECK_EQ(p->sandbox->vfs->procfs_bytes, 0);
        fdtable_close(p->fds, r);
}

static void test_identity_changes(void) {
        char *s;

        /* A restored program has a pid of its own. */
        p->pid = 4242;
        CHECK(strcmp(readlink_("/proc/self"), "4242") == 0);
        CHECK(strstr(list_dir("/proc"), ",4242,") != NULL);
        s = slurp("/proc/4242/status", NULL);
        CHECK(s && has_line(s, "Pid:\t4242"));
        free(s);
        struct stat st;
        CHECK_EQ(stat_("/proc/2", 0, &st), -ENOENT);
        p->pid = GUEST_PID;

        /* prctl(PR_SET_NAME): comm and status follow; 15 bytes at most. */
        uint64_t buf = (uint64_t)call(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
                                      MAP_PRIVATE | MAP_ANONYMOUS);
        CHECK(buf >= USER_MIN && buf < USER_MAX);
        CHECK_EQ(copy_to_user(&p->mm, buf, "a-very-long-thread-name", 24), 0);
        CHECK_EQ(call(SYS_prctl, 15 /* PR_SET_NAME */, buf, 0, 0), 0);
        s = slurp("/proc/self/comm", NULL);
        CHECK(s && strcmp(s, "a-very-long-thr\n") == 0);
        free(s);
        CHECK_EQ(call(SYS_prctl, 16 /* PR_GET_NAME */, buf + 100, 0, 0), 0);
        char name[16];
        CHECK_EQ(copy_from_user(&p->mm, name, buf + 100, sizeof(name)), 0);
        CHECK(strcmp(name, "a-very-long-thr") == 0);
        CHECK_EQ(call(SYS_prctl, 15, 0, 0, 0), -EFAULT);
        /* Rewritten arguments show, as on Linux. */
        CHECK_EQ(copy_to_user(&p->mm, p->arg_start, "PYTHON", 6), 0);
        s = slurp("/proc/self/cmdline", NULL);
        CHECK(s && strcmp(s, "PYTHON3") == 0);
        free(s);
}

int main(int argc, char *argv[]) {
        char *const args[] = {"python3", "-c", "pass", NULL};
        char *const env[] = {"A=1", "EMPTY=", "Z=", NULL};
        Sandbox *sandbox = NULL;
        Image *image = NULL;
        int r;

        if (access("/dev/kvm", R_OK | W_OK) < 0) {
                fprintf(stderr, "test-procfs: /dev/kvm is not usable, skipping\n");
                return 77;
        }
        if (argc < 2) {
                fprintf(stderr, "usage: test-procfs IMAGE\n");
                return EXIT_FAILURE;
        }
        r = image_open(argv[1], &image);
        CHECK_EQ(r, 0);
        if (r < 0)
                return checks_report("test-procfs");
        SandboxConfig config = {
                .memory_limit = MEMORY_LIMIT,
                .image = image,
                .sink = sink,
        };
        r = sandbox_new(&config, &sandbox);
        CHECK_EQ(r, 0);
        if (r < 0)
                return checks_report("test-procfs");
        p = sandbox->init;
        r = process_exec(p, "/usr/bin/python3.11", NULL, args, env, "/home/sandbox");
        CHECK_EQ(r, 0);
        if (r < 0)
                return checks_report("test-procfs");
        p->sandbox->deadline_ns = UINT64_MAX;

        test_tree();
        test_links();
        test_fds();
        test_contents();
        test_refusals();
        test_reads();
        test_snapshot_at_open();
        test_bounds();
        test_identity_changes();

        sandbox_free(sandbox);
        image_free(image);
        return checks_report("test-procfs");
}

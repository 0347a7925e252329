/* SPDX-License-Identifier: MIT */
/* Open file descriptions: what an fd points at. Shared by dup'd fds (offset and status flags
 * together), refcounted. Kinds: a file of the namespace (image, tmpfs, /dev, including
 * directories and O_PATH handles), either end of a pipe, the program's stdin (a byte buffer the
 * worker hands over), its stdout/stderr (an OutputSink), an AF_UNIX socket (socket.h), an
 * eventfd (eventfd.h) and an epoll instance (epoll.h). All functions take host buffers and
 * return -errno; lengths are capped at FILE_IO_MAX per call (a short count is legal). */
#pragma once

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "pipe.h"
#include "vnode.h"

/* Longest single read or write served; longer requests return a short count. */
#define FILE_IO_MAX (16u * 1024 * 1024)

/* Receives the program's output: stream is 1 (stdout) or 2 (stderr). Returns the number of
 * bytes accepted (0 < n <= len), or -errno (-EPIPE raises SIGPIPE in the program, as if the
 * reader had gone). It is called from the worker's syscall path; it must not block for long. */
typedef ssize_t (*OutputSink)(void *userdata, int stream, const void *buf, size_t len);

typedef enum FileKind {
        FILE_NODE,
        FILE_PIPE_READ,
        FILE_PIPE_WRITE,
        FILE_STDIN,
        FILE_OUTPUT,
        FILE_SOCKET,
        FILE_EVENTFD,
        FILE_EPOLL,
} FileKind;

typedef struct Socket Socket;
typedef struct EventCounter EventCounter;
typedef struct EventPoll EventPoll;

/* The status flags F_GETFL reports and F_SETFL may change (only O_APPEND and O_NONBLOCK). */
#define FILE_STATUS_FLAGS                                                                          \
        (O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH | O_DSYNC | O_SYNC | O_DIRECT | O_NOATIME |    \
         O_LARGEFILE)

typedef struct OpenFile {
        unsigned n_ref;
        FileKind kind;
        int flags;    /* FILE_STATUS_FLAGS subset */
        uint64_t pos; /* file offset; for directories the getdents position */
        Vfs *vfs;

        VNode node; /* FILE_NODE, holds a reference */
        char *proc_data; /* FILE_NODE of a /proc file: its contents, made at open (procfs.h) */
        size_t proc_size;
        Pipe *pipe; /* FILE_PIPE_*, holds a reference and one end */

        uint8_t *input; /* FILE_STDIN, owned */
        size_t input_size;

        OutputSink sink; /* FILE_OUTPUT */
        void *sink_userdata;
        int stream;

        Socket *socket;        /* FILE_SOCKET, owned */
        EventCounter *counter; /* FILE_EVENTFD, owned */
        EventPoll *epoll;      /* FILE_EPOLL, owned */
} OpenFile;

int file_new_node(Vfs *v, VNode node, int flags, OpenFile **ret);
int file_new_pipe(Pipe *pipe, bool write_end, int flags, OpenFile **ret);
/* Copies data. */
int file_new_stdin(const void *data, size_t size, OpenFile **ret);
int file_new_output(OutputSink sink, void *userdata, int stream, OpenFile **ret);
/* Take ownership of the object on success (open O_RDWR; flags: O_NONBLOCK). */
int file_new_socket(Socket *s, int flags, OpenFile **ret);
int file_new_eventfd(EventCounter *c, int flags, OpenFile **ret);
int file_new_epoll(EventPoll *ep, OpenFile **ret);

OpenFile *file_ref(OpenFile *f);
OpenFile *file_unref(OpenFile *f);
static inline void file_unrefp(OpenFile **f) {
        file_unref(*f);
}

bool file_readable(const OpenFile *f);
bool file_writable(const OpenFile *f);

/* read(2)/write(2) at the shared offset (O_APPEND writes at the end). Pipes: -EAGAIN when empty
 * (read) or full (write); -EPIPE on a pipe without readers. -EBADF for the wrong access mode or
 * O_PATH, -EISDIR for directories. */
ssize_t file_read(OpenFile *f, void *buf, size_t length);
ssize_t file_write(OpenFile *f, const void *buf, size_t length);
/* pread64/pwrite64: -ESPIPE for pipes and streams, -EINVAL for a negative offset. */
ssize_t file_pread(OpenFile *f, void *buf, size_t length, int64_t offset);
ssize_t file_pwrite(OpenFile *f, const void *buf, size_t length, int64_t offset);
/* The new offset or -EINVAL / -ESPIPE / -ENXIO (SEEK_DATA/SEEK_HOLE past EOF). On a directory
 * it sets the getdents position (0 rewinds). */
int64_t file_lseek(OpenFile *f, int64_t offset, int whence);
/* Fills buf with struct linux_dirent64 records (".", "..", then the entries) from the file's
 * position, advances it, returns the bytes used; 0 at the end; -EINVAL when not even one record
 * fits; -ENOTDIR. */
ssize_t file_getdents64(OpenFile *f, void *buf, size_t length);
/* Pipes and the standard streams look like FIFOs, so stdio buffers them fully. Sockets are
 * S_IFSOCK; eventfds and epolls are anonymous inodes (mode 0600, no type bits), as on Linux. */
void file_stat(OpenFile *f, struct stat *ret);
/* ftruncate(2): -EINVAL unless a regular file open for writing; -EROFS, -EFBIG. */
int file_truncate(OpenFile *f, int64_t length);
/* F_SETFL: changes O_APPEND and O_NONBLOCK, ignores the rest. */
void file_set_status_flags(OpenFile *f, int flags);
/* FIONREAD stores the readable byte count in *ret_value and returns 0; terminal requests and
 * unknown ones give -ENOTTY. FIOCLEX/FIONCLEX belong to the fd table. */
int file_ioctl(OpenFile *f, unsigned long request, uint64_t *ret_value);

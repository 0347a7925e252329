/* SPDX-License-Identifier: MIT */
#include "file.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "epoll.h"
#include "eventfd.h"
#include "macro.h"
#include "procfs.h"
#include "socket.h"
#include "vfs-internal.h"

/* struct linux_dirent64 is not in glibc's headers: d_ino, d_off, d_reclen, d_type, d_name. */
#define DIRENT64_NAME_OFFSET 19u

/* st_dev of sockets (sockfs) and of eventfds and epolls (anon_inodefs), and the one inode all
 * anonymous files share, as on Linux. */
#define FILE_DEV_SOCKFS 0x8u
#define FILE_DEV_ANON   0xeu
#define FILE_INO_ANON   1u

static int file_alloc(FileKind kind, int flags, OpenFile **ret) {
        OpenFile *f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        f->n_ref = 1;
        f->kind = kind;
        /* Linux reports O_LARGEFILE on every 64-bit open file. */
        f->flags = (flags & FILE_STATUS_FLAGS) | O_LARGEFILE;
        *ret = f;
        return 0;
}

int file_new_node(Vfs *v, VNode node, int flags, OpenFile **ret) {
        int r = file_alloc(FILE_NODE, flags, ret);
        if (r < 0)
                return r;
        (*ret)->vfs = v;
        (*ret)->node = vnode_ref(node);
        return 0;
}

int file_new_pipe(Pipe *pipe, bool write_end, int flags, OpenFile **ret) {
        int r = file_alloc(write_end ? FILE_PIPE_WRITE : FILE_PIPE_READ,
                           (flags & ~O_ACCMODE) | (write_end ? O_WRONLY : O_RDONLY), ret);
        if (r < 0)
                return r;
        (*ret)->pipe = pipe_ref(pipe);
        pipe_open_end(pipe, write_end);
        return 0;
}

int file_new_stdin(const void *data, size_t size, OpenFile **ret) {
        _cleanup_free_ uint8_t *copy = malloc(size ? size : 1);
        if (!copy)
                return -ENOMEM;
        if (size)
                memcpy(copy, data, size);
        int r = file_alloc(FILE_STDIN, O_RDONLY, ret);
        if (r < 0)
                return r;
        (*ret)->input = TAKE_PTR(copy);
        (*ret)->input_size = size;
        return 0;
}

int file_new_output(OutputSink sink, void *userdata, int stream, OpenFile **ret) {
        int r = file_alloc(FILE_OUTPUT, O_WRONLY, ret);
        if (r < 0)
                return r;
        (*ret)->sink = sink;
        (*ret)->sink_userdata = userdata;
        (*ret)->stream = stream;
        return 0;
}

/* Sockets, eventfds and epolls are opened read-write and, unlike open(2)'d files, without
 * O_LARGEFILE. */
static int file_new_anon(FileKind kind, int flags, OpenFile **ret) {
        int r = file_alloc(kind, O_RDWR | (flags & O_NONBLOCK), ret);
        if (r < 0)
                return r;
        (*ret)->flags &= ~O_LARGEFILE;
        return 0;
}

int file_new_socket(Socket *s, int flags, OpenFile **ret) {
        int r = file_new_anon(FILE_SOCKET, flags, ret);
        if (r < 0)
                return r;
        (*ret)->socket = s;
        return 0;
}

int file_new_eventfd(EventCounter *c, int flags, OpenFile **ret) {
        int r = file_new_anon(FILE_EVENTFD, flags, ret);
        if (r < 0)
                return r;
        (*ret)->counter = c;
        return 0;
}

int file_new_epoll(EventPoll *ep, OpenFile **ret) {
        int r = file_new_anon(FILE_EPOLL, 0, ret);
        if (r < 0)
                return r;
        (*ret)->epoll = ep;
        return 0;
}

OpenFile *file_ref(OpenFile *f) {
        f->n_ref++;
        return f;
}

OpenFile *file_unref(OpenFile *f) {
        if (!f || --f->n_ref > 0)
                return NULL;
        /* Like Linux's eventpoll_release(): the last reference drops every epoll watch of f. */
        eventpoll_file_released(f);
        switch (f->kind) {
        case FILE_NODE:
                if (f->node.fs == FS_PROC)
                        procfs_release(f);
                vnode_unref(f->node);
                break;
        case FILE_PIPE_READ:
        case FILE_PIPE_WRITE:
                pipe_close_end(f->pipe, f->kind == FILE_PIPE_WRITE);
                pipe_unref(f->pipe);
                break;
        case FILE_SOCKET:
                socket_free(f->socket);
                break;
        case FILE_EVENTFD:
                event_counter_free(f->counter);
                break;
        case FILE_EPOLL:
                eventpoll_free(f->epoll);
                break;
        default:
                break;
        }
        free(f->input);
        free(f);
        return NULL;
}

bool file_readable(const OpenFile *f) {
        int acc = f->flags & O_ACCMODE;
        return !(f->flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}

bool file_writable(const OpenFile *f) {
        int acc = f->flags & O_ACCMODE;
        return !(f->flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

static ssize_t read_at(OpenFile *f, void *buf, size_t length, uint64_t offset) {
        if (!file_readable(f))
                return -EBADF;
        length = MIN(length, (size_t)FILE_IO_MAX);
        if (f->node.fs == FS_PROC && S_ISREG(vnode_mode(f->vfs, f->node))) {
                if (offset >= f->proc_size)
                        return 0;
                length = MIN(length, f->proc_size - (size_t)offset);
                memcpy(buf, f->proc_data + offset, length);
                return (ssize_t)length;
        }
        return vnode_read(f->vfs, f->node, buf, length, offset);
}

static ssize_t write_at(OpenFile *f, const void *buf, size_t length, uint64_t offset) {
        if (!file_writable(f))
                return -EBADF;
        length = MIN(length, (size_t)FILE_IO_MAX);
        return vnode_write(f->vfs, f->node, buf, length, offset);
}

ssize_t file_read(OpenFile *f, void *buf, size_t length) {
        ssize_t n;

        switch (f->kind) {
        case FILE_NODE:
                n = read_at(f, buf, length, f->pos);
                if (n > 0 && f->node.fs != FS_DEV)
                        f->pos += (uint64_t)n;
                return n;
        case FILE_PIPE_READ:
                return pipe_read(f->pipe, buf, MIN(length, (size_t)FILE_IO_MAX));
        case FILE_STDIN:
                if (f->pos >= f->input_size)
                        return 0;
                n = (ssize_t)MIN(MIN(length, (size_t)FILE_IO_MAX), f->input_size - (size_t)f->pos);
                memcpy(buf, f->input + f->pos, (size_t)n);
                f->pos += (uint64_t)n;
                return n;
        case FILE_SOCKET:
                return socket_recv(f->socket, buf, MIN(length, (size_t)FILE_IO_MAX), 0);
        case FILE_EVENTFD:
                return event_counter_read(f->counter, buf, length);
        case FILE_EPOLL:
                return -EINVAL;
        default:
                return -EBADF;
        }
}

ssize_t file_write(OpenFile *f, const void *buf, size_t length) {
        ssize_t n;

        length = MIN(length, (size_t)FILE_IO_MAX);
        switch (f->kind) {
        case FILE_NODE: {
                uint64_t offset = f->pos;
                if (f->flags & O_APPEND)
                        offset = vnode_size(f->vfs, f->node);
                n = write_at(f, buf, length, offset);
                if (n > 0 && f->node.fs != FS_DEV)
                        f->pos = offset + (uint64_t)n;
                return n;
        }
        case FILE_PIPE_WRITE:
                return pipe_write(f->pipe, buf, length);
        case FILE_OUTPUT:
                if (length == 0)
                        return 0;
                n = f->sink(f->sink_userdata, f->stream, buf, length);
                if (n > (ssize_t)length)
                        return (ssize_t)length; /* a sink that overclaims must not inflate counts */
                return n;
        case FILE_SOCKET:
                return socket_send(f->socket, buf, length);
        case FILE_EVENTFD:
                return event_counter_write(f->counter, buf, length);
        case FILE_EPOLL:
                return -EINVAL;
        default:
                return -EBADF;
        }
}

ssize_t file_pread(OpenFile *f, void *buf, size_t length, int64_t offset) {
        if (f->kind != FILE_NODE)
                return f->kind == FILE_PIPE_WRITE || f->kind == FILE_OUTPUT ? -EBADF : -ESPIPE;
        if (offset < 0)
                return -EINVAL;
        return read_at(f, buf, length, (uint64_t)offset);
}

ssize_t file_pwrite(OpenFile *f, const void *buf, size_t length, int64_t offset) {
        if (f->kind != FILE_NODE)
                return f->kind == FILE_PIPE_READ || f->kind == FILE_STDIN ? -EBADF : -ESPIPE;
        if (offset < 0)
                return -EINVAL;
        /* Linux ignores the offset of pwrite on an O_APPEND file and appends. */
        if (f->flags & O_APPEND)
                offset = (int64_t)vnode_size(f->vfs, f->node);
        return write_at(f, buf, length, (uint64_t)offset);
}

int64_t file_lseek(OpenFile *f, int64_t offset, int whence) {
        int64_t base, result;
        mode_t mode;

        if (f->kind != FILE_NODE)
                return -ESPIPE;
        if (f->flags & O_PATH)
                return -EBADF;
        mode = vnode_mode(f->vfs, f->node);
        if (S_ISCHR(mode))
                return 0; /* /dev/null and friends ignore seeks */
        if (f->node.fs == FS_PROC && S_ISREG(mode) && whence != SEEK_SET && whence != SEEK_CUR)
                return -EINVAL; /* a seq_file has no end to seek from */

        switch (whence) {
        case SEEK_SET:
                base = 0;
                break;
        case SEEK_CUR:
                base = (int64_t)f->pos;
                break;
        case SEEK_END:
                if (S_ISDIR(mode))
                        return -EINVAL;
                base = (int64_t)vnode_size(f->vfs, f->node);
                break;
        case SEEK_DATA:
        case SEEK_HOLE: {
                uint64_t size = vnode_size(f->vfs, f->node), found;
                if (!S_ISREG(mode))
                        return -EINVAL;
                if (offset < 0 || (uint64_t)offset >= size)
                        return -ENXIO;
                if (f->node.fs == FS_TMPFS) {
                        int r = tmpfs_seek_data(f->node.tnode, (uint64_t)offset,
                                                whence == SEEK_HOLE, &found);
                        if (r < 0)
                                return r;
                } else
                        found = whence == SEEK_DATA ? (uint64_t)offset : size;
                f->pos = found;
                return (int64_t)found;
        }
        default:
                return -EINVAL;
        }
        if (__builtin_add_overflow(base, offset, &result) || result < 0)
                return -EINVAL;
        f->pos = (uint64_t)result;
        return result;
}

static bool put_dirent(uint8_t *buf, size_t length, size_t *used, uint64_t ino, uint64_t next,
                       unsigned char type, const char *name, size_t name_length) {
        size_t reclen = ALIGN_UP(DIRENT64_NAME_OFFSET + name_length + 1, (size_t)8);
        if (reclen > length - *used)
                return false;
        uint8_t *p = buf + *used;
        uint16_t reclen16 = (uint16_t)reclen;
        int64_t off = (int64_t)next;
        memcpy(p, &ino, 8);
        memcpy(p + 8, &off, 8);
        memcpy(p + 16, &reclen16, 2);
        p[18] = type;
        memcpy(p + DIRENT64_NAME_OFFSET, name, name_length);
        memset(p + DIRENT64_NAME_OFFSET + name_length, 0,
               reclen - DIRENT64_NAME_OFFSET - name_length);
        *used += reclen;
        return true;
}

ssize_t file_getdents64(OpenFile *f, void *buf, size_t length) {
        size_t used = 0;
        struct stat st;
        VNode parent;

        if (f->kind != FILE_NODE || (f->flags & O_PATH))
                return f->kind == FILE_NODE ? -EBADF : -ENOTDIR;
        if (!S_ISDIR(vnode_mode(f->vfs, f->node)))
                return -ENOTDIR;
        if (f->node.fs == FS_TMPFS && f->node.tnode->nlink == 0)
                return -ENOENT; /* a removed directory lists nothing, as on Linux */
        length = MIN(length, (size_t)FILE_IO_MAX);

        for (;;) {
                if (f->pos == 0 || f->pos == 1) {
                        VNode n = f->node;
                        if (f->pos == 1 && vnode_parent(f->vfs, f->node, &parent) >= 0)
                                n = parent;
                        vnode_stat(f->vfs, n, &st);
                        if (!put_dirent(buf, length, &used, st.st_ino, f->pos + 1, DT_DIR, "..",
                                        f->pos == 0 ? 1 : 2))
                                break;
                        f->pos++;
                        continue;
                }
                VDirent e;
                int r = vnode_readdir(f->vfs, f->node, f->pos, &e);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (!put_dirent(buf, length, &used, e.ino, e.next, e.type, e.name, e.name_length))
                        break;
                f->pos = e.next;
        }
        if (used == 0) {
                /* Nothing fit: "buffer too small" if an entry remains, else the end. */
                VDirent e;
                if (f->pos < 2 || vnode_readdir(f->vfs, f->node, f->pos, &e) > 0)
                        return -EINVAL;
        }
        return (ssize_t)used;
}

void file_stat(OpenFile *f, struct stat *ret) {
        if (f->kind == FILE_NODE) {
                vnode_stat(f->vfs, f->node, ret);
                return;
        }
        if (f->kind == FILE_SOCKET) {
                *ret = (struct stat){
                        .st_dev = FILE_DEV_SOCKFS,
                        .st_ino = f->socket->ino,
                        .st_mode = S_IFSOCK | 0777,
                        .st_nlink = 1,
                        .st_uid = VFS_UID,
                        .st_gid = VFS_GID,
                        .st_blksize = 4096,
                };
                return;
        }
        if (f->kind == FILE_EVENTFD || f->kind == FILE_EPOLL) {
                *ret = (struct stat){
                        .st_dev = FILE_DEV_ANON,
                        .st_ino = FILE_INO_ANON,
                        .st_mode = 0600,
                        .st_nlink = 1,
                        .st_blksize = 4096,
                };
                return;
        }
        *ret = (struct stat){
                .st_dev = VFS_DEV_PIPEFS,
                .st_ino =
                        f->pipe ? f->pipe->ino : (ino_t)(f->kind == FILE_STDIN ? 1 : 1 + f->stream),
                .st_mode = S_IFIFO | 0600,
                .st_nlink = 1,
                .st_uid = VFS_UID,
                .st_gid = VFS_GID,
                .st_blksize = 4096,
        };
}

int file_truncate(OpenFile *f, int64_t length) {
        if (length < 0)
                return -EINVAL;
        if (f->kind != FILE_NODE || (f->flags & O_PATH))
                return f->kind == FILE_NODE ? -EBADF : -EINVAL;
        if (!S_ISREG(vnode_mode(f->vfs, f->node)) || !file_writable(f))
                return -EINVAL;
        return vnode_truncate(f->vfs, f->node, (uint64_t)length);
}

void file_set_status_flags(OpenFile *f, int flags) {
        f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK)) | (flags & (O_APPEND | O_NONBLOCK));
}

int file_ioctl(OpenFile *f, unsigned long request, uint64_t *ret_value) {
        if (f->flags & O_PATH)
                return -EBADF;
        if (request != FIONREAD)
                return -ENOTTY; /* TCGETS, TIOCGWINSZ...: nothing here is a terminal */

        switch (f->kind) {
        case FILE_PIPE_READ:
        case FILE_PIPE_WRITE:
                *ret_value = pipe_bytes_available(f->pipe);
                return 0;
        case FILE_STDIN:
                *ret_value = f->pos < f->input_size ? f->input_size - f->pos : 0;
                return 0;
        case FILE_SOCKET: /* SIOCINQ */
                *ret_value = socket_bytes_available(f->socket);
                return 0;
        case FILE_NODE: {
                mode_t mode = vnode_mode(f->vfs, f->node);
                uint64_t size = vnode_size(f->vfs, f->node);
                if (!S_ISREG(mode))
                        return -ENOTTY;
                *ret_value = f->pos < size ? size - f->pos : 0;
                return 0;
        }
        default:
                return -ENOTTY;
        }
}

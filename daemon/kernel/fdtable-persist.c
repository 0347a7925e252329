/* SPDX-License-Identifier: MIT */
#include "fdtable-persist.h"

#include "devfs.h"
#include "epoll.h"
#include "eventfd.h"
#include "fdtable.h"
#include "log.h"
#include "macro.h"
#include "pipe.h"

/* The fd table section:
 *
 *   FilesHeader
 *   n_pipes   x PipeSaved, each followed by its `used` buffered bytes
 *   n_files   x FileSaved, each followed by n_watches x WatchSaved (epolls)
 *   n_fds     x FdSlotSaved
 *
 * Open files are saved once however many fds share them (dup), pipes once for both ends, and
 * epoll watches name their target by index, so everything shared stays shared. The standard
 * streams and the request channel are not saved: each request gets its own. */

typedef struct FilesHeader {
        uint32_t limit;
        uint32_t n_pipes, n_files, n_fds;
} FilesHeader;

typedef struct PipeSaved {
        uint64_t ino;
        uint32_t used;
        uint32_t reserved;
} PipeSaved;

typedef struct FileSaved {
        uint32_t kind;
        int32_t flags;
        uint64_t pos;
        uint32_t fs, idx;    /* FILE_NODE */
        uint32_t pipe;       /* FILE_PIPE_*: index */
        uint32_t semaphore;  /* FILE_EVENTFD */
        uint64_t count;      /* FILE_EVENTFD */
        uint64_t generation; /* FILE_EVENTFD */
        uint32_t n_watches;  /* FILE_EPOLL */
        uint32_t reserved;
} FileSaved;

typedef struct WatchSaved {
        int32_t fd;
        uint32_t file; /* index */
        uint32_t events;
        uint32_t armed;
        uint64_t data;
        uint64_t seen_generation;
} WatchSaved;

typedef struct FdSlotSaved {
        int32_t fd;
        uint32_t file; /* index */
        uint32_t cloexec;
        uint32_t reserved;
} FdSlotSaved;

/* At most this many distinct pipes and open files (the fd table's own ceiling bounds them). */
#define SAVED_OBJECTS_MAX 65536u

static bool is_stream(const OpenFile *f) {
        return f->kind == FILE_STDIN || f->kind == FILE_OUTPUT;
}

typedef struct Tables {
        const OpenFile **files;
        size_t n_files;
        const Pipe **pipes;
        size_t n_pipes;
} Tables;

static ssize_t index_of(const void **list, size_t n, const void *item) {
        for (size_t i = 0; i < n; i++)
                if (list[i] == item)
                        return (ssize_t)i;
        return -1;
}

/* Collects the distinct open files and pipes behind the fds, refusing what can't be saved. */
static int collect(const Process *p, Tables *t) {
        size_t n = p->fds->n_fds;

        t->files = calloc(MAX(n, 1u), sizeof(*t->files));
        t->pipes = calloc(MAX(n, 1u), sizeof(*t->pipes));
        if (!t->files || !t->pipes)
                return -ENOMEM;
        for (size_t fd = 0; fd < n; fd++) {
                const OpenFile *f = p->fds->fds[fd].file;

                if (!f)
                        continue;
                if (is_stream(f)) {
                        /* Remade for each request: they may only be where each request puts
                         * them. */
                        if (fd > 2 && (int)fd != p->sandbox->channel.fd)
                                return log_error_errno(EOPNOTSUPP,
                                                       "fd %zu is a copy of a standard "
                                                       "stream, which a snapshot can't keep",
                                                       fd);
                        continue;
                }
                switch (f->kind) {
                case FILE_NODE:
                        if (f->node.fs != FS_IMAGE && f->node.fs != FS_DEV)
                                return log_error_errno(EOPNOTSUPP,
                                                       "fd %zu is a tmpfs or /proc "
                                                       "file, which a snapshot can't keep",
                                                       fd);
                        break;
                case FILE_PIPE_READ:
                case FILE_PIPE_WRITE:
                        if (index_of((const void **)t->pipes, t->n_pipes, f->pipe) < 0)
                                t->pipes[t->n_pipes++] = f->pipe;
                        break;
                case FILE_EVENTFD:
                case FILE_EPOLL:
                        break;
                default:
                        return log_error_errno(EOPNOTSUPP,
                                               "fd %zu (a socket) can't be kept in a "
                                               "snapshot",
                                               fd);
                }
                if (index_of((const void **)t->files, t->n_files, f) < 0)
                        t->files[t->n_files++] = f;
        }
        /* Watches must name files the table holds (not a stream, not one only a watch
         * remembers after its fd was closed). */
        for (size_t i = 0; i < t->n_files; i++) {
                if (t->files[i]->kind != FILE_EPOLL)
                        continue;
                for (const EventPollEntry *e = t->files[i]->epoll->first; e; e = e->next)
                        if (index_of((const void **)t->files, t->n_files, e->file) < 0)
                                return log_error_errno(EOPNOTSUPP,
                                                       "An epoll watches fd %d, whose "
                                                       "file a snapshot can't keep",
                                                       e->fd);
        }
        return 0;
}

int fdtable_persist_save(const Process *p, Buffer *out) {
        _cleanup_free_ const OpenFile **files = NULL;
        _cleanup_free_ const Pipe **pipes = NULL;
        Tables t = {};
        FilesHeader h = {.limit = fdtable_limit(p->fds)};
        int r;

        r = collect(p, &t);
        files = t.files;
        pipes = t.pipes;
        if (r < 0)
                return r;
        for (size_t fd = 0; fd < p->fds->n_fds; fd++) {
                const OpenFile *f = p->fds->fds[fd].file;
                h.n_fds += f && !is_stream(f);
        }
        h.n_pipes = t.n_pipes;
        h.n_files = t.n_files;
        buffer_put(out, &h, sizeof(h));

        for (size_t i = 0; i < t.n_pipes; i++) {
                const Pipe *pipe = t.pipes[i];
                PipeSaved s = {.ino = pipe->ino, .used = (uint32_t)pipe->used};

                buffer_put(out, &s, sizeof(s));
                /* The ring's bytes in order: from head to the end, then from the start. */
                if (pipe->used > 0) {
                        size_t first = MIN(pipe->used, PIPE_CAPACITY - pipe->head);
                        buffer_put(out, pipe->ring + pipe->head, first);
                        buffer_put(out, pipe->ring, pipe->used - first);
                }
        }
        for (size_t i = 0; i < t.n_files; i++) {
                const OpenFile *f = t.files[i];
                FileSaved s = {.kind = f->kind, .flags = f->flags, .pos = f->pos};

                switch (f->kind) {
                case FILE_NODE:
                        s.fs = f->node.fs;
                        s.idx = f->node.idx;
                        break;
                case FILE_PIPE_READ:
                case FILE_PIPE_WRITE:
                        s.pipe = (uint32_t)index_of((const void **)t.pipes, t.n_pipes, f->pipe);
                        break;
                case FILE_EVENTFD:
                        s.semaphore = f->counter->semaphore;
                        s.count = f->counter->count;
                        s.generation = f->counter->generation;
                        break;
                case FILE_EPOLL:
                        s.n_watches = (uint32_t)f->epoll->n_entries;
                        break;
                default:
                        break;
                }
                buffer_put(out, &s, sizeof(s));
                if (f->kind != FILE_EPOLL)
                        continue;
                for (const EventPollEntry *e = f->epoll->first; e; e = e->next) {
                        WatchSaved w = {
                                .fd = e->fd,
                                .file = (uint32_t)index_of((const void **)t.files, t.n_files,
                                                           e->file),
                                .events = e->events,
                                .armed = e->armed,
                                .data = e->data,
                                .seen_generation = e->seen_generation,
                        };
                        buffer_put(out, &w, sizeof(w));
                }
        }
        for (size_t fd = 0; fd < p->fds->n_fds; fd++) {
                const FdEntry *e = &p->fds->fds[fd];
                FdSlotSaved s;

                if (!e->file || is_stream(e->file))
                        continue;
                s = (FdSlotSaved){
                        .fd = (int32_t)fd,
                        .file = (uint32_t)index_of((const void **)t.files, t.n_files, e->file),
                        .cloexec = e->cloexec,
                };
                buffer_put(out, &s, sizeof(s));
        }
        return out->error;
}

/* ---- loading ------------------------------------------------------------------------------ */

typedef struct Loaded {
        Pipe **pipes;
        size_t n_pipes;
        OpenFile **files;
        size_t n_files;
} Loaded;

static void loaded_done(Loaded *l) {
        for (size_t i = 0; i < l->n_files; i++)
                file_unref(l->files[i]);
        for (size_t i = 0; i < l->n_pipes; i++) {
                /* The read end load_pipe held: the files' own ends keep what they buffer. */
                pipe_close_end(l->pipes[i], false);
                pipe_unref(l->pipes[i]);
        }
        free(l->files);
        free(l->pipes);
}

static int load_pipe(Cursor *c, Pipe **ret) {
        Pipe *pipe = NULL;
        const uint8_t *data;
        PipeSaved s;
        int r;

        if (take(c, &s, sizeof(s)) < 0 || s.used > PIPE_CAPACITY || !(data = take_bytes(c, s.used)))
                return -EBADMSG;
        r = pipe_new(s.ino, &pipe);
        if (r < 0)
                return r;
        /* A read end is held until the files exist (loaded_done): pipe_write wants a reader,
         * and a pipe without one drops what it buffers. */
        pipe_open_end(pipe, false);
        *ret = pipe;
        if (s.used > 0) {
                ssize_t n = pipe_write(pipe, data, s.used);
                if (n != (ssize_t)s.used)
                        return n < 0 ? (int)n : -EIO;
        }
        return 0;
}

/* One open file; epoll watches are added once every file exists (load_watches). */
static int load_file(Process *p, const Loaded *l, const FileSaved *s, OpenFile **ret) {
        int r;

        switch (s->kind) {
        case FILE_NODE:
                if (!(s->fs == FS_IMAGE && s->idx < image_entry_count(p->sandbox->image)) &&
                    !(s->fs == FS_DEV && s->idx < _DEV_MAX))
                        return -EBADMSG;
                r = file_new_node(p->sandbox->vfs, (VNode){.fs = s->fs, .idx = s->idx}, s->flags,
                                  ret);
                break;
        case FILE_PIPE_READ:
        case FILE_PIPE_WRITE:
                if (s->pipe >= l->n_pipes)
                        return -EBADMSG;
                r = file_new_pipe(l->pipes[s->pipe], s->kind == FILE_PIPE_WRITE, s->flags, ret);
                break;
        case FILE_EVENTFD: {
                EventCounter *counter;
                if (s->count > EVENT_COUNTER_MAX)
                        return -EBADMSG;
                r = event_counter_new(s->count, s->semaphore != 0, &counter);
                if (r < 0)
                        return r;
                counter->generation = s->generation;
                r = file_new_eventfd(counter, s->flags, ret);
                if (r < 0)
                        event_counter_free(counter);
                break;
        }
        case FILE_EPOLL: {
                EventPoll *ep;
                if (s->n_watches > EVENTPOLL_MAX_WATCHES)
                        return -EBADMSG;
                r = eventpoll_new(&ep);
                if (r < 0)
                        return r;
                r = file_new_epoll(ep, ret);
                if (r < 0)
                        eventpoll_free(ep);
                break;
        }
        default:
                return -EBADMSG;
        }
        if (r < 0)
                return r;
        /* Status flags as they were (O_NONBLOCK set by fcntl, say); the access mode is the
         * kind's. */
        (*ret)->flags = ((*ret)->flags & O_ACCMODE) | (s->flags & FILE_STATUS_FLAGS & ~O_ACCMODE);
        (*ret)->pos = s->pos;
        return 0;
}

static int load_watches(const Loaded *l, OpenFile *self, Cursor *c, uint32_t n) {
        for (uint32_t i = 0; i < n; i++) {
                WatchSaved w;
                EventPollEntry *e;
                int r;

                if (take(c, &w, sizeof(w)) < 0 || w.file >= l->n_files || w.fd < 0)
                        return -EBADMSG;
                /* Through epoll_ctl, which refuses what Linux would (cycles, self-watches). */
                r = eventpoll_ctl(self->epoll, self, EPOLL_CTL_ADD, w.fd, l->files[w.file],
                                  &(struct epoll_event){.events = w.events, .data.u64 = w.data});
                if (r < 0)
                        return -EBADMSG;
                e = self->epoll->last;
                e->events = w.events; /* as saved: a fired oneshot keeps only its flags */
                e->armed = w.armed != 0;
                e->seen_generation = w.seen_generation;
        }
        return 0;
}

int fdtable_persist_restore(Process *p, Cursor *c) {
        Loaded l = {};
        FilesHeader h;
        int r;

        if (take(c, &h, sizeof(h)) < 0 || h.n_pipes > SAVED_OBJECTS_MAX ||
            h.n_files > SAVED_OBJECTS_MAX || h.n_fds > h.limit)
                return -EBADMSG;
        r = fdtable_set_limit(p->fds, h.limit);
        if (r < 0)
                return -EBADMSG;
        l.pipes = calloc(MAX(h.n_pipes, 1u), sizeof(*l.pipes));
        l.files = calloc(MAX(h.n_files, 1u), sizeof(*l.files));
        if (!l.pipes || !l.files) {
                r = -ENOMEM;
                goto finish;
        }
        for (uint32_t i = 0; i < h.n_pipes; i++) {
                r = load_pipe(c, &l.pipes[l.n_pipes]);
                if (l.pipes[l.n_pipes])
                        l.n_pipes++; /* even on failure: loaded_done releases it */
                if (r < 0)
                        goto finish;
        }
        /* Files first, watches after (a watch may name a file saved after its epoll): the
         * second pass reads the same records again from files_at. */
        Cursor files_at = *c;
        for (uint32_t i = 0; i < h.n_files; i++) {
                FileSaved s;
                if (take(c, &s, sizeof(s)) < 0) {
                        r = -EBADMSG;
                        goto finish;
                }
                r = load_file(p, &l, &s, &l.files[i]);
                if (r < 0)
                        goto finish;
                l.n_files++;
                if (s.kind == FILE_EPOLL &&
                    !take_bytes(c, (size_t)s.n_watches * sizeof(WatchSaved))) {
                        r = -EBADMSG;
                        goto finish;
                }
        }
        for (uint32_t i = 0; i < h.n_files; i++) {
                FileSaved s;
                (void)take(&files_at, &s, sizeof(s));
                if (s.kind != FILE_EPOLL)
                        continue;
                r = load_watches(&l, l.files[i], &files_at, s.n_watches);
                if (r < 0)
                        goto finish;
        }
        if (c->left != (uint64_t)h.n_fds * sizeof(FdSlotSaved)) {
                r = -EBADMSG;
                goto finish;
        }
        for (uint32_t i = 0; i < h.n_fds; i++) {
                FdSlotSaved s;
                (void)take(c, &s, sizeof(s));
                if (s.fd < 0 || (uint32_t)s.fd >= h.limit || s.file >= l.n_files ||
                    s.fd == p->sandbox->channel.fd) {
                        r = -EBADMSG;
                        goto finish;
                }
                r = fdtable_install_at(p->fds, l.files[s.file], s.fd, s.cloexec != 0);
                if (r < 0)
                        goto finish;
        }
        r = 0;
finish:
        loaded_done(&l);
        return r;
}

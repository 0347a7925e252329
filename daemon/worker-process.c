/* SPDX-License-Identifier: MIT */
#include "worker-process.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "clock.h"
#include "exec-codec.h"
#include "line-reader.h"
#include "log.h"
#include "macro.h"
#include "worker-frame.h"
#include "write-now.h"

extern char **environ;

/* Frames a worker prints between requests (ready) are tiny; 64 KiB is a generous cap. */
#define WORKER_SMALL_LINE_MAX (64 * 1024)
/* A restore takes milliseconds (a first one, with the image opened, a little more); a worker
 * that is not ready after this long is stuck. */
#define WORKER_READY_TIMEOUT_USEC (30 * USEC_PER_SEC)
/* After its input is closed (or its output ended) a worker has this long to exit. */
#define WORKER_EXIT_GRACE_USEC (5 * USEC_PER_SEC)

struct Worker {
        struct event_base *base;
        pid_t pid;
        int pidfd;
        struct bufferevent *bev; /* our end of the socketpair; NULL once the output ended */
        struct event *pidfd_event;
        struct event *timer;
        WorkerState state;
        bool was_ready;
        bool reaped;
        LineReader reader;

        /* Set when we decide the worker must die, or when its output ends unasked: what the
         * exited callback reports. */
        WorkerState lost;
        bool lost_set;
        char *reason;
        char *detail;

        WorkerCallbacks callbacks;
        void *userdata;
};

/* The names `stats` reports (PROTOCOL.md §7.3): public, so PREPARING keeps the name it had when
 * every next VM was a restore. */
static const char *const state_names[_WORKER_STATE_MAX] = {
        [WORKER_STARTING] = "starting",   [WORKER_READY] = "ready",       [WORKER_BUSY] = "busy",
        [WORKER_PREPARING] = "restoring", [WORKER_STOPPING] = "stopping", [WORKER_DEAD] = "dead",
};

const char *worker_state_to_string(WorkerState state) {
        return state >= 0 && state < _WORKER_STATE_MAX ? state_names[state] : NULL;
}

WorkerState worker_get_state(const Worker *w) {
        return w->state;
}

pid_t worker_get_pid(const Worker *w) {
        return w->pid;
}

bool worker_was_ready(const Worker *w) {
        return w->was_ready;
}

static void timer_arm(Worker *w, uint64_t usec) {
        struct timeval tv = timeval_from_usec(usec);
        evtimer_add(w->timer, &tv);
}

/* Remembers why the worker is going away; the first reason wins. */
static void note_loss(Worker *w, const char *reason, const char *detail) {
        if (w->lost_set)
                return;
        w->lost_set = true;
        w->lost = w->state;
        w->reason = strdup(reason);
        w->detail = strdup(detail);
}

static void output_close(Worker *w) {
        if (w->bev) {
                bufferevent_free(w->bev);
                w->bev = NULL;
        }
}

void worker_kill(Worker *w, const char *reason, const char *detail) {
        if (w->reaped)
                return;
        note_loss(w, reason, detail);
        /* Through the pidfd: the pid can't have been reused, the process isn't reaped yet. */
        if (pidfd_send_signal(w->pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
                log_warning_errno(errno, "Failed to kill worker %d, ignoring: %m", (int)w->pid);
        w->state = WORKER_DEAD;
        evtimer_del(w->timer);
        output_close(w);
}

void worker_stop(Worker *w) {
        if (w->state == WORKER_STOPPING || w->state == WORKER_DEAD)
                return;
        if (w->state == WORKER_BUSY) {
                /* Not asked for by the pool; a busy worker is killed rather than left half. */
                worker_kill(w, "stopped", "the worker was stopped while busy");
                return;
        }
        w->state = WORKER_STOPPING;
        if (w->bev)
                (void)shutdown(bufferevent_getfd(w->bev), SHUT_WR);
        timer_arm(w, WORKER_EXIT_GRACE_USEC);
}

static void on_timer(evutil_socket_t fd, short what, void *userdata) {
        Worker *w = userdata;
        char detail[128];

        switch (w->state) {
        case WORKER_BUSY:
                worker_kill(w, "timeout",
                            "the worker did not answer within the request's timeout "
                            "plus its grace period");
                break;
        case WORKER_STARTING:
        case WORKER_PREPARING:
                snprintf(detail, sizeof detail, "the worker was not ready within %u s",
                         (unsigned)(WORKER_READY_TIMEOUT_USEC / USEC_PER_SEC));
                worker_kill(w, "timeout", detail);
                break;
        default:
                worker_kill(w, "exited", "the worker did not exit when asked");
                break;
        }
}

/* A frame the worker may print in the state it is in (protocol/worker-frame.h); anything else is
 * a protocol failure. */
static int handle_frame(Worker *w, WorkerFrame *frame) {
        switch (frame->type) {
        case WORKER_FRAME_READY:
                /* Asked to stop while preparing: it reads its EOF next. */
                if (w->state == WORKER_STOPPING)
                        return 0;
                if (w->state != WORKER_STARTING && w->state != WORKER_PREPARING)
                        return -EPROTO;
                evtimer_del(w->timer);
                w->state = WORKER_READY;
                w->was_ready = true;
                w->reader.max = WORKER_SMALL_LINE_MAX;
                w->callbacks.ready(w, frame->reset, w->userdata);
                return 0;

        case WORKER_FRAME_OUTPUT:
                if (w->state != WORKER_BUSY)
                        return -EPROTO;
                w->callbacks.output(w, frame->output_fd, frame->output_data, frame->output_size,
                                    w->userdata);
                return 0;

        case WORKER_FRAME_RESULT:
        case WORKER_FRAME_ERROR:
                if (w->state != WORKER_BUSY)
                        return -EPROTO;
                evtimer_del(w->timer);
                w->state = WORKER_PREPARING;
                w->reader.max = WORKER_SMALL_LINE_MAX;
                timer_arm(w, WORKER_READY_TIMEOUT_USEC);
                bufferevent_setwatermark(w->bev, EV_READ, 0, w->reader.max);
                w->callbacks.answer(w, frame->type == WORKER_FRAME_RESULT ? &frame->result : NULL,
                                    frame->error, w->userdata);
                return 0;

        default:
                return -EPROTO;
        }
}

static void on_read(struct bufferevent *bev, void *userdata) {
        Worker *w = userdata;
        struct evbuffer *in = bufferevent_get_input(bev);

        /* Each callback may kill the worker (state DEAD, bev freed): check before every line. */
        while (w->bev && w->state != WORKER_DEAD) {
                _cleanup_(json_decrefp) json_t *line = NULL;
                _cleanup_(worker_frame_done) WorkerFrame frame = WORKER_FRAME_INIT;
                json_error_t error;
                char detail[160];
                size_t len;
                int r;

                r = line_reader_next(&w->reader, in, &len);
                if (r == 0)
                        return;
                if (r < 0) {
                        snprintf(detail, sizeof detail,
                                 "the worker printed a line longer than %zu bytes", w->reader.max);
                        worker_kill(w, "protocol", detail);
                        return;
                }
                line = line_reader_parse(in, len, JSON_ALLOW_NUL, &error);
                line_reader_consume(&w->reader, in, len);
                r = line ? worker_frame_from_json(line, &frame) : -EINVAL;
                if (r == -ENOMEM) {
                        worker_kill(w, "internal", "out of memory decoding the worker's line");
                        return;
                }
                if (r == -EPROTONOSUPPORT) {
                        snprintf(detail, sizeof detail,
                                 "the worker speaks another version of its frames than %d "
                                 "(a daemon and a sandboxd-vm from different builds?)",
                                 WORKER_FRAME_VERSION);
                        worker_kill(w, "protocol", detail);
                        return;
                }
                if (r < 0 || handle_frame(w, &frame) < 0) {
                        snprintf(detail, sizeof detail,
                                 "the worker printed an unexpected line while %s",
                                 worker_state_to_string(w->state));
                        worker_kill(w, "protocol", detail);
                        return;
                }
        }
}

static void on_event(struct bufferevent *bev, short what, void *userdata) {
        Worker *w = userdata;

        if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
                return;
        /* Its output ended: the process is exiting or gone. The pidfd tells how; what it was
         * doing is remembered now. An exit while STOPPING is the one that was asked for. */
        if (w->state != WORKER_STOPPING)
                note_loss(w, "exited", "the worker closed its output");
        output_close(w);
        if (w->state != WORKER_STOPPING)
                w->state = WORKER_DEAD;
        timer_arm(w, WORKER_EXIT_GRACE_USEC);
}

static void describe_exit(const siginfo_t *si, char *buf, size_t size, bool *ret_crashed) {
        const char *name;

        *ret_crashed = si->si_code != CLD_EXITED;
        if (si->si_code == CLD_EXITED) {
                snprintf(buf, size, "the worker exited with status %d", si->si_status);
                return;
        }
        name = signal_name(si->si_status);
        if (name)
                snprintf(buf, size, "the worker was killed by %s", name);
        else
                snprintf(buf, size, "the worker was killed by signal %d", si->si_status);
}

static void on_pidfd(evutil_socket_t fd, short what, void *userdata) {
        Worker *w = userdata;
        siginfo_t si = {};
        char how[128];
        const char *reason, *detail;
        WorkerState lost;
        bool crashed;

        if (waitid(P_PIDFD, (id_t)w->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
                return; /* not exited after all; the pidfd stays readable until it has */
        w->reaped = true;
        evtimer_del(w->timer);
        output_close(w);
        describe_exit(&si, how, sizeof how, &crashed);

        if (w->lost_set && strcmp(w->reason, "exited") != 0) {
                /* We killed it: our reason. */
                reason = w->reason;
                detail = w->detail;
        } else {
                reason = crashed ? "crashed" : "exited";
                detail = how;
        }
        lost = w->lost_set ? w->lost : w->state;
        w->state = WORKER_DEAD;
        w->callbacks.exited(w, lost, reason ?: "exited", detail ?: how, w->userdata);
}

char **worker_environment(void) {
        size_t n = 0, k = 0;
        char **env;

        while (environ[n])
                n++;
        env = calloc(n + 1, sizeof(char *));
        if (!env)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (strncmp(environ[i], "NOTIFY_SOCKET=", 14) != 0 &&
                    strncmp(environ[i], "LISTEN_", 7) != 0)
                        env[k++] = environ[i];
        return env;
}

static int spawn_process(const char *path, const char *snapshot_dir, bool fresh_vms, int fd,
                         pid_t *ret_pid) {
        _cleanup_free_ char **env = NULL;
        char *argv[] = {(char *)path, (char *)"serve", (char *)"--snapshot", (char *)snapshot_dir,
                        fresh_vms ? (char *)"--no-reset" : NULL, NULL};
        posix_spawn_file_actions_t actions;
        posix_spawnattr_t attr;
        sigset_t none, defaults;
        int r;

        env = worker_environment();
        if (!env)
                return -ENOMEM;

        r = posix_spawn_file_actions_init(&actions);
        if (r != 0)
                return -r;
        r = posix_spawnattr_init(&attr);
        if (r != 0) {
                posix_spawn_file_actions_destroy(&actions);
                return -r;
        }
        sigemptyset(&none);
        sigemptyset(&defaults);
        /* We ignore SIGPIPE and catch SIGTERM/SIGINT; the worker gets the defaults back. Its
         * own process group keeps a terminal's ^C from killing it before we have drained. */
        sigaddset(&defaults, SIGPIPE);
        sigaddset(&defaults, SIGTERM);
        sigaddset(&defaults, SIGINT);
        sigaddset(&defaults, SIGHUP);
        r = posix_spawn_file_actions_adddup2(&actions, fd, STDIN_FILENO);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
        if (r == 0)
                r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                                            POSIX_SPAWN_SETPGROUP);
        if (r == 0)
                r = posix_spawnattr_setsigmask(&attr, &none);
        if (r == 0)
                r = posix_spawnattr_setsigdefault(&attr, &defaults);
        if (r == 0)
                r = posix_spawnattr_setpgroup(&attr, 0);
        if (r == 0)
                r = posix_spawn(ret_pid, path, &actions, &attr, argv, env);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        return -r;
}

int worker_spawn(struct event_base *base, const char *path, const char *snapshot_dir, bool fresh_vms,
                 const WorkerCallbacks *callbacks, void *userdata, Worker **ret) {
        _cleanup_close_ int ours = -1, theirs = -1;
        Worker *w;
        int sv[2], r;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        ours = sv[0];
        theirs = sv[1];
        /* Only our end is non-blocking: the worker reads its stdin with plain stdio. */
        if (fcntl(ours, F_SETFL, fcntl(ours, F_GETFL) | O_NONBLOCK) < 0)
                return -errno;

        w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        *w = (Worker){
                .base = base,
                .pid = -1,
                .pidfd = -1,
                .state = WORKER_STARTING,
                .reader = {.max = WORKER_SMALL_LINE_MAX},
                .callbacks = *callbacks,
                .userdata = userdata,
        };

        r = spawn_process(path, snapshot_dir, fresh_vms, theirs, &w->pid);
        if (r < 0) {
                free(w);
                return r;
        }
        theirs = safe_close(theirs);

        w->pidfd = pidfd_open(w->pid, 0); /* always O_CLOEXEC */
        if (w->pidfd < 0) {
                r = -errno;
                (void)kill(w->pid, SIGKILL);
                (void)waitpid(w->pid, NULL, 0);
                free(w);
                return r;
        }
        w->bev = bufferevent_socket_new(base, ours, BEV_OPT_CLOSE_ON_FREE);
        if (w->bev)
                TAKE_FD(ours);
        w->pidfd_event = event_new(base, w->pidfd, EV_READ | EV_PERSIST, on_pidfd, w);
        w->timer = evtimer_new(base, on_timer, w);
        if (!w->pidfd_event || !w->timer || !w->bev) {
                worker_free(w);
                return -ENOMEM;
        }
        bufferevent_setcb(w->bev, on_read, NULL, on_event, w);
        bufferevent_setwatermark(w->bev, EV_READ, 0, w->reader.max);
        if (bufferevent_enable(w->bev, EV_READ) < 0 || event_add(w->pidfd_event, NULL) < 0) {
                worker_free(w);
                return -EIO;
        }
        timer_arm(w, WORKER_READY_TIMEOUT_USEC);
        *ret = w;
        return 0;
}

int worker_send(Worker *w, const char *line, size_t size, size_t answer_max,
                uint64_t backstop_usec) {
        if (w->state != WORKER_READY || !w->bev)
                return -EBUSY;
        if (bufferevent_write_now(w->bev, line, size) < 0)
                return -ENOMEM;
        w->state = WORKER_BUSY;
        w->reader.max = MAX(answer_max, (size_t)WORKER_SMALL_LINE_MAX);
        bufferevent_setwatermark(w->bev, EV_READ, 0, w->reader.max);
        timer_arm(w, backstop_usec);
        return 0;
}

Worker *worker_free(Worker *w) {
        if (!w)
                return NULL;
        if (!w->reaped && w->pid > 0) {
                siginfo_t si;
                if (w->pidfd >= 0) {
                        (void)pidfd_send_signal(w->pidfd, SIGKILL, NULL, 0);
                        (void)waitid(P_PIDFD, (id_t)w->pidfd, &si, WEXITED);
                } else {
                        (void)kill(w->pid, SIGKILL);
                        (void)waitpid(w->pid, NULL, 0);
                }
        }
        output_close(w);
        if (w->pidfd_event)
                event_free(w->pidfd_event);
        if (w->timer)
                event_free(w->timer);
        safe_close(w->pidfd);
        free(w->reason);
        free(w->detail);
        free(w);
        return NULL;
}

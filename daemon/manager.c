/* SPDX-License-Identifier: MIT */
#include "manager.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "clock.h"
#include "dispatch.h"
#include "log.h"
#include "macro.h"
#include "snapshot-maker.h"

/* STATUS= at most this often; a change in between is sent when the interval is over. */
#define STATUS_INTERVAL_USEC (1 * USEC_PER_SEC)
/* Workers that fail before being ready this many times in a row fail the start-up. */
#define STARTUP_FAILURES_MAX 3
/* The first VMs of every pool must be ready within this. */
#define STARTUP_TIMEOUT_USEC (120 * USEC_PER_SEC)
/* Once drained: how long answers may take to reach slow clients and workers to exit. */
#define MANAGER_FLUSH_TIMEOUT_USEC (5 * USEC_PER_SEC)

static void on_pool_changed(void *userdata) {
        manager_changed(userdata);
}

static void on_server_changed(void *userdata) {
        manager_changed(userdata);
}

static void on_message(Connection *c, json_t *message, const json_error_t *error, void *userdata) {
        dispatch_message(userdata, c, message, error);
}

static const ServerHandler server_handler = {
        .message = on_message,
        .changed = on_server_changed,
};

char *manager_status_string(Manager *m) {
        char buf[512];
        size_t off = 0;

        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX && off < sizeof buf; l++) {
                PoolFigures f;
                if (!m->pools[l])
                        continue;
                f = pool_get_figures(m->pools[l]);
                off += snprintf(buf + off, sizeof buf - off,
                                "%s: %u/%u ready, %u starting, %u busy, %u queued; ",
                                exec_language_to_string(l), f.ready, f.target, f.starting, f.busy,
                                f.queued);
        }
        if (off < sizeof buf)
                snprintf(buf + off, sizeof buf - off, "%" PRIu64 " requests, %u connections%s",
                         m->stats.requests.total, m->server ? server_n_connections(m->server) : 0,
                         m->stopping ? "; stopping" : "");
        return strdup(buf);
}

static void status_send(Manager *m) {
        _cleanup_free_ char *status = manager_status_string(m), *message = NULL;

        if (!status || (m->status_sent && strcmp(status, m->status_sent) == 0))
                return;
        if (asprintf(&message, "STATUS=%s", status) < 0)
                return;
        (void)sd_notify(false, message);
        free(m->status_sent);
        m->status_sent = TAKE_PTR(status);
        m->status_sent_usec = now_usec();
}

static void on_status_timer(evutil_socket_t fd, short what, void *userdata) {
        status_send(userdata);
}

static void status_update(Manager *m) {
        uint64_t now = now_usec();
        struct timeval tv;

        if (now >= m->status_sent_usec + STATUS_INTERVAL_USEC) {
                status_send(m);
                return;
        }
        if (evtimer_pending(m->status_timer, NULL))
                return;
        tv = timeval_from_usec(m->status_sent_usec + STATUS_INTERVAL_USEC - now);
        evtimer_add(m->status_timer, &tv);
}

static unsigned manager_n_jobs(Manager *m) {
        unsigned n = 0;

        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++)
                if (m->pools[l])
                        n += pool_n_jobs(m->pools[l]);
        return n;
}

static unsigned manager_n_workers(Manager *m) {
        unsigned n = 0;

        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++)
                if (m->pools[l])
                        n += pool_n_workers(m->pools[l]);
        return n;
}

static void on_stop_timer(evutil_socket_t fd, short what, void *userdata) {
        Manager *m = userdata;

        log_warning("Gave up waiting for answers to be written and workers to exit");
        event_base_loopbreak(m->base);
}

/* Removes the socket file made at start, unless another one took its place since (a daemon
 * started after this one stopped listening). A client then finds no socket rather than a
 * socket nobody answers. */
static void manager_remove_socket(Manager *m) {
        struct stat st;

        if (!m->socket_created)
                return;
        m->socket_created = false;
        if (stat(m->socket_path, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_dev != m->socket_dev ||
            st.st_ino != m->socket_ino)
                return;
        if (unlink(m->socket_path) < 0)
                log_warning_errno(errno, "Failed to remove %s, ignoring: %m", m->socket_path);
}

/* The shutdown's progress: no request left → stop listening and stop the workers; nothing left
 * to write and no worker left → leave the loop. */
static void stop_check(Manager *m) {
        struct timeval tv;

        if (!m->stopping)
                return;
        if (!m->drained) {
                if (manager_n_jobs(m) > 0)
                        return;
                m->drained = true;
                log_info("All requests answered; stopping the workers");
                if (m->server)
                        server_stop_listening(m->server);
                manager_remove_socket(m);
                tv = timeval_from_usec(MANAGER_FLUSH_TIMEOUT_USEC);
                evtimer_add(m->stop_timer, &tv);
                for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++)
                        if (m->pools[l])
                                pool_stop(m->pools[l]);
        }
        if (manager_n_workers(m) == 0 && (!m->server || server_is_flushed(m->server)))
                event_base_loopbreak(m->base);
}

/* The pools share --max-vms: a language whose requests wait while the others' idle extra
 * workers hold every place gets those places (the extras stop at once instead of after their
 * linger), and any pool with a queue starts workers when places come free. */
static void balance_pools(Manager *m) {
        bool starved = false;

        if (m->balancing || m->stopping)
                return;
        m->balancing = true;
        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++)
                if (m->pools[l] && pool_n_queued(m->pools[l]) > 0)
                        starved |= m->limits.n_vms >= m->limits.max_vms;
        for (ExecLanguage l = 0; starved && l < _EXEC_LANGUAGE_MAX; l++)
                if (m->pools[l] && pool_n_queued(m->pools[l]) == 0)
                        pool_release_extras(m->pools[l]);
        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++)
                if (m->pools[l])
                        pool_kick(m->pools[l]);
        m->balancing = false;
}

void manager_changed(Manager *m) {
        balance_pools(m);
        status_update(m);
        stop_check(m);
}

static void on_stop_signal(evutil_socket_t sig, short what, void *userdata) {
        Manager *m = userdata;

        if (m->stopping) {
                log_notice("Second stop signal: exiting without waiting");
                event_base_loopbreak(m->base);
                return;
        }
        m->stopping = true;
        log_info("Stopping (%s): finishing %u request(s) in flight", strsignal((int)sig),
                 manager_n_jobs(m));
        (void)sd_notify(false, "STOPPING=1");
        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++)
                if (m->pools[l])
                        pool_stop(m->pools[l]);
        status_send(m);
        stop_check(m);
}

/* Many clients and workers mean many fds; the soft limit (1024 by default) is raised to the hard
 * one. select() is not used anywhere, so large fd numbers are fine. */
static void raise_fd_limit(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        log_debug_errno(errno, "Failed to raise RLIMIT_NOFILE, ignoring: %m");
        }
}

int manager_new(const ManagerConfig *config, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;

        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        m->socket_mode = config->socket_mode;
        m->limits = (PoolLimits){
                .pool_size = config->pool_size,
                .max_vms = config->max_vms,
                .max_queue = config->max_queue,
                .fresh_vms = config->fresh_vms,
        };
        stats_init(&m->stats);
        m->socket_path = config->socket_path ? strdup(config->socket_path) : NULL;
        m->state_dir = strdup(config->state_dir);
        m->worker_path = strdup(config->worker_path);
        if ((config->socket_path && !m->socket_path) || !m->state_dir || !m->worker_path)
                return -ENOMEM;

        m->base = event_base_new();
        if (!m->base)
                return -ENOMEM;
        m->sigterm_event = evsignal_new(m->base, SIGTERM, on_stop_signal, m);
        m->sigint_event = evsignal_new(m->base, SIGINT, on_stop_signal, m);
        m->status_timer = evtimer_new(m->base, on_status_timer, m);
        m->stop_timer = evtimer_new(m->base, on_stop_timer, m);
        if (!m->sigterm_event || !m->sigint_event || !m->status_timer || !m->stop_timer)
                return -ENOMEM;

        /* A client that goes away while we write to it must cost an EPIPE, not the daemon. */
        signal(SIGPIPE, SIG_IGN);
        raise_fd_limit();

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        /* Connections first: cancelling their requests touches the pools. */
        server_free(m->server);
        manager_remove_socket(m);
        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++)
                pool_free(m->pools[l]);
        if (m->sigterm_event)
                event_free(m->sigterm_event);
        if (m->sigint_event)
                event_free(m->sigint_event);
        if (m->status_timer)
                event_free(m->status_timer);
        if (m->stop_timer)
                event_free(m->stop_timer);
        if (m->base)
                event_base_free(m->base);
        free(m->socket_path);
        free(m->state_dir);
        free(m->worker_path);
        free(m->status_sent);
        free(m);
        return NULL;
}

/* The listening socket: systemd's when socket-activated (it wins over --socket), else ours. */
static int manager_open_socket(Manager *m, int *ret_fd) {
        int n, r;

        n = sd_listen_fds(true);
        if (n < 0)
                return log_error_errno(n, "Failed to get the sockets passed by systemd: %m");
        if (n > 1)
                return log_error_errno(EINVAL, "Expected one socket from systemd, got %d", n);
        if (n == 1) {
                r = sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0);
                if (r < 0)
                        return log_error_errno(r, "Failed to check the socket from systemd: %m");
                if (r == 0)
                        return log_error_errno(EINVAL, "The socket from systemd is not a "
                                                       "listening Unix stream socket");
                m->socket_activated = true;
                log_info("Using the socket passed by systemd");
                *ret_fd = SD_LISTEN_FDS_START;
                return 0;
        }
        if (!m->socket_path)
                return log_error_errno(EINVAL, "No socket passed by systemd and no --socket given");
        r = server_listen_unix(m->socket_path, m->socket_mode, ret_fd);
        if (r == -EADDRINUSE)
                return log_error_errno(r, "Another server is listening on %s", m->socket_path);
        if (r < 0)
                return log_error_errno(r, "Failed to listen on %s: %m", m->socket_path);
        log_info("Listening on %s", m->socket_path);
        struct stat st;
        if (stat(m->socket_path, &st) >= 0) {
                m->socket_created = true;
                m->socket_dev = st.st_dev;
                m->socket_ino = st.st_ino;
        }
        return 0;
}

static bool manager_pools_warm(Manager *m) {
        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++)
                if (m->pools[l] && !pool_is_warm(m->pools[l]))
                        return false;
        return true;
}

static void on_startup_timeout(evutil_socket_t fd, short what, void *userdata) {
        bool *timed_out = userdata;
        *timed_out = true;
}

int manager_start(Manager *m) {
        struct event *startup_timer = NULL;
        bool timed_out = false;
        struct timeval tv;
        uint64_t start = now_usec();
        int fd = -1, r;

        if (event_add(m->sigterm_event, NULL) < 0 || event_add(m->sigint_event, NULL) < 0)
                return log_error_errno(EIO, "Failed to watch for stop signals");

        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++) {
                _cleanup_free_ char *dir = NULL;
                const char *name = exec_language_to_string(l);
                uint64_t t = now_usec();

                (void)sd_notifyf(false, "STATUS=Making the %s snapshot", name);
                log_info("Making the %s snapshot in %s/snapshots/%s (if not up to date)", name,
                         m->state_dir, name);
                r = snapshot_maker_run(m->worker_path, m->state_dir, l, &dir);
                if (r == -EIO)
                        return log_error_errno(r, "%s failed to make the %s snapshot",
                                               m->worker_path, name);
                if (r < 0)
                        return log_error_errno(r, "Failed to make the %s snapshot with %s: %m",
                                               name, m->worker_path);
                log_info("The %s snapshot is ready (%.0f ms)", name, usec_to_ms(now_usec() - t));

                r = pool_new(m->base, l, m->worker_path, dir, &m->limits, &m->stats,
                             on_pool_changed, m, &m->pools[l]);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up the %s pool: %m", name);
        }

        r = manager_open_socket(m, &fd);
        if (r < 0)
                return r;
        r = server_new(m->base, fd, &server_handler, m, &m->server);
        if (r < 0)
                return log_error_errno(r, "Failed to serve on the socket: %m");

        (void)sd_notify(false, "STATUS=Starting the workers");
        for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++) {
                r = pool_start(m->pools[l]);
                if (r < 0)
                        return log_error_errno(r, "Failed to start %s workers (%s): %m",
                                               exec_language_to_string(l), m->worker_path);
        }

        /* Requests that come meanwhile are queued; READY=1 waits for warm pools. */
        startup_timer = evtimer_new(m->base, on_startup_timeout, &timed_out);
        if (!startup_timer)
                return log_oom();
        tv = timeval_from_usec(STARTUP_TIMEOUT_USEC);
        evtimer_add(startup_timer, &tv);
        r = 0;
        while (!manager_pools_warm(m) && !m->stopping) {
                if (timed_out) {
                        r = log_error_errno(ETIMEDOUT, "The workers were not ready within %u s",
                                            (unsigned)(STARTUP_TIMEOUT_USEC / USEC_PER_SEC));
                        break;
                }
                for (ExecLanguage l = 0; l < _EXEC_LANGUAGE_MAX; l++)
                        if (m->pools[l] && pool_n_failures(m->pools[l]) >= STARTUP_FAILURES_MAX) {
                                r = log_error_errno(EIO,
                                                    "%s workers keep failing before they are "
                                                    "ready; see the messages above",
                                                    exec_language_to_string(l));
                                break;
                        }
                if (r < 0)
                        break;
                if (event_base_loop(m->base, EVLOOP_ONCE) < 0) {
                        r = log_error_errno(EIO, "The event loop failed");
                        break;
                }
        }
        event_free(startup_timer);
        if (r < 0)
                return r;
        if (!m->stopping)
                log_info("Ready: %u worker(s) per language warm in %.0f ms", m->limits.pool_size,
                         usec_to_ms(now_usec() - start));
        status_send(m);
        return 0;
}

int manager_run(Manager *m) {
        if (!m->stopping || !event_base_got_break(m->base)) {
                if (event_base_dispatch(m->base) < 0)
                        return log_error_errno(EIO, "The event loop failed");
        }
        log_info("Stopped after %" PRIu64 " requests", m->stats.requests.total);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* Waiting for files: poll/ppoll, select/pselect6, epoll, and the eventfds programs wait on. One
 * readiness rule serves them all (readiness.h). With one thread nothing changes while the program
 * waits, so a wait that finds nothing ready sleeps out its timeout (never past the run's
 * deadline), looks once more, and returns; a wait without a timeout sleeps until the deadline
 * ends the run, as the program would hang on Linux. Signal masks are checked and otherwise
 * ignored: no signal arrives asynchronously here, so waits never give EINTR. */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/syscall.h>

#include "epoll.h"
#include "eventfd.h"
#include "macro.h"
#include "readiness.h"
#include "syscall-handlers.h"
#include "uaccess.h"

#define NS_PER_SEC 1000000000ULL
/* Keeps the seconds of a guest timespec from overflowing nanoseconds (about 36 years). */
#define TIMEOUT_MAX_SEC ((int64_t)1 << 30)

/* A timeout in nanoseconds, or -1 for none. */
typedef int64_t Timeout;
#define TIMEOUT_INFINITE ((Timeout)-1)

static Timeout timeout_from_ms(int ms) {
        return ms < 0 ? TIMEOUT_INFINITE : (Timeout)ms * 1000000;
}

static Timeout timeout_from_parts(int64_t sec, int64_t nsec) {
        return MIN(sec, TIMEOUT_MAX_SEC) * (Timeout)NS_PER_SEC + nsec;
}

/* Reads a struct timespec timeout (NULL: none); -EINVAL unless tv_sec >= 0 and 0 <= tv_nsec <
 * 1e9, as Linux's poll_select_set_timeout() checks. */
static int get_timespec_timeout(Process *p, uint64_t addr, Timeout *ret) {
        struct timespec ts;
        int r;

        if (!addr) {
                *ret = TIMEOUT_INFINITE;
                return 0;
        }
        r = copy_from_user(&p->mm, &ts, addr, sizeof(ts));
        if (r < 0)
                return r;
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NS_PER_SEC)
                return -EINVAL;
        *ret = timeout_from_parts(ts.tv_sec, ts.tv_nsec);
        return 0;
}

/* select, pselect6 and ppoll write back the time left; a failure to do so is ignored, as on
 * Linux (the result stands). */
static void put_time_left(Process *p, uint64_t addr, Timeout timeout, uint64_t start,
                          bool timeval) {
        uint64_t elapsed = now_ns(CLOCK_MONOTONIC) - start;
        uint64_t left = (uint64_t)timeout > elapsed ? (uint64_t)timeout - elapsed : 0;

        if (!addr || timeout < 0)
                return;
        if (timeval) {
                struct timeval tv = {.tv_sec = (time_t)(left / NS_PER_SEC),
                                     .tv_usec = (suseconds_t)(left % NS_PER_SEC / 1000)};
                (void)copy_to_user(&p->mm, addr, &tv, sizeof(tv));
        } else {
                struct timespec ts = {.tv_sec = (time_t)(left / NS_PER_SEC),
                                      .tv_nsec = (long)(left % NS_PER_SEC)};
                (void)copy_to_user(&p->mm, addr, &ts, sizeof(ts));
        }
}

/* The sigmask argument of ppoll, pselect6 and epoll_pwait: checked (-EINVAL for a size other
 * than the kernel's 8-byte sigset, -EFAULT), not applied. */
static int check_sigmask(Process *p, uint64_t addr, uint64_t size) {
        uint64_t mask;

        if (!addr)
                return 0;
        if (size != sizeof(mask))
                return -EINVAL;
        return copy_from_user(&p->mm, &mask, addr, sizeof(mask));
}

/* When a wait with this timeout must give up (CLOCK_MONOTONIC). */
static uint64_t wait_deadline(Timeout timeout) {
        return timeout < 0 ? UINT64_MAX : now_ns(CLOCK_MONOTONIC) + (uint64_t)timeout;
}

/* Waits for a change to what ws watches, up to `deadline`, and unregisters ws. Returns true
 * when woken early (another thread acted: re-check, and wait again if still nothing is ready),
 * false when the time is up or the sandbox ended (re-check once, then return what there is). */
static bool wait_for_change(Process *p, WaitSet *ws, uint64_t deadline) {
        uint64_t now = now_ns(CLOCK_MONOTONIC);
        bool woken = false;

        if (now < deadline)
                woken = process_wait(p, ws, deadline == UINT64_MAX ? UINT64_MAX : deadline - now) ==
                        0;
        wait_set_done(ws);
        return woken;
}

/* An open file a wait may look at; O_PATH handles count as not open, as Linux's fdget() sees
 * them. */
static int get_waitable(Process *p, int fd, OpenFile **ret) {
        int r = fdtable_get(p->fds, fd, ret);
        if (r < 0)
                return r;
        return ((*ret)->flags & O_PATH) ? -EBADF : 0;
}

/* ---- poll ---- */

static int64_t poll_scan(Process *p, struct pollfd *pfds, uint64_t nfds) {
        int64_t ready = 0;

        for (uint64_t i = 0; i < nfds; i++) {
                OpenFile *f;

                pfds[i].revents = 0;
                if (pfds[i].fd < 0)
                        continue;
                if (get_waitable(p, pfds[i].fd, &f) < 0)
                        pfds[i].revents = POLLNVAL;
                else
                        pfds[i].revents = (short)(readiness_poll(f) &
                                                  ((uint16_t)pfds[i].events | POLLERR | POLLHUP));
                if (pfds[i].revents)
                        ready++;
        }
        return ready;
}

/* Registers ws on every file poll_scan() looks at. */
static void poll_watch(Process *p, const struct pollfd *pfds, uint64_t nfds, WaitSet *ws) {
        wait_set_init(ws, p);
        for (uint64_t i = 0; i < nfds; i++) {
                OpenFile *f;
                if (pfds[i].fd >= 0 && get_waitable(p, pfds[i].fd, &f) >= 0)
                        readiness_watch(f, ws);
        }
}

static int64_t do_poll(Process *p, uint64_t fds_addr, uint64_t nfds, Timeout timeout) {
        _cleanup_free_ struct pollfd *pfds = NULL;
        int64_t ready;
        int r;

        if (nfds > fdtable_limit(p->fds))
                return -EINVAL;
        pfds = calloc(MAX(nfds, (uint64_t)1), sizeof(*pfds));
        if (!pfds)
                return -ENOMEM;
        r = copy_from_user(&p->mm, pfds, fds_addr, nfds * sizeof(*pfds));
        if (r < 0)
                return r;
        ready = poll_scan(p, pfds, nfds);
        for (uint64_t deadline = wait_deadline(timeout); ready == 0 && timeout != 0;) {
                WaitSet ws;
                poll_watch(p, pfds, nfds, &ws);
                bool again = wait_for_change(p, &ws, deadline);
                ready = poll_scan(p, pfds, nfds);
                if (!again)
                        break;
        }
        r = copy_to_user(&p->mm, fds_addr, pfds, nfds * sizeof(*pfds));
        return r < 0 ? r : ready;
}

int64_t sys_poll(Process *p, const SyscallArgs *a) {
        return do_poll(p, a->a[0], a->a[1], timeout_from_ms((int)a->a[2]));
}

int64_t sys_ppoll(Process *p, const SyscallArgs *a) {
        uint64_t start = now_ns(CLOCK_MONOTONIC);
        Timeout timeout;
        int64_t n;
        int r;

        r = get_timespec_timeout(p, a->a[2], &timeout);
        if (r < 0)
                return r;
        r = check_sigmask(p, a->a[3], a->a[4]);
        if (r < 0)
                return r;
        n = do_poll(p, a->a[0], a->a[1], timeout);
        if (n >= 0)
                put_time_left(p, a->a[2], timeout, start, false);
        return n;
}

/* ---- select ---- */

#define FDSET_WORD_BITS 64u

/* Linux's POLLIN_SET, POLLOUT_SET and POLLEX_SET: the poll bits each fd_set stands for. */
static const uint32_t select_bits[3] = {
        POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR,
        POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR,
        POLLPRI,
};

/* in[] holds the three sets asked for (all-zero when not given); fills out[] and returns the
 * number of bits set, or -EBADF for a set bit whose fd is not open. */
static int64_t select_scan(Process *p, int nfds, uint64_t *const in[3], uint64_t *const out[3],
                           size_t words) {
        int64_t ready = 0;

        for (size_t k = 0; k < 3; k++)
                memset(out[k], 0, words * sizeof(uint64_t));
        for (int fd = 0; fd < nfds; fd++) {
                size_t w = (size_t)fd / FDSET_WORD_BITS;
                uint64_t bit = 1ULL << ((unsigned)fd % FDSET_WORD_BITS);
                uint32_t mask;
                OpenFile *f;

                if (!((in[0][w] | in[1][w] | in[2][w]) & bit))
                        continue;
                if (get_waitable(p, fd, &f) < 0)
                        return -EBADF;
                mask = readiness_poll(f);
                for (size_t k = 0; k < 3; k++)
                        if ((in[k][w] & bit) && (mask & select_bits[k])) {
                                out[k][w] |= bit;
                                ready++;
                        }
        }
        return ready;
}

/* Registers ws on every file select_scan() looks at. */
static void select_watch(Process *p, int nfds, uint64_t *const in[3], WaitSet *ws) {
        wait_set_init(ws, p);
        for (int fd = 0; fd < nfds; fd++) {
                size_t w = (size_t)fd / FDSET_WORD_BITS;
                uint64_t bit = 1ULL << ((unsigned)fd % FDSET_WORD_BITS);
                OpenFile *f;

                if (((in[0][w] | in[1][w] | in[2][w]) & bit) && get_waitable(p, fd, &f) >= 0)
                        readiness_watch(f, ws);
        }
}

static int64_t do_select(Process *p, int nfds, const uint64_t addrs[3], Timeout timeout) {
        _cleanup_free_ uint64_t *sets = NULL;
        uint64_t *in[3], *out[3];
        size_t words;
        int64_t ready;
        int r;

        if (nfds < 0)
                return -EINVAL;
        /* Linux looks no further than its fd table; fds past ours can't be open. */
        nfds = (int)MIN((unsigned)nfds, fdtable_limit(p->fds));
        words = ((size_t)nfds + FDSET_WORD_BITS - 1) / FDSET_WORD_BITS;
        sets = calloc(MAX(words, (size_t)1) * 6, sizeof(uint64_t));
        if (!sets)
                return -ENOMEM;
        for (size_t k = 0; k < 3; k++) {
                in[k] = sets + k * MAX(words, (size_t)1);
                out[k] = sets + (3 + k) * MAX(words, (size_t)1);
                if (addrs[k]) {
                        r = copy_from_user(&p->mm, in[k], addrs[k], words * sizeof(uint64_t));
                        if (r < 0)
                                return r;
                }
        }

        ready = select_scan(p, nfds, in, out, words);
        for (uint64_t deadline = wait_deadline(timeout); ready == 0 && timeout != 0;) {
                WaitSet ws;
                select_watch(p, nfds, in, &ws);
                bool again = wait_for_change(p, &ws, deadline);
                ready = select_scan(p, nfds, in, out, words);
                if (!again)
                        break;
        }
        if (ready < 0)
                return ready;
        for (size_t k = 0; k < 3; k++)
                if (addrs[k]) {
                        r = copy_to_user(&p->mm, addrs[k], out[k], words * sizeof(uint64_t));
                        if (r < 0)
                                return r;
                }
        return ready;
}

int64_t sys_select(Process *p, const SyscallArgs *a) {
        uint64_t addrs[3] = {a->a[1], a->a[2], a->a[3]};
        uint64_t start = now_ns(CLOCK_MONOTONIC);
        Timeout timeout = TIMEOUT_INFINITE;
        int64_t n;

        if (a->a[4]) {
                struct timeval tv;
                int r = copy_from_user(&p->mm, &tv, a->a[4], sizeof(tv));
                if (r < 0)
                        return r;
                /* Linux folds whole seconds of tv_usec into tv_sec; only negatives are wrong. */
                if (tv.tv_sec < 0 || tv.tv_usec < 0)
                        return -EINVAL;
                timeout = timeout_from_parts(MIN(tv.tv_sec, TIMEOUT_MAX_SEC) + tv.tv_usec / 1000000,
                                             tv.tv_usec % 1000000 * 1000);
        }
        n = do_select(p, (int)a->a[0], addrs, timeout);
        if (n >= 0)
                put_time_left(p, a->a[4], timeout, start, true);
        return n;
}

int64_t sys_pselect6(Process *p, const SyscallArgs *a) {
        uint64_t addrs[3] = {a->a[1], a->a[2], a->a[3]};
        uint64_t start = now_ns(CLOCK_MONOTONIC);
        Timeout timeout;
        int64_t n;
        int r;

        r = get_timespec_timeout(p, a->a[4], &timeout);
        if (r < 0)
                return r;
        if (a->a[5]) {
                /* The sixth argument points at {const sigset_t *mask; size_t size}. */
                uint64_t sig[2];
                r = copy_from_user(&p->mm, sig, a->a[5], sizeof(sig));
                if (r < 0)
                        return r;
                r = check_sigmask(p, sig[0], sig[1]);
                if (r < 0)
                        return r;
        }
        n = do_select(p, (int)a->a[0], addrs, timeout);
        if (n >= 0)
                put_time_left(p, a->a[4], timeout, start, false);
        return n;
}

/* ---- eventfd ---- */

int64_t sys_eventfd2(Process *p, const SyscallArgs *a) {
        _cleanup_(file_unrefp) OpenFile *f = NULL;
        int flags = (int)a->a[1], r;
        EventCounter *c;

        if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
                return -EINVAL;
        /* The initial value is an unsigned int. */
        r = event_counter_new((uint32_t)a->a[0], flags & EFD_SEMAPHORE, &c);
        if (r < 0)
                return r;
        r = file_new_eventfd(c, flags & EFD_NONBLOCK ? O_NONBLOCK : 0, &f);
        if (r < 0) {
                event_counter_free(c);
                return r;
        }
        return fdtable_install(p->fds, f, 0, flags & EFD_CLOEXEC);
}

int64_t sys_eventfd(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {{a->a[0], 0, 0, 0, 0, 0}};
        return sys_eventfd2(p, &b);
}

/* ---- epoll ---- */

int64_t sys_epoll_create1(Process *p, const SyscallArgs *a) {
        _cleanup_(file_unrefp) OpenFile *f = NULL;
        int flags = (int)a->a[0], r;
        EventPoll *ep;

        if (flags & ~EPOLL_CLOEXEC)
                return -EINVAL;
        r = eventpoll_new(&ep);
        if (r < 0)
                return r;
        r = file_new_epoll(ep, &f);
        if (r < 0) {
                eventpoll_free(ep);
                return r;
        }
        return fdtable_install(p->fds, f, 0, flags & EPOLL_CLOEXEC);
}

int64_t sys_epoll_create(Process *p, const SyscallArgs *a) {
        SyscallArgs b = {};

        if ((int)a->a[0] <= 0)
                return -EINVAL; /* the size hint is otherwise ignored, as on Linux */
        return sys_epoll_create1(p, &b);
}

int64_t sys_epoll_ctl(Process *p, const SyscallArgs *a) {
        struct epoll_event event = {};
        int op = (int)a->a[1], r;
        OpenFile *self, *target;

        if (op != EPOLL_CTL_DEL) {
                r = copy_from_user(&p->mm, &event, a->a[3], sizeof(event));
                if (r < 0)
                        return r;
        }
        r = fdtable_get(p->fds, (int)a->a[0], &self);
        if (r < 0)
                return r;
        r = fdtable_get(p->fds, (int)a->a[2], &target);
        if (r < 0)
                return r;
        return eventpoll_ctl(self->epoll, self, op, (int)a->a[2], target, &event);
}

static int64_t do_epoll_wait(Process *p, int epfd, uint64_t events_addr, int maxevents,
                             Timeout timeout) {
        _cleanup_free_ struct epoll_event *events = NULL;
        OpenFile *f;
        size_t room;
        int n, r;

        if (maxevents <= 0 || maxevents > EVENTPOLL_MAX_EVENTS)
                return -EINVAL;
        r = get_waitable(p, epfd, &f);
        if (r < 0)
                return r;
        if (f->kind != FILE_EPOLL)
                return -EINVAL;
        /* No more events than watches can come back: size the buffer by both. */
        room = MIN((size_t)maxevents, MAX(f->epoll->n_entries, (size_t)1));
        events = calloc(room, sizeof(*events));
        if (!events)
                return -ENOMEM;
        n = eventpoll_collect(f->epoll, events, (int)room);
        for (uint64_t deadline = wait_deadline(timeout); n == 0 && timeout != 0;) {
                WaitSet ws;
                wait_set_init(&ws, p);
                readiness_watch(f, &ws);
                bool again = wait_for_change(p, &ws, deadline);
                n = eventpoll_collect(f->epoll, events, (int)room);
                if (!again)
                        break;
        }
        r = copy_to_user(&p->mm, events_addr, events, (size_t)n * sizeof(*events));
        return r < 0 ? r : n;
}

int64_t sys_epoll_wait(Process *p, const SyscallArgs *a) {
        return do_epoll_wait(p, (int)a->a[0], a->a[1], (int)a->a[2], timeout_from_ms((int)a->a[3]));
}

int64_t sys_epoll_pwait(Process *p, const SyscallArgs *a) {
        int r = check_sigmask(p, a->a[4], a->a[5]);
        if (r < 0)
                return r;
        return do_epoll_wait(p, (int)a->a[0], a->a[1], (int)a->a[2], timeout_from_ms((int)a->a[3]));
}

int64_t sys_epoll_pwait2(Process *p, const SyscallArgs *a) {
        Timeout timeout;
        int r;

        r = get_timespec_timeout(p, a->a[3], &timeout);
        if (r < 0)
                return r;
        r = check_sigmask(p, a->a[4], a->a[5]);
        if (r < 0)
                return r;
        return do_epoll_wait(p, (int)a->a[0], a->a[1], (int)a->a[2], timeout);
}

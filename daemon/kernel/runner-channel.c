/* SPDX-License-Identifier: MIT */
#include "runner-channel.h"

#include <errno.h>
#include <string.h>

#include "macro.h"
#include "process.h"
#include "runner-protocol.h"
#include "sandbox.h"
#include "syscall.h"

int runner_channel_open(Sandbox *s, int fd, bool control) {
        _cleanup_(file_unrefp) OpenFile *f = NULL;
        int r;

        r = file_new_stdin(NULL, 0, &f);
        if (r < 0)
                return r;
        r = fdtable_install_at(s->init->fds, f, fd, false);
        if (r < 0)
                return r;
        s->channel = (RunnerChannel){.fd = fd, .awaiting = true, .control = control};
        return 0;
}

int runner_channel_deliver(Sandbox *s, const void *data, size_t size) {
        _cleanup_(file_unrefp) OpenFile *f = NULL;
        int r;

        if (s->state != SANDBOX_READY || !s->channel.awaiting || s->channel.fd < 0)
                return -EBUSY;
        r = file_new_stdin(data, size, &f);
        if (r < 0)
                return r;
        r = fdtable_install_at(s->init->fds, f, s->channel.fd, false);
        if (r < 0)
                return r;
        s->channel.awaiting = false;
        s->state = SANDBOX_RUNNING;
        /* The runner's read is still pending in its registers: serve it now. */
        syscall_dispatch(s->init);
        return 0;
}

bool runner_channel_is_ready_point(const Process *p, int fd) {
        const Sandbox *s = p->sandbox;
        return p == s->init && s->channel.awaiting && fd == s->channel.fd;
}

void runner_channel_consumed(Process *p, int fd) {
        RunnerChannel *c = &p->sandbox->channel;
        OpenFile *f;

        /* Once the runner has read the request whole, the channel goes away by itself: the
         * program never sees it, and the runner saves a close (a VM exit). */
        if (p != p->sandbox->init || fd != c->fd || c->awaiting || c->control || c->fd < 0 ||
            fdtable_get(p->fds, c->fd, &f) < 0 || f->kind != FILE_STDIN || f->pos < f->input_size)
                return;
        (void)fdtable_close(p->fds, c->fd);
        c->fd = -1;
}

bool runner_channel_control_write(Process *p, int fd, const void *data, size_t size) {
        Sandbox *s = p->sandbox;
        OpenFile *f;
        int32_t status;

        _Static_assert(sizeof(status) == RUNNER_EXIT_STATUS_SIZE, "the exit status is an i32");

        if (p != s->init || !s->channel.control || s->channel.awaiting || fd != s->channel.fd ||
            fdtable_get(p->fds, fd, &f) < 0 || f->kind != FILE_STDIN || size != sizeof(status))
                return false;
        memcpy(&status, data, sizeof(status));
        process_exit(p, status);
        return true;
}

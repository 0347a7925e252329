/* SPDX-License-Identifier: MIT */
/* The runner's request channel, on the host side: an fd of init's (RUNNER_CHANNEL_FD; the
 * format is protocol/runner-protocol.h) whose first read is the runner's ready point. The read is left pending (registers
 * untouched) until a request is delivered; the runner then reads the request, then EOF. The
 * channel stays open once read when it is a control channel: writing a 4-byte exit status to
 * it ends the program at once, sparing the interpreter's teardown (a VM is reset or discarded
 * whole; node spends most of a short run's exits tearing down). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct Sandbox Sandbox;
typedef struct Process Process;

typedef struct RunnerChannel {
        int fd;        /* in init's fd table; -1: none */
        bool awaiting; /* the runner's read of fd is the ready point */
        bool control;  /* stays open as the control channel */
} RunnerChannel;

/* Opens the channel at fd in init's table (empty, awaiting). */
int runner_channel_open(Sandbox *s, int fd, bool control);
/* Completes the pending read with `data`: the bytes the runner reads next, then EOF. The
 * sandbox must be SANDBOX_READY. */
int runner_channel_deliver(Sandbox *s, const void *data, size_t size);
/* Whether a read of fd by p is the ready point: the sandbox then stops there, READY. */
bool runner_channel_is_ready_point(const Process *p, int fd);
/* After p read from fd: closes the channel if the request has been read whole (unless it is a
 * control channel). */
void runner_channel_consumed(Process *p, int fd);
/* A write to fd: if it is the control channel, ends the sandbox with the status written and
 * returns true. */
bool runner_channel_control_write(Process *p, int fd, const void *data, size_t size);

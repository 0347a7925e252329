/* SPDX-License-Identifier: MIT */
/* The runner channel's wire format: how the worker (daemon/worker/run.c, through the kernel's
 * side of the channel in daemon/kernel/runner-channel.c) hands one request to the language's
 * runner inside the guest (guest/runner/python_runner.py, node_runner.js), and how a runner may
 * end the program early.
 * Both runners are Python and JavaScript, so this header is their reference, not their include:
 * they name it in their comments.
 *
 * The channel is guest fd RUNNER_CHANNEL_FD, opened by the worker before the runner starts.
 *
 *   worker → runner, once   the request
 *        u64 little-endian  length: the bytes of JSON that follow
 *        JSON object        {"code": str, "args": [str], "env": {str: str}, "cwd": str,
 *                            "pid": int, "seed": str, and optionally "stream": true,
 *                            "script_name": str}
 *                           code, args, env (the defaults with the request's on top) and cwd
 *                           as the execute request gives them (the cwd exists: the worker made
 *                           it); pid the guest process's own (runtimes cache theirs at start,
 *                           before the snapshot); seed 64 hex digits of fresh host entropy for
 *                           the runtime's PRNGs, which the snapshot froze; stream when the
 *                           client streams the output (Python's runner line-buffers stdout);
 *                           script_name the execute request's (run as `python3 NAME`, `node
 *                           NAME`)
 *     The runner's first read of the channel is the ready point: a snapshot is taken while it
 *     is pending, and each restored VM completes it with its own request. Once the request has
 *     been read whole the channel closes itself (the program never sees fd 3), unless the
 *     runtime keeps it as a control channel (Runtime.control_channel).
 *
 *   runner → worker, at most once, control channel only   the end
 *        i32 little-endian  the exit status (its low 8 bits are the exit code)
 *     One write of exactly RUNNER_EXIT_STATUS_SIZE bytes ends the program at once with that
 *     status, sparing the interpreter's teardown in a VM that is reset or discarded anyway.
 *
 * Bump RUNNER_CHANNEL_VERSION whenever the layout or a member changes meaning; a snapshot holds a
 * runner blocked in its read, so one made for another version must be remade (snapshots are
 * remade whenever the image changes, and the runners are in the image). */
#pragma once

#define RUNNER_CHANNEL_VERSION 2

/* The guest fd of the channel. */
#define RUNNER_CHANNEL_FD 3

/* The request's length prefix: a little-endian u64. */
#define RUNNER_REQUEST_LENGTH_SIZE 8

/* The control channel's one message: a little-endian i32 exit status. */
#define RUNNER_EXIT_STATUS_SIZE 4

/* SPDX-License-Identifier: MIT */
/* Serving one execute request in a fresh VM: the cold path (boot the interpreter, run the code,
 * collect output and fate into an ExecResult). */
#pragma once

#include "execute.h"
#include "image.h"

typedef struct RunOptions {
        const Image *image;
        const char *runtime_version;
        const char *host_exec; /* tests: run this static host ELF instead of the interpreter */
} RunOptions;

/* Fills *result. Returns 0 when the sandbox ran (whatever the program did), -errno when the
 * VM could not be set up or failed on the host's side. */
int run_request(const RunOptions *options, const ExecRequest *req, ExecResult *result);

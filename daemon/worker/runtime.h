/* SPDX-License-Identifier: MIT */
/* What the worker knows of each language's interpreter in the guest image: where it is, how a
 * program is run cold (`python3 -c CODE`, `node -e CODE`), the runner a snapshot is made from,
 * and the sample request whose pages make the warm-up list. */
#pragma once

#include "exec-codec.h"

typedef struct Runtime {
        ExecLanguage language;
        const char *name;        /* the snapshot's language field */
        const char *interpreter; /* the ELF in the image */
        /* argv before the code and the program's arguments on the cold path... */
        const char *const *cold_argv;
        /* ...and between the code and the arguments (node: "--", so an argument starting with
         * "-" stays the program's) */
        const char *cold_args_separator;
        /* argv of the runner, booted to its ready point for a snapshot */
        const char *const *runner_argv;
        /* The runner ends the program through the request channel (process.h) */
        bool control_channel;
        const char *version;
        const char *warmup_code;
} Runtime;

/* NULL for a language out of range. */
const Runtime *runtime_get(ExecLanguage language);
/* By the snapshot's language field; NULL if none. */
const Runtime *runtime_by_name(const char *name);

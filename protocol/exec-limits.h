/* SPDX-License-Identifier: MIT */
/* Per-request limits of `execute`: each has a default (used when the client leaves the field out)
 * and a ceiling (a larger value is refused, never clamped). PROTOCOL.md "Limits" is the table a
 * client reads; keep the two in step. The daemon may later lower a ceiling by configuration, never
 * raise it past these.
 *
 * Sizes are bytes. "Total" sizes of args/env are the sum of the entries' byte lengths without
 * terminators (for env, of the "KEY=VALUE" form). */
#pragma once

#include <stdint.h>

#define EXEC_KIB UINT64_C(1024)
#define EXEC_MIB (UINT64_C(1024) * 1024)

/* Wall-clock time from the first guest instruction of the request to its end, enforced by the
 * host. */
#define EXEC_TIMEOUT_MS_DEFAULT UINT64_C(10000)
#define EXEC_TIMEOUT_MS_MIN     UINT64_C(1)
#define EXEC_TIMEOUT_MS_MAX     UINT64_C(300000)

/* Guest memory; past it allocations fail with ENOMEM inside the guest. 32 MiB is about what the
 * smallest interpreter template needs to start. */
#define EXEC_MEMORY_MB_DEFAULT UINT64_C(256)
#define EXEC_MEMORY_MB_MIN     UINT64_C(32)
#define EXEC_MEMORY_MB_MAX     UINT64_C(4096)

/* Bytes of stdout and stderr kept, counted together; the rest is dropped and `truncated` set.
 * 0 is allowed: keep nothing, only learn whether there was output. */
#define EXEC_MAX_OUTPUT_BYTES_DEFAULT (1 * EXEC_MIB)
#define EXEC_MAX_OUTPUT_BYTES_MIN     UINT64_C(0)
#define EXEC_MAX_OUTPUT_BYTES_MAX     (64 * EXEC_MIB)

#define EXEC_CODE_BYTES_MAX  (1 * EXEC_MIB)
#define EXEC_STDIN_BYTES_MAX (16 * EXEC_MIB)

/* 128 KiB per string is Linux's MAX_ARG_STRLEN: a longer argv/envp entry could not be passed to a
 * real execve() either. */
#define EXEC_ARGS_COUNT_MAX       UINT64_C(256)
#define EXEC_ARG_BYTES_MAX        (128 * EXEC_KIB)
#define EXEC_ARGS_TOTAL_BYTES_MAX (1 * EXEC_MIB)

#define EXEC_ENV_COUNT_MAX       UINT64_C(256)
#define EXEC_ENV_ENTRY_BYTES_MAX (128 * EXEC_KIB)
#define EXEC_ENV_TOTAL_BYTES_MAX (1 * EXEC_MIB)

/* PATH_MAX (4096) including the terminator. */
#define EXEC_CWD_BYTES_MAX UINT64_C(4095)

/* A script name is one file name: NAME_MAX. */
#define EXEC_SCRIPT_NAME_BYTES_MAX UINT64_C(255)

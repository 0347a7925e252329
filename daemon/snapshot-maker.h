/* SPDX-License-Identifier: MIT */
/* The snapshots the pools restore from, made at start by the worker binary itself
 * (`sandboxd-vm snapshot --language L --out DIR`), which does nothing when DIR already holds one
 * made from the current image. */
#pragma once

#include <stdint.h>

#include "exec-codec.h"

/* Makes STATE/snapshots/LANGUAGE up to date, creating the directories (0750) as needed. Blocks
 * until the worker is done; its progress goes to our stderr. Returns 0 with *ret_dir (malloc'd)
 * the snapshot directory, -EIO when the worker failed (it logged why), or -errno. */
int snapshot_maker_run(const char *worker_path, const char *state_dir, ExecLanguage language,
                       char **ret_dir);

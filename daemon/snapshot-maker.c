/* SPDX-License-Identifier: MIT */
#include "snapshot-maker.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "macro.h"
#include "worker-process.h"

static int mkdir_if_missing(const char *path) {
        if (mkdir(path, 0750) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static int run_and_wait(const char *path, char *const argv[]) {
        _cleanup_free_ char **env = NULL;
        posix_spawnattr_t attr;
        sigset_t none, defaults;
        pid_t pid;
        int r, status;

        env = worker_environment();
        if (!env)
                return -ENOMEM;
        r = posix_spawnattr_init(&attr);
        if (r != 0)
                return -r;
        sigemptyset(&none);
        sigemptyset(&defaults);
        sigaddset(&defaults, SIGPIPE);
        r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        if (r == 0)
                r = posix_spawnattr_setsigmask(&attr, &none);
        if (r == 0)
                r = posix_spawnattr_setsigdefault(&attr, &defaults);
        if (r == 0)
                r = posix_spawn(&pid, path, NULL, &attr, argv, env);
        posix_spawnattr_destroy(&attr);
        if (r != 0)
                return -r;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int snapshot_maker_run(const char *worker_path, const char *state_dir, ExecLanguage language,
                       char **ret_dir) {
        _cleanup_free_ char *top = NULL, *dir = NULL;
        const char *name = exec_language_to_string(language);
        int r;

        if (!name)
                return -EINVAL;
        if (asprintf(&top, "%s/snapshots", state_dir) < 0 ||
            asprintf(&dir, "%s/snapshots/%s", state_dir, name) < 0)
                return -ENOMEM;
        r = mkdir_if_missing(state_dir);
        if (r >= 0)
                r = mkdir_if_missing(top);
        if (r < 0)
                return r;

        char *argv[] = {(char *)worker_path,
                        (char *)"snapshot",
                        (char *)"--language",
                        (char *)name,
                        (char *)"--out",
                        dir,
                        NULL};
        r = run_and_wait(worker_path, argv);
        if (r < 0)
                return r;
        *ret_dir = TAKE_PTR(dir);
        return 0;
}

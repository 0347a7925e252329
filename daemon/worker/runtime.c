/* SPDX-License-Identifier: MIT */
#include "runtime.h"

#include <string.h>

#include "macro.h"

#define RUNNER_DIR "/usr/lib/sandboxd"

static const Runtime runtimes[_EXEC_LANGUAGE_MAX] = {
        [EXEC_LANGUAGE_PYTHON] = {
                .language = EXEC_LANGUAGE_PYTHON,
                .name = "python",
                .interpreter = "/usr/bin/python3.11",
                .cold_argv = (const char *const[]){"python3", "-c", NULL},
                .runner_argv = (const char *const[]){"python3", RUNNER_DIR "/python_runner.py",
                                                     NULL},
                .version = SANDBOXD_PYTHON_VERSION,
                /* print, a comprehension, a little JSON */
                .warmup_code = "import json, math\n"
                               "values = [math.sqrt(i) for i in range(100)]\n"
                               "print(json.dumps({'n': len(values), 'sum': "
                               "round(sum(values), 3)}))\n"
                               "print(1)\n",
        },
        [EXEC_LANGUAGE_JAVASCRIPT] = {
                .language = EXEC_LANGUAGE_JAVASCRIPT,
                .name = "javascript",
                .interpreter = "/usr/bin/node",
                .cold_argv = (const char *const[]){"node", "-e", NULL},
                .cold_args_separator = "--",
                /* --single-threaded: V8 does its compiling and garbage collection on the
                 * main thread. The VM has one vCPU, so background work only ever ran when
                 * the main thread blocked or was preempted (the main thread then waited for
                 * it); done in place it costs no thread switches. --no-memory-reducer: the
                 * reducer's delayed task, due long before a restore, ran a full garbage
                 * collection at the end of every request (20 ms) to give back memory of a VM
                 * about to be thrown away. VM modules run the programs that are ES modules
                 * (node_runner.js). --expose-internals: the runner runs `-e` code through
                 * node's own main script for -e, so that it runs as node -e runs it, stack
                 * traces included. */
                .runner_argv = (const char *const[]){"node", "--single-threaded",
                                                     "--no-memory-reducer",
                                                     "--experimental-vm-modules",
                                                     "--expose-internals",
                                                     RUNNER_DIR "/node_runner.js", NULL},
                .control_channel = true,
                .version = SANDBOXD_NODE_VERSION,
                /* console.log, an array method chain, a little JSON, a resolved promise */
                .warmup_code = "console.log(1);\n"
                               "const values = Array.from({length: 100}, (_, i) => Math.sqrt(i));\n"
                               "console.log(JSON.stringify({n: values.length, sum: "
                               "values.reduce((a, b) => a + b, 0).toFixed(3)}));\n"
                               "Promise.resolve(1).then(v => console.log(v));\n",
        },
};

const Runtime *runtime_get(ExecLanguage language) {
        if (language < 0 || language >= _EXEC_LANGUAGE_MAX)
                return NULL;
        return &runtimes[language];
}

const Runtime *runtime_by_name(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(runtimes); i++)
                if (runtimes[i].name && strcmp(runtimes[i].name, name) == 0)
                        return &runtimes[i];
        return NULL;
}

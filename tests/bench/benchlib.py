# SPDX-License-Identifier: MIT
"""What the benchmarks share: where the build is, the baselines they measure against (bare
`/usr/bin/python3.11 -c 'print(1)'` or `/usr/bin/node -e 'console.log(1)'` in a clean
environment), the request each language's benchmarks send, and one percentile definition."""
import collections
import os
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "..", "..", "build")
DEFAULT_VM = os.path.join(BUILD, "daemon", "worker", "sandboxd-vm")
DEFAULT_DAEMON = os.path.join(BUILD, "daemon", "sandboxd")
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp"}
BARE_PYTHON = ["/usr/bin/python3.11", "-c", "print(1)"]
BARE_NODE = ["/usr/bin/node", "-e", "console.log(1)"]


def percentile(values, p):
    """Nearest-rank percentile: the smallest value with at least p% of the values at or below."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100)
    return ordered[min(len(ordered), int(rank)) - 1]


def time_command(argv, env=CLEAN_ENV):
    """Wall time of one run of argv in ms, and its stdout."""
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                          stdin=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000, proc.stdout


def time_bare_python():
    """One baseline run, in ms."""
    return time_command(BARE_PYTHON)[0]


def time_bare_node():
    """One run of the JavaScript baseline, in ms."""
    return time_command(BARE_NODE)[0]


# What a benchmark of one language sends and compares: `code` prints "1\n"; `host` is the
# interpreter and its flag that takes code (`host + [code]` runs it bare), `baseline` times one
# bare run of `code`; `interpreter` and `bare` name the interpreter and that baseline in the
# figures.
Language = collections.namedtuple("Language", "code host baseline interpreter bare")

LANGUAGES = {
    "python": Language("print(1)", BARE_PYTHON[:2], time_bare_python, "python", "python3.11"),
    "javascript": Language("console.log(1)", BARE_NODE[:2], time_bare_node, "node", "node"),
}

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job on a fresh Debian 12 machine with /dev/kvm: install what the build needs, build,
# start sandboxd from the build tree on a private socket, run a Python sample through
# sandboxctl, and stop the daemon. Run from the repository: scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
[ -d build ] || meson setup build
ninja -C build

run_dir=$(mktemp -d /tmp/sandboxd-quickstart.XXXXXX)
socket="$run_dir/sandboxd.sock"
build/daemon/sandboxd --socket "$socket" --state-dir "$run_dir/state" &
daemon=$!
trap 'kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; rm -rf "$run_dir"' EXIT

# The daemon makes its snapshot and warms its pool first (a second or so).
for _ in $(seq 300); do
        build/client/sandboxctl --socket "$socket" health >/dev/null 2>&1 && break
        kill -0 "$daemon" 2>/dev/null || { echo "sandboxd exited" >&2; exit 1; }
        sleep 0.1
done

export SANDBOXD_SOCKET="$socket"
build/client/sandboxctl exec --lang python --code '
import platform, sys
print("Hello from a KVM micro-VM:", platform.python_implementation(), sys.version.split()[0])
print(sum(i * i for i in range(10)))'
build/client/sandboxctl exec --lang javascript --code '
console.log(`Hello from node ${process.versions.node} in the same kind of VM`);
setTimeout(() => console.log([1, 2, 3].map((x) => x * x)), 10);'
build/client/sandboxctl exec --lang python --json --code 'print(6 * 7)'

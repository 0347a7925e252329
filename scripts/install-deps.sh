#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what building and testing sandboxd needs on Debian 12, from Debian's own packages.
# Idempotent; needs root (or sudo).
set -euo pipefail

packages=(
        build-essential    # gcc, make, libc6-dev (libc.a for the static test guests)
        meson ninja-build pkg-config
        libsystemd-dev     # sd-daemon, sd-journal
        libjansson-dev     # JSON
        libevent-dev       # the daemon's event loop
        libseccomp-dev     # the worker's syscall filter
        python3.11 python3 # the guest interpreter the image is built from; also runs the tests
        nodejs             # the guest JavaScript runtime (Debian's, or NodeSource's if installed)
        libpython3.11-stdlib
        tzdata             # /usr/share/zoneinfo, copied into the image
        systemd            # systemd-socket-activate, for the socket-activation test
        socat              # the README's example of talking to the socket from a shell
)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

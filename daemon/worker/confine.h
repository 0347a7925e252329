/* SPDX-License-Identifier: MIT */
/* The worker's confinement: once it has opened what it needs (the image, the snapshot, the
 * test ELF, /dev/kvm), a deny-by-default seccomp filter admits only the calls that running VMs
 * and talking over stdin/stdout take. Above all it opens nothing: a worker whose VMM were
 * subverted by its guest could reach no file, socket or process of the host. */
#pragma once

/* Opens /dev/kvm (kept for the life of the process) and installs the filter. Returns 0 or
 * -errno; never installs half a filter. */
int worker_confine(void);

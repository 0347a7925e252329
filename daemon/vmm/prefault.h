/* SPDX-License-Identifier: MIT */
/* Warming a restored VM up before it serves a request. A fresh VM has no shadow page-table
 * entries and its copy-on-write RAM no private pages: every page a request touches first costs
 * a fault inside KVM (and a host copy on the first write). vm_prefault() has the guest itself
 * touch a list of pages (guest/stubs.S, guest_prefault), so those faults happen now, while the
 * VM waits in the pool, and not while a client waits for its answer. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "vm.h"

#define PREFAULT_WRITE 1ULL

/* entries: page addresses, | PREFAULT_WRITE for pages to write. Each must be present in the
 * page tables with the rights asked for (the caller checks with paging_lookup); others are
 * dropped. The program's registers are kept. Returns the number of pages touched or -errno. */
int vm_prefault(Vm *vm, const uint64_t *entries, size_t count);

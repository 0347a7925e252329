/* SPDX-License-Identifier: MIT */
/* What a snapshot keeps of the VM (snapshot-format.h): the vCPU of the thread on it (its
 * registers, FPU state, segments: VmCpuState) and where RAM's page allocator stands (the
 * high-water mark that is the memory file's size, the pages held, the free list). RAM itself is
 * the memory file, written and mapped by daemon/snapshot/. Each restore checks its section as
 * hostile and returns -EBADMSG for one that is malformed. */
#pragma once

#include <stdbool.h>

#include "snapshot-codec.h"
#include "vm.h"

/* SECTION_CPU: the vCPU's state now (the thread on it). */
int vcpu_persist_save(Vm *vm, Buffer *out);
/* Loads the section (the whole of c) into the vCPU: a program at CPL3 in our segments, stopped
 * in its own code or at a syscall exit; -EBADMSG otherwise. */
int vcpu_persist_restore(Vm *vm, Cursor *c);

/* Whether regs are those of a thread stopped in its own code or at a syscall exit, the only
 * places a snapshot stops a thread (thread-persist.c checks the other threads with it). */
bool vcpu_persist_registers_ok(const struct kvm_regs *regs);

/* The RAM the memory file holds: everything below the allocator's high-water mark (the pages
 * above it were never handed out: zero). Returns its size, a multiple of the page size. */
uint64_t vm_persist_memory(const Vm *vm, const uint8_t **ret_ram);

/* SECTION_VM: the page allocator. */
int vm_persist_save(const Vm *vm, Buffer *out);
/* Sets vm's allocator (a VM made over a memory file of memory_size bytes, or one reset to it)
 * from the section (the whole of c); -E2BIG (logged) when the snapshot holds more than vm's
 * memory limit. */
int vm_persist_restore(Vm *vm, Cursor *c, uint64_t memory_size);

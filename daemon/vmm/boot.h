/* SPDX-License-Identifier: MIT */
/* Puts a new VM's vCPU into 64-bit long mode at CPL3 with the trap stubs, GDT, IDT and TSS in
 * place. The program's entry point and stack are set later through vm_regs(). */
#pragma once

#include "vm.h"

/* restoring: the RAM comes from a snapshot, whose page tables already map the fixed pages. */
int boot_setup(Vm *vm, bool restoring);

/* SPDX-License-Identifier: MIT */
/* Puts a new VM's vCPU into 64-bit long mode at CPL3 with the trap stubs, GDT, IDT and TSS in
 * place. The program's entry point and stack are set later through vm_regs(). */
#pragma once

#include "vm.h"

/* restoring: the RAM comes from a snapshot, whose page tables already map the fixed pages. */
int boot_setup(Vm *vm, bool restoring);

/* Writes the fixed pages' contents (GDT, TSS, IDT, the trap stubs) as this binary has them: at
 * boot, and again when a reset has put the snapshot's copies back. */
void boot_write_fixed_pages(Vm *vm);

/* SPDX-License-Identifier: MIT */
/* Puts a new VM's vCPU into 64-bit long mode at CPL3 with the trap stubs, GDT, IDT and TSS in
 * place. The program's entry point and stack are set later through vm_regs(). */
#pragma once

#include "vm.h"

int boot_setup(Vm *vm);

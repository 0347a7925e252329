/* SPDX-License-Identifier: MIT */
/* The guest's vDSO (guest/vdso/): mapped into every program at exec, at VA_VDSO with its vvar
 * page below it; the program finds it through AT_SYSINFO_EHDR. Its clocks read the TSC against
 * what vdso_calibrate() last wrote, which happens before every run, so a VM restored from a
 * snapshot tells the host's time now, not the snapshot's. */
#pragma once

#include "process.h"

/* Maps the image and the vvar page. Returns 0 or -errno. */
int vdso_map(Process *p);
/* Bytes the image takes at VA_VDSO (whole pages). */
uint64_t vdso_size(void);

/* Writes the host's clocks and the guest's TSC at one instant into the vvar page, if the
 * program has one. Returns 0 or -errno (the vDSO then keeps using the syscall). */
int vdso_calibrate(Sandbox *s);

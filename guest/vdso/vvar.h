/* SPDX-License-Identifier: MIT */
/* The page the host fills for the guest's vDSO (daemon/kernel/vdso.c writes it, guest/vdso
 * reads it): the TSC and the host's clocks at one instant, and the TSC's rate. Bump
 * VVAR_VERSION when the layout changes. */
#pragma once

#include <stdint.h>

#define VVAR_VERSION 1

typedef struct Vvar {
        uint32_t version; /* VVAR_VERSION once filled; anything else: use the syscall */
        uint32_t shift;
        uint64_t tsc_base;
        uint64_t realtime_ns;  /* CLOCK_REALTIME at tsc_base */
        uint64_t monotonic_ns; /* CLOCK_MONOTONIC at tsc_base */
        uint64_t mult;         /* ns = (tsc - tsc_base) * mult >> shift */
} Vvar;

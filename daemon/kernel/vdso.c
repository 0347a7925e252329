/* SPDX-License-Identifier: MIT */
#include "vdso.h"

#include <time.h>

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "paging.h"
#include "vvar.h"

/* From the build (guest/vdso/embed.py). */
extern const uint8_t guest_vdso_image[];
extern const size_t guest_vdso_image_size;

#define VVAR_SHIFT 32

uint64_t vdso_size(void) {
        return ALIGN_UP((uint64_t)guest_vdso_image_size, PAGE_SIZE);
}

int vdso_map(Process *p) {
        size_t pages = ALIGN_UP(guest_vdso_image_size, PAGE_SIZE) / PAGE_SIZE;
        uint64_t gpa;
        int r;

        if (pages == 0 || pages > VDSO_MAX_PAGES)
                return -E2BIG;
        /* Neither page counts against the program's memory: they are ours. */
        gpa = vm_page_alloc(p->sandbox->vm, true);
        if (!gpa)
                return -ENOMEM;
        r = paging_map(p->sandbox->vm, VA_VVAR, gpa, PTE_U | PTE_NX);
        if (r < 0)
                return r;
        for (size_t i = 0; i < pages; i++) {
                size_t off = i * PAGE_SIZE;
                uint8_t *dst;

                gpa = vm_page_alloc(p->sandbox->vm, true);
                dst = gpa ? vm_ram(p->sandbox->vm, gpa, PAGE_SIZE) : NULL;
                if (!dst)
                        return -ENOMEM;
                memcpy(dst, guest_vdso_image + off, MIN(PAGE_SIZE, guest_vdso_image_size - off));
                r = paging_map(p->sandbox->vm, VA_VDSO + off, gpa, PTE_U);
                if (r < 0)
                        return r;
        }
        return 0;
}

static uint64_t clock_now(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int vdso_calibrate(Sandbox *s) {
        uint64_t pte = paging_lookup(s->vm, VA_VVAR), tsc, real0, real1, mono0, mono1;
        Vvar *vvar;
        int khz, r;

        if (!pte)
                return 0;
        vvar = vm_ram(s->vm, pte & PTE_ADDR_MASK, PAGE_SIZE);
        if (!vvar)
                return -EFAULT;
        khz = vm_tsc_khz(s->vm);
        if (khz <= 0)
                return khz < 0 ? khz : -EIO;

        /* The TSC read sits between two reads of each clock; the midpoints are its instant. */
        real0 = clock_now(CLOCK_REALTIME);
        mono0 = clock_now(CLOCK_MONOTONIC);
        r = vm_guest_tsc(s->vm, &tsc);
        mono1 = clock_now(CLOCK_MONOTONIC);
        real1 = clock_now(CLOCK_REALTIME);
        if (r < 0)
                return r;

        *vvar = (Vvar){
                .version = VVAR_VERSION,
                .shift = VVAR_SHIFT,
                .tsc_base = tsc,
                .realtime_ns = real0 + (real1 - real0) / 2,
                .monotonic_ns = mono0 + (mono1 - mono0) / 2,
                .mult = (1000000ULL << VVAR_SHIFT) / (uint64_t)khz,
        };
        return 0;
}

/* SPDX-License-Identifier: MIT */
#include "uaccess.h"

#include "layout.h"
#include "macro.h"
#include "paging.h"

/* The host address of the byte at user address `addr`, valid to the end of its page. */
static uint8_t *user_page(Mm *mm, uint64_t addr, bool write) {
        uint64_t pte, gpa;

        if (addr < USER_MIN || addr >= USER_MAX)
                return NULL;
        pte = paging_lookup(mm->vm, addr);
        if (!pte || (write && !(pte & PTE_W))) {
                if (mm_fault(mm, addr, write, false) < 0)
                        return NULL;
                pte = paging_lookup(mm->vm, addr);
        }
        if (!pte || !(pte & PTE_U) || (write && !(pte & PTE_W)))
                return NULL;
        /* The pages the program can't see are its VMA's business; here only rights matter. */
        if (!mm_find(mm, addr))
                return NULL;
        gpa = (pte & PTE_ADDR_MASK) + (addr & (PAGE_SIZE - 1));
        if (gpa >= GPA_IMAGE && gpa < GPA_IMAGE + mm->vm->image_size) {
                if (write)
                        return NULL;
                return (uint8_t *)mm->vm->image + (gpa - GPA_IMAGE);
        }
        return vm_ram(mm->vm, gpa, 1);
}

static int user_copy(Mm *mm, uint64_t addr, void *host, size_t length, bool to_user) {
        uint8_t *h = host;

        if (length == 0)
                return 0;
        if (!range_within(addr, length, USER_MAX))
                return -EFAULT;
        while (length > 0) {
                size_t chunk = MIN(length, PAGE_SIZE - (addr & (PAGE_SIZE - 1)));
                uint8_t *p = user_page(mm, addr, to_user);
                if (!p)
                        return -EFAULT;
                if (to_user)
                        memcpy(p, h, chunk);
                else
                        memcpy(h, p, chunk);
                h += chunk;
                addr += chunk;
                length -= chunk;
        }
        return 0;
}

int copy_from_user(Mm *mm, void *dst, uint64_t src, size_t length) {
        return user_copy(mm, src, dst, length, false);
}

int copy_to_user(Mm *mm, uint64_t dst, const void *src, size_t length) {
        return user_copy(mm, dst, (void *)src, length, true);
}

int clear_user(Mm *mm, uint64_t dst, size_t length) {
        static const uint8_t zeros[PAGE_SIZE];

        while (length > 0) {
                size_t chunk = MIN(length, sizeof(zeros));
                int r = copy_to_user(mm, dst, zeros, chunk);
                if (r < 0)
                        return r;
                dst += chunk;
                length -= chunk;
        }
        return 0;
}

int64_t strncpy_from_user(Mm *mm, char *dst, uint64_t src, size_t max) {
        size_t n = 0;

        while (n < max) {
                size_t chunk = MIN(max - n, PAGE_SIZE - (src & (PAGE_SIZE - 1)));
                const uint8_t *p = user_page(mm, src, false);
                const uint8_t *nul;

                if (!p)
                        return -EFAULT;
                nul = memchr(p, 0, chunk);
                if (nul) {
                        memcpy(dst + n, p, nul - p + 1);
                        return (int64_t)(n + (nul - p));
                }
                memcpy(dst + n, p, chunk);
                n += chunk;
                src += chunk;
        }
        return -ENAMETOOLONG;
}

int user_range_check(Mm *mm, uint64_t addr, size_t length, bool write) {
        if (length == 0)
                return 0;
        if (!range_within(addr, length, USER_MAX))
                return -EFAULT;
        for (uint64_t page = ALIGN_DOWN(addr, PAGE_SIZE); page < addr + length; page += PAGE_SIZE)
                if (!user_page(mm, MAX(page, addr), write))
                        return -EFAULT;
        return 0;
}

/* SPDX-License-Identifier: MIT */
#include "reset.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot.h"
#include "layout.h"
#include "log.h"
#include "macro.h"
#include "paging.h"
#include "table-write.h"

#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_SWAPPED (1ULL << 62)
#define PAGEMAP_FILE_OR_SHARED (1ULL << 61)

#define ENTRIES_PER_TABLE 512u

static int pagemap_fd = -1;

int vm_reset_open(void) {
        if (pagemap_fd >= 0)
                return 0;
        pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
        return pagemap_fd < 0 ? -errno : 0;
}

bool vm_reset_available(void) {
        return pagemap_fd >= 0;
}

/* Whatever the last program left in the vCPU: an access KVM is still completing (a read of the
 * trap page is an MMIO read, which the next KVM_RUN would finish by emulating the rest of the
 * program's instruction: its registers, its RIP, over ours; a split write exits again), and
 * pending or injected events. KVM_RUN with immediate_exit completes the access without entering
 * the guest; the events are then cleared. */
static int settle_vcpu(Vm *vm) {
        struct kvm_run *run = vm->run;
        struct kvm_vcpu_events events = {
                .flags = KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_NMI_PENDING,
        };

        run->kvm_dirty_regs = 0;
        for (unsigned tries = 0;; tries++) {
                if (tries == 4)
                        return -EIO;
                run->immediate_exit = 1;
                int r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
                run->immediate_exit = 0;
                if (r < 0 && errno == EINTR)
                        break;
                if (r < 0 && errno != EAGAIN)
                        return -errno;
        }
        if (ioctl(vm->vcpu_fd, KVM_SET_VCPU_EVENTS, &events) < 0)
                return -errno;
        return 0;
}

/* What the request changed in the page tables, and how the guest will undo it. */
typedef struct Plan {
        Vm *vm;
        const uint8_t *baseline;
        uint64_t baseline_size;
        uint64_t stub_table; /* GPA of the table that maps the stubs, the list and the window */
        TableWrite *writes;
        size_t n_writes, writes_capacity;
        uint64_t *retire;
        size_t n_retire, retire_capacity;
        uint64_t tables_visited;
} Plan;

static const uint64_t *baseline_table(const Plan *plan, uint64_t gpa) {
        gpa &= PTE_ADDR_MASK;
        if (gpa < GPA_FIRST_FREE - PAGE_SIZE || !range_within(gpa, PAGE_SIZE, plan->baseline_size))
                return NULL;
        return (const uint64_t *)(plan->baseline + gpa);
}

static int add_retired(Plan *plan, uint64_t page) {
        if (plan->n_retire == plan->retire_capacity) {
                size_t c = MAX(plan->retire_capacity * 2, (size_t)64);
                uint64_t *a = reallocarray(plan->retire, c, sizeof(uint64_t));
                if (!a)
                        return -ENOMEM;
                plan->retire = a;
                plan->retire_capacity = c;
        }
        plan->retire[plan->n_retire++] = page;
        return 0;
}

static int add_write(Plan *plan, uint64_t table, unsigned index, uint64_t value) {
        if (plan->n_writes == plan->writes_capacity) {
                size_t c = MAX(plan->writes_capacity * 2, (size_t)256);
                TableWrite *w = reallocarray(plan->writes, c, sizeof(TableWrite));
                if (!w)
                        return -ENOMEM;
                plan->writes = w;
                plan->writes_capacity = c;
        }
        plan->writes[plan->n_writes++] = (TableWrite){.table = table, .index = index, .value = value};
        return plan->n_writes > TABLE_WRITES_MAX ? -E2BIG : 0;
}

/* Every table of a subtree the request created, to retire. */
static int collect_retired(Plan *plan, uint64_t gpa, int level) {
        const uint64_t *t = vm_ram(plan->vm, gpa & PTE_ADDR_MASK, PAGE_SIZE);
        uint64_t page = gpa & PTE_ADDR_MASK;
        int r;

        if (!t || page < GPA_FIRST_FREE)
                return -EIO;
        if (plan->n_retire >= VM_RETIRED_TABLES_MAX)
                return -E2BIG;
        r = add_retired(plan, page);
        if (r < 0 || level == 0)
                return r;
        for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++)
                if (t[i] & PTE_P) {
                        r = collect_retired(plan, t[i], level - 1);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* Compares the snapshot table at gpa (level 3: the PML4, 0: a table of pages) with what it is
 * now. The host only ever adds entries, so each difference is an entry to clear. */
static int diff_table(Plan *plan, uint64_t gpa, int level) {
        const uint64_t *base = baseline_table(plan, gpa);
        const uint64_t *now = vm_ram(plan->vm, gpa & PTE_ADDR_MASK, PAGE_SIZE);
        int r;

        if (!base || !now || ++plan->tables_visited > plan->baseline_size / PAGE_SIZE)
                return -EBADMSG;
        for (unsigned i = 0; i < ENTRIES_PER_TABLE; i++) {
                if ((gpa & PTE_ADDR_MASK) == plan->stub_table && i >= STUB_TABLE_FIRST_SCRATCH) {
                        /* The routine's scratch entries, cleared by its tail. */
                        if (base[i] != 0)
                                return -EBADMSG;
                        continue;
                }
                if (now[i] == base[i]) {
                        if (level > 0 && (base[i] & PTE_P)) {
                                r = diff_table(plan, base[i], level - 1);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }
                /* The host adds tables and never takes one away; pages it may unmap and map
                 * anew (munmap), which the snapshot's entry undoes. */
                if (level > 0 && (base[i] & PTE_P))
                        return log_debug_errno(EIO, "A snapshot page-table link was changed");
                if (level > 0 && (now[i] & PTE_P)) {
                        r = collect_retired(plan, now[i], level - 1);
                        if (r < 0)
                                return r;
                }
                r = add_write(plan, gpa & PTE_ADDR_MASK, i, base[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool scratch_clear(const Plan *plan) {
        const uint64_t *t = vm_ram(plan->vm, plan->stub_table, PAGE_SIZE);

        for (unsigned i = STUB_TABLE_FIRST_SCRATCH; i < ENTRIES_PER_TABLE; i++)
                if (t[i] != 0)
                        return false;
        return true;
}

/* After the routine, every snapshot table must be the snapshot's again. (The walk is over the
 * graph diff_table() walked, which bounded its size.) */
static int check_table(Plan *plan, uint64_t gpa, int level) {
        const uint64_t *base = baseline_table(plan, gpa);
        const uint64_t *now = vm_ram(plan->vm, gpa & PTE_ADDR_MASK, PAGE_SIZE);
        int r;

        if (!base || !now)
                return -EIO;
        if (memcmp(base, now, PAGE_SIZE) != 0)
                return log_debug_errno(EIO, "Page table %#lx differs from the snapshot after the "
                                       "reset",
                                       (unsigned long)(gpa & PTE_ADDR_MASK));
        for (unsigned i = 0; level > 0 && i < ENTRIES_PER_TABLE; i++)
                if (base[i] & PTE_P) {
                        r = check_table(plan, base[i], level - 1);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int retire(Plan *plan) {
        Vm *vm = plan->vm;
        uint64_t pages = vm->ram_size / PAGE_SIZE;

        if (plan->n_retire == 0)
                return 0;
        if (vm->retired_count + plan->n_retire > VM_RETIRED_TABLES_MAX)
                return -E2BIG;
        if (!vm->retired) {
                vm->retired = calloc(DIV_ROUND_UP(pages, 64), sizeof(uint64_t));
                if (!vm->retired)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < plan->n_retire; i++) {
                uint64_t n = plan->retire[i] / PAGE_SIZE;
                if (n < pages && !(vm->retired[n / 64] & (1ULL << (n % 64)))) {
                        vm->retired[n / 64] |= 1ULL << (n % 64);
                        vm->retired_count++;
                }
        }
        return 0;
}

static void restore_page(Vm *vm, const uint8_t *baseline, uint64_t gpa, VmResetStats *stats) {
        stats->pages_private++;
        if (memcmp(vm->ram + gpa, baseline + gpa, PAGE_SIZE) != 0) {
                memcpy(vm->ram + gpa, baseline + gpa, PAGE_SIZE);
                stats->pages_copied++;
        }
}

/* The snapshot pages with a private copy: one PAGEMAP_SCAN, or the pagemap entry by entry. */
static int restore_private_pages(Vm *vm, const uint8_t *baseline, uint64_t size,
                                 VmResetStats *stats) {
        struct page_region regions[256];
        uint64_t start = (uintptr_t)vm->ram, end = start + size;

        while (start < end) {
                struct pm_scan_arg arg = {
                        .size = sizeof(arg),
                        .start = start,
                        .end = end,
                        .vec = (uintptr_t)regions,
                        .vec_len = ELEMENTSOF(regions),
                        /* Not the file's page, and in memory or swapped out. */
                        .category_mask = PAGE_IS_FILE,
                        .category_inverted = PAGE_IS_FILE,
                        .category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
                        .return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
                };
                int n = ioctl(pagemap_fd, PAGEMAP_SCAN, &arg);

                if (n < 0)
                        break;
                for (int i = 0; i < n; i++)
                        for (uint64_t a = MAX(regions[i].start, start);
                             a < MIN(regions[i].end, end); a += PAGE_SIZE)
                                restore_page(vm, baseline, a - (uintptr_t)vm->ram, stats);
                if (arg.walk_end <= start)
                        return -EIO;
                start = arg.walk_end;
        }
        if (start >= end)
                return 0;
        if (errno != ENOTTY && errno != EINVAL && errno != EOPNOTSUPP)
                return -errno;

        for (uint64_t gpa = start - (uintptr_t)vm->ram; gpa < size;) {
                uint64_t entries[512];
                size_t n = MIN((size - gpa) / PAGE_SIZE, ELEMENTSOF(entries));
                off_t at = (off_t)(((uintptr_t)vm->ram + gpa) / PAGE_SIZE * 8);

                if (pread(pagemap_fd, entries, n * 8, at) != (ssize_t)(n * 8))
                        return -EIO;
                for (size_t i = 0; i < n; i++, gpa += PAGE_SIZE)
                        if ((entries[i] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED)) &&
                            !(entries[i] & PAGEMAP_FILE_OR_SHARED))
                                restore_page(vm, baseline, gpa, stats);
        }
        return 0;
}

int vm_reset(Vm *vm, const uint8_t *baseline, uint64_t baseline_size, VmResetStats *stats) {
        Plan plan = {.vm = vm, .baseline = baseline, .baseline_size = baseline_size};
        int r;

        *stats = (VmResetStats){};
        if (pagemap_fd < 0)
                return -EOPNOTSUPP;
        if (baseline_size != vm->file_size || baseline_size > vm->ram_size ||
            vm->ram_next < baseline_size)
                return -EINVAL;
        r = settle_vcpu(vm);
        if (r < 0)
                return r;
        /* The VM's own; diff_table() refuses any link that differs from the snapshot's, so it
         * is the snapshot's too whenever the diff succeeds. */
        plan.stub_table = vm_stub_table(vm);
        if (!plan.stub_table)
                return -EBADMSG;

        r = diff_table(&plan, GPA_PML4, 3);
        /* Nothing changed since the snapshot (or the last reset): KVM's shadow still agrees. */
        if (r >= 0 && (plan.n_writes > 0 || !scratch_clear(&plan)))
                r = vm_write_tables(vm, plan.writes, plan.n_writes, false);
        /* Whatever was or wasn't done, the tables must now be the snapshot's. */
        if (r >= 0)
                r = check_table(&plan, GPA_PML4, 3);
        if (r >= 0)
                r = retire(&plan);
        stats->entries_rewritten = plan.n_writes;
        stats->tables_retired = plan.n_retire;
        free(plan.writes);
        free(plan.retire);
        if (r < 0)
                return r;

        /* RAM: the snapshot's part compared and put back, the rest dropped, which reads as zeros
         * again. (Only pages below ram_next were ever handed out; all of it goes, whatever a
         * program could have done.) */
        r = restore_private_pages(vm, baseline, baseline_size, stats);
        if (r < 0)
                return r;
        if (madvise(vm->ram + baseline_size, vm->ram_size - baseline_size, MADV_DONTNEED) < 0)
                return -errno;
        boot_write_fixed_pages(vm);

        vm->ram_next = baseline_size;
        vm->free_count = 0;
        vm->data_pages = vm->data_pages_peak = vm->table_pages = 0;
        vm->data_page_limit = vm->memory_limit / PAGE_SIZE;
        vm->exits = 0;
        return 0;
}

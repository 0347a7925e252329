/* SPDX-License-Identifier: MIT */
/* vm_reset() (daemon/vmm/reset.h) on a VM made here, with its own small "snapshot": the guest
 * code below loads (and optionally stores) a word at an address, so the test sees memory and
 * mappings the way a program would. A request adds pages under a snapshot table and under new
 * tables far away and writes tokens; after the reset the guest must read the snapshot's bytes,
 * fault on everything the request mapped and on the reset's own window and list, and the host
 * must see RAM and tables equal to the snapshot's. Needs /dev/kvm. */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "layout.h"
#include "macro.h"
#include "paging.h"
#include "reset.h"
#include "test-helpers.h"
#include "vm.h"

/* RDI: address to load from (the word ends up in RDX); RSI: a word to store there after, or 0.
 * Ends through the syscall stub with RAX = 1234. Then a hostile program: it reads the trap page
 * (an MMIO read KVM completes on the next run, with this program's registers), then ends as if
 * it were the reset's routine. */
__asm__(".section .rodata\n"
        "test_guest_start:\n"
        "        movq (%rdi), %rdx\n"
        "        testq %rsi, %rsi\n"
        "        jz 1f\n"
        "        movq %rsi, (%rdi)\n"
        "1:      movl $1234, %eax\n"
        "        movabsq $0x7fffff000000, %rcx\n"
        "        jmp *%rcx\n"
        "test_guest_stray:\n"
        "        movabs 0x7fffff001000, %al\n"
        "        movl $0x5bd1, %eax\n" /* RESET_TABLES_DONE */
        "        movabsq $0x7fffff000000, %rcx\n"
        "        jmp *%rcx\n"
        "test_guest_end:\n"
        ".previous\n");
extern const uint8_t test_guest_start[], test_guest_stray[], test_guest_end[];

#define MEMORY_LIMIT (64ULL << 20)
#define CODE_VA 0x400000ULL
#define DATA_VA 0x10000000ULL /* 4 pages in the snapshot, in one table */
#define DATA_PAGES 4
#define GROWN_VA (DATA_VA + 10 * PAGE_SIZE) /* a page the request adds to that table */
#define FAR_VA 0x200000000000ULL             /* its own top-level entry: tables at every level */
#define TOKEN 0x6e656b6f74746573ULL
#define FAULTED (-14)

static int guest_run(Vm *vm, uint64_t rip, uint64_t va, uint64_t store, uint64_t *loaded) {
        struct kvm_regs *regs = vm_regs(vm);
        VmExit e;

        if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &vm->boot_sregs) < 0)
                return -1000;
        *regs = (struct kvm_regs){.rip = rip, .rdi = va, .rsi = store, .rflags = 0x2};
        vm_regs_changed(vm);
        if (vm_run(vm, &e) < 0)
                return -1001;
        if (e.kind == VM_EXIT_EXCEPTION)
                return -(int)e.vector;
        if (e.kind != VM_EXIT_SYSCALL || regs->rax != 1234)
                return -1002;
        *loaded = regs->rdx;
        return 0;
}

static int guest_access(Vm *vm, uint64_t va, uint64_t store, uint64_t *loaded) {
        return guest_run(vm, CODE_VA, va, store, loaded);
}

/* The hostile program: its read of the trap page ends it as a stray access. */
static bool guest_stray(Vm *vm) {
        struct kvm_regs *regs = vm_regs(vm);
        VmExit e;

        if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &vm->boot_sregs) < 0)
                return false;
        *regs = (struct kvm_regs){.rip = CODE_VA + (test_guest_stray - test_guest_start),
                                  .rflags = 0x2};
        vm_regs_changed(vm);
        return vm_run(vm, &e) == 0 && e.kind == VM_EXIT_EXCEPTION && e.stray;
}

static uint64_t load(Vm *vm, uint64_t va) {
        uint64_t v = 0;
        int r = guest_access(vm, va, 0, &v);
        return r < 0 ? (uint64_t)r : v;
}

/* The tables a walk to va goes through below the PML4 (0 where absent). */
static void tables_of(Vm *vm, uint64_t va, uint64_t ret[3]) {
        uint64_t *t = vm_ram(vm, GPA_PML4, PAGE_SIZE);

        for (int level = 3; level >= 1; level--) {
                uint64_t e = t[(va >> (PAGE_SHIFT + 9 * level)) & 511];
                ret[3 - level] = (e & PTE_P) ? e & PTE_ADDR_MASK : 0;
                if (!(e & PTE_P))
                        return;
                t = vm_ram(vm, e & PTE_ADDR_MASK, PAGE_SIZE);
        }
}

static bool retired(const Vm *vm, uint64_t gpa) {
        uint64_t n = gpa / PAGE_SIZE;
        return vm->retired && (vm->retired[n / 64] & (1ULL << (n % 64)));
}

static int map_new(Vm *vm, uint64_t va) {
        uint64_t gpa = vm_page_alloc(vm, false);
        return gpa ? paging_map(vm, va, gpa, PTE_U | PTE_W | PTE_NX) : -ENOMEM;
}

/* The snapshot: a VM with the code page and DATA_PAGES pages of a known pattern, its RAM up
 * to the allocator's mark in a memfd. */
static int make_snapshot(int *ret_fd, uint64_t *ret_size) {
        Vm *vm = NULL;
        uint64_t code;
        int fd, r;

        r = vm_new(MEMORY_LIMIT, NULL, 0, &vm);
        if (r < 0)
                return r;
        code = vm_page_alloc(vm, false);
        memcpy(vm_ram(vm, code, PAGE_SIZE), test_guest_start, test_guest_end - test_guest_start);
        r = paging_map(vm, CODE_VA, code, PTE_U);
        for (unsigned i = 0; r >= 0 && i < DATA_PAGES; i++) {
                uint64_t gpa = vm_page_alloc(vm, false);
                uint64_t *page = vm_ram(vm, gpa, PAGE_SIZE);
                for (unsigned k = 0; k < PAGE_SIZE / 8; k++)
                        page[k] = 0x1111111111111111ULL * (i + 1);
                r = paging_map(vm, DATA_VA + i * PAGE_SIZE, gpa, PTE_U | PTE_W | PTE_NX);
        }
        fd = memfd_create("test-reset-snapshot", MFD_CLOEXEC);
        if (r >= 0 && (fd < 0 || write(fd, vm->ram, vm->ram_next) != (ssize_t)vm->ram_next))
                r = -EIO;
        *ret_fd = fd;
        *ret_size = vm->ram_next;
        vm_free(vm);
        return r;
}

int main(void) {
        uint64_t size = 0, far_tables[3], again[3], v = 0;
        const uint8_t *baseline;
        VmResetStats stats;
        Vm *vm = NULL;
        int fd = -1, r;

        if (access("/dev/kvm", R_OK | W_OK) < 0) {
                fprintf(stderr, "test-reset: /dev/kvm is not usable, skipping\n");
                return 77;
        }
        CHECK_EQ(vm_reset_open(), 0);
        r = make_snapshot(&fd, &size);
        CHECK_EQ(r, 0);
        if (r < 0)
                return checks_report("test-reset");
        baseline = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
        CHECK(baseline != MAP_FAILED);
        r = vm_new_restored(MEMORY_LIMIT, NULL, 0, fd, size, size, &vm);
        CHECK_EQ(r, 0);
        if (r < 0 || baseline == MAP_FAILED)
                return checks_report("test-reset");

        /* Nothing changed yet: a reset is a no-op. */
        CHECK_EQ(load(vm, DATA_VA), 0x1111111111111111ULL);
        CHECK_EQ(vm_reset(vm, baseline, size, &stats), 0);
        CHECK_EQ(stats.entries_rewritten, 0);

        /* Request 1: a token in a snapshot page, a page added to a snapshot table, a page under
         * new tables; each touched by the guest so KVM has its translation. */
        CHECK_EQ(guest_access(vm, DATA_VA, TOKEN, &v), 0);
        CHECK_EQ(map_new(vm, GROWN_VA), 0);
        CHECK_EQ(guest_access(vm, GROWN_VA, TOKEN, &v), 0);
        CHECK_EQ(v, 0);
        CHECK_EQ(map_new(vm, FAR_VA), 0);
        CHECK_EQ(guest_access(vm, FAR_VA, TOKEN, &v), 0);
        CHECK_EQ(v, 0);
        CHECK_EQ(load(vm, FAR_VA), TOKEN);
        tables_of(vm, FAR_VA, far_tables);
        CHECK(far_tables[0] && far_tables[1] && far_tables[2]);

        CHECK_EQ(vm_reset(vm, baseline, size, &stats), 0);
        CHECK_EQ(stats.entries_rewritten, 2); /* GROWN_VA's entry, FAR_VA's top-level entry */
        CHECK_EQ(stats.tables_retired, 3);
        CHECK(stats.pages_copied >= 1);
        CHECK_EQ(vm->retired_count, 3);
        for (unsigned i = 0; i < 3; i++)
                CHECK(retired(vm, far_tables[i]));
        CHECK(memcmp(vm->ram, baseline, size) == 0);
        CHECK_EQ(vm->ram_next, size);

        /* What the next program sees: the snapshot's bytes, and a fault everywhere else,
         * including the reset's own window (whose last page mapped a page table) and list. */
        CHECK_EQ(load(vm, DATA_VA), 0x1111111111111111ULL);
        CHECK_EQ(load(vm, GROWN_VA), (uint64_t)FAULTED);
        CHECK_EQ(load(vm, FAR_VA), (uint64_t)FAULTED);
        CHECK_EQ(load(vm, VA_RESET_WINDOW), (uint64_t)FAULTED);
        CHECK_EQ(load(vm, VA_RESET_WINDOW + (RESET_WINDOW_PAGES - 1) * PAGE_SIZE),
                 (uint64_t)FAULTED);
        CHECK_EQ(load(vm, VA_RESET_LIST), (uint64_t)FAULTED);

        /* Request 2 maps the far address again: new tables, none of them a retired one, and
         * the page reads as zeros. */
        CHECK_EQ(map_new(vm, FAR_VA), 0);
        tables_of(vm, FAR_VA, again);
        for (unsigned i = 0; i < 3; i++)
                CHECK(again[i] && !retired(vm, again[i]));
        CHECK_EQ(load(vm, FAR_VA), 0);
        CHECK_EQ(vm_reset(vm, baseline, size, &stats), 0);
        CHECK_EQ(vm->retired_count, 6);
        CHECK_EQ(load(vm, FAR_VA), (uint64_t)FAULTED);

        /* A program that ends reading the trap page leaves KVM an access to complete, which would
         * run the rest of its instruction stream instead of whatever runs next: after the reset,
         * with nothing else changed (no routine), and with a change (the routine's run). */
        CHECK(guest_stray(vm));
        CHECK_EQ(vm_reset(vm, baseline, size, &stats), 0);
        CHECK_EQ(load(vm, DATA_VA), 0x1111111111111111ULL);
        CHECK(guest_stray(vm));
        CHECK_EQ(map_new(vm, GROWN_VA), 0);
        CHECK_EQ(vm_reset(vm, baseline, size, &stats), 0);
        CHECK_EQ(stats.entries_rewritten, 1);
        CHECK_EQ(load(vm, DATA_VA), 0x1111111111111111ULL);
        CHECK_EQ(load(vm, GROWN_VA), (uint64_t)FAULTED);

        /* paging_unmap() in a request: the guest clears the entries, so the program faults
         * there at once; the page comes back zeroed for another address. A snapshot page
         * unmapped is the snapshot's again after the reset. */
        {
                uint64_t frame, again_frame;

                CHECK_EQ(map_new(vm, GROWN_VA), 0);
                CHECK_EQ(guest_access(vm, GROWN_VA, TOKEN, &v), 0);
                CHECK_EQ(guest_access(vm, DATA_VA + PAGE_SIZE, TOKEN, &v), 0);
                frame = paging_lookup(vm, GROWN_VA) & PTE_ADDR_MASK;
                CHECK_EQ(paging_unmap(vm, GROWN_VA, GROWN_VA + PAGE_SIZE), 1);
                CHECK_EQ(paging_unmap(vm, DATA_VA + PAGE_SIZE, DATA_VA + 2 * PAGE_SIZE), 1);
                CHECK_EQ(paging_unmap(vm, FAR_VA, FAR_VA + (1ULL << 30)), 0);
                CHECK_EQ(load(vm, GROWN_VA), (uint64_t)FAULTED);
                CHECK_EQ(load(vm, DATA_VA + PAGE_SIZE), (uint64_t)FAULTED);
                CHECK_EQ(load(vm, DATA_VA), 0x1111111111111111ULL);
                CHECK_EQ(map_new(vm, GROWN_VA + PAGE_SIZE), 0);
                again_frame = paging_lookup(vm, GROWN_VA + PAGE_SIZE) & PTE_ADDR_MASK;
                CHECK(again_frame != 0);
                CHECK_EQ(load(vm, GROWN_VA + PAGE_SIZE), 0);
                CHECK(frame == again_frame || vm->free_count > 0);
                CHECK_EQ(vm_reset(vm, baseline, size, &stats), 0);
                CHECK_EQ(load(vm, DATA_VA + PAGE_SIZE), 0x2222222222222222ULL);
                CHECK_EQ(load(vm, GROWN_VA), (uint64_t)FAULTED);
                CHECK_EQ(load(vm, GROWN_VA + PAGE_SIZE), (uint64_t)FAULTED);
        }

        /* The allocator never hands a retired page out again. */
        for (uint64_t gpa; (gpa = vm_page_alloc(vm, true)) != 0;)
                CHECK(!retired(vm, gpa));
        CHECK_EQ(vm_reset(vm, baseline, size, &stats), 0);

        /* A snapshot page the request unmapped (or mapped anew) is the snapshot's again; a link
         * between snapshot tables the host changed is refused (it never does that). */
        {
                uint64_t pte = paging_lookup(vm, CODE_VA), tables[3];
                tables_of(vm, CODE_VA, tables);
                uint64_t *leaf = vm_ram(vm, tables[2], PAGE_SIZE);
                uint64_t *pd = vm_ram(vm, tables[1], PAGE_SIZE);
                unsigned pd_index = (CODE_VA >> (PAGE_SHIFT + 9)) & 511;

                leaf[(CODE_VA >> PAGE_SHIFT) & 511] = pte ^ PTE_W;
                CHECK_EQ(vm_reset(vm, baseline, size, &stats), 0);
                CHECK_EQ(stats.entries_rewritten, 1);
                CHECK_EQ(paging_lookup(vm, CODE_VA), pte);
                CHECK_EQ(load(vm, DATA_VA), 0x1111111111111111ULL);
                pd[pd_index] ^= PTE_NX;
                CHECK_EQ(vm_reset(vm, baseline, size, &stats), -EIO);
                pd[pd_index] ^= PTE_NX;
        }

        /* More new tables than a VM retires: not reset, a fresh VM is cheaper. */
        for (unsigned i = 0; i < VM_RETIRED_TABLES_MAX; i++)
                CHECK_EQ(map_new(vm, FAR_VA + ((uint64_t)i << 21)), 0);
        CHECK_EQ(vm_reset(vm, baseline, size, &stats), -E2BIG);

        vm_free(vm);
        munmap((void *)baseline, size);
        close(fd);
        return checks_report("test-reset");
}

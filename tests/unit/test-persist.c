/* SPDX-License-Identifier: MIT */
/* Each component's snapshot pair on its own (*-persist.h), as snapshot.c calls them: what one
 * sandbox's component saves, another's restores to the same state, and a section that is cut
 * short, runs long or says something a snapshot can't hold is refused with -EBADMSG (or -E2BIG
 * past the memory limit) by the pair itself. Needs /dev/kvm and the real image (argv[1]); the
 * whole file's round trip is tests/integration/test_snapshot.py's. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "fdtable-persist.h"
#include "fdtable.h"
#include "fs-context-persist.h"
#include "layout.h"
#include "macro.h"
#include "mm-persist.h"
#include "process-persist.h"
#include "snapshot-codec.h"
#include "test-helpers.h"
#include "thread-persist.h"
#include "vm-persist.h"

#define MEMORY_LIMIT (64ull << 20)

static SandboxConfig config;

static ssize_t sink(void *userdata, int stream, const void *buf, size_t len) {
        return (ssize_t)len;
}

/* A sandbox to restore into, as snapshot_restore makes one: nothing loaded. */
static Sandbox *fresh(void) {
        Sandbox *s = NULL;
        CHECK_EQ(sandbox_new(&config, &s), 0);
        if (!s)
                abort();
        return s;
}

/* A copy of a saved section, for editing. */
static uint8_t *copy(const Buffer *b) {
        uint8_t *d = malloc(MAX(b->size, 1u));
        if (!d)
                abort();
        memcpy(d, b->data, b->size);
        return d;
}

static Cursor over(const void *data, size_t size) {
        return (Cursor){.p = data, .left = size};
}

static void put_u64(uint8_t *d, size_t offset, uint64_t v) {
        memcpy(d + offset, &v, sizeof(v));
}

static void test_codec(void) {
        Buffer b = {};
        SectionHeader h;
        size_t at;

        /* Sections begun and ended in place: the length is filled in, also in a section that
         * starts unaligned after one of odd length. */
        at = buffer_section_begin(&b, SECTION_VFS);
        buffer_put(&b, "abc", 3);
        buffer_section_end(&b, at);
        at = buffer_section_begin(&b, SECTION_THREADS);
        buffer_put(&b, "12345678", 8);
        buffer_section_end(&b, at);
        CHECK_EQ(b.error, 0);
        CHECK_EQ(b.size, 2 * sizeof(SectionHeader) + 3 + 8);
        memcpy(&h, b.data, sizeof(h));
        CHECK(h.tag == SECTION_VFS && h.length == 3 && h.reserved == 0);
        memcpy(&h, b.data + sizeof(h) + 3, sizeof(h));
        CHECK(h.tag == SECTION_THREADS && h.length == 8);
        CHECK(memcmp(b.data + 2 * sizeof(h) + 3, "12345678", 8) == 0);

        /* Past the state's cap the error sticks and a section's end writes nothing. */
        at = buffer_section_begin(&b, SECTION_MM);
        buffer_put(&b, b.data, SNAPSHOT_STATE_MAX);
        buffer_section_end(&b, at);
        CHECK_EQ(b.error, -E2BIG);
        buffer_put(&b, "x", 1);
        CHECK_EQ(b.size, 3 * sizeof(SectionHeader) + 3 + 8);
        memcpy(&h, b.data + at, sizeof(h));
        CHECK_EQ(h.length, 0);
        free(b.data);
}

static void test_vcpu(Sandbox *a) {
        _cleanup_(sandbox_freep) Sandbox *b = fresh();
        _cleanup_free_ uint8_t *d = NULL;
        Buffer saved = {};
        VmCpuState cpu;
        Cursor c;

        vm_regs(a->vm)->rip = USER_MIN + 0x1230;
        vm_regs(a->vm)->r13 = 0x5eed;
        vm_regs_changed(a->vm);
        CHECK_EQ(vcpu_persist_save(a->vm, &saved), 0);
        CHECK_EQ(saved.size, sizeof(VmCpuState));
        c = over(saved.data, saved.size);
        CHECK_EQ(vcpu_persist_restore(b->vm, &c), 0);
        CHECK_EQ(vm_save_cpu(b->vm, &cpu), 0);
        CHECK_EQ(cpu.regs.rip, USER_MIN + 0x1230);
        CHECK_EQ(cpu.regs.r13, 0x5eed);

        c = over(saved.data, saved.size - 1);
        CHECK_EQ(vcpu_persist_restore(b->vm, &c), -EBADMSG);
        /* CPL0, or stopped in our stubs other than at a syscall exit: never a program's. */
        d = copy(&saved);
        d[offsetof(VmCpuState, sregs.cs.selector)] &= ~3;
        c = over(d, saved.size);
        CHECK_EQ(vcpu_persist_restore(b->vm, &c), -EBADMSG);
        memcpy(d, saved.data, saved.size);
        put_u64(d, offsetof(VmCpuState, regs.rip), VA_SYSCALL_STUB - PAGE_SIZE);
        c = over(d, saved.size);
        CHECK_EQ(vcpu_persist_restore(b->vm, &c), -EBADMSG);

        {
                struct kvm_regs r = {.rip = VA_SYSCALL_STUB + 9};
                CHECK(vcpu_persist_registers_ok(&r));
                r.rip = USER_MAX;
                CHECK(!vcpu_persist_registers_ok(&r));
        }
        free(saved.data);
}

static void test_vm(Sandbox *a) {
        _cleanup_(sandbox_freep) Sandbox *b = fresh();
        _cleanup_free_ uint8_t *d = NULL;
        uint64_t page = vm_page_alloc(a->vm, false);
        Buffer saved = {};
        Cursor c;

        /* A page given back: on the free list, which the restore must bring along. */
        CHECK(page != 0);
        vm_page_release(a->vm, page, false);
        CHECK(a->vm->free_count > 0);
        CHECK_EQ(vm_persist_save(a->vm, &saved), 0);
        c = over(saved.data, saved.size);
        CHECK_EQ(vm_persist_restore(b->vm, &c, a->vm->ram_next), 0);
        CHECK_EQ(b->vm->data_pages, a->vm->data_pages);
        CHECK_EQ(b->vm->table_pages, a->vm->table_pages);
        CHECK_EQ(b->vm->free_count, a->vm->free_count);
        CHECK(memcmp(b->vm->free_pages, a->vm->free_pages, a->vm->free_count * sizeof(uint64_t)) ==
              0);

        /* Not the memory file's size, a list that runs long, a free page among the VMM's own. */
        c = over(saved.data, saved.size);
        CHECK_EQ(vm_persist_restore(b->vm, &c, a->vm->ram_next + PAGE_SIZE), -EBADMSG);
        c = over(saved.data, saved.size - 1);
        CHECK_EQ(vm_persist_restore(b->vm, &c, a->vm->ram_next), -EBADMSG);
        d = copy(&saved);
        put_u64(d, saved.size - sizeof(uint64_t), GPA_FIRST_FREE - PAGE_SIZE);
        c = over(d, saved.size);
        CHECK_EQ(vm_persist_restore(b->vm, &c, a->vm->ram_next), -EBADMSG);
        /* More pages held than there is RAM: data_pages, VmSaved's second field. */
        memcpy(d, saved.data, saved.size);
        put_u64(d, 8, a->vm->ram_next / PAGE_SIZE + 1);
        c = over(d, saved.size);
        CHECK_EQ(vm_persist_restore(b->vm, &c, a->vm->ram_next), -EBADMSG);
        free(saved.data);
}

static void test_mm(Sandbox *a) {
        _cleanup_free_ uint8_t *d = NULL;
        const Mm *mm = &a->init->mm;
        Buffer saved = {};
        Cursor c;
        /* MmSaved is 12 u64 (committed the eighth), then 56 bytes per VMA (start, end first). */
        const size_t vmas_at = 12 * sizeof(uint64_t), vma_size = 56;

        CHECK(mm->count >= 2);
        CHECK_EQ(mm_persist_save(mm, &saved), 0);
        CHECK_EQ(saved.size, vmas_at + mm->count * vma_size);
        {
                _cleanup_(sandbox_freep) Sandbox *b = fresh();
                Mm *to = &b->init->mm;

                c = over(saved.data, saved.size);
                CHECK_EQ(mm_persist_restore(to, &c, config.image), 0);
                CHECK_EQ(to->count, mm->count);
                for (size_t i = 0; i < MIN(to->count, mm->count); i++)
                        CHECK(to->vmas[i].start == mm->vmas[i].start &&
                              to->vmas[i].end == mm->vmas[i].end &&
                              to->vmas[i].backing == mm->vmas[i].backing &&
                              to->vmas[i].image_base == mm->vmas[i].image_base);
                CHECK_EQ(to->brk, mm->brk);
                CHECK_EQ(to->stack_top, mm->stack_top);
                CHECK_EQ(to->budget->committed, mm->budget->committed);
        }
        {
                _cleanup_(sandbox_freep) Sandbox *b = fresh();

                c = over(saved.data, saved.size - 1);
                CHECK_EQ(mm_persist_restore(&b->init->mm, &c, config.image), -EBADMSG);
        }
        {
                /* Two VMAs over the same addresses. */
                _cleanup_(sandbox_freep) Sandbox *b = fresh();

                d = copy(&saved);
                memcpy(d + vmas_at + vma_size, d + vmas_at, 2 * sizeof(uint64_t));
                c = over(d, saved.size);
                CHECK_EQ(mm_persist_restore(&b->init->mm, &c, config.image), -EBADMSG);
        }
        {
                /* More committed than the memory limit. */
                _cleanup_(sandbox_freep) Sandbox *b = fresh();

                memcpy(d, saved.data, saved.size);
                put_u64(d, 7 * sizeof(uint64_t), MEMORY_LIMIT + PAGE_SIZE);
                c = over(d, saved.size);
                CHECK_EQ(mm_persist_restore(&b->init->mm, &c, config.image), -E2BIG);
        }
        free(saved.data);
}

static void test_process(Sandbox *a) {
        _cleanup_(sandbox_freep) Sandbox *b = fresh();
        _cleanup_free_ uint8_t *d = NULL;
        Process *p = a->init;
        Buffer saved = {};
        Cursor c;
        /* ProcessSaved: 65 sigactions of 4 u64, 7 u64, then request_fd. */
        const size_t request_fd_at = 65 * 32 + 7 * 8;

        p->actions[SIGUSR1] = (GuestSigaction){.handler = 0x401000, .flags = 0x4000000};
        p->sigmask = 1u << (SIGUSR2 - 1);
        process_set_name(p, "persisted");
        a->channel = (RunnerChannel){.fd = 7, .awaiting = true, .control = true};
        CHECK_EQ(process_persist_save(p, &saved), 0);
        a->channel = (RunnerChannel){.fd = -1};
        c = over(saved.data, saved.size);
        CHECK_EQ(process_persist_restore(b->init, &c), 0);
        CHECK_EQ(b->init->actions[SIGUSR1].handler, 0x401000);
        CHECK_EQ(b->init->sigmask, 1u << (SIGUSR2 - 1));
        CHECK(strcmp(b->init->comm, "persisted") == 0);
        CHECK_EQ(b->init->exe_entry, p->exe_entry);
        CHECK_EQ(b->init->arg_start, p->arg_start);
        CHECK(b->channel.fd == 7 && b->channel.awaiting && b->channel.control);

        c = over(saved.data, saved.size - 1);
        CHECK_EQ(process_persist_restore(b->init, &c), -EBADMSG);
        d = copy(&saved);
        memcpy(d + request_fd_at, &(int32_t){1024}, sizeof(int32_t));
        c = over(d, saved.size);
        CHECK_EQ(process_persist_restore(b->init, &c), -EBADMSG);
        free(saved.data);
}

static void test_fs_context(Sandbox *a) {
        _cleanup_(sandbox_freep) Sandbox *b = fresh();
        Buffer saved = {};
        char cwd[64];
        Cursor c;

        fs_context_umask(a->init->fs, 027);
        CHECK_EQ(fs_context_persist_save(a->init, &saved), 0);
        c = over(saved.data, saved.size);
        CHECK_EQ(fs_context_persist_restore(b->init, &c), 0);
        CHECK_EQ(b->init->fs->umask, 027);
        CHECK_EQ(vfs_getcwd(b->vfs, b->init->fs, cwd, sizeof(cwd)),
                 (ssize_t)strlen("/home/sandbox") + 1);
        CHECK(strcmp(cwd, "/home/sandbox") == 0);
        free(saved.data);

        /* A cwd that is relative, missing, or not a directory; a umask past 0777. */
        static const struct {
                uint32_t umask;
                const char *cwd;
        } bad[] = {{022, "home"},
                   {022, "/no/such/dir"},
                   {022, "/usr/bin/python3.11"},
                   {01022, "/"},
                   {022, ""}};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                uint32_t h[2] = {bad[i].umask, (uint32_t)strlen(bad[i].cwd)};
                uint8_t d[64];

                memcpy(d, h, sizeof(h));
                memcpy(d + sizeof(h), bad[i].cwd, h[1]);
                c = over(d, sizeof(h) + h[1]);
                CHECK_EQ(fs_context_persist_restore(b->init, &c), -EBADMSG);
        }
}

static void test_fdtable(Sandbox *a) {
        _cleanup_(sandbox_freep) Sandbox *b = fresh();
        Process *p = a->init;
        OpenFile *f, *g;
        Buffer saved = {};
        Cursor c;
        int fd, dup;

        fd = vfs_openat(a->vfs, p->fs, p->fds, AT_FDCWD, "/dev/null", O_RDWR, 0);
        CHECK(fd >= 3);
        dup = fdtable_dup(p->fds, fd);
        CHECK(dup > fd);
        CHECK_EQ(fdtable_fcntl(p->fds, fd, F_SETFL, O_NONBLOCK), 0);
        CHECK_EQ(fdtable_fcntl(p->fds, dup, F_SETFD, FD_CLOEXEC), 0);
        CHECK_EQ(fdtable_persist_save(p, &saved), 0);
        c = over(saved.data, saved.size);
        CHECK_EQ(fdtable_persist_restore(b->init, &c), 0);
        /* One open file behind both fds, its status flags kept (fcntl on one, seen on the
         * other). */
        CHECK_EQ(fdtable_get(b->init->fds, fd, &f), 0);
        CHECK_EQ(fdtable_get(b->init->fds, dup, &g), 0);
        CHECK(f && f == g);
        CHECK_EQ(fdtable_fcntl(b->init->fds, dup, F_GETFL, 0) & O_NONBLOCK, O_NONBLOCK);
        /* The close-on-exec flag is the fd's, not the file's. */
        CHECK_EQ(fdtable_fcntl(b->init->fds, fd, F_GETFD, 0), 0);
        CHECK_EQ(fdtable_fcntl(b->init->fds, dup, F_GETFD, 0), FD_CLOEXEC);

        /* The request channel's fd must stay free for the channel. */
        {
                _cleanup_(sandbox_freep) Sandbox *b2 = fresh();
                b2->channel.fd = dup;
                c = over(saved.data, saved.size);
                CHECK_EQ(fdtable_persist_restore(b2->init, &c), -EBADMSG);
        }
        {
                _cleanup_(sandbox_freep) Sandbox *b3 = fresh();
                c = over(saved.data, saved.size - 1);
                CHECK_EQ(fdtable_persist_restore(b3->init, &c), -EBADMSG);
        }
        fdtable_close(p->fds, fd);
        fdtable_close(p->fds, dup);
        free(saved.data);
}

static void test_threads(Sandbox *a) {
        _cleanup_(sandbox_freep) Sandbox *b = fresh();
        _cleanup_free_ uint8_t *d = NULL;
        Buffer saved = {};
        Cursor c;

        a->init->pid = 77;
        CHECK_EQ(threads_persist_save(a->init, &saved), 0);
        a->init->pid = GUEST_PID;
        c = over(saved.data, saved.size);
        CHECK_EQ(threads_persist_restore(b->init, &c), 0);
        CHECK_EQ(b->init->pid, 77);

        /* A next tid at or below the main thread's; a thread announced but missing. */
        d = copy(&saved);
        memcpy(d + 4, &(int32_t){GUEST_PID}, sizeof(int32_t));
        c = over(d, saved.size);
        CHECK_EQ(threads_persist_restore(b->init, &c), -EBADMSG);
        memcpy(d, saved.data, saved.size);
        memcpy(d, &(uint32_t){1}, sizeof(uint32_t));
        c = over(d, saved.size);
        CHECK_EQ(threads_persist_restore(b->init, &c), -EBADMSG);
        free(saved.data);
}

int main(int argc, char *argv[]) {
        char *const args[] = {"python3", "-c", "pass", NULL};
        char *const env[] = {NULL};
        _cleanup_(sandbox_freep) Sandbox *a = NULL;
        Image *image = NULL;
        int r;

        if (access("/dev/kvm", R_OK | W_OK) < 0) {
                fprintf(stderr, "test-persist: /dev/kvm is not usable, skipping\n");
                return 77;
        }
        if (argc < 2) {
                fprintf(stderr, "usage: test-persist IMAGE\n");
                return EXIT_FAILURE;
        }
        r = image_open(argv[1], &image);
        CHECK_EQ(r, 0);
        if (r < 0)
                return checks_report("test-persist");
        config = (SandboxConfig){.memory_limit = MEMORY_LIMIT, .image = image, .sink = sink};

        test_codec();

        /* The source: python3.11 exec'd (an address space of image and anonymous VMAs, a cwd),
         * not run. */
        a = fresh();
        r = process_exec(a->init, "/usr/bin/python3.11", NULL, args, env, "/home/sandbox");
        CHECK_EQ(r, 0);
        if (r < 0)
                return checks_report("test-persist");

        test_vcpu(a);
        test_vm(a);
        test_mm(a);
        test_process(a);
        test_fs_context(a);
        test_fdtable(a);
        test_threads(a);

        a = sandbox_free(a);
        image_free(image);
        return checks_report("test-persist");
}

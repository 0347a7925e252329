/* SPDX-License-Identifier: MIT */
/* Starting a program: map the executable and its interpreter, build the initial stack Linux
 * builds (argc, argv, envp, auxv and the strings they point to), point the vCPU at the entry. */
#include <cpuid.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "elf-loader.h"
#include "layout.h"
#include "log.h"
#include "macro.h"
#include "process.h"
#include "syscall.h"
#include "uaccess.h"
#include "vdso.h"

#define STACK_TOP 0x7ffffd000000UL
#define STACK_MAX (8UL * 1024 * 1024)
/* mmap hands out addresses below the stack's reach, top-down, like Linux's mmap_base. */
#define MMAP_TOP (STACK_TOP - STACK_MAX - 0x10000000UL)

#define MAX_ARG_STRINGS 4096
#define MAX_ARG_BYTES (2UL * 1024 * 1024)

typedef struct Loaded {
        ElfInfo elf;
        uint64_t bias;
} Loaded;

static int load_elf(Process *p, OpenFile *f, Blob *host_blob, Loaded *ret) {
        MmSource source;
        const uint8_t *data;
        uint64_t size;
        int r;

        if (host_blob) {
                source = (MmSource){.backing = VMA_COPY, .blob = host_blob};
                data = (const uint8_t *)blob_data(host_blob);
                size = blob_size(host_blob);
                source.file_size = size;
        } else {
                r = process_file_source(p, f, &source, &data, &size);
                if (r < 0)
                        return r;
        }
        r = elf_parse(data, size, &ret->elf);
        if (r >= 0)
                r = elf_map(&p->mm, &ret->elf, &source, &ret->bias);
        if (!host_blob)
                blob_unref(source.blob);
        return r;
}

typedef struct StackBuilder {
        Mm *mm;
        uint64_t sp;
        int error;
} StackBuilder;

static uint64_t stack_push_bytes(StackBuilder *b, const void *data, size_t size) {
        if (b->error)
                return 0;
        b->sp -= size;
        b->error = copy_to_user(b->mm, b->sp, data, size);
        return b->sp;
}

static uint64_t stack_push_string(StackBuilder *b, const char *s) {
        return stack_push_bytes(b, s, strlen(s) + 1);
}

static int count_strings(char *const v[], size_t *ret_count, size_t *bytes) {
        size_t n = 0;
        for (; v && v[n]; n++) {
                *bytes += strlen(v[n]) + 1;
                if (n >= MAX_ARG_STRINGS || *bytes > MAX_ARG_BYTES)
                        return -E2BIG;
        }
        *ret_count = n;
        return 0;
}

static int build_stack(Process *p, const Loaded *exe, const Loaded *interp, char *const argv[],
                       char *const envp[], const char *execfn, uint64_t *ret_sp) {
        StackBuilder b = {.mm = &p->mm, .sp = STACK_TOP};
        size_t argc, envc, bytes = 0;
        uint8_t random_bytes[16];
        unsigned eax, ebx, ecx, edx;
        uint64_t *ptrs, at_random, at_platform, at_execfn;
        size_t n_ptrs, i = 0;
        int r;

        r = count_strings(argv, &argc, &bytes);
        if (r < 0)
                return r;
        r = count_strings(envp, &envc, &bytes);
        if (r < 0)
                return r;
        if (getrandom(random_bytes, sizeof random_bytes, 0) != sizeof random_bytes)
                return -EIO;

        uint64_t *argv_at = calloc(argc + envc + 1, sizeof(uint64_t));
        if (!argv_at)
                return -ENOMEM;
        at_execfn = stack_push_string(&b, execfn);
        /* The strings lie in order, arguments then environment, as /proc/self/cmdline and
         * environ expect. */
        uint64_t env_end = b.sp;
        for (size_t k = envc; k-- > 0;)
                argv_at[argc + k] = stack_push_string(&b, envp[k]);
        uint64_t env_start = b.sp;
        for (size_t k = argc; k-- > 0;)
                argv_at[k] = stack_push_string(&b, argv[k]);
        uint64_t arg_start = b.sp;
        at_platform = stack_push_string(&b, "x86_64");
        at_random = stack_push_bytes(&b, random_bytes, sizeof random_bytes);
        b.sp = ALIGN_DOWN(b.sp, 16);

        __cpuid(1, eax, ebx, ecx, edx);
        uint64_t auxv[][2] = {
                {AT_PHDR, exe->bias + exe->elf.phdr_vaddr},
                {AT_PHENT, sizeof(Elf64_Phdr)},
                {AT_PHNUM, exe->elf.phnum},
                {AT_PAGESZ, PAGE_SIZE},
                {AT_BASE, interp ? interp->bias : 0},
                {AT_FLAGS, 0},
                {AT_ENTRY, exe->bias + exe->elf.entry},
                {AT_UID, VFS_UID},
                {AT_EUID, VFS_UID},
                {AT_GID, VFS_GID},
                {AT_EGID, VFS_GID},
                {AT_SECURE, 0},
                {AT_RANDOM, at_random},
                {AT_HWCAP, edx},
                {AT_HWCAP2, 0},
                {AT_CLKTCK, 100},
                {AT_PLATFORM, at_platform},
                {AT_EXECFN, at_execfn},
                {AT_SYSINFO_EHDR, VA_VDSO},
                {AT_NULL, 0},
        };

        n_ptrs = 1 + argc + 1 + envc + 1 + 2 * ELEMENTSOF(auxv);
        ptrs = calloc(n_ptrs, sizeof(uint64_t));
        if (!ptrs) {
                free(argv_at);
                return -ENOMEM;
        }
        ptrs[i++] = argc;
        for (size_t k = 0; k < argc; k++)
                ptrs[i++] = argv_at[k];
        ptrs[i++] = 0;
        for (size_t k = 0; k < envc; k++)
                ptrs[i++] = argv_at[argc + k];
        ptrs[i++] = 0;
        for (size_t k = 0; k < ELEMENTSOF(auxv); k++) {
                ptrs[i++] = auxv[k][0];
                ptrs[i++] = auxv[k][1];
        }
        /* RSP must be 16-byte aligned at the entry, pointing at argc. */
        if (n_ptrs % 2)
                b.sp -= 8;
        stack_push_bytes(&b, ptrs, n_ptrs * sizeof(uint64_t));
        free(ptrs);
        free(argv_at);
        if (b.error)
                return b.error;
        p->arg_start = arg_start;
        p->arg_end = p->env_start = env_start;
        p->env_end = env_end;
        *ret_sp = b.sp;
        return 0;
}

int process_read_host_executable(const char *path, Blob **ret) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ uint8_t *data = NULL;
        struct stat st;
        ssize_t n;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open %s: %m", path);
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
            st.st_size > 256 * 1024 * 1024)
                return log_error_errno(EINVAL, "%s is not a plausible executable", path);
        data = malloc(st.st_size);
        if (!data)
                return -ENOMEM;
        n = pread(fd, data, st.st_size, 0);
        if (n != st.st_size)
                return log_error_errno(EIO, "Short read of %s", path);
        *ret = blob_new(data, st.st_size);
        return *ret ? 0 : -ENOMEM;
}

static int make_directories(Process *p, const char *path) {
        char buf[PATH_MAX];
        size_t n = strlen(path);
        int r;

        if (n == 0 || n >= sizeof(buf) || path[0] != '/')
                return -EINVAL;
        memcpy(buf, path, n + 1);
        for (size_t i = 1; i <= n; i++) {
                if (buf[i] != '/' && buf[i] != '\0')
                        continue;
                char saved = buf[i];
                buf[i] = '\0';
                r = vfs_mkdirat(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, buf, 0755);
                buf[i] = saved;
                if (r < 0 && r != -EEXIST)
                        return r;
        }
        return 0;
}

int process_exec(Process *p, const char *path, Blob *host_blob, char *const argv[],
                 char *const envp[], const char *cwd) {
        _cleanup_(file_unrefp) OpenFile *exe_file = NULL, *interp_file = NULL;
        Loaded exe = {}, interp = {};
        bool has_interp;
        uint64_t sp = 0, entry;
        int r;

        p->mm.mmap_next = MMAP_TOP;
        p->mm.mmap_floor = USER_MIN;

        if (!host_blob) {
                r = vfs_open_file(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, path, O_RDONLY, 0, &exe_file);
                if (r < 0)
                        return log_error_errno(r, "Failed to open %s in the image: %m", path);
        }
        r = load_elf(p, exe_file, host_blob, &exe);
        if (r < 0)
                return log_error_errno(r, "Failed to load %s: %m", path);

        has_interp = exe.elf.interp[0] != '\0';
        if (has_interp) {
                r = vfs_open_file(p->sandbox->vfs, p->fs, p->fds, AT_FDCWD, exe.elf.interp, O_RDONLY, 0,
                                  &interp_file);
                if (r < 0)
                        return log_error_errno(r, "Failed to open interpreter %s: %m",
                                               exe.elf.interp);
                r = load_elf(p, interp_file, NULL, &interp);
                if (r < 0)
                        return log_error_errno(r, "Failed to load interpreter %s: %m",
                                               exe.elf.interp);
                if (interp.elf.interp[0])
                        return log_error_errno(ENOEXEC, "Interpreter %s has an interpreter",
                                               exe.elf.interp);
        }

        /* brk starts past the executable's last segment, as on Linux (unrandomized). */
        p->mm.brk_start = p->mm.brk = exe.bias + exe.elf.hi;
        p->mm.brk_max = p->mm.brk_start + (1ULL << 40);

        r = mm_setup_stack(&p->mm, STACK_TOP, STACK_MAX);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the stack: %m");
        r = vdso_map(p);
        if (r < 0)
                return log_error_errno(r, "Failed to map the vDSO: %m");

        if (cwd) {
                r = vfs_chdir(p->sandbox->vfs, p->fs, p->fds, cwd);
                if (r == -ENOENT) {
                        /* A working directory that doesn't exist yet is made, where the
                         * program could make it itself (the tmpfs). */
                        r = make_directories(p, cwd);
                        if (r >= 0)
                                r = vfs_chdir(p->sandbox->vfs, p->fs, p->fds, cwd);
                }
                if (r < 0)
                        return log_error_errno(r, "Failed to change to %s: %m", cwd);
        }

        r = build_stack(p, &exe, has_interp ? &interp : NULL, argv, envp, path, &sp);
        if (r < 0)
                return log_error_errno(r, "Failed to build the initial stack: %m");

        /* What /proc/self/exe and comm show: the file exec'd (symlinks resolved), named after
         * the path as given, as Linux does. */
        p->exe_entry = exe_file && exe_file->node.fs == FS_IMAGE ? exe_file->node.idx : 0;
        process_set_name(p, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);

        entry = has_interp ? interp.bias + interp.elf.entry : exe.bias + exe.elf.entry;
        struct kvm_regs *regs = vm_regs(p->sandbox->vm);
        memset(regs, 0, sizeof(*regs));
        regs->rip = entry;
        regs->rsp = sp;
        regs->rflags = 0x202;
        vm_regs_changed(p->sandbox->vm);
        return 0;
}

/* SPDX-License-Identifier: MIT */
#include "snapshot.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "crc32c.h"
#include "devfs.h"
#include "layout.h"
#include "log.h"
#include "macro.h"
#include "sha256.h"
#include "snapshot-codec.h"
#include "snapshot-files.h"
#include "prefault.h"
#include "syscall.h"
#include "thread.h"
#include "warmup.h"

enum {
        SECTION_CPU = 1,
        SECTION_VM,
        SECTION_MM,
        SECTION_PROCESS,
        SECTION_FDS,
        SECTION_VFS,
        SECTION_THREADS,
        _SECTION_MAX,
};

typedef struct ThreadsSaved {
        uint32_t count;
        int32_t next_tid;
        int32_t pid;
        uint32_t reserved;
} ThreadsSaved;

typedef struct VmSaved {
        uint64_t ram_next, data_pages, data_pages_peak, table_pages, free_count;
} VmSaved;

typedef struct MmSaved {
        uint64_t mmap_next, mmap_floor, brk_start, brk, brk_max, stack_top, stack_limit;
        uint64_t committed, faults, vma_count;
        uint64_t mapped, mapped_peak;
} MmSaved;

typedef struct VmaSaved {
        uint64_t start, end, file_offset, file_length, image_base;
        int32_t prot, flags;
        uint32_t backing, committed;
} VmaSaved;

typedef struct ProcessSaved {
        GuestSigaction actions[GUEST_NSIG + 1];
        uint64_t sigmask, altstack_sp, altstack_size, altstack_flags;
        uint64_t clear_child_tid, robust_list, rlimit_stack;
        int32_t request_fd;
        uint32_t awaiting_request;
        uint32_t request_control;
        uint32_t exe_entry;
        char comm[GUEST_COMM_SIZE];
        uint64_t arg_start, arg_end, env_start, env_end;
} ProcessSaved;

typedef struct VfsSaved {
        uint32_t umask;
        uint32_t cwd_length;
} VfsSaved;

/* ---- writing ---------------------------------------------------------------------------- */

static int save_payload(Process *p, Buffer *out) {
        VmCpuState cpu;
        int r;

        r = vm_save_cpu(p->sandbox->vm, &cpu);
        if (r < 0)
                return log_error_errno(r, "Failed to read the vCPU state: %m");
        buffer_section(out, SECTION_CPU, &cpu, sizeof(cpu));

        {
                Vm *vm = p->sandbox->vm;
                VmSaved s = {vm->ram_next, vm->data_pages, vm->data_pages_peak, vm->table_pages,
                             vm->free_count};
                Buffer b = {};
                buffer_put(&b, &s, sizeof(s));
                buffer_put(&b, vm->free_pages, vm->free_count * sizeof(uint64_t));
                buffer_section(out, SECTION_VM, b.data, b.size);
                free(b.data);
        }
        {
                Mm *mm = &p->mm;
                MmSaved s = {mm->mmap_next, mm->mmap_floor, mm->brk_start,   mm->brk,
                             mm->brk_max,   mm->stack_top,  mm->stack_limit, mm->budget->committed,
                             mm->faults,    mm->count,      mm->mapped,      mm->mapped_peak};
                Buffer b = {};
                buffer_put(&b, &s, sizeof(s));
                for (size_t i = 0; i < mm->count; i++) {
                        const Vma *v = &mm->vmas[i];
                        VmaSaved vs = {v->start,       v->end,        v->file_offset,
                                       v->file_length, v->image_base, v->prot,
                                       v->flags,       v->backing,    v->committed};
                        if (v->backing == VMA_COPY) {
                                free(b.data);
                                return log_error_errno(EOPNOTSUPP,
                                                       "A mapping of a tmpfs or host file can't "
                                                       "be kept in a snapshot");
                        }
                        buffer_put(&b, &vs, sizeof(vs));
                }
                buffer_section(out, SECTION_MM, b.data, b.size);
                free(b.data);
        }
        {
                ProcessSaved s = {
                        .sigmask = p->sigmask,
                        .altstack_sp = p->altstack_sp,
                        .altstack_size = p->altstack_size,
                        .altstack_flags = p->altstack_flags,
                        .clear_child_tid = p->clear_child_tid,
                        .robust_list = p->robust_list,
                        .rlimit_stack = p->rlimit_stack,
                        .request_fd = p->sandbox->channel.fd,
                        .awaiting_request = p->sandbox->channel.awaiting,
                        .request_control = p->sandbox->channel.control,
                        .exe_entry = p->exe_entry,
                        .arg_start = p->arg_start,
                        .arg_end = p->arg_end,
                        .env_start = p->env_start,
                        .env_end = p->env_end,
                };
                memcpy(s.comm, p->comm, sizeof(s.comm));
                memcpy(s.actions, p->actions, sizeof(s.actions));
                buffer_section(out, SECTION_PROCESS, &s, sizeof(s));
        }
        {
                Buffer b = {};
                r = snapshot_save_files(p, &b);
                if (r >= 0)
                        buffer_section(out, SECTION_FDS, b.data, b.size);
                free(b.data);
                if (r < 0)
                        return r;
        }
        {
                _cleanup_free_ ThreadImage *threads = NULL;
                size_t n = 0;
                Buffer b = {};

                r = threads_export(p, &threads, &n);
                if (r < 0)
                        return r;
                ThreadsSaved s = {
                        .count = (uint32_t)n, .next_tid = threads_next_tid(p), .pid = p->pid};
                buffer_put(&b, &s, sizeof(s));
                buffer_put(&b, threads, n * sizeof(ThreadImage));
                buffer_section(out, SECTION_THREADS, b.data, b.size);
                free(b.data);
        }
        {
                char cwd[PATH_MAX];
                ssize_t n = vfs_getcwd(p->sandbox->vfs, p->fs, cwd, sizeof(cwd));
                mode_t mask = fs_context_umask(p->fs, 0);
                VfsSaved s;
                Buffer b = {};

                fs_context_umask(p->fs, mask);
                if (n <= 0)
                        return log_error_errno(n < 0 ? (int)n : EIO, "Failed to read the cwd: %m");
                s = (VfsSaved){.umask = mask, .cwd_length = (uint32_t)(n - 1)};
                buffer_put(&b, &s, sizeof(s));
                buffer_put(&b, cwd, n - 1);
                buffer_section(out, SECTION_VFS, b.data, b.size);
                free(b.data);
        }
        return out->error;
}

static bool page_is_zero(const uint8_t *p) {
        const uint64_t *w = (const uint64_t *)p;
        for (size_t i = 0; i < PAGE_SIZE / 8; i++)
                if (w[i])
                        return false;
        return true;
}

static int write_all(int fd, const void *data, size_t size, off_t offset) {
        const uint8_t *d = data;
        while (size > 0) {
                ssize_t n = pwrite(fd, d, size, offset);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                d += n;
                size -= n;
                offset += n;
        }
        return 0;
}

/* Writes path atomically: a temporary file in the same directory, renamed over it. */
static int write_file_atomic(const char *dir, const char *name, int (*fill)(int fd, void *userdata),
                             void *userdata) {
        char tmp[PATH_MAX], final[PATH_MAX];
        _cleanup_close_ int fd = -1;
        int r;

        if (snprintf(final, sizeof(final), "%s/%s", dir, name) >= (int)sizeof(final) ||
            snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >= (int)sizeof(tmp))
                return -ENAMETOOLONG;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = fill(fd, userdata);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && fchmod(fd, 0644) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, final) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

typedef struct MemoryFile {
        Vm *vm;
        uint32_t crc;
} MemoryFile;

static int fill_memory(int fd, void *userdata) {
        MemoryFile *m = userdata;
        Vm *vm = m->vm;

        if (ftruncate(fd, (off_t)vm->ram_next) < 0)
                return -errno;
        m->crc = crc32c(0, vm->ram, vm->ram_next);
        /* Only pages holding data are written; the rest stay holes and read back as zero. */
        for (uint64_t gpa = 0; gpa < vm->ram_next; gpa += PAGE_SIZE) {
                const uint8_t *page = vm->ram + gpa;
                int r;
                if (page_is_zero(page))
                        continue;
                r = write_all(fd, page, PAGE_SIZE, (off_t)gpa);
                if (r < 0)
                        return r;
        }
        return 0;
}

typedef struct StateFile {
        const SnapshotHeader *header;
        const Buffer *payload;
} StateFile;

static int fill_state(int fd, void *userdata) {
        const StateFile *s = userdata;
        int r = write_all(fd, s->header, sizeof(*s->header), 0);
        if (r < 0)
                return r;
        return write_all(fd, s->payload->data, s->payload->size, sizeof(*s->header));
}

int snapshot_save(Sandbox *s, const char *dir, const char *language) {
        Process *p = s->init;
        Buffer payload = {};
        SnapshotHeader header = {
                .magic = SNAPSHOT_MAGIC,
                .version = SNAPSHOT_FORMAT_VERSION,
                .header_size = sizeof(SnapshotHeader),
        };
        int r;

        if (s->state != SANDBOX_READY || !p)
                return log_error_errno(EINVAL, "The program never reached its ready point");
        if (s->n_processes != 1)
                return log_error_errno(EOPNOTSUPP, "The runner has other processes; a snapshot "
                                                   "holds one");
        if (strlen(language) >= SNAPSHOT_LANGUAGE_MAX)
                return -EINVAL;
        if (p->n_signal_fpu > 0 || p->pending_signals || p->itimer_deadline)
                return log_error_errno(EOPNOTSUPP,
                                       "The runner is in a signal handler, has a "
                                       "signal pending or a timer running; a snapshot holds "
                                       "none");
        if (vfs_tmpfs_bytes_used(p->sandbox->vfs) != p->sandbox->tmpfs_baseline)
                return log_error_errno(EOPNOTSUPP,
                                       "The runner left files in the tmpfs; a snapshot holds none");
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create %s: %m", dir);

        r = save_payload(p, &payload);
        if (r < 0) {
                free(payload.data);
                return r;
        }
        memcpy(header.image_sha256, image_sha256(p->sandbox->image), 32);
        sha256_buffer(payload.data, payload.size, header.payload_sha256);
        header.payload_size = payload.size;
        header.memory_size = p->sandbox->vm->ram_next;
        header.memory_limit = p->sandbox->memory.limit;
        strcpy(header.language, language);

        /* Memory first: a state file never names memory that isn't there yet. */
        MemoryFile memory = {.vm = p->sandbox->vm};
        r = write_file_atomic(dir, "memory", fill_memory, &memory);
        header.memory_crc32c = memory.crc;
        if (r >= 0)
                r = write_file_atomic(dir, "state", fill_state,
                                      &(StateFile){.header = &header, .payload = &payload});
        free(payload.data);
        if (r < 0)
                return log_error_errno(r, "Failed to write the snapshot in %s: %m", dir);
        return 0;
}

/* ---- reading ---------------------------------------------------------------------------- */

static int read_state_file(const char *dir, SnapshotHeader *ret_header, uint8_t **ret_payload) {
        char path[PATH_MAX];
        _cleanup_close_ int fd = -1;
        _cleanup_free_ uint8_t *payload = NULL;
        struct stat st;
        uint8_t digest[32];

        if (snprintf(path, sizeof(path), "%s/state", dir) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                /* Only reading the header is asking whether there is a snapshot at all. */
                if (errno == ENOENT && !ret_payload)
                        return -ENOENT;
                return log_error_errno(errno, "Failed to open %s: %m", path);
        }
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(SnapshotHeader) ||
            st.st_size > (off_t)(sizeof(SnapshotHeader) + SNAPSHOT_STATE_MAX))
                return log_error_errno(EBADMSG, "%s: not a snapshot state file (size %jd)", path,
                                       (intmax_t)st.st_size);
        if (pread(fd, ret_header, sizeof(*ret_header), 0) != sizeof(*ret_header))
                return log_error_errno(EBADMSG, "%s: truncated header", path);
        if (memcmp(ret_header->magic, SNAPSHOT_MAGIC, 8) != 0)
                return log_error_errno(EBADMSG, "%s: bad magic, not a sandboxd snapshot", path);
        if (ret_header->version != SNAPSHOT_FORMAT_VERSION ||
            ret_header->header_size != sizeof(SnapshotHeader))
                return log_error_errno(EPROTO,
                                       "%s: snapshot format version %u, this build reads %u", path,
                                       ret_header->version, SNAPSHOT_FORMAT_VERSION);
        if (ret_header->payload_size != (uint64_t)st.st_size - sizeof(SnapshotHeader))
                return log_error_errno(EBADMSG,
                                       "%s: truncated (payload %" PRIu64 " bytes, file "
                                       "holds %jd)",
                                       path, ret_header->payload_size,
                                       (intmax_t)(st.st_size - (off_t)sizeof(SnapshotHeader)));
        if (memchr(ret_header->language, 0, SNAPSHOT_LANGUAGE_MAX) == NULL)
                return log_error_errno(EBADMSG, "%s: bad language field", path);
        if (!ret_payload)
                return 0;

        payload = malloc(MAX(ret_header->payload_size, 1u));
        if (!payload)
                return -ENOMEM;
        if (pread(fd, payload, ret_header->payload_size, sizeof(SnapshotHeader)) !=
            (ssize_t)ret_header->payload_size)
                return log_error_errno(EBADMSG, "%s: short read", path);
        sha256_buffer(payload, ret_header->payload_size, digest);
        if (memcmp(digest, ret_header->payload_sha256, 32) != 0)
                return log_error_errno(EBADMSG, "%s: checksum mismatch, the snapshot is corrupt",
                                       path);
        *ret_payload = TAKE_PTR(payload);
        return 0;
}

int snapshot_read_header(const char *dir, SnapshotHeader *ret) {
        return read_state_file(dir, ret, NULL);
}

static int load_vm_section(Process *p, Cursor *c, uint64_t memory_size) {
        Vm *vm = p->sandbox->vm;
        VmSaved s;

        if (take(c, &s, sizeof(s)) < 0)
                return -EBADMSG;
        if (s.ram_next != memory_size || s.free_count > s.ram_next / PAGE_SIZE ||
            s.data_pages > s.ram_next / PAGE_SIZE || s.table_pages > s.ram_next / PAGE_SIZE ||
            s.free_count * sizeof(uint64_t) != c->left)
                return -EBADMSG;
        if (s.data_pages > vm->data_page_limit)
                return log_error_errno(E2BIG,
                                       "The snapshot holds %" PRIu64 " MiB, more than the "
                                       "memory limit",
                                       s.data_pages * PAGE_SIZE >> 20);
        vm->data_pages = s.data_pages;
        vm->data_pages_peak = s.data_pages;
        vm->table_pages = s.table_pages;
        vm->free_count = 0;
        if (s.free_count) {
                /* A reset VM has the array of its last request. */
                if (vm->free_capacity < s.free_count) {
                        uint64_t *f = reallocarray(vm->free_pages, s.free_count, sizeof(uint64_t));
                        if (!f)
                                return -ENOMEM;
                        vm->free_pages = f;
                        vm->free_capacity = s.free_count;
                }
                for (uint64_t i = 0; i < s.free_count; i++) {
                        uint64_t gpa = 0;
                        (void)take(c, &gpa, sizeof(gpa));
                        if (!IS_ALIGNED(gpa, PAGE_SIZE) || gpa < GPA_FIRST_FREE ||
                            gpa >= s.ram_next)
                                return -EBADMSG;
                        vm->free_pages[vm->free_count++] = gpa;
                }
        }
        return 0;
}

static int load_mm_section(Process *p, Cursor *c) {
        Mm *mm = &p->mm;
        uint64_t prev_end = 0;
        MmSaved s;

        if (take(c, &s, sizeof(s)) < 0 || s.vma_count > 1u << 20 ||
            s.vma_count * sizeof(VmaSaved) != c->left)
                return -EBADMSG;
        if (s.brk_start > s.brk || s.brk > s.brk_max || s.stack_limit > s.stack_top ||
            s.stack_top > USER_MAX || s.mmap_next > USER_MAX)
                return -EBADMSG;
        if (s.committed > mm->budget->limit)
                return log_error_errno(E2BIG,
                                       "The snapshot commits %" PRIu64 " MiB, more than "
                                       "the memory limit",
                                       s.committed >> 20);
        mm->vmas = calloc(MAX(s.vma_count, 1u), sizeof(Vma));
        if (!mm->vmas)
                return -ENOMEM;
        mm->capacity = MAX(s.vma_count, 1u);
        for (uint64_t i = 0; i < s.vma_count; i++) {
                VmaSaved v;
                (void)take(c, &v, sizeof(v));
                if (v.start >= v.end || v.start < prev_end || v.end > USER_MAX ||
                    !IS_ALIGNED(v.start, PAGE_SIZE) || !IS_ALIGNED(v.end, PAGE_SIZE) ||
                    (v.prot & ~7) || (v.backing != VMA_ANON && v.backing != VMA_IMAGE))
                        return -EBADMSG;
                if (v.backing == VMA_IMAGE &&
                    !range_within(v.image_base, v.file_offset, image_size(p->sandbox->image)))
                        return -EBADMSG;
                mm->vmas[mm->count++] = (Vma){
                        .start = v.start,
                        .end = v.end,
                        .prot = v.prot,
                        .flags = v.flags,
                        .backing = v.backing,
                        .file_offset = v.file_offset,
                        .file_length = v.file_length,
                        .image_base = v.image_base,
                        .committed = v.committed != 0,
                };
                prev_end = v.end;
        }
        mm->mmap_next = s.mmap_next;
        mm->mmap_floor = s.mmap_floor;
        mm->brk_start = s.brk_start;
        mm->brk = s.brk;
        mm->brk_max = s.brk_max;
        mm->stack_top = s.stack_top;
        mm->stack_limit = s.stack_limit;
        mm->budget->committed = s.committed;
        mm->faults = s.faults;
        mm->mapped = s.mapped;
        mm->mapped_peak = MAX(s.mapped_peak, s.mapped);
        return 0;
}

static int load_process_section(Process *p, Cursor *c) {
        ProcessSaved s;

        if (c->left != sizeof(s) || take(c, &s, sizeof(s)) < 0)
                return -EBADMSG;
        if (s.request_fd < -1 || s.request_fd > 1023 ||
            s.exe_entry >= image_entry_count(p->sandbox->image) ||
            memchr(s.comm, 0, sizeof(s.comm)) == NULL || s.arg_start > s.arg_end ||
            s.env_start > s.env_end || s.env_end > USER_MAX)
                return -EBADMSG;
        memcpy(p->actions, s.actions, sizeof(p->actions));
        p->sigmask = s.sigmask;
        p->altstack_sp = s.altstack_sp;
        p->altstack_size = s.altstack_size;
        p->altstack_flags = s.altstack_flags;
        p->clear_child_tid = s.clear_child_tid;
        p->robust_list = s.robust_list;
        p->rlimit_stack = s.rlimit_stack;
        p->sandbox->channel = (RunnerChannel){
                .fd = s.request_fd,
                .awaiting = s.awaiting_request != 0,
                .control = s.request_control != 0,
        };
        p->exe_entry = s.exe_entry;
        memcpy(p->comm, s.comm, sizeof(p->comm));
        p->arg_start = s.arg_start;
        p->arg_end = s.arg_end;
        p->env_start = s.env_start;
        p->env_end = s.env_end;
        return 0;
}

static int load_fds_section(Process *p, Cursor *c) {
        int r = snapshot_load_files(p, c);
        if (r < 0)
                return r;
        if (p->sandbox->channel.awaiting) {
                if (p->sandbox->channel.fd < 3)
                        return -EBADMSG;
                r = runner_channel_open(p->sandbox, p->sandbox->channel.fd,
                                        p->sandbox->channel.control);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A thread stopped in its own code or at a syscall exit, as the vCPU section's check. */
static bool thread_registers_ok(const struct kvm_regs *regs) {
        return regs->rip < USER_MAX ||
               (regs->rip >= VA_SYSCALL_STUB && regs->rip < VA_SYSCALL_STUB + PAGE_SIZE);
}

static int load_threads_section(Process *p, Cursor *c) {
        ThreadsSaved s;

        if (take(c, &s, sizeof(s)) < 0 || s.count >= THREAD_MAX ||
            c->left != s.count * sizeof(ThreadImage) || s.pid <= 0 || s.pid >= THREAD_TID_MAX ||
            threads_set_next_tid(p, s.next_tid) < 0)
                return -EBADMSG;
        p->pid = s.pid;
        for (uint32_t i = 0; i < s.count; i++) {
                _cleanup_free_ ThreadImage *t = malloc(sizeof(*t));
                if (!t)
                        return -ENOMEM;
                (void)take(c, t, sizeof(*t));
                if (!thread_registers_ok(&t->regs) || t->fs_base >= USER_MAX ||
                    (t->in_syscall && t->regs.rip < USER_MAX) || thread_import(p, t) < 0)
                        return -EBADMSG;
        }
        return 0;
}

static int load_vfs_section(Process *p, Cursor *c) {
        char cwd[PATH_MAX];
        VfsSaved s;

        if (take(c, &s, sizeof(s)) < 0 || s.cwd_length == 0 || s.cwd_length >= sizeof(cwd) ||
            s.cwd_length != c->left || (s.umask & ~0777u))
                return -EBADMSG;
        (void)take(c, cwd, s.cwd_length);
        cwd[s.cwd_length] = 0;
        if (strlen(cwd) != s.cwd_length || cwd[0] != '/')
                return -EBADMSG;
        fs_context_umask(p->fs, s.umask);
        return vfs_chdir(p->sandbox->vfs, p->fs, p->fds, cwd) < 0 ? -EBADMSG : 0;
}

static int load_payload(Process *p, const SnapshotHeader *h, const uint8_t *payload) {
        Cursor all = {.p = payload, .left = h->payload_size};
        unsigned seen = 0;
        VmCpuState cpu;
        int r;

        while (all.left > 0) {
                SectionHeader sh;
                Cursor c;

                if (take(&all, &sh, sizeof(sh)) < 0 || sh.length > all.left || sh.tag < 1 ||
                    sh.tag >= _SECTION_MAX || (seen & (1u << sh.tag)))
                        return -EBADMSG;
                c = (Cursor){.p = all.p, .left = sh.length};
                all.p += sh.length;
                all.left -= sh.length;
                seen |= 1u << sh.tag;

                switch (sh.tag) {
                case SECTION_CPU:
                        if (sh.length != sizeof(cpu) || take(&c, &cpu, sizeof(cpu)) < 0)
                                return -EBADMSG;
                        /* The program runs at CPL3 in our segments, stopped in a syscall or
                         * in its own code, whatever the file says. */
                        if ((cpu.sregs.cs.selector & 3) != 3 || !thread_registers_ok(&cpu.regs))
                                return -EBADMSG;
                        r = vm_load_cpu(p->sandbox->vm, &cpu);
                        if (r < 0)
                                return log_error_errno(r, "Failed to load the vCPU state: %m");
                        break;
                case SECTION_VM:
                        r = load_vm_section(p, &c, h->memory_size);
                        break;
                case SECTION_MM:
                        r = load_mm_section(p, &c);
                        break;
                case SECTION_PROCESS:
                        r = load_process_section(p, &c);
                        break;
                case SECTION_FDS:
                        if (!(seen & (1u << SECTION_PROCESS)))
                                return -EBADMSG; /* the fds need the request channel's number */
                        r = load_fds_section(p, &c);
                        break;
                case SECTION_VFS:
                        r = load_vfs_section(p, &c);
                        break;
                case SECTION_THREADS:
                        r = load_threads_section(p, &c);
                        break;
                default:
                        return -EBADMSG;
                }
                if (r < 0)
                        return r;
        }
        if (seen != ((1u << _SECTION_MAX) - 2))
                return -EBADMSG;
        return 0;
}

struct SnapshotSource {
        SnapshotHeader header;
        uint8_t *payload;
        int memory_fd;
        const uint8_t *memory; /* the memory file mapped read-only: what a reset compares with */
        uint64_t *warmup;
        size_t warmup_count;
        char *dir;
};

SnapshotSource *snapshot_source_free(SnapshotSource *src) {
        if (!src)
                return NULL;
        free(src->payload);
        if (src->memory)
                munmap((void *)src->memory, src->header.memory_size);
        safe_close(src->memory_fd);
        free(src->warmup);
        free(src->dir);
        free(src);
        return NULL;
}

static int check_memory_file(int fd, uint64_t size, uint32_t expected) {
        _cleanup_free_ uint8_t *buf = malloc(1024 * 1024);
        uint32_t crc = 0;

        if (!buf)
                return -ENOMEM;
        for (uint64_t off = 0; off < size;) {
                ssize_t n = pread(fd, buf, MIN(size - off, (uint64_t)1024 * 1024), (off_t)off);
                if (n <= 0)
                        return n < 0 ? -errno : -EBADMSG;
                crc = crc32c(crc, buf, (size_t)n);
                off += (uint64_t)n;
        }
        return crc == expected ? 0 : -EBADMSG;
}

int snapshot_source_open(const char *dir, const Image *image, const char *language,
                         SnapshotSource **ret) {
        _cleanup_(snapshot_source_freep) SnapshotSource *src = NULL;
        char path[PATH_MAX];
        struct stat st;
        int r;

        src = calloc(1, sizeof(*src));
        if (!src)
                return -ENOMEM;
        src->memory_fd = -1;
        src->dir = strdup(dir);
        if (!src->dir)
                return -ENOMEM;

        r = read_state_file(dir, &src->header, &src->payload);
        if (r < 0)
                return r;
        if (memcmp(src->header.image_sha256, image_sha256(image), 32) != 0)
                return log_error_errno(ESTALE, "%s was made from another image (%s is current)",
                                       dir, image_sha256_hex(image));
        if (language && strcmp(src->header.language, language) != 0)
                return log_error_errno(EINVAL, "%s is a %s snapshot, not %s", dir,
                                       src->header.language, language);

        if (snprintf(path, sizeof(path), "%s/memory", dir) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        src->memory_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (src->memory_fd < 0)
                return log_error_errno(errno, "Failed to open %s: %m", path);
        if (fstat(src->memory_fd, &st) < 0)
                return -errno;
        if ((uint64_t)st.st_size != src->header.memory_size ||
            !IS_ALIGNED(src->header.memory_size, PAGE_SIZE) ||
            src->header.memory_size < GPA_FIRST_FREE)
                return log_error_errno(EBADMSG,
                                       "%s: %jd bytes, the state says %" PRIu64
                                       " (truncated or replaced)",
                                       path, (intmax_t)st.st_size, src->header.memory_size);

        r = check_memory_file(src->memory_fd, src->header.memory_size, src->header.memory_crc32c);
        if (r < 0)
                return log_error_errno(r,
                                       "%s: checksum mismatch, the snapshot's memory is "
                                       "corrupt",
                                       path);

        src->memory = mmap(NULL, src->header.memory_size, PROT_READ, MAP_SHARED, src->memory_fd, 0);
        if (src->memory == MAP_FAILED) {
                src->memory = NULL;
                return log_error_errno(errno, "Failed to map %s: %m", path);
        }

        r = warmup_load(dir, &src->warmup, &src->warmup_count);
        if (r < 0)
                log_debug_errno(r, "No usable warm-up list in %s, ignoring: %m", dir);
        *ret = TAKE_PTR(src);
        return 0;
}

/* A pid for a restored process, other than the snapshot's: what fork-safe PRNGs (OpenSSL's
 * DRBG checks getpid() on every draw) take as the sign to reseed from the host. In the range of
 * ordinary pids, above the tids threads get. */
static int restored_pid(int saved) {
        uint32_t v = 0;
        int pid;

        (void)getrandom(&v, sizeof(v), 0);
        pid = 1000 + (int)(v % 30000);
        return pid == saved ? pid + 1 : pid;
}

const char *snapshot_source_language(const SnapshotSource *src) {
        return src->header.language;
}

/* The snapshot's sandbox around vm, whose RAM and page tables are the snapshot's. */
static int restore_sandbox(const SandboxConfig *config, const SnapshotSource *src, Vm *vm,
                           Sandbox **ret) {
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        int r;

        r = sandbox_new_with_vm(config, vm, &s);
        if (r < 0)
                return r;
        r = load_payload(s->init, &src->header, src->payload);
        if (r == -EBADMSG)
                return log_error_errno(r, "%s: malformed snapshot state", src->dir);
        if (r < 0)
                return r;
        s->state = SANDBOX_READY;
        s->init->pid = restored_pid(s->init->pid);
        *ret = TAKE_PTR(s);
        return 0;
}

int snapshot_restore(const SandboxConfig *config, const SnapshotSource *src, Sandbox **ret) {
        Vm *vm = NULL;
        int r;

        r = vm_new_restored(config->memory_limit, image_bytes(config->image),
                            image_size(config->image), src->memory_fd, src->header.memory_size,
                            src->header.memory_size, &vm);
        if (r < 0)
                return r;
        r = restore_sandbox(config, src, vm, ret);
        if (r < 0)
                return r;
        if (src->warmup_count > 0) {
                r = vm_prefault((*ret)->vm, src->warmup, src->warmup_count);
                if (r < 0)
                        log_debug_errno(r, "Warm-up failed, ignoring: %m");
        }
        return 0;
}

int snapshot_reset(const SandboxConfig *config, const SnapshotSource *src, Sandbox **s,
                   VmResetStats *stats) {
        Vm *vm = sandbox_take_vm(*s);
        int r;

        *s = sandbox_free(*s);
        if (!vm)
                return -EINVAL;
        r = vm_reset(vm, src->memory, src->header.memory_size, stats);
        if (r < 0) {
                vm_free(vm);
                return r;
        }
        return restore_sandbox(config, src, vm, s);
}

int snapshot_load(const SandboxConfig *config, const char *dir, const char *language,
                  Sandbox **ret) {
        _cleanup_(snapshot_source_freep) SnapshotSource *src = NULL;
        int r;

        r = snapshot_source_open(dir, config->image, language, &src);
        if (r < 0)
                return r;
        return snapshot_restore(config, src, ret);
}

int snapshot_parse_payload_for_fuzzing(Process *p, const uint8_t *payload, size_t size,
                                       uint64_t memory_size) {
        const SnapshotHeader h = {.payload_size = size, .memory_size = memory_size};

        return load_payload(p, &h, payload);
}

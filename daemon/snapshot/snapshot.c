/* SPDX-License-Identifier: MIT */
#include "snapshot.h"

#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "fdtable-persist.h"
#include "fs-context-persist.h"
#include "log.h"
#include "macro.h"
#include "mm-persist.h"
#include "prefault.h"
#include "process-persist.h"
#include "sha256.h"
#include "snapshot-codec.h"
#include "snapshot-io.h"
#include "thread-persist.h"
#include "vm-persist.h"
#include "warmup.h"

/* ---- saving ----------------------------------------------------------------------------- */

/* Appends section `tag` to out, its payload from the component's save. */
#define SAVE_SECTION(out, tag, call)                                                               \
        ({                                                                                         \
                size_t _at = buffer_section_begin(out, tag);                                       \
                int _r = (call);                                                                   \
                buffer_section_end(out, _at);                                                      \
                _r;                                                                                \
        })

static int save_payload(Process *p, Buffer *out) {
        int r;

        r = SAVE_SECTION(out, SECTION_CPU, vcpu_persist_save(p->sandbox->vm, out));
        if (r >= 0)
                r = SAVE_SECTION(out, SECTION_VM, vm_persist_save(p->sandbox->vm, out));
        if (r >= 0)
                r = SAVE_SECTION(out, SECTION_MM, mm_persist_save(&p->mm, out));
        if (r >= 0)
                r = SAVE_SECTION(out, SECTION_PROCESS, process_persist_save(p, out));
        if (r >= 0)
                r = SAVE_SECTION(out, SECTION_FDS, fdtable_persist_save(p, out));
        if (r >= 0)
                r = SAVE_SECTION(out, SECTION_THREADS, threads_persist_save(p, out));
        if (r >= 0)
                r = SAVE_SECTION(out, SECTION_VFS, fs_context_persist_save(p, out));
        if (r < 0)
                return r;
        return out->error;
}

int snapshot_save(Sandbox *s, const char *dir, const char *language) {
        Process *p = s->init;
        const uint8_t *ram;
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
        header.memory_size = vm_persist_memory(s->vm, &ram);
        header.memory_limit = p->sandbox->memory.limit;
        strcpy(header.language, language);

        /* Memory first: a state file never names memory that isn't there yet. */
        r = snapshot_write_memory(dir, ram, header.memory_size, &header.memory_crc32c);
        if (r >= 0)
                r = snapshot_write_state(dir, &header, payload.data, payload.size);
        free(payload.data);
        if (r < 0)
                return log_error_errno(r, "Failed to write the snapshot in %s: %m", dir);
        return 0;
}

/* ---- restoring -------------------------------------------------------------------------- */

int snapshot_read_header(const char *dir, SnapshotHeader *ret) {
        return snapshot_read_state(dir, ret, NULL);
}

/* The fd table holds the request channel's fd free (fdtable_persist_restore); it is opened
 * there, empty and awaiting the request, as at the ready point. */
static int restore_channel(Process *p) {
        if (!p->sandbox->channel.awaiting)
                return 0;
        if (p->sandbox->channel.fd < 3)
                return -EBADMSG;
        return runner_channel_open(p->sandbox, p->sandbox->channel.fd, p->sandbox->channel.control);
}

static int load_payload(Process *p, const SnapshotHeader *h, const uint8_t *payload) {
        Cursor all = {.p = payload, .left = h->payload_size};
        unsigned seen = 0;
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
                        r = vcpu_persist_restore(p->sandbox->vm, &c);
                        break;
                case SECTION_VM:
                        r = vm_persist_restore(p->sandbox->vm, &c, h->memory_size);
                        break;
                case SECTION_MM:
                        r = mm_persist_restore(&p->mm, &c, p->sandbox->image);
                        break;
                case SECTION_PROCESS:
                        r = process_persist_restore(p, &c);
                        break;
                case SECTION_FDS:
                        if (!(seen & (1u << SECTION_PROCESS)))
                                return -EBADMSG; /* the fds need the request channel's number */
                        r = fdtable_persist_restore(p, &c);
                        if (r >= 0)
                                r = restore_channel(p);
                        break;
                case SECTION_VFS:
                        r = fs_context_persist_restore(p, &c);
                        break;
                case SECTION_THREADS:
                        r = threads_persist_restore(p, &c);
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

int snapshot_source_open(const char *dir, const Image *image, const char *language,
                         SnapshotSource **ret) {
        _cleanup_(snapshot_source_freep) SnapshotSource *src = NULL;
        int r;

        src = calloc(1, sizeof(*src));
        if (!src)
                return -ENOMEM;
        src->memory_fd = -1;
        src->dir = strdup(dir);
        if (!src->dir)
                return -ENOMEM;

        r = snapshot_read_state(dir, &src->header, &src->payload);
        if (r < 0)
                return r;
        if (memcmp(src->header.image_sha256, image_sha256(image), 32) != 0)
                return log_error_errno(ESTALE, "%s was made from another image (%s is current)",
                                       dir, image_sha256_hex(image));
        if (language && strcmp(src->header.language, language) != 0)
                return log_error_errno(EINVAL, "%s is a %s snapshot, not %s", dir,
                                       src->header.language, language);

        r = snapshot_map_memory(dir, &src->header, &src->memory_fd, &src->memory);
        if (r < 0)
                return r;

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

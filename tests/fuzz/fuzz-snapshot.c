/* SPDX-License-Identifier: MIT */
/* A snapshot directory as the worker reads it before restoring (snapshot.h): the state file
 * (header, size limits, SHA-256 of the payload), the memory file's size, the warm-up list; and
 * the payload's tagged sections behind the checksum, which a random input never reaches through
 * the file, so the target wraps the fuzzed payload in a valid header itself. Input:
 *
 *   u8 mode: bit 0 clear: the rest is DIR/state as is (snapshot_read_header and
 *              snapshot_source_open over it, a memory file of the size the header names);
 *            bit 0 set: the rest is [u64 memory_size][payload]: the target writes a state
 *              file with a valid header and checksum (this image's hash, language "python")
 *              and a matching sparse memory file; snapshot_source_open must accept it; then
 *              the payload's sections are parsed into a process whose VM is a stand-in
 *              without KVM (snapshot_parse_payload_for_fuzzing: the vCPU section fails at
 *              KVM_SET_SREGS, every other section is parsed and applied as on a restore);
 *            bit 1 set: also a DIR/warmup of the payload's last bytes, with a valid
 *              checksum when bit 2 is set.
 *
 * Files go to a private directory under $TMPDIR (or /tmp), removed at exit. Restoring a VM
 * needs /dev/kvm and is the integration tests' business (tests/integration/snapshot/). */
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc32c.h"
#include "fuzz.h"
#include "fuzz-image-tree.h"
#include "image.h"
#include "layout.h"
#include "process.h"
#include "sha256.h"
#include "snapshot.h"
#include "vm.h"
#include "warmup.h"

/* The state file's own cap is 16 MiB; this is about fuzzing speed. */
#define FUZZ_SNAPSHOT_MAX FUZZ_INPUT_MAX
/* A sparse memory file costs nothing to create, whatever its size; still keep it sane. */
#define FUZZ_SNAPSHOT_MEMORY_MAX   (1ull << 30)
#define FUZZ_SNAPSHOT_MEMORY_LIMIT (256ull << 20)

static Image *image;
static char dir[PATH_MAX];

static void remove_dir(void) {
        static const char *const names[] = {"state", "memory", "warmup"};
        char path[PATH_MAX + 16];

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                snprintf(path, sizeof path, "%s/%s", dir, names[i]);
                (void)unlink(path);
        }
        (void)rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        const char *tmp = getenv("TMPDIR") ?: "/tmp";
        uint64_t size;
        void *data;

        fuzz_setup_logging();
        data = fuzz_build_image(&size);
        FUZZ_ASSERT(data);
        FUZZ_ASSERT(image_parse(data, size, &image) == 0);

        FUZZ_ASSERT(snprintf(dir, sizeof dir, "%s/fuzz-snapshot.XXXXXX", tmp) < (int)sizeof dir);
        FUZZ_ASSERT(mkdtemp(dir));
        atexit(remove_dir);
        return 0;
}

static int write_file(const char *name, const void *a, size_t a_size, const void *b,
                      size_t b_size) {
        char path[PATH_MAX + 16];
        int fd;

        snprintf(path, sizeof path, "%s/%s", dir, name);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if ((a_size && write(fd, a, a_size) != (ssize_t)a_size) ||
            (b_size && write(fd, b, b_size) != (ssize_t)b_size)) {
                close(fd);
                return -EIO;
        }
        close(fd);
        return 0;
}

static int make_memory_file(uint64_t size) {
        char path[PATH_MAX + 16];
        int fd, r = 0;

        snprintf(path, sizeof path, "%s/memory", dir);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (ftruncate(fd, (off_t)MIN(size, FUZZ_SNAPSHOT_MEMORY_MAX)) < 0)
                r = -errno;
        close(fd);
        return r;
}

static void write_warmup(const uint8_t *payload, size_t size, bool valid) {
        WarmupHeader h = {.version = WARMUP_FORMAT_VERSION};
        size_t n = MIN(size / sizeof(uint64_t), (size_t)64);
        const uint8_t *entries = payload + size - n * sizeof(uint64_t);

        memcpy(h.magic, WARMUP_MAGIC, sizeof h.magic);
        h.count = (uint32_t)n;
        if (valid)
                sha256_buffer(entries, n * sizeof(uint64_t), h.sha256);
        (void)write_file("warmup", &h, sizeof h, entries, n * sizeof(uint64_t));
}

static ssize_t discard_output(void *userdata, int stream, const void *buf, size_t len) {
        return (ssize_t)len;
}

static void parse_payload(const uint8_t *payload, size_t size, uint64_t memory_size) {
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        const SandboxConfig config = {
                .memory_limit = FUZZ_SNAPSHOT_MEMORY_LIMIT,
                .image = image,
                .sink = discard_output,
        };
        Vm *vm;
        int r;

        /* What vm_new_restored() would have set up, minus KVM: no fds, no RAM mapping. */
        vm = calloc(1, sizeof(*vm));
        if (!vm)
                return;
        *vm = (Vm){
                .kvm_fd = -1,
                .vm_fd = -1,
                .vcpu_fd = -1,
                .ram_size = memory_size,
                .ram_next = memory_size,
                .data_page_limit = FUZZ_SNAPSHOT_MEMORY_LIMIT / PAGE_SIZE,
                .image = image_bytes(image),
                .image_size = image_size(image),
        };
        r = sandbox_new_with_vm(&config, vm, &s); /* takes vm, also on failure */
        if (r < 0)
                return;
        r = snapshot_parse_payload_for_fuzzing(s->init, payload, size, memory_size);
        /* -errno, whatever the bytes; no KVM behind the stand-in: a vCPU section ends the
         * parse with -EBADF. */
        FUZZ_ASSERT(r <= 0);
}

static void raw_state(const uint8_t *data, size_t size) {
        _cleanup_(snapshot_source_freep) SnapshotSource *src = NULL;
        SnapshotHeader h;
        int r;

        if (write_file("state", data, size, NULL, 0) < 0)
                return;
        if (size >= offsetof(SnapshotHeader, memory_size) + sizeof(uint64_t)) {
                uint64_t memory_size;

                memcpy(&memory_size, data + offsetof(SnapshotHeader, memory_size),
                       sizeof memory_size);
                (void)make_memory_file(memory_size);
        }

        r = snapshot_read_header(dir, &h);
        FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -EPROTO);
        if (r == 0) {
                FUZZ_ASSERT(memchr(h.language, 0, sizeof h.language));
                FUZZ_ASSERT(h.payload_size == size - sizeof(SnapshotHeader));
        }
        r = snapshot_source_open(dir, image, "python", &src);
        FUZZ_ASSERT(r <= 0);
        FUZZ_ASSERT((r == 0) == !!src);
}

/* The CRC-32C of `size` zero bytes: what make_memory_file() writes. */
static uint32_t zeros_crc32c(uint64_t size) {
        static const uint8_t zeros[65536];
        uint32_t crc = 0;

        for (uint64_t done = 0; done < size; done += sizeof zeros)
                crc = crc32c(crc, zeros, MIN(size - done, (uint64_t)sizeof zeros));
        return crc;
}

static void wrapped_state(uint8_t mode, const uint8_t *data, size_t size) {
        _cleanup_(snapshot_source_freep) SnapshotSource *src = NULL;
        SnapshotHeader h = {
                .version = SNAPSHOT_FORMAT_VERSION,
                .header_size = sizeof(SnapshotHeader),
                .memory_limit = FUZZ_SNAPSHOT_MEMORY_LIMIT,
                .language = "python",
        };
        uint64_t memory_size = 0;
        int r;

        memcpy(&memory_size, data, MIN(size, sizeof memory_size));
        data += MIN(size, sizeof memory_size);
        size -= MIN(size, sizeof memory_size);
        /* snapshot_source_open's own rules, so that the header is one it accepts. */
        memory_size =
                ALIGN_UP(MAX(memory_size % FUZZ_SNAPSHOT_MEMORY_MAX, GPA_FIRST_FREE), PAGE_SIZE);

        memcpy(h.magic, SNAPSHOT_MAGIC, sizeof h.magic);
        memcpy(h.image_sha256, image_sha256(image), sizeof h.image_sha256);
        sha256_buffer(data, size, h.payload_sha256);
        h.payload_size = size;
        h.memory_size = memory_size;
        h.memory_crc32c = zeros_crc32c(memory_size);

        if (write_file("state", &h, sizeof h, data, size) < 0 || make_memory_file(memory_size) < 0)
                return;
        if (mode & 2)
                write_warmup(data, size, mode & 4);

        r = snapshot_source_open(dir, image, "python", &src);
        if (r != -ENOMEM) {
                if (r != 0)
                        fprintf(stderr, "snapshot_source_open refused a valid header: %d\n", r);
                FUZZ_ASSERT(r == 0);
        }
        parse_payload(data, size, memory_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[PATH_MAX + 16];

        if (size < 1 || size > FUZZ_SNAPSHOT_MAX)
                return 0;
        snprintf(path, sizeof path, "%s/warmup", dir);
        (void)unlink(path);
        snprintf(path, sizeof path, "%s/memory", dir);
        (void)unlink(path);

        if (data[0] & 1)
                wrapped_state(data[0], data + 1, size - 1);
        else
                raw_state(data + 1, size - 1);
        return 0;
}

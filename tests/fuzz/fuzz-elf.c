/* SPDX-License-Identifier: MIT */
/* elf_parse() over hostile bytes: the guest's program, or whatever --exec-host-file names, is
 * parsed by the VMM before anything maps it. A parse that succeeds must describe something
 * elf_map() can act on safely: program headers within the file, PT_LOAD segments inside the user
 * half, a page-aligned span of at most 4 GiB, an interpreter that is an absolute C string. */
#include <elf.h>
#include <string.h>

#include "elf-loader.h"
#include "fuzz.h"
#include "layout.h"

#define FUZZ_ELF_MAX FUZZ_INPUT_MAX

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        fuzz_setup_logging();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ElfInfo info;
        int r;

        if (size > FUZZ_ELF_MAX)
                return 0;

        r = elf_parse(data, size, &info);
        FUZZ_ASSERT(r == 0 || r == -ENOEXEC || r == -EINVAL);
        if (r < 0)
                return 0;

        FUZZ_ASSERT(info.type == ET_EXEC || info.type == ET_DYN);
        FUZZ_ASSERT(info.phnum >= 1 && info.phnum <= ELF_MAX_PHDRS);
        FUZZ_ASSERT(info.phoff <= size && info.phnum * sizeof(Elf64_Phdr) <= size - info.phoff);
        FUZZ_ASSERT(info.lo < info.hi);
        FUZZ_ASSERT(IS_ALIGNED(info.lo, PAGE_SIZE) && IS_ALIGNED(info.hi, PAGE_SIZE));
        FUZZ_ASSERT(info.hi <= USER_MAX);
        FUZZ_ASSERT(info.hi - info.lo <= (1ull << 32));
        FUZZ_ASSERT(info.type != ET_EXEC || info.lo >= USER_MIN);
        FUZZ_ASSERT(memchr(info.interp, 0, sizeof(info.interp)));
        FUZZ_ASSERT(info.interp[0] == '\0' || info.interp[0] == '/');

        for (unsigned i = 0; i < info.phnum; i++) {
                const Elf64_Phdr *ph = &info.phdrs[i];

                if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
                        continue;
                FUZZ_ASSERT(ph->p_filesz <= ph->p_memsz);
                FUZZ_ASSERT(ph->p_offset <= size && ph->p_filesz <= size - ph->p_offset);
                FUZZ_ASSERT(ph->p_vaddr >= info.lo && ph->p_vaddr + ph->p_memsz <= info.hi);
        }
        return 0;
}

/* SPDX-License-Identifier: MIT */
/* The ELF parser against hostile headers: every field out of range is refused with -ENOEXEC,
 * nothing crashes, and the real executables of the image parse. Runs under ASan in CI's
 * sanitizer build. */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "elf-loader.h"
#include "image.h"
#include "layout.h"
#include "macro.h"
#include "test-helpers.h"

/* A small valid static executable: header, two program headers, some bytes. */
typedef struct Sample {
        Elf64_Ehdr eh;
        Elf64_Phdr ph[3];
        uint8_t body[4096 * 3];
} Sample;

static void sample_init(Sample *s) {
        memset(s, 0, sizeof(*s));
        memcpy(s->eh.e_ident, ELFMAG, SELFMAG);
        s->eh.e_ident[EI_CLASS] = ELFCLASS64;
        s->eh.e_ident[EI_DATA] = ELFDATA2LSB;
        s->eh.e_ident[EI_VERSION] = EV_CURRENT;
        s->eh.e_type = ET_EXEC;
        s->eh.e_machine = EM_X86_64;
        s->eh.e_version = EV_CURRENT;
        s->eh.e_entry = 0x401000;
        s->eh.e_phoff = offsetof(Sample, ph);
        s->eh.e_ehsize = sizeof(Elf64_Ehdr);
        s->eh.e_phentsize = sizeof(Elf64_Phdr);
        s->eh.e_phnum = 3;
        s->ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
                                .p_vaddr = 0x400000, .p_filesz = 4096, .p_memsz = 4096};
        s->ph[1] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 8192,
                                .p_vaddr = 0x402000, .p_filesz = 100, .p_memsz = 100000};
        s->ph[2] = (Elf64_Phdr){.p_type = PT_INTERP, .p_offset = 4096, .p_filesz = 28};
        strcpy((char *)s + 4096, "/lib64/ld-linux-x86-64.so.2");
}

static int parse(const Sample *s) {
        ElfInfo info;
        return elf_parse((const uint8_t *)s, sizeof(*s), &info);
}

int main(int argc, char *argv[]) {
        Sample s;
        ElfInfo info;

        sample_init(&s);
        CHECK_EQ(elf_parse((const uint8_t *)&s, sizeof(s), &info), 0);
        CHECK(strcmp(info.interp, "/lib64/ld-linux-x86-64.so.2") == 0);
        CHECK_EQ(info.lo, 0x400000);
        CHECK_EQ(info.hi, 0x402000 + ALIGN_UP(100000, 4096));

        /* Each hostile field on its own. */
#define BAD(stmt)                                    \
        do {                                         \
                sample_init(&s);                     \
                stmt;                                \
                CHECK_EQ(parse(&s), -ENOEXEC);       \
        } while (0)
        BAD(s.eh.e_ident[0] = 0);
        BAD(s.eh.e_ident[EI_CLASS] = ELFCLASS32);
        BAD(s.eh.e_ident[EI_DATA] = ELFDATA2MSB);
        BAD(s.eh.e_machine = EM_386);
        BAD(s.eh.e_type = ET_REL);
        BAD(s.eh.e_type = ET_CORE);
        BAD(s.eh.e_phentsize = 55);
        BAD(s.eh.e_phnum = 0);
        BAD(s.eh.e_phnum = 0xffff);
        BAD(s.eh.e_phoff = sizeof(s));
        BAD(s.eh.e_phoff = UINT64_MAX - 8);
        BAD(s.ph[0].p_offset = sizeof(s));
        BAD(s.ph[0].p_filesz = sizeof(s) + 1);
        BAD(s.ph[0].p_offset = UINT64_MAX - 100);
        BAD(s.ph[1].p_filesz = 200000); /* filesz > memsz */
        BAD(s.ph[1].p_vaddr = UINT64_MAX - 4095);
        BAD(s.ph[1].p_vaddr = 0x7fffffffe000); /* past USER_MAX */
        BAD(s.ph[1].p_memsz = UINT64_MAX);
        BAD(s.ph[1].p_vaddr = 0x402001); /* vaddr and offset disagree mod page */
        BAD(s.ph[0].p_vaddr = 0); /* ET_EXEC at page 0 */
        BAD(s.ph[2].p_filesz = 0);
        BAD(s.ph[2].p_filesz = 4096);
        BAD(s.ph[2].p_offset = sizeof(s) - 4);
        BAD(((char *)&s)[4096 + 27] = 'x'); /* interpreter not NUL-terminated */
        BAD(((char *)&s)[4096 + 5] = 0);    /* NUL inside the interpreter path */
        BAD(((char *)&s)[4096] = 'l');      /* relative interpreter path */
        BAD(s.ph[0].p_type = PT_NOTE; s.ph[1].p_type = PT_NOTE);

        /* Truncations and random garbage never crash and never pass as valid by accident
         * with out-of-range segments. */
        sample_init(&s);
        for (size_t n = 0; n < sizeof(s.eh) + sizeof(s.ph); n++)
                CHECK(elf_parse((const uint8_t *)&s, n, &info) < 0);
        CHECK_EQ(elf_parse(NULL, 0, &info), -ENOEXEC);
        for (int i = 0; i < 20000; i++) {
                uint32_t pos, val;
                sample_init(&s);
                if (getrandom(&pos, sizeof(pos), 0) != sizeof(pos) ||
                    getrandom(&val, sizeof(val), 0) != sizeof(val))
                        return 1;
                ((uint8_t *)&s)[pos % (sizeof(s.eh) + sizeof(s.ph))] ^= (uint8_t)(val | 1);
                if (elf_parse((const uint8_t *)&s, sizeof(s), &info) == 0)
                        for (unsigned k = 0; k < info.phnum; k++)
                                if (info.phdrs[k].p_type == PT_LOAD && info.phdrs[k].p_memsz)
                                        CHECK(info.phdrs[k].p_vaddr + info.phdrs[k].p_memsz <=
                                              USER_MAX);
        }

        /* The image's real programs parse, when the image is given. */
        if (argc > 1) {
                Image *image = NULL;
                static const char *const paths[][3] = {
                        {"usr", "bin", "python3.11"},
                        {"lib", "x86_64-linux-gnu", "ld-linux-x86-64.so.2"},
                };
                CHECK_EQ(image_open(argv[1], &image), 0);
                for (size_t i = 0; image && i < 2; i++) {
                        uint32_t idx = 0;
                        for (int c = 0; c < 3; c++)
                                CHECK_EQ(image_lookup(image, idx, paths[i][c], strlen(paths[i][c]),
                                                      &idx),
                                         0);
                        const ImageEntry *e = image_entry(image, idx);
                        CHECK_EQ(elf_parse(image_entry_data(image, idx), e->size, &info), 0);
                        CHECK_EQ(info.type, i == 0 ? ET_EXEC : ET_DYN);
                        if (i == 0)
                                CHECK(strcmp(info.interp, "/lib64/ld-linux-x86-64.so.2") == 0);
                }
                image_free(image);
        }
        return checks_report("test-elf");
}

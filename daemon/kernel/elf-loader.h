/* SPDX-License-Identifier: MIT */
/* ELF64 x86-64 executables: parsing (the bytes are hostile, every field is checked) and mapping
 * the PT_LOAD segments into an address space the way Linux's binfmt_elf does. */
#pragma once

#include <elf.h>
#include <stdint.h>

#include "mm.h"

#define ELF_MAX_PHDRS 64
#define ELF_INTERP_MAX 256

typedef struct ElfInfo {
        uint16_t type; /* ET_EXEC or ET_DYN */
        uint64_t entry;
        uint64_t phoff;
        uint16_t phnum;
        Elf64_Phdr phdrs[ELF_MAX_PHDRS];
        uint64_t lo, hi;      /* page-aligned span of the PT_LOAD segments */
        uint64_t phdr_vaddr;  /* where the program headers are in memory (before bias), or 0 */
        char interp[ELF_INTERP_MAX]; /* PT_INTERP path, "" when static */
        uint64_t stack_prot_exec; /* PT_GNU_STACK asks for an executable stack */
} ElfInfo;

/* Returns 0, -ENOEXEC (not an ELF x86-64 executable, or malformed) or -EINVAL. */
int elf_parse(const uint8_t *data, uint64_t size, ElfInfo *ret);

/* Maps the segments. `file` gives the backing with file_offset 0 and the file's size. ET_EXEC
 * goes at its addresses; ET_DYN at an address mmap picks (bias returned). */
int elf_map(Mm *mm, const ElfInfo *elf, const MmSource *file, uint64_t *ret_bias);

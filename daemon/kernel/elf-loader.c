/* SPDX-License-Identifier: MIT */
#include "elf-loader.h"

#include <sys/mman.h>

#include "layout.h"
#include "macro.h"

int elf_parse(const uint8_t *data, uint64_t size, ElfInfo *ret) {
        Elf64_Ehdr eh;
        bool have_load = false;

        *ret = (ElfInfo){.lo = UINT64_MAX};
        if (!data || size < sizeof(eh))
                return -ENOEXEC;
        memcpy(&eh, data, sizeof(eh));
        if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
            eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64 ||
            eh.e_version != EV_CURRENT)
                return -ENOEXEC;
        if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
                return -ENOEXEC;
        if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
            eh.e_phnum > ELF_MAX_PHDRS ||
            !range_within(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), size))
                return -ENOEXEC;

        ret->type = eh.e_type;
        ret->entry = eh.e_entry;
        ret->phoff = eh.e_phoff;
        ret->phnum = eh.e_phnum;
        memcpy(ret->phdrs, data + eh.e_phoff, eh.e_phnum * sizeof(Elf64_Phdr));

        for (unsigned i = 0; i < ret->phnum; i++) {
                const Elf64_Phdr *ph = &ret->phdrs[i];
                uint64_t end;

                switch (ph->p_type) {
                case PT_LOAD:
                        if (ph->p_memsz == 0)
                                break;
                        if (ph->p_filesz > ph->p_memsz ||
                            !range_within(ph->p_offset, ph->p_filesz, size) ||
                            __builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end) ||
                            end > USER_MAX ||
                            (ph->p_vaddr & (PAGE_SIZE - 1)) != (ph->p_offset & (PAGE_SIZE - 1)))
                                return -ENOEXEC;
                        ret->lo = MIN(ret->lo, ALIGN_DOWN(ph->p_vaddr, PAGE_SIZE));
                        ret->hi = MAX(ret->hi, ALIGN_UP(end, PAGE_SIZE));
                        have_load = true;
                        break;
                case PT_INTERP:
                        if (ph->p_filesz < 2 || ph->p_filesz > ELF_INTERP_MAX ||
                            !range_within(ph->p_offset, ph->p_filesz, size) ||
                            data[ph->p_offset + ph->p_filesz - 1] != '\0')
                                return -ENOEXEC;
                        memcpy(ret->interp, data + ph->p_offset, ph->p_filesz);
                        if (strlen(ret->interp) + 1 != ph->p_filesz || ret->interp[0] != '/')
                                return -ENOEXEC;
                        break;
                case PT_PHDR:
                        ret->phdr_vaddr = ph->p_vaddr;
                        break;
                case PT_GNU_STACK:
                        ret->stack_prot_exec = (ph->p_flags & PF_X) != 0;
                        break;
                default:
                        break;
                }
        }
        if (!have_load)
                return -ENOEXEC;
        if (ret->type == ET_EXEC && ret->lo < USER_MIN)
                return -ENOEXEC;
        if (ret->hi - ret->lo > (1ULL << 32))
                return -ENOEXEC;
        /* Without PT_PHDR the headers are wherever the segment holding file offset e_phoff is. */
        if (!ret->phdr_vaddr)
                for (unsigned i = 0; i < ret->phnum; i++) {
                        const Elf64_Phdr *ph = &ret->phdrs[i];
                        if (ph->p_type == PT_LOAD && ph->p_offset <= ret->phoff &&
                            ret->phoff - ph->p_offset < ph->p_filesz) {
                                ret->phdr_vaddr = ph->p_vaddr + (ret->phoff - ph->p_offset);
                                break;
                        }
                }
        return 0;
}

static int elf_prot(uint32_t flags) {
        return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
               ((flags & PF_X) ? PROT_EXEC : 0);
}

int elf_map(Mm *mm, const ElfInfo *elf, const MmSource *file, uint64_t *ret_bias) {
        uint64_t bias = 0;
        int64_t r;

        if (elf->type == ET_DYN) {
                /* Reserve the whole span first so the segments land together, as Linux does;
                 * the gaps between them stay PROT_NONE. */
                r = mm_map(mm, 0, elf->hi - elf->lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
                           false, NULL);
                if (r < 0)
                        return (int)r;
                bias = (uint64_t)r - elf->lo;
        }

        for (unsigned i = 0; i < elf->phnum; i++) {
                const Elf64_Phdr *ph = &elf->phdrs[i];
                uint64_t start, file_end, mem_end;
                int prot;

                if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
                        continue;
                prot = elf_prot(ph->p_flags);
                start = ALIGN_DOWN(bias + ph->p_vaddr, PAGE_SIZE);
                file_end = ALIGN_UP(bias + ph->p_vaddr + ph->p_filesz, PAGE_SIZE);
                mem_end = ALIGN_UP(bias + ph->p_vaddr + ph->p_memsz, PAGE_SIZE);

                if (ph->p_filesz > 0) {
                        MmSource s = *file;
                        s.file_offset = ALIGN_DOWN(ph->p_offset, PAGE_SIZE);
                        /* Bytes past p_filesz in the last file page read as zero (bss start). */
                        s.file_size = ph->p_offset + ph->p_filesz;
                        r = mm_map(mm, start, file_end - start, prot, MAP_PRIVATE, true, &s);
                        if (r < 0)
                                return (int)r;
                } else
                        file_end = start;
                if (mem_end > file_end) {
                        r = mm_map(mm, file_end, mem_end - file_end, prot,
                                   MAP_PRIVATE | MAP_ANONYMOUS, true, NULL);
                        if (r < 0)
                                return (int)r;
                }
        }
        *ret_bias = bias;
        return 0;
}

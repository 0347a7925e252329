/* SPDX-License-Identifier: MIT */
/* What a snapshot keeps of an address space (SECTION_MM, snapshot-format.h): its layout (brk,
 * stack, where mmap goes next), what it commits of the sandbox's memory budget, and its VMAs.
 * The pages themselves are RAM, in the memory file, and the page tables with them. */
#pragma once

#include "image.h"
#include "mm.h"
#include "snapshot-codec.h"

/* -EOPNOTSUPP (logged) for a mapping the format can't hold (a tmpfs or host file's copy). */
int mm_persist_save(const Mm *mm, Buffer *out);
/* Rebuilds mm, an empty address space, from the section (the whole of c); image-backed VMAs must
 * lie within image. -EBADMSG if malformed, -E2BIG (logged) when it commits more than mm's
 * budget allows. */
int mm_persist_restore(Mm *mm, Cursor *c, const Image *image);

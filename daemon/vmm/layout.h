/* SPDX-License-Identifier: MIT */
/* Where things live in a sandbox VM: guest-physical and guest-virtual addresses shared by the
 * VMM, the kernel and the trap stubs (guest/stubs.S includes this file too, so only plain
 * #defines here). */
#pragma once

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12

/* Guest-physical map. RAM is one slot at 0; the image is a read-only slot; the two trap
 * addresses have no slot at all, so a store there leaves the VM as KVM_EXIT_MMIO. They all
 * stay below 2^36 so any MAXPHYADDR a host reports (>= 36) covers them. */
#define GPA_RAM 0x0UL
#define GPA_IMAGE 0x800000000UL         /* 32 GiB */
#define GPA_IMAGE_MAX_SIZE 0x400000000UL /* 16 GiB */
#define GPA_TRAP 0xF00000000UL          /* 60 GiB: syscall trap page */
#define GPA_TRAP_EXCEPTION (GPA_TRAP + PAGE_SIZE)

/* The first RAM pages, fixed at boot; everything above is handed out by the page allocator. */
#define GPA_GDT (1 * PAGE_SIZE) /* GDT at +0, TSS at +TSS_OFFSET */
#define TSS_OFFSET 0x800
#define GPA_IDT (2 * PAGE_SIZE)
#define GPA_EXCEPTION_STUBS (3 * PAGE_SIZE)
#define GPA_SYSCALL_STUB (4 * PAGE_SIZE)
#define GPA_KERNEL_STACK (5 * PAGE_SIZE) /* 4 pages */
#define KERNEL_STACK_PAGES 4
#define GPA_PML4 (9 * PAGE_SIZE)
#define GPA_FIRST_FREE (10 * PAGE_SIZE)

/* Guest-virtual map. Supervisor-only pages sit in the top 2 GiB like a Linux kernel's text;
 * the user-visible stub page sits just above the user stack, where no program maps anything. */
#define KERNEL_VA 0xffffffff80000000UL
#define VA_GDT (KERNEL_VA + GPA_GDT)
#define VA_TSS (VA_GDT + TSS_OFFSET)
#define VA_IDT (KERNEL_VA + GPA_IDT)
#define VA_EXCEPTION_STUBS (KERNEL_VA + GPA_EXCEPTION_STUBS)
#define VA_KERNEL_STACK (KERNEL_VA + GPA_KERNEL_STACK)
#define VA_KERNEL_STACK_TOP (VA_KERNEL_STACK + KERNEL_STACK_PAGES * PAGE_SIZE)
#define VA_TRAP_EXCEPTION (KERNEL_VA + 0x100000UL)

#define VA_SYSCALL_STUB 0x7fffff000000UL /* user, read + execute: LSTAR */
#define VA_TRAP_SYSCALL 0x7fffff001000UL /* user, write: the store that exits */
/* The stubs' `movabs %al, VA_TRAP_SYSCALL` is 9 bytes: RIP is past it when the store exits. */
#define TRAP_STORE_INSN_LEN 9

/* The vDSO image and, one page below it, the vvar page the host fills (guest/vdso). */
#define VA_VDSO 0x7ffffe800000UL
#define VA_VVAR (VA_VDSO - PAGE_SIZE)
#define VDSO_MAX_PAGES 4

/* The warm-up's page list (read-only to the program; see guest_prefault in guest/stubs.S). */
#define VA_PREFAULT_LIST 0x7fffff100000UL
#define PREFAULT_LIST_MAX_PAGES 64 /* 32768 entries */
#define PREFAULT_DONE 0x5bd0

/* A reset's list of page-table writes, and its window onto the tables to write (daemon/vmm/
 * reset.c): mapped only while the VMM's routine runs, in the same page table as the stubs and
 * the list above (its entries 320..383 and 384..511; entry 511 maps that table itself). */
#define VA_RESET_LIST 0x7fffff140000UL
#define RESET_LIST_MAX_PAGES 64
#define VA_RESET_WINDOW 0x7fffff180000UL
#define RESET_WINDOW_PAGES 128
#define RESET_TABLES_DONE 0x5bd1

/* User address space handed to programs: [USER_MIN, USER_MAX). */
#define USER_MIN 0x10000UL
#define USER_MAX 0x7ffffe000000UL

/* GDT selectors. The user pair follows STAR's layout so sysretq (hardware KVM) lands on them. */
#define SEL_KERNEL_CS 0x08
#define SEL_KERNEL_DS 0x10
#define SEL_USER_CS32 0x18
#define SEL_USER_DS 0x23
#define SEL_USER_CS 0x2b
#define SEL_TSS 0x30

/* SPDX-License-Identifier: MIT */
/* The only code of ours that runs inside the VM: two pages of trap stubs. The VMM copies each
 * block into its page at boot (daemon/vmm/boot.c); everything here is position-independent
 * apart from the absolute trap addresses.
 *
 * Every way out of the program is a store to a guest-physical address with no memory slot, which
 * KVM reports as KVM_EXIT_MMIO: no hlt, in/out or vmcall, which this machine's kvm_pvm treats
 * differently from hardware KVM (DESIGN.md §5). */
#include "../daemon/vmm/layout.h"

        .section .rodata.guest_stubs, "a"
        .code64

/* LSTAR points here. Under kvm_pvm `syscall` arrives still at CPL3 and the VMM resumes the
 * program at RCX itself; on hardware KVM it arrives at CPL0 and the VMM lets sysretq run. */
        .globl guest_syscall_stub_start, guest_syscall_stub_end
        .balign 16
guest_syscall_stub_start:
        movabs %al, VA_TRAP_SYSCALL
        sysretq

/* Warm-up, run by the VMM on a freshly restored VM before it is handed a request: touches each
 * page of a list so KVM builds its shadow entries (and the host its copy-on-write copies) now,
 * off the request path. RDI: the list, RSI: its length; each entry is a page address, bit 0 set
 * for a write. A write ORs zero into the first byte: memory is left as it was. Ends with a trap
 * through the syscall entry above, RAX = PREFAULT_DONE. */
        .globl guest_prefault_offset
guest_prefault:
1:      testq %rsi, %rsi
        jz 3f
        movq (%rdi), %rdx
        testb $1, %dl
        jz 2f
        andq $-4096, %rdx
        orb $0, (%rdx)
        jmp 4f
2:      movb (%rdx), %al
4:      addq $8, %rdi
        decq %rsi
        jmp 1b
3:      movl $PREFAULT_DONE, %eax
        jmp guest_syscall_stub_start

/* Page-table restore, run by the VMM when it resets a used VM to its snapshot (daemon/vmm/
 * reset.c): the guest itself must write every entry that changed, or KVM's shadow page tables
 * would keep the old translations (DESIGN.md §5). The VMM maps each table to rewrite into the
 * user-writable window at VA_RESET_WINDOW for the duration. RDI: the list of (entry address in
 * the window, value) pairs; RSI: how many; RDX: the window's own entries, zeroed last (the
 * window then maps nothing, its own table included, which is the final store); RCX: how many
 * of those. guest_flush_tlb below then makes KVM drop what it still caches. Ends like the
 * warm-up, RAX = RESET_TABLES_DONE. */
        .globl guest_reset_tables_offset
guest_reset_tables:
1:      testq %rsi, %rsi
        jz 2f
        movq (%rdi), %rax
        movq 8(%rdi), %r8
        movq %r8, (%rax)
        addq $16, %rdi
        decq %rsi
        jmp 1b
2:      testq %rcx, %rcx
        jz 3f
        movq $0, (%rdx)
        addq $8, %rdx
        decq %rcx
        jmp 2b
3:      movl $RESET_TABLES_DONE, %eax
        jmp guest_syscall_stub_start
guest_syscall_stub_end:

        .section .rodata.guest_stubs_offsets, "a"
        .balign 8
guest_prefault_offset:
        .quad guest_prefault - guest_syscall_stub_start
guest_reset_tables_offset:
        .quad guest_reset_tables - guest_syscall_stub_start
guest_flush_tlb_offset:
        .quad guest_flush_tlb - guest_exception_stubs_start
guest_flush_tlb_trapped_offset:
        .quad guest_flush_tlb_trapped - guest_exception_stubs_start
        .globl guest_flush_tlb_offset, guest_flush_tlb_trapped_offset
        .section .rodata.guest_stubs, "a"

/* IDT entry N points at start + 16*N (EXCEPTION_STUB_STRIDE). Each pushes a zero error code where the CPU pushes none,
 * then the vector, so the VMM always finds [vector, error, rip, cs, rflags, rsp, ss] at RSP.
 * The VMM serves the exception while the store is pending (mapping a page, or rewriting the
 * frame to deliver a signal) and iretq returns wherever the frame then says. */
        .globl guest_exception_stubs_start, guest_exception_stubs_end
        .balign 16
guest_exception_stubs_start:
        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .balign 16
        .if \v == 8 || \v == 10 || \v == 11 || \v == 12 || \v == 13 || \v == 14 || \v == 17 || \v == 21 || \v == 29 || \v == 30
        nop
        nop
        .else
        pushq $0
        .endif
        pushq $\v
        jmp exception_common
        .endr
        .balign 16
exception_common:
        movabs %al, VA_TRAP_EXCEPTION
        addq $16, %rsp
        iretq

/* Entered at CPL0 by the VMM after guest_reset_tables: reloading CR3 is the architectural
 * "forget every cached translation", which makes KVM resynchronise the shadow of each table
 * the window let the guest write without a trap. Ends through the syscall trap page, RAX =
 * RESET_TABLES_DONE. */
guest_flush_tlb:
        movq %cr3, %rax
        movq %rax, %cr3
        movl $RESET_TABLES_DONE, %eax
        movabs %al, VA_TRAP_SYSCALL
guest_flush_tlb_trapped:
        hlt
guest_exception_stubs_end:

        .section .note.GNU-stack, "", @progbits

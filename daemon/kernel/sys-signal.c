/* SPDX-License-Identifier: MIT */
/* Signals: dispositions, the mask, the alternate stack, and signals the program sends itself.
 * A handler runs on a Linux-layout rt_sigframe so glibc's restorer and rt_sigreturn work. The
 * only signals are the ones the program raises synchronously (kill/tgkill to itself) and the
 * faults, so the FPU state need not be saved: at a syscall boundary no vector register is live
 * across the call (SysV ABI). */
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <sys/syscall.h>

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "syscall-handlers.h"
#include "thread.h"
#include "uaccess.h"

#define SA_RESTORER_FLAG 0x04000000
#define SS_AUTODISARM_FLAG (1u << 31)
#define GUEST_MINSIGSTKSZ 2048u
#define SIGSET_SIZE 8
#define SIGBIT(sig) (1ULL << ((sig) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

static bool signal_ignored_by_default(int sig) {
        return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT ||
               sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* The kernel's struct ucontext for x86-64, as glibc's restorer hands it back. */
typedef struct GuestUcontext {
        uint64_t flags;
        uint64_t link;
        uint64_t ss_sp;
        uint32_t ss_flags, pad;
        uint64_t ss_size;
        /* struct sigcontext */
        uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
        uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
        uint16_t cs, gs, fs, ss;
        uint64_t err, trapno, oldmask, cr2, fpstate;
        uint64_t reserved[8];
        uint64_t sigmask;
} GuestUcontext;

typedef struct GuestSigframe {
        uint64_t restorer; /* the handler "returns" here */
        GuestUcontext uc;
        siginfo_t info;
} GuestSigframe;

/* How the program gets into its handler. */
typedef enum HandlerEntry {
        ENTRY_DIRECT,         /* between exits: set RIP, RSP, RFLAGS */
        ENTRY_EXCEPTION,      /* from a fault: through the exception stub's iretq frame */
        ENTRY_SYSCALL_RETURN, /* from inside a syscall: where `syscall` returns (RCX, R11), both
                               * under kvm_pvm and through sysretq on hardware KVM */
} HandlerEntry;

/* Where a handler interrupts the program: the registers are vm_regs() but for these three,
 * and what the handler learns about the cause. */
typedef struct InterruptedContext {
        uint64_t rip, rsp, rflags;
        int code;          /* si_code */
        uint64_t addr;     /* si_addr, for faults */
        uint64_t trapno, err, cr2;
        HandlerEntry entry;
} InterruptedContext;

/* Runs the handler of `sig` in place of the interrupted code (a pending signal between exits,
 * or a fault): every register and the FPU state go into the frame and come back at
 * rt_sigreturn. Unlike signal_deliver (a signal the program sends itself from a syscall), the
 * program may be anywhere in its code. */
static int signal_run_handler(Process *p, int sig, const InterruptedContext *ctx) {
        GuestSigaction *act = &p->actions[sig];
        const uint64_t handler = act->handler; /* SA_RESETHAND resets it below */
        struct kvm_regs *regs = vm_regs(p->sandbox->vm);
        GuestSigframe frame = {};
        struct kvm_xsave *fpu;
        uint64_t sp, flags;
        int r;

        if (!(act->flags & SA_RESTORER_FLAG) || p->n_signal_fpu >= ELEMENTSOF(p->signal_fpu))
                return -EFAULT;
        sp = ctx->rsp - 128;
        if ((act->flags & SA_ONSTACK) && p->altstack_size &&
            !(ctx->rsp > p->altstack_sp && ctx->rsp <= p->altstack_sp + p->altstack_size))
                sp = p->altstack_sp + p->altstack_size;
        sp = ALIGN_DOWN(sp - sizeof(frame), 16) - 8;

        frame.restorer = act->restorer;
        frame.uc.ss_sp = p->altstack_sp;
        frame.uc.ss_size = p->altstack_size;
        frame.uc.r8 = regs->r8, frame.uc.r9 = regs->r9, frame.uc.r10 = regs->r10;
        frame.uc.r11 = regs->r11, frame.uc.r12 = regs->r12, frame.uc.r13 = regs->r13;
        frame.uc.r14 = regs->r14, frame.uc.r15 = regs->r15, frame.uc.rdi = regs->rdi;
        frame.uc.rsi = regs->rsi, frame.uc.rbp = regs->rbp, frame.uc.rbx = regs->rbx;
        frame.uc.rdx = regs->rdx, frame.uc.rax = regs->rax, frame.uc.rcx = regs->rcx;
        frame.uc.rsp = ctx->rsp;
        frame.uc.rip = ctx->rip;
        frame.uc.eflags = ctx->rflags;
        frame.uc.cs = SEL_USER_CS;
        frame.uc.ss = SEL_USER_DS;
        frame.uc.trapno = ctx->trapno;
        frame.uc.err = ctx->err;
        frame.uc.cr2 = ctx->cr2;
        frame.uc.sigmask = p->sigmask;
        frame.info.si_signo = sig;
        frame.info.si_code = ctx->code;
        frame.info.si_addr = (void *)(uintptr_t)ctx->addr;
        if (ctx->entry == ENTRY_SYSCALL_RETURN) { /* sent by kill() or tgkill(): the sender */
                frame.info.si_pid = p->pid;
                frame.info.si_uid = VFS_UID;
        }

        fpu = malloc(sizeof(*fpu));
        if (!fpu)
                return -ENOMEM;
        r = vm_get_xsave(p->sandbox->vm, fpu);
        if (r >= 0)
                r = copy_to_user(&p->mm, sp, &frame, sizeof(frame));
        if (r < 0) {
                free(fpu);
                return r;
        }
        p->signal_fpu[p->n_signal_fpu] = fpu;
        p->signal_fpu_frame[p->n_signal_fpu] = sp;
        p->n_signal_fpu++;

        p->sigmask |= act->mask;
        if (!(act->flags & SA_NODEFER))
                p->sigmask |= SIGBIT(sig);
        p->sigmask &= ~UNBLOCKABLE;
        if (act->flags & SA_RESETHAND)
                act->handler = (uint64_t)(uintptr_t)SIG_DFL;

        flags = (ctx->rflags & ~(uint64_t)0x500) | 0x2; /* no TF, DF clear (ABI) */
        regs->rdi = sig;
        regs->rsi = sp + offsetof(GuestSigframe, info);
        regs->rdx = sp + offsetof(GuestSigframe, uc);
        regs->rax = 0;
        switch (ctx->entry) {
        case ENTRY_EXCEPTION:
                r = vm_exception_set_return(p->sandbox->vm, handler, sp, flags);
                if (r < 0)
                        return r;
                break;
        case ENTRY_SYSCALL_RETURN:
                regs->rcx = handler;
                regs->r11 = flags;
                regs->rsp = sp;
                break;
        case ENTRY_DIRECT:
                regs->rip = handler;
                regs->rsp = sp;
                regs->rflags = flags;
                break;
        }
        vm_regs_changed(p->sandbox->vm);
        return 0;
}

int process_deliver_fault(Process *p, int sig, int code, const VmExit *e) {
        GuestSigaction *act = &p->actions[sig];
        InterruptedContext ctx = {
                .rip = e->rip,
                .rsp = e->rsp,
                .rflags = e->rflags,
                .code = code,
                .addr = sig == SIGSEGV || sig == SIGBUS ? e->fault_address : e->rip,
                .trapno = e->vector,
                .err = e->error_code,
                .cr2 = e->fault_address,
                .entry = ENTRY_EXCEPTION,
        };

        /* A fault with no handler, or blocked, ends the program (Linux forces it too). */
        if (e->stray || act->handler == (uint64_t)(uintptr_t)SIG_DFL ||
            act->handler == (uint64_t)(uintptr_t)SIG_IGN || (p->sigmask & SIGBIT(sig)))
                return -EPERM;
        return signal_run_handler(p, sig, &ctx);
}

static void itimer_arm_host(Process *p) {
        struct itimerspec its = {
                .it_value = {.tv_sec = p->itimer_deadline / 1000000000ULL,
                             .tv_nsec = p->itimer_deadline % 1000000000ULL},
        };
        struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM};

        if (!p->itimer_host_created) {
                if (timer_create(CLOCK_MONOTONIC, &sev, &p->itimer_host) < 0)
                        return;
                p->itimer_host_created = true;
        }
        /* The host's SIGALRM interrupts KVM_RUN or a host sleep at the deadline. */
        (void)timer_settime(p->itimer_host, TIMER_ABSTIME, &its, NULL);
}

void process_deliver_signals(Process *p) {
        uint64_t deliverable;
        int sig;

        if (p->itimer_deadline && now_ns(CLOCK_MONOTONIC) >= p->itimer_deadline) {
                p->pending_signals |= SIGBIT(SIGALRM);
                if (p->itimer_interval) {
                        uint64_t now = now_ns(CLOCK_MONOTONIC);
                        while (p->itimer_deadline <= now)
                                p->itimer_deadline += p->itimer_interval;
                        itimer_arm_host(p);
                } else
                        p->itimer_deadline = 0;
        }
        deliverable = p->pending_signals & ~p->sigmask;
        if (!deliverable || p->sandbox->state != SANDBOX_RUNNING || vm_in_guest_kernel(p->sandbox->vm))
                return;
        sig = __builtin_ctzll(deliverable) + 1;
        p->pending_signals &= ~SIGBIT(sig);

        GuestSigaction *act = &p->actions[sig];
        if (act->handler == (uint64_t)(uintptr_t)SIG_IGN)
                return;
        if (act->handler == (uint64_t)(uintptr_t)SIG_DFL) {
                if (!signal_ignored_by_default(sig))
                        process_kill(p, sig);
                return;
        }
        struct kvm_regs *regs = vm_regs(p->sandbox->vm);
        InterruptedContext ctx = {
                .rip = regs->rip,
                .rsp = regs->rsp,
                .rflags = regs->rflags,
                .code = 0x80, /* SI_KERNEL: the kernel (its timer) sent it */
                .entry = ENTRY_DIRECT,
        };
        if (signal_run_handler(p, sig, &ctx) < 0)
                process_kill(p, sig);
}

static uint64_t timeval_ns(const struct timeval *tv) {
        return (uint64_t)MIN(tv->tv_sec, (time_t)1 << 33) * 1000000000ULL +
               (uint64_t)tv->tv_usec * 1000;
}

static struct timeval ns_timeval(uint64_t ns) {
        return (struct timeval){.tv_sec = ns / 1000000000ULL, .tv_usec = ns % 1000000000ULL / 1000};
}

static struct itimerval itimer_get(Process *p) {
        uint64_t now = now_ns(CLOCK_MONOTONIC);
        uint64_t left = p->itimer_deadline > now ? p->itimer_deadline - now
                        : p->itimer_deadline   ? 1000 /* due: report it as about to fire */
                                               : 0;
        return (struct itimerval){.it_interval = ns_timeval(p->itimer_interval),
                                  .it_value = ns_timeval(left)};
}

static void itimer_set(Process *p, uint64_t value_ns, uint64_t interval_ns) {
        p->itimer_interval = value_ns ? interval_ns : 0;
        p->itimer_deadline = value_ns ? now_ns(CLOCK_MONOTONIC) + value_ns : 0;
        if (p->itimer_deadline)
                itimer_arm_host(p);
}

int64_t sys_setitimer(Process *p, const SyscallArgs *a) {
        struct itimerval new, old = itimer_get(p);
        int r;

        if ((int)a->a[0] != ITIMER_REAL)
                return -EINVAL; /* CPU-time timers are not kept */
        if (a->a[1]) {
                r = copy_from_user(&p->mm, &new, a->a[1], sizeof(new));
                if (r < 0)
                        return r;
                if (new.it_value.tv_sec < 0 || new.it_value.tv_usec < 0 ||
                    new.it_value.tv_usec >= 1000000 || new.it_interval.tv_sec < 0 ||
                    new.it_interval.tv_usec < 0 || new.it_interval.tv_usec >= 1000000)
                        return -EINVAL;
                itimer_set(p, timeval_ns(&new.it_value), timeval_ns(&new.it_interval));
        }
        if (a->a[2])
                return copy_to_user(&p->mm, a->a[2], &old, sizeof(old));
        return 0;
}

int64_t sys_getitimer(Process *p, const SyscallArgs *a) {
        struct itimerval now = itimer_get(p);

        if ((int)a->a[0] != ITIMER_REAL)
                return -EINVAL;
        return copy_to_user(&p->mm, a->a[1], &now, sizeof(now));
}

int64_t sys_alarm(Process *p, const SyscallArgs *a) {
        struct itimerval old = itimer_get(p);
        uint64_t seconds = MIN(a->a[0], (uint64_t)UINT32_MAX);

        itimer_set(p, seconds * 1000000000ULL, 0);
        /* The seconds left of the previous alarm, rounded to nearest as Linux does. */
        return old.it_value.tv_sec + (old.it_value.tv_usec >= 500000) +
               (old.it_value.tv_sec == 0 && old.it_value.tv_usec > 0 && old.it_value.tv_usec < 500000);
}

/* A signal the program sent itself: ignore, end the program, or run the handler. `code` is
 * the si_code its handler sees: SI_USER from kill(), SI_TKILL from tgkill() and tkill(). Returns
 * the syscall's result for the sender. */
static int64_t signal_raise(Process *p, int sig, int code) {
        GuestSigaction *act;
        int r;

        if (sig == 0)
                return 0;
        if (sig < 1 || sig > GUEST_NSIG)
                return -EINVAL;
        act = &p->actions[sig];
        if (sig == SIGKILL || sig == SIGSTOP) {
                if (sig == SIGKILL)
                        process_kill(p, sig);
                return 0;
        }
        if (p->sigmask & SIGBIT(sig)) {
                /* Blocked: pending until the thread unblocks it (process_deliver_signals runs
                 * after every exit), and its disposition then decides. node re-raises a fatal
                 * signal from inside its handler this way, libuv blocks signals around its own
                 * bookkeeping. */
                p->pending_signals |= SIGBIT(sig);
                return 0;
        }
        if (act->handler == (uint64_t)(uintptr_t)SIG_IGN)
                return 0;
        if (act->handler == (uint64_t)(uintptr_t)SIG_DFL) {
                if (!signal_ignored_by_default(sig))
                        process_kill(p, sig);
                return 0;
        }
        struct kvm_regs *regs = vm_regs(p->sandbox->vm);
        InterruptedContext ctx = {
                .rip = regs->rcx, /* the instruction after `syscall` */
                .rsp = regs->rsp,
                .rflags = regs->r11, /* the flags `syscall` saved */
                .code = code,
                .entry = ENTRY_SYSCALL_RETURN,
        };
        regs->rax = 0; /* what kill() returns once the handler is done */
        r = signal_run_handler(p, sig, &ctx);
        if (r < 0)
                process_kill(p, sig);
        vm_syscall_return(p->sandbox->vm, 0);
        return SYSCALL_RESULT_SET;
}

int64_t sys_kill(Process *p, const SyscallArgs *a) {
        int pid = (int)a->a[0];
        if (pid != p->pid && pid != 0 && pid != -1)
                return -ESRCH;
        return signal_raise(p, (int)a->a[1], SI_USER);
}

/* A signal sent to one thread goes to the process: masks and delivery are per process here
 * (README, known gaps). */
int64_t sys_tgkill(Process *p, const SyscallArgs *a) {
        if ((int)a->a[0] <= 0 || (int)a->a[1] <= 0)
                return -EINVAL;
        if ((int)a->a[0] != p->pid || !thread_alive(p, (int)a->a[1]))
                return -ESRCH;
        return signal_raise(p, (int)a->a[2], SI_TKILL);
}

int64_t sys_tkill(Process *p, const SyscallArgs *a) {
        if ((int)a->a[0] <= 0)
                return -EINVAL;
        if (!thread_alive(p, (int)a->a[0]))
                return -ESRCH;
        return signal_raise(p, (int)a->a[1], SI_TKILL);
}

int64_t sys_rt_sigreturn(Process *p, const SyscallArgs *a) {
        struct kvm_regs *regs = vm_regs(p->sandbox->vm);
        GuestUcontext uc;
        int r;

        /* The handler's `ret` popped the restorer: RSP points at the ucontext. */
        r = copy_from_user(&p->mm, &uc, regs->rsp, sizeof(uc));
        if (r < 0) {
                process_kill(p, SIGSEGV);
                return SYSCALL_RESULT_SET;
        }
        p->sigmask = uc.sigmask & ~UNBLOCKABLE;
        /* A handler that interrupted the program's code gets its FPU state back; frames left
         * by a handler that never returned (longjmp) are dropped on the way. */
        while (p->n_signal_fpu > 0) {
                unsigned top = p->n_signal_fpu - 1;
                bool mine = p->signal_fpu_frame[top] == regs->rsp - 8;
                if (mine)
                        (void)vm_set_xsave(p->sandbox->vm, p->signal_fpu[top]);
                if (!mine && p->signal_fpu_frame[top] > regs->rsp)
                        break; /* an outer handler's frame: not this one's */
                free(p->signal_fpu[top]);
                p->n_signal_fpu--;
                if (mine)
                        break;
        }
        regs->r8 = uc.r8, regs->r9 = uc.r9, regs->r10 = uc.r10, regs->r12 = uc.r12;
        regs->r13 = uc.r13, regs->r14 = uc.r14, regs->r15 = uc.r15, regs->rdi = uc.rdi;
        regs->rsi = uc.rsi, regs->rbp = uc.rbp, regs->rbx = uc.rbx, regs->rdx = uc.rdx;
        regs->rax = uc.rax, regs->rsp = uc.rsp;
        /* Only the arithmetic and direction flags are the program's to restore. */
        regs->r11 = (uc.eflags & 0x0dd5) | 0x202;
        regs->rcx = uc.rip;
        vm_syscall_return(p->sandbox->vm, uc.rax);
        /* Where the VMM resumes the program itself (kvm_pvm), RCX and R11 can be given back
         * too; through sysretq (hardware KVM) they are lost as any `syscall` loses them. */
        if (vm_syscall_returns_directly(p->sandbox->vm)) {
                regs->rcx = uc.rcx;
                regs->r11 = uc.r11;
        }
        return SYSCALL_RESULT_SET;
}

int64_t sys_rt_sigaction(Process *p, const SyscallArgs *a) {
        int sig = (int)a->a[0];
        GuestSigaction act;
        int r;

        if (a->a[3] != SIGSET_SIZE)
                return -EINVAL;
        if (sig < 1 || sig > GUEST_NSIG)
                return -EINVAL;
        if (a->a[2]) {
                r = copy_to_user(&p->mm, a->a[2], &p->actions[sig], sizeof(act));
                if (r < 0)
                        return r;
        }
        if (a->a[1]) {
                if (sig == SIGKILL || sig == SIGSTOP)
                        return -EINVAL;
                r = copy_from_user(&p->mm, &act, a->a[1], sizeof(act));
                if (r < 0)
                        return r;
                act.mask &= ~UNBLOCKABLE;
                p->actions[sig] = act;
        }
        return 0;
}

int64_t sys_rt_sigprocmask(Process *p, const SyscallArgs *a) {
        uint64_t set, old = p->sigmask;
        int r;

        if (a->a[3] != SIGSET_SIZE)
                return -EINVAL;
        if (a->a[1]) {
                r = copy_from_user(&p->mm, &set, a->a[1], sizeof(set));
                if (r < 0)
                        return r;
                switch ((int)a->a[0]) {
                case SIG_BLOCK:
                        p->sigmask |= set;
                        break;
                case SIG_UNBLOCK:
                        p->sigmask &= ~set;
                        break;
                case SIG_SETMASK:
                        p->sigmask = set;
                        break;
                default:
                        return -EINVAL;
                }
                p->sigmask &= ~UNBLOCKABLE;
        }
        if (a->a[2])
                return copy_to_user(&p->mm, a->a[2], &old, sizeof(old));
        return 0;
}

int64_t sys_rt_sigpending(Process *p, const SyscallArgs *a) {
        uint64_t none = 0;
        if (a->a[1] != SIGSET_SIZE)
                return -EINVAL;
        return copy_to_user(&p->mm, a->a[0], &none, sizeof(none));
}

int64_t sys_sigaltstack(Process *p, const SyscallArgs *a) {
        stack_t ss, old = {
                .ss_sp = (void *)(uintptr_t)p->altstack_sp,
                .ss_size = p->altstack_size,
                .ss_flags = p->altstack_size ? 0 : SS_DISABLE,
        };
        int r;

        if (a->a[0]) {
                r = copy_from_user(&p->mm, &ss, a->a[0], sizeof(ss));
                if (r < 0)
                        return r;
                if (ss.ss_flags & SS_DISABLE) {
                        p->altstack_sp = p->altstack_size = 0;
                } else {
                        if ((unsigned)ss.ss_flags & ~SS_AUTODISARM_FLAG)
                                return -EINVAL;
                        if (ss.ss_size < GUEST_MINSIGSTKSZ)
                                return -ENOMEM;
                        p->altstack_sp = (uint64_t)(uintptr_t)ss.ss_sp;
                        p->altstack_size = ss.ss_size;
                }
        }
        if (a->a[1])
                return copy_to_user(&p->mm, a->a[1], &old, sizeof(old));
        return 0;
}

int64_t sys_pause(Process *p, const SyscallArgs *a) {
        /* No signal can arrive from outside: sleep until the deadline ends the program. */
        process_sleep(p, UINT64_MAX);
        return -EINTR;
}

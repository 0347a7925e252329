/* SPDX-License-Identifier: MIT */
#include "thread-persist.h"

#include "layout.h"
#include "log.h"
#include "macro.h"
#include "thread-internal.h"
#include "vm-persist.h"

/* The section: ThreadsSaved, then count x ThreadImage. */
typedef struct ThreadsSaved {
        uint32_t count;
        int32_t next_tid;
        int32_t pid;
        uint32_t reserved;
} ThreadsSaved;

typedef struct ThreadImage {
        int32_t tid;
        uint32_t in_syscall;
        uint64_t fs_base;
        uint64_t sigmask;
        uint64_t clear_child_tid;
        struct kvm_regs regs;
        struct kvm_xsave xsave;
} ThreadImage;

int threads_persist_save(const Process *p, Buffer *out) {
        const Threads *ts = p->sandbox->threads;
        ThreadsSaved s = {.next_tid = ts->next_tid, .pid = p->pid};

        if (thread_current(p->sandbox) != thread_main(p->sandbox))
                return log_error_errno(EOPNOTSUPP,
                                       "The ready point was reached by thread %d, "
                                       "not the main thread",
                                       thread_current(p->sandbox)->tid);
        for (unsigned i = 1; i < ts->n; i++)
                s.count += ts->list[i]->state != THREAD_DEAD;
        buffer_put(out, &s, sizeof(s));
        for (unsigned i = 1; i < ts->n; i++) {
                const Thread *t = ts->list[i];
                if (t->state == THREAD_DEAD)
                        continue;
                buffer_put(out,
                           &(ThreadImage){
                                   .tid = t->tid,
                                   .in_syscall = t->in_syscall,
                                   .fs_base = t->fs_base,
                                   .sigmask = t->sigmask,
                                   .clear_child_tid = t->clear_child_tid,
                                   .regs = t->regs,
                                   .xsave = *t->xsave,
                           },
                           sizeof(ThreadImage));
        }
        return out->error;
}

/* Adds a saved thread, runnable; -EINVAL for a tid that is taken or not below the next tid. */
static int thread_restore(Process *p, const ThreadImage *image) {
        Thread *t;
        int r;

        if (image->tid <= GUEST_PID || image->tid >= p->sandbox->threads->next_tid ||
            thread_alive(p, image->tid))
                return -EINVAL;
        r = thread_new(p, &t);
        if (r < 0)
                return r;
        t->tid = image->tid;
        t->regs = image->regs;
        t->fs_base = image->fs_base;
        t->sigmask = image->sigmask;
        t->clear_child_tid = image->clear_child_tid;
        *t->xsave = image->xsave;
        t->resume_syscall = image->in_syscall;
        return thread_add(p, t);
}

int threads_persist_restore(Process *p, Cursor *c) {
        ThreadsSaved s;

        if (take(c, &s, sizeof(s)) < 0 || s.count >= THREAD_MAX ||
            c->left != s.count * sizeof(ThreadImage) || s.pid <= 0 || s.pid >= THREAD_TID_MAX ||
            s.next_tid <= GUEST_PID || s.next_tid > THREAD_TID_MAX)
                return -EBADMSG;
        p->sandbox->threads->next_tid = s.next_tid;
        p->pid = s.pid;
        for (uint32_t i = 0; i < s.count; i++) {
                _cleanup_free_ ThreadImage *t = malloc(sizeof(*t));
                if (!t)
                        return -ENOMEM;
                (void)take(c, t, sizeof(*t));
                if (!vcpu_persist_registers_ok(&t->regs) || t->fs_base >= USER_MAX ||
                    (t->in_syscall && t->regs.rip < USER_MAX) || thread_restore(p, t) < 0)
                        return -EBADMSG;
        }
        return 0;
}

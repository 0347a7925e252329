/* SPDX-License-Identifier: MIT */
#include "process-persist.h"

#include "layout.h"

typedef struct ProcessSaved {
        GuestSigaction actions[GUEST_NSIG + 1];
        uint64_t sigmask, altstack_sp, altstack_size, altstack_flags;
        uint64_t clear_child_tid, robust_list, rlimit_stack;
        int32_t request_fd;
        uint32_t awaiting_request;
        uint32_t request_control;
        uint32_t exe_entry;
        char comm[GUEST_COMM_SIZE];
        uint64_t arg_start, arg_end, env_start, env_end;
} ProcessSaved;

int process_persist_save(const Process *p, Buffer *out) {
        ProcessSaved s = {
                .sigmask = p->sigmask,
                .altstack_sp = p->altstack_sp,
                .altstack_size = p->altstack_size,
                .altstack_flags = p->altstack_flags,
                .clear_child_tid = p->clear_child_tid,
                .robust_list = p->robust_list,
                .rlimit_stack = p->rlimit_stack,
                .request_fd = p->sandbox->channel.fd,
                .awaiting_request = p->sandbox->channel.awaiting,
                .request_control = p->sandbox->channel.control,
                .exe_entry = p->exe_entry,
                .arg_start = p->arg_start,
                .arg_end = p->arg_end,
                .env_start = p->env_start,
                .env_end = p->env_end,
        };

        memcpy(s.comm, p->comm, sizeof(s.comm));
        memcpy(s.actions, p->actions, sizeof(s.actions));
        buffer_put(out, &s, sizeof(s));
        return out->error;
}

int process_persist_restore(Process *p, Cursor *c) {
        ProcessSaved s;

        if (c->left != sizeof(s) || take(c, &s, sizeof(s)) < 0)
                return -EBADMSG;
        if (s.request_fd < -1 || s.request_fd > 1023 ||
            s.exe_entry >= image_entry_count(p->sandbox->image) ||
            memchr(s.comm, 0, sizeof(s.comm)) == NULL || s.arg_start > s.arg_end ||
            s.env_start > s.env_end || s.env_end > USER_MAX)
                return -EBADMSG;
        memcpy(p->actions, s.actions, sizeof(p->actions));
        p->sigmask = s.sigmask;
        p->altstack_sp = s.altstack_sp;
        p->altstack_size = s.altstack_size;
        p->altstack_flags = s.altstack_flags;
        p->clear_child_tid = s.clear_child_tid;
        p->robust_list = s.robust_list;
        p->rlimit_stack = s.rlimit_stack;
        p->sandbox->channel = (RunnerChannel){
                .fd = s.request_fd,
                .awaiting = s.awaiting_request != 0,
                .control = s.request_control != 0,
        };
        p->exe_entry = s.exe_entry;
        memcpy(p->comm, s.comm, sizeof(p->comm));
        p->arg_start = s.arg_start;
        p->arg_end = s.arg_end;
        p->env_start = s.env_start;
        p->env_end = s.env_end;
        return 0;
}

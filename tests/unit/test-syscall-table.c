/* SPDX-License-Identifier: MIT */
/* The syscall table: every entry is whole (name, handler, a note exactly when partial), names
 * come from the numbers, calls not served still have their Linux names for logs, and no handler
 * serves a call whose behaviour differs from its own by accident (listxattr is not getxattr). */
#include <string.h>
#include <sys/syscall.h>

#include "syscall-handlers.h"
#include "syscall-table.h"
#include "test-helpers.h"

int main(void) {
        unsigned served = 0;

        for (uint64_t nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
                const SyscallInfo *info = syscall_info(nr);
                if (!info)
                        continue;
                served++;
                CHECK(info->name && info->name[0]);
                CHECK(info->handler != NULL);
                CHECK(info->support == SYSCALL_FULL || info->support == SYSCALL_PARTIAL);
                /* A partial call says what differs; a full one has nothing to say. */
                CHECK((info->support == SYSCALL_PARTIAL) == (info->note != NULL));
                CHECK(strcmp(syscall_name(nr), info->name) == 0);
        }
        CHECK(served > 150);

        CHECK(strcmp(syscall_name(SYS_read), "read") == 0);
        CHECK(strcmp(syscall_name(SYS_exit_group), "exit_group") == 0);
        CHECK(syscall_info(SYS_read)->handler == sys_read);
        /* Not served, still named. */
        CHECK(syscall_info(SYS_io_uring_setup) == NULL);
        CHECK(strcmp(syscall_name(SYS_io_uring_setup), "io_uring_setup") == 0);
        CHECK(syscall_info(SYSCALL_TABLE_SIZE) == NULL);
        CHECK(syscall_info(UINT64_MAX) == NULL);
        CHECK(syscall_name(100000) == NULL);

        CHECK(syscall_info(SYS_listxattr)->handler == sys_listxattr);
        CHECK(syscall_info(SYS_getxattr)->handler == sys_getxattr);
        return checks_report("test-syscall-table");
}

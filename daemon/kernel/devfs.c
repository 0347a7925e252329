/* SPDX-License-Identifier: MIT */
#include "devfs.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "macro.h"

static const struct {
        const char *name;
        unsigned minor; /* major 1 ("mem") for all, as on Linux */
} devices[_DEV_MAX] = {
        [DEV_ROOT] = {"", 0},     [DEV_NULL] = {"null", 3},     [DEV_ZERO] = {"zero", 5},
        [DEV_FULL] = {"full", 7}, [DEV_RANDOM] = {"random", 8}, [DEV_URANDOM] = {"urandom", 9},
};

int devfs_lookup(const char *name, size_t name_length, uint32_t *ret) {
        for (uint32_t i = 1; i < _DEV_MAX; i++)
                if (strlen(devices[i].name) == name_length &&
                    memcmp(devices[i].name, name, name_length) == 0) {
                        *ret = i;
                        return 0;
                }
        return -ENOENT;
}

const char *devfs_name(uint32_t node) {
        return node < _DEV_MAX ? devices[node].name : "";
}

mode_t devfs_mode(uint32_t node) {
        if (node == DEV_ROOT)
                return S_IFDIR | 0755;
        return S_IFCHR | 0666;
}

dev_t devfs_rdev(uint32_t node) {
        if (node == DEV_ROOT || node >= _DEV_MAX)
                return 0;
        return makedev(1, devices[node].minor);
}

ssize_t devfs_read(uint32_t node, void *buf, size_t length) {
        switch (node) {
        case DEV_NULL:
                return 0;
        case DEV_ZERO:
        case DEV_FULL:
                memset(buf, 0, length);
                return (ssize_t)length;
        case DEV_RANDOM:
        case DEV_URANDOM: {
                /* Entropy comes from the host at read time, so VMs restored from one snapshot
                 * never share random bytes. */
                size_t done = 0;
                while (done < length) {
                        ssize_t n = getrandom((uint8_t *)buf + done, length - done, 0);
                        if (n < 0) {
                                if (errno == EINTR)
                                        continue;
                                return done > 0 ? (ssize_t)done : negative_errno();
                        }
                        done += (size_t)n;
                }
                return (ssize_t)done;
        }
        default:
                return -EISDIR;
        }
}

ssize_t devfs_write(uint32_t node, const void *buf, size_t length) {
        switch (node) {
        case DEV_NULL:
        case DEV_ZERO:
        case DEV_RANDOM:
        case DEV_URANDOM:
                return (ssize_t)length;
        case DEV_FULL:
                return -ENOSPC;
        default:
                return -EISDIR;
        }
}

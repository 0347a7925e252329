/* SPDX-License-Identifier: MIT */
#include "tmpfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

struct Tmpfs {
        TmpfsLimits limits;
        uint64_t bytes_used;
        uint64_t inodes_used;
        uint64_t next_ino;
        TmpfsNode *all; /* every node, linked or orphaned */
};

/* Keeps offset arithmetic (offset + length + a page) far from overflow whatever the worker sets. */
#define TMPFS_FILE_SIZE_CEILING (1ull << 62)

static TmpfsLimits clamp_limits(const TmpfsLimits *limits) {
        TmpfsLimits l = *limits;
        l.max_file_size = MIN(l.max_file_size, TMPFS_FILE_SIZE_CEILING);
        return l;
}

int tmpfs_new(const TmpfsLimits *limits, uint64_t first_ino, Tmpfs **ret) {
        Tmpfs *fs = calloc(1, sizeof(*fs));
        if (!fs)
                return -ENOMEM;
        fs->limits = clamp_limits(limits);
        fs->next_ino = first_ino;
        *ret = fs;
        return 0;
}

void tmpfs_set_limits(Tmpfs *fs, const TmpfsLimits *limits) {
        fs->limits = clamp_limits(limits);
}

uint64_t tmpfs_bytes_used(const Tmpfs *fs) {
        return fs->bytes_used;
}

uint64_t tmpfs_inodes_used(const Tmpfs *fs) {
        return fs->inodes_used;
}

const TmpfsLimits *tmpfs_limits(const Tmpfs *fs) {
        return &fs->limits;
}

static int charge(Tmpfs *fs, uint64_t bytes) {
        uint64_t total;
        if (__builtin_add_overflow(fs->bytes_used, bytes, &total) || total > fs->limits.max_bytes)
                return -ENOSPC;
        fs->bytes_used = total;
        return 0;
}

static void uncharge(Tmpfs *fs, uint64_t bytes) {
        fs->bytes_used = bytes > fs->bytes_used ? 0 : fs->bytes_used - bytes;
}

static void now(struct timespec *ts) {
        if (clock_gettime(CLOCK_REALTIME, ts) < 0)
                *ts = (struct timespec){};
}

void tmpfs_touch(TmpfsNode *n, bool modified) {
        struct timespec ts;
        now(&ts);
        if (modified)
                n->mtime = ts;
        n->ctime = ts;
}

static void free_pages(TmpfsNode *n, size_t from) {
        for (size_t i = from; i < n->n_pages; i++)
                if (n->pages[i]) {
                        free(n->pages[i]);
                        n->pages[i] = NULL;
                        n->n_data_pages--;
                        uncharge(n->fs, TMPFS_PAGE_SIZE);
                }
}

static void node_destroy(TmpfsNode *n) {
        Tmpfs *fs = n->fs;

        free_pages(n, 0);
        uncharge(fs, n->n_pages * sizeof(uint8_t *));
        free(n->pages);
        for (size_t i = 0; i < n->n_entries; i++) {
                uncharge(fs, n->entries[i].name_length);
                free(n->entries[i].name);
        }
        uncharge(fs, n->n_entries_allocated * sizeof(TmpfsDirent));
        free(n->entries);
        uncharge(fs, n->target_length);
        free(n->target);

        if (n->all_prev)
                n->all_prev->all_next = n->all_next;
        else
                fs->all = n->all_next;
        if (n->all_next)
                n->all_next->all_prev = n->all_prev;
        fs->inodes_used--;
        uncharge(fs, TMPFS_INODE_COST);
        free(n);
}

Tmpfs *tmpfs_free(Tmpfs *fs) {
        if (!fs)
                return NULL;
        /* Entries point at nodes that are freed in the same sweep: drop names without touching
         * their nodes. */
        while (fs->all) {
                TmpfsNode *n = fs->all;
                for (size_t i = 0; i < n->n_entries; i++)
                        free(n->entries[i].name);
                n->n_entries = 0;
                node_destroy(n);
        }
        free(fs);
        return NULL;
}

static int node_new(Tmpfs *fs, mode_t mode, uid_t uid, gid_t gid, TmpfsNode **ret) {
        if (fs->inodes_used >= fs->limits.max_inodes)
                return -ENOSPC;
        if (charge(fs, TMPFS_INODE_COST) < 0)
                return -ENOSPC;
        TmpfsNode *n = calloc(1, sizeof(*n));
        if (!n) {
                uncharge(fs, TMPFS_INODE_COST);
                return -ENOMEM;
        }
        n->fs = fs;
        n->ino = fs->next_ino++;
        n->mode = mode;
        n->uid = uid;
        n->gid = gid;
        now(&n->mtime);
        n->atime = n->ctime = n->mtime;
        n->all_next = fs->all;
        if (fs->all)
                fs->all->all_prev = n;
        fs->all = n;
        fs->inodes_used++;
        *ret = n;
        return 0;
}

static void node_maybe_free(TmpfsNode *n) {
        if (n->nlink == 0 && n->n_ref == 0)
                node_destroy(n);
}

int tmpfs_new_root(Tmpfs *fs, mode_t perm, uid_t uid, gid_t gid, unsigned mount_id,
                   TmpfsNode **ret) {
        TmpfsNode *n;
        int r = node_new(fs, S_IFDIR | (perm & 07777), uid, gid, &n);
        if (r < 0)
                return r;
        n->nlink = 1; /* pinned: the mount holds it */
        n->mount_id = mount_id;
        *ret = n;
        return 0;
}

TmpfsNode *tmpfs_node_ref(TmpfsNode *n) {
        n->n_ref++;
        return n;
}

void tmpfs_node_unref(TmpfsNode *n) {
        if (!n)
                return;
        if (n->n_ref > 0)
                n->n_ref--;
        node_maybe_free(n);
}

static TmpfsDirent *find_entry(TmpfsNode *dir, const char *name, size_t name_length) {
        for (size_t i = 0; i < dir->n_entries; i++) {
                TmpfsDirent *e = &dir->entries[i];
                if (e->name_length == name_length && memcmp(e->name, name, name_length) == 0)
                        return e;
        }
        return NULL;
}

int tmpfs_lookup(TmpfsNode *dir, const char *name, size_t name_length, TmpfsNode **ret) {
        if (!S_ISDIR(dir->mode))
                return -ENOTDIR;
        TmpfsDirent *e = find_entry(dir, name, name_length);
        if (!e)
                return -ENOENT;
        *ret = e->node;
        return 0;
}

int tmpfs_find_name(TmpfsNode *n, TmpfsNode **ret_dir, const char **ret_name,
                    size_t *ret_length) {
        if (n->nlink == 0)
                return -ENOENT;
        /* Only directories know their parent: look for an entry naming n in every directory
         * still linked (a removed one is empty). */
        for (TmpfsNode *d = n->fs->all; d; d = d->all_next) {
                if (!S_ISDIR(d->mode) || d->nlink == 0)
                        continue;
                for (size_t i = 0; i < d->n_entries; i++)
                        if (d->entries[i].node == n) {
                                *ret_dir = d;
                                *ret_name = d->entries[i].name;
                                *ret_length = d->entries[i].name_length;
                                return 0;
                        }
        }
        return -ENOENT;
}

/* Adds an entry; the caller has checked the name is free. Charges the name's bytes. */
static int add_entry(TmpfsNode *dir, const char *name, size_t name_length, TmpfsNode *node) {
        Tmpfs *fs = dir->fs;

        if (dir->n_entries == dir->n_entries_allocated) {
                size_t n = MAX(dir->n_entries_allocated * 2, (size_t)8);
                size_t grow = (n - dir->n_entries_allocated) * sizeof(TmpfsDirent);
                if (charge(fs, grow) < 0)
                        return -ENOSPC;
                TmpfsDirent *e = reallocarray(dir->entries, n, sizeof(*e));
                if (!e) {
                        uncharge(fs, grow);
                        return -ENOMEM;
                }
                dir->entries = e;
                dir->n_entries_allocated = n;
        }
        if (charge(fs, name_length) < 0)
                return -ENOSPC;
        char *copy = malloc(name_length ? name_length : 1);
        if (!copy) {
                uncharge(fs, name_length);
                return -ENOMEM;
        }
        memcpy(copy, name, name_length);
        dir->entries[dir->n_entries++] = (TmpfsDirent){
                .name = copy,
                .name_length = name_length,
                .cookie = dir->next_cookie++,
                .node = node,
        };
        node->nlink++;
        if (S_ISDIR(node->mode)) {
                node->parent = dir;
                dir->n_subdirs++;
        }
        tmpfs_touch(dir, true);
        return 0;
}

/* Removes the entry and drops its link; frees the node if nothing else holds it. */
static void remove_entry(TmpfsNode *dir, TmpfsDirent *e) {
        TmpfsNode *node = e->node;
        size_t i = (size_t)(e - dir->entries);

        uncharge(dir->fs, e->name_length);
        free(e->name);
        memmove(&dir->entries[i], &dir->entries[i + 1],
                (dir->n_entries - i - 1) * sizeof(TmpfsDirent));
        dir->n_entries--;
        if (dir->n_entries == 0) {
                /* An emptied directory gives its table back to the budget. */
                uncharge(dir->fs, dir->n_entries_allocated * sizeof(TmpfsDirent));
                free(dir->entries);
                dir->entries = NULL;
                dir->n_entries_allocated = 0;
        }
        if (S_ISDIR(node->mode)) {
                node->parent = NULL;
                dir->n_subdirs--;
        }
        node->nlink--;
        tmpfs_touch(node, false);
        tmpfs_touch(dir, true);
        node_maybe_free(node);
}

static int check_dir(TmpfsNode *dir) {
        if (!S_ISDIR(dir->mode))
                return -ENOTDIR;
        if (dir->nlink == 0)
                return -ENOENT; /* removed while someone's cwd or open */
        return 0;
}

int tmpfs_create(TmpfsNode *dir, const char *name, size_t name_length, mode_t mode, uid_t uid,
                 gid_t gid, TmpfsNode **ret) {
        TmpfsNode *n;
        int r;

        r = check_dir(dir);
        if (r < 0)
                return r;
        if (!S_ISREG(mode) && !S_ISDIR(mode))
                return -EPERM;
        if (find_entry(dir, name, name_length))
                return -EEXIST;
        r = node_new(dir->fs, mode, uid, gid, &n);
        if (r < 0)
                return r;
        r = add_entry(dir, name, name_length, n);
        if (r < 0) {
                node_destroy(n);
                return r;
        }
        *ret = n;
        return 0;
}

int tmpfs_symlink(TmpfsNode *dir, const char *name, size_t name_length, const char *target,
                  size_t target_length, uid_t uid, gid_t gid) {
        TmpfsNode *n;
        int r;

        r = check_dir(dir);
        if (r < 0)
                return r;
        if (find_entry(dir, name, name_length))
                return -EEXIST;
        r = node_new(dir->fs, S_IFLNK | 0777, uid, gid, &n);
        if (r < 0)
                return r;
        r = charge(dir->fs, target_length);
        if (r < 0)
                goto fail;
        n->target_length = target_length; /* node_destroy uncharges it from here on */
        n->target = malloc(target_length ? target_length : 1);
        if (!n->target) {
                r = -ENOMEM;
                goto fail;
        }
        memcpy(n->target, target, target_length);
        n->size = target_length;
        r = add_entry(dir, name, name_length, n);
        if (r < 0)
                goto fail;
        return 0;
fail:
        node_destroy(n);
        return r;
}

int tmpfs_link(TmpfsNode *dir, const char *name, size_t name_length, TmpfsNode *node) {
        int r = check_dir(dir);
        if (r < 0)
                return r;
        if (S_ISDIR(node->mode))
                return -EPERM;
        if (node->nlink == 0)
                return -ENOENT; /* Linux refuses to resurrect an unlinked file by linkat */
        if (find_entry(dir, name, name_length))
                return -EEXIST;
        r = add_entry(dir, name, name_length, node);
        if (r < 0)
                return r;
        tmpfs_touch(node, false);
        return 0;
}

int tmpfs_unlink(TmpfsNode *dir, const char *name, size_t name_length, bool rmdir) {
        if (!S_ISDIR(dir->mode))
                return -ENOTDIR;
        TmpfsDirent *e = find_entry(dir, name, name_length);
        if (!e)
                return -ENOENT;
        if (rmdir) {
                if (!S_ISDIR(e->node->mode))
                        return -ENOTDIR;
                if (e->node->n_entries > 0)
                        return -ENOTEMPTY;
        } else if (S_ISDIR(e->node->mode))
                return -EISDIR;
        remove_entry(dir, e);
        return 0;
}

static bool is_ancestor(TmpfsNode *ancestor, TmpfsNode *n) {
        for (; n; n = n->parent)
                if (n == ancestor)
                        return true;
        return false;
}

int tmpfs_rename(TmpfsNode *old_dir, const char *old_name, size_t old_length, TmpfsNode *new_dir,
                 const char *new_name, size_t new_length, bool noreplace) {
        TmpfsDirent *oe, *ne;
        TmpfsNode *node;
        int r;

        if (!S_ISDIR(old_dir->mode))
                return -ENOTDIR;
        r = check_dir(new_dir);
        if (r < 0)
                return r;
        oe = find_entry(old_dir, old_name, old_length);
        if (!oe)
                return -ENOENT;
        node = oe->node;
        ne = find_entry(new_dir, new_name, new_length);
        if (ne && noreplace)
                return -EEXIST;
        if (ne && ne->node == node)
                return 0; /* two links to one inode: rename(2) does nothing */
        if (S_ISDIR(node->mode) && is_ancestor(node, new_dir))
                return -EINVAL;
        if (ne) {
                if (S_ISDIR(node->mode) && !S_ISDIR(ne->node->mode))
                        return -ENOTDIR;
                if (!S_ISDIR(node->mode) && S_ISDIR(ne->node->mode))
                        return -EISDIR;
                if (S_ISDIR(ne->node->mode) && ne->node->n_entries > 0)
                        return -ENOTEMPTY;
        }

        /* Link under the new name first so a failure leaves the old name in place; hold the node
         * so that dropping the old entry cannot free it. */
        node->n_ref++;
        if (ne) {
                /* Reuse the victim's slot: no allocation, so this cannot fail half-way. */
                TmpfsNode *victim = ne->node;
                if (S_ISDIR(victim->mode)) {
                        victim->parent = NULL;
                        new_dir->n_subdirs--;
                }
                victim->nlink--;
                ne->node = node;
                node->nlink++;
                if (S_ISDIR(node->mode)) {
                        node->parent = new_dir;
                        new_dir->n_subdirs++;
                }
                tmpfs_touch(victim, false);
                tmpfs_touch(new_dir, true);
                node_maybe_free(victim);
        } else {
                r = add_entry(new_dir, new_name, new_length, node);
                if (r < 0) {
                        node->n_ref--;
                        return r;
                }
        }
        /* add_entry may have moved old_dir's entries if old_dir == new_dir. */
        oe = NULL;
        for (size_t i = 0; i < old_dir->n_entries; i++) {
                TmpfsDirent *e = &old_dir->entries[i];
                if (e->node == node && e->name_length == old_length &&
                    memcmp(e->name, old_name, old_length) == 0) {
                        oe = e;
                        break;
                }
        }
        if (oe) {
                bool moved_dir = S_ISDIR(node->mode);
                remove_entry(old_dir, oe);
                if (moved_dir) {
                        /* remove_entry cleared the parent the new entry had set. */
                        node->parent = new_dir;
                }
        }
        node->n_ref--;
        tmpfs_touch(node, false);
        return 0;
}

ssize_t tmpfs_read(TmpfsNode *n, void *buf, size_t length, uint64_t offset) {
        if (!S_ISREG(n->mode))
                return -EINVAL;
        if (offset >= n->size)
                return 0;
        length = (size_t)MIN((uint64_t)length, n->size - offset);
        for (size_t done = 0; done < length;) {
                uint64_t off = offset + done;
                size_t page = (size_t)(off / TMPFS_PAGE_SIZE);
                size_t in_page = (size_t)(off % TMPFS_PAGE_SIZE);
                size_t chunk = MIN(length - done, (size_t)TMPFS_PAGE_SIZE - in_page);
                if (page < n->n_pages && n->pages[page])
                        memcpy((uint8_t *)buf + done, n->pages[page] + in_page, chunk);
                else
                        memset((uint8_t *)buf + done, 0, chunk);
                done += chunk;
        }
        return (ssize_t)length;
}

/* Grows the page table to hold `count` slots, charging 8 bytes per slot. */
static int grow_page_table(TmpfsNode *n, size_t count) {
        if (count <= n->n_pages)
                return 0;
        size_t want = MAX(count, n->n_pages * 2);
        if (charge(n->fs, (want - n->n_pages) * sizeof(uint8_t *)) < 0) {
                want = count;
                if (charge(n->fs, (want - n->n_pages) * sizeof(uint8_t *)) < 0)
                        return -ENOSPC;
        }
        uint8_t **p = reallocarray(n->pages, want, sizeof(uint8_t *));
        if (!p) {
                uncharge(n->fs, (want - n->n_pages) * sizeof(uint8_t *));
                return -ENOMEM;
        }
        memset(p + n->n_pages, 0, (want - n->n_pages) * sizeof(uint8_t *));
        n->pages = p;
        n->n_pages = want;
        return 0;
}

ssize_t tmpfs_write(TmpfsNode *n, const void *buf, size_t length, uint64_t offset) {
        uint64_t end, max = n->fs->limits.max_file_size;
        size_t done = 0;
        int r = 0;

        if (!S_ISREG(n->mode))
                return -EINVAL;
        if (length == 0)
                return 0;
        if (offset >= max)
                return -EFBIG;
        if (__builtin_add_overflow(offset, (uint64_t)length, &end) || end > max)
                length = (size_t)(max - offset);

        r = grow_page_table(n, (size_t)((offset + length + TMPFS_PAGE_SIZE - 1) / TMPFS_PAGE_SIZE));
        if (r < 0) {
                /* Too little room even for the page table: try to write what fits in the pages
                 * already tracked. */
                if (offset / TMPFS_PAGE_SIZE >= n->n_pages)
                        return r;
                length = (size_t)MIN((uint64_t)length,
                                     (uint64_t)n->n_pages * TMPFS_PAGE_SIZE - offset);
                r = 0;
        }

        while (done < length) {
                uint64_t off = offset + done;
                size_t page = (size_t)(off / TMPFS_PAGE_SIZE);
                size_t in_page = (size_t)(off % TMPFS_PAGE_SIZE);
                size_t chunk = MIN(length - done, (size_t)TMPFS_PAGE_SIZE - in_page);
                if (!n->pages[page]) {
                        r = charge(n->fs, TMPFS_PAGE_SIZE);
                        if (r < 0)
                                break;
                        n->pages[page] = calloc(1, TMPFS_PAGE_SIZE);
                        if (!n->pages[page]) {
                                uncharge(n->fs, TMPFS_PAGE_SIZE);
                                r = -ENOMEM;
                                break;
                        }
                        n->n_data_pages++;
                }
                memcpy(n->pages[page] + in_page, (const uint8_t *)buf + done, chunk);
                done += chunk;
        }
        if (done == 0)
                return r < 0 ? r : -ENOSPC;
        if (offset + done > n->size)
                n->size = offset + done;
        tmpfs_touch(n, true);
        return (ssize_t)done;
}

int tmpfs_truncate(TmpfsNode *n, uint64_t size) {
        if (!S_ISREG(n->mode))
                return -EINVAL;
        if (size > n->fs->limits.max_file_size)
                return -EFBIG;
        if (size < n->size) {
                size_t keep = (size_t)((size + TMPFS_PAGE_SIZE - 1) / TMPFS_PAGE_SIZE);
                free_pages(n, keep);
                /* Zero the tail of the last kept page so a later extension reads zeros. */
                if (size % TMPFS_PAGE_SIZE && keep - 1 < n->n_pages && n->pages[keep - 1])
                        memset(n->pages[keep - 1] + size % TMPFS_PAGE_SIZE, 0,
                               TMPFS_PAGE_SIZE - size % TMPFS_PAGE_SIZE);
        }
        n->size = size;
        tmpfs_touch(n, true);
        return 0;
}

int tmpfs_seek_data(TmpfsNode *n, uint64_t offset, bool hole, uint64_t *ret) {
        if (offset >= n->size)
                return -ENXIO;
        /* Only tracked pages can hold data: stop there, whatever the (sparse) size. */
        for (uint64_t page = offset / TMPFS_PAGE_SIZE; page < n->n_pages; page++) {
                if ((n->pages[page] != NULL) != hole) {
                        uint64_t at = MAX(offset, page * TMPFS_PAGE_SIZE);
                        if (at >= n->size)
                                break;
                        *ret = at;
                        return 0;
                }
        }
        if (!hole)
                return -ENXIO;
        *ret = MAX(offset, (uint64_t)n->n_pages * TMPFS_PAGE_SIZE);
        *ret = MIN(*ret, n->size); /* the implicit hole at EOF */
        return 0;
}

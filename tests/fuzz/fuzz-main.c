/* SPDX-License-Identifier: MIT */
/* The driver of the fuzz targets when libFuzzer is not there (the default gcc build, which CI
 * runs): feeds every seed given on the command line (files, or every regular file in a
 * directory) to LLVMFuzzerTestOneInput(), then a fixed number of pseudo-random mutants of each
 * (bit flips, interesting integers, insertions, deletions, truncations, splices with another
 * seed). The generator is seeded, so a run is reproducible: a failing mutant is printed by seed
 * and index, and --save DIR writes each mutant to DIR/current before running it.
 *
 *   fuzz-image [--mutations N] [--max-len N] [--seed N] [--save DIR] PATH...
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* libFuzzer's optional hook: called when the target defines it. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

typedef struct Seed {
        char *path;
        uint8_t *data;
        size_t size;
} Seed;

static Seed *seeds;
static size_t n_seeds;
static unsigned long arg_mutations = 2000;
static size_t arg_max_len = 65536;
static uint64_t arg_seed = 0x5eed5bd0u;
static const char *arg_save;

static uint64_t rng_state;

/* What runs now, for the fatal-signal handler: a crash names its seed and mutant. */
static char current[512];

static void on_fatal_signal(int sig) {
        static const char prefix[] = "fuzz-main: crashed on ";

        (void)!write(STDERR_FILENO, prefix, sizeof(prefix) - 1);
        (void)!write(STDERR_FILENO, current, strnlen(current, sizeof current));
        (void)!write(STDERR_FILENO, "\n", 1);
        raise(sig); /* SA_RESETHAND: the default action now, a core dump with the real signal */
}

static void set_current(const char *path, unsigned long mutant, bool is_mutant) {
        if (is_mutant)
                snprintf(current, sizeof current, "%s, mutant %lu (--seed %#llx)", path, mutant,
                         (unsigned long long)arg_seed);
        else
                snprintf(current, sizeof current, "%s itself", path);
}

/* splitmix64: tiny, fast, good enough to pick mutations. */
static uint64_t rng_next(void) {
        uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
}

static size_t rng_below(size_t n) {
        return n ? (size_t)(rng_next() % n) : 0;
}

static int read_file(const char *path, uint8_t **ret, size_t *ret_size) {
        uint8_t *buf = NULL;
        size_t size = 0, allocated = 0;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (;;) {
                ssize_t n;

                if (allocated - size < 4096) {
                        uint8_t *p = realloc(buf, allocated + 65536);
                        if (!p) {
                                free(buf);
                                close(fd);
                                return -ENOMEM;
                        }
                        buf = p;
                        allocated += 65536;
                }
                n = read(fd, buf + size, allocated - size);
                if (n < 0) {
                        int r = -errno;
                        free(buf);
                        close(fd);
                        return r;
                }
                if (n == 0)
                        break;
                size += (size_t)n;
        }
        close(fd);
        *ret = buf;
        *ret_size = size;
        return 0;
}

static int add_seed(const char *path) {
        Seed *s;
        int r;

        s = realloc(seeds, (n_seeds + 1) * sizeof(*seeds));
        if (!s)
                return -ENOMEM;
        seeds = s;
        s = &seeds[n_seeds];
        *s = (Seed){.path = strdup(path)};
        if (!s->path)
                return -ENOMEM;
        r = read_file(path, &s->data, &s->size);
        if (r < 0) {
                free(s->path);
                return r;
        }
        n_seeds++;
        return 0;
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of a directory, in name order so runs are reproducible. */
static int add_directory(const char *path) {
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        DIR *d;
        int r = 0;

        d = opendir(path);
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                char **p;

                if (de->d_name[0] == '.')
                        continue;
                p = realloc(names, (n + 1) * sizeof(*names));
                if (!p) {
                        r = -ENOMEM;
                        break;
                }
                names = p;
                if (asprintf(&names[n], "%s/%s", path, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        closedir(d);
        qsort(names, n, sizeof(*names), compare_names);
        for (size_t i = 0; i < n; i++) {
                struct stat st;

                if (r == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
                        r = add_seed(names[i]);
                free(names[i]);
        }
        free(names);
        return r;
}

/* clang-format off */
static const uint64_t interesting[] = {
        0, 1, 2, 7, 8, 16, 32, 64, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x1001, 0x7fff, 0x8000,
        0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
        0x8000000000000000ull, 0xffffffffffffffffull,
};
/* clang-format on */

/* One mutation of buf[0..*size) (capacity max). */
static void mutate_once(uint8_t *buf, size_t *size, size_t max) {
        size_t n = *size, at, len;

        switch (rng_below(9)) {
        case 0: /* flip a bit */
                if (n)
                        buf[rng_below(n)] ^= (uint8_t)(1u << rng_below(8));
                break;
        case 1: /* a random byte */
                if (n)
                        buf[rng_below(n)] = (uint8_t)rng_next();
                break;
        case 2: { /* an interesting integer, 1, 2, 4 or 8 bytes little-endian */
                uint64_t v = interesting[rng_below(ELEMENTSOF(interesting))];
                size_t width = (size_t)1 << rng_below(4);

                if (rng_below(4) == 0)
                        v += (uint64_t)rng_below(3) - 1;
                if (n >= width) {
                        at = rng_below(n - width + 1);
                        memcpy(buf + at, &v, width);
                }
                break;
        }
        case 3: /* delete a range */
                if (n) {
                        at = rng_below(n);
                        len = 1 + rng_below(MIN(n - at, (size_t)64));
                        memmove(buf + at, buf + at + len, n - at - len);
                        *size = n - len;
                }
                break;
        case 4: /* insert random bytes */
                len = 1 + rng_below(16);
                if (n + len <= max) {
                        at = rng_below(n + 1);
                        memmove(buf + at + len, buf + at, n - at);
                        for (size_t i = 0; i < len; i++)
                                buf[at + i] = (uint8_t)rng_next();
                        *size = n + len;
                }
                break;
        case 5: /* truncate */
                *size = rng_below(n + 1);
                break;
        case 6: /* copy a range over another place */
                if (n > 1) {
                        size_t from = rng_below(n);
                        at = rng_below(n);
                        len = 1 + rng_below(MIN(n - MAX(from, at), (size_t)256));
                        memmove(buf + at, buf + from, len);
                }
                break;
        case 7: { /* splice: the head of this input, the tail of another seed */
                const Seed *o = &seeds[rng_below(n_seeds)];
                size_t keep = rng_below(n + 1), from = rng_below(o->size + 1);

                len = MIN(o->size - from, max - keep);
                memcpy(buf + keep, o->data + from, len);
                *size = keep + len;
                break;
        }
        default: /* a printable or structural byte: helps the text formats */
                if (n) {
                        static const char special[] = "\"\\{}[]:,0-9eE.+/\n\t \x00\x80\xc0\xef";
                        buf[rng_below(n)] = (uint8_t)special[rng_below(sizeof(special) - 1)];
                }
                break;
        }
}

static void save_current(const uint8_t *data, size_t size) {
        char path[4096];
        FILE *f;

        if (!arg_save)
                return;
        snprintf(path, sizeof path, "%s/current", arg_save);
        f = fopen(path, "we");
        if (!f)
                return;
        (void)!fwrite(data, 1, size, f);
        fclose(f);
}

static void help(const char *name) {
        printf("%s [--mutations N] [--max-len N] [--seed N] [--save DIR] FILE|DIR...\n"
               "Runs each seed and N (default 2000) deterministic mutants of it.\n",
               name);
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"mutations", required_argument, NULL, 'm'},
                {"max-len", required_argument, NULL, 'l'},
                {"seed", required_argument, NULL, 's'},
                {"save", required_argument, NULL, 'S'},
                {},
        };
        unsigned long long runs = 0;
        uint8_t *buf;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help(argv[0]);
                        return 0;
                case 'm':
                        arg_mutations = strtoul(optarg, NULL, 0);
                        break;
                case 'l':
                        arg_max_len = strtoul(optarg, NULL, 0);
                        break;
                case 's':
                        arg_seed = strtoull(optarg, NULL, 0);
                        break;
                case 'S':
                        arg_save = optarg;
                        break;
                default:
                        return 2;
                }

        if (LLVMFuzzerInitialize)
                LLVMFuzzerInitialize(&argc, &argv);

        {
                struct sigaction sa = {.sa_handler = on_fatal_signal, .sa_flags = SA_RESETHAND};
                const int fatal[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};

                for (size_t i = 0; i < ELEMENTSOF(fatal); i++)
                        (void)sigaction(fatal[i], &sa, NULL);
        }

        for (int i = optind; i < argc; i++) {
                struct stat st;

                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                        return 1;
                }
                r = S_ISDIR(st.st_mode) ? add_directory(argv[i]) : add_seed(argv[i]);
                if (r < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(-r));
                        return 1;
                }
        }
        if (n_seeds == 0) {
                fprintf(stderr, "No seeds given.\n");
                return 1;
        }
        for (size_t i = 0; i < n_seeds; i++)
                arg_max_len = MAX(arg_max_len, seeds[i].size);

        buf = malloc(arg_max_len + 1);
        if (!buf)
                return 1;

        for (size_t i = 0; i < n_seeds; i++) {
                /* A copy of exactly the input's size, as libFuzzer passes it, so a read past the
                 * end is caught by ASan or valgrind when the driver runs under one. */
                uint8_t *copy = malloc(MAX(seeds[i].size, (size_t)1));

                if (!copy)
                        return 1;
                memcpy(copy, seeds[i].data, seeds[i].size);
                save_current(copy, seeds[i].size);
                set_current(seeds[i].path, 0, false);
                LLVMFuzzerTestOneInput(copy, seeds[i].size);
                free(copy);
                runs++;

                for (unsigned long m = 0; m < arg_mutations; m++) {
                        size_t size = seeds[i].size;
                        unsigned k = 1 + (unsigned)(m % 4);

                        /* Each mutant is reproducible on its own: --seed S, seed i, mutant m. */
                        rng_state = arg_seed ^ ((uint64_t)i << 32) ^ m;
                        (void)rng_next();
                        memcpy(buf, seeds[i].data, size);
                        for (unsigned j = 0; j < k; j++)
                                mutate_once(buf, &size, arg_max_len);

                        copy = malloc(MAX(size, (size_t)1));
                        if (!copy)
                                return 1;
                        memcpy(copy, buf, size);
                        save_current(copy, size);
                        set_current(seeds[i].path, m, true);
                        LLVMFuzzerTestOneInput(copy, size);
                        free(copy);
                        runs++;
                }
        }
        printf("%llu runs over %zu seeds (%lu mutants each, seed %#llx): no crash\n", runs, n_seeds,
               arg_mutations, (unsigned long long)arg_seed);
        for (size_t i = 0; i < n_seeds; i++) {
                free(seeds[i].path);
                free(seeds[i].data);
        }
        free(seeds);
        free(buf);
        return 0;
}

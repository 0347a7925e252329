/* SPDX-License-Identifier: MIT */
#include "strv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

void strv_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

int strv_push(char ***v, size_t *n, char *s) {
        char **p;

        if (*n >= SIZE_MAX / sizeof(char *) - 2)
                return -E2BIG;
        p = realloc(*v, (*n + 2) * sizeof(char *));
        if (!p)
                return -ENOMEM;
        p[(*n)++] = s;
        p[*n] = NULL;
        *v = p;
        return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        strv - NULL-terminated arrays of malloc'd strings
 * DESCRIPTION
 *        See strv.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

/* strv_free - the strings and the array; NULL-safe */
char **strv_free(char **l) {
        if (l)
                for (char **p = l; *p; p++)
                        free(*p);
        free(l);
        return NULL;
}

/* strv_length - strings before the NULL */
size_t strv_length(char *const *l) {
        size_t n = 0;

        while (l && l[n])
                n++;
        return n;
}

/* strv_contains - s is one of the strings */
bool strv_contains(char *const *l, const char *s) {
        for (; l && *l; l++)
                if (strcmp(*l, s) == 0)
                        return true;
        return false;
}

/* strv_push - append s (taken over, even on failure) to a list of *n strings */
int strv_push(char ***l, size_t *n, char *s) {
        char **m;

        if (!s)
                return -ENOMEM;
        m = reallocarray(*l, *n + 2, sizeof(char *));
        if (!m) {
                free(s);
                return -ENOMEM;
        }
        m[(*n)++] = s;
        m[*n] = NULL;
        *l = m;
        return 0;
}

/* strv_copy_n - a NULL-terminated copy of the first n strings of l */
char **strv_copy_n(char *const *l, size_t n) {
        char **c = calloc(n + 1, sizeof(char *));

        if (!c)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                c[i] = strdup(l[i]);
                if (!c[i])
                        return strv_free(c);
        }
        return c;
}

/* strv_copy - a copy of a NULL-terminated list (NULL: an empty one) */
char **strv_copy(char *const *l) {
        return strv_copy_n(l, strv_length(l));
}

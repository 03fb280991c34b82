/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        summary_names - the one name table of the summary, and its string pool
 * SYNOPSIS
 *        #include "summary_internal.h"
 *        size_t name_table_find(const NameTable *t, const char *key, uint64_t hash);
 *        int name_table_add(NameTable *t, const char *key, uint64_t hash, size_t idx);
 *        const char *summary_names_intern(SummaryNames *x, const char *s);
 * DESCRIPTION
 *        See summary_internal.h. A NameTable is the shared hash map
 *        (common/hashmap.h) from a name to an index.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "summary_internal.h"

/* name_hash - kept for the callers' interface; the map hashes with a seed of its own */
uint64_t name_hash(const char *key) {
        return hash_bytes64(key, strlen(key), 0);
}

/* name_table_find - the index stored for key, SIZE_MAX when absent */
size_t name_table_find(const NameTable *t, const char *key, uint64_t hash) {
        const size_t *v = t->map ? hashmap_get_str(t->map, key) : NULL;

        (void) hash;
        return v ? *v : SIZE_MAX;
}

/* name_table_add - key (not present yet) -> idx */
int name_table_add(NameTable *t, const char *key, uint64_t hash, size_t idx) {
        size_t *v;
        int r;

        (void) hash;
        if (!t->map) {
                r = hashmap_new(&(const HashMapOptions) { .value_size = sizeof(size_t) }, &t->map);
                if (r < 0)
                        return r;
        }
        r = hashmap_put_str(t->map, key, (void **) &v);
        if (r < 0)
                return r;
        *v = idx;
        return 0;
}

void name_table_done(NameTable *t) {
        t->map = hashmap_free(t->map);
}

/* summary_names_intern - the pool's one copy of s */
const char *summary_names_intern(SummaryNames *x, const char *s) {
        uint64_t h = name_hash(s);
        size_t i = name_table_find(&x->pool_index, s, h);
        char *copy;

        if (i != SIZE_MAX)
                return x->pool[i];
        if (x->n_pool == x->cap_pool) {
                size_t ncap = x->cap_pool ? x->cap_pool * 2 : 64;
                char **p = reallocarray(x->pool, ncap, sizeof(char *));

                if (!p)
                        return NULL;
                x->pool = p;
                x->cap_pool = ncap;
        }
        copy = strdup(s);
        if (!copy)
                return NULL;
        if (name_table_add(&x->pool_index, copy, h, x->n_pool) < 0) {
                free(copy);
                return NULL;
        }
        x->pool[x->n_pool++] = copy;
        return copy;
}

/* summary_names_free - NULL-safe */
SummaryNames *summary_names_free(SummaryNames *x) {
        if (!x)
                return NULL;
        name_table_done(&x->pool_index);
        name_table_done(&x->domains);
        name_table_done(&x->hosts);
        name_table_done(&x->logging_off);
        for (size_t i = 0; i < x->n_pool; i++)
                free(x->pool[i]);
        free(x->pool);
        free(x);
        return NULL;
}

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
 *        See summary_internal.h. The table keeps each key's hash, so a grow
 *        does not hash again and a probe compares strings only on equal
 *        hashes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "summary_internal.h"

#define NAME_TABLE_MIN 256

/* name_hash - of the bytes of key */
uint64_t name_hash(const char *key) {
        return hash_bytes64(key, strlen(key), 0);
}

/* name_table_find - the index stored for key, SIZE_MAX when absent */
size_t name_table_find(const NameTable *t, const char *key, uint64_t hash) {
        if (t->cap == 0)
                return SIZE_MAX;
        for (size_t i = hash & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
                const NameSlot *s = &t->slots[i];

                if (!s->key)
                        return SIZE_MAX;
                if (s->hash == hash && strcmp(s->key, key) == 0)
                        return s->idx;
        }
}

static void slot_put(NameSlot *slots, size_t cap, const NameSlot *s) {
        size_t i = s->hash & (cap - 1);

        while (slots[i].key)
                i = (i + 1) & (cap - 1);
        slots[i] = *s;
}

/* name_table_add - key (not present yet) -> idx; key must outlive the table */
int name_table_add(NameTable *t, const char *key, uint64_t hash, size_t idx) {
        if ((t->n + 1) * 2 > t->cap) {
                size_t ncap = t->cap ? t->cap * 2 : NAME_TABLE_MIN;
                NameSlot *slots = calloc(ncap, sizeof(*slots));

                if (!slots)
                        return -ENOMEM;
                for (size_t i = 0; i < t->cap; i++)
                        if (t->slots[i].key)
                                slot_put(slots, ncap, &t->slots[i]);
                free(t->slots);
                t->slots = slots;
                t->cap = ncap;
        }
        slot_put(t->slots, t->cap, &(const NameSlot) { hash, key, idx });
        t->n++;
        return 0;
}

void name_table_done(NameTable *t) {
        free(t->slots);
        *t = (NameTable) { 0 };
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

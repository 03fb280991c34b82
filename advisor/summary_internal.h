/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        summary_internal - the name table, string pool and tallies behind summary.c
 * SYNOPSIS
 *        #include "summary_internal.h"
 *        uint64_t name_hash(const char *key);
 *        size_t name_table_find(const NameTable *t, const char *key, uint64_t hash);
 *        int name_table_add(NameTable *t, const char *key, uint64_t hash, size_t idx);
 *        void name_table_done(NameTable *t);
 *        const char *summary_names_intern(SummaryNames *x, const char *s);
 *        int summary_tally_add(SummaryTally *t, const char *key, const char *key2,
 *                              uint64_t n, bool known);
 * DESCRIPTION
 *        A NameTable maps a string (owned by someone else, alive as long as
 *        the table) to an index: open addressing, linear probing, at most half
 *        full, hash_bytes64() of the bytes. It is the only hash table of the
 *        summary (summary_names.c): the string pool, the domain, host and
 *        logging-off indexes all use it through the four name_table_*
 *        functions, so it can be swapped for a shared one.
 *        summary_tally_add() counts n under interned key (and key2), also in
 *        n_known when known; past SUMMARY_TALLY_MAX names, in other
 *        (summary_tally.c).
 * DIAGNOSTICS
 *        name_table_find(): the index, SIZE_MAX when absent. name_table_add(),
 *        summary_tally_add(): 0 or -ENOMEM. summary_names_intern(): NULL on OOM.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "summary.h"

typedef struct NameSlot {
        uint64_t hash;
        const char *key;                /* NULL = empty slot */
        size_t idx;
} NameSlot;

typedef struct NameTable {
        NameSlot *slots;
        size_t cap;                     /* 0 or a power of two */
        size_t n;
} NameTable;

uint64_t name_hash(const char *key);
size_t name_table_find(const NameTable *t, const char *key, uint64_t hash);
int name_table_add(NameTable *t, const char *key, uint64_t hash, size_t idx);
void name_table_done(NameTable *t);

/* The strings of a summary and its indexes by name. */
struct SummaryNames {
        NameTable pool_index;           /* string -> index in pool */
        char **pool;                    /* one copy of every name */
        size_t n_pool, cap_pool;
        NameTable domains;              /* domain name -> index in Summary.domains */
        NameTable hosts;                /* host name -> index in Summary.hosts */
        NameTable logging_off;          /* host name -> index in Summary.logging_off */
};

SummaryNames *summary_names_free(SummaryNames *x);
const char *summary_names_intern(SummaryNames *x, const char *s);

int summary_tally_add_slow(SummaryTally *t, const char *key, const char *key2, uint64_t n, bool known);

/* Rows come sorted, so most adds go to the item of the previous one: that case inline. */
static inline int summary_tally_add(SummaryTally *t, const char *key, const char *key2, uint64_t n,
                                    bool known) {
        SummaryItem *e = t->last < t->n ? &t->items[t->last] : NULL;

        if (!e || e->key != key || e->key2 != key2 || (known && e->n_known == 0))
                return summary_tally_add_slow(t, key, key2, n, known);
        e->n += n;
        if (known)
                e->n_known += n;
        return 0;
}
void summary_tally_done(SummaryTally *t);
void summary_counts_done(SummaryCounts *c);

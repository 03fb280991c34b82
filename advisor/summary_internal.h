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
 *        int summary_row_add(const DailyRow *row, void *userdata);
 * DESCRIPTION
 *        A NameTable maps a string to an index through the shared hash map
 *        (common/hashmap.h, which keeps its own copy of the key). The string
 *        pool, the domain, host and logging-off indexes of the summary all
 *        use it through the name_table_* functions (summary_names.c).
 *        summary_tally_add() counts n under interned key (and key2), also in
 *        n_known when known; past SUMMARY_TALLY_MAX names, in other
 *        (summary_tally.c).
 *        A Builder is the state of one summary_build(): summary.c reads the
 *        evidence rows into it, summary_row_add() (summary_row.c) each daily
 *        row.
 * DIAGNOSTICS
 *        name_table_find(): the index, SIZE_MAX when absent. name_table_add(),
 *        summary_tally_add(): 0 or -ENOMEM. summary_names_intern(): NULL on OOM.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hashmap.h"
#include "summary.h"

/* A name -> index table: the shared hash map (common/hashmap.h), value = index. */
typedef struct NameTable {
        HashMap *map;                   /* NULL until the first name */
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

/* Scan state of one domain: the last day (days since the epoch) counted in each
 * day count, and the domain that came after it last time. */
typedef struct DomainMarks {
        int64_t seen, delivered, off;
        size_t next;                    /* SIZE_MAX = none yet */
} DomainMarks;

#define RECENT_MAX 8

/* The values a column had lately: most rows repeat one of a few. */
typedef struct Recent {
        const char *v[RECENT_MAX];      /* interned */
        unsigned n, next, hit;
} Recent;

typedef struct Builder {
        Summary *m;
        bool day_maps;
        size_t map_bytes;
        size_t cap_domains, cap_marks, cap_hosts, cap_days, cap_off;
        DomainMarks *marks;             /* parallel to m->domains */
        int64_t day;                    /* the current row's day: m->days[m->n_days - 1] */
        size_t host;                    /* the current row's host, SIZE_MAX before the first */
        size_t domain;                  /* the previous row's domain, SIZE_MAX before the first */
        bool off;                       /* logging off on the current (day, host) */
        Recent recent[4];               /* protocol, trust, level, reason */
        const char *rank_of;            /* protocol whose tls_protocol_rank() is rank */
        int rank;
        const char *flags_of;           /* level whose LEVEL_* flags are flags */
        unsigned flags;
} Builder;

SummaryNames *summary_names_free(SummaryNames *x);
const char *summary_names_intern(SummaryNames *x, const char *s);

int summary_grow(void **v, size_t *cap, size_t n, size_t size);
int summary_by_name(Builder *b, NameTable *t, const char *name, void **v, size_t *n, size_t *cap,
                    size_t size, size_t *ret);
bool summary_logging_was_off(const Summary *m, int64_t day, const char *host);
int summary_row_add(const DailyRow *row, void *userdata);

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

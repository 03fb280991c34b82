/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        summary_tally - counts by name, bounded, in the order first seen
 * SYNOPSIS
 *        #include "summary_internal.h"
 *        int summary_tally_add(SummaryTally *t, const char *key, const char *key2,
 *                              uint64_t n, bool known);
 *        int summary_tally_add_slow(SummaryTally *t, const char *key, const char *key2,
 *                                   uint64_t n, bool known);
 *        size_t summary_tally_known(const SummaryTally *t, uint32_t ret[static SUMMARY_TALLY_MAX]);
 * DESCRIPTION
 *        Keys are interned (summary_names.c), so an item is found by pointer.
 *        A tally holds few names in practice (protocols, trust words, tls=
 *        tokens, reasons, MX hosts of one domain), so it is a short array
 *        searched from the start; SUMMARY_TALLY_MAX bounds the search.
 */
#include <errno.h>
#include <stdlib.h>

#include "summary_internal.h"

static SummaryItem *tally_find(SummaryTally *t, const char *key, const char *key2) {
        for (uint32_t i = 0; i < t->n; i++)
                if (t->items[i].key == key && t->items[i].key2 == key2) {
                        t->last = i;
                        return &t->items[i];
                }
        return NULL;
}

/* tally_new_item - a zero item for key; capacity 2, then doubled whenever n reaches a power of two */
static SummaryItem *tally_new_item(SummaryTally *t, const char *key, const char *key2) {
        if (t->n == 0 || (t->n >= 2 && (t->n & (t->n - 1)) == 0)) {
                SummaryItem *p = reallocarray(t->items, t->n ? t->n * 2 : 2, sizeof(*p));

                if (!p)
                        return NULL;
                t->items = p;
        }
        t->items[t->n] = (SummaryItem) { .key = key, .key2 = key2, .known_order = UINT32_MAX };
        t->last = t->n;
        return &t->items[t->n++];
}

/* summary_tally_add_slow - summary_tally_add() when the last item is not the one */
int summary_tally_add_slow(SummaryTally *t, const char *key, const char *key2, uint64_t n, bool known) {
        SummaryItem *e = tally_find(t, key, key2);

        if (!e && t->n >= SUMMARY_TALLY_MAX) {
                t->other += n;
                if (known)
                        t->other_known += n;
                return 0;
        }
        if (!e && !(e = tally_new_item(t, key, key2)))
                return -ENOMEM;
        e->n += n;
        if (known) {
                if (e->n_known == 0)
                        e->known_order = t->n_known++;
                e->n_known += n;
        }
        return 0;
}

/* summary_tally_known - items counted in n_known, in the order of their first such row */
size_t summary_tally_known(const SummaryTally *t, uint32_t ret[static SUMMARY_TALLY_MAX]) {
        for (uint32_t i = 0; i < t->n; i++)
                if (t->items[i].n_known > 0)
                        ret[t->items[i].known_order] = i;
        return t->n_known;
}

void summary_tally_done(SummaryTally *t) {
        free(t->items);
        *t = (SummaryTally) { 0 };
}

void summary_counts_done(SummaryCounts *c) {
        summary_tally_done(&c->protocols);
        summary_tally_done(&c->trust);
        summary_tally_done(&c->levels);
        summary_tally_done(&c->reasons);
}

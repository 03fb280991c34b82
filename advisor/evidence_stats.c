/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        evidence_stats - counters of one domain: name lists, day maps, sums
 * DESCRIPTION
 *        See evidence.h. Lists keep at most EVIDENCE_LIST_MAX names (the rest
 *        is summed in "other") so that hostile log content cannot grow them
 *        without bound; names are cut at EVIDENCE_NAME_MAX bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"

/* count_list_add - add n to name, keeping at most EVIDENCE_LIST_MAX names */
int count_list_add(CountList *l, const char *name, uint64_t n) {
        size_t len = strnlen(name, EVIDENCE_NAME_MAX);

        for (size_t i = 0; i < l->n; i++)
                if (strncmp(l->items[i].name, name, len) == 0 && l->items[i].name[len] == '\0') {
                        l->items[i].n += n;
                        return 0;
                }
        if (l->n >= EVIDENCE_LIST_MAX) {
                l->other += n;
                l->overflow = true;
                return 0;
        }
        if (l->n == l->cap) {
                size_t ncap = l->cap ? l->cap * 2 : 4;
                CountItem *ni = realloc(l->items, ncap * sizeof(*ni));
                if (!ni)
                        return -ENOMEM;
                l->items = ni;
                l->cap = ncap;
        }
        char *copy = strndup(name, len);
        if (!copy)
                return -ENOMEM;
        l->items[l->n++] = (CountItem) { copy, n };
        return 0;
}

void count_list_done(CountList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i].name);
        free(l->items);
        *l = (CountList) { 0 };
}

static int cmp_item(const void *a, const void *b) {
        const CountItem *x = a, *y = b;
        if (x->n != y->n)
                return x->n > y->n ? -1 : 1;
        return strcmp(x->name, y->name);
}

void count_list_sort(CountList *l) {
        if (l->n > 1)
                qsort(l->items, l->n, sizeof(CountItem), cmp_item);
}

/* count_list_get - count of one name, 0 when absent */
uint64_t count_list_get(const CountList *l, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->items[i].name, name) == 0)
                        return l->items[i].n;
        return 0;
}

/* domain_stats_done - free the members, not the struct */
void domain_stats_done(DomainStats *d) {
        if (!d)
                return;
        free(d->domain);
        count_list_done(&d->protocols);
        count_list_done(&d->trust);
        count_list_done(&d->levels);
        count_list_done(&d->reasons);
        count_list_done(&d->mx);
        free(d->daymap);
        free(d->offmap);
        *d = (DomainStats) { 0 };
}

uint32_t day_map_count(const uint8_t *map, size_t bits) {
        uint32_t n = 0;
        for (size_t i = 0; i < bits; i++)
                if (map[i / 8] & (1u << (i % 8)))
                        n++;
        return n;
}

void domain_stats_seen(DomainStats *d, const char *day) {
        if (!d->first_seen[0] || strcmp(day, d->first_seen) < 0)
                memcpy(d->first_seen, day, 11);
        if (!d->last_seen[0] || strcmp(day, d->last_seen) > 0)
                memcpy(d->last_seen, day, 11);
}

/* domain_stats_delivered - tls + plaintext */
uint64_t domain_stats_delivered(const DomainStats *d) {
        return d->tls + d->plaintext;
}

static int merge_list(CountList *out, const CountList *in) {
        for (size_t i = 0; i < in->n; i++) {
                int r = count_list_add(out, in->items[i].name, in->items[i].n);
                if (r < 0)
                        return r;
        }
        out->other += in->other;
        out->overflow = out->overflow || in->overflow;
        return 0;
}

/* domain_stats_merge - add in to out (out->domain is left alone) */
int domain_stats_merge(DomainStats *out, const DomainStats *in, size_t window_days) {
        size_t bytes = (window_days + 7) / 8;
        int r;

        if (!out->daymap)
                out->daymap = calloc(bytes ? bytes : 1, 1);
        if (!out->offmap)
                out->offmap = calloc(bytes ? bytes : 1, 1);
        if (!out->daymap || !out->offmap)
                return -ENOMEM;
        out->tls += in->tls;
        out->plaintext += in->plaintext;
        out->tls_failed += in->tls_failed;
        out->other_failed += in->other_failed;
        out->logging_off += in->logging_off;
        out->dane_verified += in->dane_verified;
        out->dane_downgraded += in->dane_downgraded;
        out->weak_protocol += in->weak_protocol;
        out->unknown_protocol += in->unknown_protocol;
        out->early.tls += in->early.tls;
        out->early.plaintext += in->early.plaintext;
        out->early.tls_failed += in->early.tls_failed;
        out->late.tls += in->late.tls;
        out->late.plaintext += in->late.plaintext;
        out->late.tls_failed += in->late.tls_failed;
        for (size_t i = 0; i < bytes; i++) {
                out->daymap[i] |= in->daymap[i];
                out->offmap[i] |= in->offmap[i];
        }
        out->days = day_map_count(out->daymap, window_days);
        out->logging_off_days = day_map_count(out->offmap, window_days);
        if (in->first_seen[0])
                domain_stats_seen(out, in->first_seen);
        if (in->last_seen[0])
                domain_stats_seen(out, in->last_seen);
        r = merge_list(&out->protocols, &in->protocols);
        if (r >= 0)
                r = merge_list(&out->trust, &in->trust);
        if (r >= 0)
                r = merge_list(&out->levels, &in->levels);
        if (r >= 0)
                r = merge_list(&out->reasons, &in->reasons);
        if (r >= 0)
                r = merge_list(&out->mx, &in->mx);
        return r;
}

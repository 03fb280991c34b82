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

/* domain_stats_done - free the members (the name belongs to the summary), not the struct */
void domain_stats_done(DomainStats *d) {
        if (!d)
                return;
        count_list_done(&d->protocols);
        count_list_done(&d->trust);
        count_list_done(&d->reasons);
        count_list_done(&d->mx);
        free(d->seen_map);
        free(d->delivered_map);
        free(d->off_map);
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

static int merge_maps(DomainStats *out, const DomainStats *in, size_t window_days) {
        size_t bytes = (window_days + 7) / 8;
        uint8_t **maps[] = { &out->seen_map, &out->delivered_map, &out->off_map };
        const uint8_t *from[] = { in->seen_map, in->delivered_map, in->off_map };

        for (size_t k = 0; k < 3; k++) {
                if (!*maps[k])
                        *maps[k] = calloc(bytes ? bytes : 1, 1);
                if (!*maps[k])
                        return -ENOMEM;
                for (size_t i = 0; from[k] && i < bytes; i++)
                        (*maps[k])[i] |= from[k][i];
        }
        out->days_seen = day_map_count(out->seen_map, window_days);
        out->days_delivered = day_map_count(out->delivered_map, window_days);
        out->logging_off_days = day_map_count(out->off_map, window_days);
        return 0;
}

static void merge_half(SummaryHalf *out, const SummaryHalf *in) {
        out->tls += in->tls;
        out->plaintext += in->plaintext;
        out->tls_failed += in->tls_failed;
}

/* domain_stats_merge - add in to out (out->domain is left alone); days are those of either */
int domain_stats_merge(DomainStats *out, const DomainStats *in, size_t window_days) {
        int r;

        r = merge_maps(out, in, window_days);
        if (r < 0)
                return r;
        out->tls += in->tls;
        out->plaintext += in->plaintext;
        out->tls_failed += in->tls_failed;
        out->other_failed += in->other_failed;
        out->logging_off += in->logging_off;
        out->dane_verified += in->dane_verified;
        out->dane_downgraded += in->dane_downgraded;
        out->weak_protocol += in->weak_protocol;
        out->unknown_protocol += in->unknown_protocol;
        merge_half(&out->early, &in->early);
        merge_half(&out->late, &in->late);
        if (in->first_seen[0])
                domain_stats_seen(out, in->first_seen);
        if (in->last_seen[0])
                domain_stats_seen(out, in->last_seen);
        r = merge_list(&out->protocols, &in->protocols);
        if (r >= 0)
                r = merge_list(&out->trust, &in->trust);
        if (r >= 0)
                r = merge_list(&out->reasons, &in->reasons);
        if (r >= 0)
                r = merge_list(&out->mx, &in->mx);
        return r;
}

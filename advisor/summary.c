/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        summary - add up the daily rows and TLS evidence of a window, once
 * SYNOPSIS
 *        #include "summary.h"
 *        int summary_build(Store *s, const SummaryOptions *o, Summary **ret);
 * DESCRIPTION
 *        See summary.h. The evidence rows come first: they say which (day,
 *        host) had TLS logging off (here). Then one pass over the daily rows
 *        as stored (store_query_daily() unmerged, in primary key order: day,
 *        host, domain, MX, ...), each added by summary_row_add()
 *        (summary_row.c). Domains, hosts and names are found through the name
 *        table of summary_names.c, so the cost is linear in the number of rows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "summary_internal.h"
#include "util.h"

/* summary_grow - room for element n of a vector, zeroed (the rest of the new room is not touched) */
int summary_grow(void **v, size_t *cap, size_t n, size_t size) {
        if (n >= *cap) {
                size_t ncap = *cap ? *cap * 2 : 16;
                void *p = reallocarray(*v, ncap, size);
                if (!p)
                        return -ENOMEM;
                *v = p;
                *cap = ncap;
        }
        memset((char *) *v + n * size, 0, size);
        return 0;
}

static int cmp_day_number(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return x < y ? -1 : x > y;
}

/* summary_by_name - the index of name in a vector of elements that start with their interned name
 * (SummaryHost, SummaryLoggingOff), found through t; a new element is zeroed and named */
int summary_by_name(Builder *b, NameTable *t, const char *name, void **v, size_t *n, size_t *cap,
                    size_t size, size_t *ret) {
        uint64_t h = name_hash(name);
        size_t i = name_table_find(t, name, h);
        const char **slot;

        if (i == SIZE_MAX) {
                if (summary_grow(v, cap, *n, size) < 0)
                        return -ENOMEM;
                i = *n;
                slot = (const char **) (void *) ((char *) *v + i * size);
                *slot = summary_names_intern(b->m->names, name);
                if (!*slot)
                        return -ENOMEM;
                (*n)++;
                if (name_table_add(t, *slot, h, i) < 0)
                        return -ENOMEM;
        }
        *ret = i;
        return 0;
}

/* summary_add_evidence - store_query_evidence() callback: one (day, host) */
static int summary_add_evidence(const EvidenceRow *row, void *userdata) {
        Builder *b = userdata;
        SummaryLoggingOff *w;
        char canonical[11];
        int64_t day;
        size_t i;
        int r;

        if (row->deliveries == 0 || row->tls_lines > 0 || row->tls_fields > 0 ||
            strlen(row->day) != 10 || day_parse(row->day, &day) < 0)
                return 0;
        r = summary_by_name(b, &b->m->names->logging_off, row->host, (void **) &b->m->logging_off,
                    &b->m->n_logging_off, &b->cap_off, sizeof(SummaryLoggingOff), &i);
        if (r < 0)
                return r;
        w = &b->m->logging_off[i];
        /* Capacity: 4, then doubled whenever the count reaches a power of two. */
        if (w->days == 0 || (w->days >= 4 && (w->days & (w->days - 1)) == 0)) {
                int64_t *p = reallocarray(w->day_numbers, w->days ? w->days * 2 : 4, sizeof(int64_t));
                if (!p)
                        return -ENOMEM;
                w->day_numbers = p;
        }
        w->day_numbers[w->days] = day;
        day_format(day, canonical);
        if (w->days == 0 || strcmp(canonical, w->first_day) < 0)
                memcpy(w->first_day, canonical, sizeof(canonical));
        if (w->days == 0 || strcmp(canonical, w->last_day) > 0)
                memcpy(w->last_day, canonical, sizeof(canonical));
        w->days++;
        w->deliveries += row->deliveries;
        return 0;
}

/* summary_logging_was_off - whether (day, host) is one of the logging-off pairs */
bool summary_logging_was_off(const Summary *m, int64_t day, const char *host) {
        size_t i = name_table_find(&m->names->logging_off, host, name_hash(host));

        if (i == SIZE_MAX)
                return false;
        return bsearch(&day, m->logging_off[i].day_numbers, m->logging_off[i].days, sizeof(int64_t),
                       cmp_day_number) != NULL;
}

static int logging_off_cmp(const void *a, const void *b) {
        return strcmp(((const SummaryLoggingOff *) a)->host, ((const SummaryLoggingOff *) b)->host);
}

/* summary_read - the evidence rows, then the daily rows of the window */
static int summary_read(Store *s, const SummaryOptions *o, Builder *b) {
        Summary *m = b->m;
        StoreQuery query = {
                .from_day = m->from, .to_day = m->to, .domain = o->domain, .host = o->host,
                .group = COL_DAY | COL_HOST,
        };
        int r;

        r = store_query_evidence(s, &query, summary_add_evidence, b);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_logging_off; i++) {
                SummaryLoggingOff *w = &m->logging_off[i];
                qsort(w->day_numbers, w->days, sizeof(int64_t), cmp_day_number);
        }

        /* Rows as stored, without the cipher: no sorting in SQLite. */
        query.group = COL_ALL & ~COL_CIPHER;
        query.unmerged = true;
        r = store_query_daily(s, &query, summary_row_add, b);
        if (r < 0)
                return r;

        /* Sorted by host, the logging-off index is stale: nothing needs it any more. */
        if (m->n_logging_off > 1)
                qsort(m->logging_off, m->n_logging_off, sizeof(SummaryLoggingOff), logging_off_cmp);
        name_table_done(&m->names->logging_off);
        name_table_done(&m->names->hosts);
        return 0;
}

Summary *summary_free(Summary *m) {
        if (!m)
                return NULL;
        summary_counts_done(&m->totals);
        summary_tally_done(&m->tls_by_protocol_trust);
        for (size_t i = 0; i < m->n_domains; i++) {
                summary_counts_done(&m->domains[i].counts);
                summary_tally_done(&m->domains[i].mx);
                free(m->domains[i].seen_map);
                free(m->domains[i].delivered_map);
                free(m->domains[i].off_map);
        }
        for (size_t i = 0; i < m->n_hosts; i++)
                summary_counts_done(&m->hosts[i].counts);
        for (size_t i = 0; i < m->n_days; i++)
                summary_counts_done(&m->days[i].counts);
        for (size_t i = 0; i < m->n_logging_off; i++)
                free(m->logging_off[i].day_numbers);
        free(m->domains);
        free(m->hosts);
        free(m->days);
        free(m->logging_off);
        summary_names_free(m->names);
        free(m);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(Summary *, summary_free)

/* summary_new - an empty summary of the window [from, to] */
static int summary_new(const SummaryOptions *o, Summary **ret) {
        _cleanup_(summary_freep) Summary *m = NULL;

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->names = calloc(1, sizeof(SummaryNames));
        if (!m->names)
                return -ENOMEM;
        if (day_parse(o->from, &m->from_day) < 0 || day_parse(o->to, &m->to_day) < 0 ||
            m->from_day > m->to_day)
                return -EINVAL;
        m->window_days = (size_t) (m->to_day - m->from_day + 1);
        m->split_day = m->from_day + (m->to_day - m->from_day + 1) / 2;
        day_format(m->from_day, m->from);
        day_format(m->to_day, m->to);
        day_format(m->split_day, m->split);
        *ret = TAKE_PTR(m);
        return 0;
}

int summary_build(Store *s, const SummaryOptions *o, Summary **ret) {
        _cleanup_(summary_freep) Summary *m = NULL;
        Builder b;
        int r;

        if (!s || !o || !ret || !o->from || !o->to)
                return -EINVAL;
        r = summary_new(o, &m);
        if (r < 0)
                return r;
        b = (Builder) {
                .m = m, .day_maps = o->day_maps, .map_bytes = (m->window_days + 7) / 8,
                .host = SIZE_MAX, .domain = SIZE_MAX,
        };
        r = summary_read(s, o, &b);
        free(b.marks);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

/* summary_find_domain - by name as stored */
const SummaryDomain *summary_find_domain(const Summary *m, const char *domain) {
        size_t i;

        if (!m || !domain)
                return NULL;
        i = name_table_find(&m->names->domains, domain, name_hash(domain));
        return i == SIZE_MAX ? NULL : &m->domains[i];
}


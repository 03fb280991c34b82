/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        evidence - the advisor's per-domain view of a window's summary
 * DESCRIPTION
 *        See evidence.h. The summary has added the rows up; this turns each of
 *        its domains into a DomainStats (name lists bounded by
 *        EVIDENCE_LIST_MAX, most frequent first) and sorts them by name so
 *        that every output is in a stable order. Lookups by name go through
 *        the summary's index.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "evidence.h"
#include "template.h"
#include "util.h"

/* evidence_free - NULL-safe */
Evidence *evidence_free(Evidence *e) {
        if (!e)
                return NULL;
        for (size_t i = 0; e->stats && i < e->summary->n_domains; i++)
                domain_stats_done(&e->stats[i]);
        free(e->stats);
        free(e->domains);
        summary_free(e->summary);
        free(e);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(Evidence *, evidence_free)

/* list_from - the names of a summary tally the advisor counts, in the order first counted */
static int list_from(CountList *l, const SummaryTally *t) {
        uint32_t order[SUMMARY_TALLY_MAX];
        size_t n = summary_tally_known(t, order);

        for (size_t i = 0; i < n; i++) {
                const SummaryItem *e = &t->items[order[i]];
                int r = count_list_add(l, e->key, e->n_known);
                if (r < 0)
                        return r;
        }
        if (t->other_known > 0) {
                l->other += t->other_known;
                l->overflow = true;
        }
        count_list_sort(l);
        return 0;
}

static uint8_t *map_copy(const uint8_t *map, size_t bytes) {
        uint8_t *p = malloc(bytes ? bytes : 1);

        if (p && bytes)
                memcpy(p, map, bytes);
        return p;
}

/* stats_from - one domain of the summary as the advisor sees it */
static int stats_from(DomainStats *d, const SummaryDomain *s, size_t map_bytes) {
        int r;

        *d = (DomainStats) {
                .domain = s->domain,
                .tls = s->known_tls,
                .plaintext = s->known_plaintext,
                .tls_failed = s->counts.tls_failed,
                .other_failed = s->counts.other_failed,
                .logging_off = s->logging_off,
                .logging_off_days = s->logging_off_days,
                .dane_verified = s->dane_verified,
                .dane_downgraded = s->dane_downgraded,
                .weak_protocol = s->weak_protocol,
                .unknown_protocol = s->unknown_protocol,
                .days_seen = s->days_seen,
                .days_delivered = s->days_delivered,
                .early = s->early,
                .late = s->late,
        };
        memcpy(d->first_seen, s->first_seen, sizeof(d->first_seen));
        memcpy(d->last_seen, s->last_seen, sizeof(d->last_seen));
        d->seen_map = map_copy(s->seen_map, map_bytes);
        d->delivered_map = map_copy(s->delivered_map, map_bytes);
        d->off_map = map_copy(s->off_map, map_bytes);
        if (!d->seen_map || !d->delivered_map || !d->off_map)
                return -ENOMEM;
        r = list_from(&d->protocols, &s->counts.protocols);
        if (r >= 0)
                r = list_from(&d->trust, &s->counts.trust);
        if (r >= 0)
                r = list_from(&d->reasons, &s->counts.reasons);
        if (r >= 0)
                r = list_from(&d->mx, &s->mx);
        return r;
}

static int cmp_domain(const void *a, const void *b) {
        return strcmp((*(DomainStats *const *) a)->domain, (*(DomainStats *const *) b)->domain);
}

/* evidence_view - a DomainStats for every named domain of the summary */
static int evidence_view(Evidence *e) {
        const Summary *m = e->summary;
        size_t n = m->n_domains, map_bytes = (m->window_days + 7) / 8;

        e->stats = calloc(n ? n : 1, sizeof(DomainStats));
        e->domains = calloc(n ? n : 1, sizeof(DomainStats *));
        if (!e->stats || !e->domains)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (!*m->domains[i].domain)
                        continue;       /* no name: nothing to propose or audit */
                int r = stats_from(&e->stats[i], &m->domains[i], map_bytes);
                if (r < 0)
                        return r;
                e->domains[e->n_domains++] = &e->stats[i];
        }
        if (e->n_domains > 1)
                qsort(e->domains, e->n_domains, sizeof(DomainStats *), cmp_domain);
        e->logging_off = m->logging_off;
        e->n_logging_off = m->n_logging_off;
        return 0;
}

/* evidence_window - [to - days + 1, to] */
int evidence_window(const char *to_day, uint32_t days, char ret_from[static 11], char ret_to[static 11]) {
        int64_t to;
        char today[11];

        if (days == 0 || days > TEMPLATE_WINDOW_MAX)
                return -EINVAL;
        if (!to_day) {
                day_from_usec(now_usec(), today);
                to_day = today;
        }
        if (day_parse(to_day, &to) < 0)
                return -EINVAL;
        day_format(to - (int64_t) days + 1, ret_from);
        day_format(to, ret_to);
        return 0;
}

/* evidence_collect - the summary of [from_day, to_day] and the advisor's view of it */
int evidence_collect(Store *s, const char *from_day, const char *to_day, Evidence **ret) {
        _cleanup_(evidence_freep) Evidence *e = NULL;
        int64_t from, to;
        int r;

        if (!from_day || !to_day || day_parse(from_day, &from) < 0 || day_parse(to_day, &to) < 0 ||
            to < from || to - from >= TEMPLATE_WINDOW_MAX)
                return -EINVAL;
        e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        r = summary_build(s, &(const SummaryOptions) { .from = from_day, .to = to_day, .day_maps = true },
                          &e->summary);
        if (r < 0)
                return r;
        memcpy(e->from, e->summary->from, sizeof(e->from));
        memcpy(e->to, e->summary->to, sizeof(e->to));
        memcpy(e->split, e->summary->split, sizeof(e->split));
        e->from_days = e->summary->from_day;
        e->to_days = e->summary->to_day;
        e->split_days = e->summary->split_day;
        r = evidence_view(e);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(e);
        return 0;
}

/* evidence_find - stats of one domain (exact, as stored) */
const DomainStats *evidence_find(const Evidence *e, const char *domain) {
        const SummaryDomain *d;

        if (!e || !domain)
                return NULL;
        d = summary_find_domain(e->summary, domain);
        if (!d || !*d->domain)
                return NULL;
        return &e->stats[d - e->summary->domains];
}

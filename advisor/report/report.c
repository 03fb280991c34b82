/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        report - the report's view of a window's summary
 * SYNOPSIS
 *        #include "report.h"
 *        int report_build(Store *s, const ReportOptions *o, Report **ret);
 * DESCRIPTION
 *        report_build() has the window added up once by summary_build()
 *        (summary.h) and turns it into what the formatters print: names not
 *        logged are "unknown", tls= tokens only where one was logged, tallies
 *        sorted by key and bounded by REPORT_TALLY_MAX (further keys count as
 *        "other"), at most REPORT_MX_MAX MX names per domain, domains by
 *        deliveries, hosts by name. Counts are the stored outcomes: deliveries
 *        on a day with TLS logging off count as stored (the warnings say so).
 *        The report keeps the summary, whose strings it points to.
 *        The window and the small helpers shared by the formatters live here too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "report.h"

static bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

uint64_t tally_get(const Tally *t, const char *key, const char *key2) {
        for (size_t i = 0; i < t->n; i++)
                if (streq(t->entries[i].key, key) &&
                    (key2 ? t->entries[i].key2 && streq(t->entries[i].key2, key2) : !t->entries[i].key2))
                        return t->entries[i].n;
        return 0;
}

static TallyEntry *tally_find(const Tally *t, const char *key, const char *key2) {
        for (size_t i = 0; i < t->n; i++)
                if (streq(t->entries[i].key, key) && (key2 ? streq(t->entries[i].key2, key2) : true))
                        return &t->entries[i];
        return NULL;
}

/* tally_add - add n under key (and key2); past REPORT_TALLY_MAX keys, under "other" (room: tally_need()) */
static void tally_add(Tally *t, const char *key, const char *key2, uint64_t n) {
        TallyEntry *e = tally_find(t, key, key2);

        if (!e && t->n >= REPORT_TALLY_MAX) {
                key = "other";
                key2 = key2 ? key : NULL;
                e = tally_find(t, key, key2);
        }
        if (!e) {
                e = &t->entries[t->n++];        /* room made by tally_from() */
                *e = (TallyEntry) { .key = key, .key2 = key2 };
        }
        e->n += n;
}

static int tally_entry_cmp(const void *a, const void *b) {
        const TallyEntry *x = a, *y = b;
        int c = strcmp(x->key, y->key);

        if (c != 0 || !x->key2 || !y->key2)
                return c;
        return strcmp(x->key2, y->key2);
}

static const char *or_unknown(const char *s) {
        return *s ? s : "unknown";
}

typedef enum TallyView {
        VIEW_NAMES,                     /* "" is "unknown" */
        VIEW_TOKENS,                    /* "" is no token: not counted */
        VIEW_PAIRS,                     /* (key, key2), "" is "unknown" */
} TallyView;

/* One allocation for all the tally entries and MX names of a report, sized by a first pass. */
typedef struct Room {
        TallyEntry *entries;
        const char **names;
} Room;

/* tally_need - entries a tally of the report can take: REPORT_TALLY_MAX keys and "other" */
static size_t tally_need(const SummaryTally *s) {
        return s->n == 0 ? 0 : (s->n < REPORT_TALLY_MAX ? s->n : REPORT_TALLY_MAX) + 1;
}

static size_t counts_need(const SummaryCounts *c) {
        return tally_need(&c->protocols) + tally_need(&c->trust) + tally_need(&c->levels) +
               tally_need(&c->reasons);
}

static size_t mx_need(const SummaryDomain *d) {
        return d->mx.n < REPORT_MX_MAX ? d->mx.n : REPORT_MX_MAX;
}

/* room_new - room for every list of the report of m */
static int room_new(const Summary *m, Room *ret) {
        size_t entries = counts_need(&m->totals) + tally_need(&m->tls_by_protocol_trust), names = 0;

        for (size_t i = 0; i < m->n_domains; i++) {
                entries += counts_need(&m->domains[i].counts);
                names += mx_need(&m->domains[i]);
        }
        for (size_t i = 0; i < m->n_hosts; i++)
                entries += counts_need(&m->hosts[i].counts);
        for (size_t i = 0; i < m->n_days; i++)
                entries += counts_need(&m->days[i].counts);
        ret->entries = calloc(entries ? entries : 1, sizeof(TallyEntry));
        ret->names = calloc(names ? names : 1, sizeof(char *));
        return ret->entries && ret->names ? 0 : -ENOMEM;
}

/* tally_from - a summary tally as the report shows it */
static void tally_from(Tally *t, const SummaryTally *s, TallyView v, Room *room) {
        t->entries = room->entries;
        room->entries += tally_need(s);
        /* In the order first seen, as the rows came: the same keys make it under the bound. */
        for (uint32_t i = 0; i < s->n; i++) {
                const SummaryItem *e = &s->items[i];

                if (v == VIEW_PAIRS)
                        tally_add(t, or_unknown(e->key), or_unknown(e->key2), e->n);
                else if (v == VIEW_NAMES || *e->key)
                        tally_add(t, or_unknown(e->key), NULL, e->n);
        }
        if (s->other > 0)
                tally_add(t, "other", v == VIEW_PAIRS ? "other" : NULL, s->other);
        if (t->n > 1)
                qsort(t->entries, t->n, sizeof(TallyEntry), tally_entry_cmp);
}

static void counts_from(ReportCounts *c, const SummaryCounts *s, Room *room) {
        c->tls = s->tls;
        c->plaintext = s->plaintext;
        c->tls_failed = s->tls_failed;
        c->other_failed = s->other_failed;
        tally_from(&c->by_protocol, &s->protocols, VIEW_NAMES, room);
        tally_from(&c->by_trust, &s->trust, VIEW_NAMES, room);
        tally_from(&c->by_level, &s->levels, VIEW_TOKENS, room);
        tally_from(&c->tls_failures, &s->reasons, VIEW_NAMES, room);
}

/* domain_add_mx - keep mx in the sorted list, the first REPORT_MX_MAX names seen */
static void domain_add_mx(ReportDomain *d, const char *mx) {
        size_t i;

        if (d->n_mx >= REPORT_MX_MAX) {
                d->mx_truncated = true;
                return;
        }
        for (i = 0; i < d->n_mx && strcmp(d->mx[i], mx) < 0; i++)
                ;
        memmove(d->mx + i + 1, d->mx + i, (d->n_mx - i) * sizeof(char *));
        d->mx[i] = mx;
        d->n_mx++;
}

static void domain_from(ReportDomain *d, const SummaryDomain *s, Room *room) {
        d->domain = s->domain;
        d->mx = room->names;
        room->names += mx_need(s);
        for (uint32_t i = 0; i < s->mx.n; i++)
                domain_add_mx(d, s->mx.items[i].key);
        if (s->mx.other > 0)
                d->mx_truncated = true;
        memcpy(d->first_seen, s->first_seen, sizeof(d->first_seen));
        memcpy(d->last_seen, s->last_seen, sizeof(d->last_seen));
        d->days_seen = s->days_seen;
        counts_from(&d->counts, &s->counts, room);
}

static int domain_cmp(const void *a, const void *b) {
        const ReportDomain *x = a, *y = b;
        uint64_t dx = report_delivered(&x->counts), dy = report_delivered(&y->counts);

        if (dx != dy)
                return dx > dy ? -1 : 1;
        return strcmp(x->domain, y->domain);
}

static int host_cmp(const void *a, const void *b) {
        return strcmp(((const ReportHost *) a)->host, ((const ReportHost *) b)->host);
}

/* report_view - every list of the report from the summary */
static int report_view(Report *r) {
        const Summary *m = r->summary;
        Room room;

        r->domains = calloc(m->n_domains ? m->n_domains : 1, sizeof(ReportDomain));
        r->hosts = calloc(m->n_hosts ? m->n_hosts : 1, sizeof(ReportHost));
        r->days = calloc(m->n_days ? m->n_days : 1, sizeof(ReportDay));
        if (!r->domains || !r->hosts || !r->days || room_new(m, &room) < 0)
                return -ENOMEM;
        r->entry_room = room.entries;
        r->name_room = room.names;
        counts_from(&r->totals, &m->totals, &room);
        tally_from(&r->tls_by_protocol_trust, &m->tls_by_protocol_trust, VIEW_PAIRS, &room);
        for (; r->n_domains < m->n_domains; r->n_domains++)
                domain_from(&r->domains[r->n_domains], &m->domains[r->n_domains], &room);
        for (; r->n_hosts < m->n_hosts; r->n_hosts++) {
                r->hosts[r->n_hosts].host = m->hosts[r->n_hosts].host;
                r->hosts[r->n_hosts].internal = m->hosts[r->n_hosts].internal;
                counts_from(&r->hosts[r->n_hosts].counts, &m->hosts[r->n_hosts].counts, &room);
        }
        for (; r->n_days < m->n_days; r->n_days++) {
                memcpy(r->days[r->n_days].day, m->days[r->n_days].day, 11);
                r->days[r->n_days].internal = m->days[r->n_days].internal;
                counts_from(&r->days[r->n_days].counts, &m->days[r->n_days].counts, &room);
        }
        r->internal = m->internal;
        r->warnings = m->logging_off;
        r->n_warnings = m->n_logging_off;
        if (r->n_domains > 1)
                qsort(r->domains, r->n_domains, sizeof(ReportDomain), domain_cmp);
        if (r->n_hosts > 1)
                qsort(r->hosts, r->n_hosts, sizeof(ReportHost), host_cmp);
        return 0;
}

Report *report_free(Report *r) {
        if (!r)
                return NULL;
        free(r->entry_room);
        free(r->name_room);
        free(r->domains);
        free(r->hosts);
        free(r->days);
        free(r->domain_filter);
        free(r->host_filter);
        summary_free(r->summary);
        free(r);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(Report *, report_free)

int report_build(Store *s, const ReportOptions *o, Report **ret) {
        _cleanup_(report_freep) Report *r = NULL;
        int q;

        if (!s || !o || !ret || !o->from || !o->to)
                return -EINVAL;
        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        if ((o->domain && !(r->domain_filter = strdup(o->domain))) ||
            (o->host && !(r->host_filter = strdup(o->host))))
                return -ENOMEM;
        SummaryOptions so = { .from = o->from, .to = o->to, .domain = o->domain, .host = o->host };
        q = summary_build(s, &so, &r->summary);
        if (q < 0)
                return q;
        memcpy(r->from, r->summary->from, sizeof(r->from));
        memcpy(r->to, r->summary->to, sizeof(r->to));
        q = report_view(r);
        if (q < 0)
                return q;
        *ret = TAKE_PTR(r);
        return 0;
}

int report_window(unsigned days, const char *from, const char *to, uint64_t now,
                  char ret_from[static 11], char ret_to[static 11]) {
        int64_t f, t;

        if (to) {
                if (day_parse(to, &t) < 0)
                        return -EINVAL;
        } else {
                char today[11];

                day_from_usec(now, today);
                if (day_parse(today, &t) < 0)
                        return -EINVAL;
        }
        if (from) {
                if (day_parse(from, &f) < 0)
                        return -EINVAL;
        } else {
                if (days == 0)
                        return -EINVAL;
                f = t - (int64_t) days + 1;
        }
        if (f > t)
                return -EINVAL;
        day_format(f, ret_from);
        day_format(t, ret_to);
        return 0;
}

static const char *const format_names[_REPORT_FORMAT_MAX] = {
        [REPORT_FORMAT_TEXT] = "text",
        [REPORT_FORMAT_JSON] = "json",
        [REPORT_FORMAT_PROMETHEUS] = "prometheus",
        [REPORT_FORMAT_HTML] = "html",
};

ReportFormat report_format_from_string(const char *s) {
        for (size_t i = 0; s && i < _REPORT_FORMAT_MAX; i++)
                if (streq(s, format_names[i]))
                        return (ReportFormat) i;
        return _REPORT_FORMAT_INVALID;
}

const char *report_format_to_string(ReportFormat f) {
        return f >= 0 && f < _REPORT_FORMAT_MAX ? format_names[f] : NULL;
}

int report_render(const Report *r, ReportFormat f, const ReportFormatOptions *o, StrBuf *out) {
        switch (f) {
        case REPORT_FORMAT_TEXT:
                return report_format_text(r, o, out);
        case REPORT_FORMAT_JSON:
                return report_format_json(r, o, out);
        case REPORT_FORMAT_PROMETHEUS:
                return report_format_prometheus(r, o, out);
        case REPORT_FORMAT_HTML:
                return report_format_html(r, o, out);
        default:
                return -EINVAL;
        }
}

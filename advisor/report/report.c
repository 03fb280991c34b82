/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        report - add up the store's daily rows of a window into a Report
 * SYNOPSIS
 *        #include "report.h"
 *        int report_build(Store *s, const ReportOptions *o, Report **ret);
 * DESCRIPTION
 *        One pass over the daily rows of the window (in primary key order: by
 *        day, then host, then domain) and one over the evidence rows. Domains
 *        and hosts are found through open-addressing hash indexes, so the cost
 *        is linear in the number of rows. Tallies are short arrays bounded by
 *        REPORT_TALLY_MAX, MX lists by REPORT_MX_MAX: hostile log content can
 *        grow the report only by its number of domains.
 *        The window and the small helpers shared by the formatters live here too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "report.h"

typedef struct IndexSlot {
        const char *key;                /* owned by the indexed element */
        size_t idx;
} IndexSlot;

/* Open addressing, linear probing, power-of-two capacity, at most half full. */
typedef struct NameIndex {
        IndexSlot *slots;
        size_t cap;
        size_t n;
} NameIndex;

typedef struct Builder {
        Report *report;
        NameIndex domain_index;
        NameIndex host_index;
        NameIndex string_index;         /* Report.strings: one copy of each tally key */
        size_t strings_cap;
        size_t domains_cap;
        size_t hosts_cap;
        size_t days_cap;
        size_t warnings_cap;
        size_t last_domain;             /* SIZE_MAX = none */
        size_t last_host;
} Builder;

typedef enum Kind {
        KIND_TLS,
        KIND_PLAINTEXT,
        KIND_TLS_FAILED,
        KIND_OTHER_FAILED,
        KIND_INTERNAL,
        KIND_UNKNOWN,
} Kind;

static bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static uint64_t hash_string(const char *s) {
        uint64_t h = 0xcbf29ce484222325ULL;       /* FNV-1a */

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 0x100000001b3ULL;
        return h;
}

/* name_index_find - the element index for key, or SIZE_MAX */
static size_t name_index_find(const NameIndex *x, const char *key) {
        if (x->cap == 0)
                return SIZE_MAX;
        for (size_t i = hash_string(key) & (x->cap - 1);; i = (i + 1) & (x->cap - 1)) {
                if (!x->slots[i].key)
                        return SIZE_MAX;
                if (streq(x->slots[i].key, key))
                        return x->slots[i].idx;
        }
}

static void name_index_put_slot(IndexSlot *slots, size_t cap, const char *key, size_t idx) {
        size_t i = hash_string(key) & (cap - 1);

        while (slots[i].key)
                i = (i + 1) & (cap - 1);
        slots[i] = (IndexSlot) { key, idx };
}

static int name_index_add(NameIndex *x, const char *key, size_t idx) {
        if ((x->n + 1) * 2 > x->cap) {
                size_t ncap = x->cap ? x->cap * 2 : 256;
                IndexSlot *n = calloc(ncap, sizeof(*n));

                if (!n)
                        return -ENOMEM;
                for (size_t i = 0; i < x->cap; i++)
                        if (x->slots[i].key)
                                name_index_put_slot(n, ncap, x->slots[i].key, x->slots[i].idx);
                free(x->slots);
                x->slots = n;
                x->cap = ncap;
        }
        name_index_put_slot(x->slots, x->cap, key, idx);
        x->n++;
        return 0;
}

/* grow - make room for one more element in a vector */
static int grow(void **v, size_t *cap, size_t n, size_t size) {
        if (n < *cap)
                return 0;
        size_t ncap = *cap ? *cap * 2 : 16;
        void *p = reallocarray(*v, ncap, size);
        if (!p)
                return -ENOMEM;
        memset((char *) p + *cap * size, 0, (ncap - *cap) * size);
        *v = p;
        *cap = ncap;
        return 0;
}

/* intern - the one copy of s in the report's string storage */
static const char *intern(Builder *b, const char *s) {
        Report *r = b->report;
        size_t i = name_index_find(&b->string_index, s);

        if (i != SIZE_MAX)
                return r->strings[i];
        if (grow((void **) &r->strings, &b->strings_cap, r->n_strings, sizeof(char *)) < 0)
                return NULL;
        r->strings[r->n_strings] = strdup(s);
        if (!r->strings[r->n_strings])
                return NULL;
        if (name_index_add(&b->string_index, r->strings[r->n_strings], r->n_strings) < 0) {
                free(r->strings[r->n_strings]);
                return NULL;
        }
        return r->strings[r->n_strings++];
}

uint64_t tally_get(const Tally *t, const char *key, const char *key2) {
        for (size_t i = 0; i < t->n; i++)
                if (streq(t->entries[i].key, key) &&
                    (key2 ? t->entries[i].key2 && streq(t->entries[i].key2, key2) : !t->entries[i].key2))
                        return t->entries[i].n;
        return 0;
}

/* tally_find - by interned pointers: equal strings are the same pointer */
static TallyEntry *tally_find(const Tally *t, const char *key, const char *key2) {
        for (size_t i = 0; i < t->n; i++)
                if (t->entries[i].key == key && t->entries[i].key2 == key2)
                        return &t->entries[i];
        return NULL;
}

/* tally_add - add n under interned key (and key2); past REPORT_TALLY_MAX keys, under "other" */
static int tally_add(Builder *b, Tally *t, const char *key, const char *key2, uint64_t n) {
        TallyEntry *e = tally_find(t, key, key2);

        if (!e && t->n >= REPORT_TALLY_MAX) {
                key = intern(b, "other");
                key2 = key2 ? key : NULL;
                if (!key)
                        return -ENOMEM;
                e = tally_find(t, key, key2);
        }
        if (!e) {
                /* Capacity: 4, then doubled whenever n reaches a power of two. */
                if (t->n == 0 || (t->n >= 4 && (t->n & (t->n - 1)) == 0)) {
                        TallyEntry *p = reallocarray(t->entries, t->n ? t->n * 2 : 4, sizeof(*p));
                        if (!p)
                                return -ENOMEM;
                        t->entries = p;
                }
                e = &t->entries[t->n++];
                *e = (TallyEntry) { .key = key, .key2 = key2 };
        }
        e->n += n;
        return 0;
}

static int tally_entry_cmp(const void *a, const void *b) {
        const TallyEntry *x = a, *y = b;
        int c = strcmp(x->key, y->key);

        if (c != 0 || !x->key2 || !y->key2)
                return c;
        return strcmp(x->key2, y->key2);
}

static void tally_sort(Tally *t) {
        if (t->n > 1)
                qsort(t->entries, t->n, sizeof(TallyEntry), tally_entry_cmp);
}

static void tally_done(Tally *t) {
        free(t->entries);
        *t = (Tally) { 0 };
}

static void counts_sort(ReportCounts *c) {
        tally_sort(&c->by_protocol);
        tally_sort(&c->by_trust);
        tally_sort(&c->by_level);
        tally_sort(&c->tls_failures);
}

static void counts_done(ReportCounts *c) {
        tally_done(&c->by_protocol);
        tally_done(&c->by_trust);
        tally_done(&c->by_level);
        tally_done(&c->tls_failures);
}

static Kind kind_from_outcome(const char *s) {
        /* Once per row: dispatch on the first letter, then one comparison. */
        switch (s[0]) {
        case 't':
                return streq(s, "tls") ? KIND_TLS : streq(s, "tls_failed") ? KIND_TLS_FAILED : KIND_UNKNOWN;
        case 'p':
                return streq(s, "plaintext") ? KIND_PLAINTEXT : KIND_UNKNOWN;
        case 'o':
                return streq(s, "other_failed") ? KIND_OTHER_FAILED : KIND_UNKNOWN;
        case 'i':
                return streq(s, "internal") ? KIND_INTERNAL : KIND_UNKNOWN;
        default:
                return KIND_UNKNOWN;
        }
}

static const char *or_unknown(const char *s) {
        return *s ? s : "unknown";
}

/* The interned strings of one row. */
typedef struct RowKeys {
        const char *protocol;
        const char *trust;
        const char *reason;
        const char *level;              /* NULL when no tls= token */
} RowKeys;

/* counts_add - one daily row (not internal) into a set of counts */
static int counts_add(Builder *b, ReportCounts *c, const RowKeys *keys, Kind k, uint64_t n) {
        int r = 0;

        switch (k) {
        case KIND_TLS:
                c->tls += n;
                r = tally_add(b, &c->by_protocol, keys->protocol, NULL, n);
                if (r >= 0)
                        r = tally_add(b, &c->by_trust, keys->trust, NULL, n);
                break;
        case KIND_PLAINTEXT:
                c->plaintext += n;
                break;
        case KIND_TLS_FAILED:
                c->tls_failed += n;
                r = tally_add(b, &c->tls_failures, keys->reason, NULL, n);
                break;
        case KIND_OTHER_FAILED:
                c->other_failed += n;
                break;
        default:
                return 0;
        }
        if (r >= 0 && keys->level)
                r = tally_add(b, &c->by_level, keys->level, NULL, n);
        return r;
}

static int builder_day(Builder *b, const char *day, ReportDay **ret) {
        Report *r = b->report;

        if (r->n_days == 0 || !streq(r->days[r->n_days - 1].day, day)) {
                int64_t unused;

                /* Printed unescaped by the formatters: must be a real day. */
                if (strlen(day) != 10 || day_parse(day, &unused) < 0)
                        return -EBADMSG;
                if (grow((void **) &r->days, &b->days_cap, r->n_days, sizeof(ReportDay)) < 0)
                        return -ENOMEM;
                memcpy(r->days[r->n_days++].day, day, 11);
        }
        *ret = &r->days[r->n_days - 1];
        return 0;
}

static int builder_host(Builder *b, const char *host, ReportHost **ret) {
        Report *r = b->report;
        size_t i = b->last_host;

        if (i == SIZE_MAX || !streq(r->hosts[i].host, host)) {
                i = name_index_find(&b->host_index, host);
                if (i == SIZE_MAX) {
                        if (grow((void **) &r->hosts, &b->hosts_cap, r->n_hosts, sizeof(ReportHost)) < 0)
                                return -ENOMEM;
                        i = r->n_hosts;
                        r->hosts[i].host = strdup(host);
                        if (!r->hosts[i].host)
                                return -ENOMEM;
                        r->n_hosts++;
                        if (name_index_add(&b->host_index, r->hosts[i].host, i) < 0)
                                return -ENOMEM;
                }
                b->last_host = i;
        }
        *ret = &r->hosts[i];
        return 0;
}

static int builder_domain(Builder *b, const char *domain, ReportDomain **ret) {
        Report *r = b->report;
        size_t i = b->last_domain;

        if (i == SIZE_MAX || !streq(r->domains[i].domain, domain)) {
                i = name_index_find(&b->domain_index, domain);
                if (i == SIZE_MAX) {
                        if (grow((void **) &r->domains, &b->domains_cap, r->n_domains, sizeof(ReportDomain)) < 0)
                                return -ENOMEM;
                        i = r->n_domains;
                        r->domains[i].domain = strdup(domain);
                        if (!r->domains[i].domain)
                                return -ENOMEM;
                        r->n_domains++;
                        if (name_index_add(&b->domain_index, r->domains[i].domain, i) < 0)
                                return -ENOMEM;
                }
                b->last_domain = i;
        }
        *ret = &r->domains[i];
        return 0;
}

static int domain_add_mx(ReportDomain *d, const char *mx) {
        size_t i;

        if (!*mx)
                return 0;
        for (i = 0; i < d->n_mx; i++) {
                int c = strcmp(d->mx[i], mx);
                if (c == 0)
                        return 0;
                if (c > 0)
                        break;
        }
        if (d->n_mx >= REPORT_MX_MAX) {
                d->mx_truncated = true;
                return 0;
        }
        char *copy = strdup(mx);
        if (!copy)
                return -ENOMEM;
        memmove(d->mx + i + 1, d->mx + i, (d->n_mx - i) * sizeof(char *));
        d->mx[i] = copy;
        d->n_mx++;
        return 0;
}

/* report_add_row - store_query_daily() callback: one row of the window */
static int report_add_row(const DailyRow *row, void *userdata) {
        Builder *b = userdata;
        Report *r = b->report;
        Kind k = kind_from_outcome(row->outcome);
        ReportDay *day;
        ReportHost *host;
        ReportDomain *d;
        int q;

        if (k == KIND_UNKNOWN || row->count == 0)
                return 0;
        q = builder_day(b, row->day, &day);
        if (q >= 0)
                q = builder_host(b, row->host, &host);
        if (q < 0)
                return q;
        if (k == KIND_INTERNAL) {
                r->internal += row->count;
                day->internal += row->count;
                host->internal += row->count;
                return 0;
        }

        RowKeys keys = { 0 };
        if (k == KIND_TLS) {
                keys.protocol = intern(b, or_unknown(row->protocol));
                keys.trust = intern(b, or_unknown(row->trust));
                if (!keys.protocol || !keys.trust)
                        return -ENOMEM;
        } else if (k == KIND_TLS_FAILED && !(keys.reason = intern(b, or_unknown(row->reason))))
                return -ENOMEM;
        if (*row->level && !(keys.level = intern(b, row->level)))
                return -ENOMEM;

        q = builder_domain(b, row->domain, &d);
        if (q >= 0)
                q = counts_add(b, &r->totals, &keys, k, row->count);
        if (q >= 0)
                q = counts_add(b, &day->counts, &keys, k, row->count);
        if (q >= 0)
                q = counts_add(b, &host->counts, &keys, k, row->count);
        if (q >= 0)
                q = counts_add(b, &d->counts, &keys, k, row->count);
        if (q >= 0 && k == KIND_TLS)
                q = tally_add(b, &r->tls_by_protocol_trust, keys.protocol, keys.trust, row->count);
        if (q >= 0)
                q = domain_add_mx(d, row->mx);
        if (q < 0)
                return q;

        if (!streq(d->last_seen, row->day)) {
                if (!d->first_seen[0])
                        memcpy(d->first_seen, row->day, 11);
                memcpy(d->last_seen, row->day, 11);
                d->days_seen++;
        }
        return 0;
}

/* report_add_evidence - store_query_evidence() callback: one (day, host) */
static int report_add_evidence(const EvidenceRow *row, void *userdata) {
        Builder *b = userdata;
        Report *r = b->report;
        ReportWarning *w = NULL;

        int64_t unused;

        if (row->deliveries == 0 || row->tls_lines > 0 || row->tls_fields > 0 ||
            strlen(row->day) != 10 || day_parse(row->day, &unused) < 0)
                return 0;
        for (size_t i = 0; i < r->n_warnings; i++)
                if (streq(r->warnings[i].host, row->host))
                        w = &r->warnings[i];
        if (!w) {
                if (grow((void **) &r->warnings, &b->warnings_cap, r->n_warnings, sizeof(ReportWarning)) < 0)
                        return -ENOMEM;
                w = &r->warnings[r->n_warnings];
                w->host = strdup(row->host);
                if (!w->host)
                        return -ENOMEM;
                r->n_warnings++;
                memcpy(w->first_day, row->day, 11);
        }
        memcpy(w->last_day, row->day, 11);
        w->days++;
        w->deliveries += row->deliveries;
        return 0;
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

static int warning_cmp(const void *a, const void *b) {
        return strcmp(((const ReportWarning *) a)->host, ((const ReportWarning *) b)->host);
}

Report *report_free(Report *r) {
        if (!r)
                return NULL;
        counts_done(&r->totals);
        tally_done(&r->tls_by_protocol_trust);
        for (size_t i = 0; i < r->n_domains; i++) {
                free(r->domains[i].domain);
                counts_done(&r->domains[i].counts);
                for (size_t j = 0; j < r->domains[i].n_mx; j++)
                        free(r->domains[i].mx[j]);
        }
        for (size_t i = 0; i < r->n_hosts; i++) {
                free(r->hosts[i].host);
                counts_done(&r->hosts[i].counts);
        }
        for (size_t i = 0; i < r->n_days; i++)
                counts_done(&r->days[i].counts);
        for (size_t i = 0; i < r->n_warnings; i++)
                free(r->warnings[i].host);
        for (size_t i = 0; i < r->n_strings; i++)
                free(r->strings[i]);
        free(r->strings);
        free(r->domains);
        free(r->hosts);
        free(r->days);
        free(r->warnings);
        free(r->domain_filter);
        free(r->host_filter);
        free(r);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(Report *, report_free)

int report_build(Store *s, const ReportOptions *o, Report **ret) {
        _cleanup_(report_freep) Report *r = NULL;
        int64_t from, to;
        int q;

        if (!s || !o || !ret || !o->from || !o->to ||
            day_parse(o->from, &from) < 0 || day_parse(o->to, &to) < 0 || from > to)
                return -EINVAL;

        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        day_format(from, r->from);
        day_format(to, r->to);
        if ((o->domain && !(r->domain_filter = strdup(o->domain))) ||
            (o->host && !(r->host_filter = strdup(o->host))))
                return -ENOMEM;

        Builder b = { .report = r, .last_domain = SIZE_MAX, .last_host = SIZE_MAX };
        StoreQuery query = {
                .from_day = r->from, .to_day = r->to, .domain = o->domain, .host = o->host,
                /* Rows as stored, without the cipher: no sorting in SQLite. */
                .group = COL_ALL & ~COL_CIPHER,
                .unmerged = true,
        };
        q = store_query_daily(s, &query, report_add_row, &b);
        if (q >= 0) {
                query.group = COL_DAY | COL_HOST;
                query.unmerged = false;
                q = store_query_evidence(s, &query, report_add_evidence, &b);
        }
        free(b.domain_index.slots);
        free(b.host_index.slots);
        free(b.string_index.slots);
        if (q < 0)
                return q;

        counts_sort(&r->totals);
        tally_sort(&r->tls_by_protocol_trust);
        for (size_t i = 0; i < r->n_domains; i++)
                counts_sort(&r->domains[i].counts);
        for (size_t i = 0; i < r->n_hosts; i++)
                counts_sort(&r->hosts[i].counts);
        for (size_t i = 0; i < r->n_days; i++)
                counts_sort(&r->days[i].counts);
        if (r->n_domains > 1)
                qsort(r->domains, r->n_domains, sizeof(ReportDomain), domain_cmp);
        if (r->n_hosts > 1)
                qsort(r->hosts, r->n_hosts, sizeof(ReportHost), host_cmp);
        if (r->n_warnings > 1)
                qsort(r->warnings, r->n_warnings, sizeof(ReportWarning), warning_cmp);

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

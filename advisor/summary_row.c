/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        summary_row - add one daily row into the summary
 * SYNOPSIS
 *        #include "summary_internal.h"
 *        int summary_row_add(const DailyRow *row, void *userdata);
 * DESCRIPTION
 *        The store_query_daily() callback of summary_build(); userdata is the
 *        Builder. Rows come in primary key order, so days ascend: a domain's
 *        distinct days are counted by remembering the last day counted, and
 *        the logging-off state is looked up only when the day or the host
 *        changes. The rules (what counts where) are in summary.h.
 * DIAGNOSTICS
 *        0, -EBADMSG a malformed or out-of-order day, -ENOMEM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "summary_internal.h"
#include "template.h"
#include "util.h"

typedef enum Kind {
        KIND_TLS,
        KIND_PLAINTEXT,
        KIND_TLS_FAILED,
        KIND_OTHER_FAILED,
        KIND_INTERNAL,
        KIND_UNKNOWN,
} Kind;

enum {
        LEVEL_DANE = 1 << 0,            /* dane or dane-only, maybe undecided ("dane?") */
        LEVEL_DANE_DOWNGRADE = 1 << 1,  /* dane:encrypt, dane-only:..., halfdane:... */
};

/* The interned strings of one row. */
typedef struct RowKeys {
        const char *protocol, *trust, *level, *reason, *mx;
} RowKeys;

static bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

/* kind_from_outcome - the one place that reads the outcome words of the store */
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

static bool kind_delivered(Kind k) {
        return k == KIND_TLS || k == KIND_PLAINTEXT;
}

static unsigned level_flags(const char *level) {
        size_t n = strcspn(level, "?/");
        unsigned f = 0;

        if ((n == 4 && strncmp(level, "dane", 4) == 0) || (n == 9 && strncmp(level, "dane-only", 9) == 0))
                f |= LEVEL_DANE;
        if (strncmp(level, "dane:", 5) == 0 || strncmp(level, "dane-only:", 10) == 0 ||
            strncmp(level, "halfdane:", 9) == 0)
                f |= LEVEL_DANE_DOWNGRADE;
        return f;
}

static void set_bit(uint8_t *map, size_t i) {
        if (map)
                map[i / 8] |= (uint8_t) (1u << (i % 8));
}

/* builder_day - a new day of the scan: a real day of the window, after the previous one */
static int builder_day(Builder *b, const char *day) {
        Summary *m = b->m;
        int64_t n;

        /* Printed unescaped by the formatters: must be a real day. */
        if (strlen(day) != 10 || day_parse(day, &n) < 0 || n < m->from_day || n > m->to_day ||
            (m->n_days > 0 && n <= b->day))
                return -EBADMSG;
        if (summary_grow((void **) &m->days, &b->cap_days, m->n_days, sizeof(SummaryDay)) < 0)
                return -ENOMEM;
        memcpy(m->days[m->n_days++].day, day, 11);
        b->day = n;
        return 0;
}

/* builder_place - the day and host of a row; the logging-off state when either changed */
static int builder_place(Builder *b, const char *day, const char *host) {
        Summary *m = b->m;
        bool moved = false;
        int r;

        if (m->n_days == 0 || !streq(m->days[m->n_days - 1].day, day)) {
                r = builder_day(b, day);
                if (r < 0)
                        return r;
                moved = true;
        }
        if (b->host == SIZE_MAX || !streq(m->hosts[b->host].host, host)) {
                r = summary_by_name(b, &m->names->hosts, host, (void **) &m->hosts, &m->n_hosts,
                                    &b->cap_hosts, sizeof(SummaryHost), &b->host);
                if (r < 0)
                        return r;
                moved = true;
        }
        if (moved)
                b->off = m->n_logging_off > 0 && summary_logging_was_off(m, b->day, host);
        return 0;
}

static int domain_new(Builder *b, const char *name, uint64_t h) {
        Summary *m = b->m;
        size_t i = m->n_domains;
        SummaryDomain *d;

        if (summary_grow((void **) &m->domains, &b->cap_domains, i, sizeof(SummaryDomain)) < 0 ||
            summary_grow((void **) &b->marks, &b->cap_marks, i, sizeof(DomainMarks)) < 0)
                return -ENOMEM;
        d = &m->domains[i];
        b->marks[i] = (DomainMarks) { INT64_MIN, INT64_MIN, INT64_MIN, SIZE_MAX };
        d->domain = summary_names_intern(m->names, name);
        if (!d->domain)
                return -ENOMEM;
        if (b->day_maps) {
                d->seen_map = calloc(b->map_bytes, 1);
                d->delivered_map = calloc(b->map_bytes, 1);
                d->off_map = calloc(b->map_bytes, 1);
        }
        m->n_domains++;         /* from here on summary_free() frees what is there */
        if (b->day_maps && (!d->seen_map || !d->delivered_map || !d->off_map))
                return -ENOMEM;
        return name_table_add(&m->names->domains, d->domain, h, i);
}

/* builder_domain - the index of the row's domain, added when new
 *
 * Every day the rows list the domains in the same order, so the domain that
 * followed the previous one last time is tried before the name table. */
static int builder_domain(Builder *b, const char *name) {
        Summary *m = b->m;
        size_t prev = b->domain, i;
        uint64_t h;
        int r;

        if (prev != SIZE_MAX && streq(m->domains[prev].domain, name))
                return 0;
        if (prev != SIZE_MAX && (i = b->marks[prev].next) != SIZE_MAX && streq(m->domains[i].domain, name)) {
                b->domain = i;
                return 0;
        }
        h = name_hash(name);
        i = name_table_find(&m->names->domains, name, h);
        if (i == SIZE_MAX) {
                i = m->n_domains;
                r = domain_new(b, name, h);
                if (r < 0)
                        return r;
        }
        if (prev != SIZE_MAX)
                b->marks[prev].next = i;
        b->domain = i;
        return 0;
}

/* recent_intern - the interned s, found among the recent values of its column when it is one */
static const char *recent_intern(Builder *b, Recent *c, const char *s) {
        const char *p;

        if (c->n > 0 && streq(c->v[c->hit], s))
                return c->v[c->hit];
        for (unsigned i = 0; i < c->n; i++)
                if (streq(c->v[i], s)) {
                        c->hit = i;
                        return c->v[i];
                }
        p = summary_names_intern(b->m->names, s);
        if (!p)
                return NULL;
        c->hit = c->n < RECENT_MAX ? c->n++ : c->next;
        c->next = (c->hit + 1) % RECENT_MAX;
        c->v[c->hit] = p;
        return p;
}

/* mx_intern - the interned MX name: usually one the domain already has */
static const char *mx_intern(Builder *b, const char *mx) {
        const SummaryTally *t = &b->m->domains[b->domain].mx;

        for (uint32_t i = 0; i < t->n && i < RECENT_MAX; i++)
                if (streq(t->items[i].key, mx))
                        return t->items[i].key;
        return summary_names_intern(b->m->names, mx);
}

/* row_keys - the strings of a row of the current domain, interned */
static int row_keys(Builder *b, const DailyRow *row, RowKeys *ret) {
        *ret = (RowKeys) {
                .protocol = recent_intern(b, &b->recent[0], row->protocol),
                .trust = recent_intern(b, &b->recent[1], row->trust),
                .level = recent_intern(b, &b->recent[2], row->level),
                .reason = recent_intern(b, &b->recent[3], row->reason),
                .mx = mx_intern(b, row->mx),
        };
        if (!ret->protocol || !ret->trust || !ret->level || !ret->reason || !ret->mx)
                return -ENOMEM;
        return 0;
}

/* counts_add - one outcome row into a set of counts */
static int counts_add(SummaryCounts *c, const RowKeys *keys, Kind k, uint64_t n, bool known) {
        int r = 0;

        switch (k) {
        case KIND_TLS:
                c->tls += n;
                r = summary_tally_add(&c->protocols, keys->protocol, NULL, n, known);
                if (r >= 0)
                        r = summary_tally_add(&c->trust, keys->trust, NULL, n, known);
                break;
        case KIND_PLAINTEXT:
                c->plaintext += n;
                break;
        case KIND_TLS_FAILED:
                c->tls_failed += n;
                r = summary_tally_add(&c->reasons, keys->reason, NULL, n, known);
                break;
        case KIND_OTHER_FAILED:
                c->other_failed += n;
                break;
        default:
                return 0;
        }
        if (r >= 0 && *keys->level)
                r = summary_tally_add(&c->levels, keys->level, NULL, n, known);
        return r;
}

/* domain_days - the day counts and maps of one outcome row */
static void domain_days(Builder *b, SummaryDomain *d, DomainMarks *mk, Kind k, bool known) {
        size_t bit = (size_t) (b->day - b->m->from_day);

        if (mk->seen != b->day) {
                mk->seen = b->day;
                d->days_seen++;
                if (!d->first_seen[0])
                        memcpy(d->first_seen, b->m->days[b->m->n_days - 1].day, 11);
                memcpy(d->last_seen, b->m->days[b->m->n_days - 1].day, 11);
                set_bit(d->seen_map, bit);
        }
        if (!kind_delivered(k))
                return;
        if (known && mk->delivered != b->day) {
                mk->delivered = b->day;
                d->days_delivered++;
                set_bit(d->delivered_map, bit);
        } else if (!known && mk->off != b->day) {
                mk->off = b->day;
                d->logging_off_days++;
                set_bit(d->off_map, bit);
        }
}

/* domain_known - the advisor's figures of one row whose TLS status is known */
static void domain_known(Builder *b, SummaryDomain *d, const RowKeys *keys, Kind k, uint64_t n) {
        SummaryHalf *half = b->day >= b->m->split_day ? &d->late : &d->early;

        if (keys->level != b->flags_of) {
                b->flags = level_flags(keys->level);
                b->flags_of = keys->level;
        }
        if (b->flags & LEVEL_DANE_DOWNGRADE)
                d->dane_downgraded += n;
        if (k == KIND_TLS) {
                if (keys->protocol != b->rank_of) {
                        b->rank = tls_protocol_rank(keys->protocol);
                        b->rank_of = keys->protocol;
                }
                d->known_tls += n;
                half->tls += n;
                if (b->rank < 0)
                        d->unknown_protocol += n;
                else if (b->rank <= 3)
                        d->weak_protocol += n;
                if ((b->flags & LEVEL_DANE) && streq(keys->trust, "Verified"))
                        d->dane_verified += n;
        } else if (k == KIND_PLAINTEXT) {
                d->known_plaintext += n;
                half->plaintext += n;
        } else if (k == KIND_TLS_FAILED)
                half->tls_failed += n;
}

/* domain_add - one outcome row into its domain */
static int domain_add(Builder *b, const RowKeys *keys, Kind k, uint64_t n, bool known) {
        SummaryDomain *d = &b->m->domains[b->domain];
        int r;

        r = counts_add(&d->counts, keys, k, n, known);
        if (r >= 0 && *keys->mx)
                r = summary_tally_add(&d->mx, keys->mx, NULL, n, known && kind_delivered(k));
        if (r < 0)
                return r;
        domain_days(b, d, &b->marks[b->domain], k, known);
        if (known)
                domain_known(b, d, keys, k, n);
        else
                d->logging_off += n;
        return 0;
}

static void add_internal(Builder *b, uint64_t n) {
        b->m->internal += n;
        b->m->days[b->m->n_days - 1].internal += n;
        b->m->hosts[b->host].internal += n;
}

/* summary_row_add - store_query_daily() callback: one row of the window */
int summary_row_add(const DailyRow *row, void *userdata) {
        Builder *b = userdata;
        Summary *m = b->m;
        Kind k = kind_from_outcome(row->outcome);
        uint64_t n = row->count;
        RowKeys keys;
        bool known;
        int r;

        if (k == KIND_UNKNOWN || n == 0)
                return 0;
        r = builder_place(b, row->day, row->host);
        if (r < 0)
                return r;
        if (k == KIND_INTERNAL) {
                add_internal(b, n);
                return 0;
        }
        r = builder_domain(b, row->domain);
        if (r >= 0)
                r = row_keys(b, row, &keys);
        if (r < 0)
                return r;

        known = !(kind_delivered(k) && b->off);
        r = counts_add(&m->totals, &keys, k, n, known);
        if (r >= 0)
                r = counts_add(&m->days[m->n_days - 1].counts, &keys, k, n, known);
        if (r >= 0)
                r = counts_add(&m->hosts[b->host].counts, &keys, k, n, known);
        if (r >= 0 && k == KIND_TLS)
                r = summary_tally_add(&m->tls_by_protocol_trust, keys.protocol, keys.trust, n, known);
        if (r >= 0)
                r = domain_add(b, &keys, k, n, known);
        return r;
}


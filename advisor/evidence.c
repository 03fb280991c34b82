/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        evidence - per-domain delivery statistics over a window, from the store
 * DESCRIPTION
 *        See evidence.h. One pass over the grouped daily rows; domains are
 *        found through an open-addressing hash table and sorted at the end so
 *        that every output is in a stable order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "evidence.h"
#include "template.h"
#include "util.h"

typedef struct OffKey {
        int64_t day;
        char *host;
} OffKey;

typedef struct Collect {
        Evidence *ev;
        OffKey *off;
        size_t n_off, cap_off;
        size_t window;                  /* days in the window */
        int error;
} Collect;

/* evidence_free - NULL-safe */
Evidence *evidence_free(Evidence *e) {
        if (!e)
                return NULL;
        for (size_t i = 0; i < e->n_domains; i++) {
                domain_stats_done(e->domains[i]);
                free(e->domains[i]);
        }
        for (size_t i = 0; i < e->n_logging_off; i++)
                free(e->logging_off[i].host);
        free(e->logging_off);
        free(e->domains);
        free(e->hash);
        free(e);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(Evidence *, evidence_free)

static uint64_t hash_name(const char *s) {
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= 1099511628211ULL;
        }
        return h;
}

static int hash_grow(Evidence *e) {
        size_t size = e->hash_size ? e->hash_size * 2 : 256;
        size_t *h;

        /* a rebuild from scratch must still leave at least half the slots free */
        while (size < (e->n_domains + 1) * 2)
                size *= 2;
        h = calloc(size, sizeof(size_t));

        if (!h)
                return -ENOMEM;
        for (size_t i = 0; i < e->n_domains; i++) {
                size_t k = hash_name(e->domains[i]->domain) & (size - 1);
                while (h[k])
                        k = (k + 1) & (size - 1);
                h[k] = i + 1;
        }
        free(e->hash);
        e->hash = h;
        e->hash_size = size;
        return 0;
}

/* domain_get - find or add */
static DomainStats *domain_get(Evidence *e, const char *domain, size_t window, int *error) {
        if (e->hash_size == 0 || (e->n_domains + 1) * 2 > e->hash_size) {
                *error = hash_grow(e);
                if (*error < 0)
                        return NULL;
        }
        size_t k = hash_name(domain) & (e->hash_size - 1);
        while (e->hash[k]) {
                DomainStats *d = e->domains[e->hash[k] - 1];
                if (strcmp(d->domain, domain) == 0)
                        return d;
                k = (k + 1) & (e->hash_size - 1);
        }

        if (e->n_domains == e->cap) {
                size_t ncap = e->cap ? e->cap * 2 : 64;
                DomainStats **n = realloc(e->domains, ncap * sizeof(*n));
                if (!n)
                        goto oom;
                e->domains = n;
                e->cap = ncap;
        }
        DomainStats *d = calloc(1, sizeof(*d));
        if (!d)
                goto oom;
        d->domain = strdup(domain);
        d->daymap = calloc((window + 7) / 8, 1);
        d->offmap = calloc((window + 7) / 8, 1);
        if (!d->domain || !d->daymap || !d->offmap) {
                domain_stats_done(d);
                free(d);
                goto oom;
        }
        e->domains[e->n_domains++] = d;
        e->hash[k] = e->n_domains;
        return d;
oom:
        *error = -ENOMEM;
        return NULL;
}

static int cmp_off(const void *a, const void *b) {
        const OffKey *x = a, *y = b;
        if (x->day != y->day)
                return x->day < y->day ? -1 : 1;
        return strcmp(x->host, y->host);
}

static int on_evidence(const EvidenceRow *row, void *userdata) {
        Collect *c = userdata;
        int64_t day;

        if (row->deliveries == 0 || row->tls_lines > 0 || row->tls_fields > 0)
                return 0;
        if (day_parse(row->day, &day) < 0 || day < c->ev->from_days || day > c->ev->to_days)
                return 0;
        if (c->n_off == c->cap_off) {
                size_t ncap = c->cap_off ? c->cap_off * 2 : 16;
                OffKey *n = realloc(c->off, ncap * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                c->off = n;
                c->cap_off = ncap;
        }
        char *host = strdup(row->host ? row->host : "");
        if (!host)
                return -ENOMEM;
        c->off[c->n_off++] = (OffKey) { day, host };

        Evidence *e = c->ev;
        LoggingOff *lo = NULL;
        for (size_t i = 0; i < e->n_logging_off; i++)
                if (strcmp(e->logging_off[i].host, host) == 0)
                        lo = &e->logging_off[i];
        if (!lo) {
                LoggingOff *n = realloc(e->logging_off, (e->n_logging_off + 1) * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                e->logging_off = n;
                lo = &e->logging_off[e->n_logging_off];
                *lo = (LoggingOff) { .host = strdup(host) };
                if (!lo->host)
                        return -ENOMEM;
                day_format(day, lo->first_day);
                day_format(day, lo->last_day);
                e->n_logging_off++;
        }
        char canonical[11];
        day_format(day, canonical);
        lo->days++;
        lo->deliveries += row->deliveries;
        if (strcmp(canonical, lo->first_day) < 0)
                memcpy(lo->first_day, canonical, sizeof(canonical));
        if (strcmp(canonical, lo->last_day) > 0)
                memcpy(lo->last_day, canonical, sizeof(canonical));
        return 0;
}

static bool logging_was_off(const Collect *c, int64_t day, const char *host) {
        OffKey key = { day, (char *) (host ? host : "") };
        return c->n_off > 0 && bsearch(&key, c->off, c->n_off, sizeof(OffKey), cmp_off) != NULL;
}

/* level_is_dane_verified - "dane" or "dane-only", maybe undecided, never "!x" or "x:y" */
static bool level_is_dane(const char *level) {
        size_t n = strcspn(level, "?/");
        return (n == 4 && strncmp(level, "dane", 4) == 0) || (n == 9 && strncmp(level, "dane-only", 9) == 0);
}

static bool level_is_dane_downgrade(const char *level) {
        return strncmp(level, "dane:", 5) == 0 || strncmp(level, "dane-only:", 10) == 0 ||
               strncmp(level, "halfdane:", 9) == 0;
}

static void set_bit(uint8_t *map, size_t i) {
        map[i / 8] |= (uint8_t) (1u << (i % 8));
}

static int on_daily(const DailyRow *row, void *userdata) {
        Collect *c = userdata;
        Evidence *e = c->ev;
        const char *outcome = row->outcome ? row->outcome : "";
        const char *level = row->level ? row->level : "";
        int64_t day;
        int r = 0;

        e->rows++;
        if (!row->domain || !*row->domain || row->count == 0)
                return 0;
        if (strcmp(outcome, "tls") != 0 && strcmp(outcome, "plaintext") != 0 &&
            strcmp(outcome, "tls_failed") != 0 && strcmp(outcome, "other_failed") != 0)
                return 0;               /* internal hops and unknown kinds */
        if (day_parse(row->day, &day) < 0 || day < e->from_days || day > e->to_days)
                return 0;

        DomainStats *d = domain_get(e, row->domain, c->window, &r);
        if (!d)
                return r;
        size_t bit = (size_t) (day - e->from_days);
        bool delivered = strcmp(outcome, "tls") == 0 || strcmp(outcome, "plaintext") == 0;
        HalfCounts *half = day >= e->split_days ? &d->late : &d->early;
        uint64_t n = row->count;

        if (delivered && logging_was_off(c, day, row->host)) {
                d->logging_off += n;
                set_bit(d->offmap, bit);
                return 0;
        }

        r = count_list_add(&d->levels, level, n);
        if (r < 0)
                return r;
        if (strcmp(outcome, "tls") == 0) {
                const char *proto = row->protocol ? row->protocol : "";
                int rank = tls_protocol_rank(proto);

                d->tls += n;
                half->tls += n;
                if (rank < 0)
                        d->unknown_protocol += n;
                else if (rank <= 3)
                        d->weak_protocol += n;
                if (row->trust && strcmp(row->trust, "Verified") == 0 && level_is_dane(level))
                        d->dane_verified += n;
                r = count_list_add(&d->protocols, proto, n);
                if (r >= 0)
                        r = count_list_add(&d->trust, row->trust ? row->trust : "", n);
        } else if (strcmp(outcome, "plaintext") == 0) {
                d->plaintext += n;
                half->plaintext += n;
        } else if (strcmp(outcome, "tls_failed") == 0) {
                d->tls_failed += n;
                half->tls_failed += n;
                r = count_list_add(&d->reasons, row->reason ? row->reason : "", n);
        } else
                d->other_failed += n;
        if (r < 0)
                return r;
        if (level_is_dane_downgrade(level))
                d->dane_downgraded += n;

        if (delivered) {
                char canonical[11];
                day_format(day, canonical);
                set_bit(d->daymap, bit);
                domain_stats_seen(d, canonical);
                if (row->mx && *row->mx)
                        r = count_list_add(&d->mx, row->mx, n);
        }
        return r;
}

static int cmp_domain(const void *a, const void *b) {
        return strcmp((*(DomainStats *const *) a)->domain, (*(DomainStats *const *) b)->domain);
}

static int cmp_logging_off(const void *a, const void *b) {
        return strcmp(((const LoggingOff *) a)->host, ((const LoggingOff *) b)->host);
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

/* evidence_collect - read [from_day, to_day] from the store */
int evidence_collect(Store *s, const char *from_day, const char *to_day, Evidence **ret) {
        _cleanup_(evidence_freep) Evidence *e = NULL;
        Collect c = { 0 };
        int r;

        e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        if (day_parse(from_day, &e->from_days) < 0 || day_parse(to_day, &e->to_days) < 0 ||
            e->to_days < e->from_days || e->to_days - e->from_days >= TEMPLATE_WINDOW_MAX)
                return -EINVAL;
        e->split_days = e->from_days + (e->to_days - e->from_days + 1) / 2;
        day_format(e->from_days, e->from);
        day_format(e->to_days, e->to);
        day_format(e->split_days, e->split);
        c.ev = e;
        c.window = (size_t) (e->to_days - e->from_days + 1);

        StoreQuery q = {
                .from_day = e->from,
                .to_day = e->to,
                .group = COL_DAY | COL_HOST,
        };
        r = store_query_evidence(s, &q, on_evidence, &c);
        if (r >= 0 && c.n_off > 0)
                qsort(c.off, c.n_off, sizeof(OffKey), cmp_off);
        if (r >= 0) {
                q.group = COL_DAY | COL_HOST | COL_DOMAIN | COL_MX | COL_PROTOCOL | COL_TRUST |
                          COL_LEVEL | COL_OUTCOME | COL_REASON;
                r = store_query_daily(s, &q, on_daily, &c);
        }
        for (size_t i = 0; i < c.n_off; i++)
                free(c.off[i].host);
        free(c.off);
        if (r < 0)
                return r;

        for (size_t i = 0; i < e->n_domains; i++) {
                DomainStats *d = e->domains[i];
                d->days = day_map_count(d->daymap, c.window);
                d->logging_off_days = day_map_count(d->offmap, c.window);
                count_list_sort(&d->protocols);
                count_list_sort(&d->trust);
                count_list_sort(&d->levels);
                count_list_sort(&d->reasons);
                count_list_sort(&d->mx);
        }
        if (e->n_domains > 0)
                qsort(e->domains, e->n_domains, sizeof(DomainStats *), cmp_domain);
        if (e->n_logging_off > 0)
                qsort(e->logging_off, e->n_logging_off, sizeof(LoggingOff), cmp_logging_off);
        /* the hash indexes are stale after sorting: rebuild */
        free(e->hash);
        e->hash = NULL;
        e->hash_size = 0;
        r = hash_grow(e);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(e);
        return 0;
}

/* evidence_find - stats of one domain (exact, as stored) */
const DomainStats *evidence_find(const Evidence *e, const char *domain) {
        if (!e || !domain || e->hash_size == 0)
                return NULL;
        size_t k = hash_name(domain) & (e->hash_size - 1);
        while (e->hash[k]) {
                DomainStats *d = e->domains[e->hash[k] - 1];
                if (strcmp(d->domain, domain) == 0)
                        return d;
                k = (k + 1) & (e->hash_size - 1);
        }
        return NULL;
}


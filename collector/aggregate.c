/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        aggregate - in-memory daily aggregates of outcomes and TLS evidence
 * SYNOPSIS
 *        #include "aggregate.h"
 *        int aggregates_add(Aggregates *a, const Outcome *o);
 * DESCRIPTION
 *        Three HashMaps (common/hashmap.h): the interned strings (a set; a
 *        string's ordinal is its map index), and the daily and evidence rows,
 *        keyed by structs of ordinals and enums. A day is the number of whole
 *        UTC days since the epoch (Unix time has no leap seconds), formatted
 *        only when rows are written out.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "cleanup.h"
#include "hashmap.h"
#include "timeutil.h"

/* The key of a daily row; its bytes are the map key, so the padding has a name and is 0. */
typedef struct DailyKey {
        int64_t day;
        uint32_t host, domain, mx, protocol, cipher, level;     /* string ordinals */
        int32_t trust, outcome, reason;
        uint32_t zero;
} DailyKey;
_Static_assert(sizeof(DailyKey) == 48, "DailyKey has unnamed padding");

typedef struct EvidenceKey {
        int64_t day;
        uint32_t host;                  /* string ordinal */
        uint32_t zero;
} EvidenceKey;
_Static_assert(sizeof(EvidenceKey) == 16, "EvidenceKey has unnamed padding");

typedef struct EvidenceCounts {
        uint64_t deliveries, tls_lines, tls_fields;
} EvidenceCounts;

/* The string fields of a row: each remembers the last string it interned, since
 * consecutive outcomes mostly repeat the host and often the protocol, cipher, ... */
typedef enum Field {
        FIELD_HOST,
        FIELD_DOMAIN,
        FIELD_MX,
        FIELD_PROTOCOL,
        FIELD_CIPHER,
        FIELD_LEVEL,
        _FIELD_MAX,
} Field;

struct Aggregates {
        HashMap *strings;               /* interned strings, a set: the ordinal is the map index */
        uint32_t last[_FIELD_MAX];      /* ordinal of the field's last string */
        const char *last_str[_FIELD_MAX]; /* and the string, NULL when unknown */
        HashMap *daily;                 /* DailyKey -> uint64_t count */
        HashMap *evidence;              /* EvidenceKey -> EvidenceCounts */
        int error;
};

Aggregates *aggregates_new(void) {
        Aggregates *a = calloc(1, sizeof(Aggregates));

        if (!a)
                return NULL;
        if (hashmap_new(&(HashMapOptions) { 0 }, &a->strings) < 0 ||
            hashmap_new(&(HashMapOptions) { .value_size = sizeof(uint64_t), .key_size = sizeof(DailyKey) },
                        &a->daily) < 0 ||
            hashmap_new(&(HashMapOptions) { .value_size = sizeof(EvidenceCounts), .key_size = sizeof(EvidenceKey) },
                        &a->evidence) < 0)
                return aggregates_free(a);
        return a;
}

Aggregates *aggregates_free(Aggregates *a) {
        if (!a)
                return NULL;
        hashmap_free(a->strings);
        hashmap_free(a->daily);
        hashmap_free(a->evidence);
        free(a);
        return NULL;
}

/* aggregates_clear - forget every row, keep the memory for the next run */
void aggregates_clear(Aggregates *a) {
        if (!a)
                return;
        hashmap_clear(a->strings);
        hashmap_clear(a->daily);
        hashmap_clear(a->evidence);
        memset(a->last_str, 0, sizeof(a->last_str));
        a->error = 0;
}

/* string - the interned string of an ordinal */
static const char *string(const Aggregates *a, uint32_t ordinal) {
        return hashmap_key_at(a->strings, ordinal, NULL);
}

/* intern_field - the ordinal of string s, added when new; the field's last string is
 * checked first */
static int intern_field(Aggregates *a, Field f, const char *s, uint32_t *ret) {
        void *v;
        int r;

        if (a->last_str[f] && strcmp(a->last_str[f], s) == 0) {
                *ret = a->last[f];
                return 0;
        }
        r = hashmap_put_str(a->strings, s, &v);
        if (r < 0)
                return r;
        if (r > 0)
                memset(a->last_str, 0, sizeof(a->last_str));   /* a new key may move the others */
        *ret = (uint32_t) hashmap_index_of(a->strings, v);
        a->last[f] = *ret;
        a->last_str[f] = string(a, *ret);
        return 0;
}

static const char *nonnull(const char *s) {
        return s ? s : "";
}

int aggregates_add(Aggregates *a, const Outcome *o) {
        DailyKey key = { .day = (int64_t) (o ? o->realtime_usec / USEC_PER_DAY : 0) };
        uint64_t *count;
        int r;

        if (!a || !o || o->kind < 0 || o->kind >= _OUTCOME_KIND_MAX || o->trust < 0 ||
            o->trust >= _TRUST_MAX || o->reason < 0 || o->reason >= _FAIL_REASON_MAX)
                return -EINVAL;
        key.trust = o->trust;
        key.outcome = o->kind;
        key.reason = o->reason;
        if ((r = intern_field(a, FIELD_HOST, nonnull(o->hostname), &key.host)) < 0 ||
            (r = intern_field(a, FIELD_DOMAIN, nonnull(o->domain), &key.domain)) < 0 ||
            (r = intern_field(a, FIELD_MX, nonnull(o->mx), &key.mx)) < 0 ||
            (r = intern_field(a, FIELD_PROTOCOL, nonnull(o->protocol), &key.protocol)) < 0 ||
            (r = intern_field(a, FIELD_CIPHER, nonnull(o->cipher), &key.cipher)) < 0 ||
            (r = intern_field(a, FIELD_LEVEL, nonnull(o->level), &key.level)) < 0)
                return r;

        r = hashmap_put(a->daily, &key, sizeof key, (void **) &count);
        if (r < 0)
                return r;
        (*count)++;
        return 0;
}

void aggregates_outcome_fn(const Outcome *o, void *userdata) {
        Aggregates *a = userdata;
        int r;

        r = aggregates_add(a, o);
        if (r < 0 && a && a->error == 0)
                a->error = r;
}

int aggregates_error(const Aggregates *a) {
        return a ? a->error : -EINVAL;
}

static int evidence_get(Aggregates *a, uint64_t usec, const char *host, EvidenceCounts **ret) {
        EvidenceKey key = { .day = (int64_t) (usec / USEC_PER_DAY) };
        int r;

        r = intern_field(a, FIELD_HOST, host, &key.host);
        if (r < 0)
                return r;
        r = hashmap_put(a->evidence, &key, sizeof key, (void **) ret);
        return r < 0 ? r : 0;
}

int aggregates_note_event(Aggregates *a, const PfRecord *rec, const Event *ev) {
        EvidenceCounts *e;
        int r;

        if (!a || !rec || !ev)
                return -EINVAL;
        if (ev->type != EVENT_DELIVERY && ev->type != EVENT_TLS_ESTABLISHED && ev->type != EVENT_TLS_REUSED)
                return 0;
        if (!rec->identifier || identifier_program(rec->identifier) != PROGRAM_SMTP)
                return 0;

        r = evidence_get(a, rec->realtime_usec, nonnull(rec->hostname), &e);
        if (r < 0)
                return r;
        if (ev->type == EVENT_DELIVERY) {
                e->deliveries++;
                if (ev->delivery.has_tls_field)
                        e->tls_fields++;
        } else
                e->tls_lines++;
        return 0;
}

size_t aggregates_count_rows(const Aggregates *a) {
        return a ? hashmap_size(a->daily) : 0;
}

size_t aggregates_count_evidence_rows(const Aggregates *a) {
        return a ? hashmap_size(a->evidence) : 0;
}

/* daily_row - the row at map index i, with its day formatted into day */
static DailyRow daily_row(const Aggregates *a, size_t i, char day[static 11]) {
        const DailyKey *k = hashmap_key_at(a->daily, i, NULL);
        const uint64_t *count = hashmap_value_at(a->daily, i);

        day_format(k->day, day);
        return (DailyRow) {
                .day = day,
                .host = string(a, k->host),
                .domain = string(a, k->domain),
                .mx = string(a, k->mx),
                .protocol = string(a, k->protocol),
                .cipher = string(a, k->cipher),
                .trust = nonnull(trust_to_string((Trust) k->trust)),
                .level = string(a, k->level),
                .outcome = nonnull(outcome_kind_to_string((OutcomeKind) k->outcome)),
                .reason = k->reason == FAIL_NONE ? "" :
                        nonnull(fail_reason_to_string((FailReason) k->reason)),
                .count = *count,
        };
}

/* evidence_row - the row at map index i, with its day formatted into day */
static EvidenceRow evidence_row(const Aggregates *a, size_t i, char day[static 11]) {
        const EvidenceKey *k = hashmap_key_at(a->evidence, i, NULL);
        const EvidenceCounts *e = hashmap_value_at(a->evidence, i);

        day_format(k->day, day);
        return (EvidenceRow) {
                .day = day,
                .host = string(a, k->host),
                .deliveries = e->deliveries,
                .tls_lines = e->tls_lines,
                .tls_fields = e->tls_fields,
        };
}

int aggregates_foreach_daily(const Aggregates *a, DailyRowFn fn, void *userdata) {
        if (!a || !fn)
                return -EINVAL;
        for (size_t i = 0; hashmap_next(a->daily, &i, NULL); i++) {
                char day[11];
                DailyRow row = daily_row(a, i, day);
                int r;

                r = fn(&row, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

int aggregates_foreach_evidence(const Aggregates *a, EvidenceRowFn fn, void *userdata) {
        if (!a || !fn)
                return -EINVAL;
        for (size_t i = 0; hashmap_next(a->evidence, &i, NULL); i++) {
                char day[11];
                EvidenceRow row = evidence_row(a, i, day);
                int r;

                r = fn(&row, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A row's key as ranks that sort like the store's primary key (strings compared bytewise). */
typedef struct SortKey {
        int64_t day;
        uint32_t rank[9];               /* host, domain, mx, protocol, cipher, trust, level, outcome, reason */
        uint32_t idx;                   /* map index */
} SortKey;

static int rank_cmp(const void *x, const void *y) {
        const SortKey *p = x, *q = y;

        if (p->day != q->day)
                return p->day < q->day ? -1 : 1;
        for (size_t i = 0; i < ELEMENTSOF(p->rank); i++)
                if (p->rank[i] != q->rank[i])
                        return p->rank[i] < q->rank[i] ? -1 : 1;
        return 0;
}

static int ordinal_cmp(const void *x, const void *y, void *userdata) {
        return strcmp(string(userdata, *(const uint32_t *) x), string(userdata, *(const uint32_t *) y));
}

/* enum_ranks - rank[i] = position of name(i) among the n names in bytewise order */
static void enum_ranks(uint32_t *rank, size_t n, const char *(*name)(int v, void *u), void *u) {
        for (size_t i = 0; i < n; i++) {
                rank[i] = 0;
                for (size_t j = 0; j < n; j++) {
                        int c = strcmp(name((int) j, u), name((int) i, u));

                        if (c < 0 || (c == 0 && j < i))
                                rank[i]++;
                }
        }
}

static const char *trust_name(int v, void *u) {
        return nonnull(trust_to_string((Trust) v));
}

static const char *outcome_name(int v, void *u) {
        return nonnull(outcome_kind_to_string((OutcomeKind) v));
}

static const char *reason_name(int v, void *u) {
        return v == FAIL_NONE ? "" : nonnull(fail_reason_to_string((FailReason) v));
}

/* daily_order - map indexes of the rows in the store's primary key order, so that a flush
 * fills the table's B-tree front to back instead of at random places; malloc'd, NULL on OOM */
static SortKey *daily_order(const Aggregates *a) {
        uint32_t trust[_TRUST_MAX], outcome[_OUTCOME_KIND_MAX], reason[_FAIL_REASON_MAX];
        size_t n_str = hashmap_end(a->strings), n = 0;
        _cleanup_free_ uint32_t *ordinals = NULL, *rank = NULL;
        SortKey *keys;

        /* by string ordinal: its position in bytewise order */
        ordinals = reallocarray(NULL, n_str, sizeof(uint32_t));
        rank = reallocarray(NULL, n_str, sizeof(uint32_t));
        keys = reallocarray(NULL, hashmap_size(a->daily), sizeof(SortKey));
        if (!ordinals || !rank || !keys) {
                free(keys);
                return NULL;
        }
        for (size_t i = 0; i < n_str; i++)
                ordinals[i] = (uint32_t) i;
        qsort_r(ordinals, n_str, sizeof(uint32_t), ordinal_cmp, (void *) a);
        for (size_t i = 0; i < n_str; i++)
                rank[ordinals[i]] = (uint32_t) i;

        enum_ranks(trust, _TRUST_MAX, trust_name, NULL);
        enum_ranks(outcome, _OUTCOME_KIND_MAX, outcome_name, NULL);
        enum_ranks(reason, _FAIL_REASON_MAX, reason_name, NULL);

        for (size_t i = 0; hashmap_next(a->daily, &i, NULL); i++) {
                const DailyKey *k = hashmap_key_at(a->daily, i, NULL);

                keys[n++] = (SortKey) {
                        .day = k->day,
                        .rank = {
                                rank[k->host], rank[k->domain], rank[k->mx], rank[k->protocol],
                                rank[k->cipher], trust[k->trust], rank[k->level],
                                outcome[k->outcome], reason[k->reason],
                        },
                        .idx = (uint32_t) i,
                };
        }
        qsort(keys, n, sizeof(SortKey), rank_cmp);
        return keys;
}

int aggregates_flush(Aggregates *a, Store *s) {
        _cleanup_free_ SortKey *order = NULL;
        size_t n = hashmap_size(a ? a->daily : NULL);
        int r;

        if (!a || !s)
                return -EINVAL;
        if (n > 0) {
                order = daily_order(a);
                if (!order)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                char day[11];
                DailyRow row = daily_row(a, order[i].idx, day);

                r = store_add_daily(s, &row);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; hashmap_next(a->evidence, &i, NULL); i++) {
                char day[11];
                EvidenceRow row = evidence_row(a, i, day);

                r = store_add_evidence(s, &row);
                if (r < 0)
                        return r;
        }
        aggregates_clear(a);
        return 0;
}

void aggregates_swap(Aggregates *a, Aggregates *b) {
        Aggregates t = *a;
        int error_a = a->error, error_b = b->error;

        *a = *b;
        *b = t;
        a->error = error_a;
        b->error = error_b;
}

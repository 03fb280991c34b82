/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        aggregate - in-memory daily aggregates of outcomes and TLS evidence
 * SYNOPSIS
 *        #include "aggregate.h"
 *        int aggregates_add(Aggregates *a, const Outcome *o);
 * DESCRIPTION
 *        Three open-addressing hash tables (linear probing, at most half full,
 *        doubled when needed): interned strings (offset into one growing
 *        character pool), daily rows and evidence rows. A day is the number
 *        of whole UTC days since the epoch (Unix time has no leap seconds),
 *        formatted only when rows are written out.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "cleanup.h"
#include "hash.h"
#include "timeutil.h"

typedef struct DailyKey {
        int64_t day;
        uint32_t host, domain, mx, protocol, cipher, level;     /* string pool offsets */
        int trust, outcome, reason;
} DailyKey;

typedef struct DailyEntry {
        DailyKey key;
        uint64_t hash;
        uint64_t count;
} DailyEntry;

typedef struct EvidenceEntry {
        int64_t day;
        uint32_t host;
        uint64_t hash;
        uint64_t deliveries, tls_lines, tls_fields;
} EvidenceEntry;

/* bucket: index + 1 into the entry array (0 = empty) and the hash's high bits */
typedef struct Bucket {
        uint32_t idx;
        uint32_t tag;
} Bucket;

typedef struct Index {
        Bucket *b;
        uint32_t n;                     /* power of two or 0 */
} Index;

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
        char *pool;                     /* NUL-terminated strings back to back */
        size_t pool_len, pool_cap;
        uint64_t *str_hash;             /* per interned string, by ordinal */
        uint32_t *str_off;
        size_t n_str, cap_str;
        Index strings;
        uint32_t last_off[_FIELD_MAX];  /* pool offset of the field's last string */
        bool last_valid[_FIELD_MAX];

        DailyEntry *daily;
        size_t n_daily, cap_daily;
        Index daily_index;

        EvidenceEntry *evidence;
        size_t n_evidence, cap_evidence;
        Index evidence_index;

        int error;
};

#define HASH_SEED 0xcbf29ce484222325ULL

static int grow_array(void **p, size_t *cap, size_t need, size_t size) {
        size_t n;
        void *q;

        if (need <= *cap)
                return 0;
        n = *cap == 0 ? 64 : *cap;
        while (n < need) {
                if (n > SIZE_MAX / 2)
                        return -ENOMEM;
                n *= 2;
        }
        q = reallocarray(*p, n, size);
        if (!q)
                return -ENOMEM;
        *p = q;
        *cap = n;
        return 0;
}

/* index_ensure - make room for one more entry; hashes(i) gives entry i's hash */
static int index_ensure(Index *x, size_t n_entries, const void *base, size_t stride, size_t hash_off) {
        uint32_t n = x->n == 0 ? 64 : x->n;
        Bucket *b;

        if (n_entries + 1 > UINT32_MAX / 4)
                return -E2BIG;
        while ((size_t) n < 2 * (n_entries + 1))
                n *= 2;
        if (n == x->n)
                return 0;
        b = calloc(n, sizeof(Bucket));
        if (!b)
                return -ENOMEM;
        for (size_t i = 0; i < n_entries; i++) {
                uint64_t h;
                uint32_t k;

                memcpy(&h, (const char *) base + i * stride + hash_off, sizeof(h));
                for (k = (uint32_t) h & (n - 1); b[k].idx != 0; k = (k + 1) & (n - 1))
                        ;
                b[k] = (Bucket) { .idx = (uint32_t) i + 1, .tag = (uint32_t) (h >> 32) };
        }
        free(x->b);
        x->b = b;
        x->n = n;
        return 0;
}

Aggregates *aggregates_new(void) {
        return calloc(1, sizeof(Aggregates));
}

Aggregates *aggregates_free(Aggregates *a) {
        if (!a)
                return NULL;
        free(a->pool);
        free(a->str_hash);
        free(a->str_off);
        free(a->strings.b);
        free(a->daily);
        free(a->daily_index.b);
        free(a->evidence);
        free(a->evidence_index.b);
        free(a);
        return NULL;
}

static void index_reset(Index *x) {
        if (x->b)
                memset(x->b, 0, (size_t) x->n * sizeof(Bucket));
}

/* aggregates_clear - forget every row, keep the memory for the next run */
void aggregates_clear(Aggregates *a) {
        if (!a)
                return;
        a->pool_len = 0;
        a->n_str = 0;
        a->n_daily = 0;
        a->n_evidence = 0;
        index_reset(&a->strings);
        index_reset(&a->daily_index);
        index_reset(&a->evidence_index);
        memset(a->last_valid, 0, sizeof(a->last_valid));
        a->error = 0;
}

/* intern - the pool offset of string s, added when new */
static int intern(Aggregates *a, const char *s, uint32_t *ret) {
        size_t n = strlen(s);
        uint64_t h = hash_bytes64(s, n, HASH_SEED);
        uint32_t mask, k;
        int r;

        r = index_ensure(&a->strings, a->n_str, a->str_hash, sizeof(uint64_t), 0);
        if (r < 0)
                return r;
        mask = a->strings.n - 1;
        for (k = (uint32_t) h & mask; a->strings.b[k].idx != 0; k = (k + 1) & mask) {
                uint32_t i = a->strings.b[k].idx - 1;

                if (a->strings.b[k].tag == (uint32_t) (h >> 32) && a->str_hash[i] == h &&
                    strcmp(a->pool + a->str_off[i], s) == 0) {
                        *ret = a->str_off[i];
                        return 0;
                }
        }

        if (a->pool_len + n + 1 > UINT32_MAX)
                return -E2BIG;
        r = grow_array((void **) &a->pool, &a->pool_cap, a->pool_len + n + 1, 1);
        if (r < 0)
                return r;
        if (a->n_str + 1 > a->cap_str) {
                size_t cap = a->cap_str;

                r = grow_array((void **) &a->str_hash, &cap, a->n_str + 1, sizeof(uint64_t));
                if (r < 0)
                        return r;
                r = grow_array((void **) &a->str_off, &a->cap_str, a->n_str + 1, sizeof(uint32_t));
                if (r < 0)
                        return r;
        }
        memcpy(a->pool + a->pool_len, s, n + 1);
        a->str_off[a->n_str] = (uint32_t) a->pool_len;
        a->str_hash[a->n_str] = h;
        a->strings.b[k] = (Bucket) { .idx = (uint32_t) a->n_str + 1, .tag = (uint32_t) (h >> 32) };
        a->n_str++;
        a->pool_len += n + 1;
        *ret = a->str_off[a->n_str - 1];
        return 0;
}

/* intern_field - intern() with the field's last string checked first */
static int intern_field(Aggregates *a, Field f, const char *s, uint32_t *ret) {
        int r;

        if (a->last_valid[f] && strcmp(a->pool + a->last_off[f], s) == 0) {
                *ret = a->last_off[f];
                return 0;
        }
        r = intern(a, s, ret);
        if (r < 0)
                return r;
        a->last_off[f] = *ret;
        a->last_valid[f] = true;
        return 0;
}

static uint64_t daily_key_hash(const DailyKey *k) {
        uint64_t h = hash_combine64(HASH_SEED, (uint64_t) k->day);

        h = hash_combine64(h, (uint64_t) k->host << 32 | k->domain);
        h = hash_combine64(h, (uint64_t) k->mx << 32 | k->protocol);
        h = hash_combine64(h, (uint64_t) k->cipher << 32 | k->level);
        h = hash_combine64(h, (uint64_t) (uint32_t) k->trust << 40 | (uint64_t) (uint32_t) k->outcome << 20 |
                              (uint32_t) k->reason);
        return hash_final64(h);
}

static bool daily_key_equal(const DailyKey *x, const DailyKey *y) {
        return x->day == y->day && x->host == y->host && x->domain == y->domain && x->mx == y->mx &&
                x->protocol == y->protocol && x->cipher == y->cipher && x->level == y->level &&
                x->trust == y->trust && x->outcome == y->outcome && x->reason == y->reason;
}

static const char *nonnull(const char *s) {
        return s ? s : "";
}

int aggregates_add(Aggregates *a, const Outcome *o) {
        DailyKey key = { .day = (int64_t) (o ? o->realtime_usec / USEC_PER_DAY : 0) };
        uint32_t mask, k;
        uint64_t h;
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

        r = index_ensure(&a->daily_index, a->n_daily, a->daily, sizeof(DailyEntry),
                         offsetof(DailyEntry, hash));
        if (r < 0)
                return r;
        h = daily_key_hash(&key);
        mask = a->daily_index.n - 1;
        for (k = (uint32_t) h & mask; a->daily_index.b[k].idx != 0; k = (k + 1) & mask) {
                DailyEntry *e = &a->daily[a->daily_index.b[k].idx - 1];

                if (e->hash == h && daily_key_equal(&e->key, &key)) {
                        e->count++;
                        return 0;
                }
        }
        r = grow_array((void **) &a->daily, &a->cap_daily, a->n_daily + 1, sizeof(DailyEntry));
        if (r < 0)
                return r;
        a->daily[a->n_daily] = (DailyEntry) { .key = key, .hash = h, .count = 1 };
        a->daily_index.b[k] = (Bucket) { .idx = (uint32_t) a->n_daily + 1, .tag = (uint32_t) (h >> 32) };
        a->n_daily++;
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

static int evidence_get(Aggregates *a, uint64_t usec, const char *host, EvidenceEntry **ret) {
        int64_t day = (int64_t) (usec / USEC_PER_DAY);
        uint32_t off, mask, k;
        uint64_t h;
        int r;

        r = intern_field(a, FIELD_HOST, host, &off);
        if (r < 0)
                return r;
        r = index_ensure(&a->evidence_index, a->n_evidence, a->evidence, sizeof(EvidenceEntry),
                         offsetof(EvidenceEntry, hash));
        if (r < 0)
                return r;
        h = hash_final64(hash_combine64(hash_combine64(HASH_SEED, (uint64_t) day), off));
        mask = a->evidence_index.n - 1;
        for (k = (uint32_t) h & mask; a->evidence_index.b[k].idx != 0; k = (k + 1) & mask) {
                EvidenceEntry *e = &a->evidence[a->evidence_index.b[k].idx - 1];

                if (e->day == day && e->host == off) {
                        *ret = e;
                        return 0;
                }
        }
        r = grow_array((void **) &a->evidence, &a->cap_evidence, a->n_evidence + 1, sizeof(EvidenceEntry));
        if (r < 0)
                return r;
        a->evidence[a->n_evidence] = (EvidenceEntry) { .day = day, .host = off, .hash = h };
        a->evidence_index.b[k] = (Bucket) { .idx = (uint32_t) a->n_evidence + 1, .tag = (uint32_t) (h >> 32) };
        *ret = &a->evidence[a->n_evidence++];
        return 0;
}

int aggregates_note_event(Aggregates *a, const PfRecord *rec, const Event *ev) {
        EvidenceEntry *e;
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
        return a ? a->n_daily : 0;
}

size_t aggregates_count_evidence_rows(const Aggregates *a) {
        return a ? a->n_evidence : 0;
}

/* daily_row - the row of entry e, with its day formatted into day */
static DailyRow daily_row(const Aggregates *a, const DailyEntry *e, char day[static 11]) {
        day_format(e->key.day, day);
        return (DailyRow) {
                .day = day,
                .host = a->pool + e->key.host,
                .domain = a->pool + e->key.domain,
                .mx = a->pool + e->key.mx,
                .protocol = a->pool + e->key.protocol,
                .cipher = a->pool + e->key.cipher,
                .trust = nonnull(trust_to_string((Trust) e->key.trust)),
                .level = a->pool + e->key.level,
                .outcome = nonnull(outcome_kind_to_string((OutcomeKind) e->key.outcome)),
                .reason = e->key.reason == FAIL_NONE ? "" :
                        nonnull(fail_reason_to_string((FailReason) e->key.reason)),
                .count = e->count,
        };
}

int aggregates_foreach_daily(const Aggregates *a, DailyRowFn fn, void *userdata) {
        if (!a || !fn)
                return -EINVAL;
        for (size_t i = 0; i < a->n_daily; i++) {
                char day[11];
                DailyRow row = daily_row(a, &a->daily[i], day);
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
        for (size_t i = 0; i < a->n_evidence; i++) {
                const EvidenceEntry *e = &a->evidence[i];
                EvidenceRow row;
                char day[11];
                int r;

                day_format(e->day, day);
                row = (EvidenceRow) {
                        .day = day,
                        .host = a->pool + e->host,
                        .deliveries = e->deliveries,
                        .tls_lines = e->tls_lines,
                        .tls_fields = e->tls_fields,
                };
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
        uint32_t idx;                   /* entry index */
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

typedef struct StringOrder {
        const Aggregates *a;
        uint32_t *rank;                 /* by string ordinal: position in bytewise order */
} StringOrder;

static const char *pool_string(const Aggregates *a, uint32_t ordinal) {
        return a->pool + a->str_off[ordinal];
}

/* string_rank - the rank of the string at pool offset off (offsets grow with the ordinal) */
static uint32_t string_rank(const StringOrder *o, uint32_t off) {
        size_t lo = 0, hi = o->a->n_str;

        while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;

                if (o->a->str_off[mid] <= off)
                        lo = mid;
                else
                        hi = mid;
        }
        return o->rank[lo];
}

static int ordinal_cmp(const void *x, const void *y, void *userdata) {
        return strcmp(pool_string(userdata, *(const uint32_t *) x), pool_string(userdata, *(const uint32_t *) y));
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

/* daily_order - entry indices in the store's primary key order, so that a flush fills the
 * table's B-tree front to back instead of at random places; malloc'd, NULL on OOM */
static SortKey *daily_order(const Aggregates *a) {
        uint32_t trust[_TRUST_MAX], outcome[_OUTCOME_KIND_MAX], reason[_FAIL_REASON_MAX];
        _cleanup_free_ uint32_t *ordinals = NULL, *rank = NULL;
        StringOrder o = { .a = a };
        SortKey *keys;

        ordinals = reallocarray(NULL, a->n_str, sizeof(uint32_t));
        rank = reallocarray(NULL, a->n_str, sizeof(uint32_t));
        keys = reallocarray(NULL, a->n_daily, sizeof(SortKey));
        if (!ordinals || !rank || !keys) {
                free(keys);
                return NULL;
        }
        for (size_t i = 0; i < a->n_str; i++)
                ordinals[i] = (uint32_t) i;
        qsort_r(ordinals, a->n_str, sizeof(uint32_t), ordinal_cmp, (void *) a);
        for (size_t i = 0; i < a->n_str; i++)
                rank[ordinals[i]] = (uint32_t) i;
        o.rank = rank;

        enum_ranks(trust, _TRUST_MAX, trust_name, NULL);
        enum_ranks(outcome, _OUTCOME_KIND_MAX, outcome_name, NULL);
        enum_ranks(reason, _FAIL_REASON_MAX, reason_name, NULL);

        for (size_t i = 0; i < a->n_daily; i++) {
                const DailyKey *k = &a->daily[i].key;

                keys[i] = (SortKey) {
                        .day = k->day,
                        .rank = {
                                string_rank(&o, k->host), string_rank(&o, k->domain),
                                string_rank(&o, k->mx), string_rank(&o, k->protocol),
                                string_rank(&o, k->cipher), trust[k->trust], string_rank(&o, k->level),
                                outcome[k->outcome], reason[k->reason],
                        },
                        .idx = (uint32_t) i,
                };
        }
        qsort(keys, a->n_daily, sizeof(SortKey), rank_cmp);
        return keys;
}

int aggregates_flush(Aggregates *a, Store *s) {
        _cleanup_free_ SortKey *order = NULL;
        int r;

        if (!a || !s)
                return -EINVAL;
        if (a->n_daily > 0) {
                order = daily_order(a);
                if (!order)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < a->n_daily; i++) {
                char day[11];
                DailyRow row = daily_row(a, &a->daily[order[i].idx], day);

                r = store_add_daily(s, &row);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < a->n_evidence; i++) {
                const EvidenceEntry *e = &a->evidence[i];
                char day[11];

                day_format(e->day, day);
                r = store_add_evidence(s, &(const EvidenceRow) {
                        .day = day,
                        .host = a->pool + e->host,
                        .deliveries = e->deliveries,
                        .tls_lines = e->tls_lines,
                        .tls_fields = e->tls_fields,
                });
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

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
#include "util.h"

#define USEC_PER_DAY (86400ULL * 1000000ULL)

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

struct Aggregates {
        char *pool;                     /* NUL-terminated strings back to back */
        size_t pool_len, pool_cap;
        uint64_t *str_hash;             /* per interned string, by ordinal */
        uint32_t *str_off;
        size_t n_str, cap_str;
        Index strings;

        DailyEntry *daily;
        size_t n_daily, cap_daily;
        Index daily_index;

        EvidenceEntry *evidence;
        size_t n_evidence, cap_evidence;
        Index evidence_index;

        int error;
};

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n) {
        const unsigned char *s = p;

        for (size_t i = 0; i < n; i++)
                h = (h ^ s[i]) * 0x100000001b3ULL;
        return h;
}

static uint64_t hash_mix(uint64_t h) {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        return h;
}

#define HASH_INIT 0xcbf29ce484222325ULL

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
        a->error = 0;
}

/* intern - the pool offset of string s, added when new */
static int intern(Aggregates *a, const char *s, uint32_t *ret) {
        size_t n = strlen(s);
        uint64_t h = hash_mix(hash_bytes(HASH_INIT, s, n));
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

static uint64_t daily_key_hash(const DailyKey *k) {
        uint64_t h = HASH_INIT;
        uint32_t v[9] = { k->host, k->domain, k->mx, k->protocol, k->cipher, k->level,
                          (uint32_t) k->trust, (uint32_t) k->outcome, (uint32_t) k->reason };

        h = hash_bytes(h, &k->day, sizeof(k->day));
        h = hash_bytes(h, v, sizeof(v));
        return hash_mix(h);
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
        if ((r = intern(a, nonnull(o->hostname), &key.host)) < 0 ||
            (r = intern(a, nonnull(o->domain), &key.domain)) < 0 ||
            (r = intern(a, nonnull(o->mx), &key.mx)) < 0 ||
            (r = intern(a, nonnull(o->protocol), &key.protocol)) < 0 ||
            (r = intern(a, nonnull(o->cipher), &key.cipher)) < 0 ||
            (r = intern(a, nonnull(o->level), &key.level)) < 0)
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

        r = intern(a, host, &off);
        if (r < 0)
                return r;
        r = index_ensure(&a->evidence_index, a->n_evidence, a->evidence, sizeof(EvidenceEntry),
                         offsetof(EvidenceEntry, hash));
        if (r < 0)
                return r;
        h = hash_mix(hash_bytes(hash_bytes(HASH_INIT, &day, sizeof(day)), &off, sizeof(off)));
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

int aggregates_foreach_daily(const Aggregates *a, DailyRowFn fn, void *userdata) {
        if (!a || !fn)
                return -EINVAL;
        for (size_t i = 0; i < a->n_daily; i++) {
                const DailyEntry *e = &a->daily[i];
                char day[11];
                DailyRow row;
                int r;

                day_format(e->key.day, day);
                row = (DailyRow) {
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

static int flush_daily(const DailyRow *row, void *userdata) {
        return store_add_daily(userdata, row);
}

static int flush_evidence(const EvidenceRow *row, void *userdata) {
        return store_add_evidence(userdata, row);
}

int aggregates_flush(Aggregates *a, Store *s) {
        int r;

        if (!a || !s)
                return -EINVAL;
        r = aggregates_foreach_daily(a, flush_daily, s);
        if (r < 0)
                return r;
        r = aggregates_foreach_evidence(a, flush_evidence, s);
        if (r < 0)
                return r;
        aggregates_clear(a);
        return 0;
}

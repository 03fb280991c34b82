/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        hashmap - one hash map for every table: byte or string keys, fixed-size values
 * DESCRIPTION
 *        See hashmap.h. Entries live in one array of slots (a header, the
 *        value, and a key of fixed length), reused through a free list. The
 *        buckets hold a slot index + 1 (0 = empty) and the high half of the
 *        hash, so that a probe touches a slot only when 32 bits of its hash
 *        already match. Keys of any length are records in a pool:
 *
 *            record = owner (u32, UINT32_MAX when dead) length (u32) bytes NUL
 *
 *        and the owner lets compaction walk the pool front to back and tell
 *        each moved key's slot where it went.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "hash.h"
#include "hashmap.h"

#define NONE UINT32_MAX
#define SLOT_FREE UINT32_MAX            /* Slot.key_len of an unused slot */
#define ENTRIES_MAX (1U << 30)
#define FIELD_SIZE_MAX (1U << 20)       /* value_size and key_size */
#define RECORD_HEADER 8                 /* owner and length of a pool record */
#define BUCKETS_MIN 16
#define SLOTS_MIN 16
#define POOL_MIN 1024

typedef struct Slot {
        uint64_t hash;
        uint32_t key_len;               /* SLOT_FREE when unused */
        uint32_t key_off;               /* pool offset of the key's record; when unused, the next free slot */
} Slot;

typedef struct Bucket {
        uint32_t idx;                   /* slot index + 1, 0 = empty */
        uint32_t tag;                   /* hash >> 32 */
} Bucket;

struct HashMap {
        size_t value_size, value_stride;
        size_t key_size, key_stride;    /* key_stride 0: keys in the pool */
        size_t stride;                  /* bytes per slot: header, value, fixed key */
        HashMapHashFn hash;
        uint64_t seed;

        unsigned char *slots;
        uint32_t n_slots;               /* slots ever used since the last clear */
        uint32_t cap_slots;
        uint32_t free_head;
        uint32_t n_used;

        Bucket *buckets;
        uint32_t n_buckets;             /* 0 or a power of two, at least twice n_used */

        char *pool;
        size_t pool_len, pool_cap, pool_dead;
};

static size_t round8(size_t n) {
        return (n + 7) & ~(size_t) 7;
}

static Slot *slot_at(const HashMap *m, uint32_t i) {
        return (Slot *) (m->slots + (size_t) i * m->stride);
}

static void *slot_value(const Slot *s) {
        return (unsigned char *) s + sizeof(Slot);
}

static const void *slot_key(const HashMap *m, const Slot *s) {
        if (m->key_stride > 0)
                return (const unsigned char *) s + sizeof(Slot) + m->value_stride;
        return m->pool + s->key_off + RECORD_HEADER;
}

static uint64_t key_hash(const HashMap *m, const void *key, size_t len) {
        return m->hash ? m->hash(key, len, m->seed) : hash_bytes64(key, len, m->seed);
}

/* random_seed - per map, so that colliding keys cannot be prepared in advance */
static uint64_t random_seed(void) {
        struct timespec ts;
        uint64_t s;

        if (getrandom(&s, sizeof s, GRND_NONBLOCK) == (ssize_t) sizeof s)
                return s;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return hash_combine64((uint64_t) (uintptr_t) &s, (uint64_t) ts.tv_sec * 1000000000ULL +
                              (uint64_t) ts.tv_nsec);
}

/* hashmap_new - an empty map; no memory for entries until the first put */
int hashmap_new(const HashMapOptions *o, HashMap **ret) {
        HashMap *m;

        if (!o || o->value_size > FIELD_SIZE_MAX || o->key_size > FIELD_SIZE_MAX)
                return -EINVAL;
        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        m->value_size = o->value_size;
        m->value_stride = round8(o->value_size);
        m->key_size = o->key_size;
        m->key_stride = round8(o->key_size);
        m->stride = sizeof(Slot) + m->value_stride + m->key_stride;
        m->hash = o->hash;
        m->seed = random_seed();
        m->free_head = NONE;
        *ret = m;
        return 0;
}

/* hashmap_free - everything; NULL-safe */
HashMap *hashmap_free(HashMap *m) {
        if (!m)
                return NULL;
        free(m->slots);
        free(m->buckets);
        free(m->pool);
        free(m);
        return NULL;
}

/* hashmap_clear - forget every entry, keep the memory */
void hashmap_clear(HashMap *m) {
        if (!m)
                return;
        if (m->buckets)
                memset(m->buckets, 0, (size_t) m->n_buckets * sizeof(Bucket));
        m->n_slots = 0;
        m->free_head = NONE;
        m->n_used = 0;
        m->pool_len = m->pool_dead = 0;
}

/* hashmap_size - entries in the map */
size_t hashmap_size(const HashMap *m) {
        return m ? m->n_used : 0;
}

/* bucket_find - the bucket holding key, or the empty one that ends its probe */
static uint32_t bucket_find(const HashMap *m, const void *key, size_t len, uint64_t h) {
        uint32_t mask = m->n_buckets - 1, tag = (uint32_t) (h >> 32);

        for (uint32_t b = (uint32_t) h & mask;; b = (b + 1) & mask) {
                const Bucket *k = &m->buckets[b];
                const Slot *s;

                if (k->idx == 0)
                        return b;
                if (k->tag != tag)
                        continue;
                s = slot_at(m, k->idx - 1);
                if (s->hash == h && s->key_len == len && memcmp(slot_key(m, s), key, len) == 0)
                        return b;
        }
}

/* buckets_reserve - at least twice as many buckets as need entries */
static int buckets_reserve(HashMap *m, size_t need) {
        uint32_t n = m->n_buckets > 0 ? m->n_buckets : BUCKETS_MIN, mask;
        Bucket *b;

        if (need > ENTRIES_MAX)
                return -E2BIG;
        while ((size_t) n < 2 * need)
                n *= 2;
        if (n == m->n_buckets)
                return 0;
        b = calloc(n, sizeof(Bucket));
        if (!b)
                return -ENOMEM;
        mask = n - 1;
        for (uint32_t i = 0; i < m->n_slots; i++) {
                const Slot *s = slot_at(m, i);
                uint32_t k;

                if (s->key_len == SLOT_FREE)
                        continue;
                for (k = (uint32_t) s->hash & mask; b[k].idx != 0; k = (k + 1) & mask)
                        ;
                b[k] = (Bucket) { .idx = i + 1, .tag = (uint32_t) (s->hash >> 32) };
        }
        free(m->buckets);
        m->buckets = b;
        m->n_buckets = n;
        return 0;
}

/* slot_alloc - a free slot, or a new one at the end */
static int slot_alloc(HashMap *m, uint32_t *ret) {
        if (m->free_head != NONE) {
                *ret = m->free_head;
                m->free_head = slot_at(m, *ret)->key_off;
                return 0;
        }
        if (m->n_slots == m->cap_slots) {
                uint32_t n = m->cap_slots > 0 ? m->cap_slots * 2 : SLOTS_MIN;
                unsigned char *p;

                p = reallocarray(m->slots, n, m->stride);
                if (!p)
                        return -ENOMEM;
                m->slots = p;
                m->cap_slots = n;
        }
        *ret = m->n_slots++;
        return 0;
}

static void slot_release(HashMap *m, uint32_t i) {
        Slot *s = slot_at(m, i);

        s->key_len = SLOT_FREE;
        s->key_off = m->free_head;
        m->free_head = i;
}

/* pool_compact - move the live records to the front, in order, and tell their slots */
static void pool_compact(HashMap *m) {
        size_t w = 0;

        for (size_t r = 0; r < m->pool_len;) {
                uint32_t hdr[2];
                size_t n;

                memcpy(hdr, m->pool + r, sizeof hdr);
                n = RECORD_HEADER + hdr[1] + 1;
                if (hdr[0] != NONE) {
                        if (w != r)
                                memmove(m->pool + w, m->pool + r, n);
                        slot_at(m, hdr[0])->key_off = (uint32_t) w;
                        w += n;
                }
                r += n;
        }
        m->pool_len = w;
        m->pool_dead = 0;
}

/* pool_add - a record for the key of slot owner; compacts rather than grows when half is dead */
static int pool_add(HashMap *m, uint32_t owner, const void *key, size_t len, uint32_t *ret_off) {
        size_t need = RECORD_HEADER + len + 1;
        uint32_t hdr[2] = { owner, (uint32_t) len };

        if (m->pool_len + need > m->pool_cap && m->pool_dead > 0 && m->pool_dead >= m->pool_len / 2)
                pool_compact(m);
        if (m->pool_len + need > UINT32_MAX)
                return -E2BIG;
        if (m->pool_len + need > m->pool_cap) {
                size_t n = m->pool_cap > 0 ? m->pool_cap : POOL_MIN;
                char *p;

                while (n < m->pool_len + need)
                        n *= 2;
                p = realloc(m->pool, n);
                if (!p)
                        return -ENOMEM;
                m->pool = p;
                m->pool_cap = n;
        }
        memcpy(m->pool + m->pool_len, hdr, sizeof hdr);
        if (len > 0)
                memcpy(m->pool + m->pool_len + RECORD_HEADER, key, len);
        m->pool[m->pool_len + RECORD_HEADER + len] = '\0';
        *ret_off = (uint32_t) m->pool_len;
        m->pool_len += need;
        return 0;
}

/* key_store - copy the key into slot i, beside its value or into the pool */
static int key_store(HashMap *m, uint32_t i, const void *key, size_t len) {
        Slot *s = slot_at(m, i);
        unsigned char *k;

        if (m->key_stride == 0)
                return pool_add(m, i, key, len, &s->key_off);
        k = (unsigned char *) s + sizeof(Slot) + m->value_stride;
        memcpy(k, key, len);
        return 0;
}

static int key_check(const HashMap *m, size_t len) {
        if (m->key_size > 0)
                return len == m->key_size ? 0 : -EINVAL;
        return len <= UINT32_MAX - RECORD_HEADER - 1 ? 0 : -E2BIG;
}

/* hashmap_put - find key, or add it with a zeroed value; 1 added, 0 found */
int hashmap_put(HashMap *m, const void *key, size_t len, void **ret_value) {
        uint64_t h;
        uint32_t b, i;
        Slot *s;
        int r;

        r = key_check(m, len);
        if (r < 0)
                return r;
        r = buckets_reserve(m, (size_t) m->n_used + 1);
        if (r < 0)
                return r;
        h = key_hash(m, key, len);
        b = bucket_find(m, key, len, h);
        if (m->buckets[b].idx != 0) {
                if (ret_value)
                        *ret_value = slot_value(slot_at(m, m->buckets[b].idx - 1));
                return 0;
        }

        r = slot_alloc(m, &i);
        if (r < 0)
                return r;
        r = key_store(m, i, key, len);
        if (r < 0) {
                slot_release(m, i);
                return r;
        }
        s = slot_at(m, i);
        s->hash = h;
        s->key_len = (uint32_t) len;
        memset(slot_value(s), 0, m->value_size);
        m->buckets[b] = (Bucket) { .idx = i + 1, .tag = (uint32_t) (h >> 32) };
        m->n_used++;
        if (ret_value)
                *ret_value = slot_value(s);
        return 1;
}

/* hashmap_get - the value of key, NULL when it is not there */
void *hashmap_get(const HashMap *m, const void *key, size_t len) {
        uint32_t b;

        if (!m || m->n_used == 0 || key_check(m, len) < 0)
                return NULL;
        b = bucket_find(m, key, len, key_hash(m, key, len));
        return m->buckets[b].idx == 0 ? NULL : slot_value(slot_at(m, m->buckets[b].idx - 1));
}

/* hashmap_remove_at - drop entry i: backward-shift its bucket's cluster, free its slot */
void hashmap_remove_at(HashMap *m, size_t i) {
        Slot *s = slot_at(m, (uint32_t) i);
        uint32_t mask = m->n_buckets - 1, b, j;

        assert(i < m->n_slots && s->key_len != SLOT_FREE);
        for (b = (uint32_t) s->hash & mask; m->buckets[b].idx != i + 1; b = (b + 1) & mask)
                ;
        /* move later members of the cluster into the hole unless their home bucket is
         * cyclically after the hole and not after their position */
        for (j = (b + 1) & mask; m->buckets[j].idx != 0; j = (j + 1) & mask) {
                uint32_t home = (uint32_t) slot_at(m, m->buckets[j].idx - 1)->hash & mask;

                if (((j - home) & mask) >= ((j - b) & mask)) {
                        m->buckets[b] = m->buckets[j];
                        b = j;
                }
        }
        m->buckets[b] = (Bucket) { 0 };

        if (m->key_stride == 0) {
                const uint32_t dead = NONE;

                memcpy(m->pool + s->key_off, &dead, sizeof dead);
                m->pool_dead += RECORD_HEADER + s->key_len + 1;
        }
        slot_release(m, (uint32_t) i);
        m->n_used--;
}

/* hashmap_remove - 1 removed, 0 not there */
int hashmap_remove(HashMap *m, const void *key, size_t len) {
        uint32_t b;

        if (!m || m->n_used == 0 || key_check(m, len) < 0)
                return 0;
        b = bucket_find(m, key, len, key_hash(m, key, len));
        if (m->buckets[b].idx == 0)
                return 0;
        hashmap_remove_at(m, m->buckets[b].idx - 1);
        return 1;
}

/* hashmap_end - one past the highest index in use since the last clear */
size_t hashmap_end(const HashMap *m) {
        return m ? m->n_slots : 0;
}

/* hashmap_value_at - the value at index i, NULL for an unused index */
void *hashmap_value_at(const HashMap *m, size_t i) {
        Slot *s;

        if (!m || i >= m->n_slots)
                return NULL;
        s = slot_at(m, (uint32_t) i);
        return s->key_len == SLOT_FREE ? NULL : slot_value(s);
}

/* hashmap_key_at - the key at index i and its length, NULL for an unused index */
const void *hashmap_key_at(const HashMap *m, size_t i, size_t *ret_len) {
        const Slot *s;

        if (!m || i >= m->n_slots)
                return NULL;
        s = slot_at(m, (uint32_t) i);
        if (s->key_len == SLOT_FREE)
                return NULL;
        if (ret_len)
                *ret_len = s->key_len;
        return slot_key(m, s);
}

/* hashmap_index_of - the index of a value pointer that put() or get() gave */
size_t hashmap_index_of(const HashMap *m, const void *value) {
        return (size_t) ((const unsigned char *) value - sizeof(Slot) - m->slots) / m->stride;
}

/* hashmap_next - the first entry at index *i or after it */
bool hashmap_next(const HashMap *m, size_t *i, void **ret_value) {
        for (; m && *i < m->n_slots; (*i)++) {
                Slot *s = slot_at(m, (uint32_t) *i);

                if (s->key_len != SLOT_FREE) {
                        if (ret_value)
                                *ret_value = slot_value(s);
                        return true;
                }
        }
        return false;
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        correlate_table - bounded session table with LRU order
 * SYNOPSIS
 *        #include "correlate_internal.h"
 *        int correlate_table_init(SessionTable *t, size_t max);
 *        Session *correlate_table_find(SessionTable *t, const char *boot_id,
 *                                      const char *hostname, uint32_t pid);
 * DESCRIPTION
 *        Open addressing with linear probing over a power-of-two bucket array
 *        at most half full; deletion shifts the following cluster back, so
 *        there are no tombstones. The slot array grows by doubling up to the
 *        cap and is then recycled through a free list. Keys longer than the
 *        journal limits are cut to those limits.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "correlate_internal.h"
#include "hash.h"

static uint64_t key_hash(const char *boot_id, const char *hostname, uint32_t pid) {
        uint64_t h;

        h = hash_bytes64(boot_id, strnlen(boot_id, PF_BOOT_ID_MAX), pid);
        return hash_bytes64(hostname, strnlen(hostname, PF_HOSTNAME_MAX), h);
}

static bool key_equal(const Session *s, const char *boot_id, const char *hostname, uint32_t pid) {
        return s->pid == pid &&
                strncmp(s->boot_id, boot_id, PF_BOOT_ID_MAX) == 0 &&
                strncmp(s->hostname, hostname, PF_HOSTNAME_MAX) == 0;
}

/* correlate_table_init - allocate the buckets for a cap of max sessions */
int correlate_table_init(SessionTable *t, size_t max) {
        uint32_t n = 16;

        assert(t);
        *t = (SessionTable) {
                .free_head = CORR_NONE,
                .lru_head = CORR_NONE,
                .lru_tail = CORR_NONE,
        };
        if (max == 0 || max > CORR_SESSIONS_LIMIT)
                return -EINVAL;
        while (n < 2 * max)
                n <<= 1;
        t->buckets = calloc(n, sizeof(uint32_t));
        if (!t->buckets)
                return -ENOMEM;
        t->n_buckets = n;
        t->max = (uint32_t) max;
        return 0;
}

/* correlate_table_done - free everything */
void correlate_table_done(SessionTable *t) {
        if (!t)
                return;
        free(t->slots);
        free(t->buckets);
        *t = (SessionTable) {
                .free_head = CORR_NONE,
                .lru_head = CORR_NONE,
                .lru_tail = CORR_NONE,
        };
}

/* correlate_table_clear - drop every session, keep the memory */
void correlate_table_clear(SessionTable *t) {
        memset(t->buckets, 0, (size_t) t->n_buckets * sizeof(uint32_t));
        t->free_head = CORR_NONE;
        for (uint32_t i = t->n_slots; i > 0; i--) {
                t->slots[i - 1].in_use = false;
                t->slots[i - 1].next = t->free_head;
                t->free_head = i - 1;
        }
        t->n_used = 0;
        t->lru_head = t->lru_tail = CORR_NONE;
}

static uint32_t bucket_of(const SessionTable *t, const char *boot_id, const char *hostname,
                          uint32_t pid, uint64_t h) {
        uint32_t mask = t->n_buckets - 1;

        for (uint32_t b = (uint32_t) h & mask;; b = (b + 1) & mask) {
                uint32_t v = t->buckets[b];

                if (v == 0)
                        return b;
                if (t->slots[v - 1].hash == h && key_equal(&t->slots[v - 1], boot_id, hostname, pid))
                        return b;
        }
}

/* correlate_table_find - the session of (boot_id, hostname, pid), or NULL */
Session *correlate_table_find(SessionTable *t, const char *boot_id, const char *hostname, uint32_t pid) {
        uint32_t b, v;

        b = bucket_of(t, boot_id, hostname, pid, key_hash(boot_id, hostname, pid));
        v = t->buckets[b];
        return v == 0 ? NULL : &t->slots[v - 1];
}

static void lru_unlink(SessionTable *t, Session *s) {
        if (s->prev != CORR_NONE)
                t->slots[s->prev].next = s->next;
        else
                t->lru_head = s->next;
        if (s->next != CORR_NONE)
                t->slots[s->next].prev = s->prev;
        else
                t->lru_tail = s->prev;
        s->prev = s->next = CORR_NONE;
}

static void lru_push_head(SessionTable *t, Session *s) {
        uint32_t i = (uint32_t) (s - t->slots);

        s->prev = CORR_NONE;
        s->next = t->lru_head;
        if (t->lru_head != CORR_NONE)
                t->slots[t->lru_head].prev = i;
        else
                t->lru_tail = i;
        t->lru_head = i;
}

/* correlate_table_remove - unlink a session and return its slot to the free list */
void correlate_table_remove(SessionTable *t, Session *s) {
        uint32_t mask = t->n_buckets - 1, i = (uint32_t) (s - t->slots), b, j;

        assert(s->in_use);
        b = bucket_of(t, s->boot_id, s->hostname, s->pid, s->hash);
        assert(t->buckets[b] == i + 1);

        /* backward-shift deletion: move later cluster members into the hole when
         * their home bucket is not cyclically between the hole and their position */
        for (j = (b + 1) & mask; t->buckets[j] != 0; j = (j + 1) & mask) {
                uint32_t home = (uint32_t) t->slots[t->buckets[j] - 1].hash & mask;

                if (((j - home) & mask) >= ((j - b) & mask)) {
                        t->buckets[b] = t->buckets[j];
                        b = j;
                }
        }
        t->buckets[b] = 0;

        lru_unlink(t, s);
        s->in_use = false;
        s->next = t->free_head;
        t->free_head = i;
        t->n_used--;
}

static int slot_alloc(SessionTable *t, uint32_t *ret) {
        if (t->free_head == CORR_NONE) {
                uint32_t n = t->n_slots == 0 ? 16 : t->n_slots * 2;
                Session *p;

                if (n > t->max)
                        n = t->max;
                assert(n > t->n_slots);
                p = reallocarray(t->slots, n, sizeof(Session));
                if (!p)
                        return -ENOMEM;
                t->slots = p;
                for (uint32_t i = n; i > t->n_slots; i--) {
                        p[i - 1].in_use = false;
                        p[i - 1].next = t->free_head;
                        t->free_head = i - 1;
                }
                t->n_slots = n;
        }
        *ret = t->free_head;
        t->free_head = t->slots[*ret].next;
        return 0;
}

/* correlate_table_add - insert a new, empty session for a key not in the table */
int correlate_table_add(SessionTable *t, const char *boot_id, const char *hostname, uint32_t pid,
                        uint64_t usec, Session **ret, uint64_t *ret_evicted) {
        uint64_t h = key_hash(boot_id, hostname, pid);
        Session *s;
        uint32_t i;
        int r;

        if (t->n_used >= t->max) {
                correlate_table_remove(t, &t->slots[t->lru_tail]);
                (*ret_evicted)++;
        }
        r = slot_alloc(t, &i);
        if (r < 0)
                return r;

        s = &t->slots[i];
        *s = (Session) {
                .pid = pid,
                .hash = h,
                .last_usec = usec,
                .in_use = true,
        };
        memcpy(s->boot_id, boot_id, strnlen(boot_id, PF_BOOT_ID_MAX));
        memcpy(s->hostname, hostname, strnlen(hostname, PF_HOSTNAME_MAX));
        t->buckets[bucket_of(t, boot_id, hostname, pid, h)] = i + 1;
        lru_push_head(t, s);
        t->n_used++;
        *ret = s;
        return 0;
}

/* correlate_table_touch - mark a session as used at log time usec */
void correlate_table_touch(SessionTable *t, Session *s, uint64_t usec) {
        if (usec > s->last_usec)
                s->last_usec = usec;
        if (t->lru_head == (uint32_t) (s - t->slots))
                return;
        lru_unlink(t, s);
        lru_push_head(t, s);
}

/* correlate_table_expire - evict idle sessions from the old end of the LRU list */
uint64_t correlate_table_expire(SessionTable *t, uint64_t now_usec, uint64_t idle_usec) {
        uint64_t n = 0;

        while (t->lru_tail != CORR_NONE) {
                Session *s = &t->slots[t->lru_tail];

                if (now_usec < idle_usec || s->last_usec >= now_usec - idle_usec)
                        break;
                correlate_table_remove(t, s);
                n++;
        }
        return n;
}

Session *correlate_table_oldest(SessionTable *t) {
        return t->lru_tail == CORR_NONE ? NULL : &t->slots[t->lru_tail];
}

Session *correlate_table_newer(SessionTable *t, const Session *s) {
        return s->prev == CORR_NONE ? NULL : &t->slots[s->prev];
}

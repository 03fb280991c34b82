/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        correlate_table - bounded session table with LRU order
 * SYNOPSIS
 *        #include "correlate_private.h"
 *        int correlate_table_init(SessionTable *t, size_t max);
 *        Session *correlate_table_find(SessionTable *t, const char *boot_id,
 *                                      const char *hostname, uint32_t pid);
 * DESCRIPTION
 *        The sessions are the values of a HashMap keyed by the bytes
 *
 *            pid (4 bytes, host order) boot_id NUL hostname
 *
 *        (boot_id and hostname cut to the journal limits), so that their
 *        indexes stay put while they live: the LRU list links them by index.
 *        At the cap the least recently used session makes room; the map
 *        reuses its slot, so the steady state allocates nothing.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "correlate_private.h"

#define KEY_MAX (sizeof(uint32_t) + PF_BOOT_ID_MAX + 1 + PF_HOSTNAME_MAX)

/* key_build - the map key of (boot_id, hostname, pid) into buf; its length */
static size_t key_build(char buf[static KEY_MAX], const char *boot_id, const char *hostname, uint32_t pid) {
        size_t nb = strnlen(boot_id, PF_BOOT_ID_MAX), nh = strnlen(hostname, PF_HOSTNAME_MAX);

        memcpy(buf, &pid, sizeof pid);
        memcpy(buf + sizeof pid, boot_id, nb);
        buf[sizeof pid + nb] = '\0';
        memcpy(buf + sizeof pid + nb + 1, hostname, nh);
        return sizeof pid + nb + 1 + nh;
}

static Session *session_at(const SessionTable *t, uint32_t i) {
        return hashmap_value_at(t->map, i);
}

static uint32_t index_of(const SessionTable *t, const Session *s) {
        return (uint32_t) hashmap_index_of(t->map, s);
}

/* correlate_table_init - an empty table for a cap of max sessions */
int correlate_table_init(SessionTable *t, size_t max) {
        assert(t);
        *t = (SessionTable) {
                .lru_head = CORR_NONE,
                .lru_tail = CORR_NONE,
        };
        if (max == 0 || max > CORR_SESSIONS_LIMIT)
                return -EINVAL;
        t->max = (uint32_t) max;
        return hashmap_new(&(HashMapOptions) { .value_size = sizeof(Session) }, &t->map);
}

/* correlate_table_done - free everything */
void correlate_table_done(SessionTable *t) {
        if (!t)
                return;
        t->map = hashmap_free(t->map);
        t->lru_head = t->lru_tail = CORR_NONE;
}

/* correlate_table_clear - drop every session, keep the memory */
void correlate_table_clear(SessionTable *t) {
        hashmap_clear(t->map);
        t->lru_head = t->lru_tail = CORR_NONE;
}

/* correlate_table_find - the session of (boot_id, hostname, pid), or NULL */
Session *correlate_table_find(SessionTable *t, const char *boot_id, const char *hostname, uint32_t pid) {
        char key[KEY_MAX];

        return hashmap_get(t->map, key, key_build(key, boot_id, hostname, pid));
}

static void lru_unlink(SessionTable *t, Session *s) {
        if (s->prev != CORR_NONE)
                session_at(t, s->prev)->next = s->next;
        else
                t->lru_head = s->next;
        if (s->next != CORR_NONE)
                session_at(t, s->next)->prev = s->prev;
        else
                t->lru_tail = s->prev;
        s->prev = s->next = CORR_NONE;
}

static void lru_push_head(SessionTable *t, Session *s) {
        uint32_t i = index_of(t, s);

        s->prev = CORR_NONE;
        s->next = t->lru_head;
        if (t->lru_head != CORR_NONE)
                session_at(t, t->lru_head)->prev = i;
        else
                t->lru_tail = i;
        t->lru_head = i;
}

/* correlate_table_remove - unlink a session and drop it from the map */
void correlate_table_remove(SessionTable *t, Session *s) {
        uint32_t i = index_of(t, s);

        lru_unlink(t, s);
        hashmap_remove_at(t->map, i);
}

/* correlate_table_add - insert a new, empty session for a key not in the table */
int correlate_table_add(SessionTable *t, const char *boot_id, const char *hostname, uint32_t pid,
                        uint64_t usec, Session **ret, uint64_t *ret_evicted) {
        char key[KEY_MAX];
        Session *s;
        int r;

        if (hashmap_size(t->map) >= t->max) {
                correlate_table_remove(t, session_at(t, t->lru_tail));
                (*ret_evicted)++;
        }
        r = hashmap_put(t->map, key, key_build(key, boot_id, hostname, pid), (void **) &s);
        if (r < 0)
                return r;
        assert(r > 0);
        s->pid = pid;
        s->last_usec = usec;
        memcpy(s->boot_id, boot_id, strnlen(boot_id, PF_BOOT_ID_MAX));
        memcpy(s->hostname, hostname, strnlen(hostname, PF_HOSTNAME_MAX));
        lru_push_head(t, s);
        *ret = s;
        return 0;
}

/* correlate_table_touch - mark a session as used at log time usec */
void correlate_table_touch(SessionTable *t, Session *s, uint64_t usec) {
        if (usec > s->last_usec)
                s->last_usec = usec;
        if (t->lru_head == index_of(t, s))
                return;
        lru_unlink(t, s);
        lru_push_head(t, s);
}

/* correlate_table_expire - evict idle sessions from the old end of the LRU list */
uint64_t correlate_table_expire(SessionTable *t, uint64_t now_usec, uint64_t idle_usec) {
        uint64_t n = 0;

        while (t->lru_tail != CORR_NONE) {
                Session *s = session_at(t, t->lru_tail);

                if (now_usec < idle_usec || s->last_usec >= now_usec - idle_usec)
                        break;
                correlate_table_remove(t, s);
                n++;
        }
        return n;
}

size_t correlate_table_size(const SessionTable *t) {
        return hashmap_size(t->map);
}

Session *correlate_table_oldest(SessionTable *t) {
        return t->lru_tail == CORR_NONE ? NULL : session_at(t, t->lru_tail);
}

Session *correlate_table_newer(SessionTable *t, const Session *s) {
        return s->prev == CORR_NONE ? NULL : session_at(t, s->prev);
}

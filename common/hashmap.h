/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        hashmap - one hash map for every table: byte or string keys, fixed-size values
 * SYNOPSIS
 *        #include "hashmap.h"
 *        int hashmap_new(const HashMapOptions *o, HashMap **ret);
 *        int hashmap_put(HashMap *m, const void *key, size_t len, void **ret_value);
 *        void *hashmap_get(const HashMap *m, const void *key, size_t len);
 *        int hashmap_remove(HashMap *m, const void *key, size_t len);
 *        bool hashmap_next(const HashMap *m, size_t *i, void **ret_value);
 *        HashMap *hashmap_free(HashMap *m);
 * DESCRIPTION
 *        A key is any bytes, compared exactly; a value is value_size bytes
 *        that the map keeps beside the key (0 makes a set). hashmap_put()
 *        finds the key or adds it with a zeroed value, and gives the value to
 *        fill or update in place, so that counting rows by a key is
 *
 *            Row *row;
 *            r = hashmap_put_str(rows, domain, (void **) &row);
 *            if (r < 0)
 *                    return r;
 *            row->deliveries++;
 *
 *        A composite key is the bytes of a struct with key_size set (every
 *        byte of it counts: give padding a name and zero it), e.g. (domain,
 *        day) as { uint32_t domain; int32_t day; } where domain is the index of
 *        the string in a set of domains; or the bytes of its parts one after
 *        the other, with a separator or the lengths where parts vary.
 *
 *        Keys of fixed length (key_size) are kept beside the value; others in
 *        a pool, compacted in place when half of it is dead, so a map whose
 *        keys come and go reaches a steady size and then allocates nothing.
 *        A key of the pool is followed by a NUL byte: a string key reads back
 *        as a C string.
 *
 *        An entry has an index that stays the same until it is removed
 *        (indexes of removed entries are used again): hashmap_value_at(),
 *        hashmap_key_at(), hashmap_index_of() and hashmap_remove_at() work on
 *        it, so other structures may link entries by index (an LRU list).
 *        hashmap_next() walks the entries by index: in insertion order as long
 *        as nothing was removed. Value and key pointers stay valid until the
 *        next hashmap_put(), hashmap_remove*() or hashmap_clear().
 *        Values are aligned for 8-byte types.
 *
 *        Open addressing with linear probing over at most half-full buckets
 *        (an entry index and 32 more bits of the hash), backward-shift
 *        deletion (no tombstones), growth by doubling. The hash is
 *        hash_bytes64() of hash.h with a seed drawn at random for each map, so
 *        that keys written by a remote party cannot be chosen to collide;
 *        HashMapOptions.hash replaces it (tests force collisions with it).
 *        Lookups are never wrong whatever the hash, only slower.
 *
 *        hashmap_clear() forgets every entry and keeps the memory.
 *        hashmap_free() is NULL-safe and returns NULL.
 * DIAGNOSTICS
 *        hashmap_put(): 1 added, 0 found; -ENOMEM; -E2BIG past 2^30 entries,
 *        a pool past 4 GiB or a key past 4 GiB; -EINVAL a key of another
 *        length than key_size. hashmap_remove(): 1 removed, 0 not there.
 *        hashmap_new(): -EINVAL for a value_size or key_size past 2^20, -ENOMEM.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct HashMap HashMap;

typedef uint64_t (*HashMapHashFn)(const void *key, size_t len, uint64_t seed);

typedef struct HashMapOptions {
        size_t value_size;              /* bytes of value per entry, zeroed when added; 0 = a set */
        size_t key_size;                /* every key has this length; 0 = keys of any length */
        HashMapHashFn hash;             /* NULL = hash_bytes64() */
} HashMapOptions;

int hashmap_new(const HashMapOptions *o, HashMap **ret);
HashMap *hashmap_free(HashMap *m);
void hashmap_clear(HashMap *m);
size_t hashmap_size(const HashMap *m);

int hashmap_put(HashMap *m, const void *key, size_t len, void **ret_value);
void *hashmap_get(const HashMap *m, const void *key, size_t len);
int hashmap_remove(HashMap *m, const void *key, size_t len);

size_t hashmap_end(const HashMap *m);                   /* every index is below it */
void *hashmap_value_at(const HashMap *m, size_t i);     /* NULL for an unused index */
const void *hashmap_key_at(const HashMap *m, size_t i, size_t *ret_len);
size_t hashmap_index_of(const HashMap *m, const void *value);
void hashmap_remove_at(HashMap *m, size_t i);
/* The first entry at index *i or after it: *i moves there. for (i = 0; hashmap_next(m, &i, &v); i++) */
bool hashmap_next(const HashMap *m, size_t *i, void **ret_value);

static inline int hashmap_put_str(HashMap *m, const char *s, void **ret_value) {
        return hashmap_put(m, s, strlen(s), ret_value);
}

static inline void *hashmap_get_str(const HashMap *m, const char *s) {
        return hashmap_get(m, s, strlen(s));
}

static inline int hashmap_remove_str(HashMap *m, const char *s) {
        return hashmap_remove(m, s, strlen(s));
}

static inline void hashmap_freep(HashMap **m) {
        (void) hashmap_free(*m);
}

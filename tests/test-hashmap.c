/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-hashmap - the hash map: many keys, collisions, removal, indexes, compaction
 * DESCRIPTION
 *        Random operations are checked against a plain array of the same keys;
 *        hash functions that collide on purpose make every probe path run.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cleanup.h"
#include "hashmap.h"

typedef struct Row {
        uint64_t count;
        uint32_t id;
} Row;

static HashMap *new_map(size_t value_size, size_t key_size, HashMapHashFn hash) {
        HashMap *m = NULL;

        assert_int_equal(hashmap_new(&(HashMapOptions) { .value_size = value_size, .key_size = key_size,
                                                          .hash = hash }, &m), 0);
        return m;
}

/* xorshift64*, so that every run does the same operations */
static uint64_t rng(uint64_t *s) {
        *s ^= *s >> 12;
        *s ^= *s << 25;
        *s ^= *s >> 27;
        return *s * 0x2545f4914f6cdd1dULL;
}

static uint64_t hash_constant(const void *key, size_t len, uint64_t seed) {
        return 42;
}

/* the same bucket for all, and the same tag for half of them */
static uint64_t hash_two_tags(const void *key, size_t len, uint64_t seed) {
        return len > 0 && (((const unsigned char *) key)[len - 1] & 1) ? 7 | (1ULL << 32) : 7;
}

/* the same tag (high half) for all, buckets spread */
static uint64_t hash_same_tag(const void *key, size_t len, uint64_t seed) {
        uint64_t h = 1469598103934665603ULL;

        for (size_t i = 0; i < len; i++)
                h = (h ^ ((const unsigned char *) key)[i]) * 1099511628211ULL;
        return (h & 0xffffffffULL) | (0xabcdULL << 32);
}

/* a few buckets only: long clusters that wrap around the end of the bucket array */
static uint64_t hash_clustered(const void *key, size_t len, uint64_t seed) {
        return hash_same_tag(key, len, seed) % 5 + 0xfffffff0ULL;
}

static void test_basic(void **state) {
        _cleanup_(hashmap_freep) HashMap *m = new_map(sizeof(Row), 0, NULL);
        Row *r, *again;
        size_t len;

        assert_null(hashmap_get_str(m, "a"));
        assert_int_equal(hashmap_size(m), 0);
        assert_int_equal(hashmap_put_str(m, "example.com", (void **) &r), 1);
        assert_int_equal(r->count, 0);                  /* zeroed */
        r->count = 5;
        assert_int_equal(hashmap_put_str(m, "example.com", (void **) &again), 0);
        assert_ptr_equal(again, r);
        assert_int_equal(again->count, 5);
        assert_ptr_equal(hashmap_get_str(m, "example.com"), r);
        assert_null(hashmap_get_str(m, "example.co"));
        assert_null(hashmap_get_str(m, "example.comm"));

        /* the key is kept, with a NUL after it */
        assert_string_equal(hashmap_key_at(m, hashmap_index_of(m, r), &len), "example.com");
        assert_int_equal(len, 11);

        /* empty keys and keys with NUL bytes are keys like others */
        assert_int_equal(hashmap_put(m, "", 0, (void **) &r), 1);
        r->count = 1;
        assert_int_equal(hashmap_put(m, "a\0b", 3, (void **) &r), 1);
        r->count = 2;
        assert_int_equal(hashmap_put(m, "a\0c", 3, (void **) &r), 1);
        r->count = 3;
        assert_int_equal(((Row *) hashmap_get(m, "", 0))->count, 1);
        assert_int_equal(((Row *) hashmap_get(m, "a\0b", 3))->count, 2);
        assert_int_equal(((Row *) hashmap_get(m, "a\0c", 3))->count, 3);
        assert_null(hashmap_get_str(m, "a"));
        assert_int_equal(hashmap_size(m), 4);

        assert_int_equal(hashmap_remove_str(m, "example.com"), 1);
        assert_int_equal(hashmap_remove_str(m, "example.com"), 0);
        assert_null(hashmap_get_str(m, "example.com"));
        assert_int_equal(hashmap_size(m), 3);

        hashmap_clear(m);
        assert_int_equal(hashmap_size(m), 0);
        assert_int_equal(hashmap_end(m), 0);
        assert_null(hashmap_get(m, "", 0));
        assert_int_equal(hashmap_put_str(m, "again", (void **) &r), 1);
        assert_int_equal(r->count, 0);

        assert_null(hashmap_free(NULL));
        assert_int_equal(hashmap_new(&(HashMapOptions) { .value_size = 1U << 21 }, &m), -EINVAL);
}

/* Many keys: > 256 (the size that once hung a private table) and > 100,000. */
static void check_many(size_t n, HashMapHashFn hash) {
        _cleanup_(hashmap_freep) HashMap *m = new_map(sizeof(Row), 0, hash);
        char key[32];
        size_t i, seen = 0;
        Row *r;

        for (i = 0; i < n; i++) {
                (void) snprintf(key, sizeof key, "domain-%zu.example", i);
                assert_int_equal(hashmap_put_str(m, key, (void **) &r), 1);
                r->id = (uint32_t) i;
                r->count = i * 3;
        }
        assert_int_equal(hashmap_size(m), n);
        for (i = 0; i < n; i++) {
                (void) snprintf(key, sizeof key, "domain-%zu.example", i);
                r = hashmap_get_str(m, key);
                assert_non_null(r);
                assert_int_equal(r->id, i);
                assert_int_equal(r->count, i * 3);
                assert_int_equal(hashmap_put_str(m, key, NULL), 0);
        }
        assert_null(hashmap_get_str(m, "domain-x.example"));
        (void) snprintf(key, sizeof key, "domain-%zu.example", n);
        assert_null(hashmap_get_str(m, key));

        /* nothing removed: the walk is the insertion order */
        for (i = 0; hashmap_next(m, &i, (void **) &r); i++) {
                assert_int_equal(r->id, seen);
                seen++;
        }
        assert_int_equal(seen, n);

        /* every other one removed, then added again */
        for (i = 0; i < n; i += 2) {
                (void) snprintf(key, sizeof key, "domain-%zu.example", i);
                assert_int_equal(hashmap_remove_str(m, key), 1);
        }
        assert_int_equal(hashmap_size(m), n / 2);
        for (i = 0; i < n; i++) {
                (void) snprintf(key, sizeof key, "domain-%zu.example", i);
                r = hashmap_get_str(m, key);
                if (i % 2 == 0)
                        assert_null(r);
                else
                        assert_int_equal(r->id, i);
        }
        for (i = 0; i < n; i += 2) {
                (void) snprintf(key, sizeof key, "domain-%zu.example", i);
                assert_int_equal(hashmap_put_str(m, key, (void **) &r), 1);
                r->id = (uint32_t) i;
        }
        assert_int_equal(hashmap_size(m), n);
        assert_int_equal(hashmap_end(m), n);            /* the freed indexes were used again */
        for (i = 0; i < n; i++) {
                (void) snprintf(key, sizeof key, "domain-%zu.example", i);
                assert_int_equal(((Row *) hashmap_get_str(m, key))->id, i);
        }
}

static void test_many(void **state) {
        check_many(300, NULL);
        check_many(150000, NULL);
        check_many(1000, hash_same_tag);
        check_many(2000, hash_constant);
        check_many(2000, hash_two_tags);
        check_many(3000, hash_clustered);
}

/* Fixed-size keys: rows by (domain index, day), as a report aggregates them. */
static void test_fixed_keys(void **state) {
        typedef struct DayKey {
                uint32_t domain;
                int32_t day;
        } DayKey;
        _cleanup_(hashmap_freep) HashMap *m = new_map(sizeof(uint64_t), sizeof(DayKey), NULL);
        uint64_t *v;
        size_t len;

        for (uint32_t d = 0; d < 500; d++)
                for (int32_t day = 0; day < 400; day++) {
                        DayKey k = { .domain = d, .day = 20000 + day };

                        assert_int_equal(hashmap_put(m, &k, sizeof k, (void **) &v), 1);
                        *v = (uint64_t) d * 1000 + (uint64_t) day;
                }
        assert_int_equal(hashmap_size(m), 200000);
        for (uint32_t d = 0; d < 500; d += 7)
                for (int32_t day = 0; day < 400; day += 3) {
                        DayKey k = { .domain = d, .day = 20000 + day };
                        const DayKey *back;

                        v = hashmap_get(m, &k, sizeof k);
                        assert_non_null(v);
                        assert_int_equal(*v, (uint64_t) d * 1000 + (uint64_t) day);
                        back = hashmap_key_at(m, hashmap_index_of(m, v), &len);
                        assert_int_equal(len, sizeof k);
                        assert_memory_equal(back, &k, sizeof k);
                }
        DayKey none = { .domain = 500, .day = 20000 };
        assert_null(hashmap_get(m, &none, sizeof none));
        assert_int_equal(hashmap_put(m, &none, sizeof none - 1, NULL), -EINVAL);
        assert_null(hashmap_get(m, &none, sizeof none + 1));
        assert_int_equal(hashmap_remove(m, &none, 3), 0);
}

/* Random puts and removes checked against a plain array, with every kind of hash. */
static void check_model(HashMapHashFn hash, size_t key_size, size_t universe, size_t ops) {
        _cleanup_(hashmap_freep) HashMap *m = new_map(sizeof(Row), key_size, hash);
        _cleanup_free_ bool *present = calloc(universe, sizeof(bool));
        _cleanup_free_ size_t *index = calloc(universe, sizeof(size_t));
        uint64_t seed = 0x9e3779b97f4a7c15ULL ^ universe;
        size_t n = 0;

        assert_non_null(present);
        assert_non_null(index);
        for (size_t op = 0; op < ops; op++) {
                size_t k = rng(&seed) % universe, len;
                char key[64];
                Row *r;

                /* variable length keys; fixed ones padded with zeros */
                memset(key, 0, sizeof key);
                len = (size_t) snprintf(key, sizeof key, "k%zu-%.*s", k, (int) (k % 40), "0123456789012345678901234567890123456789");
                if (key_size > 0)
                        len = key_size;

                switch (rng(&seed) % 8) {
                case 0: case 1: case 2:
                        assert_int_equal(hashmap_put(m, key, len, (void **) &r), present[k] ? 0 : 1);
                        if (!present[k]) {
                                assert_int_equal(r->count, 0);
                                r->id = (uint32_t) k;
                                present[k] = true;
                                index[k] = hashmap_index_of(m, r);
                                n++;
                        } else
                                assert_int_equal(hashmap_index_of(m, r), index[k]);     /* stable */
                        r->count++;
                        break;
                case 3: case 4:
                        assert_int_equal(hashmap_remove(m, key, len), present[k] ? 1 : 0);
                        if (present[k])
                                n--;
                        present[k] = false;
                        break;
                case 5:
                        if (present[k]) {
                                hashmap_remove_at(m, index[k]);
                                present[k] = false;
                                n--;
                        }
                        break;
                default:
                        r = hashmap_get(m, key, len);
                        if (present[k]) {
                                assert_non_null(r);
                                assert_int_equal(r->id, k);
                                assert_int_equal(hashmap_index_of(m, r), index[k]);
                        } else
                                assert_null(r);
                        break;
                }
                assert_int_equal(hashmap_size(m), n);
                if (op % 5000 == 4999) {
                        size_t seen = 0;

                        for (size_t i = 0; hashmap_next(m, &i, (void **) &r); i++) {
                                const char *back = hashmap_key_at(m, i, &len);

                                assert_true(present[r->id]);
                                assert_int_equal(index[r->id], i);
                                if (key_size == 0)
                                        assert_int_equal(back[len], '\0');     /* pool keys only */
                                assert_int_equal(back[0], 'k');
                                seen++;
                        }
                        assert_int_equal(seen, n);
                        assert_true(hashmap_end(m) <= universe);
                }
        }
        for (size_t k = 0; k < universe; k++) {
                char key[64];
                size_t len;

                memset(key, 0, sizeof key);
                len = (size_t) snprintf(key, sizeof key, "k%zu-%.*s", k, (int) (k % 40), "0123456789012345678901234567890123456789");
                if (key_size > 0)
                        len = key_size;
                assert_int_equal(hashmap_get(m, key, len) != NULL, present[k]);
        }
}

static void test_model(void **state) {
        check_model(NULL, 0, 5000, 200000);
        check_model(NULL, 64, 5000, 100000);
        check_model(hash_constant, 0, 300, 30000);
        check_model(hash_two_tags, 0, 300, 30000);
        check_model(hash_same_tag, 0, 3000, 60000);
        check_model(hash_clustered, 0, 1000, 60000);
        check_model(hash_clustered, 64, 1000, 30000);
}

/* Keys that come and go (sessions): the pool is compacted in place, indexes are reused,
 * every key stays right. */
static void test_churn(void **state) {
        _cleanup_(hashmap_freep) HashMap *m = new_map(sizeof(Row), 0, NULL);
        char key[300];
        Row *r;

        for (uint32_t i = 0; i < 200000; i++) {
                int len = snprintf(key, sizeof key, "boot-%u-%.*s", i, (int) (i % 250),
                                   "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"
                                   "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"
                                   "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh");

                assert_int_equal(hashmap_put(m, key, (size_t) len, (void **) &r), 1);
                r->id = i;
                if (i >= 100) {
                        uint32_t old = i - 100;

                        len = snprintf(key, sizeof key, "boot-%u-%.*s", old, (int) (old % 250),
                                       "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"
                                       "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"
                                       "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh");
                        r = hashmap_get(m, key, (size_t) len);
                        assert_non_null(r);
                        assert_int_equal(r->id, old);
                        assert_int_equal(hashmap_remove(m, key, (size_t) len), 1);
                }
        }
        assert_int_equal(hashmap_size(m), 100);
        assert_true(hashmap_end(m) <= 101);
        for (size_t i = 0; hashmap_next(m, &i, (void **) &r); i++) {
                size_t len;
                const char *k = hashmap_key_at(m, i, &len);
                char want[300];

                assert_true(r->id >= 200000 - 100);
                (void) snprintf(want, sizeof want, "boot-%u-", r->id);
                assert_true(strncmp(k, want, strlen(want)) == 0);
                assert_int_equal(strlen(k), len);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_basic),
                cmocka_unit_test(test_many),
                cmocka_unit_test(test_fixed_keys),
                cmocka_unit_test(test_model),
                cmocka_unit_test(test_churn),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-stable-hash - XXH64 against the reference vectors, in one piece and in many
 * DESCRIPTION
 *        The vectors are those of the xxHash reference implementation's sanity
 *        check (a 101-byte buffer from a 32-bit multiplicative generator) and
 *        of short strings, all with seed 0: lengths 0 to 101 run through every
 *        path (bytes, 4-byte word, 8-byte words, 32-byte stripes). They are
 *        what `xxhsum -H1` prints for the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cleanup.h"
#include "stable_hash.h"

#define SANITY_SIZE 101

static void sanity_buffer(unsigned char buf[static SANITY_SIZE]) {
        uint32_t gen = 2654435761U;

        for (size_t i = 0; i < SANITY_SIZE; i++) {
                buf[i] = (unsigned char) (gen >> 24);
                gen *= gen;
        }
}

/* pieces - the same bytes through init/update/final in pieces of size step (0: growing) */
static uint64_t pieces(const unsigned char *p, size_t n, size_t step) {
        StableHash h;
        size_t k = 1;

        stable_hash_init(&h);
        for (size_t off = 0; off < n;) {
                size_t m = step > 0 ? step : k++;

                if (m > n - off)
                        m = n - off;
                stable_hash_update(&h, p + off, m);
                stable_hash_update(&h, p + off, 0);
                off += m;
        }
        return stable_hash_final(&h);
}

static void check(const char *what, const unsigned char *p, size_t n, uint64_t want) {
        static const size_t steps[] = { 1, 3, 7, 8, 13, 31, 32, 33, 64, 0 };
        uint64_t got = stable_hash(p, n);

        if (got != want)
                fail_msg("%s (%zu bytes): got %016jx, want %016jx", what, n, (uintmax_t) got, (uintmax_t) want);
        for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
                got = pieces(p, n, steps[i]);
                if (got != want)
                        fail_msg("%s (%zu bytes) in pieces of %zu: got %016jx, want %016jx", what, n, steps[i],
                                 (uintmax_t) got, (uintmax_t) want);
        }
}

static void test_reference_vectors(void **state) {
        unsigned char buf[SANITY_SIZE];
        static const struct {
                const char *text;
                uint64_t want;
        } strings[] = {
                { "", 0xef46db3751d8e999ULL },
                { "a", 0xd24ec4f1a98c6e5bULL },
                { "abc", 0x44bc2cf5ad770999ULL },
                { "Nobody inspects the spammish repetition", 0xfbcea83c8a378bf1ULL },
        };

        sanity_buffer(buf);
        check("sanity buffer", buf, 0, 0xef46db3751d8e999ULL);
        check("sanity buffer", buf, 1, 0x4fce394cc88952d8ULL);
        check("sanity buffer", buf, 14, 0xcffa8db881bc3a3dULL);
        check("sanity buffer", buf, SANITY_SIZE, 0x0eab543384f878adULL);
        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                check(strings[i].text, (const unsigned char *) strings[i].text, strlen(strings[i].text),
                      strings[i].want);
        assert_int_equal(stable_hash(NULL, 0), 0xef46db3751d8e999ULL);
}

/* Every length up to a few stripes: one piece and many agree. */
static void test_pieces_agree(void **state) {
        unsigned char buf[200];

        for (size_t i = 0; i < sizeof buf; i++)
                buf[i] = (unsigned char) (i * 37 + 11);
        for (size_t n = 0; n <= sizeof buf; n++) {
                uint64_t want = stable_hash(buf, n);

                assert_int_equal(pieces(buf, n, 1), want);
                assert_int_equal(pieces(buf, n, 5), want);
                assert_int_equal(pieces(buf, n, 0), want);
        }
        assert_string_equal(STABLE_HASH_MARK, "h2:");
        assert_int_equal(STABLE_HASH_MARK_LEN, 3);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_reference_vectors),
                cmocka_unit_test(test_pieces_agree),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

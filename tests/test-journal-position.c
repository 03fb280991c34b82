/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-journal-position - entry identities and position strings, both hash formats
 * DESCRIPTION
 *        The format 1 identities below are what mxtls 0.1 computed; they must
 *        never change, or positions it stored would no longer resume.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cleanup.h"
#include "journal_position.h"
#include "stable_hash.h"

static const uint8_t boot[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static void test_identity_format1(void **state) {
        static char big[5000];

        memcpy(big, "MESSAGE=", 8);
        for (size_t i = 8; i < sizeof big; i++)
                big[i] = (char) ('a' + i % 26);
        assert_int_equal(journal_identity_v1(0, boot, NULL, 0), 0x7fc7622a24dddff5ULL);
        assert_int_equal(journal_identity_v1(1709546400000000ULL, boot, "MESSAGE=hello", 13),
                         0x2e3f6340b353db90ULL);
        assert_int_equal(journal_identity_v1(123456789, boot, big, 5000), 0x537bd1916c55aa46ULL);
        assert_int_equal(journal_identity_v1(123456789, boot, big, 4096), 0x537bd1916c55aa46ULL);
        assert_int_equal(journal_identity_v1(123456789, boot, big, 4095), 0xbbfd26a3cd79df59ULL);
}

/* Format 2 is stable_hash() of exactly the bytes journal_position.h names. */
static void test_identity_format2(void **state) {
        static char big[5000], bytes[8 + 16 + 4096];
        const uint64_t mono = 0x0102030405060708ULL;

        memcpy(big, "MESSAGE=", 8);
        for (size_t i = 8; i < sizeof big; i++)
                big[i] = (char) ('a' + i % 26);
        for (size_t i = 0; i < 8; i++)
                bytes[i] = (char) (mono >> (8 * i));            /* little-endian */
        memcpy(bytes + 8, boot, 16);
        assert_int_equal(journal_identity(mono, boot, NULL, 0), stable_hash(bytes, 24));
        memcpy(bytes + 24, "MESSAGE=hello", 13);
        assert_int_equal(journal_identity(mono, boot, "MESSAGE=hello", 13), stable_hash(bytes, 24 + 13));
        memcpy(bytes + 24, big, 4096);
        assert_int_equal(journal_identity(mono, boot, big, 5000), stable_hash(bytes, sizeof bytes));
        assert_int_equal(journal_identity(mono, boot, big, 4096), stable_hash(bytes, sizeof bytes));
        assert_int_equal(journal_identity(mono, boot, big, 4095), stable_hash(bytes, sizeof bytes - 1));
        assert_true(journal_identity(mono, boot, "MESSAGE=hello", 13) !=
                    journal_identity(mono + 1, boot, "MESSAGE=hello", 13));
}

static void test_position_strings(void **state) {
        _cleanup_free_ char *p2 = NULL, *p1 = NULL, *none = NULL;
        const char *cursor;
        Window w = { 0 };

        journal_window_add(&w, 100, 0xabcdefULL);
        journal_window_add(&w, 100, 0x1ULL);
        assert_false(w.legacy);
        assert_int_equal(journal_position_format(&w, "s=x;i=1", &p2), 0);
        assert_string_equal(p2, "2 100 2 h2:0000000000abcdef,0000000000000001 s=x;i=1");
        assert_int_equal(journal_position_parse(p2, &w, &cursor), 0);
        assert_false(w.legacy);
        assert_int_equal(w.n, 2);
        assert_int_equal(w.ids[0], 0xabcdefULL);
        assert_string_equal(cursor, "s=x;i=1");

        /* format 1 (mxtls 0.1): no mark; read, extended at its timestamp, written as it was */
        assert_int_equal(journal_position_parse("2 100 2 0000000000abcdef,0000000000000001 s=x", &w, &cursor), 0);
        assert_true(w.legacy);
        journal_window_add(&w, 100, 0x2ULL);
        assert_true(w.legacy);
        assert_int_equal(journal_position_format(&w, cursor, &p1), 0);
        assert_string_equal(p1, "2 100 3 0000000000abcdef,0000000000000001,0000000000000002 s=x");
        /* a newer timestamp starts a window of format 2 */
        journal_window_add(&w, 101, 0x3ULL);
        assert_false(w.legacy);
        assert_int_equal(w.n, 1);

        /* no identities: "-", no mark either way */
        w = (Window) { .usec = 5 };
        assert_int_equal(journal_position_format(&w, "c", &none), 0);
        assert_string_equal(none, "2 5 0 - c");
        assert_int_equal(journal_position_parse(none, &w, &cursor), 0);
        assert_false(w.legacy);

        assert_int_equal(journal_position_parse("2 5 1 h2: c", &w, &cursor), -EINVAL);
        assert_int_equal(journal_position_parse("2 5 1 h2:zz c", &w, &cursor), -EINVAL);
        assert_int_equal(journal_position_parse("2 5 1 h2:01, c", &w, &cursor), -EINVAL);
        assert_int_equal(journal_position_parse("2 5 2 h2:01,h2:02 c", &w, &cursor), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_identity_format1),
                cmocka_unit_test(test_identity_format2),
                cmocka_unit_test(test_position_strings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-span - spans and checked numbers
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
#include "span.h"

static void test_span_numbers(void **state) {
        static const struct {
                const char *in;
                int want_rc;
                uint64_t want;
        } rows[] = {
                { "0", 0, 0 },
                { "42", 0, 42 },
                { "18446744073709551615", 0, UINT64_MAX },
                { "18446744073709551616", -ERANGE, 0 },
                { "99999999999999999999999", -ERANGE, 0 },
                { "", -EINVAL, 0 },
                { "-1", -EINVAL, 0 },
                { "+1", -EINVAL, 0 },
                { "1a", -EINVAL, 0 },
                { " 1", -EINVAL, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                uint64_t v = 12345;
                int r = parse_u64(rows[i].in, &v);
                if (r != rows[i].want_rc)
                        fail_msg("parse_u64(\"%s\"): got rc %d, want %d", rows[i].in, r, rows[i].want_rc);
                if (r == 0 && v != rows[i].want)
                        fail_msg("parse_u64(\"%s\"): got %ju, want %ju", rows[i].in,
                                 (uintmax_t) v, (uintmax_t) rows[i].want);
        }
        uint32_t u;
        assert_int_equal(parse_u32("4294967295", &u), 0);
        assert_int_equal(u, UINT32_MAX);
        assert_int_equal(parse_u32("4294967296", &u), -ERANGE);
        /* span not NUL-terminated: only n bytes are read */
        assert_int_equal(span_to_u32(span_make("123xyz", 3), &u), 0);
        assert_int_equal(u, 123);
}

static void test_span_helpers(void **state) {
        char buf[4];
        Span s = span_make("Hello", 5);

        assert_true(span_eq(s, "Hello"));
        assert_false(span_eq(s, "Hell"));
        assert_true(span_eq_nocase(s, "hELLO"));
        assert_true(span_startswith(s, "He"));
        assert_false(span_startswith(span_make("H", 1), "He"));
        assert_int_equal(span_copy(s, buf, sizeof buf), -ENOBUFS);
        assert_string_equal(buf, "");
        assert_int_equal(span_copy(span_make("abc", 3), buf, sizeof buf), 0);
        assert_string_equal(buf, "abc");
        _cleanup_free_ char *d = span_dup(span_make("a\0b", 3));
        assert_non_null(d);
        assert_memory_equal(d, "a\0b", 4);
}

static void test_ascii_lower(void **state) {
        char s[] = "MiXed-Case.EXAMPLE\xc3\x89";

        ascii_lower(s);
        assert_string_equal(s, "mixed-case.example\xc3\x89");      /* ASCII only */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_span_numbers),
                cmocka_unit_test(test_span_helpers),
                cmocka_unit_test(test_ascii_lower),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

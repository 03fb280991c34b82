/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-timeutil - UTC days and the --since forms
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cleanup.h"
#include "timeutil.h"

static void test_days(void **state) {
        char buf[11];
        int64_t d;

        day_from_usec(0, buf);
        assert_string_equal(buf, "1970-01-01");
        /* 2026-11-24T23:59:59.999999Z and one microsecond later */
        day_from_usec(1795564799999999ULL, buf);
        assert_string_equal(buf, "2026-11-24");
        day_from_usec(1795564800000000ULL, buf);
        assert_string_equal(buf, "2026-11-25");

        assert_int_equal(day_parse("2024-02-29", &d), 0);
        day_format(d, buf);
        assert_string_equal(buf, "2024-02-29");
        assert_int_equal(day_parse("2023-02-29", &d), -EINVAL);
        assert_int_equal(day_parse("2023-13-01", &d), -EINVAL);
        assert_int_equal(day_parse("2023-1-01", &d), -EINVAL);
        assert_int_equal(day_parse("2023-01-00", &d), -EINVAL);
        assert_int_equal(day_parse("1970-01-02", &d), 0);
        assert_int_equal(d, 1);
        for (int64_t k = -1000; k < 200000; k += 37) {
                int64_t back;
                day_format(k < 0 ? 0 : k, buf);
                assert_int_equal(day_parse(buf, &back), 0);
                assert_int_equal(back, k < 0 ? 0 : k);
        }
}

static void test_parse_since(void **state) {
        static const struct {
                const char *in;
                int want_rc;
                uint64_t want;
        } rows[] = {
                { "2024-03-04", 0, 1709510400ULL * 1000000ULL },
                { "2024-03-04T10:00", 0, 1709546400ULL * 1000000ULL },
                { "2024-03-04 10:00:05", 0, 1709546405ULL * 1000000ULL },
                { "2024-03-04T10:00:05Z", 0, 1709546405ULL * 1000000ULL },
                { "@1709546405", 0, 1709546405ULL * 1000000ULL },
                { "-7d", 0, 2000000000ULL * 1000000ULL - 7 * 86400ULL * 1000000ULL },
                { "7d", 0, 2000000000ULL * 1000000ULL - 7 * 86400ULL * 1000000ULL },
                { "12h", 0, 2000000000ULL * 1000000ULL - 12 * 3600ULL * 1000000ULL },
                { "2w", 0, 2000000000ULL * 1000000ULL - 14 * 86400ULL * 1000000ULL },
                { "", -EINVAL, 0 },
                { "yesterday", -EINVAL, 0 },
                { "-7", -EINVAL, 0 },
                { "-7x", -EINVAL, 0 },
                { "2024-13-04", -EINVAL, 0 },
                { "2024-03-04T25:00", -EINVAL, 0 },
                { "2024-03-04X10:00", -EINVAL, 0 },
                { "@", -EINVAL, 0 },
                { "@-5", -EINVAL, 0 },
                { "99999999999999999999d", -EINVAL, 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                uint64_t v = 0;
                int r = parse_since(rows[i].in, 2000000000ULL * 1000000ULL, &v);

                if (r != rows[i].want_rc)
                        fail_msg("\"%s\": got rc %d, want %d", rows[i].in, r, rows[i].want_rc);
                if (r == 0 && v != rows[i].want)
                        fail_msg("\"%s\": got %ju, want %ju", rows[i].in, (uintmax_t) v,
                                 (uintmax_t) rows[i].want);
        }
}

static void test_clocks(void **state) {
        uint64_t a = monotonic_usec(), b = monotonic_usec();

        assert_true(b >= a);
        assert_true(now_usec() > 1700000000ULL * USEC_PER_SEC);        /* after 2023-11 */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_days),
                cmocka_unit_test(test_parse_since),
                cmocka_unit_test(test_clocks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

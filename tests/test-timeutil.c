/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-timeutil - UTC days and the clock
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

static void test_clocks(void **state) {
        assert_true(now_usec() > 1700000000ULL * USEC_PER_SEC);        /* after 2023-11 */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_days),
                cmocka_unit_test(test_clocks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

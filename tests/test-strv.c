/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-strv - NULL-terminated string lists
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
#include "strv.h"

static void test_push(void **state) {
        _cleanup_(strv_freep) char **l = NULL;
        size_t n = 0;

        assert_int_equal(strv_length(l), 0);
        assert_false(strv_contains(l, "a"));
        for (int i = 0; i < 1000; i++) {
                char *s = NULL;

                assert_true(asprintf(&s, "s%d", i) > 0);
                assert_int_equal(strv_push(&l, &n, s), 0);
                assert_int_equal(n, (size_t) i + 1);
                assert_null(l[n]);
        }
        assert_int_equal(strv_length(l), 1000);
        assert_string_equal(l[0], "s0");
        assert_string_equal(l[999], "s999");
        assert_true(strv_contains(l, "s500"));
        assert_false(strv_contains(l, "s1000"));
        assert_false(strv_contains(l, "s"));

        /* a failed strdup() is pushed as NULL: -ENOMEM, the list unchanged */
        assert_int_equal(strv_push(&l, &n, NULL), -ENOMEM);
        assert_int_equal(n, 1000);
        assert_int_equal(strv_length(l), 1000);
}

static void test_copy(void **state) {
        char *const src[] = { (char *) "one", (char *) "two", (char *) "three", NULL };
        _cleanup_(strv_freep) char **all = NULL, **two = NULL, **none = NULL, **empty = NULL;

        all = strv_copy(src);
        assert_non_null(all);
        assert_int_equal(strv_length(all), 3);
        assert_true(all[0] != src[0]);
        assert_string_equal(all[2], "three");
        assert_null(all[3]);

        two = strv_copy_n(src, 2);      /* need not be NULL-terminated at n */
        assert_non_null(two);
        assert_int_equal(strv_length(two), 2);
        assert_string_equal(two[1], "two");

        none = strv_copy(NULL);         /* NULL is the empty list */
        assert_non_null(none);
        assert_null(none[0]);
        empty = strv_copy_n(src, 0);
        assert_non_null(empty);
        assert_int_equal(strv_length(empty), 0);

        assert_null(strv_free(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_push),
                cmocka_unit_test(test_copy),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

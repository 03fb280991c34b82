/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-vocab - name_code tables
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cleanup.h"
#include "name_code.h"

enum { COLOR_RED, COLOR_GREEN, COLOR_EMPTY, COLOR_NOT_FOUND = -1 };

static const NameCode colors[] = {
        { "red",   COLOR_RED },
        { "green", COLOR_GREEN },
        { "Rot",   COLOR_RED },             /* alias: never printed */
        { "",      COLOR_EMPTY },
        { NULL,    COLOR_NOT_FOUND },
};

static void test_name_code(void **state) {
        static const struct {
                const char *name;
                size_t n;                       /* SIZE_MAX = strlen */
                NameCodeFlags flags;
                int want;
        } rows[] = {
                { "red", SIZE_MAX, NAME_CODE_EXACT, COLOR_RED },
                { "Rot", SIZE_MAX, NAME_CODE_EXACT, COLOR_RED },
                { "RED", SIZE_MAX, NAME_CODE_EXACT, COLOR_NOT_FOUND },
                { "RED", SIZE_MAX, NAME_CODE_ANY_CASE, COLOR_RED },
                { "gReEn", SIZE_MAX, NAME_CODE_ANY_CASE, COLOR_GREEN },
                { "", SIZE_MAX, NAME_CODE_EXACT, COLOR_EMPTY },
                { "re", SIZE_MAX, NAME_CODE_ANY_CASE, COLOR_NOT_FOUND },
                { "reds", SIZE_MAX, NAME_CODE_EXACT, COLOR_NOT_FOUND },
                { "redgreen", 3, NAME_CODE_EXACT, COLOR_RED },  /* a span: no NUL needed */
                { "greenish", 5, NAME_CODE_EXACT, COLOR_GREEN },
                { "red\0x", 5, NAME_CODE_EXACT, COLOR_NOT_FOUND },
                { "red", 0, NAME_CODE_EXACT, COLOR_EMPTY },
                { "blue", SIZE_MAX, NAME_CODE_ANY_CASE, COLOR_NOT_FOUND },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                int got = rows[i].n == SIZE_MAX ? name_code(colors, rows[i].flags, rows[i].name)
                                                : name_code_n(colors, rows[i].flags, rows[i].name, rows[i].n);
                if (got != rows[i].want)
                        fail_msg("row %zu \"%s\": got %d, want %d", i, rows[i].name, got, rows[i].want);
        }
        assert_int_equal(name_code(colors, NAME_CODE_EXACT, NULL), COLOR_NOT_FOUND);
        assert_int_equal(name_code_n(colors, NAME_CODE_EXACT, NULL, 0), COLOR_EMPTY);
        assert_int_equal(name_code_n(colors, NAME_CODE_EXACT, NULL, 3), COLOR_NOT_FOUND);
        assert_string_equal(name_code_str(colors, COLOR_RED), "red");     /* the first name */
        assert_string_equal(name_code_str(colors, COLOR_EMPTY), "");
        assert_null(name_code_str(colors, COLOR_NOT_FOUND));
        assert_null(name_code_str(colors, 42));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_name_code),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-strbuf - string buffer, JSON and terminal escaping
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "strbuf.h"

static void test_json_string(void **state) {
        StrBuf b;
        strbuf_init(&b);
        strbuf_put_json_string(&b, "a\"b\\c\n\x01\x7f\xc3\xa9\xff", 11);
        assert_false(b.oom);
        assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\\u007f\xc3\xa9\\ufffd\"");
        strbuf_free(&b);

        strbuf_init(&b);
        strbuf_put_safe_text(&b, "x\x1b[31my\xc2\x9bz\\", 11);
        assert_string_equal(b.data, "x\\x1b[31my\\xc2\\x9bz\\\\");
        strbuf_free(&b);

        strbuf_init(&b);
        for (int i = 0; i < 10000; i++)
                strbuf_printf(&b, "%d,", i % 10);
        assert_int_equal(b.len, 20000);
        strbuf_free(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_json_string),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

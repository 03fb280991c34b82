/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-util - bounded strings, checked numbers, days, atomic writes
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cleanup.h"
#include "util.h"

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

static void test_write_atomic(void **state) {
        char dir[] = "/tmp/mxtls-test-util-XXXXXX";
        _cleanup_free_ char *path = NULL, *data = NULL;
        struct stat st;
        size_t len;

        assert_non_null(mkdtemp(dir));
        assert_true(asprintf(&path, "%s/out.txt", dir) > 0);
        assert_int_equal(write_file_atomic(path, "first\n", 6, 0640), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(write_file_atomic(path, "second\n", 7, 0644), 0);
        assert_int_equal(read_file_full(path, 1024, &data, &len), 0);
        assert_int_equal(len, 7);
        assert_string_equal(data, "second\n");
        free(TAKE_PTR(data));
        assert_int_equal(read_file_full(path, 3, &data, &len), -EFBIG);

        /* a failed write (directory not writable is hard as root; use a missing dir) leaves nothing */
        _cleanup_free_ char *bad = NULL;
        assert_true(asprintf(&bad, "%s/missing/out.txt", dir) > 0);
        assert_int_equal(write_file_atomic(bad, "x", 1, 0644), -ENOENT);
        assert_int_equal(read_file_full(path, 1024, &data, &len), 0);
        assert_string_equal(data, "second\n");

        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_span_numbers),
                cmocka_unit_test(test_span_helpers),
                cmocka_unit_test(test_days),
                cmocka_unit_test(test_json_string),
                cmocka_unit_test(test_write_atomic),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

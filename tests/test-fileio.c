/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-fileio - atomic writes, bounded reads
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cleanup.h"
#include "fileio.h"

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
                cmocka_unit_test(test_write_atomic),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

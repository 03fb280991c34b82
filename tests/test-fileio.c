/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-fileio - atomic writes, bounded reads, parent directories
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

static void test_mkdir_parents(void **state) {
        char dir[] = "/tmp/mxtls-test-fileio-XXXXXX";
        _cleanup_free_ char *path = NULL, *a = NULL, *ab = NULL;
        struct stat st;

        assert_non_null(mkdtemp(dir));
        assert_true(asprintf(&path, "%s/a/b/file", dir) > 0);
        assert_true(asprintf(&a, "%s/a", dir) > 0);
        assert_true(asprintf(&ab, "%s/a/b", dir) > 0);
        assert_int_equal(mkdir_parents(path, 0750), 0);
        assert_int_equal(stat(ab, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0750);
        assert_int_equal(stat(path, &st), -1);          /* not the last component */
        assert_int_equal(mkdir_parents(path, 0750), 0);  /* existing: fine */
        assert_int_equal(mkdir_parents("", 0750), 0);
        assert_int_equal(mkdir_parents("relative-no-slash", 0750), 0);

        /* a file in the way */
        _cleanup_free_ char *blocked = NULL;
        assert_int_equal(write_file_atomic(path, "x", 1, 0600), 0);
        assert_true(asprintf(&blocked, "%s/a/b/file/c/d", dir) > 0);
        assert_int_equal(mkdir_parents(blocked, 0750), -ENOTDIR);

        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(ab), 0);
        assert_int_equal(rmdir(a), 0);
        assert_int_equal(rmdir(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_write_atomic),
                cmocka_unit_test(test_mkdir_parents),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

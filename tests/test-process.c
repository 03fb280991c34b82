/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-process - running programs: both pipes drained, limits, timeout, status
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cleanup.h"
#include "process.h"
#include "timeutil.h"

#define MIB (1024 * 1024)

static int sh(const char *script, const ProcessOptions *o, ProcessResult *ret) {
        char *const argv[] = { (char *) "/bin/sh", (char *) "-c", (char *) script, NULL };

        return process_run(argv, o, ret);
}

/* no child of this test is left running or unreaped */
static void assert_no_children(void) {
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
}

/* gone - no process runs with a command line matching pattern (SIGKILL takes a moment) */
static bool gone(const char *pattern) {
        _cleanup_free_ char *cmd = NULL;

        assert_true(asprintf(&cmd, "! pgrep -f '%s' >/dev/null", pattern) > 0);
        for (int i = 0; i < 200; i++) {
                if (system(cmd) == 0)
                        return true;
                (void) usleep(10000);
        }
        return false;
}

/* A MiB on each pipe, stderr first: a runner that only read stdout would wait forever. */
static void test_both_pipes_drained(void **state) {
        static const char *const scripts[] = {
                "head -c 1048576 /dev/zero >&2; head -c 1048576 /dev/zero | tr '\\0' o",
                "head -c 1048576 /dev/zero | tr '\\0' o; head -c 1048576 /dev/zero >&2",
                "(head -c 1048576 /dev/zero >&2 &); head -c 1048576 /dev/zero | tr '\\0' o; wait",
        };

        for (size_t i = 0; i < ELEMENTSOF(scripts); i++) {
                ProcessResult r;

                assert_int_equal(sh(scripts[i], &(ProcessOptions) { .stdout_max = 1000, .stderr_max = 10,
                                                                   .timeout_usec = 60 * USEC_PER_SEC }, &r), 0);
                assert_int_equal(r.status, 0);
                assert_int_equal(r.signal, 0);
                assert_int_equal(r.out.len, 1000);
                assert_int_equal(r.out.dropped, MIB - 1000);
                assert_int_equal(strspn(r.out.data, "o"), 1000);
                assert_int_equal(r.out.data[1000], '\0');
                assert_int_equal(r.err.len, 10);
                assert_int_equal(r.err.dropped, MIB - 10);
                process_result_done(&r);
        }

        /* limits above the output: all of it kept */
        ProcessResult r;
        assert_int_equal(sh("head -c 1048576 /dev/zero | tr '\\0' x; head -c 1048576 /dev/zero >&2",
                            &(ProcessOptions) { .stdout_max = 2 * MIB, .stderr_max = MIB }, &r), 0);
        assert_int_equal(r.out.len, MIB);
        assert_int_equal(r.out.dropped, 0);
        assert_int_equal(strspn(r.out.data, "x"), MIB);
        assert_int_equal(r.err.len, MIB);
        assert_int_equal(r.err.dropped, 0);
        process_result_done(&r);

        /* nothing kept: still drained and counted, and the outputs are "" */
        assert_int_equal(sh("printf 'hello'; printf 'oops' >&2", &(ProcessOptions) { 0 }, &r), 0);
        assert_string_equal(r.out.data, "");
        assert_int_equal(r.out.dropped, 5);
        assert_string_equal(r.err.data, "");
        assert_int_equal(r.err.dropped, 4);
        process_result_done(&r);
        assert_no_children();
}

static void test_timeout(void **state) {
        static const char *const scripts[] = {
                "sleep 30",
                "exec >/dev/null 2>&1; sleep 30",       /* pipes closed, still running */
                "printf partial; sleep 30",
        };

        for (size_t i = 0; i < ELEMENTSOF(scripts); i++) {
                uint64_t t0 = monotonic_usec(), took;
                ProcessResult r = { 0 };

                assert_int_equal(sh(scripts[i], &(ProcessOptions) { .stdout_max = 100,
                                                                   .timeout_usec = 300000 }, &r), -ETIMEDOUT);
                took = monotonic_usec() - t0;
                if (took < 300000 || took > 10 * USEC_PER_SEC)
                        fail_msg("\"%s\": timed out after %ju usec, want about 300000", scripts[i],
                                 (uintmax_t) took);
                assert_null(r.out.data);        /* ret written only on success */
                assert_no_children();
        }
        /* the kill reached the sleep started by the shell too */
        assert_true(gone("^sleep 3[0]$"));
}

static void test_timeout_grandchild(void **state) {
        ProcessResult r = { 0 };

        /* the shell is gone at once, its child keeps the pipes open */
        assert_int_equal(sh("sleep 31 & exit 0", &(ProcessOptions) { .timeout_usec = 300000 }, &r),
                         -ETIMEDOUT);
        assert_no_children();
        assert_true(gone("^sleep 3[1]$"));
}

static void test_status(void **state) {
        char *const missing[] = { (char *) "/nonexistent/mxtls-test-program", NULL };
        char *const cat[] = { (char *) "/bin/cat", NULL };
        char *const empty[] = { NULL };
        ProcessOptions o = { .stdout_max = 4096, .stderr_max = 4096, .timeout_usec = 30 * USEC_PER_SEC };
        ProcessResult r;

        assert_int_equal(process_run(missing, &o, &r), -ENOENT);
        assert_int_equal(process_run(empty, &o, &r), -EINVAL);

        assert_int_equal(sh("printf 'out\\n'; printf 'err\\n' >&2; exit 3", &o, &r), 0);
        assert_int_equal(r.status, 3);
        assert_int_equal(r.signal, 0);
        assert_string_equal(r.out.data, "out\n");
        assert_string_equal(r.err.data, "err\n");
        process_result_done(&r);

        assert_int_equal(sh("kill -TERM $$", &o, &r), 0);
        assert_int_equal(r.signal, SIGTERM);
        assert_int_equal(r.status, 128 + SIGTERM);
        process_result_done(&r);

        /* stdin is /dev/null: cat ends at once */
        assert_int_equal(process_run(cat, &o, &r), 0);
        assert_int_equal(r.status, 0);
        assert_int_equal(r.out.len, 0);
        process_result_done(&r);
        process_result_done(NULL);
        assert_no_children();
}

static void test_find_program(void **state) {
        _cleanup_free_ char *p = NULL;
        char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

        p = process_find_program("sh");
        assert_non_null(p);
        assert_true(p[0] == '/');
        assert_null(process_find_program("mxtls-no-such-program"));
        assert_null(process_find_program("bin/sh"));            /* a name, not a path */
        assert_null(process_find_program(""));

        /* relative $PATH entries are never searched; the system directories always are */
        assert_int_equal(setenv("PATH", ".:bin", 1), 0);
        free(p);
        p = process_find_program("sh");
        assert_non_null(p);
        assert_true(p[0] == '/');
        if (old)
                assert_int_equal(setenv("PATH", old, 1), 0);
        else
                assert_int_equal(unsetenv("PATH"), 0);
        free(old);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_both_pipes_drained),
                cmocka_unit_test(test_timeout),
                cmocka_unit_test(test_timeout_grandchild),
                cmocka_unit_test(test_status),
                cmocka_unit_test(test_find_program),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

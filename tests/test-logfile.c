/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-logfile - the text log record source: lines, limits, positions, rotation
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cleanup.h"
#include "logfile.h"
#include "stable_hash.h"

#define T2024 1709546400ULL             /* 2024-03-04T10:00:00Z */

static char tmpdir[] = "/tmp/test-logfile-XXXXXX";
static char path[256], rotated[256];

/* set_mtime - the file's modification time decides the year of syslog stamps */
static void set_mtime(const char *p, uint64_t sec) {
        struct timespec ts[2] = { { .tv_sec = (time_t) sec }, { .tv_sec = (time_t) sec } };

        assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
}

/* write_file - write or append; the file then looks written in March 2024 */
static void write_file(const char *p, const char *mode, const char *text) {
        FILE *f = fopen(p, mode);

        assert_non_null(f);
        assert_true(fputs(text, f) >= 0);
        assert_int_equal(fclose(f), 0);
        set_mtime(p, T2024 + 3600);
}

static Source *open_log(char *const *identifiers) {
        Source *s = NULL;

        assert_int_equal(logfile_source_open(path, identifiers, &s), 0);
        assert_non_null(s);
        return s;
}

static void expect_msg(Source *s, const char *msg) {
        PfRecord rec;
        int r = source_next(s, &rec);

        if (r != 1)
                fail_msg("next: got %d, want a record \"%s\"", r, msg);
        if (rec.message_len != strlen(msg) || memcmp(rec.message, msg, rec.message_len) != 0)
                fail_msg("next: got \"%.*s\", want \"%s\"", (int) rec.message_len, rec.message, msg);
}

static void expect_end(Source *s) {
        PfRecord rec;

        assert_int_equal(source_next(s, &rec), 0);
}

static void test_lines(void **state) {
        PfRecord rec;
        Source *s;

        write_file(path, "we",
                   "Mar  4 10:00:00 mx1 postfix/smtp[123]: one\n"
                   "Mar  4 10:00:01 mx1 postfix/qmgr[7]: not selected\n"
                   "garbage without a stamp\n"
                   "\n"
                   "2024-03-04T10:00:02.250000+00:00 mx2 postfix-out/smtp[124]: two\n"
                   "Mar  4 10:00:03 mx1 postfix/relay/smtp: three without pid\n"
                   "Mar  4 10:00:04 mx1 postfix/smtp[125]: partial, not yet terminated");
        set_mtime(path, T2024 + 3600);
        s = open_log(NULL);
        assert_true(strncmp(source_key(s), "logfile:/", 9) == 0);

        assert_int_equal(source_next(s, &rec), 1);
        assert_int_equal(rec.realtime_usec, T2024 * 1000000ULL);
        assert_string_equal(rec.identifier, "postfix/smtp");
        assert_string_equal(rec.hostname, "mx1");
        assert_string_equal(rec.boot_id, "");
        assert_int_equal(rec.pid, 123);
        assert_memory_equal(rec.message, "one", 3);

        assert_int_equal(source_next(s, &rec), 1);
        assert_int_equal(rec.realtime_usec, (T2024 + 2) * 1000000ULL + 250000);
        assert_string_equal(rec.identifier, "postfix-out/smtp");
        assert_string_equal(rec.hostname, "mx2");

        assert_int_equal(source_next(s, &rec), 1);
        assert_int_equal(rec.pid, 0);
        assert_int_equal(s->stats.no_pid, 1);

        /* The unterminated last line is left for later. */
        expect_end(s);
        assert_int_equal(s->stats.records, 3);
        assert_int_equal(s->stats.not_selected, 1);
        assert_int_equal(s->stats.malformed, 1);
        assert_true(source_progress(s) < 1.0);

        _cleanup_free_ char *pos = NULL;
        assert_int_equal(source_position(s, &pos), 0);
        s = source_free(s);

        /* Once it is complete, the next run reads exactly that line. */
        write_file(path, "ae", " now\n");
        s = open_log(NULL);
        SourceSeekInfo info;
        assert_int_equal(source_seek(s, pos, &info), 0);
        assert_false(info.position_lost);
        assert_false(info.rotated);
        assert_int_equal(info.saved_usec, (T2024 + 3) * 1000000ULL);
        expect_msg(s, "partial, not yet terminated now");
        expect_end(s);
        assert_true(source_progress(s) > 0.999);
        s = source_free(s);
}

static void test_limits(void **state) {
        _cleanup_free_ char *big = NULL, *pos = NULL;
        size_t n = PF_MESSAGE_MAX + 10;
        SourceSeekInfo info;
        Source *s;
        FILE *f;

        big = malloc(n);
        assert_non_null(big);
        memset(big, 'x', n);

        f = fopen(path, "we");
        assert_non_null(f);
        fputs("Mar  4 10:00:00 mx1 postfix/smtp[1]: before\n", f);
        fputs("Mar  4 10:00:01 mx1 postfix/smtp[1]: ", f);
        assert_int_equal(fwrite(big, 1, n, f), n);
        fputs("\n", f);
        /* 3 times the buffer: skipped across several reads */
        fputs("Mar  4 10:00:02 mx1 postfix/smtp[1]: ", f);
        for (int i = 0; i < 3; i++)
                assert_int_equal(fwrite(big, 1, n, f), n);
        fputs("\nMar  4 10:00:03 mx1 postfix/smtp[1]: after\n", f);
        assert_int_equal(fclose(f), 0);
        set_mtime(path, T2024 + 3600);

        s = open_log(NULL);
        expect_msg(s, "before");
        expect_msg(s, "after");
        expect_end(s);
        assert_int_equal(s->stats.too_long, 2);
        assert_int_equal(s->stats.entries, 4);
        s = source_free(s);

        /* A position right after over-long lines is still recognised. */
        s = open_log(NULL);
        expect_msg(s, "before");
        expect_msg(s, "after");
        assert_int_equal(source_position(s, &pos), 0);
        s = source_free(s);
        write_file(path, "ae", "Mar  4 10:00:04 mx1 postfix/smtp[1]: later\n");
        s = open_log(NULL);
        assert_int_equal(source_seek(s, pos, &info), 0);
        assert_false(info.position_lost);
        expect_msg(s, "later");
        expect_end(s);
        s = source_free(s);
}

static char *read_all_position(Source *s, int want) {
        PfRecord rec;
        char *pos = NULL;
        int n = 0, r;

        while ((r = source_next(s, &rec)) > 0)
                n++;
        assert_int_equal(r, 0);
        if (n != want)
                fail_msg("read %d records, want %d", n, want);
        assert_int_equal(source_position(s, &pos), 0);
        return pos;
}

static void test_rotation(void **state) {
        _cleanup_free_ char *pos = NULL, *pos2 = NULL, *pos3 = NULL, *none = NULL;
        SourceSeekInfo info;
        Source *s;

        (void) unlink(rotated);
        write_file(path, "we",
                   "Mar  4 10:00:00 mx1 postfix/smtp[1]: a1\n"
                   "Mar  4 10:00:01 mx1 postfix/smtp[1]: a2\n");
        s = open_log(NULL);
        pos = read_all_position(s, 2);
        s = source_free(s);

        /* Unchanged file: nothing new, position unchanged. */
        s = open_log(NULL);
        assert_int_equal(source_seek(s, pos, &info), 0);
        expect_end(s);
        assert_int_equal(source_position(s, &none), -ENODATA);
        s = source_free(s);

        /* logrotate: FILE -> FILE.1 (with lines written before the rename), new FILE. */
        write_file(path, "ae", "Mar  4 10:00:02 mx1 postfix/smtp[1]: a3\n");
        assert_int_equal(rename(path, rotated), 0);
        write_file(path, "we", "Mar  4 10:00:03 mx1 postfix/smtp[1]: b1\n");
        s = open_log(NULL);
        assert_int_equal(source_seek(s, pos, &info), 0);
        assert_true(info.rotated);
        assert_false(info.position_lost);
        expect_msg(s, "a3");
        expect_msg(s, "b1");
        expect_end(s);
        assert_int_equal(source_position(s, &pos2), 0);
        s = source_free(s);

        /* copytruncate: FILE.1 is a copy, FILE is emptied and written again. */
        write_file(path, "ae", "Mar  4 10:00:04 mx1 postfix/smtp[1]: b2\n");
        {
                _cleanup_free_ char *cmd = NULL;
                assert_true(asprintf(&cmd, "cp '%s' '%s' && : > '%s'", path, rotated, path) > 0);
                assert_int_equal(system(cmd), 0);
        }
        write_file(path, "ae", "Mar  4 10:00:05 mx1 postfix/smtp[1]: c1 after truncation\n");
        s = open_log(NULL);
        assert_int_equal(source_seek(s, pos2, &info), 0);
        assert_true(info.rotated);
        expect_msg(s, "b2");
        expect_msg(s, "c1 after truncation");
        expect_end(s);
        assert_int_equal(source_position(s, &pos3), 0);
        s = source_free(s);

        /* Rotated twice (or replaced): the position is gone, FILE from the start. */
        assert_int_equal(rename(path, rotated), 0);
        write_file(path, "we",
                   "Mar  4 10:00:06 mx1 postfix/smtp[1]: d1\n"
                   "Mar  4 10:00:07 mx1 postfix/smtp[1]: d2\n");
        (void) unlink(rotated);
        s = open_log(NULL);
        assert_int_equal(source_seek(s, pos3, &info), 0);
        assert_true(info.position_lost);
        assert_int_equal(info.saved_usec, (T2024 + 5) * 1000000ULL);
        expect_msg(s, "d1");
        expect_msg(s, "d2");
        expect_end(s);
        s = source_free(s);

        /* Same inode rewritten with other content: the hash says it is not ours. */
        s = open_log(NULL);
        free(pos);
        pos = read_all_position(s, 2);
        s = source_free(s);
        {
                FILE *f = fopen(path, "r+e");
                assert_non_null(f);
                assert_int_equal(fseek(f, 0, SEEK_SET), 0);
                fputs("Mar  4 10:00:08 mx1 postfix/smtp[1]: X1\n"
                      "Mar  4 10:00:09 mx1 postfix/smtp[1]: X2\n"
                      "Mar  4 10:00:10 mx1 postfix/smtp[1]: X3\n", f);
                assert_int_equal(fclose(f), 0);
        }
        s = open_log(NULL);
        assert_int_equal(source_seek(s, pos, &info), 0);
        assert_true(info.position_lost);
        expect_msg(s, "X1");
        s = source_free(s);

        /* Malformed positions. */
        s = open_log(NULL);
        assert_int_equal(source_seek(s, "1 2 3", &info), -EINVAL);
        assert_int_equal(source_seek(s, "1 2 zz 4 5", &info), -EINVAL);
        assert_int_equal(source_seek(s, "1 2 0000000000000003 4 5 6", &info), -EINVAL);
        assert_int_equal(source_seek(s, "1 2 h2: 4 5", &info), -EINVAL);
        assert_int_equal(source_seek(s, "1 2 h2:03 4 5", &info), -EINVAL);
        assert_int_equal(source_seek(s, "1 2 h2:000000000000000g 4 5", &info), -EINVAL);
        assert_int_equal(source_seek(s, "1 2 h3:0000000000000003 4 5", &info), -EINVAL);
        s = source_free(s);
}

/* fnv1a - FNV-1a 64 of s, the line hash of mxtls 0.1 */
static uint64_t fnv1a(const char *s) {
        uint64_t h = 0xcbf29ce484222325ULL;

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 0x100000001b3ULL;
        return h;
}

/* format1 - the position pos as mxtls 0.1 wrote it: the FNV-1a of line, no mark */
static char *format1(const char *pos, const char *line) {
        unsigned long long ino, off, len, usec;
        char hash[32], *old = NULL;

        assert_int_equal(sscanf(pos, "%llu %llu %31s %llu %llu", &ino, &off, hash, &len, &usec), 5);
        assert_true(strncmp(hash, "h2:", 3) == 0);
        assert_int_equal(strlen(hash), 3 + 16);
        assert_true(asprintf(&old, "%llu %llu %016llx %llu %llu", ino, off, (unsigned long long) fnv1a(line),
                             len, usec) > 0);
        return old;
}

/* Positions: the hash is stable_hash() of the last line, marked h2:; positions of mxtls 0.1
 * (FNV-1a, no mark) resume exactly, in the file and after a rotation. */
static void test_position_formats(void **state) {
        static const char line2[] = "Mar  4 10:00:01 mx1 postfix/smtp[1]: a2";
        _cleanup_free_ char *pos = NULL, *old = NULL, *bad = NULL, *none = NULL, *next = NULL;
        char want[64];
        SourceSeekInfo info;
        Source *s;

        (void) unlink(rotated);
        write_file(path, "we", "Mar  4 10:00:00 mx1 postfix/smtp[1]: a1\n"
                               "Mar  4 10:00:01 mx1 postfix/smtp[1]: a2\n");
        s = open_log(NULL);
        pos = read_all_position(s, 2);
        s = source_free(s);
        (void) snprintf(want, sizeof want, " h2:%016llx %zu ", (unsigned long long) stable_hash(line2, strlen(line2)),
                        strlen(line2) + 1);
        assert_non_null(strstr(pos, want));

        /* the same place in format 1: nothing read again, the position left as it is */
        old = format1(pos, line2);
        s = open_log(NULL);
        assert_int_equal(source_seek(s, old, &info), 0);
        assert_false(info.position_lost);
        assert_false(info.rotated);
        expect_end(s);
        assert_int_equal(source_position(s, &none), -ENODATA);
        s = source_free(s);

        /* a format 1 hash that does not match: not ours */
        bad = format1(pos, "Mar  4 10:00:01 mx1 postfix/smtp[1]: a2, other text");
        s = open_log(NULL);
        assert_int_equal(source_seek(s, bad, &info), 0);
        assert_true(info.position_lost);
        s = source_free(s);

        /* new lines after a format 1 position: read once, the next position in format 2 */
        write_file(path, "ae", "Mar  4 10:00:02 mx1 postfix/smtp[1]: a3\n");
        s = open_log(NULL);
        assert_int_equal(source_seek(s, old, &info), 0);
        assert_false(info.position_lost);
        expect_msg(s, "a3");
        expect_end(s);
        assert_int_equal(source_position(s, &next), 0);
        assert_non_null(strstr(next, " h2:"));
        s = source_free(s);

        /* rotated after a format 1 position: the rest of FILE.1, then FILE */
        assert_int_equal(rename(path, rotated), 0);
        write_file(path, "we", "Mar  4 10:00:03 mx1 postfix/smtp[1]: b1\n");
        s = open_log(NULL);
        assert_int_equal(source_seek(s, old, &info), 0);
        assert_true(info.rotated);
        assert_false(info.position_lost);
        expect_msg(s, "a3");
        expect_msg(s, "b1");
        expect_end(s);
        s = source_free(s);
        (void) unlink(rotated);
}

static void test_year(void **state) {
        PfRecord rec;
        Source *s;

        /* 2025-01-01T00:00:05Z: the December line belongs to 2024. */
        write_file(path, "we",
                   "Dec 31 23:59:59 mx1 postfix/smtp[1]: old year\n"
                   "Jan  1 00:00:01 mx1 postfix/smtp[1]: new year\n");
        set_mtime(path, 1735689605ULL);
        s = open_log(NULL);
        assert_int_equal(source_next(s, &rec), 1);
        assert_int_equal(rec.realtime_usec, 1735689599ULL * 1000000ULL);
        assert_int_equal(source_next(s, &rec), 1);
        assert_int_equal(rec.realtime_usec, 1735689601ULL * 1000000ULL);
        s = source_free(s);

        /* --since drops older lines. */
        s = open_log(NULL);
        assert_int_equal(source_seek_time(s, 1735689600ULL * 1000000ULL), 0);
        expect_msg(s, "new year");
        expect_end(s);
        assert_int_equal(s->stats.too_old, 1);
        s = source_free(s);
}

static void test_identifiers(void **state) {
        char *lmtp[] = { "postfix*/lmtp", NULL };
        Source *s;

        write_file(path, "we",
                   "Mar  4 10:00:00 mx1 postfix/smtp[1]: smtp\n"
                   "Mar  4 10:00:01 mx1 postfix/lmtp[2]: lmtp\n"
                   "Mar  4 10:00:02 mx1 postfix-in/lmtp[3]: lmtp2\n"
                   "Mar  4 10:00:03 mx1 postfix/tlsproxy[4]: proxy\n");
        set_mtime(path, T2024 + 3600);
        s = open_log(lmtp);
        expect_msg(s, "lmtp");
        expect_msg(s, "lmtp2");
        expect_end(s);
        assert_int_equal(s->stats.not_selected, 2);
        s = source_free(s);

        assert_int_equal(logfile_source_open("/nonexistent/mail.log", NULL, &s), -ENOENT);
}

static int setup(void **state) {
        if (!mkdtemp(tmpdir))
                return -1;
        (void) snprintf(path, sizeof path, "%s/mail.log", tmpdir);
        (void) snprintf(rotated, sizeof rotated, "%s/mail.log.1", tmpdir);
        (void) setenv("TZ", "UTC", 1);
        tzset();
        return 0;
}

static int teardown(void **state) {
        (void) unlink(path);
        (void) unlink(rotated);
        return rmdir(tmpdir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lines),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_rotation),
                cmocka_unit_test(test_position_formats),
                cmocka_unit_test(test_year),
                cmocka_unit_test(test_identifiers),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}

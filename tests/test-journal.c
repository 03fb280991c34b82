/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-journal - the journal record source on generated journal files
 * DESCRIPTION
 *        Fixtures are written as text, turned into journal files with
 *        tests/make-journal.sh (systemd-journal-remote), and read back through
 *        journal_source_open(). Skipped (77) when systemd-journal-remote is
 *        not installed.
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
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cleanup.h"
#include "journal.h"
#include "journal_position.h"
#include "strbuf.h"

#define JOURNAL_REMOTE "/lib/systemd/systemd-journal-remote"
#define T0 1709546400000000ULL          /* 2024-03-04T10:00:00Z */

static char tmpdir[] = "/tmp/test-journal-XXXXXX";

/* make_journal - write fixture text to NAME.txt and build DIR/NAME.journal */
static char *make_journal(const char *dir, const char *name, const char *fixture) {
        _cleanup_free_ char *txt = NULL, *cmd = NULL;
        char *out = NULL;
        const char *root = getenv("MXTLS_SOURCE_ROOT");
        FILE *f;

        assert_non_null(root);
        assert_true(asprintf(&txt, "%s/%s.txt", tmpdir, name) > 0);
        assert_true(asprintf(&out, "%s/%s.journal", dir, name) > 0);
        f = fopen(txt, "we");
        assert_non_null(f);
        assert_true(fputs(fixture, f) >= 0);
        assert_int_equal(fclose(f), 0);
        assert_true(asprintf(&cmd, "bash '%s/tests/make-journal.sh' '%s' '%s'", root, txt, out) > 0);
        assert_int_equal(system(cmd), 0);
        return out;
}

static Source *open_files(char *const *files, char *const *identifiers, int want_rc) {
        JournalOptions o = { .files = files, .identifiers = identifiers };
        Source *s = NULL;
        int r;

        r = journal_source_open(&o, &s);
        if (r != want_rc)
                fail_msg("journal_source_open: got %d, want %d", r, want_rc);
        return s;
}

static const char mixed_identifiers[] =
        "2024-03-04T10:00:00Z mx1 boot1 postfix/smtp 100 one\n"
        "2024-03-04T10:00:01Z mx1 boot1 postfix-out/smtp 101 two\n"
        "2024-03-04T10:00:02Z mx1 boot1 postfix/relay/smtp 102 three\n"
        "2024-03-04T10:00:03Z mx1 boot1 postfix/lmtp 103 four\n"
        "2024-03-04T10:00:04Z mx1 boot1 postfix/tlsproxy 104 five\n"
        "2024-03-04T10:00:05Z mx1 boot1 postfix/qmgr 105 six\n"
        "2024-03-04T10:00:06Z mx1 boot1 sshd 106 seven\n"
        "2024-03-04T10:00:07Z mx1 boot1 postfix-out/relay/smtp 107 eight\n";

static int count_records(Source *s, char *buf, size_t bufsz) {
        PfRecord rec;
        int n = 0, r;

        buf[0] = '\0';
        while ((r = source_next(s, &rec)) > 0) {
                n++;
                if (strlen(buf) + rec.message_len + 2 < bufsz) {
                        strncat(buf, rec.message, rec.message_len);
                        strcat(buf, " ");
                }
        }
        assert_int_equal(r, 0);
        return n;
}

static void test_identifiers(void **state) {
        _cleanup_free_ char *path = make_journal(tmpdir, "ident", mixed_identifiers);
        char *files[] = { path, NULL };
        char *lmtp[] = { "postfix*/lmtp", NULL };
        char *exact[] = { "postfix/relay/smtp", "sshd", NULL };
        char *none[] = { "exim*", NULL };
        char buf[256];
        Source *s;

        /* Defaults: smtp of every instance and the relay transport, nothing else. */
        s = open_files(files, NULL, 0);
        assert_int_equal(count_records(s, buf, sizeof buf), 4);
        assert_string_equal(buf, "one two three eight ");
        char *const *ids = journal_source_identifiers(s);
        assert_non_null(ids);
        size_t n = 0;
        for (; ids[n]; n++)
                assert_true(strstr(ids[n], "smtp") != NULL);
        assert_int_equal(n, 4);
        assert_int_equal(s->stats.records, 4);
        s = source_free(s);

        s = open_files(files, lmtp, 0);
        assert_int_equal(count_records(s, buf, sizeof buf), 1);
        assert_string_equal(buf, "four ");
        s = source_free(s);

        s = open_files(files, exact, 0);
        assert_int_equal(count_records(s, buf, sizeof buf), 2);
        assert_string_equal(buf, "three seven ");
        s = source_free(s);

        s = open_files(files, none, -ENODATA);
        assert_null(s);
}

static void test_fields(void **state) {
        _cleanup_free_ char *path = NULL, *fixture = NULL;
        char *files[] = { path, NULL };
        PfRecord rec;
        Source *s;

        assert_true(asprintf(&fixture,
                "2024-03-04T10:00:00.000123Z mx1.example.net boot1 postfix/smtp 4242 hello world\n"
                "2024-03-04T10:00:01Z mx2 0123456789abcdef0123456789ABCDEF postfix/smtp - no pid here\n"
                "2024-03-04T10:00:02Z mx1 boot1 postfix/smtp 77 bin\\x00ary\\xff\\x01end\n"
                "2024-03-04T10:00:03Z mx1 boot1 postfix/smtp 78 {{repeat 65536 a}}\n"
                "2024-03-04T10:00:04Z mx1 boot1 postfix/smtp 79 {{repeat 65537 b}}\n"
                "2024-03-04T10:00:05Z mx1 boot1 postfix/smtp 0 pid zero\n"
                "2024-03-04T10:00:06Z mx1 boot1 postfix/smtp 99999999999 pid too big\n") > 0);
        path = make_journal(tmpdir, "fields", fixture);
        files[0] = path;
        s = open_files(files, NULL, 0);

        assert_int_equal(source_next(s, &rec), 1);
        assert_int_equal(rec.realtime_usec, T0 + 123);
        assert_string_equal(rec.hostname, "mx1.example.net");
        assert_string_equal(rec.boot_id, "626f6f74315a5a5a5a5a5a5a5a5a5a5a");
        assert_string_equal(rec.identifier, "postfix/smtp");
        assert_int_equal(rec.pid, 4242);
        assert_int_equal(rec.message_len, strlen("hello world"));
        assert_memory_equal(rec.message, "hello world", rec.message_len);

        assert_int_equal(source_next(s, &rec), 1);
        assert_int_equal(rec.pid, 0);
        assert_string_equal(rec.boot_id, "0123456789abcdef0123456789abcdef");
        assert_int_equal(s->stats.no_pid, 1);

        /* Binary MESSAGE: passed on byte for byte with its length. */
        assert_int_equal(source_next(s, &rec), 1);
        assert_int_equal(rec.pid, 77);
        assert_int_equal(rec.message_len, 12);
        assert_memory_equal(rec.message, "bin\0ary\xff\x01" "end", 12);

        /* Exactly PF_MESSAGE_MAX passes; one byte more is dropped and counted. */
        assert_int_equal(source_next(s, &rec), 1);
        assert_int_equal(rec.pid, 78);
        assert_int_equal(rec.message_len, PF_MESSAGE_MAX);
        assert_int_equal(rec.message[PF_MESSAGE_MAX - 1], 'a');

        assert_int_equal(source_next(s, &rec), 1);
        assert_int_equal(rec.realtime_usec, T0 + 5000000);
        assert_int_equal(rec.pid, 0);
        assert_int_equal(s->stats.too_long, 1);

        assert_int_equal(source_next(s, &rec), 1);
        assert_int_equal(rec.pid, 0);
        assert_int_equal(s->stats.no_pid, 3);

        assert_int_equal(source_next(s, &rec), 0);
        assert_int_equal(s->stats.entries, 7);
        assert_int_equal(s->stats.records, 6);
        assert_int_equal(s->stats.first_usec, T0 + 123);
        assert_int_equal(s->stats.last_usec, T0 + 6000000);
        assert_true(source_progress(s) > 0.999);
        assert_string_equal(strncmp(source_key(s), "journal:file:/", 14) == 0 ? "ok" : source_key(s), "ok");
        source_free(s);
}

static const char ten_records[] =
        "2024-03-04T10:00:01Z mx1 boot1 postfix/smtp 1 r1\n"
        "2024-03-04T10:00:02Z mx1 boot1 postfix/smtp 2 r2\n"
        "2024-03-04T10:00:03Z mx1 boot1 postfix/smtp 3 r3\n"
        "2024-03-04T10:00:04Z mx1 boot1 postfix/qmgr 4 q4\n"
        "2024-03-04T10:00:05Z mx1 boot1 postfix/smtp 5 r5\n"
        "2024-03-04T10:00:06Z mx1 boot1 postfix/smtp 6 r6\n"
        "2024-03-04T10:00:07Z mx1 boot1 postfix/smtp 7 r7\n"
        "2024-03-04T10:00:08Z mx1 boot1 postfix/smtp 8 r8\n"
        "2024-03-04T10:00:09Z mx1 boot1 postfix/smtp 9 r9\n"
        "2024-03-04T10:00:10Z mx1 boot1 postfix/smtp 10 r10\n";

/* read_n - read n records, return the position after them */
static char *read_n(Source *s, int n) {
        PfRecord rec;
        char *pos = NULL;

        for (int i = 0; i < n; i++)
                assert_int_equal(source_next(s, &rec), 1);
        assert_int_equal(source_position(s, &pos), 0);
        return pos;
}

static void expect_next(Source *s, uint32_t pid) {
        PfRecord rec;

        assert_int_equal(source_next(s, &rec), 1);
        if (rec.pid != pid)
                fail_msg("next record: got pid %u, want %u", rec.pid, pid);
}

static void test_cursor(void **state) {
        _cleanup_free_ char *path = make_journal(tmpdir, "ten", ten_records);
        _cleanup_free_ char *pos = NULL, *pos2 = NULL, *none = NULL;
        char *files[] = { path, NULL };
        SourceSeekInfo info;
        PfRecord rec;
        Source *s;

        s = open_files(files, NULL, 0);
        assert_int_equal(source_position(s, &none), -ENODATA);
        pos = read_n(s, 3);
        /* The newest timestamp read, one entry read at it, its identity ("h2:" XXH64), its cursor. */
        assert_true(strncmp(pos, "2 1709546403000000 1 h2:", 24) == 0);
        assert_true(strspn(pos + 24, "0123456789abcdef") == 16);
        assert_true(strncmp(pos + 24 + 16, " s=", 3) == 0);
        s = source_free(s);

        /* Next run: continues after r3 (the qmgr entry is not selected). */
        s = open_files(files, NULL, 0);
        assert_int_equal(source_seek(s, pos, &info), 0);
        assert_false(info.position_lost);
        assert_int_equal(info.saved_usec, T0 + 3000000);
        assert_int_equal(source_position(s, &none), -ENODATA);
        expect_next(s, 5);
        pos2 = read_n(s, 5);
        assert_int_equal(source_next(s, &rec), 0);
        /* Still positioned on the last entry after the end. */
        free(pos2);
        assert_int_equal(source_position(s, &pos2), 0);
        assert_true(strncmp(pos2, "2 1709546410000000 1 ", 21) == 0);
        s = source_free(s);

        /* Seek to the very last entry: nothing new. */
        s = open_files(files, NULL, 0);
        assert_int_equal(source_seek(s, pos2, &info), 0);
        assert_false(info.position_lost);
        assert_int_equal(source_next(s, &rec), 0);
        assert_int_equal(source_position(s, &none), -ENODATA);
        assert_int_equal(s->stats.entries, 0);

        /* Malformed positions are refused. */
        assert_int_equal(source_seek(s, "garbage", &info), -EINVAL);
        assert_int_equal(source_seek(s, "12x s=abc", &info), -EINVAL);
        assert_int_equal(source_seek(s, "2 12 1 0123456789abcdef", &info), -EINVAL);   /* no cursor */
        assert_int_equal(source_seek(s, "2 12x 1 0123456789abcdef s=0", &info), -EINVAL);
        assert_int_equal(source_seek(s, "2 12 1 0123456789abcdeg s=0", &info), -EINVAL);
        assert_int_equal(source_seek(s, "2 12 1 0123456789abcdef0 s=0", &info), -EINVAL);
        assert_int_equal(source_seek(s, "2 12 1 01, s=0", &info), -EINVAL);
        assert_int_equal(source_seek(s, "2 12 1 01,,02 s=0", &info), -EINVAL);
        assert_int_equal(source_seek(s, "2 12 1 01,02 s=0", &info), -EINVAL);     /* count < ids */
        assert_int_equal(source_seek(s, "2 12 1  s=0", &info), -EINVAL);
        assert_int_equal(source_seek(s, "2 12 1 h2: s=0", &info), -EINVAL);
        assert_int_equal(source_seek(s, "2 12 1 h2:- s=0", &info), -EINVAL);
        assert_int_equal(source_seek(s, "2 12 1 h2:01,h2:02 s=0", &info), -EINVAL);
        assert_int_equal(source_seek(s, "2 12 1 h3:01 s=0", &info), -EINVAL);
        assert_int_equal(source_seek(s, "2 12 1 01 s=0 x", &info), -EINVAL);
        assert_int_equal(source_seek(s, "3 12 1 01 s=0", &info), -EINVAL);
        assert_int_equal(source_seek(s, "2 12 1 01 s=0 ", &info), -EINVAL);
        assert_int_equal(source_seek(s, "12 s=0 ", &info), -EINVAL);
        assert_int_equal(source_seek(s, "", &info), -EINVAL);

        /* A cursor sd-journal cannot read: the position is lost, nothing before it again. */
        assert_int_equal(source_seek(s, "2 1709546405000000 1 - nonsense", &info), 0);
        assert_true(info.position_lost);
        expect_next(s, 6);
        s = source_free(s);

        /* --since */
        s = open_files(files, NULL, 0);
        assert_int_equal(source_seek_time(s, T0 + 8000000), 0);
        expect_next(s, 8);
        expect_next(s, 9);
        expect_next(s, 10);
        assert_int_equal(source_next(s, &rec), 0);
        s = source_free(s);
}

static void test_vacuumed(void **state) {
        _cleanup_free_ char *path = make_journal(tmpdir, "orig", ten_records);
        _cleanup_free_ char *pos = NULL, *vdir = NULL, *tail = NULL, *holes = NULL, *copy = NULL;
        char *files[] = { path, NULL };
        SourceSeekInfo info;
        PfRecord rec;
        Source *s;

        s = open_files(files, NULL, 0);
        pos = read_n(s, 3);             /* r1 r2 r3 */
        s = source_free(s);

        assert_true(asprintf(&vdir, "%s/vacuumed", tmpdir) > 0);
        assert_int_equal(mkdir(vdir, 0700), 0);

        /* Only r7.. survive: gap from r3 to r7, continue with r7. */
        tail = make_journal(vdir, "tail",
                "2024-03-04T10:00:07Z mx1 boot1 postfix/smtp 7 r7\n"
                "2024-03-04T10:00:08Z mx1 boot1 postfix/smtp 8 r8\n");
        files[0] = tail;
        s = open_files(files, NULL, 0);
        assert_int_equal(source_seek(s, pos, &info), 0);
        assert_true(info.position_lost);
        assert_int_equal(info.saved_usec, T0 + 3000000);
        assert_int_equal(info.oldest_usec, T0 + 7000000);
        assert_int_equal(info.resume_usec, T0 + 7000000);
        expect_next(s, 7);
        expect_next(s, 8);
        assert_int_equal(source_next(s, &rec), 0);
        s = source_free(s);

        /* The same records in other files (cursor unknown there): nothing up to
         * r3 is handed out again, even with the same timestamp. */
        holes = make_journal(vdir, "holes",
                "2024-03-04T10:00:01Z mx1 boot1 postfix/smtp 1 r1\n"
                "2024-03-04T10:00:02Z mx1 boot1 postfix/smtp 2 r2\n"
                "2024-03-04T10:00:03Z mx1 boot1 postfix/smtp 33 r3 twin\n"
                "2024-03-04T10:00:05Z mx1 boot1 postfix/smtp 5 r5\n");
        files[0] = holes;
        s = open_files(files, NULL, 0);
        assert_int_equal(source_seek(s, pos, &info), 0);
        assert_true(info.position_lost);
        assert_int_equal(info.oldest_usec, T0 + 1000000);
        assert_int_equal(info.resume_usec, T0 + 5000000);
        expect_next(s, 5);
        assert_int_equal(source_next(s, &rec), 0);
        s = source_free(s);

        /* Nothing newer at all: no record, no new position. */
        copy = make_journal(vdir, "old",
                "2024-03-04T10:00:01Z mx1 boot1 postfix/smtp 1 r1\n");
        files[0] = copy;
        s = open_files(files, NULL, 0);
        assert_int_equal(source_seek(s, pos, &info), 0);
        assert_true(info.position_lost);
        assert_int_equal(info.resume_usec, 0);
        assert_int_equal(source_next(s, &rec), 0);
        free(tail);
        assert_int_equal(source_position(s, &tail), -ENODATA);
        tail = NULL;
        s = source_free(s);
}

/* run_dir - one collect-like run over dir: resume at *pos (if set), read all,
 * store the new position in *pos; the messages read go to buf */
static int run_dir(const char *dir, char **pos, char *buf, size_t bufsz, SourceSeekInfo *ret_info) {
        char *dirs[] = { (char *) dir, NULL };
        JournalOptions o = { .directories = dirs };
        SourceSeekInfo info = { 0 };
        char *p = NULL;
        Source *s = NULL;
        int n, r;

        assert_int_equal(journal_source_open(&o, &s), 0);
        if (*pos)
                assert_int_equal(source_seek(s, *pos, &info), 0);
        n = count_records(s, buf, bufsz);
        r = source_position(s, &p);
        if (n > 0)
                assert_int_equal(r, 0);
        if (r == 0) {
                free(*pos);
                *pos = p;
        } else
                assert_int_equal(r, -ENODATA);
        if (ret_info)
                *ret_info = info;
        source_free(s);
        return n;
}

static char *make_dir(const char *name) {
        char *d = NULL;

        assert_true(asprintf(&d, "%s/%s", tmpdir, name) > 0);
        assert_int_equal(mkdir(d, 0700), 0);
        return d;
}

/* Two files whose last entries share a timestamp: later runs hand out
 * nothing again (the cursor of one of them is not a place in the merged
 * order of both). With one boot and with two, and with other messages that
 * change the order sd-journal gives entries of one microsecond. */
static void test_ties(void **state) {
        for (unsigned v = 0; v < 8; v++) {
                _cleanup_free_ char *name = NULL, *dir = NULL, *pos = NULL, *fa = NULL, *fb = NULL,
                                    *fc = NULL, *ta = NULL, *tb = NULL, *tc = NULL;
                char buf[512];
                SourceSeekInfo info;

                assert_true(asprintf(&name, "ties%u", v) > 0);
                dir = make_dir(name);
                assert_true(asprintf(&ta,
                        "@1709546400000000 a boot1 postfix/smtp 1 a-tls-%u\n"
                        "@1709546400300000 a boot1 postfix/smtp 1 a-one-%u\n"
                        "@1709546400300000 a boot1 postfix/smtp 1 a-two-%u\n", v, v, v) > 0);
                assert_true(asprintf(&tb,
                        "@1709546400000000 c %s postfix/smtp 2 c-tls-%u\n"
                        "@1709546400300000 c %s postfix/smtp 2 c-one-%u\n"
                        "@1709546400300000 c %s postfix/smtp 2 c-two-%u\n",
                        v % 2 ? "boot2" : "boot1", v, v % 2 ? "boot2" : "boot1", v,
                        v % 2 ? "boot2" : "boot1", v) > 0);
                fa = make_journal(dir, "a", ta);
                fb = make_journal(dir, "c", tb);

                assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 6);
                assert_true(strncmp(pos, "2 1709546400300000 4 ", 21) == 0);
                for (int i = 0; i < 2; i++) {
                        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, &info), 0);
                        assert_false(info.position_lost);
                        assert_int_equal(info.saved_usec, 1709546400300000ULL);
                }

                /* Written after the run with the same timestamp: handed out once. */
                assert_true(asprintf(&tc,
                        "@1709546400300000 x boot3 postfix/smtp 3 late-%u\n", v) > 0);
                fc = make_journal(dir, "x", tc);
                assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, &info), 1);
                assert_false(info.position_lost);
                assert_true(strncmp(buf, "late-", 5) == 0);
                assert_true(strncmp(pos, "2 1709546400300000 5 ", 21) == 0);
                assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 0);
        }
}

/* Several boots interleaved in one file (journal-remote --split-mode=none),
 * then a new file (another sequence) that starts with entries of the boot
 * not read last: every entry is handed out exactly once. */
static void test_boots_new_file(void **state) {
        _cleanup_free_ char *dir = make_dir("boots"), *pos = NULL, *f1 = NULL, *f2 = NULL;
        char buf[1024];
        SourceSeekInfo info;

        f1 = make_journal(dir, "remote-1",
                "2024-03-04T10:00:01Z hx bootx postfix/smtp 1 x1\n"
                "2024-03-04T10:00:02Z hy booty postfix/smtp 2 y2\n"
                "2024-03-04T10:00:03Z hz bootz postfix/smtp 3 z3\n"
                "2024-03-04T10:00:04Z hy booty postfix/smtp 2 y4\n"
                "2024-03-04T10:00:05Z hx bootx postfix/smtp 1 x5\n");
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 5);
        assert_string_equal(buf, "x1 y2 z3 y4 x5 ");

        f2 = make_journal(dir, "remote-2",
                "2024-03-04T10:00:06Z hy booty postfix/smtp 2 y6\n"
                "2024-03-04T10:00:07Z hz bootz postfix/smtp 3 z7\n"
                "2024-03-04T10:00:08Z hy booty postfix/smtp 2 y8\n"
                "2024-03-04T10:00:09Z hx bootx postfix/smtp 1 x9\n"
                "2024-03-04T10:00:10Z hy booty postfix/smtp 2 y10\n");
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, &info), 5);
        assert_false(info.position_lost);
        assert_string_equal(buf, "y6 z7 y8 x9 y10 ");
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 0);
}

/* More entries in one microsecond than the position keeps identities of:
 * none is handed out again; one written later with exactly that timestamp
 * is dropped (the price of the bound), a newer one is not. */
static void test_many_ties(void **state) {
        _cleanup_free_ char *dir = make_dir("many"), *pos = NULL, *f1 = NULL, *f2 = NULL;
        char buf[64], *fixture;
        size_t len = 0, commas = 0;
        FILE *f;
        SourceSeekInfo info;

        f = open_memstream(&fixture, &len);
        assert_non_null(f);
        fprintf(f, "@1709546400000000 mx1 boot1 postfix/smtp 1 first\n");
        for (int i = 0; i < 300; i++)
                fprintf(f, "@1709546401000000 mx1 boot1 postfix/smtp %d same-%d\n", 100 + i, i);
        assert_int_equal(fclose(f), 0);
        f1 = make_journal(dir, "a", fixture);
        free(fixture);

        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 301);
        assert_true(strncmp(pos, "2 1709546401000000 300 ", 23) == 0);
        for (const char *p = pos; *p; p++)
                commas += *p == ',';
        assert_int_equal(commas, 255);
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, &info), 0);
        assert_false(info.position_lost);

        /* The same file goes on (same sequence): found by sequence number. */
        free(make_journal(dir, "a", "@1709546401000000 mx1 boot1 postfix/smtp 99 same-more\n"));
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 1);
        assert_string_equal(buf, "same-more ");

        f2 = make_journal(dir, "b",
                "@1709546401000000 mx2 boot2 postfix/smtp 7 late\n"
                "@1709546402000000 mx2 boot2 postfix/smtp 7 newer\n");
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 1);
        assert_string_equal(buf, "newer ");
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 0);
}

/* One file whose timestamps go back (clock set back, or records appended
 * out of time order): what follows the last entry read in the file is new,
 * whatever its timestamp; nothing is handed out twice. */
static void test_clock_back(void **state) {
        _cleanup_free_ char *dir = make_dir("clock"), *pos = NULL;
        char buf[256];
        SourceSeekInfo info;

        free(make_journal(dir, "system",
                "2024-03-04T10:00:10Z mx1 boot1 postfix/smtp 1 r10\n"
                "2024-03-04T10:00:20Z mx1 boot1 postfix/smtp 1 r20\n"));
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 2);
        free(make_journal(dir, "system",
                "2024-03-04T10:00:05Z mx1 boot1 postfix/smtp 1 r05\n"
                "2024-03-04T10:00:06Z mx1 boot1 postfix/smtp 1 r06\n"));
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, &info), 2);
        assert_false(info.position_lost);
        assert_string_equal(buf, "r05 r06 ");
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 0);
        free(make_journal(dir, "system",
                "2024-03-04T10:00:07Z mx1 boot1 postfix/smtp 1 r07\n"
                "2024-03-04T10:00:21Z mx1 boot1 postfix/smtp 1 r21\n"));
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 2);
        assert_string_equal(buf, "r07 r21 ");
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 0);
}

/* The cursor of an entry of file, by journalctl */
static char *cursor_of(const char *file, const char *match) {
        _cleanup_free_ char *cmd = NULL;
        char line[512];
        FILE *p;

        assert_true(asprintf(&cmd, "journalctl --file '%s' -q -o export %s", file, match) > 0);
        p = popen(cmd, "re");
        assert_non_null(p);
        while (fgets(line, sizeof line, p))
                if (strncmp(line, "__CURSOR=", 9) == 0)
                        break;
        assert_int_equal(pclose(p), 0);
        assert_true(strncmp(line, "__CURSOR=", 9) == 0);
        line[strcspn(line, "\n")] = '\0';
        return strdup(line + 9);
}

/* Positions of older versions ("USEC CURSOR") are still understood. */
static void test_legacy_position(void **state) {
        _cleanup_free_ char *path = make_journal(tmpdir, "legacy", ten_records);
        _cleanup_free_ char *cursor = NULL, *pos = NULL, *gone = NULL, *newpos = NULL;
        char *files[] = { path, NULL };
        SourceSeekInfo info;
        PfRecord rec;
        Source *s;

        cursor = cursor_of(path, "SYSLOG_PID=3");
        assert_true(asprintf(&pos, "%llu %s", T0 + 3000000, cursor) > 0);

        s = open_files(files, NULL, 0);
        assert_int_equal(source_seek(s, pos, &info), 0);
        assert_false(info.position_lost);
        assert_int_equal(info.saved_usec, T0 + 3000000);
        expect_next(s, 5);
        newpos = read_n(s, 5);
        assert_int_equal(source_next(s, &rec), 0);
        assert_true(strncmp(newpos, "2 1709546410000000 1 ", 21) == 0);
        s = source_free(s);

        /* A cursor that is not in the journal: lost, nothing up to its time again. */
        cursor[2] = cursor[2] == '0' ? '1' : '0';       /* another sequence number id */
        assert_true(asprintf(&gone, "%llu %s", T0 + 3000000, cursor) > 0);
        s = open_files(files, NULL, 0);
        assert_int_equal(source_seek(s, gone, &info), 0);
        assert_true(info.position_lost);
        assert_int_equal(info.oldest_usec, T0 + 1000000);
        assert_int_equal(info.resume_usec, T0 + 5000000);
        expect_next(s, 5);
        s = source_free(s);
}

/* format1_ids - identities of format 1 (mxtls 0.1) of the entries of dir at usec, from
 * journalctl's export: "ID,ID,..." */
static char *format1_ids(const char *dir, uint64_t usec) {
        _cleanup_free_ char *cmd = NULL, *line = NULL;
        char message[4096] = "", boot[33] = "";
        uint64_t mono = 0, real = 0;
        size_t cap = 0;
        StrBuf b;
        FILE *p;

        strbuf_init(&b);
        assert_true(asprintf(&cmd, "journalctl --directory '%s' -q -o export", dir) > 0);
        p = popen(cmd, "re");
        assert_non_null(p);
        for (;;) {
                ssize_t n = getline(&line, &cap, p);

                if (n > 0 && line[n - 1] == '\n')
                        line[--n] = '\0';
                if (n <= 0) {
                        /* end of an entry */
                        if (real == usec) {
                                uint8_t id[16];

                                for (size_t i = 0; i < 16; i++)
                                        assert_int_equal(sscanf(boot + 2 * i, "%2hhx", &id[i]), 1);
                                strbuf_printf(&b, "%s%016jx", b.len ? "," : "",
                                              (uintmax_t) journal_identity_v1(mono, id, message, strlen(message)));
                        }
                        real = mono = 0;
                        if (n < 0)
                                break;
                        continue;
                }
                if (strncmp(line, "__REALTIME_TIMESTAMP=", 21) == 0)
                        real = strtoull(line + 21, NULL, 10);
                else if (strncmp(line, "__MONOTONIC_TIMESTAMP=", 22) == 0)
                        mono = strtoull(line + 22, NULL, 10);
                else if (strncmp(line, "_BOOT_ID=", 9) == 0)
                        (void) snprintf(boot, sizeof boot, "%s", line + 9);
                else if (strncmp(line, "MESSAGE=", 8) == 0)
                        (void) snprintf(message, sizeof message, "%s", line);   /* the item, as hashed */
        }
        assert_int_equal(pclose(p), 0);
        assert_false(b.oom);
        return b.data;
}

/* A position written by mxtls 0.1, whose identities are of format 1 (no "h2:" mark), is
 * resumed exactly: nothing read again, a late entry at its timestamp handed out once, and
 * the window stays in format 1 until a newer timestamp is read. */
static void test_format1_position(void **state) {
        _cleanup_free_ char *dir = make_dir("format1"), *pos = NULL, *old = NULL, *ids = NULL;
        char buf[512], *cursor;
        SourceSeekInfo info;

        free(make_journal(dir, "a",
                "@1709546400000000 a boot1 postfix/smtp 1 a-tls\n"
                "@1709546400300000 a boot1 postfix/smtp 1 a-one\n"
                "@1709546400300000 a boot1 postfix/smtp 1 a-two\n"));
        free(make_journal(dir, "c",
                "@1709546400000000 c boot2 postfix/smtp 2 c-tls\n"
                "@1709546400300000 c boot2 postfix/smtp 2 c-one\n"
                "@1709546400300000 c boot2 postfix/smtp 2 c-two\n"));
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 6);
        assert_true(strncmp(pos, "2 1709546400300000 4 h2:", 24) == 0);

        /* the same position as mxtls 0.1 wrote it */
        ids = format1_ids(dir, 1709546400300000ULL);
        cursor = strchr(pos + 24, ' ');
        assert_non_null(cursor);
        assert_true(asprintf(&old, "2 1709546400300000 4 %s%s", ids, cursor) > 0);
        assert_int_equal(strlen(ids), 4 * 16 + 3);
        free(pos);
        pos = strdup(old);

        for (int i = 0; i < 2; i++) {
                assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, &info), 0);
                assert_false(info.position_lost);
                assert_string_equal(pos, old);          /* not rewritten */
        }

        /* written later with the same timestamp: handed out once, the window stays format 1 */
        free(make_journal(dir, "x", "@1709546400300000 x boot3 postfix/smtp 3 late\n"));
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, &info), 1);
        assert_false(info.position_lost);
        assert_string_equal(buf, "late ");
        assert_true(strncmp(pos, "2 1709546400300000 5 ", 21) == 0);
        assert_null(strstr(pos, "h2:"));
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 0);

        /* a newer timestamp: format 2 from now on */
        free(make_journal(dir, "x", "@1709546400400000 x boot3 postfix/smtp 3 newer\n"));
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 1);
        assert_string_equal(buf, "newer ");
        assert_true(strncmp(pos, "2 1709546400400000 1 h2:", 24) == 0);
        assert_int_equal(run_dir(dir, &pos, buf, sizeof buf, NULL), 0);
}

static void test_directories(void **state) {
        _cleanup_free_ char *d1 = NULL, *d2 = NULL, *sub = NULL, *a = NULL, *b = NULL, *c = NULL;
        char buf[256];
        Source *s;

        assert_true(asprintf(&d1, "%s/d1", tmpdir) > 0);
        assert_true(asprintf(&d2, "%s/d2", tmpdir) > 0);
        assert_true(asprintf(&sub, "%s/d2/0123456789abcdef0123456789abcdef", tmpdir) > 0);
        assert_int_equal(mkdir(d1, 0700), 0);
        assert_int_equal(mkdir(d2, 0700), 0);
        assert_int_equal(mkdir(sub, 0700), 0);
        a = make_journal(d1, "a",
                "2024-03-04T10:00:01Z mx1 boot1 postfix/smtp 1 a1\n"
                "2024-03-04T10:00:04Z mx1 boot1 postfix/smtp 1 a4\n");
        b = make_journal(d2, "b",
                "2024-03-04T10:00:02Z mx2 boot2 postfix/smtp 2 b2\n");
        c = make_journal(sub, "c",
                "2024-03-04T10:00:03Z mx3 boot3 postfix-out/smtp 3 c3\n");

        /* One directory. */
        {
                char *dirs[] = { d1, NULL };
                JournalOptions o = { .directories = dirs };

                assert_int_equal(journal_source_open(&o, &s), 0);
                assert_int_equal(count_records(s, buf, sizeof buf), 2);
                assert_string_equal(buf, "a1 a4 ");
                assert_true(strncmp(source_key(s), "journal:dir:/", 13) == 0);
                s = source_free(s);
        }
        /* Several directories, machine-id subdirectories included: interleaved by time. */
        {
                char *dirs[] = { d1, d2, NULL };
                JournalOptions o = { .directories = dirs };

                assert_int_equal(journal_source_open(&o, &s), 0);
                assert_int_equal(count_records(s, buf, sizeof buf), 4);
                assert_string_equal(buf, "a1 b2 c3 a4 ");
                assert_non_null(strchr(source_key(s), ';'));
                s = source_free(s);
        }
        /* A missing file is an error, not an empty journal. */
        {
                char *files[] = { "/nonexistent/x.journal", NULL };
                JournalOptions o = { .files = files };

                assert_int_equal(journal_source_open(&o, &s), -ENOENT);
        }
}

static int setup(void **state) {
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
        _cleanup_free_ char *cmd = NULL;

        if (asprintf(&cmd, "rm -rf '%s'", tmpdir) < 0)
                return -1;
        return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_identifiers),
                cmocka_unit_test(test_fields),
                cmocka_unit_test(test_cursor),
                cmocka_unit_test(test_vacuumed),
                cmocka_unit_test(test_directories),
                cmocka_unit_test(test_ties),
                cmocka_unit_test(test_boots_new_file),
                cmocka_unit_test(test_many_ties),
                cmocka_unit_test(test_clock_back),
                cmocka_unit_test(test_legacy_position),
                cmocka_unit_test(test_format1_position),
        };

        if (access(JOURNAL_REMOTE, X_OK) < 0) {
                fprintf(stderr, "%s not installed, skipping\n", JOURNAL_REMOTE);
                return 77;
        }
        return cmocka_run_group_tests(tests, setup, teardown);
}

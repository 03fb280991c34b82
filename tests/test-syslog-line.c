/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-syslog-line - text log lines to PfRecord
 * DESCRIPTION
 *        Table-driven rows {line, context, want_rc, want fields}. Expected
 *        times were computed independently (date -u -d ... +%s). Each line is
 *        parsed from a buffer of exactly its length.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parse.h"
#include "syslog_line.h"

#define USEC 1000000ULL

/* DST-like zone for the callback: +02:00 from 2026-03-29 01:00 to 2026-10-25 01:00 local, else +01:00 */
static int test_offset(int64_t local_sec, void *userdata, int32_t *ret) {
        int *calls = userdata;

        (*calls)++;
        if (local_sec == 42)
                return -ERANGE;
        *ret = local_sec >= 1774746000 && local_sec < 1792890000 ? 7200 : 3600;
        return 0;
}

static int offset_calls;

enum { C_NULL, C_ZERO, C_2026, C_2026_CET, C_2025, C_REF, C_CB, _C_MAX };

static const SyslogContext contexts[_C_MAX] = {
        [C_ZERO] = { 0 },
        [C_2026] = { .year = 2026 },
        [C_2026_CET] = { .year = 2026, .utc_offset_sec = 3600 },
        [C_2025] = { .year = 2025 },
        /* reference 2026-01-01 00:00:30 UTC */
        [C_REF] = { .reference_usec = 1767225630ULL * USEC + 250000 },
        [C_CB] = { .year = 2026, .utc_offset_sec = -99999, .utc_offset = test_offset, .userdata = &offset_calls },
};

typedef struct Row {
        const char *line;
        int ctx;
        int want_rc;
        uint64_t want_usec;
        const char *host, *ident;
        uint32_t pid;
        const char *msg;
} Row;

#define M "98CE0A74683: to=<a@remote.example>, relay=x[192.0.2.1]:25, delay=0, status=sent (ok)"

static const Row rows[] = {
        /* Postfix maillog_file (observed form) and classic syslog */
        { "Nov 24 05:20:26 pf311 pf311/smtp[22234]: " M, C_2026, 1, 1795497626ULL * USEC,
          "pf311", "pf311/smtp", 22234, M },
        { "Nov 24 05:20:26 pf311 pf311/smtp[22234]: " M, C_2026_CET, 1, 1795494026ULL * USEC,
          "pf311", "pf311/smtp", 22234, M },
        { "Nov  4 08:01:02 mx postfix/smtp[1]: x", C_2025, 1, 1762243262ULL * USEC, "mx", "postfix/smtp", 1, "x" },
        { "Nov 04 08:01:02 mx postfix/smtp[1]: x", C_2025, 1, 1762243262ULL * USEC, "mx", "postfix/smtp", 1, "x" },
        { "Nov 4 08:01:02 mx postfix/smtp[1]: x", C_2025, 1, 1762243262ULL * USEC, "mx", "postfix/smtp", 1, "x" },
        { "Nov 24 05:20:26 pf311 pf311/smtp[22234]: warning: TLS library problem: x", C_2026, 1,
          1795497626ULL * USEC, "pf311", "pf311/smtp", 22234, "warning: TLS library problem: x" },
        { "Nov 24 05:20:26.500 mx postfix-out/relay/smtp[7]: m", C_2026, 1, 1795497626ULL * USEC + 500000,
          "mx", "postfix-out/relay/smtp", 7, "m" },
        { "<22>Nov 24 05:20:26 mx postfix/smtp[7]: m", C_2026, 1, 1795497626ULL * USEC, "mx", "postfix/smtp", 7,
          "m" },
        { "Nov 24 05:20:26 mx postfix/smtp[7]: m\n", C_2026, 1, 1795497626ULL * USEC, "mx", "postfix/smtp", 7, "m" },
        { "Nov 24 05:20:26 mx postfix/smtp[7]: m\r\n", C_2026, 1, 1795497626ULL * USEC, "mx", "postfix/smtp", 7,
          "m" },
        { "Nov 24 05:20:26 mx postfix/smtp[7]:", C_2026, 1, 1795497626ULL * USEC, "mx", "postfix/smtp", 7, "" },
        { "Nov 24 05:20:26 mx postfix/smtp[7]:m", C_2026, 1, 1795497626ULL * USEC, "mx", "postfix/smtp", 7, "m" },
        { "Nov 24 05:20:26 mx kernel: hello world", C_2026, 1, 1795497626ULL * USEC, "mx", "kernel", 0,
          "hello world" },
        { "Nov 24 05:20:26 mx last message repeated 2 times", C_2026, 1, 1795497626ULL * USEC, "mx", "", 0,
          "last message repeated 2 times" },
        /* RFC 3339 / rsyslog high precision: the stamp carries its zone */
        { "2026-11-24T05:20:26.123456+01:00 mx postfix/smtp[123]: " M, C_NULL, 1,
          1795494026ULL * USEC + 123456, "mx", "postfix/smtp", 123, M },
        { "2026-11-24T04:20:26Z mx postfix/smtp[123]: m", C_NULL, 1, 1795494026ULL * USEC, "mx", "postfix/smtp",
          123, "m" },
        { "2026-11-24t04:20:26.1z mx postfix/smtp[123]: m", C_2026_CET, 1, 1795494026ULL * USEC + 100000, "mx",
          "postfix/smtp", 123, "m" },
        { "2026-11-23T23:50:26.123456789-04:30 mx postfix/smtp[123]: m", C_NULL, 1,
          1795494026ULL * USEC + 123456, "mx", "postfix/smtp", 123, "m" },
        { "2026-11-24T05:20:26+0100 mx postfix/smtp[123]: m", C_NULL, 1, 1795494026ULL * USEC, "mx",
          "postfix/smtp", 123, "m" },
        { "2024-02-29T12:00:00Z mx a[1]: m", C_NULL, 1, 1709208000ULL * USEC, "mx", "a", 1, "m" },
        { "1970-01-01T00:00:00Z mx a[1]: m", C_NULL, 1, 0, "mx", "a", 1, "m" },
        { "9999-12-31T23:59:59Z mx a[1]: m", C_NULL, 1, 253402300799ULL * USEC, "mx", "a", 1, "m" },
        /* the year from the reference time: December read in January is last year */
        { "Dec 31 23:59:59 mx postfix/smtp[1]: m", C_REF, 1, 1767225599ULL * USEC, "mx", "postfix/smtp", 1, "m" },
        { "Jan  1 00:00:10 mx postfix/smtp[1]: m", C_REF, 1, 1767225610ULL * USEC, "mx", "postfix/smtp", 1, "m" },
        { "Jan  2 00:00:00 mx postfix/smtp[1]: m", C_REF, 1, (1767225600ULL + 86400) * USEC, "mx",
          "postfix/smtp", 1, "m" },
        { "Jan  3 00:00:00 mx postfix/smtp[1]: m", C_REF, 1, (1767225600ULL + 2 * 86400 - 365 * 86400) * USEC,
          "mx", "postfix/smtp", 1, "m" },
        { "Feb 29 12:00:00 mx postfix/smtp[1]: m", C_REF, 1, 1709208000ULL * USEC, "mx", "postfix/smtp", 1, "m" },
        /* DST-aware offset callback: winter and summer */
        { "Mar  5 10:50:26 mx a[1]: m", C_CB, 1, (1772707826ULL - 3600) * USEC, "mx", "a", 1, "m" },
        { "Nov 24 05:20:26 mx a[1]: m", C_CB, 1, 1795494026ULL * USEC, "mx", "a", 1, "m" },
        { "Jul  1 12:00:00 mx a[1]: m", C_CB, 1, (1782907200ULL - 7200) * USEC, "mx", "a", 1, "m" },
        /* empty */
        { "", C_2026, 0, 0, NULL, NULL, 0, NULL },
        { "\n", C_2026, 0, 0, NULL, NULL, 0, NULL },
        { "\r\n", C_2026, 0, 0, NULL, NULL, 0, NULL },
        /* malformed */
        { "Foo 24 05:20:26 mx a[1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "nov 24 05:20:26 mx a[1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 31 05:20:26 mx a[1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 00 05:20:26 mx a[1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Feb 29 05:20:26 mx a[1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 24:00:00 mx a[1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:60:26 mx a[1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20:61 mx a[1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 5:20:26 mx a[1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20:26.", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20:26", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20:26 mx", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20:26  mx a[1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20:26 mx a[99999999999]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20:26 mx a[4294967296]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20:26 mx a[12: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20:26 mx a[]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20:26 mx a[12] m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20:26 mx a[-1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "<1234>Nov 24 05:20:26 mx a[1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "<>Nov 24 05:20:26 mx a[1]: m", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "2026-13-01T00:00:00Z mx a[1]: m", C_NULL, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "2026-02-29T00:00:00Z mx a[1]: m", C_NULL, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "2026-11-24T05:20:26 mx a[1]: m", C_NULL, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "2026-11-24 05:20:26+00:00 mx a[1]: m", C_NULL, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "2026-11-24T05:20:26+24:00 mx a[1]: m", C_NULL, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "2026-11-24T05:20:26+01:60 mx a[1]: m", C_NULL, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "2026-11-24T05:20:26+1 mx a[1]: m", C_NULL, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "2026-11-24T05:20:26.Z mx a[1]: m", C_NULL, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "1969-12-31T23:59:59Z mx a[1]: m", C_NULL, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "1970-01-01T00:30:00+01:00 mx a[1]: m", C_NULL, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "20261124T052026Z mx a[1]: m", C_NULL, -EBADMSG, 0, NULL, NULL, 0, NULL },
        { "\xff\xfe junk", C_2026, -EBADMSG, 0, NULL, NULL, 0, NULL },
        /* an RFC 3164 stamp needs a year from somewhere */
        { "Nov 24 05:20:26 mx a[1]: m", C_NULL, -EINVAL, 0, NULL, NULL, 0, NULL },
        { "Nov 24 05:20:26 mx a[1]: m", C_ZERO, -EINVAL, 0, NULL, NULL, 0, NULL },
};

static void check_row(size_t i, const Row *row) {
        char ident[PF_IDENTIFIER_MAX + 1], host[PF_HOSTNAME_MAX + 1];
        size_t len = strlen(row->line);
        char *copy = malloc(len ? len : 1);
        const char *why = NULL;
        PfRecord rec;
        int r;

        assert_non_null(copy);
        memcpy(copy, row->line, len);
        memset(&rec, 0x5a, sizeof rec);
        r = syslog_line_parse(copy, len, row->ctx == C_NULL ? NULL : &contexts[row->ctx], &rec,
                              ident, sizeof ident, host, sizeof host, &why);
        if (r != row->want_rc)
                fail_msg("row %zu \"%s\": got rc %d (%s), want %d", i, row->line, r, why ? why : "-", row->want_rc);
        if (r < 0 && !why)
                fail_msg("row %zu \"%s\": rc %d without a reason", i, row->line, r);
        if (r > 0) {
                if (rec.realtime_usec != row->want_usec)
                        fail_msg("row %zu \"%s\": usec got %ju, want %ju", i, row->line,
                                 (uintmax_t) rec.realtime_usec, (uintmax_t) row->want_usec);
                if (strcmp(rec.hostname, row->host) != 0 || rec.hostname != host)
                        fail_msg("row %zu: host got \"%s\", want \"%s\"", i, rec.hostname, row->host);
                if (strcmp(rec.identifier, row->ident) != 0 || rec.identifier != ident)
                        fail_msg("row %zu: ident got \"%s\", want \"%s\"", i, rec.identifier, row->ident);
                if (rec.pid != row->pid)
                        fail_msg("row %zu: pid got %u, want %u", i, rec.pid, row->pid);
                if (rec.message_len != strlen(row->msg) || memcmp(rec.message, row->msg, rec.message_len) != 0)
                        fail_msg("row %zu: message got \"%.*s\", want \"%s\"", i, (int) rec.message_len,
                                 rec.message, row->msg);
                if (rec.message < copy || rec.message + rec.message_len > copy + len)
                        fail_msg("row %zu: message does not point into the line", i);
                if (strcmp(rec.boot_id, "") != 0)
                        fail_msg("row %zu: boot_id got \"%s\", want \"\"", i, rec.boot_id);
        }
        free(copy);
}

static void test_rows(void **state) {
        offset_calls = 0;
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
                check_row(i, &rows[i]);
        assert_true(offset_calls >= 3);
}

static void test_limits(void **state) {
        char ident[PF_IDENTIFIER_MAX + 1], host[PF_HOSTNAME_MAX + 1], small[5];
        const char *why = NULL;
        const char *pre = "Nov 24 05:20:26 mx postfix/smtp[1]: ";
        size_t pl = strlen(pre);
        PfRecord rec;
        char *line;

        /* exactly 64 KiB of message is fine, one byte more is not */
        line = malloc(pl + PF_MESSAGE_MAX + 1);
        assert_non_null(line);
        memcpy(line, pre, pl);
        memset(line + pl, 'm', PF_MESSAGE_MAX + 1);
        assert_int_equal(syslog_line_parse(line, pl + PF_MESSAGE_MAX, &contexts[C_2026], &rec, ident, sizeof ident,
                                           host, sizeof host, &why), 1);
        assert_int_equal(rec.message_len, PF_MESSAGE_MAX);
        why = NULL;
        assert_int_equal(syslog_line_parse(line, pl + PF_MESSAGE_MAX + 1, &contexts[C_2026], &rec, ident,
                                           sizeof ident, host, sizeof host, &why), -EBADMSG);
        assert_non_null(why);
        free(line);

        /* host and identifier lengths */
        char buf[700];
        int n = snprintf(buf, sizeof buf, "Nov 24 05:20:26 %0255d a[1]: m", 0);
        assert_int_equal(syslog_line_parse(buf, (size_t) n, &contexts[C_2026], &rec, ident, sizeof ident, host,
                                           sizeof host, &why), 1);
        assert_int_equal(strlen(rec.hostname), 255);
        n = snprintf(buf, sizeof buf, "Nov 24 05:20:26 %0256d a[1]: m", 0);
        assert_int_equal(syslog_line_parse(buf, (size_t) n, &contexts[C_2026], &rec, ident, sizeof ident, host,
                                           sizeof host, &why), -EBADMSG);
        n = snprintf(buf, sizeof buf, "Nov 24 05:20:26 mx %0255d[1]: m", 0);
        assert_int_equal(syslog_line_parse(buf, (size_t) n, &contexts[C_2026], &rec, ident, sizeof ident, host,
                                           sizeof host, &why), 1);
        assert_int_equal(strlen(rec.identifier), 255);
        n = snprintf(buf, sizeof buf, "Nov 24 05:20:26 mx %0256d[1]: m", 0);
        assert_int_equal(syslog_line_parse(buf, (size_t) n, &contexts[C_2026], &rec, ident, sizeof ident, host,
                                           sizeof host, &why), -EBADMSG);
        n = snprintf(buf, sizeof buf, "Nov 24 05:20:26 mx %0300d plain words", 0);
        assert_int_equal(syslog_line_parse(buf, (size_t) n, &contexts[C_2026], &rec, ident, sizeof ident, host,
                                           sizeof host, &why), 1);
        assert_string_equal(rec.identifier, "");

        /* caller buffers too small */
        static const char l[] = "Nov 24 05:20:26 mailhost postfix/smtp[1]: m";
        why = NULL;
        assert_int_equal(syslog_line_parse(l, strlen(l), &contexts[C_2026], &rec, small, sizeof small, host,
                                           sizeof host, &why), -ENOBUFS);
        assert_non_null(why);
        assert_int_equal(syslog_line_parse(l, strlen(l), &contexts[C_2026], &rec, ident, sizeof ident, small,
                                           sizeof small, &why), -ENOBUFS);
        assert_int_equal(syslog_line_parse(l, strlen(l), &contexts[C_2026], NULL, ident, sizeof ident, host,
                                           sizeof host, &why), -EINVAL);
        assert_int_equal(syslog_line_parse(NULL, 3, &contexts[C_2026], &rec, ident, sizeof ident, host,
                                           sizeof host, &why), -EINVAL);

        /* NUL and control bytes: in the host rejected, in the message kept */
        static const char nul_host[] = "Nov 24 05:20:26 m\0x a[1]: m";
        assert_int_equal(syslog_line_parse(nul_host, sizeof nul_host - 1, &contexts[C_2026], &rec, ident,
                                           sizeof ident, host, sizeof host, &why), -EBADMSG);
        static const char tab_host[] = "Nov 24 05:20:26 m\tx a[1]: m";
        assert_int_equal(syslog_line_parse(tab_host, sizeof tab_host - 1, &contexts[C_2026], &rec, ident,
                                           sizeof ident, host, sizeof host, &why), -EBADMSG);
        static const char nul_msg[] = "Nov 24 05:20:26 mx a[1]: m\0\xff\x01z";
        assert_int_equal(syslog_line_parse(nul_msg, sizeof nul_msg - 1, &contexts[C_2026], &rec, ident,
                                           sizeof ident, host, sizeof host, &why), 1);
        assert_int_equal(rec.message_len, 5);

        /* the offset callback can fail: local time 1970-01-01 00:00:42 */
        SyslogContext c = contexts[C_CB];
        c.year = 1970;
        static const char early[] = "Jan  1 00:00:42 mx a[1]: m";
        why = NULL;
        assert_int_equal(syslog_line_parse(early, strlen(early), &c, &rec, ident, sizeof ident, host, sizeof host,
                                           &why), -ERANGE);
        assert_non_null(why);
}

/* Every prefix of a valid line: no crash, malformed until the host is complete */
static void test_truncation(void **state) {
        static const char l[] = "2026-11-24T05:20:26.123456+01:00 mx postfix/smtp[123]: m";
        char ident[PF_IDENTIFIER_MAX + 1], host[PF_HOSTNAME_MAX + 1];
        size_t body = strlen("2026-11-24T05:20:26.123456+01:00 mx ");
        size_t tag_open = body + strlen("postfix/smtp"), tag_colon = body + strlen("postfix/smtp[123]");
        const char *why;
        PfRecord rec;

        for (size_t n = 0; n <= strlen(l); n++) {
                char *copy = malloc(n ? n : 1);
                int r;

                assert_non_null(copy);
                memcpy(copy, l, n);
                why = NULL;
                r = syslog_line_parse(copy, n, NULL, &rec, ident, sizeof ident, host, sizeof host, &why);
                if (n == 0 && r != 0)
                        fail_msg("cut at 0: got rc %d, want 0", r);
                if (n > 0 && n < body && r != -EBADMSG)
                        fail_msg("cut at %zu: got rc %d (%s), want -EBADMSG", n, r, why ? why : "-");
                /* "postfix/smtp" alone is text without a tag, "postfix/smtp[12" a broken tag */
                if (n >= body && (n <= tag_open || n > tag_colon) && r != 1)
                        fail_msg("cut at %zu: got rc %d (%s), want 1", n, r, why ? why : "-");
                if (n > tag_open && n <= tag_colon && r != -EBADMSG)
                        fail_msg("cut at %zu: got rc %d, want -EBADMSG", n, r);
                free(copy);
        }
}

static void test_tag(void **state) {
        static const struct {
                const char *in;
                int want_rc;
                const char *ident;
                uint32_t pid;
                const char *msg;
        } tags[] = {
                { "postfix/smtp[123]: msg", 1, "postfix/smtp", 123, "msg" },
                { "postfix/smtp: msg", 1, "postfix/smtp", 0, "msg" },
                { "a:", 1, "a", 0, "" },
                { "postfix/smtp[123]msg", -EBADMSG, NULL, 0, NULL },
                { "postfix/smtp[12x]: msg", -EBADMSG, NULL, 0, NULL },
                { "no tag here", 0, NULL, 0, NULL },
                { ": x", 0, NULL, 0, NULL },
                { "postfix/smtp", 0, NULL, 0, NULL },
                { "", 0, NULL, 0, NULL },
        };
        for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
                size_t len = strlen(tags[i].in);
                char *copy = malloc(len ? len : 1);
                Span ident = SPAN_NULL, msg = SPAN_NULL;
                uint32_t pid = 99;
                int r;

                assert_non_null(copy);
                memcpy(copy, tags[i].in, len);
                r = syslog_tag_parse(span_make(copy, len), &ident, &pid, &msg);
                if (r != tags[i].want_rc)
                        fail_msg("tag \"%s\": got rc %d, want %d", tags[i].in, r, tags[i].want_rc);
                if (r > 0 && (ident.n != strlen(tags[i].ident) || memcmp(ident.p, tags[i].ident, ident.n) != 0 ||
                              pid != tags[i].pid || msg.n != strlen(tags[i].msg) ||
                              memcmp(msg.p, tags[i].msg, msg.n) != 0))
                        fail_msg("tag \"%s\": got \"%.*s\" %u \"%.*s\"", tags[i].in, (int) ident.n, ident.p, pid,
                                 (int) msg.n, msg.p);
                free(copy);
        }
}

/* The adapter's record goes through the same parser as a journal entry */
static void test_end_to_end(void **state) {
        static const char l[] = "Nov 24 05:20:26 pf311 pf311/smtp[22234]: 98CE0A74683: to=<a@remote.example>, "
                "relay=127.0.0.1[127.0.0.1]:2626, delay=0.18, delays=0.01/0.02/0.11/0.05, tls=may, dsn=2.0.0, "
                "status=sent (250 2.0.0 Ok: queued as T1)";
        static const char proxy[] = "2026-11-24T05:20:26+01:00 pf311 pf311/tlsproxy[22306]: CONNECT to "
                "[127.0.0.1]:2626";
        char ident[PF_IDENTIFIER_MAX + 1], host[PF_HOSTNAME_MAX + 1];
        const char *why = NULL;
        PfRecord rec;
        Event ev;

        assert_int_equal(syslog_line_parse(l, strlen(l), &contexts[C_2026], &rec, ident, sizeof ident, host,
                                           sizeof host, &why), 1);
        assert_int_equal(parse_record(&rec, &ev, &why), 1);
        assert_int_equal(ev.type, EVENT_DELIVERY);
        assert_int_equal(ev.delivery.queue_id.n, 11);
        assert_memory_equal(ev.delivery.queue_id.p, "98CE0A74683", 11);
        assert_int_equal(ev.delivery.status, STATUS_SENT);

        assert_int_equal(syslog_line_parse(proxy, strlen(proxy), NULL, &rec, ident, sizeof ident, host,
                                           sizeof host, &why), 1);
        assert_int_equal(identifier_program(rec.identifier), PROGRAM_TLSPROXY);
        assert_int_equal(parse_record(&rec, &ev, &why), 0);
        assert_int_equal(ev.type, EVENT_IGNORED);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rows),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_truncation),
                cmocka_unit_test(test_tag),
                cmocka_unit_test(test_end_to_end),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

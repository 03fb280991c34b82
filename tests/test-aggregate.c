/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-aggregate - daily aggregates, interning, evidence and flush
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

#include "aggregate.h"
#include "cleanup.h"
#include "correlate.h"
#include "parse.h"
#include "store.h"
#include "store-fixture.h"

#define ELEMENTS(x) (sizeof(x) / sizeof((x)[0]))
#define SEC 1000000ULL
#define T0 (1773100800ULL * SEC)               /* 2026-03-10 00:00:00 UTC */

typedef struct Rows {
        char text[64][512];
        uint64_t count[64];
        size_t n;
} Rows;

static int collect_daily(const DailyRow *r, void *userdata) {
        Rows *rows = userdata;

        assert_true(rows->n < ELEMENTS(rows->text));
        snprintf(rows->text[rows->n], sizeof(rows->text[0]), "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s",
                 r->day, r->host, r->domain, r->mx, r->protocol, r->cipher, r->trust, r->level,
                 r->outcome, r->reason);
        rows->count[rows->n++] = r->count;
        return 0;
}

static int collect_evidence(const EvidenceRow *r, void *userdata) {
        Rows *rows = userdata;

        assert_true(rows->n < ELEMENTS(rows->text));
        snprintf(rows->text[rows->n], sizeof(rows->text[0]), "%s|%s|%llu/%llu/%llu", r->day, r->host,
                 (unsigned long long) r->deliveries, (unsigned long long) r->tls_lines,
                 (unsigned long long) r->tls_fields);
        rows->count[rows->n++] = 0;
        return 0;
}

static Outcome outcome(uint64_t usec, const char *domain, OutcomeKind kind) {
        return (Outcome) {
                .realtime_usec = usec,
                .hostname = "mail1",
                .domain = domain,
                .mx = "mx.example.org",
                .protocol = kind == OUTCOME_TLS ? "TLSv1.3" : "",
                .cipher = kind == OUTCOME_TLS ? "TLS_AES_256_GCM_SHA384" : "",
                .trust = kind == OUTCOME_TLS ? TRUST_VERIFIED : TRUST_UNKNOWN,
                .level = "",
                .kind = kind,
                .reason = FAIL_NONE,
        };
}

static void test_interning(void **state) {
        Aggregates *a = aggregates_new();
        char buf[2][32];
        Rows rows = { .n = 0 };

        assert_non_null(a);
        /* the same key from different buffers is one row */
        for (unsigned i = 0; i < 100; i++) {
                Outcome o;

                snprintf(buf[i % 2], sizeof(buf[0]), "example.org");
                o = outcome(T0 + i * SEC, buf[i % 2], OUTCOME_TLS);
                assert_int_equal(aggregates_add(a, &o), 0);
        }
        assert_int_equal(aggregates_count_rows(a), 1);

        Outcome p = outcome(T0, "example.org", OUTCOME_PLAINTEXT);
        assert_int_equal(aggregates_add(a, &p), 0);
        p.level = "may:none";
        assert_int_equal(aggregates_add(a, &p), 0);
        p.hostname = NULL;              /* NULL counts as "" */
        assert_int_equal(aggregates_add(a, &p), 0);
        Outcome f = outcome(T0, "example.org", OUTCOME_TLS_FAILED);
        f.reason = FAIL_CERT_NOT_VERIFIED;
        f.level = "!verify";
        assert_int_equal(aggregates_add(a, &f), 0);
        assert_int_equal(aggregates_add(a, &f), 0);
        assert_int_equal(aggregates_count_rows(a), 5);

        assert_int_equal(aggregates_foreach_daily(a, collect_daily, &rows), 0);
        assert_int_equal(rows.n, 5);
        assert_string_equal(rows.text[0], "2026-03-10|mail1|example.org|mx.example.org|TLSv1.3|"
                            "TLS_AES_256_GCM_SHA384|Verified||tls|");
        assert_int_equal(rows.count[0], 100);
        assert_string_equal(rows.text[1], "2026-03-10|mail1|example.org|mx.example.org||||"
                            "|plaintext|");
        assert_string_equal(rows.text[2], "2026-03-10|mail1|example.org|mx.example.org||||"
                            "may:none|plaintext|");
        assert_string_equal(rows.text[3], "2026-03-10||example.org|mx.example.org||||"
                            "may:none|plaintext|");
        assert_string_equal(rows.text[4], "2026-03-10|mail1|example.org|mx.example.org||||"
                            "!verify|tls_failed|cert_not_verified");
        assert_int_equal(rows.count[4], 2);

        /* bad outcomes are refused and change nothing */
        f.kind = _OUTCOME_KIND_MAX;
        assert_int_equal(aggregates_add(a, &f), -EINVAL);
        f.kind = OUTCOME_TLS;
        f.reason = _FAIL_REASON_MAX;
        assert_int_equal(aggregates_add(a, &f), -EINVAL);
        assert_int_equal(aggregates_add(a, NULL), -EINVAL);
        assert_int_equal(aggregates_count_rows(a), 5);

        aggregates_clear(a);
        assert_int_equal(aggregates_count_rows(a), 0);
        assert_int_equal(aggregates_add(a, &p), 0);
        assert_int_equal(aggregates_count_rows(a), 1);
        aggregates_free(a);
}

static void test_many_keys(void **state) {
        Aggregates *a = aggregates_new();
        char domain[64];

        assert_non_null(a);
        for (unsigned round = 0; round < 3; round++)
                for (unsigned i = 0; i < 5000; i++) {
                        Outcome o;

                        snprintf(domain, sizeof(domain), "d%u.example", i);
                        o = outcome(T0 + (uint64_t) (i % 3) * 86400 * SEC, domain, OUTCOME_PLAINTEXT);
                        assert_int_equal(aggregates_add(a, &o), 0);
                        assert_int_equal(aggregates_count_rows(a), round == 0 ? i + 1 : 5000);
                }
        aggregates_free(a);
}

static void test_day_boundaries(void **state) {
        static const struct {
                uint64_t usec;
                const char *day;
        } t[] = {
                { T0 - 1, "2026-03-09" },
                { T0, "2026-03-10" },
                { T0 + 86400 * SEC - 1, "2026-03-10" },
                { T0 + 86400 * SEC, "2026-03-11" },
                { 1709164800ULL * SEC + 3600 * SEC, "2024-02-29" },
                { 1735689599ULL * SEC + 999999, "2024-12-31" },
                { 1735689600ULL * SEC, "2025-01-01" },
                { 0, "1970-01-01" },
        };
        Aggregates *a = aggregates_new();
        Rows rows = { .n = 0 };

        assert_non_null(a);
        for (size_t i = 0; i < ELEMENTS(t); i++) {
                Outcome o = outcome(t[i].usec, "example.org", OUTCOME_TLS);

                assert_int_equal(aggregates_add(a, &o), 0);
        }
        assert_int_equal(aggregates_foreach_daily(a, collect_daily, &rows), 0);
        assert_int_equal(rows.n, ELEMENTS(t) - 1);
        for (size_t i = 0, j = 0; i < ELEMENTS(t); i++) {
                if (i == 2)
                        continue;       /* same day as the row before */
                if (strncmp(rows.text[j], t[i].day, 10) != 0)
                        fail_msg("row %zu: got %.10s, want %s", j, rows.text[j], t[i].day);
                j++;
        }
        assert_int_equal(rows.count[1], 2);
        aggregates_free(a);
}

typedef struct Line {
        uint64_t usec;
        const char *host, *ident;
        uint32_t pid;
        const char *msg;
} Line;

#define TLS13 ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"
#define D ", delay=0.1, delays=0/0/0.05/0.05"

/* the collector's pipeline: parse, note the evidence, correlate into the aggregates */
static void pipeline(Aggregates *a, Correlator *c, const Line *lines, size_t n) {
        for (size_t i = 0; i < n; i++) {
                PfRecord rec = {
                        .realtime_usec = lines[i].usec,
                        .boot_id = "b",
                        .hostname = lines[i].host,
                        .identifier = lines[i].ident ? lines[i].ident : "postfix/smtp",
                        .pid = lines[i].pid,
                        .message = lines[i].msg,
                        .message_len = strlen(lines[i].msg),
                };
                const char *why = NULL;
                Event ev;

                int r = parse_record(&rec, &ev, &why);

                if (r < 0)
                        fail_msg("parse_record(\"%s\"): %s", lines[i].msg, why ? why : "?");
                if (r == 0 && identifier_program(rec.identifier) == PROGRAM_SMTP)
                        fail_msg("parse_record(\"%s\") ignored the line", lines[i].msg);
                assert_int_equal(aggregates_note_event(a, &rec, &ev), 0);
                assert_true(correlate_feed(c, &rec, &ev) >= 0);
        }
}

static const Line evidence_lines[] = {
        { T0 - 2 * SEC, "mail1", NULL, 1, "Verified TLS connection established to mx.a.example[192.0.2.1]:25" TLS13 },
        { T0 - 1 * SEC, "mail1", NULL, 1, "AAAAA1: to=<x@a.example>, relay=mx.a.example[192.0.2.1]:25" D ", tls=verify, dsn=2.0.0, status=sent (250 ok)" },
        { T0 - 1 * SEC, "mail1", NULL, 1, "AAAAA1: to=<y@a.example>, relay=mx.a.example[192.0.2.1]:25" D ", tls=verify, dsn=2.0.0, status=sent (250 ok)" },
        { T0, "mail1", "postfix/tlsproxy", 2, "Verified TLS connection established to mx.a.example[192.0.2.1]:25" TLS13 },
        { T0, "mail1", "postfix/smtp", 3, "Verified TLS connection reused to mx.a.example[192.0.2.1]:25" TLS13 },
        { T0 + SEC, "mail1", NULL, 3, "AAAAA2: to=<z@a.example>, relay=mx.a.example[192.0.2.1]:25, conn_use=2" D ", dsn=2.0.0, status=sent (250 ok)" },
        { T0 + SEC, "mail2", "postfix-out/smtp", 4, "AAAAA3: to=<z@b.example>, relay=mx.b.example[192.0.2.2]:25" D ", dsn=2.0.0, status=sent (250 ok)" },
        { T0 + SEC, "mail2", "postfix/local", 5, "AAAAA4: to=<root@mail2.example>, relay=local, delay=0, delays=0/0/0/0, dsn=2.0.0, status=sent (delivered to mailbox)" },
        { T0 + 2 * SEC, "mail2", "postfix-out/smtp", 4, "connect to mx.c.example[192.0.2.3]:25: Connection refused" },
};

static void test_evidence(void **state) {
        Aggregates *a = aggregates_new();
        Correlator *c = correlator_new(NULL, aggregates_outcome_fn, a);
        Rows rows = { .n = 0 };

        assert_non_null(a);
        assert_non_null(c);
        pipeline(a, c, evidence_lines, ELEMENTS(evidence_lines));
        assert_int_equal(aggregates_error(a), 0);

        assert_int_equal(aggregates_count_evidence_rows(a), 3);
        assert_int_equal(aggregates_foreach_evidence(a, collect_evidence, &rows), 0);
        assert_int_equal(rows.n, 3);
        assert_string_equal(rows.text[0], "2026-03-09|mail1|2/1/2");
        assert_string_equal(rows.text[1], "2026-03-10|mail1|1/1/0");   /* tlsproxy copy not counted */
        assert_string_equal(rows.text[2], "2026-03-10|mail2|1/0/0");   /* local delivery not counted */

        memset(&rows, 0, sizeof(rows));
        assert_int_equal(aggregates_foreach_daily(a, collect_daily, &rows), 0);
        assert_int_equal(rows.n, 3);
        assert_string_equal(rows.text[0], "2026-03-09|mail1|a.example|mx.a.example|TLSv1.3|"
                            "TLS_AES_256_GCM_SHA384|Verified|verify|tls|");
        assert_int_equal(rows.count[0], 2);
        assert_string_equal(rows.text[1], "2026-03-10|mail1|a.example|mx.a.example|TLSv1.3|"
                            "TLS_AES_256_GCM_SHA384|Verified||tls|");
        assert_string_equal(rows.text[2], "2026-03-10|mail2|b.example|mx.b.example||||"
                            "|plaintext|");

        assert_int_equal(aggregates_note_event(a, NULL, NULL), -EINVAL);
        correlator_free(c);
        aggregates_free(a);
}

static int sum_daily(const DailyRow *r, void *userdata) {
        Rows *rows = userdata;

        return collect_daily(r, rows);
}

static void test_flush(void **state) {
        StoreFixture f;
        Aggregates *a = aggregates_new();
        Correlator *c = correlator_new(NULL, aggregates_outcome_fn, a);
        StoreQuery q = { .group = COL_ALL };
        Rows rows = { .n = 0 };
        Store *s;

        assert_non_null(a);
        assert_non_null(c);
        store_fixture_open(&f);
        s = f.store;

        assert_int_equal(aggregates_flush(a, NULL), -EINVAL);
        for (unsigned run = 0; run < 2; run++) {
                pipeline(a, c, evidence_lines, ELEMENTS(evidence_lines));
                assert_int_equal(aggregates_count_rows(a), 3);
                assert_int_equal(store_begin(s), 0);
                assert_int_equal(aggregates_flush(a, s), 0);
                assert_int_equal(store_commit(s), 0);
                assert_int_equal(aggregates_count_rows(a), 0);
                assert_int_equal(aggregates_count_evidence_rows(a), 0);
        }

        assert_int_equal(store_query_daily(s, &q, sum_daily, &rows), 0);
        assert_int_equal(rows.n, 3);
        for (size_t i = 0; i < rows.n; i++) {
                uint64_t want = strstr(rows.text[i], "|verify|") ? 4 : 2;

                if (rows.count[i] != want)
                        fail_msg("%s: count %llu, want %llu", rows.text[i],
                                 (unsigned long long) rows.count[i], (unsigned long long) want);
        }
        memset(&rows, 0, sizeof(rows));
        q.group = COL_DAY | COL_HOST;
        assert_int_equal(store_query_evidence(s, &q, collect_evidence, &rows), 0);
        assert_int_equal(rows.n, 3);
        for (size_t i = 0; i < rows.n; i++)
                if (!strstr(rows.text[i], "2026-03-09|mail1|4/2/4") && !strstr(rows.text[i], "2026-03-10|mail1|2/2/0") &&
                    !strstr(rows.text[i], "2026-03-10|mail2|2/0/0"))
                        fail_msg("unexpected evidence row %s", rows.text[i]);

        store_fixture_fini(&f);
        correlator_free(c);
        aggregates_free(a);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_interning),
                cmocka_unit_test(test_many_keys),
                cmocka_unit_test(test_day_boundaries),
                cmocka_unit_test(test_evidence),
                cmocka_unit_test(test_flush),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

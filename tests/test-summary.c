/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-summary - the one fold, and report, advise and audit agreeing on it
 * DESCRIPTION
 *        A store with several hosts and MX names, failed-only days, days with
 *        TLS logging off (deliveries, even TLS ones, on a (day, host) without
 *        any TLS line or tls= field), internal hops, a nameless domain and rows
 *        outside the window. What every domain must show (days_seen,
 *        first_seen, last_seen, days_delivered, logging_off, counts) is worked
 *        out here from the rows the test wrote, not by mxtls; then the
 *        summary, the report (struct and JSON), advise (JSON and postmap) and
 *        audit (evidence and MXT007) are each compared with it.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advise.h"
#include "store-fixture.h"
#include "audit.h"
#include "cleanup.h"
#include "report.h"
#include "summary.h"

#define LAST_DAY "2024-06-30"
#define WINDOW 30                       /* days 0 .. 29 back */
#define ROWS_MAX 256

static const char template_yaml[] =
        "name: test\n"
        "window_days: 30\n"
        "min_deliveries: 20\n"
        "min_days: 10\n"
        "min_tls_share: 100\n"
        "max_tls_failures: 0\n"
        "min_protocol: TLSv1.2\n"
        "propose:\n"
        "  level: encrypt\n";

typedef struct Row {
        int back;                       /* days before LAST_DAY */
        const char *host, *domain, *mx, *protocol, *trust, *level, *outcome, *reason;
        uint64_t n;
} Row;

/* (day, host) pairs whose log had deliveries but no TLS line and no tls= field */
static const struct {
        int back;
        const char *host;
} logging_off[] = {
        { 3, "mta2" },
        { 4, "mta2" },
        { 12, "mta3" },
};

static const char *const domains[] = {
        "steady.example", "offday.example", "offonly.example", "failonly.example", "late.example",
        "proposed.example", "", "internal.example", "outside.example",
};

static Row rows[ROWS_MAX];
static size_t n_rows;

static void row(int back, const char *host, const char *domain, const char *mx, const char *protocol,
                const char *outcome, const char *reason, uint64_t n) {
        assert_true(n_rows < ROWS_MAX);
        rows[n_rows++] = (Row) {
                back, host, domain, mx, protocol, *protocol ? "Trusted" : "",
                strcmp(outcome, "tls") == 0 ? "may" : "", outcome, reason, n,
        };
}

static void make_rows(void) {
        n_rows = 0;
        for (int k = 0; k < 20; k++)            /* TLS on 20 days, a failure on two more */
                row(k, "mta1", "steady.example", k % 2 ? "mx2.steady.example" : "mx1.steady.example",
                    "TLSv1.3", "tls", "", 3);
        row(22, "mta1", "steady.example", "mx1.steady.example", "", "tls_failed", "cert_not_verified", 2);
        row(25, "mta1", "steady.example", "mx1.steady.example", "", "other_failed", "", 1);
        for (int k = 0; k < 10; k++)            /* also on mta2 while its TLS logging is off */
                row(k, "mta1", "offday.example", "mx.offday.example", "TLSv1.3", "tls", "", 2);
        row(3, "mta2", "offday.example", "mx.offday.example", "", "plaintext", "", 1);
        row(4, "mta2", "offday.example", "mx.offday.example", "", "plaintext", "", 1);
        row(4, "mta2", "offday.example", "mx.offday.example", "TLSv1.2", "tls", "", 1);
        row(3, "mta2", "offonly.example", "mx.offonly.example", "", "plaintext", "", 4);
        row(4, "mta2", "offonly.example", "mx.offonly.example", "", "plaintext", "", 4);
        row(6, "mta1", "offonly.example", "mx.offonly.example", "", "other_failed", "", 1);
        row(1, "mta3", "failonly.example", "mx.failonly.example", "", "tls_failed", "starttls_not_offered", 2);
        row(2, "mta3", "failonly.example", "mx.failonly.example", "", "tls_failed", "starttls_not_offered", 1);
        row(12, "mta3", "late.example", "mx.late.example", "", "plaintext", "", 2);
        row(13, "mta3", "late.example", "mx.late.example", "TLSv1.3", "tls", "", 1);
        row(28, "mta3", "late.example", "mx2.late.example", "TLSv1.3", "tls", "", 1);
        row(35, "mta3", "late.example", "mx.late.example", "TLSv1.3", "tls", "", 9);     /* outside */
        for (int k = 0; k < 15; k++)            /* earns a proposal; failed-only days around it */
                row(k, "mta1", "proposed.example", "mx.proposed.example", "TLSv1.3", "tls", "", 5);
        row(20, "mta1", "proposed.example", "mx.proposed.example", "", "other_failed", "", 1);
        row(29, "mta1", "proposed.example", "mx.proposed.example", "", "other_failed", "", 1);
        row(1, "mta1", "", "", "", "plaintext", "", 1);                 /* recipient without a domain */
        for (int k = 0; k < 5; k++)
                row(k, "mta1", "internal.example", "localhost", "", "internal", "", 7);
        row(31, "mta1", "outside.example", "mx.outside.example", "TLSv1.3", "tls", "", 4);
        row(40, "mta2", "outside.example", "mx.outside.example", "TLSv1.3", "tls", "", 4);
}

static bool is_delivery(const Row *r) {
        return strcmp(r->outcome, "tls") == 0 || strcmp(r->outcome, "plaintext") == 0;
}

static bool is_off(int back, const char *host) {
        for (size_t i = 0; i < ELEMENTSOF(logging_off); i++)
                if (logging_off[i].back == back && strcmp(logging_off[i].host, host) == 0)
                        return true;
        return false;
}

/* day_back - the day `back` days before the window's last day */
static void day_back(const StoreFixture *f, int back, char buf[static 11]) {
        day_format(f->last - back, buf);
}

/* write_rows - every row, and the TLS evidence of its (day, host) */
static void write_rows(StoreFixture *f) {
        for (size_t i = 0; i < n_rows; i++) {
                const Row *r = &rows[i];
                bool off = is_off(r->back, r->host), delivery = is_delivery(r);
                char day[11];

                day_back(f, r->back, day);
                DailyRow d = {
                        .day = day, .host = r->host, .domain = r->domain, .mx = r->mx,
                        .protocol = r->protocol, .cipher = *r->protocol ? "TLS_AES_256_GCM_SHA384" : "",
                        .trust = r->trust, .level = r->level, .outcome = r->outcome, .reason = r->reason,
                        .count = r->n,
                };
                assert_int_equal(store_add_daily(f->store, &d), 0);
                EvidenceRow e = {
                        .day = day, .host = r->host, .deliveries = delivery ? r->n : 0,
                        .tls_lines = !off && strcmp(r->outcome, "tls") == 0 ? r->n : 0,
                        .tls_fields = !off && delivery ? r->n : 0,
                };
                assert_int_equal(store_add_evidence(f->store, &e), 0);
        }
}

/* What one domain must show, from the rows above. */
typedef struct Truth {
        uint32_t days_seen, days_delivered, logging_off_days;
        uint64_t tls, plaintext;                /* as stored */
        uint64_t known_tls, known_plaintext;    /* TLS status known */
        uint64_t logging_off;
        char first_seen[11], last_seen[11];
} Truth;

static void truth_of(const StoreFixture *f, const char *domain, Truth *t) {
        bool seen[WINDOW] = { 0 }, delivered[WINDOW] = { 0 }, off[WINDOW] = { 0 };
        int first = -1, last = WINDOW;

        *t = (Truth) { 0 };
        for (size_t i = 0; i < n_rows; i++) {
                const Row *r = &rows[i];
                bool is_tls = strcmp(r->outcome, "tls") == 0, unknown = is_off(r->back, r->host);

                if (strcmp(r->domain, domain) != 0 || strcmp(r->outcome, "internal") == 0 ||
                    r->back < 0 || r->back >= WINDOW)
                        continue;
                seen[r->back] = true;
                first = r->back > first ? r->back : first;
                last = r->back < last ? r->back : last;
                if (!is_delivery(r))
                        continue;
                *(is_tls ? &t->tls : &t->plaintext) += r->n;
                if (unknown) {
                        off[r->back] = true;
                        t->logging_off += r->n;
                } else {
                        delivered[r->back] = true;
                        *(is_tls ? &t->known_tls : &t->known_plaintext) += r->n;
                }
        }
        for (int k = 0; k < WINDOW; k++) {
                t->days_seen += seen[k];
                t->days_delivered += delivered[k];
                t->logging_off_days += off[k];
        }
        if (first >= 0) {
                day_back(f, first, t->first_seen);
                day_back(f, last, t->last_seen);
        }
}

typedef struct State {
        StoreFixture f;
        Template *t;
        char from[11];
} State;

static int setup(void **state) {
        State *st = calloc(1, sizeof(*st));
        _cleanup_free_ char *error = NULL;

        if (!st)
                return -1;
        make_rows();
        store_fixture_open_window(&st->f, LAST_DAY);
        write_rows(&st->f);
        store_fixture_reopen_read_only(&st->f);
        day_back(&st->f, WINDOW - 1, st->from);
        if (template_load_data("test.yaml", template_yaml, strlen(template_yaml), &st->t, &error) < 0)
                fail_msg("%s", error);
        *state = st;
        return 0;
}

static int teardown(void **state) {
        State *st = *state;

        store_fixture_fini(&st->f);
        template_free(st->t);
        free(st);
        return 0;
}

/* check_seen - the days every view shows alike */
static void check_seen(const Truth *t, uint32_t days_seen, const char *first_seen, const char *last_seen) {
        assert_int_equal(days_seen, t->days_seen);
        assert_string_equal(first_seen, t->first_seen);
        assert_string_equal(last_seen, t->last_seen);
}

/* check_known - what the advisor counts: deliveries of known TLS status apart from the rest */
static void check_known(const Truth *t, uint32_t days_delivered, uint32_t logging_off_days, uint64_t off,
                        uint64_t tls, uint64_t plaintext) {
        assert_int_equal(days_delivered, t->days_delivered);
        assert_int_equal(logging_off_days, t->logging_off_days);
        assert_int_equal(off, t->logging_off);
        assert_int_equal(tls, t->known_tls);
        assert_int_equal(plaintext, t->known_plaintext);
}

static uint32_t map_count(const uint8_t *map, size_t days) {
        uint32_t n = 0;

        for (size_t i = 0; i < days; i++)
                n += (map[i / 8] >> (i % 8)) & 1;
        return n;
}

/* The fold itself: the truth, known and stored counts apart, day maps, internal hops. */
static void test_summary(void **state) {
        State *st = *state;
        SummaryOptions o = { .from = st->from, .to = LAST_DAY, .day_maps = true };
        Summary *m = NULL;

        assert_int_equal(summary_build(st->f.store, &o, &m), 0);
        assert_int_equal(m->window_days, WINDOW);
        assert_int_equal(m->internal, 35);
        assert_int_equal(m->n_hosts, 3);
        for (size_t i = 0; i < ELEMENTSOF(domains); i++) {
                const SummaryDomain *d = summary_find_domain(m, domains[i]);
                Truth t;

                truth_of(&st->f, domains[i], &t);
                if (t.days_seen == 0) {
                        assert_null(d);
                        continue;
                }
                assert_non_null(d);
                check_seen(&t, d->days_seen, d->first_seen, d->last_seen);
                check_known(&t, d->days_delivered, d->logging_off_days, d->logging_off, d->known_tls,
                            d->known_plaintext);
                assert_int_equal(d->counts.tls, t.tls);
                assert_int_equal(d->counts.plaintext, t.plaintext);
                assert_int_equal(map_count(d->seen_map, WINDOW), t.days_seen);
                assert_int_equal(map_count(d->delivered_map, WINDOW), t.days_delivered);
                assert_int_equal(map_count(d->off_map, WINDOW), t.logging_off_days);
        }
        /* The TLS delivery on mta2's logging-off day: in n (the report), not in n_known. */
        const SummaryDomain *d = summary_find_domain(m, "offday.example");
        assert_int_equal(d->counts.protocols.n, 2);
        assert_string_equal(d->counts.protocols.items[1].key, "TLSv1.2");
        assert_int_equal(d->counts.protocols.items[1].n, 1);
        assert_int_equal(d->counts.protocols.items[1].n_known, 0);
        assert_int_equal(m->n_logging_off, 2);
        assert_string_equal(m->logging_off[0].host, "mta2");
        assert_int_equal(m->logging_off[0].days, 2);
        assert_int_equal(m->logging_off[0].deliveries, 11);
        m = summary_free(m);

        o.from = "2024-07-01";
        assert_int_equal(summary_build(st->f.store, &o, &m), -EINVAL);
}

static void test_report_agrees(void **state) {
        State *st = *state;
        ReportOptions o = { .from = st->from, .to = LAST_DAY };
        ReportFormatOptions fo = { 0 };
        Report *r = NULL;
        StrBuf json;

        assert_int_equal(report_build(st->f.store, &o, &r), 0);
        strbuf_init(&json);
        assert_int_equal(report_format_json(r, &fo, &json), 0);
        for (size_t i = 0; i < ELEMENTSOF(domains); i++) {
                const ReportDomain *d = NULL;
                char want[128];
                Truth t;

                truth_of(&st->f, domains[i], &t);
                for (size_t k = 0; k < r->n_domains; k++)
                        if (strcmp(r->domains[k].domain, domains[i]) == 0)
                                d = &r->domains[k];
                if (t.days_seen == 0) {
                        assert_null(d);
                        continue;
                }
                assert_non_null(d);
                check_seen(&t, (uint32_t) d->days_seen, d->first_seen, d->last_seen);
                assert_int_equal(d->counts.tls, t.tls);                 /* as stored */
                assert_int_equal(d->counts.plaintext, t.plaintext);
                (void) snprintf(want, sizeof(want), "\"first_seen\": \"%s\", \"last_seen\": \"%s\", \"days_seen\": %"
                                PRIu32 "}", t.first_seen, t.last_seen, t.days_seen);
                assert_non_null(strstr(json.data, want));
        }
        strbuf_free(&json);
        report_free(r);
}

/* entry_has - whether the JSON line of domain's entry holds want */
static bool entry_has(const char *json, const char *domain, const char *want) {
        char start[128];
        const char *p, *end;

        (void) snprintf(start, sizeof(start), "{\"domain\": \"%s\", ", domain);
        p = strstr(json, start);
        if (!p)
                return false;
        end = strchr(p, '\n');
        _cleanup_free_ char *entry = strndup(p, end ? (size_t) (end - p) : strlen(p));
        assert_non_null(entry);
        return strstr(entry, want) != NULL;
}

/* check_advise_json - every domain's counts and days; no entry for the nameless one */
static void check_advise_json(const State *st, const char *json) {
        for (size_t i = 0; i < ELEMENTSOF(domains); i++) {
                char want[256];
                Truth t;

                truth_of(&st->f, domains[i], &t);
                if (t.days_seen == 0 || !*domains[i]) {
                        assert_false(entry_has(json, domains[i], "\"delivered\""));
                        continue;
                }
                (void) snprintf(want, sizeof(want), "\"delivered\": %" PRIu64 ", \"tls\": %" PRIu64
                                ", \"plaintext\": %" PRIu64 ", ", t.known_tls + t.known_plaintext, t.known_tls,
                                t.known_plaintext);
                assert_true(entry_has(json, domains[i], want));
                (void) snprintf(want, sizeof(want), "\"tls_logging_off\": %" PRIu64 ", \"days_seen\": %" PRIu32
                                ", \"days_delivered\": %" PRIu32 ", \"first_seen\": \"%s\", \"last_seen\": \"%s\"",
                                t.logging_off, t.days_seen, t.days_delivered, t.first_seen, t.last_seen);
                if (!entry_has(json, domains[i], want))
                        fail_msg("%s: want %s", domains[i], want);
        }
}

static void test_advise_agrees(void **state) {
        State *st = *state;
        AdviseOptions o = { .template = st->t, .to_day = LAST_DAY };
        AdviseResult *r = NULL;
        char want[256];
        Truth t;
        StrBuf b;

        assert_int_equal(advise_run(st->f.store, &o, &r), 0);
        assert_string_equal(r->from, st->from);
        strbuf_init(&b);
        assert_int_equal(advise_format_json(r, &b), 0);
        check_advise_json(st, b.data);
        strbuf_free(&b);

        /* The postmap comment counts the delivery days; seen covers the failed-only days too. */
        assert_int_equal(r->n_proposals, 1);
        assert_string_equal(r->proposals[0].stats->domain, "proposed.example");
        truth_of(&st->f, "proposed.example", &t);
        assert_int_not_equal(t.days_seen, t.days_delivered);
        strbuf_init(&b);
        assert_int_equal(advise_format_postmap(r, &b), 0);
        (void) snprintf(want, sizeof(want), "# proposed.example: %" PRIu64 " deliveries on %" PRIu32 " days, ",
                        t.known_tls, t.days_delivered);
        assert_non_null(strstr(b.data, want));
        (void) snprintf(want, sizeof(want), "#   first seen %s, last seen %s\n", t.first_seen, t.last_seen);
        assert_non_null(strstr(b.data, want));
        strbuf_free(&b);
        advise_result_free(r);
}

static void test_audit_agrees(void **state) {
        State *st = *state;
        AuditOptions o = { .default_level = "may", .to_day = LAST_DAY, .days = WINDOW };
        AuditResult *r = NULL;
        StrBuf b;

        assert_int_equal(audit_run(st->f.store, &o, &r), 0);
        for (size_t i = 0; i < ELEMENTSOF(domains); i++) {
                const DomainStats *d = evidence_find(r->evidence, domains[i]);
                Truth t;

                truth_of(&st->f, domains[i], &t);
                if (t.days_seen == 0 || !*domains[i]) {
                        assert_null(d);
                        continue;
                }
                assert_non_null(d);
                check_seen(&t, d->days_seen, d->first_seen, d->last_seen);
                check_known(&t, d->days_delivered, d->logging_off_days, d->logging_off, d->tls, d->plaintext);
        }
        /* Days with logging off per host, as the report's warnings count them. */
        strbuf_init(&b);
        assert_int_equal(audit_format_text(r, &b), 0);
        assert_non_null(strstr(b.data, "MXT007 tls-logging-off: mta2: 2 days between 2024-06-26 and 2024-06-27 "
                                       "with 11 deliveries"));
        assert_non_null(strstr(b.data, "MXT007 tls-logging-off: mta3: 1 days between 2024-06-18 and 2024-06-18 "
                                       "with 2 deliveries"));
        strbuf_free(&b);
        audit_result_free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
                cmocka_unit_test_setup_teardown(test_report_agrees, setup, teardown),
                cmocka_unit_test_setup_teardown(test_advise_agrees, setup, teardown),
                cmocka_unit_test_setup_teardown(test_audit_agrees, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

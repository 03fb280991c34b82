/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-report - report totals and the four output formats, from a real store
 * SYNOPSIS
 *        test-report
 *        test-report --make-store FILE
 * DESCRIPTION
 *        Builds SQLite stores with the store fixture (tests/store-fixture.h) in a
 *        temporary directory and checks the Report, the JSON (parsed with
 *        jansson: structure and values), the text headline, the Prometheus
 *        exposition and the HTML page. Hostile domain names must come out escaped everywhere.
 *        With --make-store it writes a sample store whose days end today, for
 *        tests/test-html-chromium.sh, and exits.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "cleanup.h"
#include "report.h"
#include "store.h"
#include "store-fixture.h"
#include "strbuf.h"
#include "timeutil.h"
#include "util.h"

#define HOSTILE "a\"b\n<c>.example"
#define SCRIPTY "<script>alert(1)</script>.example"

static Report *build(Store *s, const char *from, const char *to, const char *domain, const char *host) {
        ReportOptions o = { .from = from, .to = to, .domain = domain, .host = host };
        Report *r = NULL;
        int q = report_build(s, &o, &r);

        if (q < 0)
                fail_msg("report_build: %s", strerror(-q));
        return r;
}

static char *render(const Report *r, ReportFormat f, unsigned top) {
        ReportFormatOptions o = { .top_n = top };
        StrBuf b;

        strbuf_init(&b);
        assert_int_equal(report_render(r, f, &o, &b), 0);
        assert_non_null(b.data);
        return b.data;          /* owned by the caller */
}

/* The shared data set: window 2024-03-01 .. 2024-03-10, with rows outside it too. */
static void fill(Store *s) {
        store_fixture_add(s, "2024-02-29", "mta1", "old.example", "mx.old.example", "", "", "",
                          "plaintext", "", 50);
        store_fixture_add(s, "2024-03-11", "mta1", "new.example", "mx.new.example", "", "", "",
                          "plaintext", "", 50);

        store_fixture_add(s, "2024-03-01", "mta1", "big.example", "mx1.big.example", "TLSv1.3", "Verified",
                          "", "tls", "", 60);
        store_fixture_add(s, "2024-03-02", "mta1", "big.example", "mx2.big.example", "TLSv1.3", "Trusted",
                          "", "tls", "", 18);
        store_fixture_add(s, "2024-03-05", "mta2", "big.example", "mx1.big.example", "TLSv1.2", "Untrusted",
                          "", "tls", "", 10);
        store_fixture_add(s, "2024-03-05", "mta2", "mid.example", "mx.mid.example", "TLSv1.2", "Untrusted",
                          "may", "tls", "", 10);
        store_fixture_add(s, "2024-03-06", "mta2", "mid.example", "mx.mid.example", "", "", "may:none",
                          "plaintext", "", 1);
        store_fixture_add(s, "2024-03-07", "mta1", "plain.example", "mx.plain.example", "", "", "",
                          "plaintext", "", 1);
        store_fixture_add(s, "2024-03-07", "mta1", "fail.example", "mx.fail.example", "", "", "secure",
                          "tls_failed", "cert_not_verified", 3);
        store_fixture_add(s, "2024-03-08", "mta1", "fail.example", "mx.fail.example", "", "", "",
                          "tls_failed", "starttls_not_offered", 1);
        store_fixture_add(s, "2024-03-08", "mta1", "fail.example", "", "", "", "", "other_failed", "", 2);
        /* Hops to a local filter: never part of a domain. */
        store_fixture_add(s, "2024-03-03", "mta1", "big.example", "localhost", "", "", "",
                          "internal", "", 500);
        store_fixture_add(s, "2024-03-03", "mta1", "only-internal.example", "localhost", "", "", "",
                          "internal", "", 7);

        store_fixture_evidence(s, "2024-03-01", "mta1", 60, 60, 0);
        store_fixture_evidence(s, "2024-03-05", "mta2", 20, 0, 0);
        store_fixture_evidence(s, "2024-03-06", "mta2", 1, 0, 0);
        store_fixture_evidence(s, "2024-03-07", "mta1", 0, 0, 0);
        store_fixture_evidence(s, "2024-02-01", "mta3", 9, 0,
                               0);             /* outside the window */ }  static const ReportDomain *find_domain(const Report *r, const char *name) { for (size_t i = 0; i < r->n_domains; i++) if (strcmp(r->domains[i].domain, name) == 0) return &r->domains[i];
        return NULL;
}

static void test_window(void **state) {
        const uint64_t now = 1710504000ULL * 1000000ULL;        /* 2024-03-15 12:00:00 UTC */
        char from[11], to[11];

        assert_int_equal(report_window(30, NULL, NULL, now, from, to), 0);
        assert_string_equal(from, "2024-02-15");
        assert_string_equal(to, "2024-03-15");
        assert_int_equal(report_window(1, NULL, NULL, now, from, to), 0);
        assert_string_equal(from, "2024-03-15");
        assert_int_equal(report_window(7, NULL, "2024-01-03", now, from, to), 0);
        assert_string_equal(from, "2023-12-28");
        assert_string_equal(to, "2024-01-03");
        assert_int_equal(report_window(7, "2024-03-01", NULL, now, from, to), 0);
        assert_string_equal(from, "2024-03-01");
        assert_string_equal(to, "2024-03-15");
        assert_int_equal(report_window(7, "2024-03-02", "2024-03-02", now, from, to), 0);
        assert_int_equal(report_window(7, "2024-03-03", "2024-03-02", now, from, to), -EINVAL);
        assert_int_equal(report_window(7, "2024-3-3", NULL, now, from, to), -EINVAL);
        assert_int_equal(report_window(7, NULL, "2024-02-30", now, from, to), -EINVAL);
        assert_int_equal(report_window(0, NULL, NULL, now, from, to), -EINVAL);
}

static void test_build(void **state) {
        StoreFixture *f = *state;
        Report *r;
        const ReportDomain *d;

        fill(f->store);
        r = build(f->store, "2024-03-01", "2024-03-10", NULL, NULL);
        assert_string_equal(r->from, "2024-03-01");
        assert_string_equal(r->to, "2024-03-10");

        /* Totals: delivered = tls + plaintext; internal apart. */
        assert_int_equal(r->totals.tls, 98);
        assert_int_equal(r->totals.plaintext, 2);
        assert_int_equal(report_delivered(&r->totals), 100);
        assert_int_equal(r->totals.tls_failed, 4);
        assert_int_equal(r->totals.other_failed, 2);
        assert_int_equal(r->internal, 507);
        assert_int_equal(tally_get(&r->totals.by_protocol, "TLSv1.3", NULL), 78);
        assert_int_equal(tally_get(&r->totals.by_protocol, "TLSv1.2", NULL), 20);
        assert_int_equal(r->totals.by_protocol.n, 2);
        assert_int_equal(tally_get(&r->totals.by_trust, "Verified", NULL), 60);
        assert_int_equal(tally_get(&r->totals.by_trust, "Untrusted", NULL), 20);
        assert_int_equal(tally_get(&r->totals.by_level, "may", NULL), 10);
        assert_int_equal(tally_get(&r->totals.by_level, "may:none", NULL), 1);
        assert_int_equal(tally_get(&r->totals.by_level, "secure", NULL), 3);
        assert_int_equal(r->totals.by_level.n, 3);
        assert_int_equal(tally_get(&r->totals.tls_failures, "cert_not_verified", NULL), 3);
        assert_int_equal(tally_get(&r->totals.tls_failures, "starttls_not_offered", NULL), 1);
        assert_int_equal(tally_get(&r->tls_by_protocol_trust, "TLSv1.2", "Untrusted"), 20);
        assert_int_equal(tally_get(&r->tls_by_protocol_trust, "TLSv1.3", "Trusted"), 18);

        /* Domains: delivered desc, then name; internal-only domains absent. */
        assert_int_equal(r->n_domains, 4);
        assert_string_equal(r->domains[0].domain, "big.example");
        assert_string_equal(r->domains[1].domain, "mid.example");
        assert_string_equal(r->domains[2].domain, "plain.example");
        assert_string_equal(r->domains[3].domain, "fail.example");
        assert_null(find_domain(r, "only-internal.example"));
        assert_null(find_domain(r, "old.example"));
        d = &r->domains[0];
        assert_int_equal(d->counts.tls, 88);
        assert_int_equal(d->n_mx, 2);
        assert_string_equal(d->mx[0], "mx1.big.example");
        assert_string_equal(d->mx[1], "mx2.big.example");
        assert_string_equal(d->first_seen, "2024-03-01");
        assert_string_equal(d->last_seen, "2024-03-05");
        assert_int_equal(d->days_seen, 3);
        d = find_domain(r, "fail.example");
        assert_int_equal(d->counts.tls_failed, 4);
        assert_int_equal(d->counts.other_failed, 2);
        assert_int_equal(d->days_seen, 2);
        assert_int_equal(d->n_mx, 1);

        /* Hosts and days. */
        assert_int_equal(r->n_hosts, 2);
        assert_string_equal(r->hosts[0].host, "mta1");
        assert_int_equal(r->hosts[0].counts.tls, 78);
        assert_int_equal(r->hosts[0].internal, 507);
        assert_int_equal(r->hosts[1].counts.tls, 20);
        assert_int_equal(r->n_days, 7);
        assert_string_equal(r->days[0].day, "2024-03-01");
        assert_string_equal(r->days[2].day, "2024-03-03");
        assert_int_equal(report_delivered(&r->days[2].counts), 0);
        assert_int_equal(r->days[2].internal, 507);

        /* TLS evidence missing on mta2 on two days; mta3 is outside the window. */
        assert_int_equal(r->n_warnings, 1);
        assert_string_equal(r->warnings[0].host, "mta2");
        assert_int_equal(r->warnings[0].days, 2);
        assert_int_equal(r->warnings[0].deliveries, 21);
        assert_string_equal(r->warnings[0].first_day, "2024-03-05");
        assert_string_equal(r->warnings[0].last_day, "2024-03-06");
        r = report_free(r);

        /* Filters. */
        r = build(f->store, "2024-03-01", "2024-03-10", "big.example", NULL);
        assert_int_equal(r->n_domains, 1);
        assert_int_equal(r->totals.tls, 88);
        assert_int_equal(r->internal, 500);
        r = report_free(r);
        r = build(f->store, "2024-03-01", "2024-03-10", NULL, "mta2");
        assert_int_equal(r->n_hosts, 1);
        assert_int_equal(r->totals.tls, 20);
        assert_int_equal(r->totals.plaintext, 1);
        assert_int_equal(r->n_warnings, 1);
        r = report_free(r);
        r = build(f->store, "2024-02-01", "2024-03-31", NULL, NULL);
        assert_int_equal(r->totals.plaintext, 102);
        assert_int_equal(r->n_warnings, 2);
        r = report_free(r);

        ReportOptions bad = { .from = "2024-03-10", .to = "2024-03-01" };
        assert_int_equal(report_build(f->store, &bad, &r), -EINVAL);
}

/* JSON is read with jansson, which keeps RFC 8259 strictly: UTF-8 only, no raw
 * control characters in strings, no duplicate member names, nothing after the
 * value. Members keep their order, so a dump compares order too. */

/* json_parse - the whole text as one JSON value; fails the test on invalid JSON */
static json_t *json_parse(const char *text) {
        json_error_t e;
        json_t *v = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);

        if (!v)
                fail_msg("invalid JSON at line %d, column %d: %s\n%s", e.line, e.column, e.text, text);
        return v;
}

static bool json_is_valid(const char *text) {
        json_t *v = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &(json_error_t) { 0 });

        json_decref(v);
        return v != NULL;
}

/* at - the value at a JSON pointer (RFC 6901, no escapes) below v; fails the test when there is none */
static json_t *at(json_t *v, const char *pointer) {
        const char *p = pointer;

        assert_true(*p == '/' || *p == '\0');
        while (*p) {
                const char *end = strchrnul(++p, '/');
                char key[256];

                assert_true((size_t) (end - p) < sizeof(key));
                memcpy(key, p, (size_t) (end - p));
                key[end - p] = '\0';
                if (json_is_array(v)) {
                        char *e;
                        unsigned long i = strtoul(key, &e, 10);

                        v = *key && !*e ? json_array_get(v, i) : NULL;
                } else
                        v = json_object_get(v, key);
                if (!v)
                        fail_msg("JSON: nothing at %.*s", (int) (end - pointer), pointer);
                p = end;
        }
        return v;
}

/* dump - v as compact JSON text (malloc'd) */
static char *dump(const json_t *v) {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

        assert_non_null(s);
        return s;
}

/* expect_json - the value at pointer equals the JSON text want, member order included */
static void expect_json(json_t *v, const char *pointer, const char *want) {
        json_t *w = json_parse(want);
        _cleanup_free_ char *got_s = dump(at(v, pointer)), *want_s = dump(w);

        json_decref(w);
        if (strcmp(got_s, want_s) != 0)
                fail_msg("JSON %s: got %s, want %s", pointer, got_s, want_s);
}

static void expect_int(json_t *v, const char *pointer, json_int_t want) {
        json_t *g = at(v, pointer);

        if (!json_is_integer(g) || json_integer_value(g) != want) {
                _cleanup_free_ char *s = dump(g);

                fail_msg("JSON %s: got %s, want %" JSON_INTEGER_FORMAT, pointer, s, want);
        }
}

static void expect_str(json_t *v, const char *pointer, const char *want) {
        json_t *g = at(v, pointer);

        if (!json_is_string(g) || strcmp(json_string_value(g), want) != 0) {
                _cleanup_free_ char *s = dump(g);

                fail_msg("JSON %s: got %s, want the string \"%s\"", pointer, s, want);
        }
}

/* find - the element of the array at pointer whose member key is the string value */
static json_t *find(json_t *v, const char *pointer, const char *key, const char *value, size_t *ret_index) {
        json_t *a = at(v, pointer), *e;
        size_t i;

        if (!json_is_array(a))
                fail_msg("JSON %s: not an array", pointer);
        json_array_foreach(a, i, e) {
                const char *s = json_string_value(json_object_get(e, key));

                if (s && strcmp(s, value) == 0) {
                        if (ret_index)
                                *ret_index = i;
                        return e;
                }
        }
        fail_msg("JSON %s: no element with \"%s\": \"%s\"", pointer, key, value);
        return NULL;
}

/* The members of COUNTS, in order (README, "JSON report"). */
static const char *const counts_members[] = {
        "delivered", "tls", "plaintext", "tls_failed", "other_failed",
        "by_protocol", "by_trust", "by_level", "tls_failures",
};

/* expect_members - o is an object whose members are exactly names, in order */
static void expect_members(json_t *o, const char *what, const char *const *names, size_t n) {
        const char *key;
        json_t *v;
        size_t i = 0;

        if (!json_is_object(o) || json_object_size(o) != n)
                fail_msg("%s: %zu members, want %zu", what, json_object_size(o), n);
        json_object_foreach(o, key, v)
                if (strcmp(key, names[i++]) != 0)
                        fail_msg("%s: member %zu is \"%s\", want \"%s\"", what, i - 1, key, names[i - 1]);
}

/* expect_counts - o holds COUNTS in order from member first on: integers, objects of
 * integers, and delivered = tls + plaintext */
static void expect_counts(json_t *o, const char *what, size_t first) {
        const char *key;
        json_t *v;
        size_t i = 0;

        json_object_foreach(o, key, v) {
                if (i >= first && i - first < ELEMENTSOF(counts_members)) {
                        const char *want = counts_members[i - first];

                        if (strcmp(key, want) != 0)
                                fail_msg("%s: member %zu is \"%s\", want \"%s\"", what, i, key, want);
                        if (strncmp(key, "by_", 3) == 0 || strcmp(key, "tls_failures") == 0) {
                                const char *k;
                                json_t *n;

                                if (!json_is_object(v))
                                        fail_msg("%s: %s is not an object", what, key);
                                json_object_foreach(v, k, n)
                                        if (!json_is_integer(n) || json_integer_value(n) <= 0)
                                                fail_msg("%s: %s.%s is not a positive integer", what, key, k);
                        } else if (!json_is_integer(v) || json_integer_value(v) < 0)
                                fail_msg("%s: %s is not a count", what, key);
                }
                i++;
        }
        if (i < first + ELEMENTSOF(counts_members))
                fail_msg("%s: %zu members, want at least %zu", what, i, first + ELEMENTSOF(counts_members));
        if (json_integer_value(json_object_get(o, "delivered")) !=
            json_integer_value(json_object_get(o, "tls")) + json_integer_value(json_object_get(o, "plaintext")))
                fail_msg("%s: delivered is not tls + plaintext", what);
}

/* expect_sums - the five counts of the objects in the array at pointer add up to the totals */
static void expect_sums(json_t *root, const char *pointer) {
        json_t *totals = at(root, "/totals"), *e;
        size_t i;

        for (size_t k = 0; k < 5; k++) {
                json_int_t sum = 0, want = json_integer_value(json_object_get(totals, counts_members[k]));

                json_array_foreach(at(root, pointer), i, e)
                        sum += json_integer_value(json_object_get(e, counts_members[k]));
                if (sum != want)
                        fail_msg("JSON %s: %s adds up to %" JSON_INTEGER_FORMAT ", totals say %" JSON_INTEGER_FORMAT,
                                 pointer, counts_members[k], sum, want);
        }
}

/* expect_report - the structure every JSON report has */
static void expect_report(json_t *root) {
        static const char *const domain_members[] = {
                "domain", "delivered", "tls", "plaintext", "tls_failed", "other_failed", "by_protocol",
                "by_trust", "by_level", "tls_failures", "mx", "first_seen", "last_seen", "days_seen",
        };
        static const char *const lists[][2] = { { "/domains", "domain" }, { "/hosts", "host" }, { "/days", "day" } };
        json_t *e, *mx;
        size_t i, j;

        expect_counts(at(root, "/totals"), "totals", 0);
        expect_members(at(root, "/totals"), "totals", counts_members, ELEMENTSOF(counts_members));
        assert_true(json_is_string(at(root, "/from")));
        assert_true(json_is_string(at(root, "/to")));
        assert_true(json_is_integer(at(root, "/internal")));
        assert_true(json_is_array(at(root, "/warnings")));
        for (size_t l = 0; l < ELEMENTSOF(lists); l++) {
                json_array_foreach(at(root, lists[l][0]), i, e) {
                        char what[64];

                        (void) snprintf(what, sizeof(what), "%s/%zu", lists[l][0], i);
                        if (!json_is_string(json_object_get(e, lists[l][1])))
                                fail_msg("%s: no string \"%s\" first", what, lists[l][1]);
                        expect_counts(e, what, 1);
                }
                expect_sums(root, lists[l][0]);
        }
        json_array_foreach(at(root, "/domains"), i, e) {
                char what[64];

                (void) snprintf(what, sizeof(what), "/domains/%zu", i);
                expect_members(e, what, domain_members, ELEMENTSOF(domain_members));
                json_array_foreach(json_object_get(e, "mx"), j, mx)
                        if (!json_is_string(mx))
                                fail_msg("%s: mx %zu is not a string", what, j);
                if (!json_is_string(json_object_get(e, "first_seen")) || !json_is_string(json_object_get(e, "last_seen")) ||
                    !json_is_integer(json_object_get(e, "days_seen")))
                        fail_msg("%s: first_seen, last_seen, days_seen", what);
        }
}

static void test_json_parser(void **state) {
        /* The parser takes JSON and nothing else. */
        assert_true(json_is_valid("{\"a\": [1, -2.5, \"x\\n\\u00e9\", true, null, {}]}"));
        assert_false(json_is_valid("{\"a\": 1,}"));
        assert_false(json_is_valid("{\"a\" 1}"));
        assert_false(json_is_valid("{\"a\": \"b\nc\"}"));
        assert_false(json_is_valid("{\"a\": \"b\\qc\"}"));
        assert_false(json_is_valid("{\"a\": 01}"));
        assert_false(json_is_valid("[1] x"));
        assert_false(json_is_valid("{\"a\": \"\xff\"}"));
        assert_false(json_is_valid("{\"a\": \"\x1b[31m\"}"));
        assert_false(json_is_valid("{\"a\": 1, \"a\": 2}"));
        assert_false(json_is_valid("{\"a\": \"\\ud800\"}"));
        assert_false(json_is_valid("[NaN]"));
        assert_false(json_is_valid("{\"a\": [1"));
}

static void test_json(void **state) {
        StoreFixture *f = *state;
        json_t *root, *big, *mid, *hostile;
        size_t big_i, mid_i;
        Report *r;
        char *j;

        fill(f->store);
        store_fixture_add(f->store, "2024-03-09", "mta1", HOSTILE, "mx.\x1b[31m.example", "", "", "",
                          "plaintext", "", 1);
        store_fixture_add(f->store, "2024-03-09", "mta1", "bad-utf8-\xff\xfe.example", "", "TLSv1.3\"",
                          "Verified\\", "", "tls", "", 1);
        r = build(f->store, "2024-03-01", "2024-03-10", NULL, NULL);
        j = render(r, REPORT_FORMAT_JSON, 2);
        root = json_parse(j);
        expect_report(root);

        expect_str(root, "/from", "2024-03-01");
        expect_str(root, "/to", "2024-03-10");
        expect_int(root, "/totals/delivered", 102);
        expect_int(root, "/totals/tls", 99);
        expect_int(root, "/totals/plaintext", 3);
        expect_int(root, "/totals/tls_failed", 4);
        expect_int(root, "/totals/other_failed", 2);
        expect_json(root, "/totals/by_protocol", "{\"TLSv1.2\": 20, \"TLSv1.3\": 78, \"TLSv1.3\\\"\": 1}");
        expect_json(root, "/totals/tls_failures", "{\"cert_not_verified\": 3, \"starttls_not_offered\": 1}");
        expect_json(root, "/totals/by_level", "{\"may\": 10, \"may:none\": 1, \"secure\": 3}");
        expect_int(root, "/internal", 507);
        /* Domain order and the contract's members; top_n does not cut JSON. */
        big = find(root, "/domains", "domain", "big.example", &big_i);
        expect_int(big, "/delivered", 88);
        expect_int(big, "/tls", 88);
        expect_json(big, "/mx", "[\"mx1.big.example\", \"mx2.big.example\"]");
        expect_str(big, "/first_seen", "2024-03-01");
        expect_str(big, "/last_seen", "2024-03-05");
        expect_int(big, "/days_seen", 3);
        (void) find(root, "/domains", "domain", "fail.example", NULL);
        mid = find(root, "/domains", "domain", "mid.example", &mid_i);
        assert_non_null(mid);
        assert_true(big_i < mid_i);
        /* Hostile strings, escaped: they read back as they were stored. */
        hostile = find(root, "/domains", "domain", HOSTILE, NULL);
        expect_str(hostile, "/mx/0", "mx.\x1b[31m.example");
        assert_null(strchr(j, '\x1b'));
        expect_int(root, "/totals/by_trust/Verified\\", 1);
        /* Additions: hosts, days, warnings. */
        expect_str(root, "/hosts/0/host", "mta1");
        expect_int(root, "/hosts/0/delivered", 81);
        expect_int(find(root, "/days", "day", "2024-03-03", NULL), "/delivered", 0);
        expect_str(root, "/warnings/0/code", "tls_logging_off");
        expect_str(root, "/warnings/0/host", "mta2");
        expect_str(root, "/warnings/0/first_day", "2024-03-05");
        expect_str(root, "/warnings/0/last_day", "2024-03-06");
        expect_int(root, "/warnings/0/days", 2);
        json_decref(root);
        free(j);
        r = report_free(r);

        /* An empty window is valid JSON with zero counts. */
        r = build(f->store, "2020-01-01", "2020-01-31", NULL, NULL);
        j = render(r, REPORT_FORMAT_JSON, 0);
        root = json_parse(j);
        expect_report(root);
        expect_int(root, "/totals/delivered", 0);
        expect_json(root, "/domains", "[]");
        expect_json(root, "/warnings", "[]");
        json_decref(root);
        free(j);
        r = report_free(r);
}

static void test_text(void **state) {
        StoreFixture *f = *state;
        Report *r;
        char *t;

        fill(f->store);
        r = build(f->store, "2024-03-01", "2024-03-10", NULL, NULL);
        t = render(r, REPORT_FORMAT_TEXT, 0);
        /* 78 TLS 1.3, 20 TLS 1.2, 2 cleartext of 100 delivered; 6 failed. */
        assert_non_null(strstr(t, "\nTLS 1.3 78% \xc2\xb7 TLS 1.2 20% \xc2\xb7 cleartext 2% \xc2\xb7 failed 6\n"));
        assert_null(strstr(t, "TLS 1.0"));
        assert_non_null(strstr(t, "TLS coverage 2024-03-01 .. 2024-03-10\n"));
        assert_non_null(strstr(t, "warning: host mta2: 2 day(s) between 2024-03-05 and 2024-03-06"));
        assert_non_null(strstr(t, "smtp_tls_loglevel is probably 0"));
        assert_non_null(strstr(t, "delivered 100: TLS 98, cleartext 2"));
        assert_non_null(strstr(t, "Cleartext domains (2):\n  mid.example"));
        assert_non_null(strstr(t, "Domains with TLS failures (1):\n  fail.example"));
        assert_non_null(strstr(t, "4 failed: cert_not_verified 3, starttls_not_offered 1\n"));
        assert_non_null(strstr(t, "Hosts (2):"));
        free(t);
        r = report_free(r);

        /* An internationalized domain: its A-label as stored, the U-label beside it */
        store_fixture_add(f->store, "2031-05-01", "mta1", "xn--bcher-kva.example", "", "", "", "",
                          "plaintext", "", 2);
        r = build(f->store, "2031-05-01", "2031-05-01", NULL, NULL);
        t = render(r, REPORT_FORMAT_TEXT, 0);
        assert_non_null(strstr(t, "Cleartext domains (1):\n  xn--bcher-kva.example (b\xc3\xbc" "cher.example)   2 of 2 "));
        free(t);
        t = render(r, REPORT_FORMAT_HTML, 0);
        assert_non_null(strstr(t, "xn--bcher-kva.example <span class=\"ulabel\">(b\xc3\xbc" "cher.example)</span>"));
        free(t);
        r = report_free(r);

        /* Older protocols appear when used; rounding never shows 0% or 100% for a share in between. */
        store_fixture_add(f->store, "2024-04-01", "mta1", "old-tls.example", "", "TLSv1", "Anonymous", "",
                          "tls", "", 1);
        store_fixture_add(f->store, "2024-04-01", "mta1", "new-tls.example", "", "TLSv1.3", "Verified", "",
                          "tls", "", 998);
        store_fixture_add(f->store, "2024-04-01", "mta1", "clear.example", "", "", "", "",
                          "plaintext", "", 1);
        r = build(f->store, "2024-04-01", "2024-04-01", NULL, NULL);
        t = render(r, REPORT_FORMAT_TEXT, 0);
        assert_non_null(strstr(t, "\nTLS 1.3 >99% \xc2\xb7 TLS 1.2 0% \xc2\xb7 TLS 1.0 <1% \xc2\xb7 cleartext <1%\n"));
        assert_null(strstr(t, "failed"));
        free(t);
        r = report_free(r);

        /* Bounded lists and escaped names. */
        for (int i = 0; i < 12; i++) {
                char name[64];

                (void) snprintf(name, sizeof(name), "clear%02d.example", i);
                store_fixture_add(f->store, "2024-05-01", "mta1", name, "", "", "", "", "plaintext", "",
                                  (uint64_t) (100 - i));
        }
        store_fixture_add(f->store, "2024-05-01", "mta1", "\x1b]0;evil\a.example", "", "", "", "",
                          "plaintext", "", 1000);
        r = build(f->store, "2024-05-01", "2024-05-01", NULL, NULL);
        t = render(r, REPORT_FORMAT_TEXT, 5);
        assert_non_null(strstr(t, "Cleartext domains (13):\n  \\x1b]0;evil\\x07.example"));
        assert_non_null(strstr(t, "  clear03.example"));
        assert_null(strstr(t, "  clear04.example"));
        assert_non_null(strstr(t, "  ... and 8 more\n"));
        for (const char *p = t; *p; p++)
                if ((unsigned char) *p < 0x20 && *p != '\n')
                        fail_msg("control character 0x%02x in text output", (unsigned char) *p);
        free(t);
        r = report_free(r);

        /* Nothing delivered. */
        r = build(f->store, "2020-01-01", "2020-01-01", NULL, NULL);
        t = render(r, REPORT_FORMAT_TEXT, 0);
        assert_non_null(strstr(t, "\nno deliveries\n"));
        free(t);
        r = report_free(r);
}

/* One exposition line: name{label="value",...} number. Returns the value. */
static bool prom_line_valid(const char *line, size_t n) {
        size_t i = 0;

        if (i >= n || !(line[i] == '_' || line[i] == ':' || (line[i] | 0x20) >= 'a'))
                return false;
        while (i < n && (line[i] == '_' || line[i] == ':' || ((line[i] | 0x20) >= 'a' && (line[i] | 0x20) <= 'z') ||
                         (line[i] >= '0' && line[i] <= '9')))
                i++;
        if (i < n && line[i] == '{') {
                i++;
                for (;;) {
                        size_t start = i;
                        while (i < n && (line[i] == '_' || ((line[i] | 0x20) >= 'a' && (line[i] | 0x20) <= 'z')))
                                i++;
                        if (i == start || i + 1 >= n || line[i] != '=' || line[i + 1] != '"')
                                return false;
                        for (i += 2; i < n && line[i] != '"'; i++) {
                                if (line[i] == '\\') {
                                        if (i + 1 >= n || !strchr("\\\"n", line[i + 1]))
                                                return false;
                                        i++;
                                }
                        }
                        if (i >= n)
                                return false;
                        i++;
                        if (i < n && line[i] == ',') {
                                i++;
                                continue;
                        }
                        if (i < n && line[i] == '}') {
                                i++;
                                break;
                        }
                        return false;
                }
        }
        if (i >= n || line[i] != ' ')
                return false;
        char num[64];
        if (n - i - 1 == 0 || n - i - 1 >= sizeof(num))
                return false;
        memcpy(num, line + i + 1, n - i - 1);
        num[n - i - 1] = '\0';
        char *end;
        (void) strtod(num, &end);
        return *end == '\0';
}

/* Sum of every sample of metric (any labels) whose line contains label_match. */
static uint64_t prom_sum(const char *text, const char *metric, const char *label_match, size_t *ret_series) {
        uint64_t sum = 0;
        size_t series = 0, mlen = strlen(metric);

        for (const char *p = text; *p;) {
                const char *eol = strchr(p, '\n');
                size_t n = eol ? (size_t) (eol - p) : strlen(p);

                if (strncmp(p, metric, mlen) == 0 && (p[mlen] == '{' || p[mlen] == ' ')) {
                        const char *sp = memrchr(p, ' ', n);
                        char line[1024];

                        (void) snprintf(line, sizeof(line), "%.*s", (int) n, p);
                        if (!label_match || strstr(line, label_match)) {
                                sum += strtoull(sp + 1, NULL, 10);
                                series++;
                        }
                }
                p += n + (eol ? 1 : 0);
        }
        if (ret_series)
                *ret_series = series;
        return sum;
}

static void test_prometheus(void **state) {
        StoreFixture *f = *state;
        static const char *const outcomes[] = { "tls", "plaintext", "tls_failed", "other_failed" };
        Report *r;
        char *t;
        size_t series;

        fill(f->store);
        for (int i = 0; i < 30; i++) {
                char name[64];

                (void) snprintf(name, sizeof(name), "d%02d.example", i);
                store_fixture_add(f->store, "2024-03-04", "mta1", name, "", "TLSv1.3", "Verified", "", "tls",
                                  "", (uint64_t) (200 - i));
                store_fixture_add(f->store, "2024-03-04", "mta1", name, "", "", "", "", "plaintext", "", 1);
        }
        store_fixture_add(f->store, "2024-03-04", "mta1", HOSTILE, "", "", "", "", "plaintext", "", 1000);
        store_fixture_add(f->store, "2024-03-04", "mta1", "other", "", "", "", "", "tls_failed",
                          "handshake_failed", 1);
        r = build(f->store, "2024-03-01", "2024-03-10", NULL, NULL);
        t = render(r, REPORT_FORMAT_PROMETHEUS, 5);

        /* Every line is a comment or a valid sample; every family has HELP and TYPE. */
        for (const char *p = t; *p;) {
                const char *eol = strchr(p, '\n');
                assert_non_null(eol);
                if (*p != '#' && !prom_line_valid(p, (size_t) (eol - p)))
                        fail_msg("bad exposition line: %.*s", (int) (eol - p), p);
                p = eol + 1;
        }
        assert_non_null(strstr(t, "# HELP mxtls_deliveries_total "));
        assert_non_null(strstr(t, "# TYPE mxtls_deliveries_total gauge\n"));
        assert_non_null(strstr(t, "# TYPE mxtls_coverage_ratio gauge\n"));
        assert_non_null(strstr(t, "mxtls_report_window_days 10\n"));
        assert_non_null(strstr(t, "mxtls_deliveries_total{outcome=\"internal\"} 507\n"));
        assert_non_null(strstr(t, "mxtls_tls_deliveries_total{protocol=\"TLSv1.2\",trust=\"Untrusted\"} 20\n"));
        assert_non_null(strstr(t, "mxtls_tls_failures_total{reason=\"cert_not_verified\"} 3\n"));
        assert_non_null(strstr(t, "mxtls_tls_logging_off_days{host=\"mta2\"} 2\n"));
        assert_non_null(strstr(t, "mxtls_host_deliveries_total{host=\"mta2\",outcome=\"tls\"} 20\n"));

        /* Top 5 domains plus "other": the hostile name is first (1000 delivered), escaped. */
        assert_non_null(strstr(t, "mxtls_domain_deliveries_total{domain=\"a\\\"b\\\\x0a<c>.example\",outcome=\"plaintext\"} 1000\n"));
        assert_non_null(strstr(t, "mxtls_domain_deliveries_total{domain=\"d03.example\",outcome=\"tls\"} 197\n"));
        assert_null(strstr(t, "domain=\"d04.example\""));
        (void) prom_sum(t, "mxtls_domain_deliveries_total", "outcome=\"tls\"", &series);
        assert_int_equal(series, 6);
        /* A real domain called "other" is folded into the bucket, never a second series. */
        (void) prom_sum(t, "mxtls_domain_deliveries_total", "domain=\"other\",outcome=\"tls_failed\"", &series);
        assert_int_equal(series, 1);

        /* Sums preserved: per-domain series (with the bucket) add up to the totals. */
        for (size_t i = 0; i < ELEMENTSOF(outcomes); i++) {
                char match[64];

                (void) snprintf(match, sizeof(match), "outcome=\"%s\"}", outcomes[i]);
                uint64_t domains = prom_sum(t, "mxtls_domain_deliveries_total", match, NULL);
                uint64_t total = prom_sum(t, "mxtls_deliveries_total", match, NULL);
                uint64_t hosts = prom_sum(t, "mxtls_host_deliveries_total", match, NULL);
                if (domains != total || hosts != total)
                        fail_msg("%s: domains %ju, hosts %ju, total %ju", outcomes[i], (uintmax_t) domains,
                                 (uintmax_t) hosts, (uintmax_t) total);
        }
        assert_int_equal(prom_sum(t, "mxtls_deliveries_total", "outcome=\"tls\"}", NULL), r->totals.tls);
        free(t);

        /* A bigger top N: every domain named, the bucket holds only the domain called "other". */
        t = render(r, REPORT_FORMAT_PROMETHEUS, 100);
        assert_non_null(strstr(t, "mxtls_domain_deliveries_total{domain=\"other\",outcome=\"tls\"} 0\n"));
        assert_non_null(strstr(t, "mxtls_domain_deliveries_total{domain=\"other\",outcome=\"tls_failed\"} 1\n"));
        (void) prom_sum(t, "mxtls_domain_deliveries_total", "outcome=\"tls\"", &series);
        assert_int_equal(series, r->n_domains);
        free(t);
        r = report_free(r);
}

static size_t count_of(const char *s, const char *needle) {
        size_t n = 0;

        for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
                n++;
        return n;
}

static void test_html(void **state) {
        StoreFixture *f = *state;
        Report *r;
        char *h;

        fill(f->store);
        store_fixture_add(f->store, "2024-03-09", "mta1", SCRIPTY, "mx.\"onload=\"x", "", "", "",
                          "plaintext", "", 4);
        store_fixture_add(f->store, "2024-03-09", "<img src=x onerror=alert(1)>", "x.example", "", "", "",
                          "", "tls_failed", "<b>bold</b>", 1);
        r = build(f->store, "2024-03-01", "2024-03-10", NULL, NULL);
        h = render(r, REPORT_FORMAT_HTML, 0);

        assert_true(strncmp(h, "<!DOCTYPE html>", 15) == 0);
        assert_non_null(strstr(h, "<svg id=\"coverage-chart\""));
        assert_non_null(strstr(h, "<table id=\"cleartext-domains\">"));
        assert_non_null(strstr(h, "<table id=\"failing-domains\">"));
        /* One bar per day of the window, stacked segments for the days with deliveries. */
        assert_int_equal(count_of(h, "<g><title>"), 10);
        assert_int_equal(count_of(h, "<rect class=\"none\""), 4);     /* 03, 04, 08 (failures only), 10 */
        assert_true(count_of(h, "<rect class=\"tls13\"") == 2);
        assert_true(count_of(h, "<rect class=\"clear\"") == 3);
        /* Escaped, and nothing external. */
        assert_non_null(strstr(h, "&lt;script&gt;alert(1)&lt;/script&gt;.example"));
        assert_non_null(strstr(h, "mx.&quot;onload=&quot;x"));
        assert_non_null(strstr(h, "&lt;img src=x onerror=alert(1)&gt;"));
        assert_non_null(strstr(h, "&lt;b&gt;bold&lt;/b&gt; 1"));
        for (char *p = h; *p; p++)
                *p = (char) ((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        assert_null(strstr(h, "<script"));
        assert_null(strstr(h, "<img"));
        assert_null(strstr(h, "<b>bold"));
        assert_null(strstr(h, "src=\"http"));
        assert_null(strstr(h, "href="));
        assert_non_null(strstr(h, "smtp_tls_loglevel is probably 0"));
        free(h);
        r = report_free(r);
}

static void test_formats(void **state) {
        assert_int_equal(report_format_from_string("json"), REPORT_FORMAT_JSON);
        assert_int_equal(report_format_from_string("html"), REPORT_FORMAT_HTML);
        assert_int_equal(report_format_from_string("prometheus"), REPORT_FORMAT_PROMETHEUS);
        assert_int_equal(report_format_from_string("text"), REPORT_FORMAT_TEXT);
        assert_int_equal(report_format_from_string("yaml"), -EINVAL);
        assert_int_equal(report_format_from_string(NULL), -EINVAL);
        assert_string_equal(report_format_to_string(REPORT_FORMAT_PROMETHEUS), "prometheus");
        assert_null(report_format_to_string(_REPORT_FORMAT_MAX));
}

/* make_store - a sample store whose last day is today, for the browser test */
static int make_store(const char *path) {
        Store *s = NULL;
        char today[11];
        int64_t t;
        int r;

        r = store_open(path, STORE_READ_WRITE, &s);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(-r));
                return EXIT_FAILURE;
        }
        day_from_usec(now_usec(), today);
        if (day_parse(today, &t) < 0)
                return EXIT_FAILURE;
        r = store_begin(s);
        for (int64_t i = 0; i < 14 && r >= 0; i++) {
                char day[11];
                DailyRow rows[] = {
                        { .domain = "tls13.example", .mx = "mx.tls13.example", .protocol = "TLSv1.3",
                          .trust = "Verified", .outcome = "tls", .count = (uint64_t) (50 + i) },
                        { .domain = "mixed.example", .mx = "mx.mixed.example", .protocol = "TLSv1.2",
                          .trust = "Untrusted", .outcome = "tls", .count = 20 },
                        { .domain = "mixed.example", .mx = "mx.mixed.example", .outcome = "plaintext",
                          .level = "may:none", .count = (uint64_t) (i % 3) },
                        { .domain = "plain.example", .mx = "mx.plain.example", .outcome = "plaintext", .count = 5 },
                        { .domain = "broken.example", .mx = "mx.broken.example", .outcome = "tls_failed",
                          .reason = "cert_not_verified", .level = "secure", .count = 2 },
                        { .domain = "legacy.example", .mx = "mx.legacy.example", .protocol = "TLSv1",
                          .trust = "Anonymous", .outcome = "tls", .count = 3 },
                        { .domain = SCRIPTY, .mx = "mx.script.example", .outcome = "plaintext", .count = 1 },
                };

                if (i == 3)
                        continue;               /* a day without mail */
                day_format(t - i, day);
                for (size_t k = 0; k < ELEMENTSOF(rows) && r >= 0; k++) {
                        rows[k].day = day;
                        rows[k].host = i % 2 ? "mta1.example.net" : "mta2.example.net";
                        r = store_add_daily(s, &rows[k]);
                }
                EvidenceRow e = { .day = day, .host = i % 2 ? "mta1.example.net" : "mta2.example.net",
                                  .deliveries = 100, .tls_lines = 90 };
                if (r >= 0)
                        r = store_add_evidence(s, &e);
        }
        if (r >= 0)
                r = store_commit(s);
        if (r < 0)
                fprintf(stderr, "%s: %s\n", path, store_last_error(s));
        s = store_close(s);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_window),
                cmocka_unit_test(test_formats),
                cmocka_unit_test(test_json_parser),
                cmocka_unit_test_setup_teardown(test_build, store_fixture_setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_json, store_fixture_setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_text, store_fixture_setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_prometheus, store_fixture_setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_html, store_fixture_setup, store_fixture_teardown),
        };

        if (argc == 3 && strcmp(argv[1], "--make-store") == 0)
                return make_store(argv[2]);
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-audit - policy audit over a real store: every seeded problem
 *        is flagged with its registry code, clean traffic is not
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

#include "audit.h"
#include "cleanup.h"
#include "store-fixture.h"

#define LAST_DAY "2024-06-30"
#define WINDOW 40

static const char policy_text[] =
        "block.example encrypt\n"                       /* 1 */
        "cert.example secure match=mx.cert.example\n"   /* 2 */
        "stale.example encrypt\n"                       /* 3 */
        "[relay.example]:587 encrypt\n"                 /* 4 */
        "[unused.example]:25 encrypt\n"                 /* 5 */
        "upgrade.example may\n"                         /* 6 */
        "lookup.example encrypt\n"                      /* 7 */
        "dup.example may\n"                             /* 8 */
        "dup.example encrypt\n"                         /* 9 */
        "none.example none protocols=TLSv1.2\n"         /* 10 */
        "\"quoted.example\" may\n"                      /* 11 */
        "dane.example dane\n"                           /* 12 */
        ".sub.example encrypt\n"                        /* 13 */
        "ok.example encrypt\n";                         /* 14 */

typedef struct State {
        StoreFixture f;
        PolicyMap *policy;
        Template *conservative;
} State;

static void traffic(StoreFixture *f) {
        for (int k = 0; k < WINDOW; k++) {
                bool late = k < WINDOW / 2;             /* k days back: small k = later half */

                store_fixture_deliver(f, k, "mta1", "block.example", "mx.block.example", "TLSv1.3",
                                      "Trusted", "", "tls", "", 2);
                store_fixture_deliver(f, k, "mta1", "cert.example", "mx.cert.example", "TLSv1.3", "Verified",
                                      "", "tls", "", 2);
                store_fixture_deliver(f, k, "mta1", "routed.example", "relay.example", "TLSv1.3", "Trusted",
                                      "", "tls", "", 1);
                store_fixture_deliver(f, k, "mta1", "upgrade.example", "mx.upgrade.example", "TLSv1.3",
                                      "Trusted", "", "tls", "", 3);
                store_fixture_deliver(f, k, "mta1", "none.example", "mx.none.example", "", "", "",
                                      "plaintext", "", 1);
                store_fixture_deliver(f, k, "mta1", "quoted.example", "mx.quoted.example", "TLSv1.2",
                                      "Trusted", "", "tls", "", 1);
                store_fixture_deliver(f, k, "mta1", "dane.example", "mx.dane.example", "TLSv1.3", "Verified",
                                      "dane", "tls", "", 2);
                store_fixture_deliver(f, k, "mta1", "a.sub.example", "mx.sub.example", "TLSv1.3", "Trusted",
                                      "", "tls", "", 1);
                store_fixture_deliver(f, k, "mta1", "ok.example", "mx.ok.example", "TLSv1.2", "Trusted", "",
                                      "tls", "", 1);
                store_fixture_deliver(f, k, "mta1", "clean.example", "mx.clean.example", "TLSv1.3",
                                      "Trusted", "", "tls", "", 2);
                store_fixture_deliver(f, k, "mta1", "regress.example", "mx.regress.example",
                                      late ? "" : "TLSv1.3", late ? "" : "Trusted", "",
                                      late ? "plaintext" : "tls", "", 1);
                store_fixture_deliver(f, k, "mta1", "weak.example", "mx.weak.example",
                                      k % 3 ? "TLSv1.2" : "TLSv1", "Untrusted", "", "tls", "", 1);
                store_fixture_deliver(f, k, "mta1", "plainforever.example", "mx.p.example", "", "", "",
                                      "plaintext", "", 1);
        }
        store_fixture_deliver(f, 3, "mta1", "block.example", "mx.block.example", "", "", "!encrypt",
                              "tls_failed", "starttls_not_offered", 4);
        store_fixture_deliver(f, 4, "mta1", "cert.example", "mx.cert.example", "", "Untrusted", "!secure",
                              "tls_failed", "cert_not_verified", 5);
        store_fixture_deliver(f, 5, "mta1", "lookup.example", "", "", "", "unknown?", "tls_failed",
                              "policy_lookup_failed", 6);
        store_fixture_deliver(f, 6, "mta1", "dane.example", "mx.dane.example", "TLSv1.3", "Untrusted",
                              "dane:encrypt", "tls", "", 2);
        store_fixture_deliver(f, 7, "mta1", "defaultfail.example", "mx.defaultfail.example", "", "",
                              "!encrypt", "tls_failed", "starttls_not_offered", 3);
        /* a may entry never "blocks": a handshake failure there is not a policy finding */
        store_fixture_deliver(f, 8, "mta1", "upgrade.example", "mx.upgrade.example", "", "", "may?",
                              "other_failed", "", 1);
        store_fixture_logging_off(f, 9, "mta2", "clean.example", "mx.clean.example", 5);
        store_fixture_logging_off(f, 10, "mta2", "clean.example", "mx.clean.example", 5);
        /* older than the window: would make stale.example look used */
        store_fixture_deliver(f, WINDOW + 3, "mta1", "stale.example", "mx.stale.example", "TLSv1.3",
                              "Trusted", "", "tls", "", 9);
}

static int setup(void **state) {
        State *st = calloc(1, sizeof(*st));
        char *error = NULL;

        if (!st)
                return -1;
        store_fixture_open_window(&st->f, LAST_DAY);
        traffic(&st->f);
        store_fixture_reopen_read_only(&st->f);
        if (policy_parse("tls_policy", policy_text, strlen(policy_text), &st->policy, &error) < 0)
                fail_msg("%s", error);
        assert_int_equal(template_open("conservative", NULL, &st->conservative, NULL), 0);
        *state = st;
        return 0;
}

static int teardown(void **state) {
        State *st = *state;
        store_fixture_fini(&st->f);
        policy_free(st->policy);
        template_free(st->conservative);
        free(st);
        return 0;
}

static AuditResult *run(State *st, const char *default_level) {
        const Template *templates[] = { st->conservative };
        AuditOptions o = {
                .policy = st->policy,
                .default_level = default_level,
                .to_day = LAST_DAY,
                .days = WINDOW,
                .templates = templates,
                .n_templates = 1,
        };
        AuditResult *r = NULL;
        assert_int_equal(audit_run(st->f.store, &o, &r), 0);
        return r;
}

static const Finding *find(const AuditResult *r, FindingCode code, const char *subject) {
        for (size_t i = 0; i < r->n_findings; i++)
                if (r->findings[i].code == code && strcmp(r->findings[i].subject, subject) == 0)
                        return &r->findings[i];
        return NULL;
}

static void test_seeded(void **state) {
        State *st = *state;
        AuditResult *r = run(st, "encrypt");
        static const struct {
                FindingCode code;
                const char *subject;
                unsigned line;
                uint64_t count;
        } want[] = {
                { FINDING_POLICY_BLOCKS_DELIVERY, "block.example", 1, 4 },
                { FINDING_CERT_NOT_VERIFIED, "cert.example", 2, 5 },
                { FINDING_STALE_ENTRY, "stale.example", 3, 0 },
                { FINDING_STALE_ENTRY, "[unused.example]:25", 5, 0 },
                { FINDING_STALE_ENTRY, "\"quoted.example\"", 11, 0 },
                { FINDING_UPGRADE_CANDIDATE, "upgrade.example", 6, WINDOW * 3 },
                { FINDING_POLICY_LOOKUP_FAILED, "lookup.example", 7, 6 },
                { FINDING_DUPLICATE_KEY, "dup.example", 9, 0 },
                { FINDING_ATTRIBUTES_IGNORED, "none.example", 10, 0 },
                { FINDING_QUOTED_KEY, "\"quoted.example\"", 11, 0 },
                { FINDING_DANE_DOWNGRADE, "dane.example", 0, 2 },
                { FINDING_TLS_REGRESSION, "regress.example", 0, WINDOW / 2 },
                { FINDING_WEAK_PROTOCOL, "weak.example", 0, (WINDOW + 2) / 3 },
                { FINDING_TLS_LOGGING_OFF, "mta2", 0, 10 },
                { FINDING_POLICY_BLOCKS_DELIVERY, "(default)", 0, 3 },
                { FINDING_STALE_ENTRY, "dup.example", 8, 0 },
                /* failures late in the window are a regression too */
                { FINDING_TLS_REGRESSION, "block.example", 0, 4 },
                { FINDING_TLS_REGRESSION, "cert.example", 0, 5 },
                { FINDING_STALE_ENTRY, "lookup.example", 7, 0 },        /* only failures: not stale */
        };

        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                const Finding *f = find(r, want[i].code, want[i].subject);
                bool should = !(want[i].code == FINDING_STALE_ENTRY && strcmp(want[i].subject, "lookup.example") == 0);
                if (!should) {
                        assert_null(f);
                        continue;
                }
                if (!f)
                        fail_msg("missing %s for %s", finding_info(want[i].code)->code, want[i].subject);
                if (f->line != want[i].line || f->count != want[i].count)
                        fail_msg("%s %s: got line %u count %" PRIu64 ", want %u %" PRIu64,
                                 finding_info(want[i].code)->code, want[i].subject, f->line, f->count,
                                 want[i].line, want[i].count);
        }
        assert_int_equal(r->n_findings, ELEMENTSOF(want) - 1);

        /* nothing about clean traffic, the relay entry, the parent entry or the may entry's failure */
        static const char *const clean[] = { "clean.example", "[relay.example]:587", ".sub.example", "ok.example",
                                             "plainforever.example", "routed.example" };
        for (size_t i = 0; i < r->n_findings; i++)
                for (size_t k = 0; k < ELEMENTSOF(clean); k++)
                        if (strcmp(r->findings[i].subject, clean[k]) == 0)
                                fail_msg("unexpected %s for %s: %s", finding_info(r->findings[i].code)->code,
                                         clean[k], r->findings[i].message);

        /* sorted: errors first */
        for (size_t i = 1; i < r->n_findings; i++)
                assert_true(finding_info(r->findings[i - 1].code)->severity >=
                            finding_info(r->findings[i].code)->severity);
        assert_int_equal(audit_max_severity(r), SEVERITY_ERROR);

        /* attribution */
        for (size_t i = 0; i < r->n_entries; i++) {
                const AuditEntry *ae = &r->entries[i];
                if (strcmp(ae->entry->key, "[relay.example]:587") == 0) {
                        assert_true(ae->relay);
                        assert_int_equal(ae->stats.tls, WINDOW);
                }
                if (strcmp(ae->entry->key, ".sub.example") == 0) {
                        assert_int_equal(ae->n_domains, 1);
                        assert_int_equal(ae->stats.tls, WINDOW);
                }
                if (strcmp(ae->entry->key, "block.example") == 0) {
                        assert_int_equal(ae->stats.tls, 2 * WINDOW);
                        assert_int_equal(ae->stats.tls_failed, 4);
                }
        }
        assert_int_equal(r->default_stats.tls_failed, 3);
        assert_non_null(strstr(find(r, FINDING_UPGRADE_CANDIDATE, "upgrade.example")->message,
                               "template \"conservative\": encrypt protocols=>=TLSv1.2"));
        audit_result_free(r);
}

static void test_default_level(void **state) {
        State *st = *state;
        AuditResult *r = run(st, "may");

        assert_null(find(r, FINDING_POLICY_BLOCKS_DELIVERY, "(default)"));
        assert_non_null(find(r, FINDING_POLICY_BLOCKS_DELIVERY, "block.example"));
        audit_result_free(r);

        r = run(st, NULL);
        assert_null(find(r, FINDING_POLICY_BLOCKS_DELIVERY, "(default)"));
        assert_null(r->default_level);
        audit_result_free(r);

        /* no map at all: only domain and host findings */
        AuditOptions o = { .default_level = "may", .to_day = LAST_DAY, .days = WINDOW };
        assert_int_equal(audit_run(st->f.store, &o, &r), 0);
        assert_int_equal(r->n_entries, 0);
        for (size_t i = 0; i < r->n_findings; i++) {
                FindingCode c = r->findings[i].code;
                assert_true(c == FINDING_TLS_REGRESSION || c == FINDING_WEAK_PROTOCOL ||
                            c == FINDING_TLS_LOGGING_OFF || c == FINDING_DANE_DOWNGRADE ||
                            c == FINDING_POLICY_LOOKUP_FAILED);
        }
        assert_non_null(find(r, FINDING_POLICY_LOOKUP_FAILED, "(default)"));
        audit_result_free(r);
}

/* smtp_tls_security_level and --default-level are case-insensitive in Postfix:
 * "ENCRYPT" is encrypt, for the findings and in the result. */
static void test_default_level_any_case(void **state) {
        State *st = *state;
        AuditResult *lower = run(st, "encrypt"), *upper = run(st, "ENCRYPT"), *mixed = run(st, "May");

        assert_string_equal(upper->default_level, "encrypt");
        assert_string_equal(mixed->default_level, "may");
        assert_non_null(find(lower, FINDING_POLICY_BLOCKS_DELIVERY, "(default)"));
        assert_non_null(find(upper, FINDING_POLICY_BLOCKS_DELIVERY, "(default)"));
        assert_null(find(mixed, FINDING_POLICY_BLOCKS_DELIVERY, "(default)"));
        assert_int_equal(upper->n_findings, lower->n_findings);
        for (size_t i = 0; i < lower->n_findings; i++) {
                assert_int_equal(upper->findings[i].code, lower->findings[i].code);
                assert_string_equal(upper->findings[i].message, lower->findings[i].message);
        }
        assert_true(audit_level_mandatory("Dane-Only"));
        assert_false(audit_level_mandatory("DANE"));
        assert_false(audit_level_mandatory(NULL));
        audit_result_free(lower);
        audit_result_free(upper);
        audit_result_free(mixed);
}

static void test_formats(void **state) {
        State *st = *state;
        AuditResult *r = run(st, "encrypt");
        StrBuf b;

        strbuf_init(&b);
        assert_int_equal(audit_format_text(r, &b), 0);
        assert_non_null(strstr(b.data, "TLS policy audit, 2024-05-22 .. 2024-06-30\n"));
        assert_non_null(strstr(b.data, "Policy map: tls_policy (13 entries); default level: encrypt\n"));
        assert_non_null(strstr(b.data, "  error   MXT001 policy-blocks-delivery: block.example (line 1): level encrypt: "
                                       "4 deliveries failed (starttls_not_offered 4)\n"));
        assert_non_null(strstr(b.data, "  notice  MXT003 stale-entry: stale.example (line 3): no delivery matched "
                                       "this entry in 2024-05-22 .. 2024-06-30\n"));
        assert_non_null(strstr(b.data, "MXT007 tls-logging-off: mta2: 2 days between 2024-06-20 and 2024-06-21"));
        assert_non_null(strstr(b.data, "Findings: 4 error, 8 warning, 5 notice, 1 info\n"));
        strbuf_free(&b);

        strbuf_init(&b);
        assert_int_equal(audit_format_json(r, &b), 0);
        assert_non_null(strstr(b.data, "{\"code\": \"MXT002\", \"name\": \"certificate-not-verified\", "
                                       "\"severity\": \"error\", \"subject\": \"cert.example\", \"line\": 2, \"count\": 5"));
        assert_non_null(strstr(b.data, "\"subject\": \"\\\"quoted.example\\\"\""));
        assert_non_null(strstr(b.data, "\"summary\": {\"error\": 4, \"warning\": 8, \"notice\": 5, \"info\": 1}"));
        assert_non_null(strstr(b.data, "{\"key\": \"block.example\", \"line\": 1, \"level\": \"encrypt\", \"value\": "
                                       "\"encrypt\", \"relay\": false, \"domains\": 1, \"delivered\": 80, \"tls\": 80"));
        strbuf_free(&b);
        audit_result_free(r);
}

static void test_clean_store(void **state) {
        StoreFixture f;
        PolicyMap *m = NULL;
        AuditResult *r = NULL;
        static const char text[] = "good.example encrypt\n";

        store_fixture_open_window(&f, LAST_DAY);
        for (int k = 0; k < WINDOW; k++)
                store_fixture_deliver(&f, k, "mta1", "good.example", "mx.good.example", "TLSv1.3", "Trusted",
                                      "", "tls", "", 1);
        store_fixture_reopen_read_only(&f);
        assert_int_equal(policy_parse("p", text, strlen(text), &m, NULL), 0);
        AuditOptions o = { .policy = m, .default_level = "may", .to_day = LAST_DAY, .days = WINDOW };
        assert_int_equal(audit_run(f.store, &o, &r), 0);
        assert_int_equal(r->n_findings, 0);
        assert_int_equal(audit_max_severity(r), -1);
        StrBuf b;
        strbuf_init(&b);
        assert_int_equal(audit_format_text(r, &b), 0);
        assert_non_null(strstr(b.data, "\nNo findings.\n"));
        strbuf_free(&b);
        audit_result_free(r);
        policy_free(m);
        store_fixture_fini(&f);
}

static void test_registry(void **state) {
        /* pinned: a code never changes meaning */
        static const struct {
                FindingCode id;
                const char *code, *name;
                Severity severity;
        } pinned[] = {
                { FINDING_POLICY_BLOCKS_DELIVERY, "MXT001", "policy-blocks-delivery", SEVERITY_ERROR },
                { FINDING_CERT_NOT_VERIFIED, "MXT002", "certificate-not-verified", SEVERITY_ERROR },
                { FINDING_STALE_ENTRY, "MXT003", "stale-entry", SEVERITY_NOTICE },
                { FINDING_TLS_REGRESSION, "MXT004", "tls-regression", SEVERITY_WARNING },
                { FINDING_WEAK_PROTOCOL, "MXT005", "weak-protocol", SEVERITY_WARNING },
                { FINDING_UPGRADE_CANDIDATE, "MXT006", "upgrade-candidate", SEVERITY_INFO },
                { FINDING_TLS_LOGGING_OFF, "MXT007", "tls-logging-off", SEVERITY_WARNING },
                { FINDING_POLICY_LOOKUP_FAILED, "MXT008", "policy-lookup-failed", SEVERITY_ERROR },
                { FINDING_DANE_DOWNGRADE, "MXT009", "dane-downgrade", SEVERITY_WARNING },
                { FINDING_DUPLICATE_KEY, "MXT010", "duplicate-key", SEVERITY_WARNING },
                { FINDING_ATTRIBUTES_IGNORED, "MXT011", "attributes-ignored", SEVERITY_NOTICE },
                { FINDING_QUOTED_KEY, "MXT012", "quoted-key", SEVERITY_WARNING },
        };
        assert_int_equal(finding_count(), ELEMENTSOF(pinned));
        for (size_t i = 0; i < ELEMENTSOF(pinned); i++) {
                const FindingInfo *fi = finding_info(pinned[i].id);
                assert_non_null(fi);
                assert_int_equal(fi->id, pinned[i].id);
                assert_string_equal(fi->code, pinned[i].code);
                assert_string_equal(fi->name, pinned[i].name);
                assert_int_equal(fi->severity, pinned[i].severity);
                assert_true(strlen(fi->description) > 20);
                assert_ptr_equal(finding_lookup(pinned[i].code), fi);
                assert_ptr_equal(finding_lookup(pinned[i].name), fi);
        }
        assert_null(finding_info(_FINDING_CODE_MAX));
        assert_null(finding_info((FindingCode) -1));
        assert_null(finding_lookup("MXT999"));
        assert_string_equal(severity_to_string(SEVERITY_WARNING), "warning");
        assert_int_equal(severity_from_string("Notice"), SEVERITY_NOTICE);
        assert_int_equal(severity_from_string("loud"), _SEVERITY_INVALID);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_seeded),
                cmocka_unit_test(test_default_level),
                cmocka_unit_test(test_default_level_any_case),
                cmocka_unit_test(test_formats),
                cmocka_unit_test(test_clean_store),
                cmocka_unit_test(test_registry),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

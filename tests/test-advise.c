/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-advise - proposals from a real store, output formats, merge
 * DESCRIPTION
 *        Several weeks of synthetic traffic are written through the store API:
 *        domains that meet the template, near misses of every kind, excluded
 *        and already mapped domains, and hostile names. The expected outcome of
 *        every domain is computed here from its description, independently of
 *        the advisor, and compared with what advise_run() says.
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

#include "advise.h"
#include "cleanup.h"
#include "domain.h"
#include "store-fixture.h"

#define LAST_DAY "2024-03-31"

static const char template_yaml[] =
        "name: test\n"
        "window_days: 30\n"
        "min_deliveries: 20\n"
        "min_days: 10\n"
        "min_tls_share: 100\n"
        "max_tls_failures: 0\n"
        "min_protocol: TLSv1.2\n"
        "exclude_domains: [excluded.example, .corp.example]\n"
        "propose:\n"
        "  level: encrypt\n"
        "  protocols: \">=TLSv1.2\"\n";

#define T_WINDOW 30
#define T_MIN_DELIVERIES 20
#define T_MIN_DAYS 10

static const char policy_text[] =
        "# administrator's entries\n"
        "inmap.example may\n"
        ".parent.example encrypt\n"
        "# BEGIN mxtls -- old section\n"
        "section.example encrypt\n"
        "# END mxtls\n";

/* One synthetic domain: `days` days (starting `start` days back) with `per_day` TLS deliveries. */
typedef struct Spec {
        const char *domain;
        int days, per_day, start;
        int plaintext;                  /* extra plaintext deliveries, on the first day */
        int failures;                   /* extra tls_failed deliveries */
        const char *protocol;           /* of one extra delivery on the first day, NULL = none */
        int logging_off;                /* deliveries on a day with TLS logging off */
        int outside;                    /* deliveries outside the window */
        bool excluded, in_map;
} Spec;

static char long_name[400];

static Spec specs[] = {
        { "good.example", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "boundary.example", 10, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "spread.example", 20, 1, 9, 0, 0, NULL, 0, 5, false, false },
        { "section.example", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },      /* ours: proposed again */
        { "plain.example", 25, 2, 0, 1, 0, NULL, 0, 0, false, false },
        { "fail.example", 25, 2, 0, 0, 1, NULL, 0, 0, false, false },
        { "fewdays.example", 9, 5, 0, 0, 0, NULL, 0, 0, false, false },
        { "fewdeliv.example", 19, 1, 0, 0, 0, NULL, 0, 0, false, false },
        { "oldproto.example", 25, 2, 0, 0, 0, "TLSv1.1", 0, 0, false, false },
        { "logoff.example", 25, 2, 0, 0, 0, NULL, 3, 0, false, false },
        { "excluded.example", 25, 2, 0, 0, 0, NULL, 0, 0, true, false },
        { "a.corp.example", 25, 2, 0, 0, 0, NULL, 0, 0, true, false },
        { "inmap.example", 25, 2, 0, 0, 0, NULL, 0, 0, false, true },
        { "child.parent.example", 25, 2, 0, 0, 0, NULL, 0, 0, false, true },
        { "old.example", 0, 0, 0, 0, 0, NULL, 0, 40, false, false },
        /* hostile names, each with traffic that would otherwise qualify */
        { "evil example.com", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "evil\nexample.com encrypt", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "x.example none\n# ", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "a#b.example", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "a=b.example", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "a,b.example", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "ctl\x01.example", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "nul\0.example", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },        /* stored as "nul" */
        { "\xc3\xbcnicode.example", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "Upper.example", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "trailing.example.", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "-leading.example", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { "singlelabel", 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
        { long_name, 25, 2, 0, 0, 0, NULL, 0, 0, false, false },
};

/* expected_reason - the rules of the test template, written out for this data */
static SkipReason expected_reason(const Spec *s) {
        const char *d = s->domain;
        bool valid = domain_is_valid(d, strlen(d));

        for (const char *p = d; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        valid = false;
        if (!valid)
                return SKIP_INVALID_NAME;
        if (s->excluded)
                return SKIP_EXCLUDED;
        if (s->in_map)
                return SKIP_IN_POLICY;
        if (s->logging_off)
                return SKIP_LOGGING_OFF;
        int delivered = s->days * s->per_day + s->plaintext + (s->protocol ? 1 : 0);
        if (delivered < T_MIN_DELIVERIES)
                return SKIP_FEW_DELIVERIES;
        if (s->days < T_MIN_DAYS)
                return SKIP_FEW_DAYS;
        if (s->plaintext)
                return SKIP_PLAINTEXT;
        if (s->failures)
                return SKIP_TLS_FAILURES;
        if (s->protocol)
                return SKIP_PROTOCOL;
        return SKIP_NONE;
}

static const char *stored_name(const Spec *s) {
        return s->domain;               /* C string: "nul\0.example" is "nul" */
}

static void write_traffic(StoreFixture *f) {
        memset(long_name, 'a', 300);
        memcpy(long_name + 300, ".example", 9);

        for (size_t i = 0; i < ELEMENTSOF(specs); i++) {
                const Spec *s = &specs[i];
                const char *d = stored_name(s);
                char mx1[64], mx2[64];

                const char *base = d && domain_is_valid(d, strlen(d)) && strlen(d) < 50 ? d : "bad.example";
                (void) snprintf(mx1, sizeof(mx1), "mx1.%s", base);
                (void) snprintf(mx2, sizeof(mx2), "mx2.%s", base);
                for (int k = 0; k < s->days; k++)
                        store_fixture_deliver(f, s->start + k, "mta1", d, k % 2 ? mx1 : mx2, "TLSv1.3",
                                              "Trusted", "", "tls", "", (uint64_t) s->per_day);
                if (s->plaintext)
                        store_fixture_deliver(f, s->start, "mta1", d, mx1, "", "", "", "plaintext", "",
                                              (uint64_t) s->plaintext);
                if (s->failures)
                        store_fixture_deliver(f, s->start, "mta1", d, mx1, "", "", "", "tls_failed",
                                              "starttls_not_offered", (uint64_t) s->failures);
                if (s->protocol)
                        store_fixture_deliver(f, s->start, "mta1", d, mx1, s->protocol, "Trusted", "",
                                              "tls", "", 1);
                if (s->logging_off)
                        store_fixture_logging_off(f, 3, "mta2", d, mx1, (uint64_t) s->logging_off);
                if (s->outside)
                        store_fixture_deliver(f, T_WINDOW + 5, "mta1", d, mx1, "TLSv1.3", "Trusted", "",
                                              "tls", "", (uint64_t) s->outside);
                /* other failures and internal hops change nothing */
                if (s->days)
                        store_fixture_deliver(f, s->start, "mta1", d, "", "", "", "", "other_failed", "", 2);
                store_fixture_deliver(f, 0, "mta1", d, "127.0.0.1", "", "", "", "internal", "", 7);
        }
}

typedef struct State {
        StoreFixture f;
        Template *t;
        PolicyMap *policy;
} State;

static int setup(void **state) {
        State *st = calloc(1, sizeof(*st));
        char *error = NULL;

        if (!st)
                return -1;
        store_fixture_open_window(&st->f, LAST_DAY);
        write_traffic(&st->f);
        store_fixture_reopen_read_only(&st->f);
        if (template_load_data("test.yaml", template_yaml, strlen(template_yaml), &st->t, &error) < 0)
                fail_msg("%s", error);
        if (policy_parse("tls_policy", policy_text, strlen(policy_text), &st->policy, &error) < 0)
                fail_msg("%s", error);
        *state = st;
        return 0;
}

static int teardown(void **state) {
        State *st = *state;
        store_fixture_fini(&st->f);
        template_free(st->t);
        policy_free(st->policy);
        free(st);
        return 0;
}

static AdviseResult *run(State *st) {
        AdviseOptions o = { .template = st->t, .policy = st->policy, .to_day = LAST_DAY };
        AdviseResult *r = NULL;
        assert_int_equal(advise_run(st->f.store, &o, &r), 0);
        return r;
}

static void test_expected_sets(void **state) {
        State *st = *state;
        AdviseResult *r = run(st);
        size_t want_proposed = 0, sum = 0;

        assert_string_equal(r->from, "2024-03-02");
        assert_string_equal(r->to, LAST_DAY);
        for (size_t i = 0; i < ELEMENTSOF(specs); i++) {
                const Spec *s = &specs[i];
                SkipReason want = expected_reason(s);
                const char *name = stored_name(s);
                SkipReason got = _SKIP_REASON_INVALID;
                bool found = false;

                if (s->days == 0) {             /* only traffic outside the window */
                        assert_null(evidence_find(r->evidence, name));
                        continue;
                }
                for (size_t k = 0; k < r->n_proposals; k++)
                        if (strcmp(r->proposals[k].stats->domain, name) == 0) {
                                assert_false(found);
                                found = true;
                                got = SKIP_NONE;
                                assert_string_equal(r->proposals[k].value, "encrypt protocols=>=TLSv1.2");
                        }
                for (size_t k = 0; k < r->n_skipped; k++)
                        if (strcmp(r->skipped[k].stats->domain, name) == 0) {
                                assert_false(found);
                                found = true;
                                got = r->skipped[k].reason;
                        }
                if (!found || got != want)
                        fail_msg("spec %zu (%s): got %s, want %s", i, name,
                                 found ? skip_reason_to_string(got) : "(absent)", skip_reason_to_string(want));
                if (want == SKIP_NONE)
                        want_proposed++;
        }
        assert_int_equal(r->n_proposals, want_proposed);
        for (size_t i = 0; i < _SKIP_REASON_MAX; i++)
                sum += r->skip_counts[i];
        assert_int_equal(sum, r->n_proposals + r->n_skipped);
        assert_int_equal(r->skip_counts[SKIP_NONE], r->n_proposals);

        /* sorted, and counts as written */
        for (size_t k = 1; k < r->n_proposals; k++)
                assert_true(strcmp(r->proposals[k - 1].stats->domain, r->proposals[k].stats->domain) < 0);
        const DomainStats *d = evidence_find(r->evidence, "good.example");
        assert_non_null(d);
        assert_int_equal(d->tls, 50);
        assert_int_equal(d->plaintext, 0);
        assert_int_equal(d->other_failed, 2);
        assert_int_equal(d->days_delivered, 25);
        assert_int_equal(d->mx.n, 2);
        assert_int_equal(count_list_get(&d->protocols, "TLSv1.3"), 50);
        assert_int_equal(count_list_get(&d->trust, "Trusted"), 50);
        d = evidence_find(r->evidence, "spread.example");
        assert_int_equal(d->tls, 20);           /* the 5 outside the window are not counted */
        d = evidence_find(r->evidence, "logoff.example");
        assert_int_equal(d->logging_off, 3);
        assert_int_equal(d->plaintext, 0);      /* never counted as plaintext */
        assert_int_equal(r->evidence->n_logging_off, 1);
        assert_string_equal(r->evidence->logging_off[0].host, "mta2");
        advise_result_free(r);
}

static void test_days_override(void **state) {
        State *st = *state;
        AdviseOptions o = { .template = st->t, .policy = NULL, .to_day = LAST_DAY, .days = 5 };
        AdviseResult *r = NULL;

        assert_int_equal(advise_run(st->f.store, &o, &r), 0);
        assert_string_equal(r->from, "2024-03-27");
        assert_int_equal(r->n_proposals, 0);    /* 5 days < min_days */
        assert_true(r->skip_counts[SKIP_FEW_DELIVERIES] + r->skip_counts[SKIP_FEW_DAYS] > 0);
        advise_result_free(r);

        /* without a map, mapped domains qualify; config exclusions add to the template's */
        char *extra[] = { (char *) "good.example", NULL };
        o = (AdviseOptions) { .template = st->t, .to_day = LAST_DAY, .exclude_domains = extra };
        assert_int_equal(advise_run(st->f.store, &o, &r), 0);
        bool inmap = false, good = false;
        for (size_t k = 0; k < r->n_proposals; k++) {
                inmap |= strcmp(r->proposals[k].stats->domain, "inmap.example") == 0;
                good |= strcmp(r->proposals[k].stats->domain, "good.example") == 0;
        }
        assert_true(inmap);
        assert_false(good);
        advise_result_free(r);
}

/* every logical line of the output must be one of the proposals, nothing else */
static void check_map_text(const AdviseResult *r, const char *text, size_t len, size_t extra_entries) {
        PolicyMap *m = NULL;
        char *error = NULL;

        if (policy_parse("out", text, len, &m, &error) < 0)
                fail_msg("output does not parse: %s\n%s", error, text);
        assert_int_equal(m->n_entries, r->n_proposals + extra_entries);
        for (size_t k = 0; k < r->n_proposals; k++) {
                const PolicyEntry *e = policy_lookup(m, r->proposals[k].stats->domain);
                assert_non_null(e);
                assert_string_equal(e->key, r->proposals[k].stats->domain);
                assert_string_equal(e->value, r->proposals[k].value);
        }
        policy_free(m);
        /* hostile bytes never reach the output, not even comments */
        assert_null(memchr(text, '\x01', len));
        assert_null(strstr(text, "evil"));
        assert_null(strstr(text, "\xc3\xbc"));
        assert_null(strstr(text, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void test_postmap_and_json(void **state) {
        State *st = *state;
        AdviseResult *r = run(st);
        StrBuf b;

        strbuf_init(&b);
        assert_int_equal(advise_format_postmap(r, &b), 0);
        check_map_text(r, b.data, b.len, 0);
        /* evidence above each line */
        const char *line = strstr(b.data, "\ngood.example encrypt protocols=>=TLSv1.2\n");
        assert_non_null(line);
        const char *ev = strstr(b.data, "# good.example: 50 deliveries on 25 days, TLS 100% (50 of 50), no TLS failures\n"
                                        "#   protocols: TLSv1.3 50\n#   trust: Trusted 50\n#   mx: ");
        assert_non_null(ev);
        assert_true(ev < line);
        assert_non_null(strstr(b.data, "#   first seen 2024-03-07, last seen 2024-03-31\n"));
        assert_non_null(strstr(b.data, "# TLS logging was off"));
        assert_non_null(strstr(b.data, " logoff.example"));
        strbuf_free(&b);

        strbuf_init(&b);
        assert_int_equal(advise_format_json(r, &b), 0);
        assert_non_null(strstr(b.data, "\"domain\": \"good.example\", \"delivered\": 50, \"tls\": 50"));
        assert_non_null(strstr(b.data, "\"policy\": \"encrypt protocols=>=TLSv1.2\""));
        assert_non_null(strstr(b.data, "\"domain\": \"evil\\nexample.com encrypt\""));
        assert_non_null(strstr(b.data, "\"domain\": \"ctl\\u0001.example\""));
        assert_non_null(strstr(b.data, "\"reason\": \"invalid-name\""));
        assert_non_null(strstr(b.data, "\"reason\": \"in-policy\", \"policy_key\": \".parent.example\", \"policy_line\": 3"));
        assert_null(strstr(b.data, "evil\nexample"));
        strbuf_free(&b);
        advise_result_free(r);
}

static void test_merge(void **state) {
        State *st = *state;
        AdviseResult *r = run(st);
        static const char prefix[] = "# my map\r\nkeep.example\tmay \t\n\n  # odd comment\n";
        static const char suffix[] = "after.example encrypt\n# trailing, no newline";
        StrBuf old, once, twice, diff;
        char *error = NULL;

        /* 1: no section yet: appended, every old byte kept */
        strbuf_init(&once);
        assert_int_equal(advise_merge("m", prefix, strlen(prefix), r, &once, &error), 0);
        assert_memory_equal(once.data, prefix, strlen(prefix));
        assert_non_null(strstr(once.data + strlen(prefix), "\n# BEGIN mxtls"));
        check_map_text(r, once.data, once.len, 1);
        strbuf_init(&twice);
        assert_int_equal(advise_merge("m", once.data, once.len, r, &twice, &error), 0);
        assert_int_equal(twice.len, once.len);
        assert_memory_equal(twice.data, once.data, once.len);
        strbuf_free(&twice);

        /* 2: a section in the middle: prefix and suffix byte for byte */
        strbuf_init(&old);
        strbuf_puts(&old, prefix);
        strbuf_puts(&old, "# BEGIN mxtls stale\nstale.example encrypt\n# END mxtls\n");
        strbuf_puts(&old, suffix);
        strbuf_free(&once);
        strbuf_init(&once);
        assert_int_equal(advise_merge("m", old.data, old.len, r, &once, &error), 0);
        assert_memory_equal(once.data, prefix, strlen(prefix));
        assert_true(once.len > strlen(suffix));
        assert_memory_equal(once.data + once.len - strlen(suffix), suffix, strlen(suffix));
        assert_null(strstr(once.data, "stale.example"));
        check_map_text(r, once.data, once.len, 2);
        strbuf_init(&twice);
        assert_int_equal(advise_merge("m", once.data, once.len, r, &twice, &error), 0);
        assert_int_equal(twice.len, once.len);
        assert_memory_equal(twice.data, once.data, once.len);

        /* diff of old -> merged names the change and nothing of the kept lines */
        strbuf_init(&diff);
        assert_int_equal(advise_format_diff("m", old.data, old.len, once.data, once.len, &diff), 0);
        assert_true(strncmp(diff.data, "--- m\n+++ m (mxtls advise)\n@@ -", 30) == 0);
        assert_non_null(strstr(diff.data, "\n-stale.example encrypt\n"));
        assert_non_null(strstr(diff.data, "\n+good.example encrypt protocols=>=TLSv1.2\n"));
        assert_null(strstr(diff.data, "+keep.example"));
        strbuf_free(&diff);
        strbuf_init(&diff);
        assert_int_equal(advise_format_diff("m", once.data, once.len, twice.data, twice.len, &diff), 0);
        assert_int_equal(diff.len, 0);          /* identical: no hunk */
        strbuf_free(&diff);

        /* broken markers: an error, nothing produced */
        static const char *const broken[] = {
                "a.example may\n# BEGIN mxtls\nb.example may\n",
                "# END mxtls\n",
                "# BEGIN mxtls\n# BEGIN mxtls\n# END mxtls\n",
                "# BEGIN mxtls\n# END mxtls\n# END mxtls\n",
        };
        static const char *const want[] = {
                "m:3: \"# BEGIN mxtls\" without \"# END mxtls\"",
                "m:1: \"# END mxtls\" without \"# BEGIN mxtls\"",
                "m:2: second \"# BEGIN mxtls\" line",
                "m:3: \"# END mxtls\" without \"# BEGIN mxtls\"",
        };
        for (size_t i = 0; i < ELEMENTSOF(broken); i++) {
                StrBuf out;
                strbuf_init(&out);
                error = NULL;
                assert_int_equal(advise_merge("m", broken[i], strlen(broken[i]), r, &out, &error), -EBADMSG);
                assert_string_equal(error, want[i]);
                assert_int_equal(out.len, 0);
                free(error);
                strbuf_free(&out);
        }

        /* empty file: just the section */
        strbuf_free(&twice);
        strbuf_init(&twice);
        assert_int_equal(advise_merge("m", "", 0, r, &twice, NULL), 0);
        assert_true(strncmp(twice.data, "# BEGIN mxtls", 13) == 0);
        strbuf_free(&twice);
        strbuf_free(&once);
        strbuf_free(&old);
        advise_result_free(r);
}

static CountList names(const char *const *v) {
        CountList l = { 0 };
        for (size_t i = 0; v[i]; i++) {
                CountItem *n = realloc(l.items, (l.n + 1) * sizeof(*n));
                assert_non_null(n);
                l.items = n;
                l.items[l.n++] = (CountItem) { strdup(v[i]), 1 };
        }
        return l;
}

static void test_derive_match(void **state) {
        static const struct {
                const char *mx[12];
                int want_r;
                const char *want;
        } rows[] = {
                { { "mx.example.com" }, 0, "mx.example.com" },
                { { "mx1.example.net", "mx2.example.net" }, 0, ".example.net" },
                { { "a.mx.example.net", "b.mx.example.net" }, 0, ".mx.example.net" },
                { { "example.net", "mx2.example.net" }, 0, "example.net:.example.net" },
                { { "aspmx.l.google.com", "alt1.aspmx.l.google.com" }, 0,
                  "aspmx.l.google.com:.aspmx.l.google.com" },
                { { "mx.a.co.uk", "mx.b.co.uk" }, 0, "mx.a.co.uk:mx.b.co.uk" },
                { { "mx.one.example", "mx.two.test" }, 0, "mx.one.example:mx.two.test" },
                { { "z.example", "a.test" }, 0, "a.test:z.example" },
                { { "mx.example.com", "bad name.example.com" }, -EBADMSG, NULL },
                { { "mx.example.com", "mx#.example.com" }, -EBADMSG, NULL },
                { { "a.t1", "b.t2", "c.t3", "d.t4", "e.t5", "f.t6", "g.t7", "h.t8", "i.t9", "j.t10", "k.t11" },
                  -E2BIG, NULL },
                { { NULL }, -ENODATA, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                CountList l = names(rows[i].mx);
                char *got = NULL;
                int r = derive_match(&l, &got);
                if (r != rows[i].want_r || (rows[i].want && (!got || strcmp(got, rows[i].want) != 0)))
                        fail_msg("row %zu: got %d '%s', want %d '%s'", i, r, got ? got : "(null)", rows[i].want_r,
                                 rows[i].want ? rows[i].want : "(null)");
                free(got);
                for (size_t k = 0; k < l.n; k++)
                        free(l.items[k].name);
                free(l.items);
        }

        assert_true(policy_word_safe(">=TLSv1.2"));
        assert_true(policy_word_safe(".example.net:example.net"));
        assert_false(policy_word_safe("a b"));
        assert_false(policy_word_safe("a,b"));
        assert_false(policy_word_safe("a#b"));
        assert_false(policy_word_safe("a\nb"));
        assert_false(policy_word_safe("{a}"));
        assert_false(policy_word_safe(""));
}

static void test_strict_and_dane(void **state) {
        StoreFixture f;
        Template *strict = NULL, *dane = NULL;
        AdviseResult *r = NULL;

        store_fixture_open_window(&f, LAST_DAY);
        for (int k = 0; k < 40; k++) {
                /* verified over TLS 1.3, two MX under one parent */
                store_fixture_deliver(&f, k, "mta1", "verified.example",
                                      k % 2 ? "mx1.mail.verified.example" : "mx2.mail.verified.example",
                                      "TLSv1.3", "Verified", "dane", "tls", "", 3);
                /* verified but not DANE: no dane-only, yes secure */
                store_fixture_deliver(&f, k, "mta1", "pkix.example", "mx.pkix.example", "TLSv1.2",
                                      "Verified", "verify", "tls", "", 3);
                /* DANE fell back to encrypt once */
                store_fixture_deliver(&f, k, "mta1", "fallback.example", "mx.fallback.example", "TLSv1.3",
                                      "Verified", k == 7 ? "dane:encrypt" : "dane", "tls", "", 3);
                /* trusted only */
                store_fixture_deliver(&f, k, "mta1", "trusted.example", "mx.trusted.example", "TLSv1.3",
                                      "Trusted", "may", "tls", "", 3);
                /* verified, but one MX name is hostile */
                store_fixture_deliver(&f, k, "mta1", "badmx.example",
                                      k % 2 ? "mx.badmx.example" : "mx bad.example", "TLSv1.3", "Verified",
                                      "", "tls", "", 3);
        }
        store_fixture_reopen_read_only(&f);
        assert_int_equal(template_open("strict", NULL, &strict, NULL), 0);
        assert_int_equal(template_open("dane", NULL, &dane, NULL), 0);

        AdviseOptions o = { .template = strict, .to_day = LAST_DAY };
        assert_int_equal(advise_run(f.store, &o, &r), 0);
        static const struct {
                const char *domain;
                SkipReason reason;
                const char *value;
        } want_strict[] = {
                { "badmx.example", SKIP_MX, NULL },
                { "fallback.example", SKIP_NONE, "secure match=mx.fallback.example protocols=>=TLSv1.2" },
                { "pkix.example", SKIP_NONE, "secure match=mx.pkix.example protocols=>=TLSv1.2" },
                { "trusted.example", SKIP_TRUST, NULL },
                { "verified.example", SKIP_NONE, "secure match=.mail.verified.example protocols=>=TLSv1.2" },
        };
        size_t ip = 0, is = 0;
        for (size_t i = 0; i < ELEMENTSOF(want_strict); i++) {
                if (want_strict[i].reason == SKIP_NONE) {
                        assert_true(ip < r->n_proposals);
                        assert_string_equal(r->proposals[ip].stats->domain, want_strict[i].domain);
                        assert_string_equal(r->proposals[ip].value, want_strict[i].value);
                        ip++;
                } else {
                        assert_true(is < r->n_skipped);
                        assert_string_equal(r->skipped[is].stats->domain, want_strict[i].domain);
                        assert_int_equal(r->skipped[is].reason, want_strict[i].reason);
                        is++;
                }
        }
        assert_int_equal(ip, r->n_proposals);
        assert_int_equal(is, r->n_skipped);
        advise_result_free(r);

        o.template = dane;
        assert_int_equal(advise_run(f.store, &o, &r), 0);
        assert_int_equal(r->n_proposals, 1);
        assert_string_equal(r->proposals[0].stats->domain, "verified.example");
        assert_string_equal(r->proposals[0].value, "dane-only");
        for (size_t k = 0; k < r->n_skipped; k++) {
                const char *d = r->skipped[k].stats->domain;
                SkipReason want = strcmp(d, "trusted.example") == 0 ? SKIP_TRUST : SKIP_NO_DANE;
                if (r->skipped[k].reason != want)
                        fail_msg("dane %s: got %s", d, skip_reason_to_string(r->skipped[k].reason));
        }
        advise_result_free(r);

        template_free(strict);
        template_free(dane);
        store_fixture_fini(&f);
}

/* many domains: the evidence index is rebuilt after sorting and must still fit them all */
static void test_many_domains(void **state) {
        State *st = *state;
        AdviseOptions o = { .template = st->t, .to_day = LAST_DAY };
        AdviseResult *r = NULL;
        StoreFixture f;
        enum { N = 2000 };

        store_fixture_open_window(&f, LAST_DAY);
        for (int i = 0; i < N; i++) {
                char d[64], mx[80];
                (void) snprintf(d, sizeof d, "d%04d.example", i);
                (void) snprintf(mx, sizeof mx, "mx.d%04d.example", i);
                for (int back = 0; back < T_WINDOW; back++)
                        store_fixture_deliver(&f, back, "mta1", d, mx, "TLSv1.3", "Trusted", "",
                                              "tls", "", 10);
        }
        store_fixture_reopen_read_only(&f);
        assert_int_equal(advise_run(f.store, &o, &r), 0);
        assert_int_equal(r->n_proposals, N);
        for (size_t k = 1; k < r->n_proposals; k++)
                assert_true(strcmp(r->proposals[k - 1].stats->domain, r->proposals[k].stats->domain) < 0);
        advise_result_free(r);
        store_fixture_fini(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_expected_sets),
                cmocka_unit_test(test_days_override),
                cmocka_unit_test(test_postmap_and_json),
                cmocka_unit_test(test_merge),
                cmocka_unit_test(test_derive_match),
                cmocka_unit_test(test_strict_and_dane),
                cmocka_unit_test(test_many_domains),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

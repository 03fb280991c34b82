/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-collect - the collect pipeline over a fixture record source
 * DESCRIPTION
 *        A fixture back-end of the Source vtable hands out PfRecords from a
 *        table; runs are committed to a store in a temporary directory and
 *        read back with store_query_daily() and store_get_state().
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

#include "cleanup.h"
#include "collect.h"
#include "collect_flush.h"
#include "span.h"
#include "store-fixture.h"
#include "timeutil.h"
#include "util.h"

#define DAY0 ((now_usec() / 86400000000ULL - 2) * 86400000000ULL)       /* two days ago, 00:00 UTC */

typedef struct FixtureSource {
        Source base;
        const PfRecord *recs;
        size_t n, i;
        size_t fail_at;                 /* next() fails with -EIO at this record, 0 = never */
        bool consumed;
} FixtureSource;

static int fixture_next(Source *s, PfRecord *ret) {
        FixtureSource *f = (FixtureSource *) s;

        if (f->i >= f->n)
                return 0;
        if (f->fail_at > 0 && f->i == f->fail_at)
                return -EIO;
        *ret = f->recs[f->i++];
        f->consumed = true;
        s->stats.entries++;
        s->stats.records++;
        if (ret->pid == 0)
                s->stats.no_pid++;
        if (s->stats.first_usec == 0)
                s->stats.first_usec = ret->realtime_usec;
        s->stats.last_usec = ret->realtime_usec;
        return 1;
}

static int fixture_position(Source *s, char **ret) {
        FixtureSource *f = (FixtureSource *) s;

        if (!f->consumed)
                return -ENODATA;
        return asprintf(ret, "%zu", f->i) < 0 ? -ENOMEM : 0;
}

static int fixture_seek(Source *s, const char *position, SourceSeekInfo *ret_info) {
        FixtureSource *f = (FixtureSource *) s;
        uint64_t v;

        if (parse_u64(position, &v) < 0 || v > f->n)
                return -EINVAL;
        f->i = (size_t) v;
        *ret_info = (SourceSeekInfo) { .saved_usec = v };
        return 0;
}

static int fixture_seek_time(Source *s, uint64_t usec) {
        FixtureSource *f = (FixtureSource *) s;

        while (f->i < f->n && f->recs[f->i].realtime_usec < usec)
                f->i++;
        return 0;
}

static void fixture_free(Source *s) {
        free(s);
}

static const SourceOps fixture_ops = {
        .kind = "fixture",
        .next = fixture_next,
        .position = fixture_position,
        .seek = fixture_seek,
        .seek_time = fixture_seek_time,
        .free = fixture_free,
};

/* fixture_open - records [first, last) of recs, under a fixed key */
static Source *fixture_open(const PfRecord *recs, size_t first, size_t last) {
        FixtureSource *f = calloc(1, sizeof *f);

        assert_non_null(f);
        f->base.ops = &fixture_ops;
        f->base.key = strdup("fixture:a");
        assert_non_null(f->base.key);
        f->recs = recs;
        f->n = last;
        f->i = first;
        return &f->base;
}

static StoreFixture fx;                 /* fx.dir holds the stores of the tests, fx.path the one most use */

#define REC(sec, pid_, msg) { .realtime_usec = (sec) * 1000000ULL, .boot_id = "b1", .hostname = "mx1", \
                              .identifier = "postfix/smtp", .pid = (pid_), .message = (msg), \
                              .message_len = sizeof(msg) - 1 }

static PfRecord records[] = {
        REC(0, 100, "Trusted TLS connection established to mx.a.example[192.0.2.1]:25: TLSv1.3 with "
                    "cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"),
        REC(1, 100, "AAAA000001: to=<x@a.example>, relay=mx.a.example[192.0.2.1]:25, delay=1, "
                    "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)"),
        REC(2, 100, "AAAA000001: to=<y@a.example>, relay=mx.a.example[192.0.2.1]:25, delay=1, "
                    "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)"),
        REC(3, 200, "BBBB000001: to=<z@b.example>, relay=mx.b.example[192.0.2.2]:25, delay=1, "
                    "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)"),
        REC(4, 0, "CCCC000001: to=<nopid@c.example>, relay=mx.c.example[192.0.2.3]:25, delay=1, "
                  "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)"),
        REC(5, 300, "DDDD000001: to=<broken@d.example"),
        REC(6, 400, "Verified TLS connection established to mx.e.example[192.0.2.5]:25: TLSv1.2 with "
                    "cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)"),
        REC(7, 400, "EEEE000001: to=<w@e.example>, relay=mx.e.example[192.0.2.5]:25, delay=1, "
                    "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)"),
};

static void shift_records(void) {
        static bool done;

        if (done)
                return;
        for (size_t i = 0; i < ELEMENTSOF(records); i++)
                records[i].realtime_usec += DAY0 + 36000ULL * 1000000ULL;
        done = true;
}

typedef struct Counts {
        uint64_t kind[_OUTCOME_KIND_MAX];
        uint64_t rows;
} Counts;

static int count_row(const DailyRow *row, void *userdata) {
        Counts *c = userdata;
        OutcomeKind k = outcome_kind_from_string(row->outcome);

        assert_true(k >= 0);
        c->kind[k] += row->count;
        c->rows++;
        return 0;
}

static Counts stored_counts(const char *domain) {
        Store *s = NULL;
        Counts c = { { 0 } };
        StoreQuery q = { .domain = domain, .group = COL_OUTCOME };

        assert_int_equal(store_open(fx.path, STORE_READ_ONLY, &s), 0);
        assert_int_equal(store_query_daily(s, &q, count_row, &c), 0);
        store_close(s);
        return c;
}

/* run - one collect run; the source has records [0, last) and resumes where the last run stopped */
static void run(size_t last, CollectTotals *ret) {
        Store *s = NULL;
        Collect *c = NULL;
        Source *src = fixture_open(records, 0, last);
        CollectOptions o = { .limits = { .idle_usec = CORRELATE_IDLE_USEC_DEFAULT,
                                         .max_sessions = CORRELATE_MAX_SESSIONS_DEFAULT },
                             .retention_days = 400 };

        assert_int_equal(store_open(fx.path, STORE_READ_WRITE, &s), 0);
        assert_int_equal(collect_new(s, &o, &c), 0);
        assert_int_equal(collect_source(c, src), 0);
        assert_int_equal(collect_commit(c), 0);
        if (ret)
                collect_totals(c, ret);
        collect_free(c);
        source_free(src);
        store_close(s);
}

static void test_one_run(void **state) {
        CollectTotals t;
        Counts a, b, c, d;

        shift_records();
        (void) unlink(fx.path);
        run(ELEMENTSOF(records), &t);
        assert_int_equal(t.entries, ELEMENTSOF(records));
        assert_int_equal(t.no_pid, 1);
        assert_int_equal(t.malformed, 1);
        assert_int_equal(t.skipped, 2);
        assert_int_equal(t.deliveries, 4);
        assert_int_equal(t.tls_lines, 2);
        assert_int_equal(t.outcomes[OUTCOME_TLS], 3);
        assert_int_equal(t.outcomes[OUTCOME_PLAINTEXT], 1);

        a = stored_counts("a.example");
        b = stored_counts("b.example");
        c = stored_counts("c.example");
        d = stored_counts("e.example");
        assert_int_equal(a.kind[OUTCOME_TLS], 2);
        assert_int_equal(b.kind[OUTCOME_PLAINTEXT], 1);
        assert_int_equal(c.rows, 0);
        assert_int_equal(d.kind[OUTCOME_TLS], 1);

        /* Nothing new: a second run changes nothing. */
        run(ELEMENTSOF(records), &t);
        assert_int_equal(t.entries, 0);
        a = stored_counts("a.example");
        assert_int_equal(a.kind[OUTCOME_TLS], 2);
}

static void test_split_runs(void **state) {
        Counts a, e;
        Store *s = NULL;
        _cleanup_free_ char *pos = NULL;

        shift_records();
        /* Split at every record boundary: the TLS line and its deliveries in different runs. */
        (void) unlink(fx.path);
        for (size_t last = 1; last <= ELEMENTSOF(records); last++)
                run(last, NULL);
        a = stored_counts("a.example");
        e = stored_counts("e.example");
        assert_int_equal(a.kind[OUTCOME_TLS], 2);
        assert_int_equal(a.kind[OUTCOME_PLAINTEXT], 0);
        assert_int_equal(e.kind[OUTCOME_TLS], 1);

        assert_int_equal(store_open(fx.path, STORE_READ_ONLY, &s), 0);
        assert_int_equal(store_get_state(s, "position:fixture:a", &pos, NULL), 0);
        assert_string_equal(pos, "8");
        free(pos);
        pos = NULL;
        assert_int_equal(store_get_state(s, "pending:fixture:a", &pos, NULL), 0);
        store_close(s);
}

static void test_dry_run_and_since(void **state) {
        Collect *c = NULL;
        Source *src;
        CollectTotals t;
        CollectOptions o = { .limits = { .idle_usec = CORRELATE_IDLE_USEC_DEFAULT,
                                         .max_sessions = CORRELATE_MAX_SESSIONS_DEFAULT },
                             .since_usec = records[3].realtime_usec };

        shift_records();
        /* No store at all: a dry run reads everything since --since and cannot commit. */
        src = fixture_open(records, 0, ELEMENTSOF(records));
        assert_int_equal(collect_new(NULL, &o, &c), 0);
        assert_int_equal(collect_source(c, src), 0);
        collect_totals(c, &t);
        assert_int_equal(t.entries, ELEMENTSOF(records) - 3);
        assert_int_equal(t.outcomes[OUTCOME_TLS], 1);
        assert_int_equal(t.outcomes[OUTCOME_PLAINTEXT], 1);
        assert_true(aggregates_count_rows(collect_aggregates(c)) >= 2);
        assert_non_null(collect_result(c, 0)->position);
        assert_int_equal(collect_commit(c), -EINVAL);
        collect_free(c);
        source_free(src);
}

static void test_tls_logging_off(void **state) {
        static PfRecord plain[] = {
                REC(0, 500, "FFFF000001: to=<p@f.example>, relay=mx.f.example[192.0.2.6]:25, delay=1, "
                            "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)"),
        };
        CollectOptions o = { .limits = { .idle_usec = CORRELATE_IDLE_USEC_DEFAULT,
                                         .max_sessions = CORRELATE_MAX_SESSIONS_DEFAULT } };
        Collect *c = NULL;
        Source *src;
        Store *s = NULL;

        shift_records();
        plain[0].realtime_usec = records[0].realtime_usec;

        /* Empty store: deliveries without any TLS evidence. */
        (void) unlink(fx.path);
        assert_int_equal(store_open(fx.path, STORE_READ_WRITE, &s), 0);
        src = fixture_open(plain, 0, 1);
        assert_int_equal(collect_new(s, &o, &c), 0);
        assert_int_equal(collect_source(c, src), 0);
        assert_int_equal(collect_tls_logging_off(c), 1);
        collect_free(c);
        source_free(src);
        store_close(s);

        /* The store saw TLS lines the same day: one plaintext delivery is no alarm. */
        run(ELEMENTSOF(records), NULL);
        assert_int_equal(store_open(fx.path, STORE_READ_WRITE, &s), 0);
        src = fixture_open(plain, 0, 1);
        src->key[0] = 'F';
        assert_int_equal(collect_new(s, &o, &c), 0);
        assert_int_equal(collect_source(c, src), 0);
        assert_int_equal(collect_tls_logging_off(c), 0);
        collect_free(c);
        source_free(src);
        store_close(s);
}

static void test_retention(void **state) {
        static PfRecord old[] = {
                REC(0, 600, "6666000001: to=<o@old.example>, relay=mx.old.example[192.0.2.7]:25, delay=1, "
                            "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)"),
                REC(1, 600, "6666000002: to=<n@new.example>, relay=mx.new.example[192.0.2.8]:25, delay=1, "
                            "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)"),
        };
        CollectOptions o = { .limits = { .idle_usec = CORRELATE_IDLE_USEC_DEFAULT,
                                         .max_sessions = CORRELATE_MAX_SESSIONS_DEFAULT },
                             .retention_days = 30 };
        Collect *c = NULL;
        Source *src;
        Store *s = NULL;

        shift_records();
        old[0].realtime_usec = DAY0 - 40 * 86400000000ULL;     /* older than the retention */
        old[1].realtime_usec = DAY0 - 20 * 86400000000ULL;
        (void) unlink(fx.path);
        assert_int_equal(store_open(fx.path, STORE_READ_WRITE, &s), 0);
        src = fixture_open(old, 0, 2);
        assert_int_equal(collect_new(s, &o, &c), 0);
        assert_int_equal(collect_source(c, src), 0);
        assert_int_equal(collect_commit(c), 0);
        collect_free(c);
        source_free(src);
        store_close(s);
        assert_int_equal(stored_counts("old.example").rows, 0);
        assert_int_equal(stored_counts("new.example").kind[OUTCOME_PLAINTEXT], 1);
}

/* Many deliveries, each to a domain of its own: more daily rows than COLLECT_FLUSH_ROWS, more
 * records than the reading thread's batches hold, and a few messages near PF_MESSAGE_MAX. */
#define MANY 40000
#define MANY_LONG 8

typedef struct Many {
        PfRecord recs[MANY + MANY_LONG];
        char *text;
} Many;

static Many *many_new(void) {
        Many *m = calloc(1, sizeof(*m));
        size_t off = 0, size = (size_t) MANY * 192 + MANY_LONG * (PF_MESSAGE_MAX + 16);

        assert_non_null(m);
        m->text = malloc(size);
        assert_non_null(m->text);
        for (size_t i = 0; i < MANY + MANY_LONG; i++) {
                char *msg = m->text + off;
                int n;

                if (i % (MANY / MANY_LONG) == 7 && i / (MANY / MANY_LONG) < MANY_LONG) {
                        /* a long warning: read and parsed, no event */
                        n = snprintf(msg, size - off, "warning: %0*d", PF_MESSAGE_MAX - 16, 0);
                } else
                        n = snprintf(msg, size - off, "%010zX: to=<u@d%zu.example>, relay=mx.d%zu.example"
                                     "[192.0.2.9]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)",
                                     i + 1, i, i);
                assert_true(n > 0 && (size_t) n < size - off);
                m->recs[i] = (PfRecord) {
                        .realtime_usec = DAY0 + 36000ULL * 1000000ULL + i,
                        .boot_id = "b1", .hostname = "mx1", .identifier = "postfix/smtp",
                        .pid = 1000 + (uint32_t) (i % 7), .message = msg, .message_len = (size_t) n,
                };
                off += (size_t) n + 1;
        }
        return m;
}

static void many_free(Many *m) {
        free(m->text);
        free(m);
}

typedef struct ProgressLog {
        size_t calls;
        uint64_t last_entries;
        bool increasing;
} ProgressLog;

static void log_progress(const CollectProgress *p, void *userdata) {
        ProgressLog *l = userdata;

        assert_string_equal(p->source, "fixture:a");
        if (l->calls > 0 && p->entries <= l->last_entries)
                l->increasing = false;
        l->last_entries = p->entries;
        l->calls++;
}

static int count_all(const DailyRow *row, void *userdata) {
        Counts *c = userdata;

        assert_string_equal(row->outcome, "plaintext");
        c->kind[OUTCOME_PLAINTEXT] += row->count;
        c->rows++;
        return 0;
}

static Counts counts_of(const char *path) {
        Store *s = NULL;
        Counts c = { { 0 } };
        StoreQuery q = { .group = COL_ALL };

        assert_int_equal(store_open(path, STORE_READ_ONLY, &s), 0);
        assert_int_equal(store_query_daily(s, &q, count_all, &c), 0);
        store_close(s);
        return c;
}

/* Reading ahead keeps the order of records and progress points; writing ahead ends in one commit. */
static void test_read_and_write_ahead(void **state) {
        char path[300];
        Many *m = many_new();
        ProgressLog log = { .increasing = true };
        CollectOptions o = { .limits = { .idle_usec = CORRELATE_IDLE_USEC_DEFAULT,
                                         .max_sessions = CORRELATE_MAX_SESSIONS_DEFAULT },
                             .progress = log_progress, .userdata = &log };
        Source *src = fixture_open(m->recs, 0, MANY + MANY_LONG);
        CollectTotals t;
        Collect *c = NULL;
        Store *s = NULL;
        Counts n;

        (void) snprintf(path, sizeof(path), "%s/many.db", fx.dir);
        assert_int_equal(store_open(path, STORE_READ_WRITE, &s), 0);
        assert_int_equal(collect_new(s, &o, &c), 0);
        assert_int_equal(collect_source(c, src), 0);
        /* the first COLLECT_FLUSH_ROWS rows went to the store ahead of the commit */
        assert_int_equal(aggregates_count_rows(collect_aggregates(c)), MANY - COLLECT_FLUSH_ROWS);
        n = counts_of(path);
        assert_int_equal(n.rows, 0);            /* not committed: invisible to readers */
        assert_int_equal(collect_commit(c), 0);
        collect_totals(c, &t);
        assert_int_equal(t.entries, MANY + MANY_LONG);
        assert_int_equal(t.outcomes[OUTCOME_PLAINTEXT], MANY);
        assert_int_equal(t.malformed, 0);
        /* a progress point every COLLECT_PROGRESS_INTERVAL entries, and one at the end */
        assert_int_equal(log.calls, (MANY + MANY_LONG) / COLLECT_PROGRESS_INTERVAL + 1);
        assert_true(log.increasing);
        assert_int_equal(log.last_entries, MANY + MANY_LONG);
        collect_free(c);
        source_free(src);
        store_close(s);

        n = counts_of(path);
        assert_int_equal(n.rows, MANY);
        assert_int_equal(n.kind[OUTCOME_PLAINTEXT], MANY);
        many_free(m);
}

/* Rows written ahead are rolled back when the run ends without a commit. */
static void test_write_ahead_rollback(void **state) {
        char path[300];
        Many *m = many_new();
        CollectOptions o = { .limits = { .idle_usec = CORRELATE_IDLE_USEC_DEFAULT,
                                         .max_sessions = CORRELATE_MAX_SESSIONS_DEFAULT } };
        Source *src = fixture_open(m->recs, 0, MANY + MANY_LONG);
        Collect *c = NULL;
        Store *s = NULL;
        char *pos = NULL;

        (void) snprintf(path, sizeof(path), "%s/rollback.db", fx.dir);
        assert_int_equal(store_open(path, STORE_READ_WRITE, &s), 0);
        assert_int_equal(collect_new(s, &o, &c), 0);
        assert_int_equal(collect_source(c, src), 0);
        assert_true(aggregates_count_rows(collect_aggregates(c)) < MANY);
        collect_free(c);
        /* the same connection goes on: nothing of the run is there */
        assert_int_equal(store_get_state(s, "position:fixture:a", &pos, NULL), -ENOENT);
        store_close(s);
        assert_int_equal(counts_of(path).rows, 0);

        /* a source failing in the middle: the error, and nothing stored */
        ((FixtureSource *) src)->i = 0;
        ((FixtureSource *) src)->fail_at = MANY - 10;
        assert_int_equal(store_open(path, STORE_READ_WRITE, &s), 0);
        assert_int_equal(collect_new(s, &o, &c), 0);
        assert_int_equal(collect_source(c, src), -EIO);
        collect_free(c);
        store_close(s);
        assert_int_equal(counts_of(path).rows, 0);
        source_free(src);
        many_free(m);
}

static int setup(void **state) {
        store_fixture_init(&fx, "mxtls.db");
        return 0;
}

static int teardown(void **state) {
        store_fixture_fini(&fx);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_one_run),
                cmocka_unit_test(test_split_runs),
                cmocka_unit_test(test_dry_run_and_since),
                cmocka_unit_test(test_tls_logging_off),
                cmocka_unit_test(test_retention),
                cmocka_unit_test(test_read_and_write_ahead),
                cmocka_unit_test(test_write_ahead_rollback),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-store - the SQLite store on a real file in a temporary directory
 * DESCRIPTION
 *        Opening, migrations, refusal of foreign files, upserts, state, grouping
 *        queries, transactions and the busy timeout with a second connection.
 *        SQLite itself is used here only to forge files the store must refuse
 *        and to look at what the store wrote.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <sqlite3.h>
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
#include "store.h"
#include "store-fixture.h"

/* setup - a temporary directory; the store, in a directory to be made, is not opened */
static int setup(void **state) {
        StoreFixture *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        store_fixture_init(f, "sub/dir/mxtls.db");
        *state = f;
        return 0;
}

static Store *open_rw(const StoreFixture *f) {
        Store *s = NULL;
        int r = store_open(f->path, STORE_READ_WRITE, &s);

        if (r < 0)
                fail_msg("store_open(%s): %s", f->path, strerror(-r));
        return s;
}

/* add - a row to mx.example.net, Verified when it has a protocol */
static void add(Store *s, const char *day, const char *host, const char *domain, const char *protocol,
                const char *outcome, const char *reason, uint64_t count) {
        store_fixture_add(s, day, host, domain, "mx.example.net", protocol, *protocol ? "Verified" : "", "",
                          outcome, reason, count);
}

static int64_t sql_int(const char *path, const char *sql) {
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        int64_t v = -1;

        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        if (sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
        return v;
}

static void sql_exec(const char *path, const char *sql) {
        sqlite3 *db = NULL;

        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
                fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        sqlite3_close(db);
}

typedef struct Collected {
        char text[4096];
        size_t rows;
        uint64_t total;
} Collected;

/* Rows as "day|host|domain|outcome|count;" for easy comparison. */
static int collect_row(const DailyRow *row, void *userdata) {
        Collected *c = userdata;
        size_t n = strlen(c->text);

        (void) snprintf(c->text + n, sizeof(c->text) - n, "%s|%s|%s|%s|%s|%ju;", row->day, row->host,
                        row->domain, row->protocol, row->outcome, (uintmax_t) row->count);
        c->rows++;
        c->total += row->count;
        return 0;
}

static void test_open_creates_and_migrates(void **state) {
        StoreFixture *f = *state;
        struct stat st;
        char dir[192];
        Store *s;

        (void) umask(022);
        s = open_rw(f);
        assert_string_equal(store_path(s), f->path);
        add(s, "2024-03-01", "h", "example.com", "TLSv1.3", "tls", "", 1);
        s = store_close(s);

        assert_int_equal(stat(f->path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0640);
        (void) snprintf(dir, sizeof(dir), "%s/sub/dir", f->dir);
        assert_int_equal(stat(dir, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0750);

        assert_int_equal(sql_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
        assert_int_equal(sql_int(f->path, "PRAGMA application_id"), 0x6d78746c);
        assert_int_equal(sql_int(f->path, "SELECT MAX(version) FROM schema_version"), STORE_SCHEMA_VERSION);
        assert_int_equal(sql_int(f->path, "SELECT count(*) FROM schema_version"), STORE_SCHEMA_VERSION);
        assert_int_equal(sql_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'daily_domain_day'"), 1);

        /* A second open does not run the migrations again, and keeps the data. */
        s = open_rw(f);
        s = store_close(s);
        assert_int_equal(sql_int(f->path, "SELECT count(*) FROM schema_version"), STORE_SCHEMA_VERSION);
        assert_int_equal(sql_int(f->path, "SELECT count FROM daily"), 1);
        /* WAL is a property of the file once set. */
        sqlite3 *db = NULL;
        sqlite3_stmt *q = NULL;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_string_equal((const char *) sqlite3_column_text(q, 0), "wal");
        sqlite3_finalize(q);
        sqlite3_close(db);
}

static void test_read_only(void **state) {
        StoreFixture *f = *state;
        Store *s = NULL;
        char *msg = NULL;
        DailyRow row = { .day = "2024-03-01", .outcome = "tls", .count = 1 };

        assert_int_equal(store_open_full(f->path, STORE_READ_ONLY, &s, &msg), -ENOENT);
        assert_null(s);
        assert_non_null(msg);
        free(msg);
        assert_int_equal(store_open(f->path, STORE_READ_ONLY, &s), -ENOENT);

        s = open_rw(f);
        s = store_close(s);
        assert_int_equal(store_open(f->path, STORE_READ_ONLY, &s), 0);
        assert_int_equal(store_add_daily(s, &row), -EROFS);
        assert_non_null(strstr(store_last_error(s), f->path));
        s = store_close(s);
}

static void expect_refused(const char *path, const char *want_words) {
        Store *s = NULL;
        char *msg = NULL;
        int r = store_open_full(path, STORE_READ_WRITE, &s, &msg);

        if (r != -EBADMSG)
                fail_msg("%s: got %d, want -EBADMSG", path, r);
        assert_null(s);
        assert_non_null(msg);
        if (!strstr(msg, want_words))
                fail_msg("message \"%s\" does not say \"%s\"", msg, want_words);
        free(msg);
        /* Read-only refuses it too. */
        assert_int_equal(store_open(path, STORE_READ_ONLY, &s), -EBADMSG);
}

static void test_refuses_foreign_files(void **state) {
        StoreFixture *f = *state;
        char path[192];
        int fd;

        /* Some other application's SQLite database: left untouched. */
        (void) snprintf(path, sizeof(path), "%s/other.db", f->dir);
        sql_exec(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
        expect_refused(path, "not an mxtls store");
        assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master"), 1);
        assert_int_equal(sql_int(path, "PRAGMA application_id"), 0);

        /* A file of junk. */
        (void) snprintf(path, sizeof(path), "%s/junk.db", f->dir);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        for (int i = 0; i < 64; i++)
                assert_int_equal(write(fd, "this is not a database at all, just text\n", 41), 41);
        close(fd);
        expect_refused(path, "not a database");

        /* Our application id but no schema_version table. */
        (void) snprintf(path, sizeof(path), "%s/damaged.db", f->dir);
        sql_exec(path, "PRAGMA application_id = 1836610668; PRAGMA user_version = 1; CREATE TABLE x (y);");
        expect_refused(path, "damaged");
}

static void test_refuses_newer_schema(void **state) {
        StoreFixture *f = *state;
        Store *s = open_rw(f);
        char *msg = NULL;

        s = store_close(s);
        sql_exec(f->path, "INSERT INTO schema_version (version, description) VALUES (99, 'future');"
                          "PRAGMA user_version = 99;");
        assert_int_equal(store_open_full(f->path, STORE_READ_WRITE, &s, &msg), -EBADMSG);
        assert_null(s);
        assert_non_null(strstr(msg, "newer"));
        assert_non_null(strstr(msg, "99"));
        free(msg);
        assert_int_equal(store_open(f->path, STORE_READ_ONLY, &s), -EBADMSG);
        /* Nothing was changed in the file. */
        assert_int_equal(sql_int(f->path, "PRAGMA user_version"), 99);
}

static void test_migrates_older_schema(void **state) {
        StoreFixture *f = *state;
        char path[192];
        Store *s = NULL;

        /* An mxtls store at version 0 (marked, nothing migrated yet): a read-only
         * open upgrades it through a writable connection first. */
        (void) snprintf(path, sizeof(path), "%s/old.db", f->dir);
        sql_exec(path, "PRAGMA application_id = 1836610668; PRAGMA user_version = 0;"
                       "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL,"
                       " applied_at TEXT NOT NULL DEFAULT '');");
        assert_int_equal(store_open(path, STORE_READ_ONLY, &s), 0);
        s = store_close(s);
        assert_int_equal(sql_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
        assert_int_equal(sql_int(path, "SELECT count(*) FROM schema_version"), STORE_SCHEMA_VERSION);
        assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'daily'"), 1);

        /* A read-only open of an empty file is "no data", and creates nothing. */
        (void) snprintf(path, sizeof(path), "%s/empty.db", f->dir);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(store_open(path, STORE_READ_ONLY, &s), -ENOENT);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, 0);
}

static void test_upsert_adds(void **state) {
        StoreFixture *f = *state;
        Store *s = open_rw(f);
        StoreQuery q = { .group = COL_ALL };
        Collected c = { 0 };

        add(s, "2024-03-01", "mta1", "example.com", "TLSv1.3", "tls", "", 3);
        add(s, "2024-03-01", "mta1", "example.com", "TLSv1.3", "tls", "", 4);
        add(s, "2024-03-01", "mta1", "example.com", "TLSv1.2", "tls", "", 5);
        add(s, "2024-03-01", "mta2", "example.com", "TLSv1.3", "tls", "", 1);
        assert_int_equal(store_query_daily(s, &q, collect_row, &c), 0);
        assert_string_equal(c.text,
                            "2024-03-01|mta1|example.com|TLSv1.2|tls|5;"
                            "2024-03-01|mta1|example.com|TLSv1.3|tls|7;"
                            "2024-03-01|mta2|example.com|TLSv1.3|tls|1;");

        /* NULL strings are stored as "" and match "" on the next add. */
        DailyRow row = { .day = "2024-03-02", .outcome = "plaintext", .count = 2 };
        assert_int_equal(store_add_daily(s, &row), 0);
        row.host = "";
        row.count = 1;
        assert_int_equal(store_add_daily(s, &row), 0);
        assert_int_equal(sql_int(f->path, "SELECT count FROM daily WHERE day = '2024-03-02'"), 3);

        /* Bad input. */
        row.day = "2024-3-2";
        assert_int_equal(store_add_daily(s, &row), -EINVAL);
        row.day = "2024-03-02";
        row.count = (uint64_t) INT64_MAX + 1;
        assert_int_equal(store_add_daily(s, &row), -EINVAL);
        s = store_close(s);
}

static void test_state_round_trip(void **state) {
        StoreFixture *f = *state;
        Store *s = open_rw(f);
        static const char blob[] = { 'a', '\0', (char) 0xff, '\n', '\0', 'z' };
        char *v = NULL;
        size_t n = 0;

        assert_int_equal(store_get_state(s, "cursor", &v, &n), -ENOENT);
        assert_int_equal(store_set_state(s, "cursor", blob, sizeof(blob)), 0);
        assert_int_equal(store_get_state(s, "cursor", &v, &n), 0);
        assert_int_equal(n, sizeof(blob));
        assert_memory_equal(v, blob, sizeof(blob));
        assert_int_equal(v[n], '\0');
        free(v);

        /* Replace, survive a reopen, empty value, delete. */
        assert_int_equal(store_set_state(s, "cursor", "s=1;i=2", 7), 0);
        s = store_close(s);
        s = open_rw(f);
        assert_int_equal(store_get_state(s, "cursor", &v, &n), 0);
        assert_int_equal(n, 7);
        assert_string_equal(v, "s=1;i=2");
        free(v);
        assert_int_equal(store_set_state(s, "empty", NULL, 0), 0);
        assert_int_equal(store_get_state(s, "empty", &v, &n), 0);
        assert_int_equal(n, 0);
        free(v);
        assert_int_equal(store_delete_state(s, "cursor"), 0);
        assert_int_equal(store_get_state(s, "cursor", &v, &n), -ENOENT);
        s = store_close(s);
}

static void fill_grouping(Store *s) {
        add(s, "2024-03-01", "mta1", "b.example", "TLSv1.3", "tls", "", 10);
        add(s, "2024-03-01", "mta1", "a.example", "", "plaintext", "", 2);
        add(s, "2024-03-02", "mta2", "a.example", "TLSv1.2", "tls", "", 4);
        add(s, "2024-03-02", "mta1", "a.example", "", "tls_failed", "cert_not_verified", 1);
        add(s, "2024-03-03", "mta2", "b.example", "TLSv1.3", "tls", "", 6);
        add(s, "2024-03-04", "mta1", "c.example", "TLSv1.3", "tls", "", 100);
}

static void test_grouping_queries(void **state) {
        StoreFixture *f = *state;
        Store *s = open_rw(f);
        Collected c;

        fill_grouping(s);

        /* By domain and outcome, over a window, ordered by the grouped columns. */
        StoreQuery q = { .from_day = "2024-03-01", .to_day = "2024-03-03", .group = COL_DOMAIN | COL_OUTCOME };
        c = (Collected) { 0 };
        assert_int_equal(store_query_daily(s, &q, collect_row, &c), 0);
        assert_string_equal(c.text,
                            "||a.example||plaintext|2;"
                            "||a.example||tls|4;"
                            "||a.example||tls_failed|1;"
                            "||b.example||tls|16;");

        /* Only the domain: sums over everything else. */
        q = (StoreQuery) { .group = COL_DOMAIN };
        c = (Collected) { 0 };
        assert_int_equal(store_query_daily(s, &q, collect_row, &c), 0);
        assert_string_equal(c.text, "||a.example|||7;||b.example|||16;||c.example|||100;");

        /* Domain filter, grouped by day. */
        q = (StoreQuery) { .domain = "a.example", .group = COL_DAY };
        c = (Collected) { 0 };
        assert_int_equal(store_query_daily(s, &q, collect_row, &c), 0);
        assert_string_equal(c.text, "2024-03-01|||||2;2024-03-02|||||5;");

        /* Host filter, grouped by host and protocol. */
        q = (StoreQuery) { .host = "mta2", .group = COL_HOST | COL_PROTOCOL };
        c = (Collected) { 0 };
        assert_int_equal(store_query_daily(s, &q, collect_row, &c), 0);
        assert_string_equal(c.text, "|mta2||TLSv1.2||4;|mta2||TLSv1.3||6;");

        /* Nothing grouped: one total row; an empty window: no row at all. */
        q = (StoreQuery) { .group = 0 };
        c = (Collected) { 0 };
        assert_int_equal(store_query_daily(s, &q, collect_row, &c), 0);
        assert_int_equal(c.rows, 1);
        assert_int_equal(c.total, 123);
        q.from_day = "2025-01-01";
        c = (Collected) { 0 };
        assert_int_equal(store_query_daily(s, &q, collect_row, &c), 0);
        assert_int_equal(c.rows, 0);

        /* Unmerged: rows in primary key order, the caller adds up repeated keys. */
        q = (StoreQuery) { .group = COL_DOMAIN | COL_OUTCOME, .unmerged = true, .to_day = "2024-03-03" };
        c = (Collected) { 0 };
        assert_int_equal(store_query_daily(s, &q, collect_row, &c), 0);
        assert_string_equal(c.text,
                            "||a.example||plaintext|2;"
                            "||b.example||tls|10;"
                            "||a.example||tls_failed|1;"
                            "||a.example||tls|4;"
                            "||b.example||tls|6;");

        q = (StoreQuery) { .group = 0, .from_day = "yesterday" };
        assert_int_equal(store_query_daily(s, &q, collect_row, &c), -EINVAL);
        s = store_close(s);
}

static int stop_after_one(const DailyRow *row, void *userdata) {
        (*(int *) userdata)++;
        return -ECANCELED;
}

static void test_callback_stops(void **state) {
        StoreFixture *f = *state;
        Store *s = open_rw(f);
        StoreQuery q = { .group = COL_ALL };
        Collected c = { 0 };
        int calls = 0;

        fill_grouping(s);
        assert_int_equal(store_query_daily(s, &q, stop_after_one, &calls), -ECANCELED);
        assert_int_equal(calls, 1);
        /* The cached statement was reset: the same query runs again in full. */
        assert_int_equal(store_query_daily(s, &q, collect_row, &c), 0);
        assert_int_equal(c.rows, 6);
        s = store_close(s);
}

static int collect_evidence(const EvidenceRow *row, void *userdata) {
        Collected *c = userdata;
        size_t n = strlen(c->text);

        (void) snprintf(c->text + n, sizeof(c->text) - n, "%s|%s|%ju|%ju|%ju;", row->day, row->host,
                        (uintmax_t) row->deliveries, (uintmax_t) row->tls_lines, (uintmax_t) row->tls_fields);
        c->rows++;
        return 0;
}

static void test_evidence(void **state) {
        StoreFixture *f = *state;
        Store *s = open_rw(f);
        Collected c = { 0 };

        EvidenceRow e = { .day = "2024-03-01", .host = "mta1", .deliveries = 5, .tls_lines = 3, .tls_fields = 0 };
        assert_int_equal(store_add_evidence(s, &e), 0);
        assert_int_equal(store_add_evidence(s, &e), 0);
        e = (EvidenceRow) { .day = "2024-03-02", .host = "mta2", .deliveries = 7 };
        assert_int_equal(store_add_evidence(s, &e), 0);
        e = (EvidenceRow) { .day = "2024-03-02", .host = "mta1", .deliveries = 1, .tls_fields = 1 };
        assert_int_equal(store_add_evidence(s, &e), 0);

        StoreQuery q = { .group = COL_DAY | COL_HOST };
        assert_int_equal(store_query_evidence(s, &q, collect_evidence, &c), 0);
        assert_string_equal(c.text, "2024-03-01|mta1|10|6|0;2024-03-02|mta1|1|0|1;2024-03-02|mta2|7|0|0;");

        q = (StoreQuery) { .group = COL_HOST, .from_day = "2024-03-02" };
        c = (Collected) { 0 };
        assert_int_equal(store_query_evidence(s, &q, collect_evidence, &c), 0);
        assert_string_equal(c.text, "|mta1|1|0|1;|mta2|7|0|0;");

        q = (StoreQuery) { .group = COL_DAY, .host = "mta1" };
        c = (Collected) { 0 };
        assert_int_equal(store_query_evidence(s, &q, collect_evidence, &c), 0);
        assert_string_equal(c.text, "2024-03-01||10|6|0;2024-03-02||1|0|1;");
        s = store_close(s);
}

static void test_day_range_and_prune(void **state) {
        StoreFixture *f = *state;
        Store *s = open_rw(f);
        char first[11], last[11];
        Collected c = { 0 };
        StoreQuery q = { .group = COL_DAY };

        assert_int_equal(store_day_range(s, first, last), -ENODATA);
        fill_grouping(s);
        EvidenceRow e = { .day = "2024-03-01", .host = "mta1", .deliveries = 5 };
        assert_int_equal(store_add_evidence(s, &e), 0);
        assert_int_equal(store_day_range(s, first, last), 0);
        assert_string_equal(first, "2024-03-01");
        assert_string_equal(last, "2024-03-04");

        assert_int_equal(store_prune(s, "2024-03-03"), 4);
        assert_int_equal(store_day_range(s, first, last), 0);
        assert_string_equal(first, "2024-03-03");
        assert_int_equal(store_query_daily(s, &q, collect_row, &c), 0);
        assert_string_equal(c.text, "2024-03-03|||||6;2024-03-04|||||100;");
        c = (Collected) { 0 };
        assert_int_equal(store_query_evidence(s, &q, collect_evidence, &c), 0);
        assert_int_equal(c.rows, 0);
        assert_int_equal(store_prune(s, "2024-03-03"), 0);
        assert_int_equal(store_prune(s, "March"), -EINVAL);
        s = store_close(s);
}

static void test_rollback_leaves_nothing(void **state) {
        StoreFixture *f = *state;
        Store *s = open_rw(f);
        StoreQuery q = { .group = COL_ALL };
        Collected c = { 0 };
        char *v = NULL;
        size_t n;

        add(s, "2024-03-01", "mta1", "kept.example", "TLSv1.3", "tls", "", 1);
        assert_int_equal(store_begin(s), 0);
        add(s, "2024-03-01", "mta1", "kept.example", "TLSv1.3", "tls", "", 5);
        add(s, "2024-03-02", "mta1", "gone.example", "", "plaintext", "", 1);
        EvidenceRow e = { .day = "2024-03-01", .host = "mta1", .deliveries = 5 };
        assert_int_equal(store_add_evidence(s, &e), 0);
        assert_int_equal(store_set_state(s, "cursor", "abc", 3), 0);
        assert_int_equal(store_rollback(s), 0);

        assert_int_equal(store_query_daily(s, &q, collect_row, &c), 0);
        assert_string_equal(c.text, "2024-03-01|mta1|kept.example|TLSv1.3|tls|1;");
        assert_int_equal(store_get_state(s, "cursor", &v, &n), -ENOENT);
        assert_int_equal(sql_int(f->path, "SELECT count(*) FROM evidence"), 0);

        /* And a commit keeps everything. */
        assert_int_equal(store_begin(s), 0);
        add(s, "2024-03-02", "mta1", "new.example", "", "plaintext", "", 1);
        assert_int_equal(store_set_state(s, "cursor", "abc", 3), 0);
        assert_int_equal(store_commit(s), 0);
        s = store_close(s);
        assert_int_equal(sql_int(f->path, "SELECT count(*) FROM daily"), 2);
        assert_int_equal(sql_int(f->path, "SELECT count(*) FROM state"), 1);
        /* Rolling back with no transaction open is harmless. */
        s = open_rw(f);
        assert_int_equal(store_rollback(s), 0);
        s = store_close(s);
}

static uint64_t mono_msec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static void test_busy_timeout(void **state) {
        StoreFixture *f = *state;
        Store *a = open_rw(f), *b = open_rw(f), *ro = NULL;
        uint64_t t0, elapsed;
        StoreQuery q = { .group = COL_ALL };
        Collected c = { 0 };

        assert_int_equal(store_begin(a), 0);
        add(a, "2024-03-01", "mta1", "a.example", "TLSv1.3", "tls", "", 1);

        assert_int_equal(store_set_busy_timeout(b, 300), 0);
        t0 = mono_msec();
        assert_int_equal(store_begin(b), -EBUSY);
        elapsed = mono_msec() - t0;
        if (elapsed < 250 || elapsed > 5000)
                fail_msg("gave up after %ju ms, want about 300 ms", (uintmax_t) elapsed);
        assert_non_null(strstr(store_last_error(b), "locked"));

        /* An autocommit write waits and fails the same way. */
        DailyRow row = { .day = "2024-03-01", .outcome = "tls", .count = 1 };
        assert_int_equal(store_add_daily(b, &row), -EBUSY);

        /* Readers are not blocked by the writer (WAL) and see the last commit. */
        assert_int_equal(store_open(f->path, STORE_READ_ONLY, &ro), 0);
        assert_int_equal(store_query_daily(ro, &q, collect_row, &c), 0);
        assert_int_equal(c.rows, 0);

        assert_int_equal(store_commit(a), 0);
        assert_int_equal(store_begin(b), 0);
        assert_int_equal(store_add_daily(b, &row), 0);
        assert_int_equal(store_commit(b), 0);
        c = (Collected) { 0 };
        assert_int_equal(store_query_daily(ro, &q, collect_row, &c), 0);
        assert_int_equal(c.rows, 2);

        ro = store_close(ro);
        a = store_close(a);
        b = store_close(b);
}

/* Rows of a grouped query as text, one line per row, to compare two ways of getting them. */
typedef struct Lines {
        char *buf;
        size_t len, cap;
} Lines;

static void lines_add(Lines *l, const char *const *v, int64_t count) {
        char line[512];
        int n = snprintf(line, sizeof(line), "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%lld\n", v[0], v[1], v[2], v[3],
                         v[4], v[5], v[6], v[7], v[8], v[9], (long long) count);

        assert_true(n > 0 && (size_t) n < sizeof(line));
        if (l->len + (size_t) n + 1 > l->cap) {
                l->cap = (l->len + (size_t) n + 1) * 2;
                l->buf = realloc(l->buf, l->cap);
                assert_non_null(l->buf);
        }
        memcpy(l->buf + l->len, line, (size_t) n + 1);
        l->len += (size_t) n;
}

static int lines_row(const DailyRow *r, void *userdata) {
        const char *v[] = { r->day, r->host, r->domain, r->mx, r->protocol, r->cipher, r->trust, r->level,
                            r->outcome, r->reason };

        lines_add(userdata, v, (int64_t) r->count);
        return 0;
}

static const char *const column_names[] = {
        "day", "host", "domain", "mx", "protocol", "cipher", "trust", "level", "outcome", "reason",
};

/* sql_grouped - what SQLite's own GROUP BY gives for the query */
static void sql_grouped(sqlite3 *db, const StoreQuery *q, Lines *out) {
        char sql[1024] = "SELECT ";
        sqlite3_stmt *st = NULL;
        bool first = true;

        for (int i = 0; i < 10; i++) {
                strcat(sql, q->group & (1u << i) ? column_names[i] : "''");
                strcat(sql, ", ");
        }
        strcat(sql, "SUM(count) FROM daily WHERE day >= ?1 AND day <= ?2");
        if (q->domain)
                strcat(sql, " AND domain = ?3");
        if (q->host)
                strcat(sql, " AND host = ?4");
        for (int pass = 0; pass < 2; pass++) {
                strcat(sql, pass == 0 ? " GROUP BY " : " ORDER BY ");
                first = true;
                for (int i = 0; i < 10; i++)
                        if (q->group & (1u << i)) {
                                strcat(sql, first ? "" : ", ");
                                strcat(sql, column_names[i]);
                                first = false;
                        }
        }
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_text(st, 1, q->from_day, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, q->to_day, -1, SQLITE_STATIC);
        if (q->domain)
                sqlite3_bind_text(st, 3, q->domain, -1, SQLITE_STATIC);
        if (q->host)
                sqlite3_bind_text(st, 4, q->host, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
                const char *v[10];

                for (int i = 0; i < 10; i++)
                        v[i] = (const char *) sqlite3_column_text(st, i);
                lines_add(out, v, sqlite3_column_int64(st, 10));
        }
        sqlite3_finalize(st);
}

static size_t next_rand(unsigned *seed, size_t n) {
        *seed = *seed * 1103515245u + 12345u;
        return (*seed >> 16) % n;
}

/* Grouped queries that keep the day are summed from the rows in key order (store_merge.c):
 * every such grouping, with and without filters, gives what SQLite's GROUP BY gives. */
static void test_grouping_matches_sql(void **state) {
        static const char *const hosts[] = { "mta1", "mta2", "" };
        static const char *const domains[] = { "a.example", "b.example", "c.example", "" };
        static const char *const mxs[] = { "mx2", "mx1", "" };
        static const char *const protocols[] = { "TLSv1.3", "TLSv1.2", "" };
        static const char *const ciphers[] = { "C2", "C1", "" };
        static const char *const trusts[] = { "Verified", "Trusted", "" };
        static const char *const levels[] = { "encrypt", "dane", "" };
        static const char *const outcomes[] = { "tls", "plaintext", "tls_failed" };
        static const char *const reasons[] = { "", "handshake_failed" };
        static const StoreQuery filters[] = {
                { .from_day = "2024-03-01", .to_day = "2024-03-09" },
                { .from_day = "2024-03-03", .to_day = "2024-03-05", .domain = "b.example" },
                { .from_day = "2024-03-02", .to_day = "2024-03-08", .host = "mta2" },
                { .from_day = "2024-03-01", .to_day = "2024-03-09", .domain = "", .host = "" },
        };
        StoreFixture *f = *state;
        Store *s = open_rw(f);
        unsigned seed = 12345;
        sqlite3 *db = NULL;
        size_t masks = 0;

        assert_int_equal(store_begin(s), 0);
        for (int i = 0; i < 600; i++) {
                char day[11];
                DailyRow row;

                (void) snprintf(day, sizeof(day), "2024-03-%02u", 1 + (unsigned) next_rand(&seed, 9));
                row.day = day;
                row.host = hosts[next_rand(&seed, ELEMENTSOF(hosts))];
                row.domain = domains[next_rand(&seed, ELEMENTSOF(domains))];
                row.mx = mxs[next_rand(&seed, ELEMENTSOF(mxs))];
                row.protocol = protocols[next_rand(&seed, ELEMENTSOF(protocols))];
                row.cipher = ciphers[next_rand(&seed, ELEMENTSOF(ciphers))];
                row.trust = trusts[next_rand(&seed, ELEMENTSOF(trusts))];
                row.level = levels[next_rand(&seed, ELEMENTSOF(levels))];
                row.outcome = outcomes[next_rand(&seed, ELEMENTSOF(outcomes))];
                row.reason = reasons[next_rand(&seed, ELEMENTSOF(reasons))];
                row.count = 1 + next_rand(&seed, 50);
                assert_int_equal(store_add_daily(s, &row), 0);
        }
        assert_int_equal(store_commit(s), 0);

        assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        for (unsigned group = 0; group < COL_ALL; group++) {
                if (!(group & COL_DAY))
                        continue;       /* the others are still SQLite's GROUP BY */
                /* every grouping over the whole window, every 7th also with the filters */
                for (size_t i = 0; i < (group % 7 == 1 ? ELEMENTSOF(filters) : 1); i++) {
                        Lines want = { 0 }, got = { 0 };
                        StoreQuery q = filters[i];

                        q.group = group;
                        sql_grouped(db, &q, &want);
                        assert_int_equal(store_query_daily(s, &q, lines_row, &got), 0);
                        assert_true(want.len > 0 || i == 3);
                        assert_int_equal(got.len, want.len);
                        if (want.len > 0)
                                assert_string_equal(got.buf, want.buf);
                        free(want.buf);
                        free(got.buf);
                }
                masks++;
        }
        assert_int_equal(masks, 511);
        sqlite3_close(db);

        /* A sum past INT64_MAX is refused, as SQLite's SUM() refuses it. */
        DailyRow big = { .day = "2024-03-10", .host = "h", .domain = "d", .outcome = "tls", .count = INT64_MAX };
        assert_int_equal(store_add_daily(s, &big), 0);
        big.cipher = "other";
        assert_int_equal(store_add_daily(s, &big), 0);
        StoreQuery q = { .from_day = "2024-03-10", .group = COL_DAY | COL_OUTCOME };
        Lines l = { 0 };
        assert_int_equal(store_query_daily(s, &q, lines_row, &l), -EIO);
        assert_non_null(strstr(store_last_error(s), "overflow"));
        free(l.buf);
        s = store_close(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_open_creates_and_migrates, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_read_only, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_refuses_foreign_files, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_refuses_newer_schema, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_migrates_older_schema, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_upsert_adds, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_state_round_trip, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_grouping_queries, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_grouping_matches_sql, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_callback_stops, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_evidence, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_day_range_and_prune, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing, setup, store_fixture_teardown),
                cmocka_unit_test_setup_teardown(test_busy_timeout, setup, store_fixture_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

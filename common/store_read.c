/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        store_read - query daily and evidence rows, read state and the day range
 * SYNOPSIS
 *        #include "store.h"
 *        int store_query_daily(Store *s, const StoreQuery *q, DailyRowFn fn, void *userdata);
 *        int store_query_evidence(Store *s, const StoreQuery *q, EvidenceRowFn fn, void *userdata);
 *        int store_get_state(Store *s, const char *key, char **ret, size_t *ret_len);
 *        int store_day_range(Store *s, char *ret_first, char *ret_last);
 * DESCRIPTION
 *        A query's shape (grouped columns, which filters, daily or evidence,
 *        merged or not) is its cache key. Its SELECT is built from a fixed
 *        column list (never from data), prepared once and kept in a small
 *        round-robin cache in the Store; the filters are bound parameters:
 *        ?1 from_day, ?2 to_day, ?3 domain, ?4 host.
 *        Rows go to the caller's function through a sink: evidence rows as
 *        they come, daily rows either as they come or, for a grouping that
 *        keeps the day, through a merger (store_merge.c) that sums the rows
 *        read in primary key order instead of a GROUP BY.
 * DIAGNOSTICS
 *        -EINVAL for a malformed day in the query, what a callback returned
 *        (it stops the query), -ENOENT for a missing state key, -ENODATA for
 *        the day range of an empty store, otherwise as store.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_merge.h"
#include "store_private.h"

/* Daily columns in primary key order; bit i of a StoreColumn mask is column i. */
static const char *const column_names[N_COLUMNS] = {
        "day", "host", "domain", "mx", "protocol", "cipher", "trust", "level", "outcome", "reason",
};

#define QKEY_FROM       (1u << 10)
#define QKEY_TO         (1u << 11)
#define QKEY_DOMAIN     (1u << 12)
#define QKEY_HOST       (1u << 13)
#define QKEY_EVIDENCE   (1u << 14)
#define QKEY_UNMERGED   (1u << 15)

static const char sql_day_range[] = "SELECT MIN(day), MAX(day) FROM daily";
static const char sql_get_state[] = "SELECT value FROM state WHERE key = ?1";

/* sql_append - bounded append to a statement being built from constant pieces */
static void sql_append(char *buf, size_t size, const char *s) {
        size_t n = strlen(buf);

        (void) snprintf(buf + n, size - n, "%s", s);
}

/* sql_append_columns - the names of the columns in group, the first after prefix, then ", " */
static void sql_append_columns(char *sql, size_t size, unsigned group, int ncols, const char *prefix) {
        bool first = true;

        for (int i = 0; i < ncols; i++)
                if (group & (1u << i)) {
                        sql_append(sql, size, first ? prefix : ", ");
                        sql_append(sql, size, column_names[i]);
                        first = false;
                }
}

/* query_select_evidence - the counters by day and host, summed over what is not kept */
static void query_select_evidence(unsigned group, char *sql, size_t size) {
        bool grouped = (group & (COL_DAY | COL_HOST)) != (COL_DAY | COL_HOST);

        sql_append(sql, size, "SELECT ");
        sql_append(sql, size, group & COL_DAY ? "day, " : "'', ");
        sql_append(sql, size, group & COL_HOST ? "host, " : "'', ");
        sql_append(sql, size, grouped ? "SUM(deliveries), SUM(tls_lines), SUM(tls_fields)" :
                                        "deliveries, tls_lines, tls_fields");
        sql_append(sql, size, " FROM evidence WHERE 1");
}

/* query_select_daily - the kept columns ('' for the others) and the count, summed when grouped */
static void query_select_daily(unsigned key, char *sql, size_t size) {
        unsigned group = key & COL_ALL;
        /* Every key column kept: rows are already unique, no grouping needed. */
        bool merge = group != COL_ALL && !(key & QKEY_UNMERGED);

        sql_append(sql, size, "SELECT ");
        for (int i = 0; i < N_COLUMNS; i++) {
                sql_append(sql, size, group & (1u << i) ? column_names[i] : "''");
                sql_append(sql, size, ", ");
        }
        sql_append(sql, size, merge ? "SUM(count)" : "count");
        sql_append(sql, size, " FROM daily WHERE 1");
        if (key & QKEY_DOMAIN)
                sql_append(sql, size, " AND domain = ?3");
}

/* query_group_order - GROUP BY the kept columns when rows are summed, ORDER BY them */
static void query_group_order(unsigned key, char *sql, size_t size) {
        unsigned group = key & COL_ALL, day_host = group & (COL_DAY | COL_HOST);
        bool evidence = key & QKEY_EVIDENCE;
        int ncols = evidence ? 2 : N_COLUMNS;

        if (key & QKEY_UNMERGED)
                group = COL_ALL;        /* only for the ORDER BY: the primary key order */
        else if (!evidence && group != COL_ALL && group != 0)
                sql_append_columns(sql, size, group, ncols, " GROUP BY ");
        else if (evidence && day_host && day_host != (COL_DAY | COL_HOST))
                sql_append(sql, size, group & COL_DAY ? " GROUP BY day" : " GROUP BY host");
        sql_append_columns(sql, size, group, ncols, " ORDER BY ");
}

/* query_build_sql - SELECT for one cache key; only constant column names go in */
static void query_build_sql(unsigned key, char *sql, size_t size) {
        sql[0] = '\0';
        if (key & QKEY_EVIDENCE)
                query_select_evidence(key & COL_ALL, sql, size);
        else
                query_select_daily(key, sql, size);
        if (key & QKEY_FROM)
                sql_append(sql, size, " AND day >= ?1");
        if (key & QKEY_TO)
                sql_append(sql, size, " AND day <= ?2");
        if (key & QKEY_HOST)
                sql_append(sql, size, " AND host = ?4");
        query_group_order(key, sql, size);
}

/* query_key - the cache key of a query's shape; evidence keeps only the day and host bits */
static unsigned query_key(const StoreQuery *q, bool evidence) {
        unsigned key = (q->group & COL_ALL) |
                (q->from_day ? QKEY_FROM : 0) | (q->to_day ? QKEY_TO : 0) |
                (q->domain && !evidence ? QKEY_DOMAIN : 0) | (q->host ? QKEY_HOST : 0) |
                (evidence ? QKEY_EVIDENCE : QKEY_UNMERGED * q->unmerged);

        if (evidence)
                key &= ~(unsigned) (COL_ALL & ~(COL_DAY | COL_HOST));
        return key;
}

/* query_cached - the prepared statement for key, from the cache or built now in the next slot */
static int query_cached(Store *s, unsigned key, sqlite3_stmt **ret) {
        CachedQuery *slot;
        char sql[1024];
        int rc;

        for (size_t i = 0; i < QUERY_CACHE_SIZE; i++)
                if (s->queries[i].stmt && s->queries[i].key == key) {
                        *ret = s->queries[i].stmt;
                        return 0;
                }

        slot = &s->queries[s->queries_next];
        s->queries_next = (s->queries_next + 1) % QUERY_CACHE_SIZE;
        (void) sqlite3_finalize(slot->stmt);
        slot->stmt = NULL;
        query_build_sql(key, sql, sizeof(sql));
        rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->stmt, NULL);
        if (rc != SQLITE_OK)
                return store_fail_sqlite(s, rc, "cannot prepare a query");
        slot->key = key;
        *ret = slot->stmt;
        return 0;
}

/* store_query_stmt - cached statement for a query shape, parameters bound */
static int store_query_stmt(Store *s, const StoreQuery *q, bool evidence, sqlite3_stmt **ret) {
        unsigned key = query_key(q, evidence);
        sqlite3_stmt *st = NULL;
        int rc = SQLITE_OK, r;

        r = query_cached(s, key, &st);
        if (r < 0)
                return r;
        if (q->from_day)
                rc = store_bind_text(st, 1, q->from_day);
        if (rc == SQLITE_OK && q->to_day)
                rc = store_bind_text(st, 2, q->to_day);
        if (rc == SQLITE_OK && (key & QKEY_DOMAIN))
                rc = store_bind_text(st, 3, q->domain);
        if (rc == SQLITE_OK && q->host)
                rc = store_bind_text(st, 4, q->host);
        if (rc != SQLITE_OK) {
                store_finish(st);
                return store_fail_sqlite(s, rc, "cannot bind query parameters");
        }
        *ret = st;
        return 0;
}

/* column_str - a text column, "" for NULL */
static const char *column_str(sqlite3_stmt *st, int i) {
        const char *v = (const char *) sqlite3_column_text(st, i);
        return v ? v : "";
}

/* column_u64 - a counter column, 0 for NULL or below zero */
static uint64_t column_u64(sqlite3_stmt *st, int i) {
        sqlite3_int64 v = sqlite3_column_int64(st, i);
        return v > 0 ? (uint64_t) v : 0;
}

/* query_check - are the days of the window well-formed? */
static int query_check(const StoreQuery *q) {
        if ((q->from_day && !store_day_is_valid(q->from_day)) || (q->to_day && !store_day_is_valid(q->to_day)))
                return -EINVAL;
        return 0;
}

/* A query's rows go to the caller's function for its kind of row. */
typedef struct RowSink {
        const StoreQuery *q;
        EvidenceRowFn evidence;
        void *userdata;
} RowSink;

/* sink_row - the current evidence row to the caller; rows of a SUM over nothing are skipped */
static int sink_row(const RowSink *k, sqlite3_stmt *st) {
        if (sqlite3_column_type(st, 2) == SQLITE_NULL)
                return 0;
        EvidenceRow row = {
                .day = column_str(st, 0),
                .host = column_str(st, 1),
                .deliveries = column_u64(st, 2),
                .tls_lines = column_u64(st, 3),
                .tls_fields = column_u64(st, 4),
        };
        return k->evidence(&row, k->userdata);
}

/* store_query_run - run the evidence query of k, every row to its function; stops at the first error */
static int store_query_run(Store *s, const RowSink *k) {
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !k->q || query_check(k->q) < 0)
                return -EINVAL;
        r = store_query_stmt(s, k->q, true, &st);
        if (r < 0)
                return r;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                r = sink_row(k, st);
                if (r < 0) {
                        store_finish(st);
                        return r;
                }
        }
        if (rc != SQLITE_DONE)
                r = store_fail_sqlite(s, rc, "query failed");
        store_finish(st);
        return r < 0 ? r : 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(RowMerge *, row_merge_free)

/* One daily row as read: the grouped columns ("" for the others) and the count as stored. */
typedef struct ScanRow {
        const char *v[N_COLUMNS];
        int64_t count;
        bool count_null;
} ScanRow;

/* scan_row_read - the current daily row of st */
static void scan_row_read(sqlite3_stmt *st, unsigned group, ScanRow *ret) {
        for (int i = 0; i < N_COLUMNS; i++)
                ret->v[i] = group & (1u << i) ? column_str(st, i) : "";
        ret->count_null = sqlite3_column_type(st, N_COLUMNS) == SQLITE_NULL;
        ret->count = sqlite3_column_int64(st, N_COLUMNS);
}

/* Where the rows of a daily query go: the caller's function, or a merger in front of it. */
typedef struct DailySink {
        unsigned group;                 /* columns read; the others are "" */
        DailyRowFn fn;
        void *userdata;
        RowMerge *merge;
} DailySink;

/* daily_sink_row - one daily row to the merger or to the caller; a SUM over nothing is skipped */
static int daily_sink_row(const DailySink *k, const ScanRow *row) {
        const char *const *v = row->v;
        DailyRow r = {
                .day = v[0], .host = v[1], .domain = v[2], .mx = v[3], .protocol = v[4],
                .cipher = v[5], .trust = v[6], .level = v[7], .outcome = v[8], .reason = v[9],
                .count = row->count > 0 ? (uint64_t) row->count : 0,
        };

        if (row->count_null)
                return 0;       /* a SUM over nothing; SUM() skips NULL */
        if (k->merge)
                return row_merge_add(k->merge, &r, row->count);
        return k->fn(&r, k->userdata);
}

/* daily_run - step st to its end, every row to k; stops at the first error */
static int daily_run(Store *s, sqlite3_stmt *st, const DailySink *k) {
        ScanRow row;
        int rc, r = 0;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                scan_row_read(st, k->group, &row);
                r = daily_sink_row(k, &row);
                if (r < 0)
                        break;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_fail_sqlite(s, rc, "query failed");
        store_finish(st);
        return r < 0 ? r : 0;
}

/* store_query_daily_run - a daily query; grouped ones are summed from the rows in primary key order
 *
 * For a GROUP BY SQLite would feed every row of the window to its sorter;
 * reading them in key order and summing one run of equal leading columns at
 * a time (store_merge.c) gives the same rows in the same order at the cost of
 * a plain scan. */
static int store_query_daily_run(Store *s, const StoreQuery *q, DailyRowFn fn, void *userdata) {
        _cleanup_(row_merge_freep) RowMerge *m = NULL;
        DailySink k = { .group = q->group & COL_ALL, .fn = fn, .userdata = userdata };
        StoreQuery scan = *q;
        sqlite3_stmt *st = NULL;
        int r;

        if (query_check(q) < 0)
                return -EINVAL;
        if (!q->unmerged && row_merge_applies(q->group)) {
                r = row_merge_new(q->group, fn, userdata, &m);
                if (r < 0)
                        return r;
                k.merge = m;
                scan.unmerged = true;
        }
        r = store_query_stmt(s, &scan, false, &st);
        if (r < 0)
                return r;
        r = daily_run(s, st, &k);
        if (r >= 0 && m)
                r = row_merge_finish(m);
        if (r < 0 && row_merge_overflowed(m))
                return store_fail(s, -EIO, "%s: query failed: integer overflow", s->path);
        return r;
}

/* store_query_daily - daily rows of a window, grouped by q->group */
int store_query_daily(Store *s, const StoreQuery *q, DailyRowFn fn, void *userdata) {
        if (!s || !q || !fn)
                return -EINVAL;
        return store_query_daily_run(s, q, fn, userdata);
}

/* store_query_evidence - evidence rows of a window, grouped by the day and host bits of q->group */
int store_query_evidence(Store *s, const StoreQuery *q, EvidenceRowFn fn, void *userdata) {
        if (!fn)
                return -EINVAL;
        return store_query_run(s, &(const RowSink) { .q = q, .evidence = fn, .userdata = userdata });
}

/* store_day_range - the first and the last day with a daily row */
int store_day_range(Store *s, char *ret_first, char *ret_last) {
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !ret_first || !ret_last)
                return -EINVAL;
        r = store_prepare(s, STMT_DAY_RANGE, sql_day_range, &st);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
                r = store_fail_sqlite(s, rc, "cannot read the day range");
                store_finish(st);
                return r;
        }
        const char *first = (const char *) sqlite3_column_text(st, 0);
        const char *last = (const char *) sqlite3_column_text(st, 1);
        if (!store_day_is_valid(first) || !store_day_is_valid(last)) {
                store_finish(st);
                return -ENODATA;
        }
        memcpy(ret_first, first, 11);
        memcpy(ret_last, last, 11);
        store_finish(st);
        return 0;
}

/* store_get_state - a copy of the value under key, NUL-terminated */
int store_get_state(Store *s, const char *key, char **ret, size_t *ret_len) {
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !key || !ret)
                return -EINVAL;
        r = store_prepare(s, STMT_GET_STATE, sql_get_state, &st);
        if (r < 0)
                return r;
        rc = store_bind_text(st, 1, key);
        if (rc == SQLITE_OK)
                rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
                store_finish(st);
                return -ENOENT;
        }
        if (rc != SQLITE_ROW) {
                r = store_fail_sqlite(s, rc, "cannot read state");
                store_finish(st);
                return r;
        }

        const void *blob = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        char *copy = malloc((size_t) n + 1);    /* NUL-terminated for text users */
        if (!copy) {
                store_finish(st);
                return -ENOMEM;
        }
        if (n > 0)
                memcpy(copy, blob, (size_t) n);
        copy[n] = '\0';
        store_finish(st);
        *ret = copy;
        if (ret_len)
                *ret_len = (size_t) n;
        return 0;
}

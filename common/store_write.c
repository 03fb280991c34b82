/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        store_write - add daily and evidence rows, save and delete state, prune old days
 * SYNOPSIS
 *        #include "store.h"
 *        int store_add_daily(Store *s, const DailyRow *row);
 *        int store_add_evidence(Store *s, const EvidenceRow *row);
 *        int store_set_state(Store *s, const char *key, const void *data, size_t len);
 *        int store_delete_state(Store *s, const char *key);
 *        int store_prune(Store *s, const char *before_day);
 * DESCRIPTION
 *        Rows are upserts: the count (the evidence counters) of a row whose
 *        key is already stored is added to it; NULL strings are stored as "".
 *        State values (positions, pending correlation) are blobs under a key,
 *        replaced as a whole. store_prune() removes the evidence and the
 *        daily rows of the days before before_day. All of it runs in the
 *        caller's transaction (store_begin()), or in its own when there is none.
 * DIAGNOSTICS
 *        -EINVAL for a malformed day or a count past INT64_MAX, otherwise as
 *        store.h; store_prune() returns the number of daily rows removed.
 */
#include <errno.h>
#include <limits.h>

#include "store_private.h"

static const char sql_add_daily[] =
        "INSERT INTO daily (day, host, domain, mx, protocol, cipher, trust, level, outcome, reason, count)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT (day, host, domain, mx, protocol, cipher, trust, level, outcome, reason)"
        " DO UPDATE SET count = count + excluded.count";
static const char sql_add_evidence[] =
        "INSERT INTO evidence (day, host, deliveries, tls_lines, tls_fields) VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT (day, host) DO UPDATE SET deliveries = deliveries + excluded.deliveries,"
        " tls_lines = tls_lines + excluded.tls_lines, tls_fields = tls_fields + excluded.tls_fields";
static const char sql_set_state[] = "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)";
static const char sql_delete_state[] = "DELETE FROM state WHERE key = ?1";

/* store_add_daily - add a daily row, or its count to the stored row with the same key */
int store_add_daily(Store *s, const DailyRow *row) {
        sqlite3_stmt *st = NULL;
        int rc = SQLITE_OK, r;

        if (!s || !row || !store_day_is_valid(row->day) || row->count > INT64_MAX)
                return -EINVAL;
        r = store_prepare(s, STMT_ADD_DAILY, sql_add_daily, &st);
        if (r < 0)
                return r;

        const char *values[N_COLUMNS] = {
                row->day, row->host, row->domain, row->mx, row->protocol,
                row->cipher, row->trust, row->level, row->outcome, row->reason,
        };
        for (int i = 0; i < N_COLUMNS && rc == SQLITE_OK; i++)
                rc = store_bind_text(st, i + 1, values[i]);
        if (rc == SQLITE_OK)
                rc = store_bind_u64(st, N_COLUMNS + 1, row->count);
        return store_step_bound(s, st, rc, "cannot bind a daily row", "cannot add a daily row");
}

/* store_add_evidence - add the counters of a (day, host) */
int store_add_evidence(Store *s, const EvidenceRow *row) {
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !row || !store_day_is_valid(row->day) ||
            row->deliveries > INT64_MAX || row->tls_lines > INT64_MAX || row->tls_fields > INT64_MAX)
                return -EINVAL;
        r = store_prepare(s, STMT_ADD_EVIDENCE, sql_add_evidence, &st);
        if (r < 0)
                return r;
        rc = store_bind_text(st, 1, row->day);
        if (rc == SQLITE_OK)
                rc = store_bind_text(st, 2, row->host);
        if (rc == SQLITE_OK)
                rc = store_bind_u64(st, 3, row->deliveries);
        if (rc == SQLITE_OK)
                rc = store_bind_u64(st, 4, row->tls_lines);
        if (rc == SQLITE_OK)
                rc = store_bind_u64(st, 5, row->tls_fields);
        return store_step_bound(s, st, rc, "cannot bind an evidence row", "cannot add an evidence row");
}

/* store_set_state - save a value under key, replacing the old one */
int store_set_state(Store *s, const char *key, const void *data, size_t len) {
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !key || (!data && len > 0) || len > INT_MAX)
                return -EINVAL;
        r = store_prepare(s, STMT_SET_STATE, sql_set_state, &st);
        if (r < 0)
                return r;
        rc = store_bind_text(st, 1, key);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_blob(st, 2, len > 0 ? data : "", (int) len, SQLITE_STATIC);
        return store_step_bound(s, st, rc, "cannot bind a state value", "cannot save state");
}

/* store_delete_state - remove key and its value, if there */
int store_delete_state(Store *s, const char *key) {
        sqlite3_stmt *st = NULL;
        int r;

        if (!s || !key)
                return -EINVAL;
        r = store_prepare(s, STMT_DELETE_STATE, sql_delete_state, &st);
        if (r < 0)
                return r;
        return store_step_bound(s, st, store_bind_text(st, 1, key), "cannot bind a state key",
                                "cannot delete state");
}

/* store_prune - remove the rows of the days before before_day */
int store_prune(Store *s, const char *before_day) {
        /* The daily rows last: their number is the result. */
        static const struct {
                StmtId id;
                const char *sql;
        } prune[] = {
                { STMT_PRUNE_EVIDENCE, "DELETE FROM evidence WHERE day < ?1" },
                { STMT_PRUNE_DAILY, "DELETE FROM daily WHERE day < ?1" },
        };
        sqlite3_stmt *st = NULL;
        int r;

        if (!s || !store_day_is_valid(before_day))
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(prune); i++) {
                r = store_prepare(s, prune[i].id, prune[i].sql, &st);
                if (r < 0)
                        return r;
                r = store_step_bound(s, st, store_bind_text(st, 1, before_day), "cannot bind a day",
                                     "cannot prune old rows");
                if (r < 0)
                        return r;
        }
        /* Daily rows removed by the last statement. */
        int64_t n = sqlite3_changes64(s->db);
        return n > INT_MAX ? INT_MAX : (int) n;
}

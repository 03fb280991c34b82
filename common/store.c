/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        store - the SQLite store of daily aggregates, state and cursors
 * SYNOPSIS
 *        #include "store.h"
 *        int store_open(const char *path, StoreMode mode, Store **ret);
 *        int store_open_full(const char *path, StoreMode mode, Store **ret,
 *                            char **reterr_message);
 * DESCRIPTION
 *        The only module that includes <sqlite3.h>. A read-write open creates
 *        the parent directory (0750) and the file (0640), switches to WAL with
 *        synchronous=NORMAL and applies the pending migrations in one
 *        transaction. synchronous=NORMAL keeps every commit atomic; a power
 *        loss may drop the last commits, but since aggregates and cursor are
 *        committed together the next run reads those entries again and never
 *        counts twice. The file is recognised by its application_id and its
 *        user_version (mirrored by the schema_version table); anything else
 *        is refused with -EBADMSG. A read-only open writes nothing and
 *        works on a full file system too (see store_connect_read()); the
 *        one exception is the rollback of a journal left by a crash.
 *        Statements are prepared once and kept in the Store; query statements
 *        are built from a fixed column list (never from data) per grouping
 *        mask and kept in a small cache.
 * DIAGNOSTICS
 *        Negative errno, see store.h; store_last_error() says why. An SQLite
 *        I/O error is mapped through the system error under it (a -shm file
 *        that cannot grow on a full file system gives -ENOSPC, not -EIO).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

/* store_day_is_valid - a YYYY-MM-DD day, digits where the digits go */
bool store_day_is_valid(const char *d) {
        if (!d || strlen(d) != 10)
                return false;
        for (size_t i = 0; i < 10; i++)
                if (i == 4 || i == 7 ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
                        return false;
        return true;
}

/* store_prepare - the cached statement for id, prepared from sql on first use */
int store_prepare(Store *s, StmtId id, const char *sql, sqlite3_stmt **ret) {
        int rc;

        if (!s->stmt[id]) {
                rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[id], NULL);
                if (rc != SQLITE_OK)
                        return store_fail_sqlite(s, rc, "cannot prepare statement");
        }
        *ret = s->stmt[id];
        return 0;
}

/* store_finish - reset a cached statement after use */
void store_finish(sqlite3_stmt *st) {
        (void) sqlite3_reset(st);
        (void) sqlite3_clear_bindings(st);
}

/* store_step_done - run a statement that returns no rows */
int store_step_done(Store *s, sqlite3_stmt *st, const char *what) {
        int rc = sqlite3_step(st), r = 0;

        if (rc != SQLITE_DONE)
                r = store_fail_sqlite(s, rc, what);
        store_finish(st);
        return r;
}

/* store_step_bound - run a statement whose parameters were bound with result rc */
int store_step_bound(Store *s, sqlite3_stmt *st, int rc, const char *bind_what, const char *what) {
        if (rc != SQLITE_OK) {
                store_finish(st);
                return store_fail_sqlite(s, rc, bind_what);
        }
        return store_step_done(s, st, what);
}

/* store_exec - run SQL text without parameters (pragmas, schema) */
int store_exec(Store *s, const char *sql, const char *what) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

        if (rc != SQLITE_OK)
                return store_fail_sqlite(s, rc, what);
        return 0;
}

/* store_bind_text - bind a string; NULL is stored as "" */
int store_bind_text(sqlite3_stmt *st, int i, const char *v) {
        return sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

/* store_bind_u64 - bind a count, SQLITE_RANGE past INT64_MAX */
int store_bind_u64(sqlite3_stmt *st, int i, uint64_t v) {
        if (v > INT64_MAX)
                return SQLITE_RANGE;
        return sqlite3_bind_int64(st, i, (sqlite3_int64) v);
}

/* store_close - close the connection (rolling back an open transaction) and free s */
Store *store_close(Store *s) {
        if (!s)
                return NULL;
        store_disconnect(s);
        free(s->path);
        free(s);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(Store *, store_close)

/* store_open_mode - allocate, connect, check and migrate; on failure a copy of the message */
static int store_open_mode(const char *path, StoreMode mode, Store **ret, char **reterr_message) {
        _cleanup_(store_closep) Store *s = NULL;
        int r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->mode = mode;
        s->path = strdup(path);
        if (!s->path)
                return -ENOMEM;

        r = mode == STORE_READ_ONLY ? store_connect_read(s) : store_connect_write(s);
        if (r > 0) {
                if (mode == STORE_READ_ONLY) {
                        /* An older schema: upgrade it through a writable connection if we may. */
                        _cleanup_(store_closep) Store *w = NULL;

                        r = store_open_mode(path, STORE_READ_WRITE, &w, reterr_message);
                        if (r < 0)
                                return r;
                        w = store_close(w);
                        return store_open_mode(path, STORE_READ_ONLY, ret, reterr_message);
                }
                r = store_migrate(s);
        }
        if (r < 0) {
                if (reterr_message)
                        *reterr_message = strdup(s->error[0] ? s->error : strerror(-r));
                return r;
        }

        s->error[0] = '\0';
        *ret = TAKE_PTR(s);
        return 0;
}

/* store_open_full - open or create the store; *reterr_message says why it failed */
int store_open_full(const char *path, StoreMode mode, Store **ret, char **reterr_message) {
        if (!path || !*path || !ret)
                return -EINVAL;
        if (mode != STORE_READ_ONLY && mode != STORE_READ_WRITE)
                return -EINVAL;
        return store_open_mode(path, mode, ret, reterr_message);
}

/* store_open - the same, without the message */
int store_open(const char *path, StoreMode mode, Store **ret) {
        return store_open_full(path, mode, ret, NULL);
}

/* store_path - the file name the Store was opened with */
const char *store_path(const Store *s) {
        return s ? s->path : NULL;
}

/* store_mode - read-only or read-write */
StoreMode store_mode(const Store *s) {
        return s ? s->mode : STORE_READ_ONLY;
}

/* store_set_busy_timeout - how long to wait for another connection's lock */
int store_set_busy_timeout(Store *s, unsigned msec) {
        if (!s)
                return -EINVAL;
        return store_errno(s->db, sqlite3_busy_timeout(s->db, msec > INT_MAX ? INT_MAX : (int) msec));
}

/* store_run - one fixed statement that returns no rows */
static int store_run(Store *s, StmtId id, const char *sql, const char *what) {
        sqlite3_stmt *st = NULL;
        int r;

        if (!s)
                return -EINVAL;
        r = store_prepare(s, id, sql, &st);
        if (r < 0)
                return r;
        return store_step_done(s, st, what);
}

/* store_begin - BEGIN IMMEDIATE: take the write lock now */
int store_begin(Store *s) {
        return store_run(s, STMT_BEGIN, "BEGIN IMMEDIATE", "cannot begin a transaction");
}

/* store_commit - make the transaction's writes durable and visible */
int store_commit(Store *s) {
        return store_run(s, STMT_COMMIT, "COMMIT", "cannot commit");
}

/* store_rollback - undo the open transaction; 0 when there is none */
int store_rollback(Store *s) {
        if (s && sqlite3_get_autocommit(s->db))
                return 0;               /* nothing to roll back (SQLite may have done it already) */
        return store_run(s, STMT_ROLLBACK, "ROLLBACK", "cannot roll back");
}

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

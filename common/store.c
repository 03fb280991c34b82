/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        store - open and close the SQLite store, transactions, statement helpers
 * SYNOPSIS
 *        #include "store.h"
 *        int store_open(const char *path, StoreMode mode, Store **ret);
 *        int store_open_full(const char *path, StoreMode mode, Store **ret,
 *                            char **reterr_message);
 *        Store *store_close(Store *s);
 *        int store_begin(Store *s);
 *        int store_commit(Store *s);
 *        int store_rollback(Store *s);
 * DESCRIPTION
 *        The store is the only module that includes <sqlite3.h>; what its
 *        files share is in store_private.h. Opening connects (store_connect.c),
 *        checks the schema and applies the pending migrations in one
 *        transaction (store_schema.c). A read-only open of an older schema
 *        upgrades it through a read-write Store first, if it may. Reads are
 *        in store_read.c, writes in store_write.c.
 *        Fixed statements are prepared once, on first use, and kept in the
 *        Store; store_finish() resets one for its next use.
 * DIAGNOSTICS
 *        Negative errno, see store.h; store_last_error() says why.
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

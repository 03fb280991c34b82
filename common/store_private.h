/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        store_private - what the files of the store share
 * SYNOPSIS
 *        #include "store_private.h"
 *        int store_prepare(Store *s, StmtId id, const char *sql, sqlite3_stmt **ret);
 *        int store_step_bound(Store *s, sqlite3_stmt *st, int rc, const char *bind_what,
 *                             const char *what);
 *        int store_fail_sqlite(Store *s, int rc, const char *what);
 * DESCRIPTION
 *        Internal to the store, whose files are the only ones that include
 *        <sqlite3.h> (store_merge.c needs neither it nor this header):
 *
 *        store.c           open and close a Store, transactions, statement helpers
 *        store_error.c     SQLite failures as a negative errno and a message
 *        store_connect.c   reach the file: read-write, or one of four read-only ways
 *        store_schema.c    the schema, its version and its migrations
 *        store_read.c      queries: the SQL builder, its cache, rows to the callers
 *        store_write.c     daily and evidence rows, state, retention
 *        store_merge.c     sums of daily rows read in primary key order
 *
 *        Fixed statements are prepared once per Store, on first use, from
 *        the SQL the file that runs them passes with their StmtId.
 */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "store.h"

#define QUERY_CACHE_SIZE 24
#define N_COLUMNS 10                    /* of the daily table's key; bit i of a StoreColumn mask */

typedef enum StmtId {
        STMT_BEGIN,
        STMT_COMMIT,
        STMT_ROLLBACK,
        STMT_ADD_DAILY,
        STMT_ADD_EVIDENCE,
        STMT_SET_STATE,
        STMT_GET_STATE,
        STMT_DELETE_STATE,
        STMT_PRUNE_DAILY,
        STMT_PRUNE_EVIDENCE,
        STMT_DAY_RANGE,
        _STMT_MAX,
} StmtId;

typedef struct CachedQuery {
        unsigned key;
        sqlite3_stmt *stmt;
} CachedQuery;

struct Store {
        sqlite3 *db;
        char *path;
        StoreMode mode;
        sqlite3_stmt *stmt[_STMT_MAX];
        CachedQuery queries[QUERY_CACHE_SIZE];
        size_t queries_next;            /* round-robin replacement */
        int error_rc;                   /* extended SQLite code of the last failure, or 0 */
        int error_errno;                /* the system errno under it, or 0 */
        char error[512];
};

static inline void sqlite3_finalizep(sqlite3_stmt **p) {
        if (*p)
                (void) sqlite3_finalize(*p);
}

/* store.c */
bool store_day_is_valid(const char *d);
int store_prepare(Store *s, StmtId id, const char *sql, sqlite3_stmt **ret);
void store_finish(sqlite3_stmt *st);
int store_step_done(Store *s, sqlite3_stmt *st, const char *what);
int store_step_bound(Store *s, sqlite3_stmt *st, int rc, const char *bind_what, const char *what);
int store_exec(Store *s, const char *sql, const char *what);
int store_bind_text(sqlite3_stmt *st, int i, const char *v);
int store_bind_u64(sqlite3_stmt *st, int i, uint64_t v);

/* store_error.c */
int store_errno(sqlite3 *db, int rc);
int store_fail(Store *s, int r, const char *fmt, ...) _printf_(3, 4);
int store_fail_sqlite(Store *s, int rc, const char *what);
bool store_error_is_space(const Store *s);

/* store_connect.c: connected and schema checked; 1 = migration needed */
int store_connect_write(Store *s);
int store_connect_read(Store *s);
void store_disconnect(Store *s);

/* store_schema.c */
int store_check_schema(Store *s);
int store_migrate(Store *s);

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
 *        One SQLite file in WAL mode with a busy timeout and a schema_version
 *        table with migrations. Only this module includes <sqlite3.h>.
 *        Writers wrap a whole run in store_begin()/store_commit(): daily rows,
 *        evidence rows, state (cursor, pending correlation) in ONE transaction.
 *        Readers query rows grouped by a chosen set of columns.
 *        A Store is used by one thread at a time (the connection has no mutex).
 *        A read-only open also works on a full file system, and writes
 *        nothing (it only rolls back what a crashed run left unfinished).
 * DIAGNOSTICS
 *        Negative errno: -EBUSY (locked past the timeout), -ENOSPC (also for
 *        an SQLite I/O error with ENOSPC under it), -EDQUOT, -EIO,
 *        -EBADMSG (not an mxtls store / newer schema), -ENOENT (read-only open of
 *        a missing file, missing state key).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Store Store;

typedef enum StoreMode {
        STORE_READ_ONLY,
        STORE_READ_WRITE,
} StoreMode;

/* Columns of the daily table; used as a bit mask for grouping. */
typedef enum StoreColumn {
        COL_DAY         = 1 << 0,
        COL_HOST        = 1 << 1,
        COL_DOMAIN      = 1 << 2,
        COL_MX          = 1 << 3,
        COL_PROTOCOL    = 1 << 4,
        COL_CIPHER      = 1 << 5,
        COL_TRUST       = 1 << 6,
        COL_LEVEL       = 1 << 7,
        COL_OUTCOME     = 1 << 8,
        COL_REASON      = 1 << 9,
        COL_ALL         = (1 << 10) - 1,
} StoreColumn;

/* One row; columns not grouped on are "". Strings valid during the callback. */
typedef struct DailyRow {
        const char *day;                /* YYYY-MM-DD */
        const char *host;
        const char *domain;
        const char *mx;
        const char *protocol;
        const char *cipher;
        const char *trust;
        const char *level;
        const char *outcome;            /* outcome_kind_to_string() */
        const char *reason;             /* fail_reason_to_string() */
        uint64_t count;
} DailyRow;

/* Per day and host: how much TLS evidence the log had (smtp_tls_loglevel 0 detection). */
typedef struct EvidenceRow {
        const char *day;
        const char *host;
        uint64_t deliveries;
        uint64_t tls_lines;
        uint64_t tls_fields;
} EvidenceRow;

typedef struct StoreQuery {
        const char *from_day;           /* inclusive, NULL = no bound */
        const char *to_day;             /* inclusive, NULL = no bound */
        const char *domain;             /* NULL = all */
        const char *host;               /* NULL = all */
        unsigned group;                 /* StoreColumn mask kept; the rest is summed over */
        bool unmerged;                  /* no GROUP BY: rows come in primary key order and may repeat
                                         * a key of the mask (the caller adds them up); for big scans */
} StoreQuery;

typedef int (*DailyRowFn)(const DailyRow *row, void *userdata);   /* <0 stops with that error */
typedef int (*EvidenceRowFn)(const EvidenceRow *row, void *userdata);

int store_open(const char *path, StoreMode mode, Store **ret);
/* Same, and on failure *reterr_message (malloc'd, may stay NULL on OOM) says why. */
int store_open_full(const char *path, StoreMode mode, Store **ret, char **reterr_message);
Store *store_close(Store *s);
const char *store_path(const Store *s);
StoreMode store_mode(const Store *s);
int store_set_busy_timeout(Store *s, unsigned msec);  /* default STORE_BUSY_TIMEOUT_MSEC */
/* Human message for the last failure on s (file name, what, SQLite's words). */
const char *store_last_error(const Store *s);

int store_begin(Store *s);              /* BEGIN IMMEDIATE */
int store_commit(Store *s);
int store_rollback(Store *s);

int store_add_daily(Store *s, const DailyRow *row);            /* count added to an existing row */
int store_add_evidence(Store *s, const EvidenceRow *row);      /* counters added */
int store_set_state(Store *s, const char *key, const void *data, size_t len);
int store_get_state(Store *s, const char *key, char **ret, size_t *ret_len); /* -ENOENT when absent */
int store_delete_state(Store *s, const char *key);
int store_prune(Store *s, const char *before_day);             /* retention; >= 0 daily rows removed */

int store_query_daily(Store *s, const StoreQuery *q, DailyRowFn fn, void *userdata);
int store_query_evidence(Store *s, const StoreQuery *q, EvidenceRowFn fn, void *userdata);
/* First and last day with any daily row; -ENODATA when empty. buffers of 11 bytes. */
int store_day_range(Store *s, char *ret_first, char *ret_last);

#define STORE_SCHEMA_VERSION 1
#define STORE_BUSY_TIMEOUT_MSEC 10000

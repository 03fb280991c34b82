/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        store_schema - the store's schema, its version and its migrations
 * SYNOPSIS
 *        #include "store_private.h"
 *        int store_check_schema(Store *s);
 *        int store_migrate(Store *s);
 * DESCRIPTION
 *        A store is recognised by its application_id and its user_version,
 *        mirrored by the schema_version table (one row per migration, with
 *        the time it was applied). store_check_schema() tells an empty file
 *        (to be created), an older schema (to be migrated), the current one,
 *        and anything else (refused). store_migrate() applies the migrations
 *        newer than the file in one transaction and marks the file; a version
 *        once released is never edited, new ones are appended.
 * DIAGNOSTICS
 *        store_check_schema(): 1 migration needed, 0 current; -EBADMSG not an
 *        mxtls store, damaged or newer than this mxtls; -ENOENT an empty file
 *        opened read-only. store_migrate(): 0, or the error of the failed step
 *        (nothing of the migration is kept). store_last_error() says why.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_private.h"

#define STORE_APPLICATION_ID 0x6d78746c         /* "mxtl" */

typedef struct Migration {
        int version;
        const char *description;
        const char *sql;
} Migration;

/* Append new versions at the end; never edit a released one. */
static const Migration migrations[] = {
        {
                1, "initial schema",
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "  version INTEGER PRIMARY KEY,"
                "  description TEXT NOT NULL,"
                "  applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')));"
                "CREATE TABLE daily ("
                "  day TEXT NOT NULL, host TEXT NOT NULL, domain TEXT NOT NULL,"
                "  mx TEXT NOT NULL, protocol TEXT NOT NULL, cipher TEXT NOT NULL,"
                "  trust TEXT NOT NULL, level TEXT NOT NULL, outcome TEXT NOT NULL,"
                "  reason TEXT NOT NULL, count INTEGER NOT NULL,"
                "  PRIMARY KEY (day, host, domain, mx, protocol, cipher, trust, level, outcome, reason)"
                ") WITHOUT ROWID;"
                /* Per-domain lookups (report --domain, advise, audit). A window is a
                 * primary key range; a host filter scans the window, like a report. */
                "CREATE INDEX daily_domain_day ON daily (domain, day);"
                "CREATE TABLE evidence ("
                "  day TEXT NOT NULL, host TEXT NOT NULL,"
                "  deliveries INTEGER NOT NULL DEFAULT 0,"
                "  tls_lines INTEGER NOT NULL DEFAULT 0,"
                "  tls_fields INTEGER NOT NULL DEFAULT 0,"
                "  PRIMARY KEY (day, host)) WITHOUT ROWID;"
                "CREATE TABLE state (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;"
        },
};

_Static_assert(ELEMENTSOF(migrations) == STORE_SCHEMA_VERSION,
               "STORE_SCHEMA_VERSION must match the last migration");

/* store_query_int - read an integer pragma or a one-value query */
static int store_query_int(Store *s, const char *sql, int64_t *ret) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int rc;

        *ret = 0;
        rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_fail_sqlite(s, rc, sql);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                *ret = sqlite3_column_int64(st, 0);
                return 0;
        }
        if (rc == SQLITE_DONE) {
                *ret = 0;
                return 0;
        }
        return store_fail_sqlite(s, rc, sql);
}


/* store_record_migration - the schema_version row of one applied migration */
static int store_record_migration(Store *s, const Migration *m) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int rc;

        rc = sqlite3_prepare_v2(s->db, "INSERT INTO schema_version (version, description) VALUES (?1, ?2)",
                                -1, &st, NULL);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int(st, 1, m->version);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 2, m->description, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
                rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail_sqlite(s, rc, "cannot record the schema version");
        return 0;
}

/* store_migrate - apply every migration newer than the file, in one transaction */
int store_migrate(Store *s) {
        char sql[128];
        int64_t version = 0;
        int r;

        r = store_exec(s, "BEGIN IMMEDIATE", "cannot start the schema migration");
        if (r < 0)
                return r;

        /* Another process may have migrated while we waited for the lock. */
        r = store_query_int(s, "PRAGMA user_version", &version);
        if (r < 0)
                goto rollback;

        for (size_t i = 0; i < ELEMENTSOF(migrations); i++) {
                const Migration *m = &migrations[i];

                if (m->version <= version)
                        continue;
                r = store_exec(s, m->sql, "schema migration failed");
                if (r < 0)
                        goto rollback;
                r = store_record_migration(s, m);
                if (r < 0)
                        goto rollback;
        }

        /* Pragmas take no parameters; both values are compile-time integers. */
        (void) snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %d",
                        STORE_APPLICATION_ID, STORE_SCHEMA_VERSION);
        r = store_exec(s, sql, "cannot mark the store");
        if (r < 0)
                goto rollback;
        return store_exec(s, "COMMIT", "cannot commit the schema migration");

rollback:
        (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

/* store_check_schema - is this an mxtls store we understand? 1 = migration needed */
int store_check_schema(Store *s) {
        int64_t app_id, user_version, objects, recorded;
        int r;

        r = store_query_int(s, "PRAGMA application_id", &app_id);
        if (r < 0)
                return r;
        r = store_query_int(s, "PRAGMA user_version", &user_version);
        if (r < 0)
                return r;
        r = store_query_int(s, "SELECT count(*) FROM sqlite_master", &objects);
        if (r < 0)
                return r;

        if (app_id == 0 && user_version == 0 && objects == 0) {
                if (s->mode == STORE_READ_ONLY)
                        return store_fail(s, -ENOENT, "%s: the store is empty", s->path);
                return 1;
        }
        if (app_id != STORE_APPLICATION_ID)
                return store_fail(s, -EBADMSG, "%s: an SQLite database, but not an mxtls store "
                                  "(application_id 0x%08llx)", s->path, (unsigned long long) app_id);

        r = store_query_int(s, "SELECT MAX(version) FROM schema_version", &recorded);
        if (r < 0) {
                char why[sizeof(s->error)];

                memcpy(why, s->error, sizeof(why));
                return store_fail(s, -EBADMSG, "damaged mxtls store: %s", why);
        }
        if (recorded != user_version)
                return store_fail(s, -EBADMSG, "%s: damaged mxtls store: schema_version says %lld, "
                                  "user_version %lld", s->path, (long long) recorded, (long long) user_version);
        if (user_version > STORE_SCHEMA_VERSION)
                return store_fail(s, -EBADMSG, "%s: store schema version %lld is newer than this mxtls "
                                  "supports (%d); upgrade mxtls", s->path, (long long) user_version,
                                  STORE_SCHEMA_VERSION);
        return user_version < STORE_SCHEMA_VERSION;
}

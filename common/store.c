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
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"
#include "store.h"
#include "store_merge.h"

#define STORE_APPLICATION_ID 0x6d78746c         /* "mxtl" */
#define QUERY_CACHE_SIZE 24
#define N_COLUMNS 10
#define STORE_WRITE_CACHE_KIB_NEG -16384        /* page cache of a read-write connection: 16 MiB */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

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

static const char *const stmt_sql[_STMT_MAX] = {
        [STMT_BEGIN] = "BEGIN IMMEDIATE",
        [STMT_COMMIT] = "COMMIT",
        [STMT_ROLLBACK] = "ROLLBACK",
        [STMT_ADD_DAILY] =
                "INSERT INTO daily (day, host, domain, mx, protocol, cipher, trust, level, outcome, reason, count)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                " ON CONFLICT (day, host, domain, mx, protocol, cipher, trust, level, outcome, reason)"
                " DO UPDATE SET count = count + excluded.count",
        [STMT_ADD_EVIDENCE] =
                "INSERT INTO evidence (day, host, deliveries, tls_lines, tls_fields) VALUES (?1, ?2, ?3, ?4, ?5)"
                " ON CONFLICT (day, host) DO UPDATE SET deliveries = deliveries + excluded.deliveries,"
                " tls_lines = tls_lines + excluded.tls_lines, tls_fields = tls_fields + excluded.tls_fields",
        [STMT_SET_STATE] = "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
        [STMT_GET_STATE] = "SELECT value FROM state WHERE key = ?1",
        [STMT_DELETE_STATE] = "DELETE FROM state WHERE key = ?1",
        [STMT_PRUNE_DAILY] = "DELETE FROM daily WHERE day < ?1",
        [STMT_PRUNE_EVIDENCE] = "DELETE FROM evidence WHERE day < ?1",
        [STMT_DAY_RANGE] = "SELECT MIN(day), MAX(day) FROM daily",
};

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

/* How a read-only Store reaches the file; see store_connect_read(). */
typedef enum StoreAccess {
        ACCESS_SHARED,                  /* the normal way: wal-index in the shared -shm file */
        ACCESS_PRIVATE,                 /* exclusive lock, wal-index on the heap, no -shm */
        ACCESS_IMMUTABLE,               /* no lock, no -wal/-shm: only while the -wal is empty */
        ACCESS_ROLLBACK,                /* read-write, to roll back a hot journal; query_only */
} StoreAccess;

static void sqlite3_finalizep(sqlite3_stmt **p) {
        if (*p)
                (void) sqlite3_finalize(*p);
}

/* store_system_errno - the errno under an SQLite failure, 0 when SQLite keeps none */
static int store_system_errno(sqlite3 *db, int rc) {
        /* SQLite records it for these two classes only; for others the value is stale. */
        if (!db || ((rc & 0xff) != SQLITE_IOERR && (rc & 0xff) != SQLITE_CANTOPEN))
                return 0;
        return sqlite3_system_errno(db);
}

/* sys_errno_is_kept - a system error that says more than "I/O error" to the user */
static bool sys_errno_is_kept(int sys) {
        switch (sys) {
        case ENOSPC:
        case EDQUOT:
        case EROFS:
        case ENOMEM:
        case EMFILE:
        case ENFILE:
                return true;
        default:
                return false;
        }
}

/* store_errno - map an SQLite result code (extended or not) to a negative errno */
static int store_errno(sqlite3 *db, int rc) {
        int sys = store_system_errno(db, rc);

        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
        case SQLITE_FORMAT:
                return -EBADMSG;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EACCES;
        case SQLITE_CANTOPEN:
                if (sys == ENOENT || sys_errno_is_kept(sys))
                        return -sys;
                return -EACCES;
        case SQLITE_TOOBIG:
                return -E2BIG;
        case SQLITE_CONSTRAINT:
        case SQLITE_MISMATCH:
        case SQLITE_RANGE:
        case SQLITE_MISUSE:
                return -EINVAL;
        case SQLITE_IOERR:
                if (rc == SQLITE_IOERR_NOMEM)
                        return -ENOMEM;
                /* e.g. SQLITE_IOERR_SHMSIZE: the -shm file could not grow on a full file system */
                if (sys_errno_is_kept(sys) || sys == EACCES || sys == EPERM)
                        return -sys;
                return -EIO;
        default:
                return -EIO;
        }
}

static int store_fail(Store *s, int r, const char *fmt, ...) _printf_(3, 4);
/* store_fail - remember a human message for store_last_error(), return r */
static int store_fail(Store *s, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(s->error, sizeof(s->error), fmt, ap);
        va_end(ap);
        return r;
}

/* rc_is_shm - did the -shm file (the shared wal-index) fail? */
static bool rc_is_shm(int rc) {
        return rc == SQLITE_IOERR_SHMOPEN || rc == SQLITE_IOERR_SHMSIZE ||
               rc == SQLITE_IOERR_SHMMAP || rc == SQLITE_IOERR_SHMLOCK;
}

/* store_fail_sqlite - error from the last SQLite call on the connection */
static int store_fail_sqlite(Store *s, int rc, const char *what) {
        const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
        int sys = store_system_errno(s->db, rc), r = store_errno(s->db, rc);

        if (r >= 0)
                r = -EIO;               /* called for a failure: never report success */
        s->error_rc = rc;
        s->error_errno = sys;
        if (sys <= 0)
                return store_fail(s, r, "%s: %s: %s", s->path, what, msg);
        /* SQLite says "disk I/O error"; the cause is the system error under it. */
        if (rc_is_shm(rc))
                return store_fail(s, r, "%s: %s: %s (%s on %s-shm)", s->path, what, strerror(sys), msg,
                                  s->path);
        return store_fail(s, r, "%s: %s: %s (%s)", s->path, what, strerror(sys), msg);
}

const char *store_last_error(const Store *s) {
        if (!s)
                return "no store";
        return s->error[0] ? s->error : "no error";
}

static bool day_is_valid(const char *d) {
        if (!d || strlen(d) != 10)
                return false;
        for (size_t i = 0; i < 10; i++)
                if (i == 4 || i == 7 ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
                        return false;
        return true;
}

/* store_prepare - the cached statement for id, prepared on first use */
static int store_prepare(Store *s, StmtId id, sqlite3_stmt **ret) {
        int rc;

        if (!s->stmt[id]) {
                rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[id], NULL);
                if (rc != SQLITE_OK)
                        return store_fail_sqlite(s, rc, "cannot prepare statement");
        }
        *ret = s->stmt[id];
        return 0;
}

/* store_finish - reset a cached statement after use */
static void store_finish(sqlite3_stmt *st) {
        (void) sqlite3_reset(st);
        (void) sqlite3_clear_bindings(st);
}

/* store_step_done - run a statement that returns no rows */
static int store_step_done(Store *s, sqlite3_stmt *st, const char *what) {
        int rc = sqlite3_step(st), r = 0;

        if (rc != SQLITE_DONE)
                r = store_fail_sqlite(s, rc, what);
        store_finish(st);
        return r;
}

/* store_step_bound - run a statement whose parameters were bound with result rc */
static int store_step_bound(Store *s, sqlite3_stmt *st, int rc, const char *bind_what, const char *what) {
        if (rc != SQLITE_OK) {
                store_finish(st);
                return store_fail_sqlite(s, rc, bind_what);
        }
        return store_step_done(s, st, what);
}

static int store_exec(Store *s, const char *sql, const char *what) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

        if (rc != SQLITE_OK)
                return store_fail_sqlite(s, rc, what);
        return 0;
}

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

/* store_migrate - apply every migration newer than the file, in one transaction */
static int store_migrate(Store *s) {
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
                _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
                int rc;

                if (m->version <= version)
                        continue;
                r = store_exec(s, m->sql, "schema migration failed");
                if (r < 0)
                        goto rollback;
                rc = sqlite3_prepare_v2(s->db, "INSERT INTO schema_version (version, description) VALUES (?1, ?2)",
                                        -1, &st, NULL);
                if (rc == SQLITE_OK)
                        rc = sqlite3_bind_int(st, 1, m->version);
                if (rc == SQLITE_OK)
                        rc = sqlite3_bind_text(st, 2, m->description, -1, SQLITE_STATIC);
                if (rc == SQLITE_OK)
                        rc = sqlite3_step(st);
                if (rc != SQLITE_DONE) {
                        r = store_fail_sqlite(s, rc, "cannot record the schema version");
                        goto rollback;
                }
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
static int store_check_schema(Store *s) {
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

/* store_uri - "file:" URI naming path, with the characters URIs reserve escaped */
static char *store_uri(const char *path, const char *query) {
        size_t n = strlen(path), k = 0;
        char *u = malloc(strlen("file://") + 3 * n + strlen(query) + 1);

        if (!u)
                return NULL;
        /* "file:///abs" (empty authority) for an absolute path, "file:rel" otherwise */
        k = (size_t) sprintf(u, "%s", path[0] == '/' ? "file://" : "file:");
        for (const char *c = path; *c; c++)
                if (*c == '%' || *c == '?' || *c == '#')
                        k += (size_t) sprintf(u + k, "%%%02X", (unsigned) (unsigned char) *c);
                else
                        u[k++] = *c;
        (void) strcpy(u + k, query);
        return u;
}

/* store_connect - open the connection and apply the per-connection settings */
static int store_connect(Store *s, StoreAccess how) {
        _cleanup_free_ char *uri = NULL;
        const char *name = s->path;
        int flags, rc, r;

        s->error_rc = s->error_errno = 0;
        if (s->mode == STORE_READ_ONLY) {
                struct stat st;

                if (stat(s->path, &st) < 0)
                        return store_fail(s, -errno, "%s: %s", s->path, strerror(errno));
                /* ACCESS_PRIVATE (its exclusive lock) and ACCESS_ROLLBACK need a descriptor
                 * open for writing; query_only below keeps the connection from writing. */
                flags = how == ACCESS_PRIVATE || how == ACCESS_ROLLBACK ?
                        SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
                if (how == ACCESS_IMMUTABLE) {
                        uri = store_uri(s->path, "?immutable=1");
                        if (!uri)
                                return -ENOMEM;
                        name = uri;
                        flags |= SQLITE_OPEN_URI;
                }
        } else {
                _cleanup_close_ int fd = -1;

                r = mkdir_parents(s->path, 0750);
                if (r < 0)
                        return store_fail(s, r, "%s: cannot create the directory: %s", s->path, strerror(-r));
                /* Create it ourselves for the mode; SQLite gives -wal/-shm the same mode. */
                fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
                if (fd < 0)
                        return store_fail(s, -errno, "%s: %s", s->path, strerror(errno));
                flags = SQLITE_OPEN_READWRITE;
        }

        /* A Store belongs to one thread: no per-call mutex (it costs ~15% on big queries). */
        rc = sqlite3_open_v2(name, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
        if (rc != SQLITE_OK)
                return store_fail_sqlite(s, rc, "cannot open");
        (void) sqlite3_extended_result_codes(s->db, 1);
        (void) sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MSEC);

        if (how == ACCESS_PRIVATE) {
                /* SQLite falls back to read-only when the file is not writable for us. */
                if (sqlite3_db_readonly(s->db, "main") != 0)
                        return store_fail(s, -EACCES, "%s: not writable, cannot lock it", s->path);
                /* Closing must not checkpoint the -wal into the file: this connection only reads. */
                rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
                if (rc != SQLITE_OK)
                        return store_fail_sqlite(s, rc, "cannot disable the checkpoint on close");
                /* Set before the first read: the wal-index then lives on the heap, not in -shm. */
                r = store_exec(s, "PRAGMA locking_mode = EXCLUSIVE", "cannot set the locking mode");
                if (r < 0)
                        return r;
        }

        r = store_exec(s, "PRAGMA foreign_keys = ON", "cannot enable foreign keys");
        if (r < 0)
                return r;
        if (s->mode == STORE_READ_ONLY)
                return store_exec(s, "PRAGMA query_only = ON", "cannot set query_only");

        /* The first statement that reads the file: junk fails here with SQLITE_NOTADB. */
        r = store_exec(s, "PRAGMA journal_mode = WAL", "cannot open in WAL mode");
        if (r < 0)
                return r;
        r = store_exec(s, "PRAGMA synchronous = NORMAL", "cannot set synchronous");
        if (r < 0)
                return r;
        /* A collect writes all its rows in one transaction: with the default 2 MiB of
         * page cache, SQLite spills dirty pages to the -wal mid-transaction and
         * writes many of them again before the commit. The cache grows only as used. */
        return store_exec(s, "PRAGMA cache_size = " STRINGIFY(STORE_WRITE_CACHE_KIB_NEG),
                          "cannot set the cache size");
}

/* store_disconnect - finalize the statements and close the connection */
static void store_disconnect(Store *s) {
        for (size_t i = 0; i < _STMT_MAX; i++)
                (void) sqlite3_finalize(TAKE_PTR(s->stmt[i]));
        for (size_t i = 0; i < QUERY_CACHE_SIZE; i++)
                (void) sqlite3_finalize(TAKE_PTR(s->queries[i].stmt));
        (void) sqlite3_close_v2(TAKE_PTR(s->db));      /* rolls back an open transaction */
}

Store *store_close(Store *s) {
        if (!s)
                return NULL;
        store_disconnect(s);
        free(s->path);
        free(s);
        return NULL;
}

/* store_error_is_space - did the last failure come from a full file system or the -shm file? */
static bool store_error_is_space(const Store *s) {
        return rc_is_shm(s->error_rc) || (s->error_rc & 0xff) == SQLITE_FULL ||
               ((s->error_rc & 0xff) == SQLITE_IOERR && (s->error_errno == ENOSPC || s->error_errno == EDQUOT));
}

/* wal_is_empty - is the write-ahead log absent or empty (the database file is the whole store)? */
static bool wal_is_empty(const char *wal) {
        struct stat st;

        if (!wal)
                return false;
        if (stat(wal, &st) < 0)
                return errno == ENOENT;
        return S_ISREG(st.st_mode) && st.st_size == 0;
}

/* store_connect_check - connect one way and check the schema; disconnected again on failure */
static int store_connect_check(Store *s, StoreAccess how) {
        int r;

        r = store_connect(s, how);
        if (r >= 0)
                r = store_check_schema(s);
        if (r < 0)
                store_disconnect(s);
        return r;
}

/* store_connect_read - open read-only and check the schema, also after a crash or on a full file system
 *
 * A run killed while it created the store leaves a hot rollback journal (the
 * switch of a new file to WAL is the only transaction that uses one): a
 * read-only connection cannot roll it back, so a read-write one does, as any
 * SQLite reader allowed to write would, restoring the state before that run;
 * query_only keeps it from writing anything else.
 *
 * A WAL reader keeps the wal-index in the shared -shm file and first grows
 * that file to 32 KiB: on a full file system this fails (SQLITE_IOERR_SHMSIZE,
 * ENOSPC) and the store would not even be readable. Then, writing nothing:
 * a read-write connection in exclusive locking mode and query_only keeps the
 * wal-index on the heap (built from the -wal file) and does not checkpoint on
 * close; its lock waits for other connections and keeps writers out while
 * it reads. Failing that (the file is not writable for us, another
 * connection holds it), a -wal that is absent or empty means the database
 * file alone holds every commit: it is read as immutable.
 */
static int store_connect_read(Store *s) {
        _cleanup_free_ char *wal = NULL;
        char why[sizeof(s->error)];
        int r, r2, why_rc, why_errno;

        r = store_connect(s, ACCESS_SHARED);
        if (r >= 0)
                r = store_check_schema(s);
        if (r >= 0 || !s->db)
                return r;
        why_rc = s->error_rc;
        if (why_rc != SQLITE_READONLY_ROLLBACK && !store_error_is_space(s))
                return r;

        memcpy(why, s->error, sizeof(why));
        why_errno = s->error_errno;
        wal = strdup(sqlite3_filename_wal(sqlite3_db_filename(s->db, "main")));
        store_disconnect(s);

        if (why_rc == SQLITE_READONLY_ROLLBACK) {
                r2 = store_connect_check(s, ACCESS_ROLLBACK);
                /* Once rolled back, what the check says stands (often: an empty store). */
                if (r2 >= 0 || s->error_rc != SQLITE_READONLY_ROLLBACK)
                        return r2;
        } else {
                r2 = store_connect_check(s, ACCESS_PRIVATE);
                if (r2 >= 0)
                        return r2;
                if (wal_is_empty(wal)) {
                        r2 = store_connect_check(s, ACCESS_IMMUTABLE);
                        if (r2 >= 0)
                                return r2;
                }
        }

        /* The first error says what is wrong. */
        memcpy(s->error, why, sizeof(why));
        s->error_rc = why_rc;
        s->error_errno = why_errno;
        return r;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(Store *, store_close)

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

        if (mode == STORE_READ_ONLY)
                r = store_connect_read(s);
        else {
                r = store_connect(s, ACCESS_SHARED);
                if (r >= 0)
                        r = store_check_schema(s);
        }
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

int store_open_full(const char *path, StoreMode mode, Store **ret, char **reterr_message) {
        if (!path || !*path || !ret)
                return -EINVAL;
        if (mode != STORE_READ_ONLY && mode != STORE_READ_WRITE)
                return -EINVAL;
        return store_open_mode(path, mode, ret, reterr_message);
}

int store_open(const char *path, StoreMode mode, Store **ret) {
        return store_open_full(path, mode, ret, NULL);
}

const char *store_path(const Store *s) {
        return s ? s->path : NULL;
}

StoreMode store_mode(const Store *s) {
        return s ? s->mode : STORE_READ_ONLY;
}

int store_set_busy_timeout(Store *s, unsigned msec) {
        if (!s)
                return -EINVAL;
        return store_errno(s->db, sqlite3_busy_timeout(s->db, msec > INT_MAX ? INT_MAX : (int) msec));
}

static int store_run(Store *s, StmtId id, const char *what) {
        sqlite3_stmt *st = NULL;
        int r;

        if (!s)
                return -EINVAL;
        r = store_prepare(s, id, &st);
        if (r < 0)
                return r;
        return store_step_done(s, st, what);
}

int store_begin(Store *s) {
        return store_run(s, STMT_BEGIN, "cannot begin a transaction");
}

int store_commit(Store *s) {
        return store_run(s, STMT_COMMIT, "cannot commit");
}

int store_rollback(Store *s) {
        if (s && sqlite3_get_autocommit(s->db))
                return 0;               /* nothing to roll back (SQLite may have done it already) */
        return store_run(s, STMT_ROLLBACK, "cannot roll back");
}

static int bind_text(sqlite3_stmt *st, int i, const char *v) {
        return sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

static int bind_u64(sqlite3_stmt *st, int i, uint64_t v) {
        if (v > INT64_MAX)
                return SQLITE_RANGE;
        return sqlite3_bind_int64(st, i, (sqlite3_int64) v);
}

int store_add_daily(Store *s, const DailyRow *row) {
        sqlite3_stmt *st = NULL;
        int rc = SQLITE_OK, r;

        if (!s || !row || !day_is_valid(row->day) || row->count > INT64_MAX)
                return -EINVAL;
        r = store_prepare(s, STMT_ADD_DAILY, &st);
        if (r < 0)
                return r;

        const char *values[N_COLUMNS] = {
                row->day, row->host, row->domain, row->mx, row->protocol,
                row->cipher, row->trust, row->level, row->outcome, row->reason,
        };
        for (int i = 0; i < N_COLUMNS && rc == SQLITE_OK; i++)
                rc = bind_text(st, i + 1, values[i]);
        if (rc == SQLITE_OK)
                rc = bind_u64(st, N_COLUMNS + 1, row->count);
        return store_step_bound(s, st, rc, "cannot bind a daily row", "cannot add a daily row");
}

int store_add_evidence(Store *s, const EvidenceRow *row) {
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !row || !day_is_valid(row->day) ||
            row->deliveries > INT64_MAX || row->tls_lines > INT64_MAX || row->tls_fields > INT64_MAX)
                return -EINVAL;
        r = store_prepare(s, STMT_ADD_EVIDENCE, &st);
        if (r < 0)
                return r;
        rc = bind_text(st, 1, row->day);
        if (rc == SQLITE_OK)
                rc = bind_text(st, 2, row->host);
        if (rc == SQLITE_OK)
                rc = bind_u64(st, 3, row->deliveries);
        if (rc == SQLITE_OK)
                rc = bind_u64(st, 4, row->tls_lines);
        if (rc == SQLITE_OK)
                rc = bind_u64(st, 5, row->tls_fields);
        return store_step_bound(s, st, rc, "cannot bind an evidence row", "cannot add an evidence row");
}

int store_set_state(Store *s, const char *key, const void *data, size_t len) {
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !key || (!data && len > 0) || len > INT_MAX)
                return -EINVAL;
        r = store_prepare(s, STMT_SET_STATE, &st);
        if (r < 0)
                return r;
        rc = bind_text(st, 1, key);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_blob(st, 2, len > 0 ? data : "", (int) len, SQLITE_STATIC);
        return store_step_bound(s, st, rc, "cannot bind a state value", "cannot save state");
}

int store_get_state(Store *s, const char *key, char **ret, size_t *ret_len) {
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !key || !ret)
                return -EINVAL;
        r = store_prepare(s, STMT_GET_STATE, &st);
        if (r < 0)
                return r;
        rc = bind_text(st, 1, key);
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

int store_delete_state(Store *s, const char *key) {
        sqlite3_stmt *st = NULL;
        int r;

        if (!s || !key)
                return -EINVAL;
        r = store_prepare(s, STMT_DELETE_STATE, &st);
        if (r < 0)
                return r;
        return store_step_bound(s, st, bind_text(st, 1, key), "cannot bind a state key",
                                "cannot delete state");
}

int store_prune(Store *s, const char *before_day) {
        static const StmtId ids[] = { STMT_PRUNE_EVIDENCE, STMT_PRUNE_DAILY };
        sqlite3_stmt *st = NULL;
        int r;

        if (!s || !day_is_valid(before_day))
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
                r = store_prepare(s, ids[i], &st);
                if (r < 0)
                        return r;
                r = store_step_bound(s, st, bind_text(st, 1, before_day), "cannot bind a day",
                                     "cannot prune old rows");
                if (r < 0)
                        return r;
        }
        /* Daily rows removed by the last statement. */
        int64_t n = sqlite3_changes64(s->db);
        return n > INT_MAX ? INT_MAX : (int) n;
}

int store_day_range(Store *s, char *ret_first, char *ret_last) {
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !ret_first || !ret_last)
                return -EINVAL;
        r = store_prepare(s, STMT_DAY_RANGE, &st);
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
        if (!day_is_valid(first) || !day_is_valid(last)) {
                store_finish(st);
                return -ENODATA;
        }
        memcpy(ret_first, first, 11);
        memcpy(ret_last, last, 11);
        store_finish(st);
        return 0;
}

/* sql_append - bounded append to a statement being built from constant pieces */
static void sql_append(char *buf, size_t size, const char *s) {
        size_t n = strlen(buf);

        (void) snprintf(buf + n, size - n, "%s", s);
}

/* query_build_sql - SELECT for one cache key; only constant column names go in */
static void query_build_sql(unsigned key, char *sql, size_t size) {
        unsigned group = key & COL_ALL;
        bool first;

        sql[0] = '\0';
        if (key & QKEY_EVIDENCE) {
                bool grouped = (group & (COL_DAY | COL_HOST)) != (COL_DAY | COL_HOST);

                sql_append(sql, size, "SELECT ");
                sql_append(sql, size, group & COL_DAY ? "day, " : "'', ");
                sql_append(sql, size, group & COL_HOST ? "host, " : "'', ");
                sql_append(sql, size, grouped ? "SUM(deliveries), SUM(tls_lines), SUM(tls_fields)" :
                                                "deliveries, tls_lines, tls_fields");
                sql_append(sql, size, " FROM evidence WHERE 1");
        } else {
                sql_append(sql, size, "SELECT ");
                for (int i = 0; i < N_COLUMNS; i++) {
                        sql_append(sql, size, group & (1u << i) ? column_names[i] : "''");
                        sql_append(sql, size, ", ");
                }
                /* Every key column kept: rows are already unique, no grouping needed. */
                bool merge = group != COL_ALL && !(key & QKEY_UNMERGED);
                sql_append(sql, size, merge ? "SUM(count)" : "count");
                sql_append(sql, size, " FROM daily WHERE 1");
                if (key & QKEY_DOMAIN)
                        sql_append(sql, size, " AND domain = ?3");
        }
        if (key & QKEY_FROM)
                sql_append(sql, size, " AND day >= ?1");
        if (key & QKEY_TO)
                sql_append(sql, size, " AND day <= ?2");
        if (key & QKEY_HOST)
                sql_append(sql, size, " AND host = ?4");

        int ncols = key & QKEY_EVIDENCE ? 2 : N_COLUMNS;
        if (key & QKEY_UNMERGED)
                group = COL_ALL;        /* only for the ORDER BY: the primary key order */
        else if (!(key & QKEY_EVIDENCE) && group != COL_ALL && group != 0) {
                sql_append(sql, size, " GROUP BY ");
                first = true;
                for (int i = 0; i < ncols; i++)
                        if (group & (1u << i)) {
                                sql_append(sql, size, first ? "" : ", ");
                                sql_append(sql, size, column_names[i]);
                                first = false;
                        }
        } else if ((key & QKEY_EVIDENCE) && (group & (COL_DAY | COL_HOST)) &&
                   (group & (COL_DAY | COL_HOST)) != (COL_DAY | COL_HOST))
                sql_append(sql, size, group & COL_DAY ? " GROUP BY day" : " GROUP BY host");

        first = true;
        for (int i = 0; i < ncols; i++)
                if (group & (1u << i)) {
                        sql_append(sql, size, first ? " ORDER BY " : ", ");
                        sql_append(sql, size, column_names[i]);
                        first = false;
                }
}

/* store_query_stmt - cached statement for a query shape, parameters bound */
static int store_query_stmt(Store *s, const StoreQuery *q, bool evidence, sqlite3_stmt **ret) {
        unsigned key = (q->group & COL_ALL) |
                (q->from_day ? QKEY_FROM : 0) | (q->to_day ? QKEY_TO : 0) |
                (q->domain && !evidence ? QKEY_DOMAIN : 0) | (q->host ? QKEY_HOST : 0) |
                (evidence ? QKEY_EVIDENCE : QKEY_UNMERGED * q->unmerged);
        CachedQuery *slot = NULL;
        int rc = SQLITE_OK;

        if (evidence)
                key &= ~(unsigned) (COL_ALL & ~(COL_DAY | COL_HOST));

        for (size_t i = 0; i < QUERY_CACHE_SIZE; i++)
                if (s->queries[i].stmt && s->queries[i].key == key) {
                        slot = &s->queries[i];
                        break;
                }
        if (!slot) {
                char sql[1024];

                slot = &s->queries[s->queries_next];
                s->queries_next = (s->queries_next + 1) % QUERY_CACHE_SIZE;
                (void) sqlite3_finalize(slot->stmt);
                slot->stmt = NULL;
                query_build_sql(key, sql, sizeof(sql));
                rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->stmt, NULL);
                if (rc != SQLITE_OK)
                        return store_fail_sqlite(s, rc, "cannot prepare a query");
                slot->key = key;
        }

        sqlite3_stmt *st = slot->stmt;
        if (q->from_day)
                rc = bind_text(st, 1, q->from_day);
        if (rc == SQLITE_OK && q->to_day)
                rc = bind_text(st, 2, q->to_day);
        if (rc == SQLITE_OK && (key & QKEY_DOMAIN))
                rc = bind_text(st, 3, q->domain);
        if (rc == SQLITE_OK && q->host)
                rc = bind_text(st, 4, q->host);
        if (rc != SQLITE_OK) {
                store_finish(st);
                return store_fail_sqlite(s, rc, "cannot bind query parameters");
        }
        *ret = st;
        return 0;
}

static const char *column_str(sqlite3_stmt *st, int i) {
        const char *v = (const char *) sqlite3_column_text(st, i);
        return v ? v : "";
}

static uint64_t column_u64(sqlite3_stmt *st, int i) {
        sqlite3_int64 v = sqlite3_column_int64(st, i);
        return v > 0 ? (uint64_t) v : 0;
}

static int query_check(const StoreQuery *q) {
        if ((q->from_day && !day_is_valid(q->from_day)) || (q->to_day && !day_is_valid(q->to_day)))
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

int store_query_daily(Store *s, const StoreQuery *q, DailyRowFn fn, void *userdata) {
        if (!s || !q || !fn)
                return -EINVAL;
        return store_query_daily_run(s, q, fn, userdata);
}

int store_query_evidence(Store *s, const StoreQuery *q, EvidenceRowFn fn, void *userdata) {
        if (!fn)
                return -EINVAL;
        return store_query_run(s, &(const RowSink) { .q = q, .evidence = fn, .userdata = userdata });
}

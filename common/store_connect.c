/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        store_connect - reach the store file: read-write, or read-only in one of four ways
 * SYNOPSIS
 *        #include "store_private.h"
 *        int store_connect_write(Store *s);
 *        int store_connect_read(Store *s);
 *        void store_disconnect(Store *s);
 * DESCRIPTION
 *        A read-write connection creates the parent directory (0750) and the
 *        file (0640), switches to WAL with synchronous=NORMAL and a larger
 *        page cache. synchronous=NORMAL keeps every commit atomic; a power
 *        loss may drop the last commits, but since aggregates and cursor are
 *        committed together the next run reads those entries again and never
 *        counts twice.
 *        A read-only connection writes nothing and works on a full file
 *        system too; the one exception is the rollback of a journal left by
 *        a crash (see store_connect_read() for the four ways).
 *        Both check the schema once connected (store_schema.c).
 *        store_disconnect() finalizes every statement and closes the
 *        connection, rolling back an open transaction.
 * DIAGNOSTICS
 *        As store_check_schema(): 1 migration needed, 0 ready, or a negative
 *        errno with store_last_error() saying why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "store_private.h"

#define STORE_WRITE_CACHE_KIB_NEG -16384        /* page cache of a read-write connection: 16 MiB */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* How a read-only Store reaches the file; see store_connect_read(). */
typedef enum StoreAccess {
        ACCESS_SHARED,                  /* the normal way: wal-index in the shared -shm file */
        ACCESS_PRIVATE,                 /* exclusive lock, wal-index on the heap, no -shm */
        ACCESS_IMMUTABLE,               /* no lock, no -wal/-shm: only while the -wal is empty */
        ACCESS_ROLLBACK,                /* read-write, to roll back a hot journal; query_only */
} StoreAccess;

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

/* store_open_flags_read - how a read-only connection opens the file, for one way of access */
static int store_open_flags_read(Store *s, StoreAccess how, int *ret_flags, char **ret_uri) {
        struct stat st;

        if (stat(s->path, &st) < 0)
                return store_fail(s, -errno, "%s: %s", s->path, strerror(errno));
        /* ACCESS_PRIVATE (its exclusive lock) and ACCESS_ROLLBACK need a descriptor
         * open for writing; query_only keeps the connection from writing. */
        *ret_flags = how == ACCESS_PRIVATE || how == ACCESS_ROLLBACK ?
                SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
        if (how == ACCESS_IMMUTABLE) {
                *ret_uri = store_uri(s->path, "?immutable=1");
                if (!*ret_uri)
                        return -ENOMEM;
                *ret_flags |= SQLITE_OPEN_URI;
        }
        return 0;
}

/* store_create_file - the directories above the store and the file, with our modes */
static int store_create_file(Store *s) {
        _cleanup_close_ int fd = -1;
        int r;

        r = mkdir_parents(s->path, 0750);
        if (r < 0)
                return store_fail(s, r, "%s: cannot create the directory: %s", s->path, strerror(-r));
        /* Create it ourselves for the mode; SQLite gives -wal/-shm the same mode. */
        fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
        if (fd < 0)
                return store_fail(s, -errno, "%s: %s", s->path, strerror(errno));
        return 0;
}

/* store_set_private - exclusive lock, wal-index on the heap, no checkpoint on close */
static int store_set_private(Store *s) {
        int rc;

        /* SQLite falls back to read-only when the file is not writable for us. */
        if (sqlite3_db_readonly(s->db, "main") != 0)
                return store_fail(s, -EACCES, "%s: not writable, cannot lock it", s->path);
        /* Closing must not checkpoint the -wal into the file: this connection only reads. */
        rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        if (rc != SQLITE_OK)
                return store_fail_sqlite(s, rc, "cannot disable the checkpoint on close");
        /* Set before the first read: the wal-index then lives on the heap, not in -shm. */
        return store_exec(s, "PRAGMA locking_mode = EXCLUSIVE", "cannot set the locking mode");
}

/* store_set_writing - WAL, synchronous=NORMAL and the page cache of a writer */
static int store_set_writing(Store *s) {
        int r;

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

/* store_connect - open the connection and apply the per-connection settings */
static int store_connect(Store *s, StoreAccess how) {
        _cleanup_free_ char *uri = NULL;
        int flags = SQLITE_OPEN_READWRITE, rc, r;

        s->error_rc = s->error_errno = 0;
        if (s->mode == STORE_READ_ONLY)
                r = store_open_flags_read(s, how, &flags, &uri);
        else
                r = store_create_file(s);
        if (r < 0)
                return r;

        /* A Store belongs to one thread: no per-call mutex (it costs ~15% on big queries). */
        rc = sqlite3_open_v2(uri ? uri : s->path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
        if (rc != SQLITE_OK)
                return store_fail_sqlite(s, rc, "cannot open");
        (void) sqlite3_extended_result_codes(s->db, 1);
        (void) sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MSEC);

        if (how == ACCESS_PRIVATE) {
                r = store_set_private(s);
                if (r < 0)
                        return r;
        }
        r = store_exec(s, "PRAGMA foreign_keys = ON", "cannot enable foreign keys");
        if (r < 0)
                return r;
        if (s->mode == STORE_READ_ONLY)
                return store_exec(s, "PRAGMA query_only = ON", "cannot set query_only");
        return store_set_writing(s);
}

/* store_disconnect - finalize the statements and close the connection */
void store_disconnect(Store *s) {
        for (size_t i = 0; i < _STMT_MAX; i++)
                (void) sqlite3_finalize(TAKE_PTR(s->stmt[i]));
        for (size_t i = 0; i < QUERY_CACHE_SIZE; i++)
                (void) sqlite3_finalize(TAKE_PTR(s->queries[i].stmt));
        (void) sqlite3_close_v2(TAKE_PTR(s->db));      /* rolls back an open transaction */
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
int store_connect_read(Store *s) {
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

/* store_connect_write - open read-write and check the schema */
int store_connect_write(Store *s) {
        int r;

        r = store_connect(s, ACCESS_SHARED);
        if (r < 0)
                return r;
        return store_check_schema(s);
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        store_error - SQLite failures as a negative errno and a message
 * SYNOPSIS
 *        #include "store_private.h"
 *        int store_errno(sqlite3 *db, int rc);
 *        int store_fail(Store *s, int r, const char *fmt, ...);
 *        int store_fail_sqlite(Store *s, int rc, const char *what);
 *        bool store_error_is_space(const Store *s);
 *        const char *store_last_error(const Store *s);
 * DESCRIPTION
 *        store_errno() maps an SQLite result code to a negative errno. An I/O
 *        error is mapped through the system error under it where that says
 *        more (a -shm file that cannot grow on a full file system gives
 *        -ENOSPC, not -EIO). store_fail() and store_fail_sqlite() keep a
 *        human message (file name, what failed, SQLite's words and the system
 *        error) for store_last_error() and return the errno; store_fail_sqlite()
 *        also keeps the codes for store_error_is_space().
 * DIAGNOSTICS
 *        store_fail_sqlite() never returns success: a code that maps to 0 is -EIO.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store_private.h"

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
int store_errno(sqlite3 *db, int rc) {
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

/* store_fail - remember a human message for store_last_error(), return r */
int store_fail(Store *s, int r, const char *fmt, ...) {
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
int store_fail_sqlite(Store *s, int rc, const char *what) {
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

/* store_error_is_space - did the last failure come from a full file system or the -shm file? */
bool store_error_is_space(const Store *s) {
        return rc_is_shm(s->error_rc) || (s->error_rc & 0xff) == SQLITE_FULL ||
               ((s->error_rc & 0xff) == SQLITE_IOERR && (s->error_errno == ENOSPC || s->error_errno == EDQUOT));
}

/* store_last_error - the message of the last failure on s */
const char *store_last_error(const Store *s) {
        if (!s)
                return "no store";
        return s->error[0] ? s->error : "no error";
}

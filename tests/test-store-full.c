/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-store-full - the store on a full file system
 * DESCRIPTION
 *        A small tmpfs is mounted (root only; the tests are skipped otherwise)
 *        and filled up. Opening for writing fails with -ENOSPC and a message
 *        naming the store and the cause; a write transaction fails the same
 *        way and leaves the last commit; reading still works, also with a
 *        non-empty -wal and without a usable -shm, and writes nothing: the
 *        database and the -wal keep every byte. Last, a hot rollback journal
 *        (left by a run killed while it created the store) does not make the
 *        store unreadable: the read-only open rolls it back.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cleanup.h"
#include "skip.h"
#include "store.h"
#include "store-fixture.h"

typedef struct Fixture {
        StoreFixture s;                 /* the store: s.path, in the tmpfs at mnt */
        char mnt[96];
        char filler[128];
        bool mounted;
} Fixture;

/* The whole content of a file, or size -1 when it does not exist. */
typedef struct Snapshot {
        char *data;
        ssize_t size;
} Snapshot;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        store_fixture_init(&f->s, "mnt/mxtls.db");
        (void) snprintf(f->mnt, sizeof(f->mnt), "%s/mnt", f->s.dir);
        (void) snprintf(f->filler, sizeof(f->filler), "%s/filler", f->mnt);
        assert_int_equal(mkdir(f->mnt, 0755), 0);
        if (geteuid() == 0 && mount("mxtls-test", f->mnt, "tmpfs", 0, "size=2m,mode=1777") == 0)
                f->mounted = true;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        if (f->mounted)
                (void) umount(f->mnt);
        store_fixture_fini(&f->s);
        free(f);
        return 0;
}

/* need_tmpfs - skip unless the tmpfs could be mounted (root only) */
static Fixture *need_tmpfs(void **state) {
        Fixture *f = *state;

        if (!f->mounted)
                SKIP("the full file system tests: not root or no tmpfs");
        return f;
}

/* fill - take every free block of the file system */
static void fill(const Fixture *f) {
        static const char zeros[4096];
        struct statvfs sv;
        int fd;

        fd = open(f->filler, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        while (write(fd, zeros, sizeof(zeros)) == (ssize_t) sizeof(zeros))
                ;
        while (write(fd, zeros, 1) == 1)
                ;
        assert_int_equal(errno, ENOSPC);
        assert_int_equal(close(fd), 0);
        assert_int_equal(statvfs(f->mnt, &sv), 0);
        assert_int_equal(sv.f_bavail, 0);
}

static void unfill(const Fixture *f) {
        assert_int_equal(unlink(f->filler), 0);
}

static Snapshot snapshot(const char *path) {
        Snapshot s = { .size = -1 };
        struct stat st;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                assert_int_equal(errno, ENOENT);
                return s;
        }
        assert_int_equal(fstat(fd, &st), 0);
        s.data = malloc((size_t) st.st_size + 1);
        assert_non_null(s.data);
        s.size = read(fd, s.data, (size_t) st.st_size);
        assert_int_equal(s.size, st.st_size);
        (void) close(fd);
        return s;
}

/* assert_unchanged - the file has the same bytes as in the snapshot (a missing -wal may become empty) */
static void assert_unchanged(const char *path, Snapshot *before) {
        Snapshot now = snapshot(path);

        if (before->size == -1 && now.size == 0)
                now.size = -1;
        if (now.size != before->size || (now.size > 0 && memcmp(now.data, before->data, (size_t) now.size) != 0))
                fail_msg("%s changed (%zd bytes before, %zd now)", path, before->size, now.size);
        free(now.data);
        free(before->data);
        *before = (Snapshot) { 0 };
}

/* add - a TLS 1.3 delivery to domain */
static void add(Store *s, const char *day, const char *domain, uint64_t count) {
        store_fixture_add(s, day, "mta1", domain, "mx.example.net", "TLSv1.3", "Verified", "",
                          "tls", "", count);
}

/* make_store - a store with n domains of one delivery each, closed (no -wal, no -shm left) */
static void make_store(const Fixture *f, unsigned n) {
        Store *s = NULL;
        char domain[64];

        assert_int_equal(store_open(f->s.path, STORE_READ_WRITE, &s), 0);
        assert_int_equal(store_begin(s), 0);
        for (unsigned i = 0; i < n; i++) {
                (void) snprintf(domain, sizeof(domain), "d%u.example", i);
                add(s, "2024-03-01", domain, 1);
        }
        assert_int_equal(store_commit(s), 0);
        s = store_close(s);
}

static int count_row(const DailyRow *row, void *userdata) {
        *(uint64_t *) userdata += row->count;
        return 0;
}

/* total - deliveries in the store, read through a read-only Store */
static uint64_t total(const Fixture *f) {
        StoreQuery q = { .group = COL_DAY };
        Store *s = NULL;
        char *msg = NULL;
        uint64_t n = 0;
        int r;

        r = store_open_full(f->s.path, STORE_READ_ONLY, &s, &msg);
        if (r < 0)
                fail_msg("read-only open: %s (%s)", strerror(-r), msg ? msg : "?");
        r = store_query_daily(s, &q, count_row, &n);
        if (r < 0)
                fail_msg("query: %s (%s)", strerror(-r), store_last_error(s));
        s = store_close(s);
        return n;
}

static void test_open_for_writing_says_no_space(void **state) {
        Fixture *f = need_tmpfs(state);
        Store *s = NULL;
        char *msg = NULL;

        make_store(f, 3);
        fill(f);
        assert_int_equal(store_open_full(f->s.path, STORE_READ_WRITE, &s, &msg), -ENOSPC);
        assert_null(s);
        assert_non_null(msg);
        if (!strstr(msg, f->s.path) || !strstr(msg, strerror(ENOSPC)))
                fail_msg("message without the store or the cause: %s", msg);
        free(msg);

        unfill(f);
        assert_int_equal(store_open(f->s.path, STORE_READ_WRITE, &s), 0);
        add(s, "2024-03-02", "late.example", 1);
        s = store_close(s);
        assert_int_equal(total(f), 4);
}

static void test_write_transaction_says_no_space(void **state) {
        Fixture *f = need_tmpfs(state);
        Store *s = NULL;
        char domain[64];
        int r = 0;

        make_store(f, 3);
        assert_int_equal(store_open(f->s.path, STORE_READ_WRITE, &s), 0);
        fill(f);
        assert_int_equal(store_begin(s), 0);
        for (unsigned i = 0; i < 20000 && r == 0; i++) {
                (void) snprintf(domain, sizeof(domain), "a-rather-long-domain-name-%u.example", i);
                DailyRow row = { .day = "2024-03-02", .host = "mta1", .domain = domain, .outcome = "tls",
                                 .count = 1 };
                r = store_add_daily(s, &row);
        }
        if (r == 0)
                r = store_commit(s);
        assert_int_equal(r, -ENOSPC);
        assert_non_null(strstr(store_last_error(s), f->s.path));
        assert_int_equal(store_rollback(s), 0);

        /* The last commit, read while the file system is still full and the writer is open. */
        assert_int_equal(total(f), 3);
        s = store_close(s);
        assert_int_equal(total(f), 3);
        unfill(f);
}

static void test_read_when_full(void **state) {
        Fixture *f = need_tmpfs(state);
        char wal[160];
        Snapshot db, w;

        (void) snprintf(wal, sizeof(wal), "%s-wal", f->s.path);
        make_store(f, 5);
        fill(f);
        db = snapshot(f->s.path);
        w = snapshot(wal);
        assert_int_equal(total(f), 5);
        assert_int_equal(total(f), 5);
        assert_unchanged(f->s.path, &db);
        assert_unchanged(wal, &w);
        unfill(f);
}

/* add_to_wal - commit one more row that stays in the -wal (no checkpoint on close) */
static void add_to_wal(const Fixture *f, const char *domain) {
        sqlite3 *db = NULL;
        char sql[256];

        assert_int_equal(sqlite3_open_v2(f->s.path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL), SQLITE_OK);
        (void) snprintf(sql, sizeof(sql),
                        "INSERT INTO daily VALUES ('2024-03-03', 'mta1', '%s', '', '', '', '', '', 'tls', '', 7)",
                        domain);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
                fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_read_nonempty_wal_when_full(void **state) {
        Fixture *f = need_tmpfs(state);
        char wal[160], shm[160];
        Snapshot db, w;
        struct stat st;

        (void) snprintf(wal, sizeof(wal), "%s-wal", f->s.path);
        (void) snprintf(shm, sizeof(shm), "%s-shm", f->s.path);
        make_store(f, 5);
        add_to_wal(f, "in-wal.example");
        assert_int_equal(stat(wal, &st), 0);
        assert_true(st.st_size > 0);

        /* A -shm that is there at full size still works. */
        fill(f);
        assert_int_equal(total(f), 12);
        unfill(f);

        /* Without it, on a full file system no -shm can be made: the -wal is still read. */
        assert_int_equal(unlink(shm), 0);
        fill(f);
        db = snapshot(f->s.path);
        w = snapshot(wal);
        assert_int_equal(total(f), 12);
        assert_unchanged(f->s.path, &db);
        assert_unchanged(wal, &w);
        unfill(f);

        /* Nothing was lost or checkpointed away: a writer goes on from there. */
        Store *s = NULL;
        assert_int_equal(store_open(f->s.path, STORE_READ_WRITE, &s), 0);
        add(s, "2024-03-04", "after.example", 1);
        s = store_close(s);
        assert_int_equal(total(f), 13);
}

static void test_read_when_full_without_write_access(void **state) {
        Fixture *f = need_tmpfs(state);
        char wal[160];
        Snapshot db;
        pid_t pid;
        int status;

        /* A reader that may not write the file (another user, group read access). */
        (void) snprintf(wal, sizeof(wal), "%s-wal", f->s.path);
        make_store(f, 6);
        assert_int_equal(chmod(f->s.dir, 0755), 0);
        assert_int_equal(chmod(f->s.path, 0644), 0);
        fill(f);
        db = snapshot(f->s.path);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                StoreQuery q = { .group = COL_DAY };
                Store *s = NULL;
                uint64_t n = 0;
                int r;

                if (setgid(65534) < 0 || setuid(65534) < 0)
                        _exit(2);
                r = store_open(f->s.path, STORE_READ_ONLY, &s);
                if (r < 0) {
                        fprintf(stderr, "read-only open as nobody: %s\n", strerror(-r));
                        _exit(3);
                }
                r = store_query_daily(s, &q, count_row, &n);
                s = store_close(s);
                _exit(r == 0 && n == 6 ? 0 : 4);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        assert_unchanged(f->s.path, &db);
        unfill(f);
}

/* copy_file - byte copy; false when from does not exist */
static bool copy_file(const char *from, const char *to) {
        Snapshot c = snapshot(from);
        FILE *out;

        if (c.size < 0)
                return false;
        out = fopen(to, "we");
        assert_non_null(out);
        assert_int_equal(fwrite(c.data, 1, (size_t) c.size, out), (size_t) c.size);
        assert_int_equal(fclose(out), 0);
        free(c.data);
        return true;
}

static void test_read_rolls_back_a_hot_journal(void **state) {
        Fixture *f = *state;
        char copy[sizeof(f->s.path)], journal[192], copy_journal[192];
        sqlite3 *db = NULL;
        Store *s = NULL;
        char *msg = NULL;
        struct stat st;

        /* No tmpfs needed: the store lives in the temporary directory itself. */
        (void) snprintf(f->s.path, sizeof(f->s.path), "%s/mxtls.db", f->s.dir);
        (void) snprintf(copy, sizeof(copy), "%s/copy.db", f->s.dir);
        (void) snprintf(journal, sizeof(journal), "%s-journal", f->s.path);
        (void) snprintf(copy_journal, sizeof(copy_journal), "%s-journal", copy);
        make_store(f, 5);

        /* A transaction in rollback-journal mode whose pages already went to the file;
         * copies of the file and the journal taken now are what a killed run leaves. */
        assert_int_equal(sqlite3_open_v2(f->s.path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = DELETE; PRAGMA cache_size = 2; BEGIN;"
                                      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)"
                                      " INSERT INTO daily SELECT '2024-03-09', 'mta1', printf('spill-%04d-%s', i,"
                                      " hex(randomblob(40))), '', '', '', '', '', 'tls', '', 1000 FROM n;",
                                      NULL, NULL, NULL), SQLITE_OK);
        assert_true(copy_file(journal, copy_journal));
        assert_true(copy_file(f->s.path, copy));
        assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
        assert_int_equal(stat(copy_journal, &st), 0);
        assert_true(st.st_size > 512);

        (void) snprintf(f->s.path, sizeof(f->s.path), "%s", copy);
        if (store_open_full(f->s.path, STORE_READ_ONLY, &s, &msg) < 0)
                fail_msg("read-only open with a hot journal: %s", msg ? msg : "?");
        s = store_close(s);
        assert_int_equal(total(f), 5);
        assert_int_equal(stat(copy_journal, &st), -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_open_for_writing_says_no_space, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_transaction_says_no_space, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_when_full, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_nonempty_wal_when_full, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_when_full_without_write_access, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_rolls_back_a_hot_journal, setup, teardown),
        };
        return skip_exit(cmocka_run_group_tests(tests, NULL, NULL));
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        store-fixture - real store files in a temporary directory, filled through the store API
 * SYNOPSIS
 *        #include "store-fixture.h"
 * DESCRIPTION
 *        See store-fixture.h. Every failure is a cmocka failure of the test
 *        that called: what failed, strerror() and store_last_error().
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store-fixture.h"
#include "util.h"

/* store_fixture_init - a fresh temporary directory named after the test program, the store's name in it */
void store_fixture_init(StoreFixture *f, const char *file) {
        int n;

        *f = (StoreFixture) { .store = NULL };
        n = snprintf(f->dir, sizeof(f->dir), "/tmp/%s.XXXXXX", program_invocation_short_name);
        assert_true(n > 0 && (size_t) n < sizeof(f->dir));
        if (!mkdtemp(f->dir))
                fail_msg("mkdtemp(%s): %s", f->dir, strerror(errno));
        n = snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, file);
        assert_true(n > 0 && (size_t) n < sizeof(f->path));
}

/* store_fixture_check - fail the test when r is an error of s */
static void store_fixture_check(Store *s, int r, const char *what) {
        if (r < 0)
                fail_msg("%s: %s (%s)", what, strerror(-r), store_last_error(s));
}

/* store_fixture_open_mode - open the fixture's store */
static void store_fixture_open_mode(StoreFixture *f, StoreMode mode) {
        char *msg = NULL;
        int r;

        r = store_open_full(f->path, mode, &f->store, &msg);
        if (r < 0)
                fail_msg("store_open(%s): %s (%s)", f->path, strerror(-r), msg ? msg : "?");
}

/* store_fixture_open - a temporary directory with a read-write store mxtls.db in it */
void store_fixture_open(StoreFixture *f) {
        store_fixture_init(f, "mxtls.db");
        store_fixture_open_mode(f, STORE_READ_WRITE);
}

/* store_fixture_open_window - a read-write store, a transaction, days counted back from last_day */
void store_fixture_open_window(StoreFixture *f, const char *last_day) {
        store_fixture_open(f);
        assert_int_equal(day_parse(last_day, &f->last), 0);
        store_fixture_check(f->store, store_begin(f->store), "store_begin");
        f->transaction = true;
}

/* store_fixture_reopen_read_only - commit the window's transaction, reopen the store read-only */
void store_fixture_reopen_read_only(StoreFixture *f) {
        if (f->transaction)
                store_fixture_check(f->store, store_commit(f->store), "store_commit");
        f->transaction = false;
        f->store = store_close(f->store);
        store_fixture_open_mode(f, STORE_READ_ONLY);
}

/* remove_entry - nftw() callback: remove one file or (emptied) directory */
static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(p);
}

/* store_fixture_fini - close the store and remove the directory with all in it */
void store_fixture_fini(StoreFixture *f) {
        f->store = store_close(f->store);
        if (nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
                fail_msg("cannot remove %s: %s", f->dir, strerror(errno));
}

/* store_fixture_setup - cmocka setup: *state is a fixture with a read-write store */
int store_fixture_setup(void **state) {
        StoreFixture *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        store_fixture_open(f);
        *state = f;
        return 0;
}

/* store_fixture_teardown - cmocka teardown of store_fixture_setup() */
int store_fixture_teardown(void **state) {
        StoreFixture *f = *state;

        store_fixture_fini(f);
        free(f);
        return 0;
}

/* store_fixture_add - one daily row; with a protocol, the cipher TLS_AES_256_GCM_SHA384 */
void store_fixture_add(Store *s, const char *day, const char *host, const char *domain, const char *mx,
                       const char *protocol, const char *trust, const char *level, const char *outcome,
                       const char *reason, uint64_t count) {
        DailyRow row = {
                .day = day, .host = host, .domain = domain, .mx = mx, .protocol = protocol,
                .cipher = *protocol ? "TLS_AES_256_GCM_SHA384" : "", .trust = trust, .level = level,
                .outcome = outcome, .reason = reason, .count = count,
        };

        store_fixture_check(s, store_add_daily(s, &row), "store_add_daily");
}

/* store_fixture_evidence - add to the TLS evidence of (day, host) */
void store_fixture_evidence(Store *s, const char *day, const char *host, uint64_t deliveries,
                            uint64_t tls_lines, uint64_t tls_fields) {
        EvidenceRow e = { .day = day, .host = host, .deliveries = deliveries, .tls_lines = tls_lines,
                          .tls_fields = tls_fields };

        store_fixture_check(s, store_add_evidence(s, &e), "store_add_evidence");
}

/* store_fixture_deliver - a daily row `back` days before the last day, and its TLS evidence */
void store_fixture_deliver(StoreFixture *f, int back, const char *host, const char *domain, const char *mx,
                           const char *protocol, const char *trust, const char *level, const char *outcome,
                           const char *reason, uint64_t count) {
        char day[11];

        day_format(f->last - back, day);
        store_fixture_add(f->store, day, host, domain, mx, protocol, trust, level, outcome, reason, count);
        /* tls_fields 1: the day had some TLS evidence */
        store_fixture_evidence(f->store, day, host, count, strcmp(outcome, "tls") == 0 ? count : 0, 1);
}

/* store_fixture_logging_off - plaintext deliveries on a (day, host) without any TLS line or tls= field */
void store_fixture_logging_off(StoreFixture *f, int back, const char *host, const char *domain,
                               const char *mx, uint64_t count) {
        char day[11];

        day_format(f->last - back, day);
        store_fixture_add(f->store, day, host, domain, mx, "", "", "", "plaintext", "", count);
        store_fixture_evidence(f->store, day, host, count, 0, 0);
}

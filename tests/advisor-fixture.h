/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        advisor-fixture - build real store files with synthetic traffic
 * SYNOPSIS
 *        #include "advisor-fixture.h"
 *        Fixture f; fixture_open(&f, "2024-03-31");
 *        fixture_add(&f, day_offset, "host", "domain", "mx", "TLSv1.3", "Trusted", "may", "tls", "", n);
 *        fixture_reopen_read_only(&f);
 *        fixture_close(&f);
 * DESCRIPTION
 *        Shared by test-advise and test-audit. Days are given as offsets back
 *        from the fixture's last day (0 = last day of the window). Every row
 *        also counts as TLS evidence for its (day, host) unless the caller
 *        declares logging off for that (day, host) with fixture_logging_off().
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "timeutil.h"

typedef struct Fixture {
        char dir[64];
        char path[128];
        Store *store;
        int64_t last;                   /* days since the epoch of the last day */
        char last_day[11];
} Fixture;

static inline void fixture_day(const Fixture *f, int back, char buf[static 11]) {
        day_format(f->last - back, buf);
}

static inline void fixture_open(Fixture *f, const char *last_day) {
        memset(f, 0, sizeof(*f));
        (void) snprintf(f->dir, sizeof(f->dir), "/tmp/mxtls-advisor-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        (void) snprintf(f->path, sizeof(f->path), "%s/mxtls.db", f->dir);
        assert_int_equal(day_parse(last_day, &f->last), 0);
        memcpy(f->last_day, last_day, 11);
        assert_int_equal(store_open(f->path, STORE_READ_WRITE, &f->store), 0);
        assert_int_equal(store_begin(f->store), 0);
}

static inline void fixture_add(Fixture *f, int back, const char *host, const char *domain, const char *mx,
                               const char *protocol, const char *trust, const char *level,
                               const char *outcome, const char *reason, uint64_t count) {
        char day[11];
        fixture_day(f, back, day);
        DailyRow row = {
                .day = day, .host = host, .domain = domain, .mx = mx, .protocol = protocol,
                .cipher = *protocol ? "TLS_AES_256_GCM_SHA384" : "", .trust = trust, .level = level,
                .outcome = outcome, .reason = reason, .count = count,
        };
        assert_int_equal(store_add_daily(f->store, &row), 0);
        EvidenceRow ev = {
                .day = day, .host = host, .deliveries = count,
                .tls_lines = strcmp(outcome, "tls") == 0 ? count : 0,
                .tls_fields = 1,        /* the day had some TLS evidence */
        };
        assert_int_equal(store_add_evidence(f->store, &ev), 0);
}

/* Deliveries on (day, host) without any TLS line or tls= field. */
static inline void fixture_logging_off(Fixture *f, int back, const char *host, const char *domain,
                                       const char *mx, uint64_t count) {
        char day[11];
        fixture_day(f, back, day);
        DailyRow row = {
                .day = day, .host = host, .domain = domain, .mx = mx, .protocol = "", .cipher = "",
                .trust = "", .level = "", .outcome = "plaintext", .reason = "", .count = count,
        };
        assert_int_equal(store_add_daily(f->store, &row), 0);
        EvidenceRow ev = { .day = day, .host = host, .deliveries = count };
        assert_int_equal(store_add_evidence(f->store, &ev), 0);
}

static inline void fixture_reopen_read_only(Fixture *f) {
        assert_int_equal(store_commit(f->store), 0);
        f->store = store_close(f->store);
        assert_int_equal(store_open(f->path, STORE_READ_ONLY, &f->store), 0);
}

static inline void fixture_close(Fixture *f) {
        char p[200];
        f->store = store_close(f->store);
        (void) unlink(f->path);
        (void) snprintf(p, sizeof(p), "%s-wal", f->path);
        (void) unlink(p);
        (void) snprintf(p, sizeof(p), "%s-shm", f->path);
        (void) unlink(p);
        assert_int_equal(rmdir(f->dir), 0);
}

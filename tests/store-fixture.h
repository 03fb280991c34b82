/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        store-fixture - real store files in a temporary directory, filled through the store API
 * SYNOPSIS
 *        #include "store-fixture.h"
 *        StoreFixture f;
 *        store_fixture_init(&f, "sub/mxtls.db");     the directory only
 *        store_fixture_open(&f);                     and a read-write store mxtls.db in it
 *        store_fixture_add(f.store, "2024-03-01", "mta1", "a.example", "mx.a.example",
 *                          "TLSv1.3", "Verified", "", "tls", "", 3);
 *        store_fixture_evidence(f.store, "2024-03-01", "mta1", 3, 3, 0);
 *        store_fixture_fini(&f);
 *
 *        store_fixture_open_window(&f, "2024-03-31");
 *        store_fixture_deliver(&f, days_back, "mta1", "a.example", "mx.a.example",
 *                              "TLSv1.3", "Trusted", "may", "tls", "", 3);
 *        store_fixture_logging_off(&f, days_back, "mta2", "a.example", "mx.a.example", 5);
 *        store_fixture_reopen_read_only(&f);
 *
 *        cmocka_unit_test_setup_teardown(test_x, store_fixture_setup, store_fixture_teardown)
 * DESCRIPTION
 *        The one store fixture of the unit tests, built once as a static
 *        library (tests/meson.build). store_fixture_init() makes the
 *        directory /tmp/PROGRAM.XXXXXX (test-report.XXXXXX for test-report)
 *        and names FILE in it (its directories are made by store_open());
 *        store_fixture_fini() closes the store, if open, and removes the
 *        directory with all in it. store_fixture_setup() and
 *        store_fixture_teardown() do the same around a cmocka test, *state
 *        being a StoreFixture with a read-write store.
 *        store_fixture_add() adds one daily row; a row with a protocol gets
 *        the cipher TLS_AES_256_GCM_SHA384. store_fixture_evidence() adds to
 *        the TLS evidence of a (day, host).
 *        For the advisor's windows of days, store_fixture_open_window() opens
 *        a store and a transaction; rows are then added by days back from
 *        last_day (0 = the last day): store_fixture_deliver() adds a row and
 *        counts it as TLS evidence of its (day, host), store_fixture_logging_off()
 *        adds plaintext deliveries on a (day, host) without any TLS line or
 *        tls= field. store_fixture_reopen_read_only() commits the transaction
 *        and reopens the store read-only.
 * DIAGNOSTICS
 *        A failure fails the running cmocka test, with store_last_error().
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

typedef struct StoreFixture {
        char dir[64];
        char path[128];
        Store *store;
        int64_t last;                   /* of a window: days since the epoch of its last day */
        bool transaction;               /* open_window's, committed by reopen_read_only */
} StoreFixture;

void store_fixture_init(StoreFixture *f, const char *file);
void store_fixture_open(StoreFixture *f);
void store_fixture_open_window(StoreFixture *f, const char *last_day);
void store_fixture_reopen_read_only(StoreFixture *f);
void store_fixture_fini(StoreFixture *f);

/* cmocka group or test setup and teardown: *state is a StoreFixture after store_fixture_open() */
int store_fixture_setup(void **state);
int store_fixture_teardown(void **state);

void store_fixture_add(Store *s, const char *day, const char *host, const char *domain, const char *mx,
                       const char *protocol, const char *trust, const char *level, const char *outcome,
                       const char *reason, uint64_t count);
void store_fixture_evidence(Store *s, const char *day, const char *host, uint64_t deliveries,
                            uint64_t tls_lines, uint64_t tls_fields);

void store_fixture_deliver(StoreFixture *f, int back, const char *host, const char *domain, const char *mx,
                           const char *protocol, const char *trust, const char *level, const char *outcome,
                           const char *reason, uint64_t count);
void store_fixture_logging_off(StoreFixture *f, int back, const char *host, const char *domain,
                               const char *mx, uint64_t count);

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
 * DIAGNOSTICS
 *        A failure fails the running cmocka test, with store_last_error().
 */
#pragma once

#include <stdint.h>

#include "store.h"

typedef struct StoreFixture {
        char dir[64];
        char path[128];
        Store *store;
} StoreFixture;

void store_fixture_init(StoreFixture *f, const char *file);
void store_fixture_open(StoreFixture *f);
void store_fixture_fini(StoreFixture *f);

/* cmocka group or test setup and teardown: *state is a StoreFixture after store_fixture_open() */
int store_fixture_setup(void **state);
int store_fixture_teardown(void **state);

void store_fixture_add(Store *s, const char *day, const char *host, const char *domain, const char *mx,
                       const char *protocol, const char *trust, const char *level, const char *outcome,
                       const char *reason, uint64_t count);
void store_fixture_evidence(Store *s, const char *day, const char *host, uint64_t deliveries,
                            uint64_t tls_lines, uint64_t tls_fields);

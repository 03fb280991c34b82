/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        aggregate - in-memory daily aggregates of outcomes and TLS evidence
 * SYNOPSIS
 *        #include "aggregate.h"
 *        Aggregates *aggregates_new(void);
 *        int aggregates_add(Aggregates *a, const Outcome *o);
 *        int aggregates_note_event(Aggregates *a, const PfRecord *rec, const Event *ev);
 *        int aggregates_flush(Aggregates *a, Store *s);
 * DESCRIPTION
 *        Outcomes are counted per (UTC day of realtime_usec, host, domain, mx,
 *        protocol, cipher, trust, level, outcome, reason). Strings are interned
 *        once; counting an outcome whose key exists allocates nothing.
 *        Evidence counters per (day, host): delivery lines, TLS lines and
 *        delivery lines with tls=, counted for every smtp client event given to
 *        aggregates_note_event() (records of other programs are ignored).
 *        aggregates_outcome_fn() is an OutcomeFn for correlator_new() with the
 *        Aggregates as userdata; its first error is kept for aggregates_error().
 *        aggregates_flush() writes every row with store_add_daily() (in the
 *        store's primary key order, so that the table fills front to back) and
 *        store_add_evidence() (the caller owns the transaction) and then empties
 *        the aggregates; on error they are left as they were.
 *        The foreach functions visit rows in insertion order; the strings of a
 *        row are valid during the callback only.
 * DIAGNOSTICS
 *        Negative errno: -EINVAL, -ENOMEM, -E2BIG (string pool past 4 GiB),
 *        or what the store or a callback returned.
 */
#pragma once

#include <stddef.h>

#include "correlate.h"
#include "parse.h"
#include "record.h"
#include "store.h"

typedef struct Aggregates Aggregates;

Aggregates *aggregates_new(void);
Aggregates *aggregates_free(Aggregates *a);
void aggregates_clear(Aggregates *a);

int aggregates_add(Aggregates *a, const Outcome *o);
void aggregates_outcome_fn(const Outcome *o, void *userdata);
int aggregates_error(const Aggregates *a);      /* first error of aggregates_outcome_fn(), 0 if none */
int aggregates_note_event(Aggregates *a, const PfRecord *rec, const Event *ev);

size_t aggregates_count_rows(const Aggregates *a);             /* daily rows */
size_t aggregates_count_evidence_rows(const Aggregates *a);    /* (day, host) evidence rows */
int aggregates_foreach_daily(const Aggregates *a, DailyRowFn fn, void *userdata);
int aggregates_foreach_evidence(const Aggregates *a, EvidenceRowFn fn, void *userdata);

int aggregates_flush(Aggregates *a, Store *s);
/* Exchange the rows (not the error of aggregates_outcome_fn()) of a and b. */
void aggregates_swap(Aggregates *a, Aggregates *b);

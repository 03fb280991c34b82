/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        collect_flush - write aggregates to the store while reading goes on
 * SYNOPSIS
 *        #include "collect_flush.h"
 *        int flusher_offer(Flusher **f, Store *s, Aggregates *a);
 *        int flusher_finish(Flusher **f, bool *ret_began);
 * DESCRIPTION
 *        A long run holds many daily rows; writing them all at the commit
 *        leaves the second CPU idle during the read and the first one idle
 *        during the write. flusher_offer() hands the rows of a (once there
 *        are COLLECT_FLUSH_ROWS of them, and only when the last batch is
 *        written) to a writer thread that begins the store transaction on
 *        first use and adds them with aggregates_flush(); a is left empty
 *        and collects on. The store's counts are sums, so rows written in
 *        several batches end up as one write of all of them would. The
 *        commit (or the rollback) stays with the caller, which must not use
 *        the store between the first offer and flusher_finish(): that waits
 *        for the writer, stops it, and says whether a transaction is open.
 *        Internal to collect.c.
 * DIAGNOSTICS
 *        Negative errno: -ENOMEM, or the store's error for an earlier batch.
 */
#pragma once

#include <stdbool.h>

#include "aggregate.h"
#include "store.h"

#define COLLECT_FLUSH_ROWS 32768

typedef struct Flusher Flusher;

/* *f is created on first use (NULL until then); 0 also when the rows stay for later. */
int flusher_offer(Flusher **f, Store *s, Aggregates *a);
/* Waits for the writer and frees *f; *ret_began: the writer began a transaction. */
int flusher_finish(Flusher **f, bool *ret_began);

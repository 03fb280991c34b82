/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        collect - read sources, correlate, and commit one run to the store
 * SYNOPSIS
 *        #include "collect.h"
 *        int collect_new(Store *store, const CollectOptions *o, Collect **ret);
 *        int collect_source(Collect *c, Source *src);
 *        int collect_commit(Collect *c);
 *        Collect *collect_free(Collect *c);
 * DESCRIPTION
 *        collect_source() resumes src at the position stored for its key (or
 *        at since_usec on a first run), loads the pending correlation state
 *        stored with it, and reads to the end: every record goes through
 *        parse_record(), aggregates_note_event() and correlate_feed(), and
 *        outcomes land in in-memory aggregates. Records without a pid cannot
 *        be tied to a session and are skipped; malformed ones (-EBADMSG) are
 *        counted and skipped. Nothing is committed yet, and the loop allocates
 *        nothing per record. The source is read ahead in a second thread; on
 *        a writable store, once COLLECT_FLUSH_ROWS daily rows are held, they
 *        are written in a third one into the transaction that collect_commit()
 *        commits (collect_free() without a commit rolls it back), and
 *        collect_aggregates() then holds only the rows not written yet.
 *
 *        collect_commit() writes, in ONE store transaction: the aggregates,
 *        the evidence counters, for each source its new position and its
 *        correlator_save() blob, and the retention prune. A run that fails or
 *        is killed before the commit leaves the store as it was.
 *
 *        store may be NULL (a dry run on a host without a store): every
 *        source then starts from the beginning (or since_usec).
 *
 *        State keys: "position:KEY" and "pending:KEY", KEY = source_key().
 * DIAGNOSTICS
 *        Negative errno values from the source, the correlator, the store.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "aggregate.h"
#include "correlate.h"
#include "source.h"
#include "store.h"

#define COLLECT_PROGRESS_INTERVAL 4096  /* records between progress callbacks */
#define COLLECT_TLS_EVIDENCE_DAYS 7     /* look-back for "TLS logging is off" */

typedef struct CollectProgress {
        const char *source;             /* source key */
        uint64_t entries;               /* read from this source so far */
        uint64_t last_usec;             /* time of the last entry read */
        double fraction;                /* 0..1, negative when unknown */
} CollectProgress;

typedef void (*CollectProgressFn)(const CollectProgress *p, void *userdata);

typedef struct CollectOptions {
        uint64_t since_usec;            /* first run only; 0 = from the beginning */
        CorrelateLimits limits;
        uint32_t retention_days;        /* prune rows older than this; 0 = keep all */
        CollectProgressFn progress;     /* may be NULL */
        void *userdata;
} CollectOptions;

/* What happened to one source; owned by the Collect. */
typedef struct CollectSourceResult {
        char *key;
        bool resumed;                   /* a stored position was used */
        SourceSeekInfo seek;
        bool pending_dropped;           /* stored correlation state unreadable: started afresh */
        SourceStats stats;
        CorrelateStats correlate;
        uint64_t parse_malformed;       /* parse_record() said -EBADMSG */
        char *position;                 /* new position; NULL = unchanged */
        char *pending;                  /* correlator_save() blob */
        size_t pending_len;
} CollectSourceResult;

typedef struct CollectTotals {
        uint64_t entries;               /* entries read from every source */
        uint64_t records;               /* records of the selected identifiers */
        uint64_t deliveries, tls_lines, tls_fields;
        uint64_t outcomes[_OUTCOME_KIND_MAX];
        uint64_t skipped;               /* malformed + too long + without pid */
        uint64_t malformed, too_long, no_pid;
} CollectTotals;

typedef struct Collect Collect;

int collect_new(Store *store, const CollectOptions *o, Collect **ret);
Collect *collect_free(Collect *c);
int collect_source(Collect *c, Source *src);
int collect_commit(Collect *c);

size_t collect_n_results(const Collect *c);
const CollectSourceResult *collect_result(const Collect *c, size_t i);
void collect_totals(const Collect *c, CollectTotals *ret);
const Aggregates *collect_aggregates(const Collect *c);
/* Deliveries were read but neither TLS lines nor tls= fields, in this run nor in the
 * stored evidence of the last COLLECT_TLS_EVIDENCE_DAYS days before it: 1, else 0. */
int collect_tls_logging_off(Collect *c);


/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        summary - the daily rows and TLS evidence of a window, added up once
 * SYNOPSIS
 *        #include "summary.h"
 *        int summary_build(Store *s, const SummaryOptions *o, Summary **ret);
 *        Summary *summary_free(Summary *m);
 *        const SummaryDomain *summary_find_domain(const Summary *m, const char *domain);
 *        size_t summary_tally_known(const SummaryTally *t, uint32_t ret[static SUMMARY_TALLY_MAX]);
 * DESCRIPTION
 *        summary_build() reads the evidence rows of the window, then its daily
 *        rows once, and adds them up: totals, per host (_HOSTNAME), per day
 *        and per recipient domain. The report (report/report.c), advise and
 *        audit (evidence.c) are views of this one Summary, so a domain has the
 *        same days and counts everywhere.
 *
 *        Outcome rows are tls, plaintext, tls_failed and other_failed;
 *        delivered = tls + plaintext. Hops to a local content filter (outcome
 *        "internal") are counted apart in the totals, hosts and days and never
 *        belong to a domain. Other outcome words and rows with a count of 0
 *        are ignored.
 *
 *        Logging off: a (day, host) whose evidence row has deliveries but
 *        neither a TLS line nor a tls= field (smtp_tls_loglevel = 0). It gets
 *        a SummaryLoggingOff warning. Its deliveries (tls and plaintext rows)
 *        still count by their stored outcome in SummaryCounts, which is what
 *        the report shows, and they are also counted in the domain's
 *        logging_off: their TLS status is unknown, so none of the figures the
 *        advisor reads (known_*, the halves, dane_*, *_protocol and the n_known
 *        of the tallies) includes them. Failures on such a day count as usual.
 *
 *        Days of a domain:
 *            days_seen         distinct days with any outcome row, logging-off
 *                              days included; first_seen and last_seen are the
 *                              first and the last of them;
 *            days_delivered    distinct days with a delivery whose TLS status
 *                              is known (the advisor's min_days);
 *            logging_off_days  distinct days with a delivery on a logging-off
 *                              (day, host).
 *        With SummaryOptions.day_maps the same three sets are kept as bitmaps
 *        (bit i = day from + i), for sums over several domains.
 *
 *        Tallies count by name as stored ("" = not logged): n as the report
 *        counts, n_known as the advisor does. Names are kept in the order first
 *        seen, at most SUMMARY_TALLY_MAX of them (the rest is summed in other),
 *        so that hostile log content grows a summary only by its number of
 *        domains, hosts and days. Every name is stored once: equal names are
 *        equal pointers. Strings from the log are kept as stored and are NOT
 *        validated here.
 * DIAGNOSTICS
 *        summary_build(): 0, -EINVAL bad options, -EBADMSG a malformed or
 *        out-of-order day in the store, -ENOMEM, store errors.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define SUMMARY_TALLY_MAX 128           /* distinct names kept per tally */

typedef struct SummaryItem {
        const char *key;                /* interned */
        const char *key2;               /* second name of a pair tally, NULL otherwise */
        uint64_t n;                     /* every row: what the report counts */
        uint64_t n_known;               /* rows whose TLS status is known: what the advisor counts */
        uint32_t known_order;           /* rank by first row counted in n_known */
} SummaryItem;

typedef struct SummaryTally {
        SummaryItem *items;             /* in the order first seen */
        uint32_t n;
        uint32_t n_known;               /* items with n_known > 0 */
        uint32_t last;                  /* the item added to last: where the next add looks first */
        uint64_t other;                 /* rows of names past SUMMARY_TALLY_MAX */
        uint64_t other_known;
} SummaryTally;

typedef struct SummaryCounts {
        uint64_t tls;                   /* every outcome row, as stored */
        uint64_t plaintext;
        uint64_t tls_failed;
        uint64_t other_failed;
        SummaryTally protocols;         /* tls rows by protocol */
        SummaryTally trust;             /* tls rows by trust word */
        SummaryTally levels;            /* outcome rows that logged a tls= token, by token */
        SummaryTally reasons;           /* tls_failed rows by reason */
} SummaryCounts;

typedef struct SummaryHalf {
        uint64_t tls, plaintext, tls_failed;
} SummaryHalf;

typedef struct SummaryDomain {
        const char *domain;             /* as stored; "" when the recipient had no valid domain */
        SummaryCounts counts;
        SummaryTally mx;                /* n: outcome rows by MX (not ""); n_known: known deliveries */
        uint64_t known_tls;             /* deliveries whose TLS status is known */
        uint64_t known_plaintext;
        uint64_t logging_off;           /* deliveries on a logging-off (day, host) */
        uint64_t dane_verified;         /* known tls, level dane or dane-only, trust Verified */
        uint64_t dane_downgraded;       /* known rows, level dane:x, dane-only:x or halfdane:x */
        uint64_t weak_protocol;         /* known tls over SSLv2, SSLv3, TLSv1 or TLSv1.1 */
        uint64_t unknown_protocol;      /* known tls over a protocol tls_protocol_rank() does not know */
        SummaryHalf early, late;        /* known tls, plaintext and tls_failed by half of the window */
        uint32_t days_seen;
        uint32_t days_delivered;
        uint32_t logging_off_days;
        char first_seen[11];
        char last_seen[11];
        uint8_t *seen_map;              /* SummaryOptions.day_maps, else NULL */
        uint8_t *delivered_map;
        uint8_t *off_map;
} SummaryDomain;

typedef struct SummaryHost {
        const char *host;               /* first: summary.c finds hosts and warnings alike */
        SummaryCounts counts;
        uint64_t internal;
} SummaryHost;

typedef struct SummaryDay {
        char day[11];
        SummaryCounts counts;
        uint64_t internal;
} SummaryDay;

/* A host whose log had deliveries but no TLS evidence on some days. */
typedef struct SummaryLoggingOff {
        const char *host;               /* first, as in SummaryHost */
        char first_day[11];
        char last_day[11];
        uint64_t days;
        uint64_t deliveries;            /* deliveries on those days */
        int64_t *day_numbers;           /* the days, ascending (days since the epoch) */
} SummaryLoggingOff;

typedef struct SummaryOptions {
        const char *from;               /* YYYY-MM-DD, inclusive, required */
        const char *to;                 /* YYYY-MM-DD, inclusive, required */
        const char *domain;             /* NULL = all domains */
        const char *host;               /* NULL = all hosts */
        bool day_maps;                  /* keep the day bitmaps of every domain */
} SummaryOptions;

typedef struct SummaryNames SummaryNames;

typedef struct Summary {
        char from[11], to[11];          /* inclusive window */
        char split[11];                 /* first day of the later half */
        int64_t from_day, to_day, split_day;    /* days since the epoch */
        size_t window_days;
        SummaryCounts totals;
        uint64_t internal;              /* hops to local filters */
        SummaryTally tls_by_protocol_trust;     /* tls rows by (protocol, trust) */
        SummaryDomain *domains;         /* in the order first seen */
        size_t n_domains;
        SummaryHost *hosts;             /* in the order first seen */
        size_t n_hosts;
        SummaryDay *days;               /* ascending, only days with rows */
        size_t n_days;
        SummaryLoggingOff *logging_off; /* by host name */
        size_t n_logging_off;
        SummaryNames *names;            /* interned strings and name indexes (summary_names.c) */
} Summary;

int summary_build(Store *s, const SummaryOptions *o, Summary **ret);
Summary *summary_free(Summary *m);
/* The domain as stored, NULL when the window has no outcome row for it. */
const SummaryDomain *summary_find_domain(const Summary *m, const char *domain);
/* Indices of the items with n_known > 0, in known_order; returns their number. */
size_t summary_tally_known(const SummaryTally *t, uint32_t ret[static SUMMARY_TALLY_MAX]);

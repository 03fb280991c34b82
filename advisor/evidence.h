/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        evidence - the advisor's per-domain view of a window's summary
 * SYNOPSIS
 *        #include "evidence.h"
 *        int evidence_collect(Store *s, const char *from_day, const char *to_day,
 *                             Evidence **ret);
 *        const DomainStats *evidence_find(const Evidence *e, const char *domain);
 * DESCRIPTION
 *        evidence_collect() has the window added up once by summary_build()
 *        (summary.h, with the day bitmaps) and gives advise and audit one
 *        DomainStats per domain, sorted by name; the nameless domain "" (a
 *        recipient without a valid domain) is left out. tls and plaintext
 *        count the deliveries whose TLS status is known: deliveries on a
 *        (day, host) where the log had deliveries but neither a TLS line nor a
 *        tls= field (TLS logging off) are counted apart in logging_off, never
 *        as plaintext or TLS. Days mean what they mean in the report:
 *        days_seen is the number of distinct days with any outcome row,
 *        first_seen and last_seen the first and last of them; the advisor's
 *        min_days is checked against days_delivered, the days with a delivery
 *        of known TLS status. Internal hops are not in any domain. The window
 *        is split in two halves (earlier and later) for regression checks.
 *        Domain and other strings are kept as stored: they come from logs and
 *        are NOT validated here.
 * DIAGNOSTICS
 *        Negative errno from the store, -EINVAL for a bad day, -ENOMEM.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "summary.h"

#define EVIDENCE_LIST_MAX 64            /* distinct names kept per list; more go to "other" */
#define EVIDENCE_NAME_MAX 1024          /* longer names from the store are cut in lists */

typedef struct CountItem {
        char *name;
        uint64_t n;
} CountItem;

typedef struct CountList {
        CountItem *items;
        size_t n;
        size_t cap;
        uint64_t other;                 /* counts of names beyond EVIDENCE_LIST_MAX */
        bool overflow;
} CountList;

typedef struct DomainStats {
        const char *domain;             /* as stored (in the summary); NULL for a sum of domains */
        uint64_t tls, plaintext;        /* deliveries whose TLS status is known */
        uint64_t tls_failed, other_failed;
        uint64_t logging_off;           /* deliveries whose TLS status is unknown */
        uint32_t logging_off_days;
        uint64_t dane_verified;         /* TLS with level dane/dane-only and trust Verified */
        uint64_t dane_downgraded;       /* level token dane:encrypt / dane-only:encrypt */
        uint64_t weak_protocol;         /* TLS with SSLv2/SSLv3/TLSv1/TLSv1.1 */
        uint64_t unknown_protocol;      /* TLS without a protocol we know */
        uint32_t days_seen;             /* distinct days with any outcome row */
        uint32_t days_delivered;        /* distinct days with a delivery of known TLS status */
        char first_seen[11], last_seen[11];     /* first and last of the days_seen */
        SummaryHalf early, late;        /* known tls, plaintext, tls_failed by half of the window */
        CountList protocols;            /* TLS deliveries by protocol ("" = unknown) */
        CountList trust;                /* TLS deliveries by trust word */
        CountList reasons;              /* tls_failed by reason */
        CountList mx;                   /* delivered by MX host name */
        uint8_t *seen_map;              /* one bit per day of the window: days_seen */
        uint8_t *delivered_map;         /* days_delivered */
        uint8_t *off_map;               /* logging_off_days */
} DomainStats;

typedef struct Evidence {
        char from[11], to[11], split[11];       /* split = first day of the later half */
        int64_t from_days, to_days, split_days;
        DomainStats **domains;          /* sorted by name */
        size_t n_domains;
        const SummaryLoggingOff *logging_off;   /* per host, sorted by host; in the summary */
        size_t n_logging_off;
        DomainStats *stats;             /* one per summary domain, in the summary's order */
        Summary *summary;               /* the fold this is a view of */
} Evidence;

int evidence_collect(Store *s, const char *from_day, const char *to_day, Evidence **ret);
Evidence *evidence_free(Evidence *e);
const DomainStats *evidence_find(const Evidence *e, const char *domain);

uint64_t domain_stats_delivered(const DomainStats *d);          /* tls + plaintext */
/* Sum several domains (a ".parent" entry) into out; free with domain_stats_done(). */
int domain_stats_merge(DomainStats *out, const DomainStats *in, size_t window_days);
void domain_stats_done(DomainStats *d);
uint64_t count_list_get(const CountList *l, const char *name);
/* evidence_stats.c */
int count_list_add(CountList *l, const char *name, uint64_t n);
void count_list_sort(CountList *l);     /* most frequent first, then by name */
void count_list_done(CountList *l);
void domain_stats_seen(DomainStats *d, const char *day);       /* widen first/last seen */
uint32_t day_map_count(const uint8_t *map, size_t bits);

/* Window helpers: to_day NULL = today (UTC); from = to - days + 1. */
int evidence_window(const char *to_day, uint32_t days, char ret_from[static 11], char ret_to[static 11]);

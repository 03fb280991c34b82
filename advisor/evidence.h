/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        evidence - per-domain delivery statistics over a window, from the store
 * SYNOPSIS
 *        #include "evidence.h"
 *        int evidence_collect(Store *s, const char *from_day, const char *to_day,
 *                             Evidence **ret);
 *        const DomainStats *evidence_find(const Evidence *e, const char *domain);
 * DESCRIPTION
 *        Reads the daily aggregates of [from_day, to_day] grouped by day, host,
 *        domain, MX, protocol, trust, logged level, outcome and reason, and the
 *        per-day/host evidence rows. Deliveries on a (day, host) where the log
 *        had deliveries but neither a TLS line nor a tls= field (TLS logging
 *        off) are counted apart in logging_off, never as plaintext or TLS.
 *        Internal hops are ignored. The window is split in two halves (earlier
 *        and later) for regression checks. Domain and other strings are kept as
 *        stored: they come from logs and are NOT validated here.
 * DIAGNOSTICS
 *        Negative errno from the store, -EINVAL for a bad day, -ENOMEM.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

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

typedef struct HalfCounts {
        uint64_t tls, plaintext, tls_failed;
} HalfCounts;

typedef struct DomainStats {
        char *domain;
        uint64_t tls, plaintext, tls_failed, other_failed;
        uint64_t logging_off;           /* deliveries whose TLS status is unknown */
        uint32_t logging_off_days;
        uint64_t dane_verified;         /* TLS with level dane/dane-only and trust Verified */
        uint64_t dane_downgraded;       /* level token dane:encrypt / dane-only:encrypt */
        uint64_t weak_protocol;         /* TLS with SSLv2/SSLv3/TLSv1/TLSv1.1 */
        uint64_t unknown_protocol;      /* TLS without a protocol we know */
        uint32_t days;                  /* distinct days with a delivery (tls + plaintext) */
        char first_seen[11], last_seen[11];
        HalfCounts early, late;
        CountList protocols;            /* TLS deliveries by protocol ("" = unknown) */
        CountList trust;                /* TLS deliveries by trust word */
        CountList levels;               /* all outcomes by logged tls= text */
        CountList reasons;              /* tls_failed by reason */
        CountList mx;                   /* delivered by MX host name */
        uint8_t *daymap;                /* one bit per day of the window */
        uint8_t *offmap;                /* days with logging off */
} DomainStats;

typedef struct LoggingOff {
        char *host;
        uint32_t days;
        uint64_t deliveries;
        char first_day[11], last_day[11];
} LoggingOff;

typedef struct Evidence {
        char from[11], to[11], split[11];       /* split = first day of the later half */
        int64_t from_days, to_days, split_days;
        DomainStats **domains;          /* sorted by name after collection */
        size_t n_domains;
        size_t cap;
        size_t *hash;                   /* open addressing: index + 1, 0 = empty */
        size_t hash_size;
        LoggingOff *logging_off;        /* per host, sorted by host */
        size_t n_logging_off;
        char **off_keys;                /* "day host" pairs with logging off, sorted */
        size_t n_off_keys;
        uint64_t rows;
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

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        correlate - turn parsed events into one outcome per delivery line
 * SYNOPSIS
 *        #include "correlate.h"
 *        Correlator *correlator_new(const CorrelateLimits *lim, OutcomeFn fn, void *userdata);
 *        int correlate_feed(Correlator *c, const PfRecord *rec, const Event *ev);
 *        int correlator_save(Correlator *c, char **ret, size_t *ret_len);
 *        int correlator_load(Correlator *c, const char *data, size_t len);
 * DESCRIPTION
 *        Session state is keyed by (boot id, hostname, SYSLOG_PID). A TLS line
 *        arms the session for its [ADDR]:PORT; the first queue id delivered by
 *        that PID to that [ADDR]:PORT claims it for all its recipient lines; a
 *        later queue id with no new TLS line is plaintext. tls= (Postfix 3.11)
 *        is authoritative for the level when conn_use is absent. Sessions are
 *        evicted when idle (log time) and by an LRU cap. The pending state can
 *        be serialised and loaded so that it spans two runs.
 *        Each delivery line gives one Outcome through the callback.
 *        Limits of 0 mean the defaults. internal_relays entries are "[ADDR]:PORT",
 *        "[ADDR]", a bare address or a relay host name (case-insensitive).
 *        correlator_save() writes a versioned text blob (malloc'd, NUL-terminated);
 *        correlator_load() replaces all session state with it.
 * DIAGNOSTICS
 *        correlate_feed(): 1 an outcome was emitted, 0 state only, -EINVAL, -ENOMEM.
 *        correlator_load(): -EBADMSG for a malformed blob (the correlator is then
 *        left without sessions), -ENOMEM.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "parse.h"
#include "vocab.h"

typedef struct Outcome {
        uint64_t realtime_usec;
        const char *hostname;           /* "" when unknown */
        const char *domain;             /* recipient domain, lower case, bounded; "" when unparsable */
        const char *mx;                 /* relay host name, lower case; "" for relay=none */
        const char *protocol;           /* "TLSv1.3", "" when unknown */
        const char *cipher;             /* "" when unknown */
        Trust trust;
        const char *level;              /* canonical tls= text, "" when absent */
        OutcomeKind kind;
        FailReason reason;
} Outcome;

typedef void (*OutcomeFn)(const Outcome *o, void *userdata);

typedef struct CorrelateLimits {
        uint64_t idle_usec;             /* evict sessions idle this long in log time */
        size_t max_sessions;            /* LRU cap */
        const char *const *internal_relays; /* NULL-terminated extra addresses/hosts counted as internal */
} CorrelateLimits;

#define CORRELATE_IDLE_USEC_DEFAULT (3600ULL * 1000000ULL)
#define CORRELATE_MAX_SESSIONS_DEFAULT 4096

typedef struct CorrelateStats {
        uint64_t deliveries;            /* delivery lines seen */
        uint64_t tls_lines;             /* established + reused lines from smtp */
        uint64_t tls_fields;            /* delivery lines with tls= */
        uint64_t outcomes[_OUTCOME_KIND_MAX];
        uint64_t evicted;
} CorrelateStats;

typedef struct Correlator Correlator;

Correlator *correlator_new(const CorrelateLimits *lim, OutcomeFn fn, void *userdata);
Correlator *correlator_free(Correlator *c);
int correlate_feed(Correlator *c, const PfRecord *rec, const Event *ev);
void correlator_stats(const Correlator *c, CorrelateStats *ret);
int correlator_save(Correlator *c, char **ret, size_t *ret_len);
int correlator_load(Correlator *c, const char *data, size_t len);
/* Sessions with pending state right now (bounded by max_sessions). */
size_t correlator_sessions(const Correlator *c);

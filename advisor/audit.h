/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        audit - what the current TLS policy does, with coded findings
 * SYNOPSIS
 *        #include "audit.h"
 *        int audit_run(Store *s, const AuditOptions *o, AuditResult **ret);
 *        int audit_format_text(const AuditResult *r, StrBuf *out);
 *        int audit_format_json(const AuditResult *r, StrBuf *out);
 * DESCRIPTION
 *        Every domain of the window is attributed to the policy entry smtp(8)
 *        would use for it (policy_lookup(): exact key, then ".parent"), or to
 *        the default level. Keys naming a relay ("[host]", "[host]:port",
 *        "host:port") are attributed the deliveries whose MX is that host.
 *        Findings (codes in findings.h):
 *
 *            MXT001 TLS failures under a mandatory level (entry or default)
 *            MXT002 certificate failures under verify/secure/fingerprint/dane-only
 *            MXT003 entry without any delivery in the window
 *            MXT004 domain fully encrypted in the earlier half, not in the later
 *            MXT005 deliveries over SSLv3/TLSv1/TLSv1.1
 *            MXT006 entry at may/encrypt whose traffic satisfies a template
 *                   proposing a stricter level
 *            MXT007 host/days with deliveries but no TLS evidence at all
 *            MXT008 "client TLS configuration problem" deferrals
 *            MXT009 dane fell back to encrypt (unusable TLSA)
 *            MXT010 duplicate key, MXT011 attributes ignored at level none,
 *            MXT012 quoted key that never matches
 *
 *        Levels are read as smtp(8) reads them, in any case (tls_level_lookup());
 *        the result names the default level by its canonical, lower-case name.
 * DIAGNOSTICS
 *        Negative errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence.h"
#include "findings.h"
#include "policy.h"
#include "store.h"
#include "strbuf.h"
#include "template.h"

typedef struct AuditOptions {
        const PolicyMap *policy;        /* NULL = no map */
        const char *default_level;      /* NULL = unknown */
        const char *to_day;             /* NULL = today (UTC) */
        uint32_t days;                  /* window */
        const Template *const *templates;       /* upgrade candidates; may be empty */
        size_t n_templates;
} AuditOptions;

typedef struct Finding {
        FindingCode code;
        char *subject;                  /* policy key, domain, host or "(default)"; raw */
        unsigned line;                  /* policy map line, 0 = none */
        uint64_t count;                 /* deliveries concerned */
        char *message;                  /* may hold raw names: escape when printing */
} Finding;

typedef struct AuditEntry {
        const PolicyEntry *entry;
        DomainStats stats;              /* summed over the domains attributed to it */
        size_t n_domains;
        bool relay;                     /* attributed by MX host name */
} AuditEntry;

typedef struct AuditResult {
        char from[11], to[11], split[11];
        char *policy_path;              /* NULL = no map */
        char *default_level;            /* NULL = unknown */
        AuditEntry *entries;            /* in map order */
        size_t n_entries;
        DomainStats default_stats;
        size_t default_domains;
        Finding *findings;              /* most severe first, then code, then subject */
        size_t n_findings;
        Evidence *evidence;
} AuditResult;

int audit_run(Store *s, const AuditOptions *o, AuditResult **ret);
AuditResult *audit_result_free(AuditResult *r);
/* Highest severity among the findings, -1 when there are none. */
int audit_max_severity(const AuditResult *r);
bool audit_level_mandatory(const char *level);  /* encrypt and stricter, not dane; any case */

int audit_format_text(const AuditResult *r, StrBuf *out);
int audit_format_json(const AuditResult *r, StrBuf *out);

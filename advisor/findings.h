/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        findings - the registry of audit finding codes
 * SYNOPSIS
 *        #include "findings.h"
 *        const FindingInfo *finding_info(FindingCode c);
 *        const FindingInfo *finding_lookup(const char *code_or_name);
 * DESCRIPTION
 *        Every finding the advisor emits carries a stable code from this one
 *        table ("MXT001" ...). A code never changes meaning; retired codes are
 *        never reused. The severity says how urgently a human should look:
 *        info (an opportunity), notice (tidy up), warning (coverage got worse or
 *        results may be wrong), error (mail is deferred or bounced).
 */
#pragma once

#include <errno.h>
#include <stddef.h>

typedef enum FindingCode {
        FINDING_POLICY_BLOCKS_DELIVERY,         /* MXT001 */
        FINDING_CERT_NOT_VERIFIED,              /* MXT002 */
        FINDING_STALE_ENTRY,                    /* MXT003 */
        FINDING_TLS_REGRESSION,                 /* MXT004 */
        FINDING_WEAK_PROTOCOL,                  /* MXT005 */
        FINDING_UPGRADE_CANDIDATE,              /* MXT006 */
        FINDING_TLS_LOGGING_OFF,                /* MXT007 */
        FINDING_POLICY_LOOKUP_FAILED,           /* MXT008 */
        FINDING_DANE_DOWNGRADE,                 /* MXT009 */
        FINDING_DUPLICATE_KEY,                  /* MXT010 */
        FINDING_ATTRIBUTES_IGNORED,             /* MXT011 */
        FINDING_QUOTED_KEY,                     /* MXT012 */
        _FINDING_CODE_MAX,
        _FINDING_CODE_INVALID = -EINVAL,
} FindingCode;

typedef enum Severity {
        SEVERITY_INFO,
        SEVERITY_NOTICE,
        SEVERITY_WARNING,
        SEVERITY_ERROR,
        _SEVERITY_MAX,
        _SEVERITY_INVALID = -EINVAL,
} Severity;

typedef struct FindingInfo {
        FindingCode id;
        const char *code;               /* "MXT001" */
        const char *name;               /* "policy-blocks-delivery" */
        Severity severity;
        const char *description;        /* one sentence */
} FindingInfo;

const FindingInfo *finding_info(FindingCode c);          /* NULL when out of range */
const FindingInfo *finding_lookup(const char *code_or_name);     /* NULL when unknown */
size_t finding_count(void);

const char *severity_to_string(Severity s);
Severity severity_from_string(const char *s);

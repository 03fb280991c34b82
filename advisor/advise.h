/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        advise - propose tls_policy entries from the evidence in the store
 * SYNOPSIS
 *        #include "advise.h"
 *        int advise_run(Store *s, const AdviseOptions *o, AdviseResult **ret);
 *        SkipReason template_evaluate(const Template *t, const DomainStats *d);
 *        int advise_format_postmap(const AdviseResult *r, StrBuf *out);
 *        int advise_format_json(const AdviseResult *r, StrBuf *out);
 *        int advise_format_section(const AdviseResult *r, StrBuf *out);
 *        int advise_merge(const char *file, const char *old, size_t len,
 *                         const AdviseResult *r, StrBuf *out, char **reterr_message);
 *        int advise_format_diff(const char *label, const char *old, size_t len,
 *                               const char *new, size_t new_len, StrBuf *out);
 * DESCRIPTION
 *        advise_run() reads the template window and proposes one line for
 *        every domain that satisfies the template, is not named by the
 *        administrator's map (exact key or a ".parent" key; the mxtls section
 *        itself does not count), is not excluded, has a valid name
 *        (domain_is_valid()) and had TLS logging on. Every other domain gets a
 *        SkipReason. Attribute values are checked once more before output so
 *        that nothing read from a log can add a token, a comment or a line.
 *
 *        Output: postmap source with an evidence comment above each line; JSON;
 *        a unified diff; or a merged map in which only the section between
 *        "# BEGIN mxtls" and "# END mxtls" is replaced (appended when absent),
 *        every other byte kept. The section depends only on the store, the
 *        template and the window, so merging twice gives identical bytes.
 * DIAGNOSTICS
 *        Negative errno; advise_merge() -EBADMSG for broken markers.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "evidence.h"
#include "policy.h"
#include "store.h"
#include "strbuf.h"
#include "template.h"

typedef enum SkipReason {
        SKIP_NONE,                      /* satisfies the template */
        SKIP_INVALID_NAME,              /* not a valid domain name */
        SKIP_EXCLUDED,                  /* exclude_domains of template or configuration */
        SKIP_IN_POLICY,                 /* the map already names it */
        SKIP_LOGGING_OFF,               /* some deliveries had no TLS evidence at all */
        SKIP_FEW_DELIVERIES,
        SKIP_FEW_DAYS,
        SKIP_PLAINTEXT,                 /* TLS share below min_tls_share */
        SKIP_TLS_FAILURES,              /* more than max_tls_failures */
        SKIP_PROTOCOL,                  /* TLS below min_protocol or unknown */
        SKIP_TRUST,                     /* trust word not accepted */
        SKIP_NO_DANE,                   /* require_dane_verified, not all TLS DANE-verified */
        SKIP_MX,                        /* match=mx cannot be derived safely */
        SKIP_IDN,                       /* an internationalized name (A-labels) */
        _SKIP_REASON_MAX,
        _SKIP_REASON_INVALID = -EINVAL,
} SkipReason;

typedef struct AdviseOptions {
        const Template *template;
        const PolicyMap *policy;        /* NULL = no current map */
        const char *to_day;             /* NULL = today (UTC) */
        uint32_t days;                  /* 0 = template window_days */
        char *const *exclude_domains;   /* extra, NULL-terminated; ".suffix" allowed */
} AdviseOptions;

typedef struct Proposal {
        const DomainStats *stats;       /* owned by the result's evidence */
        char *value;                    /* "encrypt protocols=>=TLSv1.2" */
} Proposal;

typedef struct Skipped {
        const DomainStats *stats;
        SkipReason reason;
        const PolicyEntry *entry;       /* SKIP_IN_POLICY: the entry that names it */
} Skipped;

typedef struct AdviseResult {
        char *template_name;
        char *level;
        char *policy_path;              /* NULL when there was no map */
        char from[11], to[11];
        Proposal *proposals;            /* sorted by domain */
        size_t n_proposals;
        Skipped *skipped;               /* sorted by domain */
        size_t n_skipped;
        size_t skip_counts[_SKIP_REASON_MAX];
        Evidence *evidence;
} AdviseResult;

int advise_run(Store *s, const AdviseOptions *o, AdviseResult **ret);
AdviseResult *advise_result_free(AdviseResult *r);

SkipReason template_evaluate(const Template *t, const DomainStats *d);
/* The line a template proposes for d, NULL with SKIP_MX when match=mx fails. */
int template_propose(const Template *t, const DomainStats *d, char **ret_value, SkipReason *ret_skip);
/* Derive match= from observed MX names: ".parent", "parent:.parent" or "a:b". */
int derive_match(const CountList *mx, char **ret);
/* A policy attribute value safe to write: printable ASCII, no blank, ',', '#',
 * quote, brace or '=' beyond the first. */
bool policy_word_safe(const char *s);

const char *skip_reason_to_string(SkipReason r);        /* "few-days" */
const char *skip_reason_description(SkipReason r);      /* "fewer days than min_days" */

int advise_format_postmap(const AdviseResult *r, StrBuf *out);
int advise_format_section(const AdviseResult *r, StrBuf *out);
int advise_format_json(const AdviseResult *r, StrBuf *out);
int advise_merge(const char *file, const char *old, size_t len, const AdviseResult *r,
                 StrBuf *out, char **reterr_message);
int advise_format_diff(const char *label, const char *old, size_t old_len,
                       const char *new_text, size_t new_len, StrBuf *out);

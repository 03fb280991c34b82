/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        findings - the registry of audit finding codes
 * DESCRIPTION
 *        See findings.h. This table is the only place codes are defined; the
 *        order of the rows follows the FindingCode enum. Append new rows at the
 *        end with the next free number; never renumber or reuse a code.
 */
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "findings.h"

static const FindingInfo registry[_FINDING_CODE_MAX] = {
        [FINDING_POLICY_BLOCKS_DELIVERY] = {
                FINDING_POLICY_BLOCKS_DELIVERY, "MXT001", "policy-blocks-delivery", SEVERITY_ERROR,
                "A mandatory TLS level (entry or default) made deliveries fail: STARTTLS not offered "
                "or refused, handshake failed, or a '!' level token was logged.",
        },
        [FINDING_CERT_NOT_VERIFIED] = {
                FINDING_CERT_NOT_VERIFIED, "MXT002", "certificate-not-verified", SEVERITY_ERROR,
                "Deliveries failed because the server certificate did not verify under a level that "
                "requires it (verify, secure, fingerprint, dane-only).",
        },
        [FINDING_STALE_ENTRY] = {
                FINDING_STALE_ENTRY, "MXT003", "stale-entry", SEVERITY_NOTICE,
                "A policy entry matched no delivery in the window.",
        },
        [FINDING_TLS_REGRESSION] = {
                FINDING_TLS_REGRESSION, "MXT004", "tls-regression", SEVERITY_WARNING,
                "A domain whose mail was fully encrypted in the earlier half of the window sent in "
                "clear or failed TLS in the later half.",
        },
        [FINDING_WEAK_PROTOCOL] = {
                FINDING_WEAK_PROTOCOL, "MXT005", "weak-protocol", SEVERITY_WARNING,
                "Deliveries still used SSLv3, TLSv1 or TLSv1.1.",
        },
        [FINDING_UPGRADE_CANDIDATE] = {
                FINDING_UPGRADE_CANDIDATE, "MXT006", "upgrade-candidate", SEVERITY_INFO,
                "An entry at may or encrypt whose traffic satisfies a template that proposes a "
                "stricter level.",
        },
        [FINDING_TLS_LOGGING_OFF] = {
                FINDING_TLS_LOGGING_OFF, "MXT007", "tls-logging-off", SEVERITY_WARNING,
                "Deliveries were logged without any TLS line or tls= field (smtp_tls_loglevel = 0?); "
                "their TLS status is unknown.",
        },
        [FINDING_POLICY_LOOKUP_FAILED] = {
                FINDING_POLICY_LOOKUP_FAILED, "MXT008", "policy-lookup-failed", SEVERITY_ERROR,
                "Deliveries were deferred with \"client TLS configuration problem\": the policy entry "
                "or the TLS configuration is invalid.",
        },
        [FINDING_DANE_DOWNGRADE] = {
                FINDING_DANE_DOWNGRADE, "MXT009", "dane-downgrade", SEVERITY_WARNING,
                "Deliveries under dane fell back to unauthenticated TLS (dane:encrypt): the TLSA "
                "records were unusable.",
        },
        [FINDING_DUPLICATE_KEY] = {
                FINDING_DUPLICATE_KEY, "MXT010", "duplicate-key", SEVERITY_WARNING,
                "The policy map names the same key twice; postmap keeps the first entry only.",
        },
        [FINDING_ATTRIBUTES_IGNORED] = {
                FINDING_ATTRIBUTES_IGNORED, "MXT011", "attributes-ignored", SEVERITY_NOTICE,
                "An entry at level none carries attributes, which Postfix ignores.",
        },
        [FINDING_QUOTED_KEY] = {
                FINDING_QUOTED_KEY, "MXT012", "quoted-key", SEVERITY_WARNING,
                "A double-quoted key keeps its quotes in the table and never matches a next-hop.",
        },
};

/* finding_info - registry row of a code */
const FindingInfo *finding_info(FindingCode c) {
        if ((int) c < 0 || c >= _FINDING_CODE_MAX)
                return NULL;
        return &registry[c];
}

/* finding_lookup - by "MXT001" or by name, case-insensitive */
const FindingInfo *finding_lookup(const char *code_or_name) {
        if (!code_or_name)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(registry); i++)
                if (strcasecmp(registry[i].code, code_or_name) == 0 ||
                    strcasecmp(registry[i].name, code_or_name) == 0)
                        return &registry[i];
        return NULL;
}

/* finding_count - number of registered codes */
size_t finding_count(void) {
        return ELEMENTSOF(registry);
}

static const char *const severity_names[_SEVERITY_MAX] = {
        [SEVERITY_INFO] = "info",
        [SEVERITY_NOTICE] = "notice",
        [SEVERITY_WARNING] = "warning",
        [SEVERITY_ERROR] = "error",
};

/* severity_to_string - stable lower-case name */
const char *severity_to_string(Severity s) {
        if ((int) s < 0 || s >= _SEVERITY_MAX)
                return NULL;
        return severity_names[s];
}

/* severity_from_string - inverse of severity_to_string() */
Severity severity_from_string(const char *s) {
        if (!s)
                return _SEVERITY_INVALID;
        for (size_t i = 0; i < ELEMENTSOF(severity_names); i++)
                if (strcasecmp(severity_names[i], s) == 0)
                        return (Severity) i;
        return _SEVERITY_INVALID;
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        vocab - the name tables of outcomes, reasons, trust, protocols, levels
 * DESCRIPTION
 *        See vocab.h. Every table lists its names in code order, ends with the
 *        "not found" code, and has one entry per code (checked at compile time);
 *        the unit test proves the round trips. What a level means to smtp(8)
 *        (rank, flags) and the report's protocol labels are indexed by code.
 */
#include "cleanup.h"
#include "name_code.h"
#include "vocab.h"

#define TABLE_COMPLETE(table, max) \
        _Static_assert(ELEMENTSOF(table) == (size_t) (max) + 1, #table " must name every code")

static const NameCode outcome_kind_names[] = {
        { "tls",          OUTCOME_TLS },
        { "plaintext",    OUTCOME_PLAINTEXT },
        { "tls_failed",   OUTCOME_TLS_FAILED },
        { "other_failed", OUTCOME_OTHER_FAILED },
        { "internal",     OUTCOME_INTERNAL },
        { NULL,           _OUTCOME_KIND_INVALID },
};
TABLE_COMPLETE(outcome_kind_names, _OUTCOME_KIND_MAX);
DEFINE_NAME_CODE_LOOKUP(outcome_kind, OutcomeKind, outcome_kind_names)

static const NameCode fail_reason_names[] = {
        { "",                     FAIL_NONE },
        { "starttls_not_offered", FAIL_STARTTLS_NOT_OFFERED },
        { "starttls_refused",     FAIL_STARTTLS_REFUSED },
        { "tls_unavailable",      FAIL_TLS_UNAVAILABLE },
        { "handshake_failed",     FAIL_HANDSHAKE },
        { "cert_not_verified",    FAIL_CERT_NOT_VERIFIED },
        { "policy_lookup_failed", FAIL_POLICY_LOOKUP },
        { "dane_failed",          FAIL_DANE },
        { "requiretls_failed",    FAIL_REQUIRETLS },
        { "sts_failed",           FAIL_STS },
        { "policy_violated",      FAIL_POLICY_VIOLATED },
        { NULL,                   _FAIL_REASON_INVALID },
};
TABLE_COMPLETE(fail_reason_names, _FAIL_REASON_MAX);
DEFINE_NAME_CODE_LOOKUP(fail_reason, FailReason, fail_reason_names)

static const NameCode trust_names[] = {
        { "",          TRUST_UNKNOWN },
        { "Anonymous", TRUST_ANONYMOUS },
        { "Untrusted", TRUST_UNTRUSTED },
        { "Trusted",   TRUST_TRUSTED },
        { "Verified",  TRUST_VERIFIED },
        { NULL,        _TRUST_INVALID },
};
TABLE_COMPLETE(trust_names, _TRUST_MAX);
DEFINE_NAME_CODE_LOOKUP(trust, Trust, trust_names)

static const NameCode tls_protocol_names[] = {
        { "SSLv2",   TLS_PROTOCOL_SSLV2 },
        { "SSLv3",   TLS_PROTOCOL_SSLV3 },
        { "TLSv1",   TLS_PROTOCOL_TLSV1 },
        { "TLSv1.1", TLS_PROTOCOL_TLSV1_1 },
        { "TLSv1.2", TLS_PROTOCOL_TLSV1_2 },
        { "TLSv1.3", TLS_PROTOCOL_TLSV1_3 },
        { NULL,      _TLS_PROTOCOL_INVALID },
};
TABLE_COMPLETE(tls_protocol_names, _TLS_PROTOCOL_MAX);
DEFINE_NAME_CODE_LOOKUP(tls_protocol, TlsProtocol, tls_protocol_names)

static const char *const tls_protocol_labels[_TLS_PROTOCOL_MAX] = {
        [TLS_PROTOCOL_TLSV1]   = "TLS 1.0",
        [TLS_PROTOCOL_TLSV1_1] = "TLS 1.1",
        [TLS_PROTOCOL_TLSV1_2] = "TLS 1.2",
        [TLS_PROTOCOL_TLSV1_3] = "TLS 1.3",
};

static const NameCode tls_level_names[] = {
        { "",            TLS_LEVEL_NONE_SET },
        { "none",        TLS_LEVEL_NONE },
        { "may",         TLS_LEVEL_MAY },
        { "encrypt",     TLS_LEVEL_ENCRYPT },
        { "fingerprint", TLS_LEVEL_FINGERPRINT },
        { "halfdane",    TLS_LEVEL_HALFDANE },
        { "dane",        TLS_LEVEL_DANE },
        { "dane-only",   TLS_LEVEL_DANE_ONLY },
        { "verify",      TLS_LEVEL_VERIFY },
        { "secure",      TLS_LEVEL_SECURE },
        { "unknown",     TLS_LEVEL_UNKNOWN },
        { NULL,          _TLS_LEVEL_INVALID },
};
TABLE_COMPLETE(tls_level_names, _TLS_LEVEL_MAX);
DEFINE_NAME_CODE_LOOKUP(tls_level, TlsLevel, tls_level_names)

#define REQ TLS_LEVEL_REQUIRED
#define CERT (TLS_LEVEL_REQUIRED | TLS_LEVEL_CERT_MATCH)

static const struct {
        int rank;                       /* -1: not a configurable level */
        unsigned flags;
} tls_level_meaning[_TLS_LEVEL_MAX] = {
        [TLS_LEVEL_NONE_SET]    = { -1, 0 },
        [TLS_LEVEL_NONE]        = { 0, TLS_LEVEL_TABLE },
        [TLS_LEVEL_MAY]         = { 1, TLS_LEVEL_TABLE },
        [TLS_LEVEL_DANE]        = { 2, TLS_LEVEL_TABLE },
        [TLS_LEVEL_ENCRYPT]     = { 3, TLS_LEVEL_TABLE | REQ },
        [TLS_LEVEL_VERIFY]      = { 4, TLS_LEVEL_TABLE | CERT | TLS_LEVEL_MATCH_ATTR | TLS_LEVEL_PKIX },
        [TLS_LEVEL_SECURE]      = { 5, TLS_LEVEL_TABLE | CERT | TLS_LEVEL_MATCH_ATTR | TLS_LEVEL_PKIX },
        [TLS_LEVEL_DANE_ONLY]   = { 5, TLS_LEVEL_TABLE | CERT },
        [TLS_LEVEL_FINGERPRINT] = { 6, TLS_LEVEL_TABLE | CERT | TLS_LEVEL_MATCH_ATTR },
        [TLS_LEVEL_HALFDANE]    = { -1, 0 },
        [TLS_LEVEL_UNKNOWN]     = { -1, 0 },
};

static const NameCode requiretls_names[] = {
        { "",             REQUIRETLS_NONE_SET },
        { "requiretls",   REQUIRETLS_REQUIRETLS },
        { "nocertmatch",  REQUIRETLS_NOCERTMATCH },
        { "nostarttls",   REQUIRETLS_NOSTARTTLS },
        { "noencryption", REQUIRETLS_NOENCRYPTION },
        { "none",         REQUIRETLS_NONE },
        { NULL,           _REQUIRETLS_INVALID },
};
TABLE_COMPLETE(requiretls_names, _REQUIRETLS_MAX);
DEFINE_NAME_CODE_LOOKUP(requiretls, RequireTls, requiretls_names)

const char *tls_protocol_label(TlsProtocol p) {
        if (p < 0 || p >= _TLS_PROTOCOL_MAX)
                return NULL;
        return tls_protocol_labels[p];
}

/* tls_protocol_rank - the code of a protocol name, -1 when unknown */
int tls_protocol_rank(const char *name) {
        TlsProtocol p = tls_protocol_from_string(name);

        return p < 0 ? -1 : (int) p;
}

bool tls_protocol_is_weak(TlsProtocol p) {
        return p >= 0 && p < TLS_PROTOCOL_TLSV1_2;
}

/* tls_level_lookup - a level as smtp(8) reads it from main.cf or a policy table */
TlsLevel tls_level_lookup(const char *s) {
        TlsLevel l = (TlsLevel) name_code(tls_level_names, NAME_CODE_ANY_CASE, s);

        return tls_level_has(l, TLS_LEVEL_TABLE) ? l : _TLS_LEVEL_INVALID;
}

/* tls_level_rank - how much a configured level demands; -1 when unknown */
int tls_level_rank(const char *level) {
        TlsLevel l = tls_level_lookup(level);

        return l < 0 ? -1 : tls_level_meaning[l].rank;
}

bool tls_level_has(TlsLevel l, TlsLevelFlags flags) {
        if (l < 0 || l >= _TLS_LEVEL_MAX)
                return false;
        return (tls_level_meaning[l].flags & flags) == (unsigned) flags;
}


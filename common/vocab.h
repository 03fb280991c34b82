/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        vocab - the words mxtls stores, prints and reads: outcomes, TLS failure
 *        reasons, trust, protocols, TLS levels, REQUIRETLS features
 * SYNOPSIS
 *        #include "vocab.h"
 *        const char *outcome_kind_to_string(OutcomeKind k);
 *        OutcomeKind outcome_kind_from_string(const char *s);
 *        OutcomeKind outcome_kind_from_string_n(const char *s, size_t n);
 *        const char *fail_reason_to_string(FailReason r);
 *        FailReason fail_reason_from_string(const char *s);
 *        FailReason fail_reason_from_string_n(const char *s, size_t n);
 *        const char *trust_to_string(Trust t);
 *        Trust trust_from_string(const char *s);
 *        Trust trust_from_string_n(const char *s, size_t n);
 *        const char *tls_protocol_to_string(TlsProtocol p);
 *        const char *tls_protocol_label(TlsProtocol p);
 *        TlsProtocol tls_protocol_from_string(const char *s);
 *        TlsProtocol tls_protocol_from_string_n(const char *s, size_t n);
 *        int tls_protocol_rank(const char *name);
 *        bool tls_protocol_is_weak(TlsProtocol p);
 *        const char *tls_level_to_string(TlsLevel l);
 *        TlsLevel tls_level_from_string(const char *s);
 *        TlsLevel tls_level_from_string_n(const char *s, size_t n);
 *        TlsLevel tls_level_lookup(const char *s);
 *        int tls_level_rank(const char *level);
 *        bool tls_level_has(TlsLevel l, TlsLevelFlags flags);
 *        const char *requiretls_to_string(RequireTls r);
 *        RequireTls requiretls_from_string(const char *s);
 *        RequireTls requiretls_from_string_n(const char *s, size_t n);
 * DESCRIPTION
 *        Each word is spelled once, in a name_code(3) table in vocab.c, for the
 *        parsers, the rows written to and read from the store, templates, policy
 *        checks and output formats. The names are stable: they are the values of
 *        the daily table's columns and of JSON/Prometheus keys and labels.
 *
 *            concept       column     names                                     match
 *            OutcomeKind   outcome    tls plaintext tls_failed other_failed      exact
 *                                     internal
 *            FailReason    reason     "" starttls_not_offered starttls_refused   exact
 *                                     tls_unavailable handshake_failed
 *                                     cert_not_verified policy_lookup_failed
 *                                     dane_failed requiretls_failed sts_failed
 *                                     policy_violated
 *            Trust         trust      "" Anonymous Untrusted Trusted Verified    exact
 *            TlsProtocol   protocol   SSLv2 SSLv3 TLSv1 TLSv1.1 TLSv1.2 TLSv1.3  exact
 *            TlsLevel      level      "" none may encrypt fingerprint halfdane   exact (tls=),
 *                                     dane dane-only verify secure unknown      any case (lookup)
 *            RequireTls    level      "" requiretls nocertmatch nostarttls       exact
 *                                     noencryption none
 *
 *        The empty name stands for "not known / not set" (FAIL_NONE,
 *        TRUST_UNKNOWN, TLS_LEVEL_NONE_SET, REQUIRETLS_NONE_SET) and round-trips.
 *        The protocol column keeps the name as logged, whatever it is; the
 *        table only ranks the names it knows. The level column holds the
 *        canonical tls= text (tls_status_format(), e.g. "may:none",
 *        "!encrypt", "dane?", "may/requiretls:none") made of TlsLevel and
 *        RequireTls names; parse_tls_field() reads it back.
 *
 *        *_from_string() are exact, for words Postfix logs and mxtls writes.
 *        tls_level_lookup() is for levels an administrator writes (main.cf,
 *        --default-level, policy tables, templates): ASCII case-insensitive as
 *        smtp(8) is, and only the TLS_LEVEL_TABLE levels (not halfdane, which is
 *        output only, nor unknown). tls_level_rank() orders those by what they
 *        demand: none 0, may 1, dane 2, encrypt 3, verify 4, secure and
 *        dane-only 5, fingerprint 6. tls_protocol_rank() is the TlsProtocol
 *        code (SSLv2 0 .. TLSv1.3 5). tls_protocol_label() is the text report's
 *        name ("TLS 1.0" .. "TLS 1.3"), NULL for SSL versions.
 * DIAGNOSTICS
 *        *_to_string() and tls_protocol_label(): NULL for a value out of range.
 *        *_from_string*() and tls_level_lookup(): the code, or _X_INVALID
 *        (-EINVAL) for an unknown word or NULL. The ranks: -1 for unknown words.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

/* What one delivery line amounted to. */
typedef enum OutcomeKind {
        OUTCOME_TLS,
        OUTCOME_PLAINTEXT,
        OUTCOME_TLS_FAILED,
        OUTCOME_OTHER_FAILED,
        OUTCOME_INTERNAL,               /* hop to a local content filter / loopback relay */
        _OUTCOME_KIND_MAX,
        _OUTCOME_KIND_INVALID = -EINVAL,
} OutcomeKind;

/* Why a delivery failed for a TLS reason. */
typedef enum FailReason {
        FAIL_NONE,                      /* not a TLS failure */
        FAIL_STARTTLS_NOT_OFFERED,      /* TLS is required, but was not offered */
        FAIL_STARTTLS_REFUSED,          /* ... host H refused to start TLS */
        FAIL_TLS_UNAVAILABLE,           /* our TLS engine is unavailable */
        FAIL_HANDSHAKE,                 /* Cannot start TLS: handshake failure */
        FAIL_CERT_NOT_VERIFIED,         /* Server certificate not verified/trusted */
        FAIL_POLICY_LOOKUP,             /* client TLS configuration problem, tls=unknown? */
        FAIL_DANE,                      /* TLSA/DNSSEC problems under dane-only */
        FAIL_REQUIRETLS,                /* Sender requested REQUIRETLS, but ... */
        FAIL_STS,                       /* MTA-STS policy failure */
        FAIL_POLICY_VIOLATED,           /* a "!" tls= token with no text above */
        _FAIL_REASON_MAX,
        _FAIL_REASON_INVALID = -EINVAL,
} FailReason;

/* The first word of the TLS summary line. */
typedef enum Trust {
        TRUST_UNKNOWN,                  /* no TLS line seen, or the 2.2-2.4 form */
        TRUST_ANONYMOUS,
        TRUST_UNTRUSTED,
        TRUST_TRUSTED,
        TRUST_VERIFIED,
        _TRUST_MAX,
        _TRUST_INVALID = -EINVAL,
} Trust;

#define TRUST_NAME_MAX 9                /* strlen("Anonymous"), strlen("Untrusted") */

/* Protocol versions, oldest first: the code is the rank. */
typedef enum TlsProtocol {
        TLS_PROTOCOL_SSLV2,
        TLS_PROTOCOL_SSLV3,
        TLS_PROTOCOL_TLSV1,
        TLS_PROTOCOL_TLSV1_1,
        TLS_PROTOCOL_TLSV1_2,
        TLS_PROTOCOL_TLSV1_3,
        _TLS_PROTOCOL_MAX,
        _TLS_PROTOCOL_INVALID = -EINVAL,
} TlsProtocol;

/* Security levels: policy tables, main.cf, and slot 0 of tls= (Postfix 3.11). */
typedef enum TlsLevel {
        TLS_LEVEL_NONE_SET,             /* no token */
        TLS_LEVEL_NONE,
        TLS_LEVEL_MAY,
        TLS_LEVEL_ENCRYPT,
        TLS_LEVEL_FINGERPRINT,
        TLS_LEVEL_HALFDANE,             /* tls= output only */
        TLS_LEVEL_DANE,
        TLS_LEVEL_DANE_ONLY,
        TLS_LEVEL_VERIFY,
        TLS_LEVEL_SECURE,
        TLS_LEVEL_UNKNOWN,              /* tls=unknown?: the policy lookup failed */
        _TLS_LEVEL_MAX,
        _TLS_LEVEL_INVALID = -EINVAL,
} TlsLevel;

/* What a level means to smtp(8); tls_level_has() tests them. */
typedef enum TlsLevelFlags {
        TLS_LEVEL_TABLE      = 1 << 0,  /* accepted in policy tables and main.cf */
        TLS_LEVEL_REQUIRED   = 1 << 1,  /* mail is deferred without TLS: encrypt and stricter, not dane */
        TLS_LEVEL_CERT_MATCH = 1 << 2,  /* and without a matching certificate */
        TLS_LEVEL_MATCH_ATTR = 1 << 3,  /* takes match= (fingerprint, verify, secure) */
        TLS_LEVEL_PKIX       = 1 << 4,  /* takes tafile= (verify, secure) */
} TlsLevelFlags;

/* Slot 1 of tls= (Postfix 3.11): REQUIRETLS. */
typedef enum RequireTls {
        REQUIRETLS_NONE_SET,
        REQUIRETLS_REQUIRETLS,
        REQUIRETLS_NOCERTMATCH,
        REQUIRETLS_NOSTARTTLS,
        REQUIRETLS_NOENCRYPTION,
        REQUIRETLS_NONE,
        _REQUIRETLS_MAX,
        _REQUIRETLS_INVALID = -EINVAL,
} RequireTls;

const char *outcome_kind_to_string(OutcomeKind k);     /* "tls", "plaintext", "tls_failed", ... */
OutcomeKind outcome_kind_from_string(const char *s);
OutcomeKind outcome_kind_from_string_n(const char *s, size_t n);

const char *fail_reason_to_string(FailReason r);       /* "" for FAIL_NONE */
FailReason fail_reason_from_string(const char *s);
FailReason fail_reason_from_string_n(const char *s, size_t n);

const char *trust_to_string(Trust t);                   /* "Verified", "" for unknown */
Trust trust_from_string(const char *s);
Trust trust_from_string_n(const char *s, size_t n);

const char *tls_protocol_to_string(TlsProtocol p);     /* "TLSv1.2" */
const char *tls_protocol_label(TlsProtocol p);          /* "TLS 1.2"; NULL for SSLv2, SSLv3 */
TlsProtocol tls_protocol_from_string(const char *s);
TlsProtocol tls_protocol_from_string_n(const char *s, size_t n);
int tls_protocol_rank(const char *name);                /* SSLv2=0 .. TLSv1.3=5, -1 unknown */
bool tls_protocol_is_weak(TlsProtocol p);               /* older than TLSv1.2 */

const char *tls_level_to_string(TlsLevel l);            /* "dane-only", "" for NONE_SET */
TlsLevel tls_level_from_string(const char *s);          /* a tls= word, exact */
TlsLevel tls_level_from_string_n(const char *s, size_t n);
TlsLevel tls_level_lookup(const char *s);               /* a configured level, any case */
int tls_level_rank(const char *level);                  /* of a configured level; -1 unknown */
bool tls_level_has(TlsLevel l, TlsLevelFlags flags);    /* all of flags */

const char *requiretls_to_string(RequireTls r);         /* "nocertmatch", "" for NONE_SET */
RequireTls requiretls_from_string(const char *s);
RequireTls requiretls_from_string_n(const char *s, size_t n);

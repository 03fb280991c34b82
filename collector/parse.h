/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        parse - pure parsers for Postfix SMTP client log messages
 * SYNOPSIS
 *        #include "parse.h"
 *        int parse_record(const PfRecord *rec, Event *ret, const char **reterr_reason);
 *        int parse_tls_line(Span msg, TlsLine *ret, const char **reterr_reason);
 *        int parse_delivery(Span msg, Delivery *ret, const char **reterr_reason);
 *        int parse_tls_field(Span field, TlsStatus *ret, const char **reterr_reason);
 *        FailReason parse_failure_reason(Span text);
 *        ProgramKind identifier_program(const char *identifier);
 *        int parse_peer(Span s, Peer *ret);
 * DESCRIPTION
 *        No I/O, no logging, no globals, no allocation. Every Span in an output
 *        points into the input message. Grammar of every accepted line: see the
 *        header of each parse_*.c file and postfix-log-formats.md.
 * DIAGNOSTICS
 *        1 parsed, 0 not a line of that kind (IGNORED), -EBADMSG when the line
 *        is of that kind but malformed/truncated (*reterr_reason is a static
 *        string saying why). Messages longer than PF_MESSAGE_MAX are -EBADMSG.
 *        The *_to_string() functions return NULL for out-of-range values.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "record.h"
#include "span.h"
#include "vocab.h"

typedef enum ProgramKind {
        PROGRAM_SMTP,                   /* .../smtp and .../lmtp: the client */
        PROGRAM_TLSPROXY,               /* .../tlsproxy: never counted */
        PROGRAM_OTHER,
        _PROGRAM_KIND_MAX,
        _PROGRAM_KIND_INVALID = -EINVAL,
} ProgramKind;

typedef enum DeliveryStatus {
        STATUS_SENT,
        STATUS_DEFERRED,
        STATUS_BOUNCED,
        STATUS_SOFTBOUNCE,
        STATUS_DELIVERABLE,
        STATUS_UNDELIVERABLE,           /* also "undeliverable-but-not-cached" */
        STATUS_EXPIRED,
        _DELIVERY_STATUS_MAX,
        _DELIVERY_STATUS_INVALID = -EINVAL,
} DeliveryStatus;

/* "[ADDR]:PORT" of a peer; port 0 when absent (LMTP over a UNIX socket). */
typedef struct Peer {
        Span host;                      /* name before '[' */
        Span addr;                      /* inside the brackets */
        uint32_t port;
        bool has_port;
} Peer;

/* Line kinds 1 and 2: "<Trust> TLS connection established|reused to H[A]:P: ..." */
typedef struct TlsLine {
        bool reused;
        Trust trust;                    /* TRUST_UNKNOWN for the 2.2-2.4 form */
        Peer peer;
        Span protocol;                  /* "TLSv1.3" */
        Span cipher;                    /* "TLS_AES_256_GCM_SHA384" */
        uint32_t bits_used;
        uint32_t bits_alg;
        Span kex;                       /* optional suffixes, empty when absent */
        Span server_signature;
        Span server_digest;
        Span kex_detail;                /* "X25519", "2048 bits": text inside " (...)" */
        Span server_signature_detail;   /* "2048 bits", "P-256 raw public key", ... */
        Span client_signature;
        Span client_signature_detail;
        Span client_digest;
} TlsLine;

/* One slot of the tls= field: [!]init[:final] or init? */
typedef struct TlsFeature {
        bool present;
        bool violated;                  /* leading '!' */
        bool undecided;                 /* trailing '?' */
        int init;                       /* TlsLevel for slot 0, RequireTls for slot 1 */
        int final;                      /* = init when no ":final" */
} TlsFeature;

typedef struct TlsStatus {
        TlsFeature level;               /* slot 0 */
        TlsFeature requiretls;          /* slot 1 */
} TlsStatus;

/* Line kind 3: "QID: to=<R>, [orig_to=<O>, ]relay=..., ..., status=S (REASON)" */
typedef struct Delivery {
        Span queue_id;
        Span to;                        /* without <> */
        Span orig_to;
        bool relay_none;                /* relay=none */
        Span relay;                     /* the whole relay value */
        Peer relay_peer;                /* when relay is H[A]:P or H[A] */
        bool relay_is_peer;             /* false for relay=none, relay=local, ... */
        uint32_t conn_use;              /* 0 when absent, else >= 2 */
        Span delay;
        Span delays;
        bool has_tls_field;
        TlsStatus tls;
        Span dsn;
        DeliveryStatus status;
        bool status_not_cached;         /* "undeliverable-but-not-cached" */
        Span reason;                    /* text inside the final parentheses */
        bool reason_truncated;          /* no closing ')': record cut at 2000 bytes */
        FailReason fail_reason;         /* classified from reason and tls= */
} Delivery;

/* Kinds 4, 8, 9, 11, 12, 3.2/3.3 texts: a TLS failure detail, maybe with a queue id. */
typedef struct TlsFailure {
        Span queue_id;                  /* empty when the line has none */
        FailReason reason;
        Peer peer;                      /* when the text names one; only host for the STS MX warning */
        Span text;                      /* message without "warning: " and "QID: " */
} TlsFailure;

/* Kind 5: "connect to H[A]:P: <errno text>" */
typedef struct ConnectFailure {
        Peer peer;
        Span text;
} ConnectFailure;

/* Kinds 6, 7: TLS policy lookup warnings and table errors */
typedef struct PolicyWarning {
        Span destination;               /* next-hop ("[mx.example]:25", "example.com"), may be empty */
        Span host;                      /* MX host name, empty for table errors */
        Span text;                      /* the reason after "D/H: " or "destination \"D\": " */
        FailReason reason;              /* text classified; FAIL_POLICY_LOOKUP when nothing more specific */
} PolicyWarning;

typedef enum EventType {
        EVENT_IGNORED,
        EVENT_TLS_ESTABLISHED,
        EVENT_TLS_REUSED,
        EVENT_DELIVERY,
        EVENT_TLS_FAILURE_DETAIL,
        EVENT_CONNECT_FAILURE,
        EVENT_POLICY_WARNING,
        _EVENT_TYPE_MAX,
        _EVENT_TYPE_INVALID = -EINVAL,
} EventType;

typedef struct Event {
        EventType type;
        union {
                TlsLine tls;
                Delivery delivery;
                TlsFailure failure;
                ConnectFailure connect;
                PolicyWarning policy;
        };
} Event;

ProgramKind identifier_program(const char *identifier);

int parse_record(const PfRecord *rec, Event *ret, const char **reterr_reason);
int parse_tls_line(Span msg, TlsLine *ret, const char **reterr_reason);
int parse_delivery(Span msg, Delivery *ret, const char **reterr_reason);
int parse_tls_field(Span field, TlsStatus *ret, const char **reterr_reason);
int parse_peer(Span s, Peer *ret);      /* "H[A]:P" or "H[A]"; -EBADMSG otherwise */
FailReason parse_failure_reason(Span text);

/* The vocabulary (vocab.h) for the words a parser holds as a Span. */
static inline TlsLevel tls_level_from_span(Span s) {
        return tls_level_from_string_n(s.p, s.n);
}
static inline RequireTls requiretls_from_span(Span s) {
        return requiretls_from_string_n(s.p, s.n);
}
const char *delivery_status_to_string(DeliveryStatus s);
DeliveryStatus delivery_status_from_span(Span s);
const char *event_type_to_string(EventType t);          /* "delivery", "tls_established", ... */
const char *program_kind_to_string(ProgramKind k);      /* "smtp", "tlsproxy", "other" */
/* Canonical text of a tls= field, e.g. "may:none", "!encrypt", "dane?", "may/requiretls:none"
 * into buf (at least 64 bytes). "" when not present. */
void tls_status_format(const TlsStatus *st, char *buf, size_t bufsz);

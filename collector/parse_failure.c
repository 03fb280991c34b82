/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        parse_failure - classify TLS failure texts and parse TLS detail lines
 * SYNOPSIS
 *        #include "parse.h"
 *        FailReason parse_failure_reason(Span text);
 *
 *        #include "parse_util.h"
 *        int parse_failure_line(Span msg, bool warning, Event *ret, const char **reterr_reason);
 * DESCRIPTION
 *        parse_failure_reason() maps a DSN reason or log text to a FailReason
 *        by the fixed Postfix texts it contains (postfix-log-formats.md
 *        §3.1-3.4); remote replies ("host H said: ...") are never TLS failures.
 *
 *        parse_failure_line() handles the SMTP client lines that are neither a
 *        TLS summary nor a delivery; msg is without "warning: " when warning:
 *
 *            warning  = "TLS policy lookup " ["error "] "for " dest "/" host ": " why
 *                     / table ", next-hop destination \"" dest "\": " why
 *                     / "nexthop domain " dest ": configured at fingerprint " ...
 *                     / param " requires \"" param " = encrypt\" (or stronger)"
 *                     / "TLS library problem: " text
 *                     / "MX name '" host "' does not match STS MX pattern for '" dest "'"
 *                     / [peer-or-name ": "] dane-or-tls-text      ; classified, else ignored
 *            info     = "connect to " peer ": " text
 *                     / ["server " / "CA " / "client "] "certificate verification failed for "
 *                       peer ": " text
 *                     / ("SSL_connect" / "SSL_set_fd") " error to " peer [": " text]
 *                     / qid ": " tls-text                         ; non-final MX
 *                     / peer ": " tls-text                        ; e.g. untrusted resumed session
 *
 *        Texts that are not about TLS give 0 (ignored). Two REQUIRETLS texts
 *        are informational when logged with a queue id (the requirement was
 *        relaxed) and are ignored in that form.
 * DIAGNOSTICS
 *        1 parsed, 0 ignored, -EBADMSG malformed (a known prefix without the
 *        peer or separator that must follow it).
 */
#include <string.h>

#include "parse.h"
#include "parse_util.h"

typedef struct FailText {
        const char *needle;
        size_t n;
        FailReason reason;
} FailText;

#define FT(s, r) { (s), sizeof(s) - 1, (r) }

/* Order matters: more specific texts first (REQUIRETLS before "refused to start TLS",
 * STS before "certificate verification failed"). */
static const FailText fail_texts[] = {
        FT("external policy failure", FAIL_STS),
        FT("does not match STS MX pattern", FAIL_STS),
        FT("Sender requested REQUIRETLS", FAIL_REQUIRETLS),
        FT("REQUIRETLS policy configuration error", FAIL_REQUIRETLS),
        FT("TLS is required, but was not offered", FAIL_STARTTLS_NOT_OFFERED),
        FT("refused to start TLS", FAIL_STARTTLS_REFUSED),
        FT("TLS is required, but our TLS engine is unavailable", FAIL_TLS_UNAVAILABLE),
        FT("TLS is required, but unavailable", FAIL_TLS_UNAVAILABLE),
        FT("TLS is required but unavailable", FAIL_TLS_UNAVAILABLE),
        FT("client TLS configuration problem", FAIL_POLICY_LOOKUP),
        FT("TLS policy lookup", FAIL_POLICY_LOOKUP),
        FT("policy table lookup error", FAIL_POLICY_LOOKUP),
        FT("TLSA lookup error", FAIL_DANE),
        FT("non DNSSEC destination", FAIL_DANE),
        FT("no TLSA records found", FAIL_DANE),
        FT("TLSA records unusable", FAIL_DANE),
        FT("MX RRset is insecure", FAIL_DANE),
        FT("DANE TLSA lookup problem", FAIL_DANE),
        FT("DNSSEC status lookup error", FAIL_DANE),
        FT("configured with dnssec lookups disabled", FAIL_DANE),
        FT("configured, but no requisite library support", FAIL_DANE),
        FT("configured with MX lookup errors ignored", FAIL_DANE),
        FT("dns resolver options incompatible with", FAIL_DANE),
        FT("security level is invalid for delivery via unix-domain sockets", FAIL_DANE),
        FT("unusable TLSA RR", FAIL_DANE),
        FT("unsupported TLSA certificate usage", FAIL_DANE),
        FT("TLSA RR length", FAIL_DANE),
        FT("reserved private-use matching type", FAIL_DANE),
        FT("Cannot start TLS", FAIL_HANDSHAKE),
        FT("SSL_connect error", FAIL_HANDSHAKE),
        FT("SSL_set_fd error", FAIL_HANDSHAKE),
        FT("TLS handshake failed", FAIL_HANDSHAKE),
        FT("TLS library problem", FAIL_HANDSHAKE),
        FT("Server certificate not verified", FAIL_CERT_NOT_VERIFIED),
        FT("Server certificate not trusted", FAIL_CERT_NOT_VERIFIED),
        FT("certificate verification failed", FAIL_CERT_NOT_VERIFIED),
        FT("re-using session with untrusted", FAIL_CERT_NOT_VERIFIED),
        FT("all fingerprints unusable", FAIL_CERT_NOT_VERIFIED),
        FT("all trust anchors unusable", FAIL_CERT_NOT_VERIFIED),
};

/* parse_failure_reason - which TLS failure, if any, a text describes */
FailReason parse_failure_reason(Span text) {
        (void) SP_CONSUME(&text, "delivery temporarily suspended: ");

        /* "host H said: ...", "host H refused to talk to me: ...": remote text */
        if (SP_PREFIX(text, "host "))
                return FAIL_NONE;

        for (size_t i = 0; i < sizeof fail_texts / sizeof fail_texts[0]; i++)
                if (sp_contains(text, fail_texts[i].needle, fail_texts[i].n))
                        return fail_texts[i].reason;
        return FAIL_NONE;
}

static int failure_detail(Event *ret, Span qid, FailReason reason, Peer peer, Span text) {
        ret->type = EVENT_TLS_FAILURE_DETAIL;
        ret->failure = (TlsFailure) {
                .queue_id = qid,
                .reason = reason,
                .peer = peer,
                .text = text,
        };
        return 1;
}

static int policy_warning(Event *ret, Span dest, Span host, Span text) {
        FailReason f = parse_failure_reason(text);

        ret->type = EVENT_POLICY_WARNING;
        ret->policy = (PolicyWarning) {
                .destination = dest,
                .host = host,
                .text = text,
                .reason = f != FAIL_NONE ? f : FAIL_POLICY_LOOKUP,
        };
        return 1;
}

/* failure_peer_text - "PEER[: text]" after a fixed prefix; text may be absent */
static int failure_peer_text(Span s, Peer *ret_peer, Span *ret_text, bool text_required) {
        size_t n;

        if (parse_peer_prefix(s, ret_peer, &n) < 0)
                return -EBADMSG;
        s = sp_from(s, n);
        if (SP_CONSUME(&s, ": ")) {
                *ret_text = s;
                return 0;
        }
        if (s.n > 0 || text_required)
                return -EBADMSG;
        *ret_text = s;
        return 0;
}

/* failure_warning - msg is the text after "warning: " */
static int failure_warning(Span msg, Event *ret, const char **reterr_reason) {
        Span s = msg, text;
        Peer peer = { 0 };
        size_t i, slash;
        FailReason f;

        if (SP_CONSUME(&s, "TLS policy lookup for ") || SP_CONSUME(&s, "TLS policy lookup error for ")) {
                i = SP_FIND(s, ": ");
                if (i == SIZE_MAX)
                        return sp_bad(reterr_reason, "policy warning: missing reason");
                slash = sp_rchr(sp_head(s, i), '/');
                if (slash == SIZE_MAX || slash == 0)
                        return sp_bad(reterr_reason, "policy warning: missing destination/host");
                return policy_warning(ret, sp_head(s, slash), span_make(s.p + slash + 1, i - slash - 1),
                                      sp_from(s, i + 2));
        }

        i = SP_FIND(sp_head(s, 300), ", next-hop destination \"");
        if (i != SIZE_MAX && i > 0 && sp_chr(sp_head(s, i), ' ') == SIZE_MAX) {
                sp_skip(&s, i + strlen(", next-hop destination \""));
                i = SP_FIND(s, "\": ");
                if (i == SIZE_MAX)
                        return sp_bad(reterr_reason, "policy table warning: unterminated destination");
                return policy_warning(ret, sp_head(s, i), SPAN_NULL, sp_from(s, i + 3));
        }

        if (SP_CONSUME(&s, "nexthop domain ")) {
                i = SP_FIND(s, ": ");
                if (i == SIZE_MAX)
                        return sp_bad(reterr_reason, "policy table warning: unterminated destination");
                return policy_warning(ret, sp_head(s, i), SPAN_NULL, sp_from(s, i + 2));
        }

        if (SP_SUFFIX(msg, " = encrypt\" (or stronger)") && SP_CONTAINS(msg, " requires \""))
                return policy_warning(ret, SPAN_NULL, SPAN_NULL, msg);

        if (SP_PREFIX(msg, "TLS library problem: "))
                return failure_detail(ret, SPAN_NULL, FAIL_HANDSHAKE, peer, msg);

        if (SP_CONSUME(&s, "MX name '")) {
                i = SP_FIND(s, "' does not match STS MX pattern for '");
                if (i == SIZE_MAX)
                        return 0;
                peer.host = sp_head(s, i);
                return failure_detail(ret, SPAN_NULL, FAIL_STS, peer, msg);
        }

        f = parse_failure_reason(msg);
        if (f == FAIL_NONE)
                return 0;
        if (failure_peer_text(msg, &peer, &text, true) < 0)
                peer = (Peer) { 0 };
        return failure_detail(ret, SPAN_NULL, f, peer, msg);
}

/* parse_failure_line - connect failures, certificate and handshake details, QID lines */
int parse_failure_line(Span msg, bool warning, Event *ret, const char **reterr_reason) {
        Span s = msg, qid, rest, text;
        Peer peer = { 0 };
        FailReason f;

        ret->type = EVENT_IGNORED;
        if (warning)
                return failure_warning(msg, ret, reterr_reason);

        if (SP_CONSUME(&s, "connect to ")) {
                if (failure_peer_text(s, &peer, &text, true) < 0)
                        return sp_bad(reterr_reason, "connect failure: malformed peer");
                ret->type = EVENT_CONNECT_FAILURE;
                ret->connect = (ConnectFailure) { .peer = peer, .text = text };
                return 1;
        }

        (void) (SP_CONSUME(&s, "server ") || SP_CONSUME(&s, "CA ") || SP_CONSUME(&s, "client "));
        if (SP_CONSUME(&s, "certificate verification failed for ")) {
                if (failure_peer_text(s, &peer, &text, true) < 0)
                        return sp_bad(reterr_reason, "certificate failure: malformed peer");
                f = SP_PREFIX(text, "external policy failure") ? FAIL_STS : FAIL_CERT_NOT_VERIFIED;
                return failure_detail(ret, SPAN_NULL, f, peer, msg);
        }
        s = msg;

        if (SP_CONSUME(&s, "SSL_connect error to ") || SP_CONSUME(&s, "SSL_set_fd error to ")) {
                if (failure_peer_text(s, &peer, &text, false) < 0)
                        return sp_bad(reterr_reason, "handshake failure: malformed peer");
                return failure_detail(ret, SPAN_NULL, FAIL_HANDSHAKE, peer, msg);
        }

        if (parse_queue_id(msg, &qid, &rest) > 0) {
                if (SP_PREFIX(rest, "Sender requested REQUIRETLS, but REQUIRETLS support was not offered") ||
                    (SP_PREFIX(rest, "Sender requested REQUIRETLS, but my configured TLS security level") &&
                     SP_CONTAINS(rest, "disables certificate matching")))
                        return 0;       /* informational: REQUIRETLS relaxed */
                f = parse_failure_reason(rest);
                if (f == FAIL_NONE)
                        return 0;
                return failure_detail(ret, qid, f, peer_find_in_text(rest), rest);
        }

        /* "H[A]:P: re-using session with untrusted peer credential, ..." */
        if (failure_peer_text(msg, &peer, &text, true) >= 0) {
                f = parse_failure_reason(text);
                if (f == FAIL_NONE)
                        return 0;
                return failure_detail(ret, SPAN_NULL, f, peer, msg);
        }
        return 0;
}

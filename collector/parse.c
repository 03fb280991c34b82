/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        parse - classify one Postfix log record and dispatch it to a line parser
 * SYNOPSIS
 *        #include "parse.h"
 *        int parse_record(const PfRecord *rec, Event *ret, const char **reterr_reason);
 *        ProgramKind identifier_program(const char *identifier);
 * DESCRIPTION
 *        The program is the last "/" component of SYSLOG_IDENTIFIER; what comes
 *        before it (syslog_name, possibly with "/" itself) is opaque. Only the
 *        SMTP/LMTP client produces events; tlsproxy and everything else is
 *        EVENT_IGNORED. For the client the message is dispatched on its shape:
 *
 *            message   = "warning: " warning       ; parse_failure.c
 *                      / ("error: " / "fatal: " / "panic: ") text   ; ignored
 *                      / tls-line                  ; parse_tls.c
 *                      / qid ": to=<" ...          ; parse_delivery.c
 *                      / qid ": " reason           ; parse_failure.c (TLS reasons only)
 *                      / detail                    ; parse_failure.c
 *            qid       = 6*64(DIGIT / "A"-"F") / 12*64(ALPHA / DIGIT)
 *
 *        Also the name tables of the parser's own words (delivery status, event
 *        type, program); the vocabulary stored and printed is in vocab.h.
 * DIAGNOSTICS
 *        1 parsed (ret->type says what), 0 ignored (ret->type = EVENT_IGNORED),
 *        -EBADMSG malformed line of a known kind or an over-long message.
 */
#include <string.h>

#include "name_code.h"
#include "parse.h"
#include "parse_util.h"

#define QUEUE_ID_SHORT_MIN 6
#define QUEUE_ID_LONG_MIN 12
#define QUEUE_ID_MAX 64

static const NameCode delivery_status_names[] = {
        { "sent",                         STATUS_SENT },
        { "deferred",                     STATUS_DEFERRED },
        { "bounced",                      STATUS_BOUNCED },
        { "SOFTBOUNCE",                   STATUS_SOFTBOUNCE },
        { "deliverable",                  STATUS_DELIVERABLE },
        { "undeliverable",                STATUS_UNDELIVERABLE },
        { "undeliverable-but-not-cached", STATUS_UNDELIVERABLE },
        { "expired",                      STATUS_EXPIRED },
        { NULL,                           _DELIVERY_STATUS_INVALID },
};

static const NameCode event_type_names[] = {
        { "ignored",            EVENT_IGNORED },
        { "tls_established",    EVENT_TLS_ESTABLISHED },
        { "tls_reused",         EVENT_TLS_REUSED },
        { "delivery",           EVENT_DELIVERY },
        { "tls_failure_detail", EVENT_TLS_FAILURE_DETAIL },
        { "connect_failure",    EVENT_CONNECT_FAILURE },
        { "policy_warning",     EVENT_POLICY_WARNING },
        { NULL,                 _EVENT_TYPE_INVALID },
};

static const NameCode program_kind_names[] = {
        { "smtp",     PROGRAM_SMTP },
        { "tlsproxy", PROGRAM_TLSPROXY },
        { "other",    PROGRAM_OTHER },
        { NULL,       _PROGRAM_KIND_INVALID },
};

const char *delivery_status_to_string(DeliveryStatus s) {
        return name_code_str(delivery_status_names, s);
}

DeliveryStatus delivery_status_from_span(Span s) {
        return (DeliveryStatus) name_code_n(delivery_status_names, NAME_CODE_EXACT, s.p, s.n);
}

const char *event_type_to_string(EventType t) {
        return name_code_str(event_type_names, t);
}

const char *program_kind_to_string(ProgramKind k) {
        return name_code_str(program_kind_names, k);
}

/* identifier_program - classify SYSLOG_IDENTIFIER by its last "/" component */
ProgramKind identifier_program(const char *identifier) {
        const char *prog, *slash;
        size_t n;

        if (!identifier)
                return PROGRAM_OTHER;
        n = strnlen(identifier, PF_IDENTIFIER_MAX + 1);
        if (n > PF_IDENTIFIER_MAX)
                return PROGRAM_OTHER;
        slash = memrchr(identifier, '/', n);
        prog = slash ? slash + 1 : identifier;
        n -= (size_t) (prog - identifier);

        if ((n == 4 && memcmp(prog, "smtp", 4) == 0) ||
            (n == 4 && memcmp(prog, "lmtp", 4) == 0))
                return PROGRAM_SMTP;
        if (n == 8 && memcmp(prog, "tlsproxy", 8) == 0)
                return PROGRAM_TLSPROXY;
        return PROGRAM_OTHER;
}

/* parse_queue_id - split "QID: rest"; 1 when msg starts with a queue id.
 * Short ids are upper-case hex (5 hex digits of microseconds + the inode
 * number); long ids (enable_long_queue_ids) have at least 12 alphanumerics. */
int parse_queue_id(Span msg, Span *ret_qid, Span *ret_rest) {
        size_t i = 0, lim = msg.n < QUEUE_ID_MAX + 1 ? msg.n : QUEUE_ID_MAX + 1;
        bool hex = true;

        while (i < lim && sp_is_alnum(msg.p[i])) {
                if (!sp_is_digit(msg.p[i]) && !(msg.p[i] >= 'A' && msg.p[i] <= 'F'))
                        hex = false;
                i++;
        }
        if (i > QUEUE_ID_MAX || i < (hex ? QUEUE_ID_SHORT_MIN : QUEUE_ID_LONG_MIN))
                return 0;
        if (i + 2 > msg.n || msg.p[i] != ':' || msg.p[i + 1] != ' ')
                return 0;
        if (ret_qid)
                *ret_qid = span_make(msg.p, i);
        if (ret_rest)
                *ret_rest = sp_from(msg, i + 2);
        return 1;
}

/* parse_record - turn one record of any program into an Event */
int parse_record(const PfRecord *rec, Event *ret, const char **reterr_reason) {
        Span msg, rest;
        int r;

        if (!rec || !ret)
                return -EINVAL;

        ret->type = EVENT_IGNORED;
        if (rec->message_len > PF_MESSAGE_MAX)
                return sp_bad(reterr_reason, "message longer than 64 KiB");
        if (!rec->message && rec->message_len > 0)
                return sp_bad(reterr_reason, "message missing");
        if (identifier_program(rec->identifier) != PROGRAM_SMTP)
                return 0;

        msg = span_make(rec->message, rec->message_len);
        if (msg.n == 0)
                return 0;

        switch (msg.p[0]) {
        case 'w':
                if (SP_PREFIX(msg, "warning: "))
                        return parse_failure_line(sp_from(msg, strlen("warning: ")), true,
                                                  ret, reterr_reason);
                break;
        case 'e':
                if (SP_PREFIX(msg, "error: "))
                        return 0;
                break;
        case 'f':
                if (SP_PREFIX(msg, "fatal: "))
                        return 0;
                break;
        case 'p':
                if (SP_PREFIX(msg, "panic: "))
                        return 0;
                break;
        }

        if (msg.p[0] >= 'A' && msg.p[0] <= 'Z') {
                /* trust words and the 2.2 "TLS connection" form */
                r = parse_tls_line(msg, &ret->tls, reterr_reason);
                if (r < 0) {
                        ret->type = EVENT_IGNORED;
                        return r;
                }
                if (r > 0) {
                        ret->type = ret->tls.reused ? EVENT_TLS_REUSED : EVENT_TLS_ESTABLISHED;
                        return 1;
                }
        }

        if (parse_queue_id(msg, NULL, &rest) > 0 && SP_PREFIX(rest, "to=<")) {
                r = parse_delivery(msg, &ret->delivery, reterr_reason);
                if (r <= 0) {
                        ret->type = EVENT_IGNORED;
                        return r;
                }
                ret->type = EVENT_DELIVERY;
                return 1;
        }

        return parse_failure_line(msg, false, ret, reterr_reason);
}

/* parse_peer_prefix - "H[A]" with an optional ":P" at the start of s.
 * H is non-empty and has no space or brackets, A is non-empty, P is 1..65535.
 * *ret_len is how much of s was used. */
int parse_peer_prefix(Span s, Peer *ret, size_t *ret_len) {
        size_t lb, rb, i, nd;
        Peer p = { 0 };

        lb = sp_chr(sp_head(s, PF_HOSTNAME_MAX + 1), '[');
        if (lb == SIZE_MAX || lb == 0)
                return -EBADMSG;
        for (i = 0; i < lb; i++)
                if (s.p[i] == ' ' || s.p[i] == ']' || (unsigned char) s.p[i] < 0x20)
                        return -EBADMSG;
        rb = sp_chr(sp_from(s, lb + 1), ']');
        if (rb == SIZE_MAX || rb == 0)
                return -EBADMSG;
        rb += lb + 1;
        if (sp_chr(span_make(s.p + lb + 1, rb - lb - 1), '[') != SIZE_MAX)
                return -EBADMSG;

        p.host = span_make(s.p, lb);
        p.addr = span_make(s.p + lb + 1, rb - lb - 1);
        i = rb + 1;
        if (i + 1 < s.n && s.p[i] == ':' && sp_is_digit(s.p[i + 1])) {
                nd = sp_digits(sp_from(s, i + 1));
                if (sp_u32(span_make(s.p + i + 1, nd), &p.port) < 0 || p.port == 0 || p.port > 65535)
                        return -EBADMSG;
                p.has_port = true;
                i += 1 + nd;
        }
        if (ret)
                *ret = p;
        if (ret_len)
                *ret_len = i;
        return 0;
}

/* parse_peer - the whole span is "H[A]:P" or "H[A]" */
int parse_peer(Span s, Peer *ret) {
        Peer p;
        size_t n;

        if (parse_peer_prefix(s, &p, &n) < 0 || n != s.n)
                return -EBADMSG;
        if (ret)
                *ret = p;
        return 0;
}

/* peer_find_in_text - first "H[A]" or "H[A]:P" in free text; empty Peer if none */
Peer peer_find_in_text(Span text) {
        Span s = text;

        for (unsigned tries = 0; tries < 8; tries++) {
                size_t lb = sp_chr(s, '['), start;
                Peer p;

                if (lb == SIZE_MAX)
                        break;
                start = lb;
                while (start > 0 && lb - start < PF_HOSTNAME_MAX && s.p[start - 1] != ' ')
                        start--;
                if (parse_peer_prefix(sp_from(s, start), &p, NULL) >= 0) {
                        /* "(host[addr]" inside a parenthesised text */
                        while (p.host.n > 0 && p.host.p[0] == '(')
                                sp_skip(&p.host, 1);
                        if (p.host.n > 0)
                                return p;
                }
                s = sp_from(s, lb + 1);
        }
        return (Peer) { 0 };
}

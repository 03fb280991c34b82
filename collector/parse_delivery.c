/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        parse_delivery - parse the per-recipient delivery status line
 * SYNOPSIS
 *        #include "parse.h"
 *        int parse_delivery(Span msg, Delivery *ret, const char **reterr_reason);
 * DESCRIPTION
 *        The line written by log_adhoc() (Postfix 3.11; older releases omit the
 *        fields marked with their first version):
 *
 *            delivery = qid ": to=<" rcpt ">" [", orig_to=<" orig ">"]
 *                       ", relay=" relay
 *                       [", conn_use=" 1*DIGIT]                 ; 2.3+, value >= 2
 *                       ", delay=" secs
 *                       [", delays=" secs "/" secs "/" secs "/" secs]   ; 2.3+
 *                       [", tls=" tls-field]                    ; 3.11+
 *                       [", dsn=" 1*DIGIT "." 1*3DIGIT "." 1*3DIGIT]    ; 2.3+
 *                       *(", " name "=" value)                  ; later additions, skipped
 *                       ", status=" status " (" reason [")"]
 *            relay    = "none" / host "[" addr "]" [":" port] / transport-name
 *            status   = "sent" / "deferred" / "bounced" / "SOFTBOUNCE" / "deliverable"
 *                     / "undeliverable" / "undeliverable-but-not-cached" / "expired"
 *
 *        rcpt and orig end at the first ">" outside double quotes (a quoted
 *        local part may hold ">, relay=..."; see delivery_addr_end()), which
 *        must be followed by ", orig_to=<" or ", relay=". Field values end at
 *        the next ", ". The reason runs to the
 *        end of the message; a missing ")" means the record was cut at the
 *        2000-byte syslog limit and sets reason_truncated.
 *
 *        fail_reason is the classification of the reason text for statuses
 *        other than sent/deliverable; when the text says nothing TLS-specific,
 *        a "!" tls= token gives FAIL_POLICY_VIOLATED and "unknown" gives
 *        FAIL_POLICY_LOOKUP.
 * DIAGNOSTICS
 *        1 parsed, 0 not a delivery line, -EBADMSG malformed.
 */
#include <string.h>

#include "parse.h"
#include "parse_util.h"

/*
 * delivery_addr_end - offset of the ">" that ends an address, or SIZE_MAX
 *
 * Postfix logs addresses in external form (quote_822_local()): a local part
 * that needs it is quoted, and inside the quotes any byte may stand but an
 * unescaped '"'; "\"" and "\\" are escapes. The sender chooses those bytes,
 * so the address ends at the first '>' outside quotes, never at a ">, relay="
 * inside them. That '>' must be followed by ", relay=" (or ", orig_to=<" for
 * the recipient): anything else is a malformed line, not a guess.
 */
static size_t delivery_addr_end(Span s, bool allow_orig_to) {
        bool quoted = false;

        for (size_t i = 0; i < s.n; i++) {
                char c = s.p[i];
                Span after;

                if (quoted) {
                        if (c == '\\')
                                i++;            /* the escaped byte, whatever it is */
                        else if (c == '"')
                                quoted = false;
                        continue;
                }
                if (c == '"') {
                        quoted = true;
                        continue;
                }
                if (c != '>')
                        continue;
                after = sp_from(s, i + 1);
                if (SP_PREFIX(after, ", relay=") || (allow_orig_to && SP_PREFIX(after, ", orig_to=<")))
                        return i;
                return SIZE_MAX;
        }
        return SIZE_MAX;
}

static bool delivery_is_secs(Span v) {
        size_t dots = 0;

        if (v.n == 0 || v.n > 20 || !sp_is_digit(v.p[0]))
                return false;
        for (size_t i = 0; i < v.n; i++) {
                if (v.p[i] == '.')
                        dots++;
                else if (!sp_is_digit(v.p[i]))
                        return false;
        }
        return dots <= 1 && v.p[v.n - 1] != '.';
}

static bool delivery_is_delays(Span v) {
        for (int k = 0; k < 4; k++) {
                size_t slash = k < 3 ? sp_chr(v, '/') : v.n;

                if (slash == SIZE_MAX || !delivery_is_secs(sp_head(v, slash)))
                        return false;
                v = sp_from(v, slash + 1);
        }
        return true;
}

static bool delivery_is_dsn(Span v) {
        for (int k = 0; k < 3; k++) {
                size_t nd = sp_digits(v);

                if (nd == 0 || nd > 3 || (k == 0 && nd != 1))
                        return false;
                v = sp_from(v, nd);
                if (k < 2 && !SP_CONSUME(&v, "."))
                        return false;
        }
        return v.n == 0;
}

/* delivery_relay - relay=none, relay=H[A]:P, relay=local, ... */
static int delivery_relay(Span v, Delivery *d, const char **reterr_reason) {
        d->relay = v;
        if (v.n == 0)
                return sp_bad(reterr_reason, "delivery: empty relay");
        if (SP_EQ(v, "none")) {
                d->relay_none = true;
                return 0;
        }
        if (sp_chr(v, '[') == SIZE_MAX)
                return 0;               /* transport name: local, virtual, ... */
        if (parse_peer(v, &d->relay_peer) < 0)
                return sp_bad(reterr_reason, "delivery: malformed relay");
        d->relay_is_peer = true;
        return 0;
}

/* delivery_field - one "name=value" pair after relay= */
static int delivery_field(Span name, Span v, Delivery *d, bool *seen_delay, const char **reterr_reason) {
        int r;

        if (SP_EQ(name, "conn_use")) {
                if (sp_u32(v, &d->conn_use) < 0 || d->conn_use < 2)
                        return sp_bad(reterr_reason, "delivery: bad conn_use");
        } else if (SP_EQ(name, "delay")) {
                if (!delivery_is_secs(v))
                        return sp_bad(reterr_reason, "delivery: bad delay");
                d->delay = v;
                *seen_delay = true;
        } else if (SP_EQ(name, "delays")) {
                if (!delivery_is_delays(v))
                        return sp_bad(reterr_reason, "delivery: bad delays");
                d->delays = v;
        } else if (SP_EQ(name, "tls")) {
                r = parse_tls_field(v, &d->tls, reterr_reason);
                if (r < 0)
                        return r;
                d->has_tls_field = true;
        } else if (SP_EQ(name, "dsn")) {
                if (!delivery_is_dsn(v))
                        return sp_bad(reterr_reason, "delivery: bad dsn");
                d->dsn = v;
        }
        return 0;
}

/* delivery_status - "S (REASON)" at the end of the line */
static int delivery_status(Span s, Delivery *d, const char **reterr_reason) {
        size_t sp = sp_chr(sp_head(s, 40), ' ');
        Span word;

        if (sp == SIZE_MAX)
                return sp_bad(reterr_reason, "delivery: missing status reason");
        word = sp_head(s, sp);
        d->status = delivery_status_from_span(word);
        if (d->status < 0)
                return sp_bad(reterr_reason, "delivery: unknown status");
        d->status_not_cached = SP_EQ(word, "undeliverable-but-not-cached");

        sp_skip(&s, sp);
        if (!SP_CONSUME(&s, " ("))
                return sp_bad(reterr_reason, "delivery: missing status reason");
        if (SP_SUFFIX(s, ")")) {
                d->reason = sp_head(s, s.n - 1);
                d->reason_truncated = false;
        } else {
                d->reason = s;
                d->reason_truncated = true;
        }
        return 0;
}

static FailReason delivery_fail_reason(const Delivery *d) {
        FailReason f;

        if (d->status == STATUS_SENT || d->status == STATUS_DELIVERABLE)
                return FAIL_NONE;
        f = parse_failure_reason(d->reason);
        if (f != FAIL_NONE || !d->has_tls_field)
                return f;
        if (d->tls.level.present && d->tls.level.init == TLS_LEVEL_UNKNOWN)
                return FAIL_POLICY_LOOKUP;
        if (d->tls.level.violated || d->tls.requiretls.violated)
                return FAIL_POLICY_VIOLATED;
        return FAIL_NONE;
}

/* parse_delivery - one "QID: to=<...>, ..., status=..." message */
int parse_delivery(Span msg, Delivery *ret, const char **reterr_reason) {
        Delivery d = { 0 };
        bool seen_delay = false;
        Span s;
        size_t i;
        int r;

        if (!ret)
                return -EINVAL;
        if (parse_queue_id(msg, &d.queue_id, &s) <= 0 || !SP_CONSUME(&s, "to=<"))
                return 0;

        i = delivery_addr_end(s, true);
        if (i == SIZE_MAX)
                return sp_bad(reterr_reason, "delivery: unterminated recipient");
        d.to = sp_head(s, i);
        sp_skip(&s, i + 3);

        if (SP_CONSUME(&s, "orig_to=<")) {
                i = delivery_addr_end(s, false);
                if (i == SIZE_MAX)
                        return sp_bad(reterr_reason, "delivery: unterminated orig_to");
                d.orig_to = sp_head(s, i);
                sp_skip(&s, i + 3);
        }

        /* relay= and the name=value pairs up to status= */
        for (bool first = true;; first = false) {
                size_t eq = sp_chr(sp_head(s, 32), '='), end;
                Span name, value;

                if (eq == SIZE_MAX || eq == 0)
                        return sp_bad(reterr_reason, "delivery: missing field name");
                name = sp_head(s, eq);
                for (size_t k = 0; k < name.n; k++)
                        if (!((name.p[k] >= 'a' && name.p[k] <= 'z') || name.p[k] == '_'))
                                return sp_bad(reterr_reason, "delivery: bad field name");
                if (first != SP_EQ(name, "relay"))
                        return sp_bad(reterr_reason, "delivery: relay= not where expected");
                sp_skip(&s, eq + 1);
                if (SP_EQ(name, "status")) {
                        r = delivery_status(s, &d, reterr_reason);
                        if (r < 0)
                                return r;
                        break;
                }
                end = SP_FIND(s, ", ");
                if (end == SIZE_MAX)
                        return sp_bad(reterr_reason, "delivery: truncated before status");
                value = sp_head(s, end);
                sp_skip(&s, end + 2);

                if (first)
                        r = delivery_relay(value, &d, reterr_reason);
                else
                        r = delivery_field(name, value, &d, &seen_delay, reterr_reason);
                if (r < 0)
                        return r;
        }
        if (!seen_delay)
                return sp_bad(reterr_reason, "delivery: missing delay");

        d.fail_reason = delivery_fail_reason(&d);
        *ret = d;
        return 1;
}

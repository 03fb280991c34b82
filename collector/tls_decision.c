/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        tls_decision - what makes a delivery TLS
 * DESCRIPTION
 *        See tls_decision.h for the rules.
 */
#include "tls_decision.h"

/* tls_field_authoritative - the level slot of tls= decides: present, decided, not violated, no reuse */
static bool tls_field_authoritative(const Delivery *d) {
        const TlsFeature *lv = &d->tls.level;

        return d->has_tls_field && lv->present && !lv->undecided && !lv->violated && d->conn_use == 0;
}

static bool tls_field_says_tls(const Delivery *d) {
        const TlsFeature *lv = &d->tls.level;

        return lv->init != TLS_LEVEL_NONE && lv->final != TLS_LEVEL_NONE;
}

static bool status_is_success(DeliveryStatus st) {
        return st == STATUS_SENT || st == STATUS_DELIVERABLE;
}

/* failure_reason - rule 2 */
static FailReason failure_reason(const Delivery *d, FailReason detail) {
        FailReason reason = d->fail_reason;

        if (reason == FAIL_NONE && d->has_tls_field) {
                if (d->tls.level.present && d->tls.level.violated)
                        reason = FAIL_POLICY_VIOLATED;
                else if (d->tls.requiretls.present && d->tls.requiretls.violated)
                        reason = FAIL_REQUIRETLS;
        }
        return reason != FAIL_NONE ? reason : detail;
}

TlsDecision tls_decide(const Delivery *d, bool evidence, FailReason detail, bool internal) {
        TlsDecision t = { .reason = FAIL_NONE };
        bool tls_used;

        if (tls_field_authoritative(d))
                tls_used = tls_field_says_tls(d);
        else if (d->has_tls_field && d->tls.level.present && d->tls.level.violated)
                tls_used = false;
        else
                tls_used = evidence;
        t.keep_tls_facts = evidence && !(tls_field_authoritative(d) && !tls_used);

        if (internal)
                t.kind = OUTCOME_INTERNAL;
        else if (d->relay_none || !status_is_success(d->status)) {
                t.reason = failure_reason(d, detail);
                t.kind = t.reason != FAIL_NONE ? OUTCOME_TLS_FAILED : OUTCOME_OTHER_FAILED;
        } else
                t.kind = tls_used ? OUTCOME_TLS : OUTCOME_PLAINTEXT;
        if (t.kind == OUTCOME_PLAINTEXT)
                t.keep_tls_facts = false;
        return t;
}

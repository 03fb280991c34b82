/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        tls_decision - what makes a delivery TLS: the outcome of one delivery line
 * SYNOPSIS
 *        #include "tls_decision.h"
 *        TlsDecision tls_decide(const Delivery *d, bool evidence, FailReason detail, bool internal);
 * DESCRIPTION
 *        The rules, in order (postfix-log-formats.md §2.3-§2.4 and §3.5):
 *
 *        1. TLS used. The level slot of the tls= field (Postfix 3.11) decides
 *           when it is present, decided (no '?'), not violated (no '!') and
 *           the connection was not reused (no conn_use=): TLS unless its
 *           initial or final level is "none" ("may:none" is plaintext). A
 *           violated level ('!encrypt') means no TLS was used. Otherwise the
 *           TLS evidence decides: a TLS line of the same smtp process to the
 *           same [ADDR]:PORT, claimed by this queue id (correlate.c).
 *        2. Failure reason. The reason text of the delivery line
 *           (parse_failure_reason()); else a violated level slot gives
 *           policy_violated and a violated REQUIRETLS slot requiretls_failed;
 *           else the TLS failure detail line the session logged for this
 *           delivery (detail).
 *        3. Kind. A hop to a relay on this host (internal: loopback, a UNIX
 *           socket, internal_relays) is "internal" and counted apart. A
 *           delivery that did not succeed (relay=none, or a status other than
 *           sent/deliverable) is "tls_failed" with a reason when step 2 found
 *           one, "other_failed" otherwise. A successful one is "tls" when
 *           step 1 says TLS, "plaintext" otherwise.
 *        4. TLS facts (trust, protocol, cipher of the TLS line) are kept only
 *           when there was TLS evidence, the tls= field does not decide that
 *           the connection was plaintext, and the kind is not plaintext.
 *
 *        Pure: no state, no allocation.
 */
#pragma once

#include <stdbool.h>

#include "parse.h"
#include "vocab.h"

typedef struct TlsDecision {
        OutcomeKind kind;
        FailReason reason;              /* tls_failed only; FAIL_NONE otherwise */
        bool keep_tls_facts;
} TlsDecision;

TlsDecision tls_decide(const Delivery *d, bool evidence, FailReason detail, bool internal);

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        correlate - turn parsed events into one outcome per delivery line
 * SYNOPSIS
 *        #include "correlate.h"
 *        Correlator *correlator_new(const CorrelateLimits *lim, OutcomeFn fn, void *userdata);
 *        int correlate_feed(Correlator *c, const PfRecord *rec, const Event *ev);
 * DESCRIPTION
 *        Only records of the smtp/lmtp client are considered; tlsproxy copies
 *        of TLS lines and other programs are ignored. Per session (boot id,
 *        hostname, SYSLOG_PID):
 *
 *        TLS line (established/reused) to [A]:P   arms the pending TLS state
 *                                                  (unclaimed), replacing any older one.
 *        delivery line QID, relay [A]:P            unclaimed or claimed by QID, same
 *                                                  [A]:P: TLS evidence, claimed by QID.
 *                                                  Claimed by another QID, or another
 *                                                  peer: no evidence, state dropped.
 *        TLS failure detail / policy warning       remembered; binds to the next
 *                                                  delivery queue id it applies to.
 *
 *        TLS used by a delivery: the tls= level slot when present, decided,
 *        without '!' and without conn_use (final and init != none); else
 *        the TLS evidence above. The outcome of a delivery line: tls_decide()
 *        (tls_decision.h, where the rules are written down).
 * DIAGNOSTICS
 *        correlate_feed() returns 1 when an outcome was emitted, 0 when the
 *        event only changed (or did not touch) session state, -EINVAL for a
 *        bad call, -ENOMEM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "correlate_private.h"
#include "domain.h"
#include "strv.h"
#include "tls_decision.h"

/* peer_key_set - remember the [ADDR]:PORT of a peer; -ENOBUFS when the address is too long */
int peer_key_set(PeerKey *k, const Peer *p) {
        int r;

        r = span_copy(p->addr, k->addr, sizeof(k->addr));
        if (r < 0)
                return r;
        k->port = p->has_port ? p->port : 0;
        k->has_port = p->has_port;
        return 0;
}

/* peer_key_matches - same address (case-insensitive for IPv6 hex) and port; the name is ignored */
bool peer_key_matches(const PeerKey *k, const Peer *p) {
        if (k->has_port != p->has_port || (p->has_port && k->port != p->port))
                return false;
        return p->addr.n > 0 && span_eq_nocase(p->addr, k->addr);
}

Correlator *correlator_new(const CorrelateLimits *lim, OutcomeFn fn, void *userdata) {
        size_t max = CORRELATE_MAX_SESSIONS_DEFAULT;
        Correlator *c;

        c = calloc(1, sizeof(Correlator));
        if (!c)
                return NULL;
        c->fn = fn;
        c->userdata = userdata;
        c->idle_usec = CORRELATE_IDLE_USEC_DEFAULT;
        if (lim) {
                if (lim->idle_usec > 0)
                        c->idle_usec = lim->idle_usec;
                if (lim->max_sessions > 0)
                        max = lim->max_sessions;
        }
        if (max > CORR_SESSIONS_LIMIT)
                max = CORR_SESSIONS_LIMIT;

        c->internal_relays = strv_copy(lim ? (char *const *) lim->internal_relays : NULL);
        if (!c->internal_relays)
                return correlator_free(c);
        if (correlate_table_init(&c->table, max) < 0)
                return correlator_free(c);
        return c;
}

Correlator *correlator_free(Correlator *c) {
        if (!c)
                return NULL;
        correlate_table_done(&c->table);
        strv_free(c->internal_relays);
        free(c);
        return NULL;
}

void correlator_stats(const Correlator *c, CorrelateStats *ret) {
        *ret = c->stats;
}

size_t correlator_sessions(const Correlator *c) {
        return correlate_table_size(&c->table);
}

static const char *str_or_empty(const char *s) {
        return s ? s : "";
}

/* Looks like an IP literal: hex digits, '.', ':' and an optional "%scope". */
static bool span_is_ip_literal(Span a) {
        if (a.n == 0)
                return false;
        for (size_t i = 0; i < a.n; i++) {
                char ch = a.p[i];

                if (ch == '%')
                        return i > 0;
                if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') ||
                      ch == '.' || ch == ':'))
                        return false;
        }
        return true;
}

/* One CorrelateLimits.internal_relays entry: "[ADDR]:PORT", "[ADDR]", an address or a host name. */
static bool relay_entry_matches(const char *e, const Peer *p) {
        size_t n = strlen(e);
        const char *close;
        uint32_t port;

        if (n == 0 || e[0] != '[')
                return span_eq_nocase(p->addr, e) || span_eq_nocase(p->host, e);

        close = memchr(e, ']', n);
        if (!close || (size_t) (close - e - 1) != p->addr.n || p->addr.n == 0 ||
            strncasecmp(e + 1, p->addr.p, p->addr.n) != 0)
                return false;
        if (close[1] == '\0')
                return true;
        return close[1] == ':' && p->has_port && parse_u32(close + 2, &port) >= 0 && port == p->port;
}

/* correlator_is_internal - relay on this host: loopback, UNIX socket, or configured */
static bool correlator_is_internal(const Correlator *c, const Delivery *d) {
        const Peer *p = &d->relay_peer;

        if (!d->relay_is_peer)
                return false;
        if (addr_is_loopback(p->addr.p, p->addr.n))
                return true;
        if (!p->has_port && !span_is_ip_literal(p->addr))
                return true;            /* LMTP over a UNIX-domain socket */
        for (char **e = c->internal_relays; e && *e; e++)
                if (relay_entry_matches(*e, p))
                        return true;
        return false;
}

static bool queue_id_is(const char *claimant, Span qid) {
        return qid.n > 0 && span_eq(qid, claimant);
}

/* Bookkeeping of the pending TLS state for one delivery line; true when it is TLS evidence. */
static bool session_claim_tls(Session *s, const Delivery *d) {
        PendingTls *t = &s->tls;

        if (!t->armed)
                return false;
        if (t->claimant[0] != '\0' && !queue_id_is(t->claimant, d->queue_id))
                goto drop;              /* a later queue id on the same session: plaintext */
        if (!d->relay_is_peer || !peer_key_matches(&t->peer, &d->relay_peer))
                goto drop;              /* that connection is over */
        if (t->claimant[0] == '\0' && span_copy(d->queue_id, t->claimant, sizeof(t->claimant)) < 0)
                goto drop;
        return true;
drop:
        t->armed = false;
        return false;
}

/* Bookkeeping of the pending failure detail; returns its reason when it applies, else FAIL_NONE. */
static FailReason session_claim_failure(Session *s, const Delivery *d) {
        PendingFailure *f = &s->fail;
        bool applies;

        if (!f->armed)
                return FAIL_NONE;
        if (f->claimant[0] != '\0' && !queue_id_is(f->claimant, d->queue_id))
                applies = false;
        else if (f->queue_id[0] != '\0')
                applies = queue_id_is(f->queue_id, d->queue_id);
        else if (f->has_peer)
                applies = d->relay_is_peer && peer_key_matches(&f->peer, &d->relay_peer);
        else
                applies = d->relay_none;

        if (applies && f->claimant[0] == '\0' &&
            span_copy(d->queue_id, f->claimant, sizeof(f->claimant)) < 0)
                applies = false;
        if (!applies) {
                f->armed = false;
                return FAIL_NONE;
        }
        return f->reason;
}

static void copy_lower(Span s, char *buf, size_t bufsz) {
        if (span_copy(s, buf, bufsz) < 0)
                buf[0] = '\0';
        ascii_lower(buf);
}

static int correlate_delivery(Correlator *c, const PfRecord *rec, const Delivery *d) {
        char domain[DOMAIN_MAX + 1] = "", mx[PF_HOSTNAME_MAX + 1] = "", level[64] = "";
        char protocol[CORR_PROTOCOL_MAX] = "", cipher[CORR_CIPHER_MAX] = "";
        const char *boot = str_or_empty(rec->boot_id), *host = str_or_empty(rec->hostname);
        FailReason detail = FAIL_NONE;
        Trust trust = TRUST_UNKNOWN;
        bool evidence = false;
        Outcome o = { .kind = OUTCOME_OTHER_FAILED };
        Session *s;

        c->stats.deliveries++;
        if (d->has_tls_field)
                c->stats.tls_fields++;

        s = correlate_table_find(&c->table, boot, host, rec->pid);
        if (s) {
                evidence = session_claim_tls(s, d);
                if (evidence) {
                        trust = s->tls.trust;
                        memcpy(protocol, s->tls.protocol, sizeof(protocol));
                        memcpy(cipher, s->tls.cipher, sizeof(cipher));
                }
                detail = session_claim_failure(s, d);
                if (!s->tls.armed && !s->fail.armed)
                        correlate_table_remove(&c->table, s);
                else
                        correlate_table_touch(&c->table, s, rec->realtime_usec);
        }

        TlsDecision t = tls_decide(d, evidence, detail, correlator_is_internal(c, d));
        o.kind = t.kind;
        o.reason = t.reason;
        if (!t.keep_tls_facts) {
                trust = TRUST_UNKNOWN;
                protocol[0] = cipher[0] = '\0';
        }

        (void) domain_recipient(d->to.p, d->to.n, domain, sizeof(domain));
        if (d->relay_is_peer)
                copy_lower(d->relay_peer.host, mx, sizeof(mx));
        else if (!d->relay_none)
                copy_lower(d->relay, mx, sizeof(mx));
        if (d->has_tls_field)
                tls_status_format(&d->tls, level, sizeof(level));

        o.realtime_usec = rec->realtime_usec;
        o.hostname = host;
        o.domain = domain;
        o.mx = mx;
        o.protocol = protocol;
        o.cipher = cipher;
        o.trust = trust;
        o.level = level;
        c->stats.outcomes[o.kind]++;
        if (c->fn)
                c->fn(&o, c->userdata);
        return 1;
}

static int session_get(Correlator *c, const PfRecord *rec, Session **ret) {
        const char *boot = str_or_empty(rec->boot_id), *host = str_or_empty(rec->hostname);
        Session *s;
        int r;

        s = correlate_table_find(&c->table, boot, host, rec->pid);
        if (s) {
                correlate_table_touch(&c->table, s, rec->realtime_usec);
                *ret = s;
                return 0;
        }
        r = correlate_table_add(&c->table, boot, host, rec->pid, rec->realtime_usec, ret,
                                &c->stats.evicted);
        return r;
}

static int correlate_tls_line(Correlator *c, const PfRecord *rec, const TlsLine *l) {
        PendingTls t = { .armed = true, .trust = l->trust };
        Session *s;
        int r;

        c->stats.tls_lines++;
        /* an address too long for any real peer can never match a relay= */
        if (peer_key_set(&t.peer, &l->peer) < 0)
                return 0;
        (void) span_copy(l->protocol, t.protocol, sizeof(t.protocol));
        (void) span_copy(l->cipher, t.cipher, sizeof(t.cipher));

        r = session_get(c, rec, &s);
        if (r < 0)
                return r;
        s->tls = t;
        return 0;
}

static int correlate_failure(Correlator *c, const PfRecord *rec, Span qid, const Peer *peer,
                             FailReason reason) {
        PendingFailure f = { .armed = true, .reason = reason };
        Session *s;
        int r;

        if (reason <= FAIL_NONE || reason >= _FAIL_REASON_MAX)
                return 0;
        if (span_copy(qid, f.queue_id, sizeof(f.queue_id)) < 0)
                return 0;
        if (peer && peer->addr.n > 0) {
                if (peer_key_set(&f.peer, peer) < 0)
                        return 0;
                f.has_peer = true;
        }
        r = session_get(c, rec, &s);
        if (r < 0)
                return r;
        s->fail = f;
        return 0;
}

int correlate_feed(Correlator *c, const PfRecord *rec, const Event *ev) {
        uint64_t n;

        if (!c || !rec || !ev)
                return -EINVAL;
        if (ev->type <= EVENT_IGNORED || ev->type >= _EVENT_TYPE_MAX)
                return 0;
        if (!rec->identifier || identifier_program(rec->identifier) != PROGRAM_SMTP)
                return 0;               /* tlsproxy copies and other programs never count */

        if (rec->realtime_usec > c->now_usec)
                c->now_usec = rec->realtime_usec;
        n = correlate_table_expire(&c->table, c->now_usec, c->idle_usec);
        c->stats.evicted += n;

        switch (ev->type) {
        case EVENT_TLS_ESTABLISHED:
        case EVENT_TLS_REUSED:
                return correlate_tls_line(c, rec, &ev->tls);
        case EVENT_DELIVERY:
                return correlate_delivery(c, rec, &ev->delivery);
        case EVENT_TLS_FAILURE_DETAIL:
                return correlate_failure(c, rec, ev->failure.queue_id, &ev->failure.peer,
                                         ev->failure.reason);
        case EVENT_POLICY_WARNING:
                return correlate_failure(c, rec, SPAN_NULL, NULL, FAIL_POLICY_LOOKUP);
        default:
                return 0;
        }
}

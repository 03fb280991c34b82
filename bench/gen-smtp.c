/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        gen-smtp - the simulated Postfix SMTP client of the generator
 * SYNOPSIS
 *        #include "gen.h"
 *        uint64_t smtp_job(Sim *s, GenMsg *m, unsigned tr, GenRcpt **rcpts, size_t n,
 *                          uint64_t usec);
 * DESCRIPTION
 *        One delivery request: pick an smtp process, take a cached connection
 *        or connect to the MX hosts in turn (connect timeouts, STARTTLS not
 *        offered under a mandatory level, handshake failures with the
 *        plaintext retry of level may, certificate name mismatch under
 *        verify), log the TLS line(s) (tlsproxy copy first when the
 *        destination uses connection reuse), then one delivery line per
 *        recipient. Formats: postfix-log-formats.md sections 1.1, 2.1, 3, 6.
 */
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define MS 1000ULL
#define SEC 1000000ULL

static const char *const trust_words[] = { "Anonymous", "Untrusted", "Trusted", "Verified" };

static unsigned transport_prog(unsigned tr) {
        return tr == 0 ? PROG_ID(INST_MAIN, PROG_SMTP) :
               tr == 1 ? PROG_ID(INST_MAIN, PROG_RELAY_SMTP) : PROG_ID(INST_OUT, PROG_SMTP);
}

static const char *level_name(const GenDomain *d) {
        switch (d->level) {
        case LEVEL_DANE:
                return d->dane ? "dane" : "may";
        case LEVEL_MAY:
                return "may";
        case LEVEL_NONE:
                return "none";
        case LEVEL_ENCRYPT:
                return "encrypt";
        case LEVEL_VERIFY:
                return "verify";
        default:
                return "secure";
        }
}

static bool level_requires_tls(const GenDomain *d) {
        return d->level == LEVEL_ENCRYPT || d->level == LEVEL_VERIFY || d->level == LEVEL_SECURE ||
               (d->level == LEVEL_DANE && d->dane);
}

static bool level_matches_cert(const GenDomain *d) {
        return d->level == LEVEL_VERIFY || d->level == LEVEL_SECURE || (d->level == LEVEL_DANE && d->dane);
}

/* "TLSv1.3 with cipher ... (256/256 bits) key-exchange ..." */
static void tls_details(const GenMx *m, bool resumed, bool new_names, char *buf, size_t bufsz) {
        static const char *const c13[] = { "TLS_AES_256_GCM_SHA384 (256/256 bits)",
                                           "TLS_AES_128_GCM_SHA256 (128/128 bits)",
                                           "TLS_CHACHA20_POLY1305_SHA256 (256/256 bits)" };
        static const char *const sig13[] = { "RSA-PSS (2048 bits)", "ECDSA (prime256v1)",
                                             "RSA-PSS (4096 bits)", "RSA-PSS (2048 bits)" };
        static const char *const c12[] = { "ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
                                           "ECDHE-ECDSA-AES256-GCM-SHA384 (256/256 bits)",
                                           "ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)",
                                           "DHE-RSA-AES256-GCM-SHA384 (256/256 bits)" };
        const char *kex = new_names ? "x25519" : "X25519";

        switch (m->proto) {
        case PROTO_TLS13:
                if (resumed)
                        snprintf(buf, bufsz, "TLSv1.3 with cipher %s key-exchange %s", c13[m->suite % 3], kex);
                else
                        snprintf(buf, bufsz, "TLSv1.3 with cipher %s key-exchange %s server-signature %s "
                                 "server-digest SHA256", c13[m->suite % 3], kex, sig13[m->suite % 4]);
                break;
        case PROTO_TLS12:
                snprintf(buf, bufsz, "TLSv1.2 with cipher %s",
                         m->cert == CERT_ANONYMOUS ? "ADH-AES256-GCM-SHA384 (256/256 bits)" : c12[m->suite % 4]);
                break;
        case PROTO_TLS11:
                snprintf(buf, bufsz, "TLSv1.1 with cipher ECDHE-RSA-AES256-SHA (256/256 bits)");
                break;
        default:
                snprintf(buf, bufsz, "TLSv1 with cipher %s",
                         m->suite % 2 ? "DHE-RSA-AES256-SHA (256/256 bits)" : "ECDHE-RSA-AES256-SHA (256/256 bits)");
                break;
        }
}

static uint32_t tlsproxy_pid(Sim *s, unsigned inst, uint64_t usec) {
        GenProc *p = &s->tlsproxy[inst];

        if (p->pid == 0 || p->last_used + 100 * SEC < usec)
                p->pid = sim_new_pid(s);
        p->last_used = usec;
        return p->pid;
}

static void fmt_delays(Sim *s, const GenMsg *m, uint64_t usec, double conn_sec, char *buf, size_t bufsz) {
        char a[16], b[16], c[16], d[16], t[16];
        double qa = m->attempt == 0 ? 0.01 + rng_exp(&s->r, 0.15) :
                    (double) (usec - m->arrival_usec) / (double) SEC;
        double qb = rng_unit(&s->r) < 0.7 ? 0.0 : rng_exp(&s->r, 0.02);
        double xfer = 0.04 + rng_exp(&s->r, 0.35);

        fmt_delay(qa + qb + conn_sec + xfer, t, sizeof t);
        fmt_delay(qa, a, sizeof a);
        fmt_delay(qb, b, sizeof b);
        fmt_delay(conn_sec, c, sizeof c);
        fmt_delay(xfer, d, sizeof d);
        snprintf(buf, bufsz, "delay=%s, delays=%s/%s/%s/%s", t, a, b, c, d);
}

static void sent_reply(Sim *s, const GenDomain *d, uint64_t usec, char *buf, size_t bufsz) {
        static const char b52[] = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
        char id[16];

        for (unsigned i = 0; i < 11; i++)
                id[i] = b52[rng_below(&s->r, sizeof b52 - 1)];
        id[11] = '\0';
        if (d->status_google)
                snprintf(buf, bufsz, "250 2.0.0 OK  %llu %s.%u - gsmtp",
                         (unsigned long long) (usec / SEC), id, (unsigned) rng_below(&s->r, 1000));
        else if (strstr(d->mx[0].name, "outlook.com"))
                snprintf(buf, bufsz, "250 2.6.0 <%s@corp.example> [InternalId=%llu, Hostname=AM0PR%02uMB%04u."
                         "eurprd%02u.prod.outlook.com] %u bytes in 0.%03u, %u.%03u KB/sec Queued mail for delivery",
                         id, (unsigned long long) rng_below(&s->r, 100000000000000ULL),
                         (unsigned) rng_below(&s->r, 10), (unsigned) rng_below(&s->r, 10000),
                         (unsigned) rng_below(&s->r, 10), (unsigned) rng_range(&s->r, 2000, 90000),
                         (unsigned) rng_below(&s->r, 1000), (unsigned) rng_range(&s->r, 10, 900),
                         (unsigned) rng_below(&s->r, 1000));
        else
                snprintf(buf, bufsz, "250 2.0.0 Ok: queued as %.10s", id);
}

typedef struct Session {
        const GenMx *mx;
        bool tls;
        unsigned conn_use;              /* 0 = new connection */
        const char *tls_field;          /* NULL = no tls= */
        double conn_sec;
} Session;

static void deliver(Sim *s, GenMsg *m, unsigned prog, uint32_t pid, const GenDomain *d, GenRcpt *rc,
                    const Session *ss, uint64_t usec, const char *fail_dsn, const char *fail_reason) {
        char relay[160], to[128], orig[96] = "", conn[24] = "", delays[96], tlsf[64] = "", reason[600];
        const char *dsn = "2.0.0", *status = "sent";

        snprintf(to, sizeof to, "%s@%s", rc->local, d->name);
        if (rc->alias)
                snprintf(orig, sizeof orig, " orig_to=<%s@corp.example>,", rc->local);
        if (ss->mx)
                snprintf(relay, sizeof relay, "%s[%s]:25", ss->mx->name, ss->mx->addr);
        else
                snprintf(relay, sizeof relay, "none");
        if (ss->conn_use >= 2)
                snprintf(conn, sizeof conn, " conn_use=%u,", ss->conn_use);
        fmt_delays(s, m, usec, ss->conn_sec, delays, sizeof delays);

        if (fail_reason) {
                dsn = fail_dsn;
                status = fail_dsn[0] == '5' ? "bounced" : "deferred";
                snprintf(reason, sizeof reason, "%s", fail_reason);
        } else {
                double x = rng_unit(&s->r);
                const char *h = ss->mx->name, *a = ss->mx->addr;

                if (m->requiretls && !ss->tls) {
                        dsn = "5.7.30";
                        status = "bounced";
                        snprintf(reason, sizeof reason, "Sender requested REQUIRETLS, but TLS service was not "
                                 "offered by host %s[%s]", h, a);
                } else if (!ss->tls && d->level != LEVEL_NONE && x < 0.01) {
                        dsn = "5.7.0";
                        status = "bounced";
                        snprintf(reason, sizeof reason, "host %s[%s] said: 530 5.7.0 Must issue a STARTTLS "
                                 "command first (in reply to MAIL FROM command)", h, a);
                } else if (m->attempt == 0 && x < 0.015) {
                        dsn = "4.2.0";
                        status = "deferred";
                        snprintf(reason, sizeof reason, "host %s[%s] said: 450 4.2.0 <%s>: Recipient address "
                                 "rejected: Greylisted, see http://postgrey.schweikert.ch/help/%s.html "
                                 "(in reply to RCPT TO command)", h, a, to, d->name);
                } else if (x < 0.025) {
                        dsn = "5.1.1";
                        status = "bounced";
                        snprintf(reason, sizeof reason, "host %s[%s] said: 550 5.1.1 <%s>: Recipient address "
                                 "rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)",
                                 h, a, to);
                } else if (x < 0.028) {
                        dsn = "4.2.2";
                        status = "deferred";
                        snprintf(reason, sizeof reason, "host %s[%s] said: 452 4.2.2 <%s>: Mailbox full "
                                 "(in reply to RCPT TO command)", h, a, to);
                } else
                        sent_reply(s, d, usec, reason, sizeof reason);
        }
        if (ss->tls_field)
                snprintf(tlsf, sizeof tlsf, " tls=%s%s,", ss->tls_field,
                         !m->requiretls ? "" : fail_reason ? "/requiretls?" :
                         !ss->tls ? "/!requiretls:nostarttls" : "/requiretls:none");

        (void) out_pushf(&s->out, usec, prog, pid, 6, "%s: to=<%s>,%s relay=%s,%s %s,%s dsn=%s, status=%s (%s)",
                         m->qid, to, orig, relay, conn, delays, tlsf, dsn, status, reason);
        s->st.deliveries++;
        s->st.tls_field += ss->tls_field != NULL;
        s->st.conn_reuse += ss->conn_use >= 2;
        if (status[0] == 's') {
                rc->done = true;
                s->st.sent++;
                s->st.plaintext += !ss->tls;
        } else if (status[0] == 'b') {
                rc->done = true;
                m->bounced = true;
                s->st.bounced++;
        } else
                s->st.deferred++;
}

static void tls_summary(Sim *s, unsigned inst, unsigned prog, uint32_t pid, const GenMx *m, const char *trust,
                        const char *verb, bool via_proxy, bool resumed, uint64_t usec) {
        char det[256];

        tls_details(m, resumed, usec >= s->upgrade_usec, det, sizeof det);
        if (via_proxy)
                (void) out_pushf(&s->out, usec - 2 * MS, PROG_ID(inst, PROG_TLSPROXY), tlsproxy_pid(s, inst, usec),
                                 6, "%s TLS connection %s to %s[%s]:25: %s", trust, verb, m->name, m->addr, det);
        (void) out_pushf(&s->out, usec, prog, pid, 6, "%s TLS connection %s to %s[%s]:25: %s",
                         trust, verb, m->name, m->addr, det);
}

/* smtp_job - one delivery request to one destination domain */
uint64_t smtp_job(Sim *s, GenMsg *m, unsigned tr, GenRcpt **rcpts, size_t n, uint64_t usec) {
        unsigned prog = transport_prog(tr), inst = tr == 2 ? INST_OUT : INST_MAIN;
        GenDomain *d = &s->world.domains[rcpts[0]->domain];
        GenConn *c = &d->conn[tr];
        bool era311 = usec >= s->upgrade_usec;
        uint32_t pid = pool_get(s, prog, &usec);
        uint64_t cur = usec + (uint64_t) rng_range(&s->r, 5, 80) * MS;
        Session ss = { 0 };
        char lvl[24];

        snprintf(lvl, sizeof lvl, "%s", level_name(d));

        if (c->until_usec > usec && c->free_from <= usec && c->uses < 100 && rng_chance(&s->r, 0.85)) {
                ss.mx = &d->mx[c->mx];
                ss.tls = c->tls;
                ss.conn_use = ++c->uses;
                c->free_from = UINT64_MAX;      /* busy until this delivery ends */
                if (c->tls) {
                        tls_summary(s, inst, prog, pid, ss.mx, trust_words[level_matches_cert(d) ? 3 : ss.mx->cert],
                                    "reused", false, c->resumed, cur);
                        s->st.tls_reused++;
                }
                if (era311 && c->by_address) {
                        static char q[32];
                        snprintf(q, sizeof q, "%s?", lvl);
                        ss.tls_field = q;
                }
        } else {
                unsigned start = 0;
                char reason[300], qlvl[32], nlvl[32];

                if (c->tls && c->until_usec != 0 && c->free_from <= cur && d->tlsproxy)
                        (void) out_pushf(&s->out, cur - 1 * MS, PROG_ID(inst, PROG_TLSPROXY),
                                         tlsproxy_pid(s, inst, cur), 6, "DISCONNECT [%s]:25", d->mx[c->mx].addr);
                *c = (GenConn) { 0 };
                snprintf(qlvl, sizeof qlvl, "%s?", lvl);
                snprintf(nlvl, sizeof nlvl, "!%s", lvl);
                if (d->n_mx > 1 && !d->status_google && rng_chance(&s->r, 0.3))
                        start = (unsigned) rng_below(&s->r, d->n_mx);

                for (unsigned t = 0; t < d->n_mx; t++) {
                        unsigned k = (start + t) % d->n_mx;
                        const GenMx *mx = &d->mx[k];
                        bool last = t + 1 == d->n_mx;
                        const char *fail = NULL, *fail_dsn = NULL, *field = NULL;
                        Session fs = { 0 };

                        if ((mx->flaky_connect && rng_chance(&s->r, 0.2)) || rng_chance(&s->r, 0.002)) {
                                cur += 30 * SEC;
                                snprintf(reason, sizeof reason, "connect to %s[%s]:25: Connection timed out",
                                         mx->name, mx->addr);
                                (void) out_push(&s->out, cur, prog, pid, 6, reason);
                                if (!last)
                                        continue;
                                fs = (Session) { .conn_sec = 30, .tls_field = era311 ? qlvl : NULL };
                                for (size_t i = 0; i < n; i++)
                                        deliver(s, m, prog, pid, d, rcpts[i], &fs, cur + 1 + i, "4.4.1", reason);
                                pool_release(s, prog, pid, cur + 10);
                                return cur + 10;
                        }
                        cur += (uint64_t) rng_range(&s->r, 20, 150) * MS;
                        ss = (Session) { .mx = mx, .conn_sec = (double) (cur - usec) / (double) SEC };

                        if (d->level == LEVEL_NONE) {
                                ss.tls_field = "none";
                                break;
                        }
                        if (mx->proto == PROTO_NONE) {
                                if (!level_requires_tls(d)) {
                                        ss.tls_field = "may:none";
                                        break;
                                }
                                snprintf(reason, sizeof reason, "TLS is required, but was not offered by host "
                                         "%s[%s]", mx->name, mx->addr);
                                fail = reason;
                                fail_dsn = "4.7.4";
                                field = nlvl;
                        } else if ((mx->flaky_tls && rng_chance(&s->r, 0.3)) || rng_chance(&s->r, 0.001)) {
                                if (d->tlsproxy) {
                                        uint32_t tp = tlsproxy_pid(s, inst, cur);
                                        unsigned tpp = PROG_ID(inst, PROG_TLSPROXY);

                                        (void) out_pushf(&s->out, cur, tpp, tp, 6, "CONNECT to [%s]:25", mx->addr);
                                        (void) out_push(&s->out, cur + 40 * MS, tpp, tp, 4, "warning: TLS library "
                                                        "problem: error:0A000410:SSL routines::sslv3 alert handshake "
                                                        "failure:../ssl/record/rec_layer_s3.c:1586:SSL alert number 40:");
                                        (void) out_pushf(&s->out, cur + 41 * MS, tpp, tp, 6, "TLS handshake failed "
                                                         "for service=smtp peer=[%s]:25", mx->addr);
                                } else {
                                        (void) out_pushf(&s->out, cur + 40 * MS, prog, pid, 6,
                                                         "SSL_connect error to %s[%s]:25: -1", mx->name, mx->addr);
                                        (void) out_push(&s->out, cur + 41 * MS, prog, pid, 4, "warning: TLS library "
                                                        "problem: error:0A000126:SSL routines::unexpected eof while "
                                                        "reading:../ssl/record/rec_layer_s3.c:317:");
                                }
                                cur += 50 * MS;
                                if (!level_requires_tls(d) && m->attempt > 0) {
                                        ss.tls_field = "may:none";       /* plaintext retry, same host */
                                        break;
                                }
                                snprintf(reason, sizeof reason, "Cannot start TLS: handshake failure");
                                fail = reason;
                                fail_dsn = "4.7.5";
                                field = qlvl;
                        } else if (mx->name_mismatch && level_matches_cert(d)) {
                                (void) out_pushf(&s->out, cur, d->tlsproxy ? PROG_ID(inst, PROG_TLSPROXY) : prog,
                                                 d->tlsproxy ? tlsproxy_pid(s, inst, cur) : pid, 6,
                                                 "server certificate verification failed for %s[%s]:25: "
                                                 "num=62:hostname mismatch", mx->name, mx->addr);
                                tls_summary(s, inst, prog, pid, mx, "Untrusted", "established", d->tlsproxy,
                                            false, cur + 5 * MS);
                                cur += 10 * MS;
                                snprintf(reason, sizeof reason, "Server certificate not verified");
                                fail = reason;
                                fail_dsn = "4.7.5";
                                field = nlvl;
                        } else {
                                bool resumed = mx->proto == PROTO_TLS13 && rng_chance(&s->r, 0.25);

                                cur += (uint64_t) rng_range(&s->r, 30, 400) * MS;
                                if (d->tlsproxy)
                                        (void) out_pushf(&s->out, cur - 60 * MS, PROG_ID(inst, PROG_TLSPROXY),
                                                         tlsproxy_pid(s, inst, cur), 6, "CONNECT to [%s]:25",
                                                         mx->addr);
                                tls_summary(s, inst, prog, pid, mx,
                                            trust_words[level_matches_cert(d) ? 3 : mx->cert],
                                            "established", d->tlsproxy, resumed, cur);
                                s->st.tls_new++;
                                ss.tls = true;
                                ss.tls_field = lvl;
                                ss.conn_sec = (double) (cur - usec) / (double) SEC;
                                if (d->tlsproxy)
                                        *c = (GenConn) { .mx = (uint8_t) k, .tls = true, .resumed = resumed,
                                                         .by_address = true };
                                break;
                        }
                        /* a TLS failure on this host */
                        if (!last) {
                                (void) out_pushf(&s->out, cur + 1 * MS, prog, pid, 6, "%s: %s", m->qid, fail);
                                continue;
                        }
                        fs = (Session) { .mx = mx, .conn_sec = ss.conn_sec, .tls_field = era311 ? field : NULL };
                        for (size_t i = 0; i < n; i++)
                                deliver(s, m, prog, pid, d, rcpts[i], &fs, cur + 2 * MS + i, fail_dsn, fail);
                        pool_release(s, prog, pid, cur + 10 * MS);
                        return cur + 10 * MS;
                }
                if (!ss.tls) {
                        /* plaintext sessions are cached (by next-hop for level none) */
                        *c = (GenConn) { .mx = (uint8_t) (ss.mx - d->mx), .tls = false,
                                         .by_address = d->level != LEVEL_NONE };
                }
                if (c->until_usec == 0 && (ss.tls ? d->tlsproxy : true))
                        c->uses = 1;
                if (!era311)
                        ss.tls_field = NULL;
        }

        cur += (uint64_t) (rng_exp(&s->r, 0.3) * (double) SEC) + 40 * MS;
        for (size_t i = 0; i < n; i++)
                deliver(s, m, prog, pid, d, rcpts[i], &ss, cur + i, NULL, NULL);
        if (m->requiretls && ss.tls && era311)
                (void) out_pushf(&s->out, cur - 1 * MS, prog, pid, 6, "%s: Sender requested REQUIRETLS, but "
                                 "REQUIRETLS support was not offered by host %s[%s]", m->qid, ss.mx->name, ss.mx->addr);
        cur += n + 5 * MS;
        if (c->uses > 0 && (!ss.tls || d->tlsproxy)) {
                c->until_usec = cur + s->cache_usec;
                c->free_from = cur;
        }
        pool_release(s, prog, pid, cur);
        return cur;
}

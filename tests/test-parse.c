/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-parse - the pure Postfix log line parsers
 * DESCRIPTION
 *        Table-driven: every row is {identifier, message, want_rc, want} where
 *        want is "key=value|key=value|..." over the fields of the resulting
 *        Event (see render()). Lines are quoted from postfix-log-formats.md.
 *        Every message is copied into a buffer of exactly its length, so that
 *        valgrind and ASan see any read past the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cleanup.h"
#include "parse.h"

#define SMTP "postfix/smtp"
#define LMTP "postfix/lmtp"
#define PROXY "postfix/tlsproxy"

typedef struct Row {
        const char *ident;
        const char *msg;
        int want_rc;
        const char *want;
} Row;

/* The copy of the last parsed message: Event spans point into it until the next parse. */
static char *last_copy;

static void parse_exact_release(void) {
        free(last_copy);
        last_copy = NULL;
}

static int teardown(void **state) {
        parse_exact_release();
        return 0;
}

/* parse_exact - parse a copy of msg[0..len) held in a buffer of exactly len bytes */
static int parse_exact(const char *ident, const char *msg, size_t len, Event *ev, const char **why) {
        PfRecord rec;

        parse_exact_release();
        last_copy = malloc(len ? len : 1);
        assert_non_null(last_copy);
        memcpy(last_copy, msg, len);
        rec = (PfRecord) {
                .realtime_usec = 1,
                .boot_id = "",
                .hostname = "",
                .identifier = ident,
                .pid = 1,
                .message = last_copy,
                .message_len = len,
        };
        memset(ev, 0xa5, sizeof *ev);
        return parse_record(&rec, ev, why);
}

static void put_span(char *buf, size_t n, Span s) {
        size_t k = s.n < n - 1 ? s.n : n - 1;

        if (k > 0)
                memcpy(buf, s.p, k);
        buf[k] = 0;
}

static void put_peer(char *buf, size_t n, const Peer *p) {
        int k = snprintf(buf, n, "%.*s", (int) p->host.n, p->host.p ? p->host.p : "");

        if (p->addr.n > 0 && k >= 0 && (size_t) k < n)
                k += snprintf(buf + k, n - (size_t) k, "[%.*s]", (int) p->addr.n, p->addr.p);
        if (p->has_port && k >= 0 && (size_t) k < n)
                (void) snprintf(buf + k, n - (size_t) k, ":%u", p->port);
}

static const char *str_or(const char *s) {
        return s ? s : "(null)";
}

/* render - the field called key of ev as text; false for an unknown key */
static bool render(const Event *ev, const char *key, char *buf, size_t n) {
        const TlsLine *t = &ev->tls;
        const Delivery *d = &ev->delivery;
        const TlsFailure *f = &ev->failure;

        buf[0] = 0;
        if (strcmp(key, "type") == 0) {
                snprintf(buf, n, "%s", str_or(event_type_to_string(ev->type)));
                return true;
        }
        switch (ev->type) {
        case EVENT_TLS_ESTABLISHED:
        case EVENT_TLS_REUSED:
                if (strcmp(key, "trust") == 0)
                        snprintf(buf, n, "%s", str_or(trust_to_string(t->trust)));
                else if (strcmp(key, "peer") == 0)
                        put_peer(buf, n, &t->peer);
                else if (strcmp(key, "protocol") == 0)
                        put_span(buf, n, t->protocol);
                else if (strcmp(key, "cipher") == 0)
                        put_span(buf, n, t->cipher);
                else if (strcmp(key, "bits") == 0)
                        snprintf(buf, n, "%u/%u", t->bits_used, t->bits_alg);
                else if (strcmp(key, "kex") == 0)
                        put_span(buf, n, t->kex);
                else if (strcmp(key, "kex_detail") == 0)
                        put_span(buf, n, t->kex_detail);
                else if (strcmp(key, "ssig") == 0)
                        put_span(buf, n, t->server_signature);
                else if (strcmp(key, "ssig_detail") == 0)
                        put_span(buf, n, t->server_signature_detail);
                else if (strcmp(key, "sdigest") == 0)
                        put_span(buf, n, t->server_digest);
                else if (strcmp(key, "csig") == 0)
                        put_span(buf, n, t->client_signature);
                else if (strcmp(key, "csig_detail") == 0)
                        put_span(buf, n, t->client_signature_detail);
                else if (strcmp(key, "cdigest") == 0)
                        put_span(buf, n, t->client_digest);
                else
                        return false;
                return true;
        case EVENT_DELIVERY:
                if (strcmp(key, "qid") == 0)
                        put_span(buf, n, d->queue_id);
                else if (strcmp(key, "to") == 0)
                        put_span(buf, n, d->to);
                else if (strcmp(key, "orig_to") == 0)
                        put_span(buf, n, d->orig_to);
                else if (strcmp(key, "relay") == 0)
                        put_span(buf, n, d->relay);
                else if (strcmp(key, "relay_none") == 0)
                        snprintf(buf, n, "%d", d->relay_none);
                else if (strcmp(key, "is_peer") == 0)
                        snprintf(buf, n, "%d", d->relay_is_peer);
                else if (strcmp(key, "peer") == 0)
                        put_peer(buf, n, &d->relay_peer);
                else if (strcmp(key, "conn_use") == 0)
                        snprintf(buf, n, "%u", d->conn_use);
                else if (strcmp(key, "delay") == 0)
                        put_span(buf, n, d->delay);
                else if (strcmp(key, "delays") == 0)
                        put_span(buf, n, d->delays);
                else if (strcmp(key, "tls") == 0)
                        tls_status_format(&d->tls, buf, n);
                else if (strcmp(key, "has_tls") == 0)
                        snprintf(buf, n, "%d", d->has_tls_field);
                else if (strcmp(key, "dsn") == 0)
                        put_span(buf, n, d->dsn);
                else if (strcmp(key, "status") == 0)
                        snprintf(buf, n, "%s", str_or(delivery_status_to_string(d->status)));
                else if (strcmp(key, "not_cached") == 0)
                        snprintf(buf, n, "%d", d->status_not_cached);
                else if (strcmp(key, "reason") == 0)
                        put_span(buf, n, d->reason);
                else if (strcmp(key, "truncated") == 0)
                        snprintf(buf, n, "%d", d->reason_truncated);
                else if (strcmp(key, "fail") == 0)
                        snprintf(buf, n, "%s", str_or(fail_reason_to_string(d->fail_reason)));
                else
                        return false;
                return true;
        case EVENT_TLS_FAILURE_DETAIL:
                if (strcmp(key, "qid") == 0)
                        put_span(buf, n, f->queue_id);
                else if (strcmp(key, "fail") == 0)
                        snprintf(buf, n, "%s", str_or(fail_reason_to_string(f->reason)));
                else if (strcmp(key, "peer") == 0)
                        put_peer(buf, n, &f->peer);
                else if (strcmp(key, "text") == 0)
                        put_span(buf, n, f->text);
                else
                        return false;
                return true;
        case EVENT_CONNECT_FAILURE:
                if (strcmp(key, "peer") == 0)
                        put_peer(buf, n, &ev->connect.peer);
                else if (strcmp(key, "text") == 0)
                        put_span(buf, n, ev->connect.text);
                else
                        return false;
                return true;
        case EVENT_POLICY_WARNING:
                if (strcmp(key, "dest") == 0)
                        put_span(buf, n, ev->policy.destination);
                else if (strcmp(key, "host") == 0)
                        put_span(buf, n, ev->policy.host);
                else if (strcmp(key, "text") == 0)
                        put_span(buf, n, ev->policy.text);
                else if (strcmp(key, "fail") == 0)
                        snprintf(buf, n, "%s", str_or(fail_reason_to_string(ev->policy.reason)));
                else
                        return false;
                return true;
        default:
                return false;
        }
}

/* check_want - compare every "key=value" of want with the rendered event */
static void check_want(const char *label, const Event *ev, const char *want) {
        char spec[2048], got[2048];
        char *save = NULL;

        if (!want)
                return;
        assert_true(strlen(want) < sizeof spec);
        strcpy(spec, want);
        for (char *item = strtok_r(spec, "|", &save); item; item = strtok_r(NULL, "|", &save)) {
                char *eq = strchr(item, '=');

                if (!eq)
                        fail_msg("%s: bad want item \"%s\"", label, item);
                *eq = 0;
                if (!render(ev, item, got, sizeof got))
                        fail_msg("%s: no field \"%s\" for event type %s", label, item,
                                 str_or(event_type_to_string(ev->type)));
                if (strcmp(got, eq + 1) != 0)
                        fail_msg("%s: %s: got \"%s\", want \"%s\"", label, item, got, eq + 1);
        }
}

static unsigned run_rows(const Row *rows, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const char *why = NULL;
                Event ev;
                char label[160];
                int r;

                snprintf(label, sizeof label, "row %zu \"%.100s\"", i, rows[i].msg);
                r = parse_exact(rows[i].ident, rows[i].msg, strlen(rows[i].msg), &ev, &why);
                if (r != rows[i].want_rc)
                        fail_msg("%s: got rc %d (%s), want %d", label, r, str_or(why), rows[i].want_rc);
                if (r < 0 && !why)
                        fail_msg("%s: rc %d without a reason", label, r);
                if (r <= 0 && ev.type != EVENT_IGNORED)
                        fail_msg("%s: got type %s for rc %d, want ignored", label,
                                 str_or(event_type_to_string(ev.type)), r);
                if (r > 0)
                        check_want(label, &ev, rows[i].want);
        }
        return (unsigned) n;
}

#define RUN(rows) run_rows((rows), sizeof(rows) / sizeof((rows)[0]))

#define S13 ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"

static const Row tls_rows[] = {
        /* §1.1 observed */
        { SMTP, "Untrusted TLS connection established to localhost[127.0.0.1]:2626: TLSv1.2 with cipher "
                "ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)", 1,
          "type=tls_established|trust=Untrusted|peer=localhost[127.0.0.1]:2626|protocol=TLSv1.2|"
          "cipher=ECDHE-RSA-AES256-GCM-SHA384|bits=256/256|kex=|ssig=|sdigest=" },
        { SMTP, "Untrusted TLS connection established to 127.0.0.1[127.0.0.1]:2626" S13
                " key-exchange x25519 server-signature RSA-PSS (2048 bits) server-digest SHA256", 1,
          "type=tls_established|trust=Untrusted|peer=127.0.0.1[127.0.0.1]:2626|protocol=TLSv1.3|"
          "cipher=TLS_AES_256_GCM_SHA384|kex=x25519|kex_detail=|ssig=RSA-PSS|ssig_detail=2048 bits|"
          "sdigest=SHA256|csig=" },
        /* §6: cross-process reuse */
        { SMTP, "Untrusted TLS connection reused to 127.0.0.1[127.0.0.1]:2626" S13
                " key-exchange x25519 server-signature RSA-PSS (2048 bits) server-digest SHA256", 1,
          "type=tls_reused|trust=Untrusted|peer=127.0.0.1[127.0.0.1]:2626|sdigest=SHA256" },
        { SMTP, "Verified TLS connection established to mx.test[127.0.0.1]:2629" S13, 1,
          "type=tls_established|trust=Verified|peer=mx.test[127.0.0.1]:2629|bits=256/256" },
        { SMTP, "Trusted TLS connection established to mx.test[127.0.0.1]:2626" S13, 1, "trust=Trusted" },
        { SMTP, "Anonymous TLS connection established to mx.test[127.0.0.1]:2626: TLSv1.2 with cipher "
                "ADH-AES256-GCM-SHA384 (256/256 bits)", 1, "trust=Anonymous|cipher=ADH-AES256-GCM-SHA384" },
        /* §1.2: 2.2-2.4 host only, 2.5+ host[addr]:port */
        { SMTP, "TLS connection established to mail.example.com: TLSv1 with cipher DHE-RSA-AES256-SHA "
                "(256/256 bits)", 1,
          "type=tls_established|trust=|peer=mail.example.com|protocol=TLSv1|cipher=DHE-RSA-AES256-SHA" },
        { SMTP, "Verified TLS connection established to mx.example.com[192.0.2.25]:25: TLSv1 with cipher "
                "DHE-RSA-AES256-SHA (256/256 bits)", 1, "trust=Verified|peer=mx.example.com[192.0.2.25]:25" },
        { SMTP, "Untrusted TLS connection established to mx.example.com[192.0.2.25]:25: SSLv3 with cipher "
                "RC4-SHA (128/128 bits)", 1, "protocol=SSLv3|bits=128/128" },
        /* key-exchange / signature alternatives, raw public keys (3.9+) */
        { SMTP, "Verified TLS connection established to mx.example.net[2001:db8::25]:25" S13
                " key-exchange ECDHE (P-256) server-signature ECDSA (P-256) server-digest SHA256", 1,
          "peer=mx.example.net[2001:db8::25]:25|kex=ECDHE|kex_detail=P-256|ssig=ECDSA|ssig_detail=P-256" },
        { SMTP, "Untrusted TLS connection established to a.example[192.0.2.1]:25" S13
                " key-exchange DHE (2048 bits)", 1, "kex=DHE|kex_detail=2048 bits|ssig=" },
        { SMTP, "Untrusted TLS connection established to a.example[192.0.2.1]:25" S13
                " key-exchange X25519 server-signature ECDSA (P-256 raw public key) server-digest SHA256", 1,
          "ssig=ECDSA|ssig_detail=P-256 raw public key|sdigest=SHA256" },
        { SMTP, "Untrusted TLS connection established to a.example[192.0.2.1]:25" S13
                " key-exchange X25519 server-signature RSA-PSS (2048 bit raw public key) server-digest SHA256", 1,
          "ssig_detail=2048 bit raw public key" },
        { SMTP, "Untrusted TLS connection established to a.example[192.0.2.1]:25" S13
                " key-exchange X25519 server-signature ED25519 (raw public key)", 1,
          "ssig=ED25519|ssig_detail=raw public key|sdigest=" },
        { SMTP, "Verified TLS connection established to a.example[192.0.2.1]:25" S13
                " key-exchange X25519MLKEM768 server-signature RSA-PSS (4096 bits) server-digest SHA256"
                " client-signature ECDSA (P-384) client-digest SHA384", 1,
          "kex=X25519MLKEM768|ssig_detail=4096 bits|csig=ECDSA|csig_detail=P-384|cdigest=SHA384" },
        /* resumed session: key-exchange but no signature */
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25" S13 " key-exchange X25519", 1,
          "kex=X25519|ssig=" },
        /* LMTP over a UNIX socket: no port */
        { LMTP, "Anonymous TLS connection established to mail.example.com[private/dovecot-lmtp]" S13, 1,
          "peer=mail.example.com[private/dovecot-lmtp]" },
        /* multi-instance and per-service syslog names */
        { "postfix-out/smtp", "Trusted TLS connection established to a.example[192.0.2.1]:25" S13, 1,
          "type=tls_established" },
        { "postfix/relay/smtp", "Trusted TLS connection reused to a.example[192.0.2.1]:25" S13, 1,
          "type=tls_reused" },
        { "postfix-out/relay/smtp", "Trusted TLS connection reused to a.example[192.0.2.1]:25" S13, 1,
          "type=tls_reused" },
        /* a later suffix is tolerated */
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25" S13 " future-field x", 1,
          "kex=" },
        /* tlsproxy copy and server side: never counted */
        { PROXY, "Untrusted TLS connection established to 127.0.0.1[127.0.0.1]:2626" S13, 0, NULL },
        { "postfix/smtpd", "Anonymous TLS connection established from unknown[192.0.2.9]" S13, 0, NULL },
        { SMTP, "Anonymous TLS connection established from unknown[192.0.2.9]" S13, 0, NULL },
        { SMTP, "Untrusted TLS connection", 0, NULL },
        { SMTP, "Verifiedness of things", 0, NULL },
        /* malformed */
        { SMTP, "Bogus TLS connection established to a.example[192.0.2.1]:25" S13, -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection dropped to a.example[192.0.2.1]:25" S13, -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established by a.example[192.0.2.1]:25" S13, -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:0" S13, -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:65536" S13, -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1:25" S13, -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to [192.0.2.1]:25" S13, -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25: TLSv1.3 with cipher X "
                "(4294967296/256 bits)", -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25: TLSv1.3 with cipher X "
                "(256/256 bits", -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25: TLSv1.3 with cipher X "
                "(/256 bits)", -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25: TLSv1.3 cipher X "
                "(256/256 bits)", -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25" S13 "junk", -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25" S13 " key-exchange",
          -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25" S13 " key-exchange ",
          -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25" S13
                " key-exchange X25519 server-signature RSA-PSS (2048 bits", -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25" S13
                " key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest", -EBADMSG, NULL },
        { SMTP, "TLS connection established to : TLSv1 with cipher X (1/1 bits)", -EBADMSG, NULL },
        { SMTP, "TLS connection established to a b: TLSv1 with cipher X (1/1 bits)", -EBADMSG, NULL },
        /* protocol and cipher words that are no OpenSSL names never reach a report */
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25: TLSv1.3\x1b[2J with cipher X "
                "(1/1 bits)", -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25: TLSv1.3<b> with cipher X "
                "(1/1 bits)", -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25: TLSv1.3 with cipher "
                "AES\"#,x (1/1 bits)", -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25: TLSv1.3 with cipher "
                "b\xc3\xbc (1/1 bits)", -EBADMSG, NULL },
        { SMTP, "Trusted TLS connection established to a.example[192.0.2.1]:25: TLSv1.3 with cipher "
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA (1/1 bits)", -EBADMSG, NULL },
};

static void test_tls_lines(void **state) {
        assert_int_equal(RUN(tls_rows), sizeof tls_rows / sizeof tls_rows[0]);
}

#define QD "67989A74692: to=<a@remote.example>, relay=127.0.0.1[127.0.0.1]:2626, "

static const Row delivery_rows[] = {
        /* §2.1 observed */
        { SMTP, "67989A74692: to=<a@remote.example>, relay=127.0.0.1[127.0.0.1]:2626, delay=0.18, "
                "delays=0.01/0.02/0.11/0.05, tls=may, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as T1)", 1,
          "type=delivery|qid=67989A74692|to=a@remote.example|orig_to=|relay=127.0.0.1[127.0.0.1]:2626|"
          "relay_none=0|is_peer=1|peer=127.0.0.1[127.0.0.1]:2626|conn_use=0|delay=0.18|"
          "delays=0.01/0.02/0.11/0.05|has_tls=1|tls=may|dsn=2.0.0|status=sent|"
          "reason=250 2.0.0 Ok: queued as T1|truncated=0|fail=" },
        /* §6 sequences */
        { SMTP, "62626A74485: to=<g@remote.example>, relay=127.0.0.1[127.0.0.1]:2626, delay=0.17, "
                "delays=0.01/0.01/0.1/0.04, tls=may, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as T12)", 1,
          "qid=62626A74485|to=g@remote.example|tls=may|conn_use=0" },
        { SMTP, "64952A74487: to=<h@remote.example>, relay=127.0.0.1[127.0.0.1]:2626, conn_use=2, delay=0.06, "
                "delays=0/0.01/0/0.04, tls=may?, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as T13)", 1,
          "qid=64952A74487|conn_use=2|delay=0.06|delays=0/0.01/0/0.04|tls=may?|fail=" },
        { SMTP, "6A53AA7448B: to=<j@plain.example>, relay=127.0.0.1[127.0.0.1]:2627, delay=0.1, "
                "delays=0/0.01/0.04/0.04, tls=none, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as T15)", 1,
          "tls=none|has_tls=1|peer=127.0.0.1[127.0.0.1]:2627" },
        { SMTP, "6D0B0A7448D: to=<k@plain.example>, relay=127.0.0.1[127.0.0.1]:2627, conn_use=2, delay=0.05, "
                "delays=0/0.01/0/0.04, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as T16)", 1,
          "conn_use=2|has_tls=0|tls=|dsn=2.0.0" },
        /* §2.3 observed failures */
        { SMTP, "6E3F1A7448F: to=<l@bad.example>, relay=none, delay=0.02, delays=0.01/0.01/0/0, tls=unknown?, "
                "dsn=4.7.5, status=deferred (client TLS configuration problem)", 1,
          "relay=none|relay_none=1|is_peer=0|peer=|tls=unknown?|status=deferred|"
          "reason=client TLS configuration problem|fail=policy_lookup_failed" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=!encrypt, dsn=4.7.4, status=deferred (TLS is required, "
                "but was not offered by host 127.0.0.1[127.0.0.1])", 1,
          "tls=!encrypt|fail=starttls_not_offered|dsn=4.7.4" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=!verify, dsn=4.7.5, status=deferred "
                "(Server certificate not verified)", 1, "tls=!verify|fail=cert_not_verified" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=!fingerprint, dsn=4.7.5, status=deferred "
                "(Server certificate not verified)", 1, "tls=!fingerprint|fail=cert_not_verified" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=!secure, dsn=4.7.5, status=bounced (some new text)", 1,
          "tls=!secure|status=bounced|fail=policy_violated" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=may?, dsn=4.7.5, status=deferred "
                "(Cannot start TLS: handshake failure)", 1, "tls=may?|fail=handshake_failed" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=may:none, dsn=2.0.0, status=sent (250 2.0.0 Ok)", 1,
          "tls=may:none|fail=" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=dane:encrypt, dsn=2.0.0, status=sent (250 2.0.0 Ok)", 1,
          "tls=dane:encrypt" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=may/requiretls:none, dsn=2.0.0, status=sent (250 Ok)", 1,
          "tls=may/requiretls:none|fail=" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=may?/!requiretls:nocertmatch, dsn=5.7.10, status=bounced "
                "(Sender requested REQUIRETLS, but no matching server certificate was found. The last "
                "attempted server was 127.0.0.1[127.0.0.1])", 1,
          "tls=may?/!requiretls:nocertmatch|fail=requiretls_failed" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=none?/!requiretls:nocertmatch, dsn=5.7.10, "
                "status=deferred (unexpected text)", 1,
          "tls=none?/!requiretls:nocertmatch|fail=policy_violated" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=!encrypt, dsn=4.7.5, status=deferred (TLS is required, "
                "but host 127.0.0.1[127.0.0.1] refused to start TLS: 454 4.7.0 TLS not available)", 1,
          "fail=starttls_refused" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=!encrypt, dsn=4.7.5, status=deferred "
                "(TLS is required, but our TLS engine is unavailable)", 1, "fail=tls_unavailable" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=dane-only?, dsn=4.7.5, status=deferred "
                "(TLSA lookup error for mx.example.com:25)", 1, "tls=dane-only?|fail=dane_failed" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=may?, dsn=4.4.2, status=deferred (lost connection with "
                "127.0.0.1[127.0.0.1] while receiving the initial server greeting)", 1, "fail=" },
        /* remote text mentioning TLS is not our TLS failure */
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=may, dsn=5.7.0, status=bounced (host 127.0.0.1[127.0.0.1] "
                "said: 530 5.7.0 TLS is required, but was not offered by host x (in reply to MAIL FROM "
                "command))", 1, "fail=|reason=host 127.0.0.1[127.0.0.1] said: 530 5.7.0 TLS is required, "
                "but was not offered by host x (in reply to MAIL FROM command)" },
        { SMTP, "3F2E1A7448F: to=<m@tls.example>, relay=none, delay=600, delays=600/0/0/0, dsn=4.7.4, "
                "status=deferred (delivery temporarily suspended: TLS is required, but was not offered by "
                "host mx[192.0.2.1])", 1, "relay_none=1|fail=starttls_not_offered" },
        /* optional fields and relay forms */
        { SMTP, "4c8vgk2lXhzNcrX: to=<b@example.net>, orig_to=<alias@example.org>, relay=mx.example.net"
                "[2001:db8::25]:25, delay=1.2, delays=0.1/0/0.6/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)", 1,
          "qid=4c8vgk2lXhzNcrX|to=b@example.net|orig_to=alias@example.org|peer=mx.example.net[2001:db8::25]:25|"
          "delay=1.2|has_tls=0" },
        { SMTP, "A1B2C3D4E5: to=<u@example.com>, relay=local, delay=0, delays=0/0/0/0, dsn=2.0.0, "
                "status=sent (delivered to mailbox)", 1, "relay=local|is_peer=0|relay_none=0|peer=" },
        { LMTP, "A1B2C3D4E5: to=<u@example.com>, relay=mail.example.com[private/dovecot-lmtp], delay=0.05, "
                "delays=0/0/0/0.05, dsn=2.0.0, status=sent (250 2.0.0 <u@example.com> Saved)", 1,
          "is_peer=1|peer=mail.example.com[private/dovecot-lmtp]" },
        { SMTP, "A1B2C3D4E5: to=<u@example.com>, relay=mx.example.com[192.0.2.5], delay=2, status=sent (250 Ok)",
          1, "peer=mx.example.com[192.0.2.5]|delay=2|delays=|dsn=|status=sent|reason=250 Ok" },
        { SMTP, "A1B2C3D4E5: to=<u@example.com>, orig_to=<v@example.com>, relay=none, delay=35, "
                "status=bounced (Host or domain name not found)", 1, "orig_to=v@example.com|status=bounced" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, dsn=4.0.0, status=SOFTBOUNCE (x)", 1, "status=SOFTBOUNCE" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, dsn=2.1.5, status=deliverable (250 2.1.5 Ok)", 1,
          "status=deliverable|fail=" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=!encrypt, dsn=5.7.4, status=undeliverable (TLS is "
                "required, but was not offered by host x[192.0.2.1])", 1,
          "status=undeliverable|not_cached=0|fail=starttls_not_offered" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, dsn=4.4.1, status=undeliverable-but-not-cached (connect to "
                "x[192.0.2.1]:25: Connection refused)", 1, "status=undeliverable|not_cached=1|fail=" },
        /* fields of a later release are skipped */
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, tls=may, dsn=2.0.0, future=x/y, status=sent (250 Ok)", 1,
          "tls=may|dsn=2.0.0" },
        /* the 2000-byte cut leaves the reason unterminated */
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, dsn=5.0.0, status=bounced (host x[192.0.2.1] said: 550 a very "
                "long reply", 1, "truncated=1|reason=host x[192.0.2.1] said: 550 a very long reply" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, dsn=5.0.0, status=bounced (", 1, "truncated=1|reason=" },
        { SMTP, QD "delay=0.1, delays=0/0/0.1/0, dsn=2.0.0, status=sent ()", 1, "truncated=0|reason=" },
        /* addresses with odd bytes */
        { SMTP, "67989A74692: to=<\"a>, b\"@remote.example>, relay=127.0.0.1[127.0.0.1]:2626, delay=0, "
                "status=sent (ok)", 1, "to=\"a>, b\"@remote.example" },
        { SMTP, "67989A74692: to=<\xff\xfe@remote.example>, relay=x[192.0.2.1]:25, delay=0, status=sent "
                "(\xc3\x28 ok)", 1, "to=\xff\xfe@remote.example|reason=\xc3\x28 ok" },
        { SMTP, "67989A74692: to=<>, relay=x[192.0.2.1]:25, delay=0, status=sent (ok)", 1, "to=" },
        /* a quoted local part (quote_822_local(), §2.1) cannot forge the fields after it */
#define FORGED "x@victim.example>, relay=mx.victim.example[192.0.2.1]:25, delay=0.1, tls=encrypt, " \
                "dsn=2.0.0, status=sent (ok)"
        { SMTP, "67989A74692: to=<\"" FORGED "\"@attacker.example>, relay=mx.attacker.example[198.51.100.7]:25, "
                "delay=1, delays=0/0/0.5/0.5, tls=may, dsn=5.1.1, status=bounced (host mx.attacker.example"
                "[198.51.100.7] said: 550 5.1.1 no such user)", 1,
          "to=\"" FORGED "\"@attacker.example|relay=mx.attacker.example[198.51.100.7]:25|"
          "peer=mx.attacker.example[198.51.100.7]:25|delay=1|tls=may|dsn=5.1.1|status=bounced" },
        { SMTP, "67989A74692: to=<\"" FORGED "\"@attacker.example>, orig_to=<\"" FORGED "\"@attacker.example>, "
                "relay=mx.attacker.example[198.51.100.7]:25, delay=1, status=deferred (x)", 1,
          "orig_to=\"" FORGED "\"@attacker.example|relay=mx.attacker.example[198.51.100.7]:25|status=deferred" },
        /* escapes: \" does not end the quotes, \\ does not escape the closing quote */
        { SMTP, "67989A74692: to=<\"a\\\">, relay=f[192.0.2.9]:25, delay=0, status=sent (ok)\"@x.example>, "
                "relay=r[192.0.2.1]:25, delay=2, status=deferred (no)", 1,
          "to=\"a\\\">, relay=f[192.0.2.9]:25, delay=0, status=sent (ok)\"@x.example|relay=r[192.0.2.1]:25|"
          "delay=2|status=deferred" },
        { SMTP, "67989A74692: to=<\"a\\\\\">, relay=r[192.0.2.1]:25, delay=2, status=deferred (no)", 1,
          "to=\"a\\\\\"|relay=r[192.0.2.1]:25|status=deferred" },
        /* an unterminated quote never ends the address; an unquoted '>' must end it */
        { SMTP, "67989A74692: to=<\"" FORGED, -EBADMSG, NULL },
        { SMTP, "67989A74692: to=<a>b@x.example>, relay=r[192.0.2.1]:25, delay=0, status=sent (ok)", -EBADMSG,
          NULL },
#undef FORGED
        /* malformed */
        { SMTP, QD "conn_use=4294967296, delay=0, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "conn_use=99999999999999999999999, delay=0, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "conn_use=1, delay=0, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "conn_use=-2, delay=0, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "conn_use=4294967295, delay=0, status=sent (ok)", 1, "conn_use=4294967295" },
        { SMTP, QD "delay=0, status=weird (ok)", -EBADMSG, NULL },
        { SMTP, QD "delay=0, status=sent", -EBADMSG, NULL },
        { SMTP, QD "delay=0, status=sent(ok)", -EBADMSG, NULL },
        { SMTP, QD "delay=0, status=", -EBADMSG, NULL },
        { SMTP, QD "delays=0/0/0/0, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "delay=x, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "delay=0., status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "delay=0, delays=0/0/0, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "delay=0, dsn=2.0, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "delay=0, dsn=22.0.0, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "delay=0, tls=bogus, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "delay=0, tls=, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "delay=0, Status=sent (ok)", -EBADMSG, NULL },
        { SMTP, QD "delay=0 status=sent (ok)", -EBADMSG, NULL },
        { SMTP, "67989A74692: to=<a@remote.example>, relay=x[192.0.2.1]:99999, delay=0, status=sent (ok)",
          -EBADMSG, NULL },
        { SMTP, "67989A74692: to=<a@remote.example>, relay=x[192.0.2.1, delay=0, status=sent (ok)",
          -EBADMSG, NULL },
        { SMTP, "67989A74692: to=<a@remote.example>, relay=, delay=0, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, "67989A74692: to=<a@remote.example>, delay=0, relay=x, status=sent (ok)", -EBADMSG, NULL },
        { SMTP, "67989A74692: to=<a@remote.example, relay=x[192.0.2.1]:25", -EBADMSG, NULL },
        { SMTP, "67989A74692: to=<a@remote.example>, orig_to=<b, relay=x", -EBADMSG, NULL },
        { SMTP, "67989A74692: to=<", -EBADMSG, NULL },
        /* not delivery lines */
        { SMTP, "67989A74692: from=<a@b>, size=100, nrcpt=1 (queue active)", 0, NULL },
        { SMTP, "67989A74692: to=", 0, NULL },
        { "postfix/local", "A1B2C3D4E5: to=<u@example.com>, relay=local, delay=0, status=sent (ok)", 0, NULL },
        { "postfix/qmgr", "67989A74692: from=<a@b>, status=expired, returned to sender", 0, NULL },
        { SMTP, "67989A74692 to=<a@remote.example>, relay=none, delay=0, status=sent (ok)", 0, NULL },
        { SMTP, "1234: to=<a@remote.example>, relay=none, delay=0, status=sent (ok)", 0, NULL },
};

static void test_delivery_lines(void **state) {
        assert_int_equal(RUN(delivery_rows), sizeof delivery_rows / sizeof delivery_rows[0]);
}

#define Q "62626A74485: "

static const Row failure_rows[] = {
        /* §3.1 policy lookup warnings (observed) and table errors */
        { SMTP, "warning: TLS policy lookup error for [localhost]:2630/localhost: client TLS configuration "
                "problem", 1, "type=policy_warning|dest=[localhost]:2630|host=localhost|"
                "text=client TLS configuration problem|fail=policy_lookup_failed" },
        { SMTP, "warning: TLS policy lookup for [localhost]:2630/localhost: client TLS configuration problem",
          1, "type=policy_warning|dest=[localhost]:2630|host=localhost|fail=policy_lookup_failed" },
        { SMTP, "warning: TLS policy lookup for example.com/mx.example.com: TLSA lookup error for "
                "mx.example.com:25", 1, "dest=example.com|host=mx.example.com|fail=dane_failed|"
                "text=TLSA lookup error for mx.example.com:25" },
        { SMTP, "warning: TLS policy lookup for example.com/mx.example.com: non DNSSEC destination", 1,
          "fail=dane_failed" },
        { SMTP, "warning: TLS policy lookup for example.com/mx.example.com: no TLSA records found", 1,
          "fail=dane_failed" },
        { SMTP, "warning: TLS policy lookup for example.com/mx.example.com: TLSA records unusable", 1,
          "fail=dane_failed" },
        { SMTP, "warning: TLS policy lookup for example.com/mx.example.com: Verification not possible, MX "
                "RRset is insecure", 1, "fail=dane_failed" },
        { SMTP, "warning: TLS policy lookup for example.com/mx.example.com: Sender requested REQUIRETLS, but "
                "my configured TLS security level 'may' disables certificate matching. The last attempted "
                "server was mx.example.com[192.0.2.1]", 1, "fail=requiretls_failed" },
        { SMTP, "warning: TLS policy lookup for example.com/mx.example.com: REQUIRETLS policy configuration "
                "error. x", 1, "fail=requiretls_failed" },
        { LMTP, "warning: TLS policy lookup error for /var/run/lmtp.sock/mail.example.com: client TLS "
                "configuration problem", 1, "dest=/var/run/lmtp.sock|host=mail.example.com" },
        { SMTP, "warning: smtp_tls_policy_maps, next-hop destination \"[localhost]:2630\": invalid security "
                "level \"bogus\"", 1, "type=policy_warning|dest=[localhost]:2630|host=|"
                "text=invalid security level \"bogus\"|fail=policy_lookup_failed" },
        { LMTP, "warning: lmtp_tls_policy_maps, next-hop destination \"example.com\": invalid empty policy", 1,
          "dest=example.com|text=invalid empty policy" },
        { SMTP, "warning: smtp_tls_policy_maps, next-hop destination \"example.com\": malformed "
                "attribute/value pair \"match\": missing value", 1, "dest=example.com" },
        { SMTP, "warning: smtp_tls_policy_maps, next-hop destination \"example.com\": attribute \"ciphers\" "
                "is specified multiple times", 1, "dest=example.com" },
        { SMTP, "warning: smtp_tls_policy_maps, next-hop destination \"example.com\": ignoring attribute "
                "\"match\" with TLS disabled", 1, "dest=example.com|fail=policy_lookup_failed" },
        { SMTP, "warning: smtp_tls_policy_maps, next-hop destination \"example.com\": policy table lookup "
                "error", 1, "fail=policy_lookup_failed" },
        { SMTP, "warning: nexthop domain example.com: configured at fingerprint security level, but with no "
                "fingerprints to match.", 1, "type=policy_warning|dest=example.com|host=" },
        { SMTP, "warning: smtp_tls_wrappermode requires \"smtp_tls_security_level = encrypt\" (or stronger)", 1,
          "type=policy_warning|dest=|fail=policy_lookup_failed" },
        { SMTP, "warning: smtp_tls_policy_maps, next-hop destination \"example.com", -EBADMSG, NULL },
        { SMTP, "warning: TLS policy lookup for example.com", -EBADMSG, NULL },
        { SMTP, "warning: TLS policy lookup for example.com: why", -EBADMSG, NULL },
        { SMTP, "warning: relayhost configuration problem", 0, NULL },
        { SMTP, "warning: database /etc/postfix/x.db is older than source file /etc/postfix/x", 0, NULL },
        /* §3.2 as QID lines of a non-final MX */
        { SMTP, Q "TLS is required, but was not offered by host mx.example.com[192.0.2.25]", 1,
          "type=tls_failure_detail|qid=62626A74485|fail=starttls_not_offered|peer=mx.example.com[192.0.2.25]|"
          "text=TLS is required, but was not offered by host mx.example.com[192.0.2.25]" },
        { SMTP, Q "TLS is required, but host mx.example.com[192.0.2.25] refused to start TLS: 454 4.7.0 TLS not "
                "available due to local problem", 1, "fail=starttls_refused|peer=mx.example.com[192.0.2.25]" },
        { SMTP, Q "TLS is required, but our TLS engine is unavailable", 1, "fail=tls_unavailable|peer=" },
        { SMTP, Q "TLS is required, but unavailable", 1, "fail=tls_unavailable" },
        { SMTP, Q "Cannot start TLS: handshake failure", 1, "fail=handshake_failed" },
        { SMTP, Q "Server certificate not verified", 1, "fail=cert_not_verified" },
        { SMTP, Q "Server certificate not trusted", 1, "fail=cert_not_verified" },
        { SMTP, Q "Sender requested REQUIRETLS, but no server was found that supports REQUIRETLS. The last "
                "attempted server was mx.example.com[192.0.2.25]", 1,
          "fail=requiretls_failed|peer=mx.example.com[192.0.2.25]" },
        { SMTP, Q "Sender requested REQUIRETLS, but host mx.example.com[192.0.2.25] refused to start TLS: 454 x",
          1, "fail=requiretls_failed" },
        { SMTP, Q "Sender requested REQUIRETLS, but TLS service was not offered by host "
                "mx.example.com[192.0.2.25]", 1, "fail=requiretls_failed" },
        { SMTP, Q "Sender requested REQUIRETLS, but no trusted server certificate was found. The last attempted "
                "server was mx.example.com[192.0.2.25]", 1, "fail=requiretls_failed" },
        /* §3.2 info lines: REQUIRETLS relaxed */
        { SMTP, Q "Sender requested REQUIRETLS, but REQUIRETLS support was not offered by host "
                "localhost[127.0.0.1]", 0, NULL },
        { SMTP, Q "Sender requested REQUIRETLS, but my configured TLS security level 'may' disables certificate "
                "matching. The last attempted server was localhost[127.0.0.1]", 0, NULL },
        /* not TLS */
        { SMTP, Q "lost connection with mx.example.com[192.0.2.25] while receiving the STARTTLS response", 0,
          NULL },
        { SMTP, Q "conversation with mx.example.com[192.0.2.25] timed out while performing the EHLO handshake",
          0, NULL },
        { SMTP, Q "host mx.example.com[192.0.2.25] said: 450 4.7.1 Cannot start TLS (in reply to RCPT TO "
                "command)", 0, NULL },
        { SMTP, Q "host mx.example.com[192.0.2.25] refused to talk to me: 554 go away", 0, NULL },
        { SMTP, Q "enabling PIX workarounds: disable_esmtp delay_dotcrlf for mx[192.0.2.25]:25", 0, NULL },
        /* §3.2 handshake details */
        { SMTP, "SSL_connect error to 127.0.0.1[127.0.0.1]:2628: -1", 1,
          "type=tls_failure_detail|qid=|fail=handshake_failed|peer=127.0.0.1[127.0.0.1]:2628|"
          "text=SSL_connect error to 127.0.0.1[127.0.0.1]:2628: -1" },
        { SMTP, "SSL_connect error to mx.example.com[192.0.2.25]:25: lost connection", 1,
          "fail=handshake_failed|peer=mx.example.com[192.0.2.25]:25" },
        { SMTP, "SSL_connect error to mx.example.com[192.0.2.25]:25: Connection reset by peer", 1,
          "fail=handshake_failed" },
        { SMTP, "SSL_set_fd error to mx.example.com[192.0.2.25]:25", 1, "fail=handshake_failed|"
          "peer=mx.example.com[192.0.2.25]:25" },
        { SMTP, "SSL_connect error to nowhere: -1", -EBADMSG, NULL },
        { SMTP, "warning: TLS library problem: error:0A000086:SSL routines::certificate verify failed:"
                "../ssl/statem/statem_clnt.c:1889:", 1,
          "type=tls_failure_detail|fail=handshake_failed|peer=|text=TLS library problem: error:0A000086:SSL "
          "routines::certificate verify failed:../ssl/statem/statem_clnt.c:1889:" },
        { SMTP, "warning: smtp_helo: TLS is required but unavailable, don't know why", 1,
          "fail=tls_unavailable" },
        /* §3.3 certificate verification */
        { SMTP, "certificate verification failed for mx.example.com[192.0.2.25]:25: external policy failure "
                "(sts_policy_invalid)", 1, "type=tls_failure_detail|fail=sts_failed|"
                "peer=mx.example.com[192.0.2.25]:25" },
        { SMTP, "certificate verification failed for mx.example.com[192.0.2.25]:25: not trusted by local or "
                "TLSA policy", 1, "fail=cert_not_verified|peer=mx.example.com[192.0.2.25]:25" },
        { SMTP, "certificate verification failed for localhost[127.0.0.1]:2628: self-signed certificate", 1,
          "fail=cert_not_verified|peer=localhost[127.0.0.1]:2628|"
          "text=certificate verification failed for localhost[127.0.0.1]:2628: self-signed certificate" },
        { SMTP, "certificate verification failed for mx.example.com[192.0.2.25]:25: untrusted issuer "
                "/C=US/O=Example/CN=Example CA", 1, "fail=cert_not_verified" },
        { SMTP, "server certificate verification failed for mx.example.com[192.0.2.25]:25: certificate not yet "
                "valid", 1, "fail=cert_not_verified" },
        { SMTP, "CA certificate verification failed for mx.example.com[192.0.2.25]:25: certificate has expired",
          1, "fail=cert_not_verified|peer=mx.example.com[192.0.2.25]:25" },
        { SMTP, "certificate verification failed for mx.example.com[192.0.2.25]:25: not designated for use as "
                "a server certificate", 1, "fail=cert_not_verified" },
        { SMTP, "certificate verification failed for mx.example.com[192.0.2.25]:25: certificate chain longer "
                "than limit(9)", 1, "fail=cert_not_verified" },
        { SMTP, "server certificate verification failed for 127.0.0.1[127.0.0.1]:2630: num=65:no matching DANE "
                "TLSA records", 1, "fail=cert_not_verified|peer=127.0.0.1[127.0.0.1]:2630" },
        { SMTP, "server certificate verification failed for mx[2001:db8::1]:25: num=62:hostname mismatch", 1,
          "fail=cert_not_verified|peer=mx[2001:db8::1]:25" },
        { SMTP, "client certificate verification failed for mx[192.0.2.1]:25: num=10:certificate has expired",
          1, "fail=cert_not_verified" },
        { SMTP, "certificate verification failed for mx.example.com: self-signed certificate", -EBADMSG, NULL },
        { SMTP, "certificate verification failed for mx[192.0.2.1]:25", -EBADMSG, NULL },
        { SMTP, "mx.example.com[192.0.2.25]:25: re-using session with untrusted peer credential, look for "
                "details earlier in the log", 1, "fail=cert_not_verified|peer=mx.example.com[192.0.2.25]:25" },
        { SMTP, "mx.example.com[192.0.2.25]:25: re-using session with untrusted certificate, look for details "
                "earlier in the log", 1, "fail=cert_not_verified" },
        { SMTP, "mx.example.com[192.0.2.25]:25: Matched trust anchor at depth 1", 0, NULL },
        /* §3.4 DANE and MTA-STS warnings */
        { SMTP, "warning: [localhost]:2629: dane configured with dnssec lookups disabled", 1,
          "type=tls_failure_detail|fail=dane_failed|peer=" },
        { SMTP, "warning: example.com: dane-only configured, but no requisite library support", 1,
          "fail=dane_failed" },
        { SMTP, "warning: example.com: dane configured with MX lookup errors ignored", 1, "fail=dane_failed" },
        { SMTP, "warning: example.com: dns resolver options incompatible with dane TLS", 1, "fail=dane_failed" },
        { LMTP, "warning: /var/run/lmtp: the \"dane\" security level is invalid for delivery via unix-domain "
                "sockets", 1, "fail=dane_failed" },
        { SMTP, "warning: mx.example.com[192.0.2.25]:25: all TLSA records unusable, fallback to "
                "unauthenticated TLS", 1, "fail=dane_failed|peer=mx.example.com[192.0.2.25]:25" },
        { SMTP, "warning: mx.example.com[192.0.2.25]:25: all TLSA records unusable", 1, "fail=dane_failed" },
        { SMTP, "warning: mx.example.com[192.0.2.25]:25: all fingerprints unusable", 1,
          "fail=cert_not_verified|peer=mx.example.com[192.0.2.25]:25" },
        { SMTP, "warning: mx.example.com[192.0.2.25]:25: all trust anchors unusable", 1, "fail=cert_not_verified" },
        { SMTP, "warning: DANE TLSA lookup problem: Host or domain name not found. Name service error for "
                "name=_25._tcp.mx.example.com type=TLSA: Host not found, try again", 1, "fail=dane_failed" },
        { SMTP, "warning: DNSSEC status lookup error for example.com: timeout", 1, "fail=dane_failed" },
        { SMTP, "warning: _25._tcp.mx.example.com -> mx.example.com unsupported TLSA certificate usage: 4 1 1 "
                "AB", 1, "fail=dane_failed" },
        { SMTP, "warning: mx.example.com[192.0.2.25]:25: unusable TLSA RR: bad length", 1,
          "fail=dane_failed|peer=mx.example.com[192.0.2.25]:25" },
        { SMTP, "warning: MX name 'mx3.example.com' does not match STS MX pattern for 'example.com'", 1,
          "type=tls_failure_detail|fail=sts_failed|peer=mx3.example.com" },
        /* kind 5: connect failures */
        { SMTP, "connect to mx.example.com[192.0.2.25]:25: Connection refused", 1,
          "type=connect_failure|peer=mx.example.com[192.0.2.25]:25|text=Connection refused" },
        { SMTP, "connect to mx.example.net[2001:db8::25]:25: Network is unreachable", 1,
          "peer=mx.example.net[2001:db8::25]:25|text=Network is unreachable" },
        { LMTP, "connect to mail.example.com[/var/run/lmtp]: No such file or directory", 1,
          "peer=mail.example.com[/var/run/lmtp]" },
        { SMTP, "connect to nowhere: Connection refused", -EBADMSG, NULL },
        { SMTP, "connect to mx.example.com[192.0.2.25]:25", -EBADMSG, NULL },
        /* other lines of the client and of other programs */
        { SMTP, "Host offered STARTTLS: [mx.example.com]", 0, NULL },
        { SMTP, "TLSRPT: status=failure, domain=example.com, receiving_mx=mx.example.com[192.0.2.25], "
                "failure_type=starttls_not_supported", 0, NULL },
        { SMTP, "setting up TLS connection to mx.example.com[192.0.2.25]:25", 0, NULL },
        { SMTP, "error: open database /etc/postfix/tls_policy.db: No such file or directory", 0, NULL },
        { SMTP, "fatal: config problem", 0, NULL },
        { SMTP, "panic: oops", 0, NULL },
        { SMTP, "", 0, NULL },
        { PROXY, "CONNECT to [127.0.0.1]:2626", 0, NULL },
        { PROXY, "TLS handshake failed for service=smtp peer=[127.0.0.1]:2626", 0, NULL },
        { PROXY, "DISCONNECT [127.0.0.1]:2626", 0, NULL },
        { PROXY, "warning: TLS library problem: error:0A000086", 0, NULL },
        { "postfix/smtpd", "warning: TLS library problem: error:0A000086", 0, NULL },
        { "postfix/error", Q "to=<a@b.example>, relay=none, delay=1, status=deferred (delivery temporarily "
                "suspended: TLS is required, but was not offered by host x[192.0.2.1])", 0, NULL },
};

static void test_failure_lines(void **state) {
        assert_int_equal(RUN(failure_rows), sizeof failure_rows / sizeof failure_rows[0]);
}

/* §2.3: every token of the tables, plus the tolerated snapshot syntax */
static void test_tls_field(void **state) {
        static const struct {
                const char *in;
                int want_rc;
                const char *want;       /* canonical text */
                int level_init, level_final, violated, undecided, rt_init, rt_final, rt_violated;
        } rows[] = {
                { "none", 1, "none", TLS_LEVEL_NONE, TLS_LEVEL_NONE, 0, 0, 0, 0, 0 },
                { "may", 1, "may", TLS_LEVEL_MAY, TLS_LEVEL_MAY, 0, 0, 0, 0, 0 },
                { "may:none", 1, "may:none", TLS_LEVEL_MAY, TLS_LEVEL_NONE, 0, 0, 0, 0, 0 },
                { "encrypt", 1, "encrypt", TLS_LEVEL_ENCRYPT, TLS_LEVEL_ENCRYPT, 0, 0, 0, 0, 0 },
                { "fingerprint", 1, "fingerprint", TLS_LEVEL_FINGERPRINT, TLS_LEVEL_FINGERPRINT, 0, 0, 0, 0, 0 },
                { "verify", 1, "verify", TLS_LEVEL_VERIFY, TLS_LEVEL_VERIFY, 0, 0, 0, 0, 0 },
                { "secure", 1, "secure", TLS_LEVEL_SECURE, TLS_LEVEL_SECURE, 0, 0, 0, 0, 0 },
                { "dane", 1, "dane", TLS_LEVEL_DANE, TLS_LEVEL_DANE, 0, 0, 0, 0, 0 },
                { "dane-only", 1, "dane-only", TLS_LEVEL_DANE_ONLY, TLS_LEVEL_DANE_ONLY, 0, 0, 0, 0, 0 },
                { "halfdane", 1, "halfdane", TLS_LEVEL_HALFDANE, TLS_LEVEL_HALFDANE, 0, 0, 0, 0, 0 },
                { "dane:encrypt", 1, "dane:encrypt", TLS_LEVEL_DANE, TLS_LEVEL_ENCRYPT, 0, 0, 0, 0, 0 },
                { "halfdane:encrypt", 1, "halfdane:encrypt", TLS_LEVEL_HALFDANE, TLS_LEVEL_ENCRYPT, 0, 0, 0, 0, 0 },
                { "dane:halfdane", 1, "dane:halfdane", TLS_LEVEL_DANE, TLS_LEVEL_HALFDANE, 0, 0, 0, 0, 0 },
                { "may:may", 1, "may", TLS_LEVEL_MAY, TLS_LEVEL_MAY, 0, 0, 0, 0, 0 },
                { "!encrypt", 1, "!encrypt", TLS_LEVEL_ENCRYPT, TLS_LEVEL_ENCRYPT, 1, 0, 0, 0, 0 },
                { "!fingerprint", 1, "!fingerprint", TLS_LEVEL_FINGERPRINT, TLS_LEVEL_FINGERPRINT, 1, 0, 0, 0, 0 },
                { "!verify", 1, "!verify", TLS_LEVEL_VERIFY, TLS_LEVEL_VERIFY, 1, 0, 0, 0, 0 },
                { "!secure", 1, "!secure", TLS_LEVEL_SECURE, TLS_LEVEL_SECURE, 1, 0, 0, 0, 0 },
                { "!dane-only", 1, "!dane-only", TLS_LEVEL_DANE_ONLY, TLS_LEVEL_DANE_ONLY, 1, 0, 0, 0, 0 },
                { "!halfdane", 1, "!halfdane", TLS_LEVEL_HALFDANE, TLS_LEVEL_HALFDANE, 1, 0, 0, 0, 0 },
                { "may?", 1, "may?", TLS_LEVEL_MAY, TLS_LEVEL_MAY, 0, 1, 0, 0, 0 },
                { "none?", 1, "none?", TLS_LEVEL_NONE, TLS_LEVEL_NONE, 0, 1, 0, 0, 0 },
                { "dane?", 1, "dane?", TLS_LEVEL_DANE, TLS_LEVEL_DANE, 0, 1, 0, 0, 0 },
                { "unknown?", 1, "unknown?", TLS_LEVEL_UNKNOWN, TLS_LEVEL_UNKNOWN, 0, 1, 0, 0, 0 },
                { "may/requiretls", 1, "may/requiretls", TLS_LEVEL_MAY, TLS_LEVEL_MAY, 0, 0,
                  REQUIRETLS_REQUIRETLS, REQUIRETLS_REQUIRETLS, 0 },
                { "may/requiretls:nocertmatch", 1, "may/requiretls:nocertmatch", TLS_LEVEL_MAY, TLS_LEVEL_MAY,
                  0, 0, REQUIRETLS_REQUIRETLS, REQUIRETLS_NOCERTMATCH, 0 },
                { "may/requiretls:none", 1, "may/requiretls:none", TLS_LEVEL_MAY, TLS_LEVEL_MAY, 0, 0,
                  REQUIRETLS_REQUIRETLS, REQUIRETLS_NONE, 0 },
                { "may?/!requiretls:nocertmatch", 1, "may?/!requiretls:nocertmatch", TLS_LEVEL_MAY,
                  TLS_LEVEL_MAY, 0, 1, REQUIRETLS_REQUIRETLS, REQUIRETLS_NOCERTMATCH, 1 },
                { "none?/!requiretls:nocertmatch", 1, "none?/!requiretls:nocertmatch", TLS_LEVEL_NONE,
                  TLS_LEVEL_NONE, 0, 1, REQUIRETLS_REQUIRETLS, REQUIRETLS_NOCERTMATCH, 1 },
                { "encrypt/!requiretls:nostarttls", 1, "encrypt/!requiretls:nostarttls", TLS_LEVEL_ENCRYPT,
                  TLS_LEVEL_ENCRYPT, 0, 0, REQUIRETLS_REQUIRETLS, REQUIRETLS_NOSTARTTLS, 1 },
                { "none/!requiretls:noencryption", 1, "none/!requiretls:noencryption", TLS_LEVEL_NONE,
                  TLS_LEVEL_NONE, 0, 0, REQUIRETLS_REQUIRETLS, REQUIRETLS_NOENCRYPTION, 1 },
                { "verify/!requiretls:none", 1, "verify/!requiretls:none", TLS_LEVEL_VERIFY, TLS_LEVEL_VERIFY,
                  0, 0, REQUIRETLS_REQUIRETLS, REQUIRETLS_NONE, 1 },
                { "may/requiretls?", 1, "may/requiretls?", TLS_LEVEL_MAY, TLS_LEVEL_MAY, 0, 0,
                  REQUIRETLS_REQUIRETLS, REQUIRETLS_REQUIRETLS, 0 },
                /* 2025 snapshots: parentheses around a feature */
                { "encrypt/(requiretls)", 1, "encrypt/requiretls", TLS_LEVEL_ENCRYPT, TLS_LEVEL_ENCRYPT, 0, 0,
                  REQUIRETLS_REQUIRETLS, REQUIRETLS_REQUIRETLS, 0 },
                { "(may)", 1, "may", TLS_LEVEL_MAY, TLS_LEVEL_MAY, 0, 0, 0, 0, 0 },
                { "!(encrypt)", 1, "!encrypt", TLS_LEVEL_ENCRYPT, TLS_LEVEL_ENCRYPT, 1, 0, 0, 0, 0 },
                { "(may:none)?", 1, "may:none?", TLS_LEVEL_MAY, TLS_LEVEL_NONE, 0, 1, 0, 0, 0 },
                /* malformed */
                { "", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "bogus", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "MAY", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "may/", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "/requiretls", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "requiretls", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "may/requiretls/none", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "may:unknown", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "may:", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "may/none", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "may/requiretls:bogus", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "may/requiretls:", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "!", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "?", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "(may", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "may)", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "may?x", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "may??", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "!!may", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "may ", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
                { "may:none:encrypt", -EBADMSG, NULL, 0, 0, 0, 0, 0, 0, 0 },
        };
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
                size_t len = strlen(rows[i].in);
                char *copy = malloc(len ? len : 1), buf[64];
                const char *why = NULL;
                TlsStatus st;
                int r;

                assert_non_null(copy);
                memcpy(copy, rows[i].in, len);
                memset(&st, 0x5a, sizeof st);
                r = parse_tls_field(span_make(copy, len), &st, &why);
                free(copy);
                if (r != rows[i].want_rc)
                        fail_msg("tls=%s: got rc %d (%s), want %d", rows[i].in, r, str_or(why), rows[i].want_rc);
                if (r < 0) {
                        if (!why)
                                fail_msg("tls=%s: no reason", rows[i].in);
                        continue;
                }
                tls_status_format(&st, buf, sizeof buf);
                if (strcmp(buf, rows[i].want) != 0)
                        fail_msg("tls=%s: got \"%s\", want \"%s\"", rows[i].in, buf, rows[i].want);
                if (!st.level.present || st.level.init != rows[i].level_init ||
                    st.level.final != rows[i].level_final || st.level.violated != rows[i].violated ||
                    st.level.undecided != rows[i].undecided)
                        fail_msg("tls=%s: level slot got %d:%d v%d u%d, want %d:%d v%d u%d", rows[i].in,
                                 st.level.init, st.level.final, st.level.violated, st.level.undecided,
                                 rows[i].level_init, rows[i].level_final, rows[i].violated, rows[i].undecided);
                if (st.requiretls.present != (rows[i].rt_init != 0) ||
                    (st.requiretls.present && (st.requiretls.init != rows[i].rt_init ||
                                               st.requiretls.final != rows[i].rt_final ||
                                               st.requiretls.violated != rows[i].rt_violated)))
                        fail_msg("tls=%s: requiretls slot got p%d %d:%d v%d, want %d:%d v%d", rows[i].in,
                                 st.requiretls.present, st.requiretls.init, st.requiretls.final,
                                 st.requiretls.violated, rows[i].rt_init, rows[i].rt_final, rows[i].rt_violated);
        }

        /* formatting: absent, small buffers */
        TlsStatus none = { 0 };
        char small[5] = "xxxx";
        tls_status_format(&none, small, sizeof small);
        assert_string_equal(small, "");
        TlsStatus st;
        assert_int_equal(parse_tls_field(span_make("may/requiretls:none", 19), &st, NULL), 1);
        tls_status_format(&st, small, sizeof small);
        assert_string_equal(small, "may/");
        tls_status_format(NULL, small, sizeof small);
        assert_string_equal(small, "");
}

static void test_failure_reason(void **state) {
        static const struct {
                const char *text;
                FailReason want;
        } rows[] = {
                { "TLS is required, but was not offered by host mx.example.com[192.0.2.25]",
                  FAIL_STARTTLS_NOT_OFFERED },
                { "TLS is required, but host mx[192.0.2.25] refused to start TLS: 454 4.7.0 TLS not available",
                  FAIL_STARTTLS_REFUSED },
                { "TLS is required, but our TLS engine is unavailable", FAIL_TLS_UNAVAILABLE },
                { "TLS is required, but unavailable", FAIL_TLS_UNAVAILABLE },
                { "Cannot start TLS: handshake failure", FAIL_HANDSHAKE },
                { "Server certificate not verified", FAIL_CERT_NOT_VERIFIED },
                { "Server certificate not trusted", FAIL_CERT_NOT_VERIFIED },
                { "client TLS configuration problem", FAIL_POLICY_LOOKUP },
                { "TLSA lookup error for mx.example.com:25", FAIL_DANE },
                { "non DNSSEC destination", FAIL_DANE },
                { "no TLSA records found", FAIL_DANE },
                { "TLSA records unusable", FAIL_DANE },
                { "Verification not possible, MX RRset is insecure", FAIL_DANE },
                { "Sender requested REQUIRETLS, but no server was found that supports REQUIRETLS. The last "
                  "attempted server was mx[192.0.2.1]", FAIL_REQUIRETLS },
                { "Sender requested REQUIRETLS, but host mx[192.0.2.1] refused to start TLS: 454 x",
                  FAIL_REQUIRETLS },
                { "Sender requested REQUIRETLS, but TLS service was not offered by host mx[192.0.2.1]",
                  FAIL_REQUIRETLS },
                { "Sender requested REQUIRETLS, but no matching server certificate was found. The last attempted "
                  "server was mx[192.0.2.1]", FAIL_REQUIRETLS },
                { "Sender requested REQUIRETLS, but my configured TLS security level 'may' disables encryption. "
                  "The last attempted server was mx[192.0.2.1]", FAIL_REQUIRETLS },
                { "REQUIRETLS policy configuration error. x", FAIL_REQUIRETLS },
                { "certificate verification failed for mx[192.0.2.1]:25: external policy failure (x)", FAIL_STS },
                { "MX name 'mx3.example.com' does not match STS MX pattern for 'example.com'", FAIL_STS },
                { "delivery temporarily suspended: Cannot start TLS: handshake failure", FAIL_HANDSHAKE },
                { "delivery temporarily suspended: host mx[192.0.2.1] said: Cannot start TLS", FAIL_NONE },
                { "host mx[192.0.2.1] said: 550 5.7.1 Server certificate not verified (in reply to RCPT TO "
                  "command)", FAIL_NONE },
                { "connect to mx[192.0.2.1]:25: Connection refused", FAIL_NONE },
                { "lost connection with mx[192.0.2.1] while receiving the STARTTLS response", FAIL_NONE },
                { "250 2.0.0 Ok: queued as T1", FAIL_NONE },
                { "", FAIL_NONE },
                { "TLS", FAIL_NONE },
        };
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
                size_t len = strlen(rows[i].text);
                char *copy = malloc(len ? len : 1);
                FailReason got;

                assert_non_null(copy);
                memcpy(copy, rows[i].text, len);
                got = parse_failure_reason(span_make(copy, len));
                free(copy);
                if (got != rows[i].want)
                        fail_msg("\"%s\": got %s, want %s", rows[i].text, str_or(fail_reason_to_string(got)),
                                 str_or(fail_reason_to_string(rows[i].want)));
        }
        assert_int_equal(parse_failure_reason(SPAN_NULL), FAIL_NONE);
}

static void test_identifier_program(void **state) {
        static const struct {
                const char *ident;
                ProgramKind want;
        } rows[] = {
                { "postfix/smtp", PROGRAM_SMTP },
                { "postfix/lmtp", PROGRAM_SMTP },
                { "postfix-out/smtp", PROGRAM_SMTP },
                { "postfix/relay/smtp", PROGRAM_SMTP },
                { "postfix-out/relay/smtp", PROGRAM_SMTP },
                { "pf311/smtp", PROGRAM_SMTP },
                { "smtp", PROGRAM_SMTP },
                { "postfix/tlsproxy", PROGRAM_TLSPROXY },
                { "postfix-out/tlsproxy", PROGRAM_TLSPROXY },
                { "postfix/smtpd", PROGRAM_OTHER },
                { "postfix/submission/smtpd", PROGRAM_OTHER },
                { "postfix/qmgr", PROGRAM_OTHER },
                { "postfix/smtp/", PROGRAM_OTHER },
                { "postfix/SMTP", PROGRAM_OTHER },
                { "postfix/xsmtp", PROGRAM_OTHER },
                { "smtp/postfix", PROGRAM_OTHER },
                { "", PROGRAM_OTHER },
                { NULL, PROGRAM_OTHER },
        };
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
                ProgramKind got = identifier_program(rows[i].ident);

                if (got != rows[i].want)
                        fail_msg("\"%s\": got %s, want %s", str_or(rows[i].ident),
                                 str_or(program_kind_to_string(got)), str_or(program_kind_to_string(rows[i].want)));
        }
        /* an over-long identifier is not the client */
        char long_ident[PF_IDENTIFIER_MAX + 10];
        memset(long_ident, 'x', sizeof long_ident);
        memcpy(long_ident + sizeof long_ident - 6, "/smtp", 6);
        assert_int_equal(identifier_program(long_ident), PROGRAM_OTHER);
}

static void test_enum_strings(void **state) {
        static const char *const fail_names[] = {
                "", "starttls_not_offered", "starttls_refused", "tls_unavailable", "handshake_failed",
                "cert_not_verified", "policy_lookup_failed", "dane_failed", "requiretls_failed", "sts_failed",
                "policy_violated",
        };
        static const char *const trust_names[] = { "", "Anonymous", "Untrusted", "Trusted", "Verified" };
        static const char *const level_names[] = {
                "", "none", "may", "encrypt", "fingerprint", "halfdane", "dane", "dane-only", "verify", "secure",
                "unknown",
        };

        assert_int_equal(sizeof fail_names / sizeof fail_names[0], _FAIL_REASON_MAX);
        for (int i = 0; i < _FAIL_REASON_MAX; i++) {
                assert_string_equal(fail_reason_to_string(i), fail_names[i]);
                assert_int_equal(fail_reason_from_string(fail_names[i]), i);
        }
        assert_int_equal(sizeof trust_names / sizeof trust_names[0], _TRUST_MAX);
        for (int i = 0; i < _TRUST_MAX; i++) {
                assert_string_equal(trust_to_string(i), trust_names[i]);
                assert_int_equal(trust_from_string(trust_names[i]), i);
        }
        assert_int_equal(sizeof level_names / sizeof level_names[0], _TLS_LEVEL_MAX);
        for (int i = 0; i < _TLS_LEVEL_MAX; i++) {
                assert_string_equal(tls_level_to_string(i), level_names[i]);
                assert_int_equal(tls_level_from_span(span_make(level_names[i], strlen(level_names[i]))), i);
        }
        for (int i = 0; i < _REQUIRETLS_MAX; i++) {
                const char *s = requiretls_to_string(i);

                assert_non_null(s);
                assert_int_equal(requiretls_from_span(span_make(s, strlen(s))), i);
        }
        for (int i = 0; i < _DELIVERY_STATUS_MAX; i++) {
                const char *s = delivery_status_to_string(i);

                assert_non_null(s);
                assert_int_equal(delivery_status_from_span(span_make(s, strlen(s))), i);
        }
        for (int i = 0; i < _EVENT_TYPE_MAX; i++)
                assert_non_null(event_type_to_string(i));
        for (int i = 0; i < _PROGRAM_KIND_MAX; i++)
                assert_non_null(program_kind_to_string(i));

        assert_string_equal(delivery_status_to_string(STATUS_SOFTBOUNCE), "SOFTBOUNCE");
        assert_int_equal(delivery_status_from_span(span_make("undeliverable-but-not-cached", 28)),
                         STATUS_UNDELIVERABLE);
        assert_int_equal(delivery_status_from_span(span_make("Sent", 4)), _DELIVERY_STATUS_INVALID);
        assert_int_equal(trust_from_string("verified"), _TRUST_INVALID);
        assert_int_equal(trust_from_string(NULL), _TRUST_INVALID);
        assert_int_equal(fail_reason_from_string("bogus"), _FAIL_REASON_INVALID);
        assert_int_equal(tls_level_from_span(span_make("dane-onl", 8)), _TLS_LEVEL_INVALID);
        assert_null(fail_reason_to_string(_FAIL_REASON_MAX));
        assert_null(fail_reason_to_string(_FAIL_REASON_INVALID));
        assert_null(trust_to_string(_TRUST_MAX));
        assert_null(tls_level_to_string(-1));
        assert_null(delivery_status_to_string(_DELIVERY_STATUS_MAX));
        assert_null(event_type_to_string(_EVENT_TYPE_MAX));
}

static void test_peer(void **state) {
        static const struct {
                const char *in;
                int want_rc;
                const char *want;
        } rows[] = {
                { "mx.example.com[192.0.2.25]:25", 0, "mx.example.com[192.0.2.25]:25" },
                { "mx[2001:db8::25]:25", 0, "mx[2001:db8::25]:25" },
                { "mx.example.com[192.0.2.25]", 0, "mx.example.com[192.0.2.25]" },
                { "mail[private/dovecot-lmtp]", 0, "mail[private/dovecot-lmtp]" },
                { "mx[192.0.2.1]:65535", 0, "mx[192.0.2.1]:65535" },
                { "mx[192.0.2.1]:65536", -EBADMSG, NULL },
                { "mx[192.0.2.1]:0", -EBADMSG, NULL },
                { "mx[192.0.2.1]:", -EBADMSG, NULL },
                { "mx[192.0.2.1]:25x", -EBADMSG, NULL },
                { "mx[192.0.2.1]x", -EBADMSG, NULL },
                { "[192.0.2.1]:25", -EBADMSG, NULL },
                { "mx[]:25", -EBADMSG, NULL },
                { "mx[192.0.2.1:25", -EBADMSG, NULL },
                { "mx[a[b]:25", -EBADMSG, NULL },
                { "m x[192.0.2.1]:25", -EBADMSG, NULL },
                { "mx", -EBADMSG, NULL },
                { "", -EBADMSG, NULL },
        };
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
                size_t len = strlen(rows[i].in);
                char *copy = malloc(len ? len : 1), got[300];
                Peer p;
                int r;

                assert_non_null(copy);
                memcpy(copy, rows[i].in, len);
                r = parse_peer(span_make(copy, len), &p);
                if (r != rows[i].want_rc)
                        fail_msg("peer \"%s\": got rc %d, want %d", rows[i].in, r, rows[i].want_rc);
                if (r == 0) {
                        put_peer(got, sizeof got, &p);
                        if (strcmp(got, rows[i].want) != 0)
                                fail_msg("peer \"%s\": got \"%s\", want \"%s\"", rows[i].in, got, rows[i].want);
                }
                free(copy);
        }
        /* a 300-character host is not a peer */
        char big[320];
        memset(big, 'h', 300);
        memcpy(big + 300, "[192.0.2.1]:25", 15);
        assert_int_equal(parse_peer(span_make(big, strlen(big)), NULL), -EBADMSG);
}

/* Cut a line at every length: the rc follows the field boundaries, nothing crashes. */
static void test_truncation(void **state) {
        static const char tls[] = "Untrusted TLS connection established to 127.0.0.1[127.0.0.1]:2626: TLSv1.3 "
                "with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange x25519 server-signature RSA-PSS "
                "(2048 bits) server-digest SHA256";
        static const char dl[] = "67989A74692: to=<a@remote.example>, orig_to=<o@remote.example>, "
                "relay=127.0.0.1[127.0.0.1]:2626, conn_use=3, delay=0.18, delays=0.01/0.02/0.11/0.05, "
                "tls=may/requiretls:none, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as T1)";
        size_t tls_start = strlen("Untrusted TLS connection ");
        size_t tls_bits = strstr(tls, "bits)") - tls + strlen("bits)");
        size_t dl_start = strlen("67989A74692: to=<");
        size_t dl_reason = strstr(dl, "status=sent (") - dl + strlen("status=sent (");
        Event ev;
        const char *why;
        int r;

        for (size_t n = 0; n <= strlen(tls); n++) {
                why = NULL;
                r = parse_exact(SMTP, tls, n, &ev, &why);
                if (n < tls_start && r != 0)
                        fail_msg("TLS line cut at %zu: got rc %d (%s), want 0", n, r, str_or(why));
                if (n >= tls_start && n < tls_bits && r != -EBADMSG)
                        fail_msg("TLS line cut at %zu: got rc %d, want -EBADMSG", n, r);
                if (n >= tls_bits && r != 1 && r != -EBADMSG)
                        fail_msg("TLS line cut at %zu: got rc %d, want 1 or -EBADMSG", n, r);
                if (r < 0 && !why)
                        fail_msg("TLS line cut at %zu: no reason", n);
        }
        /* every word boundary in the suffixes is a valid shorter line or a named error */
        assert_int_equal(parse_exact(SMTP, tls, tls_bits + strlen(" key-exchange"), &ev, &why), -EBADMSG);
        assert_int_equal(parse_exact(SMTP, tls, tls_bits + strlen(" key-exchange x25519"), &ev, &why), 1);
        assert_int_equal(parse_exact(SMTP, tls, strlen(tls) - strlen(" SHA256"), &ev, &why), -EBADMSG);
        assert_int_equal(parse_exact(SMTP, tls, strlen(tls) - strlen(" server-digest SHA256"), &ev, &why), 1);
        assert_int_equal(ev.tls.server_digest.n, 0);
        assert_int_equal(parse_exact(SMTP, tls, strlen(tls) - strlen("bits) server-digest SHA256"), &ev, &why),
                         -EBADMSG);

        for (size_t n = 0; n <= strlen(dl); n++) {
                why = NULL;
                r = parse_exact(SMTP, dl, n, &ev, &why);
                if (n < dl_start && r != 0)
                        fail_msg("delivery cut at %zu: got rc %d (%s), want 0", n, r, str_or(why));
                if (n >= dl_start && n < dl_reason && r != -EBADMSG)
                        fail_msg("delivery cut at %zu: got rc %d, want -EBADMSG", n, r);
                if (n >= dl_reason) {
                        if (r != 1 || ev.type != EVENT_DELIVERY)
                                fail_msg("delivery cut at %zu: got rc %d (%s), want 1", n, r, str_or(why));
                        if (ev.delivery.reason_truncated != (n < strlen(dl)))
                                fail_msg("delivery cut at %zu: got truncated=%d", n, ev.delivery.reason_truncated);
                        if (ev.delivery.conn_use != 3 ||
                            ev.delivery.reason.p + ev.delivery.reason.n > last_copy + n)
                                fail_msg("delivery cut at %zu: bad fields", n);
                }
                if (r < 0 && !why)
                        fail_msg("delivery cut at %zu: no reason", n);
        }
}

/* fill_message - malloc'd prefix + fill bytes, len bytes in all, not NUL-terminated */
static char *fill_message(const char *prefix, char fill, size_t len) {
        size_t pl = strlen(prefix);
        char *m = malloc(len);

        assert_non_null(m);
        assert_true(pl <= len);
        memset(m, fill, len);
        memcpy(m, prefix, pl);
        return m;
}

static void test_hostile(void **state) {
        static const char good[] = "67989A74692: to=<a@remote.example>, relay=x[192.0.2.1]:25, delay=0, "
                "delays=0/0/0/0, tls=may, dsn=2.0.0, status=sent (";
        const char *why = NULL;
        size_t len;
        char *big;
        Event ev;

        /* a delivery line of exactly 64 KiB is accepted, one byte more is not */
        big = malloc(PF_MESSAGE_MAX + 1);
        assert_non_null(big);
        memcpy(big, good, strlen(good));
        memset(big + strlen(good), 'r', PF_MESSAGE_MAX + 1 - strlen(good));
        big[PF_MESSAGE_MAX - 1] = ')';
        assert_int_equal(parse_exact(SMTP, big, PF_MESSAGE_MAX, &ev, &why), 1);
        assert_int_equal(ev.delivery.reason.n, PF_MESSAGE_MAX - 1 - strlen(good));
        assert_false(ev.delivery.reason_truncated);
        why = NULL;
        assert_int_equal(parse_exact(SMTP, big, PF_MESSAGE_MAX + 1, &ev, &why), -EBADMSG);
        assert_non_null(why);
        assert_int_equal(ev.type, EVENT_IGNORED);
        /* over-long lines of every other program are rejected too */
        assert_int_equal(parse_exact("postfix/qmgr", big, PF_MESSAGE_MAX + 1, &ev, &why), -EBADMSG);
        free(big);
        /* huge texts: classified without reading past the end */
        static const struct {
                const char *prefix;
                char fill;
        } huge[] = { { "62626A74485: ", 'T' }, { "", '[' }, { "", 'a' }, { "warning: ", 'D' },
                     { "connect to x[", '1' } };
        for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
                char *h = fill_message(huge[i].prefix, huge[i].fill, PF_MESSAGE_MAX);
                int r = parse_exact(SMTP, h, PF_MESSAGE_MAX, &ev, &why);

                if (r != 0 && r != -EBADMSG)
                        fail_msg("huge \"%s%c...\": got rc %d", huge[i].prefix, huge[i].fill, r);
                free(h);
        }

        /* NUL bytes inside the span */
        static const char nul_rcpt[] = "67989A74692: to=<a\0b@x.example>, relay=x[192.0.2.1]:25, delay=0, "
                "status=sent (ok\0k)";
        assert_int_equal(parse_exact(SMTP, nul_rcpt, sizeof nul_rcpt - 1, &ev, &why), 1);
        assert_int_equal(ev.delivery.to.n, 13);
        assert_int_equal(ev.delivery.reason.n, 4);
        static const char nul_status[] = "67989A74692: to=<a@x.example>, relay=x[192.0.2.1]:25, delay=0, "
                "status=se\0t (ok)";
        assert_int_equal(parse_exact(SMTP, nul_status, sizeof nul_status - 1, &ev, &why), -EBADMSG);
        static const char nul_tls[] = "Verified TLS connection established to x[192.0.2.1]:25: TLSv1.3 with "
                "cipher A\0B (256/256 bits)";
        assert_int_equal(parse_exact(SMTP, nul_tls, sizeof nul_tls - 1, &ev, &why), 1);
        assert_int_equal(ev.tls.cipher.n, 3);
        static const char nul_port[] = "connect to x[192.0.2.1]:2\05: refused";
        assert_int_equal(parse_exact(SMTP, nul_port, sizeof nul_port - 1, &ev, &why), -EBADMSG);
        static const char nul_only[] = "\0\0\0\0\0\0\0\0";
        assert_int_equal(parse_exact(SMTP, nul_only, sizeof nul_only - 1, &ev, &why), 0);

        /* a non-NUL-terminated message whose last byte ends a field */
        static const char *const cut[] = { "62626A74485:", "62626A74485: ", "connect to ", "warning: ",
                                           "Verified ", "Verified TLS connection established to x[",
                                           "x[192.0.2.1]:", "warning: TLS policy lookup for ",
                                           "SSL_connect error to ", "certificate verification failed for " };
        for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
                int r = parse_exact(SMTP, cut[i], strlen(cut[i]), &ev, &why);

                if (r != 0 && r != -EBADMSG)
                        fail_msg("\"%s\": got rc %d", cut[i], r);
        }

        /* deterministic junk: random bytes after every known prefix */
        static const char *const prefixes[] = {
                "", "warning: ", "Verified TLS connection established to ", "TLS connection established to ",
                "67989A74692: to=<", "67989A74692: ", "connect to ", "SSL_connect error to ",
                "server certificate verification failed for ", "warning: TLS policy lookup for ",
                "warning: smtp_tls_policy_maps, next-hop destination \"", "warning: MX name '",
                "67989A74692: to=<a@b>, relay=x[192.0.2.1]:25, delay=0, tls=",
                "67989A74692: to=<a@b>, relay=x[", "x[192.0.2.1]:25: ",
        };
        static const char alphabet[] = "[]:/<>,= ()!?.-0123456789aAzZ\0\xff\x80";
        uint32_t seed = 12345;
        char buf[256];
        unsigned ok = 0;

        for (unsigned iter = 0; iter < 20000; iter++) {
                const char *pre = prefixes[iter % (sizeof prefixes / sizeof prefixes[0])];
                size_t pl = strlen(pre), extra;
                char *copy;
                int r;

                seed = seed * 1103515245u + 12345u;
                extra = (seed >> 16) % (sizeof buf - pl);
                memcpy(buf, pre, pl);
                for (size_t k = 0; k < extra; k++) {
                        seed = seed * 1103515245u + 12345u;
                        buf[pl + k] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
                }
                len = pl + extra;
                copy = malloc(len ? len : 1);
                assert_non_null(copy);
                memcpy(copy, buf, len);
                why = NULL;
                r = parse_exact(SMTP, copy, len, &ev, &why);
                if (r < 0 && (r != -EBADMSG || !why))
                        fail_msg("junk %u: got rc %d", iter, r);
                if (r > 0)
                        ok++;
                free(copy);
        }
        (void) ok;

        /* argument checks */
        assert_int_equal(parse_record(NULL, &ev, NULL), -EINVAL);
        PfRecord rec = { .identifier = SMTP, .message = NULL, .message_len = 5 };
        assert_int_equal(parse_record(&rec, &ev, NULL), -EBADMSG);
        rec.message_len = 0;
        assert_int_equal(parse_record(&rec, &ev, NULL), 0);
}

/* §6: the observed sequences with their identifiers */
static void test_sequences(void **state) {
        static const Row rows[] = {
                { PROXY, "CONNECT to [127.0.0.1]:2626", 0, NULL },
                { PROXY, "Untrusted TLS connection established to 127.0.0.1[127.0.0.1]:2626" S13
                         " key-exchange x25519 server-signature RSA-PSS (2048 bits) server-digest SHA256", 0, NULL },
                { SMTP, "Untrusted TLS connection established to 127.0.0.1[127.0.0.1]:2626" S13
                        " key-exchange x25519 server-signature RSA-PSS (2048 bits) server-digest SHA256", 1,
                  "type=tls_established|peer=127.0.0.1[127.0.0.1]:2626" },
                { SMTP, "62626A74485: to=<g@remote.example>, relay=127.0.0.1[127.0.0.1]:2626, delay=0.17, "
                        "delays=0.01/0.01/0.1/0.04, tls=may, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as T12)",
                  1, "type=delivery|tls=may|conn_use=0|peer=127.0.0.1[127.0.0.1]:2626" },
                { SMTP, "Untrusted TLS connection reused to 127.0.0.1[127.0.0.1]:2626" S13
                        " key-exchange x25519 server-signature RSA-PSS (2048 bits) server-digest SHA256", 1,
                  "type=tls_reused|trust=Untrusted" },
                { SMTP, "64952A74487: to=<h@remote.example>, relay=127.0.0.1[127.0.0.1]:2626, conn_use=2, "
                        "delay=0.06, delays=0/0.01/0/0.04, tls=may?, dsn=2.0.0, status=sent (250 2.0.0 Ok: "
                        "queued as T13)", 1, "type=delivery|tls=may?|conn_use=2" },
                /* reuse: the TLS line names the handshake host, relay= the current one */
                { SMTP, "Untrusted TLS connection reused to 127.0.0.1[127.0.0.1]:2626" S13, 1,
                  "peer=127.0.0.1[127.0.0.1]:2626" },
                { SMTP, "98CE0A74683: to=<i@remote.example>, relay=localhost[127.0.0.1]:2626, conn_use=3, "
                        "delay=0.05, delays=0/0/0/0.05, tls=may?, dsn=2.0.0, status=sent (250 2.0.0 Ok)", 1,
                  "peer=localhost[127.0.0.1]:2626|conn_use=3" },
                { SMTP, "6A53AA7448B: to=<j@plain.example>, relay=127.0.0.1[127.0.0.1]:2627, delay=0.1, "
                        "delays=0/0.01/0.04/0.04, tls=none, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as T15)",
                  1, "tls=none" },
                { SMTP, "6D0B0A7448D: to=<k@plain.example>, relay=127.0.0.1[127.0.0.1]:2627, conn_use=2, "
                        "delay=0.05, delays=0/0.01/0/0.04, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as T16)",
                  1, "has_tls=0|conn_use=2" },
                /* policy lookup failure: two warnings, then the deferral */
                { SMTP, "warning: TLS policy lookup error for [localhost]:2630/localhost: client TLS "
                        "configuration problem", 1, "type=policy_warning" },
                { SMTP, "warning: TLS policy lookup for [localhost]:2630/localhost: client TLS configuration "
                        "problem", 1, "type=policy_warning" },
                { SMTP, "7A1B2A74490: to=<n@bad.example>, relay=none, delay=0.01, delays=0/0/0/0, tls=unknown?, "
                        "dsn=4.7.5, status=deferred (client TLS configuration problem)", 1,
                  "fail=policy_lookup_failed|relay_none=1" },
                /* handshake failure in-process */
                { SMTP, "SSL_connect error to 127.0.0.1[127.0.0.1]:2628: -1", 1, "type=tls_failure_detail" },
                { SMTP, "warning: TLS library problem: error:0A00010B:SSL routines::wrong version number:"
                        "../ssl/record/ssl3_record.c:354:", 1, "fail=handshake_failed" },
                { SMTP, "7C3D4A74492: to=<o@broken.example>, relay=127.0.0.1[127.0.0.1]:2628, delay=0.03, "
                        "delays=0/0/0.03/0, tls=may?, dsn=4.7.5, status=deferred (Cannot start TLS: handshake "
                        "failure)", 1, "fail=handshake_failed" },
        };
        assert_int_equal(RUN(rows), sizeof rows / sizeof rows[0]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tls_lines),
                cmocka_unit_test(test_delivery_lines),
                cmocka_unit_test(test_failure_lines),
                cmocka_unit_test(test_tls_field),
                cmocka_unit_test(test_failure_reason),
                cmocka_unit_test(test_identifier_program),
                cmocka_unit_test(test_enum_strings),
                cmocka_unit_test(test_peer),
                cmocka_unit_test(test_truncation),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_sequences),
        };
        return cmocka_run_group_tests(tests, NULL, teardown);
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-correlate - correlation of real Postfix lines into outcomes
 * DESCRIPTION
 *        Every scenario feeds MESSAGE texts through parse_record() and then
 *        correlate_feed(), as the collector does, and checks the outcomes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cleanup.h"
#include "correlate.h"
#include "parse.h"

#define ELEMENTS(x) (sizeof(x) / sizeof((x)[0]))
#define T0 (1773100800ULL * 1000000ULL)        /* 2026-03-10 00:00:00 UTC */
#define SEC 1000000ULL

typedef struct Line {
        uint64_t sec;                   /* seconds after T0 */
        const char *host;               /* NULL = "mail1" */
        const char *ident;              /* NULL = "postfix/smtp" */
        uint32_t pid;
        const char *msg;
        const char *boot;               /* NULL = "b0" */
} Line;

typedef struct Got {
        uint64_t usec;
        char host[256], domain[256], mx[256], protocol[32], cipher[128], level[64];
        Trust trust;
        OutcomeKind kind;
        FailReason reason;
} Got;

typedef struct Sink {
        Got v[256];
        size_t n;
} Sink;

static void sink_fn(const Outcome *o, void *userdata) {
        Sink *s = userdata;
        Got *g;

        assert_true(s->n < ELEMENTS(s->v));
        g = &s->v[s->n++];
        memset(g, 0, sizeof(*g));
        g->usec = o->realtime_usec;
        snprintf(g->host, sizeof(g->host), "%s", o->hostname);
        snprintf(g->domain, sizeof(g->domain), "%s", o->domain);
        snprintf(g->mx, sizeof(g->mx), "%s", o->mx);
        snprintf(g->protocol, sizeof(g->protocol), "%s", o->protocol);
        snprintf(g->cipher, sizeof(g->cipher), "%s", o->cipher);
        snprintf(g->level, sizeof(g->level), "%s", o->level);
        g->trust = o->trust;
        g->kind = o->kind;
        g->reason = o->reason;
}

static PfRecord line_record(const Line *l) {
        return (PfRecord) {
                .realtime_usec = T0 + l->sec * SEC,
                .boot_id = l->boot ? l->boot : "b0",
                .hostname = l->host ? l->host : "mail1",
                .identifier = l->ident ? l->ident : "postfix/smtp",
                .pid = l->pid,
                .message = l->msg,
                .message_len = strlen(l->msg),
        };
}

/* feed - parse one line like the collector does and hand the event over */
static int feed(Correlator *c, const Line *l) {
        PfRecord rec = line_record(l);
        const char *why = NULL;
        Event ev;
        int r;

        r = parse_record(&rec, &ev, &why);
        if (r < 0)
                fail_msg("parse_record(\"%s\") = %d (%s)", l->msg, r, why ? why : "?");
        /* every smtp client line of these scenarios means something */
        if (r == 0 && identifier_program(rec.identifier) == PROGRAM_SMTP)
                fail_msg("parse_record(\"%s\") ignored the line", l->msg);
        return correlate_feed(c, &rec, &ev);
}

static void feed_all(Correlator *c, const Line *lines, size_t n) {
        for (size_t i = 0; i < n; i++)
                assert_true(feed(c, &lines[i]) >= 0);
}

static Correlator *new_correlator(Sink *s, uint64_t idle_sec, size_t max, const char *const *internal) {
        CorrelateLimits lim = {
                .idle_usec = idle_sec * SEC,
                .max_sessions = max,
                .internal_relays = internal,
        };
        Correlator *c;

        memset(s, 0, sizeof(*s));
        c = correlator_new(&lim, sink_fn, s);
        assert_non_null(c);
        return c;
}

static void expect(const Sink *s, size_t i, OutcomeKind kind, const char *domain, const char *mx,
                   Trust trust, const char *protocol, FailReason reason, const char *level) {
        const Got *g;

        if (i >= s->n)
                fail_msg("outcome %zu: got only %zu outcomes", i, s->n);
        g = &s->v[i];
        if (g->kind != kind || strcmp(g->domain, domain) != 0 || strcmp(g->mx, mx) != 0 ||
            g->trust != trust || strcmp(g->protocol, protocol) != 0 || g->reason != reason ||
            strcmp(g->level, level) != 0)
                fail_msg("outcome %zu: got {%s, %s, %s, %s, %s, %s, \"%s\"}, want {%s, %s, %s, %s, %s, %s, \"%s\"}",
                         i, outcome_kind_to_string(g->kind), g->domain, g->mx, trust_to_string(g->trust),
                         g->protocol, fail_reason_to_string(g->reason), g->level,
                         outcome_kind_to_string(kind), domain, mx, trust_to_string(trust), protocol,
                         fail_reason_to_string(reason), level);
}

#define TLS13 ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange x25519 " \
        "server-signature RSA-PSS (2048 bits) server-digest SHA256"
#define TLS12 ": TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)"
#define CIPHER13 "TLS_AES_256_GCM_SHA384"
#define D ", delay=0.17, delays=0.01/0.01/0.1/0.04"
#define SENT ", dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as T1)"

static void test_reuse_off(void **state) {
        static const Line lines[] = {
                { 1, .pid = 100, .msg = "Verified TLS connection established to mx1.remote.example[192.0.2.10]:25" TLS13 },
                { 2, .pid = 100, .msg = "11111A1: to=<a@Remote.Example>, relay=MX1.remote.example[192.0.2.10]:25" D SENT },
                { 3, .pid = 100, .msg = "22222B2: to=<b@remote.example>, relay=mx1.remote.example[192.0.2.10]:25, conn_use=2" D SENT },
                { 4, .pid = 100, .msg = "33333C3: to=<c@remote.example>, relay=mx1.remote.example[192.0.2.10]:25, conn_use=3" D SENT },
        };
        CorrelateStats st;
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        feed_all(c, lines, ELEMENTS(lines));
        assert_int_equal(s.n, 3);
        expect(&s, 0, OUTCOME_TLS, "remote.example", "mx1.remote.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "");
        assert_string_equal(s.v[0].cipher, CIPHER13);
        assert_string_equal(s.v[0].host, "mail1");
        assert_int_equal(s.v[0].usec, T0 + 2 * SEC);
        expect(&s, 1, OUTCOME_PLAINTEXT, "remote.example", "mx1.remote.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        expect(&s, 2, OUTCOME_PLAINTEXT, "remote.example", "mx1.remote.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        assert_string_equal(s.v[1].cipher, "");
        correlator_stats(c, &st);
        assert_int_equal(st.deliveries, 3);
        assert_int_equal(st.tls_lines, 1);
        assert_int_equal(st.tls_fields, 0);
        assert_int_equal(st.outcomes[OUTCOME_TLS], 1);
        assert_int_equal(st.outcomes[OUTCOME_PLAINTEXT], 2);
        assert_int_equal(correlator_sessions(c), 0);
        correlator_free(c);
}

/* postfix-log-formats.md §6 with public addresses: tlsproxy copies never count */
static void test_tlsproxy_reuse_on(void **state) {
        static const Line lines[] = {
                { 1, .ident = "postfix/tlsproxy", .pid = 22306, .msg = "CONNECT to [192.0.2.26]:25" },
                { 1, .ident = "postfix/tlsproxy", .pid = 22306, .msg = "Untrusted TLS connection established to mx.remote.example[192.0.2.26]:25" TLS13 },
                { 1, .pid = 22302, .msg = "Untrusted TLS connection established to mx.remote.example[192.0.2.26]:25" TLS13 },
                { 2, .pid = 22302, .msg = "62626A74485: to=<g@remote.example>, relay=mx.remote.example[192.0.2.26]:25" D ", tls=may" SENT },
                { 3, .pid = 22311, .msg = "Untrusted TLS connection reused to 192.0.2.26[192.0.2.26]:25" TLS13 },
                { 3, .pid = 22311, .msg = "64952A74487: to=<h@remote.example>, relay=mx.remote.example[192.0.2.26]:25, conn_use=2" D ", tls=may?" SENT },
                { 4, .pid = 22321, .msg = "6A53AA7448B: to=<j@plain.example>, relay=mx.plain.example[192.0.2.27]:25" D ", tls=none" SENT },
                { 5, .pid = 22328, .msg = "6D0B0A7448D: to=<k@plain.example>, relay=mx.plain.example[192.0.2.27]:25, conn_use=2" D SENT },
                /* a tlsproxy line with the same pid as a later smtp delivery */
                { 6, .ident = "postfix/tlsproxy", .pid = 22330, .msg = "Verified TLS connection established to mx.plain.example[192.0.2.27]:25" TLS13 },
                { 6, .pid = 22330, .msg = "6D0B0A7448E: to=<l@plain.example>, relay=mx.plain.example[192.0.2.27]:25, conn_use=3" D SENT },
        };
        CorrelateStats st;
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        feed_all(c, lines, ELEMENTS(lines));
        assert_int_equal(s.n, 5);
        expect(&s, 0, OUTCOME_TLS, "remote.example", "mx.remote.example", TRUST_UNTRUSTED, "TLSv1.3", FAIL_NONE, "may");
        expect(&s, 1, OUTCOME_TLS, "remote.example", "mx.remote.example", TRUST_UNTRUSTED, "TLSv1.3", FAIL_NONE, "may?");
        expect(&s, 2, OUTCOME_PLAINTEXT, "plain.example", "mx.plain.example", TRUST_UNKNOWN, "", FAIL_NONE, "none");
        expect(&s, 3, OUTCOME_PLAINTEXT, "plain.example", "mx.plain.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        expect(&s, 4, OUTCOME_PLAINTEXT, "plain.example", "mx.plain.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        correlator_stats(c, &st);
        assert_int_equal(st.tls_lines, 2);
        assert_int_equal(st.tls_fields, 3);
        assert_int_equal(st.deliveries, 5);
        correlator_free(c);
}

/* even an event built by hand for a tlsproxy record is not counted */
static void test_tlsproxy_event_ignored(void **state) {
        static const char *msg = "Verified TLS connection established to mx.x.example[192.0.2.1]:25" TLS13;
        PfRecord rec = { .realtime_usec = T0, .boot_id = "b", .hostname = "h", .identifier = "postfix-out/tlsproxy",
                         .pid = 7, .message = msg, .message_len = strlen(msg) };
        static const Line del = { 2, .host = "h", .boot = "b", .pid = 7,
                .msg = "AAAAA1: to=<a@x.example>, relay=mx.x.example[192.0.2.1]:25" D SENT };
        CorrelateStats st;
        Event ev = { .type = EVENT_TLS_ESTABLISHED };
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        assert_int_equal(parse_tls_line(span_make(msg, strlen(msg)), &ev.tls, &(const char *) { NULL }), 1);
        assert_int_equal(correlate_feed(c, &rec, &ev), 0);
        assert_int_equal(correlator_sessions(c), 0);
        assert_int_equal(feed(c, &del), 1);
        expect(&s, 0, OUTCOME_PLAINTEXT, "x.example", "mx.x.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        correlator_stats(c, &st);
        assert_int_equal(st.tls_lines, 0);
        correlator_free(c);
}

static void test_multi_recipient(void **state) {
        static const Line lines[] = {
                { 1, .pid = 200, .msg = "Trusted TLS connection established to mx.multi.example[198.51.100.7]:25" TLS12 },
                { 2, .pid = 200, .msg = "4c8vgk2lXhzNcrX: to=<a@multi.example>, relay=mx.multi.example[198.51.100.7]:25" D SENT },
                { 2, .pid = 200, .msg = "4c8vgk2lXhzNcrX: to=<b@multi.example>, orig_to=<alias@multi.example>, relay=mx.multi.example[198.51.100.7]:25" D SENT },
                { 2, .pid = 200, .msg = "4c8vgk2lXhzNcrX: to=<c@multi.example>, relay=mx.multi.example[198.51.100.7]:25, delay=0.2, delays=0/0/0.1/0.1, dsn=5.1.1, status=bounced (host mx.multi.example[198.51.100.7] said: 550 5.1.1 unknown user (in reply to RCPT TO command))" },
                { 3, .pid = 200, .msg = "4c8vgk2lXhzNcrY: to=<d@multi.example>, relay=mx.multi.example[198.51.100.7]:25, conn_use=2" D SENT },
        };
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        feed_all(c, lines, ELEMENTS(lines));
        assert_int_equal(s.n, 4);
        expect(&s, 0, OUTCOME_TLS, "multi.example", "mx.multi.example", TRUST_TRUSTED, "TLSv1.2", FAIL_NONE, "");
        expect(&s, 1, OUTCOME_TLS, "multi.example", "mx.multi.example", TRUST_TRUSTED, "TLSv1.2", FAIL_NONE, "");
        assert_string_equal(s.v[1].cipher, "ECDHE-RSA-AES256-GCM-SHA384");
        /* a rejected recipient on a TLS connection is not a TLS failure */
        expect(&s, 2, OUTCOME_OTHER_FAILED, "multi.example", "mx.multi.example", TRUST_TRUSTED, "TLSv1.2", FAIL_NONE, "");
        /* second queue id on the same session, no new TLS line: plaintext */
        expect(&s, 3, OUTCOME_PLAINTEXT, "multi.example", "mx.multi.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        correlator_free(c);
}

static void test_cross_pid(void **state) {
        static const Line lines[] = {
                { 1, .pid = 22302, .msg = "Untrusted TLS connection established to localhost.remote.example[203.0.113.5]:2626" TLS13 },
                { 1, .pid = 22302, .msg = "AAAA001: to=<a@remote.example>, relay=localhost.remote.example[203.0.113.5]:2626" D SENT },
                /* B's reused line names the host of the handshake, relay= the current name */
                { 2, .pid = 22311, .msg = "Untrusted TLS connection reused to 203.0.113.5[203.0.113.5]:2626" TLS12 },
                { 2, .pid = 22311, .msg = "AAAA002: to=<b@remote.example>, relay=mx.remote.example[203.0.113.5]:2626, conn_use=2" D SENT },
                /* C reuses a connection without a reused line: plaintext */
                { 3, .pid = 22316, .msg = "AAAA003: to=<c@remote.example>, relay=mx.remote.example[203.0.113.5]:2626, conn_use=3" D SENT },
                /* A's TLS line was claimed by A's first queue id */
                { 4, .pid = 22302, .msg = "AAAA004: to=<d@remote.example>, relay=mx.remote.example[203.0.113.5]:2626, conn_use=4" D SENT },
                /* same address, other port: a TLS line never matches */
                { 5, .pid = 22320, .msg = "Verified TLS connection established to mx.remote.example[203.0.113.5]:25" TLS13 },
                { 5, .pid = 22320, .msg = "AAAA005: to=<e@remote.example>, relay=mx.remote.example[203.0.113.5]:2626" D SENT },
        };
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        feed_all(c, lines, ELEMENTS(lines));
        assert_int_equal(s.n, 5);
        expect(&s, 0, OUTCOME_TLS, "remote.example", "localhost.remote.example", TRUST_UNTRUSTED, "TLSv1.3", FAIL_NONE, "");
        expect(&s, 1, OUTCOME_TLS, "remote.example", "mx.remote.example", TRUST_UNTRUSTED, "TLSv1.2", FAIL_NONE, "");
        expect(&s, 2, OUTCOME_PLAINTEXT, "remote.example", "mx.remote.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        expect(&s, 3, OUTCOME_PLAINTEXT, "remote.example", "mx.remote.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        expect(&s, 4, OUTCOME_PLAINTEXT, "remote.example", "mx.remote.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        correlator_free(c);
}

static void test_plaintext_fallback(void **state) {
        static const Line lines[] = {
                { 1, .pid = 300, .msg = "Anonymous TLS connection established to mx.fb.example[192.0.2.44]:25" TLS12 },
                { 2, .pid = 300, .msg = "BBBB001: to=<a@fb.example>, relay=mx.fb.example[192.0.2.44]:25" D ", tls=may:none" SENT },
                { 2, .pid = 300, .msg = "BBBB001: to=<b@fb.example>, relay=mx.fb.example[192.0.2.44]:25" D ", tls=may:none" SENT },
                { 2, .pid = 300, .msg = "BBBB001: to=<c@fb.example>, relay=mx.fb.example[192.0.2.44]:25" D ", tls=may:none, dsn=5.1.1, status=bounced (host mx.fb.example[192.0.2.44] said: 550 5.1.1 no such user (in reply to RCPT TO command))" },
        };
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        feed_all(c, lines, ELEMENTS(lines));
        assert_int_equal(s.n, 3);
        expect(&s, 0, OUTCOME_PLAINTEXT, "fb.example", "mx.fb.example", TRUST_UNKNOWN, "", FAIL_NONE, "may:none");
        expect(&s, 1, OUTCOME_PLAINTEXT, "fb.example", "mx.fb.example", TRUST_UNKNOWN, "", FAIL_NONE, "may:none");
        /* the TLS line's facts do not describe the plaintext retry */
        expect(&s, 2, OUTCOME_OTHER_FAILED, "fb.example", "mx.fb.example", TRUST_UNKNOWN, "", FAIL_NONE, "may:none");
        correlator_free(c);
}

/* smtp_tls_loglevel = 0 on 3.11: no TLS line, tls= decides */
static void test_tls_field_without_tls_line(void **state) {
        static const Line lines[] = {
                { 1, .pid = 400, .msg = "CCCC001: to=<a@l0.example>, relay=mx.l0.example[192.0.2.50]:25" D ", tls=may" SENT },
                { 2, .pid = 400, .msg = "CCCC002: to=<b@l0.example>, relay=mx.l0.example[192.0.2.50]:25" D ", tls=verify" SENT },
                { 3, .pid = 400, .msg = "CCCC003: to=<c@l0.example>, relay=mx.l0.example[192.0.2.50]:25" D ", tls=dane:encrypt" SENT },
                { 4, .pid = 400, .msg = "CCCC004: to=<d@l0.example>, relay=mx.l0.example[192.0.2.50]:25" D ", tls=none" SENT },
                { 5, .pid = 400, .msg = "CCCC005: to=<e@l0.example>, relay=mx.l0.example[192.0.2.50]:25" D ", tls=may/requiretls:none" SENT },
                /* conn_use with tls=may? and no reused line: plaintext */
                { 6, .pid = 401, .msg = "CCCC006: to=<f@l0.example>, relay=mx.l0.example[192.0.2.50]:25, conn_use=2" D ", tls=may?" SENT },
        };
        CorrelateStats st;
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        feed_all(c, lines, ELEMENTS(lines));
        assert_int_equal(s.n, 6);
        expect(&s, 0, OUTCOME_TLS, "l0.example", "mx.l0.example", TRUST_UNKNOWN, "", FAIL_NONE, "may");
        expect(&s, 1, OUTCOME_TLS, "l0.example", "mx.l0.example", TRUST_UNKNOWN, "", FAIL_NONE, "verify");
        expect(&s, 2, OUTCOME_TLS, "l0.example", "mx.l0.example", TRUST_UNKNOWN, "", FAIL_NONE, "dane:encrypt");
        expect(&s, 3, OUTCOME_PLAINTEXT, "l0.example", "mx.l0.example", TRUST_UNKNOWN, "", FAIL_NONE, "none");
        expect(&s, 4, OUTCOME_TLS, "l0.example", "mx.l0.example", TRUST_UNKNOWN, "", FAIL_NONE, "may/requiretls:none");
        expect(&s, 5, OUTCOME_PLAINTEXT, "l0.example", "mx.l0.example", TRUST_UNKNOWN, "", FAIL_NONE, "may?");
        correlator_stats(c, &st);
        assert_int_equal(st.tls_lines, 0);
        assert_int_equal(st.tls_fields, 6);
        correlator_free(c);
}

static void test_tls_failures(void **state) {
        static const Line lines[] = {
                { 1, .pid = 500, .msg = "DDDD001: to=<a@strict.example>, relay=mx.strict.example[192.0.2.60]:25" D ", tls=!encrypt, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host mx.strict.example[192.0.2.60])" },
                { 2, .pid = 501, .msg = "Untrusted TLS connection established to mx.v.example[192.0.2.61]:25" TLS13 },
                { 2, .pid = 501, .msg = "DDDD002: to=<b@v.example>, relay=mx.v.example[192.0.2.61]:25" D ", tls=!verify, dsn=4.7.5, status=deferred (Server certificate not verified)" },
                /* before 3.11: the detail line, the TLS line, then the reason text */
                { 3, .pid = 502, .msg = "server certificate verification failed for mx.w.example[192.0.2.62]:25: num=62:hostname mismatch" },
                { 3, .pid = 502, .msg = "Untrusted TLS connection established to mx.w.example[192.0.2.62]:25" TLS12 },
                { 3, .pid = 502, .msg = "DDDD003: to=<c@w.example>, relay=mx.w.example[192.0.2.62]:25" D ", dsn=4.7.5, status=deferred (Server certificate not verified)" },
                /* a handshake failure detail for the same [ADDR]:PORT just before */
                { 4, .pid = 503, .msg = "SSL_connect error to mx.h.example[192.0.2.63]:25: -1" },
                { 4, .pid = 503, .msg = "DDDD004: to=<d@h.example>, relay=mx.h.example[192.0.2.63]:25" D ", dsn=4.4.2, status=deferred (lost connection with mx.h.example[192.0.2.63] while performing the EHLO handshake)" },
                /* a non-final host not offering STARTTLS, then the last host defers */
                { 5, .pid = 504, .msg = "DDDD005: TLS is required, but was not offered by host mx1.q.example[192.0.2.64]" },
                { 5, .pid = 504, .msg = "DDDD005: to=<e@q.example>, relay=mx2.q.example[192.0.2.65]:25" D ", dsn=4.3.0, status=deferred (host mx2.q.example[192.0.2.65] said: 451 4.3.0 try later (in reply to RCPT TO command))" },
                /* the detail belonged to DDDD005 only */
                { 6, .pid = 504, .msg = "DDDD006: to=<f@q.example>, relay=mx2.q.example[192.0.2.65]:25" D ", dsn=4.3.0, status=deferred (host mx2.q.example[192.0.2.65] said: 451 4.3.0 try later (in reply to RCPT TO command))" },
                { 7, .pid = 505, .msg = "DDDD007: to=<g@hs.example>, relay=mx.hs.example[192.0.2.66]:25" D ", tls=may?, dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)" },
        };
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        feed_all(c, lines, ELEMENTS(lines));
        assert_int_equal(s.n, 7);
        expect(&s, 0, OUTCOME_TLS_FAILED, "strict.example", "mx.strict.example", TRUST_UNKNOWN, "", FAIL_STARTTLS_NOT_OFFERED, "!encrypt");
        expect(&s, 1, OUTCOME_TLS_FAILED, "v.example", "mx.v.example", TRUST_UNTRUSTED, "TLSv1.3", FAIL_CERT_NOT_VERIFIED, "!verify");
        expect(&s, 2, OUTCOME_TLS_FAILED, "w.example", "mx.w.example", TRUST_UNTRUSTED, "TLSv1.2", FAIL_CERT_NOT_VERIFIED, "");
        expect(&s, 3, OUTCOME_TLS_FAILED, "h.example", "mx.h.example", TRUST_UNKNOWN, "", FAIL_HANDSHAKE, "");
        expect(&s, 4, OUTCOME_TLS_FAILED, "q.example", "mx2.q.example", TRUST_UNKNOWN, "", FAIL_STARTTLS_NOT_OFFERED, "");
        expect(&s, 5, OUTCOME_OTHER_FAILED, "q.example", "mx2.q.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        expect(&s, 6, OUTCOME_TLS_FAILED, "hs.example", "mx.hs.example", TRUST_UNKNOWN, "", FAIL_HANDSHAKE, "may?");
        correlator_free(c);
}

static void test_relay_none(void **state) {
        static const Line lines[] = {
                { 1, .pid = 600, .msg = "warning: TLS policy lookup error for [mx.p.example]:25/mx.p.example: client TLS configuration problem" },
                { 1, .pid = 600, .msg = "warning: TLS policy lookup for [mx.p.example]:25/mx.p.example: client TLS configuration problem" },
                { 1, .pid = 600, .msg = "EEEE001: to=<a@p.example>, relay=none, delay=0.02, delays=0/0/0.02/0, tls=unknown?, dsn=4.7.5, status=deferred (client TLS configuration problem)" },
                { 2, .pid = 601, .msg = "connect to mx.down.example[192.0.2.70]:25: Connection refused" },
                { 2, .pid = 601, .msg = "EEEE002: to=<b@down.example>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to mx.down.example[192.0.2.70]:25: Connection refused)" },
                /* a pending policy warning applies only to relay=none */
                { 3, .pid = 602, .msg = "warning: TLS policy lookup for d.example/mx1.d.example: TLSA lookup error for mx1.d.example:25" },
                { 3, .pid = 602, .msg = "EEEE003: to=<c@d.example>, relay=mx2.d.example[192.0.2.71]:25" D ", dsn=4.4.2, status=deferred (conversation with mx2.d.example[192.0.2.71] timed out while sending MAIL FROM)" },
        };
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        feed_all(c, lines, ELEMENTS(lines));
        assert_int_equal(s.n, 3);
        expect(&s, 0, OUTCOME_TLS_FAILED, "p.example", "", TRUST_UNKNOWN, "", FAIL_POLICY_LOOKUP, "unknown?");
        expect(&s, 1, OUTCOME_OTHER_FAILED, "down.example", "", TRUST_UNKNOWN, "", FAIL_NONE, "");
        expect(&s, 2, OUTCOME_OTHER_FAILED, "d.example", "mx2.d.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        /* only pid 600 keeps state: its detail, bound to EEEE001 */
        assert_int_equal(correlator_sessions(c), 1);
        correlator_free(c);
}

static void test_internal(void **state) {
        static const char *const internal[] = { "filter.lan", "[192.0.2.99]:10025", NULL };
        static const Line lines[] = {
                { 1, .pid = 700, .msg = "FFFF001: to=<a@ext.example>, relay=127.0.0.1[127.0.0.1]:10024" D ", dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as X)" },
                { 2, .pid = 701, .msg = "FFFF002: to=<b@ext.example>, relay=localhost[::1]:10024" D SENT },
                { 3, .pid = 702, .msg = "FFFF003: to=<c@ext.example>, relay=filter.lan[192.0.2.98]:10024" D SENT },
                { 4, .pid = 703, .msg = "FFFF004: to=<d@ext.example>, relay=scan[192.0.2.99]:10025" D SENT },
                { 5, .pid = 704, .msg = "FFFF005: to=<e@ext.example>, relay=scan[192.0.2.99]:25" D SENT },
                { 6, .pid = 705, .msg = "FFFF006: to=<f@ext.example>, relay=localhost[127.0.0.1]:10024" D ", dsn=4.4.1, status=deferred (connect to localhost[127.0.0.1]:10024: Connection refused)" },
                { 7, .ident = "postfix/lmtp", .pid = 706, .msg = "FFFF007: to=<g@ext.example>, relay=mail1.lan[private/dovecot-lmtp]" D SENT },
                { 8, .pid = 707, .msg = "FFFF008: to=<h@ext.example>, relay=mx[::ffff:127.0.0.2]:25" D SENT },
        };
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, internal);

        feed_all(c, lines, ELEMENTS(lines));
        assert_int_equal(s.n, 8);
        for (size_t i = 0; i < s.n; i++)
                if ((s.v[i].kind == OUTCOME_INTERNAL) != (i != 4))
                        fail_msg("outcome %zu (%s): kind %s", i, s.v[i].mx, outcome_kind_to_string(s.v[i].kind));
        expect(&s, 4, OUTCOME_PLAINTEXT, "ext.example", "scan", TRUST_UNKNOWN, "", FAIL_NONE, "");
        assert_string_equal(s.v[2].mx, "filter.lan");
        correlator_free(c);
}

static void test_ipv6(void **state) {
        static const Line lines[] = {
                { 1, .pid = 800, .msg = "Verified TLS connection established to mx.six.example[2001:db8::25]:25" TLS13 },
                { 2, .pid = 800, .msg = "6A6A001: to=<a@six.example>, relay=mx.six.example[2001:DB8::25]:25" D SENT },
                { 3, .pid = 801, .msg = "Verified TLS connection established to mx.six.example[2001:db8::26]:25" TLS13 },
                { 4, .pid = 801, .msg = "6A6A002: to=<b@six.example>, relay=mx.six.example[2001:db8::25]:25" D SENT },
        };
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        feed_all(c, lines, ELEMENTS(lines));
        assert_int_equal(s.n, 2);
        expect(&s, 0, OUTCOME_TLS, "six.example", "mx.six.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "");
        /* same host name, other address: no evidence */
        expect(&s, 1, OUTCOME_PLAINTEXT, "six.example", "mx.six.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        correlator_free(c);
}

static void test_domains(void **state) {
        static const Line lines[] = {
                { 1, .pid = 900, .msg = "7B7B001: to=<postmaster>, relay=MX.Dom.Example[192.0.2.80]:25" D SENT },
                { 2, .pid = 900, .msg = "7B7B002: to=<x@bad_domain!>, relay=mx.dom.example[192.0.2.80]:25" D SENT },
                { 3, .pid = 900, .msg = "7B7B003: to=<\"a b\"@Sub.DOM.example>, relay=mx.dom.example[192.0.2.80]:25" D SENT },
        };
        CorrelateStats st;
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        feed_all(c, lines, ELEMENTS(lines));
        assert_int_equal(s.n, 3);
        expect(&s, 0, OUTCOME_PLAINTEXT, "", "mx.dom.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        expect(&s, 1, OUTCOME_PLAINTEXT, "", "mx.dom.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        expect(&s, 2, OUTCOME_PLAINTEXT, "sub.dom.example", "mx.dom.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        correlator_stats(c, &st);
        assert_int_equal(st.outcomes[OUTCOME_PLAINTEXT], 3);
        correlator_free(c);
}

static void test_evict_idle(void **state) {
        static const Line lines[] = {
                { 0, .pid = 1000, .msg = "Verified TLS connection established to mx.i.example[192.0.2.90]:25" TLS13 },
                { 0, .pid = 1001, .msg = "Verified TLS connection established to mx.i.example[192.0.2.90]:25" TLS13 },
                { 60, .pid = 1000, .msg = "8C8C001: to=<a@i.example>, relay=mx.i.example[192.0.2.90]:25" D SENT },
                /* another process moves log time past the idle limit of 1001 */
                { 62, .pid = 1002, .msg = "8C8C002: to=<b@i.example>, relay=mx.i.example[192.0.2.90]:25" D SENT },
                { 62, .pid = 1001, .msg = "8C8C003: to=<c@i.example>, relay=mx.i.example[192.0.2.90]:25" D SENT },
        };
        CorrelateStats st;
        Sink s;
        Correlator *c = new_correlator(&s, 61, 0, NULL);

        feed_all(c, lines, ELEMENTS(lines));
        assert_int_equal(s.n, 3);
        expect(&s, 0, OUTCOME_TLS, "i.example", "mx.i.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "");
        expect(&s, 2, OUTCOME_PLAINTEXT, "i.example", "mx.i.example", TRUST_UNKNOWN, "", FAIL_NONE, "");
        correlator_stats(c, &st);
        assert_int_equal(st.evicted, 1);
        /* pid 1000 keeps its claimed state for more lines of 8C8C001 */
        assert_int_equal(correlator_sessions(c), 1);
        correlator_free(c);
}

static void test_evict_lru(void **state) {
        Line l = { .msg = NULL };
        char msg[256];
        CorrelateStats st;
        Sink s;
        Correlator *c = new_correlator(&s, 0, 3, NULL);

        /* TLS lines by pids 1..4 (cap 3), pid 1 touched again before pid 4 arrives */
        for (uint32_t pid = 1; pid <= 4; pid++) {
                if (pid == 4) {
                        l = (Line) { 3, .pid = 1, .msg = "Verified TLS connection established to mx.l.example[192.0.2.1]:25" TLS13 };
                        assert_int_equal(feed(c, &l), 0);
                }
                snprintf(msg, sizeof(msg), "Verified TLS connection established to mx.l.example[192.0.2.%u]:25" TLS13, pid);
                l = (Line) { pid, .pid = pid, .msg = msg };
                assert_int_equal(feed(c, &l), 0);
                assert_int_equal(correlator_sessions(c), pid < 3 ? pid : 3);
        }
        for (uint32_t pid = 1; pid <= 4; pid++) {
                snprintf(msg, sizeof(msg), "9D9D00%u: to=<x@l.example>, relay=mx.l.example[192.0.2.%u]:25" D SENT, pid, pid);
                l = (Line) { 10, .pid = pid, .msg = msg };
                assert_int_equal(feed(c, &l), 1);
                assert_int_equal(s.v[pid - 1].kind, pid == 2 ? OUTCOME_PLAINTEXT : OUTCOME_TLS);
        }
        correlator_stats(c, &st);
        assert_int_equal(st.evicted, 1);
        correlator_free(c);
}

/* A realistic day of two hosts, two boots, all kinds of lines, with evictions. */
static const Line day[] = {
        { 0, .pid = 10, .msg = "Verified TLS connection established to mx1.a.example[192.0.2.1]:25" TLS13 },
        { 0, .pid = 11, .host = "mail2", .msg = "Trusted TLS connection established to mx.b.example[192.0.2.2]:25" TLS12 },
        { 1, .pid = 10, .msg = "AE00001: to=<u1@a.example>, relay=mx1.a.example[192.0.2.1]:25" D ", tls=verify" SENT },
        { 1, .ident = "postfix/tlsproxy", .pid = 99, .msg = "Verified TLS connection established to mx1.a.example[192.0.2.1]:25" TLS13 },
        { 1, .pid = 12, .msg = "Untrusted TLS connection reused to mx1.a.example[192.0.2.1]:25" TLS13 },
        { 2, .pid = 10, .msg = "AE00001: to=<u2@a.example>, relay=mx1.a.example[192.0.2.1]:25" D ", tls=verify" SENT },
        { 2, .pid = 11, .host = "mail2", .msg = "AE00002: to=<u3@b.example>, relay=mx.b.example[192.0.2.2]:25" D SENT },
        { 3, .pid = 12, .msg = "AE00003: to=<u4@a.example>, relay=mx1.a.example[192.0.2.1]:25, conn_use=2" D ", tls=verify?" SENT },
        { 3, .pid = 13, .boot = "b1", .msg = "SSL_connect error to mx.c.example[192.0.2.3]:25: -1" },
        { 4, .pid = 13, .boot = "b1", .msg = "AE00004: to=<u5@c.example>, relay=mx.c.example[192.0.2.3]:25" D ", dsn=4.4.2, status=deferred (lost connection with mx.c.example[192.0.2.3] while performing the EHLO handshake)" },
        { 4, .pid = 14, .msg = "warning: TLS policy lookup for [mx.p.example]:25/mx.p.example: client TLS configuration problem" },
        { 5, .pid = 14, .msg = "AE00005: to=<u6@p.example>, relay=none, delay=0.02, delays=0/0/0.02/0, tls=unknown?, dsn=4.7.5, status=deferred (client TLS configuration problem)" },
        { 5, .pid = 15, .msg = "Anonymous TLS connection established to mx.d.example[2001:db8::d]:25" TLS12 },
        { 6, .pid = 11, .host = "mail2", .msg = "AE00006: to=<u7@b.example>, relay=mx.b.example[192.0.2.2]:25, conn_use=2" D SENT },
        { 6, .pid = 16, .msg = "Verified TLS connection established to mx.e.example[192.0.2.5]:25" TLS13 },
        { 7, .pid = 17, .msg = "AE00007: to=<u8@f.example>, relay=127.0.0.1[127.0.0.1]:10024" D SENT },
        { 8, .pid = 15, .msg = "AE00008: to=<u9@d.example>, relay=mx.d.example[2001:db8::d]:25" D ", tls=may:none" SENT },
        { 8, .pid = 18, .msg = "AE00009: TLS is required, but was not offered by host mx1.g.example[192.0.2.7]" },
        { 9, .pid = 18, .msg = "AE00009: to=<v1@g.example>, relay=mx2.g.example[192.0.2.8]:25" D ", dsn=4.3.0, status=deferred (host mx2.g.example[192.0.2.8] said: 451 4.3.0 later (in reply to RCPT TO command))" },
        { 9, .pid = 18, .msg = "AE00009: to=<v2@g.example>, relay=mx2.g.example[192.0.2.8]:25" D ", dsn=4.3.0, status=deferred (host mx2.g.example[192.0.2.8] said: 451 4.3.0 later (in reply to RCPT TO command))" },
        { 10, .pid = 19, .host = "mail2", .msg = "Verified TLS connection established to mx.h.example[192.0.2.9]:25" TLS13 },
        { 10, .pid = 20, .host = "mail2", .msg = "Verified TLS connection established to mx.h.example[192.0.2.9]:25" TLS13 },
        /* pid 16 was armed at 6 s and is evicted (idle 300 s) when log time reaches 400 s */
        { 400, .pid = 21, .msg = "Verified TLS connection established to mx.k.example[192.0.2.11]:25" TLS13 },
        { 401, .pid = 16, .msg = "AE00010: to=<v3@e.example>, relay=mx.e.example[192.0.2.5]:25" D SENT },
        { 401, .pid = 21, .msg = "AE00011: to=<v4@k.example>, relay=mx.k.example[192.0.2.11]:25" D SENT },
        { 401, .pid = 21, .msg = "AE00017: to=<w1@k.example>, relay=mx.k.example[192.0.2.11]:25, conn_use=2" D SENT },
        { 402, .pid = 22, .msg = "Verified TLS connection established to mx.k.example[192.0.2.11]:25" TLS13 },
        { 402, .pid = 23, .msg = "Verified TLS connection established to mx.k.example[192.0.2.11]:25" TLS13 },
        { 402, .pid = 24, .msg = "Verified TLS connection established to mx.k.example[192.0.2.11]:25" TLS13 },
        { 402, .pid = 25, .msg = "Verified TLS connection established to mx.k.example[192.0.2.11]:25" TLS13 },
        { 402, .pid = 26, .msg = "Verified TLS connection established to mx.k.example[192.0.2.11]:25" TLS13 },
        /* cap 4: pid 22 is the oldest and lost */
        { 403, .pid = 22, .msg = "AE00012: to=<v5@k.example>, relay=mx.k.example[192.0.2.11]:25" D SENT },
        { 403, .pid = 25, .msg = "AE00013: to=<v6@k.example>, relay=mx.k.example[192.0.2.11]:25" D SENT },
        { 403, .pid = 23, .msg = "AE00014: to=<v7@k.example>, relay=mx.k.example[192.0.2.11]:25" D ", tls=!secure, dsn=4.7.5, status=deferred (Server certificate not verified)" },
        { 404, .pid = 24, .msg = "AE00015: to=<v8@k.example>, relay=mx.k.example[192.0.2.11]:25" D SENT },
        { 404, .pid = 24, .msg = "AE00016: to=<v9@k.example>, relay=mx.k.example[192.0.2.11]:25, conn_use=2" D SENT },
};

static void run_split(const Line *lines, size_t n, size_t k, Sink *s, CorrelateStats *ret_st) {
        _cleanup_free_ char *blob = NULL;
        Correlator *a, *b;
        size_t len = 0;

        a = new_correlator(s, 300, 4, NULL);
        feed_all(a, lines, k);
        assert_int_equal(correlator_save(a, &blob, &len), 0);
        assert_int_equal(strlen(blob), len);
        correlator_free(a);

        b = correlator_new(&(CorrelateLimits) { .idle_usec = 300 * SEC, .max_sessions = 4 }, sink_fn, s);
        assert_non_null(b);
        assert_int_equal(correlator_load(b, blob, len), 0);
        feed_all(b, lines + k, n - k);
        if (ret_st)
                correlator_stats(b, ret_st);
        correlator_free(b);
}

static void assert_same_outcomes(const Sink *x, const Sink *y, size_t k) {
        if (x->n != y->n)
                fail_msg("cut %zu: %zu outcomes, want %zu", k, y->n, x->n);
        for (size_t i = 0; i < x->n; i++)
                if (memcmp(&x->v[i], &y->v[i], sizeof(Got)) != 0)
                        fail_msg("cut %zu: outcome %zu differs: %s/%s/%s vs %s/%s/%s", k, i,
                                 outcome_kind_to_string(x->v[i].kind), x->v[i].domain, x->v[i].protocol,
                                 outcome_kind_to_string(y->v[i].kind), y->v[i].domain, y->v[i].protocol);
}

static void test_save_load_every_cut(void **state) {
        static Sink ref, got;
        static const OutcomeKind want[] = {
                OUTCOME_TLS, OUTCOME_TLS, OUTCOME_TLS, OUTCOME_TLS, OUTCOME_TLS_FAILED,
                OUTCOME_TLS_FAILED, OUTCOME_PLAINTEXT, OUTCOME_INTERNAL, OUTCOME_PLAINTEXT,
                OUTCOME_TLS_FAILED, OUTCOME_TLS_FAILED, OUTCOME_PLAINTEXT, OUTCOME_TLS,
                OUTCOME_PLAINTEXT, OUTCOME_PLAINTEXT, OUTCOME_TLS, OUTCOME_TLS_FAILED, OUTCOME_TLS,
                OUTCOME_PLAINTEXT,
        };
        CorrelateStats st;
        Correlator *c;
        size_t n = ELEMENTS(day);

        c = new_correlator(&ref, 300, 4, NULL);
        feed_all(c, day, n);
        correlator_stats(c, &st);
        correlator_free(c);
        assert_true(st.evicted >= 2);
        assert_int_equal(ref.n, ELEMENTS(want));
        for (size_t i = 0; i < ref.n; i++)
                if (ref.v[i].kind != want[i])
                        fail_msg("outcome %zu (%s): %s, want %s", i, ref.v[i].domain,
                                 outcome_kind_to_string(ref.v[i].kind), outcome_kind_to_string(want[i]));
        assert_string_equal(ref.v[6].host, "mail2");
        assert_int_equal(ref.v[4].reason, FAIL_HANDSHAKE);
        assert_int_equal(ref.v[5].reason, FAIL_POLICY_LOOKUP);

        for (size_t k = 0; k <= n; k++) {
                run_split(day, n, k, &got, NULL);
                assert_same_outcomes(&ref, &got, k);
        }

        /* a new correlator for every single record, state handed over each time */
        c = new_correlator(&got, 300, 4, NULL);
        for (size_t k = 0; k < n; k++) {
                _cleanup_free_ char *blob = NULL;
                size_t len;

                assert_true(feed(c, &day[k]) >= 0);
                assert_int_equal(correlator_save(c, &blob, &len), 0);
                correlator_free(c);
                c = correlator_new(&(CorrelateLimits) { .idle_usec = 300 * SEC, .max_sessions = 4 }, sink_fn, &got);
                assert_non_null(c);
                assert_int_equal(correlator_load(c, blob, len), 0);
        }
        correlator_free(c);
        assert_same_outcomes(&ref, &got, n);
}

static void test_save_escaping(void **state) {
        static const char *host = "mail host%1\x01\xc3\xa9-";
        static const Line lines[] = {
                { 1, .pid = 42, .boot = "", .msg = "Verified TLS connection established to mx.z.example[192.0.2.200]:25" TLS13 },
                { 2, .pid = 43, .boot = "-", .msg = "Verified TLS connection established to mx.z.example[192.0.2.201]:25" TLS13 },
                { 3, .pid = 42, .boot = "", .msg = "ABC0001: to=<a@z.example>, relay=mx.z.example[192.0.2.200]:25" D SENT },
                { 3, .pid = 43, .boot = "-", .msg = "ABC0002: to=<a@z.example>, relay=mx.z.example[192.0.2.201]:25" D SENT },
        };
        Line l[ELEMENTS(lines)];
        _cleanup_free_ char *blob = NULL, *blob2 = NULL;
        size_t len, len2;
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL), *d;

        memcpy(l, lines, sizeof(l));
        for (size_t i = 0; i < ELEMENTS(l); i++)
                l[i].host = host;
        feed_all(c, l, 2);
        assert_int_equal(correlator_save(c, &blob, &len), 0);
        assert_null(memchr(blob, '\x01', len));
        correlator_free(c);

        d = correlator_new(NULL, sink_fn, &s);
        assert_non_null(d);
        assert_int_equal(correlator_load(d, blob, len), 0);
        assert_int_equal(correlator_sessions(d), 2);
        /* saving again gives the same bytes */
        assert_int_equal(correlator_save(d, &blob2, &len2), 0);
        assert_int_equal(len, len2);
        assert_memory_equal(blob, blob2, len);
        feed_all(d, l + 2, 2);
        assert_int_equal(s.n, 2);
        expect(&s, 0, OUTCOME_TLS, "z.example", "mx.z.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "");
        expect(&s, 1, OUTCOME_TLS, "z.example", "mx.z.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "");
        assert_string_equal(s.v[0].host, host);
        correlator_free(d);
}

static void test_load_corrupt(void **state) {
        static const char *bad[] = {
                "",
                "mxtls-correlate 2\nnow 0\nend 0\n",
                "mxtls-correlate 1\nnow 0\nend 0",
                "mxtls-correlate 1\nnow x\nend 0\n",
                "mxtls-correlate 1\nnow 0\nend 1\n",
                "mxtls-correlate 1\nnow 0\nend 0\ntrailing\n",
                "mxtls-correlate 1\nnow 0\nS b h 1 5 1 1.2.3.4 25 1 Verified TLSv1.3 X - 0 - 0 - 0 0 -\nend 1\n",
                "mxtls-correlate 1\nnow 0\nS b h 1 5 1 1.2.3.4 25 1 Verified TLSv1.3 X - 0 - 0 - 0 0 - - extra\nend 1\n",
                "mxtls-correlate 1\nnow 0\nS b h 1 5 1 1.2.3.4 25 1 Bogus TLSv1.3 X - 0 - 0 - 0 0 - -\nend 1\n",
                "mxtls-correlate 1\nnow 0\nS b h 1 5 2 1.2.3.4 25 1 Verified TLSv1.3 X - 0 - 0 - 0 0 - -\nend 1\n",
                "mxtls-correlate 1\nnow 0\nS b h 99999999999 5 1 1.2.3.4 25 1 Verified TLSv1.3 X - 0 - 0 - 0 0 - -\nend 1\n",
                "mxtls-correlate 1\nnow 0\nS b%G1 h 1 5 1 1.2.3.4 25 1 Verified TLSv1.3 X - 0 - 0 - 0 0 - -\nend 1\n",
                "mxtls-correlate 1\nnow 0\nS b%00 h 1 5 1 1.2.3.4 25 1 Verified TLSv1.3 X - 0 - 0 - 0 0 - -\nend 1\n",
                "mxtls-correlate 1\nnow 0\nS b% h 1 5 1 1.2.3.4 25 1 Verified TLSv1.3 X - 0 - 0 - 0 0 - -\nend 1\n",
                "mxtls-correlate 1\nnow 0\nS b  h 1 5 1 1.2.3.4 25 1 Verified TLSv1.3 X - 0 - 0 - 0 0 - -\nend 1\n",
                "mxtls-correlate 1\nnow 0\nS b h 1 5 0 - 0 0 - - - - 1 - 0 - 0 0 - -\nend 1\n",
                "mxtls-correlate 1\nnow 0\nS b h 1 5 0 - 0 0 - - - - 1 - 0 - 0 0 nope -\nend 1\n",
                "mxtls-correlate 1\nnow 0\nS 0123456789abcdef0123456789abcdef0 h 1 5 0 - 0 0 - - - - 0 - 0 - 0 0 - -\nend 1\n",
                ("mxtls-correlate 1\nnow 0\nS b h 1 5 0 - 0 0 - - - - 0 - 0 - 0 0 - -\n"
                 "S b h 1 6 0 - 0 0 - - - - 0 - 0 - 0 0 - -\nend 2\n"),
                "mxtls-correlate 1\nnow 0\nS b h 1 5 0 - 0 0 - - - - 0 - 0 - 0 0 - -\nend 1\n\n",
        };
        static const char good[] =
                "mxtls-correlate 1\nnow 9\nS b h 1 5 1 1.2.3.4 25 1 Verified TLSv1.3 X - 0 - 0 - 0 0 - -\n"
                "S b h 2 6 0 - 0 0 - - - - 1 QQ1 1 ::1 25 1 cert_not_verified -\nend 2\n";
        static const char with_nul[] = "mxtls-correlate 1\nnow 0\n\0end 0\n";
        _cleanup_free_ char *blob = NULL;
        char buf[sizeof(good)];
        size_t len;
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        assert_int_equal(correlator_load(c, good, strlen(good)), 0);
        assert_int_equal(correlator_sessions(c), 2);
        assert_int_equal(correlator_save(c, &blob, &len), 0);
        assert_string_equal(blob, good);

        for (size_t i = 0; i < ELEMENTS(bad); i++) {
                assert_int_equal(correlator_load(c, good, strlen(good)), 0);
                if (correlator_load(c, bad[i], strlen(bad[i])) != -EBADMSG)
                        fail_msg("blob %zu accepted: %s", i, bad[i]);
                assert_int_equal(correlator_sessions(c), 0);
        }
        assert_int_equal(correlator_load(c, with_nul, sizeof(with_nul) - 1), -EBADMSG);
        /* every truncation is rejected, every single-byte change is survived */
        for (size_t n = 0; n < strlen(good); n++)
                assert_int_equal(correlator_load(c, good, n), -EBADMSG);
        for (size_t i = 0; i < strlen(good); i++)
                for (unsigned v = 0; v < 256; v += 7) {
                        int r;

                        memcpy(buf, good, sizeof(buf));
                        buf[i] = (char) v;
                        r = correlator_load(c, buf, strlen(good));
                        assert_true(r == 0 || r == -EBADMSG);
                }
        /* still usable */
        assert_int_equal(correlator_load(c, good, strlen(good)), 0);
        correlator_free(c);
}

static void test_load_over_cap(void **state) {
        static const char blob[] =
                "mxtls-correlate 1\nnow 9\n"
                "S b h 1 5 1 1.2.3.4 25 1 Verified TLSv1.3 X - 0 - 0 - 0 0 - -\n"
                "S b h 2 6 1 1.2.3.4 25 1 Verified TLSv1.3 X - 0 - 0 - 0 0 - -\n"
                "S b h 3 7 1 1.2.3.4 25 1 Verified TLSv1.3 X - 0 - 0 - 0 0 - -\nend 3\n";
        CorrelateStats st;
        Sink s;
        Correlator *c = new_correlator(&s, 0, 2, NULL);

        assert_int_equal(correlator_load(c, blob, strlen(blob)), 0);
        assert_int_equal(correlator_sessions(c), 2);
        correlator_stats(c, &st);
        assert_int_equal(st.evicted, 1);
        correlator_free(c);
}

static void test_outcome_kind_strings(void **state) {
        for (int k = 0; k < _OUTCOME_KIND_MAX; k++) {
                const char *s = outcome_kind_to_string((OutcomeKind) k);

                assert_non_null(s);
                assert_int_equal(outcome_kind_from_string(s), k);
        }
        assert_string_equal(outcome_kind_to_string(OUTCOME_TLS_FAILED), "tls_failed");
        assert_string_equal(outcome_kind_to_string(OUTCOME_OTHER_FAILED), "other_failed");
        assert_null(outcome_kind_to_string(_OUTCOME_KIND_MAX));
        assert_int_equal(outcome_kind_from_string("TLS"), _OUTCOME_KIND_INVALID);
        assert_int_equal(outcome_kind_from_string(NULL), _OUTCOME_KIND_INVALID);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_reuse_off),
                cmocka_unit_test(test_tlsproxy_reuse_on),
                cmocka_unit_test(test_tlsproxy_event_ignored),
                cmocka_unit_test(test_multi_recipient),
                cmocka_unit_test(test_cross_pid),
                cmocka_unit_test(test_plaintext_fallback),
                cmocka_unit_test(test_tls_field_without_tls_line),
                cmocka_unit_test(test_tls_failures),
                cmocka_unit_test(test_relay_none),
                cmocka_unit_test(test_internal),
                cmocka_unit_test(test_ipv6),
                cmocka_unit_test(test_domains),
                cmocka_unit_test(test_evict_idle),
                cmocka_unit_test(test_evict_lru),
                cmocka_unit_test(test_save_load_every_cut),
                cmocka_unit_test(test_save_escaping),
                cmocka_unit_test(test_load_corrupt),
                cmocka_unit_test(test_load_over_cap),
                cmocka_unit_test(test_outcome_kind_strings),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-correlate - correlation of real Postfix lines into outcomes
 * DESCRIPTION
 *        A table of scenarios, one driver. A scenario is a list of record lines
 *        (time, host, identifier, pid, MESSAGE, boot) and the correlator's limits;
 *        each delivery line carries the outcome it must give. The driver feeds
 *        every MESSAGE through parse_record() and then correlate_feed(), as the
 *        collector does, and checks for every line:
 *          - correlate_feed() returns 1 and emits one outcome exactly for the
 *            lines with a want, 0 and nothing for the others;
 *          - the outcome's kind, domain, mx, trust, protocol, reason and level
 *            are the want's; its cipher is that of its protocol (the lines use
 *            two handshakes, TLS13 and TLS12); its host and time are the line's;
 *          - correlator_sessions() after the line, where the line says so;
 *        and after the last line the statistics: deliveries and outcomes per
 *        kind as counted from the wants, TLS lines, tls= fields, evictions and
 *        the sessions left, as the scenario says.
 *        Then save/load across every cut of one scenario, the state blob's
 *        escaping and its parser, and the outcome kind names.
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

/* The outcome a delivery line must give. */
typedef struct Want {
        OutcomeKind kind;
        const char *domain, *mx;
        Trust trust;
        const char *protocol;
        FailReason reason;
        const char *level;
} Want;

typedef struct Line {
        uint64_t sec;                   /* seconds after T0 */
        const char *host;               /* NULL = "mail1" */
        const char *ident;              /* NULL = "postfix/smtp" */
        uint32_t pid;
        const char *msg;
        const char *boot;               /* NULL = "b0" */
        const Want *want;               /* NULL: the line gives no outcome */
        const size_t *sessions;         /* NULL: correlator_sessions() after the line not checked */
} Line;

#define WANT(kind, domain, mx, trust, protocol, reason, level) \
        (&(const Want) { kind, domain, mx, trust, protocol, reason, level })
#define SESSIONS(n) (&(const size_t) { n })

typedef struct Scenario {
        const char *name;
        uint64_t idle_sec;              /* 0: the default */
        size_t max_sessions;            /* 0: the default */
        const char *const *internal;    /* internal_relays */
        const Line *lines;
        size_t n_lines;
        /* after the last line (deliveries and outcomes[] are counted from the wants) */
        uint64_t tls_lines, tls_fields, evicted;
        size_t sessions;
} Scenario;

#define LINES(...) \
        .lines = (const Line[]) { __VA_ARGS__ }, \
        .n_lines = sizeof((const Line[]) { __VA_ARGS__ }) / sizeof(Line)

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

#define TLS13 ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange x25519 " \
        "server-signature RSA-PSS (2048 bits) server-digest SHA256"
#define TLS12 ": TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)"
#define CIPHER13 "TLS_AES_256_GCM_SHA384"
#define CIPHER12 "ECDHE-RSA-AES256-GCM-SHA384"
#define D ", delay=0.17, delays=0.01/0.01/0.1/0.04"
#define SENT ", dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as T1)"

/* cipher_of - the cipher of the handshake (TLS13 or TLS12) that gave the protocol */
static const char *cipher_of(const char *protocol) {
        if (strcmp(protocol, "TLSv1.3") == 0)
                return CIPHER13;
        if (strcmp(protocol, "TLSv1.2") == 0)
                return CIPHER12;
        return "";
}

/* expect - the outcome g that line l gave, against l's want */
static void expect(const char *scenario, size_t i, const Got *g, const Line *l) {
        const Want *w = l->want;
        const char *host = l->host ? l->host : "mail1", *cipher = cipher_of(w->protocol);
        uint64_t usec = T0 + l->sec * SEC;

        if (g->kind != w->kind || strcmp(g->domain, w->domain) != 0 || strcmp(g->mx, w->mx) != 0 ||
            g->trust != w->trust || strcmp(g->protocol, w->protocol) != 0 || g->reason != w->reason ||
            strcmp(g->level, w->level) != 0 || strcmp(g->cipher, cipher) != 0 || strcmp(g->host, host) != 0 ||
            g->usec != usec)
                fail_msg("%s, line %zu: got {%s, %s, %s, %s, %s, %s, \"%s\", %s, %s, %ju}, "
                         "want {%s, %s, %s, %s, %s, %s, \"%s\", %s, %s, %ju}",
                         scenario, i, outcome_kind_to_string(g->kind), g->domain, g->mx, trust_to_string(g->trust),
                         g->protocol, fail_reason_to_string(g->reason), g->level, g->cipher, g->host,
                         (uintmax_t) g->usec,
                         outcome_kind_to_string(w->kind), w->domain, w->mx, trust_to_string(w->trust),
                         w->protocol, fail_reason_to_string(w->reason), w->level, cipher, host, (uintmax_t) usec);
}

static void expect_count(const char *scenario, const char *what, uint64_t got, uint64_t want) {
        if (got != want)
                fail_msg("%s: %s: got %ju, want %ju", scenario, what, (uintmax_t) got, (uintmax_t) want);
}

static const Scenario scenarios[] = {
{
        .name = "reuse_off",
        LINES(
        { 1, .pid = 100, .msg = "Verified TLS connection established to mx1.remote.example[192.0.2.10]:25" TLS13 },
        { 2, .pid = 100, .msg = "11111A1: to=<a@Remote.Example>, relay=MX1.remote.example[192.0.2.10]:25" D SENT,
          .want = WANT(OUTCOME_TLS, "remote.example", "mx1.remote.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "") },
        { 3, .pid = 100, .msg = "22222B2: to=<b@remote.example>, relay=mx1.remote.example[192.0.2.10]:25, conn_use=2" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "remote.example", "mx1.remote.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 4, .pid = 100, .msg = "33333C3: to=<c@remote.example>, relay=mx1.remote.example[192.0.2.10]:25, conn_use=3" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "remote.example", "mx1.remote.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        ),
        .tls_lines = 1, .tls_fields = 0, .evicted = 0, .sessions = 0,
},
/* postfix-log-formats.md §6 with public addresses: tlsproxy copies never count */
{
        .name = "tlsproxy_reuse_on",
        LINES(
        { 1, .ident = "postfix/tlsproxy", .pid = 22306, .msg = "CONNECT to [192.0.2.26]:25" },
        { 1, .ident = "postfix/tlsproxy", .pid = 22306, .msg = "Untrusted TLS connection established to mx.remote.example[192.0.2.26]:25" TLS13 },
        { 1, .pid = 22302, .msg = "Untrusted TLS connection established to mx.remote.example[192.0.2.26]:25" TLS13 },
        { 2, .pid = 22302, .msg = "62626A74485: to=<g@remote.example>, relay=mx.remote.example[192.0.2.26]:25" D ", tls=may" SENT,
          .want = WANT(OUTCOME_TLS, "remote.example", "mx.remote.example", TRUST_UNTRUSTED, "TLSv1.3", FAIL_NONE, "may") },
        { 3, .pid = 22311, .msg = "Untrusted TLS connection reused to 192.0.2.26[192.0.2.26]:25" TLS13 },
        { 3, .pid = 22311, .msg = "64952A74487: to=<h@remote.example>, relay=mx.remote.example[192.0.2.26]:25, conn_use=2" D ", tls=may?" SENT,
          .want = WANT(OUTCOME_TLS, "remote.example", "mx.remote.example", TRUST_UNTRUSTED, "TLSv1.3", FAIL_NONE, "may?") },
        { 4, .pid = 22321, .msg = "6A53AA7448B: to=<j@plain.example>, relay=mx.plain.example[192.0.2.27]:25" D ", tls=none" SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "plain.example", "mx.plain.example", TRUST_UNKNOWN, "", FAIL_NONE, "none") },
        { 5, .pid = 22328, .msg = "6D0B0A7448D: to=<k@plain.example>, relay=mx.plain.example[192.0.2.27]:25, conn_use=2" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "plain.example", "mx.plain.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        /* a tlsproxy line with the same pid as a later smtp delivery */
        { 6, .ident = "postfix/tlsproxy", .pid = 22330, .msg = "Verified TLS connection established to mx.plain.example[192.0.2.27]:25" TLS13 },
        { 6, .pid = 22330, .msg = "6D0B0A7448E: to=<l@plain.example>, relay=mx.plain.example[192.0.2.27]:25, conn_use=3" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "plain.example", "mx.plain.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        ),
        .tls_lines = 2, .tls_fields = 3, .evicted = 0, .sessions = 2,
},
{
        .name = "multi_recipient",
        LINES(
        { 1, .pid = 200, .msg = "Trusted TLS connection established to mx.multi.example[198.51.100.7]:25" TLS12 },
        { 2, .pid = 200, .msg = "4c8vgk2lXhzNcrX: to=<a@multi.example>, relay=mx.multi.example[198.51.100.7]:25" D SENT,
          .want = WANT(OUTCOME_TLS, "multi.example", "mx.multi.example", TRUST_TRUSTED, "TLSv1.2", FAIL_NONE, "") },
        { 2, .pid = 200, .msg = "4c8vgk2lXhzNcrX: to=<b@multi.example>, orig_to=<alias@multi.example>, relay=mx.multi.example[198.51.100.7]:25" D SENT,
          .want = WANT(OUTCOME_TLS, "multi.example", "mx.multi.example", TRUST_TRUSTED, "TLSv1.2", FAIL_NONE, "") },
        /* a rejected recipient on a TLS connection is not a TLS failure */
        { 2, .pid = 200, .msg = "4c8vgk2lXhzNcrX: to=<c@multi.example>, relay=mx.multi.example[198.51.100.7]:25, delay=0.2, delays=0/0/0.1/0.1, dsn=5.1.1, status=bounced (host mx.multi.example[198.51.100.7] said: 550 5.1.1 unknown user (in reply to RCPT TO command))",
          .want = WANT(OUTCOME_OTHER_FAILED, "multi.example", "mx.multi.example", TRUST_TRUSTED, "TLSv1.2", FAIL_NONE, "") },
        /* second queue id on the same session, no new TLS line: plaintext */
        { 3, .pid = 200, .msg = "4c8vgk2lXhzNcrY: to=<d@multi.example>, relay=mx.multi.example[198.51.100.7]:25, conn_use=2" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "multi.example", "mx.multi.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        ),
        .tls_lines = 1, .tls_fields = 0, .evicted = 0, .sessions = 0,
},
{
        .name = "cross_pid",
        LINES(
        { 1, .pid = 22302, .msg = "Untrusted TLS connection established to localhost.remote.example[203.0.113.5]:2626" TLS13 },
        { 1, .pid = 22302, .msg = "AAAA001: to=<a@remote.example>, relay=localhost.remote.example[203.0.113.5]:2626" D SENT,
          .want = WANT(OUTCOME_TLS, "remote.example", "localhost.remote.example", TRUST_UNTRUSTED, "TLSv1.3", FAIL_NONE, "") },
        /* B's reused line names the host of the handshake, relay= the current name */
        { 2, .pid = 22311, .msg = "Untrusted TLS connection reused to 203.0.113.5[203.0.113.5]:2626" TLS12 },
        { 2, .pid = 22311, .msg = "AAAA002: to=<b@remote.example>, relay=mx.remote.example[203.0.113.5]:2626, conn_use=2" D SENT,
          .want = WANT(OUTCOME_TLS, "remote.example", "mx.remote.example", TRUST_UNTRUSTED, "TLSv1.2", FAIL_NONE, "") },
        /* C reuses a connection without a reused line: plaintext */
        { 3, .pid = 22316, .msg = "AAAA003: to=<c@remote.example>, relay=mx.remote.example[203.0.113.5]:2626, conn_use=3" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "remote.example", "mx.remote.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        /* A's TLS line was claimed by A's first queue id */
        { 4, .pid = 22302, .msg = "AAAA004: to=<d@remote.example>, relay=mx.remote.example[203.0.113.5]:2626, conn_use=4" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "remote.example", "mx.remote.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        /* same address, other port: a TLS line never matches */
        { 5, .pid = 22320, .msg = "Verified TLS connection established to mx.remote.example[203.0.113.5]:25" TLS13 },
        { 5, .pid = 22320, .msg = "AAAA005: to=<e@remote.example>, relay=mx.remote.example[203.0.113.5]:2626" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "remote.example", "mx.remote.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        ),
        .tls_lines = 3, .tls_fields = 0, .evicted = 0, .sessions = 1,
},
{
        .name = "plaintext_fallback",
        LINES(
        { 1, .pid = 300, .msg = "Anonymous TLS connection established to mx.fb.example[192.0.2.44]:25" TLS12 },
        { 2, .pid = 300, .msg = "BBBB001: to=<a@fb.example>, relay=mx.fb.example[192.0.2.44]:25" D ", tls=may:none" SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "fb.example", "mx.fb.example", TRUST_UNKNOWN, "", FAIL_NONE, "may:none") },
        { 2, .pid = 300, .msg = "BBBB001: to=<b@fb.example>, relay=mx.fb.example[192.0.2.44]:25" D ", tls=may:none" SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "fb.example", "mx.fb.example", TRUST_UNKNOWN, "", FAIL_NONE, "may:none") },
        /* the TLS line's facts do not describe the plaintext retry */
        { 2, .pid = 300, .msg = "BBBB001: to=<c@fb.example>, relay=mx.fb.example[192.0.2.44]:25" D ", tls=may:none, dsn=5.1.1, status=bounced (host mx.fb.example[192.0.2.44] said: 550 5.1.1 no such user (in reply to RCPT TO command))",
          .want = WANT(OUTCOME_OTHER_FAILED, "fb.example", "mx.fb.example", TRUST_UNKNOWN, "", FAIL_NONE, "may:none") },
        ),
        .tls_lines = 1, .tls_fields = 3, .evicted = 0, .sessions = 1,
},
/* smtp_tls_loglevel = 0 on 3.11: no TLS line, tls= decides */
{
        .name = "tls_field_without_tls_line",
        LINES(
        { 1, .pid = 400, .msg = "CCCC001: to=<a@l0.example>, relay=mx.l0.example[192.0.2.50]:25" D ", tls=may" SENT,
          .want = WANT(OUTCOME_TLS, "l0.example", "mx.l0.example", TRUST_UNKNOWN, "", FAIL_NONE, "may") },
        { 2, .pid = 400, .msg = "CCCC002: to=<b@l0.example>, relay=mx.l0.example[192.0.2.50]:25" D ", tls=verify" SENT,
          .want = WANT(OUTCOME_TLS, "l0.example", "mx.l0.example", TRUST_UNKNOWN, "", FAIL_NONE, "verify") },
        { 3, .pid = 400, .msg = "CCCC003: to=<c@l0.example>, relay=mx.l0.example[192.0.2.50]:25" D ", tls=dane:encrypt" SENT,
          .want = WANT(OUTCOME_TLS, "l0.example", "mx.l0.example", TRUST_UNKNOWN, "", FAIL_NONE, "dane:encrypt") },
        { 4, .pid = 400, .msg = "CCCC004: to=<d@l0.example>, relay=mx.l0.example[192.0.2.50]:25" D ", tls=none" SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "l0.example", "mx.l0.example", TRUST_UNKNOWN, "", FAIL_NONE, "none") },
        { 5, .pid = 400, .msg = "CCCC005: to=<e@l0.example>, relay=mx.l0.example[192.0.2.50]:25" D ", tls=may/requiretls:none" SENT,
          .want = WANT(OUTCOME_TLS, "l0.example", "mx.l0.example", TRUST_UNKNOWN, "", FAIL_NONE, "may/requiretls:none") },
        /* conn_use with tls=may? and no reused line: plaintext */
        { 6, .pid = 401, .msg = "CCCC006: to=<f@l0.example>, relay=mx.l0.example[192.0.2.50]:25, conn_use=2" D ", tls=may?" SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "l0.example", "mx.l0.example", TRUST_UNKNOWN, "", FAIL_NONE, "may?") },
        ),
        .tls_lines = 0, .tls_fields = 6, .evicted = 0, .sessions = 0,
},
{
        .name = "tls_failures",
        LINES(
        { 1, .pid = 500, .msg = "DDDD001: to=<a@strict.example>, relay=mx.strict.example[192.0.2.60]:25" D ", tls=!encrypt, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host mx.strict.example[192.0.2.60])",
          .want = WANT(OUTCOME_TLS_FAILED, "strict.example", "mx.strict.example", TRUST_UNKNOWN, "", FAIL_STARTTLS_NOT_OFFERED, "!encrypt") },
        { 2, .pid = 501, .msg = "Untrusted TLS connection established to mx.v.example[192.0.2.61]:25" TLS13 },
        { 2, .pid = 501, .msg = "DDDD002: to=<b@v.example>, relay=mx.v.example[192.0.2.61]:25" D ", tls=!verify, dsn=4.7.5, status=deferred (Server certificate not verified)",
          .want = WANT(OUTCOME_TLS_FAILED, "v.example", "mx.v.example", TRUST_UNTRUSTED, "TLSv1.3", FAIL_CERT_NOT_VERIFIED, "!verify") },
        /* before 3.11: the detail line, the TLS line, then the reason text */
        { 3, .pid = 502, .msg = "server certificate verification failed for mx.w.example[192.0.2.62]:25: num=62:hostname mismatch" },
        { 3, .pid = 502, .msg = "Untrusted TLS connection established to mx.w.example[192.0.2.62]:25" TLS12 },
        { 3, .pid = 502, .msg = "DDDD003: to=<c@w.example>, relay=mx.w.example[192.0.2.62]:25" D ", dsn=4.7.5, status=deferred (Server certificate not verified)",
          .want = WANT(OUTCOME_TLS_FAILED, "w.example", "mx.w.example", TRUST_UNTRUSTED, "TLSv1.2", FAIL_CERT_NOT_VERIFIED, "") },
        /* a handshake failure detail for the same [ADDR]:PORT just before */
        { 4, .pid = 503, .msg = "SSL_connect error to mx.h.example[192.0.2.63]:25: -1" },
        { 4, .pid = 503, .msg = "DDDD004: to=<d@h.example>, relay=mx.h.example[192.0.2.63]:25" D ", dsn=4.4.2, status=deferred (lost connection with mx.h.example[192.0.2.63] while performing the EHLO handshake)",
          .want = WANT(OUTCOME_TLS_FAILED, "h.example", "mx.h.example", TRUST_UNKNOWN, "", FAIL_HANDSHAKE, "") },
        /* a non-final host not offering STARTTLS, then the last host defers */
        { 5, .pid = 504, .msg = "DDDD005: TLS is required, but was not offered by host mx1.q.example[192.0.2.64]" },
        { 5, .pid = 504, .msg = "DDDD005: to=<e@q.example>, relay=mx2.q.example[192.0.2.65]:25" D ", dsn=4.3.0, status=deferred (host mx2.q.example[192.0.2.65] said: 451 4.3.0 try later (in reply to RCPT TO command))",
          .want = WANT(OUTCOME_TLS_FAILED, "q.example", "mx2.q.example", TRUST_UNKNOWN, "", FAIL_STARTTLS_NOT_OFFERED, "") },
        /* the detail belonged to DDDD005 only */
        { 6, .pid = 504, .msg = "DDDD006: to=<f@q.example>, relay=mx2.q.example[192.0.2.65]:25" D ", dsn=4.3.0, status=deferred (host mx2.q.example[192.0.2.65] said: 451 4.3.0 try later (in reply to RCPT TO command))",
          .want = WANT(OUTCOME_OTHER_FAILED, "q.example", "mx2.q.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 7, .pid = 505, .msg = "DDDD007: to=<g@hs.example>, relay=mx.hs.example[192.0.2.66]:25" D ", tls=may?, dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)",
          .want = WANT(OUTCOME_TLS_FAILED, "hs.example", "mx.hs.example", TRUST_UNKNOWN, "", FAIL_HANDSHAKE, "may?") },
        ),
        /* 501, 502 and 503 keep theirs; DDDD006 dropped that of 504 */
        .tls_lines = 2, .tls_fields = 3, .evicted = 0, .sessions = 3,
},
{
        .name = "relay_none",
        LINES(
        { 1, .pid = 600, .msg = "warning: TLS policy lookup error for [mx.p.example]:25/mx.p.example: client TLS configuration problem" },
        { 1, .pid = 600, .msg = "warning: TLS policy lookup for [mx.p.example]:25/mx.p.example: client TLS configuration problem" },
        { 1, .pid = 600, .msg = "EEEE001: to=<a@p.example>, relay=none, delay=0.02, delays=0/0/0.02/0, tls=unknown?, dsn=4.7.5, status=deferred (client TLS configuration problem)",
          .want = WANT(OUTCOME_TLS_FAILED, "p.example", "", TRUST_UNKNOWN, "", FAIL_POLICY_LOOKUP, "unknown?") },
        { 2, .pid = 601, .msg = "connect to mx.down.example[192.0.2.70]:25: Connection refused" },
        { 2, .pid = 601, .msg = "EEEE002: to=<b@down.example>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to mx.down.example[192.0.2.70]:25: Connection refused)",
          .want = WANT(OUTCOME_OTHER_FAILED, "down.example", "", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        /* a pending policy warning applies only to relay=none */
        { 3, .pid = 602, .msg = "warning: TLS policy lookup for d.example/mx1.d.example: TLSA lookup error for mx1.d.example:25" },
        { 3, .pid = 602, .msg = "EEEE003: to=<c@d.example>, relay=mx2.d.example[192.0.2.71]:25" D ", dsn=4.4.2, status=deferred (conversation with mx2.d.example[192.0.2.71] timed out while sending MAIL FROM)",
          .want = WANT(OUTCOME_OTHER_FAILED, "d.example", "mx2.d.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        ),
        /* only pid 600 keeps state: its detail, bound to EEEE001 */
        .tls_lines = 0, .tls_fields = 1, .evicted = 0, .sessions = 1,
},
/* every hop to a content filter or a loopback relay is internal, except scan[192.0.2.99]:25 */
{
        .name = "internal",
        .internal = (const char *const[]) { "filter.lan", "[192.0.2.99]:10025", NULL },
        LINES(
        { 1, .pid = 700, .msg = "FFFF001: to=<a@ext.example>, relay=127.0.0.1[127.0.0.1]:10024" D ", dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as X)",
          .want = WANT(OUTCOME_INTERNAL, "ext.example", "127.0.0.1", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 2, .pid = 701, .msg = "FFFF002: to=<b@ext.example>, relay=localhost[::1]:10024" D SENT,
          .want = WANT(OUTCOME_INTERNAL, "ext.example", "localhost", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 3, .pid = 702, .msg = "FFFF003: to=<c@ext.example>, relay=filter.lan[192.0.2.98]:10024" D SENT,
          .want = WANT(OUTCOME_INTERNAL, "ext.example", "filter.lan", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 4, .pid = 703, .msg = "FFFF004: to=<d@ext.example>, relay=scan[192.0.2.99]:10025" D SENT,
          .want = WANT(OUTCOME_INTERNAL, "ext.example", "scan", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 5, .pid = 704, .msg = "FFFF005: to=<e@ext.example>, relay=scan[192.0.2.99]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "ext.example", "scan", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 6, .pid = 705, .msg = "FFFF006: to=<f@ext.example>, relay=localhost[127.0.0.1]:10024" D ", dsn=4.4.1, status=deferred (connect to localhost[127.0.0.1]:10024: Connection refused)",
          .want = WANT(OUTCOME_INTERNAL, "ext.example", "localhost", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 7, .ident = "postfix/lmtp", .pid = 706, .msg = "FFFF007: to=<g@ext.example>, relay=mail1.lan[private/dovecot-lmtp]" D SENT,
          .want = WANT(OUTCOME_INTERNAL, "ext.example", "mail1.lan", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 8, .pid = 707, .msg = "FFFF008: to=<h@ext.example>, relay=mx[::ffff:127.0.0.2]:25" D SENT,
          .want = WANT(OUTCOME_INTERNAL, "ext.example", "mx", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        ),
        .tls_lines = 0, .tls_fields = 0, .evicted = 0, .sessions = 0,
},
{
        .name = "ipv6",
        LINES(
        { 1, .pid = 800, .msg = "Verified TLS connection established to mx.six.example[2001:db8::25]:25" TLS13 },
        { 2, .pid = 800, .msg = "6A6A001: to=<a@six.example>, relay=mx.six.example[2001:DB8::25]:25" D SENT,
          .want = WANT(OUTCOME_TLS, "six.example", "mx.six.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "") },
        { 3, .pid = 801, .msg = "Verified TLS connection established to mx.six.example[2001:db8::26]:25" TLS13 },
        /* same host name, other address: no evidence */
        { 4, .pid = 801, .msg = "6A6A002: to=<b@six.example>, relay=mx.six.example[2001:db8::25]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "six.example", "mx.six.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        ),
        .tls_lines = 2, .tls_fields = 0, .evicted = 0, .sessions = 1,
},
{
        .name = "domains",
        LINES(
        { 1, .pid = 900, .msg = "7B7B001: to=<postmaster>, relay=MX.Dom.Example[192.0.2.80]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "(none)", "mx.dom.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 2, .pid = 900, .msg = "7B7B002: to=<x@bad_domain!>, relay=mx.dom.example[192.0.2.80]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "(invalid: syntax)", "mx.dom.example", TRUST_UNKNOWN, "", FAIL_NONE,
                       "") },
        { 3, .pid = 900, .msg = "7B7B003: to=<\"a b\"@Sub.DOM.example>, relay=mx.dom.example[192.0.2.80]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "sub.dom.example", "mx.dom.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        /* SMTPUTF8: the A-label; an address literal: its own name; bytes that are no UTF-8: apart */
        { 4, .pid = 900, .msg = "7B7B004: to=<u@B\xc3\xbc" "cher.example>, relay=mx.dom.example[192.0.2.80]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "xn--bcher-kva.example", "mx.dom.example", TRUST_UNKNOWN, "", FAIL_NONE,
                       "") },
        { 5, .pid = 900, .msg = "7B7B005: to=<u@[192.0.2.1]>, relay=mx.dom.example[192.0.2.80]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "[192.0.2.1]", "mx.dom.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 6, .pid = 900, .msg = "7B7B006: to=<u@b\xfc" "cher.example>, relay=mx.dom.example[192.0.2.80]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "(invalid: not UTF-8)", "mx.dom.example", TRUST_UNKNOWN, "", FAIL_NONE,
                       "") },
        ),
        .tls_lines = 0, .tls_fields = 0, .evicted = 0, .sessions = 0,
},
{
        .name = "evict_idle",
        .idle_sec = 61,
        LINES(
        { 0, .pid = 1000, .msg = "Verified TLS connection established to mx.i.example[192.0.2.90]:25" TLS13 },
        { 0, .pid = 1001, .msg = "Verified TLS connection established to mx.i.example[192.0.2.90]:25" TLS13 },
        { 60, .pid = 1000, .msg = "8C8C001: to=<a@i.example>, relay=mx.i.example[192.0.2.90]:25" D SENT,
          .want = WANT(OUTCOME_TLS, "i.example", "mx.i.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "") },
        /* another process moves log time past the idle limit of 1001 */
        { 62, .pid = 1002, .msg = "8C8C002: to=<b@i.example>, relay=mx.i.example[192.0.2.90]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "i.example", "mx.i.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 62, .pid = 1001, .msg = "8C8C003: to=<c@i.example>, relay=mx.i.example[192.0.2.90]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "i.example", "mx.i.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        ),
        /* pid 1000 keeps its claimed state for more lines of 8C8C001 */
        .tls_lines = 2, .tls_fields = 0, .evicted = 1, .sessions = 1,
},
/* TLS lines by pids 1..4 (cap 3), pid 1 touched again before pid 4 arrives: pid 2 is evicted */
{
        .name = "evict_lru",
        .max_sessions = 3,
        LINES(
        { 1, .pid = 1, .msg = "Verified TLS connection established to mx.l.example[192.0.2.1]:25" TLS13, .sessions = SESSIONS(1) },
        { 2, .pid = 2, .msg = "Verified TLS connection established to mx.l.example[192.0.2.2]:25" TLS13, .sessions = SESSIONS(2) },
        { 3, .pid = 3, .msg = "Verified TLS connection established to mx.l.example[192.0.2.3]:25" TLS13, .sessions = SESSIONS(3) },
        { 3, .pid = 1, .msg = "Verified TLS connection established to mx.l.example[192.0.2.1]:25" TLS13 },
        { 4, .pid = 4, .msg = "Verified TLS connection established to mx.l.example[192.0.2.4]:25" TLS13, .sessions = SESSIONS(3) },
        { 10, .pid = 1, .msg = "9D9D001: to=<x@l.example>, relay=mx.l.example[192.0.2.1]:25" D SENT,
          .want = WANT(OUTCOME_TLS, "l.example", "mx.l.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "") },
        { 10, .pid = 2, .msg = "9D9D002: to=<x@l.example>, relay=mx.l.example[192.0.2.2]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "l.example", "mx.l.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 10, .pid = 3, .msg = "9D9D003: to=<x@l.example>, relay=mx.l.example[192.0.2.3]:25" D SENT,
          .want = WANT(OUTCOME_TLS, "l.example", "mx.l.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "") },
        { 10, .pid = 4, .msg = "9D9D004: to=<x@l.example>, relay=mx.l.example[192.0.2.4]:25" D SENT,
          .want = WANT(OUTCOME_TLS, "l.example", "mx.l.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "") },
        ),
        .tls_lines = 5, .tls_fields = 0, .evicted = 1, .sessions = 3,
},
/* A realistic day of two hosts, two boots, all kinds of lines, with evictions (idle 300 s, cap 4). */
{
        .name = "day",
        .idle_sec = 300,
        .max_sessions = 4,
        LINES(
        { 0, .pid = 10, .msg = "Verified TLS connection established to mx1.a.example[192.0.2.1]:25" TLS13 },
        { 0, .pid = 11, .host = "mail2", .msg = "Trusted TLS connection established to mx.b.example[192.0.2.2]:25" TLS12 },
        { 1, .pid = 10, .msg = "AE00001: to=<u1@a.example>, relay=mx1.a.example[192.0.2.1]:25" D ", tls=verify" SENT,
          .want = WANT(OUTCOME_TLS, "a.example", "mx1.a.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "verify") },
        { 1, .ident = "postfix/tlsproxy", .pid = 99, .msg = "Verified TLS connection established to mx1.a.example[192.0.2.1]:25" TLS13 },
        { 1, .pid = 12, .msg = "Untrusted TLS connection reused to mx1.a.example[192.0.2.1]:25" TLS13 },
        { 2, .pid = 10, .msg = "AE00001: to=<u2@a.example>, relay=mx1.a.example[192.0.2.1]:25" D ", tls=verify" SENT,
          .want = WANT(OUTCOME_TLS, "a.example", "mx1.a.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "verify") },
        { 2, .pid = 11, .host = "mail2", .msg = "AE00002: to=<u3@b.example>, relay=mx.b.example[192.0.2.2]:25" D SENT,
          .want = WANT(OUTCOME_TLS, "b.example", "mx.b.example", TRUST_TRUSTED, "TLSv1.2", FAIL_NONE, "") },
        { 3, .pid = 12, .msg = "AE00003: to=<u4@a.example>, relay=mx1.a.example[192.0.2.1]:25, conn_use=2" D ", tls=verify?" SENT,
          .want = WANT(OUTCOME_TLS, "a.example", "mx1.a.example", TRUST_UNTRUSTED, "TLSv1.3", FAIL_NONE, "verify?") },
        { 3, .pid = 13, .boot = "b1", .msg = "SSL_connect error to mx.c.example[192.0.2.3]:25: -1" },
        { 4, .pid = 13, .boot = "b1", .msg = "AE00004: to=<u5@c.example>, relay=mx.c.example[192.0.2.3]:25" D ", dsn=4.4.2, status=deferred (lost connection with mx.c.example[192.0.2.3] while performing the EHLO handshake)",
          .want = WANT(OUTCOME_TLS_FAILED, "c.example", "mx.c.example", TRUST_UNKNOWN, "", FAIL_HANDSHAKE, "") },
        { 4, .pid = 14, .msg = "warning: TLS policy lookup for [mx.p.example]:25/mx.p.example: client TLS configuration problem" },
        { 5, .pid = 14, .msg = "AE00005: to=<u6@p.example>, relay=none, delay=0.02, delays=0/0/0.02/0, tls=unknown?, dsn=4.7.5, status=deferred (client TLS configuration problem)",
          .want = WANT(OUTCOME_TLS_FAILED, "p.example", "", TRUST_UNKNOWN, "", FAIL_POLICY_LOOKUP, "unknown?") },
        { 5, .pid = 15, .msg = "Anonymous TLS connection established to mx.d.example[2001:db8::d]:25" TLS12 },
        { 6, .pid = 11, .host = "mail2", .msg = "AE00006: to=<u7@b.example>, relay=mx.b.example[192.0.2.2]:25, conn_use=2" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "b.example", "mx.b.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 6, .pid = 16, .msg = "Verified TLS connection established to mx.e.example[192.0.2.5]:25" TLS13 },
        { 7, .pid = 17, .msg = "AE00007: to=<u8@f.example>, relay=127.0.0.1[127.0.0.1]:10024" D SENT,
          .want = WANT(OUTCOME_INTERNAL, "f.example", "127.0.0.1", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 8, .pid = 15, .msg = "AE00008: to=<u9@d.example>, relay=mx.d.example[2001:db8::d]:25" D ", tls=may:none" SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "d.example", "mx.d.example", TRUST_UNKNOWN, "", FAIL_NONE, "may:none") },
        { 8, .pid = 18, .msg = "AE00009: TLS is required, but was not offered by host mx1.g.example[192.0.2.7]" },
        { 9, .pid = 18, .msg = "AE00009: to=<v1@g.example>, relay=mx2.g.example[192.0.2.8]:25" D ", dsn=4.3.0, status=deferred (host mx2.g.example[192.0.2.8] said: 451 4.3.0 later (in reply to RCPT TO command))",
          .want = WANT(OUTCOME_TLS_FAILED, "g.example", "mx2.g.example", TRUST_UNKNOWN, "", FAIL_STARTTLS_NOT_OFFERED, "") },
        { 9, .pid = 18, .msg = "AE00009: to=<v2@g.example>, relay=mx2.g.example[192.0.2.8]:25" D ", dsn=4.3.0, status=deferred (host mx2.g.example[192.0.2.8] said: 451 4.3.0 later (in reply to RCPT TO command))",
          .want = WANT(OUTCOME_TLS_FAILED, "g.example", "mx2.g.example", TRUST_UNKNOWN, "", FAIL_STARTTLS_NOT_OFFERED, "") },
        { 10, .pid = 19, .host = "mail2", .msg = "Verified TLS connection established to mx.h.example[192.0.2.9]:25" TLS13 },
        { 10, .pid = 20, .host = "mail2", .msg = "Verified TLS connection established to mx.h.example[192.0.2.9]:25" TLS13 },
        /* pid 16 was armed at 6 s and is evicted (idle 300 s) when log time reaches 400 s */
        { 400, .pid = 21, .msg = "Verified TLS connection established to mx.k.example[192.0.2.11]:25" TLS13 },
        { 401, .pid = 16, .msg = "AE00010: to=<v3@e.example>, relay=mx.e.example[192.0.2.5]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "e.example", "mx.e.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 401, .pid = 21, .msg = "AE00011: to=<v4@k.example>, relay=mx.k.example[192.0.2.11]:25" D SENT,
          .want = WANT(OUTCOME_TLS, "k.example", "mx.k.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "") },
        { 401, .pid = 21, .msg = "AE00017: to=<w1@k.example>, relay=mx.k.example[192.0.2.11]:25, conn_use=2" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "k.example", "mx.k.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 402, .pid = 22, .msg = "Verified TLS connection established to mx.k.example[192.0.2.11]:25" TLS13 },
        { 402, .pid = 23, .msg = "Verified TLS connection established to mx.k.example[192.0.2.11]:25" TLS13 },
        { 402, .pid = 24, .msg = "Verified TLS connection established to mx.k.example[192.0.2.11]:25" TLS13 },
        { 402, .pid = 25, .msg = "Verified TLS connection established to mx.k.example[192.0.2.11]:25" TLS13 },
        { 402, .pid = 26, .msg = "Verified TLS connection established to mx.k.example[192.0.2.11]:25" TLS13 },
        /* cap 4: pid 22 is the oldest and lost */
        { 403, .pid = 22, .msg = "AE00012: to=<v5@k.example>, relay=mx.k.example[192.0.2.11]:25" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "k.example", "mx.k.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        { 403, .pid = 25, .msg = "AE00013: to=<v6@k.example>, relay=mx.k.example[192.0.2.11]:25" D SENT,
          .want = WANT(OUTCOME_TLS, "k.example", "mx.k.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "") },
        { 403, .pid = 23, .msg = "AE00014: to=<v7@k.example>, relay=mx.k.example[192.0.2.11]:25" D ", tls=!secure, dsn=4.7.5, status=deferred (Server certificate not verified)",
          .want = WANT(OUTCOME_TLS_FAILED, "k.example", "mx.k.example", TRUST_VERIFIED, "TLSv1.3", FAIL_CERT_NOT_VERIFIED, "!secure") },
        { 404, .pid = 24, .msg = "AE00015: to=<v8@k.example>, relay=mx.k.example[192.0.2.11]:25" D SENT,
          .want = WANT(OUTCOME_TLS, "k.example", "mx.k.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "") },
        { 404, .pid = 24, .msg = "AE00016: to=<v9@k.example>, relay=mx.k.example[192.0.2.11]:25, conn_use=2" D SENT,
          .want = WANT(OUTCOME_PLAINTEXT, "k.example", "mx.k.example", TRUST_UNKNOWN, "", FAIL_NONE, "") },
        ),
        /* 6 over the cap before 400 s, 4 idle at 400 s, pid 22 */
        .tls_lines = 13, .tls_fields = 6, .evicted = 11, .sessions = 3,
},
};

/* test_scenario - run one row of the table */
static void test_scenario(void **state) {
        const Scenario *sc = *state;
        uint64_t kinds[_OUTCOME_KIND_MAX] = { 0 }, wants = 0;
        CorrelateStats st;
        Sink s;
        Correlator *c = new_correlator(&s, sc->idle_sec, sc->max_sessions, sc->internal);

        for (size_t i = 0; i < sc->n_lines; i++) {
                const Line *l = &sc->lines[i];
                size_t before = s.n;
                int r = feed(c, l);

                if (r != (l->want ? 1 : 0) || s.n != before + (l->want ? 1 : 0))
                        fail_msg("%s, line %zu: correlate_feed() = %d with %zu outcome(s), want %d with %d",
                                 sc->name, i, r, s.n - before, l->want ? 1 : 0, l->want ? 1 : 0);
                if (l->want) {
                        expect(sc->name, i, &s.v[before], l);
                        kinds[l->want->kind]++;
                        wants++;
                }
                if (l->sessions && correlator_sessions(c) != *l->sessions)
                        fail_msg("%s, line %zu: %zu sessions, want %zu", sc->name, i, correlator_sessions(c),
                                 *l->sessions);
        }
        correlator_stats(c, &st);
        expect_count(sc->name, "deliveries", st.deliveries, wants);
        for (int k = 0; k < _OUTCOME_KIND_MAX; k++)
                expect_count(sc->name, outcome_kind_to_string((OutcomeKind) k), st.outcomes[k], kinds[k]);
        expect_count(sc->name, "tls_lines", st.tls_lines, sc->tls_lines);
        expect_count(sc->name, "tls_fields", st.tls_fields, sc->tls_fields);
        expect_count(sc->name, "evicted", st.evicted, sc->evicted);
        expect_count(sc->name, "sessions", correlator_sessions(c), sc->sessions);
        correlator_free(c);
}

static const Scenario *scenario(const char *name) {
        for (size_t i = 0; i < ELEMENTS(scenarios); i++)
                if (strcmp(scenarios[i].name, name) == 0)
                        return &scenarios[i];
        fail_msg("no scenario %s", name);
        return NULL;
}

/* even an event built by hand for a tlsproxy record is not counted */
static void test_tlsproxy_event_ignored(void **state) {
        static const char *msg = "Verified TLS connection established to mx.x.example[192.0.2.1]:25" TLS13;
        PfRecord rec = { .realtime_usec = T0, .boot_id = "b", .hostname = "h", .identifier = "postfix-out/tlsproxy",
                         .pid = 7, .message = msg, .message_len = strlen(msg) };
        const Line del = { 2, .host = "h", .boot = "b", .pid = 7,
                .msg = "AAAAA1: to=<a@x.example>, relay=mx.x.example[192.0.2.1]:25" D SENT,
                .want = WANT(OUTCOME_PLAINTEXT, "x.example", "mx.x.example", TRUST_UNKNOWN, "", FAIL_NONE, "") };
        CorrelateStats st;
        Event ev = { .type = EVENT_TLS_ESTABLISHED };
        Sink s;
        Correlator *c = new_correlator(&s, 0, 0, NULL);

        assert_int_equal(parse_tls_line(span_make(msg, strlen(msg)), &ev.tls, &(const char *) { NULL }), 1);
        assert_int_equal(correlate_feed(c, &rec, &ev), 0);
        assert_int_equal(correlator_sessions(c), 0);
        assert_int_equal(feed(c, &del), 1);
        assert_int_equal(s.n, 1);
        expect("tlsproxy_event_ignored", 0, &s.v[0], &del);
        correlator_stats(c, &st);
        assert_int_equal(st.tls_lines, 0);
        correlator_free(c);
}

static void run_split(const Scenario *sc, size_t k, Sink *s) {
        const CorrelateLimits lim = { .idle_usec = sc->idle_sec * SEC, .max_sessions = sc->max_sessions };
        _cleanup_free_ char *blob = NULL;
        Correlator *a, *b;
        size_t len = 0;

        a = new_correlator(s, sc->idle_sec, sc->max_sessions, NULL);
        feed_all(a, sc->lines, k);
        assert_int_equal(correlator_save(a, &blob, &len), 0);
        assert_int_equal(strlen(blob), len);
        correlator_free(a);

        b = correlator_new(&lim, sink_fn, s);
        assert_non_null(b);
        assert_int_equal(correlator_load(b, blob, len), 0);
        feed_all(b, sc->lines + k, sc->n_lines - k);
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

/* The "day" scenario cut anywhere, the state saved and loaded into a new
 * correlator: the same outcomes as in one run (which test_scenario checks). */
static void test_save_load_every_cut(void **state) {
        static Sink ref, got;
        const Scenario *sc = scenario("day");
        const CorrelateLimits lim = { .idle_usec = sc->idle_sec * SEC, .max_sessions = sc->max_sessions };
        Correlator *c;
        size_t n = sc->n_lines;

        c = new_correlator(&ref, sc->idle_sec, sc->max_sessions, NULL);
        feed_all(c, sc->lines, n);
        correlator_free(c);

        for (size_t k = 0; k <= n; k++) {
                run_split(sc, k, &got);
                assert_same_outcomes(&ref, &got, k);
        }

        /* a new correlator for every single record, state handed over each time */
        c = new_correlator(&got, sc->idle_sec, sc->max_sessions, NULL);
        for (size_t k = 0; k < n; k++) {
                _cleanup_free_ char *blob = NULL;
                size_t len;

                assert_true(feed(c, &sc->lines[k]) >= 0);
                assert_int_equal(correlator_save(c, &blob, &len), 0);
                correlator_free(c);
                c = correlator_new(&lim, sink_fn, &got);
                assert_non_null(c);
                assert_int_equal(correlator_load(c, blob, len), 0);
        }
        correlator_free(c);
        assert_same_outcomes(&ref, &got, n);
}

static void test_save_escaping(void **state) {
        static const char *host = "mail host%1\x01\xc3\xa9-";
        const Line lines[] = {
                { 1, .pid = 42, .boot = "", .msg = "Verified TLS connection established to mx.z.example[192.0.2.200]:25" TLS13 },
                { 2, .pid = 43, .boot = "-", .msg = "Verified TLS connection established to mx.z.example[192.0.2.201]:25" TLS13 },
                { 3, .pid = 42, .boot = "", .msg = "ABC0001: to=<a@z.example>, relay=mx.z.example[192.0.2.200]:25" D SENT,
                  .want = WANT(OUTCOME_TLS, "z.example", "mx.z.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "") },
                { 3, .pid = 43, .boot = "-", .msg = "ABC0002: to=<a@z.example>, relay=mx.z.example[192.0.2.201]:25" D SENT,
                  .want = WANT(OUTCOME_TLS, "z.example", "mx.z.example", TRUST_VERIFIED, "TLSv1.3", FAIL_NONE, "") },
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
        expect("save_escaping", 2, &s.v[0], &l[2]);
        expect("save_escaping", 3, &s.v[1], &l[3]);
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
        static const struct CMUnitTest others[] = {
                cmocka_unit_test(test_tlsproxy_event_ignored),
                cmocka_unit_test(test_save_load_every_cut),
                cmocka_unit_test(test_save_escaping),
                cmocka_unit_test(test_load_corrupt),
                cmocka_unit_test(test_load_over_cap),
                cmocka_unit_test(test_outcome_kind_strings),
        };
        struct CMUnitTest tests[ELEMENTS(scenarios) + ELEMENTS(others)];

        for (size_t i = 0; i < ELEMENTS(scenarios); i++)
                tests[i] = (struct CMUnitTest) {
                        .name = scenarios[i].name,
                        .test_func = test_scenario,
                        .initial_state = (void *) &scenarios[i],
                };
        memcpy(tests + ELEMENTS(scenarios), others, sizeof(others));
        return cmocka_run_group_tests(tests, NULL, NULL);
}

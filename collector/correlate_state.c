/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        correlate_state - save and load the pending correlation state
 * SYNOPSIS
 *        #include "correlate.h"
 *        int correlator_save(Correlator *c, char **ret, size_t *ret_len);
 *        int correlator_load(Correlator *c, const char *data, size_t len);
 * DESCRIPTION
 *        Text, one record per line, fields separated by one space:
 *
 *        blob     = "mxtls-correlate 1" LF "now " u64 LF *session "end " count LF
 *        session  = "S" 20( SP field ) LF     ; oldest first (LRU order)
 *                   boot host pid last_usec
 *                   tls_armed tls_addr tls_port tls_has_port trust protocol cipher claimant
 *                   fail_armed fail_qid fail_has_peer fail_addr fail_port fail_has_port
 *                   reason fail_claimant
 *        field    = "-"                      ; empty string
 *                 / 1*( %x21-24 / %x26-7E / "%" 2HEXDIG )  ; other bytes as %HH
 *
 *        Numbers are plain decimal, flags "0"/"1", trust and reason their
 *        stable names. Loading is strict: any deviation is -EBADMSG.
 */
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "correlate_private.h"
#include "strbuf.h"

#define STATE_MAGIC "mxtls-correlate 1"
#define SESSION_FIELDS 21

static bool byte_is_plain(unsigned char ch) {
        return ch > 0x20 && ch < 0x7f && ch != '%';
}

static void put_field(StrBuf *b, const char *s) {
        static const char hex[] = "0123456789ABCDEF";

        strbuf_putc(b, ' ');
        if (s[0] == '\0') {
                strbuf_putc(b, '-');
                return;
        }
        if (strcmp(s, "-") == 0) {
                strbuf_puts(b, "%2D");
                return;
        }
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (byte_is_plain(*p))
                        strbuf_putc(b, (char) *p);
                else {
                        strbuf_putc(b, '%');
                        strbuf_putc(b, hex[*p >> 4]);
                        strbuf_putc(b, hex[*p & 15]);
                }
        }
}

static const char *nonnull(const char *s) {
        return s ? s : "";
}

static void put_peer(StrBuf *b, const PeerKey *k) {
        put_field(b, k->addr);
        strbuf_printf(b, " %u %d", k->port, k->has_port);
}

static void put_session(StrBuf *b, const Session *s) {
        strbuf_putc(b, 'S');
        put_field(b, s->boot_id);
        put_field(b, s->hostname);
        strbuf_printf(b, " %u %llu %d", s->pid, (unsigned long long) s->last_usec, s->tls.armed);
        put_peer(b, &s->tls.peer);
        put_field(b, s->tls.trust == TRUST_UNKNOWN ? "" : nonnull(trust_to_string(s->tls.trust)));
        put_field(b, s->tls.protocol);
        put_field(b, s->tls.cipher);
        put_field(b, s->tls.claimant);
        strbuf_printf(b, " %d", s->fail.armed);
        put_field(b, s->fail.queue_id);
        strbuf_printf(b, " %d", s->fail.has_peer);
        put_peer(b, &s->fail.peer);
        put_field(b, s->fail.reason == FAIL_NONE ? "" : nonnull(fail_reason_to_string(s->fail.reason)));
        put_field(b, s->fail.claimant);
        strbuf_putc(b, '\n');
}

int correlator_save(Correlator *c, char **ret, size_t *ret_len) {
        StrBuf b;
        uint64_t n = 0;

        if (!c || !ret)
                return -EINVAL;
        strbuf_init(&b);
        strbuf_printf(&b, STATE_MAGIC "\nnow %llu\n", (unsigned long long) c->now_usec);
        for (Session *s = correlate_table_oldest(&c->table); s; s = correlate_table_newer(&c->table, s)) {
                put_session(&b, s);
                n++;
        }
        strbuf_printf(&b, "end %llu\n", (unsigned long long) n);
        if (b.oom || !b.data) {
                strbuf_free(&b);
                return -ENOMEM;
        }
        if (ret_len)
                *ret_len = b.len;
        *ret = b.data;
        return 0;
}

static int hexval(char ch) {
        if (ch >= '0' && ch <= '9')
                return ch - '0';
        if (ch >= 'A' && ch <= 'F')
                return ch - 'A' + 10;
        if (ch >= 'a' && ch <= 'f')
                return ch - 'a' + 10;
        return -1;
}

/* get_field - decode one escaped field into buf; -EBADMSG when malformed or too long */
static int get_field(Span f, char *buf, size_t bufsz) {
        size_t o = 0;

        if (f.n == 1 && f.p[0] == '-') {
                buf[0] = '\0';
                return 0;
        }
        for (size_t i = 0; i < f.n; i++) {
                unsigned char ch = (unsigned char) f.p[i];

                if (ch == '%') {
                        int hi, lo;

                        if (i + 2 >= f.n)
                                return -EBADMSG;
                        hi = hexval(f.p[i + 1]);
                        lo = hexval(f.p[i + 2]);
                        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                                return -EBADMSG;
                        ch = (unsigned char) (hi << 4 | lo);
                        i += 2;
                } else if (!byte_is_plain(ch))
                        return -EBADMSG;
                if (o + 1 >= bufsz)
                        return -EBADMSG;
                buf[o++] = (char) ch;
        }
        if (o == 0)
                return -EBADMSG;
        buf[o] = '\0';
        return 0;
}

static int get_flag(Span f, bool *ret) {
        if (f.n != 1 || (f.p[0] != '0' && f.p[0] != '1'))
                return -EBADMSG;
        *ret = f.p[0] == '1';
        return 0;
}

static int get_u32(Span f, uint32_t *ret) {
        return span_to_u32(f, ret) < 0 ? -EBADMSG : 0;
}

static int get_u64(Span f, uint64_t *ret) {
        return span_to_u64(f, ret) < 0 ? -EBADMSG : 0;
}

/* Splits a line into exactly n fields separated by single spaces. */
static int split_fields(Span line, Span *f, size_t n) {
        size_t k = 0, start = 0;

        for (size_t i = 0; i <= line.n; i++) {
                if (i < line.n && line.p[i] != ' ')
                        continue;
                if (i == start || k == n)
                        return -EBADMSG;        /* empty field or too many */
                f[k++] = span_make(line.p + start, i - start);
                start = i + 1;
        }
        return k == n ? 0 : -EBADMSG;
}

static int get_peer(const Span *f, PeerKey *k) {
        uint32_t port;
        bool has_port;

        if (get_field(f[0], k->addr, sizeof(k->addr)) < 0 || get_u32(f[1], &port) < 0 ||
            get_flag(f[2], &has_port) < 0)
                return -EBADMSG;
        k->port = port;
        k->has_port = has_port;
        return 0;
}

static int load_session(Correlator *c, Span line) {
        char boot[PF_BOOT_ID_MAX + 1], host[PF_HOSTNAME_MAX + 1], word[32];
        PendingTls t = { .armed = false };
        PendingFailure fl = { .armed = false };
        Span f[SESSION_FIELDS];
        uint64_t last;
        uint32_t pid;
        Session *s;
        int r;

        if (split_fields(line, f, SESSION_FIELDS) < 0 || !span_eq(f[0], "S"))
                return -EBADMSG;
        if (get_field(f[1], boot, sizeof(boot)) < 0 || get_field(f[2], host, sizeof(host)) < 0 ||
            get_u32(f[3], &pid) < 0 || get_u64(f[4], &last) < 0)
                return -EBADMSG;

        if (get_flag(f[5], &t.armed) < 0 || get_peer(f + 6, &t.peer) < 0 ||
            get_field(f[9], word, sizeof(word)) < 0 ||
            get_field(f[10], t.protocol, sizeof(t.protocol)) < 0 ||
            get_field(f[11], t.cipher, sizeof(t.cipher)) < 0 ||
            get_field(f[12], t.claimant, sizeof(t.claimant)) < 0)
                return -EBADMSG;
        if (word[0] == '\0')
                t.trust = TRUST_UNKNOWN;
        else {
                t.trust = trust_from_string(word);
                if (t.trust <= TRUST_UNKNOWN || t.trust >= _TRUST_MAX)
                        return -EBADMSG;
        }

        if (get_flag(f[13], &fl.armed) < 0 || get_field(f[14], fl.queue_id, sizeof(fl.queue_id)) < 0 ||
            get_flag(f[15], &fl.has_peer) < 0 || get_peer(f + 16, &fl.peer) < 0 ||
            get_field(f[19], word, sizeof(word)) < 0 ||
            get_field(f[20], fl.claimant, sizeof(fl.claimant)) < 0)
                return -EBADMSG;
        if (word[0] == '\0')
                fl.reason = FAIL_NONE;
        else {
                fl.reason = fail_reason_from_string(word);
                if (fl.reason <= FAIL_NONE || fl.reason >= _FAIL_REASON_MAX)
                        return -EBADMSG;
        }
        if (fl.armed && fl.reason == FAIL_NONE)
                return -EBADMSG;

        if (correlate_table_find(&c->table, boot, host, pid))
                return -EBADMSG;        /* duplicate session */
        r = correlate_table_add(&c->table, boot, host, pid, last, &s, &c->stats.evicted);
        if (r < 0)
                return r;
        s->tls = t;
        s->fail = fl;
        return 0;
}

static int next_line(const char **p, const char *end, Span *ret) {
        const char *nl;

        if (*p >= end)
                return -EBADMSG;
        nl = memchr(*p, '\n', (size_t) (end - *p));
        if (!nl)
                return -EBADMSG;        /* truncated */
        *ret = span_make(*p, (size_t) (nl - *p));
        *p = nl + 1;
        return 0;
}

static int load_all(Correlator *c, const char *data, size_t len) {
        const char *p = data, *end = data + len;
        uint64_t n = 0, want;
        Span line;
        int r;

        if (memchr(data, '\0', len))
                return -EBADMSG;
        if (next_line(&p, end, &line) < 0 || !span_eq(line, STATE_MAGIC))
                return -EBADMSG;
        if (next_line(&p, end, &line) < 0 || !span_startswith(line, "now ") ||
            get_u64(span_make(line.p + 4, line.n - 4), &c->now_usec) < 0)
                return -EBADMSG;

        for (;;) {
                if (next_line(&p, end, &line) < 0)
                        return -EBADMSG;
                if (span_startswith(line, "end "))
                        break;
                r = load_session(c, line);
                if (r < 0)
                        return r;
                n++;
        }
        if (get_u64(span_make(line.p + 4, line.n - 4), &want) < 0 || want != n || p != end)
                return -EBADMSG;
        return 0;
}

int correlator_load(Correlator *c, const char *data, size_t len) {
        uint64_t now, evicted;
        int r;

        if (!c || (!data && len > 0))
                return -EINVAL;
        if (!data)
                return -EBADMSG;
        now = c->now_usec;
        evicted = c->stats.evicted;
        correlate_table_clear(&c->table);
        r = load_all(c, data, len);
        if (r < 0) {
                correlate_table_clear(&c->table);
                c->now_usec = now;
                c->stats.evicted = evicted;
        }
        return r;
}

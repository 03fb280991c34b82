/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        parse_tls - parse the SMTP client's TLS summary line
 * SYNOPSIS
 *        #include "parse.h"
 *        int parse_tls_line(Span msg, TlsLine *ret, const char **reterr_reason);
 * DESCRIPTION
 *        Accepts every historical client-side form (tls_client_start() before
 *        3.4, tls_log_summary() since):
 *
 *            tls-line  = old-form / new-form
 *            old-form  = "TLS connection established to " host ": " summary   ; 2.2-2.4
 *            new-form  = trust " TLS connection " ("established" / "reused")
 *                        " to " peer ": " summary                            ; 2.5+, reused 3.4+
 *            trust     = "Anonymous" / "Untrusted" / "Trusted" / "Verified"   ; vocab.h
 *            peer      = host "[" addr "]" [":" port]   ; no port: LMTP over a UNIX socket
 *            summary   = proto " with cipher " cipher " (" 1*DIGIT "/" 1*DIGIT " bits)"
 *                        [kex] [ssig] [csig] [" " future-text]
 *            kex       = " key-exchange " name [" (" detail ")"]
 *            ssig      = " server-signature " name [" (" detail ")"] [" server-digest " name]
 *            csig      = " client-signature " name [" (" detail ")"] [" client-digest " name]
 *            detail    = curve [" raw public key"] / 1*DIGIT (" bits" / " bit raw public key")
 *                      / "raw public key"
 *
 *        The server side ("... established from ...") is not a client line and
 *        is ignored. Text after the known suffixes that starts with a space is
 *        tolerated (a later Postfix may add suffixes); a known suffix that is
 *        cut short is malformed.
 * DIAGNOSTICS
 *        1 parsed, 0 not a client TLS line, -EBADMSG malformed.
 */
#include <stdbool.h>
#include <string.h>

#include "parse.h"
#include "parse_util.h"

#define TLS_NAME_MAX 64                 /* longest protocol or cipher name accepted */

/* tls_trust_word - map the first word of a new-form line; the empty word is no trust word */
static Trust tls_trust_word(Span w) {
        Trust t = trust_from_string_n(w.p, w.n);

        return t == TRUST_UNKNOWN ? _TRUST_INVALID : t;
}

/* tls_suffix_name - " keyword NAME [(DETAIL)]" after the keyword was consumed */
static int tls_suffix_name(Span *s, Span *ret_name, Span *ret_detail, const char **reterr_reason) {
        Span name = sp_token(*s);
        size_t close;

        if (name.n == 0)
                return sp_bad(reterr_reason, "TLS line: suffix without a name");
        *ret_name = name;
        sp_skip(s, name.n);
        if (!ret_detail || !SP_PREFIX(*s, " ("))
                return 0;
        sp_skip(s, 2);
        close = sp_chr(*s, ')');
        if (close == SIZE_MAX || close == 0)
                return sp_bad(reterr_reason, "TLS line: unterminated suffix detail");
        *ret_detail = sp_head(*s, close);
        sp_skip(s, close + 1);
        return 0;
}

/* tls_suffixes - the optional TLS 1.3 parts after "(U/A bits)" */
static int tls_suffixes(Span s, TlsLine *t, const char **reterr_reason) {
        int r;

        while (s.n > 0) {
                if (s.p[0] != ' ')
                        return sp_bad(reterr_reason, "TLS line: unexpected text after cipher bits");
                if (SP_CONSUME(&s, " key-exchange ")) {
                        r = tls_suffix_name(&s, &t->kex, &t->kex_detail, reterr_reason);
                } else if (SP_CONSUME(&s, " server-signature ")) {
                        r = tls_suffix_name(&s, &t->server_signature, &t->server_signature_detail,
                                            reterr_reason);
                        if (r >= 0 && SP_CONSUME(&s, " server-digest "))
                                r = tls_suffix_name(&s, &t->server_digest, NULL, reterr_reason);
                } else if (SP_CONSUME(&s, " client-signature ")) {
                        r = tls_suffix_name(&s, &t->client_signature, &t->client_signature_detail,
                                            reterr_reason);
                        if (r >= 0 && SP_CONSUME(&s, " client-digest "))
                                r = tls_suffix_name(&s, &t->client_digest, NULL, reterr_reason);
                } else if (SP_EQ(s, " key-exchange") || SP_EQ(s, " server-signature") ||
                           SP_EQ(s, " server-digest") || SP_EQ(s, " client-signature") ||
                           SP_EQ(s, " client-digest")) {
                        return sp_bad(reterr_reason, "TLS line: suffix without a name");
                } else
                        return 0;       /* unknown later addition: keep what we have */
                if (r < 0)
                        return r;
        }
        return 0;
}

/* tls_name_ok - a protocol or cipher name: OpenSSL spells them with letters,
 * digits and a few punctuation characters; anything else (control bytes,
 * quotes, markup, non-ASCII) is not a name and must not reach a report */
static bool tls_name_ok(Span n, const char *extra) {
        if (n.n == 0 || n.n > TLS_NAME_MAX)
                return false;
        for (size_t i = 0; i < n.n; i++)
                if (!sp_is_alnum(n.p[i]) && !strchr(extra, n.p[i]))
                        return false;
        return true;
}

/* tls_summary - "proto with cipher C (U/A bits)..." */
static int tls_summary(Span s, TlsLine *t, const char **reterr_reason) {
        size_t i, nd;

        i = SP_FIND(s, " with cipher ");
        if (i == SIZE_MAX)
                return sp_bad(reterr_reason, "TLS line: missing \"with cipher\"");
        t->protocol = sp_head(s, i);
        if (!tls_name_ok(t->protocol, "._-"))
                return sp_bad(reterr_reason, "TLS line: bad protocol");
        sp_skip(&s, i + strlen(" with cipher "));

        i = SP_FIND(s, " (");
        if (i == SIZE_MAX || i == 0)
                return sp_bad(reterr_reason, "TLS line: missing cipher bits");
        t->cipher = sp_head(s, i);
        if (!tls_name_ok(t->cipher, "._-+/="))
                return sp_bad(reterr_reason, "TLS line: bad cipher name");
        sp_skip(&s, i + 2);

        nd = sp_digits(s);
        if (sp_u32(sp_head(s, nd), &t->bits_used) < 0)
                return sp_bad(reterr_reason, "TLS line: bad used bits");
        sp_skip(&s, nd);
        if (!SP_CONSUME(&s, "/"))
                return sp_bad(reterr_reason, "TLS line: bad cipher bits");
        nd = sp_digits(s);
        if (sp_u32(sp_head(s, nd), &t->bits_alg) < 0)
                return sp_bad(reterr_reason, "TLS line: bad algorithm bits");
        sp_skip(&s, nd);
        if (!SP_CONSUME(&s, " bits)"))
                return sp_bad(reterr_reason, "TLS line: unterminated cipher bits");

        return tls_suffixes(s, t, reterr_reason);
}

/* parse_tls_line - one "... TLS connection established|reused to ..." message */
int parse_tls_line(Span msg, TlsLine *ret, const char **reterr_reason) {
        TlsLine t = { 0 };
        Span s = msg;
        size_t n;
        int r;

        if (!ret)
                return -EINVAL;

        if (SP_CONSUME(&s, "TLS connection ")) {
                t.trust = TRUST_UNKNOWN;
                if (!SP_CONSUME(&s, "established "))
                        return 0;
        } else {
                Span word = sp_token(sp_head(s, TRUST_NAME_MAX + 1));

                if (word.n == 0 || word.n > TRUST_NAME_MAX)
                        return 0;
                sp_skip(&s, word.n);
                if (!SP_CONSUME(&s, " TLS connection "))
                        return 0;
                t.trust = tls_trust_word(word);
                if (t.trust < 0)
                        return sp_bad(reterr_reason, "TLS line: unknown trust word");
                if (SP_CONSUME(&s, "reused "))
                        t.reused = true;
                else if (!SP_CONSUME(&s, "established "))
                        return sp_bad(reterr_reason, "TLS line: neither established nor reused");
        }

        if (SP_PREFIX(s, "from "))
                return 0;               /* server side */
        if (!SP_CONSUME(&s, "to "))
                return sp_bad(reterr_reason, "TLS line: missing \"to\"");

        if (parse_peer_prefix(s, &t.peer, &n) >= 0 && sp_prefix(sp_from(s, n), ": ", 2)) {
                sp_skip(&s, n + 2);
        } else if (t.trust == TRUST_UNKNOWN) {
                /* 2.2-2.4: host name only */
                n = SP_FIND(sp_head(s, PF_HOSTNAME_MAX + 2), ": ");
                if (n == SIZE_MAX || n == 0)
                        return sp_bad(reterr_reason, "TLS line: bad peer host");
                t.peer.host = sp_head(s, n);
                if (sp_chr(t.peer.host, ' ') != SIZE_MAX || sp_chr(t.peer.host, '[') != SIZE_MAX)
                        return sp_bad(reterr_reason, "TLS line: bad peer host");
                sp_skip(&s, n + 2);
        } else
                return sp_bad(reterr_reason, "TLS line: bad peer");

        r = tls_summary(s, &t, reterr_reason);
        if (r < 0)
                return r;

        *ret = t;
        return 1;
}

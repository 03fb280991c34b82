/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        parse_tls_field - parse and format the tls= field of a delivery line
 * SYNOPSIS
 *        #include "parse.h"
 *        int parse_tls_field(Span field, TlsStatus *ret, const char **reterr_reason);
 *        void tls_status_format(const TlsStatus *st, char *buf, size_t bufsz);
 * DESCRIPTION
 *        The value after "tls=" (Postfix 3.11 pol_stats_format()):
 *
 *            tls-field = feature [ "/" feature ]        ; slot 0 level, slot 1 REQUIRETLS
 *            feature   = [ "!" ] [ "(" ] init [ ":" final ] [ ")" ] [ "?" ]
 *            slot 0    : init  = "none" / "may" / "encrypt" / "fingerprint" / "halfdane"
 *                              / "dane" / "dane-only" / "verify" / "secure" / "unknown"
 *                        final = the same names except "unknown"
 *            slot 1    : init  = "requiretls"
 *                        final = "requiretls" / "nocertmatch" / "nostarttls"
 *                              / "noencryption" / "none"
 *
 *        Stable releases print "[!]init[:final]" or "init?"; the parentheses
 *        of the 2025 non-production snapshots are accepted and dropped.
 *        tls_status_format() prints the canonical form: ":final" only when it
 *        differs from init.
 * DIAGNOSTICS
 *        1 parsed, -EBADMSG malformed (*reterr_reason says why).
 */
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "parse_util.h"

/* tls_name_len - bytes of a level/feature name at the start of s */
static size_t tls_name_len(Span s) {
        size_t i = 0;

        while (i < s.n && ((s.p[i] >= 'a' && s.p[i] <= 'z') || s.p[i] == '-'))
                i++;
        return i;
}

static int tls_slot_value(int slot, Span name, bool is_final) {
        if (name.n == 0)
                return -EINVAL;
        if (slot == 0) {
                TlsLevel l = tls_level_from_span(name);

                if (l <= TLS_LEVEL_NONE_SET || (is_final && l == TLS_LEVEL_UNKNOWN))
                        return -EINVAL;
                return (int) l;
        } else {
                RequireTls r = requiretls_from_span(name);

                if (r <= REQUIRETLS_NONE_SET || (!is_final && r != REQUIRETLS_REQUIRETLS))
                        return -EINVAL;
                return (int) r;
        }
}

/* tls_feature - one slot; the whole span must be used */
static int tls_feature(int slot, Span s, TlsFeature *ret, const char **reterr_reason) {
        TlsFeature f = { .present = true };
        bool paren;
        size_t n;
        int v;

        f.violated = SP_CONSUME(&s, "!");
        paren = SP_CONSUME(&s, "(");

        n = tls_name_len(s);
        v = tls_slot_value(slot, sp_head(s, n), false);
        if (v < 0)
                return sp_bad(reterr_reason, slot == 0 ? "tls=: unknown security level"
                                                       : "tls=: unknown REQUIRETLS feature");
        f.init = f.final = v;
        sp_skip(&s, n);

        if (SP_CONSUME(&s, ":")) {
                n = tls_name_len(s);
                v = tls_slot_value(slot, sp_head(s, n), true);
                if (v < 0)
                        return sp_bad(reterr_reason, slot == 0 ? "tls=: bad final security level"
                                                               : "tls=: bad final REQUIRETLS status");
                f.final = v;
                sp_skip(&s, n);
        }
        if (paren && !SP_CONSUME(&s, ")"))
                return sp_bad(reterr_reason, "tls=: unbalanced parenthesis");
        f.undecided = SP_CONSUME(&s, "?");
        if (s.n > 0)
                return sp_bad(reterr_reason, "tls=: unexpected character in feature");

        *ret = f;
        return 0;
}

/* parse_tls_field - the value of tls= */
int parse_tls_field(Span field, TlsStatus *ret, const char **reterr_reason) {
        TlsStatus st = { 0 };
        size_t slash;
        int r;

        if (!ret)
                return -EINVAL;
        if (field.n == 0)
                return sp_bad(reterr_reason, "tls=: empty value");

        slash = sp_chr(field, '/');
        r = tls_feature(0, sp_head(field, slash), &st.level, reterr_reason);
        if (r < 0)
                return r;
        if (slash != SIZE_MAX) {
                Span second = sp_from(field, slash + 1);

                if (sp_chr(second, '/') != SIZE_MAX)
                        return sp_bad(reterr_reason, "tls=: more than two features");
                r = tls_feature(1, second, &st.requiretls, reterr_reason);
                if (r < 0)
                        return r;
        }

        *ret = st;
        return 1;
}

static void tls_feature_format(const TlsFeature *f, bool level, char *buf, size_t bufsz) {
        const char *init, *final;

        init = level ? tls_level_to_string(f->init) : requiretls_to_string(f->init);
        final = level ? tls_level_to_string(f->final) : requiretls_to_string(f->final);
        if (!init)
                init = "";
        if (!final)
                final = "";

        (void) snprintf(buf, bufsz, "%s%s%s%s%s",
                        f->violated ? "!" : "",
                        init,
                        f->final != f->init ? ":" : "",
                        f->final != f->init ? final : "",
                        f->undecided ? "?" : "");
}

/* tls_status_format - canonical text such as "may:none" or "may/requiretls:none" */
void tls_status_format(const TlsStatus *st, char *buf, size_t bufsz) {
        char a[32], b[32];

        if (!buf || bufsz == 0)
                return;
        buf[0] = 0;
        if (!st || !st->level.present)
                return;

        tls_feature_format(&st->level, true, a, sizeof a);
        if (st->requiretls.present) {
                tls_feature_format(&st->requiretls, false, b, sizeof b);
                (void) snprintf(buf, bufsz, "%s/%s", a, b);
        } else
                (void) snprintf(buf, bufsz, "%s", a);
}

/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        policy_value - parse and validate one tls_policy value
 * SYNOPSIS
 *        #include "policy.h"
 *        int policy_value_parse(const char *value, PolicyEntry *e, char **reterr_text);
 * DESCRIPTION
 *        Grammar (postfix-log-formats.md section 4.2, smtp_tls_policy.c):
 *
 *            value = level *( sep attr )
 *            sep   = 1*( SP / HTAB / CR / LF / "," )
 *            attr  = name "=" word                  ; word: no separator
 *                  / "{" *WS name *WS "=" text "}"   ; whitespace normalised
 *
 *        Braces nest for tokenisation; a token that starts with "{" must end
 *        with the matching "}". The checks are those of smtp(8)'s
 *        tls_policy_lookup_one(): known levels (halfdane is output only),
 *        known attributes, single-use attributes, attributes valid only at
 *        some levels, yes/no values, and the 3.10 policy_* group.
 * DIAGNOSTICS
 *        0 valid, -EBADMSG (*reterr_text malloc'd, without FILE:LINE), -ENOMEM.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "domain.h"
#include "policy.h"
#include "span.h"
#include "strbuf.h"
#include "vocab.h"

/* policy_level_valid - a level smtp(8) accepts in a table */
bool policy_level_valid(const char *level) {
        return tls_level_lookup(level) >= 0;
}

static bool is_sep(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',';
}

static bool is_ws(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int err(char **reterr_text, const char *fmt, ...) _printf_(2, 3);
static int err(char **reterr_text, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(reterr_text, fmt, ap) < 0)
                *reterr_text = NULL;
        va_end(ap);
        return *reterr_text ? -EBADMSG : -ENOMEM;
}

/* shown - terminal-safe copy of untrusted text for messages, at most 80 bytes */
static char *shown(const char *s, size_t n) {
        StrBuf b;

        strbuf_init(&b);
        strbuf_put_safe_text(&b, s, n > 80 ? 80 : n);
        if (n > 80)
                strbuf_puts(&b, "...");
        if (b.oom || !b.data) {
                strbuf_free(&b);
                return strdup("");
        }
        return b.data;
}

/* next_token - mystrtokq(): separators outside braces end a token */
static bool next_token(const char **cursor, const char **ret_start, size_t *ret_len, bool *ret_unbalanced) {
        const char *p = *cursor;
        int depth = 0;

        while (*p && is_sep(*p))
                p++;
        if (!*p)
                return false;
        const char *start = p;
        for (; *p; p++) {
                if (*p == '{')
                        depth++;
                else if (*p == '}') {
                        if (depth > 0)
                                depth--;
                } else if (depth == 0 && is_sep(*p))
                        break;
        }
        *ret_unbalanced = depth != 0;
        *ret_start = start;
        *ret_len = (size_t) (p - start);
        *cursor = p;
        return true;
}

/* normalise_ws - trim and collapse runs of whitespace to one space */
static char *normalise_ws(const char *s, size_t n) {
        char *out = malloc(n + 1);
        size_t k = 0;
        bool space = false;

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (is_ws(s[i])) {
                        space = k > 0;
                        continue;
                }
                if (space)
                        out[k++] = ' ';
                space = false;
                out[k++] = s[i];
        }
        out[k] = '\0';
        return out;
}

/* split_attr - "name=value" or "{ name = value }" into a PolicyAttr */
static int split_attr(const char *tok, size_t len, PolicyAttr *ret, char **reterr_text) {
        _cleanup_free_ char *body = NULL, *show = shown(tok, len);
        const char *eq;

        if (!show)
                return -ENOMEM;
        if (tok[0] == '{') {
                if (len < 2 || tok[len - 1] != '}')
                        return err(reterr_text, "malformed attribute/value pair \"%s\": missing '}'", show);
                body = normalise_ws(tok + 1, len - 2);
        } else
                body = strndup(tok, len);
        if (!body)
                return -ENOMEM;

        eq = strchr(body, '=');
        if (!eq)
                return err(reterr_text, "malformed attribute/value pair \"%s\": missing '='", show);
        size_t nlen = (size_t) (eq - body);
        while (nlen > 0 && is_ws(body[nlen - 1]))
                nlen--;
        if (nlen == 0)
                return err(reterr_text, "malformed attribute/value pair \"%s\": missing attribute name",
                           show);
        const char *v = eq + 1;
        while (*v && is_ws(*v))
                v++;

        ret->name = strndup(body, nlen);
        ret->value = strdup(v);
        if (!ret->name || !ret->value) {
                free(ret->name);
                free(ret->value);
                return -ENOMEM;
        }
        ascii_lower(ret->name);
        return 0;
}

static bool hostname_valid(const char *s) {
        size_t n = strlen(s);
        if (domain_is_valid(s, n))
                return true;
        /* a single LDH label, as valid_hostname() accepts */
        if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
                        return false;
        return true;
}

static bool all_digits(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

typedef enum AttrRule {
        ONCE = 1 << 0,                  /* "is specified multiple times" */
        NONEMPTY = 1 << 1,              /* "has empty value" */
        YESNO = 1 << 2,
        MATCH_LEVELS = 1 << 3,          /* fingerprint, verify, secure */
        PKIX_LEVELS = 1 << 4,           /* verify, secure */
        HOSTNAME = 1 << 5,
        DIGITS = 1 << 6,
        POLICY_TYPE = 1 << 7,
        POLICY_FAILURE = 1 << 8,
        EXT = 1 << 9,                   /* needs policy_type */
} AttrRule;

static const struct {
        const char *name;
        unsigned rules;
} attr_rules[] = {
        { "ciphers", ONCE | NONEMPTY },
        { "protocols", ONCE },
        { "servername", ONCE | HOSTNAME },
        { "match", NONEMPTY | MATCH_LEVELS },
        { "exclude", ONCE },
        { "tafile", NONEMPTY | PKIX_LEVELS },
        { "connection_reuse", YESNO },
        { "enable_rpk", YESNO },
        { "policy_ttl", ONCE | DIGITS | EXT },
        { "policy_type", ONCE | POLICY_TYPE },
        { "policy_domain", ONCE | HOSTNAME | EXT },
        { "policy_string", EXT },
        { "mx_host_pattern", EXT },
        { "policy_failure", ONCE | POLICY_FAILURE | EXT },
};

/* check_attr - one attribute against the level and those seen before it */
static int check_attr(const PolicyEntry *e, const PolicyAttr *a, char **reterr_text) {
        _cleanup_free_ char *n = shown(a->name, strlen(a->name));
        _cleanup_free_ char *v = shown(a->value, strlen(a->value));
        const char *lv = e->level;
        TlsLevel level = tls_level_lookup(lv);
        unsigned rules = 0;
        bool known = false;

        if (!n || !v)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(attr_rules); i++)
                if (strcmp(attr_rules[i].name, a->name) == 0) {
                        rules = attr_rules[i].rules;
                        known = true;
                }
        if (!known)
                return err(reterr_text, "invalid attribute name: \"%s\"", n);

        if ((rules & PKIX_LEVELS) && !tls_level_has(level, TLS_LEVEL_PKIX))
                return err(reterr_text, "attribute \"%s\" invalid at security level \"%s\"", n, lv);
        if ((rules & NONEMPTY) && !*a->value)
                return err(reterr_text, "attribute \"%s\" has empty value", n);
        if ((rules & MATCH_LEVELS) && !tls_level_has(level, TLS_LEVEL_MATCH_ATTR))
                return err(reterr_text, "attribute \"%s\" invalid at security level \"%s\"", n, lv);
        if (rules & ONCE)
                for (size_t i = 0; i < e->n_attrs; i++)
                        if (strcmp(e->attrs[i].name, a->name) == 0)
                                return err(reterr_text, "attribute \"%s\" is specified multiple times", n);
        if ((rules & HOSTNAME) && !hostname_valid(a->value))
                return err(reterr_text, "\"%s=%s\" specifies an invalid hostname", n, v);
        if ((rules & YESNO) && strcasecmp(a->value, "yes") != 0 && strcasecmp(a->value, "no") != 0)
                return err(reterr_text, "attribute \"%s\" has bad value: \"%s\"", n, v);
        if ((rules & DIGITS) && !all_digits(a->value))
                return err(reterr_text, "attribute \"%s\" has a malformed value: \"%s\"", n, v);
        if ((rules & POLICY_TYPE) && strcmp(a->value, "sts") != 0 &&
            strcmp(a->value, "no-policy-found") != 0)
                return err(reterr_text, "attribute \"%s\" has an unexpected value: \"%s\"", n, v);
        if ((rules & POLICY_FAILURE) && strcmp(a->value, "sts-policy-fetch-error") != 0 &&
            strcmp(a->value, "sts-policy-invalid") != 0 && strcmp(a->value, "sts-webpki-invalid") != 0 &&
            strcmp(a->value, "validation-failure") != 0)
                return err(reterr_text, "attribute \"%s\" has an unexpected value: \"%s\"", n, v);
        return 0;
}

static bool needs_policy_type(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(attr_rules); i++)
                if (strcmp(attr_rules[i].name, name) == 0)
                        return attr_rules[i].rules & EXT;
        return false;
}

/* policy_value_parse - fill e->level, e->attrs, e->value from the value text */
int policy_value_parse(const char *value, PolicyEntry *e, char **reterr_text) {
        const char *cursor = value, *tok;
        size_t len;
        bool unbalanced, has_type = false, has_ext = false;
        TlsLevel level;
        int r;

        e->value = normalise_ws(value, strlen(value));
        if (!e->value)
                return -ENOMEM;

        if (!next_token(&cursor, &tok, &len, &unbalanced))
                return err(reterr_text, "invalid empty policy");
        e->level = strndup(tok, len);
        if (!e->level)
                return -ENOMEM;
        level = tls_level_lookup(e->level);
        if (level < 0) {
                _cleanup_free_ char *s = shown(tok, len);
                return s ? err(reterr_text, "invalid security level \"%s\"", s) : -ENOMEM;
        }
        ascii_lower(e->level);

        while (next_token(&cursor, &tok, &len, &unbalanced)) {
                PolicyAttr a = { 0 };

                if (level == TLS_LEVEL_NONE) {
                        /* smtp(8): "ignoring attribute ... with TLS disabled" */
                        e->ignored_attributes = true;
                        continue;
                }
                if (unbalanced) {
                        _cleanup_free_ char *s = shown(tok, len);
                        if (!s)
                                return -ENOMEM;
                        return err(reterr_text, "malformed attribute/value pair \"%s\": unbalanced '{'", s);
                }
                r = split_attr(tok, len, &a, reterr_text);
                if (r < 0)
                        return r;
                r = check_attr(e, &a, reterr_text);
                if (r < 0) {
                        free(a.name);
                        free(a.value);
                        return r;
                }
                PolicyAttr *n = realloc(e->attrs, (e->n_attrs + 1) * sizeof(*n));
                if (!n) {
                        free(a.name);
                        free(a.value);
                        return -ENOMEM;
                }
                e->attrs = n;
                e->attrs[e->n_attrs++] = a;
                if (strcmp(a.name, "policy_type") == 0)
                        has_type = true;
                else if (needs_policy_type(a.name))
                        has_ext = true;
        }
        if (has_ext && !has_type)
                return err(reterr_text, "built-in policy has unexpected attribute policy_ttl, "
                           "policy_domain, policy_string, mx_host_pattern or policy_failure");
        return 0;
}

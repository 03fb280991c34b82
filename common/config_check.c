/*
 * NAME
 *        config_check - validate a flat YAML mapping of keys, with line numbers
 * SYNOPSIS
 *        #include "config_check.h"
 *        int config_check(const char *path, const char *data, size_t len,
 *                         const ConfigKey *keys, size_t n_keys, uint64_t *ret_present,
 *                         char **reterr_message);
 * DESCRIPTION
 *        Accepted documents (libyaml events):
 *
 *          stream   = STREAM-START [ document ] STREAM-END
 *          document = DOCUMENT-START ( null-scalar | mapping ) DOCUMENT-END
 *          mapping  = MAPPING-START { key-scalar value } MAPPING-END
 *          value    = scalar | SEQUENCE-START { scalar } SEQUENCE-END
 *
 *        Every key must be in the table, at most once; the value must match its
 *        kind. The first problem found is reported as "FILE:LINE: message".
 *        libcyaml then loads the same bytes; this pass exists because libcyaml's
 *        own messages do not name the file and are less strict about numbers.
 * DIAGNOSTICS
 *        0 valid, -EBADMSG invalid (*reterr_message malloc'd), -ENOMEM.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "cleanup.h"
#include "config_check.h"
#include "domain.h"

#define QUOTE_MAX 48

typedef struct Check {
        const char *path;
        const char *data;
        size_t len;
        yaml_parser_t parser;
        yaml_event_t event;
        bool have_event;
        char *error;
} Check;

/* check_fail - remember the first problem, return -EBADMSG (or -ENOMEM) */
_printf_(3, 4)
static int check_fail(Check *c, size_t line, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        if (c->error)
                return -EBADMSG;
        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (asprintf(&c->error, "%s:%zu: %s", c->path, line, msg) < 0) {
                c->error = NULL;
                return -ENOMEM;
        }
        return -EBADMSG;
}

/* quote - bounded, printable copy of untrusted text for a message */
static const char *quote(const char *s, size_t n, char buf[static QUOTE_MAX + 4]) {
        size_t i, k = 0;

        for (i = 0; i < n && k < QUOTE_MAX; i++) {
                unsigned char ch = (unsigned char) s[i];
                buf[k++] = ch < 0x20 || ch == 0x7f ? '?' : (char) ch;
        }
        if (i < n) {
                memcpy(buf + k, "...", 3);
                k += 3;
        }
        buf[k] = '\0';
        return buf;
}

static size_t line_of_offset(const Check *c, size_t offset) {
        size_t line = 1;

        for (size_t i = 0; i < offset && i < c->len; i++)
                if (c->data[i] == '\n')
                        line++;
        return line;
}

static size_t event_line(const yaml_event_t *e) {
        return e->start_mark.line + 1;
}

/* check_next - advance to the next event; syntax errors become messages */
static int check_next(Check *c) {
        if (c->have_event) {
                yaml_event_delete(&c->event);
                c->have_event = false;
        }
        if (!yaml_parser_parse(&c->parser, &c->event)) {
                const yaml_parser_t *p = &c->parser;
                size_t line;

                if (p->error == YAML_MEMORY_ERROR)
                        return -ENOMEM;
                line = p->error == YAML_READER_ERROR ? line_of_offset(c, p->problem_offset)
                                                     : p->problem_mark.line + 1;
                if (p->context)
                        return check_fail(c, line, "invalid YAML: %s (%s)",
                                          p->problem ? p->problem : "syntax error", p->context);
                return check_fail(c, line, "invalid YAML: %s", p->problem ? p->problem : "syntax error");
        }
        c->have_event = true;
        return 0;
}

static const char *event_noun(yaml_event_type_t t) {
        switch (t) {
        case YAML_SEQUENCE_START_EVENT:
                return "a list";
        case YAML_MAPPING_START_EVENT:
                return "a mapping";
        case YAML_ALIAS_EVENT:
                return "an alias";
        default:
                return "a value";
        }
}

static bool scalar_is_null(const yaml_event_t *e) {
        const char *v = (const char *) e->data.scalar.value;

        if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                return e->data.scalar.length == 0;
        return e->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
               strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static bool has_control(const char *s, size_t n, bool allow_space) {
        for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char) s[i];
                if (ch < 0x20 || ch == 0x7f || (!allow_space && ch == ' '))
                        return true;
        }
        return false;
}

/* check_uint - strict decimal: no sign, no leading zero, no base prefix */
static int check_uint(Check *c, size_t line, const char *what, const ConfigKey *k,
                      const char *v, size_t n) {
        char q[QUOTE_MAX + 4];
        uint64_t x = 0;

        if (n == 0 || n > 10 || (n > 1 && v[0] == '0'))
                goto bad;
        for (size_t i = 0; i < n; i++) {
                if (v[i] < '0' || v[i] > '9')
                        goto bad;
                x = x * 10 + (uint64_t) (v[i] - '0');
        }
        if (x < k->min || x > k->max)
                return check_fail(c, line, "%s: %s is out of range (%u..%u)",
                                  what, quote(v, n, q), k->min, k->max);
        return 0;
bad:
        return check_fail(c, line, "%s: expected a whole number, got '%s'", what, quote(v, n, q));
}

static int check_bool(Check *c, size_t line, const char *what, const char *v, size_t n) {
        static const char *const words[] = { "true", "false", "yes", "no", "on", "off" };
        char q[QUOTE_MAX + 4];

        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (strlen(words[i]) == n && strncasecmp(v, words[i], n) == 0)
                        return 0;
        return check_fail(c, line, "%s: expected true or false, got '%s'", what, quote(v, n, q));
}

/* check_scalar - one value of the key's kind; what names it ("key 'x'", "key 'x', item 2") */
static int check_scalar(Check *c, const ConfigKey *k, const char *what) {
        const yaml_event_t *e = &c->event;
        const char *v = (const char *) e->data.scalar.value;
        size_t n = e->data.scalar.length, line = event_line(e);
        char q[QUOTE_MAX + 4];

        if (scalar_is_null(e))
                return check_fail(c, line, "%s needs a value (remove the line to keep the default)",
                                  what);
        switch (k->kind) {
        case CONFIG_KEY_UINT:
                return check_uint(c, line, what, k, v, n);
        case CONFIG_KEY_BOOL:
                return check_bool(c, line, what, v, n);
        case CONFIG_KEY_DOMAIN:
                /* ".example.com" stands for the subdomains of example.com */
                if (!domain_is_valid(v + (n > 1 && v[0] == '.'), n - (n > 1 && v[0] == '.')))
                        return check_fail(c, line, "%s: '%s' is not a valid domain name",
                                          what, quote(v, n, q));
                return 0;
        case CONFIG_KEY_PATH:
        case CONFIG_KEY_WORD:
        case CONFIG_KEY_TEXT:
                if (n > k->max)
                        return check_fail(c, line, "%s: value longer than %u bytes", what, k->max);
                if (has_control(v, n, k->kind != CONFIG_KEY_WORD))
                        return check_fail(c, line, "%s: '%s' contains %s", what, quote(v, n, q),
                                          k->kind == CONFIG_KEY_WORD ? "white space or control characters"
                                                                     : "control characters");
                if (k->kind == CONFIG_KEY_PATH && v[0] != '/')
                        return check_fail(c, line, "%s: '%s' is not an absolute path",
                                          what, quote(v, n, q));
                return 0;
        }
        return check_fail(c, line, "%s: unsupported kind", what);
}

/* check_value - the value after a key: a scalar, or a list of scalars */
static int check_value(Check *c, const ConfigKey *k) {
        char what[128];
        size_t items = 0;
        int r;

        r = check_next(c);
        if (r < 0)
                return r;
        (void) snprintf(what, sizeof what, "key '%s'", k->key);

        if (!k->list) {
                if (c->event.type != YAML_SCALAR_EVENT)
                        return check_fail(c, event_line(&c->event), "%s: expected %s, got %s", what,
                                          k->kind == CONFIG_KEY_UINT ? "a number" :
                                          k->kind == CONFIG_KEY_BOOL ? "true or false" : "a string",
                                          event_noun(c->event.type));
                return check_scalar(c, k, what);
        }

        if (c->event.type == YAML_SCALAR_EVENT && scalar_is_null(&c->event))
                return check_fail(c, event_line(&c->event),
                                  "%s needs a value (use [] for an empty list)", what);
        if (c->event.type != YAML_SEQUENCE_START_EVENT)
                return check_fail(c, event_line(&c->event),
                                  "%s: expected a list (\"- item\" lines or [a, b]), got %s", what,
                                  c->event.type == YAML_SCALAR_EVENT ? "a single value"
                                                                     : event_noun(c->event.type));
        for (;;) {
                r = check_next(c);
                if (r < 0)
                        return r;
                if (c->event.type == YAML_SEQUENCE_END_EVENT)
                        return 0;
                items++;
                (void) snprintf(what, sizeof what, "key '%s', item %zu", k->key, items);
                if (items > k->max_items)
                        return check_fail(c, event_line(&c->event), "key '%s': more than %u items",
                                          k->key, k->max_items);
                if (c->event.type != YAML_SCALAR_EVENT)
                        return check_fail(c, event_line(&c->event), "%s: expected a string, got %s",
                                          what, event_noun(c->event.type));
                r = check_scalar(c, k, what);
                if (r < 0)
                        return r;
        }
}

/* edit_distance_small - Levenshtein distance, capped, for "did you mean" */
static size_t edit_distance_small(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b), prev[65], cur[65];

        if (la > 64 || lb > 64)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                prev[j] = j;
        for (size_t i = 1; i <= la; i++) {
                cur[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
                        size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
                        cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
                }
                memcpy(prev, cur, sizeof(size_t) * (lb + 1));
        }
        return prev[lb];
}

static const char *suggest_key(const char *key, const ConfigKey *keys, size_t n_keys) {
        const char *best = NULL;
        size_t best_d = 3, klen = strlen(key);

        for (size_t i = 0; i < n_keys; i++) {
                size_t d = edit_distance_small(key, keys[i].key);
                if (klen >= 4 && strncmp(keys[i].key, key, klen) == 0)
                        d = 1;
                if (d < best_d) {
                        best = keys[i].key;
                        best_d = d;
                }
        }
        return best;
}

static int check_mapping(Check *c, const ConfigKey *keys, size_t n_keys, uint64_t *present) {
        size_t seen[64] = { 0 };
        char q[QUOTE_MAX + 4];
        int r;

        for (;;) {
                const ConfigKey *k = NULL;
                const char *name;
                size_t line, i;

                r = check_next(c);
                if (r < 0)
                        return r;
                if (c->event.type == YAML_MAPPING_END_EVENT)
                        return 0;
                line = event_line(&c->event);
                if (c->event.type != YAML_SCALAR_EVENT)
                        return check_fail(c, line, "expected a key name, got %s",
                                          event_noun(c->event.type));
                name = (const char *) c->event.data.scalar.value;
                for (i = 0; i < n_keys; i++)
                        if (strlen(keys[i].key) == c->event.data.scalar.length &&
                            strcmp(keys[i].key, name) == 0) {
                                k = &keys[i];
                                break;
                        }
                if (!k) {
                        const char *hint = suggest_key(name, keys, n_keys);
                        quote(name, c->event.data.scalar.length, q);
                        if (hint)
                                return check_fail(c, line, "unknown key '%s' (did you mean '%s'?)",
                                                  q, hint);
                        return check_fail(c, line, "unknown key '%s'", q);
                }
                if (seen[i])
                        return check_fail(c, line, "duplicate key '%s' (first set on line %zu)",
                                          k->key, seen[i]);
                seen[i] = line;
                *present |= UINT64_C(1) << i;
                r = check_value(c, k);
                if (r < 0)
                        return r;
        }
}

static int check_document(Check *c, const ConfigKey *keys, size_t n_keys, uint64_t *present) {
        char q[QUOTE_MAX + 4];
        int r;

        r = check_next(c);
        if (r < 0)
                return r;
        if (c->event.type == YAML_STREAM_START_EVENT)
                r = check_next(c);
        if (r < 0)
                return r;
        if (c->event.type == YAML_STREAM_END_EVENT)
                return 0;
        /* DOCUMENT-START, then the root node */
        r = check_next(c);
        if (r < 0)
                return r;
        switch (c->event.type) {
        case YAML_MAPPING_START_EVENT:
                r = check_mapping(c, keys, n_keys, present);
                break;
        case YAML_SCALAR_EVENT:
                if (scalar_is_null(&c->event))
                        break;
                return check_fail(c, event_line(&c->event),
                                  "expected a mapping of \"key: value\" lines, got '%s'",
                                  quote((const char *) c->event.data.scalar.value,
                                        c->event.data.scalar.length, q));
        default:
                return check_fail(c, event_line(&c->event),
                                  "expected a mapping of \"key: value\" lines, got %s",
                                  event_noun(c->event.type));
        }
        if (r < 0)
                return r;
        r = check_next(c);              /* DOCUMENT-END */
        if (r < 0)
                return r;
        r = check_next(c);
        if (r < 0)
                return r;
        if (c->event.type != YAML_STREAM_END_EVENT)
                return check_fail(c, event_line(&c->event), "only one YAML document is allowed");
        return 0;
}

/* config_check - validate data (the contents of path) against keys */
int config_check(const char *path, const char *data, size_t len,
                 const ConfigKey *keys, size_t n_keys, uint64_t *ret_present,
                 char **reterr_message) {
        Check c = { .path = path, .data = data, .len = len };
        uint64_t present = 0;
        int r;

        if (n_keys > 64)
                return -EINVAL;
        if (!yaml_parser_initialize(&c.parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&c.parser, (const unsigned char *) data, len);
        r = check_document(&c, keys, n_keys, &present);
        if (c.have_event)
                yaml_event_delete(&c.event);
        yaml_parser_delete(&c.parser);

        if (r == -EBADMSG && reterr_message)
                *reterr_message = TAKE_PTR(c.error);
        free(c.error);
        if (r < 0)
                return r;
        *ret_present = present;
        return 0;
}

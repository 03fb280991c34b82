/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        yaml_scan_value - check one value of a scanned YAML document
 * SYNOPSIS
 *        #include "yaml_scan_internal.h"
 *        int yaml_scan_value_check(YamlScanner *s, const YamlWhere *w);
 *        int yaml_scan_value_wrong_shape(YamlScanner *s, const YamlWhere *w);
 * DESCRIPTION
 *        A scalar is checked against the kind of its key (yaml_scan.h); what is
 *        wrong with it is a Problem, which document_fail() and settings_fail()
 *        word for their mode, e.g. for "retention_days: 1e3":
 *
 *            document   key 'retention_days': invalid value '1e3' (expected a number 1..36500)
 *            settings   key 'retention_days': expected a whole number, got '1e3'
 *
 *        Settings also refuse null values ("needs a value") and accept on/off
 *        as booleans; in documents a null scalar is an empty string.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "domain.h"
#include "span.h"
#include "yaml_scan_internal.h"

typedef enum Problem {
        PROBLEM_NONE,
        PROBLEM_NULL,                   /* no value (settings only) */
        PROBLEM_NUMBER,                 /* not a plain decimal */
        PROBLEM_RANGE,                  /* a number outside min..max */
        PROBLEM_BOOL,
        PROBLEM_LENGTH,                 /* longer than max bytes, or a NUL in a STRING */
        PROBLEM_CONTROL,                /* control characters (white space too in a WORD) */
        PROBLEM_RELATIVE,               /* a PATH that does not start with '/' */
        PROBLEM_DOMAIN,
} Problem;

/* yaml_scan_value_quote - control characters (C0, DEL, C1) become '?', long text ends in "..." */
const char *yaml_scan_value_quote(const yaml_event_t *e, char buf[static YAML_QUOTE_MAX + 4]) {
        const char *v = (const char *) e->data.scalar.value;
        size_t n = e->data.scalar.length, i = 0, k = 0;

        while (i < n) {
                unsigned char c = (unsigned char) v[i];
                /* libyaml hands out valid UTF-8: the lead byte gives the length */
                size_t len = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;

                if (len > n - i)
                        len = n - i;
                if (k + len > YAML_QUOTE_MAX)
                        break;
                if (c < 0x20 || c == 0x7f || (c == 0xC2 && len == 2 && (unsigned char) v[i + 1] < 0xA0))
                        buf[k++] = '?';
                else {
                        memcpy(buf + k, v + i, len);
                        k += len;
                }
                i += len;
        }
        if (i < n) {
                memcpy(buf + k, "...", 3);
                k += 3;
        }
        buf[k] = '\0';
        return buf;
}

const char *yaml_scan_value_noun(yaml_event_type_t t) {
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

bool yaml_scan_value_is_null(const yaml_event_t *e) {
        const char *v = (const char *) e->data.scalar.value;

        if (e->type != YAML_SCALAR_EVENT)
                return false;
        if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                return e->data.scalar.length == 0;
        return e->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
               strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static bool has_control(const char *v, size_t n, bool allow_space) {
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) v[i];
                if (c < 0x20 || c == 0x7f || (!allow_space && c == ' '))
                        return true;
        }
        return false;
}

static uint32_t string_max(const YamlKeySpec *k) {
        return k->max ? k->max : YAML_STRING_MAX_DEFAULT;
}

/* uint_problem - strict decimal: no sign, no leading zero, no base prefix or exponent */
static Problem uint_problem(const YamlKeySpec *k, const char *v, size_t n) {
        uint64_t x;

        if (n == 0 || n > 10 || (n > 1 && v[0] == '0') || span_to_u64(span_make(v, n), &x) < 0)
                return PROBLEM_NUMBER;
        return x < k->min || x > k->max ? PROBLEM_RANGE : PROBLEM_NONE;
}

static Problem bool_problem(const char *v, size_t n, YamlScanMode mode) {
        static const char *const words[] = { "true", "false", "yes", "no", "on", "off" };
        size_t n_words = mode == YAML_SCAN_SETTINGS ? ELEMENTSOF(words) : 4;

        for (size_t i = 0; i < n_words; i++)
                if (strlen(words[i]) == n && strncasecmp(v, words[i], n) == 0)
                        return PROBLEM_NONE;
        return PROBLEM_BOOL;
}

/* scalar_problem - what is wrong with the scalar e as a value of k, if anything */
static Problem scalar_problem(YamlScanMode mode, const YamlKeySpec *k, const yaml_event_t *e) {
        const char *v = (const char *) e->data.scalar.value;
        size_t n = e->data.scalar.length;
        bool dot;

        if (mode == YAML_SCAN_SETTINGS && yaml_scan_value_is_null(e))
                return PROBLEM_NULL;
        switch (k->kind) {
        case YAML_KIND_UINT:
                return uint_problem(k, v, n);
        case YAML_KIND_BOOL:
                return bool_problem(v, n, mode);
        case YAML_KIND_DOMAIN:
                /* ".example.com" stands for the subdomains of example.com */
                dot = n > 1 && v[0] == '.';
                return domain_is_valid(v + dot, n - dot) ? PROBLEM_NONE : PROBLEM_DOMAIN;
        case YAML_KIND_STRING:
                return n > string_max(k) || memchr(v, '\0', n) ? PROBLEM_LENGTH : PROBLEM_NONE;
        case YAML_KIND_PATH:
        case YAML_KIND_WORD:
        case YAML_KIND_TEXT:
                if (n > string_max(k))
                        return PROBLEM_LENGTH;
                if (has_control(v, n, k->kind != YAML_KIND_WORD))
                        return PROBLEM_CONTROL;
                if (k->kind == YAML_KIND_PATH && (n == 0 || v[0] != '/'))
                        return PROBLEM_RELATIVE;
                return PROBLEM_NONE;
        case YAML_KIND_MAPPING:
                break;
        }
        return PROBLEM_NONE;
}

/* expected - what a value of k looks like, for document messages */
static const char *expected(const YamlKeySpec *k, char *buf, size_t size) {
        switch (k->kind) {
        case YAML_KIND_UINT:
                (void) snprintf(buf, size, "a number %" PRIu32 "..%" PRIu32, k->min, k->max);
                return buf;
        case YAML_KIND_BOOL:
                return "true or false";
        case YAML_KIND_PATH:
                return "an absolute path";
        case YAML_KIND_WORD:
                return "a word without white space";
        case YAML_KIND_DOMAIN:
                return "a domain name or .domain";
        default:
                return "text without control characters";
        }
}

/* document_fail - "key 'k': invalid value 'v' (expected ...)" */
static int document_fail(YamlScanner *s, const YamlWhere *w, const char *q, Problem p) {
        char want[64];

        if (p == PROBLEM_LENGTH && w->item > 0)
                return yaml_scan_fail(s, w->line, "key '%s': invalid value (item too long)", w->path);
        if (p == PROBLEM_LENGTH)
                return yaml_scan_fail(s, w->line, "key '%s': invalid value (longer than %" PRIu32
                                      " bytes or holds NUL)", w->path, string_max(w->key));
        return yaml_scan_fail(s, w->line, "key '%s': invalid value '%s' (expected %s)", w->path, q,
                              expected(w->key, want, sizeof want));
}

/* settings_fail - "key 'k': expected ..., got 'v'" and the like */
static int settings_fail(YamlScanner *s, const YamlWhere *w, const char *q, Problem p) {
        const YamlKeySpec *k = w->key;
        char what[512];

        if (w->item > 0)
                (void) snprintf(what, sizeof what, "key '%s', item %zu", w->path, w->item);
        else
                (void) snprintf(what, sizeof what, "key '%s'", w->path);
        switch (p) {
        case PROBLEM_NULL:
                return yaml_scan_fail(s, w->line, "%s needs a value (remove the line to keep the default)",
                                      what);
        case PROBLEM_NUMBER:
                return yaml_scan_fail(s, w->line, "%s: expected a whole number, got '%s'", what, q);
        case PROBLEM_RANGE:
                return yaml_scan_fail(s, w->line, "%s: %s is out of range (%" PRIu32 "..%" PRIu32 ")",
                                      what, q, k->min, k->max);
        case PROBLEM_BOOL:
                return yaml_scan_fail(s, w->line, "%s: expected true or false, got '%s'", what, q);
        case PROBLEM_LENGTH:
                return yaml_scan_fail(s, w->line, "%s: value longer than %" PRIu32 " bytes", what,
                                      string_max(k));
        case PROBLEM_CONTROL:
                return yaml_scan_fail(s, w->line, "%s: '%s' contains %s", what, q,
                                      k->kind == YAML_KIND_WORD ? "white space or control characters"
                                                                : "control characters");
        case PROBLEM_RELATIVE:
                return yaml_scan_fail(s, w->line, "%s: '%s' is not an absolute path", what, q);
        case PROBLEM_DOMAIN:
                return yaml_scan_fail(s, w->line, "%s: '%s' is not a valid domain name", what, q);
        case PROBLEM_NONE:
                break;
        }
        return 0;
}

/* yaml_scan_value_check - the current event is a scalar: is it a value of w->key? */
int yaml_scan_value_check(YamlScanner *s, const YamlWhere *w) {
        Problem p = scalar_problem(s->mode, w->key, &s->event);
        char q[YAML_QUOTE_MAX + 4];

        if (p == PROBLEM_NONE)
                return 0;
        yaml_scan_value_quote(&s->event, q);
        if (s->mode == YAML_SCAN_DOCUMENT)
                return document_fail(s, w, q, p);
        return settings_fail(s, w, q, p);
}

/* yaml_scan_value_wrong_shape - a list, mapping, alias or scalar where another belongs */
int yaml_scan_value_wrong_shape(YamlScanner *s, const YamlWhere *w) {
        const YamlKeySpec *k = w->key;
        const yaml_event_t *e = &s->event;
        const char *got = yaml_scan_value_noun(e->type);
        size_t line = e->start_mark.line + 1;

        if (s->mode == YAML_SCAN_DOCUMENT) {
                if (k->list)
                        return yaml_scan_fail(s, line, "key '%s': invalid value (expected a list of strings)",
                                              w->path);
                return yaml_scan_fail(s, line, "key '%s': invalid value (expected a %s)", w->path,
                                      k->kind == YAML_KIND_MAPPING ? "mapping" :
                                      k->kind == YAML_KIND_UINT ? "number" :
                                      k->kind == YAML_KIND_BOOL ? "boolean" : "string");
        }

        if (w->item > 0)
                return yaml_scan_fail(s, line, "key '%s', item %zu: expected a string, got %s", w->path,
                                      w->item, got);
        if (k->list && yaml_scan_value_is_null(e))
                return yaml_scan_fail(s, line, "key '%s' needs a value (use [] for an empty list)", w->path);
        if (k->list)
                return yaml_scan_fail(s, line,
                                      "key '%s': expected a list (\"- item\" lines or [a, b]), got %s",
                                      w->path, e->type == YAML_SCALAR_EVENT ? "a single value" : got);
        return yaml_scan_fail(s, line, "key '%s': expected %s, got %s", w->path,
                              k->kind == YAML_KIND_MAPPING ? "a mapping" :
                              k->kind == YAML_KIND_UINT ? "a number" :
                              k->kind == YAML_KIND_BOOL ? "true or false" : "a string",
                              got);
}

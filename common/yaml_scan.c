/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        yaml_scan - check a YAML document against a key tree, with line numbers
 * DESCRIPTION
 *        See yaml_scan.h. Accepted documents (libyaml events):
 *
 *            stream       = STREAM-START [ document ] STREAM-END
 *            document     = DOCUMENT-START ( mapping(top) | null-scalar ) DOCUMENT-END
 *            mapping(ks)  = MAPPING-START *( key-scalar value(ks[key]) ) MAPPING-END
 *            value(k)     = scalar                                   ; k scalar kind
 *                         | SEQUENCE-START *scalar SEQUENCE-END      ; k list
 *                         | mapping(k.children)                      ; k MAPPING
 *
 *        No document, or a null root, only in YAML_SCAN_SETTINGS. Keys are
 *        unique in their mapping. Aliases are refused; anchors are harmless.
 *        The first problem found is the one reported. Single values are
 *        checked, and their problems worded, by yaml_scan_value.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "cleanup.h"
#include "strbuf.h"
#include "yaml_scan_internal.h"

#define PATH_MAX_LEN 256        /* dotted key path in messages and records */
#define KEYS_MAX 64             /* keys in one mapping of the table */
#define DEPTH_MAX 8

/* yaml_scan_fail - remember the first problem as "FILE:LINE: text", return -EBADMSG (or -ENOMEM) */
int yaml_scan_fail(YamlScanner *s, size_t line, const char *fmt, ...) {
                   _cleanup_free_ char *text = NULL;
        va_list ap;
        StrBuf b;
        int r;

        if (s->error)
                return -EBADMSG;
        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0) {
                text = NULL;
                return -ENOMEM;
        }
        strbuf_init(&b);
        strbuf_put_safe_text(&b, s->file, strlen(s->file));
        strbuf_printf(&b, ":%zu: %s", line, text);
        if (b.oom) {
                strbuf_free(&b);
                return -ENOMEM;
        }
        s->error = b.data;
        return -EBADMSG;
}

static size_t line_of_offset(const YamlScanner *s, size_t offset) {
        size_t line = 1;

        for (size_t i = 0; i < offset && i < s->len; i++)
                if (s->data[i] == '\n')
                        line++;
        return line;
}

static size_t event_line(const yaml_event_t *e) {
        return e->start_mark.line + 1;
}

/* next - advance to the next event; syntax errors (and aliases in documents) become messages */
static int next(YamlScanner *s) {
        const yaml_parser_t *p = &s->parser;

        if (s->have_event) {
                yaml_event_delete(&s->event);
                s->have_event = false;
        }
        if (!yaml_parser_parse(&s->parser, &s->event)) {
                size_t line;

                if (p->error == YAML_MEMORY_ERROR)
                        return -ENOMEM;
                line = p->error == YAML_READER_ERROR ? line_of_offset(s, p->problem_offset)
                                                     : p->problem_mark.line + 1;
                if (s->mode == YAML_SCAN_DOCUMENT)
                        return yaml_scan_fail(s, line, "YAML syntax error: %s",
                                              p->problem ? p->problem : "malformed document");
                if (p->context)
                        return yaml_scan_fail(s, line, "invalid YAML: %s (%s)",
                                              p->problem ? p->problem : "syntax error", p->context);
                return yaml_scan_fail(s, line, "invalid YAML: %s", p->problem ? p->problem : "syntax error");
        }
        s->have_event = true;
        /* In settings an alias is a node of the wrong type, reported where it stands. */
        if (s->event.type == YAML_ALIAS_EVENT && s->mode == YAML_SCAN_DOCUMENT)
                return yaml_scan_fail(s, event_line(&s->event), "aliases are not supported");
        return 0;
}

static int record_key(YamlScanner *s, const char *path, size_t line, size_t value_line) {
        YamlScan *sc = s->scan;
        char *p;

        if (sc->n_keys == sc->cap) {
                size_t ncap = sc->cap ? sc->cap * 2 : 16;
                YamlKeyPos *n = reallocarray(sc->keys, ncap, sizeof(*n));
                if (!n)
                        return -ENOMEM;
                sc->keys = n;
                sc->cap = ncap;
        }
        p = strdup(path);
        if (!p)
                return -ENOMEM;
        sc->keys[sc->n_keys++] = (YamlKeyPos) {
                .path = p,
                .line = (unsigned) line,
                .value_line = (unsigned) value_line,
        };
        return 0;
}

/* scan_list - the items of a list value; the current event is SEQUENCE-START */
static int scan_list(YamlScanner *s, const YamlWhere *key) {
        const YamlKeySpec *k = key->key;
        YamlWhere w = *key;
        int r;

        for (;;) {
                char item[PATH_MAX_LEN + 24];

                r = next(s);
                if (r < 0)
                        return r;
                if (s->event.type == YAML_SEQUENCE_END_EVENT)
                        return 0;
                w.item++;
                w.line = event_line(&s->event);
                if (k->max_items > 0 && w.item > k->max_items) {
                        if (s->mode == YAML_SCAN_DOCUMENT)
                                return yaml_scan_fail(s, w.line, "key '%s': invalid value (more than %" PRIu32
                                                      " items)", w.path, k->max_items);
                        return yaml_scan_fail(s, w.line, "key '%s': more than %" PRIu32 " items", w.path,
                                              k->max_items);
                }
                if (s->event.type != YAML_SCALAR_EVENT)
                        return yaml_scan_value_wrong_shape(s, &w);
                r = yaml_scan_value_check(s, &w);
                if (r < 0)
                        return r;
                (void) snprintf(item, sizeof item, "%s[%zu]", w.path, w.item - 1);
                r = record_key(s, item, w.line, w.line);
                if (r < 0)
                        return r;
        }
}

static int scan_mapping(YamlScanner *s, const YamlKeySpec *keys, const char *prefix, unsigned depth);

/* scan_value - the value after the key w names */
static int scan_value(YamlScanner *s, const YamlWhere *key, unsigned depth) {
        const YamlKeySpec *k = key->key;
        YamlWhere w = *key;
        int r;

        r = next(s);
        if (r < 0)
                return r;
        w.line = event_line(&s->event);
        r = record_key(s, w.path, key->line, w.line);
        if (r < 0)
                return r;

        if (k->kind == YAML_KIND_MAPPING) {
                if (s->event.type != YAML_MAPPING_START_EVENT)
                        return yaml_scan_value_wrong_shape(s, &w);
                return scan_mapping(s, k->children, w.path, depth + 1);
        }
        if (k->list) {
                if (s->event.type != YAML_SEQUENCE_START_EVENT)
                        return yaml_scan_value_wrong_shape(s, &w);
                return scan_list(s, &w);
        }
        if (s->event.type != YAML_SCALAR_EVENT)
                return yaml_scan_value_wrong_shape(s, &w);
        return yaml_scan_value_check(s, &w);
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

/* suggest_key - the key of the table that name most likely meant, or NULL */
static const char *suggest_key(const char *name, const YamlKeySpec *keys) {
        const char *best = NULL;
        size_t best_d = 3, len = strlen(name);

        for (const YamlKeySpec *k = keys; k && k->name; k++) {
                size_t d = edit_distance_small(name, k->name);
                if (len >= 4 && strncmp(k->name, name, len) == 0)
                        d = 1;
                if (d < best_d) {
                        best = k->name;
                        best_d = d;
                }
        }
        return best;
}

static int unknown_key(YamlScanner *s, const char *prefix, const YamlKeySpec *keys, size_t line) {
        const yaml_event_t *e = &s->event;
        const char *hint = suggest_key((const char *) e->data.scalar.value, keys);
        char q[YAML_QUOTE_MAX + 4];

        yaml_scan_value_quote(e, q);
        if (hint)
                return yaml_scan_fail(s, line, "unknown key '%s%s%s' (did you mean '%s%s%s'?)", prefix,
                                      *prefix ? "." : "", q, prefix, *prefix ? "." : "", hint);
        return yaml_scan_fail(s, line, "unknown key '%s%s%s'", prefix, *prefix ? "." : "", q);
}

/* scan_mapping - keys of one mapping; the current event is MAPPING-START */
static int scan_mapping(YamlScanner *s, const YamlKeySpec *keys, const char *prefix, unsigned depth) {
        size_t seen[KEYS_MAX] = { 0 }, n_keys = 0;
        int r;

        while (keys && keys[n_keys].name)
                n_keys++;
        if (n_keys > KEYS_MAX)
                return -EINVAL;
        if (depth > DEPTH_MAX)
                return yaml_scan_fail(s, event_line(&s->event), "nesting too deep");

        for (;;) {
                const yaml_event_t *e = &s->event;
                char path[PATH_MAX_LEN];
                const YamlKeySpec *k = NULL;
                size_t line, i;

                r = next(s);
                if (r < 0)
                        return r;
                if (e->type == YAML_MAPPING_END_EVENT)
                        return 0;
                line = event_line(e);
                if (e->type != YAML_SCALAR_EVENT) {
                        if (s->mode == YAML_SCAN_DOCUMENT)
                                return yaml_scan_fail(s, line, "mapping keys must be plain strings");
                        return yaml_scan_fail(s, line, "expected a key name, got %s",
                                              yaml_scan_value_noun(e->type));
                }
                for (i = 0; i < n_keys; i++)
                        if (strlen(keys[i].name) == e->data.scalar.length &&
                            strcmp(keys[i].name, (const char *) e->data.scalar.value) == 0) {
                                k = &keys[i];
                                break;
                        }
                if (!k)
                        return unknown_key(s, prefix, keys, line);
                (void) snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k->name);
                if (seen[i])
                        return yaml_scan_fail(s, line, "duplicate key '%s' (first set on line %zu)",
                                              path, seen[i]);
                seen[i] = line;

                r = scan_value(s, &(const YamlWhere) { .key = k, .path = path, .line = line }, depth);
                if (r < 0)
                        return r;
        }
}

/* scan_root - the root node: the top mapping, or (settings) nothing at all */
static int scan_root(YamlScanner *s, const YamlKeySpec *top) {
        const yaml_event_t *e = &s->event;
        char q[YAML_QUOTE_MAX + 4];

        if (e->type == YAML_MAPPING_START_EVENT)
                return scan_mapping(s, top, "", 0);
        if (s->mode == YAML_SCAN_DOCUMENT)
                return yaml_scan_fail(s, event_line(e), "expected a mapping of keys at the top level");
        if (yaml_scan_value_is_null(e))
                return 0;
        if (e->type == YAML_SCALAR_EVENT)
                return yaml_scan_fail(s, event_line(e),
                                      "expected a mapping of \"key: value\" lines, got '%s'",
                                      yaml_scan_value_quote(e, q));
        return yaml_scan_fail(s, event_line(e), "expected a mapping of \"key: value\" lines, got %s",
                              yaml_scan_value_noun(e->type));
}

static int scan_document(YamlScanner *s, const YamlKeySpec *top) {
        int r;

        r = next(s);                    /* STREAM-START */
        if (r < 0)
                return r;
        r = next(s);
        if (r < 0)
                return r;
        if (s->event.type == YAML_STREAM_END_EVENT) {
                if (s->mode == YAML_SCAN_DOCUMENT)
                        return yaml_scan_fail(s, 1, "the document is empty");
                return 0;
        }
        r = next(s);                    /* after DOCUMENT-START, the root node */
        if (r < 0)
                return r;
        r = scan_root(s, top);
        if (r < 0)
                return r;
        r = next(s);                    /* DOCUMENT-END */
        if (r < 0)
                return r;
        r = next(s);
        if (r < 0)
                return r;
        if (s->event.type != YAML_STREAM_END_EVENT)
                return yaml_scan_fail(s, event_line(&s->event), s->mode == YAML_SCAN_DOCUMENT ?
                                      "more than one YAML document" : "only one YAML document is allowed");
        return 0;
}

/* yaml_scan - validate data (the contents of file) against top, remember key lines */
int yaml_scan(const char *file, const char *data, size_t len, const YamlKeySpec *top,
              YamlScanMode mode, YamlScan **ret, char **reterr_message) {
        _cleanup_(yaml_scan_freep) YamlScan *sc = NULL;
        YamlScanner s = { .file = file ? file : "<input>", .data = data, .len = len, .mode = mode };
        int r;

        sc = calloc(1, sizeof(*sc));
        if (!sc)
                return -ENOMEM;
        s.scan = sc;
        if (!yaml_parser_initialize(&s.parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&s.parser, (const unsigned char *) data, len);
        r = scan_document(&s, top);
        if (s.have_event)
                yaml_event_delete(&s.event);
        yaml_parser_delete(&s.parser);

        if (r == -EBADMSG && reterr_message)
                *reterr_message = TAKE_PTR(s.error);
        free(s.error);
        if (r < 0)
                return r;
        if (ret)
                *ret = TAKE_PTR(sc);
        return 0;
}

/* yaml_scan_free - NULL-safe */
YamlScan *yaml_scan_free(YamlScan *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_keys; i++)
                free(s->keys[i].path);
        free(s->keys);
        free(s);
        return NULL;
}

static const YamlKeyPos *find_key(const YamlScan *s, const char *path) {
        if (!s || !path)
                return NULL;
        for (size_t i = 0; i < s->n_keys; i++)
                if (strcmp(s->keys[i].path, path) == 0)
                        return &s->keys[i];
        return NULL;
}

/* yaml_scan_line - line of the value of a key (where the list starts for lists) */
unsigned yaml_scan_line(const YamlScan *s, const char *path) {
        const YamlKeyPos *k = find_key(s, path);
        return k ? k->value_line : 0;
}

/* yaml_scan_key_line - line of the key */
unsigned yaml_scan_key_line(const YamlScan *s, const char *path) {
        const YamlKeyPos *k = find_key(s, path);
        return k ? k->line : 0;
}

/* yaml_scan_has - was the key present */
bool yaml_scan_has(const YamlScan *s, const char *path) {
        return find_key(s, path) != NULL;
}

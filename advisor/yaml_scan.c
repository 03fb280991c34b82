/*
 * NAME
 *        yaml_scan - check a YAML document against a key tree, with line numbers
 * DESCRIPTION
 *        See yaml_scan.h. Accepted shape (one document):
 *
 *            document = mapping(top)
 *            mapping(spec) = *( scalar-key value(spec[key]) )   ; no duplicates
 *            value(STRING)      = scalar
 *            value(UINT)        = scalar ; "0" / %x31-39 *DIGIT, min..max
 *            value(BOOL)        = scalar ; true / false / yes / no (any case)
 *            value(STRING_LIST) = sequence of scalars
 *            value(MAPPING)     = mapping(children)
 *
 *        Aliases are rejected; anchors are harmless and ignored.
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
#include "util.h"
#include "yaml_scan.h"

#define YAML_STRING_MAX_DEFAULT 4096
#define YAML_DEPTH_MAX 8

typedef struct Scanner {
        yaml_parser_t parser;
        const char *file;
        YamlScan *scan;
        char *error;
        bool oom;
} Scanner;

DEFINE_TRIVIAL_CLEANUP_FUNC(YamlScan *, yaml_scan_free)

/* fail - record the first error as "FILE:LINE: text" */
static int fail(Scanner *s, size_t line0, const char *fmt, ...) _printf_(3, 4);
static int fail(Scanner *s, size_t line0, const char *fmt, ...) {
        StrBuf b;
        va_list ap;
        char *text = NULL;

        if (s->error)
                return -EBADMSG;
        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;
        va_end(ap);
        if (!text) {
                s->oom = true;
                return -ENOMEM;
        }
        strbuf_init(&b);
        strbuf_put_safe_text(&b, s->file, strlen(s->file));
        strbuf_printf(&b, ":%zu: %s", line0 + 1, text);
        free(text);
        if (b.oom) {
                strbuf_free(&b);
                s->oom = true;
                return -ENOMEM;
        }
        s->error = b.data;
        return -EBADMSG;
}

/* quoted - a short, terminal-safe rendering of a scalar for messages */
static char *quoted(const yaml_event_t *ev) {
        StrBuf b;
        size_t n = ev->data.scalar.length;

        strbuf_init(&b);
        strbuf_putc(&b, '\'');
        strbuf_put_safe_text(&b, (const char *) ev->data.scalar.value, n > 64 ? 64 : n);
        if (n > 64)
                strbuf_puts(&b, "...");
        strbuf_putc(&b, '\'');
        if (b.oom) {
                strbuf_free(&b);
                return NULL;
        }
        return b.data;
}

/* next - fetch the next event; parser errors become messages */
static int next(Scanner *s, yaml_event_t *ev) {
        if (!yaml_parser_parse(&s->parser, ev)) {
                if (s->parser.error == YAML_MEMORY_ERROR) {
                        s->oom = true;
                        return -ENOMEM;
                }
                return fail(s, s->parser.problem_mark.line, "YAML syntax error: %s",
                            s->parser.problem ? s->parser.problem : "malformed document");
        }
        if (ev->type == YAML_ALIAS_EVENT) {
                size_t line = ev->start_mark.line;
                yaml_event_delete(ev);
                return fail(s, line, "aliases are not supported");
        }
        return 0;
}

static int record_key(Scanner *s, const char *path, size_t line0, size_t value_line0) {
        YamlScan *sc = s->scan;

        if (sc->n_keys == sc->cap) {
                size_t ncap = sc->cap ? sc->cap * 2 : 16;
                YamlKeyPos *n = realloc(sc->keys, ncap * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                sc->keys = n;
                sc->cap = ncap;
        }
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        sc->keys[sc->n_keys++] = (YamlKeyPos) {
                .path = p,
                .line = (unsigned) line0 + 1,
                .value_line = (unsigned) value_line0 + 1,
        };
        return 0;
}

static bool scalar_is_bool(const char *v) {
        return strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0 ||
               strcasecmp(v, "yes") == 0 || strcasecmp(v, "no") == 0;
}

/* scalar_uint - plain decimal without sign, leading zero or exponent */
static int scalar_uint(const char *v, size_t n, uint64_t *ret) {
        if (n == 0 || n > 19 || (v[0] == '0' && n > 1))
                return -EINVAL;
        return span_to_u64(span_make(v, n), ret);
}

static int scan_mapping(Scanner *s, const YamlKeySpec *spec, const char *prefix, unsigned depth);

/* scan_value - check the value of one key against its spec */
static int scan_value(Scanner *s, const YamlKeySpec *k, const char *path, size_t key_line0,
                      unsigned depth) {
        yaml_event_t ev;
        _cleanup_free_ char *q = NULL;
        int r;

        r = next(s, &ev);
        if (r < 0)
                return r;
        size_t line0 = ev.start_mark.line;
        r = record_key(s, path, key_line0, line0);
        if (r < 0) {
                yaml_event_delete(&ev);
                s->oom = true;
                return r;
        }

        switch (k->kind) {
        case YAML_KIND_STRING:
        case YAML_KIND_UINT:
        case YAML_KIND_BOOL: {
                if (ev.type != YAML_SCALAR_EVENT) {
                        yaml_event_delete(&ev);
                        return fail(s, line0, "key '%s': invalid value (expected a %s)", path,
                                    k->kind == YAML_KIND_STRING ? "string" :
                                    k->kind == YAML_KIND_UINT ? "number" : "boolean");
                }
                const char *v = (const char *) ev.data.scalar.value;
                size_t n = ev.data.scalar.length;
                uint64_t u;

                q = quoted(&ev);
                if (!q) {
                        yaml_event_delete(&ev);
                        s->oom = true;
                        return -ENOMEM;
                }
                if (k->kind == YAML_KIND_STRING) {
                        uint64_t max = k->max ? k->max : YAML_STRING_MAX_DEFAULT;
                        if (n > max || memchr(v, '\0', n))
                                r = fail(s, line0, "key '%s': invalid value (longer than %" PRIu64
                                         " bytes or holds NUL)", path, max);
                } else if (k->kind == YAML_KIND_UINT) {
                        if (scalar_uint(v, n, &u) < 0 || u < k->min || u > k->max)
                                r = fail(s, line0, "key '%s': invalid value %s (expected a number %"
                                         PRIu64 "..%" PRIu64 ")", path, q, k->min, k->max);
                } else if (!scalar_is_bool(v))
                        r = fail(s, line0, "key '%s': invalid value %s (expected true or false)",
                                 path, q);
                yaml_event_delete(&ev);
                return r;
        }

        case YAML_KIND_STRING_LIST: {
                uint64_t items = 0;

                if (ev.type != YAML_SEQUENCE_START_EVENT) {
                        yaml_event_delete(&ev);
                        return fail(s, line0, "key '%s': invalid value (expected a list of strings)",
                                    path);
                }
                yaml_event_delete(&ev);
                for (;;) {
                        r = next(s, &ev);
                        if (r < 0)
                                return r;
                        if (ev.type == YAML_SEQUENCE_END_EVENT)
                                break;
                        size_t item_line0 = ev.start_mark.line;
                        if (ev.type != YAML_SCALAR_EVENT) {
                                yaml_event_delete(&ev);
                                return fail(s, item_line0,
                                            "key '%s': invalid value (expected a list of strings)", path);
                        }
                        if (ev.data.scalar.length > YAML_STRING_MAX_DEFAULT ||
                            memchr(ev.data.scalar.value, '\0', ev.data.scalar.length)) {
                                yaml_event_delete(&ev);
                                return fail(s, item_line0, "key '%s': invalid value (item too long)",
                                            path);
                        }
                        yaml_event_delete(&ev);
                        if (k->max && items >= k->max)
                                return fail(s, item_line0,
                                            "key '%s': invalid value (more than %" PRIu64 " items)",
                                            path, k->max);
                        char item[512];
                        (void) snprintf(item, sizeof(item), "%s[%" PRIu64 "]", path, items);
                        r = record_key(s, item, item_line0, item_line0);
                        if (r < 0) {
                                s->oom = true;
                                return r;
                        }
                        items++;
                }
                yaml_event_delete(&ev);
                return 0;
        }

        case YAML_KIND_MAPPING:
                if (ev.type != YAML_MAPPING_START_EVENT) {
                        yaml_event_delete(&ev);
                        return fail(s, line0, "key '%s': invalid value (expected a mapping)", path);
                }
                yaml_event_delete(&ev);
                return scan_mapping(s, k->children, path, depth + 1);
        }
        yaml_event_delete(&ev);
        return fail(s, line0, "key '%s': unsupported schema kind", path);
}

/* scan_mapping - keys of one mapping; the MAPPING_START was consumed */
static int scan_mapping(Scanner *s, const YamlKeySpec *spec, const char *prefix, unsigned depth) {
        const YamlKeySpec *seen[64] = { 0 };
        size_t n_seen = 0;
        yaml_event_t ev;
        int r;

        if (depth > YAML_DEPTH_MAX)
                return fail(s, s->parser.mark.line, "nesting too deep");

        for (;;) {
                _cleanup_free_ char *path = NULL;
                const YamlKeySpec *k = NULL;

                r = next(s, &ev);
                if (r < 0)
                        return r;
                if (ev.type == YAML_MAPPING_END_EVENT) {
                        yaml_event_delete(&ev);
                        return 0;
                }
                size_t line0 = ev.start_mark.line;
                if (ev.type != YAML_SCALAR_EVENT) {
                        yaml_event_delete(&ev);
                        return fail(s, line0, "mapping keys must be plain strings");
                }

                const char *name = (const char *) ev.data.scalar.value;
                for (const YamlKeySpec *i = spec; i && i->name; i++)
                        if (strlen(i->name) == ev.data.scalar.length && strcmp(i->name, name) == 0)
                                k = i;

                StrBuf pb;
                strbuf_init(&pb);
                if (prefix && *prefix) {
                        strbuf_puts(&pb, prefix);
                        strbuf_putc(&pb, '.');
                }
                size_t n = ev.data.scalar.length;
                strbuf_put_safe_text(&pb, name, n > 64 ? 64 : n);
                yaml_event_delete(&ev);
                if (pb.oom) {
                        strbuf_free(&pb);
                        s->oom = true;
                        return -ENOMEM;
                }
                path = pb.data;

                if (!k)
                        return fail(s, line0, "unknown key '%s'", path);
                for (size_t i = 0; i < n_seen; i++)
                        if (seen[i] == k)
                                return fail(s, line0, "duplicate key '%s'", path);
                if (n_seen < ELEMENTSOF(seen))
                        seen[n_seen++] = k;

                r = scan_value(s, k, path, line0, depth);
                if (r < 0)
                        return r;
        }
}

static int scan_document(Scanner *s, const YamlKeySpec *top) {
        yaml_event_t ev;
        int r;

        r = next(s, &ev);               /* STREAM_START */
        if (r < 0)
                return r;
        yaml_event_delete(&ev);

        r = next(s, &ev);
        if (r < 0)
                return r;
        if (ev.type != YAML_DOCUMENT_START_EVENT) {
                yaml_event_delete(&ev);
                return fail(s, 0, "the document is empty");
        }
        yaml_event_delete(&ev);

        r = next(s, &ev);
        if (r < 0)
                return r;
        if (ev.type != YAML_MAPPING_START_EVENT) {
                size_t line0 = ev.start_mark.line;
                yaml_event_delete(&ev);
                return fail(s, line0, "expected a mapping of keys at the top level");
        }
        yaml_event_delete(&ev);

        r = scan_mapping(s, top, NULL, 0);
        if (r < 0)
                return r;

        r = next(s, &ev);               /* DOCUMENT_END */
        if (r < 0)
                return r;
        yaml_event_delete(&ev);
        r = next(s, &ev);
        if (r < 0)
                return r;
        if (ev.type != YAML_STREAM_END_EVENT) {
                size_t line0 = ev.start_mark.line;
                yaml_event_delete(&ev);
                return fail(s, line0, "more than one YAML document");
        }
        yaml_event_delete(&ev);
        return 0;
}

/* yaml_scan - validate data against top, remember key lines */
int yaml_scan(const char *file, const char *data, size_t len,
              const YamlKeySpec *top, YamlScan **ret, char **reterr_message) {
        _cleanup_(yaml_scan_freep) YamlScan *sc = NULL;
        Scanner s = { .file = file ? file : "<input>" };
        int r;

        sc = calloc(1, sizeof(*sc));
        if (!sc)
                return -ENOMEM;
        s.scan = sc;
        if (!yaml_parser_initialize(&s.parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&s.parser, (const unsigned char *) data, len);
        r = scan_document(&s, top);
        yaml_parser_delete(&s.parser);

        if (s.oom) {
                free(s.error);
                return -ENOMEM;
        }
        if (r < 0) {
                if (reterr_message)
                        *reterr_message = s.error;
                else
                        free(s.error);
                return r;
        }
        free(s.error);
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

/* yaml_scan_line - line of the value of a key (its first item for lists) */
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

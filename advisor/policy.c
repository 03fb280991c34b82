/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        policy - read an smtp_tls_policy_maps source file
 * DESCRIPTION
 *        See policy.h. Logical lines follow postmap's readllines():
 *
 *            file    = *( comment / blank / logical )
 *            logical = first-line *( comment / blank / continuation )
 *            first-line   = non-blank-char *char LF     ; starts in column 1
 *            continuation = 1*WS *char LF                ; appended as is
 *
 *        then "key 1*WS value" with the key ending at the first whitespace
 *        outside double quotes (backslash escapes one character).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "domain.h"
#include "fileio.h"
#include "policy.h"
#include "postconf.h"
#include "span.h"
#include "strbuf.h"

typedef struct Parser {
        const char *file;
        PolicyMap *map;
        char *error;
} Parser;

DEFINE_TRIVIAL_CLEANUP_FUNC(PolicyMap *, policy_free)

static void entry_done(PolicyEntry *e) {
        free(e->key);
        free(e->level);
        free(e->value);
        for (size_t i = 0; i < e->n_attrs; i++) {
                free(e->attrs[i].name);
                free(e->attrs[i].value);
        }
        free(e->attrs);
        *e = (PolicyEntry) { 0 };
}

/* policy_free - NULL-safe */
PolicyMap *policy_free(PolicyMap *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n_entries; i++)
                entry_done(&m->entries[i]);
        for (size_t i = 0; i < m->n_duplicates; i++)
                free(m->duplicates[i].key);
        free(m->entries);
        free(m->duplicates);
        free(m->sorted);
        free(m->path);
        free(m);
        return NULL;
}

static int fail(Parser *p, unsigned line, const char *fmt, ...) _printf_(3, 4);
static int fail(Parser *p, unsigned line, const char *fmt, ...) {
        StrBuf b;
        char *text = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;
        va_end(ap);
        if (!text)
                return -ENOMEM;
        strbuf_init(&b);
        strbuf_put_safe_text(&b, p->file, strlen(p->file));
        strbuf_printf(&b, ":%u: %s", line, text);
        free(text);
        if (b.oom) {
                strbuf_free(&b);
                return -ENOMEM;
        }
        free(p->error);
        p->error = b.data;
        return -EBADMSG;
}

static bool is_ws(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* parse_logical - "key WS value" of one logical line */
static int parse_logical(Parser *p, char *text, size_t len, unsigned line, bool in_section) {
        bool quotes = false;
        size_t k = 0;
        char *reason = NULL;
        int r;

        for (; k < len; k++) {
                if (text[k] == '\\') {
                        if (++k >= len)
                                break;
                } else if (is_ws(text[k])) {
                        if (!quotes)
                                break;
                } else if (text[k] == '"')
                        quotes = !quotes;
        }
        if (quotes)
                return fail(p, line, "unbalanced '\"' in key");
        size_t v = k;
        while (v < len && is_ws(text[v]))
                v++;
        size_t end = len;
        while (end > v && is_ws(text[end - 1]))
                end--;
        if (k == 0 || v >= end)
                return fail(p, line, "expected format: key whitespace value");

        PolicyMap *m = p->map;
        PolicyEntry *n = realloc(m->entries, (m->n_entries + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        m->entries = n;
        PolicyEntry *e = &m->entries[m->n_entries];
        *e = (PolicyEntry) { .line = line, .in_mxtls_section = in_section };

        e->key = strndup(text, k);
        _cleanup_free_ char *value = strndup(text + v, end - v);
        if (!e->key || !value) {
                entry_done(e);
                return -ENOMEM;
        }
        ascii_lower(e->key);
        e->quoted = strchr(e->key, '"') != NULL;

        r = policy_value_parse(value, e, &reason);
        if (r < 0) {
                entry_done(e);
                if (r == -ENOMEM || !reason)
                        return -ENOMEM;
                _cleanup_free_ char *key = NULL;
                StrBuf b;
                strbuf_init(&b);
                strbuf_put_safe_text(&b, text, k > 80 ? 80 : k);
                key = b.data;
                r = fail(p, line, "key \"%s\": %s", key ? key : "", reason);
                free(reason);
                return r;
        }
        m->n_entries++;
        return 0;
}

static bool starts_with(const char *s, size_t n, const char *prefix) {
        size_t k = strlen(prefix);
        return n >= k && memcmp(s, prefix, k) == 0;
}

/* read_lines - physical lines into logical lines */
static int read_lines(Parser *p, const char *data, size_t len) {
        StrBuf logical;
        unsigned lineno = 0, start_line = 0;
        bool in_section = false, start_in_section = false, have = false;
        int r = 0;

        strbuf_init(&logical);
        for (size_t pos = 0; pos < len && r >= 0;) {
                const char *nl = memchr(data + pos, '\n', len - pos);
                size_t n = nl ? (size_t) (nl - (data + pos)) : len - pos;
                const char *s = data + pos;
                size_t i = 0;

                pos += n + (nl ? 1 : 0);
                lineno++;
                if (memchr(s, '\0', n)) {
                        r = fail(p, lineno, "NUL byte in line");
                        break;
                }
                while (i < n && is_ws(s[i]))
                        i++;
                if (i == n || s[i] == '#') {
                        if (starts_with(s, n, POLICY_SECTION_BEGIN)) {
                                if (in_section || p->map->has_mxtls_section)
                                        r = fail(p, lineno, "second \"" POLICY_SECTION_BEGIN "\" line");
                                in_section = true;
                                p->map->has_mxtls_section = true;
                        } else if (starts_with(s, n, POLICY_SECTION_END)) {
                                if (!in_section)
                                        r = fail(p, lineno, "\"" POLICY_SECTION_END "\" without \""
                                                 POLICY_SECTION_BEGIN "\"");
                                in_section = false;
                        }
                        continue;
                }
                if (i > 0) {
                        if (!have) {
                                r = fail(p, lineno, "continuation line without a preceding entry");
                                break;
                        }
                        strbuf_putn(&logical, s, n);
                        continue;
                }
                if (have)
                        r = parse_logical(p, logical.data, logical.len, start_line, start_in_section);
                logical.len = 0;
                strbuf_putn(&logical, s, n);
                have = true;
                start_line = lineno;
                start_in_section = in_section;
                if (logical.oom)
                        r = -ENOMEM;
        }
        if (r >= 0 && logical.oom)
                r = -ENOMEM;
        if (r >= 0 && have)
                r = parse_logical(p, logical.data, logical.len, start_line, start_in_section);
        if (r >= 0 && in_section)
                r = fail(p, lineno, "\"" POLICY_SECTION_BEGIN "\" without \"" POLICY_SECTION_END "\"");
        strbuf_free(&logical);
        return r;
}

static int cmp_index(const void *a, const void *b, void *userdata) {
        const PolicyMap *m = userdata;
        size_t x = *(const size_t *) a, y = *(const size_t *) b;
        int c = strcmp(m->entries[x].key, m->entries[y].key);
        if (c != 0)
                return c;
        return x < y ? -1 : x > y;
}

/* index_and_dedup - sort keys, drop repetitions (first wins), record them */
static int index_and_dedup(PolicyMap *m) {
        size_t n = m->n_entries;
        _cleanup_free_ size_t *order = calloc(n ? n : 1, sizeof(size_t));
        _cleanup_free_ bool *drop = calloc(n ? n : 1, sizeof(bool));
        size_t dups = 0;

        if (!order || !drop)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                order[i] = i;
        qsort_r(order, n, sizeof(size_t), cmp_index, m);

        for (size_t i = 1; i < n; i++)
                if (strcmp(m->entries[order[i]].key, m->entries[order[i - 1]].key) == 0) {
                        drop[order[i]] = true;
                        dups++;
                }
        if (dups > 0) {
                m->duplicates = calloc(dups, sizeof(PolicyDuplicate));
                if (!m->duplicates)
                        return -ENOMEM;
                size_t first = 0;
                for (size_t i = 0; i < n; i++) {
                        size_t e = order[i];
                        if (!drop[e]) {
                                first = e;
                                continue;
                        }
                        m->duplicates[m->n_duplicates++] = (PolicyDuplicate) {
                                .key = TAKE_PTR(m->entries[e].key),
                                .line = m->entries[e].line,
                                .first_line = m->entries[first].line,
                                .in_mxtls_section = m->entries[e].in_mxtls_section,
                        };
                }
                size_t k = 0;
                for (size_t i = 0; i < n; i++) {
                        if (drop[i]) {
                                entry_done(&m->entries[i]);
                                continue;
                        }
                        m->entries[k++] = m->entries[i];
                }
                m->n_entries = k;
        }

        m->sorted = calloc(m->n_entries ? m->n_entries : 1, sizeof(size_t));
        if (!m->sorted)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_entries; i++)
                m->sorted[i] = i;
        qsort_r(m->sorted, m->n_entries, sizeof(size_t), cmp_index, m);
        return 0;
}

/* policy_parse - whole file from memory */
int policy_parse(const char *file, const char *data, size_t len, PolicyMap **ret,
                 char **reterr_message) {
        _cleanup_(policy_freep) PolicyMap *m = NULL;
        Parser p = { .file = file ? file : "<policy>" };
        int r;

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->path = strdup(p.file);
        if (!m->path)
                return -ENOMEM;
        p.map = m;

        r = read_lines(&p, data, len);
        if (r >= 0)
                r = index_and_dedup(m);
        if (r < 0) {
                if (r != -ENOMEM && reterr_message)
                        *reterr_message = TAKE_PTR(p.error);
                free(p.error);
                return r;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

/* policy_load - read and parse a file */
int policy_load(const char *path, PolicyMap **ret, char **reterr_message) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r;

        r = read_file_full(path, POLICY_FILE_MAX, &data, &len);
        if (r < 0) {
                if (reterr_message && asprintf(reterr_message, "%s: %s", path, strerror(-r)) < 0)
                        *reterr_message = NULL;
                return r;
        }
        return policy_parse(path, data, len, ret, reterr_message);
}

static const PolicyEntry *find_exact(const PolicyMap *m, const char *key) {
        size_t lo = 0, hi = m->n_entries;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(m->entries[m->sorted[mid]].key, key);
                if (c == 0)
                        return &m->entries[m->sorted[mid]];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

static bool plain_hostname(const char *s) {
        return domain_is_valid(s, strlen(s));
}

/* policy_lookup - smtp(8) order: exact, then ".parent" for plain host names */
const PolicyEntry *policy_lookup(const PolicyMap *m, const char *nexthop) {
        _cleanup_free_ char *key = NULL;
        const PolicyEntry *e;

        if (!m || !nexthop || !*nexthop)
                return NULL;
        key = strdup(nexthop);
        if (!key)
                return NULL;
        ascii_lower(key);
        e = find_exact(m, key);
        if (e || !plain_hostname(key))
                return e;
        for (const char *dot = strchr(key + 1, '.'); dot; dot = strchr(dot + 1, '.')) {
                e = find_exact(m, dot);
                if (e)
                        return e;
        }
        return NULL;
}

static bool named_outside_section(const PolicyMap *m, const PolicyEntry *e) {
        if (!e)
                return false;
        if (!e->in_mxtls_section)
                return true;
        for (size_t i = 0; i < m->n_duplicates; i++)
                if (!m->duplicates[i].in_mxtls_section && strcmp(m->duplicates[i].key, e->key) == 0)
                        return true;
        return false;
}

/* policy_names - does the administrator's part of the map cover this domain */
const PolicyEntry *policy_names(const PolicyMap *m, const char *domain) {
        _cleanup_free_ char *key = NULL, *quoted = NULL;
        const PolicyEntry *e;

        if (!m || !domain || !*domain)
                return NULL;
        key = strdup(domain);
        if (!key || asprintf(&quoted, "\"%s\"", domain) < 0)
                return NULL;
        ascii_lower(key);
        ascii_lower(quoted);

        e = find_exact(m, key);
        if (named_outside_section(m, e))
                return e;
        e = find_exact(m, quoted);
        if (named_outside_section(m, e))
                return e;
        if (!plain_hostname(key))
                return NULL;
        for (const char *dot = strchr(key + 1, '.'); dot; dot = strchr(dot + 1, '.')) {
                e = find_exact(m, dot);
                if (named_outside_section(m, e))
                        return e;
        }
        return NULL;
}

/* policy_attr - first value of an attribute */
const char *policy_attr(const PolicyEntry *e, const char *name) {
        for (size_t i = 0; e && i < e->n_attrs; i++)
                if (strcmp(e->attrs[i].name, name) == 0)
                        return e->attrs[i].value;
        return NULL;
}

/* policy_default_path - the source file behind smtp_tls_policy_maps */
int policy_default_path(char **ret_path, char **reterr_message) {
        static const char *const readable[] = { "hash", "lmdb", "cdb", "btree", "dbm", "texthash" };
        _cleanup_free_ char *value = NULL;
        char *table, *save = NULL;
        int r;

        r = postconf_get("smtp_tls_policy_maps", &value);
        if (r < 0)
                return r;
        table = strtok_r(value, " \t,", &save);
        if (!table)
                return -ENOENT;

        if (strncmp(table, "proxy:", 6) == 0)
                table += 6;
        char *colon = strchr(table, ':');
        if (!colon || table[0] == '/') {
                *ret_path = strdup(table);      /* default_database_type */
                return *ret_path ? 0 : -ENOMEM;
        }
        *colon = '\0';
        for (size_t i = 0; i < ELEMENTSOF(readable); i++)
                if (strcmp(table, readable[i]) == 0) {
                        *ret_path = strdup(colon + 1);
                        return *ret_path ? 0 : -ENOMEM;
                }
        if (reterr_message &&
            asprintf(reterr_message, "smtp_tls_policy_maps uses a %s: table, whose source cannot be read; "
                     "use --policy FILE", table) < 0)
                *reterr_message = NULL;
        return -EOPNOTSUPP;
}

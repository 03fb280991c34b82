/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        template - advisor rule sets, loaded with libcyaml
 * DESCRIPTION
 *        See template.h. Loading is three steps: yaml_scan() checks keys,
 *        shapes and plain numbers and remembers lines; libcyaml decodes against
 *        the static schema below; template_check() validates the words (levels,
 *        protocols, trust, domains) and fills in defaults for absent keys.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cyaml/cyaml.h>

#include "cleanup.h"
#include "domain.h"
#include "fileio.h"
#include "span.h"
#include "strbuf.h"
#include "template.h"
#include "yaml_scan.h"

#define TEMPLATE_FILE_MAX (256 * 1024)
#define TEMPLATE_LIST_MAX 1000

/* --- libcyaml schema, bottom-up ---------------------------------------- */

static const cyaml_schema_value_t string_entry = {
        CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, 4096),
};

static const cyaml_schema_field_t propose_fields[] = {
        CYAML_FIELD_STRING_PTR("level", CYAML_FLAG_POINTER, TemplatePropose, level, 0, 32),
        CYAML_FIELD_STRING_PTR("protocols", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                               TemplatePropose, protocols, 0, 256),
        CYAML_FIELD_STRING_PTR("match", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                               TemplatePropose, match, 0, 1024),
        CYAML_FIELD_BOOL("require_dane_verified", CYAML_FLAG_OPTIONAL,
                         TemplatePropose, require_dane_verified),
        CYAML_FIELD_STRING_PTR("ciphers", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                               TemplatePropose, ciphers, 0, 32),
        CYAML_FIELD_END
};

static const cyaml_schema_field_t template_fields[] = {
        CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                               Template, name, 0, 64),
        CYAML_FIELD_STRING_PTR("description", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                               Template, description, 0, 4096),
        CYAML_FIELD_UINT("window_days", CYAML_FLAG_OPTIONAL, Template, window_days),
        CYAML_FIELD_UINT("min_deliveries", CYAML_FLAG_OPTIONAL, Template, min_deliveries),
        CYAML_FIELD_UINT("min_days", CYAML_FLAG_OPTIONAL, Template, min_days),
        CYAML_FIELD_UINT("min_tls_share", CYAML_FLAG_OPTIONAL, Template, min_tls_share),
        CYAML_FIELD_UINT("max_tls_failures", CYAML_FLAG_OPTIONAL, Template, max_tls_failures),
        CYAML_FIELD_STRING_PTR("min_protocol", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                               Template, min_protocol, 0, 32),
        CYAML_FIELD_SEQUENCE("trust", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                             Template, trust, &string_entry, 0, 4),
        CYAML_FIELD_SEQUENCE("exclude_domains", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                             Template, exclude_domains, &string_entry, 0, TEMPLATE_LIST_MAX),
        CYAML_FIELD_MAPPING("propose", CYAML_FLAG_DEFAULT, Template, propose, propose_fields),
        CYAML_FIELD_END
};

static const cyaml_schema_value_t template_schema = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, Template, template_fields),
};

/* The same tree for yaml_scan(), with the bounds the checks below rely on. */
static const YamlKeySpec propose_keys[] = {
        { .name = "level",                 .kind = YAML_KIND_STRING, .max = 32 },
        { .name = "protocols",             .kind = YAML_KIND_STRING, .max = 256 },
        { .name = "match",                 .kind = YAML_KIND_STRING, .max = 1024 },
        { .name = "require_dane_verified", .kind = YAML_KIND_BOOL },
        { .name = "ciphers",               .kind = YAML_KIND_STRING, .max = 32 },
        { .name = NULL }
};

static const YamlKeySpec template_keys[] = {
        { .name = "name",             .kind = YAML_KIND_STRING, .max = 64 },
        { .name = "description",      .kind = YAML_KIND_STRING, .max = 4096 },
        { .name = "window_days",      .kind = YAML_KIND_UINT, .min = 1, .max = TEMPLATE_WINDOW_MAX },
        { .name = "min_deliveries",   .kind = YAML_KIND_UINT, .max = 1000000000 },
        { .name = "min_days",         .kind = YAML_KIND_UINT, .max = TEMPLATE_WINDOW_MAX },
        { .name = "min_tls_share",    .kind = YAML_KIND_UINT, .max = 100 },
        { .name = "max_tls_failures", .kind = YAML_KIND_UINT, .max = 1000000000 },
        { .name = "min_protocol",     .kind = YAML_KIND_STRING, .max = 32 },
        { .name = "trust",            .kind = YAML_KIND_STRING, .list = true, .max_items = 4 },
        { .name = "exclude_domains",  .kind = YAML_KIND_STRING, .list = true,
          .max_items = TEMPLATE_LIST_MAX },
        { .name = "propose",          .kind = YAML_KIND_MAPPING, .children = propose_keys },
        { .name = NULL }
};

/* --- libcyaml glue ------------------------------------------------------- */

typedef struct CyamlLog {
        StrBuf text;
} CyamlLog;

static void cyaml_log_capture(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
        __attribute__((format(printf, 3, 0)));
static void cyaml_log_capture(cyaml_log_t level, void *ctx, const char *fmt, va_list args) {
        CyamlLog *log = ctx;
        char *line = NULL;

        if (level < CYAML_LOG_WARNING)
                return;
        if (vasprintf(&line, fmt, args) < 0)
                return;
        strbuf_puts(&log->text, line);
        free(line);
}

static cyaml_config_t cyaml_config(CyamlLog *log) {
        return (cyaml_config_t) {
                .log_fn = cyaml_log_capture,
                .log_ctx = log,
                .mem_fn = cyaml_mem,
                .log_level = CYAML_LOG_WARNING,
                .flags = CYAML_CFG_NO_ALIAS,
        };
}

/* template_free - NULL-safe; frees with the schema that loaded it */
Template *template_free(Template *t) {
        CyamlLog log = { 0 };
        cyaml_config_t cfg = cyaml_config(&log);

        if (!t)
                return NULL;
        free(t->path);
        t->path = NULL;
        (void) cyaml_free(&cfg, &template_schema, t, 0);
        strbuf_free(&log.text);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(Template *, template_free)

/* --- word checks ----------------------------------------------------------- */

static bool is_trust_word(const char *w) {
        return trust_from_string(w) > TRUST_UNKNOWN;
}

/* protocols_valid - "[!|>=|<=]PROTO" items separated by ':' */
static bool protocols_valid(const char *s) {
        _cleanup_free_ char *copy = strdup(s);
        char *save = NULL;
        size_t items = 0;

        if (!copy || !*s || s[strlen(s) - 1] == ':')
                return false;
        for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
                if (strncmp(tok, ">=", 2) == 0 || strncmp(tok, "<=", 2) == 0)
                        tok += 2;
                else if (*tok == '!')
                        tok++;
                if (tls_protocol_rank(tok) < 0)
                        return false;
                items++;
        }
        return items > 0;
}

/* match_valid - "mx", or items hostname|nexthop|dot-nexthop|domain|.domain joined by ':' */
static bool match_valid(const char *s) {
        _cleanup_free_ char *copy = strdup(s);
        char *save = NULL;
        size_t items = 0;

        if (!copy || !*s || s[strlen(s) - 1] == ':')
                return false;
        if (strcmp(s, "mx") == 0)
                return true;
        for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
                const char *d = tok[0] == '.' ? tok + 1 : tok;
                if (strcmp(tok, "hostname") != 0 && strcmp(tok, "nexthop") != 0 &&
                    strcmp(tok, "dot-nexthop") != 0 && !domain_is_valid(d, strlen(d)))
                        return false;
                items++;
        }
        return items > 0;
}

/* --- semantic checks ----------------------------------------------------- */

typedef struct Check {
        const char *file;
        const YamlScan *scan;
        char *error;
} Check;

static int bad(Check *c, const char *key, const char *value, const char *expected) {
        StrBuf b;
        unsigned line = yaml_scan_line(c->scan, key);

        strbuf_init(&b);
        strbuf_put_safe_text(&b, c->file, strlen(c->file));
        strbuf_printf(&b, ":%u: key '%s': invalid value", line ? line : 1, key);
        if (value) {
                strbuf_puts(&b, " '");
                strbuf_put_safe_text(&b, value, strnlen(value, 64));
                strbuf_putc(&b, '\'');
        }
        strbuf_printf(&b, " (expected %s)", expected);
        if (b.oom) {
                strbuf_free(&b);
                return -ENOMEM;
        }
        c->error = b.data;
        return -EBADMSG;
}

static int template_check(Check *c, Template *t) {
        TemplatePropose *p = &t->propose;
        TlsLevel level;
        char key[64];

        if (t->name && !template_name_valid(t->name))
                return bad(c, "name", t->name, "letters, digits, '-', '_' or '.'; no leading '.', "
                           "no .yaml or .yml ending");

        if (!yaml_scan_has(c->scan, "window_days"))
                t->window_days = 60;
        if (!yaml_scan_has(c->scan, "min_deliveries"))
                t->min_deliveries = 50;
        if (!yaml_scan_has(c->scan, "min_days"))
                t->min_days = t->window_days < 14 ? t->window_days : 14;
        if (!yaml_scan_has(c->scan, "min_tls_share"))
                t->min_tls_share = 100;
        if (!yaml_scan_has(c->scan, "max_tls_failures"))
                t->max_tls_failures = 0;
        if (t->min_days > t->window_days)
                return bad(c, "min_days", NULL, "at most window_days");

        if (t->min_protocol && tls_protocol_rank(t->min_protocol) < 0)
                return bad(c, "min_protocol", t->min_protocol,
                           "SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3");

        for (unsigned i = 0; i < t->trust_count; i++) {
                (void) snprintf(key, sizeof(key), "trust[%u]", i);
                if (!is_trust_word(t->trust[i]))
                        return bad(c, key, t->trust[i], "Verified, Trusted, Untrusted or Anonymous");
        }

        for (unsigned i = 0; i < t->exclude_domains_count; i++) {
                char *d = t->exclude_domains[i];
                const char *bare = d[0] == '.' ? d + 1 : d;

                (void) snprintf(key, sizeof(key), "exclude_domains[%u]", i);
                if (!domain_is_valid(bare, strlen(bare)))
                        return bad(c, key, d, "a domain name or .domain");
                ascii_lower(d);
        }

        level = tls_level_lookup(p->level);
        if (level < 0 || level == TLS_LEVEL_NONE || level == TLS_LEVEL_FINGERPRINT)
                return bad(c, "propose.level", p->level, "may, encrypt, dane, dane-only, verify or secure");
        ascii_lower(p->level);

        if (p->protocols && !protocols_valid(p->protocols))
                return bad(c, "propose.protocols", p->protocols,
                           "protocols joined by ':', each optionally prefixed by '!', '>=' or '<='");
        if (p->match) {
                if (!tls_level_has(level, TLS_LEVEL_MATCH_ATTR))
                        return bad(c, "propose.match", p->match, "level verify or secure with match");
                ascii_lower(p->match);
                if (!match_valid(p->match))
                        return bad(c, "propose.match", p->match,
                                   "\"mx\" or hostname, nexthop, dot-nexthop, domains joined by ':'");
        }
        if (p->require_dane_verified && level != TLS_LEVEL_DANE && level != TLS_LEVEL_DANE_ONLY)
                return bad(c, "propose.require_dane_verified", NULL, "level dane or dane-only");
        if (p->ciphers) {
                ascii_lower(p->ciphers);
                if (strcmp(p->ciphers, "export") != 0 && strcmp(p->ciphers, "low") != 0 &&
                    strcmp(p->ciphers, "medium") != 0 && strcmp(p->ciphers, "high") != 0 &&
                    strcmp(p->ciphers, "null") != 0)
                        return bad(c, "propose.ciphers", p->ciphers, "export, low, medium, high or null");
        }
        return 0;
}

/* default_name - file name without directory and .yaml */
static char *default_name(const char *file) {
        const char *base = strrchr(file, '/');
        base = base ? base + 1 : file;
        size_t n = strlen(base);
        if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
                n -= 5;
        else if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
                n -= 4;
        return strndup(base, n);
}

/* cyaml_failure - message for a load error the scan did not catch */
static char *cyaml_failure(const char *file, cyaml_err_t err, const CyamlLog *log) {
        const char *text = log->text.data ? log->text.data : "";
        const char *l = strstr(text, "(line: ");
        uint32_t line = 1;
        char *m = NULL;

        if (l) {
                const char *end = l + 7;
                size_t n = strspn(end, "0123456789");
                if (span_to_u32(span_make(end, n), &line) < 0)
                        line = 1;
        }
        size_t first = strcspn(text, "\n");
        if (asprintf(&m, "%s:%u: %s%s%.*s", file, line, cyaml_strerror(err),
                     first ? ": " : "", (int) first, text) < 0)
                return NULL;
        return m;
}

/* template_load_data - scan, decode, check */
int template_load_data(const char *file, const char *data, size_t len,
                       Template **ret, char **reterr_message) {
        _cleanup_(yaml_scan_freep) YamlScan *scan = NULL;
        _cleanup_(template_freep) Template *t = NULL;
        CyamlLog log = { 0 };
        cyaml_config_t cfg = cyaml_config(&log);
        cyaml_err_t err;
        int r;

        if (!file)
                file = "<template>";
        r = yaml_scan(file, data, len, template_keys, YAML_SCAN_DOCUMENT, &scan, reterr_message);
        if (r < 0)
                return r;
        if (!yaml_scan_has(scan, "propose") || !yaml_scan_has(scan, "propose.level")) {
                unsigned line = yaml_scan_key_line(scan, "propose");
                if (reterr_message && asprintf(reterr_message, "%s:%u: missing required key '%s'", file,
                                               line ? line : 1, line ? "propose.level" : "propose") < 0)
                        *reterr_message = NULL;
                return -EBADMSG;
        }

        err = cyaml_load_data((const uint8_t *) data, len, &cfg, &template_schema,
                              (cyaml_data_t **) &t, NULL);
        if (err != CYAML_OK) {
                t = NULL;
                if (err == CYAML_ERR_OOM) {
                        strbuf_free(&log.text);
                        return -ENOMEM;
                }
                if (reterr_message)
                        *reterr_message = cyaml_failure(file, err, &log);
                strbuf_free(&log.text);
                return -EBADMSG;
        }
        strbuf_free(&log.text);

        Check c = { .file = file, .scan = scan };
        r = template_check(&c, t);
        if (r < 0) {
                if (reterr_message)
                        *reterr_message = c.error;
                else
                        free(c.error);
                return r;
        }
        if (!t->name) {
                t->name = default_name(file);
                if (!t->name)
                        return -ENOMEM;
                if (!template_name_valid(t->name)) {
                        /* the name is printed into policy comments: never odd bytes */
                        free(t->name);
                        t->name = strdup("unnamed");
                        if (!t->name)
                                return -ENOMEM;
                }
        }
        t->path = strdup(file);
        if (!t->path)
                return -ENOMEM;
        *ret = TAKE_PTR(t);
        return 0;
}

/* template_load_file - read and load one file */
int template_load_file(const char *path, Template **ret, char **reterr_message) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r;

        r = read_file_full(path, TEMPLATE_FILE_MAX, &data, &len);
        if (r < 0) {
                if (reterr_message && asprintf(reterr_message, "%s: %s", path, strerror(-r)) < 0)
                        *reterr_message = NULL;
                return r;
        }
        return template_load_data(path, data, len, ret, reterr_message);
}

/* template_trust_ok - trust word acceptable (any when the list is empty) */
bool template_trust_ok(const Template *t, const char *trust) {
        if (t->trust_count == 0)
                return true;
        for (unsigned i = 0; i < t->trust_count; i++)
                if (trust && strcmp(t->trust[i], trust) == 0)
                        return true;
        return false;
}

/* domain_matches_pattern - "example.com" exactly, ".example.com" for subdomains */
bool domain_matches_pattern(const char *domain, const char *pattern) {
        size_t dn = strlen(domain), pn = strlen(pattern);

        if (pattern[0] != '.')
                return strcasecmp(domain, pattern) == 0;
        return dn > pn && strcasecmp(domain + dn - pn, pattern) == 0;
}

/* template_excludes - domain named by exclude_domains */
bool template_excludes(const Template *t, const char *domain) {
        for (unsigned i = 0; i < t->exclude_domains_count; i++)
                if (domain_matches_pattern(domain, t->exclude_domains[i]))
                        return true;
        return false;
}

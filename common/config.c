/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        config - /etc/mxtls/mxtls.yaml, every key optional
 * SYNOPSIS
 *        #include "config.h"
 *        int config_new(Config **ret);
 *        int config_load(const char *path, bool must_exist, Config **ret,
 *                        char **reterr_message);
 *        Config *config_free(Config *c);
 *        char *config_default_state_file(void);
 * DESCRIPTION
 *        config_load() reads the file, validates it with yaml_scan() (which
 *        names FILE:LINE and the key of the first problem), loads it with libcyaml
 *        against the schema below and copies every key present over the defaults
 *        of config_new(). A missing file is not an error unless must_exist.
 *        The key table and the libcyaml field table list the same keys in the
 *        same order; see mxtls.yaml(5) for their meaning.
 * DIAGNOSTICS
 *        0 loaded; -ENOENT (must_exist), -EBADMSG invalid, -EFBIG too large,
 *        other negative errno from reading; *reterr_message is set for all of
 *        them except -ENOMEM.
 */
#include <assert.h>
#include <cyaml/cyaml.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "fileio.h"
#include "span.h"
#include "strv.h"
#include "yaml_scan.h"

#define CONFIG_FILE_MAX (1024 * 1024)
#define PATH_LEN_MAX 4095
#define WORD_LEN_MAX 255

/* What libcyaml fills in: pointers stay NULL for keys that are absent. */
typedef struct ConfigYaml {
        char *state_file;
        char **identifiers;
        unsigned identifiers_count;
        char **directories;
        unsigned directories_count;
        bool *local_only;
        char **internal_relays;
        unsigned internal_relays_count;
        uint32_t *retention_days;
        uint32_t *session_idle_seconds;
        uint32_t *max_sessions;
        uint32_t *lock_timeout_seconds;
        uint32_t *report_days;
        char *template_name;
        char *templates_dir;
        char *policy_file;
        char **exclude_domains;
        unsigned exclude_domains_count;
        uint32_t *prometheus_top_n;
        char *prometheus_file;
        char *advise_file;
} ConfigYaml;

#define OPT (CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL)

static const cyaml_schema_value_t path_entry = {
        CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, PATH_LEN_MAX),
};
static const cyaml_schema_value_t word_entry = {
        CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, WORD_LEN_MAX),
};

static const cyaml_schema_field_t config_fields[] = {
        CYAML_FIELD_STRING_PTR("state_file", OPT, ConfigYaml, state_file, 1, PATH_LEN_MAX),
        CYAML_FIELD_SEQUENCE("identifiers", OPT, ConfigYaml, identifiers, &word_entry, 0, 64),
        CYAML_FIELD_SEQUENCE("directories", OPT, ConfigYaml, directories, &path_entry, 0, 64),
        CYAML_FIELD_BOOL_PTR("local_only", OPT, ConfigYaml, local_only),
        CYAML_FIELD_SEQUENCE("internal_relays", OPT, ConfigYaml, internal_relays, &word_entry, 0, 256),
        CYAML_FIELD_UINT_PTR("retention_days", OPT, ConfigYaml, retention_days),
        CYAML_FIELD_UINT_PTR("session_idle_seconds", OPT, ConfigYaml, session_idle_seconds),
        CYAML_FIELD_UINT_PTR("max_sessions", OPT, ConfigYaml, max_sessions),
        CYAML_FIELD_UINT_PTR("lock_timeout_seconds", OPT, ConfigYaml, lock_timeout_seconds),
        CYAML_FIELD_UINT_PTR("report_days", OPT, ConfigYaml, report_days),
        CYAML_FIELD_STRING_PTR("template", OPT, ConfigYaml, template_name, 1, PATH_LEN_MAX),
        CYAML_FIELD_STRING_PTR("templates_dir", OPT, ConfigYaml, templates_dir, 1, PATH_LEN_MAX),
        CYAML_FIELD_STRING_PTR("policy_file", OPT, ConfigYaml, policy_file, 1, PATH_LEN_MAX),
        CYAML_FIELD_SEQUENCE("exclude_domains", OPT, ConfigYaml, exclude_domains, &word_entry, 0, 100000),
        CYAML_FIELD_UINT_PTR("prometheus_top_n", OPT, ConfigYaml, prometheus_top_n),
        CYAML_FIELD_STRING_PTR("prometheus_file", OPT, ConfigYaml, prometheus_file, 1, PATH_LEN_MAX),
        CYAML_FIELD_STRING_PTR("advise_file", OPT, ConfigYaml, advise_file, 1, PATH_LEN_MAX),
        CYAML_FIELD_END
};

static const cyaml_schema_value_t config_schema = {
        CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, ConfigYaml, config_fields),
};

/* Same keys, same order, with what yaml_scan() enforces beyond the type. */
#define KEY_PATH(n)             { .name = n, .kind = YAML_KIND_PATH, .max = PATH_LEN_MAX }
#define KEY_UINT(n, lo, hi)     { .name = n, .kind = YAML_KIND_UINT, .min = lo, .max = hi }
#define KEY_LIST(n, k, lim, items) \
                                { .name = n, .kind = k, .list = true, .max = lim, .max_items = items }

static const YamlKeySpec config_keys[] = {
        KEY_PATH("state_file"),
        KEY_LIST("identifiers",     YAML_KIND_WORD,   WORD_LEN_MAX, 64),
        KEY_LIST("directories",     YAML_KIND_PATH,   PATH_LEN_MAX, 64),
        { .name = "local_only", .kind = YAML_KIND_BOOL },
        KEY_LIST("internal_relays", YAML_KIND_WORD,   WORD_LEN_MAX, 256),
        KEY_UINT("retention_days",       1, 36500),
        KEY_UINT("session_idle_seconds", 1, 7 * 86400),
        KEY_UINT("max_sessions",         1, 10000000),
        KEY_UINT("lock_timeout_seconds", 0, 3600),
        KEY_UINT("report_days",          1, 36500),
        { .name = "template", .kind = YAML_KIND_TEXT, .max = PATH_LEN_MAX },
        KEY_PATH("templates_dir"),
        KEY_PATH("policy_file"),
        KEY_LIST("exclude_domains", YAML_KIND_DOMAIN, WORD_LEN_MAX, 100000),
        KEY_UINT("prometheus_top_n",     1, 10000),
        KEY_PATH("prometheus_file"),
        KEY_PATH("advise_file"),
        { .name = NULL }
};

#undef KEY_PATH
#undef KEY_UINT
#undef KEY_LIST

_Static_assert(ELEMENTSOF(config_keys) == ELEMENTSOF(config_fields),
               "config_keys and config_fields must list the same keys");

static char *const default_identifiers[] = {
        "postfix/smtp",
        "postfix*/smtp",
        "postfix*/relay/smtp",
};

/* copy_list - NULL-terminated copy of n strings (n may be 0), lower-cased if asked */
static char **copy_list(char *const *src, size_t n, bool lower) {
        char **v = strv_copy_n(src, n);

        if (v && lower)
                for (char **p = v; *p; p++)
                        ascii_lower(*p);
        return v;
}

/* config_free - release a Config and everything it owns; NULL-safe */
Config *config_free(Config *c) {
        if (!c)
                return NULL;
        free(c->state_file);
        strv_free(c->identifiers);
        strv_free(c->directories);
        strv_free(c->internal_relays);
        free(c->template_name);
        free(c->templates_dir);
        free(c->policy_file);
        strv_free(c->exclude_domains);
        free(c->prometheus_file);
        free(c->advise_file);
        free(c);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(Config *, config_free)

/* config_new - a Config holding the documented defaults */
int config_new(Config **ret) {
        _cleanup_(config_freep) Config *c = NULL;

        c = calloc(1, sizeof(Config));
        if (!c)
                return -ENOMEM;
        c->identifiers = copy_list(default_identifiers, ELEMENTSOF(default_identifiers), false);
        c->directories = copy_list(NULL, 0, false);
        c->internal_relays = copy_list(NULL, 0, false);
        c->exclude_domains = copy_list(NULL, 0, false);
        c->template_name = strdup("conservative");
        c->templates_dir = strdup(MXTLS_DATADIR "/policy-templates");
        if (!c->identifiers || !c->directories || !c->internal_relays || !c->exclude_domains ||
            !c->template_name || !c->templates_dir)
                return -ENOMEM;
        c->local_only = true;
        c->retention_days = 400;
        c->session_idle_seconds = 3600;
        c->max_sessions = 4096;
        c->lock_timeout_seconds = 10;
        c->report_days = 30;
        c->prometheus_top_n = 20;
        *ret = TAKE_PTR(c);
        return 0;
}

static int replace_str(char **dst, const char *src) {
        char *s;

        if (!src)
                return 0;
        s = strdup(src);
        if (!s)
                return -ENOMEM;
        free(*dst);
        *dst = s;
        return 0;
}

static int replace_strv(char ***dst, char *const *src, unsigned n, bool lower) {
        char **v = copy_list(src, src ? n : 0, lower);

        if (!v)
                return -ENOMEM;
        strv_free(*dst);
        *dst = v;
        return 0;
}

/* config_apply - copy every key present in the file over the defaults */
static int config_apply(Config *c, const ConfigYaml *y, const YamlScan *scan) {
        int r;

        if (y->local_only)
                c->local_only = *y->local_only;
        if (y->retention_days)
                c->retention_days = *y->retention_days;
        if (y->session_idle_seconds)
                c->session_idle_seconds = *y->session_idle_seconds;
        if (y->max_sessions)
                c->max_sessions = *y->max_sessions;
        if (y->lock_timeout_seconds)
                c->lock_timeout_seconds = *y->lock_timeout_seconds;
        if (y->report_days)
                c->report_days = *y->report_days;
        if (y->prometheus_top_n)
                c->prometheus_top_n = *y->prometheus_top_n;

        /* A list key that is present, even as [], replaces the default list. */
        if (yaml_scan_has(scan, "identifiers")) {
                r = replace_strv(&c->identifiers, y->identifiers, y->identifiers_count, false);
                if (r < 0)
                        return r;
        }
        if (yaml_scan_has(scan, "directories")) {
                r = replace_strv(&c->directories, y->directories, y->directories_count, false);
                if (r < 0)
                        return r;
        }
        if (yaml_scan_has(scan, "internal_relays")) {
                r = replace_strv(&c->internal_relays, y->internal_relays, y->internal_relays_count,
                                 false);
                if (r < 0)
                        return r;
        }
        if (yaml_scan_has(scan, "exclude_domains")) {
                r = replace_strv(&c->exclude_domains, y->exclude_domains, y->exclude_domains_count,
                                 true);
                if (r < 0)
                        return r;
        }

        const struct {
                char **dst;
                const char *src;
        } strs[] = {
                { &c->state_file,      y->state_file },
                { &c->template_name,   y->template_name },
                { &c->templates_dir,   y->templates_dir },
                { &c->policy_file,     y->policy_file },
                { &c->prometheus_file, y->prometheus_file },
                { &c->advise_file,     y->advise_file },
        };
        for (size_t i = 0; i < ELEMENTSOF(strs); i++) {
                r = replace_str(strs[i].dst, strs[i].src);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* libcyaml's messages, kept for the rare case its load fails after validation. */
typedef struct CyamlLog {
        char text[512];
        size_t len;
} CyamlLog;

_printf_(3, 0)
static void cyaml_log_capture(cyaml_log_t level, void *ctx, const char *fmt, va_list args) {
        CyamlLog *l = ctx;
        int n;

        if (level < CYAML_LOG_ERROR || l->len >= sizeof l->text - 1)
                return;
        n = vsnprintf(l->text + l->len, sizeof l->text - l->len, fmt, args);
        if (n > 0)
                l->len += (size_t) n < sizeof l->text - l->len ? (size_t) n : sizeof l->text - 1 - l->len;
}

/* cyaml_log_summary - "Invalid value: ... in mapping field 'x' (line: 3, ...)" on one line */
static void cyaml_log_summary(CyamlLog *l) {
        for (size_t i = 0; i < l->len; i++)
                if (l->text[i] == '\n' || l->text[i] == '\t')
                        l->text[i] = ' ';
}

static bool keys_match_schema(void) {
        for (size_t i = 0; config_keys[i].name; i++)
                if (strcmp(config_keys[i].name, config_fields[i].key) != 0)
                        return false;
        return true;
}

/* config_load - defaults, overridden by the keys present in path */
int config_load(const char *path, bool must_exist, Config **ret, char **reterr_message) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(yaml_scan_freep) YamlScan *scan = NULL;
        _cleanup_free_ char *data = NULL;
        CyamlLog log = { .len = 0 };
        const cyaml_config_t cyaml_cfg = {
                .log_fn = cyaml_log_capture,
                .log_ctx = &log,
                .mem_fn = cyaml_mem,
                .log_level = CYAML_LOG_ERROR,
                .flags = CYAML_CFG_NO_ALIAS,
        };
        ConfigYaml *y = NULL;
        cyaml_err_t e;
        size_t len = 0;
        int r;

        assert(path);
        assert(keys_match_schema());

        r = config_new(&c);
        if (r < 0)
                return r;

        r = read_file_full(path, CONFIG_FILE_MAX, &data, &len);
        if (r == -ENOENT && !must_exist) {
                *ret = TAKE_PTR(c);
                return 0;
        }
        if (r == -ENOMEM)
                return r;
        if (r == -EFBIG) {
                if (reterr_message && asprintf(reterr_message, "%s: larger than %d bytes, not a configuration file",
                                               path, CONFIG_FILE_MAX) < 0)
                        *reterr_message = NULL;
                return r;
        }
        if (r < 0) {
                if (reterr_message && asprintf(reterr_message, "%s: cannot read: %s", path, strerror(-r)) < 0)
                        *reterr_message = NULL;
                return r;
        }

        r = yaml_scan(path, data, len, config_keys, YAML_SCAN_SETTINGS, &scan, reterr_message);
        if (r < 0)
                return r;
        if (scan->n_keys == 0) {     /* empty, comments only, or {} */
                *ret = TAKE_PTR(c);
                return 0;
        }

        e = cyaml_load_data((const uint8_t *) data, len, &cyaml_cfg, &config_schema, (cyaml_data_t **) &y, NULL);
        if (e == CYAML_ERR_OOM)
                return -ENOMEM;
        if (e != CYAML_OK) {
                cyaml_log_summary(&log);
                if (reterr_message && asprintf(reterr_message, "%s: %s: %s", path, cyaml_strerror(e),
                                               log.len > 0 ? log.text : "load failed") < 0)
                        *reterr_message = NULL;
                return -EBADMSG;
        }
        if (y) {
                r = config_apply(c, y, scan);
                (void) cyaml_free(&cyaml_cfg, &config_schema, y, 0);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

static char *path_join3(const char *a, const char *b, const char *c) {
        char *p;

        if (asprintf(&p, "%s%s%s", a, b, c) < 0)
                return NULL;
        return p;
}

/* config_default_state_file - where the store lives when neither --state nor state_file says */
char *config_default_state_file(void) {
        const char *e, *home;

        e = getenv("STATE_DIRECTORY");
        if (e && e[0] == '/') {
                /* systemd passes a colon-separated list when StateDirectory= has several. */
                size_t n = strcspn(e, ":");
                char *p = malloc(n + sizeof "/mxtls.db");
                if (!p)
                        return NULL;
                memcpy(p, e, n);
                strcpy(p + n, "/mxtls.db");
                return p;
        }
        if (geteuid() == 0)
                return strdup(MXTLS_STATEDIR "/mxtls.db");

        e = getenv("XDG_STATE_HOME");
        if (e && e[0] == '/')
                return path_join3(e, "/mxtls", "/mxtls.db");

        home = getenv("HOME");
        if (!home || home[0] != '/') {
                struct passwd *pw = getpwuid(geteuid());
                home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
        }
        if (!home)
                return strdup(MXTLS_STATEDIR "/mxtls.db");
        return path_join3(home, "/.local/state", "/mxtls/mxtls.db");
}
